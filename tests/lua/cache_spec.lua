-- The verified-token cache of cjwt.verifier (opts.cache = N): the same
-- answers as an uncached verifier, dates and the denylist applied again on
-- every hit, key (set) objects as part of the cache key, the LRU bound, and
-- the misuse errors. Runs on Lua 5.4 and LuaJIT (make test-lua).
local cjson = require "cjson"
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local SECRET = "a secret of at least 32 bytes for HS256!"
local NOW = 1700000000

local function stats(v)
    local s = assert(v:cache_stats())
    return s.hits, s.misses, s.evictions, s.size, s.capacity
end

-- ---- shared vectors (as tests/lua/vectors_spec.lua loads them) ---------------

local V = dofile("tests/lua/vectorlib.lua")
local unhex, json_equal = V.unhex, V.json_equal

-- The key of a case as a user would pass it (see vectors_spec.lua), and,
-- when it is a string or a JWK table that cjwt.key accepts, also as a key
-- object: every form that can reach a verifier.
local function key_forms(case)
    local k = case.key
    if k == cjson.null or k == nil then
        return { { "none", nil } }
    end
    if k.jwks then
        return { { "keyset", cjwt.keyset(k.jwks) } }
    end
    if k.pem then
        if k.password then
            return { { "key object", cjwt.key(k.pem, { password = k.password }) } }
        end
        local forms = { { "pem string", k.pem } }
        local ok, obj = pcall(cjwt.key, k.pem)
        if ok then forms[2] = { "key object", obj } end
        return forms
    end
    local material = k.secret or (k.secret_hex and unhex(k.secret_hex)) or k.jwk
    if case.key_flags then
        local flags = {}
        for _, f in ipairs(case.key_flags) do flags[f] = true end
        return { { "key object", cjwt.key(material, flags) } }
    end
    local forms = { { type(material) == "table" and "jwk table" or "secret string", material } }
    local ok, obj = pcall(cjwt.key, material)
    if ok then forms[2] = { "key object", obj } end
    return forms
end

-- One call's answer, comparable: { ok, result } or { false, code, claim, message }.
local function answer(v, token, key)
    local ok, res = pcall(v.decode_complete, v, token, key)
    if ok then
        return { ok = true, header = res.header, payload = res.payload, signature = res.signature }
    end
    assert(cjwt.is_error(res), "not a cjwt error: " .. tostring(res))
    return { ok = false, code = res.code, claim = res.claim, message = res.message }
end

local function same_answer(a, b)
    if a.ok ~= b.ok then return false end
    if a.ok then
        return json_equal(a.header, b.header) and json_equal(a.payload, b.payload)
            and a.signature == b.signature
    end
    return a.code == b.code and a.claim == b.claim and a.message == b.message
end

local function describe_answer(a)
    if a.ok then return "claims " .. cjson.encode(a.payload) end
    return "error " .. tostring(a.code) .. ": " .. tostring(a.message)
end

