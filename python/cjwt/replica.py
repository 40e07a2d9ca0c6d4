"""A live in-memory replica of a RedisStore's revocations (docs/lifecycle.md,
"Replicas"): ``cjwt.RedisStore(client, prefix=..., replica=True, max_lag=2.0)``.

A background thread loads the live entries (``SCAN`` of
``{prefix}revoked:*`` with their ``PTTL``), then follows the feed
``{prefix}revocations`` (a Redis Stream, written by every RedisStore in the
same script as the key) with ``XREAD BLOCK``. ``is_revoked`` answers from
memory, without a Redis round trip.

Bounded staleness: a check raises ``RevocationUnavailableError`` (fail
closed, never "not revoked") when the thread has not heard from Redis for
``max_lag`` seconds. Every ``XREAD`` returns within ``max_lag / 4`` (an
empty answer is a heartbeat), so a healthy replica is never more than that
behind plus the network.

Resync: after an error the thread reconnects; it continues from its feed
position only when the stream still holds the entry it read last (same
history, nothing trimmed in between); otherwise (Redis restarted without
the stream, a failover to a replica that had not seen the tail, the entry
trimmed during a long outage) it loads every live key again. Entries are
merged by keeping the later expiry, so nothing is lost and nothing is held
twice; entries a reload does not find are kept until they expire (a Redis
that lost data does not un-revoke a token here).

Thread-safe; after ``os.fork()`` the child gets its own lock and thread
(started at its first use), with the parent's entries.

Logging (logger ``cjwt.replica``), by state change, never per check: the
thread logs a WARNING when it loses Redis and an INFO line when it is in
sync again; the checks log an ERROR when they start failing closed, at most
one summary per ``LOG_INTERVAL`` seconds while they do (how many were
refused), and a WARNING when they answer again. ``status()["refused"]``
counts the refused checks.
"""
import logging
import os
import threading
import time
import weakref

from .exceptions import RevocationUnavailableError

__all__ = ["Follower"]

log = logging.getLogger("cjwt.replica")

_FOLLOWERS = weakref.WeakSet()


def _after_fork_in_child():
    for f in list(_FOLLOWERS):
        f._reinit_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _text(v):
    return v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else v


def _sid(stream_id):
    """A stream id "ms-seq" as a comparable tuple."""
    ms, _, seq = _text(stream_id).partition("-")
    return int(ms), int(seq or 0)


def _glob_escape(s):
    return "".join("\\" + c if c in "*?[]\\" else c for c in s)


