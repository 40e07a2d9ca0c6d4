-- Compiled verifiers (cjwt.verifier) and the options verify_jti / strict_aud.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local NOW = 1700000000
local KEY = cjwt.generate_key("ES256", { kid = "v1" })
local S = string.rep("s", 32)

local code_of = dofile("tests/lua/speclib.lua").code_of

describe("cjwt.verifier", function()
    local token = cjwt.encode({ sub = "u", aud = "api", iss = "me", iat = NOW, exp = NOW + 60 }, KEY,
                              { alg = "ES256", header = { kid = "v1" } })

    it("compiles once and verifies many tokens with keys and key sets", function()
        local v = cjwt.verifier({ algorithms = { "ES256" }, audience = "api", issuer = "me", now = NOW })
        assert.are.equal("cjwt.verifier", tostring(v))
        local ks = cjwt.keyset({ KEY })
        for _ = 1, 50 do
            assert.are.equal("u", v:decode(token, KEY).sub)
            assert.are.equal("u", v:decode(token, ks).sub)
        end
        local full = v:decode_complete(token, KEY:to_pem())
        assert.are.equal("v1", full.header.kid)
        assert.are.equal("api", full.payload.aud)
    end)

    it("takes the time per call, else its now option, else the clock", function()
        local v = cjwt.verifier({ algorithms = { "ES256" }, audience = "api", now = NOW })
        assert.are.equal("expired", (code_of(v.decode, v, token, KEY, NOW + 3600)))
        local clock = cjwt.verifier({ algorithms = { "ES256" }, audience = "api" })
        assert.are.equal("expired", (code_of(clock.decode, clock, token, KEY)))
        assert.are.equal("u", clock:decode(token, KEY, NOW).sub)
    end)

    it("raises from cjwt, returns nil, message, code from cjwt.safe", function()
        local rows = {
            { { algorithms = { "ES256" }, audience = "other", now = NOW }, "invalid_audience" },
            { { algorithms = { "ES256" }, audience = "api", issuer = "x", now = NOW }, "invalid_issuer" },
            { { algorithms = { "HS256" }, audience = "api", now = NOW }, "alg_not_allowed" },
            { { algorithms = { "ES256" }, audience = "api", now = NOW, require = { "jti" } }, "missing_claim" },
        }
        for _, row in ipairs(rows) do
            local v = cjwt.verifier(row[1])
            assert.are.equal(row[2], (code_of(v.decode, v, token, KEY)))
            local sv = safe.verifier(row[1])
            local r, msg, code = sv:decode(token, KEY)
            assert.is_nil(r)
            assert.is_string(msg)
            assert.are.equal(row[2], code)
        end
        local _, _, code, claim = safe.verifier(rows[4][1]):decode(token, KEY)
        assert.are.equal("missing_claim", code)
        assert.are.equal("jti", claim)
    end)

    it("an unknown algorithm is unsupported_alg; misuse raises in both flavours", function()
        assert.are.equal("unsupported_alg", (code_of(cjwt.verifier, { algorithms = { "XX" } })))
        local v, _, code = safe.verifier({ algorithms = { "XX" } })
        assert.is_nil(v)
        assert.are.equal("unsupported_alg", code)
        for _, mod in ipairs({ cjwt, safe }) do
            local ok, err = pcall(mod.verifier, { algorithms = { "ES256" }, isuer = "x" })
            assert.is_false(ok)
            assert.truthy(err:find("unknown option 'isuer'", 1, true), err)
            local good = mod.verifier({ algorithms = { "ES256" } })
            ok, err = pcall(good.decode, good, 42, KEY)
            assert.truthy(err:find("token string expected", 1, true), err)
            ok, err = pcall(good.decode, good, token, 42)
            assert.truthy(err:find("key must be", 1, true), err)
            ok, err = pcall(good.decode, good, token, KEY, "now")
            assert.truthy(err:find("unix time expected", 1, true), err)
        end
    end)
end)

describe("verify_jti and strict_aud", function()
    local opts = { algorithms = { "HS256" }, now = NOW }
    local function with(extra)
        local o = {}
        for k, v in pairs(opts) do o[k] = v end
        for k, v in pairs(extra) do o[k] = v end
        return o
    end

    it("a jti that is not a string is invalid_jti unless verify_jti = false", function()
        local token = cjwt.encode({ jti = 42 }, S)
        assert.are.equal("invalid_jti", (code_of(cjwt.decode, token, S, opts)))
        assert.are.same({ jti = 42 }, cjwt.decode(token, S, with({ verify_jti = false })))
        local _, _, code = safe.decode(token, S, opts)
        assert.are.equal("invalid_jti", code)
        assert.are.same({ jti = "abc" }, cjwt.decode(cjwt.encode({ jti = "abc" }, S), S, opts))
    end)

    it("strict_aud: one expected audience, aud must be that single string", function()
        local single = cjwt.encode({ aud = "api" }, S)
        local list = cjwt.encode({ aud = { "api" } }, S)
        assert.are.same({ aud = "api" }, cjwt.decode(single, S, with({ audience = "api", strict_aud = true })))
        assert.are.equal("api", cjwt.decode(list, S, with({ audience = "api" })).aud[1])
        assert.are.equal("invalid_audience",
                         (code_of(cjwt.decode, list, S, with({ audience = "api", strict_aud = true }))))
        assert.are.equal("invalid_audience",
                         (code_of(cjwt.decode, single, S, with({ audience = { "api", "b" }, strict_aud = true }))))
        local ok, err = pcall(cjwt.decode, single, S, with({ audience = "api", strict_aud = "yes" }))
        assert.is_false(ok)
        assert.truthy(err:find("boolean expected", 1, true))
    end)
end)
