"""docs/cli.md runs: its `sh` blocks, in order, in one shell in a scratch directory,
with the command under test (CJWT_BIN) on PATH as `cjwt`. A `text` block right
after an `sh` block is output the block must print (each line, in the merged
stdout and stderr)."""
import os
import re
import subprocess

from test_cli import BIN, ROOT

DOC = os.path.join(ROOT, "docs", "cli.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)


def blocks():
    text = open(DOC).read()
    out, prev_end, prev_lang = [], None, None
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        follows_sh = prev_lang == "sh" and text[prev_end:m.start()].strip() == ""
        out.append((lang, body, follows_sh))
        prev_end, prev_lang = m.end(), lang
    return out


def test_docs_examples_run(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(BIN, bindir / "cjwt")
    work = tmp_path / "work"
    work.mkdir()
    script = "set -euo pipefail\n" + "\n".join(b for lang, b, _ in blocks() if lang == "sh")
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
    env.pop("API_SECRET", None)
    p = subprocess.run(["bash", "-c", script], cwd=work, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 0, out
    assert "Sanitizer" not in out and "runtime error" not in out, out
    expected = [b for lang, b, follows in blocks() if lang == "text" and follows]
    assert len(expected) >= 3
    for body in expected:
        for line in body.splitlines():
            assert line in out, f"documented output line not printed: {line!r}\n{out}"


def test_docs_exit_table_matches_the_command():
    table = dict(re.findall(r"^\| (\d+) \| (\w+)", open(DOC).read(), re.M))
    out = subprocess.run([BIN, "exit-codes"], capture_output=True, text=True).stdout
    rows = dict(re.findall(r"^\s*(\d+)\s+(\w+)", out, re.M))
    assert table == rows
