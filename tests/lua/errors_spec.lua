-- Every error name that applies to HMAC tokens, produced by a hostile input,
-- in both flavours: cjwt raises an error object, cjwt.safe returns
-- nil, message, code[, claim]. Rows assert the exact error name.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local NOW = 1700000000
local S256 = "cjwt-lua-test-secret-for-hs256!!"          -- 32 bytes
local S384 = string.rep("3", 48)
local OTHER = "another-secret-of-thirty-two-byt"
assert(#S256 == 32 and #OTHER == 32)

local b64url = dofile("tests/lua/vectorlib.lua").b64url

-- A token whose header is `header_json`, signed correctly (jws_encode signs
-- whatever header members we add; the JSON text is ours for the raw cases).
local function raw_token(header_json, payload_json, sig)
    return b64url(header_json) .. "." .. b64url(payload_json) .. "." .. (sig or "c2ln")
end
local function signed(payload, header, secret, alg)
    return cjwt.encode(payload, secret or S256, { alg = alg, header = header, now = NOW })
end
local function opts(extra)
    local o = { algorithms = { "HS256" }, now = NOW }
    for k, v in pairs(extra or {}) do
        o[k] = v
    end
    return o
end

local PEM = "-----BEGIN PUBLIC KEY-----\n" ..
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n" ..
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n" ..
    "-----END PUBLIC KEY-----\n"
local VALID = signed({ sub = "u", exp = NOW + 60 })

-- { name, token, key, opts, code, claim }
local ROWS = {
    { "not a JWT", "abc", S256, opts(), "malformed" },
    { "two segments", "a.b", S256, opts(), "malformed" },
    { "four segments", VALID .. ".x", S256, opts(), "malformed" },
    { "header not base64url", "!!." .. VALID:match("%.(.*)$"), S256, opts(), "malformed" },
    { "header not JSON", raw_token("{alg", "{}"), S256, opts(), "malformed" },
    { "header without alg", raw_token('{"typ":"JWT"}', "{}"), S256, opts(), "unsupported_alg" },
    { "unknown alg", raw_token('{"alg":"HS257"}', "{}"), S256, opts(), "unsupported_alg" },
    { "unknown name in algorithms", VALID, S256, opts({ algorithms = { "HS999" } }), "unsupported_alg" },
    { "alg outside the allowlist", signed({ a = 1 }, nil, S384, "HS384"), S384, opts(), "alg_not_allowed" },
    { "alg none not asked for", raw_token('{"alg":"none"}', '{"a":1}', ""), S256, opts(), "alg_not_allowed" },
    { "no algorithms given", VALID, S256, { now = NOW }, "alg_not_allowed" },
    { "short secret", VALID, "short", opts(), "invalid_key" },
    { "PEM string as HMAC secret", VALID, PEM, opts(), "invalid_key" },
    { "JWK of kty RSA", VALID, { kty = "RSA", n = "AQAB", e = "AQAB" }, opts(), "invalid_key" },
    { "JWK of kty EC", VALID, { kty = "EC", crv = "P-256", x = "AA", y = "AA" }, opts(), "invalid_key" },
    { "no key", VALID, nil, opts(), "invalid_key" },
    { "wrong secret", VALID, OTHER, opts(), "bad_signature" },
    { "tampered payload", VALID:gsub("^([^.]*)%.[^.]*", "%1." .. b64url('{"sub":"admin"}')),
      S256, opts(), "bad_signature" },
    { "expired", signed({ exp = NOW - 1 }), S256, opts(), "expired" },
    { "older than max_age", signed({ iat = NOW - 100 }), S256, opts({ max_age = 50 }), "expired" },
    { "nbf in the future", signed({ nbf = NOW + 100 }), S256, opts(), "not_yet_valid" },
    { "iat not a number", signed({ iat = "yesterday" }), S256, opts(), "invalid_iat" },
    { "audience mismatch", signed({ aud = "other" }), S256, opts({ audience = "api" }), "invalid_audience" },
    { "aud present, none expected", signed({ aud = "api" }), S256, opts(), "invalid_audience" },
    { "issuer mismatch", signed({ iss = "evil" }), S256, opts({ issuer = { "a", "b" } }), "invalid_issuer" },
    { "subject mismatch", signed({ sub = "u2" }), S256, opts({ subject = "u1" }), "invalid_subject" },
    { "required claim missing", signed({ sub = "u" }), S256, opts({ require = { "sub", "exp" } }),
      "missing_claim", "exp" },
    { "typ mismatch", signed({ a = 1 }, { typ = "at+jwt" }), S256, opts({ typ = "JWT" }), "invalid_typ" },
    { "unknown crit", signed({ a = 1 }, { crit = { "x-ext" }, ["x-ext"] = 1 }), S256, opts(), "unknown_crit" },
    { "over max_token_len", VALID, S256, opts({ max_token_len = 20 }), "too_large" },
    { "over the default 16 KiB", signed({ pad = string.rep("p", 17000) }), S256, opts(), "too_large" },
    { "JSON deeper than max_depth", signed({ a = { b = { c = { d = 1 } } } }), S256,
      opts({ max_depth = 2 }), "too_large" },
}

describe("errors", function()
    for _, row in ipairs(ROWS) do
        local name, token, key, o, code, claim = row[1], row[2], row[3], row[4], row[5], row[6]

        it(code .. ": " .. name .. " (cjwt raises an error object)", function()
            local ok, err = pcall(cjwt.decode, token, key, o)
            assert.is_false(ok)
            assert.is_table(err, tostring(err))
            assert.are.equal(code, err.code, tostring(err))
            assert.is_string(err.message)
            assert.are.equal(claim, err.claim)
            assert.are.equal("cjwt: " .. code .. ": " .. err.message, tostring(err))
            assert.is_true(cjwt.is_error(err))
        end)

        it(code .. ": " .. name .. " (cjwt.safe returns nil, message, code)", function()
            local res, msg, c, cl = safe.decode(token, key, o)
            assert.is_nil(res)
            assert.is_string(msg)
            assert.are.equal(code, c, msg)
            assert.are.equal(claim, cl)
        end)
    end

    local SIGN_ROWS = {
        { "short secret", { a = 1 }, "short", {}, "invalid_key" },
        { "HS512 with a 32-byte secret", { a = 1 }, S256, { alg = "HS512" }, "invalid_key" },
        { "PEM string", { a = 1 }, PEM, {}, "invalid_key" },
        { "unknown alg", { a = 1 }, S256, { alg = "HS999" }, "unsupported_alg" },
        { "payload that is an array", { 1, 2 }, S256, {}, "malformed" },
    }
    for _, row in ipairs(SIGN_ROWS) do
        it("encode " .. row[5] .. ": " .. row[1], function()
            local ok, err = pcall(cjwt.encode, row[2], row[3], row[4])
            assert.is_false(ok)
            assert.are.equal(row[5], err.code, tostring(err))
            local res, msg, code = safe.encode(row[2], row[3], row[4])
            assert.is_nil(res)
            assert.is_string(msg)
            assert.are.equal(row[5], code)
        end)
    end

    it("the short-secret message says how to opt in", function()
        local _, msg = safe.decode(VALID, "short", opts())
        assert.truthy(msg:find("allow_short_secret", 1, true))
    end)

    it("get_unverified_header reports malformed tokens", function()
        local ok, err = pcall(cjwt.get_unverified_header, "nope")
        assert.is_false(ok)
        assert.are.equal("malformed", err.code)
        local res, msg, code = safe.get_unverified_header("x.y.z")
        assert.is_nil(res)
        assert.is_string(msg)
        assert.are.equal("malformed", code)
    end)

    it("claims are not looked at before the signature holds", function()
        local token = signed({ exp = NOW - 1 }, nil, OTHER)
        local _, _, code = safe.decode(token, S256, opts())
        assert.are.equal("bad_signature", code)
    end)

    it("the valid token verifies (control)", function()
        assert.are.same({ sub = "u", exp = NOW + 60 }, cjwt.decode(VALID, S256, opts()))
    end)
end)
