#!/usr/bin/env python3
"""JWE decryption rates (issue 16): the cjwt core, a raw OpenSSL row doing the
same cryptography (bench/jwe_floor.c), the Python binding, Lua 5.4 and LuaJIT,
and the peers joserfc, jwcrypto (Python) and jose (node), on three cases:
dir + A256GCM, ECDH-ES+A256KW (P-256) + A256GCM, RSA-OAEP-256 (2048) + A256GCM.

    python bench/jwe_bench.py [--quick] [--rounds N] [--seconds S]

bench/run.py calls run() for the "JWE" section of `make bench`. Every runner
decrypts the same tokens, made here with cjwt from the fixed keys of
tests/interop/jwe_keys.json into build/bench/jwe_cases.json (the plaintext is
the reference access token's claims), with a prepared key (parsed once), and
prints "lib lang case decrypt ops_per_sec" lines (or "... n/a reason")."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "build")
BENCH = os.path.join(ROOT, "bench")
CASES_PATH = os.path.join(B, "bench", "jwe_cases.json")
VENV_PY = os.environ.get("BENCH_VENV_PY") or os.path.join(B, "bench-venv", "bin", "python")
NODE_MODULES = os.path.join(B, "bench", "node", "node_modules")
CASES = [("dir+A256GCM", "dir", "A256GCM", "oct32"),
         ("ECDH-ES+A256KW", "ECDH-ES+A256KW", "A256GCM", "p256"),
         ("RSA-OAEP-256", "RSA-OAEP-256", "A256GCM", "rsa")]
ROWS = [("cjwt-floor", "c", "cjwt core (C, cjwt_jwe_decrypt, prepared key)"),
        ("openssl-raw", "c", "raw OpenSSL, same cryptography (C)"),
        ("cjwt-key", "python", "cjwt, Python, cjwt.Key"),
        ("cjwt-key", "lua5.4", "cjwt, Lua 5.4, cjwt.key object"),
        ("cjwt-key", "luajit", "cjwt, LuaJIT, cjwt.key object"),
        ("joserfc", "python", "joserfc"),
        ("jwcrypto", "python", "jwcrypto"),
        ("jose", "node", "jose (node)")]
PLAINTEXT = json.dumps({
    "sub": "user-1234567", "iss": "https://auth.example.com", "aud": "api.example.com",
    "iat": 1700000000, "exp": 4100000000, "jti": "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b",
    "role": "admin", "permissions": ["orders:read", "orders:write", "payments:read"]},
    separators=(",", ":"))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def make_cases():
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import cjwt
    with open(os.path.join(ROOT, "tests", "interop", "jwe_keys.json"), encoding="utf-8") as f:
        keys = json.load(f)["keys"]
    out = []
    for name, alg, enc, kn in CASES:
        priv = keys[kn]
        pub = {k: v for k, v in priv.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
        tok = cjwt.jwe_encrypt(PLAINTEXT.encode(), pub, alg=alg, enc=enc)
        out.append({"name": name, "alg": alg, "enc": enc, "key": priv, "token": tok,
                    "plaintext": PLAINTEXT})
    os.makedirs(os.path.dirname(CASES_PATH), exist_ok=True)
    with open(CASES_PATH, "w", encoding="utf-8") as f:
        json.dump({"cases": out}, f, indent=1)
    return CASES_PATH


def runners():
    """[(lib, lang, argv)] and {(lib, lang): why not}."""
    py = VENV_PY if os.path.exists(VENV_PY) else sys.executable
    out, skipped = [], {}
    exe = os.path.join(B, "bench", "jwe_floor")
    if os.path.exists(exe):
        out.append(("cjwt-floor+openssl-raw", "c", [exe, CASES_PATH]))
    else:
        skipped[("cjwt-floor", "c")] = skipped[("openssl-raw", "c")] = "build/bench/jwe_floor not built"
    for lib in ("cjwt-key", "joserfc", "jwcrypto"):
        out.append((lib, "python", [py, os.path.join(BENCH, "jwe_runner.py"), lib, CASES_PATH]))
    for lang, exe, cpath in (("lua5.4", os.environ.get("LUA54", "lua5.4"), "lua5.4"),
                             ("luajit", os.environ.get("LUAJIT", "luajit"), "luajit")):
        if shutil.which(exe) and os.path.exists(os.path.join(B, cpath, "cjwt", "core.so")):
            out.append(("cjwt-key", lang, [exe, os.path.join(BENCH, "jwe_runner.lua"), CASES_PATH]))
        else:
            skipped[("cjwt-key", lang)] = "%s or build/%s/cjwt/core.so missing" % (exe, cpath)
    if shutil.which("node") and os.path.exists(os.path.join(NODE_MODULES, "jose", "package.json")):
        out.append(("jose", "node", ["node", os.path.join(BENCH, "jwe_node.mjs"), CASES_PATH]))
    else:
        skipped[("jose", "node")] = "jose not installed in build/bench/node (bench/install-peers.sh)"
    return out, skipped


def env_for(lang):
    e = dict(os.environ, BENCH_NODE_MODULES=NODE_MODULES, PYTHONPATH=os.path.join(ROOT, "python"))
    e.setdefault("BENCH_CLOCK", "cpu")
    if lang in ("lua5.4", "luajit"):
        e["LUA_PATH"] = "{0}/lua/?.lua;{0}/lua/?/init.lua;;".format(ROOT)
        e["LUA_CPATH"] = "{}/{}/?.so;;".format(B, lang)
    return e


def run(rounds, seconds, quick=False):
    """(median {lib|lang|case: ops/s}, na {key: why}, skipped {(lib, lang): why})."""
    make_cases()
    todo, skipped = runners()
    samples, na = {}, {}
    for r in range(rounds):
        for lib, lang, argv in todo[r % len(todo):] + todo[:r % len(todo)]:
            log("jwe round %d/%d: %s (%s)" % (r + 1, rounds, lib, lang))
            cmd = argv + ([str(seconds), "1"] if lang == "c" else [str(seconds)])
            p = subprocess.run(cmd, env=env_for(lang), cwd=ROOT, capture_output=True, text=True,
                               timeout=120 + 40 * seconds)
            if p.returncode != 0:
                raise SystemExit("JWE runner failed (%s %s, exit %d):\n%s%s" % (
                    lib, lang, p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
            n = 0
            for line in p.stdout.splitlines():
                parts = line.split(None, 5)
                if len(parts) < 5 or parts[3] != "decrypt":
                    continue
                key = "|".join(parts[:3])
                if parts[4] == "n/a":
                    na[key] = parts[5] if len(parts) > 5 else "not supported"
                else:
                    samples.setdefault(key, []).append(float(parts[4]))
                n += 1
            if n == 0:
                raise SystemExit("JWE runner printed nothing (%s %s):\n%s" % (lib, lang, p.stderr[-2000:]))
    med = {k: statistics.median(v) for k, v in samples.items()}
    return med, na, skipped


def lines(med, na, skipped):
    """Markdown table: decryptions per second; in brackets the time relative to the core."""
    names = [c[0] for c in CASES]
    out = ["| library | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for lib, lang, label in ROWS:
        cells = []
        for name in names:
            key = "%s|%s|%s" % (lib, lang, name)
            core = med.get("cjwt-floor|c|%s" % name)
            if key in med:
                cells.append("%.0f" % med[key] + (" (%.2f)" % (core / med[key]) if core else ""))
            elif key in na:
                cells.append("n/a (%s)" % na[key])
            elif (lib, lang) in skipped:
                cells.append("n/a (%s)" % skipped[(lib, lang)])
            else:
                cells.append("-")
        out.append("| %s | %s |" % (label, " | ".join(cells)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    ap.add_argument("--seconds", type=float, default=0.5)
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.seconds = 1, 0.05
    med, na, skipped = run(a.rounds, a.seconds, a.quick)
    print("JWE decrypt, operations per second (in brackets: time relative to the cjwt core)")
    print("\n".join(lines(med, na, skipped)))


if __name__ == "__main__":
    main()
