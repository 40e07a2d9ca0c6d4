-- Threat: invalid UTF-8 and lone surrogates.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local BAD = {
    '{"sub":"\255"}', '{"sub":"\192\175"}', '{"sub":"\224\128\175"}', '{"sub":"\237\160\128"}',
    '{"sub":"\244\144\128\128"}', '{"sub":"\226\130"}', '{"sub":"\\ud800"}', '{"sub":"\\udc00"}',
    '{"sub":"\\ud800\\u0041"}', '{"sub":"\\udbff"}', '{"\255":1}',
}

describe("threat: invalid UTF-8 and lone surrogates", function()
    it("in the payload (genuinely signed)", function()
        for _, p in ipairs(BAD) do
            T.expect_code("malformed", cjwt.decode, T.signed_payload(p), T.SECRET, T.opts({ "HS256" }))
        end
    end)
    it("in the header", function()
        for _, m in ipairs(BAD) do
            T.expect_code("malformed", cjwt.decode, T.unsigned('{"alg":"HS256","x":' .. m .. '}', T.CLAIMS_JSON),
                          T.SECRET, T.opts({ "HS256" }))
        end
    end)
    it("a surrogate pair is fine", function()
        local claims = cjwt.decode(T.signed_payload('{"sub":"\\ud83d\\ude00"}'), T.SECRET, T.opts({ "HS256" }))
        assert.are.equal("\240\159\152\128", claims.sub)
    end)
    it("encoding invalid UTF-8 is refused", function()
        assert.has_error(function() cjwt.encode({ sub = "\255" }, T.SECRET, { alg = "HS256" }) end)
    end)
end)
