-- cjwt.decode_unsecured: the claims of an unsecured (alg "none") token, read
-- only when code asks by name; decode refuses the same token (DESIGN.md).
-- The same cases as tests/python/test_threat_alg_none.py's decode_unsecured.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local function none(payload_json, sig)
    return T.b64url('{"alg":"none"}') .. "." .. T.b64url(payload_json) .. "." .. (sig or "")
end

describe("decode_unsecured", function()
    local unsigned = none(T.CLAIMS_JSON)

    it("reads an unsecured token that decode refuses", function()
        T.expect_code("alg_not_allowed", cjwt.decode, unsigned, nil, T.opts({ "none" }))
        local claims = cjwt.decode_unsecured(unsigned, { now = T.NOW })
        assert.are.same({ sub = "user-1", exp = T.NOW + 100 }, claims)
        assert.are.same(claims, cjwt.decode_unsecured(unsigned, { leeway = 10 ^ 10 }))
        -- typ header and the like are allowed, as by decode
        local typed = T.b64url('{"alg":"none","typ":"JWT"}') .. "." .. T.b64url('{"a":1}') .. "."
        assert.are.same({ a = 1 }, cjwt.decode_unsecured(typed, { typ = "JWT" }))
    end)

    it("runs the claim checks as decode does", function()
        local expired = none('{"exp":1}')
        T.expect_code("expired", cjwt.decode_unsecured, expired)
        assert.are.same({ exp = 1 }, cjwt.decode_unsecured(expired, { verify_exp = false }))
        T.expect_code("invalid_audience", cjwt.decode_unsecured, none('{"aud":"x"}'))
        assert.are.same({ aud = "x" },
                        cjwt.decode_unsecured(none('{"aud":"x"}'), { audience = "x" }))
        T.expect_code("invalid_issuer", cjwt.decode_unsecured, none('{"iss":"a"}'),
                      { issuer = "b" })
        T.expect_code("not_yet_valid", cjwt.decode_unsecured, none('{"nbf":4102444800}'),
                      { now = T.NOW })
        local e = T.expect_code("missing_claim", cjwt.decode_unsecured, none('{"a":1}'),
                                { require = { "jti" } })
        assert.are.equal("jti", e.claim)
        T.expect_code("invalid_typ", cjwt.decode_unsecured, none('{"a":1}'), { typ = "at+jwt" })
    end)

    it("does not read a signed token: verify it with decode", function()
        local signed = cjwt.encode({ sub = "user-1" }, T.SECRET)
        local e = T.expect_code("alg_not_allowed", cjwt.decode_unsecured, signed)
        assert.truthy(e.message:find("decode", 1, true))
    end)

    it("refuses alg none with a signature (RFC 7518 3.6)", function()
        T.expect_code("bad_signature", cjwt.decode_unsecured, none(T.CLAIMS_JSON, "AAAA"))
    end)

    it("parses as strictly as decode", function()
        T.expect_code("malformed", cjwt.decode_unsecured, "abc")
        T.expect_code("malformed", cjwt.decode_unsecured, none('{"a":1,"a":2}'))
        T.expect_code("malformed", cjwt.decode_unsecured, none('[1]'))
        T.expect_code("malformed", cjwt.decode_unsecured, unsigned:sub(1, -2) .. "!.")
        -- other spellings of none are not none: an unknown algorithm, as for decode
        local t = T.b64url('{"alg":"None"}') .. "." .. T.b64url('{"a":1}') .. "."
        T.expect_code("unsupported_alg", cjwt.decode_unsecured, t)
        T.expect_code("unsupported_alg", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        -- an unencoded payload is never a JWT's
        T.expect_code("malformed", cjwt.decode_unsecured,
                      T.b64url('{"alg":"none","crit":["b64"],"b64":false}') .. ".{}.")
    end)

    it("raises on misuse, as decode does", function()
        for _, bad in ipairs({ { nil }, { 5 }, { unsigned, "x" },
                               { unsigned, { algorithms = { "none" } } },
                               { unsigned, { verify_signature = true } },
                               { unsigned, { denylist = function() return false end } },
                               { unsigned, { cache = 10 } },
                               { unsigned, { isuer = "x" } } }) do
            local ok, err = pcall(cjwt.decode_unsecured, bad[1], bad[2])
            assert.is_false(ok)
            assert.are.equal("string", type(err))
            -- as every cjwt function's misuse (LuaJIT names a pcall'd C function '?')
            assert.truthy(err:find("bad argument", 1, true), err)
        end
    end)

    it("has a cjwt.safe form", function()
        assert.are.same({ a = 1 }, safe.decode_unsecured(none('{"a":1}')))
        local v, msg, code = safe.decode_unsecured(none('{"exp":1}'))
        assert.is_nil(v)
        assert.are.equal("expired", code)
        assert.are.equal("string", type(msg))
        local _, _, code2, claim = safe.decode_unsecured(none('{"a":1}'), { require = { "sub" } })
        assert.are.same({ "missing_claim", "sub" }, { code2, claim })
        assert.are.equal("alg_not_allowed",
                         select(3, safe.decode_unsecured(cjwt.encode({ a = 1 }, T.SECRET))))
        assert.has_error(function() safe.decode_unsecured(5) end)
    end)
end)
