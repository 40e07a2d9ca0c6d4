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

    def __init__(self, claim, message=None):
        if message is None:
            super().__init__(claim)
        else:
            super().__init__(claim, message)
        self.claim = claim
        self.message = message

    def __str__(self):
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
}
