"""JWE (RFC 7516): encrypted tokens. The checks are the C core's (docs/jwe.md);
this module only shapes the arguments."""
import json as _json
from datetime import timedelta as _timedelta
from typing import Any, Optional, Sequence, Union

from . import _cjwt

__all__ = ["jwe_encrypt", "jwe_decrypt", "jwe_decrypt_complete"]


def jwe_encrypt(plaintext: Union[bytes, str], key: Any, *, alg: str, enc: str,
                headers: Optional[dict[str, Any]] = None, zip: Optional[str] = None,  # noqa: A002
                p2c: Optional[int] = None) -> str:
    """Encrypts ``plaintext`` (bytes; a str is encoded as UTF-8) to ``key`` and
    returns the compact JWE. ``alg``: the key management algorithm ("dir",
    "A256KW", "RSA-OAEP-256", "ECDH-ES+A256KW", "PBES2-HS512+A256KW", ...);
    ``enc``: the content encryption ("A256GCM", "A128CBC-HS256", ...);
    ``headers``: extra protected header members; ``zip="DEF"`` compresses;
    ``p2c``: PBES2 iterations (default 100000, at least 1000)."""
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    return _cjwt.jwe_encrypt(plaintext, key, alg, enc, headers, zip, p2c)


def _token_text(token: Union[str, bytes, dict[str, Any]]) -> Union[str, bytes]:
    if isinstance(token, dict):   # the flattened or general JSON serialization
        return _json.dumps(token, separators=(",", ":"), ensure_ascii=False)
    return token


def jwe_decrypt_complete(token: Union[str, bytes, dict[str, Any]], key: Any, *,
                         algorithms: Sequence[str], encryptions: Sequence[str],
                         max_plaintext: Optional[int] = None, max_p2c: Optional[int] = None,
                         max_token_len: Optional[int] = None) -> dict[str, Any]:
    """Like :func:`jwe_decrypt`, returning ``{"header": dict, "plaintext": bytes}``
    (the header is the protected one, or the union of the JSON serialization's)."""
    plaintext, header = _cjwt.jwe_decrypt(_token_text(token), key, algorithms, encryptions,
                                          max_plaintext, max_p2c, max_token_len)
    return {"header": header, "plaintext": plaintext}


def jwe_decrypt(token: Union[str, bytes, dict[str, Any]], key: Any, *, algorithms: Sequence[str],
                encryptions: Sequence[str], max_plaintext: Optional[int] = None,
                max_p2c: Optional[int] = None, max_token_len: Optional[int] = None) -> bytes:
    """Decrypts a JWE (the compact form as str/bytes, or the flattened/general JSON
    serialization as str or dict) and returns the plaintext bytes. ``algorithms``
    and ``encryptions`` are the two allowlists (required; "RSA1_5" only if named).
    Limits: ``max_plaintext`` (bytes after decompression, default 1 MiB),
    ``max_p2c`` (PBES2 iterations, default 100000), ``max_token_len``."""
    plaintext: bytes = jwe_decrypt_complete(token, key, algorithms=algorithms,
                                            encryptions=encryptions, max_plaintext=max_plaintext,
                                            max_p2c=max_p2c, max_token_len=max_token_len)["plaintext"]
    return plaintext


# ---- encrypted and nested JWTs (RFC 7519 5.2, 11.2) -------------------------

__all__ += ["encode_encrypted", "decode_encrypted", "decode_encrypted_complete",
            "encode_nested", "decode_nested"]


def _pkg() -> Any:
    """The cjwt package (its private argument converters: _core_key, _unix_time,
    _seconds, _date_claims), looked up at call time: it imports this module."""
    import sys
    return sys.modules[__name__.rpartition(".")[0]]


