"""The generated PyJWT differential suite, widened to the rest of PyJWT 2's
public surface (test_pyjwt_differential.py has the decode/encode core):
PyJWT.decode_complete/encode, PyJWK.from_dict/from_json, PyJWKSet.from_json,
PyJWS's algorithm registry (get_algorithms, get_algorithm_by_name,
unregister_algorithm, register_algorithm) and options, the module-level
register/unregister_algorithm, every jwt.algorithms class
(prepare_key, sign/verify, to_jwk, from_jwk, compute_hash_digest,
check_key_length), jwt.utils, PyJWKClient against a loopback HTTP server,
get_unverified_header's corner cases, and decode with every kind of
`options` key crossed with tokens that exercise each.

Same rules as the first file (its machinery is reused): both libraries get
the same call; the outcome (normalised result, or exception class and
message, and the deprecation warnings) must match, or the case is named in
WIDE_DIFFERENCES with its kind and listed in docs/python-differences.md."""
import fnmatch
import http.server
import json
import re
import threading

import pytest

jwt = pytest.importorskip("jwt")

import cjwt  # noqa: E402
import test_pyjwt_differential as D  # noqa: E402
from conftest import b64url  # noqa: E402
from keyfix import crypto_private, private_pem, public_pem  # noqa: E402

PerLib = D.PerLib
G_SECRET = D.G_SECRET
_hs = D._hs


# ---- normalising results across the two libraries -------------------------

def norm(x):
    """A result as comparable data: key objects by family and public numbers,
    PyJWK/PyJWKSet by PyJWT's attributes, algorithm objects by class name."""
    from cryptography.hazmat.primitives import serialization as ser
    name = type(x).__name__
    if name == "PyJWK":
        return ("PyJWK", x.key_id, x.key_type, x.algorithm_name, x.public_key_use)
    if name == "PyJWKSet":
        return ("PyJWKSet", [norm(k) for k in x.keys])
    if hasattr(x, "public_bytes") or hasattr(x, "private_bytes"):
        pub = x.public_key() if hasattr(x, "private_bytes") else x
        return ("key", hasattr(x, "private_bytes"),
                pub.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo))
    if name.endswith("Algorithm"):
        return ("algorithm", name)
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(norm(v) for v in x)
    return x


def _token(result):
    return D._norm("encode", result)


# ---- key material ------------------------------------------------------------

def _pem(alg, private):
    return private_pem(alg) if private else public_pem(alg)


def _ssh_rsa():
    from cryptography.hazmat.primitives import serialization as ser
    return crypto_private("RS256").public_key().public_bytes(ser.Encoding.OpenSSH,
                                                              ser.PublicFormat.OpenSSH)


def _jwk(alg, private):
    d = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(
        crypto_private(alg) if private else crypto_private(alg).public_key()))
    d.pop("key_ops", None)     # PyJWT 2.4 writes none
    return d


PREP_KEYS = {
    "secret_str": G_SECRET, "secret_bytes": G_SECRET.encode(), "empty": "", "none": None,
    "int": 5,
    "rsa_private_pem": PerLib(lambda m: _pem("RS256", True), "rsa_private_pem"),
    "rsa_public_pem": PerLib(lambda m: _pem("RS256", False), "rsa_public_pem"),
    "rsa_public_pem_str": PerLib(lambda m: _pem("RS256", False).decode(), "rsa_public_pem_str"),
    "ec256_private_pem": PerLib(lambda m: _pem("ES256", True), "ec256_private_pem"),
    "ec256_public_pem": PerLib(lambda m: _pem("ES256", False), "ec256_public_pem"),
    "ec384_public_pem": PerLib(lambda m: _pem("ES384", False), "ec384_public_pem"),
    "ed_private_pem": PerLib(lambda m: _pem("EdDSA", True), "ed_private_pem"),
    "ed_public_pem": PerLib(lambda m: _pem("EdDSA", False), "ed_public_pem"),
    "ssh_rsa": PerLib(lambda m: _ssh_rsa(), "ssh_rsa"),
    "rsa_object": PerLib(lambda m: crypto_private("RS256"), "rsa_object"),
    "rsa_public_object": PerLib(lambda m: crypto_private("RS256").public_key(), "rsa_pub_obj"),
    "ec256_object": PerLib(lambda m: crypto_private("ES256"), "ec256_object"),
    "ed_object": PerLib(lambda m: crypto_private("EdDSA"), "ed_object"),
}
PREP_ALGS = ["HS256", "RS256", "PS256", "ES256", "ES384", "EdDSA", "none"]
BASE_KEY = {"HS256": "secret_str", "RS256": "rsa_private_pem", "PS256": "rsa_private_pem",
            "ES256": "ec256_private_pem", "ES384": "ec256_private_pem",
            "EdDSA": "ed_private_pem", "none": "none"}

# (private, public) keys per algorithm, as each library's prepare_key takes them
PAIRS = {"HS256": ("secret_str", "secret_str"), "RS256": ("rsa_private_pem", "rsa_public_pem"),
         "PS256": ("rsa_object", "rsa_public_object"), "ES256": ("ec256_object", "ec256_public_pem"),
         "EdDSA": ("ed_private_pem", "ed_public_pem")}
