-- The claims table of decode / v:decode: member names are remembered from one
-- token to the next (luaext/convert.c, lcjwt_push_claims) and must never leak
-- into a token that has other names, another order, more members than are
-- remembered, or names too long to be remembered. And the key argument's
-- type check (the module's metatables, compared without a registry lookup).
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local SECRET = string.rep("k", 32)
local KEY = cjwt.key(SECRET, { format = "secret" })

-- A token whose payload is exactly `json` (member order as written).
local function token(json)
    return cjwt.jws_encode(json, KEY, { alg = "HS256" })
end

local function obj(pairs_)
    local parts = {}
    for i, p in ipairs(pairs_) do
        parts[i] = string.format("%q:%s", p[1], p[2])
    end
    return "{" .. table.concat(parts, ",") .. "}"
end

local function count(t)
    local n = 0
    for _ in pairs(t) do n = n + 1 end
    return n
end

describe("claims tables, names remembered between tokens", function()
    local opts = { algorithms = { "HS256" } }
    local v = cjwt.verifier(opts)

    local cases = {
        { { "sub", '"a"' }, { "iss", '"b"' }, { "n", "1" } },
        { { "sub", '"c"' }, { "iss", '"d"' }, { "n", "2" } },                    -- same names
        { { "iss", '"e"' }, { "sub", '"f"' } },                                  -- other order
        { { "sub", '"g"' }, { "xyz", "[1,2]" }, { "n", "3" }, { "m", "{}" } },   -- one differs
        { { "sub", '"h"' } },                                                    -- fewer
        {},                                                                      -- none
        { { "s\xc3\xa9", '"\xc3\xa9"' }, { "sub", '"x"' } },                    -- UTF-8 name
    }
    -- more members than are remembered (24), and names longer than their room (256 bytes)
    local many, long = {}, {}
    for i = 1, 40 do many[i] = { "m" .. i, tostring(i) } end
    for i = 1, 6 do long[i] = { string.rep(string.char(96 + i), 90), tostring(i) } end
    cases[#cases + 1] = many
    cases[#cases + 1] = long
    cases[#cases + 1] = many
    cases[#cases + 1] = cases[1]

    for _, f in ipairs({
        { "cjwt.decode", function(t) return cjwt.decode(t, KEY, opts) end },
        { "v:decode", function(t) return v:decode(t, KEY) end },
        { "safe.decode", function(t) return assert(safe.decode(t, KEY, opts)) end },
    }) do
        it("gives each token its own names through " .. f[1], function()
            for round = 1, 3 do
                for i, c in ipairs(cases) do
                    local want = cjwt.decode_complete(token(obj(c)), KEY, opts).payload
                    local got = f[2](token(obj(c)))
                    assert.are.same(want, got, "round " .. round .. ", case " .. i)
                    assert.are.equal(#c, count(got))
                    for _, p in ipairs(c) do
                        assert.is_not_nil(got[p[1]], p[1])
                    end
                end
            end
        end)
    end

    it("keeps the names of nested objects and of the header out of it", function()
        local t = token('{"sub":"a","o":{"sub":1,"x":2},"l":[{"o":3}]}')
        local c = cjwt.decode(t, KEY, opts)
        assert.are.same({ sub = "a", o = { sub = 1, x = 2 }, l = { { o = 3 } } }, c)
        local full = cjwt.decode_complete(t, KEY, opts)
        assert.are.same({ alg = "HS256" }, full.header)
        assert.are.same(c, cjwt.decode(t, KEY, opts))
    end)

    it("returns a new table each time", function()
        local t = token('{"sub":"a"}')
        local a, b = cjwt.decode(t, KEY, opts), cjwt.decode(t, KEY, opts)
        assert.are_not.equal(a, b)
        a.sub = "changed"
        assert.are.equal("a", cjwt.decode(t, KEY, opts).sub)
    end)
end)

describe("the key argument of the verify paths", function()
    local t = cjwt.encode({ sub = "u" }, KEY, { alg = "HS256" })
    local opts = { algorithms = { "HS256" } }

    it("takes key objects, key sets, strings and JWK tables", function()
        assert.are.equal("u", cjwt.decode(t, KEY, opts).sub)
        assert.are.equal("u", cjwt.decode(t, cjwt.keyset({ KEY }), opts).sub)
        assert.are.equal("u", cjwt.decode(t, SECRET, opts).sub)
        assert.are.equal("u", cjwt.verifier(opts):decode(t, cjwt.keyset({ KEY })).sub)
    end)

    it("refuses other userdata", function()
        assert.has_error(function() cjwt.decode(t, io.stdout, opts) end)
        assert.has_error(function() cjwt.decode(t, cjwt.verifier(opts), opts) end)
        assert.has_error(function() cjwt.verifier(opts):decode(t, io.stdout) end)
    end)

    it("refuses closed keys and key sets (Lua 5.4's <close>)", function()
        if jit then return end
        local k, ks = load([[
            local cjwt, S = ...
            local k <close> = cjwt.key(S, { format = "secret" })
            local ks <close> = cjwt.keyset({ cjwt.key(S, { format = "secret" }) })
            return k, ks
        ]])(cjwt, SECRET)
        for _, key in ipairs({ k, ks }) do
            local ok, err = pcall(cjwt.decode, t, key, opts)
            assert.is_false(ok)
            assert.truthy(tostring(err):find("has been closed", 1, true), tostring(err))
        end
    end)
end)

-- String values (members and array items) are kept by their position in the
-- payload's item layout (luaext/convert.c, push_kept) and reused only when
-- their bytes are the same: a token must never get another token's value.
describe("claim values kept between tokens", function()
    local opts = { algorithms = { "HS256" } }
    local v = cjwt.verifier(opts)
    local decoders = {
        { "cjwt.decode", function(t) return cjwt.decode(t, KEY, opts) end },
        { "v:decode", function(t) return v:decode(t, KEY) end },
        { "safe.decode", function(t) return assert(safe.decode(t, KEY, opts)) end },
    }
    -- the reference: decode_complete's payload is made without kept values
    local function want(t) return cjwt.decode_complete(t, KEY, opts).payload end

    local long = string.rep("L", 47)
    local values = {
        '"a"', '"b"', '"ab"', '"ba"', '""', '"a"', '"\\u00e9t\\u00e9"', '"été"',
        '"' .. long .. '"', '"' .. long .. 'x"', '"' .. long .. 'xy"', '"' .. long .. 'x"',
        "1", '"1"', "true", "null", "[]", '["a"]', '{}', '"a"',
    }

    for _, f in ipairs(decoders) do
        it("gives each token its own values through " .. f[1], function()
            for round = 1, 2 do
                for i, val in ipairs(values) do
                    for _, json in ipairs({
                        '{"who":' .. val .. ',"iss":"x"}',
                        '{"iss":"x","who":' .. val .. '}',
                        '{"p":["r",' .. val .. ',"w"],"who":' .. val .. '}',
                        '{"o":{"a":' .. val .. ',"b":[' .. val .. ']},"who":' .. val .. '}',
                    }) do
                        local t = token(json)
                        assert.are.same(want(t), f[2](t), "round " .. round .. ", " .. i .. ": " .. json)
                    end
                end
            end
        end)
    end

    it("tells apart values (and names) that differ in any one byte", function()
        for len = 1, 50 do
            local same = string.rep("a", len)
            local base = token(string.format('{"%s":"%s","p":["%s"]}', same, same, same))
            for pos = 1, len do
                local other = same:sub(1, pos - 1) .. "b" .. same:sub(pos + 1)
                local t = token(string.format('{"%s":"%s","p":["%s"]}', other, other, other))
                local f = decoders[pos % 3 + 1][2]
                assert.are.same({ [same] = same, p = { same } }, f(base), len .. "/" .. pos)
                assert.are.same({ [other] = other, p = { other } }, f(t), len .. "/" .. pos)
            end
        end
    end)

    it("is the same for many distinct tokens, with collections in between", function()
        local rng = 12345
        local function rand(n)
            rng = (rng * 1103515245 + 12345) % 2147483648
            return rng % n
        end
        local pool = { '"a"', '"b"', '"aa"', '"user-1"', '"user-2"', '""', '"é"', "7", "[]" }
        local function value(depth)
            local r = rand(depth > 1 and 9 or 12)
            if r < 9 then return pool[r + 1] end
            if r == 9 then return '"' .. string.rep("v", rand(60)) .. '"' end
            local parts = {}
            for j = 1, rand(4) do
                parts[j] = r == 10 and value(depth + 1)
                           or string.format("%q:%s", "k" .. rand(5) .. "_" .. j, value(depth + 1))
            end
            return (r == 10 and "[" or "{") .. table.concat(parts, ",") .. (r == 10 and "]" or "}")
        end
        local kept = {}
        for i = 1, 600 do
            local parts = {}
            for j = 1, rand(12) do parts[j] = string.format("%q:%s", "c" .. j, value(0)) end
            local t = token("{" .. table.concat(parts, ",") .. "}")
            local f = decoders[i % 3 + 1][2]
            local got = f(t)
            assert.are.same(want(t), got, "token " .. i)
            kept[#kept + 1] = { t, got }
            if i % 50 == 0 then
                collectgarbage("collect")
                for _, k in ipairs(kept) do
                    assert.are.same(want(k[1]), k[2])        -- earlier results unchanged
                end
                kept = {}
            end
        end
    end)

    it("survives collections between calls (the kept strings stay anchored)", function()
        local t1 = token('{"sub":"user-1","role":"admin","p":["orders:read","orders:write"]}')
        local t2 = token('{"sub":"user-2","role":"admin","p":["orders:read","payments:read"]}')
        for i = 1, 20 do
            local a = v:decode(i % 2 == 0 and t1 or t2, KEY)
            collectgarbage("collect")
            collectgarbage("collect")
            local b = cjwt.decode(i % 2 == 0 and t1 or t2, KEY, opts)
            assert.are.same(a, b)
            assert.are.equal(i % 2 == 0 and "user-1" or "user-2", b.sub)
            assert.are.equal(i % 2 == 0 and "orders:write" or "payments:read", b.p[2])
            assert.are.equal("admin", b.role)
        end
    end)
end)
