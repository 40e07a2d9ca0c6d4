"""Threat: duplicate member names (which one did the signer mean?)."""
import pytest

from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code


@pytest.mark.parametrize("header", [
    '{"alg":"HS256","alg":"none"}',
    '{"alg":"none","alg":"HS256"}',
    '{"alg":"HS256","\\u0061lg":"HS256"}',
    '{"alg":"HS256","kid":"a","kid":"b"}',
])
def test_duplicate_in_header(header):
    token = make_token(header, CLAIMS, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256", "none"])


@pytest.mark.parametrize("payload", [
    '{"sub":"admin","sub":"user-1"}',
    '{"exp":1,"\\u0065xp":9999999999}',
    '{"a":{"x":1,"x":2}}',
    '{"aud":"api","aud":["api"]}',
])
def test_duplicate_in_payload(payload):
    token = make_token({"alg": "HS256"}, payload, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])
