#!/usr/bin/env python3
"""Regenerate the shared JWT vectors in tests/vectors/.

    python3 tests/vectors/gen_vectors.py            # rewrites every *.json here
    python3 tests/vectors/gen_vectors.py --new-keys # ... with new asymmetric keys

The HMAC files use the Python standard library only (hmac, hashlib, base64,
json); the asymmetric ones (rfc.json's RSA/ECDSA/Ed25519 examples, asym.json,
keysets.json) use the `cryptography` package.  Either way the vectors are
independent of cjwt: they say what a correct verifier must answer, not what ours
happens to answer.  Everything is deterministic (fixed secrets, fixed keys in
keys/generated_keys.json, fixed `now`, RFC 6979 ECDSA, RSA-PSS signatures reused
while they verify, keys sorted in the output), so running the script twice gives
byte-identical files.

The format of a file is described in tests/vectors/README.md.  Every case is
checked here before it is written: a case that expects claims or a payload must
carry a signature that verifies under the independent implementation (or must
switch the signature check off), and the malformed cases built with `signed()`
carry a MAC that is valid over their (malformed) content, so that a verifier can
only refuse them for the structural reason the case is about.

Expected errors follow docs/design.md ("Error names") and the check order
    structure -> header (alg present and a string, crit) -> algorithm allowlist
    and key type -> signature -> typ -> claims (required, iat, nbf, exp,
    max_age, iss, aud, sub).
Cases whose expectation is a judgement call carry a `note`.
"""

import base64
import hashlib
import hmac
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# A fixed "current time" for every generated case (2023-11-14T22:13:20Z).
NOW = 1700000000

# Fixed secrets.  Lengths are exactly the hash output size for each algorithm
# (the RFC 7518 3.2 minimum), so the "valid" cases also pin the boundary.
SECRET_256 = "cjwt-vector-secret-hs256-32bytes"            # 32 bytes
SECRET_384 = "cjwt-vector-secret-hs384-is-exactly-48-bytes-ok!"  # 48 bytes
SECRET_512 = ("cjwt-vector-secret-hs512-is-exactly-sixty-four"
              "-bytes-long-for-it")                           # 64 bytes
OTHER_256 = "another-secret-of-thirty-two-byt"                # 32 bytes, wrong key
assert len(SECRET_256) == 32 and len(SECRET_384) == 48
assert len(SECRET_512) == 64 and len(OTHER_256) == 32

HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
MIN_LEN = {"HS256": 32, "HS384": 48, "HS512": 64}

B64U_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Public keys of other types, for key-type confusion cases.  All are published
# examples: RSA from RFC 7515 A.2, EC P-256 from RFC 7515 A.3, Ed25519 from
# RFC 8037 A.2 (only the public parts are needed).
RSA_JWK = {
    "kty": "RSA",
    "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrc"
         "S2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb"
         "_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
         "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethF"
         "kMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
    "e": "AQAB",
}
EC_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}
OKP_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}


# ---------------------------------------------------------------- helpers --

def b64u(data):
    """Strict RFC 7515 base64url: no padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact(obj):
    """The JSON text a typical signer produces (member order as written)."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def as_bytes(part):
    """A header/payload given as a dict (serialised compactly) or as raw bytes."""
    if isinstance(part, (bytes, bytearray)):
        return bytes(part)
    if isinstance(part, str):
        return part.encode("utf-8")
    return compact(part)


def mac(alg, secret, signing_input):
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if isinstance(signing_input, str):
        signing_input = signing_input.encode("utf-8")
    return hmac.new(secret, signing_input, HASHES[alg]).digest()


def signed(h_seg, p_seg, secret=SECRET_256, alg="HS256"):
    """Join already-encoded segments and append a MAC valid over exactly them."""
    si = h_seg + "." + p_seg
    return si + "." + b64u(mac(alg, secret, si))


def jwt(header, payload, secret=SECRET_256, alg="HS256"):
    return signed(b64u(as_bytes(header)), b64u(as_bytes(payload)), secret, alg)


def hs256(payload, extra_header=None, secret=SECRET_256):
    header = {"alg": "HS256", "typ": "JWT"}
    header.update(extra_header or {})
    return jwt(header, payload, secret)


def key_secret(text):
    return {"secret": text}


def key_hex(data):
    return {"secret_hex": data.hex()}


def ok(claims, header=None):
    e = {"claims": claims}
    if header is not None:
        e["header"] = header
    return e


def err(name, claim=None):
    e = {"error": name}
    if claim is not None:
        e["claim"] = claim
    return e


def key_bytes(key):
    """The HMAC secret a vector key stands for, or None (asymmetric / null)."""
    if key is None:
        return None
    if "secret" in key:
        return key["secret"].encode("utf-8")
    if "secret_hex" in key:
        return bytes.fromhex(key["secret_hex"])
    jwk = key["jwk"]
    if jwk.get("kty") == "oct":
        return b64u_decode(jwk["k"])
    return None


def mac_verifies(token, key):
    """Independent check of an HMAC token's signature with the stdlib."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    secret = key_bytes(key)
    if secret is None:
        return False
    try:
        alg = json.loads(b64u_decode(parts[0]))["alg"]
    except (ValueError, KeyError, TypeError):
        alg = None
    if not isinstance(alg, str) or alg not in HASHES:
        alg = "HS256"   # malformed cases are MACed with HS256 over their content
    want = mac(alg, secret, parts[0] + "." + parts[1])
    return hmac.compare_digest(b64u(want), parts[2])


class VectorFile:
    """Collects the cases of one file and writes it deterministically."""

    def __init__(self, filename, description):
        self.filename = filename
        self.description = description
        self.cases = []
        self.names = set()

    def add(self, name, token, key, expect, options=None, now=NOW,
            key_flags=None, source=None, note=None, mac_ok=None, unsecured=False,
            mode=None, sig_ok=None):
        """Add a case.  mac_ok=True asserts that the token's signature is valid
        for `key` under an independent implementation (stdlib HMAC, or
        `cryptography` for RSA/EC/Ed25519 keys; used for malformed-but-
        correctly-signed tokens); sig_ok=False asserts that it is NOT.  Cases
        that expect claims or a payload are always checked, except
        unsecured=True ones (alg "none", empty signature, allowed by name).
        mode="jws": raw JWS verification, expect a payload, not claims."""
        assert name not in self.names, "duplicate case name " + name
        self.names.add(name)
        options = dict(options or {})
        assert mode in (None, "jws"), name
        if unsecured:
            hs, _, ss = token.split(".")
            assert ss == "" and json.loads(b64u_decode(hs))["alg"] == "none", name
        success = ("claims" in expect or "payload_b64u" in expect
                   or "payload_text" in expect)
        if mode == "jws":
            assert "claims" not in expect and "header" not in expect, name
        else:
            assert "payload_b64u" not in expect and "payload_text" not in expect, name
        if success:
            if options.get("verify_signature", True) and not unsecured:
                assert verifies(token, key, options), name + ": signature does not verify"
            parts = token.split(".")
            if "claims" in expect:
                assert json.loads(b64u_decode(parts[1])) == expect["claims"], name
            if "payload_b64u" in expect:
                assert b64u_decode(parts[1]) == b64u_decode(expect["payload_b64u"]), name
                assert b64u(b64u_decode(expect["payload_b64u"])) == expect["payload_b64u"]
            if "payload_text" in expect:
                assert b64u_decode(parts[1]) == expect["payload_text"].encode("utf-8"), name
        if mac_ok:
            assert verifies(token, key, options), name + ": signature expected valid"
        if sig_ok is not None:
            assert verifies(token, key, options) == sig_ok, name + ": sig_ok mismatch"
        c = {"name": name, "token": token, "key": key, "options": options,
             "now": now, "expect": expect}
        if mode:
            c["mode"] = mode
        if key_flags:
            c["key_flags"] = key_flags
        if source:
            c["source"] = source
        if note:
            c["note"] = note
        self.cases.append(c)

    def write(self):
        doc = {"description": self.description, "cases": self.cases}
        text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True,
                          allow_nan=False) + "\n"
        path = os.path.join(HERE, self.filename)
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        return path, len(self.cases)


HS = {"algorithms": ["HS256"]}


def opts(**kw):
    o = {"algorithms": ["HS256"]}
    o.update(kw)
    return o


# ------------------------------------------------- asymmetric (cryptography) --
#
# RSA, ECDSA and Ed25519 signatures are made and checked with the
# `cryptography` package (pyca), independently of cjwt.  A vector that expects
# a token to verify is only written if `cryptography` verifies it too.

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)
from cryptography.x509.oid import NameOID

SHA = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
EC_CURVES = {"P-256": (ec.SECP256R1, 32), "P-384": (ec.SECP384R1, 48),
             "P-521": (ec.SECP521R1, 66), "secp256k1": (ec.SECP256K1, 32)}
ES_CURVE = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}
# EdDSA's curve is the key's (RFC 8037): the OKP curves that sign.
ED_CURVES = {"Ed25519": ed25519, "Ed448": ed448}


def b64u_int(text):
    return int.from_bytes(b64u_decode(text), "big")


def int_b64u(value, length=None):
    if length is None:
        length = max(1, (value.bit_length() + 7) // 8)
    return b64u(value.to_bytes(length, "big"))


def jwk_public_key(jwk):
    """A `cryptography` public key for a JWK.  When the JWK carries a private
    part, it is checked to belong to the public part."""
    kty = jwk.get("kty")
    if kty == "RSA":
        pub = rsa.RSAPublicNumbers(b64u_int(jwk["e"]), b64u_int(jwk["n"])).public_key()
        if "d" in jwk:
            d = b64u_int(jwk["d"])
            m = 0x1234567890abcdef
            assert pow(pow(m, d, b64u_int(jwk["n"])), b64u_int(jwk["e"]),
                       b64u_int(jwk["n"])) == m, "RSA JWK: d does not match n, e"
        return pub
    if kty == "EC":
        curve, size = EC_CURVES[jwk["crv"]]
        pub = ec.EllipticCurvePublicNumbers(b64u_int(jwk["x"]), b64u_int(jwk["y"]),
                                            curve()).public_key()
        if "d" in jwk:
            priv = ec.derive_private_key(b64u_int(jwk["d"]), curve())
            assert priv.public_key().public_numbers() == pub.public_numbers(), \
                "EC JWK: d does not match x, y"
        return pub
    if kty == "OKP" and jwk.get("crv") in ED_CURVES:
        mod = ED_CURVES[jwk["crv"]]
        cls = mod.Ed25519PublicKey if mod is ed25519 else mod.Ed448PublicKey
        pub = cls.from_public_bytes(b64u_decode(jwk["x"]))
        if "d" in jwk:
            pcls = mod.Ed25519PrivateKey if mod is ed25519 else mod.Ed448PrivateKey
            priv = pcls.from_private_bytes(b64u_decode(jwk["d"]))
            assert priv.public_key().public_bytes_raw() == pub.public_bytes_raw(), \
                "OKP JWK: d does not match x"
        return pub
    return None


def pem_public_key(pem, password=None):
    data = pem.encode("ascii")
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    if b"PRIVATE KEY" in data:
        pw = password.encode("utf-8") if password is not None else None
        return serialization.load_pem_private_key(data, pw).public_key()
    return serialization.load_pem_public_key(data)


def asym_verify(alg, pub, data, sig):
    """True when `sig` is a valid JWS signature (RFC 7518) of `data` under
    `pub` for `alg`; False otherwise (wrong key type, curve, size, form)."""
    try:
        if alg[:2] == "RS" and isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, data, padding.PKCS1v15(), SHA[alg[2:5]]())
            return True
        if alg[:2] == "PS" and isinstance(pub, rsa.RSAPublicKey):
            h = SHA[alg[2:5]]()
            pub.verify(sig, data, padding.PSS(mgf=padding.MGF1(SHA[alg[2:5]]()),
                                              salt_length=h.digest_size), h)
            return True
        if alg in ES_CURVE and isinstance(pub, ec.EllipticCurvePublicKey):
            curve, size = EC_CURVES[ES_CURVE[alg]]
            if pub.curve.name != curve.name or len(sig) != 2 * size:
                return False
            r = int.from_bytes(sig[:size], "big")
            s = int.from_bytes(sig[size:], "big")
            pub.verify(encode_dss_signature(r, s), data, ec.ECDSA(SHA[alg[2:5]]()))
            return True
        if alg == "EdDSA" and isinstance(pub, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            pub.verify(sig, data)
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def asym_public(spec):
    """The public keys a vector key spec stands for (a list), or None when it
    is an HMAC secret / null."""
    if spec is None:
        return None
    if "pem" in spec:
        return [pem_public_key(spec["pem"], spec.get("password"))]
    if "jwk" in spec and spec["jwk"].get("kty") != "oct":
        return [jwk_public_key(spec["jwk"])]
    if "jwks" in spec:
        return None
    return None


def verifies(token, key, options=None):
    """Independent check of a token's signature for a vector key spec."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    if key is not None and "jwks" in key:
        return jwks_verifies(token, key["jwks"])
    pubs = asym_public(key)
    if pubs is None:
        return mac_verifies(token, key)
    try:
        alg = json.loads(b64u_decode(parts[0]))["alg"]
        sig = b64u_decode(parts[2])
    except (ValueError, KeyError, TypeError):
        return False
    data = (parts[0] + "." + parts[1]).encode("ascii")
    return any(asym_verify(alg, p, data, sig) for p in pubs)


def jwks_verifies(token, jwks):
    """Key set selection as docs/design.md and cjwt.h describe it: the key named by kid,
    else any key that verifies."""
    parts = token.split(".")
    hdr = json.loads(b64u_decode(parts[0]))
    keys = [k for k in jwks["keys"] if k.get("use", "sig") == "sig"]
    if "kid" in hdr:
        keys = [k for k in keys if k.get("kid") == hdr["kid"]]
    for k in keys:
        if k.get("kty") == "oct":
            if mac_verifies(token, {"jwk": k}):
                return True
        elif verifies(token, {"jwk": k}):
            return True
    return False


# --- keys generated once (tests/vectors/keys/generated_keys.json) ---------

KEY_FILE = os.path.join(HERE, "keys", "generated_keys.json")
# Keys for algorithms added later (ES256K, Ed448): made when the file lacks them.
LATER_KEYS = {
    "secp256k1": lambda: ec.generate_private_key(ec.SECP256K1()),
    "secp256k1-b": lambda: ec.generate_private_key(ec.SECP256K1()),
    "ed448": ed448.Ed448PrivateKey.generate,
    "ed448-b": ed448.Ed448PrivateKey.generate,
}
KEY_PASSWORD = "correct horse battery staple"


def load_or_make_keys(regenerate=False):
    """Private keys (PKCS#8 PEM) used by the generated asymmetric vectors.
    Made once with `cryptography` and kept in keys/generated_keys.json, so
    rerunning the generator gives the same files; --new-keys makes new ones."""
    if os.path.exists(KEY_FILE) and not regenerate:
        with open(KEY_FILE, encoding="ascii") as f:
            stored = json.load(f)
        missing = sorted(set(LATER_KEYS) - set(stored))
        if missing:        # keys added after the file was made: added, the rest kept
            for name in missing:
                stored[name] = LATER_KEYS[name]().private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()).decode("ascii")
            with open(KEY_FILE, "w", encoding="ascii", newline="\n") as f:
                f.write(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    else:
        def pem(k):
            return k.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()).decode("ascii")
        gen = {
            "rsa2048": lambda: rsa.generate_private_key(65537, 2048),
            "rsa2048-b": lambda: rsa.generate_private_key(65537, 2048),
            "rsa1024": lambda: rsa.generate_private_key(65537, 1024),
            "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
            "p256-b": lambda: ec.generate_private_key(ec.SECP256R1()),
            "p384": lambda: ec.generate_private_key(ec.SECP384R1()),
            "p384-b": lambda: ec.generate_private_key(ec.SECP384R1()),
            "p521": lambda: ec.generate_private_key(ec.SECP521R1()),
            "p521-b": lambda: ec.generate_private_key(ec.SECP521R1()),
            "ed25519": ed25519.Ed25519PrivateKey.generate,
            "ed25519-b": ed25519.Ed25519PrivateKey.generate,
        }
        gen.update(LATER_KEYS)
        stored = {"note": "TEST KEYS ONLY, generated by gen_vectors.py --new-keys; "
                          "never use them for anything else"}
        for name, make in sorted(gen.items()):
            stored[name] = pem(make())
        # The P-256 key again, as encrypted PKCS#8 (random salt/IV: stored).
        k = serialization.load_pem_private_key(stored["p256"].encode(), None)
        stored["p256-encrypted"] = k.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(KEY_PASSWORD.encode())).decode("ascii")
        os.makedirs(os.path.dirname(KEY_FILE), exist_ok=True)
        with open(KEY_FILE, "w", encoding="ascii", newline="\n") as f:
            f.write(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    keys = {}
    for name, text in stored.items():
        if name == "note" or name.endswith("-encrypted"):
            continue
        keys[name] = serialization.load_pem_private_key(text.encode("ascii"), None)
    keys["_encrypted_p256_pem"] = stored["p256-encrypted"]
    return keys


def public_pem(priv):
    return priv.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def private_pem(priv):
    return priv.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode("ascii")


def public_jwk(priv, **extra):
    pub = priv.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        n = pub.public_numbers()
        j = {"kty": "RSA", "n": int_b64u(n.n), "e": int_b64u(n.e)}
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        n = pub.public_numbers()
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521",
               "secp256k1": "secp256k1"}[pub.curve.name]
        size = EC_CURVES[crv][1]
        j = {"kty": "EC", "crv": crv, "x": int_b64u(n.x, size), "y": int_b64u(n.y, size)}
    else:
        crv = "Ed448" if isinstance(pub, ed448.Ed448PublicKey) else "Ed25519"
        j = {"kty": "OKP", "crv": crv, "x": b64u(pub.public_bytes_raw())}
    j.update(extra)
    return j