MESSAGES = {"bytes": b"header.payload", "empty": b"", "str": "header.payload",
            "binary": bytes(range(256))}
SIGNATURES = {"empty": b"", "short": b"\x01", "garbage64": b"\x07" * 64, "garbage256": b"\x07" * 256,
              "str": "abc", "none": None}


def _alg(m, alg):
    return m.algorithms.get_default_algorithms()[alg]


def _prepare(m, alg, key):
    return norm(_alg(m, alg).prepare_key(key))


def _sign_verify(m, alg, msg, pair):
    a = _alg(m, alg)
    sk = a.prepare_key(D._arg(PREP_KEYS[pair[0]], m))
    pk = a.prepare_key(D._arg(PREP_KEYS[pair[1]], m))
    sig = a.sign(msg, sk)
    tampered = (msg + b"x") if isinstance(msg, bytes) else msg + "x"
    return (len(sig), a.verify(msg, pk, sig), a.verify(tampered, pk, sig))


def _verify_sig(m, alg, sig):
    a = _alg(m, alg)
    pk = a.prepare_key(D._arg(PREP_KEYS[PAIRS[alg][1]], m))
    return a.verify(b"header.payload", pk, sig)


def _cross_verify(m, alg):
    """A signature made by the other library's algorithm object verifies."""
    other = cjwt if m is jwt else jwt
    a, b = _alg(m, alg), _alg(other, alg)
    sig = b.sign(b"m", b.prepare_key(D._arg(PREP_KEYS[PAIRS[alg][0]], other)))
    return a.verify(b"m", a.prepare_key(D._arg(PREP_KEYS[PAIRS[alg][1]], m)), sig)


TO_JWK_KEYS = {
    "rsa_private": PerLib(lambda m: crypto_private("RS256"), "rsa_private"),
    "rsa_public": PerLib(lambda m: crypto_private("RS256").public_key(), "rsa_public"),
    "ec256_private": PerLib(lambda m: crypto_private("ES256"), "ec256_private"),
    "ec384_public": PerLib(lambda m: crypto_private("ES384").public_key(), "ec384_public"),
    "ec521_public": PerLib(lambda m: crypto_private("ES512").public_key(), "ec521_public"),
    "ed_private": PerLib(lambda m: crypto_private("EdDSA"), "ed_private"),
    "ed_public": PerLib(lambda m: crypto_private("EdDSA").public_key(), "ed_public"),
    "secret_str": G_SECRET, "secret_bytes": G_SECRET.encode(), "pem_str": "-----BEGIN x",
    "none": None, "int": 5,
}
TO_JWK_BASE = {"HMACAlgorithm": "secret_str", "RSAAlgorithm": "rsa_private",
               "ECAlgorithm": "ec256_private", "OKPAlgorithm": "ed_private"}


def _to_jwk(m, cls, key, as_dict):
    out = getattr(m.algorithms, cls).to_jwk(key, as_dict=as_dict)
    if isinstance(out, str):
        out = ("json", json.loads(out))
    if isinstance(out, dict) or (isinstance(out, tuple) and isinstance(out[1], dict)):
        d = out if isinstance(out, dict) else out[1]
        d.pop("key_ops", None)     # v_jwk_key_ops: written by 2.15, not 2.4
    return out


def _rsa_jwk_without(*names):
    d = _jwk("RS256", True)
    for n in names:
        d.pop(n)
    return d


FROM_JWK = {
    "rsa_public": PerLib(lambda m: _jwk("RS256", False), "rsa_public"),
    "rsa_private": PerLib(lambda m: _jwk("RS256", True), "rsa_private"),
    "rsa_private_d_only": PerLib(lambda m: _rsa_jwk_without("p", "q", "dp", "dq", "qi"),
                                 "rsa_private_d_only"),
    "rsa_private_partial_crt": PerLib(lambda m: _rsa_jwk_without("dq"), "rsa_partial_crt"),
    "rsa_json": PerLib(lambda m: json.dumps(_jwk("RS256", False)), "rsa_json"),
    "rsa_no_n": {"kty": "RSA", "e": "AQAB"},
    "ec256_public": PerLib(lambda m: _jwk("ES256", False), "ec256_public"),
    "ec256_private": PerLib(lambda m: _jwk("ES256", True), "ec256_private"),
    "ec521_public": PerLib(lambda m: _jwk("ES512", False), "ec521_public"),
    "ec_crv_mismatch": PerLib(lambda m: dict(_jwk("ES256", False), crv="P-384"), "ec_crv_mismatch"),
    "ec_not_on_curve": PerLib(lambda m: dict(_jwk("ES256", False), y=b64url(b"\x01" * 32)),
                              "ec_not_on_curve"),
    "ec_no_crv": PerLib(lambda m: {k: v for k, v in _jwk("ES256", False).items() if k != "crv"},
                        "ec_no_crv"),
    "ec_secp256k1": {"kty": "EC", "crv": "secp256k1", "x": b64url(b"\x01" * 32),
                     "y": b64url(b"\x01" * 32)},
    "ed_public": PerLib(lambda m: _jwk("EdDSA", False), "ed_public"),
    "ed_private": PerLib(lambda m: _jwk("EdDSA", True), "ed_private"),
    "ed_no_x": {"kty": "OKP", "crv": "Ed25519"},
    "ed_x25519": {"kty": "OKP", "crv": "X25519", "x": b64url(b"\x01" * 32)},
    "oct": D._oct_jwk(), "oct_empty": {"kty": "oct", "k": ""}, "oct_no_k": {"kty": "oct"},
    "not_json": "{x", "array_json": "[1]", "int": 5, "none": None, "empty_dict": {},
}
FROM_JWK_BASE = {"RSAAlgorithm": "rsa_public", "RSAPSSAlgorithm": "rsa_public",
                 "ECAlgorithm": "ec256_public", "OKPAlgorithm": "ed_public",
                 "HMACAlgorithm": "oct"}


