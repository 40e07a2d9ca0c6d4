"""PyJWT's ``jwt.utils`` helpers, for code that imports them from ``jwt.utils``.

These are conveniences around the standard library's ``base64`` and
``binascii`` with PyJWT's names and behaviour (``base64url_decode`` accepts
missing padding, as PyJWT's does). cjwt's own token parsing never uses them:
the C core decodes tokens with strict base64url (no padding, no ``+``/``/``,
no non-zero trailing bits).
"""
import base64
import binascii
import re
from typing import Any, Union

__all__ = [
    "force_bytes",
    "base64url_decode",
    "base64url_encode",
    "to_base64url_uint",
    "from_base64url_uint",
    "number_to_bytes",
    "bytes_to_number",
    "bytes_from_int",
    "der_to_raw_signature",
    "raw_to_der_signature",
    "is_pem_format",
    "is_ssh_key",
]


def force_bytes(value: Union[str, bytes]) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise TypeError("Expected a string or bytes value")


def base64url_decode(input: Union[str, bytes]) -> bytes:  # noqa: A002 - PyJWT's parameter name
    data = force_bytes(input)
    rem = len(data) % 4
    if rem > 0:
        data += b"=" * (4 - rem)
    return base64.urlsafe_b64decode(data)


def base64url_encode(input: bytes) -> bytes:  # noqa: A002
    return base64.urlsafe_b64encode(input).replace(b"=", b"")


def bytes_from_int(val: int, *, bit_length: Union[int, None] = None) -> bytes:
    if bit_length is None:
        bit_length = val.bit_length()
    return val.to_bytes((bit_length + 7) // 8, "big", signed=False)


def to_base64url_uint(val: int, *, bit_length: Union[int, None] = None) -> bytes:
    if val < 0:
        raise ValueError("Must be a positive integer")
    int_bytes = bytes_from_int(val, bit_length=bit_length)
    return base64url_encode(int_bytes or b"\x00")


def from_base64url_uint(val: Union[str, bytes]) -> int:
    return int.from_bytes(base64url_decode(force_bytes(val)), byteorder="big")


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    return binascii.a2b_hex(("%0*x" % (2 * num_bytes, num)).encode("ascii"))


def bytes_to_number(string: bytes) -> int:
    return int(binascii.b2a_hex(string), 16)


def der_to_raw_signature(der_sig: bytes, curve: Any) -> bytes:
    """An ECDSA DER signature -> JWS ``r || s`` (needs ``cryptography``)."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    num_bytes = (curve.key_size + 7) // 8
    r, s = decode_dss_signature(der_sig)
    return number_to_bytes(r, num_bytes) + number_to_bytes(s, num_bytes)


def raw_to_der_signature(raw_sig: bytes, curve: Any) -> bytes:
    """A JWS ``r || s`` ECDSA signature -> DER (needs ``cryptography``)."""
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    num_bytes = (curve.key_size + 7) // 8
    if len(raw_sig) != 2 * num_bytes:
        raise ValueError("Invalid signature")
    r = bytes_to_number(raw_sig[:num_bytes])
    s = bytes_to_number(raw_sig[num_bytes:])
    return bytes(encode_dss_signature(r, s))


_PEM_RE = re.compile(
    rb"----[- ]BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|PRIVATE KEY|PUBLIC KEY|ENCRYPTED PRIVATE KEY"
    rb"|OPENSSH PRIVATE KEY|DSA PRIVATE KEY|RSA PRIVATE KEY|RSA PUBLIC KEY|EC PRIVATE KEY"
    rb"|DH PARAMETERS|NEW CERTIFICATE REQUEST|CERTIFICATE REQUEST|SSH2 PUBLIC KEY"
    rb"|SSH2 ENCRYPTED PRIVATE KEY|X509 CRL)[- ]----\r?\n.+?\r?\n----[- ]END \1[- ]----\r?\n?",
    re.DOTALL,
)


def is_pem_format(key: bytes) -> bool:
    if not isinstance(key, bytes):
        # PyJWT's: its bytes pattern refuses anything else
        raise TypeError(f"cannot use a bytes pattern on a {type(key).__name__} object")
    return bool(_PEM_RE.search(key))


_SSH_PREFIXES = (b"ssh-ed25519", b"ssh-rsa", b"ssh-dss", b"ecdsa-sha2-nistp256",
                 b"ecdsa-sha2-nistp384", b"ecdsa-sha2-nistp521")
_CERT_SUFFIX = b"-cert-v01@openssh.com"
_SSH_CERT_RE = re.compile(rb"\A(\S+)" + re.escape(_CERT_SUFFIX) + rb"\s+(\S+)")


def is_ssh_key(key: Union[str, bytes]) -> bool:
    data = force_bytes(key)
    if data.startswith(_SSH_PREFIXES):
        return True
    m = _SSH_CERT_RE.match(data)
    return bool(m and m.group(1) in _SSH_PREFIXES)
