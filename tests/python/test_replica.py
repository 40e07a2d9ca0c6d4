"""RedisStore's revocation feed and its replicas (cjwt.replica), on real
redis-server processes (and a redis-sentinel failover) started here on free
127.0.0.1 ports with `appendonly yes`: kill, SIGSTOP, restart, failover. In
every case: no revoked token is accepted once `max_lag` has passed (the
replica raises RevocationUnavailableError instead), nothing is lost, and
the replica becomes healthy again by itself."""
import contextlib
import os
import sys
import threading
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import cjwt  # noqa: E402
from redis_procs import RedisProc, SentinelSet  # noqa: E402

redis = pytest.importorskip("redis")

MAX_LAG = 1.0
ISS, AUD = "https://auth.example.com", "api.example.com"
KEY = cjwt.Key.generate("ES256", kid="auth-1")
PUB = cjwt.Key.from_jwk(KEY.to_jwk())


@pytest.fixture
def server():
    s = RedisProc()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def prefix():
    return f"r{uuid.uuid4().hex[:8]}:"


def replica(server, prefix, **kw):
    kw.setdefault("max_lag", MAX_LAG)
    return cjwt.RedisStore(server.client(), prefix=prefix, replica=True, **kw)


def writer(server, prefix):
    return cjwt.RedisStore(server.client(), prefix=prefix)


def wait_for(cond, seconds=10.0, what="condition"):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if cond():
                return
        except (cjwt.RevocationUnavailableError, redis.ConnectionError):
            pass                 # (MasterNotFoundError during a failover)
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def healthy(store):
    return store.replica_status()["healthy"]


# ---- the feed ----------------------------------------------------------------

def test_every_write_appends_to_the_feed_atomically(server, prefix):
    w = writer(server, prefix)
    c = server.client()
    now = time.time()
    w.revoke_jti("j1", now + 60)
    w.revoke_family("f1", now + 600)
    w.revoke_family("f1", now + 60)          # shorter: no change, no feed entry
    assert w.mark_used("u1", now + 60)        # not a revocation: not in the feed
    feed = [f for _, f in c.xrange(prefix + "revocations")]
    assert feed == [{"k": "jti", "id": "j1", "ttl": "60"}, {"k": "fid", "id": "f1", "ttl": "600"}]
    assert c.ttl(prefix + "revoked:fid:f1") > 500           # today's keys, unchanged
    assert c.exists(prefix + "revoked:jti:j1") == 1
    assert c.get(prefix + "revocations:horizon") == "600"


def test_refresh_reuse_revocation_is_in_the_feed(server, prefix):
    issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=writer(server, prefix))
    pair = issuer.issue("u")
    issuer.refresh(pair.refresh_token)
    with pytest.raises(cjwt.RevokedTokenError):
        issuer.refresh(pair.refresh_token)
    feed = [f for _, f in server.client().xrange(prefix + "revocations")]
    assert [(f["k"], f["id"]) for f in feed] == [("fid", pair.family_id)]


def test_feed_is_trimmed_to_live_entries(server, prefix):
    w = writer(server, prefix)
    c = server.client()
    w.revoke_jti("short", time.time() + 1)
    time.sleep(2.2)          # "short" (ttl 1, horizon 1) is dead and trimmed at the next write
    w.revoke_jti("next", time.time() + 1)
    assert [f["id"] for _, f in c.xrange(prefix + "revocations")] == ["next"]


# ---- the replica -------------------------------------------------------------

def test_replica_loads_then_follows(server, prefix):
    w = writer(server, prefix)
    now = time.time()
    w.revoke_jti("before", now + 60)
    w.revoke_family("fam-before", now + 60)
    r = replica(server, prefix)
    try:
        st = r.replica_status()
        assert st["healthy"] and st["entries"] == 2 and st["lag"] < MAX_LAG
        assert r.is_revoked("before", None) and r.is_revoked("x", "fam-before")
        assert not r.is_revoked("after", None)
        w.revoke_jti("after", time.time() + 60)
        wait_for(lambda: r.is_revoked("after", None), 2, "revocation reached the replica")
        assert r.replica_status()["entries"] == 3
    finally:
        r.close()