def _from_jwk(m, cls, jwk):
    return norm(getattr(m.algorithms, cls).from_jwk(jwk))


HASH_INPUTS = {"bytes": b"abc", "empty": b"", "str": "abc", "none": None}


def _check_key_length(m, alg, key):
    a = _alg(m, alg)
    return a.check_key_length(a.prepare_key(key))


KEY_LENGTH_KEYS = {"secret_64": G_SECRET, "secret_16": "s" * 16, "secret_32": "s" * 32,
                   "rsa_2048": PerLib(lambda m: crypto_private("RS256"), "rsa_2048")}


# ---- jwt.utils --------------------------------------------------------------

UTILS = {
    "force_bytes": ({"str": "h\u00e9", "bytes": b"x", "none": None, "int": 5,
                     "bytearray": bytearray(b"x")}, "str"),
    "to_base64url_uint": ({"zero": 0, "one": 1, "big": 2**64 + 1, "negative": -1, "str": "1",
                           "bool": True}, "big"),
    "from_base64url_uint": ({"str": "AQ", "bytes": b"AQAB", "empty": "", "bad": "!!",
                             "none": None}, "str"),
    "number_to_bytes": ({"small": (1, 4), "exact": (65535, 2), "zero": (0, 1),
                         "overflow": (65536, 2)}, "small"),
    "bytes_to_number": ({"bytes": b"\x01\x00", "empty": b"", "str": "ab"}, "bytes"),
    "bytes_from_int": ({"zero": 0, "int": 65537, "big": 2**100, "negative": -5}, "int"),
    "is_pem_format": ({"pem": PerLib(lambda m: _pem("RS256", False), "pem"), "text": b"abc",
                       "str": "-----BEGIN PUBLIC KEY-----", "cert": b"-----BEGIN CERTIFICATE-----\nx",
                       "empty": b""}, "pem"),
    "is_ssh_key": ({"ssh": PerLib(lambda m: _ssh_rsa(), "ssh"), "text": b"abc",
                    "ecdsa": b"ecdsa-sha2-nistp256 AAAA", "ed": b"ssh-ed25519 AAAA",
                    "empty": b"", "cert": b"ssh-rsa-cert-v01@openssh.com AAAA"}, "ssh"),
}


def _util(name):
    def call(m, arg):
        f = getattr(m.utils, name)
        return f(*arg) if isinstance(arg, tuple) else f(arg)
    return call


def _der_raw(m, which, curve):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import hashes
    c = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}[curve]
    key = ec.derive_private_key(12345, c)
    der = key.sign(b"m", ec.ECDSA(hashes.SHA256()))
    raw = jwt.utils.der_to_raw_signature(der, c)
    if which == "der_to_raw":
        return m.utils.der_to_raw_signature(der, c) == raw
    if which == "raw_to_der_roundtrip":
        return m.utils.der_to_raw_signature(m.utils.raw_to_der_signature(raw, c), c) == raw
    if which == "raw_wrong_length":
        return m.utils.raw_to_der_signature(raw[:-1], c)
    return m.utils.der_to_raw_signature(b"\x30\x00", c)       # "bad_der"


# ---- PyJWKClient against a loopback server ----------------------------------

class _Server:
    """A JWKS endpoint on 127.0.0.1: /<name> answers SERVED[name]."""

    def __init__(self):
        served = SERVED

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                status, ctype, body = served[self.path.strip("/")]
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                    body = b""
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}"


_SERVER = []


def _url(name):
    if not _SERVER:
        _SERVER.append(_Server())
    return _SERVER[0].url(name)


def _set(*keys):
    return (200, "application/json", json.dumps({"keys": list(keys)}).encode())


_K_A = D._oct_jwk(kid="a", use="sig", alg="HS256")
_K_B = D._oct_jwk("t" * 64, kid="b", alg="HS256")
SERVED = {
    "good": _set(_K_A, _K_B),
    "enc_only": _set(D._oct_jwk(kid="e", use="enc", alg="HS256")),
    "no_kid": _set(D._oct_jwk(alg="HS256")),
    "empty": _set(),
    "bad_keys": _set({"kty": "XYZ", "kid": "x"}),
    "not_json": (200, "application/json", b"{x"),
    "array": (200, "application/json", b"[1]"),
    "server_error": (500, "text/plain", b"boom"),
    "not_found": (404, "text/plain", b"no"),
    "redirect": (302, "text/plain", b"/good"),
}


