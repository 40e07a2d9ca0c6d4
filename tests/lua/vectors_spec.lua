-- Runs every case of every tests/vectors/*.json through the public Lua API
-- (format: tests/vectors/README.md). The same token must get the same answer
-- in C, Python and Lua.
local cjson = require "cjson"
local cjwt = require "cjwt"

local VECTOR_DIR = "tests/vectors"

local function vector_files()
    local files = {}
    local p = assert(io.popen('ls -1 "' .. VECTOR_DIR .. '"/*.json 2>/dev/null'))
    for line in p:lines() do
        files[#files + 1] = line
    end
    p:close()
    table.sort(files)
    return files
end

local function read_json(path)
    local f = assert(io.open(path, "rb"))
    local text = f:read("*a")
    f:close()
    return cjson.decode(text)
end

local function unhex(hex)
    return (hex:gsub("..", function(h) return string.char(tonumber(h, 16)) end))
end

-- The key a case stands for, as a user would pass it: a string secret goes
-- through the str/bytes path (cjwt_key_from_bytes), a JWK as a table, and
-- key_flags through cjwt.key(). Raises the cjwt error if the key is refused.
local function make_key(case)
    local k = case.key
    if k == cjson.null or k == nil then
        return nil
    end
    local material = k.secret or (k.secret_hex and unhex(k.secret_hex)) or k.jwk
    assert(material ~= nil, "case " .. case.name .. ": unknown key form")
    if case.key_flags then
        local flags = {}
        for _, f in ipairs(case.key_flags) do
            flags[f] = true
        end
        return cjwt.key(material, flags)
    end
    return material
end

-- JSON equality: numbers by value (1 == 1.0), null == null, tables by members.
local function json_equal(a, b)
    if type(a) ~= type(b) then
        return false
    end
    if type(a) ~= "table" then
        return a == b
    end
    for k, v in pairs(a) do
        if not json_equal(v, b[k]) then
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

local function run_case(case)
    local opts = {}
    for k, v in pairs(case.options) do
        opts[k] = v
    end
    opts.now = case.now
    return pcall(function()
        return cjwt.decode_complete(case.token, make_key(case), opts)
    end)
end

describe("shared vectors", function()
    local files = vector_files()
    local total = 0

    it("exist (tests/vectors/*.json)", function()
        assert.is_true(#files > 0, "no vector files found in " .. VECTOR_DIR)
    end)

    for _, path in ipairs(files) do
        local doc = read_json(path)
        local cases = doc.cases or {}
        total = total + #cases

        describe(path, function()
            it("has cases", function()
                assert.is_true(#cases > 0, path .. " has no cases")
            end)
            for _, case in ipairs(cases) do
                it(case.name, function()
                    local ok, res = run_case(case)
                    local expect = case.expect
                    if expect.error then
                        assert.is_false(ok, "expected error " .. expect.error .. ", token verified")
                        assert.is_true(cjwt.is_error(res),
                            "expected a cjwt error object, got: " .. tostring(res))
                        assert.are.equal(expect.error, res.code, tostring(res))
                        if expect.claim then
                            assert.are.equal(expect.claim, res.claim)
                        end
                    else
                        assert.is_true(ok, "expected claims, got " .. tostring(res))
                        assert.is_true(json_equal(expect.claims, res.payload),
                            "claims differ: got " .. cjson.encode(res.payload))
                        if expect.header then
                            assert.is_true(json_equal(expect.header, res.header),
                                "header differs: got " .. cjson.encode(res.header))
                        end
                    end
                end)
            end
        end)
    end

    it("counted cases", function()
        assert.is_true(total > 0, "no vector cases found")
    end)
end)
