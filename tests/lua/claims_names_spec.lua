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