def test_checks_cost_no_redis_commands(server, prefix):
    r = replica(server, prefix)
    try:
        c = server.client()
        before = c.info("stats")["total_commands_processed"]
        t0 = time.monotonic()
        for i in range(20000):
            r.is_revoked("j%d" % i, "f")
        took = time.monotonic() - t0
        after = c.info("stats")["total_commands_processed"]
        # the follower's XREAD BLOCK heartbeats (every max_lag / 4) and our INFO only
        assert after - before <= 2 + 8 * (took + 0.5), (before, after, took)
    finally:
        r.close()


def test_decode_with_a_replica_and_fail_closed(server, prefix):
    issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=writer(server, prefix))
    r = replica(server, prefix)
    try:
        pair = issuer.issue("u")

        def check():
            return cjwt.decode(pair.access_token, PUB, algorithms=["ES256"], audience=AUD,
                               typ="at+jwt", denylist=r)
        assert check()["sub"] == "u"
        issuer.revoke(pair.access_token)
        wait_for(lambda: r.is_revoked(cjwt.decode(pair.access_token, PUB, algorithms=["ES256"],
                                                  audience=AUD)["jti"], None), 2)
        with pytest.raises(cjwt.RevokedTokenError):
            check()
        server.pause()
        try:
            time.sleep(MAX_LAG + 0.3)
            with pytest.raises(cjwt.RevocationUnavailableError):
                check()
            fresh = issuer.issue("u2") if False else None   # no writes while Redis is stopped
            assert fresh is None
        finally:
            server.resume()
        wait_for(lambda: healthy(r), 5, "healthy after SIGCONT")
        with pytest.raises(cjwt.RevokedTokenError):
            check()
    finally:
        r.close()


def test_entries_leave_memory_with_their_tokens(server, prefix):
    w = writer(server, prefix)
    r = replica(server, prefix)
    try:
        w.revoke_jti("short", time.time() + 1)
        w.revoke_jti("long", time.time() + 60)
        wait_for(lambda: r.is_revoked("short", None) and r.is_revoked("long", None), 2)
        assert r.replica_status()["entries"] == 2
        time.sleep(2.3)
        assert not r.is_revoked("short", None) and r.is_revoked("long", None)
        assert r.replica_status()["entries"] == 1
        assert "short" not in r._replica._jti        # swept, not only hidden
    finally:
        r.close()


def test_replica_writes_are_seen_at_once(server, prefix):
    r = replica(server, prefix)
    try:
        r.revoke_jti("mine", time.time() + 60)
        assert r.is_revoked("mine", None)            # before the feed brings it back
        wait_for(lambda: r.replica_status()["last_id"] != "0-0", 2)
        assert r.replica_status()["entries"] == 1    # merged, not held twice
    finally:
        r.close()


def test_a_client_without_socket_timeout_is_refused(server, prefix):
    c = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=None)
    with pytest.raises(ValueError, match="socket_timeout"):
        cjwt.RedisStore(c, prefix=prefix, replica=True)
    with pytest.raises(ValueError, match="max_lag"):
        cjwt.RedisStore(server.client(), prefix=prefix, replica=True, max_lag=0)
    with pytest.raises(ValueError, match="replica=True"):
        cjwt.RedisStore(server.client(), prefix=prefix).replica_status()


def test_closed_replica_refuses(server, prefix):
    r = replica(server, prefix)
    r.close()
    assert not healthy(r)
    with pytest.raises(cjwt.RevocationUnavailableError, match="closed"):
        r.is_revoked("a", None)


def test_redis_down_at_start_fails_closed_then_recovers(prefix):
    from redis_procs import free_port

    port = free_port()
    c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, decode_responses=True)
    t0 = time.monotonic()
    r = cjwt.RedisStore(c, prefix=prefix, replica=True, max_lag=0.5)
    assert time.monotonic() - t0 < 2.0            # waits at most max_lag for the first load
    try:
        with pytest.raises(cjwt.RevocationUnavailableError, match="not loaded"):
            r.is_revoked("a", None)
        wait_for(lambda: r.replica_status()["error"], 10, "the connection error is reported")
        s = RedisProc(port=port)
        try:
            wait_for(lambda: healthy(r), 5, "healthy once Redis is up")
            assert not r.is_revoked("a", None)
        finally:
            s.close()
    finally:
        r.close()


