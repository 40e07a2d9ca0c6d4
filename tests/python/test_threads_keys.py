"""8 threads verify a few thousand asymmetric and HMAC tokens with shared Key
and KeySet objects (the GIL is released around the core's work): every answer
right, no error. Correctness only; no timing is asserted."""
import sys
from concurrent.futures import ThreadPoolExecutor

import cjwt
from conftest import NOW
from keyfix import private_pem, public_pem

N_THREADS = 8
ALGS = ["RS256", "PS256", "ES256", "EdDSA"]


def test_shared_key_and_keyset_across_threads():
    priv = {alg: cjwt.Key.from_pem(private_pem(alg)).with_kid(alg) for alg in ALGS}
    pub = {alg: cjwt.Key.from_pem(public_pem(alg)).with_kid(alg) for alg in ALGS}
    keyset = cjwt.KeySet(pub.values())
    hs = cjwt.Key.from_secret(b"s" * 32)
    tokens = []
    for i in range(2400):
        alg = ALGS[i % len(ALGS)]
        tokens.append((alg, i, cjwt.encode({"i": i}, priv[alg], algorithm=alg,
                                           headers={"kid": alg})))
    hs_tokens = [cjwt.encode({"i": i}, hs) for i in range(1600)]

    def work(tid):
        errors = []
        for alg, i, token in tokens[tid::N_THREADS]:
            if cjwt.decode(token, keyset, algorithms=ALGS, now=NOW) != {"i": i}:
                errors.append(("keyset", i))
            if cjwt.decode(token, pub[alg], algorithms=[alg], now=NOW) != {"i": i}:
                errors.append(("key", i))
        for i in range(tid, len(hs_tokens), N_THREADS):
            if cjwt.decode(hs_tokens[i], hs, algorithms=["HS256"], now=NOW)["i"] != i:
                errors.append(("hs", i))
        # signing from many threads with one shared private key
        for i in range(20):
            t = cjwt.encode({"t": tid, "i": i}, priv["ES256"], algorithm="ES256")
            if cjwt.decode(t, keyset, algorithms=["ES256"], now=NOW) != {"t": tid, "i": i}:
                errors.append(("sign", tid, i))
        return errors

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        with ThreadPoolExecutor(N_THREADS) as pool:
            results = list(pool.map(work, range(N_THREADS)))
    finally:
        sys.setswitchinterval(old)
    assert [e for r in results for e in r] == []
