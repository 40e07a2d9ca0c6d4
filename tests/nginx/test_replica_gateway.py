"""The gateway's replicated denylist (cjwt.replica): configuration "rep" of
nginx.conf.in (prefix "rep:", max_lag = 1 s, lua_shared_dict
cjwt_revocations) on a redis-server started here on CJWT_REPLICA_REDIS_PORT
with `appendonly yes`, revoked through the Python cjwt.RedisStore. Real
processes: the Redis is killed, stopped (SIGSTOP) and restarted; an nginx
worker is killed; nginx is reloaded. In every case a revoked token is never
accepted, the answer while Redis is away is the documented 503 (fail closed,
within max_lag), and the replica recovers by itself. Runs last (reloads nginx)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from gwtest import AUD, ISS, error_log, error_log_size, lifecycle_issuer
from test_gateway import DIR, get

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from redis_procs import RedisProc, SentinelSet  # noqa: E402

PORT = os.environ.get("CJWT_REPLICA_REDIS_PORT")
pytestmark = pytest.mark.skipif(not (DIR and PORT), reason="run through tests/nginx/run.sh")

MAX_LAG = 1.0
PREFIX = "rep:"


@pytest.fixture(scope="module")
def redis_proc():
    proc = RedisProc(port=int(PORT))
    try:
        yield proc
    finally:
        proc.close()


@pytest.fixture(scope="module")
def issuer(redis_proc):
    import cjwt

    return lifecycle_issuer(cjwt.RedisStore(redis_proc.client(), prefix=PREFIX), refresh_ttl="7d")


def status(conf="rep"):
    code, _, body = get("/replica-status?conf=" + conf)
    assert code == 200, body
    return json.loads(body)


def wait_for(cond, seconds, what):
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def followers(redis_proc):
    return [c for c in redis_proc.client().client_list()
            if c.get("name") == "cjwt-replica:cjwt_revocations"]


@pytest.fixture(scope="module", autouse=True)
def healthy_at_start(redis_proc):
    wait_for(lambda: status()["healthy"], 10, "replica healthy")


def revoked_at_gateway(issuer, user, what, path="/rep/orders"):
    """A new token pair of `user` whose access token `issuer` revokes; the
    gateway refuses it (401) at `path` within 2 s."""
    pair = issuer.issue(user)
    issuer.revoke(pair.access_token)
    wait_for(lambda: get(path, pair.access_token)[0] == 401, 2, what)
    return pair


def test_revocation_reaches_the_gateway_and_checks_cost_no_redis_commands(issuer, redis_proc):
    pair = issuer.issue("user-1")
    assert get("/rep/orders", pair.access_token)[0] == 200
    c = redis_proc.client()
    log_before = error_log_size()
    before = c.info("stats")["total_commands_processed"]
    t0 = time.monotonic()
    for _ in range(100):
        assert get("/rep/orders", pair.access_token)[0] == 200
    took = time.monotonic() - t0
    after = c.info("stats")["total_commands_processed"]
    # one follower: an XREAD BLOCK (max_lag / 5) per step, nothing per request
    assert after - before <= 2 + 6 * (took + 0.5), (before, after, took)
    assert error_log_size() == log_before                # no log line on the success path
    t0 = time.monotonic()
    issuer.revoke(pair.access_token)
    wait_for(lambda: get("/rep/orders", pair.access_token)[0] == 401, 2, "revocation propagated")
    assert time.monotonic() - t0 < 1.0
    status_code, headers, _ = get("/rep/orders", pair.access_token)
    assert 'error_description="token revoked"' in headers["WWW-Authenticate"]
    # a family revocation too
    other = issuer.issue("user-2")
    issuer.revoke(other.refresh_token, family=True)
    wait_for(lambda: get("/rep/orders", other.access_token)[0] == 401, 2, "family revoked")


def test_a_dict_too_small_fails_closed_and_says_so(issuer, redis_proc):
    import cjwt

    tiny = cjwt.TokenIssuer(issuer.key, issuer=ISS, audience=AUD,
                            store=cjwt.RedisStore(redis_proc.client(), prefix="tiny:"))
    fresh = tiny.issue("user-tiny").access_token
    wait_for(lambda: get("/rep-tiny/orders", fresh)[0] == 200, 10, "tiny replica healthy")
    log_before = error_log_size()
    store = tiny.store
    for i in range(400):                       # far more than 12k of shared dict holds
        store.revoke_jti("tiny-%03d-%s" % (i, "x" * 40), time.time() + 600)
    # never "not revoked" from an incomplete copy: 503 (fail closed), logged once
    wait_for(lambda: get("/rep-tiny/orders", fresh)[0] == 503, 5, "fails closed")
    time.sleep(0.5)
    assert get("/rep-tiny/orders", fresh)[0] == 503
    new = error_log(log_before)
    assert new.count("lua_shared_dict cjwt_rev_tiny: no memory; requests are refused") == 1
    # the other replicas are not affected
    assert get("/rep/orders", issuer.issue("user-other").access_token)[0] == 200


def test_one_follower_per_nginx_instance(redis_proc):
    wait_for(lambda: len(followers(redis_proc)) == 1, 5, "exactly one follower connection")
    time.sleep(1.0)
    assert len(followers(redis_proc)) == 1


def never_accepted(token, seconds, fresh=None):
    """Polls the gateway for `seconds`: the revoked token never gets 200; the
    answers seen (and those of the fresh token, if given) are returned."""
    seen, seen_fresh = set(), set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        code, headers, _ = get("/rep/orders", token)
        took = time.monotonic() - t0
        assert code in (401, 503), code
        assert took < 1.0, took
        if code == 503:
            assert headers.get("Retry-After") == "1"
        seen.add(code)
        if fresh is not None:
            seen_fresh.add(get("/rep/orders", fresh)[0])
        time.sleep(0.02)
    return seen, seen_fresh


def test_redis_stopped_fails_closed_within_max_lag_and_recovers(issuer, redis_proc):
    revoked = revoked_at_gateway(issuer, "user-3", "propagated")
    fresh = issuer.issue("user-4").access_token
    redis_proc.pause()
    try:
        t0 = time.monotonic()
        seen, seen_fresh = never_accepted(revoked.access_token, MAX_LAG + 1.0, fresh)
        assert 503 in seen and seen_fresh <= {200, 503} and 503 in seen_fresh
        # after max_lag (+ the request's own time), every answer is the 503
        assert get("/rep/orders", fresh)[0] == 503
        assert time.monotonic() - t0 >= MAX_LAG
    finally:
        redis_proc.resume()
    wait_for(lambda: get("/rep/orders", fresh)[0] == 200, 5, "recovered after SIGCONT")
    assert get("/rep/orders", revoked.access_token)[0] == 401
    revoked_at_gateway(issuer, "user-5", "propagated after")


def test_redis_killed_and_restarted_loses_nothing(issuer, redis_proc):
    revoked = revoked_at_gateway(issuer, "user-6", "propagated")
    fresh = issuer.issue("user-7").access_token
    redis_proc.kill()
    seen, _ = never_accepted(revoked.access_token, MAX_LAG + 0.8)
    assert 503 in seen
    assert get("/rep/orders", fresh)[0] == 503
    redis_proc.start()                         # appendonly: every revocation comes back
    wait_for(lambda: get("/rep/orders", fresh)[0] == 200, 10, "recovered after the restart")
    assert get("/rep/orders", revoked.access_token)[0] == 401
    # (the issuer's redis-py client reconnects by itself)
    revoked_at_gateway(issuer, "user-8", "propagated after")
    wait_for(lambda: len(followers(redis_proc)) == 1, 5, "one follower again")


# wrk: counts the answers by status and reports the slowest (µs)
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do io.write(string.format("status %d %d\\n", k, v)) end
  end
  io.write(string.format("maxlat_us %d\\n", latency.max))
end
"""


