"""Threat: invalid UTF-8 and lone surrogates in the header or payload."""
import pytest

from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code

BAD = [
    b'{"sub":"\xff"}', b'{"sub":"\xc0\xaf"}', b'{"sub":"\xe0\x80\xaf"}',
    b'{"sub":"\xed\xa0\x80"}', b'{"sub":"\xf4\x90\x80\x80"}', b'{"sub":"\xe2\x82"}',
    b'{"sub":"\\ud800"}', b'{"sub":"\\udc00"}', b'{"sub":"\\ud800\\u0041"}', b'{"sub":"\\udbff"}',
    b'{"\xff":1}',
]


@pytest.mark.parametrize("payload", BAD, ids=range(len(BAD)))
def test_bad_payload(payload):
    token = make_token({"alg": "HS256"}, payload, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])


@pytest.mark.parametrize("member", BAD, ids=range(len(BAD)))
def test_bad_header(member):
    header = b'{"alg":"HS256","x":' + member + b"}"
    token = make_token(header, CLAIMS, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])


def test_surrogate_pair_is_fine():
    token = make_token({"alg": "HS256"}, b'{"sub":"\\ud83d\\ude00"}', HMAC_SECRET)
    assert decode(token, HMAC_SECRET, ["HS256"]) == {"sub": "\U0001F600"}


def test_encoding_a_lone_surrogate_is_refused():
    import cjwt
    with pytest.raises((ValueError, TypeError, cjwt.PyJWTError)):
        cjwt.encode({"sub": "\ud800"}, HMAC_SECRET, algorithm="HS256")