describe("verifier cache: shared vectors twice through a cached verifier", function()
    local files = V.files()
    local total, hits_expected = 0, 0

    it("exist", function()
        assert.is_true(#files > 0)
    end)

    for _, path in ipairs(files) do
        local doc = V.read_json(path)
        describe(path, function()
            for _, case in ipairs(doc.cases or {}) do
                -- jws_decode has no verifier form: its cases are vectors_spec.lua's alone.
                if case.mode ~= "jws" then
                    it(case.name, function()
                        local opts = {}
                        for k, v in pairs(case.options) do opts[k] = v end
                        opts.now = case.now
                        local sig_off = opts.verify_signature == false
                        local ok0, plain = pcall(cjwt.verifier, opts)
                        local copts = {}
                        for k, v in pairs(opts) do copts[k] = v end
                        copts.cache = 8
                        if sig_off then
                            -- nothing would be cached: refused as misuse, not silently ignored
                            local ok, err = pcall(cjwt.verifier, copts)
                            assert.is_false(ok)
                            assert.matches("needs the signature check", err)
                            return
                        end
                        local ok1, cached = pcall(cjwt.verifier, copts)
                        assert.are.equal(ok0, ok1)
                        if not ok0 then
                            -- the options themselves are refused (an unknown algorithm)
                            assert.are.equal(plain.code, cached.code)
                            assert.is_truthy(case.expect.error)
                            assert.are.equal(case.expect.error, cached.code)
                            return
                        end
                        local made, forms = pcall(key_forms, case)
                        if not made then
                            -- the key itself is refused: no verifier call to compare
                            assert.is_true(cjwt.is_error(forms), tostring(forms))
                            assert.are.equal(case.expect.error, forms.code)
                            return
                        end
                        for _, form in ipairs(forms) do
                            local label, key = form[1], form[2]
                            local want = answer(plain, case.token, key)
                            local first = answer(cached, case.token, key)
                            local second = answer(cached, case.token, key)
                            assert.is_true(same_answer(want, first), label .. ": first call: " ..
                                describe_answer(first) .. " vs " .. describe_answer(want))
                            assert.is_true(same_answer(want, second), label .. ": second call: " ..
                                describe_answer(second) .. " vs " .. describe_answer(want))
                            -- and the answer the vector expects
                            if case.expect.error then
                                assert.is_false(second.ok)
                                assert.are.equal(case.expect.error, second.code)
                            else
                                assert.is_true(second.ok, describe_answer(second))
                                assert.is_true(json_equal(case.expect.claims, second.payload))
                            end
                            -- a verified token is served from the cache the second time,
                            -- except with a JWK table (a new key per call)
                            local hits = stats(cached)
                            if second.ok and label ~= "jwk table" then
                                assert.are.equal(1, hits, label)
                                hits_expected = hits_expected + 1
                            else
                                -- a refusal is never remembered
                                assert.are.equal(0, hits, label)
                            end
                            cached:cache_clear()
                            -- the statistics count on after a clear; only the entries go
                            assert.are.equal(hits, (stats(cached)))
                            cached = cjwt.verifier(copts)
                            total = total + 1
                        end
                    end)
                end
            end
        end)
    end

    it("ran vectors and saw hits", function()
        io.stderr:write(string.format("  cache vectors: %d runs, %d served from the cache\n",
                                      total, hits_expected))
        assert.is_true(total > 0)
        assert.is_true(hits_expected > 0)
    end)
end)

-- ---- behaviour ---------------------------------------------------------------

describe("verifier cache", function()
    local K = cjwt.key(SECRET)
    local ES = cjwt.generate_key("ES256", { kid = "es" })

    it("serves a repeated token from the cache, HS256 and ES256", function()
        for _, pair in ipairs({ { K, "HS256" }, { ES, "ES256" } }) do
            local key, alg = pair[1], pair[2]
            local v = cjwt.verifier({ algorithms = { alg }, cache = 4 })
            local t = cjwt.encode({ sub = "u1", exp = NOW + 60 }, key, { alg = alg })
            assert.are.equal("u1", v:decode(t, key, NOW).sub)
            assert.are.equal("u1", v:decode(t, key, NOW).sub)
            assert.are.equal("u1", v:decode_complete(t, key, NOW).payload.sub)
            local hits, misses, evictions, size, capacity = stats(v)
            assert.are.same({ 2, 1, 0, 1, 4 }, { hits, misses, evictions, size, capacity })
        end
    end)

    it("cache_stats is nil without a cache, and for cache = 0", function()
        assert.is_nil(cjwt.verifier({ algorithms = { "HS256" } }):cache_stats())
        assert.is_nil(cjwt.verifier({ algorithms = { "HS256" }, cache = 0 }):cache_stats())
        cjwt.verifier({ algorithms = { "HS256" } }):cache_clear()    -- a no-op, no error
    end)

    it("applies exp, nbf, iat and max_age again at each call's now", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
        local t = cjwt.encode({ sub = "u1", nbf = NOW, exp = NOW + 60 }, K)
        assert.are.equal("u1", v:decode(t, K, NOW).sub)
        assert.are.equal("u1", v:decode(t, K, NOW + 59).sub)           -- hit
        local ok, err = pcall(v.decode, v, t, K, NOW + 60)             -- hit, expired since
        assert.is_false(ok)
        assert.are.equal("expired", err.code)
        local hits, misses, evictions, size = stats(v)
        assert.are.same({ 2, 1, 1, 0 }, { hits, misses, evictions, size })   -- dropped
        -- the same message as without a cache
        local _, plain = pcall(cjwt.decode, t, K, { algorithms = { "HS256" }, now = NOW + 60 })
        assert.are.equal(plain.message, err.message)
        -- nbf, from the cache
        assert.are.equal("u1", v:decode(t, K, NOW).sub)                 -- miss again
        ok, err = pcall(v.decode, v, t, K, NOW - 1)
        assert.is_false(ok)
        assert.are.equal("not_yet_valid", err.code)
        assert.are.equal(3, (stats(v)))

        -- leeway holds on hits too
        local lv = cjwt.verifier({ algorithms = { "HS256" }, leeway = 10, cache = 4 })
        assert.truthy(lv:decode(t, K, NOW))
        assert.truthy(lv:decode(t, K, NOW + 69))
        assert.are.equal("expired", select(2, pcall(lv.decode, lv, t, K, NOW + 70)).code)

        -- max_age and iat in the future
        local mv = cjwt.verifier({ algorithms = { "HS256" }, max_age = 30, cache = 4 })
        local ti = cjwt.encode({ sub = "u1", iat = NOW }, K)
        assert.truthy(mv:decode(ti, K, NOW))
        assert.truthy(mv:decode(ti, K, NOW + 30))
        assert.are.equal("expired", select(2, pcall(mv.decode, mv, ti, K, NOW + 31)).code)
        assert.truthy(mv:decode(ti, K, NOW))
        local _, e = pcall(mv.decode, mv, ti, K, NOW - 10)           -- hit, iat in the future
        assert.are.equal("not_yet_valid", e.code)
        assert.are.equal("The token is not yet valid (iat)", e.message)
    end)

    it("uses the verifier's own now option on hits", function()
        local t = cjwt.encode({ sub = "u1", exp = NOW + 60 }, K)
        local v = cjwt.verifier({ algorithms = { "HS256" }, now = NOW, cache = 2 })
        assert.truthy(v:decode(t, K))
        assert.truthy(v:decode(t, K))
        assert.are.equal("expired", select(2, pcall(v.decode, v, t, K, NOW + 61)).code)
    end)

    it("ties entries to the key set object: a rotated set is verified again", function()
        local A = cjwt.generate_key("ES256", { kid = "a" })
        local B = cjwt.generate_key("ES256", { kid = "b" })
        local t = cjwt.encode({ sub = "u1" }, A, { alg = "ES256" })
        local v = cjwt.verifier({ algorithms = { "ES256" }, cache = 4 })
        local ks1 = cjwt.keyset({ A })
        assert.truthy(v:decode(t, ks1))
        assert.truthy(v:decode(t, ks1))
        assert.are.equal(1, (stats(v)))
        local ks2 = cjwt.keyset({ A, B })          -- a new object, same key a
        assert.truthy(v:decode(t, ks2))
        local hits, misses, evictions, size = stats(v)
        assert.are.same({ 1, 2, 1, 1 }, { hits, misses, evictions, size })
        local ks3 = cjwt.keyset({ B })             -- key a retired
        local ok, err = pcall(v.decode, v, t, ks3)
        assert.is_false(ok)
        assert.are.equal("invalid_key", err.code)
        -- the old set still gets its answer, verified again
        assert.truthy(v:decode(t, ks1))
        -- a key object and a set holding the same key are different objects too
        assert.truthy(v:decode(t, A))
        assert.are.equal(1, (stats(v)))
        assert.truthy(v:decode(t, A))
        assert.are.equal(2, (stats(v)))
    end)

    it("refuses a cached token for another key", function()
        local v = safe.verifier({ algorithms = { "HS256" }, cache = 4 })
        local t = cjwt.encode({ sub = "u1" }, K)
        assert.truthy(v:decode(t, K))
        assert.truthy(v:decode(t, K))
        local other = cjwt.key("another secret of at least 32 bytes!!")
        local claims, _, code = v:decode(t, other)
        assert.is_nil(claims)
        assert.are.equal("bad_signature", code)
    end)

    it("keeps working when the key object is collected or closed while cached", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
        local t
        do
            local k = cjwt.key(SECRET)
            t = cjwt.encode({ sub = "u1" }, k)
            assert.truthy(v:decode(t, k))
        end
        collectgarbage()
        collectgarbage()
        -- the module's key cache would give k2 the same core key: cleared, k2
        -- is parsed anew (never the old key's address: the entry holds it)
        cjwt._key_cache_clear()
        local k2 = cjwt.key(SECRET)
        assert.truthy(v:decode(t, k2))
        assert.are.equal(0, (stats(v)))
        assert.truthy(v:decode(t, k2))
        assert.are.equal(1, (stats(v)))
    end)

    it("calls the denylist on every hit", function()
        local calls, revoked = {}, false
        local v = cjwt.verifier({
            algorithms = { "HS256" }, cache = 4,
            denylist = function(claims)
                calls[#calls + 1] = claims.jti
                return revoked
            end,
        })
        local t = cjwt.encode({ sub = "u1", jti = "id-1" }, K)
        for _ = 1, 3 do
            assert.are.equal("u1", v:decode(t, K).sub)
        end
        assert.are.same({ "id-1", "id-1", "id-1" }, calls)
        assert.are.equal(2, (stats(v)))
        revoked = true
        local ok, err = pcall(v.decode, v, t, K)
        assert.is_false(ok)
        assert.are.equal("revoked", err.code)
        assert.are.equal(3, (stats(v)))                 -- refused on a hit
        -- unknown (nil, err): refused, fail closed
        revoked = nil
        ok, err = pcall(v.decode, v, t, K)
        assert.is_false(ok)
        assert.are.equal("unavailable", err.code)
        -- not revoked again: still cached (revocation does not drop the entry)
        revoked = false
        assert.truthy(v:decode(t, K))
        local hits, misses = stats(v)
        assert.are.same({ 5, 1 }, { hits, misses })
    end)

    it("survives a denylist that verifies with the same verifier and another string key", function()
        local other = "another secret of at least 32 bytes!!"
        local t_other = cjwt.encode({ sub = "inner", jti = "x" }, other)
        local v
        v = cjwt.verifier({
            algorithms = { "HS256" }, cache = 4,
            denylist = function(claims)
                if claims.sub == "outer" then
                    -- replaces the remembered string key while the outer call uses it
                    assert(v:decode(t_other, other).sub == "inner")
                end
                return false
            end,
        })
        local t = cjwt.encode({ sub = "outer", jti = "y" }, SECRET)
        for _ = 1, 3 do
            assert.are.equal("outer", v:decode(t, SECRET).sub)
            collectgarbage()
        end
    end)

    it("is bounded: the least recently used entry goes", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 2 })
        local t1 = cjwt.encode({ n = 1 }, K)
        local t2 = cjwt.encode({ n = 2 }, K)
        local t3 = cjwt.encode({ n = 3 }, K)
        v:decode(t1, K); v:decode(t2, K)
        v:decode(t1, K)                               -- hit: t1 is now the newest
        v:decode(t3, K)                               -- full: t2 goes
        local hits, misses, evictions, size, capacity = stats(v)
        assert.are.same({ 1, 3, 1, 2, 2 }, { hits, misses, evictions, size, capacity })
        assert.are.equal(1, v:decode(t1, K).n)        -- hit
        assert.are.equal(3, v:decode(t3, K).n)        -- hit
        assert.are.equal(3, (stats(v)))
        assert.are.equal(2, v:decode(t2, K).n)        -- miss: it was evicted
        hits, misses, evictions, size = stats(v)
        assert.are.same({ 3, 4, 2, 2 }, { hits, misses, evictions, size })
        for i = 1, 50 do v:decode(cjwt.encode({ n = i }, K), K) end
        hits, misses, evictions, size = stats(v)
        assert.are.equal(2, size)
    end)

    it("cache_clear drops every entry", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
        local t = cjwt.encode({ sub = "u1" }, K)
        v:decode(t, K); v:decode(t, K)
        v:cache_clear()
        local hits, misses, evictions, size = stats(v)
        assert.are.same({ 1, 1, 0, 0 }, { hits, misses, evictions, size })
        v:decode(t, K)
        hits, misses, evictions, size = stats(v)
        assert.are.same({ 1, 2, 0, 1 }, { hits, misses, evictions, size })
    end)

    it("builds a fresh table on each hit: mutating one does not touch the next", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, audience = "a", cache = 4 })
        local t = cjwt.encode({ sub = "u1", aud = { "a", "b" }, nested = { x = 1 } }, K)
        local c1 = v:decode(t, K)
        c1.sub = "mallory"; c1.extra = true; c1.aud[1] = "z"; c1.nested.x = 2
        local c2 = v:decode(t, K)
        assert.are_not.equal(c1, c2)
        assert.are.same({ sub = "u1", aud = { "a", "b" }, nested = { x = 1 } }, c2)
        assert.are.equal(cjwt.array_mt, getmetatable(c2.aud))
        c2.nested.x = 3
        local full = v:decode_complete(t, K)
        full.header.alg = "none"
        assert.are.equal("HS256", v:decode_complete(t, K).header.alg)
        assert.are.equal(1, v:decode(t, K).nested.x)
        assert.are.equal(4, (stats(v)))
    end)

    it("remembers the last string key, compared by contents", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
        local t = cjwt.encode({ sub = "u1" }, SECRET)
        assert.truthy(v:decode(t, SECRET))
        -- an equal string built at run time (a distinct long string on Lua 5.4)
        local copy = table.concat({ SECRET:sub(1, 10), SECRET:sub(11) })
        assert.truthy(v:decode(t, copy))
        assert.are.equal(1, (stats(v)))
        -- a string that is no key: refused, the remembered one is kept
        local bad_pem = "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n"
        local ok, err = pcall(v.decode, v, t, bad_pem)
        assert.is_false(ok)
        assert.are.equal("invalid_key", err.code)
        assert.truthy(v:decode(t, SECRET))
        assert.are.equal(2, (stats(v)))
        -- a short secret is a key (refused when used): it replaces the
        -- remembered one, and a lookup with another key drops the entry
        ok, err = pcall(v.decode, v, t, "short")
        assert.is_false(ok)
        assert.are.equal("invalid_key", err.code)
        local hits, misses, evictions, size = stats(v)
        assert.are.same({ 2, 2, 1, 0 }, { hits, misses, evictions, size })
        assert.truthy(v:decode(t, SECRET))
        assert.truthy(v:decode(t, SECRET))
        assert.are.equal(3, (stats(v)))
        -- another string: a new key object, so the entry is verified again
        local other = "another secret of at least 32 bytes!!"
        assert.are.equal("bad_signature", select(2, pcall(v.decode, v, t, other)).code)
        assert.truthy(v:decode(t, SECRET))
        hits, misses = stats(v)
        assert.are.same({ 3, 5 }, { hits, misses })
        -- a PEM string
        local ES = cjwt.generate_key("ES256")
        local te = cjwt.encode({ sub = "e" }, ES, { alg = "ES256" })
        local ev = safe.verifier({ algorithms = { "ES256" }, cache = 4 })
        local pem = ES:to_pem()
        assert.truthy(ev:decode(te, pem))
        assert.truthy(ev:decode(te, pem))
        assert.are.equal(1, ev:cache_stats().hits)
        -- a JWK table is a new key every call: never a hit
        local jwk = ES:to_jwk()
        assert.truthy(ev:decode(te, jwk))
        assert.truthy(ev:decode(te, jwk))
        assert.are.equal(1, ev:cache_stats().hits)
    end)

    it("works from cjwt.safe: hits and refusals as nil, message, code", function()
        local v = safe.verifier({ algorithms = { "HS256" }, audience = "api", cache = 4 })
        local t = cjwt.encode({ sub = "u1", aud = "api", exp = NOW + 10 }, K)
        assert.are.equal("u1", v:decode(t, K, NOW).sub)
        assert.are.equal("u1", v:decode(t, K, NOW).sub)
        local claims, msg, code = v:decode(t, K, NOW + 10)
        assert.is_nil(claims)
        assert.are.equal("expired", code)
        assert.is_string(msg)
        assert.are.equal(2, v:cache_stats().hits)
    end)

    it("raises misuse errors for bad cache values (cjwt and cjwt.safe)", function()
        for _, mod in ipairs({ cjwt, safe }) do
            for _, bad in ipairs({ -1, 1.5, "8", true, 0 / 0, math.huge }) do
                local ok, err = pcall(mod.verifier, { algorithms = { "HS256" }, cache = bad })
                assert.is_false(ok, tostring(bad))
                assert.is_string(err)
                assert.matches("option 'cache'", err)
            end
            local ok, err = pcall(mod.verifier, { algorithms = { "HS256" }, cache = 2 ^ 22 + 1 })
            assert.is_false(ok)
            assert.matches("at most 4194304", err)
            assert.truthy(mod.verifier({ algorithms = { "HS256" }, cache = 2 ^ 22 }))
            ok, err = pcall(mod.verifier, { algorithms = { "HS256" }, verify_signature = false,
                                            cache = 1 })
            assert.is_false(ok)
            assert.matches("needs the signature check", err)
            -- without a cache, verify_signature = false stays allowed
            assert.truthy(mod.verifier({ verify_signature = false, cache = 0 }))
            -- cache is a verifier option, not a per-call one
            ok, err = pcall(mod.decode, cjwt.encode({}, K), K, { algorithms = { "HS256" }, cache = 4 })
            assert.is_false(ok)
            assert.matches("only for cjwt.verifier", err)
        end
    end)

    it("a closed verifier refuses its cache methods", function()
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
        local t = cjwt.encode({ sub = "u1" }, K)
        v:decode(t, K)
        local gc = getmetatable(v)       -- protected: a string, not the metatable
        assert.are.equal("string", type(gc))
        if _VERSION == "Lua 5.4" then
            local close = assert(load([[
                local cjwt, K, t = ...
                local v <close> = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
                v:decode(t, K); v:decode(t, K)
                return v
            ]]))
            local closed = close(cjwt, K, t)
            assert.are.equal("cjwt.verifier (closed)", tostring(closed))
            assert.has_error(function() closed:cache_stats() end)
            assert.has_error(function() closed:cache_clear() end)
            assert.has_error(function() closed:decode(t, K) end)
        end
    end)