def wrk_during(path, token, seconds, fault):
    """wrk (1 thread, 4 connections) on `path` for `seconds` while fault()
    runs; returns ({status: count}, slowest answer in seconds)."""
    import shutil
    import threading

    if not shutil.which("wrk"):
        pytest.skip("wrk not installed")
    script = os.path.join(DIR, "count.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    port = os.environ["CJWT_NGINX_PORT"]
    out = {}

    def run():
        out["p"] = subprocess.run(
            ["wrk", "-t1", "-c4", "-d%ds" % seconds, "--timeout", "10s", "-s", script,
             "-H", "Authorization: Bearer " + token, "http://127.0.0.1:%s%s" % (port, path)],
            capture_output=True, text=True, timeout=seconds + 30)
    t = threading.Thread(target=run)
    t.start()
    try:
        fault()
    finally:
        t.join()
    counts, slowest = {}, None
    for line in out["p"].stdout.splitlines():
        parts = line.split()
        if parts[:1] == ["status"]:
            counts[int(parts[1])] = counts.get(int(parts[1]), 0) + int(parts[2])
        elif parts[:1] == ["maxlat_us"]:
            slowest = int(parts[1]) / 1e6
    assert counts, out["p"].stdout + out["p"].stderr
    return counts, slowest


def test_under_wrk_load_a_stopped_redis_gives_only_the_documented_503(issuer, redis_proc):
    fresh = issuer.issue("user-load").access_token
    log_before = error_log_size()
    unavailable_before = status()["unavailable"]

    def fault():
        time.sleep(1.0)
        redis_proc.pause()
        try:
            time.sleep(MAX_LAG + 1.5)
        finally:
            redis_proc.resume()
    counts, slowest = wrk_during("/rep/orders", fresh, 6, fault)
    assert set(counts) <= {200, 503}, counts           # no other 5xx, no 401 for a valid token
    assert counts.get(503) and counts.get(200), counts
    assert slowest < 1.5, slowest                      # 503 at once: no waiting on Redis (loaded CI)
    wait_for(lambda: get("/rep/orders", fresh)[0] == 200, 5, "recovered")
    # the success path logged nothing; the outage is logged by the follower
    # once, and the refusals once per worker when they start, then summarised
    # (every 10 s: none in this short outage), not once per refused request
    new = error_log(log_before)
    assert "cjwt.replica: following rep:revocations failed" in new
    assert counts[503] >= 20, counts                   # a flood, had each been logged
    refusals = new.count("denylist unavailable, request refused (fail closed)")
    assert 1 <= refusals <= 2, new                     # 2 workers
    assert new.count("denylist still unavailable") == 0, new
    # (once per worker; a worker may also report, at its first request here,
    # the end of an earlier test's outage)
    assert 1 <= new.count("denylist available again after") <= 4, new
    # each check found stale is counted in the replica's dict (a few in flight
    # when wrk stopped are not in `counts`)
    unavailable = status()["unavailable"] - unavailable_before
    assert counts[503] <= unavailable <= counts[503] + 8, (unavailable, counts)


def test_under_wrk_load_the_per_request_lookup_answers_within_its_timeout(issuer):
    # the non-replicated denylist (configuration lc_stall, timeout 200 ms) on
    # the Redis of test_faults_gateway.py, stopped while wrk runs
    pid = int(os.environ["CJWT_STALL_REDIS_PID"])
    fresh = issuer.issue("user-load2").access_token

    def fault():
        time.sleep(1.0)
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(2.0)
        finally:
            os.kill(pid, signal.SIGCONT)
    counts, slowest = wrk_during("/lc-stall/orders", fresh, 5, fault)
    assert set(counts) <= {200, 503}, counts
    assert counts.get(503) and counts.get(200), counts
    assert slowest < 1.5, slowest                      # timeout 200 ms per step, loaded machine


def test_sentinel_failover_at_the_gateway(issuer):
    import cjwt

    ports = [int(p) for p in os.environ["CJWT_SENTINEL_PORTS"].split(",")]
    ss = SentinelSet(ports=ports)
    try:
        sentinel = ss.sentinel()
        master = sentinel.master_for(ss.name, socket_timeout=1, decode_responses=True)
        sent_issuer = cjwt.TokenIssuer(issuer.key, issuer=ISS, audience=AUD,
                                       store=cjwt.RedisStore(master, prefix="sent:"))
        wait_for(lambda: status("rep_s")["healthy"], 10, "gateway follows through the sentinel")
        before = [sent_issuer.issue("u%d" % i) for i in range(5)]
        for p in before:
            sent_issuer.revoke(p.access_token)
        master.wait(1, 2000)                            # replicated before the failover
        fresh = sent_issuer.issue("fresh").access_token
        wait_for(lambda: get("/rep-s/orders", before[-1].access_token)[0] == 401, 2, "propagated")
        old = ss.master_port()
        ss.master.kill()

        def new_master():
            try:
                return ss.master_port() != old
            except Exception:
                return False
        wait_for(new_master, 20, "sentinel promoted the replica")
        for p in before:                                 # never accepted meanwhile
            assert get("/rep-s/orders", p.access_token)[0] in (401, 503)
        wait_for(lambda: get("/rep-s/orders", fresh)[0] == 200, 10, "healthy on the new master")
        for p in before:
            assert get("/rep-s/orders", p.access_token)[0] == 401     # nothing lost
        after = sent_issuer.issue("after")
        sent_issuer.revoke(after.access_token)            # written to the new master
        wait_for(lambda: get("/rep-s/orders", after.access_token)[0] == 401, 2, "propagated")
    finally:
        ss.close()


def test_sentinel_failover_per_request_lookups(issuer):
    # configuration lc_s: no replica, one EXISTS per request on the master
    # the sentinels name (asked once per MASTER_TTL per worker, and again
    # after an error), connections pooled per master address
    import cjwt
    import redis

    ports = [int(p) for p in os.environ["CJWT_SENTINEL_PORTS"].split(",")]
    ss = SentinelSet(ports=ports)
    try:
        master = ss.sentinel().master_for(ss.name, socket_timeout=1, decode_responses=True)
        iss = cjwt.TokenIssuer(issuer.key, issuer=ISS, audience=AUD,
                               store=cjwt.RedisStore(master, prefix="sentpr:"))
        before = [iss.issue("p%d" % i) for i in range(5)]
        for p in before:
            iss.revoke(p.access_token)
        master.wait(1, 2000)                            # replicated before the failover
        fresh = iss.issue("fresh").access_token
        sent = redis.Redis(host="127.0.0.1", port=ports[2], decode_responses=True)
        asked = sent.info("stats")["total_commands_processed"]
        t0 = time.monotonic()
        for _ in range(50):
            assert get("/lc-s/orders", fresh)[0] == 200
        for p in before:
            assert get("/lc-s/orders", p.access_token)[0] == 401    # per request: at once
        took = time.monotonic() - t0
        # not a sentinel round trip per request: once per second per worker
        asked = sent.info("stats")["total_commands_processed"] - asked
        assert asked <= 2 + 2 * (took + 1), (asked, took)
        old = ss.master_port()
        ss.master.kill()

        def new_master():
            for p in before:                            # never accepted meanwhile
                assert get("/lc-s/orders", p.access_token)[0] in (401, 503)
            try:
                return ss.master_port() != old
            except Exception:
                return False
        wait_for(new_master, 20, "sentinel promoted the replica")
        wait_for(lambda: get("/lc-s/orders", fresh)[0] == 200, 10, "lookups on the new master")
        for p in before:
            assert get("/lc-s/orders", p.access_token)[0] == 401     # nothing lost
        after = iss.issue("after")
        iss.revoke(after.access_token)                  # written to the new master
        assert get("/lc-s/orders", after.access_token)[0] == 401
        assert get("/lc-s/orders", after.access_token)[0] == 401     # both workers' pools
    finally:
        ss.close()


def test_leader_worker_killed_another_takes_over(issuer, redis_proc):
    revoked = revoked_at_gateway(issuer, "user-9", "propagated")
    leader = status()["leader"]
    os.kill(leader, signal.SIGKILL)            # the master starts a new worker
    seen, _ = never_accepted(revoked.access_token, 1.5)
    wait_for(lambda: status()["healthy"] and status()["leader"] not in (None, leader), 10,
             "another worker follows")
    assert get("/rep/orders", revoked.access_token)[0] == 401
    wait_for(lambda: len(followers(redis_proc)) == 1, 5, "one follower")
    revoked_at_gateway(issuer, "user-10", "propagated after")


def test_reload_keeps_the_replica_and_one_follower(issuer, redis_proc):
    revoked = revoked_at_gateway(issuer, "user-11", "propagated")
    resyncs = status()["resyncs"]
    nginx = os.environ.get("NGINX", "nginx")
    subprocess.run([nginx, "-p", DIR, "-c", os.path.join(DIR, "nginx.conf"), "-e",
                    os.path.join(DIR, "error.log"), "-s", "reload"], check=True, timeout=30)
    never_accepted(revoked.access_token, 1.5)
    wait_for(lambda: status()["healthy"], 10, "healthy after the reload")
    assert get("/rep/orders", revoked.access_token)[0] == 401
    # the dict survived the reload: the new workers continued from its position
    assert status()["resyncs"] == resyncs
    wait_for(lambda: len(followers(redis_proc)) == 1, 5, "one follower after the reload")
    time.sleep(1.0)
    assert len(followers(redis_proc)) == 1
    revoked_at_gateway(issuer, "user-12", "propagated after")
