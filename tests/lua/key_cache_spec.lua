-- The key cache: string key material (secrets, PEM, JWK text) passed to
-- encode/decode/jws_*/verifier methods is parsed once per Lua state and
-- module instance, in a 32-entry most-recently-used cache keyed by the bytes.
-- cjwt.key and cjwt.keyset always parse their own. Runs on Lua 5.4 and LuaJIT (make test-lua).
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local SECRET = "a secret of at least 32 bytes for HS256!"

local function info()
    local i = cjwt._key_cache_info()
    return i.size, i.hits, i.misses
end

-- an equal string made at run time (a distinct long string object on Lua 5.4)
local function copy(s)
    return table.concat({ s:sub(1, 5), s:sub(6) })
end

local BAD_PEM = "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n"

describe("key cache", function()
    before_each(function()
        cjwt._key_cache_clear()
    end)

    it("is reported and cleared", function()
        local i = cjwt._key_cache_info()
        assert.are.same({ size = 0, maxsize = 32, hits = 0, misses = 0 }, i)
        cjwt.encode({ a = 1 }, SECRET)
        cjwt.encode({ a = 1 }, SECRET)
        assert.are.same({ size = 1, maxsize = 32, hits = 1, misses = 1 }, cjwt._key_cache_info())
        cjwt._key_cache_clear()
        assert.are.same({ size = 0, maxsize = 32, hits = 0, misses = 0 }, cjwt._key_cache_info())
    end)

    for _, alg in ipairs({ "RS256", "ES256", "EdDSA" }) do
        it("parses the same " .. alg .. " PEM string once (compared by contents)", function()
            local k = cjwt.generate_key(alg)
            local pem = k:to_pem()
            local t = cjwt.encode({ sub = "u1" }, k, { alg = alg })
            local opts = { algorithms = { alg } }
            assert.are.equal("u1", cjwt.decode(t, pem, opts).sub)
            assert.are.same({ 1, 0, 1 }, { info() })
            assert.are.equal("u1", cjwt.decode(t, copy(pem), opts).sub)
            assert.are.equal("u1", cjwt.decode_complete(t, pem, opts).payload.sub)
            assert.are.same({ 1, 2, 1 }, { info() })
            -- a tampered token is still refused through the cached key
            local bad = t:sub(1, -3) .. (t:sub(-2, -2) == "A" and "B" or "A") .. t:sub(-1)
            local ok, err = pcall(cjwt.decode, bad, pem, opts)
            assert.is_false(ok)
            assert.are.equal("bad_signature", err.code)
            -- the private PEM signs, also through the cache
            local priv = k:to_pem(true)
            local t2 = cjwt.encode({ sub = "u2" }, priv, { alg = alg })
            local t3 = cjwt.jws_encode("data", copy(priv), { alg = alg })
            assert.are.same({ 2, 4, 2 }, { info() })
            assert.are.equal("u2", cjwt.decode(t2, pem, opts).sub)
            assert.are.equal("data", cjwt.jws_decode(t3, pem, opts))
            assert.are.same({ 2, 6, 2 }, { info() })
        end)
    end

    it("caches HMAC secrets, and the answers stay the same", function()
        local t = cjwt.encode({ sub = "u1" }, SECRET)
        for _ = 1, 3 do
            assert.are.equal("u1", cjwt.decode(t, copy(SECRET), { algorithms = { "HS256" } }).sub)
        end
        local ok, err = pcall(cjwt.decode, t, SECRET .. "x", { algorithms = { "HS256" } })
        assert.is_false(ok)
        assert.are.equal("bad_signature", err.code)
        assert.are.same({ 2, 3, 2 }, { info() })
    end)

    it("never caches refused material: refused again, with the same error", function()
        local t = cjwt.encode({ sub = "u1" }, SECRET)
        local ok1, e1 = pcall(cjwt.decode, t, BAD_PEM, { algorithms = { "RS256" } })
        local ok2, e2 = pcall(cjwt.decode, t, copy(BAD_PEM), { algorithms = { "RS256" } })
        assert.is_false(ok1)
        assert.is_false(ok2)
        assert.are.equal("invalid_key", e1.code)
        assert.are.same({ code = e1.code, message = e1.message },
                        { code = e2.code, message = e2.message })
        cjwt.encode({}, copy(SECRET))              -- a hit: the encode above made it
        assert.is_nil(safe.encode({}, BAD_PEM, { alg = "RS256" }))
        assert.are.same({ 1, 1, 4 }, { info() })   -- only SECRET is an entry
        -- safe: nil, message, code, both times
        for _ = 1, 2 do
            local claims, msg, code = safe.decode(t, BAD_PEM, { algorithms = { "RS256" } })
            assert.is_nil(claims)
            assert.are.equal("invalid_key", code)
            assert.are.equal(e1.message, msg)
        end
        assert.are.same({ 1, 1, 6 }, { info() })
    end)

    it("leaves key objects and key sets out: their flags never reach a string key", function()
        local t = cjwt.encode({ sub = "legacy" }, cjwt.key("short", { allow_short_secret = true }))
        local ks = cjwt.keyset({ "short" }, { allow_short_secret = true })
        assert.are.equal("legacy", cjwt.decode(t, ks, { algorithms = { "HS256" } }).sub)
        assert.are.same({ 0, 0, 0 }, { info() })
        for _ = 1, 2 do   -- the plain string has no opt-in: refused, both times
            local ok, err = pcall(cjwt.decode, t, "short", { algorithms = { "HS256" } })
            assert.is_false(ok)
            assert.are.equal("invalid_key", err.code)
        end
        assert.are.same({ 1, 1, 1 }, { info() })
    end)

    it("never serves a key object: cjwt.key parses its own", function()
        local a = cjwt.key(SECRET)
        local b = cjwt.key(copy(SECRET))
        assert.are.same({ 0, 0, 0 }, { info() })
        local t = cjwt.encode({ sub = "u1" }, a)
        a = nil                                      -- luacheck: ignore
        collectgarbage()
        assert.are.equal("u1", cjwt.decode(t, b, { algorithms = { "HS256" } }).sub)
        assert.are.same({ 0, 0, 0 }, { info() })
    end)

    it("keeps a PEM read as a secret apart from the PEM (no alg confusion)", function()
        local rs = cjwt.generate_key("RS256")
        local pem = rs:to_pem()
        -- an attacker's HS256 token signed with the public PEM text as secret
        local forged = cjwt.encode({ sub = "mallory" }, cjwt.key(pem, { format = "secret" }),
                                   { alg = "HS256" })
        local good = cjwt.encode({ sub = "u1" }, rs, { alg = "RS256" })
        for _ = 1, 2 do
            local ok, err = pcall(cjwt.decode, forged, pem, { algorithms = { "HS256", "RS256" } })
            assert.is_false(ok)
            assert.is_string(err.code)
            assert.are.equal("u1", cjwt.decode(good, pem, { algorithms = { "RS256" } }).sub)
        end
        assert.are.equal("RSA", cjwt.key(pem).kty)
        assert.are.equal("oct", cjwt.key(pem, { format = "secret" }).kty)
        assert.are.equal("RSA", cjwt.key(pem, { format = "pem" }).kty)
        -- as JWK text: another parser, another entry
        local jwk_text = require("cjson").encode(rs:to_jwk())
        assert.are.equal("RSA", cjwt.key(jwk_text, { format = "jwk" }).kty)
        assert.are.equal("RSA", cjwt.key(jwk_text, { format = "jwk" }).kty)
        -- only the string given to decode is an entry (key objects never are)
        local size, hits, misses = info()
        assert.are.same({ 1, 3, 1 }, { size, hits, misses })
    end)

    it("does not cache a PEM with a password", function()
        local pem = cjwt.generate_key("ES256"):to_pem(true)
        local ok, err = pcall(cjwt.key, pem, { password = "nope" })
        -- an unencrypted PEM with a password: whatever the core says, twice
        local ok2, err2 = pcall(cjwt.key, pem, { password = "nope" })
        assert.are.equal(ok, ok2)
        if not ok then assert.are.equal(err.code, err2.code) end
        assert.are.same({ 0, 0, 0 }, { info() })
    end)

    it("keeps the 32 most recently used entries", function()
        local secrets, tokens = {}, {}
        for i = 1, 33 do
            secrets[i] = string.format("secret number %02d of at least 32 bytes!", i)
            tokens[i] = cjwt.encode({ n = i }, secrets[i])
        end
        assert.are.same({ 32, 0, 33 }, { info() })   -- secrets[1] went
        local opts = { algorithms = { "HS256" } }
        assert.are.equal(2, cjwt.decode(tokens[2], secrets[2], opts).n)   -- hit, now newest
        assert.are.same({ 32, 1, 33 }, { info() })
        assert.are.equal(1, cjwt.decode(tokens[1], secrets[1], opts).n)   -- miss; 3 goes
        assert.are.same({ 32, 1, 34 }, { info() })
        assert.are.equal(2, cjwt.decode(tokens[2], secrets[2], opts).n)   -- still here
        assert.are.same({ 32, 2, 34 }, { info() })
        assert.are.equal(3, cjwt.decode(tokens[3], secrets[3], opts).n)   -- evicted: miss
        assert.are.same({ 32, 2, 35 }, { info() })
        for i = 1, 100 do cjwt.encode({}, secrets[(i % 33) + 1]) end
        assert.are.equal(32, (info()))
    end)

    it("survives a denylist that churns the cache while the outer call uses its key", function()
        local rs = cjwt.generate_key("RS256")
        local pem = rs:to_pem()
        local outer = cjwt.encode({ sub = "outer", jti = "o" }, rs, { alg = "RS256" })
        local inner = {}
        for i = 1, 40 do
            local s = string.format("inner secret %02d, at least 32 bytes long", i)
            inner[i] = { s, cjwt.encode({ sub = "inner" .. i }, s) }
        end
        local function churn(claims)
            for i = 1, 40 do
                assert(cjwt.decode(inner[i][2], inner[i][1], { algorithms = { "HS256" } }))
            end
            cjwt._key_cache_clear()              -- also drops the outer call's entry
            collectgarbage()
            return false
        end
        for _, mod in ipairs({ cjwt, safe }) do
            for _ = 1, 3 do
                local c = mod.decode(outer, copy(pem), { algorithms = { "RS256" }, denylist = churn })
                assert.are.equal("outer", c.sub)
                collectgarbage()
            end
            local v = mod.verifier({ algorithms = { "RS256" }, denylist = churn, cache = 4 })
            for _ = 1, 3 do
                assert.are.equal("outer", v:decode(outer, pem).sub)
            end
        end
    end)

    it("gives a cached verifier hits for a repeated string key", function()
        local v = cjwt.verifier({ algorithms = { "ES256" }, cache = 4 })
        local es = cjwt.generate_key("ES256")
        local t = cjwt.encode({ sub = "u1" }, es, { alg = "ES256" })
        local pem = es:to_pem()
        for _ = 1, 3 do assert.truthy(v:decode(t, copy(pem))) end
        assert.are.equal(2, v:cache_stats().hits)
        -- a key object made from the same string is another key: verified again
        assert.truthy(v:decode(t, cjwt.key(pem)))
        assert.are.equal(2, v:cache_stats().hits)
        -- alternating between two string keys no longer reparses either
        local other = cjwt.generate_key("ES256")
        local t2 = cjwt.encode({ sub = "u2" }, other, { alg = "ES256" })
        local pem2 = other:to_pem()
        for _ = 1, 3 do
            assert.truthy(v:decode(t, pem))
            assert.truthy(v:decode(t2, pem2))
        end
        -- round 1 verifies both (t's entry was the key object's), rounds 2-3 hit both
        assert.are.equal(6, v:cache_stats().hits)
        local size, _, misses = info()
        assert.are.same({ 2, 2 }, { size, misses })
    end)

    it("works the same from cjwt.safe (one cache for both)", function()
        local es = cjwt.generate_key("ES256")
        local pem = es:to_pem()
        local t = cjwt.encode({ sub = "u1" }, es, { alg = "ES256" })
        assert.are.equal("u1", safe.decode(t, pem, { algorithms = { "ES256" } }).sub)
        assert.are.equal("u1", cjwt.decode(t, pem, { algorithms = { "ES256" } }).sub)
        assert.are.equal("u1", safe.decode(t, copy(pem), { algorithms = { "ES256" } }).sub)
        local i = safe._key_cache_info()
        assert.are.same({ 1, 2, 1 }, { i.size, i.hits, i.misses })
        local claims, _, code = safe.decode(t, pem, { algorithms = { "ES256" }, audience = "x" })
        assert.is_nil(claims)
        assert.are.equal("missing_claim", code)
        safe._key_cache_clear()
        assert.are.same({ 0, 0, 0 }, { info() })
    end)
end)