def encode_encrypted(payload: dict[str, Any], key: Any, *, alg: str, enc: str,
                     headers: Optional[dict[str, Any]] = None, zip: Optional[str] = None,  # noqa: A002
                     p2c: Optional[int] = None, expires_in: Any = None, now: Any = None,
                     signing_key: Any = None, algorithm: Optional[str] = None,
                     sign_headers: Optional[dict[str, Any]] = None) -> str:
    """An encrypted JWT: the claims ``payload`` (a dict) encrypted to ``key`` as a
    compact JWE (``alg``/``enc``/``headers``/``zip``/``p2c`` as for
    :func:`jwe_encrypt`; the JWE header gets ``"typ": "JWT"``).

    With ``signing_key`` (and its ``algorithm``, ``sign_headers``), a nested
    JWT: the claims are signed first, as :func:`cjwt.encode` signs them, and the
    JWS is encrypted with ``"cty": "JWT"``. ``expires_in``/``now`` set
    ``iat``/``exp`` as in :func:`cjwt.encode`."""
    p = _pkg()
    _core_key, _date_claims, _unix_time = p._core_key, p._date_claims, p._unix_time
    if not isinstance(payload, dict):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    if signing_key is not None and algorithm is None:   # the key's bound algorithm
        algorithm = (signing_key.get("alg") if isinstance(signing_key, dict)
                     else getattr(signing_key, "alg", None))
    if isinstance(expires_in, _timedelta):
        expires_in = int(expires_in.total_seconds())
    return _cjwt.jwt_encrypt(_date_claims(payload), _core_key(key), alg, enc, headers, zip, p2c,
                             expires_in, _unix_time(now),
                             None if signing_key is None else _core_key(signing_key),
                             algorithm, sign_headers)


def encode_nested(payload: dict[str, Any], signing_key: Any, encryption_key: Any, *,
                  algorithm: Optional[str] = None, alg: str, enc: str, **kwargs: Any) -> str:
    """A nested JWT: :func:`encode_encrypted` with a signing key (sign, then
    encrypt). ``algorithm`` defaults to the signing key's bound algorithm."""
    return encode_encrypted(payload, encryption_key, alg=alg, enc=enc, signing_key=signing_key,
                            algorithm=algorithm, **kwargs)


def decode_encrypted_complete(token: Union[str, bytes, dict[str, Any]], key: Any, *,
                              algorithms: Sequence[str], encryptions: Sequence[str],
                              verification_key: Any = None,
                              signature_algorithms: Optional[Sequence[str]] = None,
                              options: Optional[dict[str, Any]] = None, audience: Any = None,
                              issuer: Any = None, subject: Optional[str] = None,
                              leeway: Any = 0, typ: Optional[str] = None, max_age: Any = None,
                              now: Any = None, denylist: Any = None,
                              max_plaintext: Optional[int] = None, max_p2c: Optional[int] = None,
                              max_token_len: Optional[int] = None) -> dict[str, Any]:
    """Like :func:`decode_encrypted`, returning ``{"header": the JWE header,
    "payload": the claims, "jws_header": the inner JWS header of a nested
    token, else None}``."""
    p = _pkg()
    _core_key, _unix_time, _seconds = p._core_key, p._unix_time, p._seconds
    if options and "verify_signature" in options and not options["verify_signature"]:
        raise ValueError("the signature of an encrypted JWT is always verified: "
                         "verify_signature cannot be False")
    result: dict[str, Any] = _cjwt.jwt_decrypt(
        _token_text(token), _core_key(key), algorithms, encryptions, max_plaintext, max_p2c,
        max_token_len, None if verification_key is None else _core_key(verification_key),
        signature_algorithms, options, audience, issuer, subject, _seconds(leeway), typ,
        _seconds(max_age), _unix_time(now), denylist, True)
    return result


