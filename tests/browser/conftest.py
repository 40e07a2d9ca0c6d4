"""Fixtures of the browser tests (`make test-browser`, docs/demo.md).

The whole demo runs once per session (`demo/run.sh --serve`, the command
behind `make demo-web`; stopped with SIGTERM at the end, which must stop
everything and exit 0). Debian's chromium runs headless, driven by Playwright's
Python package pointed at /usr/bin/chromium (`playwright install` is never
used). The browser verifies the gateway's certificate for real: its HOME gets
an NSS database that trusts the demo's throwaway CA and nothing else is
relaxed (no `ignore_https_errors`, no `--ignore-certificate-errors`).
"""
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from browserlib import CHROMIUM, ROOT, AttackerSite, Tab, _need, https, launch, nss_home


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The running demo: {"url", "gateway", "admin", "ca", "cert", "key", ...}."""
    d = tmp_path_factory.mktemp("demo")
    info_path, log_path = d / "info.json", d / "demo.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([os.path.join(ROOT, "demo", "run.sh"), "--serve"], cwd=ROOT,
                            env={**os.environ, "DEMO_INFO": str(info_path)},
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not info_path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("demo/run.sh --serve did not come up:\n" + log_path.read_text())
        time.sleep(0.2)
    info = json.loads(info_path.read_text())
    info["log"] = str(log_path)
    yield info
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = None
    log.close()
    out = log_path.read_text()
    assert rc == 0 and "demo: every process stopped" in out, \
        "demo/run.sh --serve did not stop cleanly on SIGTERM (rc %r):\n%s" % (rc, out[-3000:])


@pytest.fixture(scope="session")
def playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the Python package playwright is not installed")
    _need(os.access(CHROMIUM, os.X_OK), "%s is not installed (Debian package chromium)" % CHROMIUM)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright, demo):
    home = nss_home(demo["ca"])
    b = launch(playwright, home)
    yield b
    b.close()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def tab(browser, demo):
    t = Tab(browser, demo)
    yield t
    t.close()


@pytest.fixture
def test_clock(demo):
    """Sets the auth service's test clock (seconds added to its time); back to 0 after."""
    def set_offset(seconds):
        status, body = https(demo, "POST", demo["admin"] + "/admin/clock", body={"offset": seconds})
        assert status == 200, body
    yield set_offset
    set_offset(0)


@pytest.fixture
def attacker(demo):
    site = AttackerSite(demo, demo["gateway"] + "/auth/refresh")
    yield site
    site.close()
