"""PyJWT's ``jwt.jwk_set_cache.JWKSetCache``: the JWKS client's cache of one key set."""
import time
from typing import Any, Callable, Optional, Union

from .api_jwk import PyJWKSet
from .exceptions import PyJWKSetError

__all__ = ["JWKSetCache"]


class JWKSetCache:
    """Holds a parsed ``PyJWKSet`` for ``lifespan`` seconds (``-1``: forever).
    ``put(None)`` clears it; ``put(dict)`` parses a JWKS payload first."""

    def __init__(self, lifespan: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifespan = lifespan
        self._clock = clock
        self.jwk_set: Optional[PyJWKSet] = None
        self.timestamp: Optional[float] = None

    def put(self, jwk_set: Union[PyJWKSet, dict[str, Any], None]) -> None:
        if jwk_set is None:
            self.jwk_set = self.timestamp = None
            return
        if not isinstance(jwk_set, PyJWKSet):
            if not isinstance(jwk_set, dict):
                raise PyJWKSetError("Invalid JWK Set value")
            jwk_set = PyJWKSet.from_dict(jwk_set)
        self.jwk_set, self.timestamp = jwk_set, self._clock()

    def get(self) -> Optional[PyJWKSet]:
        if self.jwk_set is None or self.is_expired():
            return None
        return self.jwk_set

    def is_expired(self) -> bool:
        return (self.jwk_set is not None and self.lifespan > -1
                and self.timestamp is not None
                and self._clock() > self.timestamp + self.lifespan)
