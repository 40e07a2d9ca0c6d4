"""Packaging stays in step with the core: the rock is built by the Makefile's `rock`
target (both rockspecs use LuaRocks' make backend), which must compile every csrc/*.c
and luaext/*.c with the vendored jsmn; setup.py globs the same directories."""
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
    assert "-Ithird_party/jsmn" in words


def test_jsmn_is_vendored_unchanged():
    """third_party/jsmn/jsmn.h is upstream v1.1.0 byte for byte (PROVENANCE.md names the
    checksum), and no build asks the system for jsmn any more."""
    import hashlib

    header = ROOT / "third_party" / "jsmn" / "jsmn.h"
    digest = hashlib.sha256(header.read_bytes()).hexdigest()
    assert digest in (ROOT / "third_party" / "jsmn" / "PROVENANCE.md").read_text()
    assert (ROOT / "third_party" / "jsmn" / "LICENSE").read_text().startswith("Copyright (c) 2010")
    for rockspec in ROOT.glob("*.rockspec"):
        assert "JSMN" not in rockspec.read_text(), rockspec.name   # no external jsmn
    assert '"third_party/jsmn"' in (ROOT / "setup.py").read_text()


def test_makefile_compiles_against_the_vendored_jsmn(tmp_path):
    """The Makefile's compile line for json_read.c resolves <jsmn.h> to the vendored
    copy, even on a machine where a system jsmn.h exists too (-MM lists the header used)."""
    import shlex
    import subprocess

    out = subprocess.run(["make", "-s", "-n", "-B", "build/obj/json_read.o"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if "json_read.c" in l and " -c " in l)
    argv = shlex.split(line)
    argv[argv.index("-o") + 1] = str(tmp_path / "deps")
    subprocess.run(argv + ["-MM"], cwd=ROOT, check=True)
    deps = (tmp_path / "deps").read_text()
    assert "third_party/jsmn/jsmn.h" in deps and "/usr/include/jsmn.h" not in deps, deps
