"""Every code example in README.md and docs/*.md runs (docs/cli.md has its own
runner, tests/cli/test_docs_cli.py). `make test-docs` runs this file.

Conventions (the fence's info string: a language, then optional words):

- ```python: the blocks of one file run in order in one namespace, so a block
  may use names an earlier block of the same file defined. Run with the
  package under test on PYTHONPATH.
- ```python pyjwt: a PyJWT example (docs/migrating.md). Runs in its own
  namespace per file, in order, against the real PyJWT when it is installed
  (skipped otherwise). It must not use cjwt.
- ```lua: each block runs on its own, on Lua 5.4 and on LuaJIT (build/lua5.4,
  build/luajit), preceded by the file's ```lua prelude blocks (the shared
  setup a page shows once, near its top; a prelude runs as a test itself).
- ```python no-run / ```lua no-run: code of a peer library that cannot run
  here (lua-resty-jwt). Never executed; the block must not mention cjwt, so
  no cjwt example can hide behind the marker.
- ```c: a complete program (has `int main`), compiled against the core
  (build/libcjwt.a) and run; it must exit 0.
- ```sh, ```text, ```nginx, ```json, ```yaml: shown, not executed (nginx
  configurations run in tests/nginx; commands in make).

Examples must be deterministic (a fixed `now`) and need no network: a JWKS
example serves its set from a local http.server it starts itself.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import textwrap
import traceback

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCS = ["README.md"] + sorted(
    os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md"))
    if os.path.basename(p) != "cli.md")
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
SHOWN = {"sh", "text", "nginx", "json", "yaml", "console", "diff", ""}
LUAS = {"lua5.4": "build/lua5.4", "luajit": "build/luajit"}


class Block:
    def __init__(self, path, line, lang, words, body):
        self.path, self.line, self.lang, self.words, self.body = path, line, lang, words, body

    def where(self):
        return f"{self.path}:{self.line}"


def blocks(path):
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    out = []
    for m in FENCE.finditer(text):
        info = m.group(1).split()
        lang, words = (info[0], set(info[1:])) if info else ("", set())
        line = text.count("\n", 0, m.start()) + 2          # first line of the body
        out.append(Block(path, line, lang, words, m.group(2)))
    return out


def all_blocks():
    return [b for path in DOCS for b in blocks(path)]


def test_every_fence_is_known():
    """A typo in a fence (```pyhton) would silently stop an example running."""
    known = SHOWN | {"python", "lua", "c"}
    allowed_words = {"python": {"no-run", "pyjwt"}, "lua": {"no-run", "prelude"}}
    for b in all_blocks():
        assert b.lang in known, f"{b.where()}: unknown fence language {b.lang!r}"
        assert b.words <= allowed_words.get(b.lang, set()), \
            f"{b.where()}: unknown fence words {sorted(b.words)}"
        if "no-run" in b.words or "pyjwt" in b.words:
            assert "cjwt" not in b.body, \
                f"{b.where()}: a {sorted(b.words)} block must show a peer library only"
        if b.lang == "c":
            assert "int main" in b.body, f"{b.where()}: a c block must be a whole program"


# ---- Python -------------------------------------------------------------------

def _exec_blocks(path, selected):
    namespace = {"__name__": "__docs__"}
    for b in selected:
        code = compile("\n" * (b.line - 1) + b.body, os.path.join(ROOT, b.path), "exec")
        try:
            exec(code, namespace)
        except Exception:
            pytest.fail(f"example at {b.where()} failed:\n{textwrap.indent(b.body, '    ')}\n"
                        f"{traceback.format_exc()}", pytrace=False)
    return len(selected)


@pytest.mark.parametrize("path", DOCS)
def test_python_examples(path, monkeypatch):
    selected = [b for b in blocks(path) if b.lang == "python" and not b.words]
    if not selected:
        pytest.skip("no python examples")
    monkeypatch.chdir(ROOT)
    for mod in [m for m in sys.modules if m == "jwt" or m.startswith("jwt.")]:
        monkeypatch.delitem(sys.modules, mod)      # a cjwt block never gets PyJWT by accident
    _exec_blocks(path, selected)


@pytest.mark.parametrize("path", DOCS)
def test_pyjwt_examples(path, monkeypatch):
    selected = [b for b in blocks(path) if b.lang == "python" and "pyjwt" in b.words]
    if not selected:
        pytest.skip("no PyJWT examples")
    pytest.importorskip("jwt")
    import jwt
    assert not hasattr(jwt, "Key"), "`jwt` must be PyJWT here, not cjwt"
    monkeypatch.chdir(ROOT)
    _exec_blocks(path, selected)


# ---- Lua ----------------------------------------------------------------------

# Runs each block as its own chunk named after its doc, its lines numbered as
# in the doc (the prelude sits in the padding above the block), and reports
# every failure.
LUA_DRIVER = r"""
local blocks = ...
local failed = 0
for _, b in ipairs(blocks) do
  local fn, err = load(b.src, "=" .. b.path)
  local ok = fn ~= nil
  if fn then
    ok, err = xpcall(fn, function(e) return debug.traceback(tostring(e), 2) end)
  end
  if not ok then
    failed = failed + 1
    io.stderr:write("FAILED example at ", b.path, ":", b.line, "\n", tostring(err), "\n\n")
  end
end
io.stdout:write("ran ", #blocks, " blocks, ", failed, " failed\n")
os.exit(failed == 0 and 0 or 1)
"""


def _lua_long_string(s):
    level = 0
    while f"]{'=' * level}]" in s:
        level += 1
    eq = "=" * level
    return f"[{eq}[\n{s}]{eq}]"


def lua_script(path):
    bs = [b for b in blocks(path) if b.lang == "lua" and "no-run" not in b.words]
    preludes = [b for b in bs if "prelude" in b.words]
    assert len(preludes) <= 1, f"{path}: one ```lua prelude block at most"
    prelude = preludes[0].body if preludes else ""
    items = []
    for b in bs:
        head = "" if b in preludes else prelude
        pad = b.line - 1 - head.count("\n")
        assert pad >= 0, f"{b.where()}: the prelude must come before the examples"
        src = head + "\n" * pad + b.body
        items.append(f"{{ path = {b.path!r}, line = {b.line}, src = {_lua_long_string(src)} }}")
    joined = ",\n".join(items)
    script = (f"local blocks = {{\n{joined}\n}}\n"
              f"local f = assert(load({_lua_long_string(LUA_DRIVER)}, '=driver'))\n"
              f"f(blocks)\n")
    return script, len(bs)


@pytest.mark.parametrize("lua", sorted(LUAS))
@pytest.mark.parametrize("path", DOCS)
def test_lua_examples(path, lua, tmp_path):
    script, n = lua_script(path)
    if not n:
        pytest.skip("no lua examples")
    exe = shutil.which(lua)
    if not exe:
        pytest.fail(f"{lua} is not installed (make deps)")
    cpath = os.path.join(ROOT, LUAS[lua])
    assert os.path.exists(os.path.join(cpath, "cjwt", "core.so")), "run make lua first"
    f = tmp_path / "docs_examples.lua"
    f.write_text(script, encoding="utf-8")
    env = dict(os.environ, LUA_PATH="lua/?.lua;lua/?/init.lua;;",
               LUA_CPATH=os.path.join(cpath, "?.so") + ";;")
    p = subprocess.run([exe, str(f)], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, f"{lua}: {p.stdout}\n{p.stderr}"
    assert f"ran {n} blocks, 0 failed" in p.stdout


# ---- C ------------------------------------------------------------------------

@pytest.mark.parametrize("path", DOCS)
def test_c_examples(path, tmp_path):
    selected = [b for b in blocks(path) if b.lang == "c"]
    if not selected:
        pytest.skip("no C examples")
    lib = os.path.join(ROOT, "build", "libcjwt.a")
    assert os.path.exists(lib), "run make core first"
    libs = subprocess.run(["pkg-config", "--libs", "jansson", "libcrypto", "zlib"], capture_output=True,
                          text=True).stdout.split() or ["-ljansson", "-lcrypto", "-lz"]
    # the Makefile builds the core with libsodium (Ed25519) when pkg-config finds it
    if subprocess.run(["pkg-config", "--exists", "libsodium"]).returncode == 0:
        libs.append("-lsodium")
    for i, b in enumerate(selected):
        src, exe = tmp_path / f"ex{i}.c", tmp_path / f"ex{i}"
        src.write_text(f'#line {b.line} "{b.path}"\n' + b.body, encoding="utf-8")
        c = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-I", os.path.join(ROOT, "csrc"),
                            "-o", str(exe), str(src), lib, *libs, "-lm"],
                           capture_output=True, text=True)
        assert c.returncode == 0, f"{b.where()} does not compile:\n{c.stderr}"
        r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, f"{b.where()} exited {r.returncode}:\n{r.stdout}{r.stderr}"


