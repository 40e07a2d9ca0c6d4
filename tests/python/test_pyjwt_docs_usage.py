"""PyJWT's documentation examples (its usage page), run through cjwt.

tests/python/pyjwt_docs/usage.rst is PyJWT 2.15.1's docs/usage.rst, unchanged
(MIT licence, Copyright (c) 2015-2022 José Padilla; provenance and licence in
that folder). Every `pycon` block is run as a doctest and every `python` block
is executed, in page order and in one namespace (as Sphinx would), with
`sys.modules["jwt"]` set to cjwt: the examples' own `import jwt` and
`from jwt import PyJWKClient` get cjwt, so the text is run unchanged.

Three kinds of blocks cannot run as written, each asserted here rather than
skipped silently:
- the examples sign with the secrets "secret" (6 bytes) and "short", which
  cjwt refuses (RFC 7518 3.2: an HMAC key is at least the hash size;
  docs/python-differences.md, `short_hmac_secret`). The test first checks that
  the unchanged block fails with InvalidKeyError saying how to opt in, then
  runs it again with the literal "secret" bound to
  `jwt.Key.from_secret("secret", allow_short_secret=True)`, that opt-in, and
  nothing else changed;
- the JWKS and OIDC examples fetch from servers on the Internet (an Auth0
  tenant, an OIDC provider); tests use loopback only, so those two are listed
  in NEEDS_NETWORK and their cjwt API is covered by test_jwks_client.py;
- the passphrase example's encrypted PEM does not load in `cryptography`
  itself (the page's PEM text is damaged), before any jwt call: asserted as
  such in BROKEN_IN_PYJWT_DOCS (encrypted PEMs: test_key_formats.py).
"""
import doctest
import pathlib
import re
import sys

import pytest

import cjwt

USAGE = pathlib.Path(__file__).parent / "pyjwt_docs" / "usage.rst"

NEEDS_NETWORK = {
    "Retrieve RSA signing keys from a JWKS endpoint",   # https://dev-87evx9ru.auth0.com
    "OIDC Login Flow",                                  # requests.get(f"https://{oidc_server}...")
}
BROKEN_IN_PYJWT_DOCS = {("Encoding & Decoding Tokens with RS256 (RSA)", 1)}
# Blocks that sign with "short" expect PyJWT's InsecureKeyLengthWarning and a
# token; cjwt refuses the key (`short_hmac_secret`), asserted in the test.
SHORT_SECRET_REFUSED = {"Key Length Validation": 0}


def blocks():
    """(section title, index in section, kind, code) for every code block."""
    text = USAGE.read_text()
    out, section, counts = [], "", {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and re.fullmatch(r"[-~=]{3,}", lines[i + 1]) and line.strip():
            section = line.strip()
        m = re.match(r"\.\. code-block:: (pycon|python)\s*$", line)
        if m:
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                body.append(lines[i][4:])
                i += 1
            n = counts.get(section, 0)
            counts[section] = n + 1
            out.append((section, n, m.group(1), "\n".join(body).strip("\n") + "\n"))
            continue
        i += 1
    return out


BLOCKS = blocks()
SECRET_OPT_IN = 'jwt.Key.from_secret("secret", allow_short_secret=True)'


@pytest.fixture(scope="module")
def namespace():
    saved = sys.modules.get("jwt")
    sys.modules["jwt"] = cjwt          # `import jwt` in the examples is cjwt
    ns = {"__name__": "pyjwt_usage"}
    yield ns
    if saved is None:
        del sys.modules["jwt"]
    else:
        sys.modules["jwt"] = saved


def run_block(kind, code, ns):
    """Runs one block in ns; returns the doctest failure report ("" if none)."""
    if kind == "python":
        exec(compile(code, str(USAGE), "exec"), ns)
        return ""
    test = doctest.DocTestParser().get_doctest(code, ns, "usage.rst", str(USAGE), 0)
    out = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=out.append, clear_globs=False)
    ns.update(test.globs)
    return "".join(out)


def uses_short_secret(code):
    return '"secret"' in code


def test_the_page_is_pyjwts():
    import hashlib
    digest = hashlib.sha256(USAGE.read_bytes()).hexdigest()
    assert digest == "815ead3fbfd79f068a9bb744e0aa1de6df5b03dabca077085d970428fb364d2c"
    assert len(BLOCKS) == 29


@pytest.mark.parametrize("section, n, kind, code", BLOCKS,
                         ids=[f"{s}-{n}" for s, n, _, _ in BLOCKS])
def test_usage_example(section, n, kind, code, namespace):
    if section in NEEDS_NETWORK:
        assert "https://" in code
        pytest.skip("fetches from a server on the Internet (tests use loopback only)")
    if (section, n) in BROKEN_IN_PYJWT_DOCS:
        calls = []
        ns = dict(namespace, jwt=type("Spy", (), {"encode": lambda *a, **k: calls.append(a)}))
        with pytest.raises(ValueError, match="Unable to load PEM file"):
            run_block(kind, code, ns)            # in cryptography's loader
        assert calls == []                       # never reached jwt.encode
        return
    if SHORT_SECRET_REFUSED.get(section) == n:
        # PyJWT warns and signs with the 5-byte "short"; cjwt refuses it
        with pytest.raises(cjwt.InvalidKeyError, match="allow_short_secret"):
            run_block("python", code.replace(">>> ", "").replace("... ", ""), dict(namespace))
        return
    if uses_short_secret(code):
        # unchanged, the 6-byte "secret" is refused, with the way to opt in
        report = run_block(kind, code, dict(namespace))
        assert "InvalidKeyError" in report and "allow_short_secret" in report, report
        code = code.replace('"secret"', SECRET_OPT_IN)
    report = run_block(kind, code, namespace)
    assert report == "", report
