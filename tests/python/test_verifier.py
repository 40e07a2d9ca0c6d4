"""cjwt.Verifier: decode's settings compiled once, and the opt-in
verified-token cache of the core (cjwt_verify_opts.cache_size).

A Verifier must answer exactly what cjwt.decode answers for the same
keywords, on a cache miss and on a hit: same result, same exception class,
code and message. A hit re-checks the dates at `now` and asks the denylist
again; another key object is never served an old entry."""
import gc
import sys
import threading
import weakref
from datetime import datetime, timedelta, timezone

import pytest

import cjwt
from conftest import NOW, SECRET, b64url
from test_leaks import assert_no_growth
from test_vectors import (CASES, FLAG_OPTIONS, KWARG_OPTIONS, is_jws, json_equal,
                          make_key)

KEY = cjwt.Key.from_secret(SECRET)
EC = cjwt.Key.generate("ES256", kid="ec1")
PAYLOAD = {"sub": "user-1", "roles": ["a", "b"], "nested": {"x": [1, None, True]}}


def token_for(payload=None, key=KEY, **kw):
    return cjwt.encode(dict(PAYLOAD if payload is None else payload), key, now=NOW, **kw)


def outcome(fn):
    """('ok', value) or ('error', class, code, claim, message)."""
    try:
        return ("ok", fn())
    except cjwt.PyJWTError as e:
        return ("error", type(e), e.code, getattr(e, "claim", None), str(e))


