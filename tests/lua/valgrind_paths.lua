-- Error paths of the Lua binding, run under valgrind by `make test-lua-valgrind`
-- (not a busted spec): every failing call must free what the core gave it.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"
local K = cjwt.generate_key("ES256", {kid="a"})
local R = cjwt.generate_key("RS256", {kid="r"})
local pem_enc = nil
for i = 1, 30 do
  local t = cjwt.encode({sub="x"}, K, {alg="ES256", header={kid="a"}})
  local ks = cjwt.keyset({K, R})
  pcall(cjwt.decode, t, ks, {algorithms={"RS256"}})
  pcall(cjwt.decode, t .. "x", ks, {algorithms={"ES256"}})
  safe.decode(t, cjwt.keyset({R}), {algorithms={"ES256"}})
  safe.keyset({K, K:with({})})
  safe.keyset({K, {kty="EC"}})
  pcall(cjwt.keyset, {K, 42})
  pcall(cjwt.keyset, {keys={{kty="EC", x=print}}})
  safe.keyset("{bad")
  safe.key(K:to_pem(true), {password="x"})
  safe.key("garbage", {format="pem"})
  pcall(cjwt.key, {kty="EC", f=print})
  safe.key(K:to_pem(), {alg="RS256"})
  pcall(K.to_pem, cjwt.generate_key("HS256"), true)
  pcall(K.with, K, {alg="ES384"})
  safe.generate_key("nope")
  local v = safe.verifier({algorithms={"ES256"}, audience="z"})
  v:decode(t, ks)
  pcall(v.decode, v, t, 42)
  safe.verifier({algorithms={"Q"}})
  pcall(cjwt.verifier, {algorithms={"ES256"}, bad=1})
  local cv = cjwt.verifier({algorithms={"ES256"}})
  pcall(cv.decode, cv, t, {kty="oct"})
  cv:decode_complete(t, ks)
  K:to_jwk(true); ks:to_jwks(true); K:thumbprint(); ks:find("a"); ks:get(2)
  pcall(cjwt.encode, {a=1}, ks)
  pcall(cjwt.decode, t, ks, {algorithms={"ES256"}, strict_aud=1})
end
collectgarbage(); collectgarbage()
print("ok")
