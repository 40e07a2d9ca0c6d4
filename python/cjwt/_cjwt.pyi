# Type stubs for cjwt._cjwt, the C extension (python/_cjwt.c or python/src/*.c).
# Applications use the names re-exported by `cjwt`; the module-level functions here are
# the low-level entry points cjwt/__init__.py wraps.
from datetime import datetime, timedelta
from typing import (Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence, TypedDict,
                    Union, final, overload, type_check_only)

from .api_jwk import PyJWK, PyJWKSet
from .lifecycle import Denylist

CORE_VERSION: str
MAX_CACHE_SIZE: int

_JWKDict = dict[str, Any]
_Secret = Union[str, bytes, bytearray, memoryview]
_Token = Union[str, bytes]
_AnyKey = Union[str, bytes, _JWKDict, Key, KeySet, PyJWK, PyJWKSet, Any]
_Time = Union[int, float, datetime]
_Seconds = Union[int, float, timedelta]
_Audience = Union[str, Iterable[str], None]
_Issuer = Union[str, Sequence[str], None]

@type_check_only
class Options(TypedDict, total=False):
    """decode's ``options``: PyJWT's flags plus cjwt's limits."""
    verify_signature: bool
    verify_exp: bool
    verify_nbf: bool
    verify_iat: bool
    verify_aud: bool
    verify_iss: bool
    verify_sub: bool
    verify_jti: bool
    require: list[str]
    strict_aud: bool
    enforce_minimum_key_length: bool
    max_token_len: int
    max_depth: int

@final
class Key:
    def __new__(cls, key: Union[_JWKDict, _Secret, Key], /) -> Key: ...
    @classmethod
    def from_secret(cls, secret: _Secret, allow_short_secret: bool = ...) -> Key: ...
    @classmethod
    def from_jwk(cls, jwk: Union[_JWKDict, str, bytes], allow_short_secret: bool = ...) -> Key: ...
    @classmethod
    def from_pem(cls, data: Union[str, bytes], password: Union[str, bytes, None] = ...) -> Key: ...
    @classmethod
    def generate(cls, alg: str, kid: str | None = ..., crv: str | None = ...) -> Key: ...
    def with_kid(self, kid: str | None, /) -> Key: ...
    def with_alg(self, alg: str | None, /) -> Key: ...
    def to_jwk(self, private: bool = ...) -> _JWKDict: ...
    def to_pem(self, private: bool = ...) -> str: ...
    def thumbprint(self) -> str: ...
    @property
    def kid(self) -> str | None: ...
    @property
    def alg(self) -> str | None: ...
    @property
    def default_alg(self) -> str | None: ...
    @property
    def kty(self) -> str: ...
    @property
    def is_private(self) -> bool: ...
    @property
    def curve(self) -> str | None: ...
    @property
    def bits(self) -> int: ...

@final
class KeySet:
    def __new__(cls, keys: Iterable[Union[Key, _JWKDict]]) -> KeySet: ...
    @classmethod
    def from_jwks(cls, jwks: Union[Mapping[str, Any], str, bytes],
                  allow_short_secret: bool = ...) -> KeySet: ...
    def to_jwks(self, private: bool = ...) -> dict[str, list[_JWKDict]]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Key]: ...
    def __getitem__(self, kid: str, /) -> Key: ...
    def __contains__(self, kid: object, /) -> bool: ...
    @overload
    def get(self, kid: str, /) -> Key | None: ...
    @overload
    def get(self, kid: str, default: Any, /) -> Any: ...

class CacheInfo(NamedTuple):
    hits: int
    misses: int
    evictions: int
    size: int
    capacity: int

@final
class Verifier:
    def __new__(cls, algorithms: Sequence[str] | None = ..., *, audience: _Audience = ...,
                 issuer: _Issuer = ..., subject: str | None = ..., leeway: _Seconds = ...,
                 options: Options | None = ..., typ: str | None = ...,
                 max_age: _Seconds | None = ..., denylist: Denylist | None = ...,
                 cache: int = ...) -> Verifier: ...
    def decode(self, token: _Token, key: _AnyKey = ..., *,
               now: _Time | None = ...) -> dict[str, Any]: ...
    def decode_complete(self, token: _Token, key: _AnyKey = ..., *,
                        now: _Time | None = ...) -> dict[str, Any]: ...
    def cache_info(self) -> CacheInfo: ...
    def cache_clear(self) -> None: ...
    @property
    def cache_size(self) -> int: ...

