"""cjwt.gateway in a real nginx (started by tests/nginx/run.sh, which sets
CJWT_NGINX_DIR and CJWT_NGINX_PORT). Tests run in file order: the last one
rotates keys through the JWKS endpoint."""
import json
import os
import time
import urllib.error
import urllib.request

import pytest

from gwtest import publish

DIR = os.environ.get("CJWT_NGINX_DIR")
PORT = os.environ.get("CJWT_NGINX_PORT")
pytestmark = pytest.mark.skipif(not DIR, reason="run through tests/nginx/run.sh")

TOKENS = json.load(open(os.path.join(DIR, "tokens.json"))) if DIR else {}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(path, token=None, headers=(), cookie=None):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    if cookie is not None:
        req.add_header("Cookie", cookie)
    for name, value in headers:
        req.add_header(name, value)
    try:
        with OPENER.open(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def upstream_saw(body):
    return dict(line.split("=", 1) for line in body.strip().splitlines())


def challenge(status, headers, error=None, description=None):
    value = headers.get("WWW-Authenticate")
    if error is None:
        assert value == 'Bearer realm="api"'
    else:
        expected = f'Bearer realm="api", error="{error}", error_description="{description}"'
        assert value.startswith(expected), value
    return value


def jwks_fetches():
    # the JWKS server logs when its request ends, which may be just after
    # the gateway's response: give it a moment
    time.sleep(0.3)
    path = os.path.join(DIR, "jwks_access.log")
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for line in f if "/jwks.json" in line)


def test_valid_token_reaches_upstream_with_identity_headers():
    status, headers, body = get("/api/orders", TOKENS["valid_a"])
    assert status == 200, body
    assert upstream_saw(body) == {"user": "alice", "scopes": "read write"}
    assert jwks_fetches() == 1


def test_token_from_cookie():
    status, _, body = get("/api/x", cookie=f"other=1; access_token={TOKENS['valid_a']}")
    assert status == 200
    assert upstream_saw(body)["user"] == "alice"


def test_missing_token_is_401_without_error():
    status, headers, _ = get("/api/x")
    assert status == 401
    challenge(status, headers)
    assert headers.get("Cache-Control") == "no-store"


def test_other_scheme_is_no_bearer_token():
    status, headers, _ = get("/api/x", headers=[("Authorization", "Basic dXNlcjpwYXNz")])
    assert status == 401
    challenge(status, headers)


def test_empty_bearer_is_400_invalid_request():
    status, headers, _ = get("/api/x", headers=[("Authorization", "Bearer ")])
    assert status == 400
    challenge(status, headers, "invalid_request", "malformed Authorization header")


@pytest.mark.parametrize("path,token", [
    ("/api/x", "valid_a"),          # jwks_uri: whitespace in the token refused before a fetch
    ("/admin/x", "admin_ok"),       # static key: checked only once the core refused the token
])
@pytest.mark.parametrize("template,status", [
    ("Bearer {t}", 200),
    ("bearer {t}", 200),            # the scheme is case-insensitive
    ("BEARER   {t}  ", 200),        # spaces after the scheme and at the end
    ("Bearer\t{t}", 200),
    ("Bearer {t}\t", 200),
    ("  Bearer {t}", 200),
    ("Bearer  {t}", 200),
    ("Bearer {t} extra", 400),      # a space inside: malformed header
    ("Bearer {t}\textra", 400),
    ("Bearer a {t}", 400),
    ("Bearer", 400),
    ("Bearer ", 400),
    ("Bearer{t}", 401),             # another scheme: no bearer token at all
    ("Bearerx {t}", 401),
    ("Basic {t}", 401),
])
def test_authorization_header_forms(path, token, template, status):
    value = template.format(t=TOKENS[token])
    got, headers, _ = get(path, headers=[("Authorization", value)])
    assert got == status, value
    if status == 400:
        challenge(got, headers, "invalid_request", "malformed Authorization header")
    elif status == 401:
        challenge(got, headers)


@pytest.mark.parametrize("name,token,description", [
    ("malformed", "not.a.jwt", "malformed token"),
    ("garbage", "abc", "malformed token"),
    ("expired", None, "token expired"),
    ("wrong_aud", None, "invalid audience"),
    ("wrong_iss", None, "invalid issuer"),
    ("no_sub", None, "missing claim sub"),
    ("hs256", None, "algorithm not allowed"),
])
def test_refused_tokens_are_401_with_description(name, token, description):
    status, headers, _ = get("/api/x", token or TOKENS[name])
    assert status == 401
    challenge(status, headers, "invalid_token", description)


def test_tampered_payload_is_invalid_signature():
    h, p, s = TOKENS["valid_a"].split(".")
    i = len(p) // 2
    p = p[:i] + ("A" if p[i] != "A" else "B") + p[i + 1:]
    status, headers, _ = get("/api/x", f"{h}.{p}.{s}")
    assert status == 401
    challenge(status, headers, "invalid_token", "invalid signature")


def test_tampered_signature_is_invalid_signature():
    token = TOKENS["valid_a"]
    token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    status, headers, _ = get("/api/x", token)
    assert status == 401
    challenge(status, headers, "invalid_token", "invalid signature")


def test_spoofed_identity_headers_never_reach_upstream():
    spoof = [("X-User-Id", "admin"), ("x-user-id", "root"), ("X-Scopes", "admin")]
    status, _, body = get("/api/x", TOKENS["valid_a"], headers=spoof)
    assert status == 200
    assert upstream_saw(body) == {"user": "alice", "scopes": "read write"}
    # a token without the claim: the spoofed header is cleared, nothing set
    status, _, body = get("/api/x", TOKENS["no_scope"], headers=spoof)
    assert status == 200
    assert upstream_saw(body) == {"user": "alice", "scopes": ""}
    # no token: refused before the upstream
    status, _, _ = get("/api/x", headers=spoof)
    assert status == 401


