#!/usr/bin/env python3
"""JWE interop matrix: every key-management x content-encryption pair (x curve,
and with `zip: "DEF"` for every key management with A256GCM) that cjwt
implements, both ways, between cjwt and independent implementations:

    cjwt producers/consumers: Python binding, Lua 5.4 and LuaJIT bindings
    peers: jose (node, tests/interop/node), joserfc and jwcrypto (PyPI),
           go-jose (tests/interop/gojose)

    python3 tests/interop/jwe_matrix.py     (from the repo root, after `make build`
                                             and tests/interop/setup.sh)

For every direction "producer>consumer" (one side cjwt, the other a peer), the
producer encrypts a distinct plaintext per case with the fixed keys in
jwe_keys.json (compact serialization) and the consumer decrypts it with only
that alg and enc allowed and must return the same plaintext; the same token
with its tag changed must be refused (a negative control). A peer that does not
implement a case says so ("n/a" with its reason, listed below the matrix): that
cell is counted as skipped, never as passed. RSA1_5 is decrypt-only in cjwt, so
its cjwt>peer cells are n/a. All cases of one direction go to a tool in one
batch (one process per tool and mode, not per case).

The closing lines check that every case went both ways (peer>cjwt and
cjwt>peer, RSA1_5 only the former) with at least two peers, and print
"jwe interop: N passed, N failed, N skipped"; the exit status is 1 if a cell
failed, a control was accepted, or a case has fewer than two peers."""
import base64
import json
import os
import shutil
import subprocess
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
with open(os.path.join(HERE, "jwe_keys.json"), encoding="utf-8") as f:
    KEYS = json.load(f)["keys"]

P2C = 4096   # PBES2 iterations every producer uses (jwcrypto refuses more than 16384)
ENCS = [("A128GCM", 16), ("A192GCM", 24), ("A256GCM", 32),
        ("A128CBC-HS256", 32), ("A192CBC-HS384", 48), ("A256CBC-HS512", 64)]
CURVES = [("P-256", "p256"), ("P-384", "p384"), ("P-521", "p521"),
          ("X25519", "x25519"), ("X448", "x448")]
# key management rows: (row title, alg, key name or None for dir)
KM = ([("RSA-OAEP", "RSA-OAEP", "rsa"), ("RSA-OAEP-256", "RSA-OAEP-256", "rsa"),
       ("RSA1_5", "RSA1_5", "rsa"),
       ("A128KW", "A128KW", "oct16"), ("A192KW", "A192KW", "oct24"), ("A256KW", "A256KW", "oct32"),
       ("dir", "dir", None)]
      + [("%s %s" % (a, crv), a, k) for a in ("ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
                                              "ECDH-ES+A256KW") for crv, k in CURVES]
      + [("A128GCMKW", "A128GCMKW", "oct16"), ("A192GCMKW", "A192GCMKW", "oct24"),
         ("A256GCMKW", "A256GCMKW", "oct32"),
         ("PBES2-HS256+A128KW", "PBES2-HS256+A128KW", "password"),
         ("PBES2-HS384+A192KW", "PBES2-HS384+A192KW", "password"),
         ("PBES2-HS512+A256KW", "PBES2-HS512+A256KW", "password")])
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


def public_jwk(jwk):
    if jwk["kty"] == "oct":
        return jwk
    return {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}


def make_cases():
    cases = []
    for row, alg, keyname in KM:
        for enc, size in ENCS + [("A256GCM", 32)]:
            zipped = len([c for c in cases if c["row"] == row]) == len(ENCS)
            name = keyname or "oct%d" % size
            cid = "%s %s%s" % (row, enc, " zip" if zipped else "")
            cases.append({"id": cid, "row": row, "alg": alg, "enc": enc, "zip": zipped,
                          "private": KEYS[name], "public": public_jwk(KEYS[name]),
                          "plaintext": "jwe interop \u2713 %s" % cid})
    return cases


def encrypt_job(cases):
    return [{"id": c["id"], "alg": c["alg"], "enc": c["enc"], "zip": c["zip"], "key": c["public"],
             "plaintext": c["plaintext"], "p2c": P2C} for c in cases]


