"""Token lifecycle (issue 6): TokenIssuer, MemoryStore / RedisStore, the
denylist through the core's revocation hook, refresh cookies.

Every store test runs twice: on MemoryStore and on RedisStore against a real
redis-server on 127.0.0.1 started for this module. Time is a fake clock
shared by the issuer and the store (`now`), so expiry needs no sleeping;
Redis TTLs are read back with TTL/PTTL instead.
"""
import base64
import json
import os
import subprocess
import sys
import uuid

import pytest

import cjwt
from conftest import PACKAGE_PATH, ROOT
from redis_procs import redis_server  # noqa: F401 (a fixture: a redis-server per module)

ISS = "https://auth.example.com"
AUD = "api.example.com"
T0 = 1_900_000_000


class Clock:
    def __init__(self, t=T0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["memory", "redis"])
def store(request, clock):
    if request.param == "memory":
        return cjwt.MemoryStore(clock=clock)
    server = request.getfixturevalue("redis_server")
    return cjwt.RedisStore(server.client(), prefix=f"t{uuid.uuid4().hex[:8]}:", clock=clock)


KEY = cjwt.Key.generate("ES256", kid="auth-1")
PUB = cjwt.Key.from_jwk(KEY.to_jwk())


@pytest.fixture
def issuer(store, clock):
    return cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, access_ttl="15m", refresh_ttl="7d",
                            store=store, clock=clock)


def access(token, store, clock, **kw):
    """How a resource server verifies an access token."""
    return cjwt.decode(token, PUB, algorithms=["ES256"], audience=AUD, issuer=ISS,
                       typ="at+jwt", denylist=store, now=clock(), **kw)


def parts(token):
    def seg(s):
        return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    h, p, _ = token.split(".")
    return seg(h), seg(p)


# ---- issuing ----------------------------------------------------------------

def test_issue_shapes_the_pair(issuer):
    pair = issuer.issue("user-123", claims={"role": "admin"})
    assert (pair.token_type, pair.expires_in, pair.refresh_expires_in) == ("Bearer", 900, 604800)
    ah, a = parts(pair.access_token)
    rh, r = parts(pair.refresh_token)
    assert ah == {"alg": "ES256", "kid": "auth-1", "typ": "at+jwt"}
    assert rh == {"alg": "ES256", "kid": "auth-1", "typ": "refresh+jwt"}
    assert set(a) == {"iss", "sub", "aud", "iat", "exp", "jti", "fid", "auth_time", "role"}
    assert (a["iss"], a["sub"], a["aud"], a["iat"], a["exp"], a["auth_time"], a["role"]) == (
        ISS, "user-123", AUD, T0, T0 + 900, T0, "admin")
    assert set(r) == {"iss", "sub", "aud", "iat", "exp", "jti", "fid", "auth_time", "ext"}
    assert r["auth_time"] == T0
    assert (r["aud"], r["exp"], r["ext"]) == (ISS, T0 + 604800, {"role": "admin"})
    assert a["fid"] == r["fid"] == pair.family_id
    assert a["jti"] != r["jti"] and len(a["jti"]) >= 22 and len(a["fid"]) >= 22
    assert pair.as_dict() == {"access_token": pair.access_token, "token_type": "Bearer",
                              "expires_in": 900, "refresh_token": pair.refresh_token,
                              "refresh_expires_in": 604800}


def test_every_issue_is_a_new_family_with_new_ids(issuer):
    pairs = [issuer.issue("u") for _ in range(20)]
    ids = {parts(t)[1]["jti"] for p in pairs for t in (p.access_token, p.refresh_token)}
    assert len(ids) == 40
    assert len({p.family_id for p in pairs}) == 20


def test_refresh_token_without_claims_has_no_ext(issuer):
    assert "ext" not in parts(issuer.issue("u").refresh_token)[1]


