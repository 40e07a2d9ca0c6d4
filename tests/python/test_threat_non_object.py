"""Threat: a header or payload that is valid JSON but not an object."""
import pytest

from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code

VALUES = ["[]", '[{"alg":"HS256"}]', '"HS256"', "1", "null", "true", "", " "]


@pytest.mark.parametrize("value", VALUES)
def test_non_object_header(value):
    token = make_token(value, CLAIMS, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])


@pytest.mark.parametrize("value", VALUES)
def test_non_object_payload(value):
    token = make_token({"alg": "HS256"}, value, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])


def test_raw_jws_payload_may_be_anything():
    import cjwt
    token = make_token({"alg": "HS256"}, "[1,2]", HMAC_SECRET)
    assert cjwt.jws_decode(token, HMAC_SECRET, algorithms=["HS256"]) == b"[1,2]"
