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
  -- ES256K and Ed448: wrong curves, wrong keys, wrong signature lengths
  safe.generate_key("EdDSA", {crv="X448"})
  safe.generate_key("ES256", {crv="secp256k1"})
  local k1, e4 = cjwt.generate_key("ES256K"), cjwt.generate_key("EdDSA", {crv="Ed448"})
  local t1, t4 = cjwt.encode({sub="x"}, k1, {alg="ES256K"}), cjwt.encode({sub="x"}, e4, {alg="EdDSA"})
  safe.decode(t1, K, {algorithms={"ES256", "ES256K"}})
  safe.decode(t4, cjwt.generate_key("EdDSA"), {algorithms={"EdDSA"}})
  safe.decode(t4:sub(1, -3), e4, {algorithms={"EdDSA"}})
  safe.decode(t1 .. "AA", k1, {algorithms={"ES256K"}})
  safe.key({kty="OKP", crv="Ed448", x="AAAA"})
  safe.key(k1:to_pem(), {alg="ES256"})
  safe.keyset({keys={e4:to_jwk(), k1:to_jwk(), {kty="EC", crv="secp256k1", x="AA", y="AA"}}})
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
  -- the verified-token cache: entries hold key / key set references, the
  -- remembered string key is replaced and freed, hits refused by a date
  -- or the denylist, the verifier collected with entries in it
  local hs = "a secret of at least 32 bytes for HS256!"
  local th = cjwt.encode({sub="x", jti="j", exp=1700000060}, hs)
  local kv = cjwt.verifier({algorithms={"ES256", "HS256"}, cache=2,
                            denylist=function(c) return c.sub == "revoked" end})
  local tj = cjwt.encode({sub="x", jti="j"}, K, {alg="ES256", header={kid="a"}})
  kv:decode(tj .. "", ks); kv:decode(tj, ks); kv:decode(tj, cjwt.keyset({K}))
  pcall(kv.decode, kv, th, hs, 1700000000); pcall(kv.decode, kv, th, hs, 1700000000)
  pcall(kv.decode, kv, th, hs, 1700000100)
  pcall(kv.decode, kv, th, "short"); pcall(kv.decode, kv, th, "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n")
  pcall(kv.decode, kv, cjwt.encode({sub="revoked", jti="r"}, K, {alg="ES256"}), K)
  pcall(kv.decode, kv, cjwt.encode({sub="revoked", jti="r"}, K, {alg="ES256"}), K)
  kv:cache_stats()
  if i % 2 == 0 then kv:cache_clear() end
  safe.verifier({algorithms={"HS256"}, cache=3}):decode(th, hs, 1700000000)
  -- the key cache: entries evicted (40 secrets > 32), refused material not
  -- kept, a denylist that evicts and clears the key the outer call is using,
  -- the same bytes under other flags / parsers, cleared every third round
  -- (the rest is freed when the state closes)
  local rpem = R:to_pem()
  local tr = cjwt.encode({sub="x", jti="r"}, R:to_pem(true), {alg="RS256"})
  local function churn()
    for j = 1, 40 do cjwt.encode({}, ("k%02d"):format(j) .. hs) end
    cjwt._key_cache_clear()
    return false
  end
  safe.decode(tr, rpem .. "", {algorithms={"RS256"}, denylist=churn})
  safe.decode(tr, "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n", {algorithms={"RS256"}})
  cjwt.verifier({algorithms={"RS256"}, cache=2, denylist=churn}):decode(tr, rpem)
  cjwt.key("short", {allow_short_secret=true}); cjwt.key("short"); cjwt.key(rpem, {format="secret"})
  cjwt.keyset({rpem, R:to_pem(true)}); safe.keyset({rpem, hs}); cjwt._key_cache_info()
  if i % 3 == 1 then cjwt._key_cache_clear() end   -- the last round keeps entries
  -- a JWK table nested deeper than the verify paths' stack reservation, in a
  -- fresh coroutine (its stack starts small): the conversion checks for room
  -- per level
  local deep = {}
  local cur = deep
  for _ = 1, 50 do cur.a = {}; cur = cur.a end
  coroutine.wrap(function()
    local jwk = {kty="oct", k="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s", x=deep}
    pcall(cjwt.decode, th, jwk, {algorithms={"HS256"}})
    pcall(kv.decode, kv, th, jwk)
  end)()
  -- encrypted and nested JWTs: every failure frees the decrypted JWE, the
  -- guards and the key references of the call
  local ek = {kty="oct", k="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", use="enc"}
  local dopt = {algorithms={"dir"}, encryptions={"A256GCM"}}
  local et = cjwt.encode_encrypted({sub="x", jti="e"}, ek, {alg="dir", enc="A256GCM"})
  local nt = cjwt.encode_nested({sub="x"}, hs, ek, {algorithm="HS256", alg="dir", enc="A256GCM"})
  safe.decode_encrypted(nt, ek, dopt)
  safe.decode_encrypted(et, ek, {algorithms={"dir"}, encryptions={"A256GCM"},
                                 verification_key=hs, signature_algorithms={"HS256"}})
  safe.decode_nested(nt, ek, hs, {algorithms={"dir"}, encryptions={"A256GCM"},
                                  signature_algorithms={"HS256"}, audience="z"})
  safe.decode_encrypted_complete(et, ek, {algorithms={"dir"}, encryptions={"A256GCM"},
                                          denylist=function() error("down") end})
  safe.decode_nested(nt, ek, cjwt.keyset({cjwt.key(hs, {format="secret", kid="h"})}),
                     {algorithms={"dir"}, encryptions={"A256GCM"}, signature_algorithms={"HS256"}})
  pcall(cjwt.decode_encrypted, et, ek, {algorithms={"dir"}, encryptions={"A256GCM"}, bogus=1})
  pcall(cjwt.decode_encrypted, et, ek, {algorithms={"dir"}, encryptions={"Q"}})
  pcall(cjwt.decode_nested, nt, ek, {kty="EC"}, dopt)
  safe.decode_encrypted({protected="x"}, ek, dopt)
  safe.jwe_decrypt({protected="x"}, ek, dopt)          -- a table token and a table key
  pcall(cjwt.encode_encrypted, {a=print}, ek, {alg="dir", enc="A256GCM"})
  safe.encode_nested({}, K, ek, {algorithm="ES256", alg="dir", enc="A128GCM"})
  pcall(cjwt.encode_nested, {}, hs, ek, {algorithm="HS256", alg="dir", enc="A256GCM", sign_header=5})
  safe.jwe_encrypt_json("x", {{key=ek, alg="dir"}, {key=ek, alg="A256KW"}}, {enc="A256GCM"})
  safe.jwe_encrypt_json("x", {{key=ek, alg="A256KW", header={kid="a"}}}, {enc="A256GCM", unprotected={kid="b"}})
  pcall(cjwt.jwe_encrypt_json, "x", {{key=ek, alg="A256KW"}, {key={kty="EC"}, alg="A256KW"}}, {enc="A256GCM"})
  pcall(cjwt.jwe_encrypt_json, "x", {{key=ek, alg="A256KW", header={f=print}}}, {enc="A256GCM"})
  safe.jwe_encrypt_json("x", {{key=ek, alg="A256KW"}, {key=K, alg="A256KW"}}, {enc="A256GCM", protected={a=1}})
  -- a key object and the verifier itself closed from inside the denylist (a
  -- <close> variable of another coroutine): the call keeps what it uses
  local closing = load([[
    local cjwt, hs, th = ...
    local co = coroutine.create(function()
      local k <close> = cjwt.key(hs, {format="secret"})
      coroutine.yield(k)
    end)
    local _, k = coroutine.resume(co)
    local v = cjwt.verifier({algorithms={"HS256"}, cache=4, denylist=function()
      if co then coroutine.close(co); co = nil; collectgarbage() end
      return false
    end})
    pcall(v.decode, v, th, k)
    local co2
    co2 = coroutine.create(function()
      local v2 <close> = cjwt.verifier({algorithms={"HS256"}, cache=4, denylist=function()
        if co2 then local c = co2; co2 = nil; coroutine.close(c) end
        return false
      end})
      coroutine.yield(v2)
    end)
    local _, v2 = coroutine.resume(co2)
    pcall(v2.decode, v2, th, hs)
    pcall(v2.decode, v2, th, hs)     -- closed by now: refused, nothing touched
  ]])
  if closing then closing(cjwt, hs, cjwt.encode({sub="x", jti="c"}, hs)) end
