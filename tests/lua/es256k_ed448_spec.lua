-- ES256K (secp256k1, RFC 8812) and EdDSA with Ed448 keys (RFC 8037) through the
-- Lua binding: sign/verify with every key form, generation on a curve, key
-- sets, and the threats (ES256 vs ES256K keys, Ed25519 vs Ed448 keys,
-- wrong-length signatures, points off the curve). The keys are the fixed ones
-- of tests/interop/keys.json (made by `cryptography`), as in the C and Python
-- threat tests.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"
local T = dofile("tests/lua/threatlib.lua")
local V = dofile("tests/lua/vectorlib.lua")

local K = T.KEYS
local CLAIMS = { sub = "user-1" }

local function opts(algs)
    return { algorithms = algs, now = T.NOW }
end

describe("ES256K and Ed448", function()
    local cases = {
        { name = "secp256k1", alg = "ES256K", size = 64, crv = "secp256k1", kty = "EC" },
        { name = "ed448", alg = "EdDSA", size = 114, crv = "Ed448", kty = "OKP" },
    }
    for _, c in ipairs(cases) do
        it(c.alg .. " with " .. c.crv .. ": every key form", function()
            local priv = cjwt.key(K[c.name].private_pem)
            local token = cjwt.encode(CLAIMS, priv, { alg = c.alg })
            assert.are.equal(c.size, #T.signature(token))
            for _, key in ipairs({ K[c.name].public_pem, K[c.name].public_jwk,
                                   cjwt.key(K[c.name].public_pem), priv,
                                   cjwt.key(cjwt.key(K[c.name].public_pem):to_jwk()) }) do
                assert.are.equal("user-1", cjwt.decode(token, key, opts({ c.alg })).sub)
            end
            local pub = cjwt.key(K[c.name].public_pem)
            assert.are.equal(c.crv, pub.curve)
            assert.are.equal(c.kty, pub.kty)
            assert.are.equal(c.crv, pub:to_jwk().crv)
            local data = "\0\1\2 raw bytes \255"
            assert.are.equal(data, cjwt.jws_decode(cjwt.jws_encode(data, priv, { alg = c.alg }),
                                                   pub, { algorithms = { c.alg } }))
        end)

        it(c.alg .. " with " .. c.crv .. ": wrong-length and forged signatures", function()
            local token = cjwt.encode(CLAIMS, K[c.name].private_pem, { alg = c.alg })
            local sig = T.signature(token)
            for _, bad in ipairs({ "", sig:sub(1, -2), sig .. "\0", "\0" .. sig, sig:sub(1, 57),
                                   ("\0"):rep(c.size), ("\255"):rep(c.size),
                                   sig:sub(c.size / 2 + 1) .. sig:sub(1, c.size / 2) }) do
                T.expect_code("bad_signature", cjwt.decode, T.with_signature(token, bad),
                              K[c.name].public_pem, opts({ c.alg }))
            end
        end)
    end

    it("generates keys on a named curve", function()
        local e = cjwt.generate_key("EdDSA", { kid = "e", crv = "Ed448" })
        assert.are.same({ "OKP", "Ed448", 456, "EdDSA", "e" }, { e.kty, e.curve, e.bits, e.alg, e.kid })
        local token = cjwt.encode(CLAIMS, e, { alg = "EdDSA" })
        assert.are.equal(114, #T.signature(token))
        assert.are.equal("user-1", cjwt.decode(token, e:to_jwk(), opts({ "EdDSA" })).sub)
        assert.are.equal("Ed25519", cjwt.generate_key("EdDSA").curve)
        local k1 = cjwt.generate_key("ES256K")
        assert.are.same({ "EC", "secp256k1", "ES256K" }, { k1.kty, k1.curve, k1.alg })
        for _, bad in ipairs({ { "ES256", "secp256k1" }, { "ES256K", "P-256" }, { "EdDSA", "X448" },
                               { "RS256", "Ed448" } }) do
            T.expect_code("invalid_key", cjwt.generate_key, bad[1], { crv = bad[2] })
            local k, _, code = safe.generate_key(bad[1], { crv = bad[2] })
            assert.is_nil(k)
            assert.are.equal("invalid_key", code)
        end
    end)

    it("never verifies ES256 with a secp256k1 key, nor ES256K with a P-256 key", function()
        local every = { "ES256", "ES256K", "ES384", "ES512", "EdDSA", "RS256", "HS256" }
        local k1_token = cjwt.encode(CLAIMS, K.secp256k1.private_pem, { alg = "ES256K" })
        local p256_token = cjwt.encode(CLAIMS, K.ec256.private_pem, { alg = "ES256" })
        local err = T.expect_code("invalid_key", cjwt.decode, k1_token, K.ec256.public_pem, opts(every))
        assert.truthy(err.message:find("ES256K needs a secp256k1 key", 1, true))
        err = T.expect_code("invalid_key", cjwt.decode, p256_token, K.secp256k1.public_pem, opts(every))
        assert.truthy(err.message:find("ES256 needs a P-256 key", 1, true))
        -- the secp256k1 signature under an ES256 header
        local forged = p256_token:match("^(.*%.)") .. k1_token:match("([^.]*)$")
        T.expect_code("invalid_key", cjwt.decode, forged, K.secp256k1.public_pem, opts(every))
        T.expect_code("bad_signature", cjwt.decode, forged, K.ec256.public_pem, opts({ "ES256" }))
        T.expect_code("alg_not_allowed", cjwt.decode, k1_token, K.secp256k1.public_pem, opts({ "ES256" }))
        T.expect_code("invalid_key", cjwt.key, K.secp256k1.public_pem, { alg = "ES256" })
        T.expect_code("invalid_key", cjwt.jwe_encrypt, "x", K.secp256k1.public_pem,
                      { alg = "ECDH-ES", enc = "A128GCM" })
    end)

    it("never verifies an Ed448 signature with an Ed25519 key, nor the reverse", function()
        local t448 = cjwt.encode(CLAIMS, K.ed448.private_pem, { alg = "EdDSA" })
        local t255 = cjwt.encode(CLAIMS, K.ed25519.private_pem, { alg = "EdDSA" })
        T.expect_code("bad_signature", cjwt.decode, t448, K.ed25519.public_pem, opts({ "EdDSA" }))
        T.expect_code("bad_signature", cjwt.decode, t255, K.ed448.public_pem, opts({ "EdDSA" }))
        T.expect_code("invalid_key", cjwt.decode, t448, K.ec256.public_pem, opts({ "EdDSA", "ES256" }))
        T.expect_code("invalid_key", cjwt.decode, t448, T.SECRET, opts({ "EdDSA", "HS256" }))
        -- a key set with both curves: the kid, or else the key that fits, answers
        local set = cjwt.keyset({ keys = { K.ed25519.public_jwk, K.ed448.public_jwk,
                                           K.secp256k1.public_jwk, K.ec256.public_jwk } })
        local every = { "EdDSA", "ES256", "ES256K" }
        for _, t in ipairs({ t448, t255,
                             cjwt.encode(CLAIMS, K.secp256k1.private_pem, { alg = "ES256K" }),
                             cjwt.encode(CLAIMS, K.ed448.private_pem,
                                         { alg = "EdDSA", header = { kid = K.ed448.public_jwk.kid } }) }) do
            assert.are.equal("user-1", cjwt.decode(t, set, opts(every)).sub)
        end
        T.expect_code("bad_signature", cjwt.decode,
                      cjwt.encode(CLAIMS, K.ed448.private_pem,
                                  { alg = "EdDSA", header = { kid = K.ed25519.public_jwk.kid } }),
                      set, opts(every))
    end)

    it("refuses points off the curve and keys of the wrong size", function()
        local jwk = K.secp256k1.public_jwk
        local y = T.b64url_decode(jwk.y)
        local last = y:byte(-1)
        local y2 = y:sub(1, -2) .. string.char(last % 2 == 0 and last + 1 or last - 1)
        for _, bad in ipairs({
            { kty = "EC", crv = "secp256k1", x = jwk.x, y = T.b64url(y2) },
            { kty = "EC", crv = "secp256k1", x = K.ec256.public_jwk.x, y = K.ec256.public_jwk.y },
            { kty = "OKP", crv = "Ed448", x = K.ed25519.public_jwk.x },
            { kty = "OKP", crv = "secp256k1", x = jwk.x },
        }) do
            T.expect_code("invalid_key", cjwt.key, bad)
        end
    end)

    it("RFC 8032 7.4 key pairs: x is derived from d", function()
        local doc = V.read_json("tests/vectors/primitives/rfc8032_ed448.json")
        assert.are.equal(8, #doc.cases)
        for i, c in ipairs(doc.cases) do
            local jwk = { kty = "OKP", crv = "Ed448", d = T.b64url(V.unhex(c.secret_key)),
                          x = T.b64url(V.unhex(c.public_key)) }
            local key = cjwt.key(jwk)
            assert.is_true(key.is_private)
            assert.are.equal(jwk.x, key:to_jwk().x)
            local msg = V.unhex(c.message)
            local token = cjwt.jws_encode(msg, key, { alg = "EdDSA" })
            assert.are.equal(msg, cjwt.jws_decode(token, { kty = "OKP", crv = "Ed448", x = jwk.x },
                                                  { algorithms = { "EdDSA" } }))
            local other = doc.cases[i % 8 + 1].public_key
            T.expect_code("invalid_key", cjwt.key, { kty = "OKP", crv = "Ed448", d = jwk.d,
                                                     x = T.b64url(V.unhex(other)) })
        end
    end)
end)
