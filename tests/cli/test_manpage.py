"""The manual page docs/cjwt.1: renders without a warning, documents every subcommand,
option and exit status the command has (read from the command's own --help), its
examples run, and `make install` installs it. Part of `make test-cli`."""
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("CJWT_BIN", "build/cjwt")))
PAGE = os.path.join(ROOT, "docs", "cjwt.1")
SOURCE = open(PAGE, encoding="utf-8").read()
ENV = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="100")


def cjwt(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30)


def subcommands():
    """(name, summary) from `cjwt --help`, e.g. "  encode      sign claims into a JWT"."""
    out = cjwt("--help")
    text = out.stdout + out.stderr
    found = re.findall(r"^  ([a-z][a-z-]*)  +\S", text, re.M)
    assert len(found) >= 6, text
    return found


def plain(roff):
    """roff source as text: \\- is a hyphen, font escapes go."""
    return re.sub(r"\\f[BIRP]|\\c", "", roff.replace("\\-", "-"))


def section(name):
    m = re.search(r'^\.SS "' + re.escape(name.replace("-", "\\-")) + r'\b(.*?)(?=^\.S[SH] )',
                  SOURCE, re.M | re.S)
    assert m, f"no .SS section for `cjwt {name}`"
    return plain(m.group(0))


def test_renders_without_warnings():
    proc = subprocess.run(["groff", "-t", "-man", "-Tutf8", "-ww", "-z", PAGE],
                          capture_output=True, text=True, env=ENV, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    if shutil.which("man"):
        proc = subprocess.run(["man", "-l", PAGE], capture_output=True, text=True, env=ENV,
                              timeout=60)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert "EXIT STATUS" in proc.stdout and "unavailable" in proc.stdout


def test_every_subcommand_is_documented():
    synopsis = plain(SOURCE.split(".SH SYNOPSIS", 1)[1].split(".SH DESCRIPTION", 1)[0])
    for name in subcommands():
        assert re.search(r"^\.B " + re.escape(name) + "$", synopsis, re.M), \
            f"`cjwt {name}` missing from SYNOPSIS"
        section(name)


@pytest.mark.parametrize("name", ["encode", "decode", "verify", "keygen", "jwks", "encrypt",
                                  "decrypt"])
def test_every_option_is_documented(name):
    assert name in subcommands()
    out = cjwt(name, "--help")
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", out.stdout + out.stderr))
    options.discard("--help")
    assert options, out
    missing = sorted(o for o in options if o not in section(name))
    assert missing == [], f"`cjwt {name}` options not in the man page: {missing}"


def test_exit_statuses_match_the_command():
    out = cjwt("exit-codes").stdout
    command = re.findall(r"^\s*(\d+)\s+(\S+)", out, re.M)
    table = SOURCE.split(".TS", 1)[1].split(".TE", 1)[0]
    page = re.findall(r"^(\d+)\|(\S+)", table, re.M)
    assert command and page == command


def test_version_matches():
    version = cjwt("version").stdout.split()[-1]
    assert f'"cjwt {version}"' in SOURCE.splitlines()[4], SOURCE.splitlines()[4]


def test_examples_run(tmp_path):
    blocks = re.findall(r"^\.EX\n(.*?)^\.EE", SOURCE, re.M | re.S)
    assert len(blocks) >= 2
    script = "set -euo pipefail\n" + "\n".join(
        plain(b).replace("\\(aq", "'") for b in blocks)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(BIN, bindir / "cjwt")
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, script + proc.stdout + proc.stderr
    assert '"sub":"user-123"' in proc.stdout.replace(" ", "")


def test_make_install_installs_the_page(tmp_path):
    proc = subprocess.run(["make", "-s", "install", f"DESTDIR={tmp_path}", "PREFIX=/usr"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = tmp_path / "usr" / "share" / "man" / "man1" / "cjwt.1"
    assert page.read_text(encoding="utf-8") == SOURCE
    assert os.access(tmp_path / "usr" / "bin" / "cjwt", os.X_OK)
