-- Shared by the specs that run tests/vectors/*.json (vectors_spec.lua,
-- cache_spec.lua): finding and reading the files, hex secrets, and JSON
-- equality of decoded values. Loaded with dofile, as threatlib.lua is.
local cjson = require "cjson"

local V = { DIR = "tests/vectors" }

function V.files()
    local files = {}
    local p = assert(io.popen('ls -1 "' .. V.DIR .. '"/*.json 2>/dev/null'))
    for line in p:lines() do
        files[#files + 1] = line
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
