"""JWS JSON serialization, detached payloads and RFC 7797 ("b64": false) through
the Python API: the shared vectors tests/vectors/jws_rfc.json (RFC 7520 section
4, RFC 7797 section 4, threats), round trips of jws_encode / jws_encode_json,
the JWT refusal, and PyJWT's detached payloads (PyJWS is_payload_detached= /
detached_payload=) both ways."""
import base64
import json
import os

import jwt as pyjwt
import pytest

import cjwt
from conftest import ROOT

CASES = json.load(open(os.path.join(ROOT, "tests", "vectors", "jws_rfc.json"),
                       encoding="utf-8"))["cases"]
SECRET = b"s" * 64


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def verify(case, token):
    kwargs = {"algorithms": case["options"]["algorithms"]}
    if "detached" in case:
        kwargs["detached_payload"] = case["detached"].encode()
    if case.get("mode") == "jwt":
        return cjwt.decode(token, case["key"]["jwk"], **kwargs)
    return cjwt.jws_decode_complete(token, case["key"]["jwk"], **kwargs)


def test_vector_counts():
    sources = [c["source"] for c in CASES]
    assert sum(s.startswith("RFC 7520") for s in sources) == 24
    assert sum(s.startswith("RFC 7797") for s in sources) == 6
    assert sources.count("threat") > 40


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case):
    forms = [case["token"]] if "token" in case else [json.dumps(case["jws"])]
    if isinstance(case.get("jws"), dict):
        forms.append(case["jws"])            # a dict is accepted as well as JSON text
    for token in forms:
        if "error" in case["expect"]:
            with pytest.raises(cjwt.PyJWTError) as e:
                verify(case, token)
            assert e.value.code == case["expect"]["error"], e.value
            continue
        got = verify(case, token)
        assert got["payload"] == case["expect"]["payload"].encode("utf-8")
        assert got["header"]["alg"] == case["expect"]["alg"]
        assert got["signature_index"] == case["expect"]["signature_index"]
        # jws_decode: the same payload
        kwargs = {"algorithms": case["options"]["algorithms"]}
        if "detached" in case:
            kwargs["detached_payload"] = case["detached"]   # str: its UTF-8
        assert cjwt.jws_decode(token, case["key"]["jwk"], **kwargs) == got["payload"]


def test_compact_unencoded_round_trip():
    tok = cjwt.jws_encode(b"$02 text", SECRET, "HS256", {"b64": False})
    head = json.loads(base64.urlsafe_b64decode(tok.split(".")[0] + "=="))
    assert head == {"alg": "HS256", "b64": False, "crit": ["b64"]}
    assert tok.split(".")[1] == "$02 text"
    assert cjwt.jws_decode(tok, SECRET, ["HS256"]) == b"$02 text"
    with pytest.raises(cjwt.DecodeError) as e:       # '.' only detached
        cjwt.jws_encode(b"a.b", SECRET, "HS256", {"b64": False})
    assert e.value.code == "malformed"
    tok = cjwt.jws_encode(b"a.b\x00\xff", SECRET, "HS256", {"b64": False}, detached=True)
    assert tok.split(".")[1] == ""
    assert cjwt.jws_decode(tok, SECRET, ["HS256"], detached_payload=b"a.b\x00\xff") == b"a.b\x00\xff"
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.jws_decode(tok, SECRET, ["HS256"], detached_payload=b"a.b\x00\xfe")


def test_detached_encoded_round_trip():
    tok = cjwt.jws_encode(b"bytes", SECRET, "HS256", detached=True)
    assert cjwt.jws_decode(tok, SECRET, ["HS256"], detached_payload=b"bytes") == b"bytes"
    with pytest.raises(cjwt.DecodeError):         # the token carries none: the given one is not it
        cjwt.jws_decode(cjwt.jws_encode(b"x", SECRET, "HS256"), SECRET, ["HS256"],
                        detached_payload=b"x")


def test_jwt_never_unencoded_or_detached():
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.encode({"sub": "x"}, SECRET, "HS256", headers={"b64": False})
    assert e.value.code == "malformed" and "b64" in str(e.value)
    tok = cjwt.jws_encode(b'{"sub":"x"}', SECRET, "HS256", {"b64": False})
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.decode(tok, SECRET, algorithms=["HS256"])
    assert "RFC 7797" in str(e.value)
    with pytest.raises(cjwt.DecodeError):
        cjwt.decode(tok, SECRET, algorithms=["HS256"], detached_payload=b'{"sub":"x"}')
    with pytest.raises(cjwt.DecodeError):
        cjwt.decode_complete(tok, SECRET, algorithms=["HS256"])
    # a b64 false header is never read as absent (it used to be)
    plain = cjwt.encode({"sub": "x"}, SECRET, "HS256")
    h, p, s = plain.split(".")
    fake_h = b64u(json.dumps({"alg": "HS256", "b64": False}).encode())
    with pytest.raises(cjwt.DecodeError):
        cjwt.get_unverified_header(fake_h + "." + p + "." + s)


