"""Runs every case of every tests/vectors/*.json through the public Python API.

The same files are run by the C and Lua test layers (format: tests/vectors/README.md),
so a token gets the same answer in every language.
"""
import base64
import glob
import json
import os

import pytest

import cjwt
from conftest import ROOT

VECTOR_DIR = os.path.join(ROOT, "tests", "vectors")
FILES = sorted(f for f in glob.glob(os.path.join(VECTOR_DIR, "*.json"))
               if not os.path.basename(f).startswith(("jwe_", "jws_")))   # JWE, JWS JSON: own runners
KWARG_OPTIONS = {"algorithms", "audience", "issuer", "subject", "typ", "leeway", "max_age"}
FLAG_OPTIONS = {"require", "verify_signature", "verify_exp", "verify_nbf", "verify_iat",
                "verify_aud", "verify_iss", "verify_sub", "verify_jti", "strict_aud",
                "max_token_len", "max_depth"}
# cjwt.jws_decode takes only these (no claims, so no claim options).
JWS_KWARGS = {"algorithms", "typ"}


def load_cases():
    cases = []
    counts = {}
    for path in FILES:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        counts[os.path.basename(path)] = len(doc["cases"])
        for case in doc["cases"]:
            cases.append(pytest.param(case, id=f"{os.path.basename(path)}:{case['name']}"))
    return cases, counts


CASES, COUNTS = load_cases()


def test_vectors_counted(capsys):
    """Per-file case counts (shown with -s / in the summary of -rA)."""
    with capsys.disabled():
        print()
        for name, n in sorted(COUNTS.items()):
            print(f"  vectors {name}: {n} cases")
    assert all(n > 0 for n in COUNTS.values()), COUNTS


def test_vectors_present():
    # Must fail, not skip, when the shared vectors are missing.
    assert FILES, f"no vector files in {VECTOR_DIR}"
    assert len(CASES) >= len(FILES)


def make_key(spec, flags):
    unknown = set(flags) - {"allow_short_secret"}
    assert not unknown, f"unknown key_flags {unknown}"
    short = "allow_short_secret" in flags
    if spec is None:
        return None
    if "secret" in spec or "secret_hex" in spec:
        secret = spec["secret"] if "secret" in spec else bytes.fromhex(spec["secret_hex"])
        # Without flags, pass the secret as a user would (str/bytes key material).
        return cjwt.Key.from_secret(secret, allow_short_secret=True) if short else secret
    if "jwk" in spec:
        return cjwt.Key.from_jwk(spec["jwk"], allow_short_secret=True) if short else spec["jwk"]
    assert not flags, "key_flags go with secret / secret_hex / jwk keys only"
    if "pem" in spec:
        assert set(spec) <= {"pem", "password"}, spec
        if "password" in spec:
            return cjwt.Key.from_pem(spec["pem"], password=spec["password"])
        return spec["pem"]          # a str key, as a user passes a PEM
    if "jwks" in spec:
        assert len(spec) == 1, spec
        return cjwt.KeySet.from_jwks(spec["jwks"])
    raise AssertionError(f"unknown key spec {spec}")


def json_equal(a, b):
    """JSON value equality: 1 == 1.0, but true != 1 and key order is irrelevant."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def is_jws(case):
    mode = case.get("mode")
    assert mode in (None, "jws"), f"unknown mode {mode!r}"
    return mode == "jws"


def run_case(case):
    opts = case.get("options", {})
    unknown = set(opts) - KWARG_OPTIONS - FLAG_OPTIONS
    assert not unknown, f"unknown vector options {unknown}"
    kwargs = {k: v for k, v in opts.items() if k in KWARG_OPTIONS}
    flags = {k: v for k, v in opts.items() if k in FLAG_OPTIONS}
    key = make_key(case["key"], case.get("key_flags", []))
    if is_jws(case):
        assert set(kwargs) <= JWS_KWARGS, f"options not for raw JWS: {set(kwargs)}"
        return cjwt.jws_decode(case["token"], key, now=case["now"], options=flags or None,
                               **kwargs)
    return cjwt.decode_complete(case["token"], key, now=case["now"], options=flags or None,
                                **kwargs)


def b64u_decode(text):
    assert "=" not in text
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("case", CASES)
def test_vector(case):
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises((cjwt.PyJWTError, MemoryError)) as info:
            run_case(case)
        err = info.value
        assert err.code == expect["error"], f"{err.code}: {err}"
        if "claim" in expect:
            assert err.claim == expect["claim"]
    elif is_jws(case):
        got = run_case(case)
        assert isinstance(got, bytes), type(got)
        if "payload_text" in expect:
            assert got == expect["payload_text"].encode("utf-8"), got
        else:
            assert got == b64u_decode(expect["payload_b64u"]), got
    else:
        got = run_case(case)
        assert json_equal(got["payload"], expect["claims"]), got["payload"]
        if "header" in expect:
            assert json_equal(got["header"], expect["header"]), got["header"]