@pytest.mark.parametrize("claim", ["iss", "sub", "aud", "iat", "exp", "nbf", "jti", "fid", "ext"])
def test_caller_claims_may_not_override_registered_ones(issuer, claim):
    with pytest.raises(ValueError, match=claim):
        issuer.issue("u", claims={claim: "x"})


def test_issuer_arguments(store, clock):
    with pytest.raises(ValueError):
        cjwt.TokenIssuer(KEY, issuer="", audience=AUD, store=store)
    with pytest.raises(ValueError):
        cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, access_ttl="soon", store=store)
    with pytest.raises(ValueError):
        cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, access_ttl=0, store=store)
    i = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store)
    with pytest.raises(ValueError):
        i.issue("")


@pytest.mark.parametrize("alg,expected", [("ES384", "ES384"), ("EdDSA", "EdDSA"),
                                          ("RS256", "RS256"), ("HS256", "HS256")])
def test_algorithm_defaults_to_the_keys(alg, expected, clock):
    key = cjwt.Key.generate(alg)
    unbound = cjwt.Key.from_jwk({k: v for k, v in key.to_jwk(private=True).items() if k != "alg"})
    for k in (key, unbound):
        i = cjwt.TokenIssuer(k, issuer=ISS, audience=AUD, clock=clock)
        pair = i.issue("u")
        assert parts(pair.access_token)[0]["alg"] == expected
        assert i.verify(pair.access_token)["sub"] == "u"


def test_pem_and_secret_keys(clock):
    pem = KEY.to_pem(private=True)
    i = cjwt.TokenIssuer(pem, issuer=ISS, audience=AUD, clock=clock)
    assert i.algorithm == "ES256"
    assert access(i.issue("u").access_token, i.store, clock)["sub"] == "u"
    s = cjwt.TokenIssuer("s" * 32, issuer=ISS, audience=AUD, clock=clock)
    assert s.algorithm == "HS256"
    t = s.issue("u").access_token
    assert cjwt.decode(t, "s" * 32, algorithms=["HS256"], audience=AUD, typ="at+jwt",
                       now=clock())["sub"] == "u"


# ---- use --------------------------------------------------------------------

def test_access_token_is_accepted_with_the_denylist(issuer, store, clock):
    pair = issuer.issue("user-123", claims={"role": "admin"})
    claims = access(pair.access_token, store, clock)
    assert claims["sub"] == "user-123" and claims["role"] == "admin"
    full = cjwt.decode_complete(pair.access_token, PUB, algorithms=["ES256"], audience=AUD,
                                typ="at+jwt", denylist=store, now=clock())
    assert full["header"]["typ"] == "at+jwt"
    assert issuer.verify(pair.access_token)["jti"] == claims["jti"]


def test_refresh_token_is_refused_as_an_access_token(issuer, store, clock):
    pair = issuer.issue("u")
    with pytest.raises(cjwt.InvalidTypeError) as e:
        access(pair.refresh_token, store, clock)
    assert e.value.code == "invalid_typ"
    # without the typ check the audience still keeps it out
    with pytest.raises(cjwt.InvalidAudienceError):
        cjwt.decode(pair.refresh_token, PUB, algorithms=["ES256"], audience=AUD,
                    denylist=store, now=clock())
    with pytest.raises(cjwt.InvalidTypeError):
        issuer.verify(pair.refresh_token)


def test_access_token_is_refused_as_a_refresh_token(issuer, store, clock):
    pair = issuer.issue("u")
    with pytest.raises(cjwt.InvalidTypeError) as e:
        issuer.refresh(pair.access_token)
    assert e.value.code == "invalid_typ"
    # refused before anything was written: the family lives on
    assert access(pair.access_token, store, clock)["sub"] == "u"
    issuer.refresh(pair.refresh_token)


# ---- refresh / rotation -------------------------------------------------------

