"""Every error name that applies to HMAC tokens: the exception class, `.code`
and, for missing_claim, `.claim`. Each row asserts the specific error."""
import pytest

import cjwt
from conftest import NOW, SECRET, b64url, make_token, segment

HS = ["HS256"]
GOOD_HEADER = {"alg": "HS256", "typ": "JWT"}


def raises(exc_class, code, fn, *args, **kwargs):
    with pytest.raises(exc_class) as info:
        fn(*args, **kwargs)
    assert type(info.value) is exc_class, (type(info.value), info.value)
    assert info.value.code == code, (info.value.code, str(info.value))
    assert str(info.value)  # the core's message is carried
    return info.value


def verify(token, key=SECRET, **kw):
    kw.setdefault("algorithms", HS)
    kw.setdefault("now", NOW)
    return cjwt.decode(token, key, **kw)


# --- malformed -----------------------------------------------------------
MALFORMED = {
    "empty": "",
    "one_segment": "abc",
    "two_segments": "abc.def",
    "four_segments": "a.b.c.d",
    "bad_base64": "eyJhbGciOiJIUzI1NiJ9.e30.$$$",
    "padding": make_token(GOOD_HEADER, {}).replace(".", "=.", 1),
    "header_not_json": segment("not json") + "." + segment({}) + "." + b64url(b"x" * 32),
    "header_not_object": segment([1]) + "." + segment({}) + "." + b64url(b"x" * 32),
    "non_ascii": "\u00e9" + make_token(GOOD_HEADER, {}),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed(name):
    raises(cjwt.DecodeError, "malformed", verify, MALFORMED[name])


def test_malformed_payload_after_valid_signature():
    token = make_token(GOOD_HEADER, '{"a":1,"a":2}')   # duplicate member
    raises(cjwt.DecodeError, "malformed", verify, token)
    token = make_token(GOOD_HEADER, "[1,2]")            # a JWT payload is an object
    raises(cjwt.DecodeError, "malformed", verify, token)


def test_get_unverified_header_malformed():
    raises(cjwt.DecodeError, "malformed", cjwt.get_unverified_header, "nope")


# --- algorithms ------------------------------------------------------------
def test_unsupported_alg_in_header():
    token = make_token({"alg": "HS999"}, {"a": 1})
    raises(cjwt.InvalidAlgorithmError, "unsupported_alg", verify, token)


def test_unsupported_alg_in_algorithms_argument():
    token = cjwt.encode({"a": 1}, SECRET)
    raises(cjwt.InvalidAlgorithmError, "unsupported_alg", verify, token, algorithms=["hs256"])
    raises(cjwt.InvalidAlgorithmError, "unsupported_alg", verify, token,
           algorithms=["HS256", "FOO"])


def test_unsupported_alg_for_encode():
    # PyJWT raises NotImplementedError here; cjwt's carries .code as well
    raises(NotImplementedError, "unsupported_alg", cjwt.encode, {}, SECRET, algorithm="HS1")


def test_alg_not_allowed():
    token = cjwt.encode({"a": 1}, SECRET, algorithm="HS384")
    raises(cjwt.InvalidAlgorithmError, "alg_not_allowed", verify, token, algorithms=["HS256"])


def test_none_alg_not_allowed_unless_named():
    token = segment({"alg": "none"}) + "." + segment({"a": 1}) + "."
    raises(cjwt.InvalidAlgorithmError, "alg_not_allowed", verify, token)


def test_algorithms_required():
    token = cjwt.encode({"a": 1}, SECRET)
    for algorithms in (None, []):
        e = raises(cjwt.DecodeError, "malformed", cjwt.decode, token, SECRET,
                   algorithms=algorithms, now=NOW)
        assert str(e) == ('It is required that you pass in a value for the "algorithms" '
                          'argument when calling decode().')
    raises(cjwt.DecodeError, "malformed", cjwt.decode, token, SECRET,
           options={"verify_signature": True}, now=NOW)


# --- keys ------------------------------------------------------------------
SHORT = "short-secret"   # 12 bytes < 32


def test_invalid_key_short_secret_verify():
    token = make_token(GOOD_HEADER, {"a": 1}, secret=SHORT)
    e = raises(cjwt.InvalidKeyError, "invalid_key", verify, token, SHORT)
    assert "allow_short_secret" in str(e)  # the message says how to opt in
    key = cjwt.Key.from_secret(SHORT, allow_short_secret=True)
    assert verify(token, key) == {"a": 1}


def test_invalid_key_short_secret_sign():
    raises(cjwt.InvalidKeyError, "invalid_key", cjwt.encode, {}, SHORT)
    raises(cjwt.InvalidKeyError, "invalid_key", cjwt.encode, {}, "x" * 32, algorithm="HS384")
    raises(cjwt.InvalidKeyError, "invalid_key", cjwt.encode, {}, b"")
    key = cjwt.Key.from_secret(SHORT, allow_short_secret=True)
    assert verify(cjwt.encode({"b": 2}, key), key) == {"b": 2}


PEM_PUBLIC = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\n"
    "q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n"
    "-----END PUBLIC KEY-----\n"
)


