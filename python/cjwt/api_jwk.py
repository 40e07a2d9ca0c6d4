"""PyJWT's ``PyJWK`` / ``PyJWKSet`` as thin views over ``cjwt.Key`` / ``cjwt.KeySet``.

The JWK is parsed and checked by the core (``Key.from_jwk``,
``KeySet.from_jwks``); these classes only keep PyJWT's attribute names.
"""
import json

from ._cjwt import Key, KeySet
from .exceptions import InvalidKeyError, PyJWKError, PyJWKSetError, PyJWTError

__all__ = ["PyJWK", "PyJWKSet"]

_ALGORITHMS = frozenset(("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                         "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K", "EdDSA"))



_KTY_FOR_ALG = {"HS": ("oct", "Not an HMAC key"), "RS": ("RSA", "Not an RSA key"),
                "PS": ("RSA", "Not an RSA key"), "ES": ("EC", "Not an Elliptic curve key"),
                "Ed": ("OKP", "Not an Octet Key Pair")}
# The curves PyJWK picks an algorithm for when neither the JWK nor the caller names
# one (PyJWT 2.15): an Ed448 JWK needs "alg": "EdDSA" (or algorithm="EdDSA"), as there.
_CURVES = {"EC": ("P-256", "P-384", "P-521", "secp256k1"), "OKP": ("Ed25519",)}


def _pyjwt_checks(jwk, algorithm):
    """PyJWT's classes and messages for a JWK it refuses before reading it
    (the core then checks the key material itself)."""
    kty = jwk.get("kty")
    if not kty:
        raise InvalidKeyError(f"kty is not found: {jwk}")
    if algorithm == "none":
        raise NotImplementedError()            # PyJWT: NoneAlgorithm.from_jwk
    if algorithm is not None and algorithm not in _ALGORITHMS:
        raise PyJWKError(f"Unable to find an algorithm for key: {jwk}")
    if not algorithm and not jwk.get("alg"):
        if kty not in ("oct", "RSA", "EC", "OKP"):
            raise InvalidKeyError(f"Unsupported kty: {kty}")
        crv = jwk.get("crv")
        if kty == "OKP" and not crv:
            raise InvalidKeyError(f"crv is not found: {jwk}")
        if kty in _CURVES and crv and crv not in _CURVES[kty]:
            raise InvalidKeyError(f"Unsupported crv: {crv}")
    alg = algorithm or jwk.get("alg")
    if alg in _ALGORITHMS:
        want, message = _KTY_FOR_ALG[alg[:2]]
        if kty != want:
            raise InvalidKeyError(message)
    if kty == "oct" and jwk.get("k") == "":
        raise InvalidKeyError("HMAC key must not be empty.")


def _key_from_jwk(jwk_data):
    """``Key.from_jwk`` after PyJWT's checks of the JWK (its messages, and a
    private RSA JWK with ``d`` only completed); a refusal of the key material
    worded as PyJWT's ("Unable to construct key from JWK: ", then the core's
    or `cryptography`'s reason), the class and ``.code`` kept."""
    from .algorithms import pyjwt_jwk
    from .exceptions import _KeyValueError
    if not isinstance(jwk_data, dict):
        return Key.from_jwk(jwk_data)
    try:
        try:
            jwk_data = pyjwt_jwk(jwk_data)
        except _KeyValueError:
            raise
        except InvalidKeyError as e:
            raise _Unwrapped(e) from None
        return Key.from_jwk(jwk_data)
    except _Unwrapped as u:
        raise u.error from None
    except InvalidKeyError as e:
        err = type(e)(f"Unable to construct key from JWK: {e}")
        err.code = e.code
        raise err from e


class _Unwrapped(Exception):
    """PyJWT raises its own JWK checks' errors as they are (not wrapped)."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


class PyJWK:
    """A JWK bound to one algorithm: ``PyJWK(jwk_dict, algorithm=None)``.

    ``.key`` is the ``cjwt.Key`` (pass it, or the ``PyJWK``, to ``decode``),
    ``.algorithm_name``, ``.key_type``, ``.key_id``, ``.public_key_use``.
    """

    def __init__(self, jwk_data, algorithm=None):
        if isinstance(jwk_data, Key):
            key, self._jwk_data = jwk_data, jwk_data.to_jwk(private=jwk_data.is_private)
        else:
            self._jwk_data = jwk_data
            if isinstance(jwk_data, dict):
                _pyjwt_checks(jwk_data, algorithm)
            key = _key_from_jwk(jwk_data)
        if not algorithm:
            # PyJWT's default for a JWK without "alg" is the core's (Key.default_alg)
            algorithm = key.default_alg
        if algorithm is None:
            raise PyJWKError(f"Unable to find an algorithm for key: {self._jwk_data}")
        self.algorithm_name = algorithm
        self.key = key if key.alg == algorithm else key.with_alg(algorithm)

    @property
    def Algorithm(self):  # noqa: N802 - PyJWT's name
        """The ``jwt.algorithms`` object for ``algorithm_name``."""
        from .algorithms import get_default_algorithms
        return get_default_algorithms()[self.algorithm_name]

    @staticmethod
    def from_dict(obj, algorithm=None):
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data, algorithm=None):
        return PyJWK(json.loads(data), algorithm)

    @property
    def key_type(self):
        return self._jwk_data.get("kty")

    @property
    def key_id(self):
        return self._jwk_data.get("kid")

    @property
    def public_key_use(self):
        return self._jwk_data.get("use")

    def __repr__(self):
        return f"<PyJWK {self.key!r} algorithm={self.algorithm_name!r}>"


class PyJWKSet:
    """A JWK Set: ``PyJWKSet(list_of_jwk_dicts)``, ``.keys`` (list of ``PyJWK``),
    ``[kid]``, iteration; ``.keyset`` is the ``cjwt.KeySet`` the core verifies with."""

    def __init__(self, keys):
        self._keyset_error = None
        if isinstance(keys, KeySet):
            keyset = keys
        else:
            if not keys:
                raise PyJWKSetError("The JWK Set did not contain any keys")
            if not isinstance(keys, list):
                raise PyJWKSetError("Invalid JWK Set value")
            try:
                keyset = KeySet.from_jwks({"keys": keys})
            except InvalidKeyError as e:
                # A set whose keys are all for encryption (use "enc") is a set
                # for PyJWT (its client then finds no signing key); it verifies
                # nothing here either. Otherwise nothing in it is usable.
                keyset, self._keyset_error = None, e
                if not any(isinstance(k, dict) and k.get("use", "sig") != "sig" for k in keys):
                    raise PyJWKSetError(f"The JWK Set did not contain any usable keys: {e}") from e
        self._keyset = keyset
        if isinstance(keys, KeySet):
            self.keys = [PyJWK(k) for k in keyset]
        else:
            # PyJWT's view: each usable JWK as given (its "use", "key_ops"...);
            # the core's KeySet above is what decode verifies with.
            self.keys = []
            for jwk in keys:
                if not isinstance(jwk, dict):
                    continue
                try:
                    self.keys.append(PyJWK(jwk))
                except PyJWTError:
                    continue

        if not self.keys and keyset is None:
            raise PyJWKSetError(f"The JWK Set did not contain any usable keys: "
                                f"{self._keyset_error}")

    @property
    def keyset(self):
        """The ``cjwt.KeySet`` the core verifies with."""
        if self._keyset is None:
            raise PyJWKSetError(f"The JWK Set has no key usable for signatures: "
                                f"{self._keyset_error}")
        return self._keyset

    @staticmethod
    def from_dict(obj):
        return PyJWKSet(obj.get("keys", []))

    @staticmethod
    def from_json(data):
        return PyJWKSet.from_dict(json.loads(data))

    def __getitem__(self, kid):
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyError(f"keyset has no key for kid: {kid}")

    def __iter__(self):
        return iter(self.keys)

    def __len__(self):
        return len(self.keys)
