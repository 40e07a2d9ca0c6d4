"""Threat: kid values built for path traversal, injection, NUL or sheer size
against a key set give a clean invalid_key (or malformed), with a bounded,
escaped message."""
import pytest

import cjwt
from conftest import NOW, b64url, segment
from threatlib import CLAIMS, KEYS, decode, expect_code

KIDS = [
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "/dev/zero", "file:///etc/shadow",
    "' OR '1'='1", "1; DROP TABLE keys; --", "\"}]}", "${jndi:ldap://127.0.0.1/x}",
    "\x1b[2J\x1b[31m", "line\nbreak\r\n", "\u00e9\u4e2d\U0001F600", "ec256-1 ", "EC256-1", "",
    "A" * 10000,
]


@pytest.fixture(scope="module")
def keyset():
    ks = getattr(cjwt, "KeySet", None)
    if ks is None or not hasattr(ks, "from_jwks"):
        pytest.skip("cjwt.KeySet not in this build")
    return ks.from_jwks({"keys": [KEYS["ec256"]["public_jwk"], KEYS["rsa"]["public_jwk"]]})


def clean(message):
    return len(message) < 256 and all(0x20 <= ord(c) < 0x7f for c in message)


@pytest.mark.parametrize("kid", KIDS, ids=range(len(KIDS)))
def test_hostile_kid(keyset, kid):
    token = cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256",
                        headers={"kid": kid})
    err = expect_code("invalid_key", decode, token, keyset, ["ES256"],
                      options={"max_token_len": 1 << 20})
    assert clean(err.args[0] if err.args else str(err)), repr(str(err))


def test_kid_with_nul_is_malformed(keyset):
    header = b'{"alg":"ES256","kid":"ec256-1\\u0000x"}'
    token = b64url(header) + "." + segment(CLAIMS) + "." + b64url(b"\x00" * 64)
    expect_code("malformed", decode, token, keyset, ["ES256"])


@pytest.mark.parametrize("kid", [123, ["ec256-1"], {"k": 1}, True])
def test_kid_of_wrong_type(keyset, kid):
    # cjwt.encode refuses such a kid (PyJWT's InvalidTokenError), and so does the
    # core: the hostile token is built by hand (refused before its signature)
    import json
    header = json.dumps({"alg": "ES256", "kid": kid}).encode()
    token = b64url(header) + "." + segment(CLAIMS) + "." + b64url(b"\x00" * 64)
    expect_code("malformed", decode, token, keyset, ["ES256"])
    from cjwt import _cjwt
    with pytest.raises(cjwt.InvalidTokenError, match="Key ID header parameter must be a string"):
        _cjwt.encode(CLAIMS, cjwt.Key.from_pem(KEYS["ec256"]["private_pem"]), "ES256",
                     {"kid": kid}, None, None)
    with pytest.raises(cjwt.InvalidTokenError, match="Key ID header parameter must be a string"):
        cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256", headers={"kid": kid})


def test_kid_of_a_key_of_another_type(keyset):
    token = cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256",
                        headers={"kid": "rsa-1"})
    expect_code("invalid_key", decode, token, keyset, ["ES256"])


def test_long_kid_at_the_default_limit(keyset):
    token = cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256",
                        headers={"kid": "A" * 100000})
    expect_code("too_large", decode, token, keyset, ["ES256"])


def test_right_kid_verifies(keyset):
    token = cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256",
                        headers={"kid": "ec256-1"})
    assert decode(token, keyset, ["ES256"]) == CLAIMS


def test_kid_with_a_single_key_is_not_a_lookup():
    """A plain key ignores kid entirely: no file, no query, just the key."""
    for kid in KIDS[:8]:
        token = cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256",
                            headers={"kid": kid})
        assert decode(token, KEYS["ec256"]["public_pem"], ["ES256"], now=NOW) == CLAIMS
