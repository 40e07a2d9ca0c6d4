"""cjwt exceptions: PyJWT's names and hierarchy, plus a stable ``.code``.

``code`` is the error name shared by the C core, Python and Lua (docs/design.md,
"Error names"); a class attribute gives each class its usual code, and
the binding sets the instance attribute to the exact code the core reported.
"""

__all__ = [
    "PyJWTError",
    "CJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidSubjectError",
    "InvalidIssuedAtError",
    "MissingRequiredClaimError",
    "InvalidAlgorithmError",
    "InvalidTypeError",
    "RevokedTokenError",
    "RevocationUnavailableError",
    "InvalidKeyError",
    "InvalidJTIError",
    "DecryptionError",
    "PyJWKError",
    "MissingCryptographyError",
    "PyJWKSetError",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
]


class PyJWTError(Exception):
    """Base class of every cjwt error (also importable as CJWTError)."""

    code = "internal"


CJWTError = PyJWTError


class InvalidTokenError(PyJWTError):
    pass


class DecodeError(InvalidTokenError):
    code = "malformed"


class InvalidSignatureError(DecodeError):
    code = "bad_signature"


class ExpiredSignatureError(InvalidTokenError):
    code = "expired"


class ImmatureSignatureError(InvalidTokenError):
    code = "not_yet_valid"


class InvalidAudienceError(InvalidTokenError):
    code = "invalid_audience"


class InvalidIssuerError(InvalidTokenError):
    code = "invalid_issuer"


class InvalidSubjectError(InvalidTokenError):
    code = "invalid_subject"


class InvalidIssuedAtError(InvalidTokenError):
    code = "invalid_iat"


class InvalidAlgorithmError(InvalidTokenError):
    code = "alg_not_allowed"


class InvalidTypeError(InvalidTokenError):
    """The header ``typ`` is not the one the caller expected (cjwt addition)."""

    code = "invalid_typ"


class RevokedTokenError(InvalidTokenError):
    code = "revoked"


class RevocationUnavailableError(PyJWTError):
    """The denylist could not answer (store down): the token is refused, but it
    was not found invalid, so this is not an ``InvalidTokenError`` -- answer 503,
    not 401. The store's exception is chained as ``__cause__``."""

    code = "unavailable"


class MissingRequiredClaimError(InvalidTokenError):
    """``MissingRequiredClaimError(claim[, message])``, as in PyJWT; ``.claim`` names it."""

    code = "missing_claim"

    def __init__(self, claim: str, message: str | None = None) -> None:
        if message is None:
            super().__init__(claim)
        else:
            super().__init__(claim, message)
        self.claim = claim
        self.message = message

    def __str__(self) -> str:
        if self.message is not None:
            return self.message
        return f'Token is missing the "{self.claim}" claim'


class InvalidJTIError(InvalidTokenError):
    """The ``jti`` claim is not a string (PyJWT's ``verify_jti``)."""

    code = "invalid_jti"


class InvalidKeyError(PyJWTError):
    code = "invalid_key"


class PyJWKError(PyJWTError):
    """A JWK that ``PyJWK`` cannot use (PyJWT's name)."""

    code = "invalid_key"


class MissingCryptographyError(PyJWKError):
    """Never raised by cjwt (every algorithm is built in); kept for ported ``except`` clauses."""


class PyJWKSetError(PyJWTError):
    """A JWK Set with no usable key (PyJWT's name)."""

    code = "invalid_key"


class PyJWKClientError(PyJWTError):
    """The JWKS client could not supply a key (also ``JWKSClientError``)."""

    code = "invalid_key"


class PyJWKClientConnectionError(PyJWKClientError):
    """The JWKS endpoint could not be fetched."""


class DecryptionError(InvalidTokenError):
    """A JWE did not decrypt: a wrong key, a tag or key unwrap that fails (one
    answer for all of them, so nothing is learnt from which)."""

    code = "decrypt_failed"



# ---- PyJWT compatibility: one error, both classes --------------------------
# Where cjwt refuses an argument with its own class and PyJWT raises another
# for the same call, the exception is an instance of both, so the `except`
# clauses of PyJWT code and those cjwt documents both catch it. Private: catch
# them by their public bases. The C binding raises them (python/src/compat.c).


class _KeyTypeError(InvalidKeyError, TypeError):
    """``key=None`` where a key is needed: cjwt's ``InvalidKeyError``; PyJWT's
    algorithms raise ``TypeError`` ("Expected a string or bytes value")."""


class _KeyValueError(InvalidKeyError, ValueError):
    """A key of the wrong family for the algorithm (an EC algorithm given an
    HMAC secret): PyJWT lets ``cryptography``'s ``ValueError`` through."""


class _KeyAttributeError(InvalidKeyError, AttributeError):
    """A JWK text that is JSON but not an object (``"[1]"``): PyJWT's
    ``from_jwk`` fails with ``AttributeError`` (``obj.get``)."""


class _KeyAlgorithmError(InvalidKeyError, InvalidAlgorithmError):
    """A key bound to one algorithm used for another: cjwt's
    ``InvalidKeyError``; PyJWT raises ``InvalidAlgorithmError`` for a ``PyJWK``."""


class _AlgorithmsTypeError(InvalidAlgorithmError, TypeError):
    """``algorithms=[5]``: cjwt's ``TypeError``; PyJWT answers
    ``InvalidAlgorithmError`` ("The specified alg value is not allowed")."""


class _ArgumentTypeError(TypeError, AttributeError):
    """``options=[]``, ``headers=[...]``: cjwt's ``TypeError``; PyJWT's code
    fails with ``AttributeError`` (``'list' object has no attribute 'get'``)."""


class _RequireTypeError(MissingRequiredClaimError, TypeError):
    """``options={"require": "exp"}``: a string where cjwt wants a list of
    claim names (``TypeError``); PyJWT iterates its letters and raises
    ``MissingRequiredClaimError`` for the first."""

    def __init__(self, message: str) -> None:
        super().__init__("", message)



# Error name -> class, read once by the C extension when it is imported.
# A name missing here (a newer core) is raised as PyJWTError.
EXCEPTION_FOR_CODE = {
    "malformed": DecodeError,
    "too_large": DecodeError,
    "unknown_crit": DecodeError,
    "bad_signature": InvalidSignatureError,
    "expired": ExpiredSignatureError,
    "not_yet_valid": ImmatureSignatureError,
    "invalid_iat": InvalidIssuedAtError,
    "invalid_audience": InvalidAudienceError,
    "invalid_issuer": InvalidIssuerError,
    "invalid_subject": InvalidSubjectError,
    "missing_claim": MissingRequiredClaimError,
    "unsupported_alg": InvalidAlgorithmError,
    "alg_not_allowed": InvalidAlgorithmError,
    "invalid_key": InvalidKeyError,
    "invalid_typ": InvalidTypeError,
    "invalid_jti": InvalidJTIError,
    "revoked": RevokedTokenError,
    "unavailable": RevocationUnavailableError,
    "no_memory": MemoryError,
    "internal": PyJWTError,
    "decrypt_failed": DecryptionError,
}
