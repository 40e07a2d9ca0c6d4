-- Verify and sign loops run inside an nginx worker (bench/resty_runner.py):
-- lua-resty-jwt, the library OpenResty users run, next to cjwt in the same
-- nginx and the same LuaJIT, on the reference access token of the other
-- runners. Loaded with lua_package_path = bench/ + build/bench/resty/lib.
--
--   require("nginx_verify").run(lib, alg, seconds, keydir) -> lines
--     "lib nginx alg verify|sign ops_per_sec" or "... n/a reason"
--
-- lib: "lua-resty-jwt" (jwt:verify(key, token, claim_spec) with the
-- algorithm allowlist and validators for exp, aud and iss, the check the
-- other rows make; jwt:sign for sign) or "cjwt-verifier" (cjwt.verifier with
-- the same checks, v:decode(token, key), as cjwt.gateway does; cjwt.encode).
-- Each library signs its own token. Time: os.clock (the worker's CPU time).
local ISS, AUD = "https://auth.example.com", "api.example.com"
local FILES = { RS256 = "rs256", ES256 = "es256", EdDSA = "eddsa" }
local KEYDIR = "build/bench/keys"   -- run()'s keydir argument (nginx clears the environment)

local _M = {}

local function payload()
  return {
    sub = "user-1234567", iss = ISS, aud = AUD, iat = 1700000000, exp = 4100000000,
    jti = "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b", role = "admin",
    permissions = { "orders:read", "orders:write", "payments:read" },
  }
end

local function read(name)
  local f = assert(io.open(KEYDIR .. "/" .. name, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- signing key, verifying key (text: a secret or PEM)
local function key_texts(alg)
  if alg == "HS256" then
    local s = read("hs256.key"):gsub("%s+$", "")
    return s, s
  end
  return read(FILES[alg] .. ".pem"), read(FILES[alg] .. ".pub.pem")
end

local function measure(fn, seconds)
  for _ = 1, 3 do fn() end
  local n, batch = 0, 8
  local t0 = os.clock()
  while true do
    for _ = 1, batch do fn() end
    n = n + batch
    local t = os.clock() - t0
    if t >= seconds then return n / t end
    if t < seconds / 20 then batch = batch * 2 end
  end
end

local function check(c)
  if type(c) ~= "table" or c.sub ~= "user-1234567" or c.aud ~= AUD or c.iss ~= ISS
     or #c.permissions ~= 3 then
    error("verify returned unexpected claims")
  end
end

local SETUPS = {}

SETUPS["lua-resty-jwt"] = function(alg)
  local jwt = require "resty.jwt"
  local validators = require "resty.jwt-validators"
  local sk, vk = key_texts(alg)
  local p = payload()
  local header = { typ = "JWT", alg = alg }
  local function sign() return jwt:sign(sk, { header = header, payload = p }) end
  local token = sign()
  local spec = { iss = validators.equals(ISS), aud = validators.equals(AUD),
                 exp = validators.is_not_expired() }
  local allow = { [alg] = 1 }
  local function verify()
    jwt:set_alg_whitelist(allow)
    local obj = jwt:verify(vk, token, spec)
    if not obj.verified then
      error("lua-resty-jwt: " .. tostring(obj.reason))
    end
    return obj.payload
  end
  -- the allowlist and the validators refuse what they should (a broken
  -- setup must not be timed as a fast refusal)
  jwt:set_alg_whitelist({ HS512 = 1 })
  if jwt:verify(vk, token, spec).verified then error("lua-resty-jwt: allowlist not applied") end
  jwt:set_alg_whitelist(allow)
  local bad = { iss = validators.equals("https://evil.test") }
  if jwt:verify(vk, token, bad).verified then error("lua-resty-jwt: iss not checked") end
  return verify, sign
end

SETUPS["cjwt-verifier"] = function(alg)
  local cjwt = require "cjwt"
  local sk, vk = key_texts(alg)
  if alg == "HS256" then
    sk = cjwt.key(sk, { format = "secret" })
    vk = sk
  else
    sk, vk = cjwt.key(sk), cjwt.key(vk)
  end
  local p, sopts = payload(), { alg = alg }
  local function sign() return cjwt.encode(p, sk, sopts) end
  local token = sign()
  local v = cjwt.verifier({ algorithms = { alg }, audience = AUD, issuer = ISS })
  local function verify() return v:decode(token, vk) end
  return verify, sign
end

function _M.run(lib, alg, seconds, keydir)
  KEYDIR = keydir or KEYDIR
  local setup = SETUPS[lib]
  if not setup then
    return nil, "unknown lib " .. tostring(lib)
  end
  local out = {}
  local ok, err = pcall(function()
    local verify, sign = setup(alg)
    check(verify())
    out[#out + 1] = string.format("%s nginx %s verify %.1f", lib, alg, measure(verify, seconds))
    out[#out + 1] = string.format("%s nginx %s sign %.1f", lib, alg, measure(sign, seconds / 2))
  end)
  if not ok then
    local reason = tostring(err):gsub("%s+", " "):sub(1, 100)
    out = { string.format("%s nginx %s verify n/a %s", lib, alg, reason),
            string.format("%s nginx %s sign n/a %s", lib, alg, reason) }
  end
  return table.concat(out, "\n") .. "\n"
end

return _M
