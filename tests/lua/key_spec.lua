-- Key objects: creation, fields, reuse, and __gc under collection pressure.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local NOW = 1700000000
local S = "cjwt-lua-test-secret-for-hs256!!"
local JWK = { kty = "oct", k = "Y2p3dC1sdWEtdGVzdC1zZWNyZXQtZm9yLWhzMjU2ISE", kid = "k1", alg = "HS256" }
local OPTS = { algorithms = { "HS256" }, now = NOW }

describe("cjwt.key", function()
    it("from a secret: kty oct, no kid, no alg", function()
        local k = cjwt.key(S)
        assert.are.equal("userdata", type(k))
        assert.are.equal("oct", k.kty)
        assert.is_nil(k.kid)
        assert.is_nil(k.alg)
        assert.is_nil(k.nonexistent)
        assert.are.equal("cjwt.key (oct)", tostring(k))
    end)

    it("from a JWK table and from JWK JSON text: kid and alg", function()
        for _, k in ipairs({ cjwt.key(JWK),
                             cjwt.key(require("cjson").encode(JWK), { format = "jwk" }) }) do
            assert.are.equal("oct", k.kty)
            assert.are.equal("k1", k.kid)
            assert.are.equal("HS256", k.alg)
            assert.are.equal("cjwt.key (oct, kid=k1)", tostring(k))
        end
    end)

    it("the JWK and the secret are the same key", function()
        local token = cjwt.encode({ a = 1 }, cjwt.key(JWK))
        assert.are.same({ a = 1 }, cjwt.decode(token, S, OPTS))
        assert.are.same({ a = 1 }, cjwt.decode(token, JWK, OPTS))
    end)

    it("is reused for many tokens", function()
        local k = cjwt.key(S)
        for i = 1, 200 do
            local token = cjwt.encode({ i = i }, k)
            assert.are.equal(i, cjwt.decode(token, k, OPTS).i)
        end
    end)

    it("refuses a short secret when used, unless allow_short_secret", function()
        local weak = cjwt.key("secret")
        local ok, err = pcall(cjwt.encode, { a = 1 }, weak)
        assert.is_false(ok)
        assert.are.equal("invalid_key", err.code)
        local legacy = cjwt.key("secret", { allow_short_secret = true })
        local token = cjwt.encode({ a = 1 }, legacy)
        assert.are.same({ a = 1 }, cjwt.decode(token, legacy, OPTS))
        local _, _, code = safe.decode(token, "secret", OPTS)
        assert.are.equal("invalid_key", code)
    end)

    it("a PEM string is never an HMAC secret, format = 'secret' is the explicit opt-in", function()
        local pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
        local k, _, code = safe.key(pem)
        if k then
            -- parsed as a public key: it still must not sign HS256
            local _, _, c2 = safe.encode({ a = 1 }, k)
            assert.are.equal("invalid_key", c2)
        else
            assert.are.equal("invalid_key", code)
        end
        local explicit = cjwt.key(pem, { format = "secret" })
        assert.are.equal("oct", explicit.kty)
    end)

    it("refuses a JWK of the wrong kty and a broken JWK", function()
        local rows = {
            { { kty = "RSA", n = "AQAB", e = "AQAB" }, "invalid_key" },
            { { kty = "nope" }, "invalid_key" },
            { { k = "AAAA" }, "invalid_key" },
        }
        for _, row in ipairs(rows) do
            local ok, err = pcall(cjwt.key, row[1])
            assert.is_false(ok)
            assert.are.equal(row[2], err.code, tostring(err))
            local k, msg, code = safe.key(row[1])
            assert.is_nil(k)
            assert.is_string(msg)
            assert.are.equal(row[2], code)
        end
        local k, _, code = safe.key("{not json", { format = "jwk" })
        assert.is_nil(k)
        assert.is_string(code)
    end)

    it("survives collection in a loop (__gc frees the core key)", function()
        for i = 1, 2000 do
            local k = cjwt.key(S .. i)
            if i % 100 == 0 then
                collectgarbage()
            end
            assert.are.equal("oct", k.kty)
        end
        collectgarbage()
        collectgarbage()
    end)

    it("is protected: its metatable cannot be read or replaced", function()
        local k = cjwt.key(S)
        assert.are.equal("cjwt.key", getmetatable(k))
        assert.has_error(function() setmetatable(k, {}) end)
    end)

    if _VERSION == "Lua 5.4" then
        it("can be closed early with <close> and then refuses use", function()
            local chunk = assert(load([[
                local cjwt, S = ...
                local kept
                do
                    local k <close> = cjwt.key(S)
                    kept = k
                end
                return kept
            ]]))
            local closed = chunk(cjwt, S)
            assert.are.equal("cjwt.key (closed)", tostring(closed))
            local ok, err = pcall(cjwt.encode, { a = 1 }, closed)
            assert.is_false(ok)
            assert.truthy(tostring(err):find("closed", 1, true))
        end)
    end
end)

describe("module", function()
    it("has _VERSION and the same constants in both flavours", function()
        assert.is_string(cjwt._VERSION)
        assert.are.equal(cjwt._VERSION, safe._VERSION)
        assert.are.equal(cjwt.null, safe.null)
        assert.are.equal(cjwt.empty_array, safe.empty_array)
        assert.are.equal(cjwt.array_mt, safe.array_mt)
    end)
end)
