"""Threat: alg "none" (any case spelling) never verifies, not even asked for by
name; cjwt.decode_unsecured reads one, unverified, when code says so by name."""
import pytest

import cjwt

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


@pytest.mark.parametrize("algorithms", [["none"], ["none", "HS256"], ALL_ALGS + ["none"]])
@pytest.mark.parametrize("key", [None, HMAC_SECRET])
def test_none_by_name_is_still_refused(algorithms, key):
    # decode never returns the claims of an unsecured token (DESIGN.md), signed or not
    token = make_token({"alg": "none"}, CLAIMS, HMAC_SECRET, "HS256")
    expect_code("alg_not_allowed", decode, token, key, algorithms)
    expect_code("alg_not_allowed", decode, UNSIGNED, key, algorithms)
    with pytest.raises(cjwt.InvalidAlgorithmError, match="unsecured"):
        cjwt.decode(UNSIGNED, key, algorithms=algorithms)
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.decode_complete(UNSIGNED, key, algorithms=algorithms)
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.jws_decode(UNSIGNED, key, algorithms=algorithms)
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.Verifier(algorithms=algorithms).decode(UNSIGNED, key)


def test_decode_unsecured_reads_by_name_only():
    assert cjwt.decode_unsecured(UNSIGNED, leeway=10**10) == CLAIMS
    # the claim checks run as in decode
    expired = segment({"alg": "none"}) + "." + segment({"exp": 1}) + "."
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode_unsecured(expired)
    assert cjwt.decode_unsecured(expired, options={"verify_exp": False}) == {"exp": 1}
    with pytest.raises(cjwt.InvalidAudienceError):
        cjwt.decode_unsecured(segment({"alg": "none"}) + "." + segment({"aud": "x"}) + ".")
    # a signed token is not read: verify it
    signed = make_token({"alg": "HS256"}, CLAIMS, HMAC_SECRET, "HS256")
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.decode_unsecured(signed)
    # "none" with a signature is malformed for an unsecured JWS (RFC 7518 3.6)
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode_unsecured(make_token({"alg": "none"}, CLAIMS, HMAC_SECRET, "HS256"))
    with pytest.raises(cjwt.DecodeError, match="Invalid token type"):
        cjwt.decode_unsecured(None)
    with pytest.raises(cjwt.DecodeError):
        cjwt.decode_unsecured(segment({"alg": "none"}) + "." + segment({"a": 1, "a": 2}) + "!.")
    # an unknown algorithm, a non-object payload, an unencoded payload: the core's codes
    expect_code("unsupported_alg", cjwt.decode_unsecured,
                segment({"alg": "XS1"}) + "." + segment({}) + ".")
    expect_code("malformed", cjwt.decode_unsecured,
                segment({"alg": "none"}) + "." + segment([1]) + ".")
    expect_code("malformed", cjwt.decode_unsecured,
                segment({"alg": "none", "crit": ["b64"], "b64": False}) + ".{}.")
    # the claim checks stay on whatever the signature switch says (nothing to check)
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode_unsecured(expired, options={"verify_signature": False})
    # the low-level entry point takes no key, allowlist or denylist
    for kwargs in ({"key": HMAC_SECRET}, {"algorithms": ["none"]}, {"denylist": object()}):
        with pytest.raises(TypeError, match="decode_unsecured"):
            cjwt._cjwt.decode_unsecured(UNSIGNED, **kwargs)


def test_no_algorithms_means_nothing_is_allowed():
    expect_code("malformed", decode, UNSIGNED, HMAC_SECRET, [])   # PyJWT's DecodeError
