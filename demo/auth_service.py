#!/usr/bin/env python3
"""The demo's auth service: issues, refreshes and revokes tokens with cjwt.

Two HTTP servers in one process, both on 127.0.0.1:

public port (the gateway proxies /auth/* here, and fetches the JWKS from it)
    POST /login          {"username", "password"} -> 200 {"access_token", ...}
                         + Set-Cookie: refresh_token=...; HttpOnly; Secure;
                           SameSite=Strict; Path=/auth
    POST /refresh        refresh token from the cookie -> a new pair (rotation);
                         a refresh token used twice revokes its whole family
    POST /logout         the refresh cookie and/or Authorization: Bearer <access
                         token> -> the access token's jti and the family are
                         revoked (the gateway refuses them at once), cookie cleared
    GET  /.well-known/jwks.json   public keys only
    The three POSTs are refused (403 "csrf") unless the request's Origin header
    is one of --allowed-origin (the gateway's own https origin): SameSite keeps
    the cookie off cross-site requests, the Origin check also refuses
    cross-origin requests from the same site (another port, a sibling
    subdomain) and requests from no browser origin at all (docs/lifecycle.md).

admin port (loopback only, never proxied by the gateway)
    POST /admin/rotate        a new ES256 signing key with a new kid; the old one
                              stays in the JWKS for verification
    POST /admin/retire-old    drop the previous keys from the JWKS (done
                              automatically once their longest access token expired)
    POST /admin/mint-expired  {"sub"}: an access token signed by the current key,
                              issued an hour ago, expired 45 minutes ago
    GET  /admin/keys          which kids sign, which are published
    POST /admin/clock         {"offset": seconds}: the issuer's test clock (new
                              tokens are issued as if it were now + offset)

Both ports speak HTTPS when given --tls-cert/--tls-key (demo/run.sh does).

DEMO_WEAKEN (environment, comma-separated; the browser tests' "fails if" proofs
only, never in a real run): "cookie-httponly" sends the refresh cookie without
HttpOnly, "origin-check" accepts any Origin. The service says so at start.

Tokens come from cjwt.TokenIssuer (issue 6) over a cjwt.RedisStore shared with
the gateway's denylist. If that API is not in the cjwt being run, the
service still starts but every token endpoint answers 501 naming what is
missing: the demo then fails at that step instead of faking it.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cjwt

LIFECYCLE_API = ("TokenIssuer", "RedisStore", "refresh_cookie")
MISSING = [name for name in LIFECYCLE_API if not hasattr(cjwt, name)]
ACCESS_TTL = "15m"
ACCESS_TTL_S = 15 * 60
REFRESH_TTL = "7d"
REFRESH_COOKIE = "refresh_token"
LEEWAY = 5                      # the gateway's leeway: retire a key this much later
WEAKEN = {w for w in os.environ.get("DEMO_WEAKEN", "").split(",") if w}
KNOWN_WEAKEN = {"cookie-httponly", "origin-check"}


class Users:
    """Demo users: scrypt hashes with per-user salts (demo/users.json), never passwords."""

    def __init__(self, path):
        with open(path) as f:
            data = json.load(f)
        self.params = data["scrypt"]
        self.users = data["users"]
        # An unknown user costs one scrypt too, so timing does not tell who exists.
        self.dummy = {"salt": base64.b64encode(b"\0" * 16).decode(), "scrypt": "", "role": None}

    def check(self, username, password):
        user = self.users.get(username) if isinstance(username, str) else None
        rec = user or self.dummy
        p = self.params
        got = hashlib.scrypt(str(password).encode(), salt=base64.b64decode(rec["salt"]),
                             n=p["n"], r=p["r"], p=p["p"], dklen=p["dklen"])
        ok = hmac.compare_digest(got, base64.b64decode(rec["scrypt"]))
        return user if (user and ok) else None


class Keys:
    """Signing keys by kid: one signs, older ones stay published until their
    access tokens have expired, then are retired (kept privately a while longer
    only so that refresh tokens they signed can still be checked). One
    TokenIssuer signs with the newest key and verifies with all of them
    (verify_keys), so a session refreshed after a rotation moves to the new key."""

    def __init__(self, make_issuer):
        self.lock = threading.Lock()
        self.make_issuer = make_issuer
        self.n = 0
        self.keys = {}           # kid -> Key (private)
        self.current_issuer = None
        self.published = []      # kids in the JWKS, newest last
        self.current = None
        self.rotate()

    def rotate(self):
        with self.lock:
            self.n += 1
            key = cjwt.Key.generate("ES256")
            kid = "demo-%d-%s" % (self.n, key.thumbprint()[:8])
            key = key.with_kid(kid)
            self.keys[kid] = key
            if self.make_issuer:
                self.current_issuer = self.make_issuer(key, cjwt.KeySet(list(self.keys.values())))
            self.published.append(kid)
            old = self.current
            self.current = kid
        if old:
            # Automatic retirement once every access token the old key signed has expired.
            t = threading.Timer(ACCESS_TTL_S + LEEWAY, self.retire, args=([old],))
            t.daemon = True
            t.start()
        return kid

    def retire(self, kids=None):
        with self.lock:
            kids = [k for k in (kids or self.published) if k != self.current]
            self.published = [k for k in self.published if k not in kids]
            return kids

    def jwks(self):
        with self.lock:
            return {"keys": [self.keys[k].to_jwk(private=False) for k in self.published]}

    def keyset(self):
        return cjwt.KeySet.from_jwks(self.jwks())

    def issuer(self):
        """The issuer: signs with the newest key, verifies with every key we made."""
        with self.lock:
            return self.current_issuer


class AuthService:
    def __init__(self, args):
        self.args = args
        self.users = Users(args.users)
        self.store = None
        if not MISSING:
            import redis
            client = redis.Redis(host="127.0.0.1", port=args.redis_port)
            client.ping()
            # grace: a revocation outlives its token by the gateway's leeway.
            self.store = cjwt.RedisStore(client, prefix=args.prefix, grace=LEEWAY)
        self.clock_offset = 0           # the test clock (POST /admin/clock)
        self.keys = Keys(self.make_issuer if not MISSING else None)

    def clock(self):
        return time.time() + self.clock_offset

    def make_issuer(self, key, verify_keys):
        return cjwt.TokenIssuer(key, issuer=self.args.issuer, audience=self.args.audience,
                                access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL, store=self.store,
                                verify_keys=verify_keys, clock=self.clock)

    def verify_access(self, token):
        return cjwt.decode(token, self.keys.keyset(), algorithms=["ES256"], typ="at+jwt",
                           audience=self.args.audience, issuer=self.args.issuer, leeway=LEEWAY)

    def pair_response(self, pair):
        body = {"access_token": pair.access_token, "token_type": "Bearer",
                "expires_in": pair.expires_in}
        cookie = cjwt.refresh_cookie(pair.refresh_token, max_age=pair.refresh_expires_in,
                                     path="/auth", name=REFRESH_COOKIE)
        if "cookie-httponly" in WEAKEN:          # the "fails if" proof only
            cookie = cookie.replace("; HttpOnly", "")
        return 200, body, [("Set-Cookie", cookie)]

    def csrf_refusal(self, handler):
        """None if the request may use the cookie endpoints, else the 403 answer.

        The Origin header names the page that made the request; a browser
        sets it on every POST and a page cannot change it. Only the gateway's
        own origin(s) may log in, refresh or log out: a form or fetch() from any
        other origin is refused before the cookie is even read, whether the
        browser attached the cookie (same site, other origin) or not."""
        if "origin-check" in WEAKEN:             # the "fails if" proof only
            return None
        origin = handler.headers.get("Origin")
        if origin in self.args.allowed_origin:
            return None
        detail = ("no Origin header: only a page of %s may call this endpoint"
                  % " or ".join(self.args.allowed_origin)) if origin is None else \
            ("cross-origin request from %s refused: only a page of %s may call this endpoint"
             % (origin, " or ".join(self.args.allowed_origin)))
        handler.log_message("csrf: refused %s from Origin %r", handler.path, origin)
        return 403, {"error": "csrf", "detail": detail}, []


def not_implemented():
    return 501, {"error": "not_implemented",
                 "detail": "this cjwt has no %s (the token lifecycle API, issue 6)"
                           % ", ".join("cjwt." + m for m in MISSING)}, []


def bearer(handler):
    auth = handler.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def cookie(handler, name):
    for part in handler.headers.get("Cookie", "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name and v:
            return v
    return None


def clear_cookie():
    return ("Set-Cookie", cjwt.refresh_cookie("", max_age=0, path="/auth", name=REFRESH_COOKIE))


class Handler(BaseHTTPRequestHandler):
    server_version = "cjwt-demo-auth"
    sys_version = ""
    timeout = 30          # seconds per connection (TLS handshake included)
    svc = None           # AuthService
    routes = {}          # (method, path) -> method name

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 64 * 1024:
            return None
        try:
            v = json.loads(self.rfile.read(n) or b"{}")
            return v if isinstance(v, dict) else None
        except ValueError:
            return None

    def send(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def dispatch(self, method):
        name = self.routes.get((method, self.path.split("?")[0]))
        if not name:
            return self.send(404, {"error": "not_found"})
        try:
            self.send(*getattr(self, name)())
        except Exception as e:          # a bug in the demo: say so, never hang
            self.log_message("error in %s: %r", name, e)
            self.send(500, {"error": "internal", "detail": repr(e)})

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")


class PublicHandler(Handler):
    def dispatch(self, method):
        # Every POST here reads or sets the refresh cookie: same-origin pages only.
        if method == "POST" and (method, self.path.split("?")[0]) in self.routes:
            refused = self.svc.csrf_refusal(self)
            if refused:
                return self.send(*refused)
        super().dispatch(method)

    routes = {("POST", "/login"): "login", ("POST", "/refresh"): "refresh",
              ("POST", "/logout"): "logout", ("GET", "/.well-known/jwks.json"): "jwks"}

    def jwks(self):
        return 200, self.svc.keys.jwks(), [("Cache-Control", "max-age=60")]

    def login(self):
        body = self.body_json()
        if body is None:
            return 400, {"error": "invalid_request"}, []
        user = self.svc.users.check(body.get("username"), body.get("password", ""))
        if not user:
            return 401, {"error": "invalid_grant", "detail": "wrong username or password"}, []
        if MISSING:
            return not_implemented()
        pair = self.svc.keys.issuer().issue(body["username"],
                                            claims={"role": user["role"], "scope": user["scope"]})
        return self.svc.pair_response(pair)

    def refresh(self):
        if MISSING:
            return not_implemented()
        rt = cookie(self, REFRESH_COOKIE)
        if not rt:
            return 401, {"error": "invalid_grant", "detail": "no refresh token cookie"}, []
        try:
            pair = self.svc.keys.issuer().refresh(rt)
        except cjwt.RevokedTokenError as e:
            return 401, {"error": "invalid_grant", "code": e.code,
                         "detail": "refresh token revoked or reused; its family is revoked"}, \
                [clear_cookie()]
        except cjwt.PyJWTError as e:
            return 401, {"error": "invalid_grant", "code": getattr(e, "code", None),
                         "detail": str(e)}, [clear_cookie()]
        return self.svc.pair_response(pair)

    def logout(self):
        """Revokes the session named by the access token (Authorization), the
        refresh cookie, or both: the access token's jti and the family. The
        cookie is cleared in every case."""
        if MISSING:
            return not_implemented()
        at, rt = bearer(self), cookie(self, REFRESH_COOKIE)
        if not at and not rt:
            return 401, {"error": "invalid_request",
                         "detail": "neither a refresh token cookie nor Authorization: Bearer"}, \
                [clear_cookie()]
        issuer = self.svc.keys.issuer()
        revoked, errors = {}, []
        if at:
            try:
                claims = self.svc.verify_access(at)
                issuer.revoke(at)                       # this access token's jti
                issuer.revoke_family(claims["fid"])     # and every token of the session
                revoked.update(jti=claims["jti"], fid=claims["fid"])
            except cjwt.PyJWTError as e:
                errors.append("access token: %s (%s)" % (e, e.code))
        if rt:
            try:
                claims = issuer.revoke(rt, family=True)  # None: expired anyway
                if claims:
                    revoked.setdefault("fid", claims["fid"])
            except cjwt.PyJWTError as e:
                errors.append("refresh token: %s (%s)" % (e, getattr(e, "code", None)))
        if not revoked:
            return 401, {"error": "invalid_token", "detail": "; ".join(errors)
                         or "the session has expired"}, [clear_cookie()]
        return 200, {"revoked": revoked}, [clear_cookie()]


class AdminHandler(Handler):
    routes = {("POST", "/admin/rotate"): "rotate", ("POST", "/admin/retire-old"): "retire",
              ("POST", "/admin/mint-expired"): "mint_expired", ("GET", "/admin/keys"): "status",
              ("POST", "/admin/clock"): "clock"}

    def clock(self):
        """The test clock: tokens issued from now on are issued as if it were
        now + offset (the browser tests make an access token that is already
        expired, then set it back to 0)."""
        body = self.body_json() or {}
        offset = body.get("offset")
        if isinstance(offset, bool) or not isinstance(offset, (int, float)):
            return 400, {"error": "invalid_request", "detail": "offset: a number of seconds"}, []
        self.svc.clock_offset = offset
        return 200, {"offset": offset}, []

    def status(self):
        k = self.svc.keys
        return 200, {"signing": k.current, "published": list(k.published)}, []

    def rotate(self):
        kid = self.svc.keys.rotate()
        return 200, {"signing": kid, "published": list(self.svc.keys.published)}, []

    def retire(self):
        retired = self.svc.keys.retire()
        return 200, {"retired": retired, "published": list(self.svc.keys.published)}, []

    def mint_expired(self):
        """An access token exactly like the issuer's, signed by the real current
        key, but issued an hour ago with a 15-minute lifetime: only exp fails."""
        body = self.body_json() or {}
        svc, now = self.svc, int(time.time())
        key = svc.keys.keys[svc.keys.current]
        token = cjwt.encode({"iss": svc.args.issuer, "sub": str(body.get("sub", "user")),
                             "aud": svc.args.audience, "jti": "expired-demo-%d" % now,
                             "fid": "expired-demo-family", "role": "admin"},
                            key, algorithm="ES256", headers={"typ": "at+jwt", "kid": key.kid},
                            expires_in=ACCESS_TTL_S, now=now - 3600)
        return 200, {"access_token": token}, []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--admin-port", type=int, required=True)
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--prefix", default="cjwt:")
    ap.add_argument("--issuer", default="https://auth.example.com")
    ap.add_argument("--audience", default="api.example.com")
    ap.add_argument("--users", required=True)
    ap.add_argument("--allowed-origin", action="append", required=True,
                    help="an origin (https://host:port) whose pages may POST to /login, "
                         "/refresh and /logout; repeat for each gateway")
    ap.add_argument("--tls-cert", help="serve both ports over HTTPS with this certificate")
    ap.add_argument("--tls-key")
    args = ap.parse_args()
    unknown = WEAKEN - KNOWN_WEAKEN
    if unknown:
        ap.error("DEMO_WEAKEN: unknown %s (known: %s)" % (", ".join(sorted(unknown)),
                                                          ", ".join(sorted(KNOWN_WEAKEN))))
    if WEAKEN:
        print("auth service: WARNING: DEMO_WEAKEN=%s: protections switched off (tests only)"
              % ",".join(sorted(WEAKEN)), file=sys.stderr, flush=True)

    if MISSING:
        print("auth service: WARNING: cjwt has no %s; token endpoints answer 501"
              % ", ".join(MISSING), file=sys.stderr, flush=True)
    svc = AuthService(args)
    Handler.svc = svc
    public = ThreadingHTTPServer(("127.0.0.1", args.port), PublicHandler)
    admin = ThreadingHTTPServer(("127.0.0.1", args.admin_port), AdminHandler)
    for srv in (public, admin):
        srv.daemon_threads = True
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        for srv in (public, admin):
            # The handshake runs in the connection's own thread (at its first
            # read), not in accept(): a client that never speaks blocks no one.
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                         do_handshake_on_connect=False)
    threading.Thread(target=admin.serve_forever, daemon=True).start()
    print("auth service: public 127.0.0.1:%d, admin 127.0.0.1:%d, signing kid %s"
          % (args.port, args.admin_port, svc.keys.current), file=sys.stderr, flush=True)
    try:
        public.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