def test_stale_replica_logs_state_changes_not_each_refused_check(server, prefix, caplog):
    # Thousands of checks refused while Redis is stopped: one ERROR when the
    # refusals start, at most one summary per LOG_INTERVAL, one WARNING when
    # checks answer again (with the count), and the thread's own two lines.
    import logging

    r = replica(server, prefix, max_lag=0.5)
    r._replica.LOG_INTERVAL = 0.3
    caplog.set_level(logging.INFO, logger="cjwt.replica")
    try:
        assert not r.is_revoked("a", None)
        server.pause()
        try:
            time.sleep(0.7)
            refused, t0 = 0, time.monotonic()
            while time.monotonic() - t0 < 1.0:
                with pytest.raises(cjwt.RevocationUnavailableError):
                    r.is_revoked("a", None)
                refused += 1
            took = time.monotonic() - t0
        finally:
            server.resume()
        wait_for(lambda: healthy(r), 10, "healthy after SIGCONT")
        assert not r.is_revoked("a", None)
        assert not r.is_revoked("a", None)
    finally:
        r.close()
    msgs = [(rec.levelno, rec.getMessage()) for rec in caplog.records
            if rec.name == "cjwt.replica"]
    first = [m for lvl, m in msgs if lvl == logging.ERROR and "(logged once;" in m]
    summaries = [m for lvl, m in msgs if lvl == logging.ERROR and "still refusing after" in m]
    back = [m for lvl, m in msgs if lvl == logging.WARNING and "answering again after" in m]
    lost = [m for lvl, m in msgs if lvl == logging.WARNING and "lost Redis" in m]
    assert refused >= 1000, refused              # a flood, had each been logged
    assert len(first) == 1 and "has not heard from Redis" in first[0], msgs
    assert 1 <= len(summaries) <= took / 0.3 + 1, summaries
    assert len(back) == 1 and "; %d checks were refused" % refused in back[0], back
    # the thread: its XREAD may outlast the stop (socket_timeout 2 s); if it
    # failed, one line when it did and one when it was in sync again
    synced = [m for lvl, m in msgs if lvl == logging.INFO]
    assert len(lost) <= 1 and synced == [
        "revocation replica %srevocations: in sync with Redis again" % prefix] * len(lost), msgs
    assert len(msgs) == len(first) + len(summaries) + len(back) + 2 * len(lost), msgs
    assert r.replica_status()["refused"] == refused


# ---- faults: kill, stop, restart ------------------------------------------------

