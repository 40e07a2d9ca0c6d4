"""Threads and the lifecycle: MemoryStore is thread-safe; decode with a
denylist takes the GIL back inside the core's hook; concurrent refreshes of
one refresh token let exactly one through (the rest is reuse: the family is
revoked). Runs on MemoryStore and on a real redis-server."""
import threading
import uuid

import pytest

import cjwt
from redis_procs import redis_server  # noqa: F401 (a fixture: a redis-server per module)

ISS, AUD = "https://auth.example.com", "api.example.com"
KEY = cjwt.Key.generate("ES256", kid="k")
THREADS = 8


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return cjwt.MemoryStore()
    server = request.getfixturevalue("redis_server")
    return cjwt.RedisStore(server.client(), prefix=f"th{uuid.uuid4().hex[:8]}:")


def run_threads(fn, n=THREADS):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait(10)
            results[i] = fn(i)
        except BaseException as e:          # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def test_mark_used_lets_exactly_one_thread_win(store):
    for round_ in range(20):
        results, errors = run_threads(lambda i: store.mark_used(f"jti-{round_}", 2**40))
        assert errors == []
        assert sorted(results) == [False] * (THREADS - 1) + [True]


def test_memory_store_under_mixed_load():
    store = cjwt.MemoryStore()

    def work(i):
        for n in range(2000):
            store.revoke_jti(f"{i}-{n}", 2**40)
            assert store.is_revoked(f"{i}-{n}", None)
            assert not store.is_revoked(f"{i}-{n}-other", None)
            store.revoke_family(f"f{n % 10}", 2**40)
            assert store.is_revoked("nope", f"f{n % 10}")
            store.mark_used(f"u{n}", 2**40)
        return True
    results, errors = run_threads(work)
    assert errors == [] and all(results)
    assert len(store) == THREADS * 2000 + 10 + 2000


def test_decode_with_denylist_in_threads(store):
    issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store)
    pairs = [issuer.issue(f"user-{i}") for i in range(THREADS)]
    for p in pairs[::2]:
        issuer.revoke(p.access_token)

    def work(i):
        outcomes = []
        for _ in range(200):
            try:
                c = cjwt.decode(pairs[i].access_token, KEY, algorithms=["ES256"], audience=AUD,
                                typ="at+jwt", denylist=store)
                outcomes.append(c["sub"])
            except cjwt.RevokedTokenError:
                outcomes.append("revoked")
        return set(outcomes)
    results, errors = run_threads(work)
    assert errors == []
    assert results == [{"revoked"} if i % 2 == 0 else {f"user-{i}"} for i in range(THREADS)]


def test_concurrent_refresh_of_one_token(store):
    issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store)
    for _ in range(5):
        pair = issuer.issue("u")

        def work(i):
            try:
                return issuer.refresh(pair.refresh_token)
            except cjwt.RevokedTokenError:
                return "reuse"
        results, errors = run_threads(work)
        assert errors == []
        winners = [r for r in results if r != "reuse"]
        assert len(winners) == 1 and results.count("reuse") == THREADS - 1
        # the losers were reuse: the family, winner's new tokens included, is revoked
        with pytest.raises(cjwt.RevokedTokenError):
            issuer.verify(winners[0].access_token)
        with pytest.raises(cjwt.RevokedTokenError):
            issuer.refresh(winners[0].refresh_token)


def test_denylist_paths_do_not_leak():
    """Every outcome of the hook (not revoked, revoked, store raising, bad
    answer, bad fid) over many rounds: Python memory stays flat."""
    import gc
    import tracemalloc

    secret = "s" * 32
    good = cjwt.encode({"jti": "j", "fid": "f", "sub": "u"}, secret, "HS256")
    bad_fid = cjwt.encode({"jti": "j", "fid": 5}, secret, "HS256")

    class Store:
        def __init__(self, answer):
            self.answer = answer

        def is_revoked(self, jti, fid):
            if self.answer is ConnectionError:
                # a new exception each time: re-raising one instance grows its
                # __traceback__ (Python's behaviour, not a leak of ours)
                raise ConnectionError("down")
            return self.answer

    class NoTruth:
        def __bool__(self):
            raise ValueError("no truth")

    stores = [Store(False), Store(True), Store(ConnectionError), Store(NoTruth())]

    def rounds(n):
        for i in range(n):
            try:
                cjwt.decode(good if i % 5 else bad_fid, secret, algorithms=["HS256"],
                            denylist=stores[i % 4])
            except cjwt.PyJWTError:
                pass
    rounds(2000)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rounds(20000)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 64 * 1024, grown
