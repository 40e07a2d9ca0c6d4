# Type stubs for the cjwt package (the public API; see docs/design.md).
from datetime import timedelta
from typing import Any, Iterable, Sequence, Union

from ._cjwt import (
    MAX_CACHE_SIZE as MAX_CACHE_SIZE,
    CacheInfo as CacheInfo,
    Key as Key,
    KeySet as KeySet,
    Options as Options,
    Verifier as Verifier,
    _AnyKey,
    _Seconds,
    _Time,
    _Token,
    decode as decode,
    decode_complete as decode_complete,
    get_unverified_header as get_unverified_header,
    jws_decode as jws_decode,
    jws_decode_complete as jws_decode_complete,
)
from . import algorithms as algorithms, utils as utils
from .api_jwk import PyJWK as PyJWK, PyJWKSet as PyJWKSet
from .warnings import InsecureKeyLengthWarning as InsecureKeyLengthWarning
from .warnings import RemovedInPyjwt3Warning as RemovedInPyjwt3Warning
from .exceptions import (
    CJWTError as CJWTError,
    DecodeError as DecodeError,
    DecryptionError as DecryptionError,
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

__all__ = [
    'encode', 'decode', 'decode_complete', 'get_unverified_header', 'jws_encode',
    'jws_encode_json', 'jws_decode', 'jws_decode_complete', 'Key', 'KeySet', 'Verifier', 'CacheInfo', 'PyJWK', 'PyJWKSet',
    'PyJWKClient', 'JWKSClient', 'JWKSClientError', 'PyJWT', 'PyJWS', 'TokenIssuer',
    'TokenPair', 'MemoryStore', 'RedisStore', 'refresh_cookie', 'PyJWTError', 'CJWTError',
    'InvalidTokenError', 'DecodeError', 'InvalidSignatureError', 'ExpiredSignatureError',
    'ImmatureSignatureError', 'InvalidAudienceError', 'InvalidIssuerError',
    'InvalidSubjectError', 'InvalidIssuedAtError', 'MissingRequiredClaimError',
    'InvalidAlgorithmError', 'InvalidTypeError', 'RevokedTokenError',
    'RevocationUnavailableError', 'InvalidKeyError', 'InvalidJTIError', 'PyJWKError',
    'MissingCryptographyError', 'PyJWKSetError', 'PyJWKClientError',
    'PyJWKClientConnectionError', 'DecryptionError', 'decode_unsecured',
    'get_algorithm_by_name', 'register_algorithm', 'unregister_algorithm', 'jwe_encrypt', 'jwe_decrypt', 'jwe_decrypt_complete',
    'encode_encrypted', 'decode_encrypted', 'decode_encrypted_complete', 'encode_nested',
    'decode_nested', 'jwe_encrypt_json',
]

__version__: str
CORE_VERSION: str

def encode(payload: dict[str, Any], key: _AnyKey, algorithm: str | None = ...,
           headers: dict[str, Any] | None = ..., json_encoder: Any = ...,
           sort_headers: bool = ..., *, expires_in: Union[int, str, timedelta, None] = ...,
           now: _Time | None = ...) -> str: ...
def decode_unsecured(token: Union[str, bytes], *,
                     audience: Union[str, Iterable[str], None] = ...,
                     issuer: Union[str, Sequence[str], None] = ..., subject: str | None = ...,
                     leeway: _Seconds = ..., options: Options | None = ..., typ: str | None = ...,
                     max_age: _Seconds | None = ..., now: _Time | None = ...) -> dict[str, Any]: ...
def get_algorithm_by_name(alg_name: str) -> Any: ...
def register_algorithm(alg_id: str, alg_obj: Any) -> None: ...
def unregister_algorithm(alg_id: str) -> None: ...
def jws_encode(data: Union[bytes, bytearray, memoryview], key: _AnyKey, algorithm: str | None = ...,
               headers: dict[str, Any] | None = ..., *, detached: bool = ...) -> str: ...
def jws_encode_json(data: Union[bytes, bytearray, memoryview],
                    signers: Union[dict[str, Any], Sequence[dict[str, Any]]], *,
                    flattened: bool = ..., detached: bool = ...,
                    sort_headers: bool = ...) -> str: ...

def jwe_encrypt(plaintext: Union[bytes, str], key: _AnyKey, *, alg: str, enc: str,
                headers: dict[str, Any] | None = ..., zip: str | None = ...,
                p2c: int | None = ...) -> str: ...
def jwe_decrypt(token: Union[str, bytes, dict[str, Any]], key: _AnyKey, *, algorithms: Sequence[str],
                encryptions: Sequence[str], max_plaintext: int | None = ...,
                max_p2c: int | None = ..., max_token_len: int | None = ...) -> bytes: ...
def jwe_decrypt_complete(token: Union[str, bytes, dict[str, Any]], key: _AnyKey, *,
                         algorithms: Sequence[str], encryptions: Sequence[str],
                         max_plaintext: int | None = ..., max_p2c: int | None = ...,
                         max_token_len: int | None = ...) -> dict[str, Any]: ...
def jwe_encrypt_json(plaintext: Union[bytes, str], recipients: Any, *, enc: str,
                     protected: dict[str, Any] | None = ..., unprotected: dict[str, Any] | None = ...,
                     aad: Union[bytes, str, None] = ..., zip: str | None = ...,
                     flattened: bool = ...) -> dict[str, Any]: ...
def encode_encrypted(payload: dict[str, Any], key: _AnyKey, *, alg: str, enc: str,
                     headers: dict[str, Any] | None = ..., zip: str | None = ...,
                     p2c: int | None = ..., expires_in: Any = ..., now: _Time | None = ...,
                     signing_key: _AnyKey | None = ..., algorithm: str | None = ...,
                     sign_headers: dict[str, Any] | None = ...) -> str: ...
def encode_nested(payload: dict[str, Any], signing_key: _AnyKey, encryption_key: _AnyKey, *,
                  algorithm: str | None = ..., alg: str, enc: str, **kwargs: Any) -> str: ...
def decode_encrypted_complete(token: Union[str, bytes, dict[str, Any]], key: _AnyKey, *,
                              algorithms: Sequence[str], encryptions: Sequence[str],
                              verification_key: Any = ...,
                              signature_algorithms: Sequence[str] | None = ...,
                              options: Options | None = ...,
                              audience: Union[str, Iterable[str], None] = ...,
                              issuer: Union[str, Sequence[str], None] = ...,
                              subject: str | None = ..., leeway: _Seconds = ...,
                              typ: str | None = ..., max_age: _Seconds | None = ...,
                              now: _Time | None = ..., denylist: Any = ...,
                              max_plaintext: int | None = ..., max_p2c: int | None = ...,
                              max_token_len: int | None = ...) -> dict[str, Any]: ...
def decode_encrypted(token: Union[str, bytes, dict[str, Any]], key: _AnyKey, *,
                     algorithms: Sequence[str], encryptions: Sequence[str],
                     verification_key: Any = ...,
                     signature_algorithms: Sequence[str] | None = ...,
                     **kwargs: Any) -> dict[str, Any]: ...
def decode_nested(token: Union[str, bytes, dict[str, Any]], decryption_key: _AnyKey,
                  verification_key: Any, *, algorithms: Sequence[str], encryptions: Sequence[str],
                  signature_algorithms: Sequence[str], **kwargs: Any) -> dict[str, Any]: ...

class PyJWT:
    options: dict[str, Any]
    def __init__(self, options: Options | None = ...) -> None: ...
    def encode(self, payload: dict[str, Any], key: _AnyKey, algorithm: str | None = ...,
               headers: dict[str, Any] | None = ..., json_encoder: Any = ...,
               sort_headers: bool = ...) -> str: ...
    def decode(self, jwt: _Token, key: _AnyKey = ...,
               algorithms: Sequence[str] | None = ..., options: Options | None = ...,
               verify: bool | None = ..., **kwargs: Any) -> dict[str, Any]: ...
    def decode_complete(self, jwt: _Token, key: _AnyKey = ...,
                        algorithms: Sequence[str] | None = ..., options: Options | None = ...,
                        verify: bool | None = ..., **kwargs: Any) -> dict[str, Any]: ...

class PyJWS:
    header_typ: str
    options: dict[str, Any]
    def __init__(self, algorithms: Sequence[str] | None = ..., options: Options | None = ...) -> None: ...
    def register_algorithm(self, alg_id: str, alg_obj: Any) -> None: ...
    def unregister_algorithm(self, alg_id: str) -> None: ...
    def get_algorithms(self) -> list[str]: ...
    def get_algorithm_by_name(self, alg_name: str) -> Any: ...
    def decode_complete(self, jwt: Union[str, bytes], key: _AnyKey = ...,
                        algorithms: Sequence[str] | None = ..., options: Options | None = ...,
                        detached_payload: bytes | None = ..., **kwargs: Any) -> dict[str, Any]: ...
    def encode(self, payload: bytes, key: _AnyKey, algorithm: str | None = ...,
               headers: dict[str, Any] | None = ..., json_encoder: Any = ...,
               is_payload_detached: bool = ..., sort_headers: bool = ...) -> str: ...
    def decode(self, jwt: _Token, key: _AnyKey = ...,
               algorithms: Sequence[str] | None = ..., options: Options | None = ...,
               detached_payload: bytes | None = ..., **kwargs: Any) -> bytes: ...
    def get_unverified_header(self, jwt: _Token) -> dict[str, Any]: ...