def test_refresh_rotates_in_the_same_family(issuer, store, clock):
    first = issuer.issue("user-123", claims={"role": "admin"})
    clock.t += 600
    second = issuer.refresh(first.refresh_token)
    a1, a2 = parts(first.access_token)[1], parts(second.access_token)[1]
    r1, r2 = parts(first.refresh_token)[1], parts(second.refresh_token)[1]
    assert a2["fid"] == r2["fid"] == a1["fid"] == second.family_id == first.family_id
    assert len({a1["jti"], a2["jti"], r1["jti"], r2["jti"]}) == 4
    assert (a2["iat"], a2["exp"], r2["exp"]) == (T0 + 600, T0 + 1500, T0 + 600 + 604800)
    assert a2["role"] == "admin" and r2["ext"] == {"role": "admin"}
    # both access tokens stay valid until they expire: refresh does not revoke
    assert access(first.access_token, store, clock)["jti"] == a1["jti"]
    assert access(second.access_token, store, clock)["jti"] == a2["jti"]
    third = issuer.refresh(second.refresh_token)
    assert access(third.access_token, store, clock)["role"] == "admin"


def test_refresh_across_a_key_rotation(issuer, store, clock):
    """A session that logged in under the old key is refreshed onto the new
    one; reuse detection and revocation still see the old tokens."""
    before = issuer.issue("user-123", claims={"role": "admin"})
    new = cjwt.Key.generate("EdDSA", kid="auth-2")
    rotated = cjwt.TokenIssuer(new, issuer=ISS, audience=AUD, store=store, clock=clock,
                               verify_keys=[new, PUB])
    assert rotated.verify_keys.get("auth-1") is not None
    clock.t += 60
    after = rotated.refresh(before.refresh_token)
    assert parts(after.access_token)[0]["kid"] == "auth-2"
    assert parts(after.refresh_token)[0]["kid"] == "auth-2"
    assert parts(after.access_token)[1]["fid"] == before.family_id
    # the old access token still verifies through the rotated issuer, until it expires
    assert rotated.verify(before.access_token)["sub"] == "user-123"
    assert rotated.verify(after.access_token)["role"] == "admin"
    # the old issuer knows only the old key: it refuses what the new one signed
    with pytest.raises(cjwt.InvalidTokenError):
        issuer.verify(after.access_token)
    # reusing the old refresh token is still theft: the whole family goes
    with pytest.raises(cjwt.RevokedTokenError):
        rotated.refresh(before.refresh_token)
    with pytest.raises(cjwt.RevokedTokenError):
        rotated.verify(after.access_token)
    # once the old key is dropped from verify_keys, its tokens are refused: by
    # algorithm when no trusted key signs with it, by kid when one does
    retired = cjwt.TokenIssuer(new, issuer=ISS, audience=AUD, store=store, clock=clock,
                               verify_keys=cjwt.KeySet([new]))
    with pytest.raises(cjwt.InvalidAlgorithmError):
        retired.refresh(issuer.issue("user-9").refresh_token)
    same_alg = cjwt.Key.generate("ES256", kid="auth-3")
    retired = cjwt.TokenIssuer(same_alg, issuer=ISS, audience=AUD, store=store, clock=clock,
                               verify_keys=[same_alg])
    with pytest.raises(cjwt.InvalidKeyError, match="auth-1"):
        retired.refresh(issuer.issue("user-9").refresh_token)


def test_verify_keys_arguments(store, clock):
    kw = dict(issuer=ISS, audience=AUD, store=store, clock=clock)
    other = cjwt.Key.generate("ES256", kid="auth-1")          # the same kid, another key
    with pytest.raises(ValueError, match="include the signing key"):
        cjwt.TokenIssuer(KEY, verify_keys=[cjwt.Key.generate("ES256", kid="x")], **kw)
    with pytest.raises(ValueError, match="another key"):
        cjwt.TokenIssuer(KEY, verify_keys=[other], **kw)
    with pytest.raises(ValueError, match="needs a kid"):
        cjwt.TokenIssuer(cjwt.Key.generate("ES256"), verify_keys=[KEY], **kw)
    with pytest.raises(TypeError):
        cjwt.TokenIssuer(KEY, verify_keys="not keys", **kw)
    # the signing key's public half is enough in verify_keys
    t = cjwt.TokenIssuer(KEY, verify_keys=[PUB], **kw)
    assert t.verify(t.issue("u").access_token)["sub"] == "u"