# Randomized signatures (RSA-PSS) are reused from the previous output when
# their signing input is unchanged and they still verify, so rerunning the
# generator with the same keys leaves the files byte-identical.
_SIG_CACHE = {}


def load_sig_cache(filenames):
    for fn in filenames:
        path = os.path.join(HERE, fn)
        if not os.path.exists(path):
            continue
        with open(path, encoding="ascii") as f:
            for c in json.load(f)["cases"]:
                parts = c["token"].split(".")
                if len(parts) == 3:
                    _SIG_CACHE.setdefault(parts[0] + "." + parts[1], []).append(parts[2])


def asym_sign(alg, priv, signing_input):
    data = signing_input.encode("ascii")
    if alg.startswith("PS"):
        for cached in _SIG_CACHE.get(signing_input, []):
            try:
                sig = b64u_decode(cached)
            except ValueError:
                continue
            if asym_verify(alg, priv.public_key(), data, sig):
                return sig
        h = SHA[alg[2:5]]()
        sig = priv.sign(data, padding.PSS(mgf=padding.MGF1(SHA[alg[2:5]]()),
                                          salt_length=h.digest_size), h)
        _SIG_CACHE.setdefault(signing_input, []).insert(0, b64u(sig))
        return sig
    if alg.startswith("RS"):
        return priv.sign(data, padding.PKCS1v15(), SHA[alg[2:5]]())
    if alg in ES_CURVE:
        size = EC_CURVES[ES_CURVE[alg]][1]
        der = priv.sign(data, ec.ECDSA(SHA[alg[2:5]](), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if alg == "EdDSA":
        return priv.sign(data)
    raise AssertionError(alg)


def asym_token(alg, priv, payload, header=None):
    """A compact JWS; payload is a dict (JSON) or bytes (raw JWS)."""
    hdr = {"alg": alg, "typ": "JWT"} if header is None else dict(header, alg=alg)
    si = b64u(compact(hdr)) + "." + b64u(as_bytes(payload))
    return si + "." + b64u(asym_sign(alg, priv, si))


def self_signed_cert(priv):
    """A fixed self-signed X.509 certificate (RSA PKCS#1 v1.5 signatures are
    deterministic, so the PEM is the same on every run)."""
    import datetime
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cjwt test vectors")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(priv.public_key()).serial_number(0x636a7774)
            .not_valid_before(datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc))
            .not_valid_after(datetime.datetime(2033, 1, 1, tzinfo=datetime.timezone.utc))
            .sign(priv, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def rsa_pkcs1_public_pem(priv):
    return priv.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode("ascii")



# --- RFC 7515 A.2-A.5, RFC 7520 4.1-4.4, RFC 8037 A.1-A.4 (asymmetric) -------
# Keys and tokens as published.  gen_rfc_asym() re-checks each with
# `cryptography`; the deterministic ones (RS256, Ed25519) are also re-signed
# with the published private key and must come out byte for byte the same.

RFC7515_PAYLOAD_SEG = ("eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
                       "LmNvbS9pc19yb290Ijp0cnVlfQ")
RFC7515_CLAIMS = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}

RFC7515_A2_JWK = {
    "kty": "RSA",
    "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
         "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
         "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH"
         "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
         "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8"
         "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
    "e": "AQAB",
    "d": "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97I"
         "jlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0"
         "BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn"
         "439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYT"
         "CBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLh"
         "BOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
    "p": "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdi"
         "YrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPG"
         "BY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
    "q": "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxa"
         "ewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA"
         "-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
    "dp": "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3Q"
          "CLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb"
          "34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
    "dq": "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa"
          "7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-ky"
          "NlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
    "qi": "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2o"
          "y26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLU"
          "W0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U",
}
RFC7515_A2_TOKEN = (
    "eyJhbGciOiJSUzI1NiJ9." + RFC7515_PAYLOAD_SEG + "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc"
    "_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vR"
    "K5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZ"
    "ESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN"
    "_IoypGlUPQGe77Rw")

RFC7515_A3_JWK = {"kty": "EC", "crv": "P-256",
                  "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                  "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                  "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}
RFC7515_A3_TOKEN = ("eyJhbGciOiJFUzI1NiJ9." + RFC7515_PAYLOAD_SEG + "."
                    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8IS"
                    "lSApmWQxfKTUJqPP3-Kg6NU1Q")
# The same signature as the RFC's octet arrays of R and S (A.3.1), a second
# transcription the base64url above is checked against.
RFC7515_A3_SIG_OCTETS = [
    14, 209, 33, 83, 121, 99, 108, 72, 60, 47, 127, 21, 88, 7, 212, 2, 163, 178, 40, 3,
    58, 249, 124, 126, 23, 129, 154, 195, 22, 158, 166, 101,
    197, 10, 7, 211, 140, 60, 112, 229, 216, 241, 45, 175, 8, 74, 84, 128, 166, 101,
    144, 197, 242, 147, 80, 154, 143, 63, 127, 138, 131, 163, 84, 213]

RFC7515_A4_JWK = {"kty": "EC", "crv": "P-521",
                  "x": "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_"
                       "NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
                  "y": "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDl"
                       "y79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2",
                  "d": "AY5pb7A0UFiB3RELSD64fTLOSV_jazdF7fLYyuTw8lOfRhWg6Y6rUrPA"
                       "xerEzgdRhajnu0ferB0d53vM9mE15j2C"}
RFC7515_A4_TOKEN = ("eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
                    "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZq"
                    "wqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp"
                    "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn")
RFC7515_A4_SIG_OCTETS = [
    1, 220, 12, 129, 231, 171, 194, 209, 232, 135, 233, 117, 247, 105, 122, 210, 26,
    125, 192, 1, 217, 21, 82, 91, 45, 240, 255, 83, 19, 34, 239, 71, 48, 157, 147, 152,
    105, 18, 53, 108, 163, 214, 68, 231, 62, 153, 150, 106, 194, 164, 246, 72, 143, 138,
    24, 50, 129, 223, 133, 206, 209, 172, 63, 237, 119, 109,
    0, 111, 6, 105, 44, 5, 41, 208, 128, 61, 152, 40, 92, 61, 152, 4, 150, 66, 60, 69,
    247, 196, 170, 81, 193, 199, 78, 59, 194, 169, 16, 124, 9, 143, 42, 142, 131, 48,
    206, 238, 34, 175, 83, 203, 220, 159, 3, 107, 155, 22, 27, 73, 111, 68, 68, 21, 238,
    144, 229, 232, 148, 188, 222, 59, 242, 103]

RFC7515_A5_TOKEN = "eyJhbGciOiJub25lIn0." + RFC7515_PAYLOAD_SEG + "."

# RFC 7520 section 3 keys (Figures 1-5) and the section 4 payload (Figure 7).
RFC7520_EC_JWK = {   # Figure 2 (private); Figure 1 is the same without "d"
    "kty": "EC", "kid": "bilbo.baggins@hobbiton.example", "use": "sig", "crv": "P-521",
    "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRX"
         "YgCF5cj0Kt",
    "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwl"
         "GfP-HqHZR1",
    "d": "AAhRON2r9cqXX1hg-RoI6R1tX5p2rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLD"
         "YJ_fF3_rJt"}
RFC7520_RSA_JWK = {  # Figure 4 (private); Figure 3 is kty, kid, use, n, e
    "kty": "RSA", "kid": "bilbo.baggins@hobbiton.example", "use": "sig",
    "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nq"
         "Q0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBo"
         "rdaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lh"
         "zwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxw"
         "UkRz5iaiQkqgc5gHdrNP5zw",
    "e": "AQAB",
    "d": "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJb"
         "vQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDD"
         "qpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt"
         "2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoF"
         "au7gdsPfHPxxjVOcOpBrQzwQ",
    "p": "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAW"
         "U4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJ"
         "lsPp6Zv8bUq0k",
    "q": "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95H"
         "rUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192"
         "zB3pVFJ0s7pFc",
    "dp": "B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-Tanevu"
          "RPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf"
          "1HvChixRX59ehik",
    "dq": "CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1"
          "sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9Aq"
          "C2yeL6kdKT1cYF8",
    "qi": "3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8"
          "-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6x"
          "mujs4qMpPz8aaI4"}
RFC7520_HMAC_JWK = {"kty": "oct", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
                    "use": "sig", "alg": "HS256",
                    "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}   # Figure 5
RFC7520_PAYLOAD_TEXT = ("It\u2019s a dangerous business, Frodo, going out your door. "
                        "You step onto the road, and if you don't keep your feet, "
                        "there\u2019s no knowing where you might be swept off to.")
RFC7520_PAYLOAD_SEG = (
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0"
    "ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5v"
    "IGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4")
RFC7520_TOKENS = {
    "4.1": ("RS256", "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
            "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx"
            "996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHR"
            "D68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrD"
            "aLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH8"
            "4ogoree7vjbU5y18kDquDg"),
    "4.2": ("PS384", "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
            "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsG"
            "qDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8Z"
            "nyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8c"
            "BE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmW"
            "jwZ6oD4ifKo8DYM-X72Eaw"),
    "4.3": ("ES512", "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
            "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4V"
            "a2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8"
            "OcGDqoRuBomu9xQ2"),
    "4.4": ("HS256", "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJj"
                     "NzAzNyJ9",
            "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0"),
}

# RFC 8032 7.4, first test vector ("-----blank"): SECRET KEY, PUBLIC KEY, and the
# SIGNATURE of the empty message (also Wycheproof ed448_test.json tcId 78), and the
# second vector's PUBLIC KEY ("-----1 octet").
RFC8032_ED448_D = ("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3f"
                   "cc2f044e39a3fc5b94492f8f032e7549a20098f95b")
RFC8032_ED448_X = ("5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf12476"
                   "9b46c7061bd6783df1e50f6cd1fa1abeafe8256180")
RFC8032_ED448_SIG_BLANK = (
    "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22"
    "ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cd"
    "da8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600")
RFC8032_ED448_X_1OCTET = ("43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb"
                          "00742802b8438ea4cb82169c235160627b4c3a9480")

# RFC 8037 A.1 (private), A.2 (public), A.4 (signature of "Example of Ed25519 signing").
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519",
               "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
               "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_TOKEN = ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                 "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7"
                 "sVvpAr_MuM0KAg")


def public_only(jwk):
    return {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}


def jwk_private_key(jwk):
    """A `cryptography` private key from a private JWK (for re-signing)."""
    if jwk["kty"] == "RSA":
        pub = rsa.RSAPublicNumbers(b64u_int(jwk["e"]), b64u_int(jwk["n"]))
        return rsa.RSAPrivateNumbers(
            b64u_int(jwk["p"]), b64u_int(jwk["q"]), b64u_int(jwk["d"]),
            b64u_int(jwk["dp"]), b64u_int(jwk["dq"]), b64u_int(jwk["qi"]),
            pub).private_key()
    if jwk["kty"] == "EC":
        return ec.derive_private_key(b64u_int(jwk["d"]), EC_CURVES[jwk["crv"]][0]())
    if jwk["crv"] == "Ed448":
        return ed448.Ed448PrivateKey.from_private_bytes(b64u_decode(jwk["d"]))
    return ed25519.Ed25519PrivateKey.from_private_bytes(b64u_decode(jwk["d"]))


def check_rfc_known_answers():
    """Every RFC example re-checked with `cryptography` before it is written."""
    def resign(jwk, alg, token):
        h, p, s = token.split(".")
        return b64u(asym_sign(alg, jwk_private_key(jwk), h + "." + p)) == s

    # RFC 7515 A.2: verifies, and PKCS#1 v1.5 re-signing gives the same bytes.
    assert verifies(RFC7515_A2_TOKEN, {"jwk": public_only(RFC7515_A2_JWK)})
    assert resign(RFC7515_A2_JWK, "RS256", RFC7515_A2_TOKEN), "RFC 7515 A.2 re-sign"
    # A.3 / A.4: ECDSA is randomized: verify, and match the octet arrays.
    assert RFC7515_A3_TOKEN.split(".")[2] == b64u(bytes(RFC7515_A3_SIG_OCTETS))
    assert verifies(RFC7515_A3_TOKEN, {"jwk": public_only(RFC7515_A3_JWK)})
    assert verifies(RFC7515_A3_TOKEN, {"jwk": RFC7515_A3_JWK})   # d matches x, y
    assert RFC7515_A4_TOKEN.split(".")[2] == b64u(bytes(RFC7515_A4_SIG_OCTETS))
    assert verifies(RFC7515_A4_TOKEN, {"jwk": public_only(RFC7515_A4_JWK)})
    assert verifies(RFC7515_A4_TOKEN, {"jwk": RFC7515_A4_JWK})
    assert b64u_decode(RFC7515_A4_TOKEN.split(".")[1]) == b"Payload"
    # A.5: header {"alg":"none"}, empty signature.
    assert b64u_decode(RFC7515_A5_TOKEN.split(".")[0]) == b'{"alg":"none"}'
    assert json.loads(b64u_decode(RFC7515_PAYLOAD_SEG)) == RFC7515_CLAIMS
    # RFC 7520 4.1-4.4 over the Figure 7 payload.
    assert b64u_decode(RFC7520_PAYLOAD_SEG) == RFC7520_PAYLOAD_TEXT.encode("utf-8")
    for sec, (alg, h, s) in RFC7520_TOKENS.items():
        assert json.loads(b64u_decode(h))["alg"] == alg
        tok = h + "." + RFC7520_PAYLOAD_SEG + "." + s
        jwk = {"RS": RFC7520_RSA_JWK, "PS": RFC7520_RSA_JWK, "ES": RFC7520_EC_JWK,
               "HS": RFC7520_HMAC_JWK}[alg[:2]]
        assert verifies(tok, {"jwk": public_only(jwk) if alg[:2] != "HS" else jwk}), sec
        if alg[:2] != "HS":
            assert verifies(tok, {"jwk": jwk}), sec
    assert resign(RFC7520_RSA_JWK, "RS256", RFC7520_TOKENS["4.1"][1] + "." +
                  RFC7520_PAYLOAD_SEG + "." + RFC7520_TOKENS["4.1"][2]), "RFC 7520 4.1 re-sign"
    # RFC 8037: verifies; Ed25519 is deterministic, so re-signing with A.1's
    # d gives A.4's signature exactly.
    assert verifies(RFC8037_TOKEN, {"jwk": public_only(RFC8037_JWK)})
    assert resign(RFC8037_JWK, "EdDSA", RFC8037_TOKEN), "RFC 8037 A.4 re-sign"
    assert b64u_decode(RFC8037_TOKEN.split(".")[1]) == b"Example of Ed25519 signing"
    return True


# ------------------------------------------------------------------ rfc.json --

def gen_rfc():
    f = VectorFile("rfc.json", "Examples copied from the RFCs as published; each "
                   "signature re-checked with stdlib HMAC by gen_vectors.py.")

    # RFC 7515 Appendix A.1 (HS256).  The header and payload contain CR LF and
    # spaces: a verifier that re-serialises the JSON instead of MACing the
    # segments as received fails here.
    a1_key = {"jwk": {"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-Est"
                      "JQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}}
    a1_token = ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
                "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
                "LmNvbS9pc19yb290Ijp0cnVlfQ."
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    a1_claims = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    a1_header = {"typ": "JWT", "alg": "HS256"}
    exp = 1300819380
    f.add("rfc7515-a1-valid-before-exp", a1_token, a1_key, ok(a1_claims, a1_header),
          HS, now=exp - 10, source="RFC 7515 A.1")
    f.add("rfc7515-a1-expired-at-exp", a1_token, a1_key, err("expired"), HS, now=exp,
          source="RFC 7515 A.1", note="exp <= now - leeway is expired (PyJWT rule)")
    f.add("rfc7515-a1-expired-after-exp", a1_token, a1_key, err("expired"), HS,
          now=1700000000, source="RFC 7515 A.1")
    f.add("rfc7515-a1-alg-not-allowed", a1_token, a1_key, err("alg_not_allowed"),
          {"algorithms": ["HS512"]}, now=exp - 10, source="RFC 7515 A.1")

    # RFC 7519 Section 3.1: the example JWT is the RFC 7515 A.1 token (same key).
    f.add("rfc7519-3.1-valid-issuer-joe", a1_token, a1_key, ok(a1_claims),
          opts(issuer="joe"), now=exp - 3600, source="RFC 7519 3.1")
    f.add("rfc7519-3.1-wrong-issuer", a1_token, a1_key, err("invalid_issuer"),
          opts(issuer="joe2"), now=exp - 3600, source="RFC 7519 3.1")

    # RFC 7520 Section 4.4 (HS256 JWS, key of Figure 5).  Its payload is text,
    # not a JSON object, so verified as a JWT it must be refused as malformed
    # even though the signature is valid.
    k44 = {"jwk": {"kty": "oct", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
                   "use": "sig", "alg": "HS256",
                   "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}}
    t44 = ("eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJj"
           "NzAzNyJ9."
           "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9v"
           "ci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIg"
           "ZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9m"
           "ZiB0by4."
           "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0")
    f.add("rfc7520-4.4-payload-not-json", t44, k44, err("malformed"), HS,
          now=NOW, source="RFC 7520 4.4", mac_ok=True,
          note="valid JWS, but the payload is not a JSON object, so not a JWT")
    # --- asymmetric RFC examples (re-checked by check_rfc_known_answers) ----
    check_rfc_known_answers()
    exp = 1300819380
    before = exp - 10
    rs = {"algorithms": ["RS256"]}
    a2_pub = {"jwk": public_only(RFC7515_A2_JWK)}
    f.add("rfc7515-a2-rs256-valid", RFC7515_A2_TOKEN, a2_pub,
          ok(RFC7515_CLAIMS, {"alg": "RS256"}), rs, now=before, source="RFC 7515 A.2")
    f.add("rfc7515-a2-rs256-private-jwk-valid", RFC7515_A2_TOKEN,
          {"jwk": RFC7515_A2_JWK}, ok(RFC7515_CLAIMS), rs, now=before,
          source="RFC 7515 A.2", note="a private JWK verifies with its public part")
    f.add("rfc7515-a2-rs256-expired", RFC7515_A2_TOKEN, a2_pub, err("expired"), rs,
          now=NOW, source="RFC 7515 A.2")
    f.add("rfc7515-a2-rs256-alg-not-allowed", RFC7515_A2_TOKEN, a2_pub,
          err("alg_not_allowed"), {"algorithms": ["PS256", "ES256"]}, now=before,
          source="RFC 7515 A.2")
    f.add("rfc7515-a2-rs256-as-jws", RFC7515_A2_TOKEN, a2_pub,
          {"payload_b64u": RFC7515_PAYLOAD_SEG}, rs, now=NOW, mode="jws",
          source="RFC 7515 A.2", note="raw JWS: no claim checks, so exp does not matter")
    f.add("rfc7515-a2-rs256-wrong-key", RFC7515_A2_TOKEN,
          {"jwk": public_only(RFC7520_RSA_JWK)}, err("bad_signature"), rs, now=before,
          source="RFC 7515 A.2 with the RFC 7520 RSA key", sig_ok=False)
    a3_pub = {"jwk": public_only(RFC7515_A3_JWK)}
    es = {"algorithms": ["ES256"]}
    f.add("rfc7515-a3-es256-valid", RFC7515_A3_TOKEN, a3_pub,
          ok(RFC7515_CLAIMS, {"alg": "ES256"}), es, now=before, source="RFC 7515 A.3")
    f.add("rfc7515-a3-es256-private-jwk-valid", RFC7515_A3_TOKEN, {"jwk": RFC7515_A3_JWK},
          ok(RFC7515_CLAIMS), es, now=before, source="RFC 7515 A.3")
    h, p, s = RFC7515_A3_TOKEN.split(".")
    sig = b64u_decode(s)
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    f.add("rfc7515-a3-es256-der-signature", h + "." + p + "." + b64u(der), a3_pub,
          err("bad_signature"), es, now=before, source="RFC 7515 A.3", sig_ok=False,
          note="the same (r, s) DER-encoded: JWS needs r||s (RFC 7518 3.4)")
    f.add("rfc7515-a3-es256-s-negated", h + "." + p + "." + b64u(
        sig[:32] + (0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551 -
                    int.from_bytes(sig[32:], "big")).to_bytes(32, "big")),
          a3_pub, ok(RFC7515_CLAIMS), es, now=before, source="RFC 7515 A.3",
          note="(r, n - s) is also a valid ECDSA signature: JWS does not require "
               "low-s (Wycheproof labels it valid too)")
    f.add("rfc7515-a3-es256-token-es384-allowed-only", RFC7515_A3_TOKEN, a3_pub,
          err("alg_not_allowed"), {"algorithms": ["ES384"]}, now=before,
          source="RFC 7515 A.3")
    a4_pub = {"jwk": public_only(RFC7515_A4_JWK)}
    f.add("rfc7515-a4-es512-jws", RFC7515_A4_TOKEN, a4_pub, {"payload_text": "Payload"},
          {"algorithms": ["ES512"]}, now=NOW, mode="jws", source="RFC 7515 A.4")
    f.add("rfc7515-a4-es512-private-jwk-jws", RFC7515_A4_TOKEN, {"jwk": RFC7515_A4_JWK},
          {"payload_b64u": "UGF5bG9hZA"}, {"algorithms": ["ES512"]}, now=NOW, mode="jws",
          source="RFC 7515 A.4")
    f.add("rfc7515-a4-es512-as-jwt-malformed", RFC7515_A4_TOKEN, a4_pub, err("malformed"),
          {"algorithms": ["ES512"]}, now=NOW, source="RFC 7515 A.4", mac_ok=True,
          note="valid JWS, but 'Payload' is not a JSON object, so not a JWT")
    f.add("rfc7515-a4-es512-with-p256-key", RFC7515_A4_TOKEN, a3_pub, err("invalid_key"),
          {"algorithms": ["ES512"]}, now=NOW, mode="jws", source="RFC 7515 A.3/A.4",
          note="ES512 needs a P-521 key")
    a1_key = {"jwk": {"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-Est"
                      "JQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}}
    f.add("rfc7515-a5-none-refused-by-default", RFC7515_A5_TOKEN, a1_key,
          err("alg_not_allowed"), {"algorithms": ["HS256"]}, now=before,
          source="RFC 7515 A.5")
    f.add("rfc7515-a5-none-refused-with-all-others-allowed", RFC7515_A5_TOKEN, a2_pub,
          err("alg_not_allowed"),
          {"algorithms": ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                          "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]},
          now=before, source="RFC 7515 A.5", note="'none' only when asked for by name")
    # DESIGN.md: verification never accepts an unsecured token, not even with
    # "none" in the allowlist (an explicitly named function reads it unverified).
    f.add("rfc7515-a5-none-refused-even-by-name", RFC7515_A5_TOKEN, a1_key,
          err("alg_not_allowed"), {"algorithms": ["none"]}, now=before,
          source="RFC 7515 A.5", note="verify never returns an unsecured token's claims")
    f.add("rfc7515-a5-none-refused-even-by-name-jws", RFC7515_A5_TOKEN, a1_key,
          err("alg_not_allowed"), {"algorithms": ["none"]}, now=NOW,
          mode="jws", source="RFC 7515 A.5")
    f.add("rfc7515-a5-none-with-signature-refused", RFC7515_A5_TOKEN + "c2ln", a1_key,
          err("alg_not_allowed"), {"algorithms": ["none"]}, now=before,
          source="RFC 7515 A.5", note="an unsecured JWS is refused, signature or not")
    f.add("rfc7515-a5-none-with-a2-signature-refused",
          RFC7515_A5_TOKEN + RFC7515_A2_TOKEN.split(".")[2], a1_key, err("alg_not_allowed"),
          {"algorithms": ["none", "RS256"]}, now=before, source="RFC 7515 A.5")

    # RFC 7520 4.1-4.4: text payloads, so through raw JWS verification.
    keys_7520 = {"RS": RFC7520_RSA_JWK, "PS": RFC7520_RSA_JWK, "ES": RFC7520_EC_JWK}
    for sec, (alg, hseg, sseg) in sorted(RFC7520_TOKENS.items()):
        tok = hseg + "." + RFC7520_PAYLOAD_SEG + "." + sseg
        src = "RFC 7520 " + sec
        base = "rfc7520-" + sec + "-" + alg.lower()
        if alg == "HS256":
            f.add(base + "-jws", tok, {"jwk": RFC7520_HMAC_JWK},
                  {"payload_text": RFC7520_PAYLOAD_TEXT}, {"algorithms": [alg]}, now=NOW,
                  mode="jws", source=src + " (key: Figure 5)")
            continue
        jwk = keys_7520[alg[:2]]
        fig_pub = "Figure 3" if alg[:2] != "ES" else "Figure 1"
        fig_priv = "Figure 4" if alg[:2] != "ES" else "Figure 2"
        f.add(base + "-jws", tok, {"jwk": public_only(jwk)},
              {"payload_text": RFC7520_PAYLOAD_TEXT}, {"algorithms": [alg]}, now=NOW,
              mode="jws", source=src + " (key: " + fig_pub + ")")
        f.add(base + "-jws-private-key", tok, {"jwk": jwk},
              {"payload_b64u": RFC7520_PAYLOAD_SEG}, {"algorithms": [alg]}, now=NOW,
              mode="jws", source=src + " (key: " + fig_priv + ")")
        f.add(base + "-as-jwt-malformed", tok, {"jwk": public_only(jwk)}, err("malformed"),
              {"algorithms": [alg]}, now=NOW, source=src, mac_ok=True,
              note="valid JWS, but the payload is text, not a JSON object")
        tampered = hseg + "." + b64u(RFC7520_PAYLOAD_TEXT.replace("Frodo", "Sam ")
                                     .encode("utf-8")) + "." + sseg
        f.add(base + "-tampered-payload", tampered, {"jwk": public_only(jwk)},
              err("bad_signature"), {"algorithms": [alg]}, now=NOW, mode="jws",
              source=src, sig_ok=False)
    # The RFC 7520 PS384 signature under a key that says "alg": "PS256" (as
    # Wycheproof's copy of the key does): the JWK is bound to another alg.
    tok = (RFC7520_TOKENS["4.2"][1] + "." + RFC7520_PAYLOAD_SEG + "." +
           RFC7520_TOKENS["4.2"][2])
    f.add("rfc7520-4.2-ps384-key-bound-to-ps256", tok,
          {"jwk": dict(public_only(RFC7520_RSA_JWK), alg="PS256")}, err("invalid_key"),
          {"algorithms": ["PS256", "PS384"]}, now=NOW, mode="jws",
          source="RFC 7520 4.2, key alg changed", mac_ok=True,
          note="a JWK's alg binds it; Wycheproof tc 346/350 label this valid "
               "(documented deviation)")

    # RFC 8037 A.4: Ed25519 over "Example of Ed25519 signing".
    f.add("rfc8037-a4-eddsa-jws", RFC8037_TOKEN, {"jwk": public_only(RFC8037_JWK)},
          {"payload_text": "Example of Ed25519 signing"}, {"algorithms": ["EdDSA"]},
          now=NOW, mode="jws", source="RFC 8037 A.4 (key A.2)")
    f.add("rfc8037-a4-eddsa-jws-private-key", RFC8037_TOKEN, {"jwk": RFC8037_JWK},
          {"payload_b64u": "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"}, {"algorithms": ["EdDSA"]},
          now=NOW, mode="jws", source="RFC 8037 A.4 (key A.1)")
    f.add("rfc8037-a4-eddsa-as-jwt-malformed", RFC8037_TOKEN,
          {"jwk": public_only(RFC8037_JWK)}, err("malformed"), {"algorithms": ["EdDSA"]},
          now=NOW, source="RFC 8037 A.4", mac_ok=True)
    f.add("rfc8037-a4-eddsa-not-allowed", RFC8037_TOKEN, {"jwk": public_only(RFC8037_JWK)},
          err("alg_not_allowed"), {"algorithms": ["ES256"]}, now=NOW, mode="jws",
          source="RFC 8037 A.4")
    h, p, s = RFC8037_TOKEN.split(".")
    sig = bytearray(b64u_decode(s))
    sig[0] ^= 1
    f.add("rfc8037-a4-eddsa-signature-bit-flipped", h + "." + p + "." + b64u(bytes(sig)),
          {"jwk": public_only(RFC8037_JWK)}, err("bad_signature"),
          {"algorithms": ["EdDSA"]}, now=NOW, mode="jws", source="RFC 8037 A.4",
          sig_ok=False)
    f.add("rfc8037-a4-eddsa-with-rfc7515-p256-key", RFC8037_TOKEN, a3_pub,
          err("invalid_key"), {"algorithms": ["EdDSA"]}, now=NOW, mode="jws",
          source="RFC 8037 A.4 / RFC 7515 A.3", note="EdDSA needs an OKP key")
    return f


# ----------------------------------------------------------------- hmac.json --

def gen_hmac():
    f = VectorFile("hmac.json", "HMAC algorithms, signatures, allowlists and keys "
                   "(generated by gen_vectors.py).")
    claims = {"sub": "user-1", "iat": NOW - 60, "exp": NOW + 3600}

    # --- valid tokens for each HMAC algorithm, secret exactly hash-sized -----
    for alg, secret in (("HS256", SECRET_256), ("HS384", SECRET_384),
                        ("HS512", SECRET_512)):
        header = {"alg": alg, "typ": "JWT"}
        t = jwt(header, claims, secret, alg)
        f.add(alg.lower() + "-valid", t, key_secret(secret), ok(claims, header),
              {"algorithms": [alg]})
        # The same token with a JWK form of the same secret.
        f.add(alg.lower() + "-valid-oct-jwk", t,
              {"jwk": {"kty": "oct", "k": b64u(secret.encode())}}, ok(claims),
              {"algorithms": [alg]})
        f.add(alg.lower() + "-valid-oct-jwk-with-alg", t,
              {"jwk": {"kty": "oct", "alg": alg, "k": b64u(secret.encode())}},
              ok(claims), {"algorithms": [alg]})
        # Allowlist holding several algorithms, the token's among them.
        f.add(alg.lower() + "-valid-multi-alg-allowlist", t, key_secret(secret),
              ok(claims), {"algorithms": ["RS256", "HS512", "HS384", "HS256"]})
        # Wrong secret of the right length.
        f.add(alg.lower() + "-wrong-secret", jwt(header, claims, secret[::-1], alg),
              key_secret(secret), err("bad_signature"), {"algorithms": [alg]})

    t = hs256(claims)
    h, p, s = t.split(".")

    # A secret longer than the hash block size (HMAC hashes it first) and a
    # secret containing NUL bytes (catches strlen() on key material).
    long_secret = "L" * 100 + "-long-secret"
    f.add("hs256-valid-secret-longer-than-block", hs256(claims, secret=long_secret),
          key_secret(long_secret), ok(claims), HS)
    nul_secret = b"abc\x00" + b"\x11" * 28
    nul_other = b"abc\x00" + b"\x22" * 28
    f.add("hs256-valid-secret-with-nul-bytes", hs256(claims, secret=nul_secret),
          key_hex(nul_secret), ok(claims), HS)
    f.add("hs256-secret-differs-after-nul-byte", hs256(claims, secret=nul_other),
          key_hex(nul_secret), err("bad_signature"), HS,
          note="the two secrets share the bytes before the first NUL")
    f.add("hs256-valid-kid-header-ignored-for-plain-secret",
          hs256(claims, {"kid": "some-key-id"}), key_secret(SECRET_256), ok(claims), HS)

    # --- tampering ----------------------------------------------------------
    other_h = b64u(compact({"alg": "HS256", "typ": "JWT", "kid": "x"}))
    f.add("tampered-header", other_h + "." + p + "." + s, key_secret(SECRET_256),
          err("bad_signature"), HS)
    other_p = b64u(compact(dict(claims, sub="admin")))
    f.add("tampered-payload", h + "." + other_p + "." + s, key_secret(SECRET_256),
          err("bad_signature"), HS)
    sig = b64u_decode(s)
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    f.add("tampered-signature-first-bit", h + "." + p + "." + b64u(flipped),
          key_secret(SECRET_256), err("bad_signature"), HS)
    flipped = sig[:-1] + bytes([sig[-1] ^ 0x80])
    f.add("tampered-signature-last-byte", h + "." + p + "." + b64u(flipped),
          key_secret(SECRET_256), err("bad_signature"), HS)
    f.add("signature-truncated-31-bytes", h + "." + p + "." + b64u(sig[:31]),
          key_secret(SECRET_256), err("bad_signature"), HS,
          note="a correct MAC prefix of the wrong length")
    f.add("signature-truncated-16-bytes", h + "." + p + "." + b64u(sig[:16]),
          key_secret(SECRET_256), err("bad_signature"), HS)
    f.add("signature-one-byte", h + "." + p + "." + b64u(sig[:1]),
          key_secret(SECRET_256), err("bad_signature"), HS)
    f.add("signature-extended-33-bytes", h + "." + p + "." + b64u(sig + b"\x00"),
          key_secret(SECRET_256), err("bad_signature"), HS,
          note="the correct MAC followed by an extra byte")
    hs512_sig = mac("HS512", SECRET_256, h + "." + p)
    f.add("signature-64-bytes-on-hs256", h + "." + p + "." + b64u(hs512_sig),
          key_secret(SECRET_256), err("bad_signature"), HS)
    f.add("signature-empty", h + "." + p + ".", key_secret(SECRET_256),
          err("bad_signature"), HS,
          note="an empty segment is valid base64url (zero bytes); the MAC has the "
               "wrong length")
    # The HS256 MAC under a header that claims HS384: same bytes, other alg.
    h384 = b64u(compact({"alg": "HS384", "typ": "JWT"}))
    f.add("hs384-header-with-hs256-mac", h384 + "." + p + "." +
          b64u(mac("HS256", SECRET_384, h384 + "." + p)), key_secret(SECRET_384),
          err("bad_signature"), {"algorithms": ["HS384"]})

    # --- allowlist ----------------------------------------------------------
    f.add("alg-not-in-allowlist", t, key_secret(SECRET_256), err("alg_not_allowed"),
          {"algorithms": ["HS384", "HS512"]})
    f.add("alg-not-in-allowlist-asymmetric-only", t, key_secret(SECRET_256),
          err("alg_not_allowed"), {"algorithms": ["RS256", "ES256"]},
          note="the allowlist is checked before the key type")
    f.add("alg-not-allowed-before-signature",
          h + "." + p + "." + b64u(bytes(32)), key_secret(SECRET_256),
          err("alg_not_allowed"), {"algorithms": ["HS512"]},
          note="order: allowlist before signature")

    # --- "none" in several spellings, empty signature -----------------------
    for spelling, expect, why in (
            ("none", "alg_not_allowed", "'none' is a known JWA name, not in the allowlist"),
            ("None", "unsupported_alg", "JWA names are case-sensitive: 'None' is unknown"),
            ("NONE", "unsupported_alg", "JWA names are case-sensitive: 'NONE' is unknown"),
            ("nOnE", "unsupported_alg", "JWA names are case-sensitive")):
        nh = b64u(compact({"alg": spelling, "typ": "JWT"}))
        f.add("alg-" + spelling + "-empty-signature", nh + "." + p + ".",
              key_secret(SECRET_256), err(expect), HS, note=why)
    nh = b64u(compact({"alg": "none"}))
    f.add("alg-none-with-hs256-mac", nh + "." + p + "." +
          b64u(mac("HS256", SECRET_256, nh + "." + p)), key_secret(SECRET_256),
          err("alg_not_allowed"), HS)
    f.add("alg-none-allowlist-hs-family", nh + "." + p + ".", key_secret(SECRET_256),
          err("alg_not_allowed"), {"algorithms": ["HS256", "HS384", "HS512"]})
    # docs/design.md: verify never returns the claims of an unsecured token, even
    # with "none" in the allowlist, signed or not.
    f.add("alg-none-refused-even-by-name", nh + "." + p + ".", key_secret(SECRET_256),
          err("alg_not_allowed"), {"algorithms": ["none"]},
          note="an unsecured token is only ever read unverified, by a function named for that")
    f.add("alg-none-by-name-with-signature", nh + "." + p + "." +
          b64u(mac("HS256", SECRET_256, nh + "." + p)), key_secret(SECRET_256),
          err("alg_not_allowed"), {"algorithms": ["none"]})

    # --- algorithm names that are not JWA / not implemented -----------------
    # JWA names are exact and case-sensitive.  The MAC is a valid HS256 MAC, so
    # a lookup that folds case or trims would wrongly accept these.
    for name, alg in (("hs999", "HS999"), ("lowercase-hs256", "hs256"),
                      ("empty-string", ""), ("hs256-trailing-space", "HS256 ")):
        uh = b64u(compact({"alg": alg, "typ": "JWT"}))
        f.add("alg-" + name, signed(uh, p), key_secret(SECRET_256),
              err("unsupported_alg"), HS, mac_ok=True)
    # "HS256\u0000": a strlen()-based lookup would see "HS256".  Strings with
    # an embedded NUL are refused by the parser (cjwt.h: strings carry no
    # embedded NUL; see malformed.json "payload-string-with-escaped-nul"), so
    # this is malformed before any algorithm lookup.
    uh = b64u(compact({"alg": "HS256\u0000", "typ": "JWT"}))
    f.add("alg-hs256-nul-suffix", signed(uh, p), key_secret(SECRET_256),
          err("malformed"), HS, mac_ok=True,
          note="alg is 'HS256' plus an escaped NUL; strings with NUL are refused")

    # --- key length (RFC 7518 3.2) ------------------------------------------
    short = SECRET_256[:31]
    ts = hs256(claims, secret=short)
    f.add("hs256-secret-31-bytes-refused", ts, key_secret(short), err("invalid_key"), HS)
    f.add("hs256-secret-31-bytes-allowed-with-flag", ts, key_secret(short), ok(claims),
          HS, key_flags=["allow_short_secret"])
    f.add("hs256-secret-6-bytes-allowed-with-flag", hs256(claims, secret="secret"),
          key_secret("secret"), ok(claims), HS, key_flags=["allow_short_secret"],
          note="typical legacy token signed with a weak secret")
    f.add("hs256-secret-6-bytes-refused", hs256(claims, secret="secret"),
          key_secret("secret"), err("invalid_key"), HS)
    f.add("hs256-secret-empty-refused", hs256(claims, secret=""), key_secret(""),
          err("invalid_key"), HS)
    f.add("hs256-short-secret-wrong-mac-is-invalid-key-first",
          h + "." + p + "." + s, key_secret(short), err("invalid_key"), HS,
          note="order: key checks before the signature")
    h384c = {"alg": "HS384", "typ": "JWT"}
    f.add("hs384-secret-32-bytes-refused", jwt(h384c, claims, SECRET_256, "HS384"),
          key_secret(SECRET_256), err("invalid_key"), {"algorithms": ["HS384"]},
          note="32 bytes is enough for HS256 but not for HS384")
    f.add("hs384-secret-32-bytes-allowed-with-flag",
          jwt(h384c, claims, SECRET_256, "HS384"), key_secret(SECRET_256), ok(claims),
          {"algorithms": ["HS384"]}, key_flags=["allow_short_secret"])
    h512c = {"alg": "HS512", "typ": "JWT"}
    f.add("hs512-secret-48-bytes-refused", jwt(h512c, claims, SECRET_384, "HS512"),
          key_secret(SECRET_384), err("invalid_key"), {"algorithms": ["HS512"]})
    short_k = {"kty": "oct", "k": b64u(b"sixteen-byte-key")}
    f.add("oct-jwk-16-bytes-refused", hs256(claims, secret="sixteen-byte-key"),
          {"jwk": short_k}, err("invalid_key"), HS)
    f.add("oct-jwk-16-bytes-allowed-with-flag", hs256(claims, secret="sixteen-byte-key"),
          {"jwk": short_k}, ok(claims), HS, key_flags=["allow_short_secret"])

    # --- key type confusion -------------------------------------------------
    for label, jwk in (("rsa", RSA_JWK), ("ec", EC_JWK), ("okp", OKP_JWK)):
        f.add(label + "-jwk-for-hs256-token", t, {"jwk": jwk}, err("invalid_key"),
              opts(algorithms=["HS256", "RS256", "ES256", "EdDSA"]))
    # The classic confusion: an HS256 token MACed with the RSA public key's
    # bytes, verified by someone who passes the RSA key and allows both.
    rsa_n = b64u_decode(RSA_JWK["n"])
    f.add("rsa-jwk-for-hs256-token-macd-with-modulus", hs256(claims, secret=rsa_n),
          {"jwk": RSA_JWK}, err("invalid_key"), opts(algorithms=["HS256", "RS256"]),
          note="an RSA key never becomes an HMAC secret")
    rh = b64u(compact({"alg": "RS256", "typ": "JWT"}))
    f.add("hmac-secret-for-rs256-token", rh + "." + p + "." + b64u(bytes(256)),
          key_secret(SECRET_256), err("invalid_key"), {"algorithms": ["RS256"]},
          note="a secret never verifies an RSA signature")
    eh = b64u(compact({"alg": "ES256", "typ": "JWT"}))
    f.add("hmac-secret-for-es256-token", eh + "." + p + "." + b64u(bytes(64)),
          key_secret(SECRET_256), err("invalid_key"), {"algorithms": ["ES256"]})
    f.add("oct-jwk-alg-hs384-for-hs256-token", t,
          {"jwk": {"kty": "oct", "alg": "HS384", "k": b64u(SECRET_256.encode())}},
          err("invalid_key"), opts(algorithms=["HS256", "HS384"]),
          note="a JWK bound to one algorithm (its alg member) is not used for another")
    f.add("oct-jwk-alg-hs384-invalid-key-before-signature",
          h + "." + p + "." + b64u(bytes(32)),
          {"jwk": {"kty": "oct", "alg": "HS384", "k": b64u(SECRET_256.encode())}},
          err("invalid_key"), opts(algorithms=["HS256", "HS384"]))
    f.add("rsa-jwk-invalid-key-before-signature", h + "." + p + "." + b64u(bytes(32)),
          {"jwk": RSA_JWK}, err("invalid_key"), opts(algorithms=["HS256", "RS256"]))

    f.add("oct-jwk-use-enc-refused", t,
          {"jwk": {"kty": "oct", "use": "enc", "k": b64u(SECRET_256.encode())}},
          err("invalid_key"), HS,
          note="RFC 7517 4.2: a key for encryption is not used to verify")
    f.add("oct-jwk-use-sig-ok", t,
          {"jwk": {"kty": "oct", "use": "sig", "k": b64u(SECRET_256.encode())}},
          ok(claims), HS)

    # --- header members that must never supply a key -----------------------
    attacker = "attacker-chosen-secret-32-bytes!"
    assert len(attacker) == 32
    emb = {"alg": "HS256", "typ": "JWT",
           "jwk": {"kty": "oct", "k": b64u(attacker.encode())}}
    f.add("embedded-jwk-header-not-trusted", jwt(emb, claims, attacker),
          key_secret(SECRET_256), err("bad_signature"), HS,
          note="the token is MACed with the key in its own 'jwk' header")
    for member, value in (("jku", "https://attacker.example/jwks.json"),
                          ("x5u", "https://attacker.example/cert.pem")):
        hdr = {"alg": "HS256", "typ": "JWT", member: value}
        f.add(member + "-header-not-trusted", jwt(hdr, claims, attacker),
              key_secret(SECRET_256), err("bad_signature"), HS)
    return f


# --------------------------------------------------------------- claims.json --

def gen_claims():
    f = VectorFile("claims.json", "Registered-claim and typ validation, all HS256 "
                   "with one 32-byte secret, now = %d (generated by "
                   "gen_vectors.py)." % NOW)
    K = key_secret(SECRET_256)

    def add(name, payload, expect, options=None, header=None, note=None,
            raw_payload=None, now=NOW, bad_mac=False):
        """payload: claims dict; raw_payload: exact JSON bytes instead."""
        hdr = {"alg": "HS256", "typ": "JWT"}
        if header is not None:
            hdr = header
        body = raw_payload if raw_payload is not None else payload
        tok = jwt(hdr, body)
        if bad_mac:
            hs, ps, ss = tok.split(".")
            tok = hs + "." + ps + "." + b64u(bytes(32))
        f.add(name, tok, K, expect, opts(**(options or {})), now=now, note=note)

    def good(name, payload, options=None, **kw):
        expected = payload
        if kw.get("raw_payload") is not None:
            expected = json.loads(kw["raw_payload"])
        add(name, payload, ok(expected), options, **kw)

    base = {"sub": "user-1"}

    # --- exp: expired when exp <= now - leeway (PyJWT) -----------------------
    good("exp-future", dict(base, exp=NOW + 1))
    add("exp-past", dict(base, exp=NOW - 1), err("expired"))
    add("exp-equal-now-is-expired", dict(base, exp=NOW), err("expired"),
        note="PyJWT: exp <= now - leeway is expired")
    good("exp-past-within-leeway", dict(base, exp=NOW - 30), {"leeway": 60})
    add("exp-leeway-edge-expired", dict(base, exp=NOW - 60), err("expired"),
        {"leeway": 60}, note="exp == now - leeway is expired")
    good("exp-leeway-edge-plus-one-ok", dict(base, exp=NOW - 59), {"leeway": 60})
    good("exp-float-leeway", dict(base, exp=NOW - 10), {"leeway": 10.5},
         note="leeway may be fractional")
    good("exp-real-exponent-form-future", None, raw_payload=b'{"sub":"user-1","exp":1.8e9}',
         note="numeric dates may be reals in exponent form")
    add("exp-real-exponent-form-past", None, err("expired"),
        raw_payload=b'{"sub":"user-1","exp":1.5e9}')
    good("exp-fraction-future", dict(base, exp=NOW + 100.25))
    add("exp-fraction-past", dict(base, exp=NOW - 0.5), err("expired"),
        note="exp = now - 0.5 is expired whether compared as a real or truncated")
    add("exp-half-second-ahead-is-expired", dict(base, exp=NOW + 0.5), err("expired"),
        note="PyJWT compares int(exp): a fraction of a second does not count")
    add("exp-negative", dict(base, exp=-1), err("expired"))
    add("exp-zero", dict(base, exp=0), err("expired"))
    good("exp-huge-1e300", None, raw_payload=b'{"sub":"user-1","exp":1e300}',
         note="far future; must not overflow into the past")
    good("exp-year-9999", dict(base, exp=253402300799))
    for label, raw in (("string", b'"1800000000"'), ("true", b"true"),
                       ("false", b"false"), ("null", b"null"),
                       ("object", b'{"t":1800000000}'), ("array", b"[1800000000]")):
        add("exp-" + label + "-malformed",
            None, err("malformed"),
            raw_payload=b'{"sub":"user-1","exp":' + raw + b"}",
            note="numeric dates must be JSON numbers (docs/design.md)"
            if label in ("string", "true", "null") else None)
    good("exp-not-checked-when-verify-exp-false", dict(base, exp=NOW - 3600),
         {"verify_exp": False})
    add("exp-string-even-when-verify-exp-false", None, ok({"sub": "user-1", "exp": "x"}),
        {"verify_exp": False}, raw_payload=b'{"sub":"user-1","exp":"x"}',
        note="with the exp check off the claim is not looked at (PyJWT)")

    # --- nbf: not yet valid when nbf > now + leeway ---------------------------
    add("nbf-future", dict(base, nbf=NOW + 1), err("not_yet_valid"))
    good("nbf-equal-now-ok", dict(base, nbf=NOW))
    good("nbf-past", dict(base, nbf=NOW - 1))
    good("nbf-future-within-leeway", dict(base, nbf=NOW + 30), {"leeway": 60})
    good("nbf-leeway-edge-ok", dict(base, nbf=NOW + 60), {"leeway": 60},
         note="nbf == now + leeway is valid")
    add("nbf-leeway-edge-plus-one", dict(base, nbf=NOW + 61), err("not_yet_valid"),
        {"leeway": 60})
    good("nbf-half-second-ahead-ok", dict(base, nbf=NOW + 0.5),
         note="PyJWT compares int(nbf): a fraction of a second does not count")
    good("nbf-negative", dict(base, nbf=-1))
    add("nbf-huge-1e300", None, err("not_yet_valid"),
        raw_payload=b'{"sub":"user-1","nbf":1e300}')
    good("nbf-fraction-past", dict(base, nbf=NOW - 0.75))
    for label, raw in (("string", b'"1"'), ("true", b"true"), ("null", b"null")):
        add("nbf-" + label + "-malformed", None, err("malformed"),
            raw_payload=b'{"sub":"user-1","nbf":' + raw + b"}",
            note="numeric dates must be JSON numbers (docs/design.md)")
    good("nbf-not-checked-when-verify-nbf-false", dict(base, nbf=NOW + 3600),
         {"verify_nbf": False})

    # --- iat: in the future beyond leeway is not_yet_valid (PyJWT) ------------
    good("iat-past", dict(base, iat=NOW - 3600))
    good("iat-equal-now", dict(base, iat=NOW))
    add("iat-future", dict(base, iat=NOW + 1), err("not_yet_valid"),
        note="PyJWT: iat > now + leeway raises ImmatureSignatureError")
    good("iat-future-within-leeway", dict(base, iat=NOW + 30), {"leeway": 60})
    good("iat-negative", dict(base, iat=-1))
    good("iat-fraction", dict(base, iat=NOW - 0.5))
    add("iat-string", None, err("invalid_iat"),
        raw_payload=b'{"sub":"user-1","iat":"1699999000"}',
        note="iat must be a number; PyJWT would int() a numeric string, cjwt does not")
    add("iat-string-not-numeric", None, err("invalid_iat"),
        raw_payload=b'{"sub":"user-1","iat":"yesterday"}')
    add("iat-true", None, err("invalid_iat"),
        raw_payload=b'{"sub":"user-1","iat":true}',
        note="invalid_iat: 'iat is not a number' (cjwt.h); booleans are not numbers")
    add("iat-null", None, err("invalid_iat"),
        raw_payload=b'{"sub":"user-1","iat":null}',
        note="a present null iat is not a number (PyJWT would raise TypeError)")
    good("iat-future-not-checked-when-verify-iat-false", dict(base, iat=NOW + 3600),
         {"verify_iat": False})

    # --- order among time claims: required, iat, nbf, exp, max_age ------------
    add("order-nbf-before-exp", dict(base, nbf=NOW + 100, exp=NOW - 100),
        err("not_yet_valid"), note="order: nbf is checked before exp")
    add("order-iat-before-exp", None, err("invalid_iat"),
        raw_payload=b'{"sub":"user-1","iat":"x","exp":1}',
        note="order: iat is checked before exp")
    add("order-required-before-exp", dict(exp=NOW - 100), err("missing_claim", "sub"),
        {"require": ["sub"]}, note="order: required claims first")
    add("order-exp-before-issuer", dict(base, exp=NOW - 100, iss="evil"),
        err("expired"), {"issuer": "good"})
    add("order-issuer-before-audience", dict(base, iss="evil", aud="other"),
        err("invalid_issuer"), {"issuer": "good", "audience": "api"})
    add("order-audience-before-subject", dict(sub="someone", aud="other"),
        err("invalid_audience"), {"audience": "api", "subject": "user-1"})
    add("order-signature-before-claims", dict(base, exp=NOW - 100),
        err("bad_signature"), bad_mac=True,
        note="claims are never looked at before the signature holds")
    add("order-signature-before-typ", dict(base), err("bad_signature"),
        {"typ": "at+jwt"}, bad_mac=True)
    add("order-typ-before-claims", dict(base, exp=NOW - 100), err("invalid_typ"),
        {"typ": "at+jwt"})

    # --- audience (PyJWT rules) ----------------------------------------------
    good("aud-string-match", dict(base, aud="api"), {"audience": "api"})
    good("aud-list-claim-string-expected", dict(base, aud=["web", "api"]),
         {"audience": "api"})
    good("aud-string-claim-list-expected", dict(base, aud="api"),
         {"audience": ["other", "api"]})
    good("aud-list-claim-list-expected-overlap", dict(base, aud=["a", "b"]),
         {"audience": ["c", "b"]})
    add("aud-string-mismatch", dict(base, aud="web"), err("invalid_audience"),
        {"audience": "api"})
    add("aud-list-no-overlap", dict(base, aud=["a", "b"]), err("invalid_audience"),
        {"audience": ["c", "d"]})
    add("aud-case-sensitive", dict(base, aud="API"), err("invalid_audience"),
        {"audience": "api"})
    add("aud-substring-no-match", dict(base, aud="api-internal"),
        err("invalid_audience"), {"audience": "api"})
    add("aud-expected-but-absent", dict(base), err("missing_claim", "aud"),
        {"audience": "api"})
    add("aud-present-but-none-expected", dict(base, aud="api"), err("invalid_audience"),
        note="PyJWT: a token with aud is refused when the application expects none")
    add("aud-list-present-but-none-expected", dict(base, aud=["api"]),
        err("invalid_audience"))
    add("aud-number", dict(base, aud=42), err("invalid_audience"), {"audience": "api"})
    add("aud-list-with-non-string", dict(base, aud=["api", 42]),
        err("invalid_audience"), {"audience": "api"},
        note="PyJWT: any non-string member makes the claim invalid, even if "
             "another member matches")
    add("aud-object", None, err("invalid_audience"), {"audience": "api"},
        raw_payload=b'{"sub":"user-1","aud":{"api":true}}')
    add("aud-empty-list-with-expected", dict(base, aud=[]),
        err("missing_claim", "aud"), {"audience": "api"},
        note="PyJWT treats an empty aud as absent")
    good("aud-empty-list-none-expected", dict(base, aud=[]),
         note="PyJWT treats an empty aud as absent, so nothing to refuse")
    good("aud-not-checked-when-verify-aud-false", dict(base, aud="web"),
         {"verify_aud": False})
    good("aud-mismatch-ignored-when-verify-aud-false", dict(base, aud="web"),
         {"verify_aud": False, "audience": "api"})

    # --- issuer ---------------------------------------------------------------
    good("iss-match", dict(base, iss="https://auth.example.com"),
         {"issuer": "https://auth.example.com"})
    add("iss-mismatch", dict(base, iss="https://evil.example.com"),
        err("invalid_issuer"), {"issuer": "https://auth.example.com"})
    add("iss-trailing-slash-mismatch", dict(base, iss="https://auth.example.com/"),
        err("invalid_issuer"), {"issuer": "https://auth.example.com"},
        note="issuers compare as exact strings")
    good("iss-in-accepted-list", dict(base, iss="b"), {"issuer": ["a", "b"]})
    add("iss-not-in-accepted-list", dict(base, iss="c"), err("invalid_issuer"),
        {"issuer": ["a", "b"]})
    add("iss-missing", dict(base), err("missing_claim", "iss"), {"issuer": "a"})
    add("iss-number", dict(base, iss=42), err("invalid_issuer"), {"issuer": "42"})
    add("iss-list-claim", dict(base, iss=["a"]), err("invalid_issuer"),
        {"issuer": ["a", "b"]}, note="iss must be a string")
    good("iss-any-when-no-issuer-expected", dict(base, iss="anyone"))
    good("iss-mismatch-ignored-when-verify-iss-false", dict(base, iss="c"),
         {"issuer": "a", "verify_iss": False})

    # --- subject --------------------------------------------------------------
    good("sub-match", dict(sub="user-1"), {"subject": "user-1"})
    add("sub-mismatch", dict(sub="user-2"), err("invalid_subject"),
        {"subject": "user-1"})
    add("sub-number", dict(sub=1), err("invalid_subject"), {"subject": "1"})
    add("sub-number-no-subject-expected", dict(sub=1), err("invalid_subject"),
        note="PyJWT: a present sub must be a string even when no subject is expected")
    add("sub-missing-when-subject-expected", dict(iat=NOW), err("missing_claim", "sub"),
        {"subject": "user-1"},
        note="stricter than PyJWT (which accepts a token without sub); same rule as iss and aud")
    good("sub-mismatch-ignored-when-verify-sub-false", dict(sub="user-2"),
         {"subject": "user-1", "verify_sub": False})

    # --- require --------------------------------------------------------------
    good("require-present", dict(base, exp=NOW + 10, jti="j1"),
         {"require": ["exp", "jti", "sub"]})
    add("require-missing-exp", dict(base), err("missing_claim", "exp"),
        {"require": ["exp"]})
    add("require-missing-custom", dict(base), err("missing_claim", "tenant"),
        {"require": ["tenant"]})
    add("require-null-is-missing", dict(base, tenant=None),
        err("missing_claim", "tenant"), {"require": ["tenant"]},
        note="PyJWT: payload.get(claim) is None counts as missing")
    good("require-false-counts-as-present", dict(base, admin=False),
         {"require": ["admin"]})

    # --- typ (header, RFC 7515 4.1.9 comparison) ------------------------------
    def typ_case(name, typ_header, expected, expect_ok, note=None):
        hdr = {"alg": "HS256"}
        if typ_header is not None:
            hdr["typ"] = typ_header
        payload = dict(base)
        add(name, payload, ok(payload) if expect_ok else err("invalid_typ"),
            {"typ": expected} if expected is not None else None, header=hdr, note=note)

    typ_case("typ-jwt-exact", "JWT", "JWT", True)
    typ_case("typ-case-insensitive", "jwt", "JWT", True)
    typ_case("typ-application-prefix-in-header", "application/jwt", "JWT", True,
             note="RFC 7515 4.1.9: 'application/' may be omitted")
    typ_case("typ-application-prefix-in-expected", "JWT", "application/jwt", True)
    typ_case("typ-application-prefix-mixed-case", "Application/JWT", "jwt", True)
    typ_case("typ-at-jwt-expected-jwt-given", "JWT", "at+jwt", False)
    typ_case("typ-at-jwt-match", "at+jwt", "application/at+jwt", True)
    typ_case("typ-expected-but-absent", None, "JWT", False)
    typ_case("typ-other-prefix-no-match", "text/jwt", "JWT", False,
             note="only the application/ prefix is optional")
    typ_case("typ-anything-when-not-expected", "anything", None, True)
    typ_case("typ-absent-when-not-expected", None, None, True)
    add("typ-non-string", dict(base), err("invalid_typ"), {"typ": "JWT"},
        header={"alg": "HS256", "typ": 1})

    # --- max_age (seconds since iat) -------------------------------------------
    good("max-age-young-enough", dict(base, iat=NOW - 10), {"max_age": 60})
    add("max-age-too-old", dict(base, iat=NOW - 100), err("expired"), {"max_age": 60})
    good("max-age-edge-ok", dict(base, iat=NOW - 60), {"max_age": 60},
         note="an age equal to max_age is accepted (expired only when older)")
    add("max-age-edge-plus-one", dict(base, iat=NOW - 61), err("expired"),
        {"max_age": 60})
    good("max-age-too-old-within-leeway", dict(base, iat=NOW - 65),
         {"max_age": 60, "leeway": 10})
    add("max-age-missing-iat", dict(base), err("missing_claim", "iat"),
        {"max_age": 60})
    add("max-age-before-issuer", dict(base, iat=NOW - 100, iss="evil"),
        err("expired"), {"max_age": 60, "issuer": "good"})

    # --- verify_signature false ------------------------------------------------
    def nosig(name, payload, expect, options, note=None, raw=None):
        tok = jwt({"alg": "HS256", "typ": "JWT"}, raw if raw is not None else payload)
        hs, ps, ss = tok.split(".")
        tok = hs + "." + ps + "." + b64u(b"not the mac")
        f.add(name, tok, None, expect, options, note=note)

    p_exp = dict(base, exp=NOW - 100, aud="web", iss="x")
    nosig("no-verify-signature-bad-mac-passes", dict(base),
          ok(dict(base)), {"verify_signature": False})
    nosig("no-verify-signature-claim-checks-default-off", p_exp, ok(p_exp),
          {"verify_signature": False, "audience": "api", "issuer": "good"},
          note="PyJWT: with verify_signature false the claim checks default to off")
    nosig("no-verify-signature-verify-exp-explicit", p_exp, err("expired"),
          {"verify_signature": False, "verify_exp": True},
          note="a check switched on explicitly still runs")
    nosig("no-verify-signature-require-still-applies", dict(base), err("missing_claim", "exp"),
          {"verify_signature": False, "require": ["exp"]},
          note="PyJWT: require is not a verify_* flag, so it stays on")
    nosig("no-verify-signature-still-parses-strictly", None, err("malformed"),
          {"verify_signature": False}, raw=b'{"sub":"a","sub":"b"}',
          note="the structure is always checked")
    return f


# ------------------------------------------------------------ malformed.json --

def find_segment(make, want):
    """Deterministically search make(i) for the first i whose b64u contains
    one of the characters in `want` (or satisfies the predicate)."""
    for i in range(100000):
        data = make(i)
        seg = b64u(data)
        if want(seg, data):
            return seg, data
    raise AssertionError("no candidate found")


def bump_trailing_bits(seg):
    """Set an unused low bit in the last character of a segment whose length
    leaves unused bits (len % 4 == 2 or 3).  Decoders that ignore these bits
    give the same bytes; strict ones must refuse."""
    assert len(seg) % 4 in (2, 3)
    v = B64U_ALPHABET.index(seg[-1])
    assert v & (0x0F if len(seg) % 4 == 2 else 0x03) == 0
    return seg[:-1] + B64U_ALPHABET[v | 1]


def gen_malformed():
    f = VectorFile("malformed.json", "Structure, base64url, JSON strictness, header "
                   "and limits. Wherever possible the MAC is valid over the malformed "
                   "content, so the refusal must come from the structure check "
                   "(generated by gen_vectors.py).")
    K = key_secret(SECRET_256)
    claims = {"sub": "user-1", "exp": NOW + 3600}
    H = {"alg": "HS256", "typ": "JWT"}
    t = jwt(H, claims)
    h, p, s = t.split(".")

    def bad(name, token, expect="malformed", options=None, note=None, mac_ok=None):
        f.add(name, token, K, err(expect), opts(**(options or {})), note=note,
              mac_ok=mac_ok)

    def raw(name, header_bytes, payload_bytes, expect="malformed", options=None,
            note=None):
        """Header/payload given as exact bytes, MAC valid over them."""
        tok = signed(b64u(as_bytes(header_bytes)), b64u(as_bytes(payload_bytes)))
        if isinstance(expect, dict):
            f.add(name, tok, K, expect, opts(**(options or {})), note=note)
        else:
            bad(name, tok, expect, options, note, mac_ok=True)

    def raw_payload(name, payload_bytes, expect="malformed", **kw):
        raw(name, compact(H), payload_bytes, expect, **kw)

    def raw_header(name, header_bytes, expect="malformed", **kw):
        raw(name, header_bytes, compact(claims), expect, **kw)

    # The reference token is valid (so the cases below differ from it only by
    # the defect they name).
    f.add("reference-valid", t, K, ok(claims, H), HS)

    # --- segment counts ---------------------------------------------------------
    bad("empty-token", "")
    bad("one-segment", h)
    bad("two-segments", h + "." + p)
    bad("two-segments-trailing-dot-missing-signature-dot", h + "." + p + s)
    bad("four-segments", t + "." + s)
    bad("four-segments-trailing-dot", t + ".")
    jwe_h = b64u(compact({"alg": "dir", "enc": "A128GCM"}))
    bad("five-segments-jwe-shape", jwe_h + "..AAAAAAAAAAAAAAAA.ZW5jcnlwdGVk.AAAAAAAAAAAAAAAAAAAAAA",
        note="a JWE (RFC 7516) compact serialization is not a JWS")
    bad("only-dots", "..")
    bad("empty-header-segment", signed("", p), mac_ok=True)
    bad("empty-payload-segment", signed(h, ""), mac_ok=True,
        note="an empty payload is not a JSON object")
    bad("empty-header-and-payload", signed("", ""), mac_ok=True)

    # --- base64url strictness ------------------------------------------------
    # Padding on a segment whose length needs it.
    pseg, _ = find_segment(lambda i: compact(dict(claims, pad="x" * i)),
                           lambda seg, d: len(d) % 3 == 1)
    bad("payload-padding", signed(h, pseg + "=="), mac_ok=True)
    bad("payload-single-padding-char", signed(h, pseg + "="), mac_ok=True)
    hseg, _ = find_segment(lambda i: compact({"alg": "HS256", "kid": "x" * i}),
                           lambda seg, d: len(d) % 3 == 2)
    bad("header-padding", signed(hseg + "=", p), mac_ok=True)
    bad("signature-padding", t + "=",
        note="the MAC bytes are right; only the encoding is not base64url")
    # '+' and '/' (standard base64) instead of '-' and '_'.
    hseg, _ = find_segment(
        lambda i: compact({"alg": "HS256", "typ": "JWT", "kid": "~" * (i + 1)}),
        lambda seg, d: "-" in seg)
    bad("header-plus-instead-of-minus", signed(hseg.replace("-", "+"), p), mac_ok=True)
    hseg, _ = find_segment(
        lambda i: compact({"alg": "HS256", "typ": "JWT", "kid": "?" * (i + 1)}),
        lambda seg, d: "_" in seg)
    bad("header-slash-instead-of-underscore", signed(hseg.replace("_", "/"), p),
        mac_ok=True)
    pseg, _ = find_segment(lambda i: compact(dict(claims, n="~" * (i + 1))),
                           lambda seg, d: "-" in seg)
    bad("payload-plus-instead-of-minus", signed(h, pseg.replace("-", "+")), mac_ok=True)
    pseg, _ = find_segment(lambda i: compact(dict(claims, n="?" * (i + 1))),
                           lambda seg, d: "_" in seg)
    bad("payload-slash-instead-of-underscore", signed(h, pseg.replace("_", "/")),
        mac_ok=True)
    # A signature containing '-' / '_', re-encoded with '+' / '/': same bytes.
    for ch, std, label in (("-", "+", "plus"), ("_", "/", "slash")):
        for i in range(100000):
            pi = b64u(compact(dict(claims, n=i)))
            si = b64u(mac("HS256", SECRET_256, h + "." + pi))
            if ch in si:
                break
        bad("signature-" + label + "-standard-alphabet", h + "." + pi + "." +
            si.replace(ch, std), note="the MAC bytes are right; only the encoding "
            "is standard base64, not base64url")
    # Non-zero trailing bits: same bytes for a lenient decoder.
    pseg, _ = find_segment(lambda i: compact(dict(claims, pad="x" * i)),
                           lambda seg, d: len(d) % 3 == 1)
    bad("payload-nonzero-trailing-bits-4", signed(h, bump_trailing_bits(pseg)),
        mac_ok=True, note="last char leaves 4 unused bits, one set")
    pseg, _ = find_segment(lambda i: compact(dict(claims, pad="x" * i)),
                           lambda seg, d: len(d) % 3 == 2)
    bad("payload-nonzero-trailing-bits-2", signed(h, bump_trailing_bits(pseg)),
        mac_ok=True, note="last char leaves 2 unused bits, one set")
    hseg, _ = find_segment(lambda i: compact({"alg": "HS256", "kid": "x" * i}),
                           lambda seg, d: len(d) % 3 != 0)
    bad("header-nonzero-trailing-bits", signed(bump_trailing_bits(hseg), p), mac_ok=True)
    assert len(s) == 43
    bad("signature-nonzero-trailing-bits", h + "." + p + "." + bump_trailing_bits(s),
        note="decodes to the correct MAC if the unused bits are ignored")
    # Impossible lengths (len % 4 == 1).
    pseg, _ = find_segment(lambda i: compact(dict(claims, pad="x" * i)),
                           lambda seg, d: len(seg) % 4 == 0)
    bad("payload-length-mod-4-is-1", signed(h, pseg + "A"), mac_ok=True)
    bad("signature-length-mod-4-is-1", h + "." + p + "." + s + "AA",
        note="45 characters cannot be base64url")
    # Characters outside the alphabet, whitespace, NUL, non-ASCII.
    bad("payload-space-inside", signed(h, p[:10] + " " + p[10:]), mac_ok=True)
    bad("payload-tab-inside", signed(h, p[:10] + "\t" + p[10:]), mac_ok=True)
    bad("payload-newline-inside", signed(h, p[:10] + "\n" + p[10:]), mac_ok=True)
    bad("payload-crlf-inside", signed(h, p[:10] + "\r\n" + p[10:]), mac_ok=True)
    bad("header-nul-inside", signed(h[:5] + "\u0000" + h[5:], p), mac_ok=True)
    bad("token-trailing-nul", t + "\u0000",
        note="a strlen()-based reader would see the valid token before the NUL")
    bad("token-trailing-newline", t + "\n", note="no trimming: the caller trims")
    bad("token-leading-space", " " + t)
    bad("token-trailing-space", t + " ")
    bad("signature-space-inside", h + "." + p + "." + s[:20] + " " + s[20:])
    bad("payload-non-ascii-char", signed(h, p[:10] + "\u00e9" + p[10:]), mac_ok=True)
    bad("payload-invalid-char-star", signed(h, p[:10] + "*" + p[10:]), mac_ok=True)
    bad("payload-percent-encoded", signed(h, p[:10] + "%41" + p[10:]), mac_ok=True)

    # --- header / payload JSON that is not an object ----------------------------
    raw_header("header-not-json", b"not json")
    raw_header("header-json-array", b'["alg","HS256"]')
    raw_header("header-json-string", b'"HS256"')
    raw_header("header-json-number", b"256")
    raw_header("header-json-null", b"null")
    raw_header("header-truncated-json", b'{"alg":"HS256"')
    raw_payload("payload-not-json", b"hello world")
    raw_payload("payload-json-array", b'[{"sub":"user-1"}]')
    raw_payload("payload-json-string", b'"user-1"')
    raw_payload("payload-json-number", b"42")
    raw_payload("payload-json-null", b"null")
    raw_payload("payload-json-true", b"true")
    raw_payload("payload-trailing-garbage", b'{"sub":"user-1"}x')
    raw_payload("payload-two-objects", b'{"sub":"user-1"}{"sub":"user-2"}')
    raw_payload("payload-utf8-bom", b'\xef\xbb\xbf{"sub":"user-1"}',
                note="RFC 8259 8.1: no BOM in networked JSON; strict parse refuses it")
    raw_payload("payload-trailing-whitespace-ok", b'{"sub":"user-1"} \r\n\t',
                expect=ok({"sub": "user-1"}),
                note="JSON text may end with whitespace (RFC 8259 2)")
    raw_payload("payload-leading-whitespace-ok", b' \n{"sub":"user-1"}',
                expect=ok({"sub": "user-1"}))

    # --- JSON grammar strictness (docs/design.md: strict JSON) ---------------------
    raw_payload("payload-trailing-comma", b'{"sub":"user-1",}')
    raw_payload("payload-single-quotes", b"{'sub':'user-1'}")
    raw_payload("payload-unquoted-key", b'{sub:"user-1"}')
    raw_payload("payload-comment", b'{"sub":"user-1"/* c */}')
    raw_payload("payload-number-leading-zero", b'{"sub":"user-1","n":01}')
    raw_payload("payload-number-plus-sign", b'{"sub":"user-1","n":+1}')
    raw_payload("payload-number-leading-dot", b'{"sub":"user-1","n":.5}')
    raw_payload("payload-number-trailing-dot", b'{"sub":"user-1","n":1.}')
    raw_payload("payload-number-nan", b'{"sub":"user-1","n":NaN}')
    raw_payload("payload-number-infinity", b'{"sub":"user-1","n":Infinity}')
    raw_payload("payload-number-hex", b'{"sub":"user-1","n":0x10}')
    raw_payload("payload-number-overflow-1e400", b'{"sub":"user-1","exp":1e400}',
                note="not representable as a double; refused rather than read as inf")
    raw_payload("payload-number-forms-ok",
                b'{"sub":"user-1","a":1E3,"b":-0,"c":1.5e+2,"d":2.5E-1,"e":-12.75}',
                expect=ok({"sub": "user-1", "a": 1000, "b": 0, "c": 150, "d": 0.25,
                           "e": -12.75}),
                note="valid JSON number forms; compared by value")
    raw_payload("payload-bad-escape", b'{"sub":"user\\x41"}')
    raw_payload("payload-short-unicode-escape", b'{"sub":"\\u12"}')
    raw_payload("payload-raw-control-char", b'{"sub":"user\x01-1"}')
    raw_payload("payload-raw-newline-in-string", b'{"sub":"user\n1"}')
    raw_payload("payload-string-with-escaped-nul", b'{"sub":"a\\u0000b"}',
                note="valid JSON, but cjwt strings carry no embedded NUL (cjwt.h), "
                     "so the parser refuses it")
    raw_payload("payload-escapes-ok", b'{"sub":"a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00"}',
                expect=ok({"sub": "a\"b\\c/d\n\u00e9\U0001F600"}),
                note="escapes incl. a valid surrogate pair")
    raw_payload("payload-raw-utf8-ok",
                '{"sub":"Zo\u00eb","name":"\u65e5\u672c\U0001F600"}'.encode("utf-8"),
                expect=ok({"sub": "Zo\u00eb", "name": "\u65e5\u672c\U0001F600"}))

    # --- UTF-8 and surrogates --------------------------------------------------
    raw_header("header-invalid-utf8", b'{"alg":"HS256","kid":"\xff"}')
    raw_payload("payload-invalid-utf8-ff", b'{"sub":"\xff"}')
    raw_payload("payload-invalid-utf8-truncated", b'{"sub":"\xc3"}')
    raw_payload("payload-invalid-utf8-bad-continuation", b'{"sub":"\xc3\x28"}')
    raw_payload("payload-utf8-overlong-slash", b'{"sub":"\xc0\xaf"}')
    raw_payload("payload-utf8-encoded-surrogate", b'{"sub":"\xed\xa0\x80"}',
                note="CESU-style surrogate bytes are not valid UTF-8")
    raw_payload("payload-utf8-above-u10ffff", b'{"sub":"\xf4\x90\x80\x80"}')
    raw_payload("payload-invalid-utf8-in-key", b'{"s\xffb":"user-1"}')
    raw_payload("payload-lone-high-surrogate-escape", b'{"sub":"\\ud800"}')
    raw_payload("payload-lone-low-surrogate-escape", b'{"sub":"\\udc00"}')
    raw_payload("payload-reversed-surrogate-pair", b'{"sub":"\\ude00\\ud83d"}')
    raw_header("header-lone-surrogate-escape", b'{"alg":"HS256","kid":"\\ud800"}')

    # --- duplicate member names -------------------------------------------------
    raw_header("header-duplicate-alg", b'{"alg":"HS256","alg":"HS256"}')
    raw_header("header-duplicate-alg-different", b'{"alg":"none","alg":"HS256"}',
               note="parsers disagree on which one wins, so neither does")
    raw_payload("payload-duplicate-sub", b'{"sub":"user-1","sub":"admin"}')
    raw_payload("payload-duplicate-exp", b'{"exp":1,"sub":"user-1","exp":1800000000}')
    raw_payload("payload-duplicate-nested", b'{"sub":"user-1","o":{"a":1,"a":2}}')
    raw_payload("payload-duplicate-after-unescape", b'{"sub":"user-1","s\\u0075b":"admin"}',
                note="'s\\u0075b' is 'sub' once unescaped")

    # --- alg member --------------------------------------------------------------
    # No alg, or one that is not a string, names no algorithm: unsupported_alg
    # (PyJWT raises InvalidAlgorithmError for these too).
    U = "unsupported_alg"
    raw_header("header-missing-alg", b'{"typ":"JWT"}', U)
    raw_header("header-empty-object", b"{}", U)
    raw_header("header-alg-number", b'{"alg":256}', U)
    raw_header("header-alg-null", b'{"alg":null}', U)
    raw_header("header-alg-list", b'{"alg":["HS256"]}', U)
    raw_header("header-alg-object", b'{"alg":{"name":"HS256"}}', U)
    raw_header("header-alg-true", b'{"alg":true}', U)
    bad("header-missing-alg-and-bad-signature",
        b64u(b'{"typ":"JWT"}') + "." + p + "." + b64u(bytes(32)), U,
        note="order: header before signature")
    # Not pinned: a payload that is not JSON under a bad MAC.  Parsing the
    # payload only once the MAC holds is a legitimate order (and parses less
    # untrusted input), so either malformed or bad_signature is defensible.

    # --- crit (RFC 7515 4.1.11) ---------------------------------------------------
    raw_header("crit-empty-list", b'{"alg":"HS256","crit":[]}',
               note="RFC 7515 4.1.11: the empty list MUST NOT be used")
    raw_header("crit-exp", b'{"alg":"HS256","crit":["exp"],"exp":1800000000}',
               expect="unknown_crit")
    raw_header("crit-b64", b'{"alg":"HS256","crit":["b64"],"b64":false}',
               expect="malformed", note="RFC 7797 7: a JWT never has an unencoded payload")
    raw_header("crit-b64-true", b'{"alg":"HS256","crit":["b64"],"b64":true}',
               expect=ok(claims, {"alg": "HS256", "crit": ["b64"], "b64": True}),
               note="RFC 7797: b64 true (listed in crit) is the ordinary base64url payload")
    raw_header("b64-without-crit", b'{"alg":"HS256","b64":false}',
               note="RFC 7797 6: b64 must be listed in crit, else refused (not ignored)")
    raw_header("crit-x-custom", b'{"alg":"HS256","crit":["x-custom"],"x-custom":1}',
               expect="unknown_crit")
    raw_header("crit-not-a-list", b'{"alg":"HS256","crit":"x-custom","x-custom":1}')
    raw_header("crit-object", b'{"alg":"HS256","crit":{"x-custom":1}}')
    raw_header("crit-null", b'{"alg":"HS256","crit":null}',
               note="crit present but not a list of strings")
    raw_header("crit-non-string-member", b'{"alg":"HS256","crit":[1]}')
    bad("crit-unknown-before-alg-allowlist",
        signed(b64u(b'{"alg":"HS512","crit":["x-custom"],"x-custom":1}'), p,
               SECRET_256, "HS512"),
        "unknown_crit", note="order: crit (header) before the allowlist (HS256 only)")

    # --- JSON depth (default limit 32) -------------------------------------------
    # Depth counts nested containers, the top-level object being depth 1.
    def nested_objects(depth):
        inner = b'"bottom"'
        for _ in range(depth - 1):
            inner = b'{"d":' + inner + b"}"
        return b'{"sub":"user-1","d":' + inner + b"}" if depth > 1 else b'{"sub":"user-1"}'

    def nested_value(depth):
        v = "bottom"
        for _ in range(depth - 1):
            v = {"d": v}
        return {"sub": "user-1", "d": v}

    def depth_of(obj):
        if isinstance(obj, dict):
            return 1 + max([depth_of(v) for v in obj.values()] or [0])
        if isinstance(obj, list):
            return 1 + max([depth_of(v) for v in obj] or [0])
        return 0

    # nested_objects(n): the top object plus (n - 1) nested objects = depth n.
    for depth, options, expect in ((32, None, None), (33, None, "too_large"),
                                   (33, {"max_depth": 64}, None),
                                   (64, {"max_depth": 64}, None),
                                   (65, {"max_depth": 64}, "too_large")):
        obj = json.loads(nested_objects(depth))
        assert depth_of(obj) == depth and obj == nested_value(depth)
        name = "payload-depth-%d" % depth
        if options:
            name += "-max-depth-%d" % options["max_depth"]
        if expect:
            raw_payload(name, nested_objects(depth), expect, options=options,
                        note="depth = nesting of objects/arrays, top-level object = 1")
        else:
            raw_payload(name, nested_objects(depth), expect=ok(obj), options=options,
                        note="depth = nesting of objects/arrays, top-level object = 1")
    arr33 = b'{"sub":"user-1","d":' + b"[" * 32 + b"1" + b"]" * 32 + b"}"
    assert depth_of(json.loads(arr33)) == 33
    raw_payload("payload-depth-33-arrays", arr33, "too_large")
    arr32 = b'{"sub":"user-1","d":' + b"[" * 31 + b"1" + b"]" * 31 + b"}"
    assert depth_of(json.loads(arr32)) == 32
    raw_payload("payload-depth-32-arrays", arr32, expect=ok(json.loads(arr32)))
    hdr33 = b'{"alg":"HS256","x":' + b"[" * 32 + b"]" * 32 + b"}"
    assert depth_of(json.loads(hdr33)) == 33
    raw_header("header-depth-33", hdr33, "too_large")

    # --- token length (default limit 16384 bytes) --------------------------------
    def token_of_length(n):
        """A valid token of exactly n bytes: pad a claim, then the header kid."""
        for pad in range(n):
            for kid in range(4):
                hdr = {"alg": "HS256", "typ": "JWT"}
                if kid:
                    hdr["kid"] = "k" * kid
                body = dict(claims, pad="p" * pad)
                tok = jwt(hdr, body)
                if len(tok) == n:
                    return tok, body
                if len(tok) > n + 8:
                    break
        raise AssertionError("no token of length %d" % n)

    tok, body = token_of_length(16384)
    f.add("token-length-16384-ok", tok, K, ok(body), HS,
          note="the limit is inclusive: 16384 bytes are accepted")
    tok, body = token_of_length(16385)
    bad("token-length-16385-too-large", tok, "too_large", mac_ok=True)
    f.add("token-length-16385-max-token-len-20000-ok", tok, K, ok(body),
          opts(max_token_len=20000))
    bad("token-longer-than-max-token-len-100", t, "too_large",
        options={"max_token_len": 100}, mac_ok=True)
    big = "A" * 20000
    bad("token-too-large-before-structure", big, "too_large",
        note="an over-long input is refused before it is parsed")
    return f


# ----------------------------------------------------------------- asym.json --

ALL_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
            "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# ALL_ALGS as first published (the older cases' allowlists); EVERY_ALG with the later ones.
EVERY_ALG = ALL_ALGS + ["ES256K"]
ALG_KEY = {"RS256": "rsa2048", "RS384": "rsa2048", "RS512": "rsa2048",
           "PS256": "rsa2048", "PS384": "rsa2048", "PS512": "rsa2048",
           "ES256": "p256", "ES384": "p384", "ES512": "p521", "EdDSA": "ed25519"}


def gen_asym(keys):
    f = VectorFile("asym.json", "RSA (RS/PS), ECDSA (ES) and EdDSA tokens made by "
                   "gen_vectors.py with the keys in keys/generated_keys.json; every "
                   "signature re-checked with `cryptography`.")
    claims = {"sub": "user-1", "iat": NOW - 60, "exp": NOW + 3600}
    raw = b"\x00\x01 raw JWS payload \xff\xfe, not JSON"

    def pem_pub(name):
        return {"pem": public_pem(keys[name])}

    # --- every algorithm: valid with PEM / JWK / private PEM, tampered, wrong key
    def per_alg(alg, kname, n, every):
        priv = keys[kname]
        a = {"algorithms": [alg]}
        header = {"alg": alg, "typ": "JWT"}
        t = asym_token(alg, priv, claims)
        h, p, s = t.split(".")
        f.add(n + "-valid-pem-public", t, pem_pub(kname), ok(claims, header), a)
        f.add(n + "-valid-jwk-public", t, {"jwk": public_jwk(priv)}, ok(claims), a)
        f.add(n + "-valid-jwk-public-with-alg", t, {"jwk": public_jwk(priv, alg=alg)},
              ok(claims), a)
        f.add(n + "-valid-pem-private", t, {"pem": private_pem(priv)}, ok(claims), a,
              note="a private key verifies with its public part")
        f.add(n + "-valid-all-algorithms-allowed", t, pem_pub(kname), ok(claims),
              {"algorithms": every})
        f.add(n + "-not-allowed", t, pem_pub(kname), err("alg_not_allowed"),
              {"algorithms": [x for x in every if x != alg]})
        forged = b64u(compact(dict(claims, sub="admin")))
        f.add(n + "-tampered-payload", h + "." + forged + "." + s, pem_pub(kname),
              err("bad_signature"), a, sig_ok=False)
        sig = bytearray(b64u_decode(s))
        sig[len(sig) // 3] ^= 0x10
        f.add(n + "-tampered-signature", h + "." + p + "." + b64u(bytes(sig)),
              pem_pub(kname), err("bad_signature"), a, sig_ok=False)
        f.add(n + "-signature-truncated", h + "." + p + "." + b64u(b64u_decode(s)[:-1]),
              pem_pub(kname), err("bad_signature"), a, sig_ok=False)
        f.add(n + "-signature-empty", h + "." + p + ".", pem_pub(kname),
              err("bad_signature"), a, sig_ok=False)
        f.add(n + "-wrong-key-same-type", t, pem_pub(kname + "-b"),
              err("bad_signature"), a, sig_ok=False)
        f.add(n + "-expired", asym_token(alg, priv, dict(claims, exp=NOW - 1)),
              pem_pub(kname), err("expired"), a, mac_ok=True,
              note="claims are checked after the signature")
        f.add(n + "-expired-but-bad-signature", h + "." + b64u(compact(
            dict(claims, exp=NOW - 1))) + "." + s, pem_pub(kname), err("bad_signature"),
              a, sig_ok=False, note="order: signature before claims")
        tj = asym_token(alg, priv, raw, header={})
        f.add(n + "-jws-binary-payload", tj, pem_pub(kname),
              {"payload_b64u": b64u(raw)}, a, mode="jws")
        f.add(n + "-jws-binary-payload-as-jwt-malformed", tj, pem_pub(kname),
              err("malformed"), a, mac_ok=True)
        te = asym_token(alg, priv, b"", header={})
        f.add(n + "-jws-empty-payload", te, pem_pub(kname), {"payload_b64u": ""}, a,
              mode="jws")

    for alg in ALL_ALGS[3:]:
        per_alg(alg, ALG_KEY[alg], alg.lower(), ALL_ALGS)
    # ES256K (RFC 8812) and EdDSA with an Ed448 key (RFC 8037), added later
    per_alg("ES256K", "secp256k1", "es256k", EVERY_ALG)
    per_alg("EdDSA", "ed448", "eddsa-ed448", EVERY_ALG)

    # --- key encodings -------------------------------------------------------
    t = asym_token("RS256", keys["rsa2048"], claims)
    rs = {"algorithms": ["RS256"]}
    f.add("rs256-valid-x509-certificate-pem", t, {"pem": self_signed_cert(keys["rsa2048"])},
          ok(claims), rs, note="a certificate stands for its public key")
    f.add("rs256-valid-pkcs1-public-pem", t, {"pem": rsa_pkcs1_public_pem(keys["rsa2048"])},
          ok(claims), rs, note="-----BEGIN RSA PUBLIC KEY-----")
    es = {"algorithms": ["ES256"]}
    # --- key-type confusion --------------------------------------------------
    rsa_pub_pem = public_pem(keys["rsa2048"])
    th = jwt({"alg": "HS256", "typ": "JWT"}, claims, rsa_pub_pem, "HS256")
    assert mac_verifies(th, key_secret(rsa_pub_pem))
    f.add("hs256-signed-with-rsa-public-pem-as-secret", th, {"pem": rsa_pub_pem},
          err("invalid_key"), {"algorithms": ["HS256", "RS256"]},
          note="CVE-2022-29217 class: the PEM is an RSA key, never an HMAC secret "
               "(the token's MAC with the PEM text as secret is valid)")
    f.add("hs256-signed-with-rsa-public-pem-as-secret-hs-only", th, {"pem": rsa_pub_pem},
          err("invalid_key"), {"algorithms": ["HS256"]})
    jwk_json = json.dumps(public_jwk(keys["rsa2048"]), separators=(",", ":"))
    th2 = jwt({"alg": "HS256", "typ": "JWT"}, claims, jwk_json, "HS256")
    f.add("hs256-signed-with-rsa-jwk-text-as-secret", th2, {"jwk": public_jwk(keys["rsa2048"])},
          err("invalid_key"), {"algorithms": ["HS256", "RS256"]})
    ed_pem = public_pem(keys["ed25519"])
    th3 = jwt({"alg": "HS256", "typ": "JWT"}, claims, ed_pem, "HS256")
    assert mac_verifies(th3, key_secret(ed_pem))
    f.add("hs256-signed-with-ed25519-public-pem-as-secret", th3, {"pem": ed_pem},
          err("invalid_key"), {"algorithms": ["HS256", "EdDSA"]})
    confusion = [
        ("es384-token-with-p256-key", "ES384", "p384", "p256"),
        ("es256-token-with-p384-key", "ES256", "p256", "p384"),
        ("es512-token-with-p384-key", "ES512", "p521", "p384"),
        ("rs256-token-with-ec-key", "RS256", "rsa2048", "p256"),
        ("ps256-token-with-ec-key", "PS256", "rsa2048", "p256"),
        ("rs256-token-with-ed25519-key", "RS256", "rsa2048", "ed25519"),
        ("eddsa-token-with-ec-key", "EdDSA", "ed25519", "p256"),
        ("eddsa-token-with-rsa-key", "EdDSA", "ed25519", "rsa2048"),
        ("es256-token-with-rsa-key", "ES256", "p256", "rsa2048"),
        ("es256-token-with-ed25519-key", "ES256", "p256", "ed25519"),
    ]
    for name, alg, signer, wrong in confusion:
        tok = asym_token(alg, keys[signer], claims)
        f.add(name, tok, pem_pub(wrong), err("invalid_key"), {"algorithms": ALL_ALGS[3:]},
              sig_ok=False)
        f.add(name + "-jwk", tok, {"jwk": public_jwk(keys[wrong])}, err("invalid_key"),
              {"algorithms": ALL_ALGS[3:]}, sig_ok=False)
    # ES256K and Ed448: ES256/ES256K differ only by curve; EdDSA is one alg
    # for both Edwards curves, so a token for the other curve is a bad
    # signature (it has the wrong size), not a wrong key type.
    confusion2 = [
        ("es256k-token-with-p256-key", "ES256K", "secp256k1", "p256"),
        ("es256-token-with-secp256k1-key", "ES256", "p256", "secp256k1"),
        ("es256k-token-with-rsa-key", "ES256K", "secp256k1", "rsa2048"),
        ("es256k-token-with-ed448-key", "ES256K", "secp256k1", "ed448"),
        ("eddsa-ed448-token-with-p256-key", "EdDSA", "ed448", "p256"),
        ("eddsa-ed448-token-with-secp256k1-key", "EdDSA", "ed448", "secp256k1"),
    ]
    for name, alg, signer, wrong in confusion2:
        tok = asym_token(alg, keys[signer], claims)
        f.add(name, tok, pem_pub(wrong), err("invalid_key"), {"algorithms": EVERY_ALG[3:]},
              sig_ok=False)
        f.add(name + "-jwk", tok, {"jwk": public_jwk(keys[wrong])}, err("invalid_key"),
              {"algorithms": EVERY_ALG[3:]}, sig_ok=False)
    for name, signer, wrong in (("eddsa-ed448-token-with-ed25519-key", "ed448", "ed25519"),
                                ("eddsa-ed25519-token-with-ed448-key", "ed25519", "ed448")):
        tok = asym_token("EdDSA", keys[signer], claims)
        f.add(name, tok, pem_pub(wrong), err("bad_signature"), {"algorithms": ["EdDSA"]},
              sig_ok=False, note="EdDSA: the key's curve decides; the signature has the "
                                 "other curve's size")
    k1 = {"algorithms": ["ES256K"]}
    f.add("es256k-with-jwk-bound-to-es256k", asym_token("ES256K", keys["secp256k1"], claims),
          {"jwk": public_jwk(keys["secp256k1"], alg="ES256K")}, ok(claims), k1)
    f.add("es256k-jwk-secp256k1-bound-to-es256", asym_token("ES256K", keys["secp256k1"], claims),
          {"jwk": public_jwk(keys["secp256k1"], alg="ES256")}, err("invalid_key"),
          {"algorithms": ["ES256", "ES256K"]}, mac_ok=True,
          note="ES256 needs a P-256 key: the JWK's binding does not fit its curve")
    # RFC 8032 7.4's first Ed448 key pair (SECRET KEY / PUBLIC KEY of "-----blank"),
    # as a JWK with d: x must be derived from d; Ed448 is deterministic.
    rfc_jwk = {"kty": "OKP", "crv": "Ed448",
               "d": b64u(bytes.fromhex(RFC8032_ED448_D)), "x": b64u(bytes.fromhex(RFC8032_ED448_X))}
    rfc_priv = jwk_private_key(rfc_jwk)
    assert public_jwk(rfc_priv)["x"] == rfc_jwk["x"]
    assert rfc_priv.sign(b"").hex() == RFC8032_ED448_SIG_BLANK, "RFC 8032 7.4 blank"
    tok = asym_token("EdDSA", rfc_priv, b"Example of Ed448 signing", header={})
    f.add("eddsa-ed448-rfc8032-key-private-jwk", tok, {"jwk": rfc_jwk},
          {"payload_text": "Example of Ed448 signing"}, {"algorithms": ["EdDSA"]}, mode="jws",
          source="RFC 8032 7.4 (key pair)")
    f.add("eddsa-ed448-rfc8032-key-public-jwk", tok, {"jwk": public_only(rfc_jwk)},
          {"payload_text": "Example of Ed448 signing"}, {"algorithms": ["EdDSA"]}, mode="jws",
          source="RFC 8032 7.4 (key pair)")
    bad_x = dict(rfc_jwk, x=b64u(bytes.fromhex(RFC8032_ED448_X_1OCTET)))
    f.add("eddsa-ed448-jwk-x-not-from-d", tok, {"jwk": bad_x}, err("invalid_key"),
          {"algorithms": ["EdDSA"]}, mode="jws",
          note="RFC 8037 2: x is derived from d; this x is another key's")

    tok = asym_token("RS256", keys["rsa2048"], claims)
    f.add("rs256-token-with-hmac-secret", tok, key_secret(SECRET_256), err("invalid_key"),
          {"algorithms": ["RS256", "HS256"]})
    f.add("rs256-with-jwk-bound-to-ps256", tok, {"jwk": public_jwk(keys["rsa2048"], alg="PS256")},
          err("invalid_key"), {"algorithms": ["RS256", "PS256"]}, mac_ok=True,
          note="a JWK's alg binds it to that algorithm")
    f.add("rs256-with-jwk-use-enc", tok, {"jwk": public_jwk(keys["rsa2048"], use="enc")},
          err("invalid_key"), rs, mac_ok=True, note="RFC 7517 4.2: not a signature key")
    f.add("rs256-with-jwk-use-sig", tok, {"jwk": public_jwk(keys["rsa2048"], use="sig")},
          ok(claims), rs)
    tok = asym_token("ES256", keys["p256"], claims)
    f.add("es256-with-jwk-key-ops-verify", tok,
          {"jwk": public_jwk(keys["p256"], key_ops=["verify"])}, ok(claims), es)
    f.add("es256-with-jwk-key-ops-encrypt-only", tok,
          {"jwk": public_jwk(keys["p256"], key_ops=["encrypt"])}, err("invalid_key"), es,
          mac_ok=True, note="RFC 7517 4.3: key_ops does not include verify")

    # --- ECDSA signature encodings --------------------------------------------
    for alg, kname in (("ES256", "p256"), ("ES384", "p384"), ("ES512", "p521"),
                       ("ES256K", "secp256k1")):
        size = EC_CURVES[ES_CURVE[alg]][1]
        tok = asym_token(alg, keys[kname], claims)
        h, p, s = tok.split(".")
        sig = b64u_decode(s)
        r, sv = int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big")
        der = encode_dss_signature(r, sv)
        a = {"algorithms": [alg]}
        f.add(alg.lower() + "-der-signature", h + "." + p + "." + b64u(der),
              pem_pub(kname), err("bad_signature"), a, sig_ok=False,
              note="a valid (r, s) in DER form: JWS needs fixed-length r||s "
                   "(RFC 7518 3.4)")
        f.add(alg.lower() + "-signature-leading-zero-byte", h + "." + p + "." +
              b64u(b"\x00" + sig), pem_pub(kname), err("bad_signature"), a, sig_ok=False,
              note="one byte too long")
        f.add(alg.lower() + "-signature-zero", h + "." + p + "." + b64u(bytes(2 * size)),
              pem_pub(kname), err("bad_signature"), a, sig_ok=False, note="r = s = 0")
        f.add(alg.lower() + "-signature-r-and-s-swapped", h + "." + p + "." +
              b64u(sig[size:] + sig[:size]), pem_pub(kname), err("bad_signature"), a,
              sig_ok=False)

    # --- weak RSA keys --------------------------------------------------------
    t1024 = asym_token("RS256", keys["rsa1024"], claims)
    f.add("rs256-rsa-1024-bit-key-pem", t1024, pem_pub("rsa1024"), err("invalid_key"), rs,
          mac_ok=True, note="RS/PS need RSA >= 2048 bits (docs/design.md)")
    f.add("rs256-rsa-1024-bit-key-jwk", t1024, {"jwk": public_jwk(keys["rsa1024"])},
          err("invalid_key"), rs, mac_ok=True)
    f.add("ps256-rsa-1024-bit-key-pem", asym_token("PS256", keys["rsa1024"], claims),
          pem_pub("rsa1024"), err("invalid_key"), {"algorithms": ["PS256"]}, mac_ok=True)

    # --- header members never supply a key ------------------------------------
    attacker = keys["p256-b"]
    hdr = {"alg": "ES256", "typ": "JWT", "jwk": public_jwk(attacker)}
    f.add("es256-embedded-jwk-header-not-trusted", asym_token("ES256", attacker, claims, hdr),
          pem_pub("p256"), err("bad_signature"), es, sig_ok=False,
          note="signed by the key in the token's own 'jwk' header")
    return f


# -------------------------------------------------------------- keysets.json --

def gen_keysets(keys):
    f = VectorFile("keysets.json", "Key sets (JWKS): kid selection, no kid, duplicate "
                   "kid, mixed sets; and password-protected PEM keys (generated by "
                   "gen_vectors.py).")
    claims = {"sub": "user-1", "iat": NOW - 60, "exp": NOW + 3600}
    jw = lambda name, **kw: public_jwk(keys[name], **kw)   # noqa: E731
    main = {"keys": [jw("rsa2048", kid="rsa-1"), jw("p256", kid="ec-1"),
                     jw("p384", kid="ec-384"), jw("ed25519", kid="ed-1")]}
    algs = {"algorithms": ALL_ALGS[3:]}

    def tok(alg, kname, kid=None, payload=None):
        hdr = {"alg": alg, "typ": "JWT"}
        if kid is not None:
            hdr["kid"] = kid
        return asym_token(alg, keys[kname], claims if payload is None else payload, hdr)

    for alg, kname, kid in (("RS256", "rsa2048", "rsa-1"), ("PS512", "rsa2048", "rsa-1"),
                            ("ES256", "p256", "ec-1"), ("ES384", "p384", "ec-384"),
                            ("EdDSA", "ed25519", "ed-1")):
        n = alg.lower()
        f.add(n + "-kid-selects-key", tok(alg, kname, kid), {"jwks": main},
              ok(claims, {"alg": alg, "typ": "JWT", "kid": kid}), algs)
        f.add(n + "-no-kid-tries-fitting-keys", tok(alg, kname), {"jwks": main}, ok(claims),
              algs, note="without a kid, the keys whose type and curve fit alg are tried")
    f.add("es256-unknown-kid", tok("ES256", "p256", "nope"), {"jwks": main},
          err("invalid_key"), algs, note="no key has this kid")
    f.add("es256-kid-names-rsa-key", tok("ES256", "p256", "rsa-1"), {"jwks": main},
          err("invalid_key"), algs, note="the kid's key does not fit ES256")
    f.add("es256-kid-names-p384-key", tok("ES256", "p256", "ec-384"), {"jwks": main},
          err("invalid_key"), algs)
    f.add("es256-kid-right-key-wrong-signer", tok("ES256", "p256-b", "ec-1"),
          {"jwks": main}, err("bad_signature"), algs, sig_ok=False)
    f.add("es256-no-kid-signed-by-unknown-key", tok("ES256", "p256-b"), {"jwks": main},
          err("bad_signature"), algs, sig_ok=False,
          note="fitting keys were tried, none verified")
    f.add("es512-no-kid-no-fitting-key", tok("ES512", "p521"), {"jwks": main},
          err("invalid_key"), algs, note="no P-521 key in the set")
    f.add("es256-kid-not-a-string", tok("ES256", "p256", 1), {"jwks": main},
          err("malformed"), algs)
    f.add("es256-alg-not-allowed-before-kid", tok("ES256", "p256", "nope"), {"jwks": main},
          err("alg_not_allowed"), {"algorithms": ["RS256"]},
          note="order: allowlist before key selection")
    f.add("es256-jws-mode-with-kid", asym_token("ES256", keys["p256"], b"raw bytes",
                                                {"kid": "ec-1"}),
          {"jwks": main}, {"payload_text": "raw bytes"}, algs, mode="jws")
    # Two keys of one type, no kid: the second one verifies.
    two = {"keys": [jw("p256-b", kid="a"), jw("p256", kid="b")]}
    f.add("es256-no-kid-second-of-two-p256-keys", tok("ES256", "p256"), {"jwks": two},
          ok(claims), algs)
    two_nokid = {"keys": [jw("p256-b"), jw("p256")]}
    f.add("es256-no-kid-set-without-kids", tok("ES256", "p256"), {"jwks": two_nokid},
          ok(claims), algs)
    f.add("es256-kid-token-set-without-kids", tok("ES256", "p256", "b"),
          {"jwks": two_nokid}, err("invalid_key"), algs,
          note="the token names a kid no key has")
    # Duplicate kid: the set itself is refused.
    dup = {"keys": [jw("p256", kid="k"), jw("p256-b", kid="k")]}
    f.add("duplicate-kid-refused", tok("ES256", "p256", "k"), {"jwks": dup},
          err("invalid_key"), algs, mac_ok=True, note="which key did the signer mean?")
    f.add("duplicate-kid-refused-token-without-kid", tok("ES256", "p256"), {"jwks": dup},
          err("invalid_key"), algs)
    # Mixed HMAC + public keys.
    oct_k = {"kty": "oct", "kid": "hmac-1", "k": b64u(SECRET_256.encode())}
    mixed = {"keys": [jw("p256", kid="ec-1"), oct_k]}
    f.add("mixed-oct-and-public-refused", tok("ES256", "p256", "ec-1"), {"jwks": mixed},
          err("invalid_key"), algs, mac_ok=True,
          note="a set may not mix HMAC secrets with public keys")
    f.add("mixed-oct-and-public-refused-hs256",
          jwt({"alg": "HS256", "kid": "hmac-1"}, claims, SECRET_256), {"jwks": mixed},
          err("invalid_key"), {"algorithms": ["HS256", "ES256"]}, mac_ok=True)
    # HMAC-only sets.
    octs = {"keys": [oct_k, {"kty": "oct", "kid": "hmac-2", "k": b64u(OTHER_256.encode())}]}
    hs = {"algorithms": ["HS256"]}
    f.add("hs256-oct-set-kid-selects", jwt({"alg": "HS256", "kid": "hmac-2"}, claims,
                                           OTHER_256), {"jwks": octs}, ok(claims), hs)
    f.add("hs256-oct-set-no-kid", jwt({"alg": "HS256"}, claims, OTHER_256), {"jwks": octs},
          ok(claims), hs)
    f.add("hs256-oct-set-kid-wrong-secret", jwt({"alg": "HS256", "kid": "hmac-1"}, claims,
                                                OTHER_256), {"jwks": octs},
          err("bad_signature"), hs, sig_ok=False)
    # Keys a signature verifier skips.
    enc_only = {"keys": [jw("p256", kid="e", use="enc")]}
    f.add("set-of-encryption-keys-only", tok("ES256", "p256", "e"), {"jwks": enc_only},
          err("invalid_key"), algs, note="no usable signature key")
    with_enc = {"keys": [jw("p256-b", kid="e", use="enc"), jw("p256", kid="s", use="sig")]}
    f.add("enc-key-skipped-sig-key-used", tok("ES256", "p256", "s"), {"jwks": with_enc},
          ok(claims), algs)
    f.add("enc-key-not-selected-by-kid", tok("ES256", "p256-b", "e"), {"jwks": with_enc},
          err("invalid_key"), algs, note="the enc key is not in the verifying set")
    f.add("empty-set-refused", tok("ES256", "p256"), {"jwks": {"keys": []}},
          err("invalid_key"), algs)
    f.add("set-keys-member-not-a-list", tok("ES256", "p256"), {"jwks": {"keys": "none"}},
          err("invalid_key"), algs)
    bound = {"keys": [jw("rsa2048", kid="r", alg="PS256")]}
    f.add("rs256-kid-key-bound-to-ps256", tok("RS256", "rsa2048", "r"), {"jwks": bound},
          err("invalid_key"), algs, mac_ok=True)
    f.add("rs256-no-kid-only-key-bound-to-ps256", tok("RS256", "rsa2048"), {"jwks": bound},
          err("invalid_key"), algs, note="the only RSA key is bound to PS256: none fits")
    weak = {"keys": [jw("rsa1024", kid="w"), jw("rsa2048", kid="r")]}
    f.add("rs256-kid-selects-weak-key", tok("RS256", "rsa1024", "w"), {"jwks": weak},
          err("invalid_key"), algs, mac_ok=True)
    f.add("rs256-set-with-weak-key-strong-kid", tok("RS256", "rsa2048", "r"), {"jwks": weak},
          ok(claims), algs)

    # --- ES256K and Ed448 keys in a set (added later) ------------------------
    later = {"keys": [jw("p256", kid="ec-1"), jw("secp256k1", kid="k1-1"),
                      jw("ed25519", kid="ed-1"), jw("ed448", kid="ed448-1")]}
    every = {"algorithms": EVERY_ALG[3:]}
    for alg, kname, kid in (("ES256K", "secp256k1", "k1-1"), ("EdDSA", "ed448", "ed448-1"),
                            ("ES256", "p256", "ec-1"), ("EdDSA", "ed25519", "ed-1")):
        n = alg.lower() + "-" + kname
        f.add(n + "-kid-selects-key-later-set", tok(alg, kname, kid), {"jwks": later},
              ok(claims, {"alg": alg, "typ": "JWT", "kid": kid}), every)
        f.add(n + "-no-kid-later-set", tok(alg, kname), {"jwks": later}, ok(claims), every,
              note="without a kid, the keys whose type and curve fit alg are tried")
    f.add("es256k-kid-names-p256-key", tok("ES256K", "secp256k1", "ec-1"), {"jwks": later},
          err("invalid_key"), every, note="the kid's key is P-256: ES256 only")
    f.add("es256-kid-names-secp256k1-key", tok("ES256", "p256", "k1-1"), {"jwks": later},
          err("invalid_key"), every, note="the kid's key is secp256k1: ES256K only")
    f.add("eddsa-ed448-kid-names-ed25519-key", tok("EdDSA", "ed448", "ed-1"), {"jwks": later},
          err("bad_signature"), every, sig_ok=False,
          note="EdDSA fits both curves; the Ed25519 key refuses a 114-byte signature")
    f.add("es256k-no-kid-signed-by-unknown-key", tok("ES256K", "secp256k1-b"), {"jwks": later},
          err("bad_signature"), every, sig_ok=False)

    # --- encrypted PEM (a password: Key.from_pem / cjwt.key(pem, {password=})) --
    enc = keys["_encrypted_p256_pem"]
    t = asym_token("ES256", keys["p256"], claims)
    es = {"algorithms": ["ES256"]}
    f.add("es256-valid-encrypted-pkcs8-with-password", t,
          {"pem": enc, "password": KEY_PASSWORD}, ok(claims), es)
    f.add("es256-encrypted-pkcs8-wrong-password", t,
          {"pem": enc, "password": KEY_PASSWORD + "!"}, err("invalid_key"), es,
          note="the key cannot be decrypted")
    f.add("es256-encrypted-pkcs8-without-password", t, {"pem": enc}, err("invalid_key"),
          es, note="an encrypted key and no password: refused, never used as a secret")

    return f


# ------------------------------------------------------------ jti_aud.json --

def gen_jti_aud():
    f = VectorFile("jti_aud.json", "verify_jti and strict_aud (PyJWT's meanings), "
                   "HS256 with one 32-byte secret (generated by gen_vectors.py).")
    K = key_secret(SECRET_256)
    base = {"sub": "user-1", "exp": NOW + 3600}

    def add(name, payload, expect, note=None, **options):
        f.add(name, hs256(payload), K, expect, opts(**options), note=note)

    # jti: checked by default (PyJWT verify_jti=True): a string when present.
    add("jti-string-ok", dict(base, jti="id-1"), ok(dict(base, jti="id-1")))
    add("jti-absent-ok", base, ok(base))
    add("jti-integer-refused", dict(base, jti=42), err("invalid_jti"))
    add("jti-null-refused", dict(base, jti=None), err("invalid_jti"),
        note="null is not a string (PyJWT: InvalidJTIError)")
    add("jti-list-refused", dict(base, jti=["id-1"]), err("invalid_jti"))
    add("jti-object-refused", dict(base, jti={"id": 1}), err("invalid_jti"))
    add("jti-integer-verify-jti-false", dict(base, jti=42), ok(dict(base, jti=42)),
        verify_jti=False)
    add("jti-integer-verify-jti-true", dict(base, jti=42), err("invalid_jti"),
        verify_jti=True)
    add("jti-empty-string-ok", dict(base, jti=""), ok(dict(base, jti="")))
    add("jti-integer-signature-off", dict(base, jti=42), ok(dict(base, jti=42)),
        verify_signature=False,
        note="with the signature check off, claim checks default to off")
    add("jti-required-and-present", dict(base, jti="x"), ok(dict(base, jti="x")),
        require=["jti"])
    add("jti-required-and-missing", base, err("missing_claim", "jti"), require=["jti"])
    add("jti-integer-and-expired", dict(base, jti=42, exp=NOW - 1), err("expired"),
        note="exp is checked before jti (PyJWT order)")

    # strict_aud: one expected audience, aud one equal string.
    aud_api = dict(base, aud="api")
    aud_list = dict(base, aud=["api"])
    add("strict-aud-string-match", aud_api, ok(aud_api), audience="api", strict_aud=True)
    add("strict-aud-list-claim-refused", aud_list, err("invalid_audience"),
        audience="api", strict_aud=True, note="strict: aud must be a string, not a list")
    add("non-strict-aud-list-claim-ok", aud_list, ok(aud_list), audience="api",
        strict_aud=False)
    add("default-aud-list-claim-ok", aud_list, ok(aud_list), audience="api")
    add("strict-aud-string-mismatch", dict(base, aud="web"), err("invalid_audience"),
        audience="api", strict_aud=True)
    add("strict-aud-two-expected-refused", aud_api, err("invalid_audience"),
        audience=["api", "web"], strict_aud=True,
        note="strict: exactly one expected audience")
    add("strict-aud-one-expected-in-list-ok", aud_api, ok(aud_api), audience=["api"],
        strict_aud=True)
    add("strict-aud-missing-claim", base, err("missing_claim", "aud"), audience="api",
        strict_aud=True)
    add("strict-aud-case-sensitive", dict(base, aud="API"), err("invalid_audience"),
        audience="api", strict_aud=True)
    add("strict-aud-no-audience-expected-claim-present", aud_api, err("invalid_audience"),
        strict_aud=True, note="no audience expected but the token has one")
    add("strict-aud-verify-aud-false", aud_list, ok(aud_list), audience="api",
        strict_aud=True, verify_aud=False)
    return f


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    keys = load_or_make_keys(regenerate="--new-keys" in argv)
    load_sig_cache(["asym.json", "keysets.json"])
    files = [gen_rfc(), gen_hmac(), gen_claims(), gen_malformed(), gen_jti_aud(),
             gen_asym(keys), gen_keysets(keys)]
    for f in files:
        path, n = f.write()
        print("%-16s %3d cases" % (os.path.basename(path), n))


if __name__ == "__main__":
    sys.exit(main())
