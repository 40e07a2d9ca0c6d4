"""cjwt.gateway's verified-token cache (`cache = 16`) in a real nginx, started
by tests/nginx/run.sh (nginx.conf.in: configurations c_jwks and c_lc,
locations /c/ and /c-lc/). Each worker has its own cache, so every test
talks over one keep-alive connection: one worker serves all its requests.
The locations answer with X-Cjwt-Cache, what the request did to that
worker's cache ("pid=.. hits=1 misses=0 evictions=0 size=1"), refusals
included."""
import http.client
import os
import time
import uuid

import pytest

from gwtest import AUD, ISS, lifecycle_issuer, publish
from test_gateway import DIR, PORT, TOKENS

REDIS_PORT = os.environ.get("CJWT_REDIS_PORT")
pytestmark = pytest.mark.skipif(not (DIR and REDIS_PORT), reason="run through tests/nginx/run.sh")


class Conn:
    """One keep-alive connection: the same nginx worker for every request."""

    def __init__(self):
        self.c = http.client.HTTPConnection("127.0.0.1", int(PORT), timeout=10)
        self.pid = None

    def get(self, path, token):
        self.c.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        r = self.c.getresponse()
        body = r.read().decode()
        probe = dict(kv.split("=", 1) for kv in (r.headers.get("X-Cjwt-Cache") or "").split())
        assert probe, "no X-Cjwt-Cache header"
        probe = {k: int(v) for k, v in probe.items()}
        if self.pid is None:
            self.pid = probe["pid"]
        assert probe["pid"] == self.pid, "the keep-alive connection moved to another worker"
        assert r.headers.get("Connection", "").lower() != "close"
        return r.status, r.headers.get("WWW-Authenticate") or "", body, probe

    def close(self):
        self.c.close()


@pytest.fixture
def conn():
    c = Conn()
    yield c
    c.close()


@pytest.fixture(scope="module")
def issuer():
    import cjwt
    import redis

    client = redis.Redis(host="127.0.0.1", port=int(REDIS_PORT), decode_responses=True)
    yield lifecycle_issuer(cjwt.RedisStore(client, prefix="cjwt:"), refresh_ttl="7d")
    client.close()


def publish_c(name):
    publish(name, "jwks_c.json")


def hit(p):
    return p["hits"] == 1 and p["misses"] == 0


def miss(p):
    return p["hits"] == 0 and p["misses"] == 1


def lc_token(issuer, **claims):
    import cjwt

    now = int(time.time())
    payload = {"iss": ISS, "aud": AUD, "sub": "u", "jti": uuid.uuid4().hex, "iat": now,
               "exp": now + 60}
    payload.update(claims)
    return cjwt.encode(payload, issuer.key, "ES256", headers={"typ": "at+jwt"})


def test_repeated_token_is_served_from_the_cache(conn, issuer):
    pair = issuer.issue("user-repeat")
    status, _, body, p = conn.get("/c-lc/orders", pair.access_token)
    assert status == 200, body
    assert "user=user-repeat" in body
    assert miss(p), p
    for _ in range(5):
        status, _, body, p = conn.get("/c-lc/orders", pair.access_token)
        assert status == 200 and "user=user-repeat" in body
        assert hit(p), p
    assert 1 <= p["size"] <= 16


def test_refusals_are_the_same_with_the_cache(conn, issuer):
    now = int(time.time())
    cases = [
        (lc_token(issuer, iat=now - 120, exp=now - 60), "token expired"),
        (lc_token(issuer, aud="billing"), "invalid audience"),
        (lc_token(issuer, sub=None), "missing claim sub"),
    ]
    good = lc_token(issuer)
    h, pl, sig = good.split(".")
    tampered = f"{h}.{pl}.{sig[:-4]}{'AAAA' if not sig.endswith('AAAA') else 'BBBB'}"
    cases.append((tampered, "invalid signature"))
    for token, description in cases:
        for _ in range(2):                         # refused twice: never remembered
            status, www, _, p = conn.get("/c-lc/x", token)
            assert status == 401
            assert f'error_description="{description}"' in www, www
            assert miss(p), p
    assert conn.get("/c-lc/x", good)[0] == 200


