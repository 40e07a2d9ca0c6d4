"""Raw JWS: any bytes in, the same bytes out; no typ, no claim checks."""
import json

import pytest

import cjwt
from conftest import NOW, SECRET, make_token

HS = ["HS256"]


@pytest.mark.parametrize("data", [b"", b"hello", bytes(range(256)), b'{"exp": 1}', b"\x00" * 100])
def test_jws_round_trip(data):
    token = cjwt.jws_encode(data, SECRET)
    assert cjwt.jws_decode(token, SECRET, algorithms=HS) == data
    assert cjwt.get_unverified_header(token) == {"alg": "HS256"}


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_jws_algorithms_and_headers(alg):
    token = cjwt.jws_encode(bytearray(b"abc"), SECRET, algorithm=alg, headers={"kid": "k"})
    assert cjwt.get_unverified_header(token) == {"alg": alg, "kid": "k"}
    assert cjwt.jws_decode(token.encode(), SECRET, algorithms=[alg]) == b"abc"
    with pytest.raises(cjwt.InvalidAlgorithmError) as e:
        cjwt.jws_decode(token, SECRET, algorithms=HS)
    assert e.value.code == "alg_not_allowed"


def test_jws_decode_ignores_claims():
    # An expired-looking JSON payload is just bytes here.
    token = make_token({"alg": "HS256"}, {"exp": 1})
    assert json.loads(cjwt.jws_decode(token, SECRET, algorithms=HS)) == {"exp": 1}


def test_jws_decode_checks_signature():
    token = cjwt.jws_encode(b"data", SECRET)
    with pytest.raises(cjwt.InvalidSignatureError) as e:
        cjwt.jws_decode(token, "y" * 32, algorithms=HS)
    assert e.value.code == "bad_signature"
    with pytest.raises(cjwt.DecodeError):
        cjwt.jws_decode(token, SECRET)  # algorithms required


def test_jws_decode_typ_and_options():
    token = cjwt.jws_encode(b"x", SECRET, headers={"typ": "secevent+jwt"})
    assert cjwt.jws_decode(token, SECRET, algorithms=HS, typ="secevent+jwt") == b"x"
    with pytest.raises(cjwt.InvalidTypeError):
        cjwt.jws_decode(token, SECRET, algorithms=HS, typ="JWT")
    assert cjwt.jws_decode(token, options={"verify_signature": False}) == b"x"
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.jws_decode(token, SECRET, algorithms=HS, options={"max_token_len": 10})
    assert e.value.code == "too_large"


def test_jwt_decode_of_non_json_jws_is_malformed():
    token = cjwt.jws_encode(b"not json", SECRET)
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.decode(token, SECRET, algorithms=HS, now=NOW)
    assert e.value.code == "malformed"


def test_jws_encode_wants_bytes():
    with pytest.raises(TypeError):
        cjwt.jws_encode("text", SECRET)
    with pytest.raises(TypeError):
        cjwt.jws_encode({"a": 1}, SECRET)
