"""The GIL is released around the core's pure C work: many threads decoding
and encoding at once with shared and per-call keys all get the right answers."""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import cjwt
from conftest import NOW, SECRETS

N_THREADS = 8
PER_THREAD = 400


def worker(tid, shared_key, tokens):
    errors = []
    for i in range(PER_THREAD):
        alg = ("HS256", "HS384", "HS512")[(tid + i) % 3]
        # per-call str key, shared Key object, and a freshly encoded token
        own = cjwt.encode({"tid": tid, "i": i, "pad": "x" * (i % 50)}, SECRETS[alg],
                          algorithm=alg, headers={"kid": str(tid)})
        got = cjwt.decode(own, SECRETS[alg], algorithms=[alg], now=NOW)
        if got != {"tid": tid, "i": i, "pad": "x" * (i % 50)}:
            errors.append(("own", tid, i, got))
        j = (tid * 7 + i) % len(tokens)
        got = cjwt.decode(tokens[j], shared_key, algorithms=["HS256"], now=NOW)
        if got["j"] != j:
            errors.append(("shared", tid, i, got))
        try:
            cjwt.decode(tokens[j], shared_key, algorithms=["HS256"], now=NOW,
                        audience="nobody", options={"require": ["aud"]})
            errors.append(("no error", tid, i))
        except cjwt.MissingRequiredClaimError as e:
            if e.claim != "aud":
                errors.append(("claim", tid, i, e.claim))
    return errors


def test_concurrent_decode_and_encode():
    shared_key = cjwt.Key.from_secret(SECRETS["HS256"])
    tokens = [cjwt.encode({"j": j}, shared_key) for j in range(64)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # force frequent switches between threads
    try:
        with ThreadPoolExecutor(N_THREADS) as pool:
            results = list(pool.map(lambda t: worker(t, shared_key, tokens), range(N_THREADS)))
    finally:
        sys.setswitchinterval(old)
    assert [e for r in results for e in r] == []


def test_other_threads_progress_during_verify():
    # Smoke test: a pure-Python thread keeps running while this one verifies
    # large tokens in a loop (no timing asserted). Correctness with the GIL
    # released is what test_concurrent_decode_and_encode checks.
    key = cjwt.Key.from_secret(SECRETS["HS256"])
    big = cjwt.encode({"data": "y" * 11000}, key)
    stop = threading.Event()
    ticks = [0]

    def counter():
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=counter)
    t.start()
    try:
        for _ in range(200):
            cjwt.decode(big, key, algorithms=["HS256"], now=NOW)
    finally:
        stop.set()
        t.join()
    assert ticks[0] > 0
