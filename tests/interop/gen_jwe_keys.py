#!/usr/bin/env python3
"""Regenerates jwe_keys.json: fixed JWE test keys (they protect nothing) for the
JWE interop matrix (jwe_matrix.py), as private JWKs: RSA 2048, EC P-256/384/521,
OKP X25519/X448, AES keys of 16/24/32/48/64 bytes and a PBES2 password (an
`oct` JWK). Needs `jwcrypto`; run once, the output is committed."""
import json
import os

from jwcrypto import jwk

from jwcrypto.common import base64url_encode


def main():
    keys = {"rsa": jwk.JWK.generate(kty="RSA", size=2048)}
    for name, crv in (("p256", "P-256"), ("p384", "P-384"), ("p521", "P-521")):
        keys[name] = jwk.JWK.generate(kty="EC", crv=crv)
    for name, crv in (("x25519", "X25519"), ("x448", "X448")):
        keys[name] = jwk.JWK.generate(kty="OKP", crv=crv)
    out = {n: json.loads(k.export_private()) for n, k in keys.items()}
    for size in (16, 24, 32, 48, 64):
        out["oct%d" % size] = {"kty": "oct", "k": base64url_encode(os.urandom(size))}
    out["password"] = {"kty": "oct", "k": base64url_encode(b"interop-password: correct horse battery")}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jwe_keys.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"description": "fixed JWE interop keys (private JWKs); tests/interop/gen_jwe_keys.py",
                   "keys": out}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
