-- JWE decryption runner for bench/jwe_bench.py (Lua 5.4 and LuaJIT): every case
-- of CASES.json with a prepared cjwt.key object, the same token in a loop.
--   lua bench/jwe_runner.lua CASES.json [seconds]
-- Prints "cjwt-key lua5.4|luajit CASE decrypt ops_per_sec".
local cjwt = require "cjwt"
local cjson = require "cjson"
local path, seconds = arg[1], tonumber(arg[2] or "0.5")
local lang = jit and "luajit" or "lua5.4"
local clock = os.clock   -- process CPU time
if os.getenv("BENCH_CLOCK") == "wall" then
    local ok, socket = pcall(require, "socket")
    if ok then clock = socket.gettime end
end
local f = assert(io.open(path, "rb"))
local cases = cjson.decode(f:read("*a")).cases
f:close()
for _, c in ipairs(cases) do
    local key = cjwt.key(c.key)
    local opts = { algorithms = { c.alg }, encryptions = { c.enc } }
    local tok, dec = c.token, cjwt.jwe_decrypt
    assert(dec(tok, key, opts) == c.plaintext, c.name .. ": wrong plaintext")
    local n, t0, t = 0, clock(), 0
    repeat
        for _ = 1, 8 do dec(tok, key, opts) end
        n = n + 8
        t = clock()
    until t - t0 >= seconds
    io.write(("cjwt-key %s %s decrypt %.1f\n"):format(lang, c.name, n / (t - t0)))
    io.stdout:flush()
end