def decode(token: _Token, key: _AnyKey = ..., algorithms: Sequence[str] | None = ...,
           options: Options | None = ..., verify: bool | None = ..., *,
           audience: _Audience = ..., issuer: _Issuer = ..., subject: str | None = ...,
           leeway: _Seconds = ..., typ: str | None = ..., max_age: _Seconds | None = ...,
           now: _Time | None = ..., denylist: Denylist | None = ...) -> dict[str, Any]: ...
def decode_complete(token: _Token, key: _AnyKey = ..., algorithms: Sequence[str] | None = ...,
                    options: Options | None = ..., verify: bool | None = ..., *,
                    audience: _Audience = ..., issuer: _Issuer = ..., subject: str | None = ...,
                    leeway: _Seconds = ..., typ: str | None = ...,
                    max_age: _Seconds | None = ..., now: _Time | None = ...,
                    denylist: Denylist | None = ...) -> dict[str, Any]: ...
def decode_unsecured(token: _Token, key: None = ..., algorithms: None = ...,
                     options: Options | None = ..., verify: bool | None = ..., *,
                     audience: _Audience = ..., issuer: _Issuer = ..., subject: str | None = ...,
                     leeway: _Seconds = ..., typ: str | None = ...,
                     max_age: _Seconds | None = ..., now: _Time | None = ...,
                     denylist: None = ...) -> dict[str, Any]: ...
def jws_decode(token: Union[_Token, dict[str, Any]], key: _AnyKey = ...,
               algorithms: Sequence[str] | None = ..., *,
               options: Options | None = ..., typ: str | None = ...,
               now: _Time | None = ...,
               detached_payload: Union[bytes, str, None] = ...) -> bytes: ...
def jws_decode_complete(token: Union[_Token, dict[str, Any]], key: _AnyKey = ...,
                        algorithms: Sequence[str] | None = ..., *,
                        options: Options | None = ..., typ: str | None = ...,
                        now: _Time | None = ...,
                        detached_payload: Union[bytes, str, None] = ...) -> dict[str, Any]: ...
def get_unverified_header(token: _Token, /) -> dict[str, Any]: ...
# The low-level signing entry points (cjwt.encode / cjwt.jws_encode convert first).
def encode(payload: Mapping[str, Any], key: _AnyKey, algorithm: str | None,
           headers: Mapping[str, Any] | None, expires_in: Union[int, str, None],
           now: float | None, sort_headers: bool = ..., /) -> str: ...
def jws_encode(data: Union[bytes, bytearray, memoryview], key: _AnyKey, algorithm: str | None,
               headers: Mapping[str, Any] | None, detached: bool = ..., /) -> str: ...
def jws_encode_json(data: Union[bytes, str], signers: Sequence[tuple[Any, str, Any, Any]],
                    flattened: bool, detached: bool, sort_headers: bool, /) -> str: ...
def parse_duration(text: Union[str, int], /) -> int: ...
def _set_hooks(slow_key: Callable[[Any, Any], tuple[Any, Any]],
               seconds: Callable[[Any], Any], unix_time: Callable[[Any], Any], /) -> None: ...
def _key_cache_info() -> dict[str, int]: ...
def _key_cache_clear() -> None: ...
def _set_unregistered(names: tuple[str, ...], /) -> None: ...

def jwe_encrypt(plaintext: bytes, key: _AnyKey, alg: str, enc: str,
                headers: dict[str, Any] | None, zip: str | None, p2c: int | None, /) -> str: ...
def jwe_decrypt(token: _Token, key: _AnyKey, algorithms: Sequence[str], encryptions: Sequence[str],
                max_plaintext: int | None, max_p2c: int | None,
                max_token_len: int | None, /) -> tuple[bytes, dict[str, Any]]: ...
def jwt_encrypt(payload: dict[str, Any], key: _AnyKey, alg: str, enc: str,
                headers: dict[str, Any] | None, zip: str | None, p2c: int | None,
                expires_in: Union[int, str, None], now: float | None, signing_key: Any,
                algorithm: str | None, sign_headers: dict[str, Any] | None, /) -> str: ...
def jwt_decrypt(token: _Token, key: _AnyKey, algorithms: Sequence[str], encryptions: Sequence[str],
                max_plaintext: int | None, max_p2c: int | None, max_token_len: int | None,
                verification_key: Any, signature_algorithms: Sequence[str] | None,
                options: Any, audience: Any, issuer: Any, subject: str | None, leeway: Any,
                typ: str | None, max_age: Any, now: float | None, denylist: Any,
                complete: bool, /) -> dict[str, Any]: ...
def jwe_encrypt_json(plaintext: bytes, recipients: Sequence[tuple[Any, str, dict[str, Any] | None, int | None]],
                     enc: str, protected: dict[str, Any] | None, unprotected: dict[str, Any] | None,
                     aad: bytes | None, zip: str | None, flattened: bool, /) -> str: ...
