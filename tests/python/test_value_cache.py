"""The claim value cache (python/src/convert.c, claim_value; docs/python.md,
"Claims as Python objects"): short ASCII string values are shared between
results by content, never by hash alone; longer or non-ASCII values are made
afresh. Values must come back exactly as json.loads reads them whatever the
cache holds: same-length values with the same first, middle and last bytes
(the bytes the slot is chosen from) must not be mixed up."""
import gc
import json
import sys
import tracemalloc

import pytest

import cjwt
from conftest import run_in_subinterpreter

KEY = cjwt.Key.from_secret("k" * 32)
NOW = 1700000000
VALUE_MAX = 80   # VAL_CACHE_MAX_LEN in python/src/binding.h


def decode_text(payload_text):
    token = cjwt.jws_encode(payload_text.encode(), KEY, algorithm="HS256")
    return cjwt.decode(token, KEY, algorithms=["HS256"], now=NOW,
                       options={"verify_aud": False, "max_token_len": 1 << 16})


def decode_obj(payload):
    return decode_text(json.dumps(payload))


PAYLOAD = {
    "iss": "https://auth.example.com", "aud": "api.example.com", "role": "admin",
    "typ": "access", "scope": ["orders:read", "orders:write", "payments:read"],
    "sub": "user-1234567", "jti": "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b",
    "iat": 1700000000, "n": None, "ok": True, "r": 1.5, "nested": {"k": ["x", {"y": "zz"}]},
}


def test_values_equal_and_exact_str():
    for _ in range(3):                               # cold, then warm
        got = decode_obj(PAYLOAD)
        assert got == PAYLOAD
        for v in (got["iss"], got["aud"], got["role"], got["typ"], got["sub"], got["jti"],
                  got["nested"]["k"][0], got["nested"]["k"][1]["y"], *got["scope"]):
            assert type(v) is str and v.isascii()
            assert hash(v) == hash(str(v))


def test_repeated_short_ascii_value_is_shared():
    # What docs/python.md promises: a short ASCII value is kept from its second
    # sighting; decoded again, with no other value in between, it is the same str.
    for v in ("https://rs.example.com", "rs-admin", "Y", "b" * VALUE_MAX, "rs:orders:read"):
        zero, one, two = decode_obj({"v": v}), decode_obj({"v": v}), decode_obj({"v": v})
        assert zero["v"] is not one["v"], v          # seen once: not kept
        assert one["v"] is two["v"], v
    # Beyond the promise, a regression check of this table's layout: every value
    # of this payload stays (api.example.com and orders:read share a set; two ways
    # keep both), so a third decode allocates no str.
    decode_obj(PAYLOAD)
    a, b = decode_obj(PAYLOAD), decode_obj(PAYLOAD)
    assert a is not b and a["scope"] is not b["scope"]      # containers are always new
    for k in ("iss", "aud", "role", "typ", "sub", "jti"):
        assert a[k] is b[k], k
    assert all(x is y for x, y in zip(a["scope"], b["scope"]))
    # the same value twice in one token, and in another token of the same issuer
    decode_obj({"iss": "https://auth.example.com", "l": ["read", "read"]})
    c = decode_obj({"iss": "https://auth.example.com", "l": ["read", "read"]})
    assert c["iss"] is a["iss"] and c["l"][0] is c["l"][1]
    # written with JSON escapes: the same characters, the same str
    d = decode_text('{"iss":"https:\\/\\/auth.example.com","role":"\\u0061dmin"}')
    assert d["iss"] is a["iss"] and d["role"] is a["role"]


def test_header_values_shared_too():
    token = cjwt.encode({"sub": "u"}, KEY, algorithm="HS256", headers={"kid": "k-2026"})
    cjwt.decode_complete(token, KEY, algorithms=["HS256"], now=NOW)
    h1 = cjwt.decode_complete(token, KEY, algorithms=["HS256"], now=NOW)["header"]
    h2 = cjwt.decode_complete(token, KEY, algorithms=["HS256"], now=NOW)["header"]
    assert h1 == h2 == {"alg": "HS256", "typ": "JWT", "kid": "k-2026"}
    assert h1["alg"] is h2["alg"] and h1["kid"] is h2["kid"]


def test_length_limit():
    at = "a" + "b" * (VALUE_MAX - 2) + "c"
    over = "a" + "b" * (VALUE_MAX - 1) + "c"
    assert len(at) == VALUE_MAX and len(over) == VALUE_MAX + 1
    decode_obj({"at": at, "over": over})
    a, b = decode_obj({"at": at, "over": over}), decode_obj({"at": at, "over": over})
    assert a["at"] == b["at"] == at and a["over"] == b["over"] == over
    assert type(a["at"]) is str and type(a["over"]) is str
    assert a["at"] is b["at"]                        # at the limit: shared
    assert a["over"] is not b["over"]                # over it: a new str each time


@pytest.mark.parametrize("value", ["héllo wörld", "日本語のテキスト", "emoji \U0001F600 ok",
                                   "ascii then é", "\u00e9" * 40])
