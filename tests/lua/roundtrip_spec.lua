-- Sign-then-verify round trips, value conversion both ways, expires_in.
local cjwt = require "cjwt"

local NOW = 1700000000
local SECRETS = {
    HS256 = string.rep("a", 32),
    HS384 = string.rep("b", 48),
    HS512 = string.rep("c", 64),
}
local IS_54 = math.type ~= nil

describe("round trip", function()
    for _, alg in ipairs({ "HS256", "HS384", "HS512" }) do
        it(alg .. " with a string secret, a key object and a JWK", function()
            local secret = SECRETS[alg]
            local payload = { sub = "user-1", iat = NOW, exp = NOW + 60 }
            local token = cjwt.encode(payload, secret, { alg = alg, now = NOW })
            local opts = { algorithms = { alg }, now = NOW }
            assert.are.same(payload, cjwt.decode(token, secret, opts))
            assert.are.same(payload, cjwt.decode(token, cjwt.key(secret), opts))
            local header = cjwt.get_unverified_header(token)
            assert.are.equal(alg, header.alg)
            assert.are.equal("JWT", header.typ)
        end)
    end

    it("uses HS256 when no alg is given", function()
        local token = cjwt.encode({ a = 1 }, SECRETS.HS256)
        assert.are.equal("HS256", cjwt.get_unverified_header(token).alg)
    end)

    it("puts extra header members in, and a null typ removes typ", function()
        local token = cjwt.encode({ a = 1 }, SECRETS.HS256,
            { header = { kid = "k1", typ = "at+jwt" } })
        local h = cjwt.get_unverified_header(token)
        assert.are.same({ alg = "HS256", kid = "k1", typ = "at+jwt" }, h)
        token = cjwt.encode({ a = 1 }, SECRETS.HS256, { header = { typ = cjwt.null } })
        assert.are.same({ alg = "HS256" }, cjwt.get_unverified_header(token))
    end)

    it("decode_complete gives header, payload and the raw signature", function()
        local token = cjwt.encode({ a = 1 }, SECRETS.HS512, { alg = "HS512", header = { kid = "x" } })
        local full = cjwt.decode_complete(token, SECRETS.HS512, { algorithms = { "HS512" }, now = NOW })
        assert.are.same({ a = 1 }, full.payload)
        assert.are.same({ alg = "HS512", typ = "JWT", kid = "x" }, full.header)
        assert.are.equal(64, #full.signature)
    end)
end)

describe("expires_in", function()
    local rows = {
        { 900, 900 }, { "900", 900 }, { "30s", 30 }, { "15m", 900 },
        { "1h", 3600 }, { "7d", 604800 }, { "2w", 1209600 },
    }
    for _, row in ipairs(rows) do
        it("accepts " .. tostring(row[1]), function()
            local token = cjwt.encode({ sub = "u" }, SECRETS.HS256, { expires_in = row[1], now = NOW })
            local claims = cjwt.decode(token, SECRETS.HS256, { algorithms = { "HS256" }, now = NOW })
            assert.are.equal(NOW, claims.iat)
            assert.are.equal(NOW + row[2], claims.exp)
        end)
    end

    it("gives a token that expires", function()
        local token = cjwt.encode({}, SECRETS.HS256, { expires_in = "15m", now = NOW })
        local ok, err = pcall(cjwt.decode, token, SECRETS.HS256,
            { algorithms = { "HS256" }, now = NOW + 901 })
        assert.is_false(ok)
        assert.are.equal("expired", err.code)
    end)
end)

describe("JSON values", function()
    local opts = { algorithms = { "HS256" }, now = NOW }
    local function roundtrip(payload)
        return cjwt.decode(cjwt.encode(payload, SECRETS.HS256, { now = NOW }), SECRETS.HS256, opts)
    end

    it("keeps strings, booleans, numbers, nested tables and unicode", function()
        local payload = {
            s = "héllo ✓ 😀", t = true, f = false, i = 42, neg = -7, r = 1.5,
            big = 9007199254740992, list = { 1, "two", { three = 3 } },
            obj = { nested = { deeper = { "x" } } },
        }
        assert.are.same(payload, roundtrip(payload))
    end)

    it("maps cjwt.null to JSON null and back", function()
        local claims = roundtrip({ gone = cjwt.null, list = { 1, cjwt.null, 3 } })
        assert.are.equal(cjwt.null, claims.gone)
        assert.are.equal(cjwt.null, claims.list[2])
        assert.are.equal(3, #claims.list)
    end)

    it("cjwt.null is the same value as cjson.null", function()
        assert.are.equal(require("cjson").null, cjwt.null)
    end)

    it("encodes an empty table as {}, cjwt.empty_array and array_mt tables as []", function()
        local token = cjwt.jws_encode("x", SECRETS.HS256)  -- warm-up: the JWS path works
        assert.is_string(token)
        token = cjwt.encode({ o = {}, e = cjwt.empty_array, m = setmetatable({}, cjwt.array_mt),
                              l = setmetatable({ 1, 2 }, cjwt.array_mt) }, SECRETS.HS256)
        local json = cjwt.jws_decode(token, SECRETS.HS256, { algorithms = { "HS256" } })
        assert.truthy(json:find('"o":{}', 1, true))
        assert.truthy(json:find('"e":[]', 1, true))
        assert.truthy(json:find('"m":[]', 1, true))
        assert.truthy(json:find('"l":[1,2]', 1, true))
    end)

    it("decodes arrays with cjwt.array_mt, so [] survives a round trip", function()
        local claims = roundtrip({ e = cjwt.empty_array, l = { 1 } })
        assert.are.equal(cjwt.array_mt, getmetatable(claims.e))
        assert.are.equal(cjwt.array_mt, getmetatable(claims.l))
        local again = cjwt.jws_decode(cjwt.encode(claims, SECRETS.HS256), SECRETS.HS256,
                                      { algorithms = { "HS256" } })
        assert.truthy(again:find('"e":[]', 1, true))
    end)

    it("maps numbers per interpreter", function()
        local claims = roundtrip({ i = 3, r = 2.5, whole = 2.0 })
        assert.are.equal(3, claims.i)
        assert.are.equal(2.5, claims.r)
        assert.are.equal(2, claims.whole)
        if IS_54 then
            assert.are.equal("integer", math.type(claims.i))
            assert.are.equal("float", math.type(claims.r))
            -- Lua 5.4 keeps the float subtype: 2.0 is a JSON real.
            assert.are.equal("float", math.type(claims.whole))
        end
    end)

    it("LuaJIT: integral numbers are JSON integers, others reals", function()
        local json = cjwt.jws_decode(cjwt.encode({ a = 2.0, b = 2.5 }, SECRETS.HS256),
                                     SECRETS.HS256, { algorithms = { "HS256" } })
        if IS_54 then
            assert.truthy(json:find('"a":2.0', 1, true))
        else
            assert.truthy(json:find('"a":2[,}]'))
        end
        assert.truthy(json:find('"b":2.5', 1, true))
    end)
end)
