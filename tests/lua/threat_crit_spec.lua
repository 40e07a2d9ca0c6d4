-- Threat: crit naming extensions cjwt does not implement.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

describe("threat: crit", function()
    it("unknown names are unknown_crit (even with a genuine signature)", function()
        for _, h in ipairs({ { crit = { "exp" }, exp = 1 }, { crit = { "b64", "exp" }, b64 = true, exp = 1 },
                             { crit = { "http://example.invalid/ext" } },
                             { crit = { "x", "y" }, x = 1, y = 2 } }) do
            local t = T.signed_payload(T.CLAIMS_JSON, h)
            T.expect_code("unknown_crit", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        end
    end)

    it("b64 (RFC 7797) in a JWT is malformed: unencoded, not in crit, not a boolean", function()
        for _, h in ipairs({ '{"alg":"HS256","crit":["b64"],"b64":false}', '{"alg":"HS256","b64":false}',
                             '{"alg":"HS256","b64":true}', '{"alg":"HS256","crit":["b64"],"b64":"false"}',
                             '{"alg":"HS256","crit":["b64"]}' }) do
            local t = T.unsigned(h, T.CLAIMS_JSON)   -- refused before the signature
            T.expect_code("malformed", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        end
    end)

    it("a crit that is not a non-empty array of names is malformed", function()
        for _, c in ipairs({ '[]', '"exp"', '[1]', '{"exp":true}', 'null' }) do
            local t = T.unsigned('{"alg":"HS256","crit":' .. c .. '}', T.CLAIMS_JSON)
            T.expect_code("malformed", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        end
    end)

    it("the message is escaped", function()
        local t = T.unsigned('{"alg":"HS256","crit":["\\u001b[31mred\\n"]}', T.CLAIMS_JSON)
        local err = T.expect_code("unknown_crit", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        assert.is_nil(err.message:find("\27", 1, true))
        assert.is_nil(err.message:find("\n", 1, true))
    end)
end)