def _client(m, served, **kw):
    return m.PyJWKClient(_url(served), **kw)


CLIENT_TOKENS = {
    "kid_a": _hs({"alg": "HS256", "kid": "a"}, {"sub": "x"}),
    "kid_b_bytes": _hs({"alg": "HS256", "kid": "b"}, {"sub": "x"}).encode(),
    "kid_unknown": _hs({"alg": "HS256", "kid": "zz"}, {"sub": "x"}),
    "no_kid": _hs({"alg": "HS256"}, {"sub": "x"}),
    "kid_int": _hs({"alg": "HS256", "kid": 5}, {"sub": "x"}),
    "not_a_token": "abc", "none": None,
}
SERVED_NAMES = {n: n for n in SERVED}
CLIENT_KW = {
    "none": {}, "headers": {"headers": {"User-Agent": "t"}}, "timeout": {"timeout": 5},
    "cache_keys": {"cache_keys": True}, "no_cache": {"cache_jwk_set": False},
    "lifespan_zero": {"lifespan": 0}, "lifespan_negative": {"lifespan": -1},
    "max_cached_keys": {"max_cached_keys": 1},
}


# ---- get_unverified_header corner cases and options of every kind ------------

HEADER_TOKENS = dict(D.TOKENS, **{
    "typ_int": _hs({"alg": "HS256", "typ": 5}, D.G_CLAIMS),
    "kid_null": _hs({"alg": "HS256", "kid": None}, D.G_CLAIMS),
    "kid_list": _hs({"alg": "HS256", "kid": ["a"]}, D.G_CLAIMS),
    "kid_empty": _hs({"alg": "HS256", "kid": ""}, D.G_CLAIMS),
    "crit_not_list": _hs({"alg": "HS256", "crit": "exp"}, D.G_CLAIMS),
    "crit_int_member": _hs({"alg": "HS256", "crit": [5]}, D.G_CLAIMS),
    "header_null": _hs(b"null", D.G_CLAIMS),
    "header_string": _hs(b'"x"', D.G_CLAIMS),
    "header_nested": _hs({"alg": "HS256", "x": {"y": [1, None]}}, D.G_CLAIMS),
    "header_unicode": _hs({"alg": "HS256", "x": "\u00e9\U0001f600"}, D.G_CLAIMS),
    "jwk_header": _hs({"alg": "HS256", "jwk": {"kty": "oct", "k": "AA"}}, D.G_CLAIMS),
    "empty_segments": "..",
    "only_dots": "...",
    "jwe_shaped": "a.b.c.d.e",
})

_NOW_T = D.NOW
OPTION_TOKENS = {
    "valid": D.G_TOKEN,
    "expired": D.TOKENS["expired"],
    "not_yet_valid": D.TOKENS["not_yet_valid"],
    "iat_future": D.TOKENS["iat_future"],
    "exp_string": D.TOKENS["exp_string"],
    "nbf_string": _hs({"alg": "HS256"}, dict(D.G_CLAIMS, nbf="x")),
    "iat_string": _hs({"alg": "HS256"}, dict(D.G_CLAIMS, iat="x")),
    "aud_missing": D.TOKENS["aud_missing"],
    "aud_list": _hs({"alg": "HS256"}, dict(D.G_CLAIMS, aud=["api", "x"])),
    "iss_int": D.TOKENS["iss_int"],
    "sub_int": D.TOKENS["sub_int"],
    "jti_int": D.TOKENS["jti_int"],
    "no_claims": _hs({"alg": "HS256"}, {}),
    "signature_wrong": D.TOKENS["signature_wrong"],
}
OPTIONS_WIDE = {
    "none": None,
    "empty": {},
    "sig_off": {"verify_signature": False},
    "sig_off_exp_on": {"verify_signature": False, "verify_exp": True},
    "sig_off_aud_on": {"verify_signature": False, "verify_aud": True},
    "exp_off": {"verify_exp": False},
    "nbf_off": {"verify_nbf": False},
    "iat_off": {"verify_iat": False},
    "aud_off": {"verify_aud": False},
    "iss_off": {"verify_iss": False},
    "sub_off": {"verify_sub": False},
    "jti_off": {"verify_jti": False},
    "require_all": {"require": ["exp", "iat", "nbf", "iss", "sub", "aud", "jti"]},
    "require_tuple": {"require": ("exp",)},
    "require_empty": {"require": []},
    "require_none": {"require": None},
    "strict_aud": {"strict_aud": True},
    "strict_aud_off": {"strict_aud": False},
    "truthy_ints": {"verify_exp": 0, "verify_aud": 1},
    "none_values": {"verify_exp": None},
    "enforce_min_key": {"enforce_minimum_key_length": True},
    "unknown": {"verify_everything": False},
}


def _decode_opts(m, token, options):
    return m.decode(token, G_SECRET, algorithms=["HS256"], audience="api", options=options)


