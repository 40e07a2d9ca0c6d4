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
cleanup() {
  local rc=$?
  if [ -n "$STALL_PID" ] && kill -0 "$STALL_PID" 2>/dev/null; then
    kill -CONT "$STALL_PID" 2>/dev/null || true         # a test may have left it stopped
    kill -TERM "$STALL_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$STALL_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$STALL_PID" 2>/dev/null && kill -KILL "$STALL_PID" 2>/dev/null || true
  fi
  if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$REDIS_PID" 2>/dev/null && kill -KILL "$REDIS_PID" 2>/dev/null || true
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true        # fast shutdown: master stops its workers
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$NGINX_PID" 2>/dev/null && kill -KILL -- "-$NGINX_PID" 2>/dev/null || true
  fi
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
read -r PORT UPSTREAM_PORT JWKS_PORT REDIS_PORT DEAD_PORT STALL_PORT BG_JWKS_PORT REPLICA_PORT \
  S_MASTER_PORT S_REPLICA_PORT SENTINEL_PORT < <("$PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(11)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
)
# The token lifecycle's denylist (test_lifecycle_gateway.py): a throwaway
# redis-server, no persistence; DEAD_PORT is left closed (Redis down).
REDIS_SERVER=${REDIS_SERVER:-redis-server}
command -v "$REDIS_SERVER" >/dev/null || { echo "redis-server not installed (scripts/install-deps.sh)"; exit 1; }
mkdir -p "$T/redis"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T/redis" \
  --daemonize no --loglevel warning --logfile "$T/redis/redis.log" &
REDIS_PID=$!
for _ in $(seq 50); do
  "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $REDIS_PORT), 0.2)" 2>/dev/null && break
  kill -0 "$REDIS_PID" 2>/dev/null || { echo "redis-server exited at start"; exit 1; }
  sleep 0.1
done
# A second one that test_faults_gateway.py stops (SIGSTOP) and resumes.
mkdir -p "$T/redis-stall"
"$REDIS_SERVER" --port "$STALL_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T/redis-stall" \
  --daemonize no --loglevel warning --logfile "$T/redis-stall/redis.log" &
STALL_PID=$!
for _ in $(seq 50); do
  "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $STALL_PORT), 0.2)" 2>/dev/null && break
  kill -0 "$STALL_PID" 2>/dev/null || { echo "redis-server (stall) exited at start"; exit 1; }
  sleep 0.1
done

USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"     # workers read the repo and the temp dir

LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;;" LUA_CPATH="$ROOT/build/luajit/?.so;;" \
  "$LUAJIT" "$ROOT/tests/nginx/make_fixtures.lua" "$T"

sed -e "s|@T@|$T|g" -e "s|@ROOT@|$ROOT|g" -e "s|@MODDIR@|$MODDIR|g" -e "s|@USER@|$USER_LINE|g" \
    -e "s|@PORT@|$PORT|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" -e "s|@JWKS_PORT@|$JWKS_PORT|g" \
    -e "s|@REDIS_PORT@|$REDIS_PORT|g" -e "s|@DEAD_PORT@|$DEAD_PORT|g" \
    -e "s|@STALL_PORT@|$STALL_PORT|g" -e "s|@BG_JWKS_PORT@|$BG_JWKS_PORT|g" \
    -e "s|@REPLICA_PORT@|$REPLICA_PORT|g" -e "s|@SENTINEL_PORT@|$SENTINEL_PORT|g" \
    "$ROOT/tests/nginx/nginx.conf.in" > "$T/nginx.conf"

"$NGINX" -t -q -p "$T" -c "$T/nginx.conf" -e "$T/error.log"
# Own process group, so that a stuck master and its workers can be killed together.
setsid "$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/error.log" &
NGINX_PID=$!

for _ in $(seq 100); do
  "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx exited at start"; exit 1; }
  sleep 0.1
done

cd "$ROOT"
CJWT_NGINX_DIR="$T" CJWT_NGINX_PORT="$PORT" CJWT_REDIS_PORT="$REDIS_PORT" PYTHONPATH="$ROOT/python" \
  CJWT_STALL_REDIS_PID="$STALL_PID" CJWT_STALL_REDIS_PORT="$STALL_PORT" CJWT_BG_JWKS_PORT="$BG_JWKS_PORT" \
  CJWT_REPLICA_REDIS_PORT="$REPLICA_PORT" CJWT_NGINX_PID="$NGINX_PID" NGINX="$NGINX" \
  CJWT_SENTINEL_PORTS="$S_MASTER_PORT,$S_REPLICA_PORT,$SENTINEL_PORT" \
  timeout "$TIMEOUT" "$PYTHON" -m pytest -q -p no:cacheprovider tests/nginx/test_gateway.py \
  tests/nginx/test_lifecycle_gateway.py tests/nginx/test_cache_gateway.py tests/nginx/test_faults_gateway.py \
  tests/nginx/test_replica_gateway.py "$@"
