# Shell helpers for the scripts that start servers on loopback
# (tests/nginx/run.sh, demo/run.sh). Source it: . "$ROOT/scripts/proclib.sh"

# proc_wait_port PORT PID NAME: waits (10 s at most) until 127.0.0.1:PORT
# accepts connections. Returns 1 with a message when process PID exits first
# or the port stays closed.
proc_wait_port() {
  local port=$1 pid=$2 name=$3
  for _ in $(seq 100); do
    "${PYTHON:-python3}" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" \
      2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$name exited at start"; return 1; }
    sleep 0.1
  done
  echo "$name did not listen on $port"; return 1
}

# proc_stop PID [group]: stops process PID: SIGCONT (it may have been
# stopped), SIGTERM, then after 5 s SIGKILL (to its whole process group with
# "group": nginx's workers too).
proc_stop() {
  local pid=$1 group=${2:-}
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  if [ -n "$group" ]; then kill -KILL -- "-$pid" 2>/dev/null || true
  else kill -KILL "$pid" 2>/dev/null || true; fi
}
