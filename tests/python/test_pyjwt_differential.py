"""Differential tests against PyJWT: one generated matrix of cases runs
through both libraries, and the outcome must be the same (the same claims, or
an exception of the same class name, with cjwt's message starting with
PyJWT's). Where cjwt is stricter on purpose, the case is named in
DELIBERATE_DIFFERENCES with both outcomes asserted, and listed in
docs/python-differences.md.

PyJWT reads the wall clock; it is pinned to NOW here, so nothing depends on
when the test runs."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import warnings

import pytest

jwt = pytest.importorskip("jwt")

import cjwt  # noqa: E402
from conftest import NOW, b64url  # noqa: E402
from keyfix import ALL_ALGS, signing_key, verifying_key  # noqa: E402


class _FrozenDatetime(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return dt.datetime.fromtimestamp(NOW, tz)


@pytest.fixture(autouse=True)
def frozen_pyjwt_clock(monkeypatch, request):
    if "generated" in request.node.name:
        return      # the generated cases do not depend on the clock (and encode datetimes)
    import jwt.api_jwt
    monkeypatch.setattr(jwt.api_jwt, "datetime", _FrozenDatetime)


OTHER_ALG = {"HS256": "HS384", "HS384": "HS512", "HS512": "HS256", "RS256": "RS384",
             "RS384": "RS512", "RS512": "PS256", "PS256": "PS384", "PS384": "PS512",
             "PS512": "RS256", "ES256": "ES384", "ES384": "ES512", "ES512": "ES256",
             "EdDSA": "ES256", "ES256K": "ES256"}

BASE = {"sub": "user-1", "iss": "https://issuer.example", "aud": "api", "iat": NOW - 10,
        "nbf": NOW - 10, "exp": NOW + 600, "jti": "id-1"}


def with_(**changes):
    p = dict(BASE)
    for k, v in changes.items():
        if v is DROP:
            p.pop(k, None)
        else:
            p[k] = v
    return p


DROP = object()
OK_ARGS = {"audience": "api", "issuer": "https://issuer.example"}


def pyjwt_signing_key(alg):
    # A loaded `cryptography` key: loading an RSA PEM re-checks the key (slow).
    from keyfix import crypto_private
    return signing_key(alg) if alg.startswith("HS") else crypto_private(alg)


def flip_sig(token):
    h, p, s = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    raw[0] ^= 0x80
    return f"{h}.{p}.{b64url(bytes(raw))}"


def swap_payload(token):
    h, _, s = token.split(".")
    return f"{h}.{b64url(json.dumps(with_(sub='admin')).encode())}.{s}"


# name -> (payload, decode kwargs, token mutator, key selector)
# key selector: "right" (the verifying key), "wrong" (another pair/secret), "none"
SCENARIOS = {
    "valid": (BASE, OK_ARGS, None, "right"),
    "valid_no_claim_args": (with_(aud=DROP, iss=DROP), {}, None, "right"),
    "valid_aud_in_list": (with_(aud=["x", "api"]), OK_ARGS, None, "right"),
    "valid_audience_iterable": (BASE, dict(OK_ARGS, audience=["other", "api"]), None, "right"),
    "valid_issuer_list": (BASE, dict(OK_ARGS, issuer=["x", "https://issuer.example"]), None, "right"),
    "valid_subject": (BASE, dict(OK_ARGS, subject="user-1"), None, "right"),
    "valid_float_exp": (with_(exp=NOW + 0.5), OK_ARGS, None, "right"),
    "tampered_signature": (BASE, OK_ARGS, flip_sig, "right"),
    "tampered_payload": (BASE, OK_ARGS, swap_payload, "right"),
    "wrong_key": (BASE, OK_ARGS, None, "wrong"),
    "wrong_algorithm": (BASE, dict(OK_ARGS, algorithms="other"), None, "right"),
    "expired": (with_(exp=NOW - 1), OK_ARGS, None, "right"),
    "expired_exactly_now": (with_(exp=NOW), OK_ARGS, None, "right"),
    "expired_leeway_edge_out": (with_(exp=NOW - 10), dict(OK_ARGS, leeway=10), None, "right"),
    "expired_leeway_edge_in": (with_(exp=NOW - 10), dict(OK_ARGS, leeway=11), None, "right"),
    "expired_leeway_timedelta": (with_(exp=NOW - 10),
                                 dict(OK_ARGS, leeway=dt.timedelta(seconds=11)), None, "right"),
    "expired_verify_exp_off": (with_(exp=NOW - 1), dict(OK_ARGS, options={"verify_exp": False}),
                               None, "right"),
    "not_yet_valid": (with_(nbf=NOW + 60), OK_ARGS, None, "right"),
    "nbf_leeway_edge_in": (with_(nbf=NOW + 10), dict(OK_ARGS, leeway=10), None, "right"),
    "nbf_leeway_edge_out": (with_(nbf=NOW + 10), dict(OK_ARGS, leeway=9.5), None, "right"),
    "nbf_verify_off": (with_(nbf=NOW + 60), dict(OK_ARGS, options={"verify_nbf": False}),
                       None, "right"),
    "iat_in_future": (with_(iat=NOW + 60), OK_ARGS, None, "right"),
    "iat_in_future_verify_off": (with_(iat=NOW + 60), dict(OK_ARGS, options={"verify_iat": False}),
                                 None, "right"),
    "iat_not_a_number": (with_(iat="soon"), OK_ARGS, None, "right"),
    "wrong_audience": (BASE, dict(OK_ARGS, audience="billing"), None, "right"),
    "audience_not_expected": (BASE, {"issuer": OK_ARGS["issuer"]}, None, "right"),
    "audience_missing": (with_(aud=DROP), OK_ARGS, None, "right"),
    "audience_bad_type": (with_(aud=5), OK_ARGS, None, "right"),
    "audience_verify_off": (BASE, dict(OK_ARGS, audience="billing", options={"verify_aud": False}),
                            None, "right"),
    "strict_aud_ok": (BASE, dict(OK_ARGS, options={"strict_aud": True}), None, "right"),
    "strict_aud_list_in_token": (with_(aud=["api"]), dict(OK_ARGS, options={"strict_aud": True}),
                                 None, "right"),
    "strict_aud_mismatch": (BASE, dict(OK_ARGS, audience="API", options={"strict_aud": True}),
                            None, "right"),
    "wrong_issuer": (BASE, dict(OK_ARGS, issuer="https://evil.example"), None, "right"),
    "issuer_missing": (with_(iss=DROP), OK_ARGS, None, "right"),
    "issuer_verify_off": (BASE, dict(OK_ARGS, issuer="x", options={"verify_iss": False}), None, "right"),
    "wrong_subject": (BASE, dict(OK_ARGS, subject="user-2"), None, "right"),
    "subject_not_string": (with_(sub=5), OK_ARGS, None, "right"),
    "subject_verify_off": (with_(sub=5), dict(OK_ARGS, options={"verify_sub": False}), None, "right"),
    "jti_not_string": (with_(jti=5), OK_ARGS, None, "right"),
    "jti_verify_off": (with_(jti=5), dict(OK_ARGS, options={"verify_jti": False}), None, "right"),
    "missing_required_claim": (with_(jti=DROP), dict(OK_ARGS, options={"require": ["jti"]}),
                               None, "right"),
    "required_claims_present": (BASE, dict(OK_ARGS, options={"require": ["exp", "iat", "nbf",
                                                                          "sub", "jti"]}),
                                None, "right"),
    "signature_off_claims_off": (with_(exp=NOW - 1), {"options": {"verify_signature": False}},
                                 None, "none"),
    "signature_off_exp_on": (with_(exp=NOW - 1),
                             {"options": {"verify_signature": False, "verify_exp": True}},
                             None, "none"),
    "algorithms_missing": (BASE, dict(OK_ARGS, algorithms=None), None, "right"),
}


def cases():
    return [pytest.param(alg, name, id=f"{alg}-{name}") for alg in ALL_ALGS for name in SCENARIOS]


def outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("ok", fn(), "")
    except Exception as e:  # noqa: BLE001 - the class is the outcome
        return ("error", type(e).__name__, str(e))


def run_both(token, key_cjwt, key_pyjwt, kwargs):
    c = outcome(lambda: cjwt.decode(token, key_cjwt, now=NOW, **kwargs))
    p = outcome(lambda: jwt.decode(token, key_pyjwt, **kwargs))
    return c, p


# PyJWT's message -> cjwt's, where the wording differs on purpose (listed in
# docs/python-differences.md). None today: cjwt's messages start with PyJWT's.
MESSAGE_DIFFERENCES = {}


def same(c, p):
    assert c[:2] == p[:2], f"cjwt {c} != PyJWT {p}"
    if c[0] == "error":
        want = MESSAGE_DIFFERENCES.get(p[2], p[2])
        assert c[2].startswith(want), f"message: cjwt {c[2]!r}, PyJWT {p[2]!r}"


# Scenarios where an older PyJWT (2.4.0) answers otherwise; cjwt answers as
# the newest does (docs/python-differences.md, "Version-dependent").
MATRIX_OLDER = {
    "expired_exactly_now": "v_exp_boundary", "expired_leeway_edge_out": "v_exp_boundary",
    "valid_float_exp": "v_exp_boundary",
    "iat_in_future": "v_claims", "subject_not_string": "v_claims", "jti_not_string": "v_claims",
    "wrong_subject": "v_claims", "valid_issuer_list": "v_claims",
    "strict_aud_mismatch": "v_messages", "strict_aud_list_in_token": "v_messages",
    "wrong_audience": "v_messages",
}


def _pyjwt_is_older():
    return tuple(int(x) for x in jwt.__version__.split(".")[:2]) < (2, 15)


@pytest.mark.parametrize("alg, scenario", cases())
def test_matrix(alg, scenario):
    payload, kwargs, mutate, which = SCENARIOS[scenario]
    token = jwt.encode(payload, pyjwt_signing_key(alg), algorithm=alg)
    if mutate:
        token = mutate(token)
    kwargs = dict(kwargs)
    algorithms = kwargs.pop("algorithms", [alg])
    if algorithms == "other":
        algorithms = [OTHER_ALG[alg]]
    if algorithms is not None:
        kwargs["algorithms"] = algorithms
    key = {"right": verifying_key(alg), "wrong": verifying_key(alg, n=1), "none": None}[which]
    c, p = run_both(token, key, key, kwargs)
    if scenario in MATRIX_OLDER and _pyjwt_is_older():
        return      # version-dependent, documented; the newest PyJWT agrees with cjwt
    same(c, p)


def test_matrix_size():
    # The number the issue's resolution quotes.
    assert len(cases()) == len(ALL_ALGS) * len(SCENARIOS) == 14 * 45


# ---- deliberate differences ------------------------------------------------
# Each: the case, PyJWT's outcome, cjwt's outcome. docs/python-differences.md
# lists the same names.

def hs256(header, payload_bytes, secret=b"a" * 32):
    si = b64url(json.dumps(header).encode()) + "." + b64url(payload_bytes)
    return si + "." + b64url(hmac.new(secret, si.encode(), hashlib.sha256).digest())


def _padded():
    # Correctly signed over the padded segments, so only the padding differs.
    h = b64url(b'{"alg":"HS256"}') + "=" * (-len(b64url(b'{"alg":"HS256"}')) % 4)
    p = b64url(b'{"sub":"x"}') + "=="
    si = f"{h}.{p}"
    return si + "." + b64url(hmac.new(b"a" * 32, si.encode(), hashlib.sha256).digest())


def _ssh_rsa():
    from cryptography.hazmat.primitives import serialization as ser
    from keyfix import crypto_private
    return crypto_private("RS256").public_key().public_bytes(ser.Encoding.OpenSSH,
                                                              ser.PublicFormat.OpenSSH)


def _der_secret_token():
    from keyfix import public_der
    der = public_der("ES256")
    return hs256({"alg": "HS256"}, b'{"a":1}', secret=der), der


def _small_rsa():
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import rsa
    k = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return (k.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
            k.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo))


def _dd_short_secret():
    token = jwt.encode({"a": 1}, b"short", algorithm="HS256")
    return token, b"short", {}


def _dd_string_exp():
    return hs256({"alg": "HS256"}, json.dumps({"exp": str(NOW + 600)}).encode()), b"a" * 32, {}


def _dd_missing_sub():
    return jwt.encode({"a": 1}, b"a" * 32, algorithm="HS256"), b"a" * 32, {"subject": "user-1"}


def _dd_big_int():
    return hs256({"alg": "HS256"}, b'{"n":1180591620717411303424}'), b"a" * 32, {}


def _dd_nul():
    return hs256({"alg": "HS256"}, b'{"s":"a\\u0000b"}'), b"a" * 32, {}


def _dd_duplicate():
    return hs256({"alg": "HS256"}, b'{"sub":"a","sub":"b"}'), b"a" * 32, {}


def _dd_der_secret():
    token, der = _der_secret_token()
    return token, der, {}


def _dd_ssh_key():
    return (jwt.encode({"a": 1}, signing_key("RS256"), algorithm="RS256"), _ssh_rsa(),
            {"algorithms": ["RS256"]})


def _dd_small_rsa():
    priv, pub = _small_rsa()
    return jwt.encode({"a": 1}, priv, algorithm="RS256"), pub, {"algorithms": ["RS256"]}


# name -> (builder, PyJWT outcome, cjwt outcome (class name, .code))
DELIBERATE_DIFFERENCES = {
    "short_hmac_secret": (_dd_short_secret, ("ok", {"a": 1}), ("InvalidKeyError", "invalid_key")),
    "numeric_date_as_string": (_dd_string_exp, ("ok", {"exp": str(NOW + 600)}),
                               ("DecodeError", "malformed")),
    "missing_sub_with_subject": (_dd_missing_sub, ("ok", {"a": 1}),
                                 ("MissingRequiredClaimError", "missing_claim")),
    "integer_beyond_int64": (_dd_big_int, ("ok", {"n": 2**70}), ("DecodeError", "malformed")),
    "nul_in_string": (_dd_nul, ("ok", {"s": "a\x00b"}), ("DecodeError", "malformed")),
    "duplicate_member_names": (_dd_duplicate, ("ok", {"sub": "b"}), ("DecodeError", "malformed")),
    "ssh_public_key": (_dd_ssh_key, ("ok", {"a": 1}), ("InvalidKeyError", "invalid_key")),
    "rsa_under_2048_bits": (_dd_small_rsa, ("ok", {"a": 1}), ("InvalidKeyError", "invalid_key")),
}


@pytest.mark.parametrize("name", sorted(DELIBERATE_DIFFERENCES))
def test_deliberate_difference(name):
    build, pyjwt_expected, cjwt_expected = DELIBERATE_DIFFERENCES[name]
    token, key, kwargs = build()
    kwargs.setdefault("algorithms", ["HS256"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert jwt.decode(token, key, **kwargs) == pyjwt_expected[1]
    with pytest.raises(cjwt.PyJWTError) as info:
        cjwt.decode(token, key, now=NOW, **kwargs)
    assert (type(info.value).__name__, info.value.code) == cjwt_expected


def test_alg_none_by_name():
    """`alg_none_by_name`: neither returns the claims of an unsecured token with
    algorithms=["none"]; cjwt refuses it as an algorithm it never accepts."""
    token = jwt.encode({"a": 1}, None, algorithm="none")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, None, algorithms=["none"])
    for key in (None, b"a" * 32):
        with pytest.raises(cjwt.InvalidAlgorithmError) as info:
            cjwt.decode(token, key, algorithms=["none"], now=NOW)
        assert info.value.code == "alg_not_allowed"
    # read by name only, unverified
    assert cjwt.decode_unsecured(token, now=NOW) == {"a": 1}
    # with the signature check off nothing is verified, in both
    opts = {"verify_signature": False}
    assert cjwt.decode(token, options=opts) == jwt.decode(token, options=opts) == {"a": 1}


def _signed(head_seg, payload_seg):
    si = f"{head_seg}.{payload_seg}"
    return si + "." + b64url(hmac.new(b"a" * 32, si.encode(), hashlib.sha256).digest())


# Strictness that PyJWT 2.15 shares (older PyJWT accepted these): same class.
_HEAD = b64url(b'{"alg":"HS256"}')
STRICT_BASE64URL = {
    "padding": _padded(),
    "non_zero_trailing_bits": _signed(_HEAD, b64url(b'{"sub":"x"}')[:-1] + "1"),
    "standard_alphabet": _signed(_HEAD, b64url(b'{"s":"~~~~"}').replace("-", "+")),
}


@pytest.mark.parametrize("name", sorted(STRICT_BASE64URL))
def test_strict_base64url_same_in_both(name):
    if _pyjwt_is_older():
        pytest.skip("PyJWT before 2.15 decodes base64url leniently (v_base64)")
    c, p = run_both(STRICT_BASE64URL[name], b"a" * 32, b"a" * 32, {"algorithms": ["HS256"]})
    assert c[:2] == p[:2] == ("error", "DecodeError")


def test_der_key_as_hmac_secret_same_in_both():
    if _pyjwt_is_older():
        pytest.skip("PyJWT 2.4 takes a DER key as an HMAC secret (v_der_secret)")
    # Not a difference: PyJWT refuses a DER public key as an HMAC secret too.
    token, der, kwargs = _dd_der_secret()
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(token, der, algorithms=["HS256"])
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(token, der, algorithms=["HS256"], now=NOW)


def test_differences_are_documented():
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "python-differences.md").read_text()
    for name in list(DELIBERATE_DIFFERENCES) + ["alg_none_by_name"] + sorted(set(MATRIX_OLDER.values())):
        assert f"`{name}`" in doc, name


# =============================================================================
# Generated API differential: every public function and argument of PyJWT 2.x
# =============================================================================
# For each entry point (FUNCTIONS) there is a base call that succeeds; each
# argument is then replaced, one at a time, by every value of its table
# (VALUES: valid, malformed, wrong type, None, bytes vs str, ...), and unknown
# keyword arguments are added. Both libraries get the same call; the outcome
# is compared: the result (normalised, see `_norm`), or the exception class
# name and message (cjwt's message must start with PyJWT's), and the warning
# classes emitted. A case whose outcomes differ must be listed in
# API_DIFFERENCES with its kind ("stricter": cjwt refuses what PyJWT accepts,
# documented in docs/python-differences.md; "version": only some PyJWT
# versions differ) and cjwt's exception class; an entry that no longer
# differs fails too, so the table stays exact. `CJWT_DIFF_REPORT=1` prints
# every difference instead of failing (to write the table).
import os  # noqa: E402
from datetime import timedelta  # noqa: E402

PYJWT_VERSION = tuple(int(x) for x in jwt.__version__.split(".")[:2])

G_SECRET = "s" * 64
G_CLAIMS = {"sub": "user-1", "iss": "https://issuer.example", "aud": "api", "jti": "id-1",
            "iat": NOW - 10, "exp": 4102444800}   # exp in 2100: no clock dependence


def _hs(header, payload, secret=G_SECRET):
    """An HS256 token over arbitrary header/payload (dict, or raw bytes)."""
    def seg(x):
        return b64url(x if isinstance(x, bytes) else json.dumps(x, separators=(",", ":")).encode())
    si = seg(header) + "." + seg(payload)
    key = secret.encode() if isinstance(secret, str) else secret
    return si + "." + b64url(hmac.new(key, si.encode(), hashlib.sha256).digest())


G_TOKEN = _hs({"alg": "HS256", "typ": "JWT"}, G_CLAIMS)
G_JWS = _hs({"alg": "HS256", "typ": "JWT"}, b"raw bytes, not JSON")
# RFC 7797 detached (PyJWT's is_payload_detached=True): "b64": false, listed in crit
_DH = b64url(json.dumps({"alg": "HS256", "b64": False, "crit": ["b64"], "typ": "JWT"},
                        separators=(",", ":")).encode())
G_DETACHED = _DH + ".." + b64url(hmac.new(G_SECRET.encode(), (_DH + ".").encode() + b"raw bytes, not JSON",
                                          hashlib.sha256).digest())
_DH_NO_CRIT = b64url(b'{"alg":"HS256","b64":false}')
JWS_TOKENS = {
    "detached": G_DETACHED,
    "detached_b64_without_crit": _DH_NO_CRIT + ".." + b64url(
        hmac.new(G_SECRET.encode(), (_DH_NO_CRIT + ".").encode() + b"raw bytes, not JSON",
                 hashlib.sha256).digest()),
    "detached_with_payload_segment": _DH + ".cmF3." + G_DETACHED.rsplit(".", 1)[1],
}
DETACHED_PAYLOADS = {"none": None, "bytes": b"raw bytes, not JSON", "other_bytes": b"other",
                     "empty": b""}
_H, _P, _S = G_TOKEN.split(".")


class PerLib:
    """An argument built by each library itself (its own PyJWK, say)."""

    def __init__(self, build, label):
        self.build, self.label = build, label

    def __repr__(self):
        return self.label


def _rsa_public_pem():
    from keyfix import public_pem
    return public_pem("RS256")


def _oct_jwk(secret=G_SECRET, **extra):
    return {"kty": "oct", "k": b64url(secret.encode()), **extra}


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, set):
            return sorted(o)
        if isinstance(o, dt.datetime):
            return o.isoformat()
        return super().default(o)


TOKENS = {
    "valid": G_TOKEN,
    "valid_bytes": G_TOKEN.encode(),
    "none": None,
    "int": 5,
    "list": [G_TOKEN],
    "dict": {},
    "bytearray": bytearray(G_TOKEN.encode()),
    "empty": "",
    "one_segment": "abc",
    "two_segments": "abc.def",
    "four_segments": G_TOKEN + ".abc",
    "leading_space": " " + G_TOKEN,
    "trailing_newline": G_TOKEN + "\n",
    "non_ascii": "\u00e9" + G_TOKEN,
    "header_bad_base64": "!!!." + _P + "." + _S,
    "header_not_json": _hs(b"{x", G_CLAIMS),
    "header_array": _hs([1], G_CLAIMS),
    "header_no_alg": _hs({"typ": "JWT"}, G_CLAIMS),
    "header_alg_unknown": _hs({"alg": "XX256"}, G_CLAIMS),
    "header_alg_lowercase": _hs({"alg": "hs256"}, G_CLAIMS),
    "header_alg_not_string": _hs({"alg": 5}, G_CLAIMS),
    "header_alg_empty": _hs({"alg": ""}, G_CLAIMS),
    "header_kid_int": _hs({"alg": "HS256", "kid": 5}, G_CLAIMS),
    "header_kid_str": _hs({"alg": "HS256", "kid": "k1"}, G_CLAIMS),
    "header_crit_unknown": _hs({"alg": "HS256", "crit": ["exp"], "exp": 1}, G_CLAIMS),
    "header_crit_empty": _hs({"alg": "HS256", "crit": []}, G_CLAIMS),
    "payload_bad_base64": _H + ".!!!." + _S,
    "payload_not_json": _hs({"alg": "HS256"}, b"{x"),
    "payload_array": _hs({"alg": "HS256"}, [1, 2]),
    "payload_string": _hs({"alg": "HS256"}, "text"),
    "payload_empty": _hs({"alg": "HS256"}, b""),
    "signature_bad_base64": _H + "." + _P + ".!!!",
    "signature_wrong": _hs({"alg": "HS256", "typ": "JWT"}, G_CLAIMS, "w" * 64),
    "signature_empty": _H + "." + _P + ".",
    "alg_none": b64url(b'{"alg":"none"}') + "." + _P + ".",
    "expired": _hs({"alg": "HS256"}, dict(G_CLAIMS, exp=NOW - 100)),
    "not_yet_valid": _hs({"alg": "HS256"}, dict(G_CLAIMS, nbf=4102444800)),
    "iat_future": _hs({"alg": "HS256"}, dict(G_CLAIMS, iat=4102444800)),
    "exp_string": _hs({"alg": "HS256"}, dict(G_CLAIMS, exp="soon")),
    "aud_int": _hs({"alg": "HS256"}, dict(G_CLAIMS, aud=5)),
    "aud_list_int": _hs({"alg": "HS256"}, dict(G_CLAIMS, aud=["api", 5])),
    "aud_missing": _hs({"alg": "HS256"}, {k: v for k, v in G_CLAIMS.items() if k != "aud"}),
    "iss_int": _hs({"alg": "HS256"}, dict(G_CLAIMS, iss=5)),
    "sub_int": _hs({"alg": "HS256"}, dict(G_CLAIMS, sub=5)),
    "jti_int": _hs({"alg": "HS256"}, dict(G_CLAIMS, jti=5)),
    "hs512": jwt.encode(G_CLAIMS, G_SECRET, algorithm="HS512"),
}

KEYS = {
    "secret_str": G_SECRET,
    "secret_bytes": G_SECRET.encode(),
    "none": None,
    "empty": "",
    "int": 5,
    "list": [G_SECRET],
    "wrong_secret": "w" * 64,
    "rsa_public_pem": PerLib(lambda m: _rsa_public_pem(), "rsa_public_pem"),
    "pyjwk_oct": PerLib(lambda m: m.PyJWK(_oct_jwk(alg="HS256")), "PyJWK(oct)"),
    "pyjwk_oct_hs512": PerLib(lambda m: m.PyJWK(_oct_jwk(), algorithm="HS512"), "PyJWK(oct,HS512)"),
}

ALGORITHM_LISTS = {
    "hs256": ["HS256"],
    "tuple": ("HS256",),
    "set": {"HS256"},
    "string": "HS256",
    "none": None,
    "empty": [],
    "other": ["HS512"],
    "lowercase": ["hs256"],
    "unknown": ["XX256"],
    "with_none": ["HS256", "none"],
    "only_none": ["none"],
    "int_member": [5],
    "int": 5,
}

OPTIONS = {
    "none": None,
    "empty": {},
    "no_signature": {"verify_signature": False},
    "no_exp": {"verify_exp": False},
    "no_aud": {"verify_aud": False},
    "require_exp": {"require": ["exp"]},
    "require_missing": {"require": ["nbf"]},
    "require_string": {"require": "exp"},
    "strict_aud": {"strict_aud": True},
    "unknown_option": {"verify_everything": True},
    "enforce_min_key": {"enforce_minimum_key_length": True},
    "list": [],
}

AUDIENCES = {
    "match": "api", "bytes": b"api", "list": ["api"], "tuple": ("x", "api"), "set": {"api"},
    "other": "billing", "empty_list": [], "int": 5, "list_int": [5], "empty_str": "",
    "none": None,
}
ISSUERS = {
    "match": "https://issuer.example", "bytes": b"https://issuer.example",
    "list": ["https://issuer.example"], "tuple": ("x", "https://issuer.example"),
    "other": "https://evil.example", "int": 5, "none": None, "empty_list": [],
}
SUBJECTS = {"match": "user-1", "other": "user-2", "bytes": b"user-1", "int": 5, "none": None}
LEEWAYS = {"zero": 0, "int": 10, "float": 1.5, "negative": -1, "string": "10",
           "timedelta": timedelta(seconds=5), "none": None, "nan": float("nan")}
VERIFY = {"true": True, "false": False, "none": None}
EXTRA_KWARGS = {"unknown": {"foo": 1}, "verify_exp_kwarg": {"verify_exp": False},
                "algorithm_singular": {"algorithm": "HS256"}}

PAYLOADS = {
    "dict": {"sub": "u", "n": 1},
    "empty": {},
    "list": [1], "string": "text", "none": None, "bytes": b"{}",
    "datetime_exp": {"exp": dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)},
    "naive_datetime_iat": {"iat": dt.datetime(2020, 1, 1)},
    "iss_int": {"iss": 5},
    "int_key": {1: "a"},
    "set_value": {"a": {1, 2}},
    "bytes_value": {"a": b"x"},
    "nan": {"a": float("nan")},
    "nested": {"a": {"b": [1, {"c": None}]}},
    "unicode": {"s": "h\u00e9llo \U0001f600"},
}
ENC_ALGORITHMS = {
    "hs256": "HS256", "hs512": "HS512", "none_value": None, "none_name": "none",
    "lowercase": "hs256", "unknown": "XX256", "int": 5, "rs256_with_secret": "RS256",
    "es256k": "ES256K", "es521": "ES521",
}
HEADERS = {
    "none": None, "empty": {}, "kid": {"kid": "k1"}, "kid_int": {"kid": 5},
    "alg": {"alg": "HS512"}, "alg_empty": {"alg": ""}, "alg_unknown": {"alg": "XX256"},
    "typ_empty": {"typ": ""}, "typ_none": {"typ": None}, "typ_custom": {"typ": "at+jwt"},
    "list": [("kid", "a")], "cty": {"cty": "x"}, "set_value": {"x": {1}},
}
JSON_ENCODERS = {"none": None, "custom": _Encoder}
SORT_HEADERS = {"true": True, "false": False}
JWKS = {
    "oct": _oct_jwk(), "oct_alg": _oct_jwk(alg="HS512"), "oct_kid_use": _oct_jwk(kid="a", use="sig"),
    "no_kty": {"k": b64url(G_SECRET.encode())}, "unknown_kty": {"kty": "XYZ"},
    "oct_empty_k": {"kty": "oct", "k": ""}, "rsa_bad": {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
    "ec_bad_crv": {"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"},
}
JWK_ALGORITHMS = {"none_value": None, "hs256": "HS256", "hs512": "HS512", "unknown": "unknown",
                  "rs256_for_oct": "RS256", "none_name": "none"}
JWK_SET_KEYS = {
    "one": [_oct_jwk(kid="a", use="sig")],
    "two": [_oct_jwk(kid="a"), _oct_jwk("t" * 64, kid="b", use="sig")],
    "empty": [], "none": None, "dict": {"keys": []}, "not_dicts": [1, "x"],
    "one_bad_one_good": [{"kty": "XYZ"}, _oct_jwk(kid="a")],
    "all_bad": [{"kty": "XYZ"}],
}
B64_INPUTS = {"bytes": b"hi?>", "str": "hi?>", "empty": b"", "none": None, "int": 5,
              "padded": b"aGk=", "unpadded": b"aGk", "bad": b"!!!"}


def _encode_alg_key(m, alg):
    return G_SECRET


# name -> (callable(m, **kwargs), {argument: (VALUES table, base value name)},
#          extra kwargs table or None)
def _jws(m):
    return m.PyJWS()


FUNCTIONS = {
    "decode": (lambda m, *a, **kw: m.decode(*a, **kw),
               {"jwt": (TOKENS, "valid"), "key": (KEYS, "secret_str"),
                "algorithms": (ALGORITHM_LISTS, "hs256"), "options": (OPTIONS, "none"),
                "audience": (AUDIENCES, "match"), "issuer": (ISSUERS, "none"),
                "subject": (SUBJECTS, "none"), "leeway": (LEEWAYS, "zero"),
                "verify": (VERIFY, "none")},
               EXTRA_KWARGS),
    "decode_complete": (lambda m, *a, **kw: m.decode_complete(*a, **kw),
                        {"jwt": (TOKENS, "valid"), "key": (KEYS, "secret_str"),
                         "algorithms": (ALGORITHM_LISTS, "hs256"),
                         "options": (OPTIONS, "none"), "audience": (AUDIENCES, "match"),
                         "issuer": (ISSUERS, "match"), "leeway": (LEEWAYS, "zero")},
                        EXTRA_KWARGS),
    "PyJWT.decode": (lambda m, *a, **kw: m.PyJWT().decode(*a, **kw),
                     {"jwt": (TOKENS, "valid"), "key": (KEYS, "secret_str"),
                      "algorithms": (ALGORITHM_LISTS, "hs256"), "options": (OPTIONS, "none"),
                      "audience": (AUDIENCES, "match")},
                     EXTRA_KWARGS),
    "get_unverified_header": (lambda m, *a, **kw: m.get_unverified_header(*a, **kw),
                              {"jwt": (TOKENS, "valid")}, None),
    "encode": (lambda m, *a, **kw: m.encode(*a, **kw),
               {"payload": (PAYLOADS, "dict"), "key": (KEYS, "secret_str"),
                "algorithm": (ENC_ALGORITHMS, "hs256"), "headers": (HEADERS, "none"),
                "json_encoder": (JSON_ENCODERS, "none"),
                "sort_headers": (SORT_HEADERS, "true")},
               None),
    "PyJWS.encode": (lambda m, *a, **kw: _jws(m).encode(*a, **kw),
                     {"payload": ({"bytes": b"raw", "str": "raw", "none": None}, "bytes"),
                      "key": (KEYS, "secret_str"), "algorithm": (ENC_ALGORITHMS, "hs256"),
                      "headers": (dict(HEADERS, b64_false={"b64": False}, b64_true={"b64": True}),
                                  "none"),
                      "json_encoder": (JSON_ENCODERS, "none"),
                      "is_payload_detached": ({"true": True, "false": False}, "false")},
                     None),
    "PyJWS.decode": (lambda m, *a, **kw: _jws(m).decode(*a, **kw),
                     {"jwt": (dict(TOKENS, valid=G_JWS, **JWS_TOKENS), "valid"),
                      "key": (KEYS, "secret_str"),
                      "algorithms": (ALGORITHM_LISTS, "hs256"), "options": (OPTIONS, "none"),
                      "detached_payload": (DETACHED_PAYLOADS, "none")},
                     EXTRA_KWARGS),
    # the same with a detached token as the base call, so that every other
    # argument is varied around a detached payload too
    "PyJWS.decode/detached": (lambda m, *a, **kw: _jws(m).decode(*a, **kw),
                              {"jwt": (dict(JWS_TOKENS, valid=G_JWS), "detached"),
                               "key": (KEYS, "secret_str"),
                               "algorithms": (ALGORITHM_LISTS, "hs256"),
                               "options": (OPTIONS, "none"),
                               "detached_payload": (DETACHED_PAYLOADS, "bytes")},
                              EXTRA_KWARGS),
    "PyJWS.decode_complete": (lambda m, *a, **kw: _jws(m).decode_complete(*a, **kw),
                              {"jwt": (dict(TOKENS, valid=G_JWS, **JWS_TOKENS), "valid"),
                               "key": (KEYS, "secret_str"),
                               "algorithms": (ALGORITHM_LISTS, "hs256"),
                               "detached_payload": (DETACHED_PAYLOADS, "none")},
                              EXTRA_KWARGS),
    "PyJWS.get_unverified_header": (lambda m, *a, **kw: _jws(m).get_unverified_header(*a, **kw),
                                    {"jwt": (TOKENS, "valid")}, None),
    "PyJWK": (lambda m, *a, **kw: m.PyJWK(*a, **kw),
              {"jwk_data": (JWKS, "oct"), "algorithm": (JWK_ALGORITHMS, "none_value")}, None),
    "PyJWKSet": (lambda m, *a, **kw: m.PyJWKSet(*a, **kw), {"keys": (JWK_SET_KEYS, "one")}, None),
    "PyJWKSet.from_dict": (lambda m, keys: m.PyJWKSet.from_dict({"keys": keys}),
                           {"keys": (JWK_SET_KEYS, "two")}, None),
    "utils.base64url_encode": (lambda m, *a, **kw: m.utils.base64url_encode(*a, **kw),
                               {"input": (B64_INPUTS, "bytes")}, None),
    "utils.base64url_decode": (lambda m, *a, **kw: m.utils.base64url_decode(*a, **kw),
                               {"input": (B64_INPUTS, "unpadded")}, None),
    "algorithms.HMACAlgorithm.from_jwk": (
        lambda m, *a, **kw: m.algorithms.HMACAlgorithm.from_jwk(*a, **kw),
        {"jwk": (dict(JWKS, json_str=json.dumps(_oct_jwk()), not_json="{x"), "oct")}, None),
    "algorithms.HMACAlgorithm.to_jwk": (
        lambda m, *a, **kw: m.algorithms.HMACAlgorithm.to_jwk(*a, **kw),
        {"key_obj": ({"str": G_SECRET, "bytes": G_SECRET.encode()}, "str"),
         "as_dict": ({"true": True, "false": False}, "false")}, None),
    "get_algorithm_by_name": (lambda m, name: type(m.get_algorithm_by_name(name)).__name__,
                              {"alg_name": (dict(ENC_ALGORITHMS, rs256="RS256"), "hs256")},
                              None),
}


def _arg(value, m):
    return value.build(m) if isinstance(value, PerLib) else value


def _norm(fn, result):
    """Results compared across the two libraries: tokens by their decoded
    header and payload (key order and header serialisation may differ), key
    objects by type, dicts with bytes values as they are."""
    if fn in ("encode", "PyJWS.encode") and isinstance(result, str):
        parts = result.split(".")
        seg = [base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in parts]
        body = json.loads(seg[1]) if fn == "encode" else seg[1]
        return ("token", json.loads(seg[0]), body, len(parts), bool(parts[2]))
    if fn.startswith("PyJWKSet"):
        return ("PyJWKSet", [(k.key_id, k.key_type, k.algorithm_name, k.public_key_use)
                             for k in result.keys])
    if fn == "PyJWK":
        return ("PyJWK", result.key_id, result.key_type, result.algorithm_name,
                result.public_key_use)
    return result


def _g_outcome(fn, call):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            result = ("ok", _norm(fn, call()), "")
        except Exception as e:  # noqa: BLE001 - the class is the outcome
            result = ("error", type(e).__name__, str(e))
    cats = sorted({x.category.__name__ for x in w
                   if x.category.__name__ in ("RemovedInPyjwt3Warning", "DeprecationWarning")})
    return result + (tuple(cats),)


# Arguments whose base value is PyJWT's default are left out of the base call
# (as callers leave them out); they are passed only when varied.
OMITTED_IN_BASE = {"options", "issuer", "subject", "leeway", "verify", "headers",
                   "json_encoder", "sort_headers", "as_dict"}


def generated_cases():
    cases = []
    for fn, (call, args, extra) in FUNCTIONS.items():
        base = {name: table[default] for name, (table, default) in args.items()
                if name not in OMITTED_IN_BASE}
        for name, (table, default) in args.items():
            for label in table:
                if label == default and name != next(iter(args)):
                    continue     # the base call once, under the first argument
                cases.append((f"{fn}/{name}={label}", fn, dict(base, **{name: table[label]})))
        for label, kw in (extra or {}).items():
            cases.append((f"{fn}/kwargs={label}", fn, dict(base, **kw)))
    return cases


G_CASES = generated_cases()


def run_case(fn, kwargs):
    """The first argument by position (as code passes a token or payload), the
    others by keyword."""
    call, args, _ = FUNCTIONS[fn]
    first = next(iter(args))

    def invoke(m):
        kw = {k: _arg(v, m) for k, v in kwargs.items()}
        return call(m, *([kw.pop(first)] if first in kw else []), **kw)
    p = _g_outcome(fn, lambda: invoke(jwt))
    c = _g_outcome(fn, lambda: invoke(cjwt))
    return c, p


def _cjwt_class(name):
    """A class cjwt raises, by name: public (cjwt.X), private (cjwt.exceptions._X,
    which derive from a cjwt class and PyJWT's), or a builtin."""
    import builtins
    import json
    for ns in (cjwt, cjwt.exceptions, cjwt.jwks_client, json, builtins):
        cls = getattr(ns, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            return cls
    return None


def _same_class(c_name, p_name):
    """The same class, or cjwt's is a subclass of the class with PyJWT's name
    (cjwt's, or the builtin: DecodeError where PyJWT says InvalidTokenError,
    _KeyTypeError where it says TypeError: still caught by the same `except`)."""
    if c_name == p_name:
        return True
    c_cls, p_cls = _cjwt_class(c_name), _cjwt_class(p_name)
    return c_cls is not None and p_cls is not None and issubclass(c_cls, p_cls)


# Exceptions whose text is Python's own or `cryptography`'s (argument misuse:
# "'list' object has no attribute 'get'", "Unable to load PEM file. See
# https://..."), not PyJWT's: only the class is compared.
_BUILTIN_TEXT = ("TypeError", "AttributeError", "ValueError")


def _wanted_message(p_msg):
    for prefix in JSON_DETAIL_PREFIXES:
        if p_msg.startswith(prefix) and p_msg != prefix + "must be a json object":
            return prefix
    return API_MESSAGE_DIFFERENCES.get(p_msg, p_msg)


def outcomes_match(c, p):
    if c[0] != p[0] or c[3] != p[3]:
        return False
    if c[0] == "ok":
        return c[1] == p[1]
    if not _same_class(c[1], p[1]):
        return False
    if p[1] in _BUILTIN_TEXT:
        return True     # argument misuse: PyJWT's text is Python's own; cjwt names the argument
    return c[2].startswith(_wanted_message(p[2]))


# PyJWT appends another library's text (json's, cryptography's); cjwt the core's.
JSON_DETAIL_PREFIXES = ("Invalid header string: ", "Invalid payload string: ",
                        "Unable to construct key from JWK: ")

# PyJWT's message -> the start of cjwt's, where the wording differs for a
# reason given in docs/python-differences.md.
API_MESSAGE_DIFFERENCES = {
    # PyJWT's hint is about its optional dependency; cjwt has none
    "The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?":
        "The JWK Set did not contain any usable keys",
}

# case-id pattern (fnmatch) -> (kind, cjwt's outcome class or "ok", doc name,
# versions). Kinds, each asserted below:
#   stricter         cjwt refuses (PyJWT may accept)
#   class            both refuse, with another class (argument misuse, no key)
#   message          both refuse with the same class; cjwt's message says more
#   not_implemented  cjwt raises NotImplementedError (PyJWT's ES521 alias)
#   safer_output     both succeed; cjwt's token is well-formed where PyJWT's is not
# `versions`: None (every PyJWT version), or a predicate on PyJWT's (major,
# minor): the entry applies only to those versions (a version-dependent
# difference). docs/python-differences.md names each `doc name`.
API_DIFFERENCES = {
    "*encode/key=pyjwk_oct_hs512": ("stricter", "_KeyAlgorithmError", "bound_key_other_alg",
                                    lambda v: v >= (2, 15)),    # 2.4: v_pyjwk_key
    "*/options=require_string": ("stricter", "_RequireTypeError", "require_string", None),
    "*/headers=alg_empty": ("stricter", "NotImplementedError", "header_alg_empty", None),
    "*/algorithm=es521": ("not_implemented", "NotImplementedError", "es521", None),
    "*/alg_name=es521": ("not_implemented", "NotImplementedError", "es521", None),
    "encode/payload=int_key": ("stricter", "TypeError", "payload_json", None),
    "encode/payload=nan": ("stricter", "ValueError", "payload_json", None),
}


def _older(v):
    """Seen with PyJWT 2.4.0, not with the newest (2.15): cjwt behaves as the newest."""
    return v < (2, 15)


# Version-dependent: an older PyJWT behaves otherwise, and cjwt follows the
# newest. Looked up before API_DIFFERENCES when the running PyJWT is older.
VERSION_DIFFERENCES = {}
for _pattern, _doc in [
        ("*/key=pyjwk_oct", "v_pyjwk_key"),                 # 2.4: no PyJWK as a key
        ("*/key=pyjwk_oct_hs512", "v_pyjwk_key"),
        ("*/key=empty", "v_empty_key"),                      # 2.4: empty HMAC key verifies
        ("*/jwt=signature_bad_base64", "v_base64"),          # 2.4: lenient base64
        ("*/jwt=payload_bad_base64", "v_base64"),
        ("*/jwt=header_bad_base64", "v_base64"),
        ("*/jwt=leading_space", "v_base64"),
        ("*/jwt=non_ascii", "v_base64"),
        ("*/jwt=header_crit_unknown", "v_crit"),             # 2.4: crit ignored
        ("*/jwt=header_crit_empty", "v_crit"),
        ("*/jwt=header_kid_int", "v_kid"),                   # 2.4: kid type unchecked
        ("*/jwt=header_no_alg", "v_messages"),
        ("*/kwargs=*", "v_kwargs"),                          # 2.4: no RemovedInPyjwt3Warning
        ("*/jwt=sub_int", "v_claims"), ("*/jwt=jti_int", "v_claims"),   # 2.4: no sub/jti checks
        ("*/jwt=iat_future", "v_claims"),                    # 2.4: iat in the future accepted
        ("*/subject=*", "v_claims"),                         # 2.4: no subject=
        ("*/issuer=*", "v_claims"),                          # 2.4: issuer must be one str
        ("*/audience=*", "v_messages"),                      # 2.4: "Invalid audience"
        ("encode/payload=iss_int", "v_claims"),              # 2.4: iss type unchecked
        ("PyJWKSet*/keys=*", "v_jwks"),
        ("algorithms.HMACAlgorithm.from_jwk/jwk=oct_empty_k", "v_empty_key"),
        ("*/options=list", "v_options_list"),                # 2.4: options=[] is "no options"
        ("*/algorithm=rs256_with_secret", "v_key_errors"),   # 2.4: cryptography's ValueError
        ("PyJWK/jwk_data=rsa_bad", "v_key_errors"),
        ("PyJWK/algorithm=unknown", "v_messages"),
        # 2.4: detached payloads without crit, no payload/detached_payload checks
        ("PyJWS.encode/headers=b64_false", "v_detached"),
        ("PyJWS.encode/is_payload_detached=*", "v_detached"),
        ("PyJWS.decode*/jwt=detached_*", "v_detached"),
        ("PyJWS.decode*/detached_payload=*", "v_detached"),
        ("PyJWS.decode/detached/*", "v_detached"),           # 2.4: "Unable to find a algorithm"
]:
    VERSION_DIFFERENCES[_pattern] = ("version", None, _doc, _older)


def _difference(case_id):
    import fnmatch
    for pattern, entry in list(VERSION_DIFFERENCES.items()) + list(API_DIFFERENCES.items()):
        if fnmatch.fnmatchcase(case_id, pattern):
            versions = entry[3]
            if versions is None or versions(PYJWT_VERSION):
                return pattern, entry
    return None, None


def check_difference(c, p, entry):
    kind, cls, _, _ = entry
    if kind == "stricter":
        assert c[0] == "error" and c[1] == cls, (c, p)
    elif kind == "class":
        assert c[0] == p[0] == "error" and c[1] == cls and not _same_class(c[1], p[1]), (c, p)
    elif kind == "message":
        assert c[0] == p[0] == "error" and c[1] == cls and _same_class(c[1], p[1]), (c, p)
    elif kind == "not_implemented":
        assert c[0] == "error" and c[1] == "NotImplementedError", (c, p)
    elif kind == "safer_output":
        assert c[0] == p[0] == "ok", (c, p)
    elif kind == "version":
        assert entry[3] is not None and NEWEST is False, "version entries are for older PyJWT"
    else:
        raise AssertionError(f"unknown kind {kind}")


NEWEST = PYJWT_VERSION >= (2, 15)


def _absent_in_pyjwt(p):
    """An older PyJWT that lacks the function or argument (it came later)."""
    return (not NEWEST and p[0] == "error" and
            ((p[1] == "TypeError" and "unexpected keyword argument" in p[2]) or
             (p[1] == "AttributeError" and "has no attribute" in p[2])))


@pytest.mark.parametrize("case_id, fn, kwargs", G_CASES, ids=[c[0] for c in G_CASES])
def test_generated_api(case_id, fn, kwargs):
    c, p = run_case(fn, kwargs)
    if outcomes_match(c, p):
        return
    if _absent_in_pyjwt(p):
        pytest.skip(f"PyJWT {jwt.__version__} has no such function or argument: {p[2]}")
    if os.environ.get("CJWT_DIFF_REPORT"):
        print(f"\nDIFF {case_id}\n  cjwt:  {c}\n  pyjwt: {p}")
        return
    pattern, entry = _difference(case_id)
    assert entry is not None, f"cjwt {c} != PyJWT {p}"
    check_difference(c, p, entry)


def test_generated_api_differences_are_all_needed():
    # every entry that applies to this PyJWT version still matches a case that differs
    used = set()
    for case_id, fn, kwargs in G_CASES:
        pattern, entry = _difference(case_id)
        if entry is not None and not outcomes_match(*run_case(fn, kwargs)):
            used.add(pattern)
    entries = dict(API_DIFFERENCES, **VERSION_DIFFERENCES)
    unused = [p for p, e in entries.items() if (e[3] is None or e[3](PYJWT_VERSION))
              and p not in used]
    assert unused == [], f"entries that no longer differ: {unused}"


def test_generated_api_size():
    assert len(G_CASES) > 250


def test_api_differences_are_documented():
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "python-differences.md").read_text()
    for case_id, (kind, cls, name, _) in dict(API_DIFFERENCES, **VERSION_DIFFERENCES).items():
        assert kind in ("stricter", "class", "message", "not_implemented", "safer_output",
                        "version"), case_id
        assert f"`{name}`" in doc, (case_id, name)


# ---- jwt.algorithms: from_jwk / to_jwk of every key family, both libraries --
# (kind of key x private/public x both directions), compared on the JWK dicts
# and on the `cryptography` objects' numbers.
ALG_CLASSES = {"RS256": "RSAAlgorithm", "PS256": "RSAPSSAlgorithm", "ES256": "ECAlgorithm",
               "ES384": "ECAlgorithm", "ES512": "ECAlgorithm", "EdDSA": "OKPAlgorithm"}


def _numbers(key):
    from cryptography.hazmat.primitives import serialization as ser
    pub = key.public_key() if hasattr(key, "private_bytes") else key
    return (type(key).__mro__[1].__name__ if "_" in type(key).__name__ else type(key).__name__,
            pub.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo),
            hasattr(key, "private_bytes"))


