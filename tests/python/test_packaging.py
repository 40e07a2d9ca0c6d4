"""Packaging stays in step with the core: the rock is built by the Makefile's `rock`
target (both rockspecs use LuaRocks' make backend), which must compile every csrc/*.c
and luaext/*.c; setup.py globs the same directories. Nothing is vendored: the JSON
reader is the core's own (csrc/json_read.c), and jsmn, which it used before, is only a
test oracle now (tests/fuzz/reference/)."""
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _rock_command():
    out = subprocess.run(["make", "-n", "-C", str(ROOT), "rock", "LIBFLAG=-shared",
                          "LUA_INCDIR=/usr/include/lua5.4"], capture_output=True, text=True,
                         check=True).stdout
    return out.replace("\\\n", " ")


def test_rockspecs_build_through_the_makefile():
    for rockspec in ROOT.glob("*.rockspec"):
        text = rockspec.read_text()
        assert re.search(r'type\s*=\s*"make"', text), rockspec.name
        assert re.search(r'build_target\s*=\s*"rock"', text), rockspec.name
        assert re.search(r'install_target\s*=\s*"rock-install"', text), rockspec.name


def test_rock_compiles_every_core_and_binding_source():
    words = set(_rock_command().split())
    on_disk = {str(p.relative_to(ROOT)) for d in ("csrc", "luaext") for p in (ROOT / d).glob("*.c")}
    assert on_disk and on_disk <= words, sorted(on_disk - words)
    assert not any("jsmn" in w or "third_party" in w for w in words), sorted(words)


def test_no_build_uses_jsmn():
    """jsmn left the build (the one-pass reader replaced it): no build file, no core
    source, no packaging list names it, and json_read.c compiles with no header beyond
    the core's own and the system's. Its copy, kept as the differential fuzzer's
    reference, is there unchanged (PROVENANCE.md names the checksum)."""
    import hashlib
    import shlex

    assert not (ROOT / "third_party").exists()
    for name in ("Makefile", "setup.py", "MANIFEST.in", "pyproject.toml",
                 *(p.name for p in ROOT.glob("*.rockspec"))):
        assert "jsmn" not in (ROOT / name).read_text().lower(), name
        assert "third_party" not in (ROOT / name).read_text(), name
    for src in (ROOT / "csrc").glob("*.[ch]"):
        assert "jsmn.h" not in src.read_text(), src.name
    ref = ROOT / "tests" / "fuzz" / "reference"
    digest = hashlib.sha256((ref / "jsmn.h").read_bytes()).hexdigest()
    assert digest in (ref / "PROVENANCE.md").read_text()
    assert (ref / "LICENSE").read_text().startswith("Copyright (c) 2010")
    out = subprocess.run(["make", "-s", "-n", "-B", "build/obj/json_read.o"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if "json_read.c" in l and " -c " in l)
    assert "jsmn" not in line and "third_party" not in line, line
