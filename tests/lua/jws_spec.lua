-- Raw JWS: any bytes as payload, returned as is, no claim checks.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local SECRET = string.rep("j", 64)
local NOW = 1700000000

local function all_bytes()
    local t = {}
    for i = 0, 255 do
        t[#t + 1] = string.char(i)
    end
    return table.concat(t)
end

describe("jws_encode / jws_decode", function()
    local rows = {
        { "empty", "" },
        { "NUL bytes", "\0\0a\0" },
        { "all 256 byte values", all_bytes() },
        { "invalid UTF-8", "\255\254\128" },
        { "text", "hello, world" },
    }
    for _, row in ipairs(rows) do
        for _, alg in ipairs({ "HS256", "HS384", "HS512" }) do
            it(alg .. " keeps " .. row[1], function()
                local token = cjwt.jws_encode(row[2], SECRET, { alg = alg, now = NOW })
                local data = cjwt.jws_decode(token, SECRET, { algorithms = { alg }, now = NOW })
                assert.are.equal(row[2], data)
                assert.are.equal(#row[2], #data)
            end)
        end
    end

    it("adds no typ header", function()
        local token = cjwt.jws_encode("x", SECRET, { header = { kid = "k" } })
        assert.are.same({ alg = "HS256", kid = "k" }, cjwt.get_unverified_header(token))
    end)

    it("does not check claims of a JWT", function()
        local token = cjwt.encode({ exp = 1, aud = "other" }, SECRET)
        local data = cjwt.jws_decode(token, SECRET, { algorithms = { "HS256" }, now = NOW })
        assert.are.same({ exp = 1, aud = "other" }, require("cjson").decode(data))
    end)

    it("still checks the signature", function()
        local token = cjwt.jws_encode("\0data", SECRET)
        local data, msg, code = safe.jws_decode(token, string.rep("x", 64), { algorithms = { "HS256" } })
        assert.is_nil(data)
        assert.is_string(msg)
        assert.are.equal("bad_signature", code)
    end)
end)
