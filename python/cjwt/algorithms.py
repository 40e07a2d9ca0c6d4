"""PyJWT's ``jwt.algorithms``: ``get_default_algorithms()``, ``has_crypto`` and
the algorithm classes, for code that uses them to load keys
(``RSAAlgorithm.from_jwk(jwk)``) or to export them (``to_jwk``).

cjwt's ``encode``/``decode`` never go through these objects: the C core signs
and verifies. Here JWKs are parsed and checked by the core (``Key.from_jwk``,
with its rules: RSA at least 2048 bits, points on the curve, ...); the result
is a ``cryptography`` key object when that package is installed (as in
PyJWT), else a ``cjwt.Key``. ``sign``/``verify`` on these objects use the
standard library (HMAC) or ``cryptography`` (RS/PS/ES/EdDSA), as PyJWT does.
Only the algorithms the core implements are listed: ES256K (secp256k1) and
EdDSA with Ed25519 or Ed448 keys are; PyJWT's ``ES521`` is not (it is not a
registered JWA name; PyJWT keeps it as an alias of ES512 for tokens an old
release of its own made: docs/python-differences.md).
"""
import hashlib
import hmac
import json
from abc import ABC, abstractmethod
from typing import Any, Callable, Optional, Union

from ._cjwt import Key
from .exceptions import InvalidKeyError, _KeyAttributeError, _KeyValueError
from .utils import (base64url_decode, base64url_encode, der_to_raw_signature, force_bytes,
                    is_pem_format, is_ssh_key, raw_to_der_signature)

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    has_crypto = True
except ModuleNotFoundError:  # pragma: no cover - cryptography is optional
    has_crypto = False

__all__ = [
    "has_crypto",
    "requires_cryptography",
    "get_default_algorithms",
    "Algorithm",
    "NoneAlgorithm",
    "HMACAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "ECAlgorithm",
    "OKPAlgorithm",
]

requires_cryptography = {"RS256", "RS384", "RS512", "ES256", "ES256K", "ES384", "ES521",
                         "ES512", "PS256", "PS384", "PS512", "EdDSA"}


def get_default_algorithms() -> dict[str, "Algorithm"]:
    """The algorithms the library implements, by name (``"none"`` included, as
    in PyJWT; ``decode`` still never accepts an unsecured token)."""
    algs: dict[str, Algorithm] = {
        "none": NoneAlgorithm(),
        "HS256": HMACAlgorithm(HMACAlgorithm.SHA256),
        "HS384": HMACAlgorithm(HMACAlgorithm.SHA384),
        "HS512": HMACAlgorithm(HMACAlgorithm.SHA512),
    }
    if has_crypto:
        algs.update({
            "RS256": RSAAlgorithm(RSAAlgorithm.SHA256),
            "RS384": RSAAlgorithm(RSAAlgorithm.SHA384),
            "RS512": RSAAlgorithm(RSAAlgorithm.SHA512),
            "ES256": ECAlgorithm(ECAlgorithm.SHA256, ec.SECP256R1),
            "ES256K": ECAlgorithm(ECAlgorithm.SHA256, ec.SECP256K1),
            "ES384": ECAlgorithm(ECAlgorithm.SHA384, ec.SECP384R1),
            "ES512": ECAlgorithm(ECAlgorithm.SHA512, ec.SECP521R1),
            "PS256": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA256),
            "PS384": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA384),
            "PS512": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA512),
            "EdDSA": OKPAlgorithm(),
        })
    return algs


# ---- conversions between cjwt.Key and cryptography key objects -------------

def key_from_cryptography(obj: Any) -> Key:
    """A ``cryptography`` key object -> ``cjwt.Key`` (through PEM, parsed by the core)."""
    s = serialization
    if hasattr(obj, "private_bytes"):
        pem = obj.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    else:
        pem = obj.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    return Key.from_pem(pem)


def _to_cryptography(key: Key) -> Any:
    """``cjwt.Key`` -> a ``cryptography`` key object, or the Key itself
    when ``cryptography`` is not installed."""
    if not has_crypto:
        return key
    pem = key.to_pem(private=key.is_private).encode()
    if key.is_private:
        return serialization.load_pem_private_key(pem, password=None)
    return serialization.load_pem_public_key(pem)


