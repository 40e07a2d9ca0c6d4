#!/usr/bin/env python3
"""Writes tests/vectors/jws_rfc.json: JWS vectors for the JSON serialization,
detached payloads and RFC 7797 unencoded payloads, read by the C, Python and
Lua runners (see tests/vectors/README.md, "JWS JSON serialization").

    python3 tests/vectors/gen_jws_rfc.py COOKBOOK_DIR > tests/vectors/jws_rfc.json

COOKBOOK_DIR: a checkout of github.com/ietf-jose/cookbook (commit 13692b6),
whose jws/4_*.json files hold RFC 7520 section 4's examples as JSON (the
same repository jwe_rfc.json's RFC 7520 cases come from). RFC 7797 section
4's two examples are copied from the RFC text below (the cookbook's rfc7797
files disagree with the RFC: their headers lack "crit"). The threat cases
are made here with an HMAC key, each with a valid signature so that the
refusal they expect is the rule under test, never a bad MAC.
"""
import base64
import hashlib
import hmac
import json
import os
import sys

RFC7520 = [
    ("4_1.rsa_v15_signature.json", "rfc7520-4.1-rs256", "RFC 7520 4.1"),
    ("4_2.rsa-pss_signature.json", "rfc7520-4.2-ps384", "RFC 7520 4.2"),
    ("4_3.ecdsa_signature.json", "rfc7520-4.3-es512", "RFC 7520 4.3"),
    ("4_4.hmac-sha2_integrity_protection.json", "rfc7520-4.4-hs256", "RFC 7520 4.4"),
    ("4_5.signature_with_detached_content.json", "rfc7520-4.5-detached", "RFC 7520 4.5"),
    ("4_6.protecting_specific_header_fields.json", "rfc7520-4.6-specific-fields", "RFC 7520 4.6"),
    ("4_7.protecting_content_only.json", "rfc7520-4.7-content-only", "RFC 7520 4.7"),
]