def test_max_session_ends_a_family_however_often_it_is_refreshed(store, clock):
    issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, access_ttl="15m", refresh_ttl="7d",
                              max_session="1h", store=store, clock=clock)
    assert issuer.max_session == 3600
    pair = issuer.issue("user-123")
    assert parts(pair.refresh_token)[1]["exp"] == T0 + 3600     # capped at the session's end
    assert pair.refresh_expires_in == 3600 and pair.expires_in == 900
    for step in (900, 900, 900):                                # refreshed every 15 minutes
        clock.t += step
        pair = issuer.refresh(pair.refresh_token)
        a, r = parts(pair.access_token)[1], parts(pair.refresh_token)[1]
        assert a["auth_time"] == r["auth_time"] == T0          # the login, not the refresh
        assert r["exp"] == T0 + 3600 and a["exp"] <= T0 + 3600
    assert pair.expires_in == 900 and pair.refresh_expires_in == 900
    clock.t += 600                                              # 55 min in: access capped
    pair = issuer.refresh(pair.refresh_token)
    assert parts(pair.access_token)[1]["exp"] == T0 + 3600 and pair.expires_in == 300
    clock.t += 300                                              # the session is over
    with pytest.raises(cjwt.ExpiredSignatureError):
        issuer.refresh(pair.refresh_token)
    # an issuer configured later still ends families by their login time, and a
    # refresh token without auth_time counts from its iat
    old = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store, clock=clock).issue("u")
    legacy = cjwt.encode({"iss": ISS, "sub": "u", "aud": ISS, "iat": clock.t - 7200,
                          "exp": clock.t + 3600, "jti": "legacy-1", "fid": "f-legacy"},
                         KEY, headers={"typ": "refresh+jwt"})
    with pytest.raises(cjwt.ExpiredSignatureError, match="session"):
        issuer.refresh(legacy)
    assert issuer.refresh(old.refresh_token).family_id == old.family_id
    with pytest.raises(ValueError):
        cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, max_session=0)
    with pytest.raises(ValueError, match="registered"):
        issuer.issue("u", claims={"auth_time": 1})


def test_refresh_with_new_claims(issuer, store, clock):
    pair = issuer.refresh(issuer.issue("u", claims={"role": "admin"}).refresh_token,
                          claims={"role": "reader"})
    assert access(pair.access_token, store, clock)["role"] == "reader"
    with pytest.raises(ValueError):
        issuer.refresh(pair.refresh_token, claims={"sub": "mallory"})


def test_reusing_a_used_refresh_token_revokes_the_family(issuer, store, clock):
    first = issuer.issue("user-123")
    other = issuer.issue("user-123")                 # another login of the same user
    second = issuer.refresh(first.refresh_token)
    with pytest.raises(cjwt.RevokedTokenError) as e:
        issuer.refresh(first.refresh_token)          # replayed: theft
    assert e.value.code == "revoked" and "reuse" in str(e.value)
    for token in (first.access_token, second.access_token):
        with pytest.raises(cjwt.RevokedTokenError):
            access(token, store, clock)
    with pytest.raises(cjwt.RevokedTokenError):
        issuer.refresh(second.refresh_token)         # the thief's or the user's: both dead
    # the other family is untouched
    assert access(other.access_token, store, clock)["sub"] == "user-123"
    assert access(issuer.refresh(other.refresh_token).access_token, store, clock)


