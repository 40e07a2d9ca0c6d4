"""encode -> decode round trips for every HMAC algorithm, and the value mapping."""
import json

import pytest

import cjwt
from conftest import NOW, SECRET, SECRETS


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_round_trip(alg):
    payload = {"sub": "alice", "n": 3, "ok": True, "roles": ["a", "b"], "nested": {"x": None}}
    token = cjwt.encode(payload, SECRETS[alg], algorithm=alg)
    assert isinstance(token, str)
    assert cjwt.decode(token, SECRETS[alg], algorithms=[alg], now=NOW) == payload
    assert cjwt.get_unverified_header(token) == {"alg": alg, "typ": "JWT"}


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_signature_length(alg):
    token = cjwt.encode({"a": 1}, SECRETS[alg], algorithm=alg)
    full = cjwt.decode_complete(token, SECRETS[alg], algorithms=[alg], now=NOW)
    assert len(full["signature"]) == {"HS256": 32, "HS384": 48, "HS512": 64}[alg]
    assert full["header"] == {"alg": alg, "typ": "JWT"}
    assert full["payload"] == {"a": 1}


def test_token_as_bytes():
    token = cjwt.encode({"a": 1}, SECRET)
    assert cjwt.decode(token.encode(), SECRET, algorithms=["HS256"], now=NOW) == {"a": 1}


def test_key_as_bytes_and_key_object():
    token = cjwt.encode({"a": 1}, SECRET.encode())
    key = cjwt.Key.from_secret(SECRET.encode())
    assert cjwt.decode(token, key, algorithms=["HS256"], now=NOW) == {"a": 1}
    assert cjwt.decode(token, bytearray(SECRET.encode()), algorithms=["HS256"], now=NOW) == {"a": 1}
    assert cjwt.encode({"a": 1}, key) == token


def test_algorithms_any_of_several():
    token = cjwt.encode({"a": 1}, SECRET, algorithm="HS384")
    assert cjwt.decode(token, SECRET, algorithms=["HS256", "HS384"], now=NOW) == {"a": 1}
    assert cjwt.decode(token, SECRET, algorithms=("HS384",), now=NOW) == {"a": 1}
    assert cjwt.decode(token, SECRET, algorithms="HS384", now=NOW) == {"a": 1}


def test_value_types_survive():
    payload = {
        "int": -(2**63), "max": 2**63 - 1, "float": 1.5, "neg": -0.25, "t": True, "f": False,
        "none": None, "str": "h\u00e9llo \U0001f600 \"q\" \\", "empty": "", "list": [1, [2, [3]]],
        "tuple": (1, 2), "obj": {"a": {"b": {}}}, "arr": [],
    }
    token = cjwt.encode(payload, SECRET)
    got = cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW)
    expected = json.loads(json.dumps(payload))
    assert got == expected
    assert type(got["int"]) is int and type(got["float"]) is float
    assert type(got["t"]) is bool and got["none"] is None


def test_subclasses_convert_like_json():
    import enum

    class Color(enum.IntEnum):
        RED = 1

    class Name(str):
        pass

    token = cjwt.encode({"c": Color.RED, Name("k"): Name("v")}, SECRET)
    got = cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW)
    assert got == {"c": 1, "k": "v"}
    assert type(got["c"]) is int


def test_payload_is_one_json_object_in_order():
    token = cjwt.encode({"b": 1, "a": 2}, SECRET)
    assert list(cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW)) == ["b", "a"]


def test_decode_without_verifying_signature():
    token = cjwt.encode({"a": 1, "exp": NOW - 10}, SECRET)
    opts = {"verify_signature": False}
    # Like PyJWT: no key, no algorithms, and the claim checks default to off too.
    assert cjwt.decode(token, options=opts, now=NOW) == {"a": 1, "exp": NOW - 10}
    assert cjwt.decode(token, "wrong" * 10, options=opts, now=NOW)["a"] == 1


def test_pyjwt_style_usage():
    import cjwt as jwt

    encoded = jwt.encode({"some": "payload"}, SECRET, algorithm="HS256")
    assert jwt.decode(encoded, SECRET, algorithms=["HS256"]) == {"some": "payload"}
    try:
        jwt.decode(encoded, SECRET + "x", algorithms=["HS256"])
    except jwt.InvalidTokenError as e:
        assert e.code == "bad_signature"
    else:
        pytest.fail("a wrong key verified")
