#!/usr/bin/env bash
# Installs the build and test dependencies (Debian packages and PyPI test
# packages). Idempotent: does nothing when everything is already there.
set -euo pipefail

DEB_PACKAGES=(
  build-essential pkg-config openssl curl python3-venv   # openssl CLI: test keys; venv: the install test
  groff-base man-db                                      # the man page check (tests/cli/test_manpage.py)
  libssl-dev libjansson-dev
  libsodium-dev                   # Ed25519 through libsodium (optional at build time; make test builds both)
  zlib1g-dev                       # JWE "zip": "DEF" (csrc/jwe.c)
  lua5.4 liblua5.4-dev
  luajit2 libluajit2-5.1-dev      # OpenResty's LuaJIT branch (nginx's Lua module wants it)
  lua-busted lua-cjson luarocks lua-socket   # lua-socket: threat tests listen on 127.0.0.1
  valgrind clang-14 libclang-rt-14-dev   # clang + libFuzzer runtime: make fuzz, fuzz-smoke
  nginx libnginx-mod-http-lua lua-resty-core   # tests/nginx: cjwt.gateway in a real nginx
  redis-server python3-redis wrk               # make demo: denylist store, RedisStore client, load run
  lua-nginx-redis                              # cjwt.gateway's denylist (resty.redis, as nginx.redis)
  chromium libnss3-tools   # tests/browser: headless chromium; certutil: its trust in the demo's CA
  redis-sentinel                               # replica tests: a Sentinel failover on loopback
)
# PyPI name:import name. pyjwt/cryptography: differential and interop tests;
# redis: RedisStore tests and the demo.
# joserfc, jwcrypto: the JWE interop matrix (tests/interop/jwe_matrix.py), pinned.
# mypy: make test-types (mypy --strict, stubtest).
# playwright: drives Debian's chromium in tests/browser (never `playwright
# install`: the browser is Debian's).
PY_PACKAGES=(pytest:pytest pyjwt:jwt cryptography:cryptography redis:redis mypy:mypy playwright:playwright
             joserfc==1.6.5:joserfc jwcrypto==1.6.1:jwcrypto)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
want=()
for p in "${PY_PACKAGES[@]}"; do
  "$PYTHON" -c "import ${p#*:}" 2>/dev/null || want+=("${p%%:*}")
done
# pyproject.toml's PEP 639 licence fields need setuptools >= 77 for the in-place build
# (`make python`: setup.py build_ext); pip/build use the pinned backend in isolation.
"$PYTHON" -c 'import setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 77)' \
  2>/dev/null || want+=("setuptools>=77")
if [ ${#want[@]} -gt 0 ]; then
  echo "installing Python packages for $PYTHON: ${want[*]}"
  # A Debian system Python refuses installs outside a venv (PEP 668); these are
  # test-only packages for the user running the tests, so allow them there.
  "$PYTHON" -m pip install -q "${want[@]}" 2>/dev/null ||
    "$PYTHON" -m pip install -q --break-system-packages "${want[@]}"
fi
