#!/usr/bin/env python3
"""Interop matrix: tokens for every JWS algorithm signed by cjwt verify in
independent implementations (PyJWT, jose on node, golang-jwt) and the
reverse, with the fixed keys in keys.json. cjwt is checked through its Python
binding (signing and verifying) and its Lua binding (verifying).

    python3 tests/interop/matrix.py     (from the repo root, after `make build`
                                         and tests/interop/setup.sh)

Prints the matrix and a closing "N passed, N failed" line; exits 1 if a cell
failed. A column whose toolchain is absent is skipped with a message."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
KEYS_PATH = os.path.join(HERE, "keys.json")
with open(KEYS_PATH, encoding="utf-8") as f:
    KEYS = json.load(f)["keys"]

# Rows: the JWS algorithm, and for EdDSA the key's curve (RFC 8037: "EdDSA" with an
# Ed448 key is the "Ed448" row). Tokens travel between tools keyed by row.
ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA", "ES256K", "Ed448"]
KEYNAME = dict(zip(ALGS, ["hmac"] * 3 + ["rsa"] * 6 +
                   ["ec256", "ec384", "ec521", "ed25519", "secp256k1", "ed448"]))
ALG_OF = dict({a: a for a in ALGS}, Ed448="EdDSA")
# Rows an implementation does not have (shown as n/a, not counted).
UNSUPPORTED = {"golang-jwt": {"ES256K", "Ed448"}}   # golang-jwt v5: neither secp256k1 nor Ed448
SUB = "interop-subject"


def key_for(alg, private):
    e = KEYS[KEYNAME[alg]]
    if alg.startswith("HS"):
        return e["secret"]
    return e["private_pem" if private else "public_pem"]


def tamper(token):
    """The token with its payload replaced (sub changed), signature kept."""
    import base64
    h, p, sig = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    body["sub"] = SUB + "-tampered"
    p2 = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return ".".join((h, p2, sig))


# --- in-process implementations ---------------------------------------------
def cjwt_sign():
    import time
    import cjwt
    now = int(time.time())
    return {a: cjwt.encode({"sub": SUB, "iat": now, "exp": now + 3600}, key_for(a, True),
                           algorithm=ALG_OF[a])
            for a in ALGS}


def cjwt_verify(tokens):
    import cjwt
    out = {}
    for a, t in tokens.items():
        try:
            claims = cjwt.decode(t, key_for(a, False), algorithms=[ALG_OF[a]], subject=SUB,
                                 options={"require": ["exp"]})
            out[a] = "ok" if claims["sub"] == SUB else "error: wrong sub"
        except Exception as e:   # the cell shows why
            out[a] = "error: %s: %s" % (type(e).__name__, e)
    return out


def pyjwt_sign():
    import time
    import jwt
    now = int(time.time())
    return {a: jwt.encode({"sub": SUB, "iat": now, "exp": now + 3600}, key_for(a, True),
                          algorithm=ALG_OF[a])
            for a in ALGS}


def pyjwt_verify(tokens):
    import jwt
    out = {}
    for a, t in tokens.items():
        try:
            claims = jwt.decode(t, key_for(a, False), algorithms=[ALG_OF[a]],
                                options={"require": ["exp"]})
            out[a] = "ok" if claims["sub"] == SUB else "error: wrong sub"
        except Exception as e:
            out[a] = "error: %s: %s" % (type(e).__name__, e)
    return out


# --- subprocess implementations -----------------------------------------------
def run_tool(cmd, stdin=None, env=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, **(env or {})), timeout=300)
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), p.stderr.strip()[-2000:]))
    return json.loads(p.stdout)


def node_tool():
    node = shutil.which("node")
    jose_dir = os.path.join(ROOT, "build", "interop", "node")
    if not node:
        return None, "node is not installed"
    if not os.path.isdir(os.path.join(jose_dir, "node_modules", "jose")):
        return None, "jose is not installed in build/interop/node (run tests/interop/setup.sh)"
    cmd = [node, os.path.join(HERE, "node", "jose_tool.mjs")]
    env = {"JOSE_DIR": jose_dir}
    return (lambda: run_tool(cmd + ["sign", KEYS_PATH, SUB], env=env),
            lambda toks: run_tool(cmd + ["verify", KEYS_PATH, SUB], json.dumps(toks), env)), None


def go_tool():
    exe = os.path.join(ROOT, "build", "interop", "go", "interop")
    if not os.path.exists(exe):
        return None, "golang-jwt tool not built (Go toolchain absent? run tests/interop/setup.sh)"
    return (lambda: run_tool([exe, "sign", KEYS_PATH, SUB]),
            lambda toks: run_tool([exe, "verify", KEYS_PATH, SUB], json.dumps(toks))), None


def lua_verifier():
    lua = shutil.which(os.environ.get("LUA54", "lua5.4"))
    so = os.path.join(ROOT, "build", "lua5.4", "cjwt", "core.so")
    if not lua or not os.path.exists(so):
        return None, "lua5.4 or build/lua5.4/cjwt/core.so missing (make lua)"
    env = {"LUA_PATH": "lua/?.lua;lua/?/init.lua;;", "LUA_CPATH": "build/lua5.4/?.so;;"}
    cmd = [lua, os.path.join(HERE, "lua_tool.lua"), KEYS_PATH, SUB]
    return (lambda toks: run_tool(cmd, json.dumps(toks), env)), None


def main():
    impls = {"PyJWT": (pyjwt_sign, pyjwt_verify)}
    skipped = []
    for name, make in (("jose", node_tool), ("golang-jwt", go_tool)):
        tool, why = make()
        if tool:
            impls[name] = tool
        else:
            skipped.append("%s: %s" % (name, why))
    lua_verify, why = lua_verifier()
    if not lua_verify:
        skipped.append("cjwt-lua: %s" % why)

    columns = {}   # column title -> {alg: result}
    controls = []  # verifiers that accepted a tampered token (must stay empty)
    cjwt_tokens = cjwt_sign()

    def check(title, verify, tokens, skip=()):
        tokens = {a: t for a, t in tokens.items() if a not in skip}
        columns[title] = dict(verify(tokens), **{a: "n/a" for a in skip})
        # Negative control: the same tokens with a changed payload must all
        # fail, so an "ok" above cannot come from a verifier that accepts anything.
        bad = verify({a: tamper(t) for a, t in tokens.items()}) if tokens else {}
        controls.extend("%s %s" % (title, a) for a, r in bad.items() if r == "ok")

    for name, (sign, verify) in impls.items():
        skip = UNSUPPORTED.get(name, set())
        check("cjwt>" + name, verify, cjwt_tokens, skip)
        theirs = {a: t for a, t in sign().items() if a not in skip}
        check(name + ">cjwt", cjwt_verify, theirs, skip)
        if lua_verify:
            check(name + ">cjwt-lua", lua_verify, theirs, skip)

    titles = list(columns)
    width = max(len(t) for t in titles) + 2
    print("interop matrix (signer>verifier; cjwt = Python binding, cjwt-lua = Lua 5.4 binding)")
    print("alg".ljust(7) + "".join(t.rjust(width) for t in titles))
    print("(Ed448 = EdDSA with an Ed448 key; EdDSA = with an Ed25519 key)")
    passed = failed = 0
    failures = []
    for a in ALGS:
        row = a.ljust(7)
        for t in titles:
            r = columns[t].get(a, "error: no result")
            if r == "n/a":
                row += "n/a".rjust(width)
                continue
            ok = r == "ok"
            passed += ok
            failed += not ok
            if not ok:
                failures.append("%s %s: %s" % (t, a, r))
            row += ("ok" if ok else "FAIL").rjust(width)
        print(row)
    print("tampered-token controls: %s" % ("all rejected" if not controls else
                                            "ACCEPTED by " + ", ".join(controls)))
    failed += len(controls)
    for s in skipped:
        print("SKIPPED column " + s)
    for name, rows in UNSUPPORTED.items():
        print("n/a: %s has no %s" % (name, ", ".join(sorted(rows))))
    for f in failures:
        print("  " + f)
    print("interop: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
