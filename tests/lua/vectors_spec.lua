-- Runs every case of every tests/vectors/*.json through the public Lua API
-- (format: tests/vectors/README.md). The same token must get the same answer
-- in C, Python and Lua.
local cjson = require "cjson"
local cjwt = require "cjwt"

local V = dofile("tests/lua/vectorlib.lua")
local unhex, json_equal, b64u_decode = V.unhex, V.json_equal, V.b64url_decode

-- The key a case stands for, as a user would pass it: a string secret or a
-- PEM goes through the str/bytes path (cjwt_key_from_bytes), a JWK as a
-- table, a PEM with a password and key_flags through cjwt.key(), a JWKS
-- through cjwt.keyset(). Raises the cjwt error if the key is refused.
local function make_key(case)
    local k = case.key
    if k == cjson.null or k == nil then
        return nil
    end
    if k.jwks then
        assert(case.key_flags == nil, "key_flags go with secret / jwk keys only")
        return cjwt.keyset(k.jwks)
    end
    if k.pem then
        assert(case.key_flags == nil, "key_flags go with secret / jwk keys only")
        if k.password then
            return cjwt.key(k.pem, { password = k.password })
        end
        return k.pem
    end
    assert(k.password == nil, "case " .. case.name .. ": password goes with pem")
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

local function is_jws(case)
    assert(case.mode == nil or case.mode == "jws", "unknown mode " .. tostring(case.mode))
    return case.mode == "jws"
end

local function run_case(case)
    local opts = {}
    for k, v in pairs(case.options) do
        opts[k] = v
    end
    opts.now = case.now
    local verify = is_jws(case) and cjwt.jws_decode or cjwt.decode_complete
    return pcall(function()
        return verify(case.token, make_key(case), opts)
    end)
end

describe("shared vectors", function()
    local files = V.files()
    local total = 0

    it("exist (tests/vectors/*.json)", function()
        assert.is_true(#files > 0, "no vector files found in " .. V.DIR)
    end)

    for _, path in ipairs(files) do
        local doc = V.read_json(path)
        local cases = doc.cases or {}
        total = total + #cases
        io.stderr:write(string.format("  vectors %s: %d cases\n", path:match("[^/]+$"), #cases))

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
                    elseif is_jws(case) then
                        assert.is_true(ok, "expected a payload, got " .. tostring(res))
                        assert.are.equal("string", type(res))
                        local want = expect.payload_text or b64u_decode(expect.payload_b64u)
                        assert.are.equal(want, res)
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