def test_refresh_of_expired_and_revoked_tokens(issuer, store, clock):
    pair = issuer.issue("u")
    issuer.revoke(pair.refresh_token)
    with pytest.raises(cjwt.RevokedTokenError):
        issuer.refresh(pair.refresh_token)
    pair = issuer.issue("u")
    clock.t += 7 * 86400
    with pytest.raises(cjwt.ExpiredSignatureError):
        issuer.refresh(pair.refresh_token)


def test_refresh_refuses_foreign_tokens(issuer, clock):
    other = cjwt.TokenIssuer(cjwt.Key.generate("ES256"), issuer=ISS, audience=AUD, clock=clock)
    with pytest.raises(cjwt.InvalidSignatureError):
        issuer.refresh(other.issue("u").refresh_token)
    elsewhere = cjwt.TokenIssuer(KEY, issuer="https://other.example.com", audience=AUD,
                                 clock=clock)
    with pytest.raises(cjwt.InvalidIssuerError):
        issuer.refresh(elsewhere.issue("u").refresh_token)


# ---- logout / revocation ------------------------------------------------------

def test_revoke_one_access_token(issuer, store, clock):
    pair = issuer.issue("u")
    claims = issuer.revoke(pair.access_token)
    assert claims["jti"] == parts(pair.access_token)[1]["jti"]
    with pytest.raises(cjwt.RevokedTokenError) as e:
        access(pair.access_token, store, clock)
    assert e.value.code == "revoked"
    # only that token: the refresh token still rotates, the new access token works
    fresh = issuer.refresh(pair.refresh_token)
    assert access(fresh.access_token, store, clock)["sub"] == "u"
    # a decode without the denylist does not know (that is what the denylist is for)
    assert cjwt.decode(pair.access_token, PUB, algorithms=["ES256"], audience=AUD, now=clock())


def test_logout_revokes_the_family(issuer, store, clock):
    pair = issuer.issue("u")
    later = issuer.refresh(pair.refresh_token)
    issuer.revoke(later.access_token, family=True)
    for t in (pair.access_token, later.access_token):
        with pytest.raises(cjwt.RevokedTokenError):
            access(t, store, clock)
    with pytest.raises(cjwt.RevokedTokenError):
        issuer.refresh(later.refresh_token)


def test_revoke_family_by_id(issuer, store, clock):
    pair = issuer.issue("u")
    issuer.revoke_family(pair.family_id)
    with pytest.raises(cjwt.RevokedTokenError):
        access(pair.access_token, store, clock)
    with pytest.raises(ValueError):
        issuer.revoke_family("")


def test_revoke_verifies_first(issuer, store, clock):
    forged = cjwt.TokenIssuer(cjwt.Key.generate("ES256", kid="auth-1"), issuer=ISS,
                              audience=AUD, clock=clock).issue("u")
    with pytest.raises(cjwt.InvalidSignatureError):
        issuer.revoke(forged.access_token)
    # an expired token has nothing left to revoke
    pair = issuer.issue("u")
    clock.t += 900
    assert issuer.revoke(pair.access_token) is None
    with pytest.raises(cjwt.ExpiredSignatureError):
        access(pair.access_token, store, clock)


def test_revoke_twice_is_harmless(issuer, store, clock):
    pair = issuer.issue("u")
    issuer.revoke(pair.access_token)
    issuer.revoke(pair.access_token)
    issuer.revoke_family(pair.family_id)
    issuer.revoke_family(pair.family_id)
    with pytest.raises(cjwt.RevokedTokenError):
        access(pair.access_token, store, clock)


# ---- entries expire with their tokens -------------------------------------------