def decrypt_job(cases, tokens):
    """Each token and its tampered twin (id + "~tampered")."""
    out = []
    for c in cases:
        t = tokens.get(c["id"])
        if not isinstance(t, str):
            continue
        for cid, tok in ((c["id"], t), (c["id"] + "~tampered", tamper(t))):
            out.append({"id": cid, "alg": c["alg"], "enc": c["enc"], "key": c["private"],
                        "token": tok})
    return out


def tamper(token):
    """The token with the first character of its tag changed (its top bits: the
    tag bytes always change)."""
    parts = token.split(".")
    parts[4] = ("B" if parts[4][0] == "A" else "A") + parts[4][1:]
    return ".".join(parts)


# --- in-process implementations: cjwt (Python), joserfc, jwcrypto -------------
# encrypt(job) -> {id: token | {"na": why} | {"error": msg}}
# decrypt(job) -> {id: {"plaintext": text} | {"na": why} | {"error": msg}}
def guarded(fn, job, wrap):
    out = {}
    for c in job:
        try:
            out[c["id"]] = wrap(fn(c))
        except NotImplementedError as e:
            out[c["id"]] = {"na": str(e)}
        except Exception as e:   # the cell shows why
            out[c["id"]] = {"error": "%s: %s" % (type(e).__name__, e)}
    return out


def as_text(b):
    return {"plaintext": b.decode("utf-8")}


def cjwt_encrypt(job):
    import cjwt

    def one(c):
        if c["alg"] == "RSA1_5":
            raise NotImplementedError("cjwt never encrypts with RSA1_5 (decrypt-only)")
        return cjwt.jwe_encrypt(c["plaintext"].encode(), c["key"], alg=c["alg"], enc=c["enc"],
                                zip="DEF" if c["zip"] else None, p2c=c["p2c"])
    return guarded(one, job, lambda t: t)


def cjwt_decrypt(job):
    import cjwt
    return guarded(lambda c: cjwt.jwe_decrypt(c["token"], c["key"], algorithms=[c["alg"]],
                                              encryptions=[c["enc"]]), job, as_text)


def joserfc_encrypt(job):
    from joserfc import jwe
    from joserfc.jwk import JWKRegistry

    def one(c):
        reg = jwe.JWERegistry(algorithms=[c["alg"], c["enc"]] + (["DEF"] if c["zip"] else []))
        header = {"alg": c["alg"], "enc": c["enc"]}
        if c["zip"]:
            header["zip"] = "DEF"
        if c["alg"].startswith("PBES2"):
            header["p2c"] = c["p2c"]
        return jwe.encrypt_compact(header, c["plaintext"].encode(), JWKRegistry.import_key(c["key"]),
                                   registry=reg)
    return guarded(one, job, lambda t: t)


def joserfc_decrypt(job):
    from joserfc import jwe
    from joserfc.jwk import JWKRegistry

    def one(c):
        reg = jwe.JWERegistry(algorithms=[c["alg"], c["enc"], "DEF"])
        return jwe.decrypt_compact(c["token"], JWKRegistry.import_key(c["key"]), registry=reg).plaintext
    return guarded(one, job, as_text)


def jwcrypto_encrypt(job):
    from jwcrypto import jwe, jwk

    def one(c):
        header = {"alg": c["alg"], "enc": c["enc"]}
        if c["zip"]:
            header["zip"] = "DEF"
        if c["alg"].startswith("PBES2"):
            header["p2c"] = c["p2c"]
        e = jwe.JWE(c["plaintext"].encode(), protected=json.dumps(header),
                    algs=[c["alg"], c["enc"]])
        e.add_recipient(jwk.JWK(**c["key"]))
        return e.serialize(compact=True)
    return guarded(one, job, lambda t: t)


def jwcrypto_decrypt(job):
    from jwcrypto import jwe, jwk

    def one(c):
        e = jwe.JWE(algs=[c["alg"], c["enc"]])
        e.deserialize(c["token"], key=jwk.JWK(**c["key"]))
        return e.payload
    return guarded(one, job, as_text)