@pytest.mark.parametrize("alg", sorted(ALG_CLASSES))
@pytest.mark.parametrize("private", [True, False], ids=["private", "public"])
def test_algorithms_jwk_round_trip_as_pyjwt(alg, private):
    from keyfix import crypto_private
    key = crypto_private(alg)
    if not private:
        key = key.public_key()
    name = ALG_CLASSES[alg]
    ours, theirs = getattr(cjwt.algorithms, name), getattr(jwt.algorithms, name)
    try:
        jwk_dict = json.loads(theirs.to_jwk(key))     # PyJWT 2.4 has no as_dict=
    except NotImplementedError:
        pytest.skip(f"PyJWT {jwt.__version__} has no {name}.to_jwk")
    if not _pyjwt_is_older():
        assert theirs.to_jwk(key, as_dict=True) == jwk_dict
    if _pyjwt_is_older() and "key_ops" not in jwk_dict:
        jwk_dict = dict(jwk_dict, **{k: v for k, v in ours.to_jwk(key, as_dict=True).items()
                                     if k == "key_ops"})   # 2.4 wrote no key_ops (v_jwk_key_ops)
    assert ours.to_jwk(key, as_dict=True) == jwk_dict
    assert json.loads(ours.to_jwk(key)) == jwk_dict           # as_dict=False: JSON text
    for source in (jwk_dict, json.dumps(jwk_dict)):
        got, want = ours.from_jwk(source), theirs.from_jwk(source)
        assert _numbers(got)[1:] == _numbers(want)[1:]
        assert isinstance(got, type(want).__mro__[1]) or type(got) is type(want)