def test_entries_expire_with_their_tokens(store, clock):
    i = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, access_ttl=2, refresh_ttl=3,
                         store=store, clock=clock)
    pair = i.issue("u")
    a, r = parts(pair.access_token)[1], parts(pair.refresh_token)[1]
    i.revoke(pair.access_token)                  # revoked:jti, access exp = T0 + 2
    i.refresh(pair.refresh_token)                # used:jti, refresh exp = T0 + 3
    i.revoke_family(pair.family_id)              # revoked:fid, until T0 + 3
    if isinstance(store, cjwt.RedisStore):
        r_ = store.client
        keys = {store.key_jti(a["jti"]): 2, store.key_used(r["jti"]): 3,
                store.key_fid(pair.family_id): 3}
        # plus the revocation feed (tests/python/test_replica.py)
        assert set(r_.keys(store.prefix + "*")) == set(keys) | {store.feed_key,
                                                                store.horizon_key}
        for k, ttl in keys.items():
            assert r_.get(k) == "1"
            assert ttl - 1 < r_.pttl(k) / 1000 <= ttl, (k, r_.pttl(k))
    else:
        assert len(store) == 3
        clock.t += 2
        assert not store.is_revoked(a["jti"], None)          # the access token's entry is gone
        assert store.is_revoked("x", pair.family_id)         # the family's is not
        clock.t += 1
        assert len(store) == 0
        assert store.mark_used(r["jti"], T0 + 10)            # used entry gone too


def test_family_entry_covers_the_latest_refresh_token(store, clock):
    i = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, access_ttl=5, refresh_ttl=60,
                         store=store, clock=clock)
    pair = i.issue("u")
    clock.t += 50
    pair = i.refresh(pair.refresh_token)         # new refresh token lives until T0 + 110
    i.revoke_family(pair.family_id)
    clock.t += 59
    with pytest.raises(cjwt.RevokedTokenError):
        i.refresh(pair.refresh_token)
    if isinstance(store, cjwt.RedisStore):
        assert 59 < store.client.pttl(store.key_fid(pair.family_id)) / 1000 <= 60


def test_family_entry_never_shrinks(store, clock):
    store.revoke_family("f", T0 + 100)
    store.revoke_family("f", T0 + 10)
    clock.t += 50
    assert store.is_revoked("j", "f")


def test_grace_outlives_verifier_leeway(clock, redis_server):
    for store in (cjwt.MemoryStore(grace=30, clock=clock),
                  cjwt.RedisStore(redis_server.client(), prefix="grace:", grace=30, clock=clock)):
        store.revoke_jti("j", T0 + 10)
        if isinstance(store, cjwt.RedisStore):
            assert 39 < store.client.pttl("grace:revoked:jti:j") / 1000 <= 40
        else:
            clock.t = T0 + 35
            assert store.is_revoked("j", None)
            clock.t = T0 + 40
            assert not store.is_revoked("j", None)
            clock.t = T0


def test_memory_store_sweeps_expired_entries(clock):
    store = cjwt.MemoryStore(clock=clock)
    for n in range(300):
        store.revoke_jti(f"j{n}", T0 + 1)
    clock.t += 2
    for n in range(300):
        store.revoke_jti(f"k{n}", T0 + 100)
    assert len(store._jti) <= 300 + 256     # swept as it goes, not only on reads
    assert len(store) == 300


def test_mark_used_is_first_time_only(store):
    assert store.mark_used("j1", T0 + 60) is True
    assert store.mark_used("j1", T0 + 60) is False
    assert store.mark_used("j2", T0 + 60) is True


# ---- the denylist goes through the core's hook --------------------------------------

class Recorder:
    def __init__(self, answer=False, exc=None):
        self.calls, self.answer, self.exc = [], answer, exc

    def is_revoked(self, jti, fid):
        self.calls.append((jti, fid))
        if self.exc:
            raise self.exc
        return self.answer


