"""cjwt.gateway under faults (issue 15, item 6), in the nginx of
tests/nginx/run.sh: a Redis stopped with SIGSTOP, a JWKS source stopped with
SIGSTOP, JWKS bodies too large for jwks_max_size or for the lua_shared_dict,
and the /auth/login rate limit (limit_req, 429 with Retry-After).

run.sh starts the second redis-server (CJWT_STALL_REDIS_PID/_PORT) and keeps
CJWT_BG_JWKS_PORT free; the JWKS source is a `python3 -m http.server`
started here. Every process stopped here is resumed and stopped again."""
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

import pytest

from gwtest import error_log, error_log_size, jwks_source, lifecycle_issuer
from test_gateway import DIR, PORT, TOKENS, get

STALL_PID = os.environ.get("CJWT_STALL_REDIS_PID")
BG_JWKS_PORT = os.environ.get("CJWT_BG_JWKS_PORT")
pytestmark = pytest.mark.skipif(not (DIR and STALL_PID), reason="run through tests/nginx/run.sh")


@pytest.fixture(scope="module")
def issuer():
    # tokens only: the stores of these configurations stay empty
    return lifecycle_issuer()


def timed_get(path, token):
    t0 = time.monotonic()
    status, headers, body = get(path, token)
    return status, headers, time.monotonic() - t0


def test_redis_timeouts_set_and_no_error_line_on_success(issuer):
    # Debian's nginx.redis 0.27 has no set_timeouts: calling it sent a Redis
    # command on a closed socket, logged at error level on every request.
    token = issuer.issue("user-1").access_token
    for _ in range(10):
        assert get("/lc/orders", token)[0] == 200
    time.sleep(0.2)
    log = error_log()
    assert "attempt to send data on a closed socket" not in log


def test_stalled_redis_fails_closed_within_the_timeout(issuer):
    token = issuer.issue("user-1").access_token
    assert get("/lc-stall/orders", token)[0] == 200          # pooled connections exist now
    assert get("/lc-stall/orders", token)[0] == 200
    pid = int(STALL_PID)
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(4):
            status, headers, took = timed_get("/lc-stall/orders", token)
            assert status == 503, status
            assert headers.get("Retry-After") == "1"
            assert took < 1.0, took          # timeout = 200 ms (the socket default is 60 s)
    finally:
        os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + 5
    while get("/lc-stall/orders", token)[0] != 200:
        assert time.monotonic() < deadline, "no recovery after SIGCONT"
        time.sleep(0.1)
    time.sleep(0.2)
    assert "denylist unavailable, request refused (fail closed): redis EXISTS: timeout" in error_log()


def test_stalled_jwks_source_never_delays_a_request_whose_key_is_cached():
    port = int(BG_JWKS_PORT)
    with jwks_source(port, "bg-jwks.log") as proc:
        status, _, took = timed_get("/bg/orders", TOKENS["valid_a"])
        assert status == 200                     # first fetch: in the request
        time.sleep(1.3)                          # past jwks_ttl = 1 s
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            worst = 0.0
            end = time.monotonic() + 4.5             # longer than jwks_timeout (3 s) + cooldown
            while time.monotonic() < end:
                status, _, took = timed_get("/bg/orders", TOKENS["valid_a"])
                assert status == 200
                worst = max(worst, took)
                time.sleep(0.1)
            assert worst < 1.0, worst               # (a stalled fetch waits jwks_timeout = 3 s)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.3)
        assert "JWKS fetch from http://127.0.0.1:%d/jwks.json failed: receive: timeout" % port \
            in error_log()
        # the source answers again: refreshed in the background (one more GET)
        before = open(os.path.join(DIR, "bg-jwks.log")).read().count("GET /jwks.json")
        time.sleep(1.2)
        assert get("/bg/orders", TOKENS["valid_a"])[0] == 200
        deadline = time.monotonic() + 5
        while open(os.path.join(DIR, "bg-jwks.log")).read().count("GET /jwks.json") <= before:
            assert time.monotonic() < deadline, "no background refresh after the source came back"
            assert get("/bg/orders", TOKENS["valid_a"])[0] == 200
            time.sleep(0.3)


def test_under_wrk_load_a_stalled_jwks_source_delays_nothing():
    from test_replica_gateway import wrk_during

    port = int(BG_JWKS_PORT)
    with jwks_source(port, "bg-jwks2.log") as proc:
        assert get("/bg/orders", TOKENS["valid_a"])[0] == 200
        time.sleep(1.3)                                   # past jwks_ttl

        def fault():
            os.kill(proc.pid, signal.SIGSTOP)
            time.sleep(4.5)                               # > jwks_timeout + cooldown
            os.kill(proc.pid, signal.SIGCONT)
        counts, slowest = wrk_during("/bg/orders", TOKENS["valid_a"], 4, fault)
        assert set(counts) == {200}, counts
        assert slowest < 1.0, slowest                     # the stalled fetch takes 3 s


