"""Generates vectors.json: encrypted and nested JWTs made by jwcrypto (an
independent implementation), with the answers cjwt must give in C, Python and
Lua (tests/c/test_jwt_jwe.c, tests/python/test_jwt_jwe.py,
tests/lua/jwt_jwe_spec.lua). Format: README.md next to this file.

    python3 tests/vectors/encrypted_jwt/gen.py   # needs jwcrypto

Tokens are random (IVs, CEKs, ephemeral keys), so a rerun gives new bytes with
the same meaning; the file is kept as generated."""
import base64
import json
import os

from jwcrypto import jwe, jwk, jws
from jwcrypto.common import json_encode

NOW = 1700000000
HERE = os.path.dirname(os.path.abspath(__file__))


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def oct_key(secret, **extra):
    return {"kty": "oct", "k": b64u(secret), **extra}


DIR_KEY = oct_key(b"0123456789abcdef0123456789abcdef", use="enc")
KW_KEY = oct_key(b"fedcba9876543210", use="enc")
HS_KEY = oct_key(b"a secret of at least 32 bytes for HS256!")
OTHER_HS_KEY = oct_key(b"another secret of 32 bytes or more!!")
EC_ENC = json.loads(jwk.JWK.generate(kty="EC", crv="P-256").export(private_key=True))
EC_ENC["use"] = "enc"
EC_SIG = json.loads(jwk.JWK.generate(kty="EC", crv="P-256", kid="sig-1").export(private_key=True))
RSA_ENC = json.loads(jwk.JWK.generate(kty="RSA", size=2048).export(private_key=True))
RSA_ENC["use"] = "enc"


def public(k):
    return {n: v for n, v in k.items() if n not in ("d", "p", "q", "dp", "dq", "qi")}


def encrypt(plaintext, key, alg, enc, **header):
    prot = {"alg": alg, "enc": enc, **header}
    t = jwe.JWE(plaintext if isinstance(plaintext, bytes) else plaintext.encode(),
                json_encode(prot))
    t.add_recipient(jwk.JWK(**key))
    return t.serialize(compact=True)


def sign(claims, key, alg, **header):
    s = jws.JWS(json.dumps(claims, separators=(",", ":")).encode())
    s.add_signature(jwk.JWK(**key), None, json_encode({"alg": alg, "typ": "JWT", **header}))
    return s.serialize(compact=True)


CLAIMS = {"sub": "user-1", "aud": "api", "iss": "https://issuer.example", "iat": NOW,
          "exp": NOW + 900}
DIR = {"algorithms": ["dir"], "encryptions": ["A256GCM"]}

enc_dir = encrypt(json.dumps(CLAIMS), DIR_KEY, "dir", "A256GCM", typ="JWT")
nested_hs = encrypt(sign(CLAIMS, HS_KEY, "HS256"), DIR_KEY, "dir", "A256GCM", cty="JWT")
nested_lower = encrypt(sign(CLAIMS, HS_KEY, "HS256"), DIR_KEY, "dir", "A256GCM", cty="jwt")
none_inner = (b64u(b'{"alg":"none"}') + "." +
              b64u(json.dumps(CLAIMS, separators=(",", ":")).encode()) + ".")
nested_none = encrypt(none_inner, DIR_KEY, "dir", "A256GCM", cty="JWT")
cty_not_jws = encrypt(json.dumps(CLAIMS), DIR_KEY, "dir", "A256GCM", cty="JWT")
kw_cbc = encrypt(json.dumps(CLAIMS), KW_KEY, "A128KW", "A128CBC-HS256", typ="at+jwt")
nested_ec = encrypt(sign(CLAIMS, EC_SIG, "ES256", kid="sig-1"), public(EC_ENC), "ECDH-ES+A256KW",
                    "A256GCM", cty="JWT")
rsa_enc = encrypt(json.dumps(CLAIMS), public(RSA_ENC), "RSA-OAEP-256", "A256GCM")
nbf_inner = encrypt(sign({**CLAIMS, "nbf": NOW + 600}, HS_KEY, "HS256"), DIR_KEY, "dir",
                    "A256GCM", cty="JWT")
not_object = encrypt("[1,2,3]", DIR_KEY, "dir", "A256GCM")
RSA_OAEP = {"algorithms": ["RSA-OAEP-256"], "encryptions": ["A256GCM"]}
NESTED = {**DIR, "signature_algorithms": ["HS256"]}


def case(name, token, key, expect, options=None, verification_key=None, now=NOW):
    options = dict(options or DIR)
    options.setdefault("audience", "api")   # the claims have one (decode's rule)
    c = {"name": name, "token": token, "key": {"jwk": key}, "options": options,
         "now": now, "expect": expect}
    if verification_key is not None:
        c["verification_key"] = {"jwk": verification_key}
    return c


