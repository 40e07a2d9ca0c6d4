-- Asymmetric algorithms and keys: every algorithm signs and verifies with
-- every form of its key (object, PEM, JWK), tampering and key confusion are
-- refused with the right error name, PEM files from the openssl command line
-- (PKCS#1, PKCS#8, encrypted PKCS#8, SPKI, certificates) load, JWK/PEM
-- export round-trips, RFC 7638 thumbprints.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local NOW = 1700000000
local ALGS = { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
               "PS512", "ES256", "ES384", "ES512", "EdDSA", "ES256K" }

local code_of = dofile("tests/lua/speclib.lua").code_of

-- Flip one character in the middle of the given segment (1..3) of a token.
local function tamper(token, segment)
    local parts = {}
    for p in (token .. "."):gmatch("([^.]*)%.") do
        parts[#parts + 1] = p
    end
    local s = parts[segment]
    local i = math.floor(#s / 2)
    local c = s:sub(i, i) == "A" and "B" or "A"
    parts[segment] = s:sub(1, i - 1) .. c .. s:sub(i + 1)
    return table.concat(parts, ".")
end

-- openssl CLI, writing into a private temp dir; returns file contents.
local TMP
local function sh(cmd)
    local p = assert(io.popen("cd " .. TMP .. " && " .. cmd .. " 2>&1"))
    local out = p:read("*a")
    local ok = p:close()
    assert(ok, cmd .. ": " .. out)
    return out
end
local function slurp(name)
    local f = assert(io.open(TMP .. "/" .. name, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

-- One key per algorithm, generated once (RSA generation costs ~0.1 s).
local KEYS = {}
for _, alg in ipairs(ALGS) do
    KEYS[alg] = cjwt.generate_key(alg, { kid = "k-" .. alg })
end
local OTHER = {}
for _, alg in ipairs({ "ES256", "ES384", "ES512", "EdDSA", "ES256K" }) do
    OTHER[alg] = cjwt.generate_key(alg)
end
OTHER.RSA = cjwt.key(cjwt.generate_key("RS256"):to_pem(true))

describe("every algorithm", function()
    for _, alg in ipairs(ALGS) do
        local key = KEYS[alg]
        local opts = { algorithms = { alg }, now = NOW }
        local payload = { sub = "user-1", iat = NOW, exp = NOW + 60 }

        it(alg .. ": signs and verifies with the key object and its public forms", function()
            local token = cjwt.encode(payload, key, { alg = alg, now = NOW, header = { kid = key.kid } })
            assert.are.same({ alg = alg, typ = "JWT", kid = key.kid }, cjwt.get_unverified_header(token))
            assert.are.same(payload, cjwt.decode(token, key, opts))
            if key.kty == "oct" then
                assert.are.same(payload, cjwt.decode(token, key:to_jwk(true), opts))
            else
                local pub_pem = key:to_pem()
                assert.truthy(pub_pem:find("BEGIN PUBLIC KEY", 1, true))
                assert.are.same(payload, cjwt.decode(token, pub_pem, opts))
                assert.are.same(payload, cjwt.decode(token, key:to_jwk(), opts))
                assert.are.same(payload, cjwt.decode(token, cjwt.key(key:to_jwk()), opts))
                assert.are.same(payload, cjwt.decode(token, cjwt.key(pub_pem), opts))
                -- a public key cannot sign
                assert.are.equal("invalid_key", code_of(cjwt.encode, payload, pub_pem, { alg = alg }))
            end
        end)

        it(alg .. ": raw JWS over bytes", function()
            local data = "\0binary\255payload"
            local token = cjwt.jws_encode(data, key, { alg = alg })
            assert.are.equal(data, cjwt.jws_decode(token, key, { algorithms = { alg } }))
        end)

        it(alg .. ": tampered header, payload or signature is refused", function()
            local token = cjwt.encode(payload, key, { alg = alg, now = NOW })
            local c2 = code_of(cjwt.decode, tamper(token, 2), key, opts)
            assert.are.equal("bad_signature", c2)
            local c3 = code_of(cjwt.decode, tamper(token, 3), key, opts)
            assert.are.equal("bad_signature", c3)
            local c1 = code_of(cjwt.decode, tamper(token, 1), key, opts)
            assert.truthy(c1 == "malformed" or c1 == "bad_signature", c1)
        end)

        it(alg .. ": another key of the same type is bad_signature; alg off the list is refused", function()
            local token = cjwt.encode(payload, key, { alg = alg })
            local other = OTHER[alg]
            if alg:sub(1, 1) == "R" or alg:sub(1, 1) == "P" then
                other = OTHER.RSA                  -- unbound: fits every RS/PS alg
            elseif alg:sub(1, 2) == "HS" then
                other = cjwt.key(string.rep("z", 64))
            end
            assert.are.equal("bad_signature", code_of(cjwt.decode, token, other, opts))
            local c = code_of(cjwt.decode, token, key, { algorithms = { alg == "HS256" and "HS384" or "HS256" } })
            assert.are.equal("alg_not_allowed", c)
        end)
    end
end)

describe("key confusion", function()
    it("an HS256 token MACed with an RSA public PEM is refused with that PEM: invalid_key", function()
        local pem = KEYS.RS256:to_pem()
        -- the attacker's token: the public PEM bytes used as the HMAC secret
        local forged = cjwt.encode({ sub = "admin" }, cjwt.key(pem, { format = "secret" }), { alg = "HS256" })
        assert.are.equal("invalid_key", code_of(cjwt.decode, forged, pem, { algorithms = { "HS256", "RS256" } }))
        assert.are.equal("invalid_key", code_of(cjwt.decode, forged, cjwt.key(pem), { algorithms = { "HS256" } }))
        local _, msg, code = safe.decode(forged, pem, { algorithms = { "HS256", "RS256" } })
        assert.are.equal("invalid_key", code)
        assert.is_string(msg)
    end)

    local rows = {
        { "ES384 token, P-256 key", "ES384", "ES256" },
        { "ES256 token, P-384 key", "ES256", "ES384" },
        { "ES512 token, P-256 key", "ES512", "ES256" },
        { "RS256 token, EC key", "RS256", "ES256" },
        { "PS256 token, Ed25519 key", "PS256", "EdDSA" },
        { "EdDSA token, RSA key", "EdDSA", "RS256" },
        { "ES256 token, HMAC key", "ES256", "HS256" },
    }
    for _, row in ipairs(rows) do
        it(row[1] .. " is invalid_key", function()
            local token = cjwt.encode({ a = 1 }, KEYS[row[2]], { alg = row[2] })
            local key = KEYS[row[3]]
            local pub = key.kty == "oct" and key or key:to_pem()
            assert.are.equal("invalid_key", code_of(cjwt.decode, token, pub, { algorithms = { row[2] } }))
            assert.are.equal("invalid_key", code_of(cjwt.decode, token, key, { algorithms = { row[2] } }))
        end)
    end

    it("a key bound to an alg refuses the other algs of its type", function()
        local rs = KEYS.RS256                      -- generated for RS256: bound
        assert.are.equal("RS256", rs.alg)
        local c = code_of(cjwt.encode, { a = 1 }, rs, { alg = "PS256" })
        assert.are.equal("invalid_key", c)
        -- the same material, unbound, signs PS256 too
        local unbound = cjwt.key(rs:to_pem(true))
        assert.is_nil(unbound.alg)
        local token = cjwt.encode({ a = 1 }, unbound, { alg = "PS256" })
        assert.are.same({ a = 1 }, cjwt.decode(token, unbound, { algorithms = { "PS256" } }))
    end)
end)

describe("PEM files from the openssl command line", function()
    setup(function()
        TMP = os.tmpname()
        os.remove(TMP)
        assert(os.execute("mkdir -m 700 " .. TMP))
        sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem")
        sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec256.pem")
        sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec384.pem")
        sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out ec521.pem")
        sh("openssl genpkey -algorithm ED25519 -out ed.pem")
        sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem")
        for _, n in ipairs({ "rsa", "ec256", "ec384", "ec521", "ed" }) do
            sh("openssl pkey -in " .. n .. ".pem -pubout -out " .. n .. ".pub.pem")
            sh("openssl pkcs8 -topk8 -in " .. n .. ".pem -v2 aes-256-cbc -passout pass:s3cret -out "
               .. n .. ".enc.pem")
            sh("openssl req -x509 -new -key " .. n .. ".pem -subj /CN=cjwt-test -days 2 -out "
               .. n .. ".crt")
        end
        sh("openssl rsa -in rsa.pem -traditional -out rsa.pkcs1.pem")
        sh("openssl rsa -in rsa.pem -RSAPublicKey_out -out rsa.pkcs1.pub.pem")
        sh("openssl ec -in ec256.pem -out ec256.sec1.pem")
        sh("openssl pkey -in rsa.pem -outform DER -out rsa.der")
    end)

    teardown(function()
        if TMP then
            os.execute("rm -rf " .. TMP)
        end
    end)

    local FILES = {
        { "rsa", "RS256", 2048 }, { "ec256", "ES256", 256 }, { "ec384", "ES384", 384 },
        { "ec521", "ES512", 521 }, { "ed", "EdDSA", 256 },
    }
    for _, f in ipairs(FILES) do
        local name, alg, bits = f[1], f[2], f[3]
        it(name .. ": PKCS#8, encrypted PKCS#8, SPKI and certificate all fit together", function()
            local priv = cjwt.key(slurp(name .. ".pem"), { kid = name })
            assert.is_true(priv.is_private)
            assert.are.equal(name, priv.kid)
            assert.are.equal(bits, priv.bits)
            local enc = cjwt.key(slurp(name .. ".enc.pem"), { password = "s3cret" })
            assert.is_true(enc.is_private)
            assert.are.equal(priv:thumbprint(), enc:thumbprint())
            local token = cjwt.encode({ sub = name }, enc, { alg = alg })
            for _, pubfile in ipairs({ name .. ".pub.pem", name .. ".crt" }) do
                local text = slurp(pubfile)
                assert.are.same({ sub = name }, cjwt.decode(token, text, { algorithms = { alg } }))
                local pub = cjwt.key(text)
                assert.is_false(pub.is_private)
                assert.are.equal(priv:thumbprint(), pub:thumbprint())
            end
            -- the module's own PEM export reads back as the same key
            assert.are.equal(priv:thumbprint(), cjwt.key(priv:to_pem(true)):thumbprint())
            assert.are.equal(slurp(name .. ".pub.pem"), priv:to_pem())
        end)

        it(name .. ": an encrypted PEM needs the right password", function()
            local text = slurp(name .. ".enc.pem")
            local k, msg, code = safe.key(text, { password = "wrong" })
            assert.is_nil(k)
            assert.are.equal("invalid_key", code)
            assert.is_string(msg)
            assert.are.equal("invalid_key", (code_of(cjwt.key, text)))
            assert.are.equal("invalid_key", (code_of(cjwt.key, text, { password = "" })))
        end)
    end

    it("PKCS#1 RSA private and public keys, SEC1 EC keys and DER", function()
        local ref = cjwt.key(slurp("rsa.pem")):thumbprint()
        assert.are.equal(ref, cjwt.key(slurp("rsa.pkcs1.pem")):thumbprint())
        assert.are.equal(ref, cjwt.key(slurp("rsa.pkcs1.pub.pem")):thumbprint())
        assert.are.equal(ref, cjwt.key(slurp("rsa.der")):thumbprint())
        assert.are.equal(ref, cjwt.key(slurp("rsa.der"), { format = "pem" }):thumbprint())
        assert.are.equal(cjwt.key(slurp("ec256.pem")):thumbprint(),
                         cjwt.key(slurp("ec256.sec1.pem")):thumbprint())
    end)

    it("an RSA key under 2048 bits is invalid_key", function()
        local c = code_of(function()
            local k = cjwt.key(slurp("rsa1024.pem"))
            return cjwt.encode({ a = 1 }, k, { alg = "RS256" })
        end)
        assert.are.equal("invalid_key", c)
    end)

    it("format = 'pem' refuses what is not a PEM/DER key", function()
        assert.are.equal("invalid_key", (code_of(cjwt.key, string.rep("s", 32), { format = "pem" })))
    end)

    it("a token signed by openssl's key verifies, and cjwt's ES256 verifies with openssl", function()
        -- sign with cjwt using the openssl-made key; check the signature with
        -- openssl dgst on the signing input (EdDSA: raw, one-shot).
        local key = cjwt.key(slurp("ed.pem"))
        local token = cjwt.jws_encode("hello", key, { alg = "EdDSA" })
        local h, p, s = token:match("^([^.]+)%.([^.]+)%.([^.]+)$")
        local f = assert(io.open(TMP .. "/input", "wb")); f:write(h .. "." .. p); f:close()
        -- base64url -> raw signature (the core has no public decoder)
        local sig = dofile("tests/lua/vectorlib.lua").b64url_decode(s)
        f = assert(io.open(TMP .. "/sig", "wb")); f:write(sig); f:close()
        local res = sh("openssl pkeyutl -verify -pubin -inkey ed.pub.pem -rawin -in input -sigfile sig")
        assert.truthy(res:find("Signature Verified Successfully", 1, true), res)
    end)
end)

describe("JWK and PEM export", function()
    for _, alg in ipairs(ALGS) do
        it(alg .. ": to_jwk(true) and to_pem(true) round-trip; public forms hold no secret", function()
            local key = KEYS[alg]
            local jwk = key:to_jwk(true)
            assert.are.equal(key.kty, jwk.kty)
            assert.are.equal(key.kid, jwk.kid)
            local back = cjwt.key(jwk)
            assert.are.equal(key:thumbprint(), back:thumbprint())
            assert.are.equal(key.kid, back.kid)
            assert.are.equal(key.alg, back.alg)
            assert.is_true(back.is_private)
            local token = cjwt.encode({ a = 1 }, back, { alg = alg })
            assert.are.same({ a = 1 }, cjwt.decode(token, key, { algorithms = { alg } }))
            if key.kty == "oct" then
                assert.are.equal("invalid_key", (code_of(key.to_pem, key, true)))
                assert.are.equal("invalid_key", (code_of(key.to_jwk, key)))
            else
                local pub = key:to_jwk()
                assert.is_nil(pub.d)
                assert.is_nil(pub.p)
                assert.is_false(cjwt.key(pub).is_private)
                assert.are.equal(key:thumbprint(), cjwt.key(pub):thumbprint())
                local pem = key:to_pem(true)
                assert.truthy(pem:find("BEGIN PRIVATE KEY", 1, true))
                assert.are.equal(key:thumbprint(), cjwt.key(pem):thumbprint())
                assert.is_true(cjwt.key(pem).is_private)
                -- a JWK as JSON text
                local json = require("cjson").encode(pub)
                assert.are.equal(key:thumbprint(), cjwt.key(json, { format = "jwk" }):thumbprint())
            end
        end)
    end

    it("RFC 7638 3.1 thumbprint", function()
        local k = cjwt.key({
            kty = "RSA", e = "AQAB", alg = "RS256", kid = "2011-04-29",
            n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        })
        assert.are.equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", k:thumbprint())
        assert.are.equal(2048, k.bits)
        assert.are.equal("RSA", k.kty)
        assert.is_nil(k.curve)
    end)

    it("key:with rebinds kid and alg, keeping the material", function()
        local k = KEYS.ES256:with({ kid = "renamed" })
        assert.are.equal("renamed", k.kid)
        assert.are.equal("ES256", k.alg)
        assert.are.equal(KEYS.ES256:thumbprint(), k:thumbprint())
        local r = cjwt.key(KEYS.RS256:to_pem(true)):with({ alg = "PS512" })
        assert.are.equal("PS512", r.alg)
        assert.is_nil(r.kid)
        assert.are.equal("invalid_key", (code_of(KEYS.ES256.with, KEYS.ES256, { alg = "ES384" })))
        assert.are.equal("unsupported_alg", (code_of(KEYS.ES256.with, KEYS.ES256, { alg = "XX1" })))
    end)

    it("cjwt.key binds kid and alg given as options", function()
        local k = cjwt.key(KEYS.EdDSA:to_pem(), { kid = "ed", alg = "EdDSA" })
        assert.are.equal("ed", k.kid)
        assert.are.equal("EdDSA", k.alg)
        assert.are.equal("Ed25519", k.curve)
        assert.are.equal("invalid_key", (code_of(cjwt.key, KEYS.EdDSA:to_pem(), { alg = "ES256" })))
    end)
end)

describe("generate_key", function()
    it("binds the key to its alg and kid, and gives fresh material each time", function()
        local a, b = cjwt.generate_key("ES256", { kid = "a" }), cjwt.generate_key("ES256")
        assert.are.equal("a", a.kid)
        assert.is_nil(b.kid)
        assert.are.equal("P-256", a.curve)
        assert.are_not.equal(a:thumbprint(), b:thumbprint())
        assert.are.equal(384, cjwt.generate_key("HS384").bits)
        assert.are.equal(2048, KEYS.PS256.bits)
    end)

    it("an unknown algorithm is unsupported_alg in both flavours", function()
        assert.are.equal("unsupported_alg", (code_of(cjwt.generate_key, "XS256")))
        local k, msg, code = safe.generate_key("XS256")
        assert.is_nil(k)
        assert.is_string(msg)
        assert.are.equal("unsupported_alg", code)
        local _, _, c2 = safe.generate_key("none")
        assert.is_string(c2)
    end)
end)
