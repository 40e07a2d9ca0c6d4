#!/usr/bin/env python3
"""A demo backend service (orders or payments) behind the cjwt gateway.

It never sees or verifies a token: it trusts the identity headers the gateway
sets after verification (X-User-Id, X-User-Role, X-Scopes) and is reachable only
on 127.0.0.1, over HTTPS when given a certificate and key (the gateway
verifies it against the demo's throwaway CA).

    service.py NAME PORT [CERT KEY [REDIS_PORT PREFIX]]

It answers JSON echoing the identity it was given, and whether an
Authorization header reached it (the gateway strips it: it should not).

With a Redis port and prefix (argv 5 and 6) it also holds a replica of the
revocation denylist (cjwt.RedisStore(replica=True), issue 15) and refuses a
request whose X-Token-Id / X-Token-Family the gateway forwarded is revoked
(defence in depth); GET /_replica?jti=...&fid=... (not reachable through the
gateway, which only forwards /orders/ and /payments/) answers what the replica
says, for the walk-through.
"""
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = sys.argv[1]
PORT = int(sys.argv[2])
DATA = {"orders": ["o-1001", "o-1002"], "payments": ["p-77"]}
STORE = None
if len(sys.argv) > 6:
    import cjwt
    import redis

    STORE = cjwt.RedisStore(redis.Redis(host="127.0.0.1", port=int(sys.argv[5]), socket_timeout=2),
                            prefix=sys.argv[6], replica=True, max_lag=2.0)


def revoked(jti, fid):
    """True/False from the replica's memory; None when it cannot answer (fail closed)."""
    import cjwt

    try:
        return STORE.is_revoked(jti, fid or None)
    except cjwt.RevocationUnavailableError:
        return None


class Handler(BaseHTTPRequestHandler):
    server_version = "cjwt-demo-" + NAME
    sys_version = ""
    timeout = 30          # seconds per connection (TLS handshake included)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        user = self.headers.get("X-User-Id")
        jti = self.headers.get("X-Token-Id")
        if STORE is not None and self.path.startswith("/_replica"):
            from urllib.parse import parse_qs, urlsplit

            q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            status, body = 200, {"service": NAME, "replica": STORE.replica_status(),
                                 "revoked": revoked(q.get("jti", ""), q.get("fid"))}
        elif STORE is not None and jti and revoked(jti, self.headers.get("X-Token-Family")) is not False:
            r = revoked(jti, self.headers.get("X-Token-Family"))
            status, body = (401, {"error": "token revoked"}) if r else (
                503, {"error": "revocation replica unavailable"})
        elif not user:          # only reachable through the gateway, which always sets it
            status, body = 403, {"error": "no identity from the gateway"}
        else:
            status, body = 200, {
                "service": NAME,
                "identity": {"user": user, "role": self.headers.get("X-User-Role"),
                             "scopes": self.headers.get("X-Scopes")},
                "token_seen": "Authorization" in self.headers,
                NAME: DATA.get(NAME, []),
            }
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    srv.daemon_threads = True
    if len(sys.argv) > 4:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        # The handshake runs in the connection's own thread (at its first
        # read), not in accept(): a client that never speaks blocks no one.
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
