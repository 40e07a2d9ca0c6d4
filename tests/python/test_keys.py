"""cjwt.Key: built once, immutable, reusable; JWK input; flags."""
import json

import pytest

import cjwt
from conftest import NOW, SECRET, b64url, make_token

HS = ["HS256"]


def test_from_secret_attributes():
    key = cjwt.Key.from_secret(b"s" * 32)
    assert (key.kty, key.alg, key.kid) == ("oct", None, None)
    assert "s" * 8 not in repr(key)           # never shows the secret
    assert repr(key).startswith("<cjwt.Key kty=oct")


@pytest.mark.parametrize("form", ["dict", "json_str", "json_bytes"])
def test_from_jwk(form):
    jwk = {"kty": "oct", "k": b64url(SECRET.encode()), "kid": "k1", "alg": "HS256"}
    arg = {"dict": jwk, "json_str": json.dumps(jwk), "json_bytes": json.dumps(jwk).encode()}[form]
    key = cjwt.Key.from_jwk(arg)
    assert (key.kty, key.alg, key.kid) == ("oct", "HS256", "k1")
    token = cjwt.encode({"a": 1}, SECRET)
    assert cjwt.decode(token, key, algorithms=HS, now=NOW) == {"a": 1}


def test_from_jwk_allow_short_secret():
    jwk = {"kty": "oct", "k": b64url(b"short")}
    token = make_token({"alg": "HS256"}, {"a": 1}, secret=b"short")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(token, cjwt.Key.from_jwk(jwk), algorithms=HS, now=NOW)
    key = cjwt.Key.from_jwk(jwk, allow_short_secret=True)
    assert cjwt.decode(token, key, algorithms=HS, now=NOW) == {"a": 1}


def test_from_jwk_bad_json():
    with pytest.raises(cjwt.PyJWTError):
        cjwt.Key.from_jwk("{not json")


def test_from_secret_accepts_pem_looking_bytes():
    # The caller said "secret": content is not inspected (only key=str/bytes is).
    pem = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    key = cjwt.Key.from_secret(pem)
    token = make_token({"alg": "HS256"}, {"a": 1}, secret=pem)
    assert cjwt.decode(token, key, algorithms=HS, now=NOW) == {"a": 1}


def test_key_shared_by_many_calls():
    key = cjwt.Key.from_secret(SECRET)
    tokens = [cjwt.encode({"i": i}, key) for i in range(100)]
    assert [cjwt.decode(t, key, algorithms=HS, now=NOW)["i"] for t in tokens] == list(range(100))


def test_default_alg_comes_from_the_core():
    # the bound alg, else the usual one for the key type and curve
    assert cjwt.Key.generate("ES384").default_alg == "ES384"
    assert cjwt.Key.generate("PS256").with_alg(None).default_alg == "RS256"
    assert cjwt.Key.generate("ES512").with_alg(None).default_alg == "ES512"
    assert cjwt.Key.generate("EdDSA").with_alg(None).default_alg == "EdDSA"
    assert cjwt.Key.from_secret(b"x" * 32).default_alg == "HS256"
    assert cjwt.PyJWK(cjwt.Key.generate("ES384").with_alg(None).to_jwk()).algorithm_name == "ES384"
