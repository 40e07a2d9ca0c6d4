"""Claims built from the core's item layout (cjwt_value_items): small and large
payloads (over the 48 items converted from the C stack), ASCII and non-ASCII
strings and names, nesting, every JSON type; the same answers as json.loads."""
import json

import pytest

import cjwt

KEY = cjwt.Key.from_secret("k" * 32)
NOW = 1700000000


def roundtrip(payload_text):
    token = cjwt.jws_encode(payload_text.encode(), KEY, algorithm="HS256")
    return cjwt.decode(token, KEY, algorithms=["HS256"], now=NOW)


CASES = [
    '{}',
    '{"sub":"user-1","n":1,"r":2.5,"t":true,"f":false,"z":null}',
    '{"s\\u00e9":"h\\u00e9","\\u00e9t\\u00e9":["\\ud83d\\ude00","a"],"e":"\\u0041\\n"}',
    '{"raw":"h\xc3\xa9 \xf0\x9f\x98\x80","o":{"a":{"b":{"c":[[],[{}],{"d":[1,2,3]}]}}}}',
    '{"big":9223372036854775807,"neg":-9223372036854775808,"exp":1e300}',
    json.dumps({"m%d" % i: ["x" * i, i, {"k": "v%d" % i}] for i in range(40)}),
    json.dumps({"list": list(range(200)), "names": {"n%d" % i: "é" * (i % 3) for i in range(100)}}),
]


@pytest.mark.parametrize("text", CASES)
def test_same_as_json_loads(text):
    for _ in range(3):                   # the claim name cache is warm after the first
        got = roundtrip(text)
        assert got == json.loads(text)
        assert all(type(k) is str for k in got)


def test_ascii_strings_are_plain_str():
    got = roundtrip('{"sub":"abc","e":""}')
    assert got["sub"] == "abc" and got["sub"].isascii() and got["e"] == ""
    assert hash(got["sub"]) == hash("abc")
    got["sub"] += "x"                    # a new dict and new values each time
    assert roundtrip('{"sub":"abc","e":""}')["sub"] == "abc"


def test_decode_complete_header_and_payload():
    token = cjwt.jws_encode(b'{"sub":"\\u00e9"}', KEY, algorithm="HS256")
    full = cjwt.decode_complete(token, KEY, algorithms=["HS256"], now=NOW)
    assert full["header"]["alg"] == "HS256"
    assert full["payload"] == {"sub": "é"}