def decode_encrypted(token: Union[str, bytes, dict[str, Any]], key: Any, *,
                     algorithms: Sequence[str], encryptions: Sequence[str],
                     verification_key: Any = None,
                     signature_algorithms: Optional[Sequence[str]] = None,
                     **kwargs: Any) -> dict[str, Any]:
    """Decrypts an encrypted or nested JWT with ``key`` and returns its claims,
    checked exactly as :func:`cjwt.decode` checks them (``audience``,
    ``issuer``, ``subject``, ``leeway``, ``options`` with ``require`` and the
    ``verify_*`` switches, ``typ``, ``max_age``, ``now``, ``denylist``).

    ``algorithms``/``encryptions``: the JWE allowlists (as for
    :func:`jwe_decrypt`). Without ``verification_key`` the token must be an
    encrypted JWT (a nested one is refused, ``InvalidKeyError``); with it
    (a key or ``KeySet``, and ``signature_algorithms``, the JWS allowlist) the
    token must be nested (``cty: "JWT"``) and its signature holds, else
    ``InvalidSignatureError``. An inner ``alg: none`` is never accepted."""
    claims: dict[str, Any] = decode_encrypted_complete(
        token, key, algorithms=algorithms, encryptions=encryptions,
        verification_key=verification_key, signature_algorithms=signature_algorithms,
        **kwargs)["payload"]
    return claims


def decode_nested(token: Union[str, bytes, dict[str, Any]], decryption_key: Any,
                  verification_key: Any, *, algorithms: Sequence[str], encryptions: Sequence[str],
                  signature_algorithms: Sequence[str], **kwargs: Any) -> dict[str, Any]:
    """A nested JWT's claims: :func:`decode_encrypted` with a verification key
    (required here, so an unsigned token is never taken)."""
    if verification_key is None:
        raise TypeError("decode_nested needs a verification key")
    return decode_encrypted(token, decryption_key, algorithms=algorithms, encryptions=encryptions,
                            verification_key=verification_key,
                            signature_algorithms=signature_algorithms, **kwargs)


# ---- the JSON serialization on encryption (RFC 7516 7.2) --------------------

__all__ += ["jwe_encrypt_json"]


def _recipient(r: Any) -> tuple[Any, str, Optional[dict[str, Any]], Optional[int]]:
    if isinstance(r, dict):
        unknown = set(r) - {"key", "alg", "header", "p2c"}
        if unknown or "key" not in r or "alg" not in r:
            raise TypeError("a recipient is {'key': ..., 'alg': ..., 'header': ..., 'p2c': ...}")
        return (_pkg()._core_key(r["key"]), r["alg"], r.get("header"), r.get("p2c"))
    if isinstance(r, tuple) and len(r) == 2:
        return (_pkg()._core_key(r[0]), r[1], None, None)
    raise TypeError("a recipient is a (key, alg) tuple or a dict with key, alg, header, p2c")


def jwe_encrypt_json(plaintext: Union[bytes, str], recipients: Sequence[Any], *, enc: str,
                     protected: Optional[dict[str, Any]] = None,
                     unprotected: Optional[dict[str, Any]] = None,
                     aad: Union[bytes, str, None] = None, zip: Optional[str] = None,  # noqa: A002
                     flattened: bool = False) -> dict[str, Any]:
    """Encrypts ``plaintext`` to one or more recipients and returns the JWE JSON
    serialization as a dict: the general form (``"recipients"``), or with
    ``flattened=True`` (one recipient) the flattened one. Each recipient is a
    ``(key, alg)`` tuple or ``{"key", "alg", "header", "p2c"}``; ``dir`` and
    ``ECDH-ES`` take a single recipient. ``enc`` (and ``zip``, ``protected``'s
    members) go into the protected header, each recipient's ``alg``, parameters
    and ``kid`` into its ``header``; ``unprotected`` is the shared unprotected
    header and ``aad`` additional authenticated data. :func:`jwe_decrypt` reads
    the result (dict or text) with each recipient's key."""
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    if isinstance(aad, str):
        aad = aad.encode("utf-8")
    if isinstance(recipients, (dict, tuple)):
        recipients = [recipients]
    text = _cjwt.jwe_encrypt_json(plaintext, [_recipient(r) for r in recipients], enc, protected,
                                  unprotected, aad, zip, flattened)
    result: dict[str, Any] = _json.loads(text)
    return result