def test_hook_is_called_after_signature_and_claims(issuer, clock):
    pair = issuer.issue("u")
    rec = Recorder()
    a = parts(pair.access_token)[1]
    assert access(pair.access_token, rec, clock)
    assert rec.calls == [(a["jti"], a["fid"])]
    bad = pair.access_token[:-4] + ("AAAA" if not pair.access_token.endswith("AAAA") else "BBBB")
    for token, exc, kw in [(bad, cjwt.InvalidSignatureError, {}),
                           (pair.access_token, cjwt.InvalidAudienceError, {"audience": "x"}),
                           (pair.refresh_token, cjwt.InvalidTypeError, {})]:
        with pytest.raises(exc):
            cjwt.decode(token, PUB, algorithms=["ES256"], issuer=ISS, typ="at+jwt",
                        denylist=rec, now=clock(), **{"audience": AUD, **kw})
    clock.t += 900
    with pytest.raises(cjwt.ExpiredSignatureError):
        access(pair.access_token, rec, clock)
    assert len(rec.calls) == 1


def test_hook_answers_are_truth_values(issuer, clock):
    t = issuer.issue("u").access_token
    assert access(t, Recorder(answer=0), clock)
    for yes in (True, 1, "yes"):
        with pytest.raises(cjwt.RevokedTokenError):
            access(t, Recorder(answer=yes), clock)


def test_a_failing_store_refuses_the_token(issuer, clock):
    t = issuer.issue("u").access_token
    boom = ConnectionError("store unreachable")
    with pytest.raises(cjwt.PyJWTError) as e:
        access(t, Recorder(exc=boom), clock)
    assert e.value.code == "unavailable"
    assert isinstance(e.value, cjwt.RevocationUnavailableError)
    assert not isinstance(e.value, cjwt.InvalidTokenError)    # 503, not 401
    assert "ConnectionError: store unreachable" in str(e.value)
    assert e.value.__cause__ is boom

    class BadTruth:
        def __bool__(self):
            raise ValueError("no truth")
    with pytest.raises(cjwt.PyJWTError) as e:
        access(t, Recorder(answer=BadTruth()), clock)
    assert isinstance(e.value.__cause__, ValueError)
    with pytest.raises(cjwt.PyJWTError) as e:
        access(t, object(), clock)                  # no is_revoked at all
    assert isinstance(e.value.__cause__, AttributeError)


def test_redis_down_fails_closed(issuer, clock):
    import redis

    from redis_procs import free_port

    dead = cjwt.RedisStore(redis.Redis(host="127.0.0.1", port=free_port(), socket_timeout=0.5,
                                       socket_connect_timeout=0.5))
    t = issuer.issue("u").access_token
    with pytest.raises(cjwt.PyJWTError) as e:
        access(t, dead, clock)
    assert e.value.code == "unavailable" and "ConnectionError" in str(e.value)
    assert isinstance(e.value.__cause__, redis.ConnectionError)


def test_denylist_needs_a_string_jti_and_fid(clock):
    secret = "s" * 32
    rec = Recorder()

    def dec(payload):
        return cjwt.decode(cjwt.encode(payload, secret, "HS256"), secret, algorithms=["HS256"],
                           denylist=rec, now=clock())
    with pytest.raises(cjwt.MissingRequiredClaimError) as e:
        dec({"sub": "u"})
    assert e.value.claim == "jti"
    with pytest.raises(cjwt.InvalidJTIError):
        dec({"jti": 5})
    with pytest.raises(cjwt.PyJWTError, match="fid"):
        dec({"jti": "j", "fid": 7})
    assert dec({"jti": "j"}) == {"jti": "j"} and rec.calls == [("j", None)]
    assert dec({"jti": "j", "fid": None})
    assert rec.calls[-1] == ("j", None)


def test_jws_decode_has_no_denylist():
    with pytest.raises(TypeError):
        cjwt.jws_decode(cjwt.jws_encode(b"x", "s" * 32, "HS256"), "s" * 32, algorithms=["HS256"],
                        denylist=Recorder())


