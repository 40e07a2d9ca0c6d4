#!/usr/bin/env bash
# cjwt end to end on one machine (docs/demo.md). Starts, on 127.0.0.1 and free
# ports: Redis (the denylist), the auth service, the orders and payments
# services and the nginx gateway (HTTPS only, with a certificate from a
# throwaway CA made here at start); then demo/walkthrough.py narrates real
# HTTPS calls through the gateway and asserts every answer. Every process
# started here runs in its own process group and is stopped on exit, on Ctrl-C
# and on failure. Exit status: 0 only if every step behaved as narrated.
#
#   demo/run.sh              the walk-through and the load run
#   DEMO_LOAD=0 demo/run.sh  without the load run (wrk)
#   demo/run.sh --serve      (make demo-web) the same system with its web front
#                            end, left running for a browser until Ctrl-C or
#                            SIGTERM (then exit 0), everything stopped
# Environment: DEMO_INFO=FILE (--serve: a JSON file with the URLs and the CA,
# written once everything listens; the browser tests read it), DEMO_WEB_ROOT
# (the front end's files, default demo/web), DEMO_WEAKEN (tests only: switches
# a protection off, see demo/auth_service.py).
# Prerequisites: make build (make demo does it), scripts/install-deps.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
NGINX=${NGINX:-nginx}
MODDIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
TIMEOUT=${DEMO_TIMEOUT:-150}
WEB_ROOT=$(cd "${DEMO_WEB_ROOT:-$ROOT/demo/web}" && pwd)
MODE=walk
case "${1:-}" in
  "") ;;
  --serve) MODE=serve ;;
  *) echo "usage: demo/run.sh [--serve]" >&2; exit 2 ;;
esac

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
  local i logs="gateway-error auth"
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
  [ -n "${DEMO_INFO:-}" ] && rm -f "$DEMO_INFO"
  if [ "$rc" -eq 0 ]; then echo "demo: every process stopped"
  else echo "demo: FAILED (exit $rc), every process stopped"; fi
  exit "$rc"
}
trap cleanup EXIT
if [ "$MODE" = serve ]; then     # make demo-web: Ctrl-C and SIGTERM are the normal way out
  trap 'echo; echo "demo: stopping"; exit 0' INT TERM
else
  trap 'echo; echo "demo: interrupted"; exit 130' INT
  trap 'exit 143' TERM
fi

# start NAME CMD...: in its own process group (setsid), output to $T/NAME.log
start() {
  local name=$1; shift
  setsid "$@" >"$T/$name.log" 2>&1 </dev/null &
  NAMES+=("$name") PIDS+=("$!")
}
# shellcheck source=../scripts/proclib.sh
. "$ROOT/scripts/proclib.sh"
wait_port() {   # NAME PORT: until it accepts connections, or the process died
  proc_wait_port "$2" "${PIDS[${#PIDS[@]}-1]}" "demo: $1"
}

# make_tls DIR NAME...: a throwaway CA and, signed by it, a certificate for the
# loopback names (DNS names and IPv4 addresses), both P-256 and valid 2 days.
# The CA's private key is deleted as soon as it has signed: nothing else can
# ever be signed by it. Clients verify against DIR/ca.pem.
make_tls() {
  local dir=$1 san="" n; shift
  for n in "$@"; do
    if [[ $n =~ ^[0-9.]+$ ]]; then san+="${san:+,}IP:$n"; else san+="${san:+,}DNS:$n"; fi
  done
  mkdir -p "$dir"
  cat > "$dir/openssl.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  (umask 077
   set -e
   openssl req -x509 -new -config "$dir/openssl.cnf" -extensions ca -newkey ec \
     -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=cjwt demo throwaway CA" \
     -keyout "$dir/ca.key" -out "$dir/ca.pem"
   openssl req -new -config "$dir/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
     -nodes -subj "/CN=$1" -keyout "$dir/server.key" -out "$dir/server.csr"
   openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
     -set_serial "0x$(openssl rand -hex 16)" -days 2 -extfile "$dir/openssl.cnf" -extensions leaf \
     -out "$dir/server.pem") >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log"; return 1; }
  rm -f "$dir/ca.key" "$dir/server.csr"
  chmod 644 "$dir/ca.pem" "$dir/server.pem"
}

