-- JWE through the Lua API (cjwt.jwe_encrypt / jwe_decrypt / jwe_decrypt_complete
-- and their cjwt.safe forms): the shared vectors tests/vectors/jwe_*.json (RFC 7516
-- appendix A, RFC 7520 section 5, every serialization), round trips for every
-- alg/enc pair, and the threat tests of issue 16 point 2 at this layer.
local cjson = require "cjson"
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local V = dofile("tests/lua/vectorlib.lua")
local b64u = V.b64url

local function jwe_files()
    local files = {}
    local p = assert(io.popen('ls -1 tests/vectors/jwe_*.json 2>/dev/null'))
    for line in p:lines() do
        files[#files + 1] = line
    end
    p:close()
    return files
end

local ALGS = { "dir", "A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW",
               "RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
               "ECDH-ES+A256KW", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW" }
local ENCS = { "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM" }
local CEK = { ["A128CBC-HS256"] = 32, ["A192CBC-HS384"] = 48, ["A256CBC-HS512"] = 64,
              A128GCM = 16, A192GCM = 24, A256GCM = 32 }
local K16 = "0123456789abcdef"

local function case_key(key)
    if key.jwk then
        return key.jwk
    end
    return cjwt.key(key.secret, { format = "secret" })
end

describe("JWE vectors", function()
    local files, total = jwe_files(), 0
    it("exist (tests/vectors/jwe_*.json)", function()
        assert.is_true(#files > 0)
    end)
    for _, path in ipairs(files) do
        local doc = V.read_json(path)
        total = total + #doc.cases
        for _, case in ipairs(doc.cases) do
            it(case.name, function()
                local token = case.token or case.jwe
                local opts = { algorithms = case.options.algorithms, encryptions = case.options.encryptions }
                local pt, msg, code = safe.jwe_decrypt(token, case_key(case.key), opts)
                if case.expect.error then
                    assert.is_nil(pt)
                    assert.are.equal(case.expect.error, code)
                else
                    assert.are.equal(case.expect.plaintext, pt, msg)
                    -- the raising flavour, and the JSON serialization as text
                    assert.are.equal(case.expect.plaintext, cjwt.jwe_decrypt(
                        case.jwe and cjson.encode(case.jwe) or token, case_key(case.key), opts))
                end
            end)
        end
    end
    it("has 40 cases or more", function()
        assert.is_true(total >= 40)
    end)
end)

local function keys_for(alg, enc)
    if alg == "dir" then
        local k = cjwt.key(string.rep("k", CEK[enc]), { format = "secret" })
        return k, k
    elseif alg:match("^PBES2") then
        local k = cjwt.key("correct horse", { format = "secret" })
        return k, k
    elseif alg:match("KW$") and not alg:match("^ECDH") then
        local k = cjwt.key(string.rep("w", math.floor(tonumber(alg:sub(2, 4)) / 8)), { format = "secret" })
        return k, k
    end
    local gen = cjwt.generate_key(alg:match("^RSA") and "RS256" or "ES256")
    local jwk = gen:to_jwk(true)
    jwk.alg = nil
    local priv = cjwt.key(jwk)
    return cjwt.key(priv:to_jwk(false)), priv
end

describe("JWE round trips", function()
    for _, alg in ipairs(ALGS) do
        it(alg .. " with every enc", function()
            for _, enc in ipairs(ENCS) do
                local ek, dk = keys_for(alg, enc)
                local tok = cjwt.jwe_encrypt("attack at dawn", ek, { alg = alg, enc = enc, zip = "DEF",
                    header = { cty = "text/plain" }, p2c = alg:match("^PBES2") and 1000 or nil })
                local r = cjwt.jwe_decrypt_complete(tok, dk, { algorithms = { alg }, encryptions = { enc } })
                assert.are.equal("attack at dawn", r.plaintext)
                assert.are.equal(alg, r.header.alg)
                assert.are.equal("text/plain", r.header.cty)
            end
        end)
    end
end)

-- An authentic dir + A128GCM token would need AES-GCM in Lua: the threats that
-- run before decryption use a replaced header instead.
local function with_header(tok, header)
    return b64u(cjson.encode(header)) .. tok:sub((tok:find(".", 1, true)))
end

describe("JWE threats", function()
    local k = cjwt.key(K16, { format = "secret" })

    it("refuses a huge p2c before any work", function()
        local pw = cjwt.key("pw", { format = "secret" })
        local tok = cjwt.jwe_encrypt("x", pw, { alg = "PBES2-HS256+A128KW", enc = "A128GCM", p2c = 2000 })
        local evil = with_header(tok, { alg = "PBES2-HS256+A128KW", enc = "A128GCM", p2c = 2147483647,
                                        p2s = b64u(string.rep("\0", 16)) })
        local t0 = os.clock()
        local pt, _, code = safe.jwe_decrypt(evil, pw, { algorithms = { "PBES2-HS256+A128KW" },
                                                        encryptions = { "A128GCM" } })
        assert.is_nil(pt)
        assert.are.equal("too_large", code)
        assert.is_true(os.clock() - t0 < 0.5)
        local _, _, code2 = safe.jwe_decrypt(tok, pw, { algorithms = { "PBES2-HS256+A128KW" },
                                                       encryptions = { "A128GCM" }, max_p2c = 1999 })
        assert.are.equal("too_large", code2)
    end)

    it("refuses a zip bomb within max_plaintext", function()
        local big = string.rep("a", 5000)
        local tok = cjwt.jwe_encrypt(big, k, { alg = "A128KW", enc = "A128GCM", zip = "DEF" })
        assert.is_true(#tok < 400)   -- 5000 bytes compressed
        local opts = { algorithms = { "A128KW" }, encryptions = { "A128GCM" }, max_plaintext = 4999 }
        local pt, _, code = safe.jwe_decrypt(tok, k, opts)
        assert.is_nil(pt)
        assert.are.equal("too_large", code)
        opts.max_plaintext = 5000
        assert.are.equal(big, cjwt.jwe_decrypt(tok, k, opts))
    end)

    it("refuses an epk off the curve", function()
        local priv = cjwt.key({ kty = "EC", crv = "P-256", x = "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
                                y = "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
                                d = "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo" })
        local tok = cjwt.jwe_encrypt("x", cjwt.key(priv:to_jwk(false)), { alg = "ECDH-ES", enc = "A128GCM" })
        local evil = with_header(tok, { alg = "ECDH-ES", enc = "A128GCM", epk = { kty = "EC", crv = "P-256",
            x = "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0", y = "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFppt" } })
        local pt, _, code = safe.jwe_decrypt(evil, priv, { algorithms = { "ECDH-ES" }, encryptions = { "A128GCM" } })
        assert.is_nil(pt)
        assert.are.equal("invalid_key", code)
    end)

    it("uses RSA1_5 only when named, with one answer for every failure", function()
        local case
        for _, c in ipairs(V.read_json("tests/vectors/jwe_rfc.json").cases) do
            if c.name == "rfc7516-a2-rsa1_5-a128cbc-hs256" then case = c end
        end
        local others = {}
        for _, a in ipairs(ALGS) do others[#others + 1] = a end
        local _, _, code = safe.jwe_decrypt(case.token, case.key.jwk, { algorithms = others, encryptions = ENCS })
        assert.are.equal("alg_not_allowed", code)
        local opts = { algorithms = { "RSA1_5" }, encryptions = { "A128CBC-HS256" } }
        local d1 = case.token:find(".", 1, true)
        local c = case.token:sub(d1 + 11, d1 + 11)
        local bad_key = case.token:sub(1, d1 + 10) .. (c == "A" and "B" or "A") .. case.token:sub(d1 + 12)
        local t = case.token:sub(-3, -3)
        local bad_tag = case.token:sub(1, -4) .. (t == "A" and "B" or "A") .. case.token:sub(-2)
        local _, m1, c1 = safe.jwe_decrypt(bad_key, case.key.jwk, opts)
        local _, m2, c2 = safe.jwe_decrypt(bad_tag, case.key.jwk, opts)
        assert.are.equal("decrypt_failed", c1)
        assert.are.equal(c1, c2)
        assert.are.equal(m1, m2)
        local _, _, c3 = safe.jwe_encrypt("x", case.key.jwk, { alg = "RSA1_5", enc = "A128GCM" })
        assert.are.equal("unsupported_alg", c3)
    end)

    it("binds keys to their use, both ways", function()
        local tok = cjwt.jwe_encrypt("x", k, { alg = "A128KW", enc = "A128GCM" })
        local opts = { algorithms = { "A128KW" }, encryptions = { "A128GCM" } }
        for _, extra in ipairs({ { use = "sig" }, { key_ops = { "verify" } }, { key_ops = { "wrapKey" } } }) do
            local jwk = { kty = "oct", k = b64u(K16) }
            for n, v in pairs(extra) do jwk[n] = v end
            local _, _, code = safe.jwe_decrypt(tok, jwk, opts)
            assert.are.equal("invalid_key", code)
        end
        local secret = string.rep("s", 32)
        local jws = cjwt.encode({ sub = "u" }, secret, { alg = "HS256" })
        for _, extra in ipairs({ { use = "enc" }, { alg = "A256KW" }, { key_ops = { "decrypt" } } }) do
            local jwk = { kty = "oct", k = b64u(secret) }
            for n, v in pairs(extra) do jwk[n] = v end
            local claims, _, code = safe.decode(jws, jwk, { algorithms = { "HS256" } })
            assert.is_nil(claims)
            assert.are.equal("invalid_key", code)
        end
    end)

    it("keeps the alg and enc allowlists separate and required", function()
        local tok = cjwt.jwe_encrypt("x", k, { alg = "A128KW", enc = "A128GCM" })
        for _, o in ipairs({ { algorithms = { "A128KW" } }, { encryptions = { "A128GCM" } },
                             { algorithms = { "A128KW" }, encryptions = { "A256GCM" } },
                             { algorithms = { "dir" }, encryptions = { "A128GCM" } } }) do
            local _, _, code = safe.jwe_decrypt(tok, k, o)
            assert.are.equal("alg_not_allowed", code)
        end
        local _, _, code = safe.jwe_decrypt(tok, k, { algorithms = { "A128GCM" }, encryptions = { "A128GCM" } })
        assert.are.equal("unsupported_alg", code)
        assert.has_error(function() cjwt.jwe_decrypt(tok, k, { algorithmz = { "A128KW" } }) end)
    end)

    it("refuses a truncated tag", function()
        local tok = cjwt.jwe_encrypt("x", k, { alg = "A128KW", enc = "A128GCM" })
        local cut = tok:sub(1, #tok - 2)   -- 22 -> 20 characters: 15 bytes
        local _, _, code = safe.jwe_decrypt(cut, k, { algorithms = { "A128KW" }, encryptions = { "A128GCM" } })
        assert.are.equal("decrypt_failed", code)
    end)

    it("refuses crit", function()
        local tok = cjwt.jwe_encrypt("x", k, { alg = "A128KW", enc = "A128GCM" })
        local evil = with_header(tok, { alg = "A128KW", enc = "A128GCM", crit = { "exp" }, exp = 1 })
        local _, _, code = safe.jwe_decrypt(evil, k, { algorithms = { "A128KW" }, encryptions = { "A128GCM" } })
        assert.are.equal("unknown_crit", code)
        -- the raising flavour raises an error object with the same code
        local ok, e = pcall(cjwt.jwe_decrypt, evil, k, { algorithms = { "A128KW" }, encryptions = { "A128GCM" } })
        assert.is_false(ok)
        assert.is_true(cjwt.is_error(e))
        assert.are.equal("unknown_crit", e.code)
    end)
end)
