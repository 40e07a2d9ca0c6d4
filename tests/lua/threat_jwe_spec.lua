-- Threat: JWE-shaped (5-segment) and other wrongly segmented input.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local JWE = "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0." ..
    "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ." ..
    "AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY." ..
    "U0m_YmjN04DJvceFICbCVQ"   -- RFC 7516 A.3

describe("threat: JWE-shaped input", function()
    it("a JWE is malformed, and the message says so", function()
        local err = T.expect_code("malformed", cjwt.decode, JWE, T.SECRET, T.opts({ "HS256" }))
        assert.truthy(err.message:find("JWE", 1, true))
        T.expect_code("malformed", cjwt.get_unverified_header, JWE)
    end)
    it("other segment counts", function()
        for _, t in ipairs({ "a.b.c.d.e", "....", "a.b.c.d", "a.b", "abc", ".", "..", "a.b.c.d.e.f", "" }) do
            T.expect_code("malformed", cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
        end
    end)
end)
