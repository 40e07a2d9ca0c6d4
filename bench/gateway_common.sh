# Sourced by bench/gateway.sh and bench/gateway_callgrind.sh: the setup both
# share. Expects ROOT, T (a fresh temp dir), PYTHON, BASE (a git ref or empty)
# and a log() function; MODDIR and NGINX are used by gw_conf's callers.

# Two free loopback ports, an ES256 key pair and one valid token per key
# (bench/gateway_tokens.py), the --baseline module, the user line.
# Sets PORT UPSTREAM_PORT HS_K HS_TOKEN ES_TOKEN HAVE_BASE USER_LINE.
gw_prepare() {
  mkdir -p "$T/tmp"
  read -r PORT UPSTREAM_PORT < <("$PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
)
  # the reference access token of bench/run.py, expiring in 2099
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/es256.pem" 2>/dev/null
  openssl pkey -in "$T/es256.pem" -pubout -out "$T/es256.pub.pem" 2>/dev/null
  read -r HS_K HS_TOKEN ES_TOKEN < <(PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}" \
    "$PYTHON" "$ROOT/bench/gateway_tokens.py" "$T")
  [ -n "$ES_TOKEN" ] || { log "bench/gateway_tokens.py made no tokens"; exit 1; }
  # --baseline: the gateway module of another commit, as cjwt_gateway_base
  HAVE_BASE=false
  if [ -n "$BASE" ]; then
    mkdir -p "$T/lua"
    git -C "$ROOT" show "$BASE:lua/cjwt/gateway.lua" > "$T/lua/cjwt_gateway_base.lua" \
      || { log "no lua/cjwt/gateway.lua at $BASE"; exit 1; }
    HAVE_BASE=true
  fi
  USER_LINE=""
  [ "$(id -u)" -eq 0 ] && USER_LINE="user root;"   # workers read the repo and the temp dir
  return 0
}

# Writes $T/nginx.conf from bench/gateway.nginx.conf.in and checks it.
gw_conf() {   # MASTER(on|off) WORKERS RESTY_LIB HAVE_RESTY(true|false)
  sed -e "s|@T@|$T|g" -e "s|@ROOT@|$ROOT|g" -e "s|@MODDIR@|$MODDIR|g" -e "s|@USER@|$USER_LINE|g" \
      -e "s|@MASTER@|$1|g" -e "s|@PORT@|$PORT|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" \
      -e "s|@WORKERS@|$2|g" -e "s|@HS_K@|$HS_K|g" -e "s|@RESTY@|$3|g" -e "s|@HAVE_RESTY@|$4|g" \
      -e "s|@HAVE_BASE@|$HAVE_BASE|g" "$ROOT/bench/gateway.nginx.conf.in" > "$T/nginx.conf"
  "$NGINX" -t -q -p "$T" -c "$T/nginx.conf" -e "$T/error.log"
}
