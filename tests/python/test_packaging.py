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