@pytest.mark.parametrize("name, jwk, message", [
    ("RSAAlgorithm", {"kty": "EC"}, "Not an RSA key"),
    ("ECAlgorithm", {"kty": "RSA"}, "Not an Elliptic curve key"),
    ("OKPAlgorithm", {"kty": "oct"}, "Not an Octet Key Pair"),
    ("HMACAlgorithm", {"kty": "RSA"}, "Not an HMAC key"),
    ("RSAAlgorithm", "{not json", "Key is not valid JSON"),
    ("ECAlgorithm", 5, "Key is not valid JSON"),
])
def test_algorithms_from_jwk_errors_as_pyjwt(name, jwk, message):
    for lib in (jwt, cjwt):
        with pytest.raises(lib.InvalidKeyError, match=message):
            getattr(lib.algorithms, name).from_jwk(jwk)


@pytest.mark.parametrize("alg", ["HS256", "HS512"] + sorted(ALG_CLASSES))
def test_algorithm_objects_sign_and_verify_across(alg):
    """A signature made by one library's algorithm object verifies with the
    other's (and a token signed by cjwt's core verifies with jwt.algorithms)."""
    from keyfix import crypto_private
    ours = cjwt.get_algorithm_by_name(alg)
    theirs = jwt.algorithms.get_default_algorithms()[alg]      # in PyJWT 2.4 too
    if alg.startswith("HS"):
        sk = pk = ours.prepare_key(G_SECRET)
    else:
        sk = ours.prepare_key(crypto_private(alg))
        pk = ours.prepare_key(crypto_private(alg).public_key())
    msg = b"signing input"
    assert theirs.verify(msg, pk, ours.sign(msg, sk))
    assert ours.verify(msg, pk, theirs.sign(msg, sk))
    assert not ours.verify(msg + b"x", pk, theirs.sign(msg, sk))
    assert cjwt.algorithms.has_crypto is True
    assert set(cjwt.algorithms.get_default_algorithms()) <= set(jwt.algorithms.get_default_algorithms())
