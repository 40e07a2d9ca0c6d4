-- Shared test helpers: finding and reading tests/vectors/*.json (vectors_spec,
-- cache_spec), hex secrets, base64url both ways (also for threatlib.lua and
-- the specs that build tokens by hand), and JSON equality of decoded values.
-- Loaded with dofile. No bit library, so it runs on Lua 5.4 and LuaJIT alike.
local cjson = require "cjson"

local V = { DIR = "tests/vectors" }

function V.files()
    local files = {}
    local p = assert(io.popen('ls -1 "' .. V.DIR .. '"/*.json 2>/dev/null'))
    for line in p:lines() do
        if not line:match("/jw[es]_[^/]*%.json$") then   -- JWE, JWS JSON vectors: their own runners
            files[#files + 1] = line
        end
    end
    p:close()
    table.sort(files)
    return files
end

function V.read_json(path)
    local f = assert(io.open(path, "rb"))
    local text = f:read("*a")
    f:close()
    return cjson.decode(text)
end

V.B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

function V.b64url(s)
    local out = {}
    for i = 1, #s, 3 do
        local a, b, c = s:byte(i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local chars = 2 + (b and 1 or 0) + (c and 1 or 0)
        for j = 1, chars do
            local v = math.floor(n / 2 ^ (18 - 6 * (j - 1))) % 64
            out[#out + 1] = V.B64:sub(v + 1, v + 1)
        end
    end
    return table.concat(out)
end

-- Strict enough for test data: any character outside the alphabet is an error.
function V.b64url_decode(s)
    local out, bits, nbits = {}, 0, 0
    for i = 1, #s do
        local at = V.B64:find(s:sub(i, i), 1, true)
        assert(at, "test data: bad base64url")
        bits = bits * 64 + (at - 1)
        nbits = nbits + 6
        if nbits >= 8 then
            nbits = nbits - 8
            local byte = math.floor(bits / 2 ^ nbits) % 256
            out[#out + 1] = string.char(byte)
            bits = bits % 2 ^ nbits
        end
    end
    return table.concat(out)
end

function V.unhex(hex)
    return (hex:gsub("..", function(h) return string.char(tonumber(h, 16)) end))
end

-- JSON equality: numbers by value (1 == 1.0), null == null, tables by members.
function V.json_equal(a, b)
    if type(a) ~= type(b) then
        return false
    end
    if type(a) ~= "table" then
        return a == b
    end
    for k, v in pairs(a) do
        if not V.json_equal(v, b[k]) then
            return false
        end
    end
    for k in pairs(b) do
        if a[k] == nil then
            return false
        end
    end
    return true
end

return V
