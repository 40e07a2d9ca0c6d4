"""Helpers for the threat tests (test_threat_*.py): the fixed keys shared with
the C and Lua threat tests and the interop matrix (tests/interop/keys.json),
and an assertion on the exact error name."""
import json
import os

import pytest

import cjwt
from conftest import NOW, ROOT, b64url

with open(os.path.join(ROOT, "tests", "interop", "keys.json"), encoding="utf-8") as _f:
    KEYS = json.load(_f)["keys"]

HMAC_SECRET = KEYS["hmac"]["secret"]
ALL_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA", "ES256K"]
CLAIMS = {"sub": "user-1", "exp": NOW + 100}


def expect_code(code, fn, *args, **kwargs):
    """Calls fn and asserts it raises a cjwt error with exactly this code."""
    with pytest.raises(cjwt.PyJWTError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, (info.value.code, str(info.value))
    return info.value


def decode(token, key, algorithms, **kw):
    kw.setdefault("now", NOW)
    return cjwt.decode(token, key, algorithms=algorithms, **kw)


def with_signature(token, sig):
    return token.rsplit(".", 1)[0] + "." + b64url(sig)


def signature(token):
    import base64
    s = token.rsplit(".", 1)[1]
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