end
-- JWS JSON serialization, detached and unencoded payloads (jws_json.c): every
-- failure after the signers' keys and headers were converted frees them
do
  local hs = string.rep("s", 64)
  for i = 1, 20 do
    local text = cjwt.jws_encode_json("p", {{key=hs, alg="HS256", header={x=1}}, {key=K, protected={typ="t"}}})
    cjwt.jws_decode_complete(text, K, {algorithms={"ES256"}})
    safe.jws_decode(text, K, {algorithms={"HS256"}})
    safe.jws_decode(text .. "x", hs, {algorithms={"HS256"}})
    safe.jws_decode({payload="cA", signatures={{protected="e30", signature=""}}}, hs, {algorithms={"HS256"}})
    pcall(cjwt.jws_decode, {payload=print}, hs, {algorithms={"HS256"}})
    safe.jws_encode_json("p", {{key=hs, alg="HS256"}, {key=hs, alg="HS256", header={alg="x"}}})
    safe.jws_encode_json("p", {{key=hs, alg="HS256"}, {key={kty="oct"}}})
    pcall(cjwt.jws_encode_json, "p", {{key=hs, alg="HS256"}, {key=hs, header=print}})
    pcall(cjwt.jws_encode_json, "p", {{key=hs, alg="HS256"}, {key=hs, alg="NOPE"}})
    local t = cjwt.jws_encode("a.b", hs, {alg="HS256", header={b64=false}, detached=true})
    safe.jws_decode(t, hs, {algorithms={"HS256"}, detached_payload="a.b"})
    safe.jws_decode(t, hs, {algorithms={"HS256"}, detached_payload="a.c"})
    safe.jws_decode_complete(t, hs, {algorithms={"HS256"}, detached_payload="a.b"})
    pcall(cjwt.decode, t, hs, {algorithms={"HS256"}, detached_payload="x"})
  end
end
collectgarbage(); collectgarbage()
print("ok")
