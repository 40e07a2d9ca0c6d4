"""Instructions per HS256 verify of the reference token: the core and each binding.

    make core python lua build/c_floor
    python3 bench/bind_callgrind.py                 # core, python, lua5.4, luajit
    python3 bench/bind_callgrind.py python luajit   # a subset (the core always runs)
    BIND_N=2000 python3 bench/bind_callgrind.py     # loop length (default 4000)

Every row is counted by `valgrind --tool=callgrind` (instruction counts do not
depend on the machine's load, unlike timings; docs/performance.md):

- core: `build/c_floor` with BENCH_ITERS=N and `--toggle-collect=do_verify`,
  total / N (the compiled `cjwt_verifier`, as the C floor row of `make bench`);
- python: `cjwt.decode(token, key, algorithms=[...], audience=..., issuer=...,
  now=...)` with a `cjwt.Key` (the `cjwt-key` row of bench/py_runner.py);
- python-verifier: `v.decode(token, key, now=...)` with a `cjwt.Verifier`;
- lua5.4 / luajit: `cjwt.decode(token, key, opts)` with a `cjwt.key` object and
  one options table (the `cjwt-key` row of bench/lua_runner.lua);
- lua5.4-verifier / luajit-verifier: `v:decode(token, key, now)`.

A binding row runs the same script for N and for 2N calls and prints
(total(2N) - total(N)) / N, so start-up, imports and making the token cancel
out; the figure includes the interpreter's loop around the call. Python runs with
PYTHONHASHSEED=0 (fixed str hashes); Lua 5.4's string hashes are seeded per run,
so its rows move by a few hundred instructions between runs: they are the median of
three. The ratio printed is the row
over the core, the measure of issue 20's "bindings within 1.3x of the core".
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "build")
SECRET = "bench-secret-0123456789abcdef-0123456789"   # 40 bytes, as bench/run.py's
ISS, AUD, NOW = "https://auth.example.com", "api.example.com", 1700000100

PY_LOOP = r"""
import sys, cjwt
ISS, AUD, NOW = %r, %r, %r
KEY = key = cjwt.Key.from_secret(%r)
payload = {"sub": "user-1234567", "iss": ISS, "aud": AUD, "iat": 1700000000,
           "exp": 4100000000, "jti": "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b", "role": "admin",
           "permissions": ["orders:read", "orders:write", "payments:read"]}
TOKEN = cjwt.encode(payload, key, algorithm="HS256")
def run(kind, n):
    # locals, as in a function of an application (and bench/py_runner.py)
    token, key = TOKEN, KEY
    if kind == "verifier":
        v = cjwt.Verifier(["HS256"], audience=AUD, issuer=ISS)
        assert v.decode(token, key, now=NOW) == payload
        d = v.decode
        for _ in range(n):
            d(token, key, now=NOW)
    else:
        decode, algs, aud, iss, now = cjwt.decode, ["HS256"], AUD, ISS, NOW
        assert decode(token, key, algorithms=algs, audience=aud, issuer=iss, now=now) == payload
        for _ in range(n):
            decode(token, key, algorithms=algs, audience=aud, issuer=iss, now=now)


run(sys.argv[1], int(sys.argv[2]))
""" % (ISS, AUD, NOW, SECRET)

LUA_LOOP = r"""
local cjwt = require "cjwt"
local ISS, AUD, NOW = %r, %r, %d
local key = cjwt.key(%r, { format = "secret" })
local payload = {
  sub = "user-1234567", iss = ISS, aud = AUD, iat = 1700000000, exp = 4100000000,
  jti = "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b", role = "admin",
  permissions = { "orders:read", "orders:write", "payments:read" },
}
local token = assert(cjwt.encode(payload, key, { alg = "HS256" }))
local n = tonumber(arg[2])
if arg[1] == "verifier" then
  local v = cjwt.verifier({ algorithms = { "HS256" }, audience = AUD, issuer = ISS })
  assert(assert(v:decode(token, key, NOW)).role == "admin")
  for _ = 1, n do v:decode(token, key, NOW) end
else
  local opts = { algorithms = { "HS256" }, audience = AUD, issuer = ISS, now = NOW }
  local decode = cjwt.decode
  assert(assert(decode(token, key, opts)).permissions[3] == "payments:read")
  for _ = 1, n do decode(token, key, opts) end
end
""" % (ISS, AUD, NOW, SECRET)


def callgrind(argv, env=None, extra=()):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                              *extra, *argv], capture_output=True, text=True, cwd=ROOT,
                             env=dict(os.environ, **(env or {})))
        m = re.search(r"Collected : (\d+)", run.stderr)
        if run.returncode != 0 or not m:
            raise SystemExit("callgrind failed: %s\n%s%s" % (argv, run.stdout, run.stderr))
        return int(m.group(1))


def core(n):
    total = callgrind([os.path.join(B, "c_floor"), "0", "1", "HS256"],
                      env={"BENCH_ITERS": str(n), "BENCH_NO_PRIMITIVES": "1"},
                      extra=["--toggle-collect=do_verify"])
    # c_floor runs the verify loop once per round: 1 round
    return total / n


def binding(row, n, script_dir):
    lang, _, kind = row.partition("-")
    kind = kind or "decode"
    if lang == "python":
        path = os.path.join(script_dir, "loop.py")
        with open(path, "w") as f:
            f.write(PY_LOOP)
        argv = [sys.executable, path, kind]
        env = {"PYTHONHASHSEED": "0", "PYTHONPATH": os.path.join(ROOT, "python"),
               "PYTHONDONTWRITEBYTECODE": "1"}   # both runs import alike
    else:
        path = os.path.join(script_dir, "loop.lua")
        with open(path, "w") as f:
            f.write(LUA_LOOP)
        argv = [lang, path, kind]
        env = {"LUA_PATH": "lua/?.lua;lua/?/init.lua;;",
               "LUA_CPATH": os.path.join(B, lang, "?.so") + ";;"}
    # once outside valgrind first: whatever the first import after a build
    # writes or caches must not fall into one of the two counts
    subprocess.run(argv + ["1"], cwd=ROOT, env=dict(os.environ, **env), check=True,
                   capture_output=True)
    # Lua 5.4 seeds its string hashes per run, which moves its table work by a
    # few hundred instructions: the median of three runs there
    runs = []
    for _ in range(3 if lang == "lua5.4" else 1):
        a = callgrind(argv + [str(n)], env)
        b = callgrind(argv + [str(2 * n)], env)
        runs.append((b - a) / n)
    return sorted(runs)[len(runs) // 2]


def main(argv):
    n = int(os.environ.get("BIND_N", "4000"))
    rows = argv or ["python", "python-verifier", "lua5.4", "lua5.4-verifier",
                    "luajit", "luajit-verifier"]
    c = core(n)
    print("%-18s %9.0f instructions per HS256 verify" % ("core", c), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            x = binding(row, n, tmp)
            print("%-18s %9.0f instructions per HS256 verify  %.3fx the core" % (row, x, x / c),
                  flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
