-- Key sets: JWKS in (table, JSON text) and out, a list of keys, selection by
-- kid, rotation (old + new verify; once the old key is dropped its tokens
-- fail), key sets with decode/decode_complete/jws_decode, __gc.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"
local cjson = require "cjson"

local code_of = dofile("tests/lua/speclib.lua").code_of

local OLD = cjwt.generate_key("ES256", { kid = "2024-old" })
local NEW = cjwt.generate_key("ES256", { kid = "2025-new" })
local ED = cjwt.generate_key("EdDSA", { kid = "ed" })
local RSA = cjwt.generate_key("RS256", { kid = "rsa" })
local ES = { algorithms = { "ES256" } }

local function sign(key, alg)
    return cjwt.encode({ sub = key.kid or "nokid" }, key, { alg = alg or key.alg, header = { kid = key.kid } })
end

describe("cjwt.keyset", function()
    it("from a list of key objects, PEM strings and JWK tables", function()
        local ks = cjwt.keyset({ OLD, cjwt.key(NEW:to_pem(), { kid = NEW.kid }), ED:to_jwk() })
        assert.are.equal(3, #ks)
        assert.are.equal(3, ks:size())
        assert.are.equal("cjwt.keyset (3 keys)", tostring(ks))
        assert.are.equal(OLD:thumbprint(), ks:find("2024-old"):thumbprint())
        assert.is_false(ks:find("2025-new").is_private)
        assert.are.equal("ed", ks:get(3).kid)
        assert.is_nil(ks:find("nope"))
        assert.is_nil(ks:get(0))
        assert.is_nil(ks:get(4))
        assert.are.equal("cjwt.keyset", getmetatable(ks))
    end)

    it("from a JWKS table and from JWKS JSON text, and back with to_jwks", function()
        local jwks = cjwt.keyset({ OLD, NEW, ED, RSA }):to_jwks()
        assert.are.equal(4, #jwks.keys)
        for _, jwk in ipairs(jwks.keys) do
            assert.is_nil(jwk.d)
        end
        local a = cjwt.keyset(jwks)
        local b = cjwt.keyset(cjson.encode(jwks))
        for _, ks in ipairs({ a, b }) do
            assert.are.equal(4, #ks)
            for _, key in ipairs({ OLD, NEW, ED, RSA }) do
                assert.are.equal(key:thumbprint(), ks:find(key.kid):thumbprint())
                local token = sign(key)
                assert.are.same({ sub = key.kid }, cjwt.decode(token, ks, { algorithms = { key.alg } }))
            end
        end
        local priv = cjwt.keyset({ OLD }):to_jwks(true)
        assert.is_string(priv.keys[1].d)
        assert.is_true(cjwt.keyset(priv):get(1).is_private)
    end)

    it("key rotation: old and new verify while both are published; old fails once removed", function()
        local t_old, t_new = sign(OLD), sign(NEW)
        local both = cjwt.keyset({ OLD:to_jwk(), NEW:to_jwk() })
        assert.are.same({ sub = "2024-old" }, cjwt.decode(t_old, both, ES))
        assert.are.same({ sub = "2025-new" }, cjwt.decode(t_new, both, ES))
        local only_new = cjwt.keyset({ keys = { NEW:to_jwk() } })
        assert.are.same({ sub = "2025-new" }, cjwt.decode(t_new, only_new, ES))
        local code, msg = code_of(cjwt.decode, t_old, only_new, ES)
        assert.are.equal("invalid_key", code)
        assert.truthy(msg:find("2024-old", 1, true), msg)
        local r, m2, c2 = safe.decode(t_old, only_new, ES)
        assert.is_nil(r)
        assert.are.equal("invalid_key", c2)
        assert.is_string(m2)
    end)

    it("a token whose kid names another key's kid is bad_signature, not accepted", function()
        local forged = cjwt.encode({ sub = "x" }, OLD, { alg = "ES256", header = { kid = NEW.kid } })
        assert.are.equal("bad_signature", (code_of(cjwt.decode, forged, cjwt.keyset({ OLD, NEW }), ES)))
    end)

    it("without a kid, the fitting keys are tried", function()
        local ks = cjwt.keyset({ RSA, ED, NEW })
        local token = cjwt.encode({ a = 1 }, cjwt.key(NEW:to_pem(true)), { alg = "ES256" })
        assert.is_nil(cjwt.get_unverified_header(token).kid)
        assert.are.same({ a = 1 }, cjwt.decode(token, ks, ES))
        local stranger = cjwt.encode({ a = 1 }, cjwt.generate_key("ES256"), { alg = "ES256" })
        assert.are.equal("bad_signature", (code_of(cjwt.decode, stranger, ks, ES)))
    end)

    it("decode_complete and jws_decode accept a key set", function()
        local ks = cjwt.keyset({ OLD, NEW })
        local full = cjwt.decode_complete(sign(NEW), ks, ES)
        assert.are.equal("2025-new", full.header.kid)
        local jws = cjwt.jws_encode("raw bytes", OLD, { alg = "ES256", header = { kid = OLD.kid } })
        assert.are.equal("raw bytes", cjwt.jws_decode(jws, ks, ES))
    end)

    it("HMAC secrets in a set", function()
        local h1 = cjwt.generate_key("HS256", { kid = "h1" })
        local h2 = cjwt.generate_key("HS256", { kid = "h2" })
        local ks = cjwt.keyset({ keys = { h1:to_jwk(true), h2:to_jwk(true) } })
        assert.are.same({ sub = "h2" }, cjwt.decode(sign(h2), ks, { algorithms = { "HS256" } }))
    end)

    it("refuses ambiguous or unusable sets with invalid_key", function()
        local rows = {
            { "two keys with one kid", { OLD, OLD:with({}) } },
            { "HMAC mixed with public keys", { cjwt.generate_key("HS256", { kid = "h" }), NEW } },
            { "no usable key in a JWKS", { keys = { { kty = "nope" } } } },
            { "JWKS text that is not JSON", "{keys" },
            { "a broken JWK in a list", { { kty = "EC", crv = "P-256", x = "AA", y = "AA" } } },
        }
        for _, row in ipairs(rows) do
            local ks, msg, code = safe.keyset(row[2])
            assert.is_nil(ks, row[1])
            assert.are.equal(row[2] == "{keys" and code or "invalid_key", code, row[1])
            assert.is_string(msg)
            assert.are.equal(code, (code_of(cjwt.keyset, row[2])))
        end
    end)

    it("cannot sign, and misuse raises plain errors in both flavours", function()
        local ks = cjwt.keyset({ NEW })
        for _, mod in ipairs({ cjwt, safe }) do
            local ok, err = pcall(mod.encode, { a = 1 }, ks, { alg = "ES256" })
            assert.is_false(ok)
            assert.truthy(tostring(err):find("cannot sign", 1, true), err)
            ok, err = pcall(mod.jws_encode, "x", ks, { alg = "ES256" })
            assert.is_false(ok)
            assert.is_string(err)
            ok, err = pcall(mod.keyset, 42)
            assert.truthy(tostring(err):find("expected", 1, true), err)
            ok, err = pcall(mod.keyset, { NEW, 42 })
            assert.truthy(tostring(err):find("keys[2]", 1, true), err)
            ok, err = pcall(mod.keyset, { a = 1 })
            assert.truthy(tostring(err):find("list of keys", 1, true), err)
            ok, err = pcall(mod.keyset, { NEW }, { kid = "x" })
            assert.truthy(tostring(err):find("unknown option", 1, true), err)
        end
        assert.has_error(function() ks:find() end)
        assert.has_error(function() ks.size(42) end)
    end)

    it("survives collection in a loop (__gc frees the core set)", function()
        local jwks = cjwt.keyset({ OLD, NEW }):to_jwks()
        local token = sign(NEW)
        for i = 1, 500 do
            local ks = cjwt.keyset(jwks)
            if i % 50 == 0 then
                collectgarbage()
            end
            assert.are.equal(2, #ks)
            local k = ks:find(NEW.kid)
            ks = nil
            collectgarbage()
            -- a key taken from a set outlives the set
            assert.are.same({ sub = NEW.kid }, cjwt.decode(token, k, ES))
        end
    end)

    if _VERSION == "Lua 5.4" then
        it("can be closed early with <close>", function()
            local chunk = assert(load([[
                local cjwt, k = ...
                local kept
                do
                    local ks <close> = cjwt.keyset({ k })
                    kept = ks
                end
                return kept
            ]]))
            local closed = chunk(cjwt, NEW)
            assert.are.equal("cjwt.keyset (closed)", tostring(closed))
            local ok, err = pcall(cjwt.decode, sign(NEW), closed, ES)
            assert.is_false(ok)
            assert.truthy(tostring(err):find("closed", 1, true))
        end)
    end
end)
