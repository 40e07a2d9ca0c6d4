#!/usr/bin/env bash
# Instructions per request of the gateway's locations under callgrind
# (docs/performance.md, "Profile of the gateway"): bench/gateway.nginx.conf.in
# with master_process off and one worker, so that both hops (the location and
# its `return 200` upstream) and the Lua run in the one process valgrind
# watches. For each location: WARM keep-alive requests (connections, LuaJIT
# traces), counters zeroed (callgrind_control -z), N requests, a dump
# (callgrind_control -d); instructions per request = the dump's total / N.
# User space only (the kernel's TCP work is not counted), deterministic up to a
# few hundred instructions: the metric to compare changes by, on a loaded machine.
#
#   bench/gateway_callgrind.sh [--requests N] [--warm N] [--keep DIR] [LOC ...]
#     LOC          locations, by path without "/" (default: plain empty var
#                  decode hs256 hs256-cache); ES256 ones work too (es256, ...)
#     --requests N counted requests per location (default 1000)
#     --warm N     warm-up requests per location (default 300)
#     --keep DIR   keep the callgrind dumps (callgrind_annotate them) in DIR
#     --baseline REF also location hs256-base: lua/cjwt/gateway.lua as of the git
#                  ref REF under another module name (gateway.sh --baseline)
#
# Prints `gateway-callgrind LOC instructions_per_request N` on stdout, and the
# same with the difference to plain on stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NGINX=${NGINX:-nginx}
MODDIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
PYTHON=${PYTHON:-python3}
REQS=1000
WARM=300
KEEP=""
BASE=""
LOCS=""
while [ $# -gt 0 ]; do
  case $1 in
    --requests) REQS=$2; shift ;;
    --warm) WARM=$2; shift ;;
    --keep) KEEP=$2; shift ;;
    --baseline) BASE=$2; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "gateway_callgrind.sh: unknown argument $1" >&2; exit 2 ;;
    *) LOCS="$LOCS $1" ;;
  esac
  shift
done
[ -n "$LOCS" ] || LOCS="plain empty var decode hs256 hs256-cache${BASE:+ hs256-base}"

log() { echo "gateway_callgrind: $*" >&2; }
for cmd in "$NGINX" valgrind callgrind_control openssl; do
  command -v "$cmd" >/dev/null || { log "$cmd not installed"; exit 1; }
done
[ -f "$MODDIR/ngx_http_lua_module.so" ] || { log "nginx Lua module not in $MODDIR"; exit 1; }
[ -f "$ROOT/build/luajit/cjwt/core.so" ] || { log "build/luajit/cjwt/core.so missing (make luajit)"; exit 1; }

T=$(mktemp -d /tmp/cjwt-gwcg.XXXXXX)
VG_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$VG_PID" ] && kill -0 "$VG_PID" 2>/dev/null; then
    kill -TERM "$VG_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$VG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$VG_PID" 2>/dev/null
    wait "$VG_PID" 2>/dev/null
  fi
  if [ "$rc" -ne 0 ]; then
    [ -s "$T/error.log" ] && { echo "--- nginx error.log ---" >&2; tail -n 20 "$T/error.log" >&2; }
    [ -s "$T/valgrind.log" ] && { echo "--- valgrind ---" >&2; tail -n 20 "$T/valgrind.log" >&2; }
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$ROOT/bench/gateway_common.sh"
gw_prepare
HAVE_RESTY=false
[ -f "$ROOT/build/bench/resty/lib/resty/jwt.lua" ] && HAVE_RESTY=true
gw_conf off 1 "$ROOT/build/bench/resty/lib" "$HAVE_RESTY"

# --smc-check=all-non-file: LuaJIT writes and patches machine code in anonymous maps
valgrind --tool=callgrind --smc-check=all-non-file --log-file="$T/valgrind.log" \
  --callgrind-out-file="$T/cg.out.%p" \
  "$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/error.log" &
VG_PID=$!

# Keep-alive GETs on one connection; any answer but 200 is an error.
client() {   # PATH N TOKEN
  "$PYTHON" - "$PORT" "$1" "$2" "$3" <<'PY'
import http.client, sys
port, path, n, token = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
h = {"Authorization": "Bearer " + token}
for _ in range(n):
    c.request("GET", path, headers=h)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("GET %s: %d" % (path, r.status))
c.close()
PY
}
for _ in $(seq 600); do
  "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 1)" \
    2>/dev/null && break
  kill -0 "$VG_PID" 2>/dev/null || { log "nginx exited at start"; exit 1; }
  sleep 0.2
done

n=0
declare -A IPR=()
for loc in $LOCS; do
  case $loc in es256*|resty-es256) tok=$ES_TOKEN ;; *) tok=$HS_TOKEN ;; esac
  client "/$loc" "$WARM" "$tok"
  callgrind_control -z "$VG_PID" >/dev/null 2>&1
  client "/$loc" "$REQS" "$tok"
  callgrind_control -d "$VG_PID" >/dev/null 2>&1
  n=$((n + 1))
  f="$T/cg.out.$VG_PID.$n"
  for _ in $(seq 100); do [ -s "$f" ] && grep -q '^totals:' "$f" && break; sleep 0.1; done
  total=$(awk '/^totals:/ {print $2}' "$f")
  [ -n "$total" ] || { log "no totals in $f"; exit 1; }
  IPR[$loc]=$((total / REQS))
  [ -n "$KEEP" ] && { mkdir -p "$KEEP"; cp "$f" "$KEEP/callgrind.$loc.out"; }
  echo "gateway-callgrind $loc instructions_per_request ${IPR[$loc]}"
  if [ -n "${IPR[plain]:-}" ] && [ "$loc" != plain ]; then
    log "$loc: ${IPR[$loc]} instructions per request ($((IPR[$loc] - IPR[plain])) over plain)"
  else
    log "$loc: ${IPR[$loc]} instructions per request"
  fi
done
