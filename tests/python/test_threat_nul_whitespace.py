"""Threat: NUL bytes and whitespace around or inside a token."""
import pytest

from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code

TOKEN = make_token({"alg": "HS256"}, CLAIMS, HMAC_SECRET)
DOT = TOKEN.index(".")


@pytest.mark.parametrize("ch", [" ", "\t", "\n", "\r", "\x00", "\u00a0", "\ufeff"])
@pytest.mark.parametrize("where", [0, DOT, DOT + 1, len(TOKEN) - 1, len(TOKEN)])
def test_inserted_character(ch, where):
    bad = TOKEN[:where] + ch + TOKEN[where:]
    expect_code("malformed", decode, bad, HMAC_SECRET, ["HS256"])
    expect_code("malformed", decode, bad.encode("utf-8"), HMAC_SECRET, ["HS256"])


def test_nul_inside_a_string_claim():
    token = make_token({"alg": "HS256"}, b'{"sub":"admin\\u0000user"}', HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])
    token = make_token({"alg": "HS256"}, b'{"sub\\u0000":"x"}', HMAC_SECRET)
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])


def test_whitespace_inside_json_is_json():
    token = make_token(' {\n"alg" : "HS256"\t} ', ' { "sub" : "u" } ', HMAC_SECRET)
    assert decode(token, HMAC_SECRET, ["HS256"]) == {"sub": "u"}
