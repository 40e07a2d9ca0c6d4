-- Helpers for the threat specs (threat_*_spec.lua): the fixed keys shared with
-- the C and Python threat tests (tests/interop/keys.json), base64url, hostile
-- token builders and the exact-error assertion. Loaded with dofile.
local cjwt = require "cjwt"
local cjson = require "cjson"

local T = { NOW = 1700000000 }

local f = assert(io.open("tests/interop/keys.json", "rb"))
T.KEYS = cjson.decode(f:read("a")).keys
f:close()
T.SECRET = T.KEYS.hmac.secret
T.ALL = { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
          "ES256", "ES384", "ES512", "EdDSA", "ES256K" }
T.CLAIMS_JSON = '{"sub":"user-1","exp":' .. (T.NOW + 100) .. '}'

local V = dofile("tests/lua/vectorlib.lua")
T.B64 = V.B64
T.b64url = V.b64url
T.b64url_decode = V.b64url_decode

-- Options with the fixed clock.
function T.opts(algs, extra)
    local o = { algorithms = algs, now = T.NOW }
    for k, v in pairs(extra or {}) do
        o[k] = v
    end
    return o
end

-- Asserts that f(...) raises a cjwt error object with exactly this code;
-- returns the error.
function T.expect_code(code, f, ...)
    local ok, err = pcall(f, ...)
    assert(not ok, "expected " .. code .. ", but the call succeeded")
    assert(getmetatable(err) == cjwt.error_mt, "not a cjwt error: " .. tostring(err))
    assert(err.code == code, "expected " .. code .. ", got " .. tostring(err.code) .. ": " ..
           tostring(err.message))
    return err
end

-- A token from raw header JSON text and raw payload bytes with a junk
-- signature: for checks that come before the signature.
function T.unsigned(header_json, payload, sig)
    return T.b64url(header_json) .. "." .. T.b64url(payload) .. "." .. (sig or T.b64url(("\1"):rep(32)))
end

-- An HS256 token with a real signature over arbitrary payload bytes
-- (jws_encode signs any bytes; decode then parses them as claims).
function T.signed_payload(payload, header)
    return cjwt.jws_encode(payload, T.SECRET, { alg = "HS256", header = header })
end

function T.signature(token)
    return T.b64url_decode(token:match("([^.]*)$"))
end

function T.with_signature(token, sig)
    return token:match("^(.*%.)") .. T.b64url(sig)
end

-- The key set constructor, or nil when this build has none.
function T.keyset(jwks)
    if type(cjwt.keyset) ~= "function" then
        return nil
    end
    return cjwt.keyset(jwks)
end

return T
