"""Helpers of the browser tests (tests/browser): chromium with a trust store
that holds the demo's CA, a recording browser tab, HTTPS calls verified
against that CA, and an attacker's page on another loopback origin."""
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHROMIUM = os.environ.get("CJWT_CHROMIUM", "/usr/bin/chromium")
# Root needs --no-sandbox; the rest keep an offline machine's chromium from
# trying to reach Google's services.
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-default-apps", "--disable-features=Translate,MediaRouter",
                 "--disable-dev-shm-usage"]   # containers: a small /dev/shm
if os.geteuid() == 0:
    CHROMIUM_ARGS.insert(0, "--no-sandbox")

ALICE = ("alice", "correct horse battery staple")
BOB = ("bob", "hunter2 but longer")
# A script of the page reads document.cookie in a window it opens on /auth/
# (same origin, so it may): what a non-HttpOnly cookie with Path=/auth shows.
COOKIE_AT_AUTH_JS = """async () => {
    const w = window.open('/auth/nothing-here', '_blank');
    if (!w) return 'POPUP BLOCKED';
    for (let i = 0; i < 200; i++) {
        try {
            if (w.location.pathname === '/auth/nothing-here' && w.document.readyState === 'complete') break;
        } catch (e) { /* not yet navigated */ }
        await new Promise(r => setTimeout(r, 25));
    }
    const c = w.document.cookie;
    w.close();
    return c;
}"""
JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


def _need(ok, what):
    if not ok:
        pytest.fail("%s (scripts/install-deps.sh installs it)" % what, pytrace=False)


def nss_home(ca):
    """A HOME whose NSS database (chromium's trust store on Linux) trusts `ca`."""
    home = tempfile.mkdtemp(prefix="cjwt-browser-home.")
    db = os.path.join(home, ".pki", "nssdb")
    os.makedirs(db)
    _need(shutil.which("certutil"), "certutil (libnss3-tools) is not installed")
    subprocess.run(["certutil", "-N", "-d", "sql:" + db, "--empty-password"], check=True)
    if ca:
        subprocess.run(["certutil", "-A", "-d", "sql:" + db, "-n", "cjwt demo throwaway CA",
                        "-t", "C,,", "-i", ca], check=True)
    return home


def launch(playwright, home):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      env={**os.environ, "HOME": home}, timeout=60000)


class Tab:
    """A fresh browser context (its own cookies) with one page, recording
    every request and response the page makes."""

    def __init__(self, browser, demo):
        self.demo = demo
        self.context = browser.new_context(viewport={"width": 1000, "height": 640})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.requests, self.responses, self.console = [], [], []
        self.page.on("request", lambda r: self.requests.append(r))
        self.page.on("response", lambda r: self.responses.append(r))
        self.page.on("console", lambda m: self.console.append("%s: %s" % (m.type, m.text)))

    def open(self):
        resp = self.page.goto(self.demo["url"])
        assert resp.status == 200
        self.page.wait_for_selector("#login:not([hidden]), #dashboard:not([hidden])")
        return resp

    def login(self, who=ALICE):
        self.open()
        self.page.wait_for_selector("#login:not([hidden])")
        self.page.fill("#username", who[0])
        self.page.fill("#password", who[1])
        self.page.click("#login-submit")
        self.page.wait_for_selector("#dashboard:not([hidden])")
        self.wait_cards()

    def wait_cards(self):
        # (a function, not an expression: the page's CSP forbids eval)
        self.page.wait_for_function(
            "() => ['orders', 'payments'].every(id => {"
            " const t = document.getElementById(id).textContent; return t && !t.startsWith('Loading'); })")

    def calls(self, path, method=None):
        return [r for r in self.responses
                if r.url.split("?")[0].endswith(path) and (method is None or r.request.method == method)]

    def access_tokens(self):
        """Every bearer token the page sent (the test sees the network; the page's
        scripts do not)."""
        out = []
        for r in self.requests:
            auth = r.headers.get("authorization", "")
            if auth.startswith("Bearer ") and auth[7:] not in out:
                out.append(auth[7:])
        return out

    def refresh_cookie(self):
        for c in self.context.cookies():
            if c["name"] == "refresh_token":
                return c
        return None

    def script_view(self):
        """Everything a script running in the page (an XSS) can read that might
        hold a token: document.cookie here and in a same-origin window it opens
        under /auth (a cookie's Path is no boundary inside one origin),
        localStorage, sessionStorage, window.name."""
        return self.page.evaluate("""async () => {
            const dump = (s) => Object.keys(s).map(k => k + '=' + s.getItem(k));
            return { cookie: document.cookie, cookieAtAuth: await (%s)(),
                     localStorage: dump(localStorage), sessionStorage: dump(sessionStorage),
                     name: window.name };
        }""" % COOKIE_AT_AUTH_JS)

    def close(self):
        self.context.close()


# ---- plain HTTPS calls from the test (verified against the demo's CA) --------

def https(demo, method, url, *, body=None, headers=None):
    ctx = ssl.create_default_context(cafile=demo["ca"])
    data = None if body is None else json.dumps(body).encode()
    if data is None and method == "POST":
        data = b""
    h = dict(headers or {})
    if body is not None:
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=ctx))
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


# ---- an attacker's page on another loopback origin ----------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AttackerSite:
    """An HTTPS server on 127.0.0.1 and a free port, with the demo's certificate
    (valid for localhost and 127.0.0.1), serving one page: a form that POSTs to
    `target` as soon as it loads. As https://localhost:<port> it is another
    origin of the same site as the gateway (SameSite lets the cookie through);
    as https://127.0.0.1:<port> it is another site."""

    def __init__(self, demo, target):
        page = ("<!doctype html><title>win a prize</title><form id=f method=post action='%s'>"
                "<input type=hidden name=x value=1></form>"
                "<script>document.getElementById('f').submit()</script>" % target).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *a):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(demo["cert"], demo["key"])
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host):
        return "https://%s:%d/" % (host, self.port)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


