"""Threat: padded, standard-alphabet or non-canonical base64url is refused
(malformed), never silently normalised."""
import pytest

from conftest import make_token
from threatlib import CLAIMS, HMAC_SECRET, decode, expect_code

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
TOKEN = make_token({"alg": "HS256", "typ": "JWT"}, CLAIMS, HMAC_SECRET)


def test_the_token_itself_verifies():
    assert decode(TOKEN, HMAC_SECRET, ["HS256"]) == CLAIMS


@pytest.mark.parametrize("segment_index", [0, 1, 2])
@pytest.mark.parametrize("pad", ["=", "==", "==="])
def test_padding(segment_index, pad):
    parts = TOKEN.split(".")
    parts[segment_index] += pad
    expect_code("malformed", decode, ".".join(parts), HMAC_SECRET, ["HS256"])


def test_standard_alphabet():
    for i, c in enumerate(TOKEN):
        if c in "-_":
            bad = TOKEN[:i] + ("+" if c == "-" else "/") + TOKEN[i + 1:]
            expect_code("malformed", decode, bad, HMAC_SECRET, ["HS256"])


@pytest.mark.parametrize("flip", [1, 2])
def test_non_zero_trailing_bits(flip):
    # 32-byte MAC = 43 chars: the last char carries 2 bits that must be zero
    v = ALPHA.index(TOKEN[-1])
    bad = TOKEN[:-1] + ALPHA[v ^ flip]
    expect_code("malformed", decode, bad, HMAC_SECRET, ["HS256"])


def test_impossible_length():
    expect_code("malformed", decode, TOKEN + "AA", HMAC_SECRET, ["HS256"])
    # one more char is a well-formed 33-byte MAC: wrong, not malformed
    expect_code("bad_signature", decode, TOKEN + "A", HMAC_SECRET, ["HS256"])


@pytest.mark.parametrize("ch", ["*", "%", "~", ".", "\u00e9"])
def test_stray_characters(ch):
    head, rest = TOKEN.split(".", 1)
    expect_code("malformed", decode, head + ch + "." + rest, HMAC_SECRET, ["HS256"])
