#!/usr/bin/env bash
# Gateway throughput (issue 8, part 4; docs/performance.md): wrk against
# Debian's nginx with cjwt.gateway (HS256 and ES256, static keys; each also
# with the verified-token cache on, cache = 1024, the same token on every
# request) vs the same proxying without verification. Besides wrk's rate it
# measures the nginx workers' CPU time (utime + stime from /proc/<pid>/stat,
# before and after each wrk run) per completed request: on a machine where wrk
# and nginx share the cores this is steadier than requests/s.
# Everything on 127.0.0.1 and free ports, from
# a temp prefix; every location proxies to a `return 200` server in the same
# nginx. nginx is stopped on exit, also on failure or Ctrl-C.
#
#   bench/gateway.sh [--quick] [--seconds N] [--workers "1 2"] [--rounds N] [--locations "..."]
#     --quick      1 s per location, one nginx worker count (the smoke check)
#     --seconds N  wrk duration per location (default 3)
#     --workers W  nginx worker counts to run (default "1 2", "1" on 1 core)
#     --rounds N   run every location N times, alternating (plain, HS256, ...,
#                  plain, HS256, ...), and report the medians (default 1)
#     --locations L  only these LOCs (default all; none is always run); also
#                  `empty` (an empty access_by_lua_block: ngx_lua's own cost, the
#                  floor of any Lua module) and `decode` (a bare verifier:decode of
#                  the token in access_by_lua), run only when named here
#     --baseline REF also run HS256 with lua/cjwt/gateway.lua as of the git ref
#                  REF (loaded under another module name in the same nginx,
#                  location HS256-base), for a before/after in the same run
#   WRK_THREADS (2), WRK_CONNECTIONS (32): the wrk load.
#
# Prints, on stdout, lines for bench/run.py's collector (LOC is none, HS256,
# ES256, HS256-cache, ES256-cache, and resty-HS256 / resty-ES256: the same
# checks with lua-resty-jwt, bench/resty_gateway.lua, when
# bench/install-peers.sh brought it into build/bench/resty):
#   gateway nginx-<N>w <LOC> rps <requests/s>
#   gateway nginx-<N>w <LOC> cpu_us <nginx worker CPU µs per request>
#   gateway nginx-<N>w <LOC other than none> ratio <verified rps / plain rps>
# (with --rounds N: the medians over the rounds; the ratio is the median of each
# round's ratio to plain, measured just before it in the same round)
# and a readable account on stderr. Any non-2xx answer under load is an error
# (a 401 is cheaper than a verify and would inflate the rate); the speed
# itself is never checked.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NGINX=${NGINX:-nginx}
MODDIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
PYTHON=${PYTHON:-python3}
THREADS=${WRK_THREADS:-2}
CONNS=${WRK_CONNECTIONS:-32}
CORES=$(nproc 2>/dev/null || echo 1)
SECONDS_PER=3
WORKERS="1 2"
[ "$CORES" -ge 2 ] || WORKERS="1"
QUICK=0
ROUNDS=1
ONLY=""
BASE=""
RESTY=$ROOT/build/bench/resty/lib
HAVE_RESTY=false
[ -f "$RESTY/resty/jwt.lua" ] && HAVE_RESTY=true
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1; SECONDS_PER=1; WORKERS=$([ "$CORES" -ge 2 ] && echo 2 || echo 1) ;;
    --seconds) SECONDS_PER=$2; shift ;;
    --workers) WORKERS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --locations) ONLY=$2; shift ;;
    --baseline) BASE=$2; shift ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    *) echo "gateway.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "gateway: $*" >&2; }
for cmd in "$NGINX" wrk curl; do
  command -v "$cmd" >/dev/null || { log "$cmd not installed (scripts/install-deps.sh)"; exit 1; }
done
[ -f "$MODDIR/ngx_http_lua_module.so" ] || { log "nginx Lua module not in $MODDIR"; exit 1; }
[ -f "$ROOT/build/luajit/cjwt/core.so" ] || { log "build/luajit/cjwt/core.so missing (make luajit)"; exit 1; }