def test_token_expired_between_requests_is_refused(conn, issuer):
    import cjwt

    exp = int(time.time()) + 2
    token = cjwt.encode({"iss": ISS, "aud": AUD, "sub": "short-lived", "jti": uuid.uuid4().hex,
                         "iat": exp - 2, "exp": exp}, issuer.key, "ES256",
                        headers={"typ": "at+jwt"})
    status, _, body, p = conn.get("/c-lc/x", token)
    assert status == 200, body
    assert miss(p), p
    status, _, _, p = conn.get("/c-lc/x", token)
    assert status == 200 and hit(p), p
    time.sleep(max(0.0, exp + 0.3 - time.time()))
    status, www, _, p = conn.get("/c-lc/x", token)
    assert status == 401
    assert 'error_description="token expired"' in www
    # found in the cache, refused by the date check, and dropped
    assert hit(p) and p["evictions"] == 1, p
    status, www, _, p = conn.get("/c-lc/x", token)
    assert status == 401 and "token expired" in www and miss(p), p


def test_token_revoked_after_first_use_is_refused_on_a_hit(conn, issuer):
    pair = issuer.issue("user-cache")
    status, _, body, p = conn.get("/c-lc/orders", pair.access_token)
    assert status == 200 and "user=user-cache" in body
    assert miss(p), p
    status, _, _, p = conn.get("/c-lc/orders", pair.access_token)
    assert status == 200 and hit(p), p
    issuer.revoke(pair.access_token)
    # the Redis lookup runs after the core on every request, hit or not
    for _ in range(2):
        status, www, _, p = conn.get("/c-lc/orders", pair.access_token)
        assert status == 401
        assert 'error_description="token revoked"' in www
        assert hit(p), p
    # a family revoked by logout, the same
    other = issuer.issue("user-cache-2")
    assert conn.get("/c-lc/orders", other.access_token)[0] == 200
    assert hit(conn.get("/c-lc/orders", other.access_token)[3])
    issuer.revoke(other.refresh_token, family=True)
    status, www, _, p = conn.get("/c-lc/orders", other.access_token)
    assert status == 401 and "token revoked" in www and hit(p), p


def test_jwks_rotation_empties_the_cache(conn):
    # c_jwks: jwks_ttl 2 s, cooldown 1 s, its own JWKS file (key a), used by
    # this test only: each pair of requests below follows a fetch at once, so
    # no refresh falls between them.
    token = TOKENS["valid_a"]
    status, _, body, p = conn.get("/c/r", token)
    assert status == 200, body
    status, _, _, p = conn.get("/c/r", token)
    assert status == 200 and hit(p), p

    # key b added: the next refresh builds a new set; key a is still in it,
    # but the token is verified again under the new set, then cached again
    publish_c("jwks_ab.json")
    time.sleep(2.3)
    status, _, body, p = conn.get("/c/r", token)
    assert status == 200, body
    assert miss(p) and p["size"] == 1, p
    status, _, _, p = conn.get("/c/r", token)
    assert status == 200 and hit(p), p
    status, _, body, _ = conn.get("/c/r", TOKENS["valid_b"])
    assert status == 200 and "user=bob" in body

    # key a retired: nothing verified under an older set is served
    publish_c("jwks_b.json")
    time.sleep(2.3)
    status, www, _, p = conn.get("/c/r", token)
    assert status == 401
    assert 'error_description="no key to verify the token"' in www
    assert p["hits"] == 0, p
    status, _, body, p = conn.get("/c/r", TOKENS["valid_b"])
    assert status == 200 and "user=bob" in body
    assert miss(p), p
    assert hit(conn.get("/c/r", TOKENS["valid_b"])[3])
