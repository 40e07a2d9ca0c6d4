# Type stubs for cjwt.jwks_client: the JWKS client and PyJWT's PyJWKClient.
from ssl import SSLContext
from typing import Any, Callable, Mapping

from ._cjwt import KeySet, _Token
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientError

__all__ = ["JWKSClient", "JWKSClientError", "PyJWKClient"]

JWKSClientError = PyJWKClientError

class JWKSClient:
    uri: str
    url: str
    lifespan: float
    timeout: float
    cooldown: float
    headers: dict[str, str]
    ssl_context: SSLContext | None
    cache_jwk_set: bool
    fetch_count: int
    def __init__(self, url: str, lifespan: float = 300, timeout: float = 5,
                 cooldown: float = 30, headers: Mapping[str, str] | None = None, *,
                 ssl_context: SSLContext | None = None, cache_jwk_set: bool = True,
                 clock: Callable[[], float] = ...) -> None: ...
    def fetch_data(self) -> Any: ...
    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet: ...
    def get_keyset(self, refresh: bool = False) -> KeySet: ...
    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]: ...
    def get_signing_key(self, kid: str | None) -> PyJWK: ...
    def get_signing_key_from_jwt(self, token: _Token) -> PyJWK: ...
    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str | None) -> PyJWK | None: ...

class PyJWKClient(JWKSClient):
    def __init__(self, uri: str, cache_keys: bool = False, max_cached_keys: int = 16,
                 cache_jwk_set: bool = True, lifespan: float = 300,
                 headers: Mapping[str, str] | None = None, timeout: float = 30,
                 ssl_context: SSLContext | None = None, cooldown_duration: float = 30,
                 **kwargs: Any) -> None: ...
    @property
    def cooldown_duration(self) -> float: ...
