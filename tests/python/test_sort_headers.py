"""encode(sort_headers=...) writes the header bytes PyJWT writes: sorted by name by
default, and with sort_headers=False in PyJWT's order (typ, alg, then the caller's
headers as given). HMAC is deterministic, so the whole tokens must be identical."""
import base64
import json

import pytest

import cjwt

jwt = pytest.importorskip("jwt")

SECRET = "a secret of at least 64 bytes for HS512, so HS256 and HS512 both ok"
PAYLOAD = {"sub": "user-1", "z": 1, "a": [1, 2]}
HEADERS = [
    None,
    {"kid": "k1"},
    {"zz": 1, "kid": "k1", "b": "x"},
    {"typ": "at+jwt", "kid": "k2"},
    {"cty": "JWT", "alg": "HS256"},
    {"typ": None, "x": 1},
]


def header_of(token):
    seg = token.split(".")[0]
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


@pytest.mark.parametrize("sort_headers", [True, False])
@pytest.mark.parametrize("headers", HEADERS, ids=repr)
@pytest.mark.parametrize("alg", ["HS256", "HS512"])
def test_same_token_bytes_as_pyjwt(alg, headers, sort_headers):
    ours = cjwt.encode(PAYLOAD, SECRET, algorithm=alg, headers=headers, sort_headers=sort_headers)
    theirs = jwt.encode(PAYLOAD, SECRET, algorithm=alg, headers=headers,
                        sort_headers=sort_headers)
    assert header_of(ours) == header_of(theirs)
    assert ours == theirs


def test_unsorted_order_is_typ_alg_then_given():
    token = cjwt.encode({"a": 1}, SECRET, algorithm="HS256",
                        headers={"zz": 1, "kid": "k1", "b": 2}, sort_headers=False)
    assert list(json.loads(header_of(token))) == ["typ", "alg", "zz", "kid", "b"]
    token = cjwt.encode({"a": 1}, SECRET, algorithm="HS256",
                        headers={"zz": 1, "kid": "k1", "b": 2})
    assert list(json.loads(header_of(token))) == ["alg", "b", "kid", "typ", "zz"]


def test_key_kid_comes_last_when_unsorted():
    key = cjwt.Key.from_secret(SECRET.encode()).with_kid("from-key")
    token = cjwt.encode({"a": 1}, key, algorithm="HS256", headers={"x": 1}, sort_headers=False)
    assert list(json.loads(header_of(token))) == ["typ", "alg", "x", "kid"]
    assert cjwt.decode(token, key, algorithms=["HS256"]) == {"a": 1}
