-- Threat: duplicate member names in the header or payload.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

describe("threat: duplicate members", function()
    it("header", function()
        for _, h in ipairs({ '{"alg":"HS256","alg":"none"}', '{"alg":"none","alg":"HS256"}',
                             '{"alg":"HS256","\\u0061lg":"HS256"}', '{"alg":"HS256","kid":"a","kid":"b"}' }) do
            T.expect_code("malformed", cjwt.decode, T.unsigned(h, T.CLAIMS_JSON), T.SECRET,
                          T.opts({ "HS256", "none" }))
        end
    end)
    it("payload (genuinely signed)", function()
        for _, p in ipairs({ '{"sub":"admin","sub":"user-1"}', '{"exp":1,"\\u0065xp":9999999999}',
                             '{"a":{"x":1,"x":2}}', '{"aud":"api","aud":["api"]}' }) do
            T.expect_code("malformed", cjwt.decode, T.signed_payload(p), T.SECRET, T.opts({ "HS256" }))
        end
    end)
end)
