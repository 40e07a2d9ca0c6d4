"""cjwt: JSON Web Tokens on one C core, with PyJWT's API.

``import cjwt as jwt`` runs code written for PyJWT's ``jwt.encode`` /
``jwt.decode``, its options, exceptions, ``PyJWK``/``PyJWKSet`` and
``PyJWKClient``. Every check happens in the C core; this package only turns
Python arguments (``datetime``, ``timedelta``, key objects) into what the core
takes.
"""
from calendar import timegm as _timegm
from datetime import datetime as _datetime, timedelta as _timedelta, timezone as _timezone

from . import _cjwt
from ._cjwt import MAX_CACHE_SIZE, CacheInfo, Key, KeySet, Verifier
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import *  # noqa: F401,F403
from .exceptions import __all__ as _exceptions_all
from .jwks_client import JWKSClient, JWKSClientError, PyJWKClient
from .lifecycle import MemoryStore, RedisStore, TokenIssuer, TokenPair, refresh_cookie

__version__ = _cjwt.CORE_VERSION   # one version for the core and the package (setup.py too)
CORE_VERSION = _cjwt.CORE_VERSION

__all__ = [
    "encode",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "jws_encode",
    "jws_decode",
    "Key",
    "KeySet",
    "Verifier",
    "CacheInfo",
    "PyJWK",
    "PyJWKSet",
    "PyJWKClient",
    "JWKSClient",
    "JWKSClientError",
    "PyJWT",
    "PyJWS",
    "TokenIssuer",
    "TokenPair",
    "MemoryStore",
    "RedisStore",
    "refresh_cookie",
] + _exceptions_all

_DATE_CLAIMS = ("exp", "iat", "nbf")
_UNSET = object()


def _seconds(value):
    return value.total_seconds() if isinstance(value, _timedelta) else value


def _unix_time(value):
    """``now``: a naive datetime is taken as UTC; fractions are kept."""
    if isinstance(value, _datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_timezone.utc)
        return value.timestamp()
    return value


def _core_key(key):
    """A key argument as the core takes it: ``PyJWK`` -> its ``Key``,
    ``PyJWKSet`` -> its ``KeySet``, a ``cryptography`` key object -> PEM.
    Everything else (str, bytes, JWK dict, Key, KeySet) goes to the core as is."""
    if isinstance(key, PyJWK):
        return key.key
    if isinstance(key, PyJWKSet):
        return key.keyset
    if hasattr(key, "private_bytes") or hasattr(key, "public_bytes"):
        return _from_cryptography(key)
    return key


def _from_cryptography(obj):
    # Serialising a `cryptography` key object is a conversion: the core then
    # parses the PEM like any other.
    from cryptography.hazmat.primitives import serialization as s

    if hasattr(obj, "private_bytes"):
        pem = obj.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    else:
        pem = obj.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    return Key.from_pem(pem)


def get_unverified_header(jwt):
    """The token's header, parsed strictly but NOT verified: never trust it."""
    return _cjwt.get_unverified_header(jwt)


def encode(payload, key, algorithm=_UNSET, headers=None, json_encoder=None, sort_headers=True,
           *, expires_in=None, now=None):
    """Signs ``payload`` (a dict) and returns the compact JWT as ``str``.

    ``algorithm`` defaults to the key's bound algorithm (a ``PyJWK`` or a
    ``Key`` with ``alg``), else "HS256"; ``None`` means "none" as in PyJWT.
    ``exp``/``iat``/``nbf`` may be ``datetime``; ``expires_in`` (int seconds,
    a ``timedelta`` or "15m"/"1h"/"7d") sets ``iat`` and ``exp``; ``now``
    replaces the clock for that. ``json_encoder`` is applied before signing;
    ``sort_headers`` is accepted for PyJWT compatibility.
    """
    key = _core_key(key)
    if algorithm is _UNSET:
        algorithm = getattr(key, "alg", None) or "HS256"
    if isinstance(payload, dict) and any(isinstance(payload.get(c), _datetime) for c in _DATE_CLAIMS):
        payload = dict(payload)
        for claim in _DATE_CLAIMS:
            if isinstance(payload.get(claim), _datetime):
                payload[claim] = _timegm(payload[claim].utctimetuple())
    if json_encoder is not None and isinstance(payload, dict):
        import json

        payload = json.loads(json.dumps(payload, cls=json_encoder))
    if isinstance(expires_in, _timedelta):
        expires_in = int(expires_in.total_seconds())
    return _cjwt.encode(payload, key, algorithm, headers, expires_in, _unix_time(now))


def _slow_key(key, algorithms):
    """decode's key argument when it is not one the C code takes directly
    (``Key``, ``KeySet``, str, bytes, JWK dict, None): ``PyJWK`` (which also
    brings its algorithm when ``algorithms`` is None), ``PyJWKSet``,
    ``cryptography`` key objects. Returns ``(core key, algorithms)``."""
    if algorithms is None and isinstance(key, PyJWK):
        algorithms = [key.algorithm_name]       # PyJWT: a PyJWK brings its algorithm
    return _core_key(key), algorithms


# decode, decode_complete and jws_decode are C functions (no Python frame on
# the common call); their docstrings are in python/src/decode.c. The rare argument
# kinds (PyJWK, timedelta, datetime...) are converted by the hooks above.
_cjwt._set_hooks(_slow_key, _seconds, _unix_time)
decode = _cjwt.decode
decode_complete = _cjwt.decode_complete
jws_decode = _cjwt.jws_decode
_key_cache_info = _cjwt._key_cache_info
_key_cache_clear = _cjwt._key_cache_clear


def jws_encode(data, key, algorithm=_UNSET, headers=None):
    """Signs arbitrary ``bytes`` as a compact JWS (no ``typ``, no claims)."""
    key = _core_key(key)
    if algorithm is _UNSET:
        algorithm = getattr(key, "alg", None) or "HS256"
    return _cjwt.jws_encode(data, key, algorithm, headers)


class PyJWT:
    """PyJWT's ``jwt.PyJWT(options=...)``: default options merged into each call."""

    def __init__(self, options=None):
        self.options = dict(options or {})

    def _merged(self, options):
        return {**self.options, **(options or {})}

    def encode(self, payload, key, algorithm=_UNSET, headers=None, json_encoder=None,
               sort_headers=True):
        return encode(payload, key, algorithm, headers, json_encoder, sort_headers)

    def decode(self, jwt, key=None, algorithms=None, options=None, verify=None, **kwargs):
        return decode(jwt, key, algorithms, self._merged(options), **kwargs)

    def decode_complete(self, jwt, key=None, algorithms=None, options=None, verify=None,
                        **kwargs):
        return decode_complete(jwt, key, algorithms, self._merged(options), **kwargs)


class PyJWS:
    """PyJWT's ``jwt.PyJWS``: raw payloads (``bytes``)."""

    def __init__(self, algorithms=None, options=None):
        self.options = dict(options or {})

    def encode(self, payload, key, algorithm=_UNSET, headers=None, json_encoder=None,
               is_payload_detached=False, sort_headers=True):
        if is_payload_detached:
            raise NotImplementedError("cjwt does not implement detached payloads (RFC 7797)")
        return jws_encode(payload, key, algorithm, headers)

    def decode(self, jwt, key=None, algorithms=None, options=None, detached_payload=None,
               **kwargs):
        if detached_payload is not None:
            raise NotImplementedError("cjwt does not implement detached payloads (RFC 7797)")
        return jws_decode(jwt, key, algorithms, options={**self.options, **(options or {})},
                          **kwargs)

    def get_unverified_header(self, jwt):
        return get_unverified_header(jwt)
