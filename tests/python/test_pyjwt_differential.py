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
def frozen_pyjwt_clock(monkeypatch):
    import jwt.api_jwt
    monkeypatch.setattr(jwt.api_jwt, "datetime", _FrozenDatetime)


OTHER_ALG = {"HS256": "HS384", "HS384": "HS512", "HS512": "HS256", "RS256": "RS384",
             "RS384": "RS512", "RS512": "PS256", "PS256": "PS384", "PS384": "PS512",
             "PS512": "RS256", "ES256": "ES384", "ES384": "ES512", "ES512": "ES256",
             "EdDSA": "ES256"}

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
# docs/python-differences.md): cjwt accepts any JSON number for iat, as PyJWT
# does, and says so.
MESSAGE_DIFFERENCES = {
    "Issued At claim (iat) must be an integer.": "Issued At claim (iat) must be a number",
}


def same(c, p):
    assert c[:2] == p[:2], f"cjwt {c} != PyJWT {p}"
    if c[0] == "error":
        want = MESSAGE_DIFFERENCES.get(p[2], p[2])
        assert c[2].startswith(want), f"message: cjwt {c[2]!r}, PyJWT {p[2]!r}"


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
    same(c, p)


def test_matrix_size():
    # The number the issue's resolution quotes.
    assert len(cases()) == len(ALL_ALGS) * len(SCENARIOS) == 13 * 45


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
    c, p = run_both(STRICT_BASE64URL[name], b"a" * 32, b"a" * 32, {"algorithms": ["HS256"]})
    assert c[:2] == p[:2] == ("error", "DecodeError")


def test_der_key_as_hmac_secret_same_in_both():
    # Not a difference: PyJWT refuses a DER public key as an HMAC secret too.
    token, der, kwargs = _dd_der_secret()
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(token, der, algorithms=["HS256"])
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(token, der, algorithms=["HS256"], now=NOW)


def test_differences_are_documented():
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "python-differences.md").read_text()
    for name in DELIBERATE_DIFFERENCES:
        assert f"`{name}`" in doc, name