# ---- the table of entry points ------------------------------------------------
# name -> (callable(m, **kwargs), {argument: (VALUES table, base value name)},
#          extra kwargs table or None); the first argument is passed by position.
FUNCTIONS = {
    "PyJWT.decode_complete": (
        lambda m, *a, **kw: norm(m.PyJWT().decode_complete(*a, **kw)),
        {"jwt": (D.TOKENS, "valid"), "key": (D.KEYS, "secret_str"),
         "algorithms": (D.ALGORITHM_LISTS, "hs256"), "options": (D.OPTIONS, "none"),
         "audience": (D.AUDIENCES, "match"), "issuer": (D.ISSUERS, "none"),
         "subject": (D.SUBJECTS, "none"), "leeway": (D.LEEWAYS, "zero")},
        D.EXTRA_KWARGS),
    "PyJWT.encode": (
        lambda m, *a, **kw: _token(m.PyJWT().encode(*a, **kw)),
        {"payload": (D.PAYLOADS, "dict"), "key": (D.KEYS, "secret_str"),
         "algorithm": (D.ENC_ALGORITHMS, "hs256"), "headers": (D.HEADERS, "none")}, None),
    "PyJWT(options).decode": (
        lambda m, options: m.PyJWT(options).decode(D.G_TOKEN, G_SECRET, algorithms=["HS256"],
                                                   audience="api"),
        {"options": (dict(D.OPTIONS, require_iat={"require": ["iat"]}), "none")}, None),
    "PyJWK.from_dict": (lambda m, *a, **kw: norm(m.PyJWK.from_dict(*a, **kw)),
                        {"obj": (D.JWKS, "oct"), "algorithm": (D.JWK_ALGORITHMS, "none_value")},
                        None),
    "PyJWK.from_json": (lambda m, *a, **kw: norm(m.PyJWK.from_json(*a, **kw)),
                        {"data": ({"oct": json.dumps(D._oct_jwk(kid="a")), "not_json": "{x",
                                   "no_kty": json.dumps({"k": "AA"}),
                                   "oct_alg": json.dumps(D._oct_jwk(alg="HS384"))}, "oct"),
                         "algorithm": (D.JWK_ALGORITHMS, "none_value")}, None),
    "jwkset.from_json": (lambda m, data: norm(m.PyJWKSet.from_json(data)),
                         {"data": ({"one": json.dumps({"keys": [D._oct_jwk(kid="a")]}),
                                    "empty": json.dumps({"keys": []}), "no_keys": "{}",
                                    "not_json": "{x",
                                    "bad_and_good": json.dumps({"keys": [{"kty": "XYZ"},
                                                                         D._oct_jwk()]})},
                                   "one")}, None),
    "PyJWS(algorithms).get_algorithms": (
        lambda m, algorithms: _algs(m.PyJWS(algorithms=algorithms).get_algorithms()),
        {"algorithms": ({"none": None, "hs256": ["HS256"], "empty": [], "two": ["HS256", "RS256"],
                         "unknown": ["HS256", "XX256"]}, "hs256")}, None),
    "PyJWS.get_algorithm_by_name": (
        lambda m, alg_name: norm(m.PyJWS().get_algorithm_by_name(alg_name)),
        {"alg_name": ({"hs256": "HS256", "rs256": "RS256", "none": "none", "unknown": "XX",
                       "lower": "hs256", "int": 5}, "hs256")}, None),
    "PyJWS.unregister_algorithm": (
        lambda m, alg_id: _unregister(m.PyJWS(), alg_id),
        {"alg_id": ({"hs256": "HS256", "none": "none", "unknown": "XX", "int": 5}, "hs256")},
        None),
    "PyJWS(options).decode": (
        lambda m, options: m.PyJWS(options=options).decode(D.G_JWS, G_SECRET,
                                                           algorithms=["HS256"]),
        {"options": ({"none": None, "sig_off": {"verify_signature": False}, "empty": {},
                      "unknown": {"x": 1}}, "none")}, None),
    "PyJWS(options).decode_bad_sig": (
        lambda m, options: m.PyJWS(options=options).decode(
            D.G_JWS[:-4] + "AAAA", G_SECRET, algorithms=["HS256"]),
        {"options": ({"none": None, "sig_off": {"verify_signature": False}}, "none")}, None),
    "unregister_algorithm": (
        lambda m, alg_id: _unregister_module(m, alg_id),
        {"alg_id": ({"hs256": "HS256", "none": "none", "unknown": "XX"}, "none")}, None),
    "get_unverified_header": (lambda m, jwt_: m.get_unverified_header(jwt_),
                              {"jwt": (HEADER_TOKENS, "valid")}, None),
    "PyJWS.get_unverified_header": (lambda m, jwt_: m.PyJWS().get_unverified_header(jwt_),
                                    {"jwt": (HEADER_TOKENS, "valid")}, None),
}


# Names PyJWT lists that cjwt does not implement yet (`es256k` in the docs)
_NOT_BUILT = {"ES256K", "ES521", "Ed448"}


def _algs(names):
    return sorted(set(names) - _NOT_BUILT)


