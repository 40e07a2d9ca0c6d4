"""cjwt: JSON Web Tokens on one C core, with PyJWT's API.

``import cjwt as jwt`` runs code written for PyJWT's ``jwt.encode`` /
``jwt.decode`` and its exceptions. Every check happens in the C core; this
module only turns ``datetime``/``timedelta`` arguments into numbers.
"""
from calendar import timegm as _timegm
from datetime import datetime as _datetime, timedelta as _timedelta, timezone as _timezone

from . import _cjwt
from ._cjwt import Key, get_unverified_header
from .exceptions import *  # noqa: F401,F403
from .exceptions import __all__ as _exceptions_all

__version__ = _cjwt.CORE_VERSION

__all__ = [
    "encode",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "jws_encode",
    "jws_decode",
    "Key",
] + _exceptions_all

_CLAIMS, _COMPLETE, _RAW = 0, 1, 2
_DATE_CLAIMS = ("exp", "iat", "nbf")


def _seconds(value):
    return value.total_seconds() if isinstance(value, _timedelta) else value


def _unix_time(value):
    """``now``: a naive datetime is taken as UTC; fractions are kept."""
    if isinstance(value, _datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_timezone.utc)
        return value.timestamp()
    return value


def encode(payload, key, algorithm="HS256", headers=None, *, expires_in=None, now=None):
    """Signs ``payload`` (a dict) and returns the compact JWT as ``str``.

    ``exp``/``iat``/``nbf`` may be ``datetime`` (converted like PyJWT);
    ``expires_in`` (int seconds, a ``timedelta`` or "15m"/"1h"/"7d") sets
    ``iat`` and ``exp``; ``now`` replaces the clock for that.
    """
    if isinstance(payload, dict) and any(isinstance(payload.get(c), _datetime) for c in _DATE_CLAIMS):
        payload = dict(payload)
        for claim in _DATE_CLAIMS:
            if isinstance(payload.get(claim), _datetime):
                payload[claim] = _timegm(payload[claim].utctimetuple())
    if isinstance(expires_in, _timedelta):
        expires_in = int(expires_in.total_seconds())
    return _cjwt.encode(payload, key, algorithm, headers, expires_in, _unix_time(now))


def _decode(mode, token, key, algorithms, audience, issuer, subject, leeway, options, typ,
            max_age, now):
    return _cjwt.decode(token, key, algorithms, audience, issuer, subject, _seconds(leeway),
                        options, typ, _seconds(max_age), _unix_time(now), mode)


def decode(token, key=None, algorithms=None, *, audience=None, issuer=None, subject=None,
           leeway=0, options=None, typ=None, max_age=None, now=None):
    """Verifies ``token`` and returns its claims (``dict``).

    ``algorithms`` is required unless ``options={"verify_signature": False}``.
    """
    return _decode(_CLAIMS, token, key, algorithms, audience, issuer, subject, leeway, options,
                   typ, max_age, now)


def decode_complete(token, key=None, algorithms=None, *, audience=None, issuer=None,
                    subject=None, leeway=0, options=None, typ=None, max_age=None, now=None):
    """Like :func:`decode`, returning ``{"header", "payload", "signature"}``."""
    return _decode(_COMPLETE, token, key, algorithms, audience, issuer, subject, leeway, options,
                   typ, max_age, now)


def jws_encode(data, key, algorithm="HS256", headers=None):
    """Signs arbitrary ``bytes`` as a compact JWS (no ``typ``, no claims)."""
    return _cjwt.jws_encode(data, key, algorithm, headers)


def jws_decode(token, key=None, algorithms=None, *, options=None, typ=None, now=None):
    """Verifies a compact JWS and returns its payload as ``bytes`` (no claim checks)."""
    return _decode(_RAW, token, key, algorithms, None, None, None, 0, options, typ, None, now)
