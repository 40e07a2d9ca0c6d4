"""examples/pyjwt_app.py, a program written for PyJWT, runs unchanged with
cjwt in PyJWT's place (aliased as `jwt`, and with its import line rewritten to
`import cjwt as jwt`), and prints exactly what it prints under PyJWT."""
import os
import subprocess
import sys

import pytest

from conftest import PACKAGE_PATH, ROOT

APP = os.path.join(ROOT, "examples", "pyjwt_app.py")
ALIASED = ("import sys, runpy, cjwt; sys.modules['jwt'] = cjwt; "
           "runpy.run_path(sys.argv[1], run_name='__main__')")


def run(args, env_path):
    env = dict(os.environ, PYTHONPATH=env_path)
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_runs_with_cjwt_as_jwt(tmp_path):
    py = PACKAGE_PATH
    out = run(["-c", ALIASED, APP], py)
    assert "jwks: rsa-1 from-idp" in out and "refused: ExpiredSignatureError True" in out
    rewritten = tmp_path / "app_cjwt.py"
    source = open(APP).read()
    assert source.count("\nimport jwt\n") == 1
    rewritten.write_text(source.replace("\nimport jwt\n", "\nimport cjwt as jwt\n"))
    assert run([str(rewritten)], py) == out
    pytest.importorskip("jwt")
    assert run([APP], "") == out         # the same lines under PyJWT itself
