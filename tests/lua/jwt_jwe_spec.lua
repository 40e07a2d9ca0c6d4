-- Encrypted and nested JWTs through the Lua API (cjwt.encode_encrypted /
-- encode_nested / decode_encrypted / decode_encrypted_complete / decode_nested and
-- their cjwt.safe forms): the shared vectors tests/vectors/encrypted_jwt/vectors.json
-- (made by jwcrypto), round trips, and the threats at this layer.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local V = dofile("tests/lua/vectorlib.lua")

local NOW = 1700000000
local DIR_KEY = { kty = "oct", k = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", use = "enc" }
local HS = "a secret of at least 32 bytes for HS256!"
local function dir(extra)
    local o = { algorithms = { "dir" }, encryptions = { "A256GCM" } }
    for k, v in pairs(extra or {}) do
        o[k] = v
    end
    return o
end

describe("encrypted JWT vectors", function()
    local doc = V.read_json("tests/vectors/encrypted_jwt/vectors.json")
    it("exist", function()
        assert.is_true(#doc.cases >= 20)
    end)
    for _, case in ipairs(doc.cases) do
        it(case.name, function()
            local opts = { now = case.now }
            for k, v in pairs(case.options) do
                opts[k] = v
            end
            if case.verification_key then
                opts.verification_key = case.verification_key.jwk
            end
            local out, msg, code, claim = safe.decode_encrypted_complete(case.token, case.key.jwk, opts)
            if case.expect.error then
                assert.is_nil(out)
                assert.are.equal(case.expect.error, code, msg)
                if case.expect.claim then
                    assert.are.equal(case.expect.claim, claim)
                end
            else
                assert.is_table(out, msg)
                assert.is_true(V.json_equal(case.expect.claims, out.payload))
                assert.are.equal(case.verification_key ~= nil, out.jws_header ~= nil)
            end
        end)
    end
end)

describe("encrypted JWTs", function()
    it("round trip with the claim checks of decode", function()
        local t = cjwt.encode_encrypted({ sub = "u", aud = "api" }, DIR_KEY,
                                        { alg = "dir", enc = "A256GCM", expires_in = "15m", now = NOW,
                                          header = { kid = "k1" } })
        local full = cjwt.decode_encrypted_complete(t, DIR_KEY, dir({ audience = "api", now = NOW + 60 }))
        assert.are.equal("u", full.payload.sub)
        assert.are.equal(NOW + 900, full.payload.exp)
        assert.are.equal("JWT", full.header.typ)
        assert.are.equal("k1", full.header.kid)
        assert.is_nil(full.jws_header)
        local ok, err = pcall(cjwt.decode_encrypted, t, DIR_KEY, dir({ audience = "api", now = NOW + 901 }))
        assert.is_false(ok)
        assert.are.equal("expired", err.code)
        assert.is_true(cjwt.is_error(err))
        local _, _, code = safe.decode_encrypted(t, DIR_KEY, dir({ now = NOW }))
        assert.are.equal("invalid_audience", code)
        local _, _, code2, claim = safe.decode_encrypted(t, DIR_KEY, dir({ audience = "api", now = NOW, require = { "jti" } }))
        assert.are.equal("missing_claim", code2)
        assert.are.equal("jti", claim)
    end)

    it("nested round trip, the verification key from a key set", function()
        local signer = cjwt.generate_key("ES256", { kid = "s1" })
        local t = cjwt.encode_nested({ sub = "n" }, signer, DIR_KEY,
                                     { algorithm = "ES256", alg = "dir", enc = "A256GCM", zip = "DEF",
                                       sign_header = { typ = "at+jwt" } })
        local ks = cjwt.keyset({ keys = { signer:to_jwk(false) } })
        local full = cjwt.decode_encrypted_complete(t, DIR_KEY, dir({ verification_key = ks,
            signature_algorithms = { "ES256" }, typ = "at+jwt" }))
        assert.are.equal("n", full.payload.sub)
        assert.are.equal("JWT", full.header.cty)
        assert.are.equal("s1", full.jws_header.kid)
        assert.are.equal("n", cjwt.decode_nested(t, DIR_KEY, signer, dir({ signature_algorithms = { "ES256" } })).sub)
        assert.has_error(function()
            cjwt.decode_nested(t, DIR_KEY, signer, dir({ verification_key = signer }))
        end)
    end)

    it("threat: nested without a verification key, unsigned where nested is required", function()
        local nested = cjwt.encode_encrypted({ sub = "x" }, DIR_KEY,
                                             { alg = "dir", enc = "A256GCM", signing_key = HS, algorithm = "HS256" })
        local _, _, code = safe.decode_encrypted(nested, DIR_KEY, dir())
        assert.are.equal("invalid_key", code)
        local forged = cjwt.encode_encrypted({ sub = "admin" }, DIR_KEY, { alg = "dir", enc = "A256GCM" })
        _, _, code = safe.decode_nested(forged, DIR_KEY, HS, dir({ signature_algorithms = { "HS256" } }))
        assert.are.equal("bad_signature", code)
        _, _, code = safe.decode_nested(nested, DIR_KEY, HS, dir())
        assert.are.equal("alg_not_allowed", code)
    end)

    it("threat: an inner alg none is never accepted nor made", function()
        local t = cjwt.jwe_encrypt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", DIR_KEY,
                                   { alg = "dir", enc = "A256GCM", header = { cty = "JWT" } })
        local _, _, code = safe.decode_nested(t, DIR_KEY, HS, dir({ signature_algorithms = { "HS256", "none" } }))
        assert.are.equal("alg_not_allowed", code)
        _, _, code = safe.encode_nested({}, HS, DIR_KEY, { algorithm = "none", alg = "dir", enc = "A256GCM" })
        assert.are.equal("unsupported_alg", code)
    end)

    it("threat: cty JWT over something that is not a JWS", function()
        for _, pt in ipairs({ '{"sub":"x"}', "a.b.c.d.e", "" }) do
            local t = cjwt.jwe_encrypt(pt, DIR_KEY, { alg = "dir", enc = "A256GCM", header = { cty = "jwt" } })
            local _, _, code = safe.decode_nested(t, DIR_KEY, HS, dir({ signature_algorithms = { "HS256" } }))
            assert.are.equal("malformed", code)
        end
        local _, _, code = safe.encode_encrypted({}, DIR_KEY, { alg = "dir", enc = "A256GCM", header = { cty = "JWT" } })
        assert.are.equal("malformed", code)
    end)

    it("threat: keys of the wrong kind or use", function()
        local t = cjwt.encode_encrypted({ sub = "x" }, DIR_KEY, { alg = "dir", enc = "A256GCM" })
        local sig = { kty = "oct", k = DIR_KEY.k, use = "sig" }
        for _, wrong in ipairs({ sig, cjwt.generate_key("ES256"), HS }) do
            local _, _, code = safe.decode_encrypted(t, wrong, dir())
            assert.are.equal("invalid_key", code)
        end
        local nested = cjwt.encode_nested({}, HS, DIR_KEY, { algorithm = "HS256", alg = "dir", enc = "A256GCM" })
        local _, _, code = safe.decode_nested(nested, DIR_KEY, DIR_KEY, dir({ signature_algorithms = { "HS256" } }))
        assert.are.equal("invalid_key", code)
    end)

    it("threat: oversize inner token and plaintext", function()
        local big = { pad = string.rep("x", 20000) }
        local nested = cjwt.encode_nested(big, HS, DIR_KEY, { algorithm = "HS256", alg = "dir", enc = "A256GCM" })
        local _, _, code = safe.decode_nested(nested, DIR_KEY, HS, dir({ signature_algorithms = { "HS256" } }))
        assert.are.equal("too_large", code)
        local out = cjwt.decode_nested(nested, DIR_KEY, HS, dir({ signature_algorithms = { "HS256" },
                                                                  max_token_len = 100000 }))
        assert.are.equal(20000, #out.pad)
        local plain = cjwt.encode_encrypted(big, DIR_KEY, { alg = "dir", enc = "A256GCM", zip = "DEF" })
        _, _, code = safe.decode_encrypted(plain, DIR_KEY, dir({ max_plaintext = 1000 }))
        assert.are.equal("too_large", code)
    end)

    it("denylist and misuse", function()
        local t = cjwt.encode_encrypted({ jti = "j1" }, DIR_KEY, { alg = "dir", enc = "A256GCM" })
        local seen
        local _, _, code = safe.decode_encrypted(t, DIR_KEY, dir({ denylist = function(c) seen = c.jti; return true end }))
        assert.are.equal("revoked", code)
        assert.are.equal("j1", seen)
        assert.has_error(function() safe.decode_encrypted(t, DIR_KEY, dir({ verify_signature = false })) end)
        assert.has_error(function() safe.decode_encrypted(t, DIR_KEY, dir({ bogus = 1 })) end)
        assert.has_error(function() safe.encode_encrypted({}, DIR_KEY, { alg = "dir", enc = "A256GCM", algorithm = "HS256" }) end)
        assert.has_error(function() safe.encode_nested({}, HS, DIR_KEY, { signing_key = HS }) end)
    end)
end)

describe("jwe_encrypt_json", function()
    local kw = { kty = "oct", k = "GawgguFyGrWKav7AX4VKUg", kid = "kw-1" }
    local ec = cjwt.generate_key("ES256"):to_jwk(true)
    ec.alg, ec.use, ec.kid = nil, "enc", "ec-1"
    it("general: several recipients, each decrypts; the headers merge", function()
        local out = cjwt.jwe_encrypt_json("hello", {
            { key = kw, alg = "A128KW" },
            { key = ec, alg = "ECDH-ES+A256KW", header = { note = "ec" } },
            { key = "Thus from my lips", alg = "PBES2-HS256+A128KW", p2c = 1000 },
        }, { enc = "A256GCM", protected = { cty = "text/plain" }, unprotected = { jku = "x" },
             aad = "more", zip = "DEF" })
        assert.are.equal(3, #out.recipients)
        assert.are.equal(1000, out.recipients[3].header.p2c)
        local full = cjwt.jwe_decrypt_complete(out, ec, { algorithms = { "ECDH-ES+A256KW" },
                                                         encryptions = { "A256GCM" } })
        assert.are.equal("hello", full.plaintext)
        assert.are.equal("ec", full.header.note)
        assert.are.equal("x", full.header.jku)
        assert.are.equal("text/plain", full.header.cty)
        assert.are.equal("hello", cjwt.jwe_decrypt(out, kw, { algorithms = { "A128KW" }, encryptions = { "A256GCM" } }))
        assert.are.equal("hello", cjwt.jwe_decrypt(out, cjwt.key("Thus from my lips", { format = "secret" }),
            { algorithms = { "PBES2-HS256+A128KW" }, encryptions = { "A256GCM" } }))
        local one = cjwt.jwe_encrypt_json("hello", { { key = kw, alg = "A128KW" } }, { enc = "A256GCM", aad = "more" })
        one.aad = "bW9yZg"
        local _, _, code = safe.jwe_decrypt(one, kw, { algorithms = { "A128KW" }, encryptions = { "A256GCM" } })
        assert.are.equal("decrypt_failed", code)
    end)
    it("flattened, and what is refused", function()
        local f = cjwt.jwe_encrypt_json("flat", { { key = kw, alg = "A128GCMKW" } }, { enc = "A128GCM", flattened = true })
        assert.is_nil(f.recipients)
        assert.are.equal("A128GCMKW", f.header.alg)
        assert.are.equal("flat", cjwt.jwe_decrypt(f, kw, { algorithms = { "A128GCMKW" }, encryptions = { "A128GCM" } }))
        local dir = { kty = "oct", k = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" }
        local _, _, code = safe.jwe_encrypt_json("x", { { key = dir, alg = "dir" }, { key = kw, alg = "A128KW" } }, { enc = "A256GCM" })
        assert.are.equal("unsupported_alg", code)
        _, _, code = safe.jwe_encrypt_json("x", { { key = kw, alg = "A128KW", header = { kid = "a" } } },
                                           { enc = "A256GCM", unprotected = { kid = "b" } })
        assert.are.equal("malformed", code)
        _, _, code = safe.jwe_encrypt_json("x", { { key = kw, alg = "A128KW" }, { key = kw, alg = "A128KW" } },
                                           { enc = "A256GCM", flattened = true })
        assert.are.equal("malformed", code)
        assert.has_error(function() safe.jwe_encrypt_json("x", { { key = kw } }, { enc = "A256GCM" }) end)
        assert.has_error(function() safe.jwe_encrypt_json("x", {}, { enc = "A256GCM" }) end)
        assert.has_error(function() safe.jwe_encrypt_json("x", { { key = kw, alg = "A128KW", bad = 1 } }, { enc = "A256GCM" }) end)
    end)
end)
