#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz harness into build/fuzz/seeds/<name>/
from the shared vectors (tests/vectors/*.json) and the fixed keys in
fuzz_keys.h. Standard library only; output is small and never committed."""
import base64
import glob
import hashlib
import json
import os
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def main(out):
    cases = []
    jwe_cases = []
    jws_cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "*.json"))):
        base = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            (jwe_cases if base.startswith("jwe_") else jws_cases if base.startswith("jws_")
             else cases).extend(json.load(f)["cases"])
    seeds = {n: set() for n in ("b64url", "header", "json", "claims", "verify_hmac",
                                "verify_rsa", "verify_ec", "verify_ed25519", "keyset",
                                "jwk", "pem", "json_diff", "jwe", "verify_es256k",
                                "verify_ed448", "jws_json", "json_ref")}
    # fuzz_jws_json: byte 0 the mode, byte 1 the key (0x80: detached)
    for c in jws_cases:
        tok = (c["token"] if "token" in c else json.dumps(c["jws"])).encode()
        for k in range(3):
            seeds["jws_json"].add(b"\x00" + bytes([k | (0x80 if "detached" in c else 0)]) + tok)
    for prot, unprot in ((b'{"b64":false}', b'{"kid":"x"}'), (b'{"typ":"t"}', b''),
                         (b'', b'{"x":1}'), (b'{"crit":["exp"],"exp":1}', b'')):
        for flags in range(8):
            seeds["jws_json"].add(b"\x01" + bytes([flags]) + prot + b"\n" + unprot + b"\n$.02")
    # fuzz_jwe: byte 0 the mode, byte 1 the key (see the harness)
    for c in jwe_cases:
        tok = c["token"] if "token" in c else json.dumps(c["jwe"])
        for k in range(9):
            seeds["jwe"].add(b"\x00" + bytes([k]) + tok.encode())
    for k in range(9):
        for enc in (0, 3, 0x82, 0x85):
            seeds["jwe"].add(b"\x01" + bytes([k, enc]) + b'{"kid":"k","cty":"JWT"}\nhello')
    for h in (b'{"alg":"dir","enc":"A128GCM","zip":"DEF"}', b'{"alg":"dir","enc":"A128GCM"}',
              b'{"alg":"dir","enc":"A128GCM","crit":["x"],"x":1}'):
        seeds["jwe"].add(b"\x02\x00" + h + b"\n" + zlib.compress(b"a" * 5000)[2:-4])
    jwks = []
    for c in cases:
        tok = c["token"].encode("utf-8", "surrogateescape")
        seeds["header"].add(tok)
        segs = tok.split(b".")
        for s in segs:
            seeds["b64url"].add(s)
        parts = []
        if len(segs) == 3:
            try:
                parts = [b64d(segs[0].decode()), b64d(segs[1].decode())]
            except Exception:
                parts = []
        for p in parts:
            seeds["json"].add(p)
        if parts:
            seeds["claims"].add(b"\x00" + parts[1])
            seeds["claims"].add(b"\xff" + parts[1])
        for v in ("verify_hmac", "verify_rsa", "verify_ec", "verify_ed25519", "verify_es256k",
                  "verify_ed448"):
            seeds[v].add(b"\x00" + tok)
            if parts:
                seeds[v].add(b"\x01\x00" + parts[0] + b"\n" + parts[1])
        seeds["keyset"].add(b"\x00" + tok)
        if parts:
            seeds["keyset"].add(b"\x01\x01" + parts[0] + b"\n" + parts[1])
        key = c.get("key") or {}
        if "jwk" in key:
            j = json.dumps(key["jwk"]).encode()
            seeds["jwk"].add(j)
            seeds["json"].add(j)
            jwks.append(key["jwk"])
    # Header variants a fuzzer would take long to find on its own.
    for h in ({"alg": "RS256", "kid": "rsa"}, {"alg": "ES256", "kid": "ec"},
              {"alg": "EdDSA", "kid": "ed"}, {"alg": "ES256"}, {"alg": "ES256K"},
              {"alg": "RS256", "crit": ["exp"], "exp": 1}, {"alg": "none"},
              {"alg": "HS256", "jku": "http://127.0.0.1/", "jwk": {"kty": "oct", "k": "AA"}}):
        body = json.dumps(h).encode() + b"\n" + b'{"sub":"u","exp":1700000100,"iat":1699999900}'
        for v in ("verify_hmac", "verify_rsa", "verify_ec", "verify_ed25519", "verify_es256k",
                  "verify_ed448"):
            seeds[v].add(b"\x01\x00" + body)
        seeds["keyset"].add(b"\x01\x00" + body)
        seeds["keyset"].add(b"\x01\x01" + body)
        seeds["keyset"].add(b"\x01\x02" + body)
    if jwks:
        seeds["keyset"].add(b"\x02" + json.dumps({"keys": jwks}).encode())
    with open(os.path.join(HERE, "fuzz_keys.h"), encoding="utf-8") as f:
        src = f.read()
    pems = re.findall(r'static const char FUZZ_\w+_PEM\[\] =\n((?:\s+".*\n)+)', src)
    for p in pems:
        text = "".join(re.findall(r'"(.*)"', p)).replace("\\n", "\n").encode()
        seeds["pem"].add(b"\x00" + text)
        seeds["jwk"].add(b'{"kty":"oct","k":"c2VjcmV0"}')
    seeds["pem"].add(b"\x00ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO7eXVuQb0+2m6Qd4dG0Wn8wRUlbV2xWQ2e5KQbQd6+n x")
    seeds["json_diff"] = set(seeds["json"]) | {
        b'{"a":1e-400}', b'[1e400]', b'"\\ud83d\\ude00"', b'{"a":-0}', b'[9223372036854775807]',
        b'[-9223372036854775808]', b'[9223372036854775808]', b'"\xf4\x8f\xbf\xbf"', b'[1.5E+3]',
        b'{"a":{"b":[true,false,null]}}', b' [ ] ', b'"\\u00e9"'}
    # fuzz_json_ref: the same texts, plus nesting around the depth limits it tries (3, 32)
    seeds["json_ref"] = set(seeds["json_diff"]) | {
        b'[[[1]]]', b'[[[[1]]]]', b'{"a":{"b":{"c":{}}}}', b'[' * 32 + b']' * 32,
        b'[' * 33 + b']' * 33, b'[[[[x', b'{"a":1,"a":2}', b'{"a":"\\ud800"}', b'[1,]'}
    for name, items in seeds.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for item in items:
            h = hashlib.sha1(item).hexdigest()
            with open(os.path.join(d, h), "wb") as f:
                f.write(item)
    print("seeds:", ", ".join("%s=%d" % (n, len(s)) for n, s in sorted(seeds.items())))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "seeds"))
