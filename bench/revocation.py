#!/usr/bin/env python3
"""The revocation section of `make bench` (issue 15): replicated denylists.

    python bench/revocation.py [--quick] [--revocations N] [--replicas K] [--seconds S]

Starts on 127.0.0.1 (free ports, everything stopped at the end): one
redis-server, K Python replica processes (cjwt.RedisStore(replica=True)) and
two nginx instances (1 worker each) whose cjwt.gateway follows the same feed
(denylist replica = true). Then:

- propagation: N revocations written one after the other by
  cjwt.RedisStore.revoke_jti; for each, the time until every Python replica
  answers is_revoked == True (each polls its memory every 0.2 ms) and until
  each gateway answers 401 (polled over HTTP); p50 / p99 / max per kind;
- checks per second from memory (is_revoked of a replica, one thread) next to
  RedisStore.is_revoked (one EXISTS round trip);
- gateway ratios (wrk, 1 thread, 16 connections, interleaved rounds): ES256
  verified and verified-token-cached locations with the replicated denylist,
  without a denylist, with the per-request Redis denylist, and no verification.

Prints "revocation KEY VALUE" lines and, with --json PATH, writes them as
JSON (bench/run.py reads them). Not a pass/fail test: the exit status says
whether the harness ran.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
pid {T}/nginx.pid;
error_log {T}/error.log warn;
load_module {MODDIR}/ndk_http_module.so;
load_module {MODDIR}/ngx_http_lua_module.so;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {T}/tmp/body;
    proxy_temp_path {T}/tmp/proxy;
    fastcgi_temp_path {T}/tmp/fastcgi;
    uwsgi_temp_path {T}/tmp/uwsgi;
    scgi_temp_path {T}/tmp/scgi;
    lua_package_path "{ROOT}/lua/?.lua;{ROOT}/lua/?/init.lua;/usr/share/lua/5.1/?.lua;;";
    lua_package_cpath "{ROOT}/build/luajit/?.so;;";
    lua_shared_dict cjwt_revocations 16m;
    init_worker_by_lua_block {{ require("cjwt.gateway").init_worker() }}
    init_by_lua_block {{
        local gateway = require "cjwt.gateway"
        local f = assert(io.open("{T}/es256.pub.pem"))
        local pem = f:read("*a")
        f:close()
        local redis = {{ host = "127.0.0.1", port = {REDIS_PORT}, timeout = 200 }}
        local function conf(denylist, cache)
            return {{ key = pem, algorithms = {{ "ES256" }}, audience = "api.example.com",
                     issuer = "https://auth.example.com", require = {{ "exp", "sub" }},
                     headers = {{ sub = "X-User-Id" }}, denylist = denylist, cache = cache }}
        end
        local rep = {{ redis = redis, prefix = "bench:", replica = true, max_lag = 2 }}
        local direct = {{ redis = redis, prefix = "bench:" }}
        gateway.configure("v_rep", conf(rep))
        gateway.configure("v_nd", conf(nil))
        gateway.configure("v_redis", conf(direct))
        gateway.configure("c_rep", conf(rep, 1024))
        gateway.configure("c_nd", conf(nil, 1024))
        gateway.configure("c_redis", conf(direct, 1024))
    }}
    upstream backend {{ server 127.0.0.1:{UPSTREAM}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{PORT};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Authorization "";
        location ~ ^/(v_rep|v_nd|v_redis|c_rep|c_nd|c_redis)$ {{
            set $conf $1;
            access_by_lua_block {{ require("cjwt.gateway").access(ngx.var.conf) }}
            proxy_pass http://backend;
        }}
        location = /plain {{ proxy_pass http://backend; }}
        # the cost of the replica's check (3 shared-dict reads) next to an
        # ES256 verification, in this worker: ns per call
        location = /_cost {{
            content_by_lua_block {{
                local gw = require("cjwt.gateway").configured.v_rep
                local rep = require("cjwt.replica")
                local f = gw.denylist.replica
                local token = ngx.var.http_x_token
                local jtis = {{}}
                for i = 1, 100 do jtis[i] = "jti-" .. i end
                local function time(n, fn)
                    ngx.update_time()
                    local t0 = ngx.now()
                    for i = 1, n do fn(i) end
                    ngx.update_time()
                    return (ngx.now() - t0) / n * 1e9
                end
                local check = time(300000, function(i) rep.check(f, jtis[i % 100 + 1], "fam") end)
                local verify = time(2000, function() gw.check:decode(token, gw.key) end)
                ngx.say(check, " ", verify)
            }}
        }}
    }}
    server {{
        listen 127.0.0.1:{UPSTREAM};
        location / {{ return 200 "ok\\n"; }}
    }}
}}
"""

