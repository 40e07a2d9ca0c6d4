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
import importlib.metadata as md
assert md.version("pycjwt") == cjwt.__version__
assert "Typing :: Typed" in md.metadata("pycjwt").get_all("Classifier")
assert md.metadata("pycjwt")["License-Expression"] == "MIT"
assert not md.entry_points(group="console_scripts").select(name="cjwt")   # installs no command
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
    for name in ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src)
    shutil.copytree(ROOT / "csrc", src / "csrc")   # nothing vendored: csrc/ is the whole core
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
    ext = ast.parse((PKG / "_cjwt.pyi").read_text())     # Key is the extension's type
    key_methods = {n.name for c in ext.body if isinstance(c, ast.ClassDef) and c.name == "Key"
                   for n in c.body if isinstance(n, ast.FunctionDef)}
    assert {m for m in dir(cjwt.Key) if not m.startswith("_")} <= key_methods
    assert (PKG / "py.typed").exists()


def test_version():
    """One version: CJWT_VERSION in cjwt.h, which setup.py reads for the package."""
    assert cjwt.__version__ == cjwt.CORE_VERSION
    assert f'#define CJWT_VERSION "{cjwt.__version__}"' in (ROOT / "csrc" / "cjwt.h").read_text()
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()


def test_pyproject_metadata():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["name"] == "pycjwt"                 # `cjwt` on PyPI is another project
    assert project["requires-python"] == ">=3.11"      # PyType_GetModuleByDef
    assert project["license"] == "MIT" and "LICENSE" in project["license-files"]
    assert "Typing :: Typed" in project["classifiers"]
    assert "scripts" not in project and "entry-points" not in project
    assert all("==" in r for r in meta["build-system"]["requires"])   # pinned backend


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_missing_system_header_is_named_before_compiling(tmp_path):
    """With jansson.h hidden (an empty file bind-mounted over it in a private mount
    namespace), the build stops at once and names the package to install."""
    import os

    if os.geteuid() != 0:
        pytest.skip("needs root for a mount namespace")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src)
    shutil.copytree(ROOT / "csrc", src / "csrc")
    shutil.copytree(ROOT / "python", src / "python",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__", "*.egg-info"))
    (tmp_path / "empty").write_text("")
    script = (f"mount --bind {tmp_path / 'empty'} /usr/include/jansson.h && "
              f"exec {sys.executable} setup.py build_ext -b out -t tmp")
    proc = subprocess.run(["unshare", "--mount", "sh", "-c", script], cwd=src,
                          capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "jansson headers" in out and "apt-get install libjansson-dev" in out, out
    assert "OpenSSL" not in out.split("not found by the C compiler")[-1], out   # found
    assert not list((src / "tmp").rglob("*.o")), "compiled core sources before checking"