def _jwk_obj(jwk: Union[str, dict[str, Any]]) -> dict[str, Any]:
    try:
        if isinstance(jwk, str):
            obj = json.loads(jwk)
        elif isinstance(jwk, dict):
            obj = jwk
        else:
            raise ValueError
    except ValueError:
        raise InvalidKeyError("Key is not valid JSON") from None
    if not isinstance(obj, dict):
        # PyJWT fails on it with AttributeError (obj.get): both classes
        raise _KeyAttributeError("Key is not valid JSON: not a JSON object")
    return obj


# ---- PyJWT's checks of a JWK, before the core reads it ----------------------
# PyJWT builds the key with `cryptography` and refuses a JWK with these
# classes and messages; the shim runs the same checks first (so ported code
# sees the same errors), then the core parses the JWK with its own rules.

def _b64_uint(value: Any) -> int:
    return int.from_bytes(base64url_decode(value), "big")


def _pyjwt_rsa_jwk(obj: dict[str, Any]) -> dict[str, Any]:
    """PyJWT's RSA JWK checks; a private JWK with ``d`` only (RFC 7518
    6.3.2: the CRT members are optional) is completed with the primes
    recovered by ``cryptography``, as PyJWT does, for the core to read."""
    if not ("d" in obj and "e" in obj and "n" in obj):
        if "n" in obj and "e" in obj:
            return obj
        raise InvalidKeyError("Not a public or private key")
    if "oth" in obj:
        raise InvalidKeyError("Unsupported RSA private key: > 2 primes not supported")
    crt = ["p", "q", "dp", "dq", "qi"]
    found = [name in obj for name in crt]
    if any(found) and not all(found):
        raise InvalidKeyError("RSA key must include all parameters if any are present besides d")
    if any(found) or not has_crypto:
        return obj
    n, e, d = _b64_uint(obj["n"]), _b64_uint(obj["e"]), _b64_uint(obj["d"])
    p, q = rsa.rsa_recover_prime_factors(n, e, d)

    def enc(v: int) -> str:
        return base64url_encode(v.to_bytes((v.bit_length() + 7) // 8 or 1, "big")).decode()
    return dict(obj, p=enc(p), q=enc(q), dp=enc(rsa.rsa_crt_dmp1(d, p)),
                dq=enc(rsa.rsa_crt_dmq1(d, q)), qi=enc(rsa.rsa_crt_iqmp(p, q)))


_EC_CURVES = {"P-256": (32, "SECP256R1"), "P-384": (48, "SECP384R1"), "P-521": (66, "SECP521R1"),
              "secp256k1": (32, "SECP256K1")}


def _pyjwt_ec_jwk(obj: dict[str, Any]) -> dict[str, Any]:
    if "x" not in obj or "y" not in obj:
        raise InvalidKeyError("Not an Elliptic curve key")
    x, y = base64url_decode(obj["x"]), base64url_decode(obj["y"])
    crv = obj.get("crv")
    if crv not in _EC_CURVES:
        raise InvalidKeyError(f"Invalid curve: {crv}")
    size, curve_name = _EC_CURVES[crv]
    if not len(x) == len(y) == size:
        raise InvalidKeyError(f"Coords should be {size} bytes for curve {crv}")
    if has_crypto:
        try:   # cryptography's check and ValueError, as PyJWT lets it through
            ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                          getattr(ec, curve_name)()).public_key()
        except ValueError as e:
            raise _KeyValueError(str(e)) from None
    if "d" in obj and len(base64url_decode(obj["d"])) != len(x):
        raise InvalidKeyError(f"D should be {len(x)} bytes for curve {crv}")
    return obj


def _pyjwt_okp_jwk(obj: dict[str, Any]) -> dict[str, Any]:
    crv = obj.get("crv")
    if crv not in ("Ed25519", "Ed448"):
        raise InvalidKeyError(f"Invalid curve: {crv}")
    if "x" not in obj:
        raise InvalidKeyError('OKP should have "x" parameter')
    return obj


_PYJWT_JWK_CHECKS = {"RSA": _pyjwt_rsa_jwk, "EC": _pyjwt_ec_jwk, "OKP": _pyjwt_okp_jwk}


def pyjwt_jwk(obj: dict[str, Any]) -> dict[str, Any]:
    """A JWK dict after PyJWT's checks for its ``kty`` (completed if needed)."""
    check = _PYJWT_JWK_CHECKS.get(obj.get("kty"))  # type: ignore[arg-type]
    return check(obj) if check else obj


def _key_arg(key: Any, kty: Optional[str]) -> Key:
    """A key given to ``to_jwk``/``prepare_key`` -> ``cjwt.Key`` of type ``kty``."""
    if isinstance(key, Key):
        k = key
    elif has_crypto and (hasattr(key, "private_bytes") or hasattr(key, "public_bytes")):
        k = key_from_cryptography(key)
    else:
        raise InvalidKeyError("Not a public or private key")
    if k.kty != kty:
        raise InvalidKeyError("Not a public or private key")
    return k


def _export(key: Key, extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The core's JWK of ``key`` without the cjwt-only ``alg``/``kid`` of an
    unbound key, plus PyJWT's extra members."""
    jwk = {k: v for k, v in key.to_jwk(private=key.is_private).items() if k not in ("alg", "kid")}
    if extra:
        jwk.update(extra)
    return jwk


def _out(jwk: dict[str, Any], as_dict: bool) -> Union[dict[str, Any], str]:
    return jwk if as_dict else json.dumps(jwk)


# ---- the algorithm classes ------------------------------------------------

class Algorithm(ABC):
    """The interface of an algorithm object (PyJWT's ``jwt.algorithms.Algorithm``)."""

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        hash_alg = getattr(self, "hash_alg", None)
        if hash_alg is None:
            raise NotImplementedError
        digest: bytes = hash_alg(bytestr).digest()
        return digest

    @abstractmethod
    def prepare_key(self, key: Any) -> Any:
        """Checks and converts ``key`` for ``sign``/``verify``."""

    @abstractmethod
    def sign(self, msg: bytes, key: Any) -> bytes:
        """The signature of ``msg``."""

    @abstractmethod
    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        """Whether ``sig`` is ``msg``'s signature."""

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Union[dict[str, Any], str]:
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Union[str, dict[str, Any]]) -> Any:
        raise NotImplementedError

    def check_key_length(self, key: Any) -> Optional[str]:
        return None


class NoneAlgorithm(Algorithm):
    """``alg: none``: no signature. ``cjwt.decode`` never accepts such a token
    (``cjwt.decode_unsecured`` reads one, by name)."""

    def prepare_key(self, key: Any) -> Any:
        if key == "":
            key = None
        if key is not None:
            raise InvalidKeyError('When alg = "none", key value must be None.')
        return key

    def sign(self, msg: bytes, key: Any) -> bytes:
        return b""

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        return False


class HMACAlgorithm(Algorithm):
    SHA256 = hashlib.sha256
    SHA384 = hashlib.sha384
    SHA512 = hashlib.sha512

    def __init__(self, hash_alg: Any) -> None:
        self.hash_alg = hash_alg

    def prepare_key(self, key: Any) -> Any:
        key_bytes = force_bytes(key)
        if not key_bytes:
            raise InvalidKeyError("HMAC key must not be empty.")
        if is_pem_format(key_bytes) or is_ssh_key(key_bytes) or _is_der_key(key_bytes):
            raise InvalidKeyError("The specified key is an asymmetric key or x509 certificate and"
                                  " should not be used as an HMAC secret.")
        return key_bytes

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Union[dict[str, Any], str]:
        return _out({"k": base64url_encode(force_bytes(key_obj)).decode(), "kty": "oct"}, as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, dict[str, Any]]) -> Any:
        obj = _jwk_obj(jwk)
        if obj.get("kty") != "oct":
            raise InvalidKeyError("Not an HMAC key")
        key_bytes = base64url_decode(obj["k"])
        if not key_bytes:
            raise InvalidKeyError("HMAC key must not be empty.")
        return key_bytes

    def check_key_length(self, key: Any) -> Optional[str]:
        min_length = self.hash_alg().digest_size
        if len(key) < min_length:
            return (f"The HMAC key is {len(key)} bytes long, which is below the minimum "
                    f"recommended length of {min_length} bytes for "
                    f"{self.hash_alg().name.upper()}. See RFC 7518 Section 3.2.")
        return None

    def sign(self, msg: bytes, key: Any) -> bytes:
        return hmac.new(key, msg, self.hash_alg).digest()

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        return hmac.compare_digest(sig, self.sign(msg, key))


