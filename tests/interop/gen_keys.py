#!/usr/bin/env python3
"""Regenerates keys.json: fixed test keys (they protect nothing) shared by the
interop matrix and the threat tests, as PEM and as JWK, so that every
implementation and every binding loads the same material. Needs the
`cryptography` package; run once, the output is committed."""
import base64
import datetime
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def uint(n, width=None):
    width = width or (n.bit_length() + 7) // 8
    return b64u(n.to_bytes(width, "big"))


def pems(k):
    priv = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption()).decode()
    pub = k.public_key().public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return priv, pub


def entry(k, kid):
    priv, pub = pems(k)
    if isinstance(k, rsa.RSAPrivateKey):
        n = k.public_key().public_numbers()
        jwk = {"kty": "RSA", "n": uint(n.n), "e": uint(n.e)}
    elif isinstance(k, ec.EllipticCurvePrivateKey):
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521",
               "secp256k1": "secp256k1"}[k.curve.name]
        w = (k.curve.key_size + 7) // 8
        n = k.public_key().public_numbers()
        jwk = {"kty": "EC", "crv": crv, "x": uint(n.x, w), "y": uint(n.y, w)}
    else:
        raw = k.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)
        crv = "Ed448" if isinstance(k, ed448.Ed448PrivateKey) else "Ed25519"
        jwk = {"kty": "OKP", "crv": crv, "x": b64u(raw)}
    jwk["kid"] = kid
    return {"private_pem": priv, "public_pem": pub, "public_jwk": jwk}


def self_signed(k):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker.invalid")])
    t = datetime.datetime(2024, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(k.public_key()).serial_number(1)
            .not_valid_before(t).not_valid_after(t + datetime.timedelta(days=3650))
            .sign(k, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def main():
    """Adds the keys keys.json lacks; the ones it has are kept (tests and
    committed vectors depend on them). Delete the file to start afresh."""
    makers = {
        "rsa": lambda: entry(rsa.generate_private_key(65537, 2048), "rsa-1"),
        "ec256": lambda: entry(ec.generate_private_key(ec.SECP256R1()), "ec256-1"),
        "ec384": lambda: entry(ec.generate_private_key(ec.SECP384R1()), "ec384-1"),
        "ec521": lambda: entry(ec.generate_private_key(ec.SECP521R1()), "ec521-1"),
        "ed25519": lambda: entry(ed25519.Ed25519PrivateKey.generate(), "ed-1"),
        "secp256k1": lambda: entry(ec.generate_private_key(ec.SECP256K1()), "es256k-1"),
        "ed448": lambda: entry(ed448.Ed448PrivateKey.generate(), "ed448-1"),
        # 64 bytes: long enough for HS512 (RFC 7518 3.2)
        "hmac": lambda: {"secret": "interop-secret-" + os.urandom(25).hex(), "kid": "hs-1"},
        "attacker_ec256": attacker_entry,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys.json")
    keys = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            keys = json.load(f)["keys"]
    for name, make in makers.items():
        if name not in keys:
            keys[name] = make()
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"description": "Fixed test keys; they protect nothing.", "keys": keys}, f,
                  indent=1, sort_keys=True)
        f.write("\n")


def attacker_entry():
    attacker = ec.generate_private_key(ec.SECP256R1())
    e = entry(attacker, "attacker")
    e["x5c"] = [self_signed(attacker)]
    return e


if __name__ == "__main__":
    main()
