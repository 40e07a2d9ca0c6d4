"""cjwt's own API, typed: keys, key sets, verifiers, raw JWS, the token lifecycle.

`make test-types` type-checks this file with `mypy --strict` and runs it.
"""
from __future__ import annotations

from typing import Any

import cjwt

NOW = 1_700_000_000


def keys_and_sets() -> None:
    key: cjwt.Key = cjwt.Key.generate("ES256", kid="k1")
    public: cjwt.Key = cjwt.Key.from_jwk(key.to_jwk())
    assert public.kty == "EC" and public.curve == "P-256" and not public.is_private
    pem: str = key.to_pem(private=True)
    assert cjwt.Key.from_pem(pem).thumbprint() == key.thumbprint()
    keyset = cjwt.KeySet.from_jwks({"keys": [public.to_jwk()]})
    assert "k1" in keyset and len(keyset) == 1 and keyset["k1"].kid == "k1"
    found: cjwt.Key | None = keyset.get("nope")
    assert found is None
    token = cjwt.encode({"sub": "u"}, key, algorithm="ES256", headers={"kid": "k1"},
                        expires_in="15m", now=NOW)
    claims: dict[str, Any] = cjwt.decode(token, keyset, algorithms=["ES256"], now=NOW + 1)
    assert claims["exp"] == NOW + 900


def verifier() -> None:
    secret = cjwt.Key.from_secret(b"a secret of at least 32 bytes for HS256!")
    v = cjwt.Verifier(["HS256"], audience="api", leeway=5, cache=100,
                      options={"require": ["exp"]})
    token = cjwt.encode({"aud": "api", "exp": NOW + 60}, secret, algorithm="HS256")
    assert v.decode(token, secret, now=NOW)["aud"] == "api"
    v.decode(token, secret, now=NOW)
    info: cjwt.CacheInfo = v.cache_info()
    assert info.hits == 1 and info.size == 1 and info.capacity == v.cache_size == 100
    try:
        v.decode(token, secret, now=NOW + 3600)
    except cjwt.ExpiredSignatureError as e:
        code: str = e.code
        assert code == "expired"


def raw_jws() -> None:
    key = cjwt.Key.generate("EdDSA")
    token: str = cjwt.jws_encode(b"\x00bytes", key, algorithm="EdDSA")
    data: bytes = cjwt.jws_decode(token, key, algorithms=["EdDSA"])
    assert data == b"\x00bytes"


def lifecycle() -> None:
    store = cjwt.MemoryStore()
    issuer = cjwt.TokenIssuer(cjwt.Key.generate("ES256", kid="auth-1"),
                              issuer="https://auth.example.com", audience="api",
                              access_ttl="15m", refresh_ttl="7d", store=store)
    pair: cjwt.TokenPair = issuer.issue("user-1", claims={"role": "admin"}, now=NOW)
    claims = issuer.verify(pair.access_token, now=NOW + 1)
    assert claims["role"] == "admin"
    pair = issuer.refresh(pair.refresh_token, now=NOW + 2)
    issuer.revoke(pair.access_token, family=True, now=NOW + 3)
    try:
        cjwt.decode(pair.access_token, issuer.key, algorithms=["ES256"], audience="api",
                    typ="at+jwt", denylist=store, now=NOW + 4)
    except cjwt.RevokedTokenError:
        pass
    else:
        raise AssertionError("revoked token accepted")
    cookie: str = cjwt.refresh_cookie(pair.refresh_token, max_age=pair.refresh_expires_in)
    assert cookie.startswith("refresh_token=")


if __name__ == "__main__":
    keys_and_sets()
    verifier()
    raw_jws()
    lifecycle()
    print("cjwt_api: ok")
