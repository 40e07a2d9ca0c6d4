-- Threat: ECDSA signatures with r=0/s=0, r or s >= n, DER instead of r||s and
-- wrong lengths give bad_signature. Scalars are handled as fixed-width bytes.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local function unhex(h)
    return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end))
end

-- group orders from `openssl ecparam -param_enc explicit -text`
local CURVES = {
    { alg = "ES256", key = "ec256", w = 32,
      n = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551") },
    { alg = "ES384", key = "ec384", w = 48,
      n = unhex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf" ..
                "581a0db248b0a77aecec196accc52973") },
    { alg = "ES512", key = "ec521", w = 66,
      n = unhex("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" ..
                "fffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409") },
}

local function der_int(b)
    b = b:gsub("^%z+", "")
    if b == "" or b:byte(1) >= 0x80 then
        b = "\0" .. b
    end
    return "\2" .. string.char(#b) .. b
end

local function der_len(n)
    return n < 128 and string.char(n) or ("\129" .. string.char(n))
end

describe("threat: ECDSA signature values", function()
    for _, c in ipairs(CURVES) do
        local pub = T.KEYS[c.key].public_pem
        local token = cjwt.encode({ sub = "user-1" }, T.KEYS[c.key].private_pem, { alg = c.alg })
        local sig = T.signature(token)
        local r, s = sig:sub(1, c.w), sig:sub(c.w + 1)
        local zero, max = ("\0"):rep(c.w), ("\255"):rep(c.w)
        if c.w == 66 then
            max = "\1" .. ("\255"):rep(65)
        end
        local o = T.opts({ c.alg })

        it(c.alg .. ": the genuine signature verifies", function()
            assert.are.equal(2 * c.w, #sig)
            assert.are.equal("user-1", cjwt.decode(token, pub, o).sub)
        end)

        it(c.alg .. ": zero and out-of-range scalars", function()
            for _, rs in ipairs({ zero .. zero, zero .. s, r .. zero, c.n .. c.n, c.n .. s,
                                  r .. c.n, max .. max }) do
                T.expect_code("bad_signature", cjwt.decode, T.with_signature(token, rs), pub, o)
            end
        end)

        it(c.alg .. ": DER instead of r||s", function()
            local body = der_int(r) .. der_int(s)
            local der = "\48" .. der_len(#body) .. body
            T.expect_code("bad_signature", cjwt.decode, T.with_signature(token, der), pub, o)
        end)

        it(c.alg .. ": wrong lengths", function()
            for _, bad in ipairs({ sig:sub(1, -2), sig .. "\0", "", sig:sub(1, c.w) }) do
                T.expect_code("bad_signature", cjwt.decode, T.with_signature(token, bad), pub, o)
            end
        end)
    end
end)
