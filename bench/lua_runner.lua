-- Lua runner (Lua 5.4 and LuaJIT): cjwt on the reference access token.
--
--   lua5.4 bench/lua_runner.lua LIB SECONDS [ALG ...]
--
-- LIB: cjwt-key (cjwt.decode with a prepared cjwt.key object and an options
-- table built once) or cjwt-verifier (cjwt.verifier(opts), options compiled
-- once, v:decode(token, key, now)) or cjwt-verifier-cache (the same verifier
-- with cache = 1024, verifying the same token every time: a cache hit after
-- the first call, as fast-jwt's cache row; verify only). Keys from
-- $BENCH_KEYS. Prints "lib lua5.4|luajit alg op ops_per_sec" lines.
local cjwt = require "cjwt"

local LANG = jit and "luajit" or "lua5.4"
local ALGS = { "HS256", "RS256", "ES256", "EdDSA" }
local ISS, AUD = "https://auth.example.com", "api.example.com"
local NOW = 1700000100 -- the injectable clock, as in bench/c_floor.c
local FILES = { RS256 = "rs256", ES256 = "es256", EdDSA = "eddsa" }
local KEYDIR = os.getenv("BENCH_KEYS") or "build/bench/keys"

local function payload()
  return {
    sub = "user-1234567", iss = ISS, aud = AUD, iat = 1700000000, exp = 4100000000,
    jti = "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b", role = "admin",
    permissions = { "orders:read", "orders:write", "payments:read" },
  }
end

local function read(name)
  local f = assert(io.open(KEYDIR .. "/" .. name, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function keys(alg)
  if alg == "HS256" then
    local k = cjwt.key((read("hs256.key"):gsub("%s+$", "")), { format = "secret" })
    return k, k
  end
  return cjwt.key(read(FILES[alg] .. ".pem")), cjwt.key(read(FILES[alg] .. ".pub.pem"))
end

-- os.clock is process CPU time, the default clock of every runner. With
-- BENCH_CLOCK=wall, LuaJIT reads CLOCK_MONOTONIC through the FFI; Lua 5.4 has
-- no sub-second wall clock in its standard library and stays on os.clock.
local clock = os.clock
if os.getenv("BENCH_CLOCK") == "wall" and jit then
  local ffi = require "ffi"
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk, bench_timespec *ts);
  ]]
  local ts = ffi.new("bench_timespec")
  clock = function()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
  end
end

local function measure(fn, seconds)
  for _ = 1, 3 do fn() end
  local n, batch = 0, 8
  local t0 = clock()
  while true do
    for _ = 1, batch do fn() end
    n = n + batch
    local t = clock() - t0
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

-- a broken measurement (not a library limitation): fail the runner, not an n/a
local function fatal(msg)
  io.stderr:write("lua_runner: ", msg, "\n")
  os.exit(1)
end

local function emit(lib, alg, op, v)
  if type(v) == "string" then
    print(string.format("%s %s %s %s n/a %s", lib, LANG, alg, op, v))
  else
    print(string.format("%s %s %s %s %.1f", lib, LANG, alg, op, v))
  end
end

local SETUPS = {
  ["cjwt-key"] = function(alg, sk, vk, token)
    local opts = { algorithms = { alg }, audience = AUD, issuer = ISS, now = NOW }
    return function() return cjwt.decode(token, vk, opts) end
  end,
  ["cjwt-verifier"] = function(alg, sk, vk, token)
    local v = cjwt.verifier({ algorithms = { alg }, audience = AUD, issuer = ISS })
    return function() return v:decode(token, vk, NOW) end
  end,
  ["cjwt-verifier-cache"] = function(alg, sk, vk, token)
    local v = cjwt.verifier({ algorithms = { alg }, audience = AUD, issuer = ISS, cache = 1024 })
    -- the timed loop must be hits: one miss (the first call), then hits only
    check(v:decode(token, vk, NOW))
    check(v:decode(token, vk, NOW))
    local s = v:cache_stats()
    if not (s.hits == 1 and s.misses == 1 and s.size == 1) then fatal("cjwt.verifier cache did not hit") end
    local f = function() return v:decode(token, vk, NOW) end
    return f, function()
      local st = v:cache_stats()
      if not (st.misses == 1 and st.evictions == 0) then
        fatal("cjwt.verifier cache missed in the timed loop")
      end
    end
  end,
}
local VERIFY_ONLY = { ["cjwt-verifier-cache"] = true }

local lib, seconds = arg[1], tonumber(arg[2])
local unpack = table.unpack or unpack
local algs = { unpack(arg, 3) }
if #algs == 0 then algs = ALGS end
local setup = assert(SETUPS[lib], "unknown lib " .. tostring(lib))
for _, alg in ipairs(algs) do
  local ok, err = pcall(function()
    local sk, vk = keys(alg)
    local p = payload()
    local sopts = { alg = alg }
    local sign = function() return cjwt.encode(p, sk, sopts) end
    local verify, after = setup(alg, sk, vk, sign())
    check(verify())
    emit(lib, alg, "verify", measure(verify, seconds))
    if after then after() end
    if not VERIFY_ONLY[lib] then emit(lib, alg, "sign", measure(sign, seconds / 2)) end
  end)
  if not ok then
    local reason = tostring(err):gsub("%s+", " "):sub(1, 100)
    emit(lib, alg, "verify", reason)
    if not VERIFY_ONLY[lib] then emit(lib, alg, "sign", reason) end
  end
end
