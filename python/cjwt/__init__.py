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
from ._jwe import (decode_encrypted, decode_encrypted_complete, decode_nested, encode_encrypted,
                   encode_nested, jwe_decrypt, jwe_decrypt_complete, jwe_encrypt,
                   jwe_encrypt_json)
from . import utils  # noqa: E402 - PyJWT code reaches it as jwt.utils
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import *  # noqa: F401,F403
from .exceptions import __all__ as _exceptions_all
from .exceptions import _ArgumentTypeError
from .warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

# Imported on first use (PEP 562), so that ``import cjwt`` costs what encode and
# decode need: ``jwt.algorithms`` loads ``cryptography`` (~35 ms, and a PyO3
# module that refuses subinterpreters), the JWKS client ``urllib.request`` and
# ``http.client`` (~25 ms), the lifecycle helpers ``dataclasses`` and
# ``http.cookies`` (~8 ms). ``cjwt.PyJWKClient``, ``from cjwt import
# TokenIssuer`` and ``jwt.algorithms.RSAAlgorithm`` work as before.
_LAZY = {
    # submodules: before 2026-12-06 `import cjwt` imported them, so code may reach
    # them as attributes (`jwt.jwks_client.PyJWKClient`, as in PyJWT)
    "algorithms": ("algorithms", None),
    "jwks_client": ("jwks_client", None),
    "jwk_set_cache": ("jwk_set_cache", None),
    "lifecycle": ("lifecycle", None),
    "JWKSClient": ("jwks_client", "JWKSClient"),
    "JWKSClientError": ("jwks_client", "JWKSClientError"),
    "PyJWKClient": ("jwks_client", "PyJWKClient"),
    "MemoryStore": ("lifecycle", "MemoryStore"),
    "RedisStore": ("lifecycle", "RedisStore"),
    "TokenIssuer": ("lifecycle", "TokenIssuer"),
    "TokenPair": ("lifecycle", "TokenPair"),
    "refresh_cookie": ("lifecycle", "refresh_cookie"),
}


