-- Threat: HS/RS confusion. A public key (PEM or JWK) is never an HMAC secret.
-- Lua has no HMAC of its own, so the forged tokens come from cjwt signing
-- with the PEM text given explicitly as a secret (cjwt.key(..., {format =
-- "secret"})): exactly what an attacker holding the public key can compute.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"
local cjson = require "cjson"

local function forge(alg, text)
    local secret = cjwt.key(text, { format = "secret" })
    return cjwt.encode(cjson.decode(T.CLAIMS_JSON), secret, { alg = alg })
end

describe("threat: HS/RS algorithm confusion", function()
    it("a public PEM as the key refuses HS256/384/512 tokens keyed with it", function()
        for _, name in ipairs({ "rsa", "ec256", "ec384", "ed25519" }) do
            local pem = T.KEYS[name].public_pem
            for _, alg in ipairs({ "HS256", "HS384", "HS512" }) do
                for _, variant in ipairs({ pem, pem:sub(1, -2), "\n" .. pem }) do
                    T.expect_code("invalid_key", cjwt.decode, forge(alg, variant), variant, T.opts(T.ALL))
                end
            end
        end
    end)

    it("a public JWK table as the key refuses an HMAC token", function()
        for _, name in ipairs({ "rsa", "ec256", "ed25519" }) do
            local jwk = T.KEYS[name].public_jwk
            local t = forge("HS256", cjson.encode(jwk))
            T.expect_code("invalid_key", cjwt.decode, t, jwk, T.opts(T.ALL))
        end
    end)

    it("a private PEM is not a secret either", function()
        local pem = T.KEYS.rsa.private_pem
        T.expect_code("invalid_key", cjwt.decode, forge("HS256", pem), pem, T.opts(T.ALL))
    end)

    it("tokens of one key type against keys of another", function()
        local t = cjwt.encode({ sub = "u" }, T.KEYS.ec256.private_pem, { alg = "ES256" })
        T.expect_code("invalid_key", cjwt.decode, t, T.KEYS.rsa.public_pem, T.opts(T.ALL))
        T.expect_code("invalid_key", cjwt.decode, t, T.KEYS.ed25519.public_pem, T.opts(T.ALL))
        T.expect_code("invalid_key", cjwt.decode, t, T.KEYS.ec384.public_pem, T.opts(T.ALL))
        T.expect_code("invalid_key", cjwt.decode, t, T.SECRET, T.opts(T.ALL))
    end)

    -- Found by the threat tests, fixed in the core (4b3dbec): JWK JSON text and
    -- PEM after a text preamble are key material, never an HMAC secret.
    it("public material as text is not a secret", function()
        local forms = { cjson.encode(T.KEYS.rsa.public_jwk),
                        "Bag Attributes\n    friendlyName: api\nsubject=CN = api\n" .. T.KEYS.rsa.public_pem }
        for _, text in ipairs(forms) do
            T.expect_code("invalid_key", cjwt.decode, forge("HS256", text), text, T.opts(T.ALL))
        end
    end)
end)
