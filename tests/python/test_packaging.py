"""Packaging stays in step with the core: every csrc/*.c is built by the rockspec too
(setup.py and the Makefile glob the directory; the rockspec must list files)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_rockspec_lists_every_core_source():
    rockspec = (ROOT / "cjwt-scm-1.rockspec").read_text()
    listed = set(re.findall(r'"(csrc/[^"]+\.c)"', rockspec))
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "csrc").glob("*.c")}
    assert listed == on_disk


def test_jsmn_is_vendored_unchanged():
    """third_party/jsmn/jsmn.h is upstream v1.1.0 byte for byte (PROVENANCE.md names the
    checksum), and no build asks the system for jsmn any more."""
    import hashlib

    header = ROOT / "third_party" / "jsmn" / "jsmn.h"
    digest = hashlib.sha256(header.read_bytes()).hexdigest()
    assert digest in (ROOT / "third_party" / "jsmn" / "PROVENANCE.md").read_text()
    assert (ROOT / "third_party" / "jsmn" / "LICENSE").read_text().startswith("Copyright (c) 2010")
    for rockspec in ROOT.glob("*.rockspec"):
        text = rockspec.read_text()
        assert "JSMN" not in text and '"third_party/jsmn"' in text, rockspec.name
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