def _is_der_key(data: bytes) -> bool:
    # A DER public key or certificate is never an HMAC secret (the core's rule).
    try:
        Key.from_pem(data)
    except Exception:  # noqa: BLE001 - not a key the core reads
        return False
    return True


class _AsymmetricAlgorithm(Algorithm):
    _kty: Optional[str] = None

    if has_crypto:
        SHA256 = hashes.SHA256
        SHA384 = hashes.SHA384
        SHA512 = hashes.SHA512

    def __init__(self, hash_alg: Any) -> None:
        self.hash_alg = hash_alg

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        digest = hashes.Hash(self.hash_alg())
        digest.update(bytestr)
        return bytes(digest.finalize())

    # PyJWT's classes and messages for a key prepare_key cannot use (its
    # RSA and EC algorithms raise TypeError for what is neither a key object
    # nor text, EC lets cryptography's ValueError through, ...)
    _CRYPTO_TYPES = {"RSA": ("RSAPrivateKey", "RSAPublicKey"),
                     "EC": ("EllipticCurvePrivateKey", "EllipticCurvePublicKey"),
                     "OKP": ("Ed25519PrivateKey", "Ed25519PublicKey", "Ed448PrivateKey",
                             "Ed448PublicKey")}

    def _wrong_type(self, got: Any) -> InvalidKeyError:
        return InvalidKeyError(f"Expected one of ({', '.join(self._CRYPTO_TYPES[self._kty or ''])}), "
                               f"got: {got}. Invalid Key type for {type(self).__name__}")

    def _not_text(self, key: Any) -> Exception:
        if self._kty == "OKP":
            return self._wrong_type(type(key).__name__)
        return TypeError("Expecting a PEM-formatted key.")

    def _unreadable(self, key: bytes, e: Exception) -> Exception:
        if key.startswith((b"ssh-", b"ecdsa-sha2-")):
            # PyJWT reads OpenSSH public keys here; the core reads PEM, DER, JWK only
            return InvalidKeyError("SSH public keys are not read: convert with "
                                   f"ssh-keygen -e -m PKCS8 ({e})")
        if self._kty == "RSA":
            return InvalidKeyError(f"Could not parse the provided public key. ({e})")
        if self._kty == "OKP" and not (b"-----BEGIN PUBLIC" in key or b"-----BEGIN PRIVATE" in key
                                       or key.startswith(b"ssh-")):
            return InvalidKeyError(f"Not a public or private key ({e})")
        return _KeyValueError(f"Unable to load PEM file. ({e})")

    def _checked(self, key: Any) -> Any:
        """A `cryptography` key of the right family (and curve)."""
        return key

    def prepare_key(self, key: Any) -> Any:
        if isinstance(key, Key):
            return self._checked(_to_cryptography(_key_arg(key, self._kty)))
        if has_crypto and (hasattr(key, "private_bytes") or hasattr(key, "public_bytes")):
            try:
                k = key_from_cryptography(key)
            except InvalidKeyError:
                raise self._not_text(key) from None
            if k.kty != self._kty:
                raise self._not_text(key)
            return self._checked(key)
        if not isinstance(key, (str, bytes)):
            raise self._not_text(key)
        try:
            k = Key.from_pem(force_bytes(key))
        except InvalidKeyError as e:
            raise self._unreadable(force_bytes(key), e) from None
        obj = _to_cryptography(k)
        if k.kty != self._kty:
            raise self._wrong_type(type(obj).__name__)
        return self._checked(obj)

    @classmethod
    def _from_jwk(cls, jwk: Union[str, dict[str, Any]], wrong_kty: str) -> Any:
        obj = _jwk_obj(jwk)
        if obj.get("kty") != cls._kty:
            raise InvalidKeyError(wrong_kty)
        return _to_cryptography(Key.from_jwk(pyjwt_jwk(obj)))


