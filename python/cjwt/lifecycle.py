"""Token lifecycle: access and refresh token pairs, rotation with reuse
detection, and a revocation store (denylist) shared with every verifier.

The flow (docs/lifecycle.md)::

    issuer = TokenIssuer(key, issuer="https://auth.example.com", audience="api.example.com",
                         access_ttl="15m", refresh_ttl="7d", store=RedisStore(redis_client))
    pair = issuer.issue("user-123", claims={"role": "admin"})
    pair = issuer.refresh(pair.refresh_token)       # rotate; a reused one revokes the family
    issuer.revoke(pair.access_token)                # logout / compromise
    claims = cjwt.decode(token, key, algorithms=["ES256"], audience="api.example.com",
                         typ="at+jwt", denylist=store)

Every validity decision is the C core's: tokens are verified by
``cjwt.decode`` (signature, claims, ``typ``), and the denylist lookup runs
through the core's revocation hook after the signature and the claims hold.
What lives here is the bookkeeping of a token service: which claims a token
gets, what to write to the store, and when a family is revoked.

Stores hold one entry per revoked token (``jti``), per revoked family
(``fid``) and per used refresh token; every entry expires with the token it
describes, so a store never holds more than the live tokens. Nothing is ever
keyed by a token's bytes.
"""
import math
import secrets
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie

from . import _cjwt
from .exceptions import ExpiredSignatureError, InvalidTypeError, RevokedTokenError

__all__ = ["TokenIssuer", "TokenPair", "MemoryStore", "RedisStore", "refresh_cookie",
           "ACCESS_TYP", "REFRESH_TYP"]

ACCESS_TYP = "at+jwt"          # RFC 9068
REFRESH_TYP = "refresh+jwt"

# Claims the issuer sets itself; a caller's claims may not override them.
REGISTERED = frozenset(("iss", "sub", "aud", "iat", "exp", "nbf", "jti", "fid", "ext",
                        "auth_time"))


def _new_id():
    return secrets.token_urlsafe(16)


def _duration(value, what):
    """Seconds from an int, a float, a timedelta or "15m"/"1h"/"7d" text."""
    if hasattr(value, "total_seconds"):
        value = value.total_seconds()
    if isinstance(value, str):
        value = _cjwt.parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{what} must be a positive duration (seconds, timedelta or '15m')")
    return int(math.ceil(value))


def _ttl(expires_at, now, grace):
    """Seconds an entry describing a token that expires at ``expires_at`` must live."""
    return max(1, int(math.ceil(expires_at + grace - now)))


# ---- stores ---------------------------------------------------------------


class MemoryStore:
    """An in-process store: thread-safe, entries expire with their tokens.

    Good for one process (tests, a single-worker service); several processes
    or hosts need a shared store (``RedisStore``). ``grace`` (seconds) keeps
    each entry that much longer than its token, to cover verifiers that
    accept a token for ``leeway`` seconds after ``exp``. ``clock`` replaces
    ``time.time`` (tests).
    """

    _SWEEP_EVERY = 256

    def __init__(self, *, grace=0, clock=time.time):
        self._lock = threading.Lock()
        self._jti = {}      # jti -> time the entry expires
        self._fid = {}
        self._used = {}
        self._grace = grace
        self._clock = clock
        self._writes = 0

    def _live(self, table, key, now):
        exp = table.get(key)
        if exp is None:
            return False
        if exp <= now:
            del table[key]
            return False
        return True

    def _sweep(self, now):
        for table in (self._jti, self._fid, self._used):
            for k in [k for k, exp in table.items() if exp <= now]:
                del table[k]

    def _put(self, table, key, expires_at):
        now = self._clock()
        with self._lock:
            self._writes += 1
            if self._writes % self._SWEEP_EVERY == 0:
                self._sweep(now)
            table[key] = max(table.get(key, 0), now + _ttl(expires_at, now, self._grace))

    def is_revoked(self, jti, fid):
        """True when the token ``jti`` or its family ``fid`` (may be None) is revoked."""
        now = self._clock()
        with self._lock:
            return self._live(self._jti, jti, now) or (
                fid is not None and self._live(self._fid, fid, now))

    def revoke_jti(self, jti, expires_at):
        self._put(self._jti, jti, expires_at)

    def revoke_family(self, fid, expires_at):
        self._put(self._fid, fid, expires_at)

    def mark_used(self, jti, expires_at):
        """True the first time ``jti`` is marked, False on every later call (atomic)."""
        now = self._clock()
        with self._lock:
            if self._live(self._used, jti, now):
                return False
            self._used[jti] = now + _ttl(expires_at, now, self._grace)
            return True

    def __len__(self):
        """Live entries (revoked tokens, revoked families, used refresh tokens)."""
        now = self._clock()
        with self._lock:
            self._sweep(now)
            return len(self._jti) + len(self._fid) + len(self._used)


