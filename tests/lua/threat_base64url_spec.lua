-- Threat: padded, standard-alphabet or non-canonical base64url is malformed.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

describe("threat: base64url strictness", function()
    local token = T.signed_payload(T.CLAIMS_JSON, { typ = "JWT" })
    local o = T.opts({ "HS256" })
    local parts = {}
    for p in (token .. "."):gmatch("([^.]*)%.") do parts[#parts + 1] = p end

    it("the token itself verifies", function()
        assert.are.equal("user-1", cjwt.decode(token, T.SECRET, o).sub)
    end)

    it("padding on any segment", function()
        for i = 1, 3 do
            for _, pad in ipairs({ "=", "==", "===" }) do
                local p = { parts[1], parts[2], parts[3] }
                p[i] = p[i] .. pad
                T.expect_code("malformed", cjwt.decode, table.concat(p, "."), T.SECRET, o)
            end
        end
    end)

    it("the standard alphabet", function()
        for i = 1, #token do
            local c = token:sub(i, i)
            if c == "-" or c == "_" then
                local bad = token:sub(1, i - 1) .. (c == "-" and "+" or "/") .. token:sub(i + 1)
                T.expect_code("malformed", cjwt.decode, bad, T.SECRET, o)
            end
        end
    end)

    it("non-zero trailing bits", function()
        -- a 32-byte MAC is 43 chars: the last one's low 2 bits must be 0
        local v = T.B64:find(token:sub(-1), 1, true) - 1
        assert.are.equal(0, v % 4)
        for _, flip in ipairs({ 1, 2 }) do
            local nv = v + flip
            local bad = token:sub(1, -2) .. T.B64:sub(nv + 1, nv + 1)
            T.expect_code("malformed", cjwt.decode, bad, T.SECRET, o)
        end
    end)

    it("an impossible length, and a stray character", function()
        T.expect_code("malformed", cjwt.decode, token .. "AA", T.SECRET, o)
        T.expect_code("bad_signature", cjwt.decode, token .. "A", T.SECRET, o)
        for _, ch in ipairs({ "*", "%", "~", "\195\169" }) do
            T.expect_code("malformed", cjwt.decode, parts[1] .. ch .. "." .. parts[2] .. "." .. parts[3],
                          T.SECRET, o)
        end
    end)
end)