def same_outcome(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "ok":
        return json_equal(a[1], b[1])
    return a[1:] == b[1:]


# ---- the shared vectors: a cached Verifier answers like decode, miss and hit -------

def vector_key(case):
    key = make_key(case["key"], case.get("key_flags", []))
    if isinstance(key, dict):
        # A dict JWK builds a new key per call and would never hit: use one Key
        # object (for decode too), unless the JWK is refused (decode then
        # refuses it per call, and so does the Verifier).
        try:
            key = cjwt.Key.from_jwk(key)
        except cjwt.PyJWTError:
            pass
    return key


NON_JWS = [c for c in CASES if not is_jws(c.values[0])]


def test_vector_cases_present():
    assert len(NON_JWS) >= 50, len(NON_JWS)


@pytest.mark.parametrize("case", NON_JWS)
def test_vector_through_cached_verifier(case):
    opts = case.get("options", {})
    kwargs = {k: v for k, v in opts.items() if k in KWARG_OPTIONS}
    flags = {k: v for k, v in opts.items() if k in FLAG_OPTIONS} or None
    assert set(opts) <= KWARG_OPTIONS | FLAG_OPTIONS
    token, now = case["token"], case["now"]
    made_key = outcome(lambda: vector_key(case))
    if made_key[0] == "error":
        # refused while building the key (as test_vectors does): nothing to compare
        assert made_key[2] == case["expect"]["error"], made_key
        return
    key = made_key[1]

    expected = outcome(lambda: cjwt.decode_complete(token, key, now=now, options=flags, **kwargs))
    if "error" in case["expect"]:
        assert expected[0] == "error" and expected[2] == case["expect"]["error"]
    else:
        assert expected[0] == "ok"

    checks_signature = (flags or {}).get("verify_signature", True) is not False
    cache = 8 if checks_signature else 0    # a cache needs the signature check
    made = outcome(lambda: cjwt.Verifier(options=flags, cache=cache, **kwargs))
    if made[0] == "error":
        # Settings refused when compiled (an unknown algorithm name...): the same
        # error decode raises for them on its call.
        assert same_outcome(made, expected), (made, expected)
        return
    v = made[1]
    first = outcome(lambda: v.decode_complete(token, key, now=now))
    second = outcome(lambda: v.decode_complete(token, key, now=now))
    assert same_outcome(first, expected), (first, expected)
    assert same_outcome(second, expected), (second, expected)
    claims = outcome(lambda: v.decode(token, key, now=now))
    if expected[0] == "ok":
        assert json_equal(claims[1], expected[1]["payload"])
        assert first[1]["signature"] == expected[1]["signature"]
    else:
        assert same_outcome(claims, expected)

    info = v.cache_info()
    # 0 when nothing reached the cache: no cache (signature not checked), a key
    # refused before the core saw it, a token over max_token_len
    assert info.hits + info.misses in (0, 3), info
    if expected[0] == "ok" and checks_signature and key is not None:
        # Served from the cache on the 2nd and 3rd call: the same key object
        # each time (a Key, a KeySet, or str/bytes through the key cache).
        assert info.capacity == 8
        assert (info.hits, info.misses, info.size) == (2, 1, 1), info
    elif expected[0] == "error":
        assert info.size == 0 and info.hits == 0, info   # nothing that failed is kept


# ---- dates are checked again on every hit -------------------------------------------

def test_expiry_between_hit_and_later_call():
    v = cjwt.Verifier(["HS256"], cache=4)
    token = token_for(expires_in=60)
    assert v.decode(token, KEY, now=NOW + 10)["sub"] == "user-1"
    assert v.decode(token, KEY, now=NOW + 59)["sub"] == "user-1"
    assert v.cache_info()[:2] == (1, 1)
    with pytest.raises(cjwt.ExpiredSignatureError) as hit:
        v.decode(token, KEY, now=NOW + 61)
    with pytest.raises(cjwt.ExpiredSignatureError) as plain:
        cjwt.decode(token, KEY, algorithms=["HS256"], now=NOW + 61)
    assert (hit.value.code, str(hit.value)) == (plain.value.code, str(plain.value))
    # found (a hit to the core's counters), refused, and dropped
    info = v.cache_info()
    assert (info.hits, info.misses, info.size, info.evictions) == (2, 1, 0, 1), info
    with pytest.raises(cjwt.ExpiredSignatureError):
        v.decode(token, KEY, now=NOW + 61)      # a miss now, the full pipeline says so
    assert v.cache_info()[:2] == (2, 2)


def test_leeway_nbf_and_max_age_on_hits():
    v = cjwt.Verifier(["HS256"], leeway=timedelta(seconds=30), max_age=100, cache=4)
    token = token_for({"sub": "s", "iat": NOW, "nbf": NOW + 50, "exp": NOW + 200})
    assert v.decode(token, KEY, now=NOW + 60) == {"sub": "s", "iat": NOW, "nbf": NOW + 50,
                                                  "exp": NOW + 200}
    # a hit at an earlier clock: nbf (with 30 s leeway) is checked again
    assert v.decode(token, KEY, now=NOW + 25)["sub"] == "s"
    with pytest.raises(cjwt.ImmatureSignatureError) as e:
        v.decode(token, KEY, now=NOW + 10)
    with pytest.raises(cjwt.ImmatureSignatureError) as d:
        cjwt.decode(token, KEY, algorithms=["HS256"], leeway=30, max_age=100, now=NOW + 10)
    assert str(e.value) == str(d.value)
    # max_age (100 s + 30 s leeway since iat) on a hit
    assert v.decode(token, KEY, now=NOW + 60)["sub"] == "s"
    assert v.decode(token, KEY, now=datetime.fromtimestamp(NOW + 120, timezone.utc))["sub"] == "s"
    with pytest.raises(cjwt.ExpiredSignatureError):
        v.decode(token, KEY, now=NOW + 131)


def test_claims_other_than_dates_are_the_verifiers_own():
    v = cjwt.Verifier(["HS256"], audience="api", issuer="iss", subject="user-1", typ="JWT",
                      options={"require": ["exp"]}, cache=4)
    good = token_for({**PAYLOAD, "aud": "api", "iss": "iss", "exp": NOW + 60})
    for _ in range(2):
        assert v.decode(good, KEY, now=NOW)["aud"] == "api"
    other = cjwt.Verifier(["HS256"], audience="other", cache=4)
    with pytest.raises(cjwt.InvalidAudienceError):
        other.decode(good, KEY, now=NOW)       # each Verifier has its own cache
    assert v.cache_info().hits == 1


# ---- the key object is part of the cache key ----------------------------------------

def test_key_rotation_does_not_serve_old_entries():
    old = cjwt.Key.from_secret("o" * 32).with_kid("k1")
    new = cjwt.Key.from_secret("n" * 32).with_kid("k1")
    ks1 = cjwt.KeySet([old])
    token = cjwt.encode({"sub": "s"}, old, "HS256")
    v = cjwt.Verifier(["HS256"], cache=8)
    v.decode(token, ks1)
    v.decode(token, ks1)
    assert v.cache_info()[:2] == (1, 1)
    ks2 = cjwt.KeySet([new])            # rotated: same kid, other secret
    with pytest.raises(cjwt.InvalidSignatureError):
        v.decode(token, ks2)
    # one entry per token: found under another key object, it is dropped (an
    # eviction) and the token verified again (a miss), which fails
    assert v.cache_info()[:4] == (1, 2, 1, 0)
    # a new set object with the very same key is still a new object: a miss,
    # verified again, then cached under it too
    ks3 = cjwt.KeySet([old])
    v.decode(token, ks3)
    v.decode(token, ks3)
    assert v.cache_info()[:4] == (2, 3, 1, 1)
    # a single Key is another object than the set holding it
    with pytest.raises(cjwt.InvalidSignatureError):
        v.decode(token, new)
    assert v.cache_info()[:4] == (2, 4, 2, 0)
    v.decode(token, old)
    v.decode(token, old)
    assert v.cache_info()[:4] == (3, 5, 2, 1)
    with pytest.raises(cjwt.InvalidSignatureError):
        v.decode(token, ks2)                # still refused after all that


def test_which_key_arguments_hit():
    token = token_for()
    v = cjwt.Verifier(["HS256"], cache=8)
    jwk = {"kty": "oct", "k": b64url(SECRET.encode())}
    for _ in range(3):
        v.decode(token, jwk)                        # a new key every call: never hits
    assert v.cache_info()[:2] == (0, 3)
    cjwt._key_cache_clear()
    for _ in range(3):
        v.decode(token, SECRET)                     # str: the same key from the key cache
    for _ in range(2):
        v.decode(token, SECRET.encode())            # the same bytes: the same cached key
    assert v.cache_info()[:2] == (4, 4)
    pyjwk = cjwt.PyJWK(jwk, algorithm="HS256")
    for _ in range(2):
        assert v.decode(token, pyjwk) == PAYLOAD    # PyJWK: its Key object
    assert v.cache_info()[:2] == (5, 5)
    es = cjwt.encode(PAYLOAD, EC, "ES256")
    ve = cjwt.Verifier(["ES256"], cache=8)
    pem = EC.to_pem()
    for key in (EC, EC, pem, pem):
        assert ve.decode(es, key) == PAYLOAD
    assert ve.cache_info()[:2] == (2, 2)


def test_pyjwk_algorithm_does_not_widen_the_verifiers_allowlist():
    jwk = {"kty": "oct", "k": b64url(SECRET.encode())}
    token = cjwt.encode(PAYLOAD, SECRET, "HS384")
    v = cjwt.Verifier(["HS256"], cache=2)
    with pytest.raises(cjwt.InvalidAlgorithmError):
        v.decode(token, cjwt.PyJWK(jwk, algorithm="HS384"))
    # while decode without algorithms takes the PyJWK's
    assert cjwt.decode(token, cjwt.PyJWK(jwk, algorithm="HS384")) == PAYLOAD


# ---- the denylist runs on hits ------------------------------------------------------

class Recorder:
    def __init__(self, revoked=()):
        self.calls = []
        self.revoked = set(revoked)
        self.lock = threading.Lock()

    def is_revoked(self, jti, fid):
        with self.lock:
            self.calls.append((jti, fid))
        return jti in self.revoked


def test_denylist_asked_on_every_hit_and_revocation_after_caching():
    store = Recorder()
    v = cjwt.Verifier(["HS256"], denylist=store, cache=4)
    token = token_for({"sub": "s", "jti": "j1", "fid": "f1"})
    for _ in range(3):
        assert v.decode(token, KEY)["jti"] == "j1"
    assert store.calls == [("j1", "f1")] * 3
    assert v.cache_info()[:2] == (2, 1)
    store.revoked.add("j1")
    with pytest.raises(cjwt.RevokedTokenError) as e:
        v.decode(token, KEY)
    with pytest.raises(cjwt.RevokedTokenError) as d:
        cjwt.decode(token, KEY, algorithms=["HS256"], denylist=store)
    assert (e.value.code, str(e.value)) == (d.value.code, str(d.value))
    assert v.cache_info().hits == 3            # refused on a hit
    store.revoked.clear()
    assert v.decode(token, KEY)["jti"] == "j1"  # un-revoked: still cached, still asked
    assert v.cache_info().hits == 4


def test_memory_store_revocation_after_caching():
    store = cjwt.MemoryStore()
    v = cjwt.Verifier(["HS256"], denylist=store, cache=4)
    token = token_for({"sub": "s", "jti": "j2", "exp": 4_000_000_000})
    v.decode(token, KEY)
    v.decode(token, KEY)
    store.revoke_jti("j2", 4_000_000_000)
    with pytest.raises(cjwt.RevokedTokenError):
        v.decode(token, KEY)


def test_denylist_failure_on_a_hit_keeps_the_stores_exception_as_cause():
    class Flaky:
        down = False

        def is_revoked(self, jti, fid):
            if self.down:
                raise ConnectionError("store unreachable")
            return False

    store = Flaky()
    v = cjwt.Verifier(["HS256"], denylist=store, cache=4)
    token = token_for({"jti": "j3"})
    v.decode(token, KEY)
    store.down = True
    with pytest.raises(cjwt.PyJWTError) as e:
        v.decode(token, KEY)
    assert v.cache_info().hits == 1
    with pytest.raises(cjwt.PyJWTError) as d:
        cjwt.decode(token, KEY, algorithms=["HS256"], denylist=store)
    assert type(e.value) is type(d.value) and e.value.code == d.value.code
    assert isinstance(e.value.__cause__, ConnectionError)
    assert "store unreachable" in str(e.value)
    store.down = False
    assert v.decode(token, KEY)["jti"] == "j3"


def test_denylist_needs_a_jti_on_hits_too():
    v = cjwt.Verifier(["HS256"], denylist=Recorder(), cache=4)
    with pytest.raises(cjwt.MissingRequiredClaimError) as e:
        v.decode(token_for(), KEY)
    assert e.value.claim == "jti"


def test_is_revoked_may_itself_decode():
    # the per-call exception slot is saved and restored around a nested decode
    inner_token = token_for({"jti": "inner"})

    class Nested:
        def is_revoked(self, jti, fid):
            if jti == "outer":
                with pytest.raises(cjwt.PyJWTError):
                    cjwt.decode(inner_token, KEY, algorithms=["HS256"], denylist=Broken())
                return False
            return False

    class Broken:
        def is_revoked(self, jti, fid):
            raise RuntimeError("inner store down")

    v = cjwt.Verifier(["HS256"], denylist=Nested(), cache=2)
    outer = token_for({"jti": "outer"})
    for _ in range(2):
        assert v.decode(outer, KEY)["jti"] == "outer"


# ---- LRU bound and counters ---------------------------------------------------------

def test_lru_bound_and_cache_info():
    v = cjwt.Verifier(["HS256"], cache=3)
    assert v.cache_info() == cjwt.CacheInfo(0, 0, 0, 0, 3)
    assert v.cache_info()._fields == ("hits", "misses", "evictions", "size", "capacity")
    tokens = [token_for({"n": i}) for i in range(5)]
    for t in tokens[:3]:
        v.decode(t, KEY)
    assert v.cache_info() == (0, 3, 0, 3, 3)
    v.decode(tokens[0], KEY)                  # hit: tokens[0] is now the newest
    v.decode(tokens[3], KEY)                  # miss: evicts tokens[1], the oldest
    info = v.cache_info()
    assert (info.hits, info.misses, info.evictions, info.size) == (1, 4, 1, 3)
    v.decode(tokens[0], KEY)                  # still there
    v.decode(tokens[2], KEY)                  # still there
    v.decode(tokens[1], KEY)                  # was evicted: a miss (evicts tokens[3])
    assert v.cache_info() == (3, 5, 2, 3, 3)
    for i in range(5, 40):
        v.decode(token_for({"n": i}), KEY)
    assert v.cache_info().size == 3
    v.cache_clear()
    info = v.cache_info()
    assert info.size == 0 and info.capacity == 3 and info.hits == 3   # counters kept
    v.decode(tokens[0], KEY)
    assert v.cache_info().misses == 41


def test_failures_are_not_cached():
    v = cjwt.Verifier(["HS256"], cache=4)
    bad = token_for()[:-2] + "AA"
    for _ in range(3):
        with pytest.raises(cjwt.InvalidSignatureError):
            v.decode(bad, KEY)
    assert v.cache_info() == (0, 3, 0, 0, 4)


def test_no_cache_and_unverified_verifiers():
    token = token_for()
    v = cjwt.Verifier(["HS256"])
    assert v.cache_size == 0
    for _ in range(2):
        assert v.decode(token, KEY) == PAYLOAD
    assert v.cache_info() == (0, 0, 0, 0, 0)
    v.cache_clear()
    # only signature-checking verifiers cache (nothing is tied to a key): asking
    # for a cache without the signature check is refused, not silently ignored
    with pytest.raises(ValueError, match="signature check"):
        cjwt.Verifier(options={"verify_signature": False}, cache=4)
    u = cjwt.Verifier(options={"verify_signature": False})
    for key in (None, KEY):
        assert u.decode(token, key) == cjwt.decode(token, options={"verify_signature": False})
    assert u.cache_info() == (0, 0, 0, 0, 0)


# ---- results are fresh objects ------------------------------------------------------

def test_mutating_a_result_does_not_change_the_next_hit():
    v = cjwt.Verifier(["HS256"], cache=4)
    token = token_for()
    first = v.decode(token, KEY)
    first["sub"] = "mallory"
    first["roles"].append("admin")
    first["nested"]["x"].clear()
    second = v.decode(token, KEY)
    assert second == PAYLOAD and second is not first
    assert second["roles"] is not first["roles"]
    full = v.decode_complete(token, KEY)
    full["header"]["alg"] = "none"
    full["payload"]["roles"] = []
    again = v.decode_complete(token, KEY)
    assert again["header"] == {"alg": "HS256", "typ": "JWT"}
    assert again["payload"] == PAYLOAD
    assert v.cache_info().hits == 3


# ---- threads ------------------------------------------------------------------------

def test_eight_threads_share_one_verifier():
    store = Recorder(revoked={"rev"})
    v = cjwt.Verifier(["HS256", "ES256"], audience="api", denylist=store, cache=16)
    good = [cjwt.encode({"aud": "api", "jti": f"j{i}", "n": i, "exp": NOW + 100},
                        (KEY, EC)[i % 2], ("HS256", "ES256")[i % 2]) for i in range(24)]
    expiring = cjwt.encode({"aud": "api", "jti": "e", "exp": NOW + 10}, KEY, "HS256")
    revoked = cjwt.encode({"aud": "api", "jti": "rev"}, KEY, "HS256")
    bad_sig = good[0][:-2] + ("AA" if not good[0].endswith("AA") else "BB")
    errors = []
    calls = [0] * 8
    rounds = 150
    barrier = threading.Barrier(8)

    def worker(w):
        try:
            barrier.wait()
            for r in range(rounds):
                i = (w * 7 + r) % len(good)
                key = (KEY, EC)[i % 2]
                got = v.decode(good[i], key, now=NOW)
                assert got == {"aud": "api", "jti": f"j{i}", "n": i, "exp": NOW + 100}, got
                got["n"] = -1                        # never seen by another thread
                late = NOW + 5 if r % 2 else NOW + 20
                try:
                    v.decode(expiring, KEY, now=late)
                    assert late == NOW + 5
                except cjwt.ExpiredSignatureError:
                    assert late == NOW + 20
                with pytest.raises(cjwt.RevokedTokenError):
                    v.decode(revoked, KEY, now=NOW)
                with pytest.raises(cjwt.InvalidSignatureError):
                    v.decode(bad_sig, KEY, now=NOW)
                calls[w] += 4
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    info = v.cache_info()
    assert info.hits + info.misses == sum(calls) == 8 * rounds * 4
    assert info.hits > 0 and info.size <= 16
    # good + the expiring token at NOW+5 + the revoked one (asked, then refused)
    assert len(store.calls) == 8 * rounds * 2 + 8 * rounds // 2


# ---- memory ---------------------------------------------------------------------------

def one_round(v, vd, tokens, i):
    token = tokens[i % len(tokens)]
    v.decode(token, KEY, now=NOW)
    v.decode_complete(token, (KEY, SECRET)[i % 2], now=NOW)
    vd.decode(tokens[0], KEY, now=NOW)
    for fn in (
        lambda: v.decode(token, KEY, now=NOW + 7200),                  # expired (drops entry)
        lambda: v.decode(token, "w" * 32, now=NOW),                    # bad signature
        lambda: v.decode("a.b", KEY, now=NOW),                         # malformed
        lambda: v.decode(token, {"kty": "EC"}, now=NOW),               # bad JWK
        lambda: vd.decode(tokens[1], KEY, now=NOW),                    # revoked on a hit
        lambda: vd.decode(tokens[2], KEY, now=NOW),                    # the store raises
        lambda: v.decode(12, KEY),                                     # TypeError
        lambda: cjwt.Verifier(["HS256"], cache=-1),                    # ValueError
        lambda: cjwt.Verifier(["HS256"], audience=[1]),                # TypeError
    ):
        try:
            fn()
        except (cjwt.PyJWTError, TypeError, ValueError):
            pass
    if i % 50 == 0:       # verifiers come and go with entries (and key references) cached
        w = cjwt.Verifier(["HS256"], issuer=["a", "b"], options={"require": ["jti"]}, cache=4)
        w.decode(tokens[-1], cjwt.Key.from_secret(SECRET), now=NOW)


class LeakStore:
    def is_revoked(self, jti, fid):
        if jti == "boom":
            raise ConnectionError("down")
        return jti == "rev"


def leak_setup():
    tokens = [cjwt.encode({"jti": j, "exp": NOW + 3600, "x": [1, {"y": "z"}]}, KEY, "HS256")
              for j in ("ok", "rev", "boom", "t3", "t4")]
    tokens.append(cjwt.encode({"jti": "i", "iss": "b"}, KEY, "HS256"))
    v = cjwt.Verifier(["HS256"], cache=3)     # 5 tokens through 3 slots: evictions too
    vd = cjwt.Verifier(["HS256"], denylist=LeakStore(), cache=8)
    return v, vd, tokens


@pytest.mark.parametrize("tracker", ["tracemalloc", "rss"])
def test_no_leak(tracker):
    v, vd, tokens = leak_setup()
    assert_no_growth(tracker, 1000, 10000, lambda i: one_round(v, vd, tokens, i))


def test_refcounts_stable():
    v, vd, tokens = leak_setup()
    store = LeakStore()
    vs = cjwt.Verifier(["HS256"], denylist=store, cache=2)
    objs = [KEY, SECRET, tokens[0], tokens[1], store, v, vs, cjwt.RevokedTokenError]
    one_round(v, vd, tokens, 1)
    vs.decode(tokens[0], KEY, now=NOW)
    before = [sys.getrefcount(o) for o in objs]
    for i in range(500):
        v.decode(tokens[0], KEY, now=NOW)
        v.decode(tokens[0], SECRET, now=NOW)
        vs.decode(tokens[0], KEY, now=NOW)
        try:
            vs.decode(tokens[1], KEY, now=NOW)
        except cjwt.RevokedTokenError:
            pass
    after = [sys.getrefcount(o) for o in objs]
    assert after == before


def test_a_cycle_through_the_store_is_collected():
    class Store:
        def is_revoked(self, jti, fid):
            return False

    store = Store()
    store.verifier = cjwt.Verifier(["HS256"], denylist=store, cache=2)
    store.verifier.decode(token_for({"jti": "c"}), KEY)
    ref = weakref.ref(store)
    del store
    gc.collect()
    assert ref() is None


# ---- misuse ---------------------------------------------------------------------------

@pytest.mark.parametrize("cache, exc", [
    (True, TypeError), (False, TypeError), (None, TypeError), (1.0, TypeError), ("8", TypeError),
    (-1, ValueError), (cjwt.MAX_CACHE_SIZE + 1, ValueError), (2 ** 100, ValueError),
    (-2 ** 100, ValueError),
])
def test_bad_cache_values(cache, exc):
    with pytest.raises(exc, match="cache"):
        cjwt.Verifier(["HS256"], cache=cache)


def test_cache_limits_accepted():
    assert cjwt.Verifier(["HS256"], cache=0).cache_info().capacity == 0
    assert cjwt.Verifier(["HS256"], cache=1).cache_info().capacity == 1
    assert cjwt.MAX_CACHE_SIZE == 1 << 22


def test_settings_are_validated_like_decode():
    token = token_for()
    for kw in ({"algorithms": ["XX"]}, {"algorithms": "HS256", "audience": 5},
               {"algorithms": ["HS256"], "leeway": "1"}, {"algorithms": ["HS256"], "options": []},
               {"algorithms": ["HS256"], "issuer": b"x"}, {"algorithms": ["HS256"], "typ": 1},
               {"algorithms": ["HS256"], "max_age": True},
               {"algorithms": ["HS256"], "subject": "a\0b"},
               {"algorithms": ["HS256"], "options": {"require": "exp"}},
               {"algorithms": ["HS256"], "options": {"max_depth": -1}}):
        with pytest.raises(Exception) as made:
            cjwt.Verifier(**kw)
        with pytest.raises(Exception) as called:
            cjwt.decode(token, KEY, **kw)
        assert type(made.value) is type(called.value), kw
        assert str(made.value) == str(called.value), kw


def test_algorithms_are_required_when_the_signature_is_checked():
    with pytest.raises(cjwt.DecodeError, match="when creating a Verifier"):
        cjwt.Verifier()
    with pytest.raises(cjwt.DecodeError):
        cjwt.Verifier(algorithms=[])
    with pytest.raises(cjwt.DecodeError, match=r"when calling decode\(\)"):
        cjwt.decode(token_for(), KEY)


def test_call_arguments():
    v = cjwt.Verifier(["HS256"], cache=2)
    token = token_for()
    assert v.decode(token=token, key=KEY) == PAYLOAD
    assert v.decode(token.encode(), KEY) == PAYLOAD
    with pytest.raises(cjwt.DecodeError, match="Invalid token type"):
        v.decode(12, KEY)                          # as decode (PyJWT's class)
    with pytest.raises(TypeError):
        v.decode(token, KEY, NOW)                  # now is keyword-only
    with pytest.raises(TypeError, match="unexpected keyword argument 'algorithms'"):
        v.decode(token, KEY, algorithms=["HS256"])  # settings belong to the Verifier
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'token'"):
        v.decode(key=KEY)
    with pytest.raises(TypeError, match="now must be int or float"):
        v.decode(token, KEY, now="1")
    with pytest.raises(TypeError):
        cjwt.Verifier(["HS256"], ["HS384"])          # only algorithms is positional
    with pytest.raises(TypeError):
        cjwt.Verifier(["HS256"], verify=True)
    # no key: what decode says about it
    with pytest.raises(cjwt.PyJWTError) as e:
        v.decode(token)
    with pytest.raises(cjwt.PyJWTError) as d:
        cjwt.decode(token, None, algorithms=["HS256"])
    assert (type(e.value), str(e.value)) == (type(d.value), str(d.value))


def test_immutable_and_not_subclassable():
    v = cjwt.Verifier(["HS256"], cache=2)
    with pytest.raises(AttributeError):
        v.cache_size = 5
    with pytest.raises(AttributeError):
        v.anything = 1
    with pytest.raises(TypeError):
        type("Sub", (cjwt.Verifier,), {})
    assert repr(v) == "<cjwt.Verifier cache=2>"
    assert "Verifier" in cjwt.__all__ and "CacheInfo" in cjwt.__all__
