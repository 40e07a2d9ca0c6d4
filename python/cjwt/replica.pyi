# Type stubs for cjwt.replica (docs/lifecycle.md, "Replicas").
from typing import Any

from .lifecycle import ReplicaStatus

__all__ = ["Follower"]

class Follower:
    client: Any
    prefix: str
    feed: str
    max_lag: float
    LOG_INTERVAL: float
    def __init__(self, client: Any, prefix: str, *, max_lag: float = ...) -> None: ...
    def add(self, kind: str, ident: str, ttl: float) -> None: ...
    def is_revoked(self, jti: str, fid: str | None) -> bool: ...
    def status(self) -> ReplicaStatus: ...
    def close(self) -> None: ...