# gateway_conf NAME PORT: $T/NAME.conf from demo/nginx.conf.in, the one place a
# gateway's configuration is made (its pid, logs and temp files are $T/NAME*).
# A second gateway is one more gateway_conf, start and wait_port (and its
# origin in the auth service's --allowed-origin).
gateway_conf() {
  local name=$1 port=$2
  mkdir -p "$T/tmp/$name"
  sed -e "s|@T@|$T|g" -e "s|@NAME@|$name|g" -e "s|@ROOT@|$ROOT|g" -e "s|@MODDIR@|$MODDIR|g" \
      -e "s|@USER@|$USER_LINE|g" -e "s|@WEB_ROOT@|$WEB_ROOT|g" -e "s|@TLS@|$T/tls|g" \
      -e "s|@PORT@|$port|g" -e "s|@AUTH_PORT@|$AUTH_PORT|g" -e "s|@ORDERS_PORT@|$ORDERS_PORT|g" \
      -e "s|@PAYMENTS_PORT@|$PAYMENTS_PORT|g" \
      -e "s|@ISSUER@|$ISSUER|g" -e "s|@AUDIENCE@|$AUDIENCE|g" \
      -e "s|@JWKS_TTL@|$JWKS_TTL|g" -e "s|@JWKS_COOLDOWN@|$JWKS_COOLDOWN|g" \
      -e "s|@DENYLIST@|$DENYLIST|g" \
      "$ROOT/demo/nginx.conf.in" > "$T/$name.conf"
}

for f in build/luajit/cjwt/core.so; do
  [ -f "$ROOT/$f" ] || { echo "demo: $f missing: run make build"; exit 1; }
done
ls "$ROOT"/python/cjwt/_cjwt*.so >/dev/null 2>&1 || { echo "demo: Python extension missing: run make build"; exit 1; }
[ -f "$MODDIR/ngx_http_lua_module.so" ] || { echo "demo: nginx Lua module not in $MODDIR"; exit 1; }
for cmd in redis-server "$NGINX" openssl; do
  command -v "$cmd" >/dev/null || { echo "demo: $cmd not installed (scripts/install-deps.sh)"; exit 1; }
done