T=$(mktemp -d /tmp/cjwt-gwbench.XXXXXX)
NGINX_PID=""
stop_nginx() {
  [ -n "$NGINX_PID" ] || return 0
  if kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true      # fast shutdown: the master stops its workers
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  kill -KILL -- "-$NGINX_PID" 2>/dev/null || true    # the whole group, should anything be left
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  stop_nginx
  if [ "$rc" -ne 0 ] && [ -s "$T/error.log" ]; then
    echo "--- nginx error.log (last 20 lines) ---" >&2; tail -n 20 "$T/error.log" >&2
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$ROOT/bench/gateway_common.sh"
gw_prepare

start_nginx() {   # WORKERS
  gw_conf on "$1" "$RESTY" "$HAVE_RESTY"
  setsid "$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/error.log" &
  NGINX_PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/plain" && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || { log "nginx exited at start"; return 1; }
    sleep 0.1
  done
  log "nginx did not listen on $PORT"; return 1
}

expect() {   # STATUS PATH [TOKEN]
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' ${3:+-H "Authorization: Bearer $3"} \
        "http://127.0.0.1:$PORT$2")
  [ "$got" = "$1" ] || { log "GET $2${3:+ (token)}: $got, expected $1"; exit 1; }
}

CLK_TCK=$(getconf CLK_TCK)

worker_ticks() {   # -> utime+stime (clock ticks) summed over the master's children
  local pids total=0 pid rest
  pids=$(pgrep -P "$NGINX_PID") || { log "no nginx workers under $NGINX_PID"; exit 1; }
  for pid in $pids; do
    # the fields after "(comm)": state is the 1st, utime the 12th, stime the 13th
    rest=$(sed 's/^.*) //' "/proc/$pid/stat") || { log "worker $pid gone"; exit 1; }
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

run_wrk() {   # PATH TOKEN -> "requests/s cpu_us_per_request" on stdout
  local out rps reqs t0 t1
  t0=$(worker_ticks)
  out=$(timeout $((SECONDS_PER + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_PER}s" \
        --timeout 2s -H "Authorization: Bearer $2" "http://127.0.0.1:$PORT$1") \
    || { log "wrk failed on $1"; echo "$out" >&2; exit 1; }
  t1=$(worker_ticks)
  if grep -q "Non-2xx" <<<"$out"; then
    log "non-2xx answers under load on $1:"; echo "$out" >&2; exit 1
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  reqs=$(awk '/ requests in / {print $1}' <<<"$out")
  [ -n "$rps" ] || { log "no Requests/sec from wrk on $1"; echo "$out" >&2; exit 1; }
  [ -n "$reqs" ] && [ "$reqs" -gt 0 ] || { log "no 'N requests in' from wrk on $1"; echo "$out" >&2; exit 1; }
  awk -v r="$rps" -v n="$reqs" -v d=$((t1 - t0)) -v hz="$CLK_TCK" \
    'BEGIN {printf "%s %.2f\n", r, d * 1e6 / hz / n}'
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

LOCS="none:/plain:HS HS256:/hs256:HS ES256:/es256:ES HS256-cache:/hs256-cache:HS ES256-cache:/es256-cache:ES"
if $HAVE_RESTY; then
  LOCS="$LOCS resty-HS256:/resty-hs256:HS resty-ES256:/resty-es256:ES"
else
  log "lua-resty-jwt not in build/bench/resty (bench/install-peers.sh): its locations are not run"
fi
$HAVE_BASE && LOCS="$LOCS HS256-base:/hs256-base:HS"
if [ -n "$ONLY" ]; then
  LOCS="$LOCS empty:/empty:HS decode:/decode:HS"
  $HAVE_BASE && ONLY="$ONLY HS256-base"
  sel=""
  for loc in $LOCS; do
    name=${loc%%:*}
    case " none $ONLY " in *" $name "*) sel="$sel $loc" ;; esac
  done
  LOCS=$sel
fi
NAMES=$(for loc in $LOCS; do echo "${loc%%:*}"; done)

log "wrk -t$THREADS -c$CONNS -d${SECONDS_PER}s per location on 127.0.0.1, $ROUNDS round(s); $CORES cores shared" \
    "by wrk and nginx; load average $(cut -d' ' -f1 /proc/loadavg)"
for w in $WORKERS; do
  start_nginx "$w"
  # The locations answer as they should before anything is timed.
  for p in /hs256 /hs256-cache /es256 /es256-cache; do expect 401 "$p"; done
  expect 200 /hs256 "$HS_TOKEN"; expect 200 /es256 "$ES_TOKEN"
  expect 401 /hs256 "$ES_TOKEN"; expect 401 /es256 "$HS_TOKEN"
  expect 200 /hs256-cache "$HS_TOKEN"; expect 200 /es256-cache "$ES_TOKEN"
  expect 401 /hs256-cache "$ES_TOKEN"; expect 401 /es256-cache "$HS_TOKEN"
  expect 200 /plain
  expect 200 /empty; expect 200 /decode "$HS_TOKEN"
  if $HAVE_BASE; then expect 401 /hs256-base; expect 200 /hs256-base "$HS_TOKEN"; fi
  if $HAVE_RESTY; then
    expect 401 /resty-hs256; expect 401 /resty-es256
    expect 200 /resty-hs256 "$HS_TOKEN"; expect 200 /resty-es256 "$ES_TOKEN"
    expect 401 /resty-hs256 "$ES_TOKEN"; expect 401 /resty-es256 "$HS_TOKEN"
  fi
  # Warm-up (connections, LuaJIT traces), not reported.
  wrk -t1 -c4 -d1s -H "Authorization: Bearer $HS_TOKEN" "http://127.0.0.1:$PORT/hs256" >/dev/null
  declare -A RPS=() CPU=() RAT=() RES=()
  for _ in $(seq "$ROUNDS"); do
    for loc in $LOCS; do
      IFS=: read -r name path tok <<<"$loc"
      [ "$tok" = HS ] && tok=$HS_TOKEN || tok=$ES_TOKEN
      read -r rps cpu <<<"$(run_wrk "$path" "$tok")"
      [ "$name" = none ] && round_plain=$rps
      # each location against plain of the same round (run just before it)
      RAT[$name]="${RAT[$name]:-} $(awk -v v="$rps" -v p="$round_plain" 'BEGIN {printf "%.4f", v / p}')"
      RPS[$name]="${RPS[$name]:-} $rps"; CPU[$name]="${CPU[$name]:-} $cpu"
    done
  done
  for name in $NAMES; do
    RES[$name]="$(median <<<"${RPS[$name]}") $(median <<<"${CPU[$name]}") $(median <<<"${RAT[$name]}")"
    [ "$ROUNDS" -gt 1 ] && log "$w worker(s): $name req/s:${RPS[$name]}; µs:${CPU[$name]}; vs plain:${RAT[$name]}"
  done
  # the cached locations were served from the cache (one worker's counters)
  for c in hs256c es256c; do
    log "$w worker(s): cache_stats($c) of one worker after the run: $(curl -s \
        "http://127.0.0.1:$PORT/_cache_stats?name=$c")"
  done
  stop_nginx
  read -r plain plain_cpu _ <<<"${RES[none]}"
  summary="plain $plain req/s ${plain_cpu} µs"
  printf 'gateway nginx-%sw none rps %s\n' "$w" "$plain"
  printf 'gateway nginx-%sw none cpu_us %s\n' "$w" "$plain_cpu"
  for name in $NAMES; do
    [ "$name" = none ] && continue
    read -r rps cpu ratio <<<"${RES[$name]}"
    ratio=$(awk -v r="$ratio" 'BEGIN {printf "%.3f", r}')
    printf 'gateway nginx-%sw %s rps %s\n' "$w" "$name" "$rps"
    printf 'gateway nginx-%sw %s ratio %s\n' "$w" "$name" "$ratio"
    printf 'gateway nginx-%sw %s cpu_us %s\n' "$w" "$name" "$cpu"
    summary="$summary, $name $rps ($ratio) $cpu µs"
  done
  log "$w worker(s): $summary (nginx worker CPU per request)"
done
