-- Threat: 1 MB tokens and 10,000-deep JSON stay within the documented limits
-- (16 KiB, depth 32): too_large, no stack overflow.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local BIG = { max_token_len = 4194304 }

describe("threat: size and depth", function()
    it("a 1 MB token", function()
        local t = ("A"):rep(100) .. "." .. ("A"):rep(100) .. "." .. ("A"):rep(1048576 - 202)
        T.expect_code("too_large", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        T.expect_code("too_large", cjwt.get_unverified_header, t)
    end)
    it("just over the default limit, and a raised limit is the bound", function()
        local t = T.signed_payload('{"pad":"' .. ("x"):rep(16384) .. '"}')
        T.expect_code("too_large", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        assert.are.equal(16384, #cjwt.decode(t, T.SECRET, T.opts({ "HS256" }, BIG)).pad)
    end)
    it("10,000-deep payload and header", function()
        for _, oc in ipairs({ { "[", "]" }, { '{"a":', "}" } }) do
            local deep = oc[1]:rep(10000) .. oc[2]:rep(10000)
            T.expect_code("too_large", cjwt.decode, T.signed_payload('{"a":' .. deep .. '}'), T.SECRET,
                          T.opts({ "HS256" }, BIG))
            T.expect_code("too_large", cjwt.decode, T.unsigned('{"alg":"HS256","x":' .. deep .. '}', T.CLAIMS_JSON),
                          T.SECRET, T.opts({ "HS256" }, BIG))
        end
        T.expect_code("too_large", cjwt.decode, T.signed_payload(("["):rep(100000)), T.SECRET, T.opts({ "HS256" }, BIG))
    end)
    it("depth 32 by default", function()
        local ok = T.signed_payload('{"a":' .. ("["):rep(31) .. ("]"):rep(31) .. '}')
        assert.is_table(cjwt.decode(ok, T.SECRET, T.opts({ "HS256" })))
        local bad = T.signed_payload('{"a":' .. ("["):rep(32) .. ("]"):rep(32) .. '}')
        T.expect_code("too_large", cjwt.decode, bad, T.SECRET, T.opts({ "HS256" }))
        assert.is_table(cjwt.decode(bad, T.SECRET, T.opts({ "HS256" }, { max_depth = 33 })))
    end)
end)