# --- subprocess implementations: one process per tool and mode ---------------
def batch_tool(cmd, env=None):
    def call(mode, job):
        p = subprocess.run(cmd + [mode], input=json.dumps(job), capture_output=True, text=True,
                           cwd=ROOT, env=dict(os.environ, **(env or {})), timeout=600)
        if p.returncode != 0:
            err = "%s %s failed: %s" % (os.path.basename(cmd[-1]), mode, p.stderr.strip()[-500:])
            return {c["id"]: {"error": err} for c in job}
        return json.loads(p.stdout)
    return (lambda job: call("encrypt", job)), (lambda job: call("decrypt", job))


def node_tool():
    node = shutil.which("node")
    jose_dir = os.path.join(ROOT, "build", "interop", "node")
    if not node:
        return None, "node is not installed"
    if not os.path.isdir(os.path.join(jose_dir, "node_modules", "jose")):
        return None, "jose is not installed in build/interop/node (run tests/interop/setup.sh)"
    return batch_tool([node, os.path.join(HERE, "node", "jwe_tool.mjs")], {"JOSE_DIR": jose_dir}), None


def gojose_tool():
    exe = os.path.join(ROOT, "build", "interop", "gojose", "jwe-interop")
    if not os.path.exists(exe):
        return None, "go-jose tool not built (Go toolchain absent? run tests/interop/setup.sh)"
    return batch_tool([exe]), None


def lua_tool(interp, build):
    lua = shutil.which(interp)
    so = os.path.join(ROOT, "build", build, "cjwt", "core.so")
    if not lua or not os.path.exists(so):
        return None, "%s or build/%s/cjwt/core.so missing (make lua)" % (interp, build)
    env = {"LUA_PATH": "lua/?.lua;lua/?/init.lua;;", "LUA_CPATH": "build/%s/?.so;;" % build}
    return batch_tool([lua, os.path.join(HERE, "lua_jwe_tool.lua")], env), None


def python_peer(modname, enc, dec):
    try:
        __import__(modname)
    except ImportError:
        return None, "%s is not installed (scripts/install-deps.sh)" % modname
    return (enc, dec), None


# --- the matrix --------------------------------------------------------------
def judge(case, result, control):
    """'ok' | 'na: why' | 'FAIL: why' for one cell."""
    if isinstance(result, dict) and "na" in result:
        return "na: " + result["na"]
    if result is None:
        return "FAIL: no result"
    if "error" in result:
        return "FAIL: " + result["error"]
    if result.get("plaintext") != case["plaintext"]:
        return "FAIL: wrong plaintext %r" % result.get("plaintext")
    if control is None or "plaintext" in control:
        return "FAIL: the tampered token was accepted"
    return "ok"


