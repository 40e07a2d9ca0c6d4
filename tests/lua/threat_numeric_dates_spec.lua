-- Threat: numeric-date claims as strings, floats, negatives and huge values.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local N = T.NOW
local CASES = {
    { '{"exp":"' .. (N + 100) .. '"}', "malformed" }, { '{"exp":"never"}', "malformed" },
    { '{"exp":true}', "malformed" }, { '{"exp":[' .. (N + 100) .. ']}', "malformed" },
    { '{"exp":{}}', "malformed" }, { '{"exp":null}', "malformed" },
    { '{"nbf":"0"}', "malformed" }, { '{"nbf":null}', "malformed" },
    { '{"iat":"' .. N .. '"}', "invalid_iat" }, { '{"iat":[]}', "invalid_iat" },
    { '{"exp":' .. (N + 100) .. '.75}', false }, { '{"exp":' .. N .. '.999}', "expired" },
    { '{"exp":' .. N .. '}', "expired" }, { '{"exp":-1}', "expired" },
    { '{"exp":-9223372036854775808}', "expired" }, { '{"exp":-1e308}', "expired" },
    { '{"exp":0}', "expired" }, { '{"exp":9223372036854775807}', false }, { '{"exp":1e308}', false },
    { '{"exp":9223372036854775808}', "malformed" }, { '{"exp":1e400}', "malformed" },
    { '{"exp":NaN}', "malformed" }, { '{"exp":Infinity}', "malformed" },
    { '{"exp":0x10}', "malformed" }, { '{"exp":01700000100}', "malformed" },
    { '{"exp":+1700000100}', "malformed" }, { '{"nbf":9223372036854775807}', "not_yet_valid" },
    { '{"nbf":1e308}', "not_yet_valid" }, { '{"nbf":-1}', false }, { '{"nbf":' .. N .. '.9}', false },
    { '{"iat":1e308}', "not_yet_valid" }, { '{"iat":-5}', false },
    { '{"iat":' .. (N + 1) .. '}', "not_yet_valid" },
}

describe("threat: numeric dates", function()
    for _, c in ipairs(CASES) do
        it(c[1], function()
            local t = T.signed_payload(c[1])
            if c[2] then
                T.expect_code(c[2], cjwt.decode, t, T.SECRET, T.opts({ "HS256" }))
            else
                assert.is_table(cjwt.decode(t, T.SECRET, T.opts({ "HS256" })))
            end
        end)
    end
end)
