-- JWE paths of the Lua binding, run under valgrind by `make test-lua-valgrind`
-- (not a busted spec): every alg family both ways, the JSON serializations
-- (as text and as tables), the RFC 7516 / RFC 7520 vectors, and failures of
-- every kind. Each call must free what the core gave it, success or not.
-- Keys: tests/interop/jwe_keys.json (no RSA key generation under valgrind).
local cjwt = require "cjwt"
local safe = require "cjwt.safe"
local cjson = require "cjson"

local function read_json(path)
    local f = assert(io.open(path, "rb"))
    local t = cjson.decode(f:read("*a"))
    f:close()
    return t
end
local KEYS = read_json("tests/interop/jwe_keys.json").keys
local RFC = read_json("tests/vectors/jwe_rfc.json").cases
local function public(jwk)
    local p = {}
    for k, v in pairs(jwk) do
        if not (k == "d" or k == "p" or k == "q" or k == "dp" or k == "dq" or k == "qi") then p[k] = v end
    end
    return p
end
local ENCS = { "A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512" }
local CEK = { A128GCM = 16, A192GCM = 24, A256GCM = 32, ["A128CBC-HS256"] = 32,
              ["A192CBC-HS384"] = 48, ["A256CBC-HS512"] = 64 }
-- alg -> key name (nil: dir, the key is the CEK)
local FAMILIES = {
    { "dir" }, { "A128KW", "oct16" }, { "A256KW", "oct32" }, { "A192GCMKW", "oct24" },
    { "PBES2-HS384+A192KW", "password" }, { "RSA-OAEP", "rsa" }, { "RSA-OAEP-256", "rsa" },
    { "ECDH-ES", "p256" }, { "ECDH-ES+A128KW", "p521" }, { "ECDH-ES+A192KW", "x25519" },
    { "ECDH-ES+A256KW", "x448" }, { "ECDH-ES", "p384" },
}
local OBJ = {}   -- key objects, made once
for name, jwk in pairs(KEYS) do OBJ[name] = cjwt.key(jwk) end
local RFC_KEYS = {}
local function rfc_key(key)
    if not key.jwk then return cjwt.key(key.secret, { format = "secret" }) end
    local text = cjson.encode(key.jwk)
    RFC_KEYS[text] = RFC_KEYS[text] or cjwt.key(key.jwk)
    return RFC_KEYS[text]
end
local MSG = "attack at dawn \226\156\147"

local function flip_tag(tok)
    local i = #tok - 5
    local c = tok:sub(i, i)
    return tok:sub(1, i - 1) .. (c == "A" and "B" or "A") .. tok:sub(i + 1)
end

