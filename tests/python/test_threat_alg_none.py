"""Threat: alg "none" (any case spelling) must never verify unless asked for by name."""
import pytest

from conftest import make_token, segment
from threatlib import ALL_ALGS, CLAIMS, HMAC_SECRET, KEYS, decode, expect_code

UNSIGNED = segment({"alg": "none", "typ": "JWT"}) + "." + segment(CLAIMS) + "."


@pytest.mark.parametrize("key", [HMAC_SECRET, KEYS["rsa"]["public_pem"], KEYS["ec256"]["public_jwk"]])
def test_none_is_not_allowed_with_every_real_alg_allowed(key):
    expect_code("alg_not_allowed", decode, UNSIGNED, key, ALL_ALGS)


def test_none_with_a_signature_is_still_not_allowed():
    token = make_token({"alg": "none"}, CLAIMS, HMAC_SECRET, "HS256")
    expect_code("alg_not_allowed", decode, token, HMAC_SECRET, ALL_ALGS)


@pytest.mark.parametrize("spelling", ["None", "NONE", "nOnE", "NoNe", "none ", " none", "none\t"])
def test_other_spellings_are_unknown_algorithms(spelling):
    token = segment({"alg": spelling}) + "." + segment(CLAIMS) + "."
    expect_code("unsupported_alg", decode, token, HMAC_SECRET, ALL_ALGS + ["none"])


@pytest.mark.parametrize("spelling", ["None", "NONE"])
def test_other_spellings_are_not_accepted_as_allowlist_entries(spelling):
    token = segment({"alg": spelling}) + "." + segment(CLAIMS) + "."
    expect_code("unsupported_alg", decode, token, None, [spelling])


def test_none_by_name_needs_an_empty_signature():
    token = make_token({"alg": "none"}, CLAIMS, HMAC_SECRET, "HS256")
    expect_code("bad_signature", decode, token, None, ["none"])
    assert decode(UNSIGNED, None, ["none"]) == CLAIMS


def test_no_algorithms_means_nothing_is_allowed():
    expect_code("malformed", decode, UNSIGNED, HMAC_SECRET, [])   # PyJWT's DecodeError