def test_non_ascii_values(value):
    for _ in range(3):
        got = decode_obj({"v": value, "l": [value, "plain"]})
        assert got == {"v": value, "l": [value, "plain"]}
        assert type(got["v"]) is str and not got["v"].isascii()
    # a non-ASCII value never displaces what the cache answers for ASCII bytes
    assert decode_obj({"v": "plain"})["v"] == "plain"


def colliding(length):
    """Values of `length` bytes with the same first, middle and last bytes,
    each differing from the base in one other byte (or, for the short ones,
    in the hashed bytes themselves: then the slot may differ, the answer
    must not)."""
    base = ["m"] * length
    fixed = {0, length - 1, length >> 1}
    out = ["".join(base)]
    for i in range(length):
        if i in fixed and length > 3:
            continue
        v = list(base)
        v[i] = "Q"
        out.append("".join(v))
    return out


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47,
                                    48, 63, 64, 79, 80, 81])
def test_slot_collisions_in_one_token(length):
    values = colliding(length)
    payload = {"vals": values, "again": list(reversed(values)),
               **{"v%d" % i: v for i, v in enumerate(values[:20])}}
    for _ in range(2):
        got = decode_obj(payload)
        assert got == payload


def test_slot_collisions_across_tokens():
    for length in (4, 9, 17, 36, 64, VALUE_MAX):
        values = colliding(length)
        for i in range(len(values)):                 # each token: a value the previous one
            for v in (values[i], values[i - 1], values[i]):   # left in the same slot
                got = decode_obj({"v": v, "l": [v]})
                assert got["v"] == v and got["l"] == [v]


def test_names_and_values_do_not_mix():
    # a value with a name's bytes (and the other way round): both tables answer right
    got = decode_obj({"sub": "iss", "iss": "sub", "role": "role"})
    assert got == {"sub": "iss", "iss": "sub", "role": "role"}
    got = decode_obj({"iss": "sub", "sub": "iss", "role": "role"})
    assert got == {"iss": "sub", "sub": "iss", "role": "role"}


def test_cached_value_refcounts_stable():
    # Each round leaves the cache as it found it: no reference gained or lost.
    token = cjwt.encode(PAYLOAD, KEY)

    def one_round():
        cjwt.decode(token, KEY, algorithms=["HS256"], now=NOW, audience="api.example.com")
        cjwt.decode_complete(token, KEY, algorithms=["HS256"], now=NOW, audience="api.example.com")

    one_round()
    held = cjwt.decode(token, KEY, algorithms=["HS256"], now=NOW, audience="api.example.com")
    one_round()
    objs = [held["iss"], held["role"], held["scope"][0], held["nested"]["k"][0], held["jti"]]
    before = [sys.getrefcount(o) for o in objs]
    for _ in range(1000):
        one_round()
    assert [sys.getrefcount(o) for o in objs] == before
    # dropped from the cache (every set refilled by values seen twice), the
    # values are only ours
    for i in range(2000):
        churn = {"v%d" % j: "%s-%d-%d" % ("y" * (j % 40), i, j) for j in range(8)}
        decode_obj(churn)
        decode_obj(churn)
    assert [sys.getrefcount(o) for o in objs] == [n - 1 for n in before]


def test_no_growth_with_many_distinct_values():
    # every value new: the cache only ever holds its 128 slots' worth
    def rounds(start, n):
        for i in range(start, start + n):
            decode_obj({"sub": "user-%07d" % i, "jti": "%036d" % i, "l": ["s%d" % i, "t%d" % i],
                        "iss": "https://auth.example.com"})
    rounds(0, 2000)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rounds(2000, 20000)
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert growth < 64 * 1024, f"Python heap grew by {growth} bytes"


def test_subinterpreter_has_its_own_cache():
    code = f"""
import json
import cjwt
key = cjwt.Key.from_secret("k" * 32)
token = cjwt.jws_encode({json.dumps(PAYLOAD)!r}.encode(), key, algorithm="HS256")
cjwt.decode(token, key, algorithms=["HS256"], now={NOW}, options={{"verify_aud": False}})
a = cjwt.decode(token, key, algorithms=["HS256"], now={NOW}, options={{"verify_aud": False}})
b = cjwt.decode(token, key, algorithms=["HS256"], now={NOW}, options={{"verify_aud": False}})
with open(OUT, "w") as f:
    json.dump({{"a": a, "same": a["iss"] is b["iss"]}}, f)
"""
    decode_obj(PAYLOAD)
    mine = decode_obj(PAYLOAD)
    for _ in range(2):                           # a second interpreter after the first is gone
        # a legacy subinterpreter (shared GIL): 3.12's default is isolated (its own GIL),
        # which 3.12.1 crashes on by itself (tests/python/test_subinterpreters.py)
        assert run_in_subinterpreter(code) == {"a": PAYLOAD, "same": True}
    again = decode_obj(PAYLOAD)
    assert again == PAYLOAD and again["iss"] is mine["iss"]
