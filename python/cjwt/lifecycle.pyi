# Type stubs for cjwt.lifecycle (docs/lifecycle.md).
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Mapping, Protocol, TypedDict, Union, type_check_only

from ._cjwt import Key, KeySet

__all__ = ["TokenIssuer", "TokenPair", "MemoryStore", "RedisStore", "refresh_cookie",
           "ACCESS_TYP", "REFRESH_TYP"]

_Duration = Union[int, float, str, timedelta]

ACCESS_TYP: str
REFRESH_TYP: str

@type_check_only
class Denylist(Protocol):
    """What ``decode(..., denylist=)`` takes: any object with this method."""
    def is_revoked(self, jti: str, fid: str | None) -> bool: ...

@type_check_only
class Store(Denylist, Protocol):
    """What ``TokenIssuer(store=)`` takes (MemoryStore, RedisStore, or your own)."""
    def revoke_jti(self, jti: str, expires_at: float) -> None: ...
    def revoke_family(self, fid: str, expires_at: float) -> None: ...
    def mark_used(self, jti: str, expires_at: float) -> bool: ...

class MemoryStore:
    def __init__(self, *, grace: float = ..., clock: Callable[[], float] = ...) -> None: ...
    def is_revoked(self, jti: str, fid: str | None) -> bool: ...
    def revoke_jti(self, jti: str, expires_at: float) -> None: ...
    def revoke_family(self, fid: str, expires_at: float) -> None: ...
    def mark_used(self, jti: str, expires_at: float) -> bool: ...
    def __len__(self) -> int: ...

@type_check_only
class ReplicaStatus(TypedDict):
    healthy: bool
    entries: int
    lag: float | None
    max_lag: float
    synced: bool
    last_id: str | None
    resyncs: int
    error: str | None
    refused: int

class RedisStore:
    client: Any
    prefix: str
    feed_key: str
    horizon_key: str
    def __init__(self, client: Any, prefix: str = ..., *, grace: float = ...,
                 clock: Callable[[], float] = ..., replica: bool = ...,
                 max_lag: float = ...) -> None: ...
    def replica_status(self) -> ReplicaStatus: ...
    def close(self) -> None: ...
    def __enter__(self) -> RedisStore: ...
    def __exit__(self, *exc: object) -> None: ...
    def key_jti(self, jti: str) -> str: ...
    def key_fid(self, fid: str) -> str: ...
    def key_used(self, jti: str) -> str: ...
    def is_revoked(self, jti: str, fid: str | None) -> bool: ...
    def revoke_jti(self, jti: str, expires_at: float) -> None: ...
    def revoke_family(self, fid: str, expires_at: float) -> None: ...
    def mark_used(self, jti: str, expires_at: float) -> bool: ...

@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    family_id: str
    token_type: str = "Bearer"
    def as_dict(self) -> dict[str, Any]: ...

class TokenIssuer:
    key: Key                      # the signing key, as one cjwt.Key
    algorithm: str
    issuer: str
    audience: Any
    access_ttl: int
    refresh_ttl: int
    store: Store
    def __init__(self, key: Any, *, issuer: str, audience: Any, access_ttl: _Duration = ...,
                 refresh_ttl: _Duration = ..., store: Store | None = ...,
                 algorithm: str | None = ..., clock: Callable[[], float] = ...,
                 verify_keys: Any = ..., max_session: _Duration | None = ...,
                 encryption_key: Any = ..., encryption_alg: str | None = ...,
                 encryption_enc: str = ..., decryption_key: Any = ...) -> None: ...
    max_session: int | None
    encryption_key: Key | None    # access tokens are encrypted to it (nested JWTs)
    encryption_alg: str | None
    encryption_enc: str | None
    verify_keys: Key | KeySet     # the signing key alone when verify_keys was not given
    def issue(self, subject: str, claims: Mapping[str, Any] | None = ..., *,
              now: float | None = ...) -> TokenPair: ...
    def refresh(self, refresh_token: str, *, claims: Mapping[str, Any] | None = ...,
                now: float | None = ...) -> TokenPair: ...
    def revoke(self, token: str, *, family: bool = ...,
               now: float | None = ...) -> dict[str, Any] | None: ...
    def revoke_family(self, fid: str, *, now: float | None = ...) -> None: ...
    def verify(self, access_token: str, *, now: float | None = ...) -> dict[str, Any]: ...

def refresh_cookie(token: str, *, max_age: int, path: str = ..., name: str = ...,
                   domain: str | None = ..., secure: bool = ..., samesite: str | None = ...) -> str: ...