end)

-- cjwt.gateway's configuration outside nginx (its requests: tests/nginx).
describe("cjwt.gateway cache option", function()
    local gateway = require "cjwt.gateway"
    local K = cjwt.generate_key("ES256", { kid = "g" })

    it("is off by default and given to the verifying verifier only", function()
        local gw = gateway.new({ key = K, algorithms = { "ES256" } })
        assert.is_nil(gateway.cache_stats(gw))
        gw = gateway.new({ key = K, algorithms = { "ES256" }, cache = 32 })
        assert.are.equal(32, gateway.cache_stats(gw).capacity)
        assert.is_nil(gw.verifier:cache_stats())
        local t = cjwt.encode({ sub = "u" }, K, { alg = "ES256" })
        assert.truthy(gw.check:decode(t, gw.key))
        assert.truthy(gw.check:decode(t, gw.key))
        assert.are.equal(1, gateway.cache_stats(gw).hits)
        gateway.configure("cache_spec", { key = K, algorithms = { "ES256" }, cache = 2 })
        assert.are.equal(2, gateway.cache_stats("cache_spec").capacity)
        gateway.configured.cache_spec = nil
    end)

    it("refuses a bad cache value at configuration time", function()
        for _, bad in ipairs({ -1, 2.5, "8", true, 0 / 0, math.huge }) do
            local ok, err = pcall(gateway.new, { key = K, algorithms = { "ES256" }, cache = bad })
            assert.is_false(ok, tostring(bad))
            assert.matches("'cache' must be an integer >= 0", err)
        end
        local ok, err = pcall(gateway.new, { key = K, algorithms = { "ES256" }, cache = 2 ^ 23 })
        assert.is_false(ok)
        assert.matches("at most 4194304", err)
    end)
end)