class RSAAlgorithm(_AsymmetricAlgorithm):
    """RS256/384/512. ``from_jwk`` refuses RSA keys under 2048 bits (the core's rule)."""

    _kty = "RSA"

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Union[dict[str, Any], str]:
        k = _key_arg(key_obj, "RSA")
        return _out(_export(k, {"key_ops": ["sign" if k.is_private else "verify"]}), as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, dict[str, Any]]) -> Any:
        return RSAAlgorithm._from_jwk(jwk, "Not an RSA key")

    def sign(self, msg: bytes, key: Any) -> bytes:
        signature: bytes = key.sign(msg, padding.PKCS1v15(), self.hash_alg())
        return signature

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        try:
            key.verify(sig, msg, padding.PKCS1v15(), self.hash_alg())
            return True
        except InvalidSignature:
            return False


class RSAPSSAlgorithm(RSAAlgorithm):
    def _padding(self) -> Any:
        return padding.PSS(mgf=padding.MGF1(self.hash_alg()), salt_length=self.hash_alg().digest_size)

    def sign(self, msg: bytes, key: Any) -> bytes:
        signature: bytes = key.sign(msg, self._padding(), self.hash_alg())
        return signature

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        try:
            key.verify(sig, msg, self._padding(), self.hash_alg())
            return True
        except InvalidSignature:
            return False