for round = 1, 2 do
    -- every alg family with two encs (a GCM and a CBC-HS one, rotating so
    -- that every enc comes up; zip on every other), both ways, key tables and
    -- key objects; then a tampered tag, the wrong allowlist, the wrong key,
    -- and the complete form. Once: the second round runs the rest only.
    for fi, f in ipairs(round == 1 and FAMILIES or {}) do
        local alg, kn = f[1], f[2]
        for ei = 1, 2 do
            local enc = ENCS[(fi + ei * 3 - 1) % #ENCS + 1]
            local priv = KEYS[kn or ("oct" .. CEK[enc])]
            -- a JWK table once per family (an RSA JWK's checks are costly
            -- under valgrind), a key object for the rest
            local dk = ei == 1 and priv or (OBJ[kn or ("oct" .. CEK[enc])])
            local ek = (fi + ei) % 2 == 0 and cjwt.key(public(priv)) or public(priv)
            local tok = cjwt.jwe_encrypt(MSG, ek, { alg = alg, enc = enc, p2c = 1000,
                zip = (fi + ei) % 2 == 0 and "DEF" or nil, header = { kid = "k" .. fi, cty = "text/plain" } })
            local opts = { algorithms = { alg }, encryptions = { enc } }
            assert(cjwt.jwe_decrypt(tok, dk, opts) == MSG)
            assert(cjwt.jwe_decrypt_complete(tok, dk, opts).header.alg == alg)
            local pt, _, code = safe.jwe_decrypt(flip_tag(tok), dk, opts)
            assert(pt == nil and code == "decrypt_failed", code)
            assert(select(3, safe.jwe_decrypt(tok, dk, { algorithms = { "A192KW" }, encryptions = { enc } })))
            assert(select(3, safe.jwe_decrypt(tok, dk, { algorithms = { alg }, encryptions = { "Q" } })))
            safe.jwe_decrypt(tok, KEYS.oct16, opts)
            safe.jwe_decrypt(tok, OBJ.p256, opts)
            safe.jwe_decrypt(tok, dk, { algorithms = { alg }, encryptions = { enc }, max_plaintext = 3 })
            safe.jwe_decrypt(tok:sub(1, -3), dk, opts)
            safe.jwe_decrypt(tok .. ".x", dk, opts)
        end
    end

    -- the RFC 7516 appendix A and RFC 7520 section 5 examples, every
    -- serialization the RFC gives: as text, and the JSON forms as tables too
    for _, c in ipairs(RFC) do
        local key = rfc_key(c.key)
        local opts = { algorithms = c.options.algorithms, encryptions = c.options.encryptions }
        local text = c.token or cjson.encode(c.jwe)
        local pt, msg, code = safe.jwe_decrypt(text, key, opts)
        if c.expect.error then
            assert(code == c.expect.error, c.name)
        else
            assert(pt == c.expect.plaintext, c.name .. ": " .. tostring(msg))
            if c.jwe then
                assert(cjwt.jwe_decrypt_complete(c.jwe, key, opts).plaintext == pt)
                -- the JSON form with its tag, its header or a recipient spoiled
                local j = cjson.decode(text)
                j.tag = "AAAA"
                safe.jwe_decrypt(j, key, opts)
                j = cjson.decode(text)
                j.protected = "e30"
                safe.jwe_decrypt(j, key, opts)
                j = cjson.decode(text)
                if j.recipients then
                    table.insert(j.recipients, 1, { header = { alg = "A128KW" }, encrypted_key = "AAAA" })
                    table.insert(j.recipients, { header = 42 })
                else
                    j.unprotected = { zip = "DEF" }
                end
                safe.jwe_decrypt(j, key, opts)
                safe.jwe_decrypt(cjson.encode(j), key, opts)
            end
        end
    end

    -- hostile and malformed input: every one a clear error, nothing leaked
    local k16 = KEYS.oct16
    local o = { algorithms = { "A128KW", "dir", "PBES2-HS256+A128KW", "ECDH-ES" }, encryptions = ENCS }
    local good = cjwt.jwe_encrypt("x", k16, { alg = "A128KW", enc = "A128GCM" })
    local b64 = function(s)
        local t = {}
        for i = 1, #s, 3 do
            local a, b, c = s:byte(i, i + 2)
            local n = a * 65536 + (b or 0) * 256 + (c or 0)
            local A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            for j = 18, 0, -6 do
                if j >= 18 - 6 * (#s - i + 1) then
                    local d = math.floor(n / 2 ^ j) % 64 + 1
                    t[#t + 1] = A:sub(d, d)
                end
            end
        end
        return table.concat(t)
    end
    local rest = good:sub(good:find(".", 1, true))
    for _, h in ipairs({
        '{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":2147483647,"p2s":"AAAAAAAAAAAAAAAAAAAAAA"}',
        '{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":1000,"p2s":"AA"}',
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}}',
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"OKP","crv":"X25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}',
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":42}',
        '{"alg":"A128KW","enc":"A128GCM","crit":["exp"],"exp":1}',
        '{"alg":"A128KW","enc":"A128GCM","zip":"LZ4"}',
        '{"alg":"RSA1_5","enc":"A128GCM"}', '{"alg":"A128KW"}', '{"alg":"A128KW","enc":7}',
        '{"alg":"A128KW","enc":"A128GCM","alg":"dir"}', '[1,2]', '{"alg":"A128KW","enc":"A128GCM"',
    }) do
        safe.jwe_decrypt(b64(h) .. rest, k16, o)
        safe.jwe_decrypt(b64(h) .. rest, KEYS.x25519, o)
    end
    for _, t in ipairs({ "", "a.b.c.d.e", "....", good .. good, "{", "{}", '{"ciphertext":1}', "[]",
                         '{"recipients":[],"ciphertext":"","iv":"","tag":"","protected":"e30"}' }) do
        safe.jwe_decrypt(t, k16, o)
    end
    pcall(safe.jwe_decrypt, { ciphertext = print }, k16, o)
    pcall(safe.jwe_decrypt, good, k16, { algorithms = "A128KW", encryptions = ENCS })
    pcall(safe.jwe_decrypt, good, k16, { algorithms = { "nope" }, encryptions = ENCS })
    pcall(safe.jwe_decrypt, good, k16, { algorithms = { "A128KW" } })
    pcall(safe.jwe_decrypt, good, { kty = "oct", k = KEYS.oct16.k, use = "sig" }, o)
    pcall(safe.jwe_decrypt, good, { kty = "oct", k = KEYS.oct16.k, key_ops = { "verify" } }, o)
    pcall(safe.jwe_decrypt, good, { kty = "oct", k = KEYS.oct16.k, alg = "HS256" }, o)
    pcall(safe.jwe_decrypt, good, OBJ.rsa, { algorithms = { "RSA1_5" }, encryptions = ENCS })
    pcall(cjwt.jwe_decrypt, good, 42, o)
    pcall(cjwt.jwe_decrypt, 42, k16, o)
    pcall(safe.jwe_encrypt, "x", public(KEYS.rsa), { alg = "RSA1_5", enc = "A128GCM" })
    pcall(safe.jwe_encrypt, "x", KEYS.password, { alg = "PBES2-HS256+A128KW", enc = "A128GCM", p2c = 999 })
    pcall(safe.jwe_encrypt, "x", KEYS.oct24, { alg = "A128KW", enc = "A128GCM" })
    pcall(safe.jwe_encrypt, "x", KEYS.oct16, { alg = "dir", enc = "A256GCM" })
    pcall(safe.jwe_encrypt, "x", public(KEYS.p256), { alg = "RSA-OAEP", enc = "A128GCM" })
    pcall(safe.jwe_encrypt, "x", k16, { alg = "A128KW", enc = "A128GCM", header = { f = print } })
    pcall(safe.jwe_encrypt, "x", k16, { alg = "A128KW", enc = "A128GCM", zip = "LZ4" })
    pcall(safe.jwe_encrypt, "x", k16, { alg = "nope", enc = "A128GCM" })
    pcall(cjwt.jwe_encrypt, "x", k16, { alg = "A128KW", enc = "A128GCM", header = { f = print } })
    pcall(cjwt.jwe_encrypt, {}, k16, { alg = "A128KW", enc = "A128GCM" })
    -- a zip bomb in small: 200 KB of zeros refused at max_plaintext = 1000
    local bomb = cjwt.jwe_encrypt(string.rep("\0", 200000), k16, { alg = "A128KW", enc = "A128GCM", zip = "DEF" })
    assert(select(3, safe.jwe_decrypt(bomb, k16, { algorithms = { "A128KW" }, encryptions = ENCS,
                                                   max_plaintext = 1000 })) == "too_large")
    if round == 2 then collectgarbage() end
end
collectgarbage(); collectgarbage()
print("ok")
