"""The browser tests can fail: each protection is switched off in turn, the
demo started again with it off, and the test that guards it must FAIL while a
plain login test still passes in the same run (so the failure is the
protection's, not a broken start).

- the access token stored in localStorage: a copy of demo/web whose app.js
  also writes it there (DEMO_WEB_ROOT points the gateway at the copy);
- the refresh cookie without HttpOnly: DEMO_WEAKEN=cookie-httponly;
- no Origin check on the cookie endpoints: DEMO_WEAKEN=origin-check;
- (a feature rather than a protection) refreshes not queued across tabs: a
  copy of demo/web without the Web Locks call.

DEMO_WEAKEN is read by demo/auth_service.py and used by these tests only.
"""
import os
import re
import shutil
import subprocess
import sys


ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEB = os.path.join(ROOT, "tests", "browser", "test_web.py")
CONTROL = "test_login_form_and_dashboard"


def run_web_tests(tests, env):
    """Runs test_web.py's `tests` (and the control test) in a fresh pytest with
    its own demo; returns ({test: "passed"|"failed"|...}, output)."""
    names = [CONTROL] + tests
    cmd = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", WEB,
           "-k", " or ".join(names)]
    out = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                         text=True, timeout=400)
    text = out.stdout + out.stderr
    results = {}
    for outcome, name in re.findall(r"^(PASSED|FAILED|ERROR) \S+::(\w+)", text, re.M):
        results[name] = outcome.lower()
    return results, text


def check(tests, env, tries=1):
    """`tests` must fail (and the control pass) with the protection off. A
    protection against a race may be given `tries` runs: the unprotected race
    is likely, not certain, to be lost in one run on a loaded machine, so one
    failing run of the `tries` is enough (the control must pass in each)."""
    for attempt in range(tries):
        results, text = run_web_tests(tests, env)
        assert results.get(CONTROL) == "passed", "the control test did not pass:\n" + text[-4000:]
        if all(results.get(t) == "failed" for t in tests):
            return
    for t in tests:
        assert results.get(t) == "failed", "%s did not fail with the protection off in %d run(s) (%s):\n%s" % (
            t, tries, results.get(t), text[-4000:])


def patched_web(tmp_path, needle, replacement):
    """A copy of demo/web whose app.js has its one `needle` replaced: the
    environment that serves it to the browser tests."""
    web = tmp_path / "web"
    shutil.copytree(os.path.join(ROOT, "demo", "web"), web)
    app = (web / "app.js").read_text()
    assert app.count(needle) == 1, "app.js changed: update this test's patch"
    (web / "app.js").write_text(app.replace(needle, replacement))
    return {"DEMO_WEB_ROOT": str(web)}


def test_fails_if_the_access_token_is_stored_in_localstorage(tmp_path):
    needle = "    session.token = token;\n"
    check(["test_no_token_in_page_storage"], patched_web(
        tmp_path, needle, needle + '    if (token) localStorage.setItem("access_token", token);\n'))


def test_fails_if_refreshes_are_not_queued_across_tabs(tmp_path):
    # a race: without the lock, two tabs' refreshes usually cross (see the test), but a
    # loaded machine can delay the second past the first's answer in all five reloads
    check(["test_two_tabs_reloading_together_stay_signed_in"], patched_web(
        tmp_path, 'return navigator.locks ? navigator.locks.request("cjwt-demo-refresh", run) : run();',
        "return run();"), tries=3)


def test_fails_if_the_refresh_cookie_is_not_httponly():
    check(["test_no_token_in_page_storage", "test_an_injected_script_cannot_read_the_refresh_token"],
          {"DEMO_WEAKEN": "cookie-httponly"})


def test_fails_if_the_origin_check_is_removed():
    check(["test_csrf_from_a_sibling_origin_is_refused"], {"DEMO_WEAKEN": "origin-check"})
