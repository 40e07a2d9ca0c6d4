"""Shared helpers for the Python binding tests.

Tokens with odd headers or payloads are built with the standard library
(tokenlib.py: hmac/hashlib/base64), independently of cjwt, so a test never
relies on the code under test to produce its own hostile input.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenlib import b64url, segment  # noqa: E402,F401 (imported from here by the tests)
from tokenlib import make_token as _make_token  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The in-tree package (python/cjwt, built with `make python`) unless the suite runs
# against an installed copy (make test-wheel sets CJWT_TEST_INSTALLED=1).
INSTALLED = os.environ.get("CJWT_TEST_INSTALLED") == "1"
# What a child Python process must put first on sys.path to import the same cjwt
# ("" when the installed one is under test).
PACKAGE_PATH = "" if INSTALLED else os.path.join(ROOT, "python")
if not INSTALLED:
    sys.path.insert(0, os.path.join(ROOT, "python"))
else:
    import cjwt as _cjwt_under_test

    assert not _cjwt_under_test.__file__.startswith(os.path.join(ROOT, "python")), \
        f"CJWT_TEST_INSTALLED=1 but cjwt comes from the source tree: {_cjwt_under_test.__file__}"

NOW = 1_700_000_000          # the fixed clock every test validates at
SECRET = "k" * 64            # long enough for HS512
SECRETS = {"HS256": "a" * 32, "HS384": "b" * 48, "HS512": "c" * 64}


def make_token(header, payload, secret=SECRET, alg="HS256"):
    """An HMAC-signed compact JWS over arbitrary header/payload JSON."""
    return _make_token(header, payload, secret, alg)


def pytest_configure(config):
    # Slow tests still run in `make test`; `-m "not slow"` skips them locally.
    config.addinivalue_line("markers", "slow: takes tens of seconds (e.g. pip install into a venv)")


def run_in_subinterpreter(code, isolated=False):
    """Runs `code` in a new subinterpreter with this cjwt on its sys.path and
    returns what the code wrote as JSON to the file named by OUT (a name the
    code finds defined). isolated=False: a legacy one sharing the GIL
    (`_xxsubinterpreters`, 3.11/3.12); True: one with its own GIL
    (`_interpreters`, 3.13+). Skips when this Python has no such module."""
    import json
    import tempfile

    import pytest

    interpreters = pytest.importorskip("_interpreters" if isolated else "_xxsubinterpreters")
    path = PACKAGE_PATH or os.path.dirname(os.path.dirname(sys.modules["cjwt"].__file__))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        prelude = f"import sys\nsys.path.insert(0, {path!r})\nOUT = {out!r}\n"
        interp = interpreters.create() if isolated else interpreters.create(isolated=False)
        try:
            if isolated:       # 3.13's exec returns the failure (None when it ran)
                failure = interpreters.exec(interp, prelude + code)
                assert failure is None, failure
            else:              # run_string raises it in this interpreter
                interpreters.run_string(interp, prelude + code)
        finally:
            interpreters.destroy(interp)
        with open(out) as f:
            return json.load(f)
