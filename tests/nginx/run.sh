#!/usr/bin/env bash
# Real-nginx tests of cjwt.gateway: Debian's nginx with libnginx-mod-http-lua
# and lua-resty-core on 127.0.0.1 (free unprivileged ports), a config from
# nginx.conf.in in a temp prefix, an upstream and a JWKS endpoint served by
# the same nginx; test_gateway.py talks HTTP to it. Everything started here
# is stopped on exit, also on failure; the whole run is bounded in time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NGINX=${NGINX:-nginx}
MODDIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
PYTHON=${PYTHON:-python3}
LUAJIT=${LUAJIT:-luajit}
TIMEOUT=${CJWT_NGINX_TIMEOUT:-300}

T=$(mktemp -d /tmp/cjwt-nginx.XXXXXX)
NGINX_PID=""
REDIS_PID=""
STALL_PID=""
# shellcheck source=../../scripts/proclib.sh
. "$ROOT/scripts/proclib.sh"          # proc_wait_port, proc_stop
cleanup() {
  local rc=$?
  proc_stop "$STALL_PID"               # (a test may have left it stopped: SIGCONT first)
  proc_stop "$REDIS_PID"
  proc_stop "$NGINX_PID" group         # fast shutdown: master stops its workers
  if [ "$rc" -ne 0 ] && [ -f "$T/error.log" ]; then
    echo "--- nginx error.log (last 40 lines) ---"; tail -n 40 "$T/error.log"
  fi
  [ -n "${CJWT_NGINX_KEEP_LOG:-}" ] && cp "$T/error.log" "$CJWT_NGINX_KEEP_LOG"
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$MODDIR/ngx_http_lua_module.so" ] || { echo "nginx Lua module not found in $MODDIR"; exit 1; }
[ -f "$ROOT/build/luajit/cjwt/core.so" ] || { echo "build/luajit/cjwt/core.so missing (make luajit)"; exit 1; }

mkdir -p "$T/www" "$T/tmp" "$T/bg"
# Free ports, each substituted for @NAME@ in nginx.conf.in.
PORT_NAMES="PORT UPSTREAM_PORT JWKS_PORT REDIS_PORT DEAD_PORT STALL_PORT BG_JWKS_PORT REPLICA_PORT
  S_MASTER_PORT S_REPLICA_PORT SENTINEL_PORT FLAP_PORT"
# shellcheck disable=SC2086
read -r $PORT_NAMES < <("$PYTHON" - $PORT_NAMES <<'PY'
import socket, sys
socks = [socket.socket() for _ in sys.argv[1:]]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
)
# A throwaway redis-server, no persistence, on port $1 in $T/$2; sets LAST_PID.
REDIS_SERVER=${REDIS_SERVER:-redis-server}
command -v "$REDIS_SERVER" >/dev/null || { echo "redis-server not installed (scripts/install-deps.sh)"; exit 1; }
start_redis() {
  mkdir -p "$T/$2"
  "$REDIS_SERVER" --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$T/$2" \
    --daemonize no --loglevel warning --logfile "$T/$2/redis.log" &
  LAST_PID=$!
  proc_wait_port "$1" "$LAST_PID" "redis-server ($2)" || exit 1
}
# The token lifecycle's denylist (test_lifecycle_gateway.py); DEAD_PORT is
# left closed (Redis down).
start_redis "$REDIS_PORT" redis; REDIS_PID=$LAST_PID
# A second one that test_faults_gateway.py stops (SIGSTOP) and resumes.
start_redis "$STALL_PORT" redis-stall; STALL_PID=$LAST_PID

USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"     # workers read the repo and the temp dir

LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;;" LUA_CPATH="$ROOT/build/luajit/?.so;;" \
  "$LUAJIT" "$ROOT/tests/nginx/make_fixtures.lua" "$T"

SED_ARGS=(-e "s|@T@|$T|g" -e "s|@ROOT@|$ROOT|g" -e "s|@MODDIR@|$MODDIR|g" -e "s|@USER@|$USER_LINE|g")
for name in $PORT_NAMES; do SED_ARGS+=(-e "s|@$name@|${!name}|g"); done
sed "${SED_ARGS[@]}" "$ROOT/tests/nginx/nginx.conf.in" > "$T/nginx.conf"

"$NGINX" -t -q -p "$T" -c "$T/nginx.conf" -e "$T/error.log"
# Own process group, so that a stuck master and its workers can be killed together.
setsid "$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/error.log" &
NGINX_PID=$!

proc_wait_port "$PORT" "$NGINX_PID" nginx || exit 1

cd "$ROOT"
CJWT_NGINX_DIR="$T" CJWT_NGINX_PORT="$PORT" CJWT_REDIS_PORT="$REDIS_PORT" PYTHONPATH="$ROOT/python" \
  CJWT_STALL_REDIS_PID="$STALL_PID" CJWT_STALL_REDIS_PORT="$STALL_PORT" CJWT_BG_JWKS_PORT="$BG_JWKS_PORT" \
  CJWT_REPLICA_REDIS_PORT="$REPLICA_PORT" CJWT_NGINX_PID="$NGINX_PID" NGINX="$NGINX" \
  CJWT_SENTINEL_PORTS="$S_MASTER_PORT,$S_REPLICA_PORT,$SENTINEL_PORT" CJWT_FLAP_REDIS_PORT="$FLAP_PORT" \
  timeout "$TIMEOUT" "$PYTHON" -m pytest -q -p no:cacheprovider tests/nginx/test_gateway.py \
  tests/nginx/test_lifecycle_gateway.py tests/nginx/test_cache_gateway.py tests/nginx/test_faults_gateway.py \
  tests/nginx/test_replica_gateway.py "$@"
