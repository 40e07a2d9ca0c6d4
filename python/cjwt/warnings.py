"""PyJWT's warning classes (``jwt.warnings``)."""

__all__ = ["RemovedInPyjwt3Warning", "InsecureKeyLengthWarning"]


class RemovedInPyjwt3Warning(DeprecationWarning):
    """A PyJWT 2 usage that PyJWT 3 removes (extra keyword arguments to decode)."""


class InsecureKeyLengthWarning(UserWarning):
    """PyJWT warns with it about short HMAC secrets; cjwt refuses them instead
    (``InvalidKeyError``), so it is never raised. Kept for ported filters."""
