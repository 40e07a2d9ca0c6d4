"""Threat: 1 MB tokens and 10,000-deep JSON stay within the documented limits
(16 KiB, depth 32): too_large, no stack overflow, no big allocation."""
import pytest

import cjwt
from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code

BIG = {"max_token_len": 4 << 20}


def test_one_megabyte_token():
    token = "A" * 100 + "." + "A" * 100 + "." + "A" * ((1 << 20) - 202)
    expect_code("too_large", decode, token, HMAC_SECRET, ["HS256"])
    expect_code("too_large", cjwt.get_unverified_header, token)


def test_just_over_the_default_limit():
    token = make_token({"alg": "HS256"}, {"pad": "x" * 16384}, HMAC_SECRET)
    expect_code("too_large", decode, token, HMAC_SECRET, ["HS256"])


def test_a_raised_limit_is_the_bound():
    token = make_token({"alg": "HS256"}, {"pad": "x" * (1 << 20)}, HMAC_SECRET)
    assert len(decode(token, HMAC_SECRET, ["HS256"], options=BIG)["pad"]) == 1 << 20


@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_ten_thousand_deep_payload(opener, closer):
    deep = opener * 10000 + closer * 10000
    token = make_token({"alg": "HS256"}, '{"a":' + deep + "}", HMAC_SECRET)
    expect_code("too_large", decode, token, HMAC_SECRET, ["HS256"], options=BIG)


@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_ten_thousand_deep_header(opener, closer):
    header = '{"alg":"HS256","x":' + opener * 10000 + closer * 10000 + "}"
    token = make_token(header, CLAIMS, HMAC_SECRET)
    expect_code("too_large", decode, token, HMAC_SECRET, ["HS256"], options=BIG)


def test_unbalanced_openers():
    token = make_token({"alg": "HS256"}, "[" * 100000, HMAC_SECRET)
    expect_code("too_large", decode, token, HMAC_SECRET, ["HS256"], options=BIG)


def test_depth_limit_is_32_by_default():
    ok = make_token({"alg": "HS256"}, '{"a":' + "[" * 31 + "]" * 31 + "}", HMAC_SECRET)
    assert decode(ok, HMAC_SECRET, ["HS256"])
    bad = make_token({"alg": "HS256"}, '{"a":' + "[" * 32 + "]" * 32 + "}", HMAC_SECRET)
    expect_code("too_large", decode, bad, HMAC_SECRET, ["HS256"])
    assert decode(bad, HMAC_SECRET, ["HS256"], options={"max_depth": 33})