def _unregister(jws, alg_id):
    jws.unregister_algorithm(alg_id)
    return _algs(jws.get_algorithms())


def _unregister_module(m, alg_id):
    """jwt.unregister_algorithm changes the module's global registry: undone here."""
    jws = m.api_jws._jws_global_obj if m is jwt else None
    saved = (dict(jws._algorithms), set(jws._valid_algs)) if jws is not None else None
    try:
        m.unregister_algorithm(alg_id)
        return "ok"
    finally:
        if jws is not None:
            jws._algorithms, jws._valid_algs = saved
        else:
            cjwt._UNREGISTERED.discard(alg_id)
            cjwt._cjwt._set_unregistered(tuple(cjwt._UNREGISTERED))


for _alg_name in PREP_ALGS:
    FUNCTIONS[f"algorithms[{_alg_name}].prepare_key"] = (
        (lambda a: lambda m, key: _prepare(m, a, key))(_alg_name),
        {"key": (PREP_KEYS, BASE_KEY[_alg_name])}, None)
for _alg_name, _pair in PAIRS.items():
    FUNCTIONS[f"algorithms[{_alg_name}].sign_verify"] = (
        (lambda a: lambda m, msg, pair: _sign_verify(m, a, msg, pair))(_alg_name),
        {"msg": (MESSAGES, "bytes"),
         "pair": ({"own": _pair, **{f"with_{k}": (k, k) for k in ("secret_bytes", "rsa_object",
                                                                   "ec256_object", "ed_object")}},
                  "own")}, None)
    FUNCTIONS[f"algorithms[{_alg_name}].verify"] = (
        (lambda a: lambda m, sig: _verify_sig(m, a, sig))(_alg_name),
        {"sig": (SIGNATURES, "empty")}, None)
    FUNCTIONS[f"algorithms[{_alg_name}].cross_verify"] = (
        (lambda a: lambda m, _: _cross_verify(m, a))(_alg_name), {"_": ({"x": 0}, "x")}, None)
    FUNCTIONS[f"algorithms[{_alg_name}].compute_hash_digest"] = (
        (lambda a: lambda m, b: _alg(m, a).compute_hash_digest(b))(_alg_name),
        {"bytestr": (HASH_INPUTS, "bytes")}, None)
for _alg_name in ("HS256", "HS512", "RS256"):
    FUNCTIONS[f"algorithms[{_alg_name}].check_key_length"] = (
        (lambda a: lambda m, key: _check_key_length(m, a, key))(_alg_name),
        {"key": (KEY_LENGTH_KEYS, "secret_64" if _alg_name != "RS256" else "rsa_2048")}, None)
for _cls, _base in TO_JWK_BASE.items():
    FUNCTIONS[f"algorithms.{_cls}.to_jwk"] = (
        (lambda c: lambda m, key_obj, as_dict: _to_jwk(m, c, key_obj, as_dict))(_cls),
        {"key_obj": (TO_JWK_KEYS, _base), "as_dict": ({"true": True, "false": False}, "true")},
        None)
for _cls, _base in FROM_JWK_BASE.items():
    FUNCTIONS[f"algorithms.{_cls}.from_jwk"] = (
        (lambda c: lambda m, jwk_: _from_jwk(m, c, jwk_))(_cls),
        {"jwk": (FROM_JWK, _base)}, None)
for _name, (_table, _base) in UTILS.items():
    FUNCTIONS[f"utils.{_name}"] = (_util(_name), {"arg": (_table, _base)}, None)
FUNCTIONS["utils.der_raw"] = (
    lambda m, which, curve: _der_raw(m, which, curve),
    {"which": ({w: w for w in ("der_to_raw", "raw_to_der_roundtrip", "raw_wrong_length",
                               "bad_der")}, "der_to_raw"),
     "curve": ({"p256": "p256", "p384": "p384", "p521": "p521"}, "p256")}, None)
FUNCTIONS["client.get_signing_key"] = (
    lambda m, kid, served: norm(_client(m, served).get_signing_key(kid)),
    {"kid": ({"a": "a", "b": "b", "unknown": "zz", "none": None, "int": 5}, "a"),
     "served": (SERVED_NAMES, "good")}, None)
FUNCTIONS["client.get_signing_key_from_jwt"] = (
    lambda m, token, served: norm(_client(m, served).get_signing_key_from_jwt(token)),
    {"token": (CLIENT_TOKENS, "kid_a"), "served": (SERVED_NAMES, "good")}, None)
FUNCTIONS["client.get_jwk_set"] = (
    lambda m, served, refresh: norm(_client(m, served).get_jwk_set(refresh=refresh)),
    {"served": (SERVED_NAMES, "good"), "refresh": ({"false": False, "true": True}, "false")},
    None)
FUNCTIONS["client.get_signing_keys"] = (
    lambda m, served: norm(_client(m, served).get_signing_keys()),
    {"served": (SERVED_NAMES, "good")}, None)
FUNCTIONS["client.fetch_data"] = (
    lambda m, served: _client(m, served).fetch_data(), {"served": (SERVED_NAMES, "good")}, None)
