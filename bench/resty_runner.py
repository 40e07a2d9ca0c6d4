#!/usr/bin/env python3
"""The OpenResty peer runner (issue 20): lua-resty-jwt and cjwt, verify and
sign, inside one nginx worker (Debian's nginx and its LuaJIT, as cjwt.gateway
runs), on the reference access token (bench/nginx_verify.lua).

    python3 bench/resty_runner.py SECONDS [ALG ...]

Prints "lua-resty-jwt nginx ALG verify|sign ops_per_sec" and the same for
"cjwt-verifier nginx" (cjwt.verifier in the same worker), or "... n/a reason".
lua-resty-jwt comes from build/bench/resty/lib (bench/install-peers.sh); when
it is not there its lines say n/a with install-peers' reason, and the cjwt
lines are still measured. nginx runs from a temp prefix on a free 127.0.0.1
port and is stopped on exit.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "build")
RESTY_LIB = os.path.join(B, "bench", "resty", "lib")
STATUS = os.path.join(B, "bench", "peers-status.tsv")
KEYS = os.environ.get("BENCH_KEYS") or os.path.join(B, "bench", "keys")
MODDIR = os.environ.get("NGINX_MODULES", "/usr/lib/nginx/modules")
NGINX = os.environ.get("NGINX", "nginx")
ALGS = ["HS256", "RS256", "ES256", "EdDSA"]

CONF = """daemon off;
master_process off;
worker_processes 1;
pid {t}/nginx.pid;
error_log {t}/error.log warn;
load_module {mod}/ndk_http_module.so;
load_module {mod}/ngx_http_lua_module.so;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {t}/body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    lua_package_path "{root}/bench/?.lua;{resty}/?.lua;{resty}/?/init.lua;{root}/lua/?.lua;{root}/lua/?/init.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;";
    lua_package_cpath "{root}/build/luajit/?.so;;";
    server {{
        listen 127.0.0.1:{port};
        location = /run {{
            content_by_lua_block {{
                ngx.print(require("nginx_verify").run(ngx.var.arg_lib, ngx.var.arg_alg,
                                                      tonumber(ngx.var.arg_seconds), "{keys}"))
            }}
        }}
    }}
}}
"""


def resty_reason():
    try:
        with open(STATUS) as f:
            for line in f:
                name, _, reason = line.rstrip("\n").partition("\t")
                if name == "lua-resty-jwt" and reason != "ok":
                    return reason
    except OSError:
        pass
    return "not installed (make bench installs it: bench/install-peers.sh)"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    algs = sys.argv[2:] or ALGS
    libs = ["cjwt-verifier"]
    if os.path.exists(os.path.join(RESTY_LIB, "resty", "jwt.lua")):
        libs.insert(0, "lua-resty-jwt")
    else:
        why = resty_reason()
        for alg in algs:
            for op in ("verify", "sign"):
                print("lua-resty-jwt nginx %s %s n/a %s" % (alg, op, why))
    if not shutil.which(NGINX) or not os.path.exists(os.path.join(MODDIR, "ngx_http_lua_module.so")):
        for lib in libs:
            for alg in algs:
                for op in ("verify", "sign"):
                    print("%s nginx %s %s n/a nginx or its Lua module not installed" % (lib, alg, op))
        return 0
    t = tempfile.mkdtemp(prefix="cjwt-resty.")
    port = free_port()
    with open(os.path.join(t, "nginx.conf"), "w") as f:
        f.write(CONF.format(t=t, mod=MODDIR, root=ROOT, resty=RESTY_LIB, port=port, keys=KEYS))
    p = subprocess.Popen([NGINX, "-p", t, "-c", os.path.join(t, "nginx.conf"), "-e",
                          os.path.join(t, "error.log")], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if p.poll() is not None:
                    raise SystemExit("resty_runner: nginx exited at start: %s" % p.stderr.read().decode())
                time.sleep(0.1)
        for lib in libs:
            for alg in algs:
                url = "http://127.0.0.1:%d/run?lib=%s&alg=%s&seconds=%s" % (port, lib, alg, seconds)
                with urllib.request.urlopen(url, timeout=60 + 4 * seconds) as r:
                    sys.stdout.write(r.read().decode())
                sys.stdout.flush()
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
        log = os.path.join(t, "error.log")
        if os.path.exists(log):
            errs = [l for l in open(log, errors="replace") if "[error]" in l or "[alert]" in l]
            if errs:
                sys.stderr.write("resty_runner: nginx error.log:\n" + "".join(errs[-10:]))
        shutil.rmtree(t, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
