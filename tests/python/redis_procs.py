"""Real redis-server and redis-sentinel processes for the Redis tests
(tests/python/test_replica*.py, test_lifecycle*.py, tests/nginx): 127.0.0.1, free ports, a temp
dir, `appendonly yes` (a restart keeps every revocation). Each can be killed
(SIGKILL), stopped (SIGSTOP), resumed and restarted on the same port and dir.
Everything started is stopped by stop()/close(), also a stopped process."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

try:  # the fixture below is for pytest; bench/revocation.py imports RedisProc without it
    import pytest
except ImportError:
    pytest = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port, timeout=0.2):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _exe(name):
    exe = shutil.which(name)
    if not exe:
        raise RuntimeError(f"{name} not installed (scripts/install-deps.sh installs it)")
    return exe


class RedisProc:
    """One redis-server. `args`: extra arguments (e.g. ["--replicaof", ...])."""

    def __init__(self, *, appendonly=True, args=(), port=None, sentinel_conf=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="cjwt-redis-")
        self.appendonly = appendonly
        self.args = list(args)
        self.sentinel_conf = sentinel_conf
        self.proc = None
        self.start()

    def command(self):
        if self.sentinel_conf is not None:
            conf = os.path.join(self.dir, "sentinel.conf")
            with open(conf, "w") as f:
                f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n" + self.sentinel_conf)
            # redis-sentinel is redis-server in sentinel mode (Debian: package redis-sentinel)
            exe = shutil.which("redis-sentinel")
            return ([exe, conf] if exe else [_exe("redis-server"), conf, "--sentinel"]) + [
                "--logfile", os.path.join(self.dir, "redis.log")]
        return [_exe("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes" if self.appendonly else "no",
                "--appendfsync", "always", "--dir", self.dir, "--daemonize", "no",
                "--loglevel", "warning", "--logfile", os.path.join(self.dir, "redis.log")
                ] + self.args

    def start(self, timeout=10):
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not _ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis did not start: " + self.log())
            time.sleep(0.05)

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def client(self, **kwargs):
        import redis

        kwargs.setdefault("socket_timeout", 2)
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True, **kwargs)

    def kill(self):
        """SIGKILL: what a crash looks like (appendonly keeps what was written)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(10)

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def restart(self):
        self.kill()
        self.start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _redis_server():
    """A throwaway redis-server without persistence for a test module
    (import it into the module: `from redis_procs import redis_server`)."""
    server = RedisProc(appendonly=False)
    try:
        yield server
    finally:
        server.close()


if pytest is not None:
    redis_server = pytest.fixture(scope="module", name="redis_server")(_redis_server)


class SentinelSet:
    """A master, one replica of it and `n` sentinels watching them as
    `name` (quorum 1, down after 500 ms): kill the master and the replica
    is promoted within a few seconds."""

    def __init__(self, name="cjwt", n=1, ports=(None, None, None)):
        """ports: (master, replica, first sentinel), None for free ones."""
        self.name = name
        self.master = RedisProc(port=ports[0])
        self.replica = RedisProc(port=ports[1],
                                 args=["--replicaof", "127.0.0.1", str(self.master.port)])
        conf = (f"sentinel monitor {name} 127.0.0.1 {self.master.port} 1\n"
                f"sentinel down-after-milliseconds {name} 500\n"
                f"sentinel failover-timeout {name} 3000\n"
                f"sentinel parallel-syncs {name} 1\n")
        self.sentinels = [RedisProc(sentinel_conf=conf, port=ports[2] if i == 0 else None)
                          for i in range(n)]
        # the replica has caught up before anything is written
        deadline = time.monotonic() + 10
        r = self.replica.client()
        while r.info("replication").get("master_link_status") != "up":
            assert time.monotonic() < deadline, "replica did not sync"
            time.sleep(0.05)

    def addresses(self):
        return [("127.0.0.1", s.port) for s in self.sentinels]

    def sentinel(self, **kwargs):
        import redis.sentinel

        kwargs.setdefault("socket_timeout", 1)
        return redis.sentinel.Sentinel(self.addresses(), **kwargs)

    def master_port(self):
        host, port = self.sentinel().discover_master(self.name)
        return port

    def close(self):
        for p in self.sentinels + [self.replica, self.master]:
            p.close()