# RFC 7797 section 4: key (A.1 of RFC 7515), payload "$.02"
RFC7797_KEY = {"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}
RFC7797_41 = "eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ"
RFC7797_42_PROTECTED = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19"
RFC7797_42_SIG = "A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY"

SECRET = b"cjwt JWS JSON threat-test secret, 64 bytes for HS256, HS384, HS512"   # 64 bytes
THREAT_KEY = {"kty": "oct", "k": base64.urlsafe_b64encode(SECRET).rstrip(b"=").decode()}
HS256 = {"algorithms": ["HS256"]}


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def hdr(obj):
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def mac(signing_input, secret=SECRET, digest=hashlib.sha256):
    return b64(hmac.new(secret, signing_input.encode(), digest).digest())


def sig_obj(protected, payload_part, header=None, secret=SECRET, digest=hashlib.sha256):
    """A signature object over protected (a dict, or None) and payload_part."""
    p64 = hdr(protected) if protected is not None else ""
    out = {}
    if protected is not None:
        out["protected"] = p64
    if header is not None:
        out["header"] = header
    out["signature"] = mac(p64 + "." + payload_part, secret, digest)
    return out


def compact(protected, payload_part, detached=False):
    p64 = hdr(protected)
    return p64 + "." + ("" if detached else payload_part) + "." + mac(p64 + "." + payload_part)


def case(name, source, serialization, token, key, options, expect, **extra):
    c = {"name": name, "source": source, "serialization": serialization}
    c["token" if serialization == "compact" else "jws"] = token
    c.update(extra)
    c["key"] = {"jwk": key}
    c["options"] = options
    c["expect"] = expect
    return c


def rfc7520(cookbook):
    out = []
    for fname, name, source in RFC7520:
        with open(os.path.join(cookbook, "jws", fname), encoding="utf-8") as f:
            d = json.load(f)
        payload = d["input"]["payload"]
        key = d["input"]["key"]
        alg = d["input"]["alg"]
        detached = "detached" in name
        expect = {"payload": payload, "alg": alg, "signature_index": 0}
        extra = {"detached": payload} if detached else {}
        forms = [("compact", "compact"), ("general", "json"), ("flattened", "json_flat")]
        for ser, member in forms:
            if member in d["output"]:
                out.append(case(f"{name}-{ser}", source, ser, d["output"][member], key,
                                {"algorithms": [alg]}, expect, **extra))
    with open(os.path.join(cookbook, "jws", "4_8.multiple_signatures.json"), encoding="utf-8") as f:
        d = json.load(f)
    for i, (key, alg) in enumerate(zip(d["input"]["key"], d["input"]["alg"])):
        out.append(case(f"rfc7520-4.8-multiple-{alg.lower()}", "RFC 7520 4.8", "general",
                        d["output"]["json"], key, {"algorithms": [alg]},
                        {"payload": d["input"]["payload"], "alg": alg, "signature_index": i}))
    # every algorithm allowed, RSA key: still the RS256 signature (the others do not fit the key)
    out.append(case("rfc7520-4.8-multiple-all-algs-rsa-key", "RFC 7520 4.8", "general",
                    d["output"]["json"], d["input"]["key"][0],
                    {"algorithms": ["RS256", "ES512", "HS256"]},
                    {"payload": d["input"]["payload"], "alg": "RS256", "signature_index": 0}))
    # only HS256 allowed, EC key: no signature can verify (alg_not_allowed / invalid_key)
    out.append(case("rfc7520-4.8-multiple-ec-key-hs256-only", "RFC 7520 4.8", "general",
                    d["output"]["json"], d["input"]["key"][1], {"algorithms": ["HS256"]},
                    {"error": "invalid_key"}))
    return out


def rfc7797():
    key = RFC7797_KEY
    e = {"payload": "$.02", "alg": "HS256", "signature_index": 0}
    return [
        case("rfc7797-4.1-b64-true-compact", "RFC 7797 4.1", "compact", RFC7797_41, key, HS256, e),
        case("rfc7797-4.2-b64-false-compact-detached", "RFC 7797 4.2", "compact",
             RFC7797_42_PROTECTED + ".." + RFC7797_42_SIG, key, HS256, e, detached="$.02"),
        case("rfc7797-4.2-b64-false-flattened", "RFC 7797 4.2", "flattened",
             {"protected": RFC7797_42_PROTECTED, "payload": "$.02", "signature": RFC7797_42_SIG},
             key, HS256, e),
        case("rfc7797-4.2-b64-false-general", "RFC 7797 4.2", "general",
             {"payload": "$.02", "signatures": [{"protected": RFC7797_42_PROTECTED,
                                                 "signature": RFC7797_42_SIG}]}, key, HS256, e),
        case("rfc7797-4.2-b64-false-flattened-detached", "RFC 7797 4.2", "flattened",
             {"protected": RFC7797_42_PROTECTED, "signature": RFC7797_42_SIG}, key, HS256, e,
             detached="$.02"),
        # the compact detached form verified without its payload: an empty payload, a bad MAC
        case("rfc7797-4.2-detached-payload-missing", "RFC 7797 4.2", "compact",
             RFC7797_42_PROTECTED + ".." + RFC7797_42_SIG, key, HS256,
             {"error": "bad_signature"}),
    ]


def threats():
    k = THREAT_KEY
    t = []
    ok = {"alg": "HS256", "signature_index": 0}
    unenc = {"alg": "HS256", "b64": False, "crit": ["b64"]}
    pl = "hello"
    pl64 = b64(pl.encode())

    def add(name, ser, token, expect, options=HS256, **extra):
        t.append(case("threat-" + name, "threat", ser, token, k, options, expect, **extra))

    # b64: false (RFC 7797): attached unencoded payloads, compact and JSON
    add("b64-false-compact-attached", "compact", compact(unenc, pl), {"payload": pl, **ok})
    add("b64-false-compact-detached-binary-free", "compact",
        compact(unenc, "a.b c", detached=True), {"payload": "a.b c", **ok}, detached="a.b c")
    add("b64-true-with-crit", "compact", compact({"alg": "HS256", "b64": True, "crit": ["b64"]}, pl64),
        {"payload": pl, **ok})
    # b64 without crit: refused, compact and JSON (a b64-unaware verifier would misread it)
    add("b64-without-crit-compact", "compact", compact({"alg": "HS256", "b64": False}, pl),
        {"error": "malformed"})
    add("b64-without-crit-flattened", "flattened",
        {"payload": pl, **sig_obj({"alg": "HS256", "b64": False}, pl)}, {"error": "malformed"})
    add("b64-true-without-crit", "compact", compact({"alg": "HS256", "b64": True}, pl64),
        {"error": "malformed"})
    add("b64-non-boolean", "compact",
        compact({"alg": "HS256", "b64": "false", "crit": ["b64"]}, pl64), {"error": "malformed"})
    add("b64-null", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256", "b64": None, "crit": ["b64"]}, pl64)},
        {"error": "malformed"})
    add("crit-b64-without-b64", "compact", compact({"alg": "HS256", "crit": ["b64"]}, pl64),
        {"error": "malformed"})
    add("crit-unknown-with-b64", "compact",
        compact({"alg": "HS256", "b64": False, "crit": ["b64", "exp"]}, pl), {"error": "unknown_crit"})
    # never in a JWT: decode refuses it even with a valid signature and crit
    claims = '{"sub":"x"}'
    add("b64-false-in-jwt", "compact", compact(unenc, claims), {"error": "malformed"}, mode="jwt")
    add("b64-false-jwt-as-jws", "compact", compact(unenc, claims), {"payload": claims, **ok})
    # detached given, but the token carries a payload
    add("detached-and-attached-compact", "compact", compact({"alg": "HS256"}, pl64),
        {"error": "malformed"}, detached=pl)
    add("detached-and-attached-json", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256"}, pl64)}, {"error": "malformed"}, detached=pl)
    add("json-detached-missing", "flattened", sig_obj({"alg": "HS256"}, pl64),
        {"error": "malformed"})
    # node jose writes a detached JSON JWS with "payload": "" (RFC 7515 F omits it)
    add("json-detached-empty-payload-member", "flattened",
        {"payload": "", **sig_obj(unenc, "$.02")}, {"payload": "$.02", **ok}, detached="$.02")
    add("json-empty-payload-not-detached", "flattened",
        {"payload": "", **sig_obj(unenc, "$.02")}, {"error": "bad_signature"})
    # JSON header rules
    add("name-in-both-headers", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256", "kid": "a"}, pl64, header={"kid": "a"})},
        {"error": "malformed"})
    add("alg-in-both-headers", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256"}, pl64, header={"alg": "HS256"})},
        {"error": "malformed"})
    add("crit-in-unprotected", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256"}, pl64, header={"crit": ["exp"], "exp": 1})},
        {"error": "malformed"})
    add("b64-in-unprotected", "flattened",
        {"payload": pl, **sig_obj({"alg": "HS256", "crit": ["b64"]}, pl, header={"b64": False})},
        {"error": "malformed"})
    add("b64-differs-between-signatures", "general",
        {"payload": pl64, "signatures": [sig_obj({"alg": "HS256"}, pl64),
                                         sig_obj(unenc, pl64)]}, {"error": "malformed"})
    add("unknown-crit-json", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256", "crit": ["exp"], "exp": 1}, pl64)},
        {"error": "unknown_crit"})
    add("alg-only-unprotected", "flattened",
        {"payload": pl64, **sig_obj(None, pl64, header={"alg": "HS256"})}, {"payload": pl, **ok})
    # several signatures: one bad, the other verifies; its index is reported
    good = sig_obj({"alg": "HS256"}, pl64)
    bad = dict(good, signature=mac("x.y"))
    add("first-of-two-bad", "general", {"payload": pl64, "signatures": [bad, good]},
        {"payload": pl, "alg": "HS256", "signature_index": 1})
    add("second-of-two-bad", "general", {"payload": pl64, "signatures": [good, bad]},
        {"payload": pl, **ok})
    add("all-bad", "general", {"payload": pl64, "signatures": [bad, bad]}, {"error": "bad_signature"})
    hs512 = sig_obj({"alg": "HS512"}, pl64, digest=hashlib.sha512)
    add("no-allowed-signature", "general", {"payload": pl64, "signatures": [good, hs512]},
        {"error": "alg_not_allowed"}, options={"algorithms": ["HS384"]})
    add("allowed-second-signature", "general", {"payload": pl64, "signatures": [good, hs512]},
        {"payload": pl, "alg": "HS512", "signature_index": 1}, options={"algorithms": ["HS512"]})
    add("none-never-verifies", "general",
        {"payload": pl64, "signatures": [{"protected": hdr({"alg": "none"}), "signature": ""}]},
        {"error": "alg_not_allowed"}, options={"algorithms": ["HS256", "none"]})
    add("unknown-alg-then-good", "general",
        {"payload": pl64, "signatures": [sig_obj({"alg": "XX999"}, pl64), good]},
        {"payload": pl, "alg": "HS256", "signature_index": 1})
    add("other-key-then-good", "general",
        {"payload": pl64, "signatures": [sig_obj({"alg": "HS256", "kid": "other"}, pl64,
                                                 secret=b"another secret of 64 bytes".ljust(64, b".")),
                                         sig_obj({"alg": "HS256"}, pl64)]},
        {"payload": pl, "alg": "HS256", "signature_index": 1})
    # limits
    add("too-many-signatures", "general", {"payload": pl64, "signatures": [good] * 17},
        {"error": "too_large"})
    add("sixteen-signatures", "general", {"payload": pl64, "signatures": [bad] * 15 + [good]},
        {"payload": pl, "alg": "HS256", "signature_index": 15})
    deep = {}
    cur = deep
    for _ in range(40):
        cur["x"] = {}
        cur = cur["x"]
    add("deep-unprotected-header", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256"}, pl64, header={"deep": deep})},
        {"error": "too_large"})
    add("deep-protected-header", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256", "deep": deep}, pl64)}, {"error": "too_large"})
    big = b64(b"x" * 20000)
    add("oversized-json", "flattened", {"payload": big, **sig_obj({"alg": "HS256"}, big)},
        {"error": "too_large"})
    # malformed members
    add("signatures-not-array", "general", {"payload": pl64, "signatures": good}, {"error": "malformed"})
    add("signatures-empty", "general", {"payload": pl64, "signatures": []}, {"error": "malformed"})
    add("signature-not-object", "general", {"payload": pl64, "signatures": ["x"]}, {"error": "malformed"})
    add("general-and-flattened", "general",
        {"payload": pl64, "signatures": [good], "signature": good["signature"]}, {"error": "malformed"})
    add("no-signature-member", "flattened", {"payload": pl64, "protected": good["protected"]},
        {"error": "malformed"})
    add("no-header-at-all", "flattened", {"payload": pl64, "signature": good["signature"]},
        {"error": "malformed"})
    add("protected-not-base64url", "flattened",
        {"payload": pl64, "protected": "e30=", "signature": good["signature"]}, {"error": "malformed"})
    add("protected-not-object", "flattened",
        {"payload": pl64, "protected": b64(b"[1]"), "signature": good["signature"]},
        {"error": "malformed"})
    add("protected-not-string", "flattened",
        {"payload": pl64, "protected": {"alg": "HS256"}, "signature": good["signature"]},
        {"error": "malformed"})
    add("header-not-object", "flattened",
        {"payload": pl64, "header": "x", **good}, {"error": "malformed"})
    add("payload-not-string", "flattened", {"payload": 5, **good}, {"error": "malformed"})
    add("payload-not-base64url", "flattened", {"payload": pl64 + "=", **good}, {"error": "malformed"})
    add("signature-not-base64url", "flattened",
        {"payload": pl64, "protected": good["protected"], "signature": "!!"}, {"error": "malformed"})
    add("kid-not-string", "flattened",
        {"payload": pl64, **sig_obj({"alg": "HS256"}, pl64, header={"kid": 5})}, {"error": "malformed"})
    add("json-not-object", "flattened", [good], {"error": "malformed"})
    return t


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    doc = {
        "description": "JWS vectors: RFC 7520 section 4 (4.1-4.8) in every serialization the RFC "
                       "gives, RFC 7797 section 4, and threat cases for the JSON serialization and "
                       "b64. Written by tests/vectors/gen_jws_rfc.py; see tests/vectors/README.md "
                       "(JWS JSON serialization). RFC 7520 examples from the ietf-jose/cookbook "
                       "repository (commit 13692b6); RFC 7797's from the RFC text.",
        "cases": rfc7520(sys.argv[1]) + rfc7797() + threats(),
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
