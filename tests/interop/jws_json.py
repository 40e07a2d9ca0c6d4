#!/usr/bin/env python3
"""JWS JSON serialization interop with node `jose` both ways (run by `make
test-interop` after the matrix): cjwt's general JSON (HS256 + ES256, one
unprotected header), flattened `b64: false` and compact detached `b64: false`
verified by jose's generalVerify / flattenedVerify / compactVerify; jose's
general JSON and its detached flattened `b64: false` (written with
`"payload": ""`) verified by cjwt.jws_decode_complete. Skips (exit 0, says
why) when node or jose (tests/interop/setup.sh) is absent."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
import cjwt  # noqa: E402


def main():
    jose_dir = os.environ.get("JOSE_DIR", os.path.join(ROOT, "build", "interop", "node"))
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(jose_dir, "node_modules", "jose")):
        print("jws_json interop: skipped (node or jose absent; run tests/interop/setup.sh)")
        return 0
    secret = b"interop secret of at least 32 bytes!"
    payload = "interop payload $.02"
    ec = cjwt.Key.generate("ES256", kid="ec-1")
    inp = {
        "secret": secret.decode(), "ec_pub": ec.to_jwk(), "ec_priv": ec.to_jwk(private=True),
        "payload": payload,
        "general": cjwt.jws_encode_json(payload.encode(), [
            {"key": secret, "algorithm": "HS256", "header": {"kid": "hmac"}}, {"key": ec}]),
        "flattened_b64_false": cjwt.jws_encode_json(
            payload.encode(), {"key": secret, "algorithm": "HS256", "protected": {"b64": False}},
            flattened=True),
        "compact_payload": "compact payload, no dot",
        "detached": cjwt.jws_encode(b"compact payload, no dot", secret, "HS256", {"b64": False},
                                    detached=True),
    }
    p = subprocess.run([node, os.path.join(HERE, "node", "jws_json_tool.mjs")],
                       input=json.dumps(inp), capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, JOSE_DIR=jose_dir))
    if p.returncode != 0:
        print("jose tool failed:", p.stderr[-2000:])
        return 1
    out = json.loads(p.stdout)
    rows = dict(("cjwt -> jose: " + k, v) for k, v in out["verified"].items())
    pub = cjwt.Key.from_jwk(ec.to_jwk())
    checks = [
        ("jose -> cjwt: general, HS256 key", out["signed"]["general"], secret, ["HS256"], None, 0),
        ("jose -> cjwt: general, ES256 key", out["signed"]["general"], pub, ["ES256"], None, 1),
        ("jose -> cjwt: flattened b64 false, detached", out["signed"]["flattened_b64_false_detached"],
         secret, ["HS256"], payload.encode(), 0),
    ]
    for name, jws, key, algs, det, index in checks:
        try:
            got = cjwt.jws_decode_complete(jws, key, algorithms=algs, detached_payload=det)
            ok = got["payload"] == payload.encode() and got["signature_index"] == index
            rows[name] = "ok" if ok else "error: %r" % (got,)
        except cjwt.PyJWTError as e:
            rows[name] = "error: %s %s" % (e.code, e)
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        print(k.ljust(width), v)
    failed = [k for k, v in rows.items() if v != "ok"]
    print("jws_json interop: %d checks, %d failed" % (len(rows), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