class RedisStore:
    """A store on Redis through a redis-py client, shared by every process,
    host and nginx gateway that reads the same keys.

    Keys: ``{prefix}revoked:jti:{jti}``, ``{prefix}revoked:fid:{fid}`` and
    ``{prefix}used:{jti}``, value ``"1"``, each with a TTL that ends when the
    token it describes expires (plus ``grace``). ``is_revoked`` is one
    ``EXISTS`` round trip; ``mark_used`` is ``SET NX EX`` (atomic across
    processes). Redis errors propagate: ``cjwt.decode(..., denylist=store)``
    then refuses the token (fail closed) with the Redis error as ``__cause__``.

    The revocation feed: every revocation (``revoke_jti``, ``revoke_family``,
    and so the family revocation on refresh reuse) also appends an entry
    ``k`` (``jti``/``fid``), ``id``, ``ttl`` (seconds from the entry's stream
    id) to the Redis Stream ``{prefix}revocations``, in the same Lua script as
    the key (atomic). The stream is trimmed (``XTRIM MINID``) to the longest
    TTL ever written (``{prefix}revocations:horizon``): what is trimmed is
    dead. Replicas (``replica=True``, cjwt.replica) follow it.

    ``replica=True``: ``is_revoked`` answers from an in-memory copy that a
    background thread keeps up to date (docs/lifecycle.md, "Replicas"); it
    raises ``RevocationUnavailableError`` once the thread has not heard from
    Redis for ``max_lag`` seconds. The client needs a ``socket_timeout``.
    """

    # KEYS: the entry's key, the stream, the horizon. ARGV: kind, id, ttl,
    # extend ("1": never shorten a live entry; no feed entry then either).
    _REVOKE = """
local ttl = tonumber(ARGV[3])
if ARGV[4] == '1' and redis.call('TTL', KEYS[1]) >= ttl then
  return 0
end
redis.call('SET', KEYS[1], '1', 'EX', ttl)
local id = redis.call('XADD', KEYS[2], '*', 'k', ARGV[1], 'id', ARGV[2], 'ttl', ttl)
local horizon = tonumber(redis.call('GET', KEYS[3]) or '0')
if ttl > horizon then
  horizon = ttl
  redis.call('SET', KEYS[3], horizon)
end
local ms = tonumber(string.match(id, '^(%d+)'))
redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', ms - horizon * 1000 - 1000))
return 1
"""

    def __init__(self, client, prefix="cjwt:", *, grace=0, clock=time.time, replica=False,
                 max_lag=2.0):
        self.client = client
        self.prefix = prefix
        self._grace = grace
        self._clock = clock
        self._revoke = client.register_script(self._REVOKE)
        self.feed_key = f"{prefix}revocations"
        self.horizon_key = f"{prefix}revocations:horizon"
        self._replica = None
        if replica:
            from .replica import Follower

            self._replica = Follower(client, prefix, max_lag=max_lag)

    def key_jti(self, jti):
        return f"{self.prefix}revoked:jti:{jti}"

    def key_fid(self, fid):
        return f"{self.prefix}revoked:fid:{fid}"

    def key_used(self, jti):
        return f"{self.prefix}used:{jti}"

    def _ttl(self, expires_at):
        return _ttl(expires_at, self._clock(), self._grace)

    def is_revoked(self, jti, fid):
        if self._replica is not None:
            return self._replica.is_revoked(jti, fid)
        keys = [self.key_jti(jti)] if fid is None else [self.key_jti(jti), self.key_fid(fid)]
        return self.client.exists(*keys) > 0

    def _write(self, kind, key, value, ttl, extend):
        self._revoke(keys=[key, self.feed_key, self.horizon_key],
                     args=[kind, value, ttl, "1" if extend else "0"])
        if self._replica is not None:
            self._replica.add(kind, value, ttl)      # read your own writes at once

    def revoke_jti(self, jti, expires_at):
        self._write("jti", self.key_jti(jti), jti, self._ttl(expires_at), False)

    def revoke_family(self, fid, expires_at):
        # a later revocation never shortens a family's entry
        self._write("fid", self.key_fid(fid), fid, self._ttl(expires_at), True)

    def mark_used(self, jti, expires_at):
        return bool(self.client.set(self.key_used(jti), "1", ex=self._ttl(expires_at), nx=True))

    def replica_status(self):
        """The replica's state: ``healthy`` (answers come from memory, heard
        from Redis within ``max_lag``), ``entries`` (live revocations held),
        ``lag`` (seconds since Redis last answered), ``synced``, ``last_id``
        (the feed position), ``resyncs``, ``error`` (the last one, or None),
        ``refused`` (checks refused, fail closed: logged as a summary, not one
        by one; logger ``cjwt.replica``).
        Raises ``ValueError`` on a store without ``replica=True``."""
        if self._replica is None:
            raise ValueError("replica_status() needs RedisStore(..., replica=True)")
        return self._replica.status()

    def close(self):
        """Stops the replica's thread (nothing to do without ``replica=True``).
        A closed replica answers no more: ``is_revoked`` raises
        ``RevocationUnavailableError``."""
        if self._replica is not None:
            self._replica.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- issuing --------------------------------------------------------------