def assert_fails_closed_within(r, jti, seconds):
    """From now on, `jti` is never reported not revoked; after `seconds` the
    replica raises RevocationUnavailableError."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            assert r.is_revoked(jti, None)
        except cjwt.RevocationUnavailableError:
            return
        time.sleep(0.01)
    with pytest.raises(cjwt.RevocationUnavailableError):
        r.is_revoked(jti, None)


@contextlib.contextmanager
def following(server, prefix, *jtis):
    """A writer and a replica (closed afterwards) that has received the
    revocations of `jtis`: (writer, replica, resyncs so far)."""
    w = writer(server, prefix)
    r = replica(server, prefix)
    try:
        for jti in jtis:
            w.revoke_jti(jti, time.time() + 120)
        wait_for(lambda: all(r.is_revoked(j, None) for j in jtis), 2, "revocations followed")
        yield w, r, r.replica_status()["resyncs"]
    finally:
        r.close()


def revoked_soon(server, prefix, r, jti, seconds=2):
    """A new writer revokes `jti`; the replica has it within `seconds`."""
    writer(server, prefix).revoke_jti(jti, time.time() + 120)
    wait_for(lambda: r.is_revoked(jti, None), seconds, "%s followed" % jti)


def test_kill_and_restart_loses_nothing(server, prefix, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="cjwt.replica")
    with following(server, prefix, *("k%d" % i for i in range(50))) as (_, r, _):
        server.kill()
        assert_fails_closed_within(r, "k0", MAX_LAG + 0.5)
        server.start()                                 # same port and dir: the AOF comes back
        wait_for(lambda: healthy(r), 10, "healthy after the restart")
        assert all(r.is_revoked("k%d" % i, None) for i in range(50))
        assert writer(server, prefix).client.exists(prefix + "revoked:jti:k0") == 1   # persisted
        revoked_soon(server, prefix, r, "after-restart")
        assert r.replica_status()["entries"] == 51
        # many reconnection attempts while Redis was down: logged once, and
        # once when in sync again
        lines = [rec.getMessage() for rec in caplog.records if rec.name == "cjwt.replica"]
        assert len([m for m in lines if "lost Redis" in m]) == 1, lines
        assert len([m for m in lines if "in sync with Redis again" in m]) == 1, lines


def test_sigstop_fails_closed_and_recovers(server, prefix):
    with following(server, prefix, "s1") as (w, r, _):
        server.pause()
        try:
            t0 = time.monotonic()
            assert_fails_closed_within(r, "s1", MAX_LAG + 0.5)
            assert time.monotonic() - t0 <= MAX_LAG + 0.5
            assert not healthy(r)
        finally:
            server.resume()
        wait_for(lambda: healthy(r), 10, "healthy after SIGCONT")
        revoked_soon(server, prefix, r, "s2")
        assert r.is_revoked("s1", None)


def test_restart_without_the_stream_reloads_and_keeps_what_it_had(prefix):
    # A Redis that comes back empty (no persistence): the feed position is
    # gone, so the replica reloads; what it held stays until it expires.
    s = RedisProc(appendonly=False)
    try:
        with following(s, prefix, "lost-in-redis") as (_, r, resyncs):
            s.restart()
            wait_for(lambda: healthy(r) and r.replica_status()["resyncs"] > resyncs, 10)
            assert r.is_revoked("lost-in-redis", None)
            revoked_soon(s, prefix, r, "new")
    finally:
        s.close()


def test_trimmed_position_falls_back_to_a_full_reload(server, prefix):
    c = server.client()
    with following(server, prefix, "a") as (_, r, resyncs):
        # a revocation the feed never carried (a writer from before the feed),
        # and the replica's position trimmed away, while its connection drops
        c.set(prefix + "revoked:jti:unfed", "1", ex=120)
        c.xtrim(prefix + "revocations", maxlen=0)
        c.client_kill_filter(_type="normal", skipme=True)
        wait_for(lambda: r.replica_status()["resyncs"] > resyncs and healthy(r), 10)
        assert r.is_revoked("unfed", None) and r.is_revoked("a", None)


def test_reconnect_with_the_same_history_continues_without_reload(server, prefix):
    with following(server, prefix, "a") as (_, r, resyncs):
        server.client().client_kill_filter(_type="normal", skipme=True)
        revoked_soon(server, prefix, r, "b", 5)
        assert r.replica_status()["resyncs"] == resyncs


def test_sentinel_failover_loses_nothing():
    ss = SentinelSet()
    prefix = "sf:"
    try:
        sentinel = ss.sentinel()
        master = sentinel.master_for(ss.name, socket_timeout=1, decode_responses=True)
        w = cjwt.RedisStore(master, prefix=prefix)
        r = cjwt.RedisStore(sentinel.master_for(ss.name, socket_timeout=1, decode_responses=True),
                            prefix=prefix, replica=True, max_lag=MAX_LAG)
        try:
            for i in range(20):
                w.revoke_jti("pre%d" % i, time.time() + 120)
            master.wait(1, 2000)                       # on the replica before the failover
            wait_for(lambda: r.is_revoked("pre19", None), 2)
            old = ss.master_port()
            ss.master.kill()
            assert_fails_closed_within(r, "pre0", MAX_LAG + 0.5)
            wait_for(lambda: ss.master_port() != old, 20, "sentinel promoted the replica")
            wait_for(lambda: healthy(r), 10, "replica healthy on the new master")
            w.revoke_jti("post", time.time() + 120)    # the master_for client follows too
            wait_for(lambda: r.is_revoked("post", None), 2)
            assert all(r.is_revoked("pre%d" % i, None) for i in range(20))
            # a fresh replica on the new master finds them all too
            r2 = cjwt.RedisStore(sentinel.master_for(ss.name, socket_timeout=1,
                                                     decode_responses=True),
                                 prefix=prefix, replica=True)
            try:
                assert r2.replica_status()["entries"] == 21
            finally:
                r2.close()
        finally:
            r.close()
    finally:
        ss.close()


def test_sentinel_per_request_store_fails_closed_then_follows_the_failover():
    # No replica: RedisStore's EXISTS per check through a Sentinel-managed
    # client (master_for). While the sentinels have not promoted the replica,
    # decode refuses (RevocationUnavailableError, fail closed); afterwards the
    # client's next connection goes to the new master by itself.
    ss = SentinelSet()
    try:
        client = ss.sentinel().master_for(ss.name, socket_timeout=1, decode_responses=True)
        store = cjwt.RedisStore(client, prefix="sp:")
        issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store)
        before = [issuer.issue("u%d" % i) for i in range(5)]
        for p in before:
            issuer.revoke(p.access_token)
        client.wait(1, 2000)                           # on the replica before the failover
        fresh = issuer.issue("fresh").access_token

        def check(token):
            return cjwt.decode(token, PUB, algorithms=["ES256"], audience=AUD, typ="at+jwt",
                               denylist=store)
        assert check(fresh)["sub"] == "fresh"
        old = ss.master_port()
        ss.master.kill()
        refused = 0

        def promoted():
            nonlocal refused
            for p in before:                           # never accepted meanwhile
                with pytest.raises((cjwt.RevokedTokenError, cjwt.RevocationUnavailableError)):
                    check(p.access_token)
            try:
                check(fresh)
            except cjwt.RevocationUnavailableError as e:
                assert isinstance(e.__cause__, redis.RedisError), e.__cause__
                refused += 1
            return ss.master_port() != old
        wait_for(promoted, 20, "sentinel promoted the replica")
        assert refused >= 1                            # the master was gone for a while
        wait_for(lambda: check(fresh), 10, "checks reach the new master")
        for p in before:                               # nothing lost
            with pytest.raises(cjwt.RevokedTokenError):
                check(p.access_token)
        after = issuer.issue("after")
        issuer.revoke(after.access_token)              # written to the new master
        with pytest.raises(cjwt.RevokedTokenError):    # and seen at once: no replica
            check(after.access_token)
    finally:
        ss.close()


# ---- threads and fork -------------------------------------------------------------

def test_threads_check_while_revocations_arrive(server, prefix):
    w = writer(server, prefix)
    r = replica(server, prefix, max_lag=5.0)
    errors = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                for i in range(200):
                    r.is_revoked("t%d" % i, None)
        except Exception as e:        # pragma: no cover
            errors.append(e)
    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        for i in range(200):
            w.revoke_jti("t%d" % i, time.time() + 60)
        wait_for(lambda: all(r.is_revoked("t%d" % i, None) for i in range(200)), 5)
    finally:
        stop.set()
        for t in threads:
            t.join()
        r.close()
    assert not errors
    assert r.replica_status()["entries"] == 200


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_child_has_its_own_follower(server, prefix):
    w = writer(server, prefix)
    r = replica(server, prefix)
    try:
        w.revoke_jti("pre-fork", time.time() + 60)
        wait_for(lambda: r.is_revoked("pre-fork", None), 2)
        # another thread holds the lock while we fork: the child must not hang on it
        r._replica._lock.acquire()
        pid = os.fork()
        if pid == 0:                                  # the child
            code = 1
            try:
                ok = r.is_revoked("pre-fork", None)
                writer(server, prefix).revoke_jti("in-child", time.time() + 60)
                deadline = time.monotonic() + 5
                while not r.is_revoked("from-parent", None) and time.monotonic() < deadline:
                    time.sleep(0.01)
                code = 0 if ok and r.is_revoked("from-parent", None) else 2
            finally:
                os._exit(code)
        r._replica._lock.release()
        w.revoke_jti("from-parent", time.time() + 60)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        wait_for(lambda: r.is_revoked("in-child", None), 2)
    finally:
        r.close()