def main():
    # joserfc warns about RSA1_5 and short PBES2 counts; the matrix names them on purpose
    warnings.simplefilter("ignore")
    cases = make_cases()
    cjwt_side = {"cjwt-py": ((cjwt_encrypt, cjwt_decrypt), None)}
    cjwt_side["cjwt-lua5.4"] = lua_tool(os.environ.get("LUA54", "lua5.4"), "lua5.4")
    cjwt_side["cjwt-luajit"] = lua_tool(os.environ.get("LUAJIT", "luajit"), "luajit")
    peers = {"jose": node_tool(),
             "joserfc": python_peer("joserfc", joserfc_encrypt, joserfc_decrypt),
             "jwcrypto": python_peer("jwcrypto", jwcrypto_encrypt, jwcrypto_decrypt),
             "go-jose": gojose_tool()}
    missing = ["%s: %s" % (n, why) for n, (t, why) in list(cjwt_side.items()) + list(peers.items())
               if t is None]
    cjwt_side = {n: t for n, (t, _) in cjwt_side.items() if t}
    peers = {n: t for n, (t, _) in peers.items() if t}

    enc_job = encrypt_job(cases)
    produced = {n: t[0](enc_job) for n, t in list(cjwt_side.items()) + list(peers.items())}
    cells = {}   # direction -> {case id: verdict}
    for prod, consumers, is_cjwt in [(p, peers, True) for p in cjwt_side] + \
                                    [(p, cjwt_side, False) for p in peers]:
        tokens = produced[prod]
        job = decrypt_job(cases, tokens)
        for cons, (_, decrypt) in consumers.items():
            got = decrypt(job) if job else {}
            col = cells["%s>%s" % (prod, cons)] = {}
            for c in cases:
                t = tokens.get(c["id"])
                if isinstance(t, dict):   # the producer could not make it
                    col[c["id"]] = ("na: " + t["na"]) if "na" in t else \
                                   "FAIL: encrypt: " + t.get("error", "?")
                else:
                    col[c["id"]] = judge(c, got.get(c["id"]), got.get(c["id"] + "~tampered"))

    # matrix: a row per key management (and curve), a column per direction;
    # a cell "N" = N cases ok (6 encs + 1 zip), "N+Mna" when M were n/a, "FAIL" else.
    titles = list(cells)
    rows = [r for r, _, _ in KM]
    w0 = max(len(r) for r in rows) + 1
    print("JWE interop matrix (producer>consumer; a cell counts the cases that went through,")
    print("of %d per row: %d encs + A256GCM with zip DEF; 'na' = the producer or consumer lacks it)"
          % (len(ENCS) + 1, len(ENCS)))
    for i, t in enumerate(titles):
        print("  [%d] %s" % (i + 1, t))
    w = max(6, max(len(str(i + 1)) for i in range(len(titles))) + 2)
    print("".ljust(w0) + "".join(("[%d]" % (i + 1)).rjust(w + 2) for i in range(len(titles))))
    passed = failed = skipped = 0
    failures, na = [], {}
    for r in rows:
        line = r.ljust(w0)
        rcases = [c for c in cases if c["row"] == r]
        for t in titles:
            v = [cells[t][c["id"]] for c in rcases]
            ok = sum(x == "ok" for x in v)
            nas = [x for x in v if x.startswith("na:")]
            bad = [(c["id"], x) for c, x in zip(rcases, v) if x.startswith("FAIL")]
            passed += ok
            skipped += len(nas)
            failed += len(bad)
            for cid, x in bad:
                failures.append("%s %s: %s" % (t, cid, x))
            for x in nas:
                na.setdefault(x[4:], set()).add(t)
            cell = "FAIL%d" % len(bad) if bad else ("%d" % ok + ("+%dna" % len(nas) if nas else ""))
            line += cell.rjust(w + 2)
        print(line)

    # coverage: every case both ways with at least two peers
    short = []
    for c in cases:
        for way in ("peer>cjwt", "cjwt>peer"):
            if way == "cjwt>peer" and c["alg"] == "RSA1_5":
                continue
            good = set()
            for t, col in cells.items():
                prod, cons = t.split(">")
                peer = cons if prod in cjwt_side else prod
                if (prod in cjwt_side) == (way == "cjwt>peer") and col[c["id"]] == "ok":
                    good.add(peer)
            # a peer counts when every cjwt binding went through with it
            full = [p for p in good if all(cells["%s>%s" % ((b, p) if way == "cjwt>peer" else (p, b))]
                                           [c["id"]] == "ok" for b in cjwt_side)]
            if len(full) < 2:
                short.append("%s (%s): %s" % (c["id"], way, ", ".join(sorted(full)) or "none"))
    for s in missing:
        print("NOT RUN " + s)
    if na:
        print("n/a (not implemented by that side; counted as skipped, never as passed):")
        for why, ts in sorted(na.items()):
            print("  %s [%s]" % (why, ", ".join(sorted(ts))))
    for f in failures:
        print("  " + f)
    print("coverage: %d cases x 2 ways; %s" % (len(cases), "every case has >= 2 peers both ways"
                                                if not short else "%d with fewer than 2 peers:" % len(short)))
    for s in short:
        print("  " + s)
    print("jwe interop: %d passed, %d failed, %d skipped" % (passed, failed + len(short), skipped))
    return 1 if failed or short else 0


if __name__ == "__main__":
    sys.exit(main())