@dataclass(frozen=True)
class TokenPair:
    """What ``issue``/``refresh`` return; ``as_dict()`` is the OAuth 2.0 token response."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    family_id: str
    token_type: str = "Bearer"

    def as_dict(self):
        return {"access_token": self.access_token, "token_type": self.token_type,
                "expires_in": self.expires_in, "refresh_token": self.refresh_token,
                "refresh_expires_in": self.refresh_expires_in}


# The key management algorithm an encryption key implies (TokenIssuer).
_DEFAULT_KEY_MANAGEMENT = {"RSA": "RSA-OAEP-256", "EC": "ECDH-ES+A256KW", "OKP": "ECDH-ES+A256KW",
                           "oct": "dir"}


def _as_key(key):
    """Any key cjwt.encode takes, as one cjwt.Key built once."""
    from . import Key, _core_key

    key = _core_key(key)
    if isinstance(key, Key):
        return key
    if isinstance(key, dict):
        return Key.from_jwk(key)
    if isinstance(key, (str, bytes, bytearray, memoryview)):
        data = bytes(key, "utf-8") if isinstance(key, str) else bytes(key)
        return Key.from_pem(data) if b"-----BEGIN" in data else Key.from_secret(data)
    raise TypeError(f"TokenIssuer needs a signing key, not {type(key).__name__}")


class TokenIssuer:
    """Issues, rotates and revokes access/refresh token pairs.

    Access tokens: header ``typ: at+jwt`` (RFC 9068); claims ``iss``, ``sub``,
    ``aud``, ``iat``, ``exp``, a random ``jti``, the family id ``fid`` and the
    caller's claims. Refresh tokens: header ``typ: refresh+jwt``; claims
    ``iss``, ``sub``, ``aud`` (the issuer URL itself: only this service takes
    them), ``iat``, ``exp``, ``jti``, ``fid`` and, when the caller gave claims,
    ``ext`` holding them so that a refreshed access token carries them again.
    Both carry ``auth_time``, the time of the login the family started with
    (kept across refreshes). ``max_session`` (a duration) ends a family that
    long after its login, whatever its refreshes: no token of it expires later,
    and a refresh after that raises ``ExpiredSignatureError``.
    The ``typ`` values keep one kind from ever being accepted as the other.

    ``key``: a private ``cjwt.Key`` (or PEM, JWK dict, secret); ``algorithm``
    defaults to the key's (its bound ``alg``, else the usual one for its type).
    ``store``: a ``MemoryStore`` or ``RedisStore``; ``clock`` replaces
    ``time.time``; every method also takes ``now=`` (unix time).

    Key rotation: ``verify_keys`` (a ``cjwt.KeySet`` or a list of keys, each
    with a ``kid``) are the keys this issuer's tokens may carry, the signing
    ``key`` among them. New tokens are always signed with ``key``; ``refresh``,
    ``revoke`` and ``verify`` accept tokens signed with any of ``verify_keys``
    (chosen by ``kid``), so after a rotation a session refreshed with a refresh
    token from the old key continues under the new one. Without it only
    ``key`` is trusted.

    Encrypted access tokens (docs/jwe.md): with ``encryption_key`` (the
    resource servers' key: an RSA, EC or X25519/X448 public key, or a shared
    secret) each access token is a nested JWT, signed as above and then
    encrypted (``cty: "JWT"``) with ``encryption_alg`` (default RSA-OAEP-256
    for RSA, ECDH-ES+A256KW for EC/OKP, dir for a secret) and
    ``encryption_enc`` (default A256GCM), so its claims are private to the
    resource servers. ``verify``/``revoke`` decrypt with ``decryption_key``
    (default ``encryption_key``: give the private key when that is a public
    one) and then verify the signature and claims as before. Refresh tokens
    stay signed only: nobody but this service reads them.
    """

    def __init__(self, key, *, issuer, audience, access_ttl="15m", refresh_ttl="7d",
                 store=None, algorithm=None, clock=time.time, verify_keys=None,
                 max_session=None, encryption_key=None, encryption_alg=None,
                 encryption_enc="A256GCM", decryption_key=None):
        self.key = _as_key(key)
        self.algorithm = algorithm or self.key.default_alg   # the core's default
        if not self.algorithm:
            raise ValueError(f"no default algorithm for this key ({self.key!r}); pass algorithm=")
        self.verify_keys, self._verify_algs = self._trusted(verify_keys)
        if not isinstance(issuer, str) or not issuer:
            raise ValueError("issuer must be a non-empty string (the token service's URL)")
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = _duration(access_ttl, "access_ttl")
        self.refresh_ttl = _duration(refresh_ttl, "refresh_ttl")
        self.max_session = None if max_session is None else _duration(max_session, "max_session")
        self.store = store if store is not None else MemoryStore()
        self._clock = clock
        self.encryption_key = self.encryption_alg = self.encryption_enc = None
        self._decryption_key = None
        if encryption_key is not None:
            self.encryption_key = _as_key(encryption_key)
            self.encryption_alg = encryption_alg or _DEFAULT_KEY_MANAGEMENT.get(
                self.encryption_key.kty)
            if not isinstance(self.encryption_alg, str):
                raise ValueError("pass encryption_alg= for this encryption key")
            self.encryption_enc = encryption_enc
            self._decryption_key = (self.encryption_key if decryption_key is None
                                    else _as_key(decryption_key))
        elif encryption_alg is not None or decryption_key is not None:
            raise ValueError("encryption_alg and decryption_key need an encryption_key")

    def _trusted(self, verify_keys):
        """(what _verify checks signatures with, the algorithms it allows)."""
        from . import KeySet

        if verify_keys is None:
            return self.key, [self.algorithm]
        if not isinstance(verify_keys, KeySet):
            if isinstance(verify_keys, (str, bytes, dict)) or not hasattr(verify_keys, "__iter__"):
                raise TypeError("verify_keys must be a cjwt.KeySet or a list of keys")
            verify_keys = KeySet([_as_key(k) for k in verify_keys])
        kid = self.key.kid
        if not kid:
            raise ValueError("with verify_keys, the signing key needs a kid (Key.with_kid), "
                             "so that tokens name the key that signed them")
        mine = verify_keys.get(kid)
        if mine is None:
            raise ValueError(f"verify_keys must include the signing key (kid {kid!r})")
        if mine.thumbprint() != self.key.thumbprint():
            raise ValueError(f"verify_keys has another key under the signing key's kid {kid!r}")
        algs = [self.algorithm]
        for k in verify_keys:
            alg = k.default_alg
            if alg and alg not in algs:
                algs.append(alg)
        return verify_keys, algs

    def _now(self, now):
        return int(self._clock() if now is None else now)

    def _sign(self, payload, typ):
        if typ == ACCESS_TYP and self.encryption_key is not None:
            return _cjwt.jwt_encrypt(payload, self.encryption_key, self.encryption_alg,
                                     self.encryption_enc, None, None, None, None, None,
                                     self.key, self.algorithm, {"typ": typ})
        return _cjwt.encode(payload, self.key, self.algorithm, {"typ": typ}, None, None)

    def _pair(self, subject, claims, fid, now, auth_time):
        extra = dict(claims or {})
        clash = REGISTERED.intersection(extra)
        if clash:
            raise ValueError(f"claims may not set registered claims: {', '.join(sorted(clash))}")
        access_exp, refresh_exp = now + self.access_ttl, now + self.refresh_ttl
        if self.max_session is not None:
            # nothing of this login outlives the session
            end = auth_time + self.max_session
            access_exp, refresh_exp = min(access_exp, end), min(refresh_exp, end)
        access = dict(extra)
        access.update(iss=self.issuer, sub=subject, aud=self.audience, iat=now,
                      exp=access_exp, jti=_new_id(), fid=fid, auth_time=auth_time)
        refresh = {"iss": self.issuer, "sub": subject, "aud": self.issuer, "iat": now,
                   "exp": refresh_exp, "jti": _new_id(), "fid": fid, "auth_time": auth_time}
        if extra:
            refresh["ext"] = extra
        return TokenPair(access_token=self._sign(access, ACCESS_TYP),
                         refresh_token=self._sign(refresh, REFRESH_TYP),
                         expires_in=access_exp - now, refresh_expires_in=refresh_exp - now,
                         family_id=fid)

    def issue(self, subject, claims=None, *, now=None):
        """A new pair in a new family for ``subject`` (a non-empty string)."""
        if not isinstance(subject, str) or not subject:
            raise ValueError("subject must be a non-empty string")
        now = self._now(now)
        return self._pair(subject, claims, _new_id(), now, now)

    def _verify(self, token, typ, now, denylist=True):
        from . import decode, decode_encrypted

        audience = self.issuer if typ == REFRESH_TYP else self.audience
        checks = dict(audience=audience, issuer=self.issuer, typ=typ, now=now,
                      options={"require": ["exp", "iat", "jti", "fid", "sub"]},
                      denylist=self.store if denylist else None)
        if typ == ACCESS_TYP and self.encryption_key is not None:
            return decode_encrypted(token, self._decryption_key,
                                    algorithms=[self.encryption_alg],
                                    encryptions=[self.encryption_enc],
                                    verification_key=self.verify_keys,
                                    signature_algorithms=self._verify_algs, **checks)
        return decode(token, self.verify_keys, algorithms=self._verify_algs, **checks)

    def _family_expiry(self, now):
        # The family's latest tokens were issued at most `now`: none outlives this.
        return now + max(self.access_ttl, self.refresh_ttl)

    def refresh(self, refresh_token, *, claims=None, now=None):
        """Rotates: verifies the refresh token (``typ`` refresh+jwt, denylist
        included), marks it used and returns a new pair in the same family.

        A refresh token that was already used is taken as stolen: its whole
        family (every access and refresh token issued from the same login) is
        revoked and ``RevokedTokenError`` is raised. The new access token
        carries ``claims`` when given, else the claims of the original issue.
        With ``max_session``, a refresh once the session is that old raises
        ``ExpiredSignatureError``.
        """
        now = self._now(now)
        c = self._verify(refresh_token, REFRESH_TYP, now)
        # The login this family started with; a token from before auth_time
        # was added counts from its own iat.
        auth_time = c.get("auth_time")
        if isinstance(auth_time, bool) or not isinstance(auth_time, (int, float)):
            auth_time = c["iat"]
        auth_time = int(auth_time)
        if self.max_session is not None and now >= auth_time + self.max_session:
            raise ExpiredSignatureError(
                "The session has expired (max_session after the login): log in again")
        if not self.store.mark_used(c["jti"], c["exp"]):
            self.store.revoke_family(c["fid"], self._family_expiry(now))
            raise RevokedTokenError(
                "Refresh token reuse detected: the token was already used; its family is revoked")
        if claims is None:
            claims = c.get("ext") if isinstance(c.get("ext"), dict) else None
        return self._pair(c["sub"], claims, c["fid"], now, auth_time)

    def revoke(self, token, *, family=False, now=None):
        """Revokes one token (access or refresh) by its ``jti``, after verifying
        it; with ``family=True`` its whole family instead (a full logout).

        Returns the token's claims, or None when the token has expired anyway
        (nothing left to revoke). Other verification failures raise.
        """
        now = self._now(now)
        kinds = (ACCESS_TYP, REFRESH_TYP)
        if self.encryption_key is not None:
            # access tokens are JWEs (five segments), refresh tokens JWSs
            encrypted = isinstance(token, (str, bytes)) and token.count(
                "." if isinstance(token, str) else b".") == 4
            kinds = (ACCESS_TYP,) if encrypted else (REFRESH_TYP,)
        try:
            try:
                c = self._verify(token, kinds[0], now, denylist=False)
            except InvalidTypeError:
                if len(kinds) == 1:
                    raise
                c = self._verify(token, kinds[1], now, denylist=False)
        except ExpiredSignatureError:
            return None
        if family:
            self.store.revoke_family(c["fid"], self._family_expiry(now))
        else:
            self.store.revoke_jti(c["jti"], c["exp"])
        return c

    def revoke_family(self, fid, *, now=None):
        """Revokes every token of family ``fid`` (the ``fid`` claim, ``TokenPair.family_id``)."""
        if not isinstance(fid, str) or not fid:
            raise ValueError("fid must be a non-empty string")
        self.store.revoke_family(fid, self._family_expiry(self._now(now)))

    def verify(self, access_token, *, now=None):
        """Verifies an access token as a resource server does (``typ`` at+jwt,
        this issuer and audience, the denylist); returns its claims."""
        return self._verify(access_token, ACCESS_TYP, self._now(now))


# ---- cookies --------------------------------------------------------------


def refresh_cookie(token, *, max_age, path="/auth", name="refresh_token", domain=None,
                   secure=True, samesite="Strict"):
    """The ``Set-Cookie`` header value carrying a refresh token:
    ``HttpOnly; Secure; SameSite=Strict``, a narrow ``Path`` (only the token
    endpoint sees it) and ``Max-Age``. ``refresh_cookie("", max_age=0)``
    clears it (logout)."""
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        raise ValueError("max_age must be an int >= 0 (seconds)")
    cookie = SimpleCookie()
    cookie[name] = token
    m = cookie[name]
    m["path"] = path
    m["max-age"] = str(max_age)
    m["httponly"] = True
    if secure:
        m["secure"] = True
    if samesite:
        m["samesite"] = samesite
    if domain:
        m["domain"] = domain
    return m.OutputString()
