#!/usr/bin/env python3
"""Regenerate the shared HMAC JWT vectors in tests/vectors/.

    python3 tests/vectors/gen_vectors.py        # rewrites rfc.json, hmac.json,
                                                # claims.json, malformed.json

Only the Python standard library is used (hmac, hashlib, base64, json), so the
vectors are independent of cjwt: they say what a correct verifier must answer,
not what ours happens to answer.  Everything is deterministic (fixed secrets,
fixed `now`, no randomness, no clock, keys sorted in the output), so running the
script twice gives byte-identical files.

The format of a file is described in tests/vectors/README.md.  Every case is
checked here before it is written: a case that expects `claims` must carry a
signature that verifies under stdlib HMAC (or must switch the signature check
off), and the malformed cases built with `signed()` carry a MAC that is valid
over their (malformed) content, so that a verifier can only refuse them for the
structural reason the case is about.

Expected errors follow DESIGN.md ("Error names") and the check order
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
            key_flags=None, source=None, note=None, mac_ok=None, unsecured=False):
        """Add a case.  mac_ok=True asserts that the token's MAC is valid for
        `key` under stdlib HMAC (used for malformed-but-correctly-signed
        tokens); cases that expect claims are always checked, except
        unsecured=True ones (alg "none", empty signature, allowed by name)."""
        assert name not in self.names, "duplicate case name " + name
        self.names.add(name)
        options = dict(options or {})
        if unsecured:
            hs, _, ss = token.split(".")
            assert ss == "" and json.loads(b64u_decode(hs))["alg"] == "none", name
        if "claims" in expect:
            if options.get("verify_signature", True) and not unsecured:
                assert mac_verifies(token, key), name + ": MAC does not verify"
            parts = token.split(".")
            assert json.loads(b64u_decode(parts[1])) == expect["claims"], name
        if mac_ok:
            assert mac_verifies(token, key), name + ": MAC expected valid"
        c = {"name": name, "token": token, "key": key, "options": options,
             "now": now, "expect": expect}
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
    # DESIGN.md: "no `none` unless asked for by name".  Asked for by name, an
    # unsecured JWS (RFC 7518 3.6) is accepted, but only with an empty signature.
    f.add("alg-none-explicitly-allowed", nh + "." + p + ".", key_secret(SECRET_256),
          ok(claims, {"alg": "none"}), {"algorithms": ["none"]}, unsecured=True,
          note="'none' accepted only because the allowlist names it")
    f.add("alg-none-allowed-with-signature", nh + "." + p + "." +
          b64u(mac("HS256", SECRET_256, nh + "." + p)), key_secret(SECRET_256),
          err("bad_signature"), {"algorithms": ["none"]},
          note="RFC 7518 3.6: an unsecured JWS has an empty signature")

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
            note="numeric dates must be JSON numbers (DESIGN.md)"
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
            note="numeric dates must be JSON numbers (DESIGN.md)")
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

    # --- JSON grammar strictness (DESIGN.md: strict JSON) ---------------------
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
    raw_header("header-missing-alg", b'{"typ":"JWT"}')
    raw_header("header-empty-object", b"{}")
    raw_header("header-alg-number", b'{"alg":256}')
    raw_header("header-alg-null", b'{"alg":null}')
    raw_header("header-alg-list", b'{"alg":["HS256"]}')
    raw_header("header-alg-object", b'{"alg":{"name":"HS256"}}')
    raw_header("header-alg-true", b'{"alg":true}')
    bad("header-missing-alg-and-bad-signature",
        b64u(b'{"typ":"JWT"}') + "." + p + "." + b64u(bytes(32)),
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
               expect="unknown_crit", note="RFC 7797 is not implemented")
    raw_header("crit-b64-true", b'{"alg":"HS256","crit":["b64"],"b64":true}',
               expect="unknown_crit", note="RFC 7797 is not implemented")
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


def main():
    files = [gen_rfc(), gen_hmac(), gen_claims(), gen_malformed()]
    for f in files:
        path, n = f.write()
        print("%-16s %3d cases" % (os.path.basename(path), n))


if __name__ == "__main__":
    sys.exit(main())