def test_redis_keys_are_ids_never_token_bytes(redis_server, clock):
    store = cjwt.RedisStore(redis_server.client(), prefix="shape:", clock=clock)
    i = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store, clock=clock)
    pair = i.issue("u")
    i.revoke(pair.access_token)
    i.refresh(pair.refresh_token)
    i.revoke_family(pair.family_id)
    a, r = parts(pair.access_token)[1], parts(pair.refresh_token)[1]
    assert sorted(store.client.keys("shape:*")) == sorted([
        f"shape:revoked:jti:{a['jti']}", f"shape:used:{r['jti']}",
        f"shape:revoked:fid:{pair.family_id}", "shape:revocations",
        "shape:revocations:horizon"])
    feed = [f for _, f in store.client.xrange("shape:revocations")]
    assert [(f["k"], f["id"]) for f in feed] == [("jti", a["jti"]), ("fid", pair.family_id)]


def test_revocation_reaches_another_process(redis_server, clock):
    """Revoked by one process (an auth service), refused by another (an API)."""
    store = cjwt.RedisStore(redis_server.client(), prefix="xproc:")
    i = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=store)
    pair = i.issue("u")
    code = f"""
import sys; sys.path[:0] = {[PACKAGE_PATH] if PACKAGE_PATH else []!r}
import cjwt, redis
store = cjwt.RedisStore(redis.Redis(port={redis_server.port}), prefix="xproc:")
key = cjwt.Key.from_jwk({json.dumps(PUB.to_jwk())})
try:
    cjwt.decode(sys.argv[1], key, algorithms=["ES256"], audience={AUD!r}, typ="at+jwt",
                denylist=store)
    print("accepted")
except cjwt.RevokedTokenError as e:
    print(e.code)
"""

    def api(token):
        return subprocess.run([sys.executable, "-c", code, token], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
    assert api(pair.access_token) == "accepted"
    i.revoke(pair.access_token)
    assert api(pair.access_token) == "revoked"


# ---- cookies ----------------------------------------------------------------------

def test_refresh_cookie(issuer):
    pair = issuer.issue("u")
    value = cjwt.refresh_cookie(pair.refresh_token, max_age=pair.refresh_expires_in)
    attrs = [a.strip() for a in value.split(";")]
    assert attrs[0] == f"refresh_token={pair.refresh_token}"
    assert set(attrs[1:]) == {"HttpOnly", "Secure", "SameSite=Strict", "Path=/auth",
                              "Max-Age=604800"}
    from http.cookies import SimpleCookie
    jar = SimpleCookie()
    jar.load(value)
    assert jar["refresh_token"].value == pair.refresh_token


def test_refresh_cookie_options_and_clearing():
    v = cjwt.refresh_cookie("t", max_age=60, path="/oauth/token", name="rt",
                            domain="auth.example.com", samesite="Lax")
    assert {a.strip() for a in v.split(";")} == {
        "rt=t", "HttpOnly", "Secure", "SameSite=Lax", "Path=/oauth/token", "Max-Age=60",
        "Domain=auth.example.com"}
    assert cjwt.refresh_cookie("", max_age=0).startswith('refresh_token=""; ')
    with pytest.raises(ValueError):
        cjwt.refresh_cookie("t", max_age=-1)
    with pytest.raises(ValueError):
        cjwt.refresh_cookie("t", max_age="60")


def test_a_family_id_that_is_not_a_string_is_a_malformed_token():
    # the core's rule (next to the jti one), before the store is asked
    secret = "s" * 32
    asked = []

    class Store:
        def is_revoked(self, jti, fid):
            asked.append((jti, fid))
            return False

    for fid in (5, ["f"], {"f": 1}, True):
        token = cjwt.encode({"jti": "j", "fid": fid}, secret, "HS256")
        with pytest.raises(cjwt.DecodeError) as e:
            cjwt.decode(token, secret, algorithms=["HS256"], denylist=Store())
        assert e.value.code == "malformed" and "fid" in str(e.value)
    assert asked == []
    token = cjwt.encode({"jti": "j", "fid": None}, secret, "HS256")
    cjwt.decode(token, secret, algorithms=["HS256"], denylist=Store())
    assert asked == [("j", None)]
