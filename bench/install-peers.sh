#!/usr/bin/env bash
# Installs what `make bench` compares cjwt against. Idempotent: each step is
# skipped when its result is already there. Never run by the test suite.
#
#   build/bench-venv/          PyJWT[crypto], jwcrypto, joserfc, matplotlib, redis
#                              (bench/revocation.py's RedisStore client), and
#                              pyjwt-rs (module `jwt_rs`). PyPI has only an sdist
#                              of pyjwt-rs, so it needs cargo and builds for
#                              ~8 minutes the first time (pip caches the wheel);
#                              BENCH_SKIP_PYJWT_RS=1 skips it.
#   build/bench/node/          jsonwebtoken, jose, fast-jwt (npm --prefix)
#   libjwt-dev                 Debian's libjwt (apt-get)
#   build/bench/resty/lib/     lua-resty-jwt + lua-resty-openssl/-string/-hmac,
#                              from BENCH_RESTY_SRC or luarocks.org (see below)
#
# Each step that fails leaves a line "name<TAB>reason" in
# build/bench/peers-status.tsv; the driver shows that reason as "n/a (...)".
# The script itself exits 0 unless nothing at all could be installed, so one
# unavailable peer never stops the benchmark.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
B=build
VENV=$B/bench-venv
NODE_DIR=$B/bench/node
STATUS=$B/bench/peers-status.tsv
mkdir -p $B/bench
: > "$STATUS"

fail() { printf '%s\t%s\n' "$1" "$2" >> "$STATUS"; echo "install-peers: $1: $2" >&2; }
ok()   { printf '%s\tok\n' "$1" >> "$STATUS"; }

