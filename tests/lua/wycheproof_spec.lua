-- Wycheproof (C2SP) JOSE files through the public Lua API.
--
-- Same rules as tests/c/test_wycheproof.c and tests/python/test_wycheproof.py:
-- every JWS in json_web_signature_test.json, json_web_key_test.json and
-- json_web_crypto_test.json (tests/vectors/wycheproof, or CJWT_WYCHEPROOF_DIR) is
-- verified as a raw JWS (cjwt.jws_decode) with every algorithm allowed, the
-- key being the group's `public` JWK (else `private`), a JWK Set going through
-- cjwt.keyset. `valid` must verify, `invalid` and `acceptable` must be refused,
-- except the documented deviations in tests/vectors/wycheproof/deviations.json
-- (the list all three layers read), which must come out exactly as documented.
-- JWE tests are skipped and counted.
local cjson = require "cjson"
local cjwt = require "cjwt"

local SHARED = os.getenv("CJWT_WYCHEPROOF_DIR")
if not SHARED or SHARED == "" then
    SHARED = "tests/vectors/wycheproof"
end
local FILES = { "json_web_signature_test.json", "json_web_key_test.json",
                "json_web_crypto_test.json" }
local ALL_ALGS = { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
                   "PS512", "ES256", "ES384", "ES512", "EdDSA", "ES256K" }

local function read_json(path)
    local f = io.open(path, "rb")
    if not f then
        return nil
    end
    local text = f:read("*a")
    f:close()
    return cjson.decode(text)
end

local DEV = assert(read_json("tests/vectors/wycheproof/deviations.json"),
                   "cannot read tests/vectors/wycheproof/deviations.json")
assert(DEV.acceptable == "refused")
local DEVIATIONS = {}
for _, d in ipairs(DEV.deviations) do
    DEVIATIONS[d.file .. "#" .. d.tcId] = d.accepted
end

-- The group's key as a user passes it; a refused key is the answer for every
-- test of the group (as in C). Returns key, err.
local function make_key(group)
    local kj = group.public or group.private
    local ok, res = pcall(function()
        if type(kj) == "table" and kj.keys then
            return cjwt.keyset(kj)
        end
        return cjwt.key(kj)
    end)
    if ok then
        return res, nil
    end
    assert(cjwt.is_error(res), "key creation raised a non-cjwt error: " .. tostring(res))
    return nil, res
end

local JWE_OPTS = {
    algorithms = { "dir", "RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW",
                   "A128GCMKW", "A192GCMKW", "A256GCMKW", "ECDH-ES", "ECDH-ES+A128KW",
                   "ECDH-ES+A192KW", "ECDH-ES+A256KW", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW",
                   "PBES2-HS512+A256KW" },
    encryptions = { "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM" },
}

local function run_file(name)
    local doc = assert(read_json(SHARED .. "/" .. name), "missing " .. SHARED .. "/" .. name)
    local counts = { run = 0, as_labelled = 0, deviations = 0, skipped_jwe = 0 }
    local bad = {}
    local opts = { algorithms = ALL_ALGS, now = 0 }
    for _, group in ipairs(doc.testGroups) do
        local key, kerr = make_key(group)
        for _, t in ipairs(group.tests) do
            do
                local jws = t.jws
                if jws ~= nil and type(jws) ~= "string" then     -- a JSON serialization, as its text
                    jws = cjson.encode(jws)
                end
                -- accepted, or the cjwt error's code (any other error fails the spec)
                local function attempt(fn, ...)
                    local ok, res = pcall(fn, ...)
                    if ok then
                        return true, ""
                    elseif cjwt.is_error(res) then
                        return false, res.code
                    end
                    error("tc " .. t.tcId .. ": non-cjwt error: " .. tostring(res))
                end
                local accepted, detail = false, ""
                if jws == nil then
                    -- a JWE: decrypted with the group's private key, every alg/enc allowed
                    accepted, detail = attempt(cjwt.jwe_decrypt, t.jwe, group.private, JWE_OPTS)
                elseif not key then
                    detail = "key refused: " .. kerr.code
                else
                    accepted, detail = attempt(cjwt.jws_decode, jws, key, opts)
                end
                counts.run = counts.run + 1
                local want = t.result == "valid"      -- "acceptable" -> refused
                local dev = DEVIATIONS[name .. "#" .. t.tcId]
                if dev ~= nil then
                    counts.deviations = counts.deviations + 1
                    if accepted ~= dev then
                        bad[#bad + 1] = "tc " .. t.tcId .. ": documented deviation changed"
                    end
                elseif accepted ~= want then
                    bad[#bad + 1] = string.format("tc %d (%s, %s): cjwt %s it %s", t.tcId,
                        t.comment, t.result, accepted and "accepted" or "refused", detail)
                else
                    counts.as_labelled = counts.as_labelled + 1
                end
            end
        end
    end
    return counts, bad
end

describe("Wycheproof JOSE vectors (" .. SHARED .. ")", function()
    for _, name in ipairs(FILES) do
        it(name, function()
            local counts, bad = run_file(name)
            io.stderr:write(string.format(
                "  wycheproof %s: run %d, as labelled %d, documented deviations %d, JWE skipped %d\n",
                name, counts.run, counts.as_labelled, counts.deviations, counts.skipped_jwe))
            assert.is_true(counts.run > 0, "no JWS tests in " .. name)
            assert.are.same({}, bad)
        end)
    end
end)
