"""encode(): expires_in, datetime claims, headers / kid, payload conversion."""
from datetime import datetime, timedelta, timezone

import pytest

import cjwt
from conftest import NOW, SECRET

HS = ["HS256"]


def claims(token):
    return cjwt.decode(token, SECRET, algorithms=HS, now=NOW)


@pytest.mark.parametrize("expires_in, seconds", [
    (900, 900), ("900", 900), ("30s", 30), ("15m", 900), ("1h", 3600), ("7d", 604800),
    ("2w", 1209600), (timedelta(minutes=5), 300),
])
def test_expires_in(expires_in, seconds):
    token = cjwt.encode({"sub": "a"}, SECRET, expires_in=expires_in, now=NOW)
    assert claims(token) == {"sub": "a", "iat": NOW, "exp": NOW + seconds}


@pytest.mark.parametrize("bad", ["", "15x", "m", "-5m", "1.5h", " 1h"])
def test_expires_in_bad_duration(bad):
    with pytest.raises(ValueError):
        cjwt.encode({}, SECRET, expires_in=bad, now=NOW)


@pytest.mark.parametrize("bad", [0, -1])
def test_expires_in_not_positive(bad):
    # The core refuses a non-positive lifetime; which error it uses is the core's call.
    with pytest.raises((ValueError, cjwt.PyJWTError)):
        cjwt.encode({}, SECRET, expires_in=bad, now=NOW)


def test_expires_in_wrong_type():
    with pytest.raises(TypeError):
        cjwt.encode({}, SECRET, expires_in=1.5, now=NOW)
    with pytest.raises(TypeError):
        cjwt.encode({}, SECRET, expires_in=[1], now=NOW)


def test_expires_in_with_clock():
    token = cjwt.encode({}, SECRET, expires_in=60)
    got = cjwt.decode(token, SECRET, algorithms=HS, now=NOW, options={"verify_exp": False,
                                                                      "verify_iat": False})
    assert got["exp"] - got["iat"] == 60


def test_datetime_claims():
    exp = datetime.fromtimestamp(NOW + 60, timezone.utc)
    iat = datetime.fromtimestamp(NOW, timezone.utc).replace(tzinfo=None)  # naive = UTC
    nbf = datetime.fromtimestamp(NOW - 1.7, timezone.utc)                 # fractions dropped
    payload = {"exp": exp, "iat": iat, "nbf": nbf, "x": 1}
    token = cjwt.encode(payload, SECRET)
    assert claims(token) == {"exp": NOW + 60, "iat": NOW, "nbf": NOW - 2, "x": 1}
    assert isinstance(payload["exp"], datetime)  # the caller's dict is not modified


def test_datetime_elsewhere_is_not_serializable():
    with pytest.raises(TypeError, match="not JSON serializable"):
        cjwt.encode({"when": datetime.now()}, SECRET)


def test_headers_kid_and_typ():
    token = cjwt.encode({"a": 1}, SECRET, headers={"kid": "key-1", "cty": "x"})
    assert cjwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT", "kid": "key-1",
                                                 "cty": "x"}
    token = cjwt.encode({"a": 1}, SECRET, headers={"typ": "at+jwt"})
    assert cjwt.get_unverified_header(token)["typ"] == "at+jwt"
    token = cjwt.encode({"a": 1}, SECRET, headers={"typ": None})
    assert cjwt.get_unverified_header(token) == {"alg": "HS256"}


def test_header_alg_wins_over_algorithm():
    # PyJWT's rule: a truthy headers["alg"] selects the algorithm.
    token = cjwt.encode({"a": 1}, SECRET, algorithm="HS384", headers={"alg": "HS256"})
    assert cjwt.get_unverified_header(token)["alg"] == "HS256"
    assert cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW) == {"a": 1}
    token = cjwt.encode({"a": 1}, SECRET * 2, headers={"alg": "HS512"})
    assert cjwt.get_unverified_header(token)["alg"] == "HS512"



@pytest.mark.parametrize("alg", ["", None])
def test_header_alg_empty_refused(alg):
    # PyJWT signs with `algorithm` and writes the empty alg over it (a token
    # no verifier reads); cjwt refuses it as a name it cannot sign with.
    with pytest.raises(NotImplementedError, match="Algorithm not supported") as info:
        cjwt.encode({"a": 1}, SECRET, algorithm="HS256", headers={"alg": alg})
    assert info.value.code == "unsupported_alg"
    with pytest.raises(NotImplementedError):
        cjwt.PyJWS().encode(b"x", SECRET, algorithm="HS256", headers={"alg": alg})


def test_key_kid_from_jwk():
    from conftest import b64url
    jwk = {"kty": "oct", "k": b64url(SECRET.encode()), "kid": "k7", "alg": "HS256"}
    key = cjwt.Key.from_jwk(jwk)
    token = cjwt.encode({"a": 1}, key, headers={"kid": key.kid})
    assert cjwt.get_unverified_header(token)["kid"] == "k7"
    assert cjwt.decode(token, jwk, algorithms=HS, now=NOW) == {"a": 1}


def test_big_int_refused_clearly():
    with pytest.raises(ValueError, match="64-bit"):
        cjwt.encode({"n": 2**63}, SECRET)
    with pytest.raises(ValueError, match="64-bit"):
        cjwt.encode({"n": [-(2**63) - 1]}, SECRET)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_float_refused(bad):
    with pytest.raises(ValueError):
        cjwt.encode({"x": bad}, SECRET)


@pytest.mark.parametrize("bad", [{1: "a"}, {"a": {(1, 2): 1}}, {"a": {None: 1}}])
def test_non_str_keys_refused(bad):
    with pytest.raises(TypeError):
        cjwt.encode(bad, SECRET)


@pytest.mark.parametrize("bad", [{"s": {1, 2}}, {"b": b"bytes"}, {"o": object()}, {"c": 1j}])
def test_unserializable_values(bad):
    with pytest.raises(TypeError, match="not JSON serializable"):
        cjwt.encode(bad, SECRET)


def test_nul_and_surrogates_refused():
    with pytest.raises(ValueError):
        cjwt.encode({"s": "a\x00b"}, SECRET)
    with pytest.raises(ValueError):
        cjwt.encode({"a\x00": 1}, SECRET)
    with pytest.raises(UnicodeEncodeError):
        cjwt.encode({"s": "\ud800"}, SECRET)


def test_cyclic_payload_raises_recursion_error():
    loop = []
    loop.append(loop)
    with pytest.raises(RecursionError):
        cjwt.encode({"l": loop}, SECRET)


def test_algorithm_none_needs_no_key():
    token = cjwt.encode({"a": 1}, None, algorithm=None)
    assert token.endswith(".")
    assert cjwt.get_unverified_header(token)["alg"] == "none"
    # decode never returns an unsecured token's claims; decode_unsecured reads them by name
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.decode(token, None, algorithms=["none"], now=NOW)
    assert cjwt.decode_unsecured(token, now=NOW) == {"a": 1}
