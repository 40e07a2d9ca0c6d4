"""Wycheproof (C2SP) JOSE files through the public Python API.

Same rules as tests/c/test_wycheproof.c and tests/lua/wycheproof_spec.lua:
every JWS in json_web_signature_test.json, json_web_key_test.json and
json_web_crypto_test.json (tests/vectors/wycheproof, or CJWT_WYCHEPROOF_DIR) is
verified as a raw JWS (cjwt.jws_decode) with every algorithm allowed, the key
being the group's `public` JWK (else `private`), a JWK Set going through
cjwt.KeySet.from_jwks. `valid` must verify, `invalid` and `acceptable` must be
refused, except the documented deviations in
tests/vectors/wycheproof/deviations.json (the list all three layers read),
which must come out exactly as documented. JWE tests are skipped and counted.
"""
import json
import os

import pytest

import cjwt
from conftest import ROOT

SHARED = os.environ.get("CJWT_WYCHEPROOF_DIR") or os.path.join(ROOT, "tests", "vectors", "wycheproof")
FILES = ["json_web_signature_test.json", "json_web_key_test.json", "json_web_crypto_test.json"]
ALL_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA", "ES256K"]

with open(os.path.join(ROOT, "tests", "vectors", "wycheproof", "deviations.json"),
          encoding="utf-8") as _f:
    _DEV = json.load(_f)
assert _DEV["acceptable"] == "refused"
DEVIATIONS = {(d["file"], d["tcId"]): d["accepted"] for d in _DEV["deviations"]}


def make_key(group):
    """The group's key as a user passes it; a refused key is the answer for
    every test of the group (as in C)."""
    kj = group.get("public", group.get("private"))
    try:
        if isinstance(kj, dict) and "keys" in kj:
            return cjwt.KeySet.from_jwks(kj), None
        return cjwt.Key.from_jwk(kj), None
    except cjwt.PyJWTError as e:
        return None, e


JWE_ALGS = ["dir", "RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW",
            "A128GCMKW", "A192GCMKW", "A256GCMKW", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
            "ECDH-ES+A256KW", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"]
JWE_ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"]


def run_file(name):
    """-> (counts, mismatches)"""
    with open(os.path.join(SHARED, name), encoding="utf-8") as f:
        doc = json.load(f)
    counts = {"run": 0, "as_labelled": 0, "deviations": 0, "skipped_jwe": 0}
    bad = []
    for group in doc["testGroups"]:
        key, kerr = make_key(group)
        for t in group["tests"]:
            detail = ""
            if "jws" not in t:
                # a JWE: decrypted with the group's private key, every alg/enc allowed
                try:
                    cjwt.jwe_decrypt(t["jwe"], group["private"], algorithms=JWE_ALGS,
                                     encryptions=JWE_ENCS)
                    accepted = True
                except cjwt.PyJWTError as e:
                    accepted, detail = False, e.code
            else:
                jws = t["jws"]
                if not isinstance(jws, str):       # a JSON serialization, as its text
                    jws = json.dumps(jws, separators=(",", ":"))
                if key is None:
                    accepted, detail = False, f"key refused: {kerr.code}"
                else:
                    try:
                        cjwt.jws_decode(jws, key, algorithms=ALL_ALGS, now=0)
                        accepted = True
                    except cjwt.PyJWTError as e:
                        accepted, detail = False, e.code
            counts["run"] += 1
            want = t["result"] == "valid"       # "acceptable" -> refused
            dev = DEVIATIONS.get((name, t["tcId"]))
            if dev is not None:
                counts["deviations"] += 1
                if accepted != dev:
                    bad.append(f"tc {t['tcId']}: documented deviation changed "
                               f"(cjwt {'accepted' if accepted else 'refused'} it)")
                continue
            if accepted != want:
                bad.append(f"tc {t['tcId']} ({t['comment']}, {t['result']}): cjwt "
                           f"{'accepted' if accepted else 'refused'} it {detail}")
                continue
            counts["as_labelled"] += 1
    return counts, bad


def test_shared_vectors_present():
    # Must fail, not skip, when the shared Wycheproof files are missing.
    for name in FILES:
        assert os.path.exists(os.path.join(SHARED, name)), f"missing {SHARED}/{name}"


@pytest.mark.parametrize("name", FILES)
def test_wycheproof_jose(name, capsys):
    counts, bad = run_file(name)
    with capsys.disabled():
        print(f"\n  wycheproof {name}: run {counts['run']}, as labelled "
              f"{counts['as_labelled']}, documented deviations {counts['deviations']}, "
              f"JWE skipped {counts['skipped_jwe']}")
    assert counts["run"] > 0
    assert not bad, "\n".join(bad)


def test_every_deviation_is_met():
    """A deviation that names no test in the files is a stale entry."""
    seen = set()
    for name in FILES:
        with open(os.path.join(SHARED, name), encoding="utf-8") as f:
            for g in json.load(f)["testGroups"]:
                seen.update((name, t["tcId"]) for t in g["tests"])
    assert set(DEVIATIONS) <= seen, set(DEVIATIONS) - seen