class Follower:
    """The replica behind ``RedisStore(..., replica=True)``."""

    _SCAN_BATCH = 1000
    _SWEEP_EVERY = 1.0
    LOG_INTERVAL = 10.0     # s between two summaries of refused checks

    def __init__(self, client, prefix, *, max_lag=2.0):
        if isinstance(max_lag, bool) or not isinstance(max_lag, (int, float)) or not max_lag > 0:
            raise ValueError("max_lag must be a positive number of seconds")
        if getattr(client, "connection_pool", None) is None:
            raise ValueError("replica=True needs a client with one connection pool, e.g. "
                             "redis.Redis or Sentinel.master_for(...); for Redis Cluster, a "
                             "redis.Redis connected to the node that owns the feed's slot "
                             "(a hash-tag prefix such as \"{cjwt}:\"), not RedisCluster")
        kwargs = getattr(client.connection_pool, "connection_kwargs", {})
        timeout = kwargs.get("socket_timeout")
        if timeout is None:
            raise ValueError("replica=True needs a client with a socket_timeout (seconds), e.g. "
                             "redis.Redis(..., socket_timeout=5): a Redis that stops answering "
                             "must not hang the replica's thread")
        self.client = client
        self.prefix = prefix
        self.feed = f"{prefix}revocations"
        self.max_lag = float(max_lag)
        self._block_ms = max(10, int(min(self.max_lag / 4, timeout / 2) * 1000))
        self._jti = {}          # id -> expiry (time.time())
        self._fid = {}
        self._last_id = None    # feed position (str), None before the first load
        self._last_ok = None    # time.monotonic() of Redis's last answer
        self._synced = False
        self._closed = False
        self._resyncs = 0       # full loads
        self._error = None
        self._lost = False      # the thread logged losing Redis
        self._refused = 0       # checks refused (fail closed), ever
        self._outage = None     # [since, next summary, refused in this window, in all]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = None
        _FOLLOWERS.add(self)
        self._start()
        self._ready.wait(self.max_lag)     # the first load, if Redis answers in time

    # ---- the thread ---------------------------------------------------------

    def _start(self):
        with self._lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._run, name="cjwt-replica", daemon=True)
            self._thread.start()

    def _reinit_after_fork(self):
        # The parent's thread does not exist here and its lock may be held.
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = None

    def _connection(self):
        # One connection of the client's pool (a Sentinel pool: the current
        # master), used without the client's retries: a dropped connection is
        # an error here, and every new connection starts with a resync.
        pool = self.client.connection_pool
        try:
            return pool.get_connection()
        except TypeError:                    # redis-py < 5 wants a command name
            return pool.get_connection("XREAD")

    def _run(self):
        stop = self._stop
        backoff = 0.02
        next_sweep = 0.0
        conn = None
        while not stop.is_set():
            try:
                if conn is None:
                    conn = self._connection()
                    self._synced = False
                if not self._synced:
                    self._sync(conn)
                    self._ready.set()
                    if self._lost:
                        self._lost = False
                        log.info("revocation replica %s: in sync with Redis again", self.feed)
                conn.send_command("XREAD", "COUNT", 1000, "BLOCK", self._block_ms,
                                  "STREAMS", self.feed, self._last_id)
                answer = conn.read_response()
                if isinstance(answer, dict):          # RESP3: a map stream -> entries
                    answer = list(answer.items())
                entries = answer[0][1] if answer else []
                now = time.time()
                with self._lock:
                    for sid, fields in entries:
                        self._apply(sid, fields)
                        self._last_id = _text(sid)
                    self._last_ok = time.monotonic()
                    if now >= next_sweep:
                        self._sweep(now)
                        next_sweep = now + self._SWEEP_EVERY
                backoff = 0.02
            except Exception as e:     # redis.RedisError, OSError, a bad answer: reconnect
                conn = self._drop(conn)
                if stop.is_set():
                    break
                with self._lock:
                    self._synced = False
                    self._error = f"{type(e).__name__}: {e}"
                    first = not self._lost
                    self._lost = True
                if first:
                    log.warning("revocation replica %s: lost Redis (%s); reconnecting, checks "
                                "fail closed once it has not answered for %g s",
                                self.feed, self._error, self.max_lag)
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_lag / 4)
        self._drop(conn)

    def _drop(self, conn):
        """Closes the thread's connection (if any) and gives it back: None."""
        if conn is not None:
            try:
                conn.disconnect()
                self.client.connection_pool.release(conn)
            except Exception:
                pass
        return None

    def _apply(self, sid, fields):
        f = {_text(k): _text(v) for k, v in (fields.items() if isinstance(fields, dict)
                                             else zip(fields[::2], fields[1::2]))}
        kind, ident = f.get("k"), f.get("id")
        try:
            ttl = float(f.get("ttl"))
        except (TypeError, ValueError):
            return
        table = self._jti if kind == "jti" else self._fid if kind == "fid" else None
        if table is None or ident is None:
            return
        exp = _sid(sid)[0] / 1000.0 + ttl       # the entry's stream id is Redis's time
        if exp > table.get(ident, 0):
            table[ident] = exp

    @staticmethod
    def _cmd(conn, *args):
        conn.send_command(*args)
        return conn.read_response()

    def _continuous(self, conn, last):
        """True when the feed still holds our position with the same history."""
        if self._last_id is None or last is None or _sid(last) < _sid(self._last_id):
            return False
        return bool(self._cmd(conn, "XRANGE", self.feed, self._last_id, self._last_id,
                              "COUNT", 1))

    def _sync(self, conn):
        info = None
        try:
            info = self._cmd(conn, "XINFO", "STREAM", self.feed)
        except Exception as e:
            if "no such key" not in str(e).lower():
                raise
        # the feed position first, then the keys: a revocation written in
        # between is read twice (merged), never missed
        last = None
        if info:
            if isinstance(info, dict):
                last = info.get("last-generated-id", info.get(b"last-generated-id"))
            else:
                fields = dict(zip((_text(k) for k in info[::2]), info[1::2]))
                last = fields.get("last-generated-id")
            last = _text(last) if last is not None else None
        if self._continuous(conn, last):
            with self._lock:
                self._synced = True
                self._last_ok = time.monotonic()
                self._error = None
            return
        loaded = []
        pattern = _glob_escape(self.prefix) + "revoked:*"
        plen = len(self.prefix) + len("revoked:")
        cursor = "0"
        while True:
            cursor, keys = self._cmd(conn, "SCAN", cursor, "MATCH", pattern,
                                     "COUNT", self._SCAN_BATCH)
            keys = [_text(k) for k in keys]
            if keys:
                conn.send_packed_command(conn.pack_commands([("PTTL", k) for k in keys]))
                ttls = [conn.read_response() for _ in keys]
                now = time.time()
                for k, pttl in zip(keys, ttls):
                    if pttl == -2:
                        continue                          # expired meanwhile
                    kind, _, ident = k[plen:].partition(":")
                    exp = float("inf") if pttl < 0 else now + pttl / 1000.0
                    loaded.append((kind, ident, exp))
            if _text(cursor) == "0":
                break
        with self._lock:
            for kind, ident, exp in loaded:
                table = self._jti if kind == "jti" else self._fid if kind == "fid" else None
                if table is not None and exp > table.get(ident, 0):
                    table[ident] = exp
            self._last_id = last or "0-0"
            self._synced = True
            self._resyncs += 1
            self._last_ok = time.monotonic()
            self._error = None

    def _sweep(self, now):
        for table in (self._jti, self._fid):
            for k in [k for k, exp in table.items() if exp <= now]:
                del table[k]

    # ---- the store's side ---------------------------------------------------

    def add(self, kind, ident, ttl):
        exp = time.time() + ttl
        table = self._jti if kind == "jti" else self._fid
        with self._lock:
            if exp > table.get(ident, 0):
                table[ident] = exp

    def is_revoked(self, jti, fid):
        if self._thread is None:
            self._start()                     # first use after a fork
        with self._lock:
            last_ok = self._last_ok
            if self._closed or last_ok is None or time.monotonic() - last_ok > self.max_lag:
                msg = self._unavailable(last_ok)
                line = None if self._closed else self._count_refused(msg)
            else:
                msg = None
                line = self._outage_ended() if self._outage is not None else None
                now = time.time()
                exp = self._jti.get(jti)
                revoked = exp is not None and exp > now
                if not revoked and fid is not None:
                    exp = self._fid.get(fid)
                    revoked = exp is not None and exp > now
        if line is not None:
            log.log(*line)                    # outside the lock
        if msg is not None:
            raise RevocationUnavailableError(msg)
        return revoked

    def _count_refused(self, msg):
        """A refused check (lock held): the log line to write, if any."""
        now = time.monotonic()
        self._refused += 1
        o = self._outage
        if o is None:
            self._outage = [now, now + self.LOG_INTERVAL, 0, 1]
            return (logging.ERROR, "revocation replica %s: checks refused (fail closed): %s "
                    "(logged once; a summary every %g s until it answers)",
                    self.feed, msg, self.LOG_INTERVAL)
        o[2] += 1
        o[3] += 1
        if now < o[1]:
            return None
        line = (logging.ERROR, "revocation replica %s: still refusing after %.1f s: %d checks "
                "refused (fail closed) in the last %.1f s: %s", self.feed, now - o[0], o[2],
                now - o[1] + self.LOG_INTERVAL, msg)
        o[1], o[2] = now + self.LOG_INTERVAL, 0
        return line

    def _outage_ended(self):
        o, self._outage = self._outage, None
        return (logging.WARNING, "revocation replica %s: answering again after %.1f s; %d checks "
                "were refused (fail closed) meanwhile", self.feed, time.monotonic() - o[0], o[3])

    def _unavailable(self, last_ok):
        if self._closed:
            return "The revocation replica is closed"
        if last_ok is None:
            why = "has not loaded the revocations yet"
        else:
            why = "has not heard from Redis for %.1f s (max_lag %.1f s)" % (
                time.monotonic() - last_ok, self.max_lag)
        return "The revocation replica " + why + (
            f"; last error: {self._error}" if self._error else "")

    def status(self):
        if self._thread is None:
            self._start()
        with self._lock:
            now = time.time()
            entries = sum(1 for t in (self._jti, self._fid) for exp in t.values() if exp > now)
            lag = None if self._last_ok is None else time.monotonic() - self._last_ok
            return {"healthy": not self._closed and lag is not None and lag <= self.max_lag,
                    "entries": entries, "lag": lag, "max_lag": self.max_lag,
                    "synced": self._synced, "last_id": self._last_id,
                    "resyncs": self._resyncs, "error": self._error, "refused": self._refused}

    def close(self):
        with self._lock:
            self._closed = True
            thread = self._thread
        self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(self._block_ms / 1000.0 + 5)
