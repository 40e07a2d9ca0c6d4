-- decode's options table is read again on every call, but a table seen on
-- the previous call with the same raw contents reuses what was read
-- (luaext/options.c, the options cache). Every change to the table or to
-- its lists must be seen on the next call, as if nothing were kept.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local NOW = 1700000000
local SECRET = string.rep("k", 32)
local KEY = cjwt.key(SECRET, { format = "secret" })
local ES = cjwt.generate_key("ES256")

local function tok(claims, key, alg)
    return cjwt.encode(claims, key or KEY, { alg = alg or "HS256", now = NOW })
end

local T = tok({ sub = "u", aud = "api", iss = "me", exp = NOW + 60, role = "r", jti = "j1" })

local function code(f, ...)
    local ok, err = pcall(f, ...)
    assert.is_false(ok, "expected a failure")
    return err.code or tostring(err)
end

describe("decode's options table, read again after each change", function()
    it("sees changed values, added and removed options", function()
        local opts = { algorithms = { "HS256" }, audience = "api", issuer = "me", now = NOW }
        for _ = 1, 3 do assert.are.equal("u", cjwt.decode(T, KEY, opts).sub) end
        opts.audience = "other"
        assert.are.equal("invalid_audience", code(cjwt.decode, T, KEY, opts))
        assert.are.equal("invalid_audience", code(cjwt.decode, T, KEY, opts))
        opts.audience = "api"
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.issuer = nil
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.subject = "someone"
        assert.are.equal("invalid_subject", code(cjwt.decode, T, KEY, opts))
        opts.subject = nil
        opts.now = NOW + 120                          -- expired now
        assert.are.equal("expired", code(cjwt.decode, T, KEY, opts))
        opts.now = NOW + 0.5                          -- a float (Lua 5.4: another subtype)
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.leeway = 200
        opts.now = NOW + 120
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.isuer = "me"                             -- misspelt: always raises
        assert.has_error(function() cjwt.decode(T, KEY, opts) end)
        assert.has_error(function() cjwt.decode(T, KEY, opts) end)
        opts.isuer = nil
        opts.verify_exp = false
        opts.leeway = nil
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.verify_exp = true
        assert.are.equal("expired", code(cjwt.decode, T, KEY, opts))
        opts.verify_exp = 1                           -- the wrong type raises each time
        assert.has_error(function() cjwt.decode(T, KEY, opts) end)
        assert.has_error(function() cjwt.decode(T, KEY, opts) end)
    end)

    it("sees changes inside its lists", function()
        local algs = { "HS256" }
        local opts = { algorithms = algs, audience = { "x", "api" }, now = NOW }
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        algs[1] = "ES256"
        assert.are.equal("alg_not_allowed", code(cjwt.decode, T, KEY, opts))
        algs[2] = "HS256"
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        algs[2] = nil
        assert.are.equal("alg_not_allowed", code(cjwt.decode, T, KEY, opts))
        algs[1] = "HS256"
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        algs.extra = "HS256"                          -- not a list any more: raises
        assert.has_error(function() cjwt.decode(T, KEY, opts) end)
        assert.has_error(function() cjwt.decode(T, KEY, opts) end)
        algs.extra = nil
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.audience[2] = "nope"
        assert.are.equal("invalid_audience", code(cjwt.decode, T, KEY, opts))
        opts.audience[2] = "api"
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.algorithms = { "HS256", "NOPE" }         -- an unknown name: an error result
        assert.are.equal("unsupported_alg", code(cjwt.decode, T, KEY, opts))
        assert.are.equal("unsupported_alg", code(cjwt.decode, T, KEY, opts))
        opts.algorithms = { "ES256" }
        assert.are.equal("u", cjwt.decode(tok({ sub = "u", aud = "api" }, ES, "ES256"), ES, opts).sub)
        assert.are.equal("alg_not_allowed", code(cjwt.decode, T, KEY, opts))
    end)

    -- The cache keeps an option's name by the string's address; a light
    -- userdata key at that same address is not that name (it is no option
    -- name at all) and must be refused as on a first read.
    it("does not take a light userdata key for the name at its address", function()
        local ok, helper = pcall(require, "cjwt_testhelper")
        if not ok then return pending("cjwt_testhelper not built (make test-lua builds it)") end
        local function order(t)
            local keys = {}
            for k in pairs(t) do keys[#keys + 1] = type(k) == "string" and k or "?" end
            return keys
        end
        local T0 = tok({ sub = "u" })                     -- no claim needs an option
        local values = { leeway = 5, typ = "JWT", verify_exp = true, max_token_len = 4096 }
        local exercised = 0
        for _, name in ipairs({ "leeway", "typ", "verify_exp", "max_token_len" }) do
            -- where a key lands in the table's walk depends on its hash (the
            -- light userdata's: its address): tried until it took the name's place
            for _ = 1, 20 do
                local opts = { algorithms = { "HS256" }, [name] = values[name] }
                for _ = 1, 3 do assert.are.equal("u", cjwt.decode(T0, KEY, opts).sub) end
                local before = order(opts)
                opts[name] = nil
                opts[helper.address_of(name)] = values[name]
                local after = order(opts)
                for i, k in ipairs(before) do
                    if k == name then after[i] = name end
                end
                for _, f in ipairs({ cjwt.decode, safe.decode }) do
                    local okd, err = pcall(f, T0, KEY, opts)
                    assert.is_false(okd, name)
                    assert.truthy(tostring(err):find("option names must be strings", 1, true),
                                  tostring(err))
                end
                if table.concat(before, ",") == table.concat(after, ",") then
                    exercised = exercised + 1
                    break
                end
            end
        end
        assert.is_true(exercised > 0, "no table put the light userdata where the name was")
    end)

    it("gives each table and each function its own answer", function()
        local a = { algorithms = { "HS256" }, audience = "api", now = NOW }
        local b = { algorithms = { "HS256" }, audience = "nope", now = NOW }
        for _ = 1, 3 do
            assert.are.equal("u", cjwt.decode(T, KEY, a).sub)
            assert.are.equal("invalid_audience", code(cjwt.decode, T, KEY, b))
            assert.are.equal("u", cjwt.decode_complete(T, KEY, a).payload.sub)
            assert.are.equal("string", type(cjwt.jws_decode(T, KEY, a)))
            assert.is_nil((safe.decode(T, KEY, b)))
        end
    end)

    it("calls the denylist every time", function()
        local calls = 0
        local opts = { algorithms = { "HS256" }, audience = "api", now = NOW,
                       denylist = function() calls = calls + 1; return calls % 2 == 0 end }
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        assert.are.equal("revoked", code(cjwt.decode, T, KEY, opts))
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        opts.denylist = nil
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
        assert.are.equal(3, calls)
    end)

    it("keeps nothing alive that the caller dropped, and reads a new table alike", function()
        for i = 1, 200 do
            local aud = "api" .. (i % 3 == 0 and "" or tostring(i))
            local opts = { algorithms = { "HS256" }, audience = aud, now = NOW }
            if i % 3 == 0 then
                assert.are.equal("u", cjwt.decode(T, KEY, opts).sub)
            else
                assert.are.equal("invalid_audience", code(cjwt.decode, T, KEY, opts))
            end
            if i % 50 == 0 then collectgarbage() end
        end
    end)

    it("keeps its answers when finalizers decode with other options meanwhile", function()
        local other = { algorithms = { "HS256" }, audience = "nope", now = NOW }
        local nested = 0
        local function finalizer()
            nested = nested + 1
            assert(not safe.decode(T, SECRET, other))   -- stores other options
        end
        local function garbage()
            if newproxy then                              -- LuaJIT: __gc on userdata only
                local p = newproxy(true)
                getmetatable(p).__gc = finalizer
            else
                setmetatable({}, { __gc = finalizer })
            end
        end
        local opts = { algorithms = { "HS256" }, audience = "api", now = NOW }
        for i = 1, 300 do
            for _ = 1, 20 do garbage() end
            if i % 7 == 0 then collectgarbage("step") end
            -- a string key: the call may allocate (and so finalize) after its options are read
            assert.are.equal("u", cjwt.decode(T, SECRET, opts).sub)
            assert.are.equal("invalid_audience", code(cjwt.decode, T, SECRET, other))
        end
        collectgarbage()
        assert.is_true(nested > 0)
    end)
end)
