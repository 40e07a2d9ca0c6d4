-- Keys, JWKS files and tokens for tests/nginx (run by run.sh with the
-- module built for LuaJIT): writes into the directory given as arg[1].
local cjwt = require "cjwt"
local cjson = require "cjson"

local dir = assert(arg[1], "usage: make_fixtures.lua DIR")
local function write(name, text)
    local f = assert(io.open(dir .. "/" .. name, "wb"))
    f:write(text)
    f:close()
end

local A = cjwt.generate_key("ES256", { kid = "a" })
local B = cjwt.generate_key("RS256", { kid = "b" })
local C = cjwt.generate_key("EdDSA", { kid = "c" })   -- never published
local ADMIN = cjwt.generate_key("ES256", { kid = "adm" })
local HS = cjwt.generate_key("HS256", { kid = "a" })

local function jwks(keys)
    return cjson.encode(cjwt.keyset(keys):to_jwks())
end
write("jwks_a.json", jwks({ A }))
write("jwks_ab.json", jwks({ A, B }))
write("jwks_b.json", jwks({ B }))
write("www/jwks.json", jwks({ A }))
write("www/jwks_c.json", jwks({ A }))        -- the cached configuration's (test_cache_gateway.py)
-- test_faults_gateway.py: a JWKS served by a separate process (stopped by
-- the test), and valid ones too large for jwks_max_size or for a small dict
write("bg/jwks.json", jwks({ A }))
local function padded(n)
    local t = cjwt.keyset({ A }):to_jwks()
    t.pad = string.rep("x", n)
    return cjson.encode(t)
end
write("www/jwks_big.json", padded(100000))
write("www/jwks_mid.json", padded(40000))
write("admin.pub.pem", ADMIN:to_pem())
-- The token service's key for the lifecycle tests (test_lifecycle_gateway.py
-- issues with the private half through cjwt.TokenIssuer).
local LC = cjwt.generate_key("ES256", { kid = "auth-1" })
write("lifecycle.pem", LC:to_pem(true))
write("lifecycle.pub.pem", LC:to_pem())

local now = os.time()
local function claims(extra)
    local c = { sub = "alice", aud = "api", iss = "https://issuer.test", iat = now,
                exp = now + 3600, scope = "read write" }
    for k, v in pairs(extra or {}) do c[k] = v end
    return c
end
local function sign(key, c)
    return cjwt.encode(c, key, { alg = key.alg, header = { kid = key.kid } })
end

write("tokens.json", cjson.encode({
    valid_a = sign(A, claims()),
    valid_b = sign(B, claims({ sub = "bob" })),
    unknown_c = sign(C, claims({ sub = "carol" })),
    expired = sign(A, claims({ iat = now - 7200, exp = now - 3600 })),
    wrong_aud = sign(A, claims({ aud = "billing" })),
    wrong_iss = sign(A, claims({ iss = "https://evil.test" })),
    no_sub = sign(A, claims({ sub = cjwt.null })),
    hs256 = sign(HS, claims()),
    no_scope = sign(A, claims({ scope = cjwt.null })),
    crlf_sub = sign(A, claims({ sub = "eve\r\nX-Injected: 1" })),
    tab_sub = sign(A, claims({ sub = "eve\tx" })),
    del_sub = sign(A, claims({ sub = "eve\127x" })),
    utf8_sub = sign(A, claims({ sub = "zo\195\171" })),
    admin_ok = sign(ADMIN, claims({ sub = "root", scope = "read admin" })),
    admin_scp_list = sign(ADMIN, claims({ sub = "root", scope = cjwt.null, scp = { "admin" } })),
    admin_no_scope = sign(ADMIN, claims({ sub = "root", scope = "read" })),
    -- scope words are split at any whitespace byte (9-13, 32), and only there
    admin_sep_9 = sign(ADMIN, claims({ sub = "root", scope = "\tread\9admin\t" })),
    admin_sep_10 = sign(ADMIN, claims({ sub = "root", scope = "read\10admin" })),
    admin_sep_11 = sign(ADMIN, claims({ sub = "root", scope = "read\11admin" })),
    admin_sep_12 = sign(ADMIN, claims({ sub = "root", scope = "read\12admin" })),
    admin_sep_13 = sign(ADMIN, claims({ sub = "root", scope = "read\13admin" })),
    admin_sep_32 = sign(ADMIN, claims({ sub = "root", scope = "  read  admin " })),
    admin_glued_scope = sign(ADMIN, claims({ sub = "root", scope = "read,admin \194\160admin" })),
}))