def __getattr__(name):
    spec = _LAZY.get(name)
    if spec is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = importlib.import_module("." + spec[0], __name__)
    value = module if spec[1] is None else getattr(module, spec[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def _algorithms():
    """``cjwt.algorithms`` (PyJWT's ``jwt.algorithms``), imported on first use."""
    from . import algorithms

    return algorithms

__version__ = _cjwt.CORE_VERSION   # one version for the core and the package (setup.py too)
CORE_VERSION = _cjwt.CORE_VERSION

__all__ = [
    "encode",
    "decode",
    "decode_complete",
    "decode_unsecured",
    "get_unverified_header",
    "get_algorithm_by_name",
    "register_algorithm",
    "unregister_algorithm",
    "jws_encode",
    "jws_encode_json",
    "jws_decode",
    "jws_decode_complete",
    "jwe_encrypt",
    "jwe_decrypt",
    "jwe_decrypt_complete",
    "jwe_encrypt_json",
    "encode_encrypted",
    "decode_encrypted",
    "decode_encrypted_complete",
    "encode_nested",
    "decode_nested",
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
# The algorithm names the core implements ("none" signs nothing; decode never
# accepts it). Encode refuses any other name as PyJWT does (NotImplementedError).
_ALGORITHMS = frozenset(("none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
                         "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
                         "ES256K"))


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
        # Serialising a `cryptography` key object is a conversion: the core
        # then parses the PEM like any other.
        return _algorithms().key_from_cryptography(key)
    return key


def _date_claims(payload):
    """exp/iat/nbf given as ``datetime`` -> unix times (in a copy)."""
    if any(isinstance(payload.get(c), _datetime) for c in _DATE_CLAIMS):
        payload = dict(payload)
        for claim in _DATE_CLAIMS:
            if isinstance(payload.get(claim), _datetime):
                payload[claim] = _timegm(payload[claim].utctimetuple())
    return payload


def _token_type(jwt):
    if not isinstance(jwt, (str, bytes)):
        raise DecodeError(f"Invalid token type. Token must be a {bytes}")


def _check_kid(header):
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidTokenError("Key ID header parameter must be a string")


def get_unverified_header(jwt):
    """The token's header, parsed strictly but NOT verified: never trust it."""
    _token_type(jwt)
    # The whole token is checked as decode checks it (segments, base64url of
    # each, header, kid, crit), only the signature is not: as PyJWT does. An
    # algorithm name the core does not know is the verifier's business.
    try:
        _cjwt.jws_decode(jwt, None, None, options={"verify_signature": False})
    except InvalidAlgorithmError:
        header = _cjwt.get_unverified_header(jwt)
        _check_kid(header)
        if "crit" in header:
            raise DecodeError("Unsupported critical extension: cjwt implements none")
        return header
    return _cjwt.get_unverified_header(jwt)


def get_algorithm_by_name(alg_name):
    """PyJWT's ``jwt.get_algorithm_by_name``: the ``jwt.algorithms`` object."""
    try:
        if alg_name in _UNREGISTERED:
            raise KeyError(alg_name)
        return _algorithms().get_default_algorithms()[alg_name]
    except (KeyError, TypeError):
        raise NotImplementedError("Algorithm not supported") from None


# PyJWT's module-level algorithm registry. cjwt signs and verifies in its
# core, so only its own algorithms exist: unregister_algorithm removes one
# for this process (encode refuses it, decode's allowlists drop it: tokens of
# it are refused), register_algorithm puts a removed one back.
_UNREGISTERED = set()


def unregister_algorithm(alg_id):
    """PyJWT's ``jwt.unregister_algorithm``: ``alg_id`` is no longer signed
    or verified by the module-level functions (``PyJWS`` objects keep their
    own registry; a ``Verifier`` made before keeps its algorithms)."""
    if alg_id not in _ALGORITHMS or alg_id in _UNREGISTERED:
        raise KeyError("The specified algorithm could not be removed because it is not "
                       "registered.")
    _UNREGISTERED.add(alg_id)
    _cjwt._set_unregistered(tuple(_UNREGISTERED))


def register_algorithm(alg_id, alg_obj):
    """PyJWT's ``jwt.register_algorithm``: only an algorithm of cjwt's that
    ``unregister_algorithm`` removed can be registered again (with its own
    class); custom algorithms raise ``NotImplementedError`` (the core signs)."""
    if alg_id in _ALGORITHMS and alg_id not in _UNREGISTERED:
        raise ValueError("Algorithm already has a handler.")
    _check_algorithm_object(alg_id, alg_obj)
    _UNREGISTERED.discard(alg_id)
    _cjwt._set_unregistered(tuple(_UNREGISTERED))


def _check_algorithm_object(alg_id, alg_obj):
    algorithms = _algorithms()
    if not isinstance(alg_obj, algorithms.Algorithm):
        raise TypeError("Object is not of type `Algorithm`")
    builtin = algorithms.get_default_algorithms().get(alg_id)
    if builtin is None or type(alg_obj) is not type(builtin):
        raise NotImplementedError("cjwt signs and verifies in its C core: custom algorithms "
                                  "cannot be registered")


def _sign_args(key, algorithm, headers, json_encoder):
    """encode/jws_encode's algorithm and header, chosen as PyJWT chooses them:
    a truthy ``headers["alg"]`` wins over ``algorithm``; unset, the key's
    bound algorithm (PyJWK, bound Key) or HS256; ``None``, "none" (or the
    PyJWK's). An empty ``typ`` is dropped; ``kid`` must be a string."""
    bound = getattr(key, "alg", None) if isinstance(key, Key) else None
    if isinstance(key, PyJWK):
        bound = key.algorithm_name
    if algorithm is _UNSET:
        algorithm = bound or "HS256"
    elif algorithm is None:
        algorithm = key.algorithm_name if isinstance(key, PyJWK) else "none"
    if headers is not None and not isinstance(headers, dict):
        if headers:   # a TypeError, and PyJWT's AttributeError (it calls headers.get)
            raise _ArgumentTypeError(f"headers must be a dict, not {type(headers).__name__}")
        headers = None    # PyJWT: an empty value is no headers
    if headers:
        if "alg" in headers:
            if not headers["alg"]:
                # PyJWT signs with `algorithm` and writes this empty alg over it:
                # a token no verifier reads. Refused as an unknown name is.
                raise _not_supported()
            algorithm = headers["alg"]
        _check_kid(headers)
        if "typ" in headers and not headers["typ"]:
            headers = {**headers, "typ": None}
        if json_encoder is not None:
            import json

            headers = json.loads(json.dumps(headers, cls=json_encoder))
    if not isinstance(algorithm, str) or algorithm not in _ALGORITHMS or algorithm in _UNREGISTERED:
        raise _not_supported()
    return algorithm, headers


def _not_supported():
    # PyJWT's class and message; .code as every cjwt error has one
    e = NotImplementedError("Algorithm not supported")
    e.code = "unsupported_alg"
    return e


def encode(payload, key, algorithm=_UNSET, headers=None, json_encoder=None, sort_headers=True,
           *, expires_in=None, now=None):
    """Signs ``payload`` (a dict) and returns the compact JWT as ``str``.

    ``algorithm`` defaults to the key's bound algorithm (a ``PyJWK`` or a
    ``Key`` with ``alg``), else "HS256"; ``None`` means "none" as in PyJWT.
    ``exp``/``iat``/``nbf`` may be ``datetime``; ``expires_in`` (int seconds,
    a ``timedelta`` or "15m"/"1h"/"7d") sets ``iat`` and ``exp``; ``now``
    replaces the clock for that. ``json_encoder`` is applied before signing;
    ``sort_headers=False`` writes the header as PyJWT does (typ, alg, then
    ``headers`` in their order) instead of sorted by name.
    """
    if not isinstance(payload, dict):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")   # PyJWT 2.10+
    algorithm, headers = _sign_args(key, algorithm, headers, json_encoder)
    key = _core_key(key)
    payload = _date_claims(payload)
    if json_encoder is not None:
        import json

        payload = json.loads(json.dumps(payload, cls=json_encoder))
    if isinstance(expires_in, _timedelta):
        expires_in = int(expires_in.total_seconds())
    return _cjwt.encode(payload, key, algorithm, headers, expires_in, _unix_time(now),
                        bool(sort_headers))


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
jws_decode_complete = _cjwt.jws_decode_complete
_key_cache_info = _cjwt._key_cache_info
_key_cache_clear = _cjwt._key_cache_clear


def decode_unsecured(token, *, audience=None, issuer=None, subject=None, leeway=0,
                     options=None, typ=None, max_age=None, now=None):
    """Reads an unsecured (``alg: none``) token and returns its claims, which
    NOTHING vouches for. ``decode`` never returns such claims, whatever its
    ``algorithms`` say; this function exists so that code which really means
    to read one says so by name (node ``jose``'s ``UnsecuredJWT``).

    Only ``alg: none`` tokens with an empty signature are read (a signed token
    raises ``InvalidAlgorithmError``: verify it with ``decode``). The token is
    parsed as strictly as by ``decode``, and the claim checks run as in
    ``decode`` (``exp``, ``nbf``, ``iat``, ``audience``, ``issuer``, ...;
    switch them off in ``options``).
    """
    _token_type(token)
    return _cjwt.decode_unsecured(token, None, None, options, audience=audience, issuer=issuer,
                                  subject=subject, leeway=leeway, typ=typ, max_age=max_age,
                                  now=now)


def jws_encode(data, key, algorithm=_UNSET, headers=None, *, detached=False):
    """Signs arbitrary ``bytes`` as a compact JWS (no ``typ``, no claims).

    ``headers={"b64": False}`` signs the payload unencoded (RFC 7797; "b64" is
    added to ``crit``); ``detached=True`` leaves the payload out of the token
    (``header..signature``), to be given to ``jws_decode(...,
    detached_payload=)``. Attached, an unencoded payload must be printable ASCII
    without ".".
    """
    algorithm, headers = _sign_args(key, algorithm, headers, None)
    return _cjwt.jws_encode(data, _core_key(key), algorithm, headers, bool(detached))


def jws_encode_json(data, signers, *, flattened=False, detached=False, sort_headers=True):
    """Signs ``data`` (bytes) as a JWS in the JSON serialization (RFC 7515 7.2)
    and returns the JSON text.

    ``signers``: one dict or a list of them (at most 16), each
    ``{"key": ..., "algorithm": "ES256", "protected": {...}, "header": {...}}``:
    ``algorithm`` defaults to the key's bound algorithm, ``protected`` holds
    extra protected header members (``alg`` is set; ``{"b64": False}`` signs
    unencoded, RFC 7797, and must then be in every signer), ``header`` the
    unprotected header (no ``alg``, ``crit`` or ``b64``, no name the
    protected header has). The key's ``kid`` goes to the protected header
    unless either header sets one. ``flattened=True`` gives the flattened
    form (one signer); ``detached=True`` leaves out ``"payload"``.
    """
    if isinstance(signers, dict):
        signers = [signers]
    rows = []
    for s in signers:
        if not isinstance(s, dict):
            raise TypeError("each signer is a dict with key, algorithm, protected, header")
        unknown = set(s) - {"key", "algorithm", "alg", "protected", "header"}
        if unknown:
            raise TypeError(f"unknown signer members: {sorted(unknown)}")
        alg = s.get("algorithm", s.get("alg", _UNSET))
        alg, protected = _sign_args(s.get("key"), alg, s.get("protected"), None)
        rows.append((_core_key(s.get("key")), alg, protected, s.get("header")))
    return _cjwt.jws_encode_json(data, rows, bool(flattened), bool(detached), bool(sort_headers))


def _default_options():
    return {"verify_signature": True, "verify_exp": True, "verify_nbf": True,
            "verify_iat": True, "verify_aud": True, "verify_iss": True, "verify_sub": True,
            "verify_jti": True, "require": [], "strict_aud": False,
            "enforce_minimum_key_length": False}


class PyJWT:
    """PyJWT's ``jwt.PyJWT(options=...)``: default options merged into each call
    (``.options`` holds PyJWT's defaults, updated with the given ones)."""

    def __init__(self, options=None):
        self.options = _default_options()
        if options is not None:
            self.options = self._merge_options(options)

    def _merge_options(self, options=None):
        if options is None:
            return self.options
        if not isinstance(options, dict):
            # a TypeError, and PyJWT's AttributeError (it calls options.get)
            raise _ArgumentTypeError(f"options must be a dict, not {type(options).__name__}")
        merged = dict(options)
        if not merged.get("verify_signature", True):
            # PyJWT: with the signature check off, the claim checks default to off
            for name in ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss",
                         "verify_sub", "verify_jti"):
                merged.setdefault(name, False)
        return {**self.options, **merged}

    def encode(self, payload, key, algorithm=_UNSET, headers=None, json_encoder=None,
               sort_headers=True):
        return encode(payload, key, algorithm, headers, json_encoder, sort_headers)

    def decode(self, jwt, key=None, algorithms=None, options=None, verify=None, **kwargs):
        return decode(jwt, key, algorithms, self._merge_options(options), verify, **kwargs)

    def decode_complete(self, jwt, key=None, algorithms=None, options=None, verify=None,
                        **kwargs):
        return decode_complete(jwt, key, algorithms, self._merge_options(options), verify,
                               **kwargs)


class PyJWS:
    """PyJWT's ``jwt.PyJWS``: raw payloads (``bytes``). ``algorithms`` limits
    the names ``get_algorithms()`` lists and ``encode`` accepts."""

    header_typ = "JWT"

    def __init__(self, algorithms=None, options=None):
        self._valid_algs = set(algorithms) if algorithms is not None else set(_ALGORITHMS)
        self._algorithms = {name: alg for name, alg in _algorithms().get_default_algorithms().items()
                            if name in self._valid_algs}
        self.options = {"verify_signature": True, "enforce_minimum_key_length": False}
        if options is not None:
            self.options = {**self.options, **options}

    def register_algorithm(self, alg_id, alg_obj):
        """Only one of cjwt's algorithms that ``unregister_algorithm`` removed
        (with its own class); custom algorithms raise ``NotImplementedError``."""
        if alg_id in self._algorithms:
            raise ValueError("Algorithm already has a handler.")
        _check_algorithm_object(alg_id, alg_obj)
        self._algorithms[alg_id] = alg_obj
        self._valid_algs.add(alg_id)

    def unregister_algorithm(self, alg_id):
        if alg_id not in self._algorithms:
            raise KeyError("The specified algorithm could not be removed because it is not "
                           "registered.")
        del self._algorithms[alg_id]
        self._valid_algs.discard(alg_id)

    def get_algorithms(self):
        return list(self._valid_algs)

    def get_algorithm_by_name(self, alg_name):
        try:
            return self._algorithms[alg_name]
        except KeyError:
            raise _not_supported() from None

    def encode(self, payload, key, algorithm=_UNSET, headers=None, json_encoder=None,
               is_payload_detached=False, sort_headers=True):
        # PyJWT: "b64": False in headers means a detached payload, and a
        # detached payload is always unencoded ("b64": False, listed in crit)
        if headers and headers.get("b64") is False:
            is_payload_detached = True
        algorithm, headers = _sign_args(key, algorithm, headers, json_encoder)
        if algorithm not in self._valid_algs:
            raise _not_supported()
        header = {"typ": self.header_typ}
        header.update(headers or {})
        if is_payload_detached:
            header["b64"] = False
        else:
            header.pop("b64", None)   # True is the default, as in PyJWT
        return _cjwt.jws_encode(payload, _core_key(key), algorithm, header,
                                bool(is_payload_detached))

    def decode_complete(self, jwt, key=None, algorithms=None, options=None,
                        detached_payload=None, **kwargs):
        if kwargs:
            _warn_kwargs("decode_complete", kwargs)
        _token_type(jwt)
        merged = self.options if options is None else {**self.options, **options}
        if merged["verify_signature"] and not algorithms and not isinstance(key, PyJWK):
            raise DecodeError('It is required that you pass in a value for the "algorithms" '
                              'argument when calling decode().')
        if merged["verify_signature"] and isinstance(algorithms, (list, tuple, set)):
            # PyJWT: an algorithm this object does not have (unregister_algorithm,
            # PyJWS(algorithms=...)) is not supported, whatever `algorithms` says
            alg = get_unverified_header(jwt).get("alg")
            if isinstance(alg, str) and alg in algorithms and alg not in self._valid_algs:
                raise InvalidAlgorithmError("Algorithm not supported")
        # Read strictly (b64 listed in crit, ...) but not verified: only to
        # apply PyJWT's rules on detached_payload before verifying.
        header = get_unverified_header(jwt)
        raw = jwt.encode() if isinstance(jwt, str) else jwt
        if header.get("b64", True) is False:
            if raw.split(b".")[1]:
                raise DecodeError("Payload segment must be empty when 'b64' is false.")
            if detached_payload is None:
                raise DecodeError('It is required that you pass in a value for the '
                                  '"detached_payload" argument to decode a message having the '
                                  'b64 header set to false.')
        elif detached_payload is not None:
            raise DecodeError('It is only valid to pass "detached_payload" when the protected '
                              'header has "b64" set to false.')
        payload = jws_decode(jwt, key, algorithms,
                             options={"verify_signature": merged["verify_signature"]},
                             detached_payload=detached_payload)
        # Verified above: the header and signature are read from the same bytes.
        return {"payload": payload, "header": header,
                "signature": utils.base64url_decode(raw.rsplit(b".", 1)[1])}

    def decode(self, jwt, key=None, algorithms=None, options=None, detached_payload=None,
               **kwargs):
        if kwargs:
            _warn_kwargs("decode", kwargs)
        return self.decode_complete(jwt, key, algorithms, options, detached_payload)["payload"]

    def get_unverified_header(self, jwt):
        return get_unverified_header(jwt)



def _warn_kwargs(fn, kwargs):
    import warnings

    warnings.warn(f"passing additional kwargs to {fn}() is deprecated and will be removed in "
                  f"pyjwt version 3. Unsupported kwargs: {tuple(kwargs.keys())}",
                  RemovedInPyjwt3Warning, stacklevel=3)
