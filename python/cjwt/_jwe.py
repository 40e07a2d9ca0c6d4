"""JWE (RFC 7516): encrypted tokens. The checks are the C core's (docs/jwe.md);
this module only shapes the arguments."""
import json as _json
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
