-- The denylist option (issue 6): cjwt.decode / decode_complete / verifier with
-- denylist = function(claims) ... end, run by the core's revocation hook after
-- the signature and every claim hold. Answers: true = revoked, false = not,
-- nil, err = unknown (refused, fail closed); an error in the function refuses too.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local NOW = 1900000000
local KEY = cjwt.generate_key("ES256", { kid = "auth-1" })
local ISS, AUD = "https://auth.example.com", "api.example.com"

local code_of = dofile("tests/lua/speclib.lua").code_of

local function issue(extra, typ)
    local c = { iss = ISS, sub = "user-1", aud = AUD, iat = NOW, exp = NOW + 900,
                jti = "jti-" .. tostring(math.random(1, 1e9)), fid = "fam-1" }
    for k, v in pairs(extra or {}) do c[k] = v end
    return cjwt.encode(c, KEY, { alg = "ES256", header = { typ = typ or "at+jwt" } }), c
end

local function opts(denylist, extra)
    local o = { algorithms = { "ES256" }, audience = AUD, issuer = ISS, typ = "at+jwt", now = NOW,
                denylist = denylist }
    for k, v in pairs(extra or {}) do o[k] = v end
    return o
end

describe("denylist", function()
    it("is asked about the verified claims and answers revoked or not", function()
        local token, c = issue()
        local seen = {}
        local function deny(claims)
            seen[#seen + 1] = claims
            return false
        end
        assert.are.equal("user-1", cjwt.decode(token, KEY, opts(deny)).sub)
        assert.are.equal(1, #seen)
        assert.are.equal(c.jti, seen[1].jti)
        assert.are.equal("fam-1", seen[1].fid)
        assert.are.equal(AUD, seen[1].aud)

        local code, msg = code_of(cjwt.decode, token, KEY, opts(function() return true end))
        assert.are.equal("revoked", code)
        assert.are.equal("Token has been revoked", msg)
        local full = cjwt.decode_complete(token, KEY, opts(function() return false end))
        assert.are.equal("at+jwt", full.header.typ)
    end)

    it("refuses the token when the denylist cannot answer (fail closed)", function()
        local token = issue()
        local code, msg = code_of(cjwt.decode, token, KEY,
                                  opts(function() return nil, "redis: connection refused" end))
        assert.are.equal("unavailable", code)
        assert.truthy(msg:find("redis: connection refused", 1, true), msg)
        code, msg = code_of(cjwt.decode, token, KEY, opts(function() error("boom") end))
        assert.are.equal("unavailable", code)
        assert.truthy(msg:find("boom", 1, true), msg)
        code, msg = code_of(cjwt.decode, token, KEY, opts(function() error({}) end))
        assert.are.equal("unavailable", code)
        assert.truthy(msg:find("table", 1, true), msg)
        code, msg = code_of(cjwt.decode, token, KEY, opts(function() return 1 end))
        assert.are.equal("internal", code)
        assert.truthy(msg:find("true, false or nil", 1, true), msg)
        code = code_of(cjwt.decode, token, KEY, opts(function() end))    -- no answer at all
        assert.are.equal("unavailable", code)
    end)

    it("is not asked before the signature, typ and claims hold", function()
        local calls = 0
        local function deny() calls = calls + 1; return false end
        local token = issue()
        local other = cjwt.generate_key("ES256", { kid = "auth-1" })
        assert.are.equal("bad_signature", (code_of(cjwt.decode, token, other:to_jwk(), opts(deny))))
        assert.are.equal("expired", (code_of(cjwt.decode, token, KEY, opts(deny, { now = NOW + 900 }))))
        assert.are.equal("invalid_audience",
                         (code_of(cjwt.decode, token, KEY, opts(deny, { audience = "x" }))))
        local refresh = issue({ aud = ISS }, "refresh+jwt")
        assert.are.equal("invalid_typ",
                         (code_of(cjwt.decode, refresh, KEY, opts(deny, { audience = ISS }))))
        assert.are.equal(0, calls)
    end)

    it("needs a string jti; fid is passed as it is", function()
        local deny = function() return false end
        local token = cjwt.encode({ iss = ISS, sub = "u", aud = AUD, iat = NOW, exp = NOW + 9 }, KEY,
                                  { alg = "ES256", header = { typ = "at+jwt" } })
        local code, msg = code_of(cjwt.decode, token, KEY, opts(deny))
        assert.are.equal("missing_claim", code, msg)
        assert.are.equal("invalid_jti", (code_of(cjwt.decode, issue({ jti = cjwt.null }), KEY, opts(deny))))
        assert.are.equal("invalid_jti", (code_of(cjwt.decode, issue({ jti = 7 }), KEY, opts(deny))))
        local got
        cjwt.decode(issue({ fid = cjwt.null }), KEY, opts(function(c) got = c.fid; return false end))
        assert.are.equal(cjwt.null, got)
    end)

    it("works in cjwt.safe: nil, message, code", function()
        local token = issue()
        local claims, msg, code = safe.decode(token, KEY, opts(function() return true end))
        assert.is_nil(claims)
        assert.are.equal("revoked", code)
        assert.are.equal("Token has been revoked", msg)
        claims, msg, code = safe.decode(token, KEY, opts(function() return nil, "down" end))
        assert.is_nil(claims)
        assert.are.equal("unavailable", code)
        assert.truthy(msg:find("down", 1, true))
    end)

    it("is an option of compiled verifiers too", function()
        local revoked = {}
        local v = cjwt.verifier(opts(function(c) return revoked[c.jti] == true end))
        local a, ca = issue()
        local b = issue()
        for _ = 1, 20 do
            assert.are.equal("user-1", v:decode(a, KEY).sub)
        end
        revoked[ca.jti] = true
        assert.are.equal("revoked", (code_of(v.decode, v, a, KEY)))
        assert.are.equal("user-1", v:decode(b, KEY).sub)
        assert.are.equal("user-1", v:decode_complete(b, KEY).payload.sub)
        local sv = safe.verifier(opts(function() return true end))
        local claims, _, code = sv:decode(b, KEY)
        assert.is_nil(claims)
        assert.are.equal("revoked", code)
        v, sv = nil, nil
        collectgarbage()
        collectgarbage()
    end)

    it("may verify again from inside the denylist (re-entrant)", function()
        local inner = issue()
        local v
        v = cjwt.verifier(opts(function(c)
            if c.sub == "outer" then
                return v:decode(inner, KEY).sub ~= "user-1"
            end
            return false
        end))
        local outer = issue({ sub = "outer" })
        assert.are.equal("outer", v:decode(outer, KEY).sub)
        assert.are.equal("outer", cjwt.decode(outer, KEY, opts(function()
            return cjwt.decode(inner, KEY, opts(function() return false end)).sub ~= "user-1"
        end)).sub)
    end)

    it("cannot yield: a denylist that yields refuses the token", function()
        local token = issue()
        local co = coroutine.wrap(function()
            local claims, msg, code = safe.decode(token, KEY, opts(function()
                coroutine.yield("yielded")
                return false
            end))
            return claims, msg, code
        end)
        local claims, msg, code = co()
        assert.is_nil(claims)
        assert.are.equal("unavailable", code)
        assert.truthy(msg:find("yield", 1, true), msg)
    end)

    it("is misuse when it is not a function, or given to jws_decode", function()
        local token = issue()
        assert.has_error(function() cjwt.decode(token, KEY, opts("yes")) end)
        assert.has_error(function() cjwt.verifier(opts({})) end)
        assert.has_error(function()
            cjwt.jws_decode(token, KEY, { algorithms = { "ES256" }, denylist = function() return false end })
        end)
    end)
end)
