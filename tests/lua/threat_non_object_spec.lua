-- Threat: a header or payload that is JSON but not an object.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local VALUES = { "[]", '[{"alg":"HS256"}]', '"HS256"', "1", "null", "true", "", " " }

describe("threat: non-object header or payload", function()
    it("header", function()
        for _, v in ipairs(VALUES) do
            T.expect_code("malformed", cjwt.decode, T.unsigned(v, T.CLAIMS_JSON), T.SECRET, T.opts({ "HS256" }))
        end
    end)
    it("payload (genuinely signed)", function()
        for _, v in ipairs(VALUES) do
            T.expect_code("malformed", cjwt.decode, T.signed_payload(v), T.SECRET, T.opts({ "HS256" }))
        end
    end)
    it("a raw JWS payload may be anything", function()
        assert.are.equal("[1,2]", cjwt.jws_decode(T.signed_payload("[1,2]"), T.SECRET, { algorithms = { "HS256" } }))
    end)
end)
