"""Hostile-token building blocks made with the standard library alone
(hmac/hashlib/base64), never with cjwt: a test must not rely on the code
under test to produce its own input. Shared by tests/python (through
conftest.py) and tests/cli/test_cli.py."""
import base64
import hashlib
import hmac
import json

_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(obj):
    """A JSON value (or raw str/bytes JSON text) as a base64url segment."""
    if isinstance(obj, str):
        obj = obj.encode()
    if not isinstance(obj, bytes):
        obj = json.dumps(obj, separators=(",", ":")).encode()
    return b64url(obj)


def make_token(header, payload, secret, alg="HS256"):
    """An HMAC-signed compact JWS over arbitrary header/payload JSON."""
    signing_input = segment(header) + "." + segment(payload)
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, signing_input.encode(), _HASHES[alg]).digest()
    return signing_input + "." + b64url(mac)
