"""Threat: jku, x5u, jwk and x5c headers are never used to select or fetch a
key. The URLs point at a listening socket on 127.0.0.1; no connection may
arrive, and a token signed by the attacker's embedded key is refused."""
import json
import socket

import pytest

import cjwt
from threatlib import CLAIMS, KEYS, decode, expect_code

ATTACKER = KEYS["attacker_ec256"]
LEGIT = KEYS["ec256"]


@pytest.fixture
def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    yield s, s.getsockname()[1]
    try:
        conn, _ = s.accept()
    except BlockingIOError:
        conn = None
    s.close()
    assert conn is None, "cjwt connected to a URL from a token header"


def headers_for(port):
    return [
        {"jku": "http://127.0.0.1:%d/jwks.json" % port},
        {"x5u": "http://127.0.0.1:%d/cert.pem" % port},
        {"jku": "https://127.0.0.1:%d/jwks.json" % port, "kid": "attacker"},
        {"jwk": ATTACKER["public_jwk"]},
        {"x5c": ATTACKER["x5c"]},
        {"jku": "http://127.0.0.1:%d/" % port, "x5u": "http://127.0.0.1:%d/" % port,
         "jwk": ATTACKER["public_jwk"], "x5c": ATTACKER["x5c"]},
    ]


def test_attacker_key_in_headers_is_ignored(listener):
    _, port = listener
    for extra in headers_for(port):
        token = cjwt.encode(CLAIMS, ATTACKER["private_pem"], algorithm="ES256", headers=extra)
        expect_code("bad_signature", decode, token, LEGIT["public_pem"], ["ES256"])
        expect_code("bad_signature", decode, token, LEGIT["public_jwk"], ["ES256"])
        # get_unverified_header shows them but that does not fetch either
        assert cjwt.get_unverified_header(token)["alg"] == "ES256"


def test_headers_are_inert_on_a_genuine_token(listener):
    _, port = listener
    for extra in headers_for(port):
        token = cjwt.encode(CLAIMS, LEGIT["private_pem"], algorithm="ES256", headers=extra)
        assert decode(token, LEGIT["public_pem"], ["ES256"]) == CLAIMS


def test_with_a_key_set(listener):
    keyset = getattr(cjwt, "KeySet", None)
    if keyset is None or not hasattr(keyset, "from_jwks"):
        pytest.skip("cjwt.KeySet not in this build")
    _, port = listener
    ks = keyset.from_jwks({"keys": [LEGIT["public_jwk"], KEYS["rsa"]["public_jwk"]]})
    for extra in headers_for(port):
        extra = dict(extra)
        extra.setdefault("kid", LEGIT["public_jwk"]["kid"])
        token = cjwt.encode(CLAIMS, ATTACKER["private_pem"], algorithm="ES256", headers=extra)
        code = "invalid_key" if extra["kid"] == "attacker" else "bad_signature"
        expect_code(code, decode, token, ks, ["ES256", "RS256"])