FUNCTIONS["client(kwargs).get_signing_key"] = (
    lambda m, kw: norm(_client(m, "good", **kw).get_signing_key("a")),
    {"kw": (CLIENT_KW, "none")}, None)
FUNCTIONS["client.match_kid"] = (
    lambda m, kid: norm(m.PyJWKClient.match_kid(m.PyJWKSet([_K_A, _K_B]).keys, kid)),
    {"kid": ({"a": "a", "unknown": "zz", "none": None}, "a")}, None)


def generated_cases():
    cases = []
    for fn, (call, args, extra) in FUNCTIONS.items():
        if fn == "decode[options]":
            continue            # crossed below
        base = {name: table[default] for name, (table, default) in args.items()
                if name not in D.OMITTED_IN_BASE}
        for name, (table, default) in args.items():
            for label in table:
                if label == default and name != next(iter(args)):
                    continue
                cases.append((f"{fn}/{name}={label}", fn, dict(base, **{name: table[label]})))
        for label, kw in (extra or {}).items():
            cases.append((f"{fn}/kwargs={label}", fn, dict(base, **kw)))
    # decode: every kind of option key crossed with the tokens that exercise it
    for o in OPTIONS_WIDE:
        for t in OPTION_TOKENS:
            cases.append((f"decode[options]/options={o}/jwt={t}", "decode[options]",
                          {"token": OPTION_TOKENS[t], "options": OPTIONS_WIDE[o]}))
    return cases


FUNCTIONS["decode[options]"] = (_decode_opts, {"token": ({}, None), "options": ({}, None)},
                                None)
W_CASES = generated_cases()


PASS_THROUGH = {"PyJWT.decode_complete", "PyJWT.encode", "PyJWK.from_dict", "PyJWK.from_json"}


def run_case(fn, kwargs):
    call, args, _ = FUNCTIONS[fn]
    first = next(iter(args))

    def invoke(m):
        kw = {k: D._arg(v, m) for k, v in kwargs.items()}
        if fn == "decode[options]":
            return call(m, kw["token"], kw["options"])
        if fn in PASS_THROUGH:
            # the library's own function: the first argument by position, the rest by keyword
            return call(m, *([kw.pop(first)] if first in kw else []), **kw)
        # the test's wrappers: every argument by position, in the table's order
        return call(m, *[kw[name] for name in args])
    p = D._g_outcome(fn, lambda: invoke(jwt))
    c = D._g_outcome(fn, lambda: invoke(cjwt))
    return c, p


_GENERATOR = re.compile(r"<generator object .*? at 0x[0-9a-f]+>")


def outcomes_match(c, p):
    """As in the first file; PyJWT's check_crypto_key_type message shows the
    repr of a generator ("Expected one of <generator object ...>, got: ..."):
    cjwt's lists the classes there, the rest of the text must be PyJWT's."""
    if c[0] == p[0] == "error" and "<generator object" in p[2]:
        before, after = _GENERATOR.split(p[2], 1)
        return (c[3] == p[3] and D._same_class(c[1], p[1]) and c[2].startswith(before)
                and c[2].endswith(after))
    return D.outcomes_match(c, p)


# case-id pattern (fnmatch) -> (kind, cjwt's outcome class or "ok", doc name,
# versions), as API_DIFFERENCES of test_pyjwt_differential.py.
# ("[" is special in fnmatch patterns: "*" stands for it below.)
WIDE_DIFFERENCES = {
    "PyJWT.encode/payload=int_key": ("stricter", "TypeError", "payload_json", None),
    "PyJWT.encode/payload=nan": ("stricter", "ValueError", "payload_json", None),
    "PyJWT(options).decode/options=list": ("stricter", "_ArgumentTypeError",
                                           "options_list_constructor", lambda v: v >= (2, 15)),
    "*get_unverified_header/jwt=only_dots": ("message", "DecodeError", "segment_messages", None),
    "algorithms*prepare_key/key=ssh_rsa": ("stricter", "InvalidKeyError", "ssh_public_key", None),
    "decode*options*/options=require_none/jwt=signature_wrong": ("stricter", "_RequireTypeError",
                                                                 "require_string", None),
}


# Version-dependent: PyJWT 2.4 answers otherwise, cjwt as the newest does.
for _pattern, _doc in [
        ("PyJWT.encode/payload=iss_int", "v_claims"),
        ("PyJWK.from_*/obj=rsa_bad", "v_key_errors"),
        ("PyJWK.from_*/algorithm=unknown", "v_messages"),
        ("jwkset.from_json/*", "v_jwks"),
        ("*get_unverified_header/jwt=crit_*", "v_crit"),
        ("algorithms*prepare_key/*", "v_algorithm_keys"),
        ("algorithms*sign_verify/*", "v_algorithm_keys"),
        ("algorithms.HMACAlgorithm.from_jwk/jwk=oct_empty", "v_empty_key"),
        ("client.*/served=*", "v_jwks_client"),
        ("client.*/token=kid_int", "v_kid"),
        ("decode*options*/options=strict_aud/*", "v_strict_aud"),
]:
    WIDE_DIFFERENCES[_pattern] = ("version", None, _doc, D._older)


