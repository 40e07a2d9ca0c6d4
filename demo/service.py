#!/usr/bin/env python3
"""A demo backend service (orders or payments) behind the cjwt gateway.

It never sees or verifies a token: it trusts the identity headers the gateway
sets after verification (X-User-Id, X-User-Role, X-Scopes) and is reachable only
on 127.0.0.1, over HTTPS when given a certificate and key (the gateway
verifies it against the demo's throwaway CA).

    service.py NAME PORT [CERT KEY] It answers JSON echoing the identity it was given, and whether an
Authorization header reached it (the gateway strips it: it should not).
"""
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = sys.argv[1]
PORT = int(sys.argv[2])
DATA = {"orders": ["o-1001", "o-1002"], "payments": ["p-77"]}


class Handler(BaseHTTPRequestHandler):
    server_version = "cjwt-demo-" + NAME
    sys_version = ""
    timeout = 30          # seconds per connection (TLS handshake included)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        user = self.headers.get("X-User-Id")
        if not user:          # only reachable through the gateway, which always sets it
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