def test_json_several_signers():
    ec = cjwt.Key.generate("ES256", kid="ec-1")
    ed = cjwt.Key.generate("EdDSA")
    text = cjwt.jws_encode_json(b"payload", [
        {"key": SECRET, "algorithm": "HS512", "protected": {"typ": "example"}},
        {"key": ec, "header": {"x-note": "unprotected"}},
        {"key": ed},
    ])
    ec_pub, ed_pub = (cjwt.Key.from_jwk(k.to_jwk()) for k in (ec, ed))   # public parts
    doc = json.loads(text)
    assert len(doc["signatures"]) == 3 and doc["payload"] == b64u(b"payload")
    got = cjwt.jws_decode_complete(text, ec_pub, algorithms=["ES256", "EdDSA"])
    assert got["signature_index"] == 1
    assert got["protected"] == {"alg": "ES256", "kid": "ec-1"}
    assert got["unprotected"] == {"x-note": "unprotected"}
    assert got["header"] == {"alg": "ES256", "kid": "ec-1", "x-note": "unprotected"}
    got = cjwt.jws_decode_complete(text, ed_pub, algorithms=["ES256", "EdDSA"])
    assert got["signature_index"] == 2 and got["unprotected"] is None
    got = cjwt.jws_decode_complete(text, SECRET, algorithms=["HS512"], typ="example")
    assert got["signature_index"] == 0
    # a key set: the kid picks the key
    ks = cjwt.KeySet([ec_pub])
    assert cjwt.jws_decode_complete(text, ks, algorithms=["ES256"])["signature_index"] == 1
    # no allowed algorithm fits the key
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.jws_decode(text, ed_pub, algorithms=["HS512"])
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.jws_decode(text, ed_pub, algorithms=["PS256"])


def test_json_flattened_unencoded_detached():
    one = {"key": SECRET, "algorithm": "HS256", "protected": {"b64": False}}
    text = cjwt.jws_encode_json("héllo $.02".encode(), one, flattened=True)
    doc = json.loads(text)
    assert doc["payload"] == "héllo $.02" and "signatures" not in doc
    assert cjwt.jws_decode(text, SECRET, ["HS256"]) == "héllo $.02".encode()
    text = cjwt.jws_encode_json(b"\xff\x00", one, flattened=True, detached=True)
    assert "payload" not in json.loads(text)
    assert cjwt.jws_decode(text, SECRET, ["HS256"], detached_payload=b"\xff\x00") == b"\xff\x00"
    with pytest.raises(cjwt.DecodeError):
        cjwt.jws_decode(text, SECRET, ["HS256"])             # the payload is missing
    with pytest.raises(cjwt.DecodeError):                      # attached: must be UTF-8 text
        cjwt.jws_encode_json(b"\xff", one)


def test_json_signing_rules():
    for signer in ({"key": SECRET, "algorithm": "HS256", "header": {"alg": "HS256"}},
                   {"key": SECRET, "algorithm": "HS256", "header": {"crit": ["x"]}},
                   {"key": SECRET, "algorithm": "HS256", "protected": {"kid": "a"},
                    "header": {"kid": "a"}}):
        with pytest.raises(cjwt.DecodeError) as e:
            cjwt.jws_encode_json(b"x", signer)
        assert e.value.code == "malformed"
    with pytest.raises(cjwt.DecodeError):       # flattened: one signer
        cjwt.jws_encode_json(b"x", [{"key": SECRET}, {"key": SECRET}], flattened=True)
    with pytest.raises(cjwt.PyJWTError) as e:
        cjwt.jws_encode_json(b"x", [{"key": SECRET, "algorithm": "HS256"}] * 17)
    assert e.value.code == "too_large"
    with pytest.raises(TypeError):
        cjwt.jws_encode_json(b"x", {"key": SECRET, "algorithm": "HS256", "extra": 1})


# ---- PyJWT's detached payloads, both ways ------------------------------------

def test_pyjwt_detached_both_ways():
    for payload in (b"$.02", b"binary \x00\xff", b""):
        theirs = pyjwt.PyJWS().encode(payload, SECRET, algorithm="HS256", is_payload_detached=True)
        ours = cjwt.PyJWS().encode(payload, SECRET, algorithm="HS256", is_payload_detached=True)
        assert ours == theirs                                   # byte for byte
        assert cjwt.PyJWS().decode(theirs, SECRET, algorithms=["HS256"],
                                   detached_payload=payload) == payload
        assert pyjwt.PyJWS().decode(ours, SECRET, algorithms=["HS256"],
                                    detached_payload=payload) == payload
        full = cjwt.PyJWS().decode_complete(ours, SECRET, algorithms=["HS256"],
                                            detached_payload=payload)
        assert full["header"]["b64"] is False and full["payload"] == payload
    # headers={"b64": False} means detached, as in PyJWT
    ours = cjwt.PyJWS().encode(b"x", SECRET, algorithm="HS256", headers={"b64": False})
    assert ours == pyjwt.PyJWS().encode(b"x", SECRET, algorithm="HS256", headers={"b64": False})


@pytest.mark.parametrize("case", ["missing", "not_b64_false", "attached", "no_crit", "bad_sig"])
def test_pyjwt_detached_errors_as_pyjwt(case):
    tok = pyjwt.PyJWS().encode(b"p", SECRET, algorithm="HS256", is_payload_detached=True)
    kwargs = {"detached_payload": b"p"}
    if case == "missing":
        kwargs = {}
    elif case == "not_b64_false":
        tok = pyjwt.PyJWS().encode(b"p", SECRET, algorithm="HS256")
    elif case == "attached":
        h, _, s = tok.split(".")
        tok = h + ".p." + s
    elif case == "no_crit":
        h = b64u(json.dumps({"alg": "HS256", "b64": False}).encode())
        tok = h + ".." + b64u(b"x" * 32)
    elif case == "bad_sig":
        kwargs = {"detached_payload": b"q"}
    outcomes = []
    for lib in (pyjwt, cjwt):
        with pytest.raises(lib.InvalidTokenError) as e:
            lib.PyJWS().decode(tok, SECRET, algorithms=["HS256"], **kwargs)
        outcomes.append((type(e.value).__name__, str(e.value)))
    (c_cls, c_msg), (p_cls, p_msg) = outcomes[1], outcomes[0]
    assert c_cls == p_cls or (c_cls, p_cls) == ("DecodeError", "InvalidTokenError")
    assert c_msg.startswith(p_msg.split(" (")[0].rstrip(".")), (c_msg, p_msg)