cases = [
    case("encrypted dir A256GCM", enc_dir, DIR_KEY, {"claims": CLAIMS},
         {**DIR, "audience": "api", "issuer": "https://issuer.example", "typ": "JWT"}),
    case("encrypted: expired", enc_dir, DIR_KEY, {"error": "expired"}, now=NOW + 900),
    case("encrypted: leeway", enc_dir, DIR_KEY, {"claims": CLAIMS}, {**DIR, "leeway": 10},
         now=NOW + 905),
    case("encrypted: wrong audience", enc_dir, DIR_KEY, {"error": "invalid_audience"},
         {**DIR, "audience": "billing"}),
    case("encrypted: wrong issuer", enc_dir, DIR_KEY, {"error": "invalid_issuer"},
         {**DIR, "issuer": "https://other.example"}),
    case("encrypted: required jti", enc_dir, DIR_KEY, {"error": "missing_claim", "claim": "jti"},
         {**DIR, "require": ["jti"]}),
    case("encrypted: max_age", enc_dir, DIR_KEY, {"error": "expired"}, {**DIR, "max_age": 60},
         now=NOW + 120),
    case("encrypted: enc not allowed", enc_dir, DIR_KEY, {"error": "alg_not_allowed"},
         {"algorithms": ["dir"], "encryptions": ["A128GCM"]}),
    case("encrypted: alg not allowed", enc_dir, DIR_KEY, {"error": "alg_not_allowed"},
         {"algorithms": ["A256KW"], "encryptions": ["A256GCM"]}),
    case("encrypted: signing key never decrypts", enc_dir, {**DIR_KEY, "use": "sig"},
         {"error": "invalid_key"}),
    case("encrypted: EC key for dir", enc_dir, EC_ENC, {"error": "invalid_key"}),
    case("encrypted: verification key given but not signed", enc_dir, DIR_KEY,
         {"error": "bad_signature"}, NESTED, verification_key=HS_KEY),
    case("encrypted A128KW A128CBC-HS256, typ at+jwt", kw_cbc, KW_KEY, {"claims": CLAIMS},
         {"algorithms": ["A128KW"], "encryptions": ["A128CBC-HS256"], "typ": "at+jwt"}),
    case("encrypted: typ differs", kw_cbc, KW_KEY, {"error": "invalid_typ"},
         {"algorithms": ["A128KW"], "encryptions": ["A128CBC-HS256"], "typ": "JWT"}),
    case("encrypted RSA-OAEP-256", rsa_enc, RSA_ENC, {"claims": CLAIMS}, RSA_OAEP),
    case("encrypted: plaintext not an object", not_object, DIR_KEY, {"error": "malformed"}),
    case("nested HS256 in dir", nested_hs, DIR_KEY, {"claims": CLAIMS}, NESTED,
         verification_key=HS_KEY),
    case("nested: cty compared case-insensitively", nested_lower, DIR_KEY, {"claims": CLAIMS},
         NESTED, verification_key=HS_KEY),
    case("nested without a verification key", nested_hs, DIR_KEY, {"error": "invalid_key"}),
    case("nested: wrong verification key", nested_hs, DIR_KEY, {"error": "bad_signature"},
         NESTED, verification_key=OTHER_HS_KEY),
    case("nested: JWS alg not allowed", nested_hs, DIR_KEY, {"error": "alg_not_allowed"},
         {**DIR, "signature_algorithms": ["HS384"]}, verification_key=HS_KEY),
    case("nested: expired inside", nested_hs, DIR_KEY, {"error": "expired"}, NESTED,
         verification_key=HS_KEY, now=NOW + 1000),
    case("nested: nbf inside", nbf_inner, DIR_KEY, {"error": "not_yet_valid"}, NESTED,
         verification_key=HS_KEY),
    case("nested: inner alg none", nested_none, DIR_KEY, {"error": "alg_not_allowed"},
         {**DIR, "signature_algorithms": ["HS256", "none"]}, verification_key=HS_KEY),
    case("nested: cty JWT over claims, not a JWS", cty_not_jws, DIR_KEY, {"error": "malformed"},
         NESTED, verification_key=HS_KEY),
    case("nested: encryption key never verifies", nested_hs, DIR_KEY, {"error": "invalid_key"},
         NESTED, verification_key={**HS_KEY, "use": "enc"}),
    case("nested ES256 in ECDH-ES+A256KW", nested_ec, EC_ENC, {"claims": CLAIMS},
         {"algorithms": ["ECDH-ES+A256KW"], "encryptions": ["A256GCM"],
          "signature_algorithms": ["ES256"], "audience": "api"}, verification_key=public(EC_SIG)),
    case("nested: the recipient's key does not verify", nested_ec, EC_ENC,
         {"error": "invalid_key"},
         {"algorithms": ["ECDH-ES+A256KW"], "encryptions": ["A256GCM"],
          "signature_algorithms": ["ES256"]}, verification_key=public(EC_ENC)),
]

with open(os.path.join(HERE, "vectors.json"), "w", encoding="utf-8") as f:
    json.dump({"description": "Encrypted and nested JWTs made by jwcrypto "
               + "(gen.py); the answers cjwt gives in every language", "cases": cases},
              f, indent=1)
    f.write("\n")
print(len(cases), "cases")
