"""``import cjwt`` loads only what encode and decode need; the PyJWT-compatible
extras (``jwt.algorithms`` with ``cryptography``, the JWKS client with
``urllib``, the lifecycle helpers) are imported on first use (PEP 562) and
behave as before. Each check runs in a fresh interpreter, as an import can
only be observed once per process."""
import json
import os
import subprocess
import sys

import pytest

from conftest import NOW, PACKAGE_PATH

import cjwt

SUBMODULES = ["algorithms", "jwks_client", "jwk_set_cache", "lifecycle"]
LAZY = SUBMODULES[1:] + ["algorithms", "JWKSClient", "JWKSClientError", "PyJWKClient", "MemoryStore",
        "RedisStore", "TokenIssuer", "TokenPair", "refresh_cookie"]
# modules only the lazy parts need
HEAVY = ["cryptography", "urllib.request", "http.client", "dataclasses", "http.cookies",
         "cjwt.algorithms", "cjwt.jwks_client", "cjwt.lifecycle"]


def run(code):
    env = dict(os.environ)
    if PACKAGE_PATH:
        env["PYTHONPATH"] = PACKAGE_PATH + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_import_leaves_the_heavy_modules_out():
    loaded = run(f"""
import json, sys
import cjwt
key = cjwt.Key.from_secret(b"k" * 32)
token = cjwt.encode({{"sub": "a", "exp": {NOW} + 60}}, key, algorithm="HS256")
assert cjwt.decode(token, key, algorithms=["HS256"], now={NOW})["sub"] == "a"
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
""")
    assert loaded == []


@pytest.mark.parametrize("name", LAZY)
def test_each_lazy_name_resolves_from_a_fresh_import(name):
    out = run(f"""
import json, sys
import cjwt
value = getattr(cjwt, {name!r})
from cjwt import {name} as again
print(json.dumps({{"same": value is again, "module": getattr(value, "__module__", None) or
                  value.__name__, "in_dir": {name!r} in dir(cjwt)}}))
""")
    assert out["same"] and out["in_dir"]
    assert out["module"].startswith("cjwt.")


def test_lazy_names_are_the_submodules_objects():
    from cjwt import jwks_client, lifecycle
    import cjwt.algorithms as algorithms_module

    assert cjwt.algorithms is algorithms_module
    assert cjwt.PyJWKClient is jwks_client.PyJWKClient
    assert cjwt.JWKSClient is jwks_client.JWKSClient
    assert cjwt.TokenIssuer is lifecycle.TokenIssuer
    assert cjwt.refresh_cookie is lifecycle.refresh_cookie
    for name in LAZY:
        assert name in dir(cjwt)
        assert name in cjwt.__all__ or name in SUBMODULES   # submodules, as in PyJWT


def test_star_import_brings_every_public_name():
    names = run("""
import json
ns = {}
exec("from cjwt import *", ns)
import cjwt
print(json.dumps(sorted(n for n in cjwt.__all__ if n not in ns)))
""")
    assert names == []


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        cjwt.no_such_name
    assert not hasattr(cjwt, "_LAZY_nothing")


def test_pyjwt_entry_points_that_need_algorithms_load_them():
    out = run("""
import json, sys
import cjwt as jwt
alg = jwt.get_algorithm_by_name("HS256")
jws = jwt.PyJWS()
print(json.dumps({"alg": type(alg).__name__, "loaded": "cjwt.algorithms" in sys.modules,
                  "algs": sorted(jws.get_algorithms())[:3]}))
""")
    assert out["alg"] == "HMACAlgorithm" and out["loaded"]
    assert out["algs"]


def test_a_cryptography_key_object_still_works_as_a_key():
    crypto = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    private = crypto.generate_private_key(crypto.SECP256R1())
    token = cjwt.encode({"sub": "a"}, private, algorithm="ES256")
    assert cjwt.decode(token, private.public_key(), algorithms=["ES256"]) == {"sub": "a"}


def test_jwks_client_first_imported_inside_a_urlopen_patch_uses_the_patch():
    """PyJWT's documented way to test a JWKS client: ``mock.patch`` of
    ``urllib.request.urlopen``. The patch must get the call even when the
    client's module is first imported inside it (the lazy import above)."""
    out = run("""
import json
from unittest import mock
import cjwt as jwt
key = jwt.Key.generate("ES256", kid="k1")
response = mock.MagicMock()
response.__enter__.return_value.read.return_value = json.dumps({"keys": [key.to_jwk()]}).encode()
with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
    client = jwt.PyJWKClient("https://issuer.invalid/jwks.json")   # first import: here
    signing_key = client.get_signing_key_from_jwt(jwt.encode({"sub": "u"}, key))
from cjwt import jwks_client
print(json.dumps({"calls": urlopen.call_count, "kid": signing_key.key_id,
                  "replaced_after": jwks_client._urlopen_replaced()}))
""")
    assert out == {"calls": 1, "kid": "k1", "replaced_after": False}


def test_every_submodule_an_import_used_to_bind_is_an_attribute():
    """Before the lazy imports, ``import cjwt`` bound these submodules as
    attributes; code (and PyJWT-style tests: ``jwt.jwks_client.PyJWKClient``)
    may reach them so. Each resolves from a fresh import."""
    out = run(f"""
import json
import cjwt
print(json.dumps({{name: getattr(cjwt, name).__name__ for name in {SUBMODULES + ["utils", "api_jwk", "exceptions", "warnings"]!r}}}))
""")
    for name, module in out.items():
        assert module == "cjwt." + name
