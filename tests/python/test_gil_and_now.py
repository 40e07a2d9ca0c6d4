"""When the binding keeps the GIL, and how it reads `now` / `leeway` (issue 20).

A verification of a token of at most 2048 bytes with an HMAC secret or with no
key, and no denylist, keeps the GIL (giving it up and taking it back costs more
than the HMAC; hashlib's rule). Key sets, RSA/EC/EdDSA keys, denylists and longer
tokens release it. Only the GIL handling differs: these tests check that the
results (claims and errors) are the same on both paths, and that other threads
run during the verifications that release it. `now` and `leeway` given as
exact ints are read as C integers: the same answers as the float path.

No timing is asserted: the thread tests set a long switch interval, so that the
other thread can run only when a verification releases the GIL.
"""
import datetime
import enum
import sys
import threading
import time

import pytest

import cjwt
from conftest import NOW, SECRETS

SECRET = SECRETS["HS256"]
CLAIMS = {"sub": "user-1", "iss": "https://issuer.example", "aud": "api", "iat": NOW - 10,
          "exp": NOW + 60, "jti": "j-1", "role": "admin", "scope": ["a", "b"],
          "n": None, "ok": True, "f": 1.5, "nested": {"k": [1, {"x": "y"}]}}

FREE_THREADED = hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled()


def _paths(token, key):
    """Each way of verifying `token`: (name, call) pairs whose results must agree.
    The first keeps the GIL (when the token is short), the others release it."""
    keyset = cjwt.KeySet([key])
    store = cjwt.MemoryStore()
    plain = cjwt.Verifier(["HS256"], audience="api")
    listed = cjwt.Verifier(["HS256"], audience="api", denylist=store)
    return [
        ("decode Key", lambda now: cjwt.decode(token, key, algorithms=["HS256"],
                                               audience="api", now=now)),
        ("decode str", lambda now: cjwt.decode(token, SECRET, algorithms=["HS256"],
                                               audience="api", now=now)),
        ("Verifier Key", lambda now: plain.decode(token, key, now=now)),
        ("decode KeySet", lambda now: cjwt.decode(token, keyset, algorithms=["HS256"],
                                                  audience="api", now=now)),
        ("Verifier KeySet", lambda now: plain.decode(token, keyset, now=now)),
        ("decode denylist", lambda now: cjwt.decode(token, key, algorithms=["HS256"],
                                                    audience="api", now=now, denylist=store)),
        ("Verifier denylist", lambda now: listed.decode(token, key, now=now)),
    ]


def _outcome(call, now):
    try:
        return ("ok", call(now))
    except cjwt.InvalidTokenError as e:
        return (type(e).__name__, str(e), getattr(e, "code", None), getattr(e, "claim", None))


@pytest.mark.parametrize("pad", [0, 4000])   # a short token (GIL kept) and a long one
def test_same_results_gil_kept_or_released(pad):
    key = cjwt.Key.from_secret(SECRET)
    claims = dict(CLAIMS, pad="p" * pad)
    token = cjwt.encode(claims, key, algorithm="HS256")
    assert (len(token) <= 2048) == (pad == 0)
    for now in (NOW, NOW + 3600, NOW - 3600):   # valid, expired, issued in the future
        outcomes = {name: _outcome(call, now) for name, call in _paths(token, key)}
        first = outcomes["decode Key"]
        assert all(o == first for o in outcomes.values()), outcomes
        if now == NOW:
            assert first == ("ok", claims)
    # a bad signature, the same on every path
    bad = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    outcomes = {name: _outcome(call, NOW) for name, call in _paths(bad, key)}
    assert len(set(map(repr, outcomes.values()))) == 1, outcomes
    assert outcomes["decode Key"][0] == "InvalidSignatureError"


def test_keyless_and_unsecured_same_results():
    token = cjwt.encode(CLAIMS, cjwt.Key.from_secret(SECRET), algorithm="HS256")
    got = cjwt.decode(token, options={"verify_signature": False}, now=NOW)
    assert got == CLAIMS
    unsecured = cjwt.encode(CLAIMS, None, algorithm="none")
    assert cjwt.decode_unsecured(unsecured, audience="api", now=NOW) == CLAIMS
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode_unsecured(unsecured, audience="api", now=NOW + 3600)


def _counting_thread():
    """A thread counting while it holds the GIL, yielding it after each step."""
    stop = threading.Event()
    ticks = [0]

    def run():
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0)   # gives the GIL back: the verifying thread is never held up
    return threading.Thread(target=run), stop, ticks