def _difference(case_id):
    for pattern, entry in list(WIDE_DIFFERENCES.items()):
        if fnmatch.fnmatchcase(case_id, pattern):
            versions = entry[3]
            if versions is None or versions(D.PYJWT_VERSION):
                return pattern, entry
    return D._difference(case_id)


@pytest.mark.parametrize("case_id, fn, kwargs", W_CASES, ids=[c[0] for c in W_CASES])
def test_generated_wide(case_id, fn, kwargs):
    if case_id in HANGS_IN_OLDER and not D.NEWEST:
        pytest.skip(f"PyJWT {jwt.__version__} never returns here: {HANGS_IN_OLDER[case_id]}")
    c, p = run_case(fn, kwargs)
    assert "<lambda>" not in c[2] + p[2], f"the test's own call failed: {c} {p}"
    if outcomes_match(c, p):
        return
    if D._absent_in_pyjwt(p):
        pytest.skip(f"PyJWT {jwt.__version__} has no such function or argument: {p[2]}")
    if D.os.environ.get("CJWT_DIFF_REPORT"):
        print(f"\nDIFF {case_id}\n  cjwt:  {c}\n  pyjwt: {p}")
        return
    pattern, entry = _difference(case_id)
    assert entry is not None, f"cjwt {c} != PyJWT {p}"
    D.check_difference(c, p, entry)


HANGS_IN_OLDER = {"utils.bytes_from_int/arg=negative": "bytes_from_int(-5) loops forever"}


def test_generated_wide_differences_are_all_needed():
    used = set()
    for case_id, fn, kwargs in W_CASES:
        if case_id in HANGS_IN_OLDER and not D.NEWEST:
            continue
        pattern, entry = _difference(case_id)
        if entry is not None and not outcomes_match(*run_case(fn, kwargs)):
            used.add(pattern)
    unused = [p for p, e in WIDE_DIFFERENCES.items() if (e[3] is None or e[3](D.PYJWT_VERSION))
              and p not in used]
    assert unused == [], f"entries that no longer differ: {unused}"


def test_generated_wide_size():
    assert len(W_CASES) > 600


def test_wide_differences_are_documented():
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" /
           "python-differences.md").read_text()
    for case_id, (kind, cls, name, _) in WIDE_DIFFERENCES.items():
        assert f"`{name}`" in doc, (case_id, name)


@pytest.mark.parametrize("lib", [jwt, cjwt], ids=["pyjwt", "cjwt"])
def test_unregister_algorithm_takes_effect(lib):
    """After jwt.unregister_algorithm(name) the module-level functions neither
    sign nor verify that algorithm, in both libraries; registering the same
    class again undoes it. (cjwt refuses custom algorithm objects.)"""
    if lib is jwt and D.PYJWT_VERSION < (2, 15):
        pytest.skip("checked against the newest PyJWT")
    token = lib.encode({"a": 1}, G_SECRET, algorithm="HS384")
    lib.unregister_algorithm("HS384")
    try:
        with pytest.raises(NotImplementedError):
            lib.encode({"a": 1}, G_SECRET, algorithm="HS384")
        with pytest.raises(lib.InvalidAlgorithmError):
            lib.decode(token, G_SECRET, algorithms=["HS384"])
        with pytest.raises(NotImplementedError):
            lib.get_algorithm_by_name("HS384")
        with pytest.raises(KeyError):
            lib.unregister_algorithm("HS384")
        assert lib.decode(lib.encode({"a": 2}, G_SECRET), G_SECRET, algorithms=["HS256"]) == {"a": 2}
    finally:
        lib.register_algorithm("HS384", lib.algorithms.HMACAlgorithm(
            lib.algorithms.HMACAlgorithm.SHA384))
    assert lib.decode(token, G_SECRET, algorithms=["HS384"]) == {"a": 1}
    with pytest.raises(ValueError, match="already has a handler"):
        lib.register_algorithm("HS384", lib.algorithms.HMACAlgorithm(
            lib.algorithms.HMACAlgorithm.SHA384))
    with pytest.raises(TypeError):
        lib.register_algorithm("XX1", object())


def test_register_custom_algorithm_is_not_implemented():
    class Custom(cjwt.algorithms.HMACAlgorithm):
        pass
    with pytest.raises(NotImplementedError):
        cjwt.register_algorithm("XX1", Custom(Custom.SHA256))
    with pytest.raises(NotImplementedError):
        cjwt.PyJWS().register_algorithm("XX1", Custom(Custom.SHA256))


def test_pyjws_registry_is_its_own():
    """PyJWS(algorithms=[...]) verifies only those, as PyJWT's."""
    for lib in (jwt, cjwt):
        jws = lib.PyJWS(algorithms=["HS256"])
        token = lib.PyJWS().encode(b"x", G_SECRET, algorithm="HS512")
        with pytest.raises(lib.InvalidAlgorithmError):
            jws.decode(token, G_SECRET, algorithms=["HS512"])
        with pytest.raises(NotImplementedError):
            jws.encode(b"x", G_SECRET, algorithm="HS512")
