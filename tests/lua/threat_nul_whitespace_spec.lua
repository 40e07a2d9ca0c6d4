-- Threat: NUL bytes and whitespace around or inside a token.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

describe("threat: NUL and whitespace in tokens", function()
    local token = T.signed_payload(T.CLAIMS_JSON)
    local dot = token:find(".", 1, true)
    it("an inserted character anywhere is malformed", function()
        for _, ch in ipairs({ " ", "\t", "\n", "\r", "\0", "\194\160", "\239\187\191" }) do
            for _, at in ipairs({ 0, dot - 1, dot, #token - 1, #token }) do
                local bad = token:sub(1, at) .. ch .. token:sub(at + 1)
                T.expect_code("malformed", cjwt.decode, bad, T.SECRET, T.opts({ "HS256" }))
            end
        end
    end)
    it("a NUL inside a string claim or name", function()
        for _, p in ipairs({ '{"sub":"admin\\u0000user"}', '{"sub\\u0000":"x"}' }) do
            T.expect_code("malformed", cjwt.decode, T.signed_payload(p), T.SECRET, T.opts({ "HS256" }))
        end
    end)
    it("whitespace inside the JSON is JSON", function()
        assert.are.equal("u", cjwt.decode(T.signed_payload(' { "sub" : "u" } '), T.SECRET, T.opts({ "HS256" })).sub)
    end)
end)
