# Type stubs for the cjwt package (the public API; see docs/design.md).
from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Sequence, TypedDict, Union, overload

from .api_jwk import PyJWK as PyJWK, PyJWKSet as PyJWKSet
from .exceptions import (
    CJWTError as CJWTError,
    DecodeError as DecodeError,
    ExpiredSignatureError as ExpiredSignatureError,
    ImmatureSignatureError as ImmatureSignatureError,
    InvalidAlgorithmError as InvalidAlgorithmError,
    InvalidAudienceError as InvalidAudienceError,
    InvalidIssuedAtError as InvalidIssuedAtError,
    InvalidIssuerError as InvalidIssuerError,
    InvalidJTIError as InvalidJTIError,
    InvalidKeyError as InvalidKeyError,
    InvalidSignatureError as InvalidSignatureError,
    InvalidSubjectError as InvalidSubjectError,
    InvalidTokenError as InvalidTokenError,
    InvalidTypeError as InvalidTypeError,
    MissingCryptographyError as MissingCryptographyError,
    MissingRequiredClaimError as MissingRequiredClaimError,
    PyJWKClientConnectionError as PyJWKClientConnectionError,
    PyJWKClientError as PyJWKClientError,
    PyJWKError as PyJWKError,
    PyJWKSetError as PyJWKSetError,
    PyJWTError as PyJWTError,
    RevokedTokenError as RevokedTokenError,
    RevocationUnavailableError as RevocationUnavailableError,
)
from .jwks_client import JWKSClient as JWKSClient, JWKSClientError as JWKSClientError
from .jwks_client import PyJWKClient as PyJWKClient
from .lifecycle import (
    Denylist as Denylist,
    MemoryStore as MemoryStore,
    RedisStore as RedisStore,
    TokenIssuer as TokenIssuer,
    TokenPair as TokenPair,
    refresh_cookie as refresh_cookie,
)

__version__: str
CORE_VERSION: str

JWKDict = dict[str, Any]
Secret = Union[str, bytes, bytearray, memoryview]

class Key:
    @classmethod
    def from_secret(cls, secret: Secret, allow_short_secret: bool = ...) -> Key: ...
    @classmethod
    def from_jwk(cls, jwk: Union[JWKDict, str, bytes], allow_short_secret: bool = ...) -> Key: ...
    @classmethod
    def from_pem(cls, data: Union[str, bytes], password: Union[str, bytes, None] = ...) -> Key: ...
    @classmethod
    def generate(cls, alg: str, kid: str | None = ...) -> Key: ...
    def with_kid(self, kid: str | None, /) -> Key: ...
    def with_alg(self, alg: str | None, /) -> Key: ...
    def to_jwk(self, private: bool = ...) -> JWKDict: ...
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

class KeySet:
    def __init__(self, keys: Iterable[Union[Key, JWKDict]]) -> None: ...
    @classmethod
    def from_jwks(cls, jwks: Union[Mapping[str, Any], str, bytes],
                  allow_short_secret: bool = ...) -> KeySet: ...
    def to_jwks(self, private: bool = ...) -> dict[str, list[JWKDict]]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Key]: ...
    def __getitem__(self, kid: str) -> Key: ...
    def __contains__(self, kid: object) -> bool: ...
    @overload
    def get(self, kid: str) -> Key | None: ...
    @overload
    def get(self, kid: str, default: Any) -> Any: ...

class Options(TypedDict, total=False):
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

AnyKey = Union[str, bytes, JWKDict, Key, KeySet, PyJWK, PyJWKSet, Any]
Time = Union[int, float, datetime]
Seconds = Union[int, float, timedelta]

def encode(payload: dict[str, Any], key: AnyKey, algorithm: str | None = ...,
           headers: dict[str, Any] | None = ..., json_encoder: Any = ...,
           sort_headers: bool = ..., *, expires_in: Union[int, str, timedelta, None] = ...,
           now: Time | None = ...) -> str: ...