# --- Python peers ----------------------------------------------------------
PY_PEERS=("pyjwt[crypto]:jwt" "jwcrypto:jwcrypto" "joserfc:joserfc" "matplotlib:matplotlib" "redis:redis")
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" || fail venv "python -m venv failed"
fi
if [ -x "$VENV/bin/python" ]; then
  for spec in "${PY_PEERS[@]}"; do
    pkg=${spec%%:*}; mod=${spec##*:}
    name=${pkg%%[*}
    if "$VENV/bin/python" -c "import $mod" 2>/dev/null; then ok "$name"; continue; fi
    echo "install-peers: pip install $pkg"
    if "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$pkg" \
         > "$B/bench/pip-$name.log" 2>&1; then ok "$name"
    else fail "$name" "pip install failed: $(tail -1 "$B/bench/pip-$name.log" | cut -c1-80)"; fi
  done
fi

# pyjwt-rs: sdist only (maturin + cargo); it installs the module `jwt_rs`.
if [ "${BENCH_SKIP_PYJWT_RS:-0}" = 1 ]; then
  fail pyjwt-rs "skipped (BENCH_SKIP_PYJWT_RS=1)"
elif [ ! -x "$VENV/bin/python" ]; then
  fail pyjwt-rs "no bench venv"
elif "$VENV/bin/python" -c "import jwt_rs" 2>/dev/null; then
  ok pyjwt-rs
elif ! command -v cargo >/dev/null 2>&1; then
  fail pyjwt-rs "PyPI has only an sdist; building it needs cargo, not installed"
else
  echo "install-peers: pip install pyjwt-rs (builds Rust from the sdist; takes minutes)"
  if timeout "${BENCH_PYJWT_RS_TIMEOUT:-1500}" "$VENV/bin/python" -m pip install -q \
       --disable-pip-version-check pyjwt-rs > "$B/bench/pip-pyjwt-rs.log" 2>&1 \
     && "$VENV/bin/python" -c "import jwt_rs" 2>/dev/null; then ok pyjwt-rs
  else fail pyjwt-rs "sdist build failed or timed out (see $B/bench/pip-pyjwt-rs.log)"; fi
fi

# --- Node peers ------------------------------------------------------------
NODE_PEERS=(jsonwebtoken jose fast-jwt)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  for p in "${NODE_PEERS[@]}"; do fail "$p" "node/npm not installed"; done
else
  missing=()
  for p in "${NODE_PEERS[@]}"; do
    [ -f "$NODE_DIR/node_modules/$p/package.json" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install-peers: npm install ${missing[*]}"
    mkdir -p "$NODE_DIR"
    npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" "${missing[@]}" \
      > "$B/bench/npm.log" 2>&1 || true
  fi
  for p in "${NODE_PEERS[@]}"; do
    if [ -f "$NODE_DIR/node_modules/$p/package.json" ]; then ok "$p"
    else fail "$p" "npm install failed (see $B/bench/npm.log)"; fi
  done
fi

# --- libjwt (Debian) -------------------------------------------------------
if dpkg-query -W -f='${Status}' libjwt-dev 2>/dev/null | grep -q "install ok installed"; then
  ok libjwt
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-peers: apt-get install libjwt-dev"
  if { $SUDO apt-get install -y -qq --no-install-recommends libjwt-dev \
       || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends libjwt-dev; }; \
     } > "$B/bench/apt.log" 2>&1; then ok libjwt
  else fail libjwt "apt-get install libjwt-dev failed (see $B/bench/apt.log)"; fi
fi

# --- lua-resty-jwt (the OpenResty peer, issue 20) ---------------------------
# lua-resty-jwt with what it loads (lua-resty-openssl, lua-resty-string,
# lua-resty-hmac) at pinned releases, as plain Lua files merged into
# build/bench/resty/lib (never into the repository). bench/resty_runner.py and
# bench/gateway.sh run it in the same nginx and LuaJIT as cjwt.gateway.
# None of them is in Debian, npm or PyPI; the Lua registries are luarocks.org
# and opm.openresty.org, which the development machine cannot reach. So:
#   1. BENCH_RESTY_SRC=DIR: DIR/<name>/lib/... source trees brought by hand at
#      the pins below (e.g. `git clone --branch v0.3.2 .../lua-resty-jwt`);
#   2. otherwise luarocks (lua-resty-jwt 0.3.2-1 pulls lua-resty-openssl and
#      carries lua-resty-hmac; lua-resty-string 0.09-0);
#   3. otherwise the row says n/a with the reason.
RESTY_DIR=$B/bench/resty
RESTY_PINS="lua-resty-jwt v0.3.2 (luarocks 0.3.2-1), lua-resty-openssl 1.9.0, lua-resty-string v0.17 (luarocks 0.09-0), lua-resty-hmac 23da759 (v0.06, lua-resty-jwt's submodule)"
resty_merge() {   # SRC_LIB_DIR...: copy lib trees into $RESTY_DIR/lib
  mkdir -p "$RESTY_DIR/lib" && for d in "$@"; do cp -R "$d"/. "$RESTY_DIR/lib/" || return 1; done
}
if [ -f "$RESTY_DIR/lib/resty/jwt.lua" ] && [ -f "$RESTY_DIR/SOURCE" ]; then
  ok lua-resty-jwt
elif [ -n "${BENCH_RESTY_SRC:-}" ]; then
  rm -rf "$RESTY_DIR"; mkdir -p "$RESTY_DIR"
  if resty_merge "$BENCH_RESTY_SRC"/lua-resty-jwt/lib "$BENCH_RESTY_SRC"/lua-resty-openssl/lib \
       "$BENCH_RESTY_SRC"/lua-resty-string/lib "$BENCH_RESTY_SRC"/lua-resty-hmac/lib \
     && [ -f "$RESTY_DIR/lib/resty/jwt.lua" ]; then
    echo "BENCH_RESTY_SRC=$BENCH_RESTY_SRC: $RESTY_PINS" > "$RESTY_DIR/SOURCE"; ok lua-resty-jwt
  else
    rm -rf "$RESTY_DIR"
    fail lua-resty-jwt "BENCH_RESTY_SRC=$BENCH_RESTY_SRC lacks lua-resty-{jwt,openssl,string,hmac}/lib"
  fi
elif ! command -v luarocks >/dev/null 2>&1; then
  fail lua-resty-jwt "not in Debian, npm or PyPI, and luarocks is not installed"
else
  rm -rf "$RESTY_DIR"; mkdir -p "$RESTY_DIR"
  echo "install-peers: luarocks install lua-resty-jwt 0.3.2-1, lua-resty-string 0.09-0"
  if { timeout 120 luarocks --lua-version 5.1 --tree "$RESTY_DIR/tree" install lua-resty-jwt 0.3.2-1 \
       && timeout 120 luarocks --lua-version 5.1 --tree "$RESTY_DIR/tree" install lua-resty-string 0.09-0; \
     } > "$B/bench/resty.log" 2>&1 && resty_merge "$RESTY_DIR/tree/share/lua/5.1" \
     && [ -f "$RESTY_DIR/lib/resty/jwt.lua" ]; then
    echo "luarocks: lua-resty-jwt 0.3.2-1, lua-resty-string 0.09-0 and their dependencies" > "$RESTY_DIR/SOURCE"
    ok lua-resty-jwt
  else
    rm -rf "$RESTY_DIR"
    fail lua-resty-jwt "not in Debian, npm or PyPI; luarocks.org not reachable here (see $B/bench/resty.log); BENCH_RESTY_SRC=dir runs sources brought by hand"
  fi
fi

echo "install-peers: status in $STATUS"
cut -f1,2 "$STATUS" | sed 's/^/  /'
exit 0
