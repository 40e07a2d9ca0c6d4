#!/usr/bin/env bash
# make test-pyversions: the package on every other CPython it declares (requires-python
# >=3.11: 3.12, 3.13, ...) that this machine has. For each interpreter: a fresh venv with
# the test tools from PyPI, a wheel built from the sdist `make wheel` made, installed, and
# tests/python run against it (the in-tree and source-build files left out, as in
# tests/wheel/run.sh). Interpreters: $PYTHONS if set, else python3.12..python3.14 on PATH
# and pyenv's 3.12+ versions. None found (Debian 12 has 3.11 only) is not a failure: the
# main suite covers 3.11.
set -euo pipefail
cd "$(dirname "$0")/../.."
sdist=(build/wheel/dist/pycjwt-*.tar.gz)
[ -f "${sdist[0]}" ] || { echo "no sdist in build/wheel/dist (make wheel)"; exit 1; }
SDIST=$(realpath "${sdist[0]}")

if [ -z "${PYTHONS:-}" ]; then
  PYTHONS=""
  for v in 3.12 3.13 3.14; do
    p=$(command -v "python$v" 2>/dev/null) && "$p" -c 'import sys' 2>/dev/null && PYTHONS+=" $p"
  done
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/3.1[2-9]*/bin/python3; do [ -x "$p" ] && PYTHONS+=" $p"; done
  fi
fi
[ -n "${PYTHONS// }" ] || { echo "test-pyversions: no CPython other than the default found; skipped"; exit 0; }

declare -A seen
rc=0
for py in $PYTHONS; do
  ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  major_minor=${ver%.*}
  [ -z "${seen[$major_minor]:-}" ] || continue
  seen[$major_minor]=1
  out=build/pyversions/$ver
  rm -rf "$out" && mkdir -p "$out"
  echo "== CPython $ver ($py)"
  "$py" -m venv "$out/venv"
  "$out/venv/bin/python" -m pip install -q pytest pyjwt cryptography redis
  "$out/venv/bin/python" -m pip wheel -q --no-deps -w "$out/wheel" "$SDIST"
  "$out/venv/bin/python" -m pip install -q --no-deps "$out"/wheel/*.whl
  CJWT_TEST_INSTALLED=1 "$out/venv/bin/python" -m pytest -q -p no:cacheprovider tests/python \
    --ignore tests/python/test_cross_language.py --ignore tests/python/test_install.py \
    --ignore tests/python/test_packaging.py || rc=1
done
exit $rc