def decode(token: Union[str, bytes], key: AnyKey = ..., algorithms: Sequence[str] | None = ...,
           options: Options | None = ..., verify: bool | None = ..., *,
           audience: Union[str, Iterable[str], None] = ...,
           issuer: Union[str, Sequence[str], None] = ..., subject: str | None = ...,
           leeway: Seconds = ..., typ: str | None = ..., max_age: Seconds | None = ...,
           now: Time | None = ..., denylist: Denylist | None = ...) -> dict[str, Any]: ...
def decode_complete(token: Union[str, bytes], key: AnyKey = ...,
                    algorithms: Sequence[str] | None = ..., options: Options | None = ...,
                    verify: bool | None = ..., *, audience: Union[str, Iterable[str], None] = ...,
                    issuer: Union[str, Sequence[str], None] = ..., subject: str | None = ...,
                    leeway: Seconds = ..., typ: str | None = ..., max_age: Seconds | None = ...,
                    now: Time | None = ..., denylist: Denylist | None = ...) -> dict[str, Any]: ...
def get_unverified_header(jwt: Union[str, bytes]) -> dict[str, Any]: ...
def jws_encode(data: Union[bytes, bytearray, memoryview], key: AnyKey, algorithm: str | None = ...,
               headers: dict[str, Any] | None = ...) -> str: ...
def jws_decode(token: Union[str, bytes], key: AnyKey = ..., algorithms: Sequence[str] | None = ...,
               *, options: Options | None = ..., typ: str | None = ...,
               now: Time | None = ...) -> bytes: ...

MAX_CACHE_SIZE: int

class CacheInfo(NamedTuple):
    hits: int
    misses: int
    evictions: int
    size: int
    capacity: int

class Verifier:
    def __init__(self, algorithms: Sequence[str] | None = ..., *,
                 audience: Union[str, Iterable[str], None] = ...,
                 issuer: Union[str, Sequence[str], None] = ..., subject: str | None = ...,
                 leeway: Seconds = ..., options: Options | None = ..., typ: str | None = ...,
                 max_age: Seconds | None = ..., denylist: Denylist | None = ...,
                 cache: int = ...) -> None: ...
    def decode(self, token: Union[str, bytes], key: AnyKey = ..., *,
               now: Time | None = ...) -> dict[str, Any]: ...
    def decode_complete(self, token: Union[str, bytes], key: AnyKey = ..., *,
                        now: Time | None = ...) -> dict[str, Any]: ...
    def cache_info(self) -> CacheInfo: ...
    def cache_clear(self) -> None: ...
    @property
    def cache_size(self) -> int: ...

class PyJWT:
    options: dict[str, Any]
    def __init__(self, options: Options | None = ...) -> None: ...
    def encode(self, payload: dict[str, Any], key: AnyKey, algorithm: str | None = ...,
               headers: dict[str, Any] | None = ..., json_encoder: Any = ...,
               sort_headers: bool = ...) -> str: ...
    def decode(self, jwt: Union[str, bytes], key: AnyKey = ...,
               algorithms: Sequence[str] | None = ..., options: Options | None = ...,
               verify: bool | None = ..., **kwargs: Any) -> dict[str, Any]: ...
    def decode_complete(self, jwt: Union[str, bytes], key: AnyKey = ...,
                        algorithms: Sequence[str] | None = ..., options: Options | None = ...,
                        verify: bool | None = ..., **kwargs: Any) -> dict[str, Any]: ...

class PyJWS:
    options: dict[str, Any]
    def __init__(self, algorithms: Sequence[str] | None = ..., options: Options | None = ...) -> None: ...
    def encode(self, payload: bytes, key: AnyKey, algorithm: str | None = ...,
               headers: dict[str, Any] | None = ..., json_encoder: Any = ...,
               is_payload_detached: bool = ..., sort_headers: bool = ...) -> str: ...
    def decode(self, jwt: Union[str, bytes], key: AnyKey = ...,
               algorithms: Sequence[str] | None = ..., options: Options | None = ...,
               detached_payload: bytes | None = ..., **kwargs: Any) -> bytes: ...
    def get_unverified_header(self, jwt: Union[str, bytes]) -> dict[str, Any]: ...
