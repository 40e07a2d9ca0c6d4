"""Threat: memory growth under sustained load (a leak per call turns into a
denial of service). 100,000 encode+decode rounds through the binding, each
also refusing one hostile token; the process RSS, which covers what the core
mallocs, must stay within a small bound after warm-up. The C soak
(`make test-soak`) does 200,000 rounds on the core alone."""
import gc
import os

import pytest

import cjwt
from conftest import NOW
from threatlib import HMAC_SECRET, KEYS

ROUNDS = 100_000
# Under AddressSanitizer (an instrumented build preloaded with libasan) freed
# memory sits in a quarantine, so RSS grows by design; LeakSanitizer checks there.
pytestmark = pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""),
                                reason="RSS is meaningless under ASan's quarantine")
BOUND_KIB = 2048   # a 16-byte leak per round would be 1.5 MiB; 32 bytes is over


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def rounds(n, key, alg, verify_key):
    hostile = ("e30.e30.e30", "a.b.c.d.e", "x" * 20000)
    for i in range(n):
        token = cjwt.encode({"sub": "user-1", "n": i, "exp": NOW + 60}, key, algorithm=alg,
                            headers={"kid": "k1"})
        assert cjwt.decode(token, verify_key, algorithms=[alg], now=NOW)["n"] == i
        try:
            cjwt.decode(hostile[i % 3], verify_key, algorithms=[alg], now=NOW)
        except cjwt.PyJWTError:
            pass


def assert_rss_flat(n, key, alg, verify_key):
    """n rounds (after n / 10 to warm up) grow the RSS by less than BOUND_KIB."""
    rounds(n // 10, key, alg, verify_key)
    gc.collect()
    before = rss_kib()
    rounds(n, key, alg, verify_key)
    gc.collect()
    grown = rss_kib() - before
    print("%s: %d rounds, RSS %+d KiB" % (alg, n, grown))
    assert grown < BOUND_KIB, grown


def test_hs256_rss_stays_flat():
    assert_rss_flat(ROUNDS, HMAC_SECRET, "HS256", HMAC_SECRET)


def test_es256_rss_stays_flat():
    # Key objects parsed once, as an application would hold them.
    priv = cjwt.Key.from_pem(KEYS["ec256"]["private_pem"])
    pub = cjwt.Key.from_pem(KEYS["ec256"]["public_pem"])
    assert_rss_flat(ROUNDS // 10, priv, "ES256", pub)
