-- cjwt.decode_unsecured: reading an unsecured (alg "none") token, by name.
--
-- decode never returns the claims of an unsecured token, whatever its
-- `algorithms` say (DESIGN.md): such a token proves nothing. Code that really
-- means to read one says so by calling decode_unsecured (as node jose's
-- UnsecuredJWT, and Python's cjwt.decode_unsecured, which this mirrors):
--
--   local claims = cjwt.decode_unsecured(token, { audience = "api", leeway = 30 })
--
-- Only `alg: none` tokens with an empty signature are read: a signed token
-- fails with alg_not_allowed (verify it with decode), "none" with a signature
-- with bad_signature. The token is parsed as strictly as by decode, and the
-- claim checks run as in decode (exp, nbf, iat, audience, issuer, subject,
-- require, typ, max_age, ...); switch them off with verify_exp = false etc.
-- Options that concern a signature (algorithms, verify_signature, denylist,
-- cache) are unknown here and raise, as any misspelt option does.
local core = require "cjwt.core"

local error, getmetatable, ipairs, pairs, pcall, setmetatable, type =
    error, getmetatable, ipairs, pairs, pcall, setmetatable, type
local error_mt = core.error_mt
local decode, unverified_header = core.decode, core.get_unverified_header

local CLAIM_CHECKS = {
    "verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub",
    "verify_jti",
}
local OPTIONS = {
    audience = true, issuer = true, subject = true, leeway = true, require = true, typ = true,
    max_age = true, now = true, strict_aud = true, max_token_len = true, max_depth = true,
}
for _, name in ipairs(CLAIM_CHECKS) do OPTIONS[name] = true end

local function refuse(code, message)
    error(setmetatable({ code = code, message = message }, error_mt), 0)
end

local function argerror(n, message)
    error("bad argument #" .. n .. " to 'decode_unsecured' (" .. message .. ")", 3)
end

local _M = {}

-- decode_unsecured(token [, opts]) -> claims; raises as cjwt.decode does.
function _M.decode(token, opts)
    if type(token) ~= "string" then
        argerror(1, "token string expected, got " .. type(token))
    end
    if opts ~= nil and type(opts) ~= "table" then
        argerror(2, "table expected, got " .. type(opts))
    end
    local o = {}
    for _, name in ipairs(CLAIM_CHECKS) do o[name] = true end
    if opts then
        for name, value in pairs(opts) do
            if type(name) ~= "string" then
                argerror(2, "option names must be strings")
            elseif not OPTIONS[name] then
                argerror(2, "unknown option '" .. name .. "'")
            end
            o[name] = value
        end
    end
    o.verify_signature = false
    local header = unverified_header(token)   -- a malformed token raises here
    if header.alg ~= "none" then
        refuse("alg_not_allowed", 'decode_unsecured reads unsecured (alg "none") tokens only: '
               .. "verify a signed token with decode()")
    end
    if token:sub(-1) ~= "." then
        refuse("bad_signature", 'an unsecured (alg "none") token has an empty signature')
    end
    return decode(token, nil, o)
end

-- cjwt.safe's: nil, message, code[, claim] instead of raising an error
-- object; misuse still raises.
function _M.safe_decode(token, opts)
    local ok, result = pcall(_M.decode, token, opts)
    if ok then
        return result
    end
    if getmetatable(result) == error_mt then
        return nil, result.message, result.code, result.claim
    end
    error(result, 0)
end

return _M
