"""`pip install .` into a fresh virtual environment builds the extension from
the sources and works: import, version, type stubs shipped, a token verified.
Slow (~30 s: a venv, a build with isolation from PyPI); part of `make test`.
The sources are copied first so the build leaves nothing in the work tree."""
import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

import cjwt

ROOT = pathlib.Path(__file__).resolve().parents[2]
PKG = ROOT / "python" / "cjwt"

SMOKE = r"""
import sys, cjwt, pathlib
assert cjwt.__version__ == sys.argv[1], cjwt.__version__
assert "site-packages" in cjwt.__file__, cjwt.__file__
here = pathlib.Path(cjwt.__file__).parent
assert (here / "py.typed").exists() and (here / "__init__.pyi").exists()
key = cjwt.Key.generate("ES256", kid="k")
token = cjwt.encode({"sub": "venv"}, key, headers={"kid": "k"}, expires_in=60, now=1_700_000_000)
ks = cjwt.KeySet.from_jwks({"keys": [key.to_jwk()]})
assert cjwt.decode(token, ks, algorithms=["ES256"], now=1_700_000_001)["sub"] == "venv"
try:
    cjwt.decode(token, ks, algorithms=["ES256"], now=1_700_000_100)
except cjwt.ExpiredSignatureError as e:
    assert e.code == "expired"
else:
    raise SystemExit("expired token accepted")
print("ok")
"""


@pytest.mark.slow
def test_pip_install_in_fresh_venv(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "setup.py", src)
    shutil.copytree(ROOT / "csrc", src / "csrc")
    shutil.copytree(ROOT / "third_party", src / "third_party")
    shutil.copytree(ROOT / "python", src / "python",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    proc = subprocess.run([str(py), "-m", "pip", "install", "-q", str(src)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([str(py), "-c", SMOKE, cjwt.__version__], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr


def test_stubs_cover_the_public_api():
    tree = ast.parse((PKG / "__init__.pyi").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    missing = [n for n in cjwt.__all__ if n not in names]
    assert missing == []
    key_methods = {n.name for c in tree.body if isinstance(c, ast.ClassDef) and c.name == "Key"
                   for n in c.body if isinstance(n, ast.FunctionDef)}
    assert {m for m in dir(cjwt.Key) if not m.startswith("_")} <= key_methods
    assert (PKG / "py.typed").exists()


def test_version():
    assert cjwt.__version__ == cjwt.CORE_VERSION
    assert f'version="{cjwt.__version__}"' in (ROOT / "setup.py").read_text()
