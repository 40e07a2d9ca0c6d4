"""No leak on any path: memory stays flat over many encode/decode calls,
successful and failing, with every kind of key argument.

tracemalloc sees Python allocations (dicts, strings, exceptions); the process's
RSS covers what the core allocates with malloc (cjwt_value, cjwt_key, tokens).
Assertions are on growth, never on time."""
import gc
import tracemalloc

import pytest

import cjwt
from conftest import NOW, SECRET, b64url

ITERATIONS = 20000
JWK = {"kty": "oct", "k": b64url(SECRET.encode()), "kid": "k1"}
KEY = cjwt.Key.from_secret(SECRET)
PAYLOAD = {"sub": "user-1", "roles": ["a", "b"], "n": 1.5, "nested": {"x": [1, None, True]}}


def rss_kib():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def one_round(i):
    key = (SECRET, SECRET.encode(), JWK, KEY)[i % 4]
    token = cjwt.encode(PAYLOAD, key, headers={"kid": "k1"}, expires_in="1h", now=NOW)
    cjwt.decode(token, key, algorithms=["HS256"], now=NOW, audience=None)
    cjwt.decode_complete(token, key, algorithms=["HS256"], now=NOW)
    cjwt.get_unverified_header(token)
    cjwt.jws_decode(cjwt.jws_encode(b"data", key), key, algorithms=["HS256"])
    for fn in (
        lambda: cjwt.decode(token, key, algorithms=["HS256"], now=NOW + 7200),         # expired
        lambda: cjwt.decode(token, "w" * 32, algorithms=["HS256"], now=NOW),           # bad sig
        lambda: cjwt.decode(token, key, algorithms=["HS256"], now=NOW,
                            options={"require": ["jti"]}),                              # claim
        lambda: cjwt.decode(token, key, algorithms=["HS256"], now=NOW, issuer=["a", "b"],
                            audience=("x", "y"), subject="s", typ="JWT"),             # issuer
        lambda: cjwt.decode(token, "short", algorithms=["HS256"], now=NOW),            # key
        lambda: cjwt.decode("a.b", key, algorithms=["HS256"], now=NOW),                # malformed
        lambda: cjwt.decode(token, key, algorithms=["XX"], now=NOW),                   # alg name
        lambda: cjwt.encode({"a": [1, {"b": object()}]}, key),                        # TypeError
        lambda: cjwt.encode({"a": 2**70}, key),                                       # ValueError
        lambda: cjwt.encode({"a": 1}, {"kty": "EC"}),                                 # bad JWK
        lambda: cjwt.Key.from_jwk({"kty": "oct", "k": "!!"}),
        # PyJWT's classes and messages (python/src/compat.c): both-class errors
        lambda: cjwt.decode(token, None, algorithms=["HS256"], now=NOW),               # no key
        lambda: cjwt.decode(token, key, algorithms=[5], now=NOW),                      # alg type
        lambda: cjwt.decode(token, key, algorithms=["HS256"], options=[]),             # options
        lambda: cjwt.decode(token, key, algorithms=["HS256"], options={"require": "x"}),
        lambda: cjwt.decode(token + ".x", key, algorithms=["HS256"], now=NOW),         # 4 segments
        lambda: cjwt.decode(token, cjwt.Key.from_secret("k" * 64).with_alg("HS512"),
                            algorithms=["HS256"], now=NOW),                             # bound key
        lambda: cjwt.Key(key).thumbprint(),                                            # Key(x)
        lambda: cjwt.Key(bytearray(b"z" * 32)).to_jwk(),
        lambda: cjwt.Key({"kty": "oct", "k": "!!"}),
        lambda: cjwt.Key(5),
    ):
        try:
            fn()
        except (cjwt.PyJWTError, TypeError, ValueError):
            pass


def assert_no_growth(tracker, warm, rounds, round_fn):
    """Runs round_fn(i) `warm` times (caches, interned strings, allocator
    arenas), then `rounds` times, and fails if the Python heap (tracker
    "tracemalloc") grew by 64 KiB or the process RSS ("rss") by 2 MiB."""
    for i in range(warm):
        round_fn(i)
    gc.collect()
    if tracker == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = rss_kib()
    for i in range(rounds):
        round_fn(i)
    gc.collect()
    if tracker == "tracemalloc":
        growth = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert growth < 64 * 1024, f"Python heap grew by {growth} bytes"
    else:
        growth = rss_kib() - before
        assert growth < 2048, f"RSS grew by {growth} KiB"


@pytest.mark.parametrize("tracker", ["tracemalloc", "rss"])
def test_no_leak(tracker):
    # A leak of even 16 bytes per round would be 20000 * 16 * ~20 calls = 6 MiB.
    assert_no_growth(tracker, 2000, ITERATIONS, one_round)


def test_refcounts_stable():
    import sys
    token = cjwt.encode(PAYLOAD, KEY)
    objs = [KEY, token, SECRET, JWK, PAYLOAD, None, True]
    before = [sys.getrefcount(o) for o in objs]
    for _ in range(1000):
        cjwt.decode(token, KEY, algorithms=["HS256"], now=NOW)
        cjwt.encode(PAYLOAD, KEY)
        cjwt.decode(token, JWK, algorithms=["HS256"], now=NOW)
        try:
            cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW, options={"require": ["x"]})
        except cjwt.MissingRequiredClaimError:
            pass
    after = [sys.getrefcount(o) for o in objs]
    assert after == before