read -r PORT AUTH_PORT ADMIN_PORT ORDERS_PORT PAYMENTS_PORT REDIS_PORT GW2_PORT < <("$PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(7)]
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

USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"     # workers read the repo
# Every client reaches the system as https://localhost:PORT (the browser, the
# walk-through, wrk); 127.0.0.1 is in the certificate too.
HOST=localhost
ORIGIN="https://$HOST:$PORT"
ORIGIN2="https://$HOST:$GW2_PORT"   # the second gateway (issue 15)
ALLOWED_ORIGINS=("$ORIGIN" "$ORIGIN2")      # every gateway's origin: its pages may use /auth/*
make_tls "$T/tls" "$HOST" 127.0.0.1
gateway_conf gateway "$PORT"
gateway_conf gateway2 "$GW2_PORT"

echo "== Starting the processes (all on 127.0.0.1, logs in $T)"
start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly yes \
  --dir "$T" --protected-mode yes --daemonize no
wait_port redis "$REDIS_PORT"
printf '   %-9s :%-5s  %s\n' redis "$REDIS_PORT" "denylist, its feed and the refresh-token store (appendonly yes)"

export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
[ -z "${DEMO_WEAKEN:-}" ] || echo "   !! DEMO_WEAKEN=$DEMO_WEAKEN: a protection is switched off (tests only)"
start auth "$PYTHON" -u "$ROOT/demo/auth_service.py" --port "$AUTH_PORT" --admin-port "$ADMIN_PORT" \
  --redis-port "$REDIS_PORT" --prefix "$PREFIX" --issuer "$ISSUER" --audience "$AUDIENCE" \
  --users "$ROOT/demo/users.json" "${ALLOWED_ORIGINS[@]/#/--allowed-origin=}" \
  --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key"
wait_port auth "$AUTH_PORT"; wait_port auth-admin "$ADMIN_PORT"
printf '   %-9s :%-5s  %s\n' auth "$AUTH_PORT" "auth service (HTTPS): /login /refresh /logout /.well-known/jwks.json"
printf '   %-9s :%-5s  %s\n' admin "$ADMIN_PORT" "auth service admin (HTTPS, loopback only, not proxied): /admin/rotate /admin/retire-old"

start orders "$PYTHON" -u "$ROOT/demo/service.py" orders "$ORDERS_PORT" "$T/tls/server.pem" "$T/tls/server.key" "$REDIS_PORT" "$PREFIX"
wait_port orders "$ORDERS_PORT"
start payments "$PYTHON" -u "$ROOT/demo/service.py" payments "$PAYMENTS_PORT" "$T/tls/server.pem" "$T/tls/server.key" "$REDIS_PORT" "$PREFIX"
wait_port payments "$PAYMENTS_PORT"
printf '   %-9s :%-5s  %s\n' orders "$ORDERS_PORT" "service (HTTPS), trusts the gateway's X-User-* headers; revocation replica"
printf '   %-9s :%-5s  %s\n' payments "$PAYMENTS_PORT" "service (HTTPS), trusts the gateway's X-User-* headers; revocation replica"

"$NGINX" -t -q -p "$T" -c "$T/gateway.conf" -e "$T/gateway-error.log"
start gateway "$NGINX" -p "$T" -c "$T/gateway.conf" -e "$T/gateway-error.log"
wait_port gateway "$PORT"
printf '   %-9s :%-5s  %s\n' gateway "$PORT" "nginx + cjwt.gateway, HTTPS only, web front end at / (JWKS ttl ${JWKS_TTL}s, cooldown ${JWKS_COOLDOWN}s)"
"$NGINX" -t -q -p "$T" -c "$T/gateway2.conf" -e "$T/gateway2-error.log"
start gateway2 "$NGINX" -p "$T" -c "$T/gateway2.conf" -e "$T/gateway2-error.log"
wait_port gateway2 "$GW2_PORT"
printf '   %-9s :%-5s  %s\n' gateway2 "$GW2_PORT" "a second nginx instance, the same configuration (issue 15)"
printf '   %-9s %s\n' tls "certificate for $HOST and 127.0.0.1 from a throwaway CA ($T/tls/ca.pem)"

cd "$ROOT"
export DEMO_GATEWAY="$ORIGIN" DEMO_GATEWAY2="$ORIGIN2" \
  DEMO_ORDERS="https://$HOST:$ORDERS_PORT" DEMO_PAYMENTS="https://$HOST:$PAYMENTS_PORT" DEMO_ADMIN="https://$HOST:$ADMIN_PORT" DEMO_CA="$T/tls/ca.pem" \
  DEMO_ISSUER="$ISSUER" DEMO_AUDIENCE="$AUDIENCE" DEMO_JWKS_TTL="$JWKS_TTL" \
  DEMO_JWKS_COOLDOWN="$JWKS_COOLDOWN" DEMO_REDIS_PORT="$REDIS_PORT" DEMO_PREFIX="$PREFIX"
if [ "$MODE" = walk ]; then
  timeout --foreground "$TIMEOUT" "$PYTHON" -u "$ROOT/demo/walkthrough.py"
  exit $?
fi

# --serve: print the URL, then wait for Ctrl-C / SIGTERM (or a process that died).
if [ -n "${DEMO_INFO:-}" ]; then
  "$PYTHON" - "$DEMO_INFO.tmp" "$T/tls" <<'PY'
import json, os, sys
e, tls = os.environ, sys.argv[2]
json.dump({"url": e["DEMO_GATEWAY"] + "/", "gateway": e["DEMO_GATEWAY"], "admin": e["DEMO_ADMIN"],
           "ca": e["DEMO_CA"], "cert": os.path.join(tls, "server.pem"),
           "key": os.path.join(tls, "server.key"), "redis_port": int(e["DEMO_REDIS_PORT"]),
           "prefix": e["DEMO_PREFIX"], "pid": os.getppid()}, open(sys.argv[1], "w"))
PY
  mv "$DEMO_INFO.tmp" "$DEMO_INFO"
fi
echo
echo "== The demo is up: open $ORIGIN/"
echo "   users: alice / correct horse battery staple  (admin: orders and payments)"
echo "          bob   / hunter2 but longer            (customer: orders only)"
echo "   The certificate comes from a CA made a moment ago, whose key is already deleted:"
echo "   trust $T/tls/ca.pem in a throwaway browser profile, or accept the browser's warning."
echo "   Ctrl-C (or SIGTERM) stops everything."
while :; do
  for ((i = 0; i < ${#PIDS[@]}; i++)); do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { echo "demo: ${NAMES[$i]} exited"; exit 1; }
  done
  sleep 1
done
