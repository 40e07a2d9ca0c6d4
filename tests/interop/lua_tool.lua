-- Interop verifier for the cjwt Lua binding: verifies tokens from other
-- implementations with the fixed keys in tests/interop/keys.json.
--   lua lua_tool.lua KEYS.json SUB < tokens.json -> {"ALG": "ok" | "error: ...", ...}
local cjwt = require "cjwt"
local cjson = require "cjson"

local KEYNAME = {
    HS256 = "hmac", HS384 = "hmac", HS512 = "hmac", RS256 = "rsa", RS384 = "rsa", RS512 = "rsa",
    PS256 = "rsa", PS384 = "rsa", PS512 = "rsa", ES256 = "ec256", ES384 = "ec384", ES512 = "ec521",
    EdDSA = "ed25519", ES256K = "secp256k1", Ed448 = "ed448",
}
local ALG = { Ed448 = "EdDSA" }   -- rows named by the key's curve (RFC 8037)
local f = assert(io.open(arg[1], "rb"))
local keys = cjson.decode(f:read("a")).keys
f:close()
local sub = arg[2]
local tokens = cjson.decode(io.read("a"))
local out = {}
for alg, token in pairs(tokens) do
    local e = keys[KEYNAME[alg]]
    local key = alg:sub(1, 2) == "HS" and e.secret or e.public_pem
    local ok, claims = pcall(cjwt.decode, token, key, { algorithms = { ALG[alg] or alg }, subject = sub,
                                                        require = { "exp" } })
    out[alg] = ok and "ok" or ("error: " .. tostring(claims))
end
io.write(cjson.encode(out), "\n")
