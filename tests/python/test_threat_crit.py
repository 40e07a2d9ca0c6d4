"""Threat: crit naming extensions cjwt does not implement is refused."""
import pytest

from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code

CLAIMS_LIST = CLAIMS


@pytest.mark.parametrize("header", [
    {"alg": "HS256", "crit": ["exp"], "exp": 1},
    {"alg": "HS256", "crit": ["b64", "exp"], "b64": True, "exp": 1},
    {"alg": "HS256", "crit": ["http://example.invalid/ext"]},
    {"alg": "HS256", "crit": ["x", "y"], "x": 1, "y": 2},
    {"alg": "HS256", "crit": ["alg"]},
])
def test_unknown_crit(header):
    token = make_token(header, CLAIMS, HMAC_SECRET)
    expect_code("unknown_crit", decode, token, HMAC_SECRET, ["HS256"])


@pytest.mark.parametrize("crit", [[], "exp", [1], {"exp": True}, None])
def test_malformed_crit(crit):
    token = make_token({"alg": "HS256", "crit": crit}, CLAIMS, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])


def test_crit_message_is_escaped():
    token = make_token({"alg": "HS256", "crit": ["\x1b[31mred\n"]}, CLAIMS, HMAC_SECRET)
    err = expect_code("unknown_crit", decode, token, HMAC_SECRET, ["HS256"])
    assert "\x1b" not in str(err) and "\n" not in str(err)


@pytest.mark.parametrize("header", [
    {"alg": "HS256", "crit": ["b64"], "b64": False},      # understood, but never in a JWT
    {"alg": "HS256", "b64": False},                      # b64 must be listed in crit
    {"alg": "HS256", "b64": True},
    {"alg": "HS256", "crit": ["b64"], "b64": "false"},   # a boolean
    {"alg": "HS256", "crit": ["b64"]},                   # crit names a member that is absent
])
def test_b64_in_a_jwt_is_refused(header):
    token = make_token(header, CLAIMS, HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])