# wrk rows: (location, label)
GW_ROWS = [("plain", "no verification"), ("v_nd", "verified, no denylist"),
           ("v_rep", "verified, replicated denylist"), ("v_redis", "verified, Redis per request"),
           ("c_nd", "cached, no denylist"), ("c_rep", "cached, replicated denylist"),
           ("c_redis", "cached, Redis per request")]


def log(*a):
    print("revocation:", *a, file=sys.stderr, flush=True)


def free_ports(n):
    import socket
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def replica_main(port, prefix, n):
    """A replica process: for i in 0..n-1, waits until j<i> is revoked and
    prints "i time_seen"."""
    import cjwt
    import redis
    r = cjwt.RedisStore(redis.Redis(port=port, socket_timeout=2), prefix=prefix, replica=True)
    print("ready", flush=True)
    for i in range(n):
        jti = "j%d" % i
        while True:
            try:
                if r.is_revoked(jti, None):
                    break
            except cjwt.RevocationUnavailableError:
                pass
            time.sleep(0.0002)
        print(i, repr(time.time()), flush=True)
    r.close()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def get(port, path, token):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def wrk(port, path, token, seconds):
    out = subprocess.run(["wrk", "-t1", "-c16", "-d%ds" % seconds, "--latency",
                          "-H", "Authorization: Bearer " + token,
                          "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = p99 = None
    non2xx = 0
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(parts[1])
        elif parts[:1] == ["99%"]:
            v = parts[1]
            p99 = float(v[:-2]) / 1000 if v.endswith("us") else (
                float(v[:-2]) if v.endswith("ms") else float(v[:-1]) * 1000)
        elif line.strip().startswith("Non-2xx"):
            non2xx = int(parts[-1])
    return rps, p99, non2xx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--revocations", type=int, default=300)
    ap.add_argument("--replicas", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--replica", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.replica:
        port, prefix, n = args.replica
        return replica_main(int(port), prefix, int(n))
    if args.quick:
        args.revocations, args.replicas, args.seconds, args.rounds = 50, 2, 1, 1

    import cjwt
    from redis_procs import RedisProc

    for exe in ("redis-server", "nginx", "wrk"):
        if not shutil.which(exe):
            raise SystemExit("revocation: %s not installed" % exe)
    moddir = os.environ.get("NGINX_MODULES", "/usr/lib/nginx/modules")
    results = {"conditions": "127.0.0.1, %d Python replica processes, 2 nginx instances "
               "(1 worker each), max_lag 2 s, %d revocations; wrk -t1 -c16 -d%ds, %d rounds "
               "interleaved, median; nproc %d" % (args.replicas, args.revocations, args.seconds,
                                                  args.rounds, os.cpu_count() or 0),
               "loadavg_start": os.getloadavg()[0]}
    T = tempfile.mkdtemp(prefix="cjwt-bench-rev-")
    procs, nginx = [], []
    redis_proc = RedisProc(appendonly=False)
    try:
        key = cjwt.Key.generate("ES256")
        with open(os.path.join(T, "es256.pub.pem"), "wb") as f:
            f.write(key.to_pem() if isinstance(key.to_pem(), bytes) else key.to_pem().encode())
        now = int(time.time())

        def token(jti):
            return cjwt.encode({"sub": "user-1", "iss": "https://auth.example.com",
                                "aud": "api.example.com", "iat": now, "exp": now + 3600,
                                "jti": jti}, key, algorithm="ES256")

        ports = []
        for k in range(2):
            d = os.path.join(T, "nginx%d" % k)
            os.makedirs(os.path.join(d, "tmp"))
            shutil.copy(os.path.join(T, "es256.pub.pem"), d)
            port, upstream = free_ports(2)
            with open(os.path.join(d, "nginx.conf"), "w") as f:
                f.write(("user root;\n" if os.getuid() == 0 else "") + NGINX_CONF.format(
                    T=d, MODDIR=moddir, ROOT=ROOT, REDIS_PORT=redis_proc.port, PORT=port,
                    UPSTREAM=upstream))
            nginx.append(subprocess.Popen(["nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"),
                                           "-e", os.path.join(d, "error.log")],
                                          start_new_session=True))
            ports.append(port)
        store = cjwt.RedisStore(redis_proc.client(), prefix="bench:")
        for i in range(args.replicas):
            procs.append(subprocess.Popen(
                [sys.executable, __file__, "--replica", str(redis_proc.port), "bench:",
                 str(args.revocations)], stdout=subprocess.PIPE, text=True,
                env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))))
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        probe = token("probe")
        deadline = time.monotonic() + 20
        for port in ports:
            while get(port, "/v_rep", probe) != 200:
                assert time.monotonic() < deadline, "gateway not ready"
                time.sleep(0.05)

        # ---- propagation
        log("propagation: %d revocations to %d Python replicas and 2 gateways"
            % (args.revocations, args.replicas))
        py_lat, gw_lat = [], []
        tokens = [token("j%d" % i) for i in range(args.revocations)]
        for i in range(args.revocations):
            t_w = time.time()
            store.revoke_jti("j%d" % i, now + 3600)
            for port in ports:
                while get(port, "/v_rep", tokens[i]) != 401:
                    pass
                gw_lat.append(time.time() - t_w)
            for p in procs:
                n, seen = p.stdout.readline().split()
                assert int(n) == i
                py_lat.append(float(seen) - t_w)
        for name, xs in (("python", py_lat), ("gateway", gw_lat)):
            results["propagation_%s_ms" % name] = {
                "p50": pct(xs, 50) * 1000, "p99": pct(xs, 99) * 1000, "max": max(xs) * 1000,
                "n": len(xs)}

        # ---- checks per second
        import redis as redis_py
        rep = cjwt.RedisStore(redis_py.Redis(port=redis_proc.port, socket_timeout=2),
                              prefix="bench:", replica=True)
        for name, s in (("replica", rep), ("redis", store)):
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < (0.5 if args.quick else 1.0):
                for j in range(100):
                    s.is_revoked("j%d" % j, "fam")
                n += 100
            results["checks_per_s_" + name] = n / (time.perf_counter() - t0)
        rep.close()

        # ---- the replica check's cost inside nginx
        req = urllib.request.Request("http://127.0.0.1:%d/_cost" % ports[0],
                                     headers={"X-Token": probe})
        costs = []
        for _ in range(3):
            with urllib.request.urlopen(req, timeout=60) as r:
                costs.append([float(x) for x in r.read().split()])
        results["gateway_check_ns"] = statistics.median(c[0] for c in costs)
        results["gateway_es256_verify_ns"] = statistics.median(c[1] for c in costs)

        # ---- gateway ratios
        live = token("live")
        samples = {loc: [] for loc, _ in GW_ROWS}
        for r in range(args.rounds):
            for loc, _ in GW_ROWS:
                rps, p99, non2xx = wrk(ports[0], "/" + loc, live, args.seconds)
                if non2xx:                # e.g. the per-request Redis lookup timing out
                    log("%d non-2xx answers at /%s" % (non2xx, loc))
                samples[loc].append((rps, p99, non2xx))
        gw = {}
        for loc, label in GW_ROWS:
            gw[loc] = {"label": label, "rps": statistics.median(s[0] for s in samples[loc]),
                       "p99_ms": statistics.median(s[1] for s in samples[loc]),
                       "non2xx": sum(s[2] for s in samples[loc])}
        results["gateway"] = gw
        for num, den in (("v_rep", "v_nd"), ("c_rep", "c_nd"), ("v_redis", "v_nd"),
                         ("c_redis", "c_nd")):
            results["ratio_%s/%s" % (num, den)] = gw[num]["rps"] / gw[den]["rps"]
            results["p99_ratio_%s/%s" % (num, den)] = gw[num]["p99_ms"] / gw[den]["p99_ms"]
        for port_dir in range(2):
            with open(os.path.join(T, "nginx%d" % port_dir, "error.log")) as f:
                errors = [ln for ln in f if "[error]" in ln]
            results["gateway%d_error_lines" % port_dir] = len(errors)
            if errors:
                results["gateway%d_first_error" % port_dir] = errors[0].strip()[:300]
    finally:
        for p in procs:
            p.kill()
            p.wait()
        for p in nginx:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        redis_proc.close()
        shutil.rmtree(T, ignore_errors=True)

    results["loadavg_end"] = os.getloadavg()[0]
    for k, v in results.items():
        print("revocation", k, json.dumps(v))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
