"""Token lifecycle across processes: tokens issued and revoked by the Python
cjwt.TokenIssuer (RedisStore), checked by cjwt.gateway in a real nginx
against the same redis-server. Started by tests/nginx/run.sh, which sets
CJWT_NGINX_DIR, CJWT_NGINX_PORT and CJWT_REDIS_PORT (nginx.conf.in: the
locations /lc/, /lc-cached/, /lc-down/, /lc-open/, /lc-plain/)."""
import os
import time

import pytest

from gwtest import AUD, ISS, error_log, lifecycle_issuer
from test_gateway import DIR, get, upstream_saw

REDIS_PORT = os.environ.get("CJWT_REDIS_PORT")
pytestmark = pytest.mark.skipif(not (DIR and REDIS_PORT), reason="run through tests/nginx/run.sh")

@pytest.fixture(scope="module")
def redis_client():
    import redis

    client = redis.Redis(host="127.0.0.1", port=int(REDIS_PORT), decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="module")
def issuer(redis_client):
    import cjwt

    return lifecycle_issuer(cjwt.RedisStore(redis_client, prefix="cjwt:"), refresh_ttl="7d")


def www_authenticate(headers):
    return headers.get("WWW-Authenticate") or ""


def test_issued_token_passes_the_gateway(issuer):
    pair = issuer.issue("user-123", claims={"role": "admin"})
    status, _, body = get("/lc/orders", pair.access_token)
    assert status == 200, body
    assert upstream_saw(body)["user"] == "user-123"


def test_access_token_from_the_cookie(issuer):
    pair = issuer.issue("cookie-user")
    status, _, body = get("/lc/orders", cookie=f"access_token={pair.access_token}")
    assert status == 200, body
    assert upstream_saw(body)["user"] == "cookie-user"
    # the Authorization header comes first; the cookie is only the fallback
    status, _, body = get("/lc/orders", pair.access_token, cookie="access_token=garbage")
    assert status == 200, body
    status, headers, _ = get("/lc/orders", "garbage", cookie=f"access_token={pair.access_token}")
    assert status == 401 and 'error="invalid_token"' in www_authenticate(headers)


def test_token_revoked_by_python_is_refused_on_the_next_request(issuer):
    pair = issuer.issue("user-123")
    assert get("/lc/orders", pair.access_token)[0] == 200
    issuer.revoke(pair.access_token)
    status, headers, _ = get("/lc/orders", pair.access_token)
    assert status == 401
    assert www_authenticate(headers) == (
        'Bearer realm="api", error="invalid_token", error_description="token revoked"')
    # through the cookie as well
    assert get("/lc/orders", cookie=f"access_token={pair.access_token}")[0] == 401
    # the same family's next access token is fine (only one jti was revoked)
    fresh = issuer.refresh(pair.refresh_token)
    assert get("/lc/orders", fresh.access_token)[0] == 200


def test_refresh_token_reuse_revokes_the_family_at_the_gateway(issuer):
    import cjwt

    first = issuer.issue("user-123")
    second = issuer.refresh(first.refresh_token)
    for t in (first.access_token, second.access_token):
        assert get("/lc/orders", t)[0] == 200
    with pytest.raises(cjwt.RevokedTokenError):
        issuer.refresh(first.refresh_token)            # replay of a used refresh token
    for t in (first.access_token, second.access_token):
        status, headers, _ = get("/lc/orders", t)
        assert status == 401 and "token revoked" in www_authenticate(headers)


def test_logout_revokes_the_family_at_the_gateway(issuer):
    pair = issuer.issue("user-123")
    issuer.revoke(pair.refresh_token, family=True)
    assert get("/lc/orders", pair.access_token)[0] == 401


def test_refresh_token_is_not_an_access_token(issuer):
    pair = issuer.issue("user-123")
    status, headers, _ = get("/lc/orders", pair.refresh_token)
    assert status == 401
    assert 'error_description="invalid token type"' in www_authenticate(headers)


def test_token_without_jti_is_refused_when_a_denylist_is_configured(issuer):
    import cjwt

    now = int(time.time())
    token = cjwt.encode({"iss": ISS, "sub": "u", "aud": AUD, "iat": now, "exp": now + 60},
                        issuer.key, "ES256", headers={"typ": "at+jwt"})
    status, headers, _ = get("/lc/orders", token)
    assert status == 401
    assert 'error_description="missing claim jti"' in www_authenticate(headers)
    assert get("/lc-plain/orders", token)[0] == 200     # no denylist: no jti needed


def test_redis_connections_are_pooled(issuer, redis_client):
    pair = issuer.issue("user-123")
    get("/lc/orders", pair.access_token)              # warm both workers' pools
    get("/lc/orders", pair.access_token)
    before = redis_client.info("stats")["total_connections_received"]
    for _ in range(40):
        assert get("/lc/orders", pair.access_token)[0] == 200
    after = redis_client.info("stats")["total_connections_received"]
    assert after - before <= 2, (before, after)       # at most one new one per worker


def test_cached_answers_delay_revocation_by_at_most_cache_ttl(issuer):
    pair = issuer.issue("user-123")
    assert get("/lc-cached/orders", pair.access_token)[0] == 200   # "not revoked" cached, 3 s
    issuer.revoke(pair.access_token)
    assert get("/lc/orders", pair.access_token)[0] == 401          # uncached: at once
    assert get("/lc-cached/orders", pair.access_token)[0] == 200   # the trade-off, documented
    time.sleep(3.3)
    assert get("/lc-cached/orders", pair.access_token)[0] == 401
    assert get("/lc-cached/orders", pair.access_token)[0] == 401   # "revoked" cached too


def test_redis_down_fails_closed_with_503_and_a_log_line(issuer):
    pair = issuer.issue("user-123")
    status, headers, _ = get("/lc-down/orders", pair.access_token)
    assert status == 503
    assert headers.get("Retry-After") == "1"
    assert "WWW-Authenticate" not in headers      # not the token's fault: keep it, retry
    time.sleep(0.2)
    assert "denylist unavailable, request refused (fail closed): redis connect:" in error_log()
    # an invalid token is still a 401: verification comes before the lookup
    assert get("/lc-down/orders", "garbage")[0] == 401


def test_fail_open_lets_verified_tokens_through_and_logs(issuer):
    pair = issuer.issue("user-123")
    status, _, body = get("/lc-open/orders", pair.access_token)
    assert status == 200, body
    time.sleep(0.2)
    assert "denylist unavailable, token accepted (fail_open)" in error_log()
    issuer.revoke(pair.access_token)
    assert get("/lc-open/orders", pair.access_token)[0] == 200   # what fail_open costs
    assert get("/lc-open/orders", "garbage")[0] == 401
