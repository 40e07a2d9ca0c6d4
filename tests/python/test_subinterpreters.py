"""cjwt in subinterpreters. The extension keeps all its state per module
(heap types, caches, hooks) and the core is thread-safe, so it declares
support for subinterpreters with their own GIL (Py_mod_multiple_interpreters,
Python 3.12+): each interpreter gets its own module state.

Only sequential use is tested: on the CPythons this project is tested with
(3.12.1, 3.13.0), isolated interpreters running at the same time in threads
crash in the interpreter itself, without cjwt (`import datetime, re` is
enough), and 3.12.1's isolated interpreters crash even one after the other."""
import sys

import pytest

from conftest import NOW, run_in_subinterpreter

import cjwt

CODE = r"""
import json, sys
import cjwt
key = cjwt.Key.from_secret(b"k" * 32)
token = cjwt.encode({{"sub": "a", "n": {n}, "exp": {now} + 60}}, key, algorithm="HS256")
v = cjwt.Verifier(["HS256"], cache=16)
for _ in range(500):
    claims = v.decode(token, key, now={now})
try:
    cjwt.decode(token, b"x" * 32, algorithms=["HS256"], now={now})
    err = None
except cjwt.InvalidSignatureError as e:        # the module's own exception classes
    err = [e.code, type(e).__module__]
ek = cjwt.Key.generate("ES256")
es = cjwt.decode(cjwt.encode({{"sub": "e"}}, ek, algorithm="ES256"), ek, algorithms=["ES256"])
with open(OUT, "w") as f:
    json.dump({{"claims": claims, "err": err, "es": es, "hits": v.cache_info().hits,
               "cryptography": "cryptography" in sys.modules}}, f)
"""


def test_legacy_subinterpreter_imports_cjwt_with_cryptography_installed():
    """cryptography (a PyO3 module) refuses subinterpreters; ``import cjwt``
    does not load it (tests/python/test_lazy_import.py), so cjwt works there
    without hiding it."""
    assert run_in_subinterpreter(CODE.format(n=7, now=NOW)) == {
        "claims": {"sub": "a", "n": 7, "exp": NOW + 60}, "err": ["bad_signature", "cjwt.exceptions"],
        "es": {"sub": "e"}, "hits": 499, "cryptography": False}


@pytest.mark.skipif(sys.version_info < (3, 13), reason="3.12.1's isolated interpreters crash "
                    "without cjwt; _interpreters is 3.13's")
def test_isolated_subinterpreters_one_after_another():
    for n in range(3):
        assert run_in_subinterpreter(CODE.format(n=n, now=NOW), isolated=True) == {
            "claims": {"sub": "a", "n": n, "exp": NOW + 60},
            "err": ["bad_signature", "cjwt.exceptions"], "es": {"sub": "e"}, "hits": 499,
            "cryptography": False}
    # the main interpreter's module is untouched
    key = cjwt.Key.from_secret(b"k" * 32)
    token = cjwt.encode({"sub": "main"}, key, algorithm="HS256")
    assert cjwt.decode(token, key, algorithms=["HS256"]) == {"sub": "main"}