def test_invalid_key_pem_as_hmac_secret():
    # CVE-2022-29217 class: a public key must never become an HMAC secret.
    token = make_token(GOOD_HEADER, {"a": 1}, secret=PEM_PUBLIC)
    raises(cjwt.InvalidKeyError, "invalid_key", verify, token, PEM_PUBLIC)
    raises(cjwt.InvalidKeyError, "invalid_key", verify, token, PEM_PUBLIC.encode())
    raises(cjwt.InvalidKeyError, "invalid_key", cjwt.encode, {"a": 1}, PEM_PUBLIC)


def test_invalid_key_garbage_pem():
    pem = "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n" + "x" * 40
    raises(cjwt.InvalidKeyError, "invalid_key", verify, cjwt.encode({}, SECRET), pem)


EC_JWK = {
    "kty": "EC", "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}


def test_invalid_key_wrong_type_jwk():
    token = cjwt.encode({"a": 1}, SECRET)
    raises(cjwt.InvalidKeyError, "invalid_key", verify, token, EC_JWK)


def test_invalid_key_jwk_bound_to_other_alg():
    jwk = {"kty": "oct", "k": b64url(SECRET.encode()), "alg": "HS512"}
    token = cjwt.encode({"a": 1}, SECRET)
    # both classes: cjwt's InvalidKeyError, PyJWT's InvalidAlgorithmError for a PyJWK
    with pytest.raises(cjwt.InvalidKeyError) as info:
        verify(token, jwk)
    assert isinstance(info.value, cjwt.InvalidAlgorithmError)
    assert info.value.code == "invalid_key"
    assert str(info.value).startswith("Token algorithm 'HS256' does not match the key's "
                                      "algorithm 'HS512': the key is bound to HS512")


def test_invalid_key_bad_jwk():
    raises(cjwt.InvalidKeyError, "invalid_key", cjwt.Key.from_jwk, {"kty": "oct"})
    raises(cjwt.InvalidKeyError, "invalid_key", cjwt.Key.from_jwk, {"kty": "nope", "k": "AA"})


def test_invalid_key_none_when_signature_checked():
    token = cjwt.encode({"a": 1}, SECRET)
    # both classes: cjwt's InvalidKeyError, PyJWT's TypeError (its algorithms' prepare_key)
    for alg, text in (("HS256", "Expected a string or bytes value: a key is required for HS256"),
                      ("RS256", "Expecting a PEM-formatted key: a key is required for RS256")):
        tok = token if alg == "HS256" else cjwt.encode({"a": 1}, cjwt.Key.generate(alg))
        with pytest.raises(cjwt.InvalidKeyError) as info:
            verify(tok, None, algorithms=[alg])
        assert isinstance(info.value, TypeError)
        assert (info.value.code, str(info.value)) == ("invalid_key", text)
    with pytest.raises(TypeError):
        cjwt.encode({"a": 1}, None, algorithm="HS256")


# --- signature ---------------------------------------------------------------
def test_bad_signature():
    token = cjwt.encode({"a": 1}, SECRET)
    raises(cjwt.InvalidSignatureError, "bad_signature", verify, token, "z" * 64)
    head, payload, sig = token.split(".")
    tampered = head + "." + segment({"a": 2}) + "." + sig
    raises(cjwt.InvalidSignatureError, "bad_signature", verify, tampered)
    raises(cjwt.InvalidSignatureError, "bad_signature", verify, head + "." + payload + ".")


def test_claims_not_looked_at_before_signature():
    token = make_token(GOOD_HEADER, {"exp": NOW - 100}, secret="w" * 32)
    raises(cjwt.InvalidSignatureError, "bad_signature", verify, token)


# --- claims ------------------------------------------------------------------
def test_expired():
    raises(cjwt.ExpiredSignatureError, "expired", verify, cjwt.encode({"exp": NOW}, SECRET))


def test_expired_by_max_age():
    token = cjwt.encode({"iat": NOW - 100}, SECRET)
    raises(cjwt.ExpiredSignatureError, "expired", verify, token, max_age=50)
    assert verify(token, max_age=100) == {"iat": NOW - 100}


def test_not_yet_valid():
    raises(cjwt.ImmatureSignatureError, "not_yet_valid", verify,
           cjwt.encode({"nbf": NOW + 1}, SECRET))


def test_invalid_iat():
    raises(cjwt.InvalidIssuedAtError, "invalid_iat", verify, cjwt.encode({"iat": "x"}, SECRET))


def test_non_numeric_exp_and_nbf():
    raises(cjwt.DecodeError, "malformed", verify, cjwt.encode({"exp": "soon"}, SECRET))
    raises(cjwt.DecodeError, "malformed", verify, cjwt.encode({"nbf": "x"}, SECRET))


def test_invalid_audience():
    token = cjwt.encode({"aud": "api"}, SECRET)
    raises(cjwt.InvalidAudienceError, "invalid_audience", verify, token, audience="web")
    raises(cjwt.InvalidAudienceError, "invalid_audience", verify, token)  # aud but none expected
    assert verify(token, audience="api")["aud"] == "api"
    assert verify(token, audience=["web", "api"])["aud"] == "api"
    assert verify(token, audience={"api"})["aud"] == "api"
    both = cjwt.encode({"aud": ["x", "api"]}, SECRET)
    assert verify(both, audience="api")["aud"] == ["x", "api"]
    raises(cjwt.MissingRequiredClaimError, "missing_claim", verify, cjwt.encode({}, SECRET),
           audience="api")


def test_invalid_issuer():
    token = cjwt.encode({"iss": "https://a.example"}, SECRET)
    raises(cjwt.InvalidIssuerError, "invalid_issuer", verify, token, issuer="https://b.example")
    assert verify(token, issuer=["https://b.example", "https://a.example"])["iss"]
    assert verify(token)["iss"]  # no issuer expected: any


def test_invalid_subject():
    token = cjwt.encode({"sub": "alice"}, SECRET)
    raises(cjwt.InvalidSubjectError, "invalid_subject", verify, token, subject="bob")
    assert verify(token, subject="alice") == {"sub": "alice"}


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "sub", "jti", "custom"])
def test_missing_claim(claim):
    token = cjwt.encode({"a": 1}, SECRET)
    e = raises(cjwt.MissingRequiredClaimError, "missing_claim", verify, token,
               options={"require": [claim]})
    assert e.claim == claim


