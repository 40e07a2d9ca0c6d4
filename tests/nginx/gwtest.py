"""Helpers shared by the gateway tests (tests/nginx/test_*.py, run through
run.sh): the lifecycle key's TokenIssuer, the error log, publishing a JWKS
file, and a JWKS source that a test can stop."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

DIR = os.environ.get("CJWT_NGINX_DIR")
ISS, AUD = "https://auth.example.com", "api.example.com"


def lifecycle_issuer(store=None, **kwargs):
    """A TokenIssuer with the key the lifecycle configurations verify with
    (lifecycle.pem, made by make_fixtures.lua); `store`: its revocations."""
    import cjwt

    with open(os.path.join(DIR, "lifecycle.pem")) as f:
        key = cjwt.Key.from_pem(f.read())
    kwargs.setdefault("access_ttl", "15m")
    return cjwt.TokenIssuer(key, issuer=ISS, audience=AUD, store=store, **kwargs)


def error_log(since=0):
    """nginx's error.log from byte offset `since`."""
    with open(os.path.join(DIR, "error.log")) as f:
        f.seek(since)
        return f.read()


def error_log_size():
    return os.path.getsize(os.path.join(DIR, "error.log"))


def publish(name, target="jwks.json"):
    """Serves the fixture file `name` as www/`target`, replaced atomically."""
    tmp = os.path.join(DIR, "www", target + ".tmp")
    with open(os.path.join(DIR, name)) as f, open(tmp, "w") as out:
        out.write(f.read())
    os.replace(tmp, os.path.join(DIR, "www", target))


@contextlib.contextmanager
def jwks_source(port, log_name):
    """A `python3 -m http.server` serving DIR/bg on `port` (logging to
    DIR/log_name), up when the block starts; resumed (it may have been
    stopped with SIGSTOP) and killed when it ends. Yields the process."""
    log = open(os.path.join(DIR, log_name), "w")
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", os.path.join(DIR, "bg")],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert proc.poll() is None, "JWKS server exited"
                assert time.monotonic() < deadline, "JWKS server did not start"
                time.sleep(0.05)
        yield proc
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.kill()
        proc.wait(5)
        log.close()