class ECAlgorithm(_AsymmetricAlgorithm):
    """ES256/384/512 and ES256K with JWS ``r || s`` signatures. ``expected_curve``
    (PyJWT 2.10's argument: a ``cryptography`` curve class) makes ``prepare_key``
    refuse a key on another curve, as ES256K does for anything but secp256k1."""

    _kty = "EC"

    def __init__(self, hash_alg: Any, expected_curve: Optional[type] = None) -> None:
        super().__init__(hash_alg)
        self.expected_curve = expected_curve

    def _check_curve(self, key: Any) -> Any:
        if self.expected_curve is not None and not isinstance(key.curve, self.expected_curve):
            expected = getattr(self.expected_curve, "name", self.expected_curve.__name__)
            raise InvalidKeyError(f"The key's curve '{key.curve.name}' does not match the "
                                  f"expected curve '{expected}' for this algorithm")
        return key

    def _checked(self, key: Any) -> Any:
        # PyJWT 2.15: the key's curve must be the algorithm's (ES256: P-256)
        return self._check_curve(key)

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Union[dict[str, Any], str]:
        return _out(_export(_key_arg(key_obj, "EC")), as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, dict[str, Any]]) -> Any:
        return ECAlgorithm._from_jwk(jwk, "Not an Elliptic curve key")

    def sign(self, msg: bytes, key: Any) -> bytes:
        der = key.sign(msg, ec.ECDSA(self.hash_alg()))
        return der_to_raw_signature(der, key.curve)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
        try:
            der = raw_to_der_signature(sig, public.curve)
            public.verify(der, msg, ec.ECDSA(self.hash_alg()))
            return True
        except (ValueError, InvalidSignature):
            return False


class OKPAlgorithm(_AsymmetricAlgorithm):
    """EdDSA with an Ed25519 or Ed448 key (RFC 8037: the key decides)."""

    _kty = "OKP"

    def __init__(self, **kwargs: Any) -> None:
        self.hash_alg = None

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        raise NotImplementedError

    @staticmethod
    def to_jwk(key: Any, as_dict: bool = False) -> Union[dict[str, Any], str]:
        return _out(_export(_key_arg(key, "OKP")), as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, dict[str, Any]]) -> Any:
        return OKPAlgorithm._from_jwk(jwk, "Not an Octet Key Pair")

    def sign(self, msg: bytes, key: Any) -> bytes:
        signature: bytes = key.sign(force_bytes(msg))
        return signature

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = (key.public_key()
                  if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) else key)
        try:
            public.verify(force_bytes(sig), force_bytes(msg))
            return True
        except InvalidSignature:
            return False