-- A denylist function can reach objects the running call uses: a key object
-- or the verifier itself may be closed (a <close> variable of another
-- coroutine, Lua 5.4) while the core still needs them. The call holds its own
-- references; a verifier closed from inside its own call is freed after it.
if _VERSION == "Lua 5.4" then
    describe("objects closed from inside a verifier's denylist", function()
        local SECRET = "a secret of at least 32 bytes for HS256!"

        it("keeps the key of the running call, and never serves it to another key", function()
            local run = assert(load([[
                local cjwt, SECRET = ...
                local co = coroutine.create(function()
                    local k <close> = cjwt.key(SECRET, { format = "secret" })
                    coroutine.yield(k)
                end)
                local _, k = coroutine.resume(co)
                local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4, denylist = function()
                    if co then coroutine.close(co); co = nil; collectgarbage() end
                    return false
                end })
                local t = cjwt.encode({ sub = "u1", jti = "j" }, SECRET)
                local claims = v:decode(t, k)
                local others = {}
                for i = 1, 20 do
                    others[i] = cjwt.key(string.rep(string.char(65 + i), 32), { format = "secret" })
                    assert(not pcall(v.decode, v, t, others[i]))
                end
                return claims, v:cache_stats()
            ]]))
            local claims, stats = run(cjwt, SECRET)
            assert.are.equal("u1", claims.sub)
            assert.are.equal(0, stats.hits)
        end)

        it("frees a verifier closed by its own denylist after the call", function()
            local run = assert(load([[
                local cjwt, SECRET = ...
                local co
                co = coroutine.create(function()
                    local v <close> = cjwt.verifier({ algorithms = { "HS256" }, cache = 4,
                        denylist = function()
                            if co then local c = co; co = nil; assert(coroutine.close(c)) end
                            return false
                        end })
                    coroutine.yield(v)
                end)
                local _, v = coroutine.resume(co)
                local t = cjwt.encode({ sub = "u1", jti = "j" }, SECRET)
                local claims = v:decode(t, SECRET)
                return claims, pcall(v.decode, v, t, SECRET)
            ]]))
            local claims, ok, err = run(cjwt, SECRET)
            assert.are.equal("u1", claims.sub)
            assert.is_false(ok)
            assert.matches("verifier has been closed", tostring(err))
        end)
    end)
end

describe("a JWK table nested deeper than the verify paths reserve", function()
    it("converts in a fresh coroutine on both interpreters", function()
        local deep = {}
        local cur = deep
        for _ = 1, 50 do cur.a = {}; cur = cur.a end
        local jwk = { kty = "oct", k = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s", x = deep }
        local t = cjwt.encode({ sub = "u1" }, jwk, { alg = "HS256" })
        local v = cjwt.verifier({ algorithms = { "HS256" }, cache = 4 })
        local a, b = coroutine.wrap(function()
            return cjwt.decode(t, jwk, { algorithms = { "HS256" } }).sub, v:decode(t, jwk).sub
        end)()
        assert.are.same({ "u1", "u1" }, { a, b })
    end)
end)