def test_reference_pages_have_examples():
    """The API references stay example-driven (and the counts are reported)."""
    counts = {}
    for path in DOCS:
        for b in blocks(path):
            if (b.lang == "python" and not b.words) or (b.lang == "lua" and "no-run" not in b.words) \
                    or b.lang == "c":
                counts[(path, b.lang)] = counts.get((path, b.lang), 0) + 1
    for path, lang in [("README.md", "python"), ("README.md", "lua")]:
        assert counts.get((path, lang), 0) >= 1, f"{path} has no {lang} example"
    for path, lang in [("docs/python.md", "python"), ("docs/lua.md", "lua")]:
        if os.path.exists(os.path.join(ROOT, path)):
            assert counts.get((path, lang), 0) >= 20, f"{path}: too few {lang} examples"
    print("executed examples:", {f"{p} {l}": n for (p, l), n in sorted(counts.items())})


def test_relative_links_resolve():
    """README is the front door: every relative link in it and in docs/ leads somewhere."""
    link = re.compile(r"\]\(([^)\s]+)\)")
    pages = DOCS + ["docs/cli.md"]
    for path in pages:
        text = FENCE.sub("", open(os.path.join(ROOT, path), encoding="utf-8").read())
        for target in link.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file = target.split("#", 1)[0]
            resolved = os.path.normpath(os.path.join(ROOT, os.path.dirname(path), file))
            assert os.path.exists(resolved), f"{path}: broken link {target}"
