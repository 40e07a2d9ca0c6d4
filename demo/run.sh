#!/usr/bin/env bash
# cjwt end to end on one machine (docs/demo.md). Starts, on 127.0.0.1 and free
# ports: Redis (the denylist), the auth service, the orders and payments
# services and the nginx gateway; then demo/walkthrough.py narrates real HTTP
# calls through the gateway and asserts every answer. Every process started
# here runs in its own process group and is stopped on exit, on Ctrl-C and on
# failure. Exit status: 0 only if every step behaved as narrated.
#
#   demo/run.sh              the walk-through and the load run
#   DEMO_LOAD=0 demo/run.sh  without the load run (wrk)
# Prerequisites: make build (make demo does it), scripts/install-deps.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
NGINX=${NGINX:-nginx}
MODDIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
TIMEOUT=${DEMO_TIMEOUT:-150}

T=$(mktemp -d /tmp/cjwt-demo.XXXXXX)
NAMES=() PIDS=()
stop_all() {
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do      # reverse order: nginx first
    pid=${PIDS[$i]}
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true        # the whole group (nginx workers too)
  done
  PIDS=()
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  trap '' PIPE          # output cut short (| head) must not stop the cleanup
  set +e
  local i logs="nginx-error auth"
  for ((i = 0; i < ${#PIDS[@]}; i++)); do       # and the log of any process that died
    kill -0 "${PIDS[$i]}" 2>/dev/null || logs="$logs ${NAMES[$i]}"
  done
  stop_all
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ]; then
    for f in $logs; do
      [ -s "$T/$f.log" ] || continue
      echo "--- $f.log (last 15 lines) ---"; tail -n 15 "$T/$f.log"
    done
  fi
  rm -rf "$T"
  if [ "$rc" -eq 0 ]; then echo "demo: every process stopped"
  else echo "demo: FAILED (exit $rc), every process stopped"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT
trap 'exit 143' TERM

# start NAME CMD...: in its own process group (setsid), output to $T/NAME.log
start() {
  local name=$1; shift
  setsid "$@" >"$T/$name.log" 2>&1 </dev/null &
  NAMES+=("$name") PIDS+=("$!")
}
wait_port() {   # NAME PORT: until it accepts connections, or the process died
  local name=$1 port=$2 pid=${PIDS[${#PIDS[@]}-1]}
  for _ in $(seq 100); do
    "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "demo: $name exited at start"; return 1; }
    sleep 0.1
  done
  echo "demo: $name did not listen on $port"; return 1
}

for f in build/luajit/cjwt/core.so; do
  [ -f "$ROOT/$f" ] || { echo "demo: $f missing: run make build"; exit 1; }
done
ls "$ROOT"/python/cjwt/_cjwt*.so >/dev/null 2>&1 || { echo "demo: Python extension missing: run make build"; exit 1; }
[ -f "$MODDIR/ngx_http_lua_module.so" ] || { echo "demo: nginx Lua module not in $MODDIR"; exit 1; }
for cmd in redis-server "$NGINX"; do
  command -v "$cmd" >/dev/null || { echo "demo: $cmd not installed (scripts/install-deps.sh)"; exit 1; }
done

read -r PORT AUTH_PORT ADMIN_PORT ORDERS_PORT PAYMENTS_PORT ECHO_PORT REDIS_PORT GW2_PORT ECHO2_PORT \
  < <("$PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
)
ISSUER=https://auth.example.com
AUDIENCE=api.example.com
PREFIX=cjwt:
JWKS_TTL=3 JWKS_COOLDOWN=1

# The gateway's denylist option comes with the token lifecycle work (issue 6).
# Without it the gateway runs without one, and the revocation steps fail.
if grep -q "denylist" "$ROOT/lua/cjwt/gateway.lua"; then
  # replicated (issue 15): one follower per gateway keeps the revocations in memory
  DENYLIST="denylist = { redis = { host = \"127.0.0.1\", port = $REDIS_PORT }, prefix = \"$PREFIX\", replica = true, max_lag = 2 },"
  export DEMO_DENYLIST=1
else
  DENYLIST="-- no denylist: this cjwt.gateway has no 'denylist' option (issue 6)"
  export DEMO_DENYLIST=0
fi

mkdir -p "$T/tmp"
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"     # workers read the repo
gateway_conf() {   # DIR PORT ECHO_PORT: DIR/nginx.conf (pid, logs, temp files in DIR)
  mkdir -p "$1/tmp"
  sed -e "s|@T@|$1|g" -e "s|@ROOT@|$ROOT|g" -e "s|@MODDIR@|$MODDIR|g" -e "s|@USER@|$USER_LINE|g" \
      -e "s|@PORT@|$2|g" -e "s|@AUTH_PORT@|$AUTH_PORT|g" -e "s|@ORDERS_PORT@|$ORDERS_PORT|g" \
      -e "s|@PAYMENTS_PORT@|$PAYMENTS_PORT|g" -e "s|@ECHO_PORT@|$3|g" \
      -e "s|@ISSUER@|$ISSUER|g" -e "s|@AUDIENCE@|$AUDIENCE|g" \
      -e "s|@JWKS_TTL@|$JWKS_TTL|g" -e "s|@JWKS_COOLDOWN@|$JWKS_COOLDOWN|g" \
      -e "s|@DENYLIST@|$DENYLIST|g" \
      "$ROOT/demo/nginx.conf.in" > "$1/nginx.conf"
}
gateway_conf "$T" "$PORT" "$ECHO_PORT"
gateway_conf "$T/gw2" "$GW2_PORT" "$ECHO2_PORT"    # the second gateway (issue 15)

echo "== Starting the processes (all on 127.0.0.1, logs in $T)"
start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly yes \
  --dir "$T" --protected-mode yes --daemonize no
wait_port redis "$REDIS_PORT"
printf '   %-9s :%-5s  %s\n' redis "$REDIS_PORT" "denylist, its feed and the refresh-token store (appendonly yes)"

export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
start auth "$PYTHON" -u "$ROOT/demo/auth_service.py" --port "$AUTH_PORT" --admin-port "$ADMIN_PORT" \
  --redis-port "$REDIS_PORT" --prefix "$PREFIX" --issuer "$ISSUER" --audience "$AUDIENCE" \
  --users "$ROOT/demo/users.json"
wait_port auth "$AUTH_PORT"; wait_port auth-admin "$ADMIN_PORT"
printf '   %-9s :%-5s  %s\n' auth "$AUTH_PORT" "auth service: /login /refresh /logout /.well-known/jwks.json"
printf '   %-9s :%-5s  %s\n' admin "$ADMIN_PORT" "auth service admin (loopback only, not proxied): /admin/rotate /admin/retire-old"

start orders "$PYTHON" -u "$ROOT/demo/service.py" orders "$ORDERS_PORT" "$REDIS_PORT" "$PREFIX"
wait_port orders "$ORDERS_PORT"
start payments "$PYTHON" -u "$ROOT/demo/service.py" payments "$PAYMENTS_PORT" "$REDIS_PORT" "$PREFIX"
wait_port payments "$PAYMENTS_PORT"
printf '   %-9s :%-5s  %s\n' orders "$ORDERS_PORT" "service, trusts the gateway's X-User-* headers; revocation replica"
printf '   %-9s :%-5s  %s\n' payments "$PAYMENTS_PORT" "service, trusts the gateway's X-User-* headers; revocation replica"

"$NGINX" -t -q -p "$T" -c "$T/nginx.conf" -e "$T/nginx-error.log"
start nginx "$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/nginx-error.log"
wait_port nginx "$PORT"
printf '   %-9s :%-5s  %s\n' gateway "$PORT" "nginx + cjwt.gateway (JWKS ttl ${JWKS_TTL}s, cooldown ${JWKS_COOLDOWN}s)"
"$NGINX" -t -q -p "$T/gw2" -c "$T/gw2/nginx.conf" -e "$T/gw2/nginx-error.log"
start gateway2 "$NGINX" -p "$T/gw2" -c "$T/gw2/nginx.conf" -e "$T/gw2/nginx-error.log"
wait_port gateway2 "$GW2_PORT"
printf '   %-9s :%-5s  %s\n' gateway2 "$GW2_PORT" "a second nginx instance, the same configuration"

cd "$ROOT"
DEMO_GATEWAY2="http://127.0.0.1:$GW2_PORT" DEMO_ORDERS="http://127.0.0.1:$ORDERS_PORT" \
DEMO_PAYMENTS="http://127.0.0.1:$PAYMENTS_PORT" \
DEMO_GATEWAY="http://127.0.0.1:$PORT" DEMO_ADMIN="http://127.0.0.1:$ADMIN_PORT" \
DEMO_ISSUER="$ISSUER" DEMO_AUDIENCE="$AUDIENCE" DEMO_JWKS_TTL="$JWKS_TTL" \
DEMO_JWKS_COOLDOWN="$JWKS_COOLDOWN" DEMO_REDIS_PORT="$REDIS_PORT" DEMO_PREFIX="$PREFIX" \
  timeout --foreground "$TIMEOUT" "$PYTHON" -u "$ROOT/demo/walkthrough.py"