SPOOF = [("X-User-Id", "spoof1"), ("x-user-id", "spoof2"), ("X-Scopes", "spoof3"),
         ("X-SCOPES", "spoof4")]


def test_spoofed_copies_are_all_replaced_static_key():
    # a static key without denylist: the headers are replaced at the end; the
    # upstream sees each one once, with the token's value, never a client's copy
    status, _, body = get("/admin-ep/x", TOKENS["admin_ok"], headers=SPOOF)
    assert status == 200
    assert upstream_saw(body) == {"user": "root", "scopes": "read admin"}
    # "scope" is null (the scope is granted by "scp"): X-Scopes has no value
    # to set, so every copy the client sent is cleared
    status, _, body = get("/admin-ep/x", TOKENS["admin_scp_list"], headers=SPOOF)
    assert status == 200
    assert upstream_saw(body) == {"user": "root", "scopes": ""}


@pytest.mark.parametrize("token,header,expected", [
    (None, None, 401),                                 # no token
    ("admin_no_scope", None, 403),                     # insufficient_scope
    ("not.a.jwt", None, 401),                          # invalid_token
    (None, "Bearer a b", 400),                         # malformed header
    (None, "Bearer", 400),
])
def test_refusals_clear_spoofed_headers_before_error_page(token, header, expected):
    headers = list(SPOOF)
    if header:
        headers.append(("Authorization", header))
    status, _, body = get("/admin-ep/x", TOKENS.get(token, token), headers=headers)
    # answered by the error_page location (@refused_echo), with the refusal's status
    assert status == expected
    assert upstream_saw(body) == {"refused": "yes", "user": "", "scopes": ""}


def test_claim_with_control_characters_is_not_forwarded():
    status, _, body = get("/api/x", TOKENS["crlf_sub"], headers=[("X-User-Id", "spoof")])
    assert status == 200
    assert upstream_saw(body) == {"user": "", "scopes": "read write"}
    assert "X-Injected" not in body


@pytest.mark.parametrize("name,forwarded", [
    ("tab_sub", None), ("del_sub", None),   # control characters (0-31, 127; the core refuses NUL)
    ("utf8_sub", "zo\u00eb"),                                  # bytes >= 128 are not
])
def test_claim_control_character_bytes(name, forwarded):
    status, _, body = get("/api/x", TOKENS[name], headers=[("X-User-Id", "spoof")])
    assert status == 200
    assert upstream_saw(body)["user"] == (forwarded or "")


def test_missing_scope_is_403_insufficient_scope():
    status, headers, _ = get("/admin/x", TOKENS["admin_no_scope"])
    assert status == 403
    value = challenge(status, headers, "insufficient_scope", "the token lacks a required scope")
    assert value.endswith(', scope="admin"')


def test_scope_words_split_at_whitespace_bytes_only():
    # "read,admin" and "\u00a0admin" (a UTF-8 no-break space) are not the word "admin"
    status, _, _ = get("/admin/x", TOKENS["admin_glued_scope"])
    assert status == 403


def test_scope_granted_by_scope_or_scp():
    seps = tuple("admin_sep_%d" % b for b in (9, 10, 11, 12, 13, 32))
    for name in ("admin_ok", "admin_scp_list") + seps:
        status, _, body = get("/admin/x", TOKENS[name])
        assert status == 200, name
        assert upstream_saw(body)["user"] == "root"


def test_static_key_refuses_other_keys():
    status, headers, _ = get("/admin/x", TOKENS["valid_a"])
    assert status == 401
    challenge(status, headers, "invalid_token", "invalid signature")


def test_key_rotation_through_jwks_endpoint_with_cooldown():
    # Unknown kid: at most one refetch per cooldown (2 s), shared by all workers.
    time.sleep(2.2)
    before = jwks_fetches()
    for _ in range(4):
        status, headers, _ = get("/api/x", TOKENS["unknown_c"])
        assert status == 401
        challenge(status, headers, "invalid_token", "no key to verify the token")
    assert jwks_fetches() == before + 1

    # The issuer publishes key b; within the cooldown it is not fetched yet.
    publish("jwks_ab.json")
    status, _, _ = get("/api/x", TOKENS["valid_b"])
    assert status == 401
    assert jwks_fetches() == before + 1
    time.sleep(2.2)
    status, _, body = get("/api/x", TOKENS["valid_b"])     # unknown kid -> refetch
    assert status == 200, body
    assert upstream_saw(body)["user"] == "bob"
    assert jwks_fetches() == before + 2
    rotated_at = time.time()
    for _ in range(6):                                      # every worker: new set, old key still in it
        assert get("/api/x", TOKENS["valid_b"])[0] == 200
        assert get("/api/x", TOKENS["valid_a"])[0] == 200
    assert jwks_fetches() == before + 2

    # Key a is retired: honoured until the cached set expires (ttl 4 s), then refused.
    publish("jwks_b.json")
    assert get("/api/x", TOKENS["valid_a"])[0] == 200
    time.sleep(max(0.0, rotated_at + 4.3 - time.time()))
    status, headers, _ = get("/api/x", TOKENS["valid_a"])
    assert status == 401
    challenge(status, headers, "invalid_token", "no key to verify the token")
    assert get("/api/x", TOKENS["valid_b"])[0] == 200
    assert jwks_fetches() == before + 3