def test_jwks_larger_than_jwks_max_size_is_refused_and_logged():
    status, _, _ = get("/big/orders", TOKENS["valid_a"])
    assert status == 503                                  # no key set
    time.sleep(0.2)
    assert "JWKS fetch from /_cjwt_jwks_big failed: too large: " in error_log()


def test_jwks_that_does_not_fit_the_dict_is_refused_and_logged():
    status, _, _ = get("/tiny/orders", TOKENS["valid_a"])
    assert status == 503
    time.sleep(0.2)
    assert "not stored in lua_shared_dict cjwt_tiny: no memory" in error_log()


def post_login(user, form=False):
    if form:
        data = ("username=%s&password=wrong" % user).encode()
        ctype = "application/x-www-form-urlencoded"
    else:
        data = json.dumps({"username": user, "password": "wrong"}).encode()
        ctype = "application/json"
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}/auth/login", data=data,
                                 headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def test_login_rate_limit_per_user_and_per_address():
    # per user: 1/s with a burst of 3 (nginx.conf.in)
    answers = [post_login("mallory") for _ in range(8)]
    codes = [s for s, _ in answers]
    assert codes[:4] == [401] * 4, codes
    assert 429 in codes, codes
    limited = [h for s, h in answers if s == 429][0]
    assert limited.get("Retry-After") == "1"
    # the same user name in another form and case is the same user
    assert post_login("MALLORY", form=True)[0] == 429
    # another user from the same address is not limited by mallory's guesses
    assert post_login("alice")[0] == 401
    # per address: 1/s with a burst of 20, whatever the user names
    codes = [post_login("user%d" % i)[0] for i in range(30)]
    assert codes.count(429) > 0 and set(codes) <= {401, 429}, codes


def test_an_outage_is_logged_once_then_summarised_not_per_request(issuer):
    # Configuration lc_flap (log_interval = 0.5 s) on a Redis started here on
    # CJWT_FLAP_REDIS_PORT, killed and started again: every request in
    # between is refused (503, fail closed), but the error log gets one line
    # per worker when it starts, a summary per worker every 0.5 s at most,
    # and one line per worker when Redis answers again, whose counts add up
    # to the 503s the clients saw.
    import re

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
    from redis_procs import RedisProc

    proc = RedisProc(port=int(os.environ["CJWT_FLAP_REDIS_PORT"]), appendonly=False)
    try:
        token = issuer.issue("user-flap").access_token
        for _ in range(4):
            assert get("/lc-flap/orders", token)[0] == 200
        start = error_log_size()
        proc.kill()
        refused, t0 = 0, time.monotonic()
        while time.monotonic() - t0 < 1.6:
            status, headers, _ = get("/lc-flap/orders", token)
            assert status == 503 and headers.get("Retry-After") == "1", status
            refused += 1
        took = time.monotonic() - t0
        proc.start()
        deadline = time.monotonic() + 5
        while get("/lc-flap/orders", token)[0] != 200:       # one worker answers again...
            refused += 1
            assert time.monotonic() < deadline, "no recovery after the restart"
        for _ in range(20):                                   # ...and (likely) the other
            assert get("/lc-flap/orders", token)[0] == 200
        time.sleep(0.2)
    finally:
        proc.close()
    new = [line for line in error_log(start).splitlines() if "cjwt.gateway: denylist" in line]
    first = [ln for ln in new if "denylist unavailable, request refused (fail closed): redis "
             in ln]
    summaries = [ln for ln in new if "denylist still unavailable after" in ln]
    back = [ln for ln in new if "denylist available again after" in ln]
    assert refused >= 40, refused           # enough requests for a flood to show
    assert 1 <= len(first) <= 2, first      # once per worker (2 workers)
    assert all("[error]" in ln for ln in first + summaries)
    assert len(summaries) <= 2 * (took / 0.5 + 1), summaries
    assert 1 <= len(back) <= 2 and all("[warn]" in ln for ln in back), back
    assert len(new) == len(first) + len(summaries) + len(back), new
    # every refused request is counted in the worker's "available again" line
    # (a worker that never answered again before the end has no such line)
    counts = [int(re.search(r"; (\d+) requests were refused \(fail closed\)", ln).group(1))
              for ln in back]
    assert sum(counts) <= refused, (counts, refused)
    if len(back) == len(first):
        assert sum(counts) == refused, (counts, refused)