def test_required_claim_null_is_missing():
    token = cjwt.encode({"sub": None}, SECRET)
    e = raises(cjwt.MissingRequiredClaimError, "missing_claim", verify, token,
               options={"require": ["sub"]})
    assert e.claim == "sub"


def test_invalid_typ():
    token = cjwt.encode({"a": 1}, SECRET, headers={"typ": "at+jwt"})
    raises(cjwt.InvalidTypeError, "invalid_typ", verify, token, typ="JWT")
    assert verify(token, typ="application/at+JWT") == {"a": 1}   # RFC 7515 4.1.9
    assert verify(cjwt.encode({}, SECRET), typ="jwt") == {}


def test_unknown_crit():
    token = make_token({"alg": "HS256", "crit": ["exp-ext"], "exp-ext": 1}, {"a": 1})
    raises(cjwt.DecodeError, "unknown_crit", verify, token)


# --- limits --------------------------------------------------------------------
def test_too_large_token():
    token = cjwt.encode({"big": "x" * 20000}, SECRET)
    raises(cjwt.DecodeError, "too_large", verify, token)
    raises(cjwt.DecodeError, "too_large", verify, cjwt.encode({"a": 1}, SECRET),
           options={"max_token_len": 20})
    assert verify(token, options={"max_token_len": 40000})["big"]


def test_too_large_depth():
    deep = {"a": 1}
    for _ in range(40):
        deep = {"d": deep}
    token = cjwt.encode(deep, SECRET)
    raises(cjwt.DecodeError, "too_large", verify, token)
    assert verify(token, options={"max_depth": 64}) == deep
    raises(cjwt.DecodeError, "too_large", verify, cjwt.encode({"a": [[1]]}, SECRET),
           options={"max_depth": 2})