@pytest.mark.skipif(FREE_THREADED, reason="no GIL to keep or release")
def test_threads_run_during_long_and_slow_verifies():
    hs = cjwt.Key.from_secret(SECRET)
    long_token = cjwt.encode({"data": "y" * 9000}, hs)
    rsa = cjwt.Key.generate("RS256")
    rsa_token = cjwt.encode(CLAIMS, rsa, algorithm="RS256")
    keyset = cjwt.KeySet([hs])
    short_token = cjwt.encode(CLAIMS, hs)
    verifies = [
        lambda: cjwt.decode(long_token, hs, algorithms=["HS256"], now=NOW),        # > 2048 bytes
        lambda: cjwt.decode(rsa_token, rsa, algorithms=["RS256"], audience="api", now=NOW),
        lambda: cjwt.decode(short_token, keyset, algorithms=["HS256"], audience="api", now=NOW),
    ]
    old = sys.getswitchinterval()
    t, stop, ticks = _counting_thread()
    t.start()
    sys.setswitchinterval(30)   # the counter runs only when a verification lets it
    try:
        for verify in verifies:
            before = ticks[0]
            for _ in range(5000):
                verify()
                if ticks[0] != before:
                    break
            assert ticks[0] != before, verify
    finally:
        sys.setswitchinterval(old)
        stop.set()
        t.join()


@pytest.mark.skipif(FREE_THREADED, reason="no GIL to keep or release")
def test_short_hmac_verify_keeps_the_gil():
    # The rule as documented (docs/python.md, Threads): with a long switch
    # interval the other thread cannot take the GIL while this one verifies
    # short HS256 tokens, since no verification gives it up.
    key = cjwt.Key.from_secret(SECRET)
    token = cjwt.encode(CLAIMS, key)
    v = cjwt.Verifier(["HS256"], audience="api")
    old = sys.getswitchinterval()
    t, stop, ticks = _counting_thread()
    t.start()
    sys.setswitchinterval(30)
    try:
        time.sleep(0.01)   # the counter thread now waits for the GIL
        before = ticks[0]
        for _ in range(200):
            v.decode(token, key, now=NOW)
            cjwt.decode(token, key, algorithms=["HS256"], audience="api", now=NOW)
            cjwt.decode(token, options={"verify_signature": False}, now=NOW)
        after = ticks[0]
    finally:
        sys.setswitchinterval(old)
        stop.set()
        t.join()
    assert after == before


class Stamp(enum.IntEnum):
    AT = NOW


@pytest.mark.parametrize("now", [NOW, float(NOW), Stamp.AT,
                                 datetime.datetime.fromtimestamp(NOW, datetime.timezone.utc)])
def test_now_int_float_datetime_alike(now):
    key = cjwt.Key.from_secret(SECRET)
    token = cjwt.encode(dict(CLAIMS, exp=NOW + 1, nbf=NOW), key)
    v = cjwt.Verifier(["HS256"], audience="api")
    assert v.decode(token, key, now=now)["exp"] == NOW + 1
    assert cjwt.decode(token, key, algorithms=["HS256"], audience="api", now=now)["nbf"] == NOW


@pytest.mark.parametrize("exp_offset, leeway, ok", [
    (0, 0, False), (1, 0, True), (-5, 5, False), (-5, 6, True), (-5, 5.5, True),
])
def test_int_leeway_and_now_boundaries(exp_offset, leeway, ok):
    # exp is checked as now < exp + leeway: ints and floats on the same side
    key = cjwt.Key.from_secret(SECRET)
    token = cjwt.encode({"exp": NOW + exp_offset}, key)
    for now in (NOW, float(NOW)):
        for lw in (leeway, float(leeway)):
            outcome = _outcome(lambda n: cjwt.decode(token, key, algorithms=["HS256"],
                                                     leeway=lw, now=n), now)
            assert (outcome[0] == "ok") == ok, (now, lw, outcome)
            v = cjwt.Verifier(["HS256"], leeway=lw)
            assert (_outcome(lambda n: v.decode(token, key, now=n), now)[0] == "ok") == ok


@pytest.mark.parametrize("now", [2 ** 53, 2 ** 53 + 1, 2 ** 62, 2 ** 63 + 5, 2 ** 80, -1, 0,
                                 -(2 ** 53) - 1])
def test_large_and_negative_int_now_as_float(now):
    # beyond 2**53 an int now is rounded as float(now) is, as before
    key = cjwt.Key.from_secret(SECRET)
    token = cjwt.encode({"exp": 2 ** 62, "nbf": -(2 ** 40)}, key)
    got = _outcome(lambda n: cjwt.decode(token, key, algorithms=["HS256"], now=n), now)
    want = _outcome(lambda n: cjwt.decode(token, key, algorithms=["HS256"], now=n), float(now))
    assert got == want


def test_bad_now_and_leeway_types():
    key = cjwt.Key.from_secret(SECRET)
    token = cjwt.encode({"sub": "x"}, key)
    for bad in (True, "1700000000", b"1", [1]):
        with pytest.raises(TypeError):
            cjwt.decode(token, key, algorithms=["HS256"], now=bad)
        with pytest.raises(TypeError):
            cjwt.decode(token, key, algorithms=["HS256"], leeway=bad)
    with pytest.raises(OverflowError):
        cjwt.decode(token, key, algorithms=["HS256"], now=10 ** 400)
