"""JWE through the Python API (cjwt.jwe_encrypt / jwe_decrypt): the shared vectors
tests/vectors/jwe_*.json (RFC 7516 A, RFC 7520 5, every serialization), round trips
for every alg/enc pair, and the threat tests of issue 16 point 2 at this layer."""
import base64
import glob
import json
import os
import time
import zlib

import pytest

import cjwt
from conftest import ROOT

VECTOR_FILES = sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "jwe_*.json")))
CASES = [c for f in VECTOR_FILES for c in json.load(open(f, encoding="utf-8"))["cases"]]
ALGS = ["dir", "A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW",
        "RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
        "ECDH-ES+A256KW", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"]
ENCS = ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"]
CEK = {"A128CBC-HS256": 32, "A192CBC-HS384": 48, "A256CBC-HS512": 64, "A128GCM": 16,
       "A192GCM": 24, "A256GCM": 32}
K16 = b"0123456789abcdef"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def case_key(key):
    if "jwk" in key:
        return key["jwk"]
    return cjwt.Key.from_secret(key["secret"].encode())


def test_vectors_exist():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case):
    token = case["token"] if "token" in case else case["jwe"]
    opts = case["options"]
    kwargs = {"algorithms": opts["algorithms"], "encryptions": opts["encryptions"]}
    if "error" in case["expect"]:
        with pytest.raises(cjwt.PyJWTError) as e:
            cjwt.jwe_decrypt(token, case_key(case["key"]), **kwargs)
        assert e.value.code == case["expect"]["error"]
    else:
        got = cjwt.jwe_decrypt(token, case_key(case["key"]), **kwargs)
        assert got == case["expect"]["plaintext"].encode("utf-8")
        if "jwe" in case:   # the JSON serialization as text too
            got = cjwt.jwe_decrypt(json.dumps(case["jwe"]), case_key(case["key"]), **kwargs)
            assert got == case["expect"]["plaintext"].encode("utf-8")


def _keys(alg, enc):
    """(encryption key, decryption key) for alg/enc."""
    if alg == "dir":
        k = cjwt.Key.from_secret(bytes(range(CEK[enc])))
        return k, k
    if alg.startswith("PBES2"):
        k = cjwt.Key.from_secret(b"correct horse")
        return k, k
    if "KW" in alg and not alg.startswith("ECDH"):
        k = cjwt.Key.from_secret(bytes(range(int(alg[1:4]) // 8)))
        return k, k
    priv = cjwt.Key.generate("RS256" if alg.startswith("RSA") else "ES384")
    jwk = priv.to_jwk(private=True)
    jwk.pop("alg", None)
    priv = cjwt.Key.from_jwk(jwk)
    pub_jwk = priv.to_jwk()
    return cjwt.Key.from_jwk(pub_jwk), priv


@pytest.mark.parametrize("alg", ALGS)
def test_roundtrip(alg):
    for enc in ENCS:
        ek, dk = _keys(alg, enc)
        tok = cjwt.jwe_encrypt(b"attack at dawn", ek, alg=alg, enc=enc, zip="DEF",
                               headers={"cty": "text/plain"}, p2c=1000 if "PBES2" in alg else None)
        out = cjwt.jwe_decrypt_complete(tok, dk, algorithms=[alg], encryptions=[enc])
        assert out["plaintext"] == b"attack at dawn"
        assert out["header"]["alg"] == alg and out["header"]["enc"] == enc
        assert out["header"]["cty"] == "text/plain" and out["header"]["zip"] == "DEF"


def test_str_plaintext_and_jwk_dict_keys():
    jwk = {"kty": "oct", "k": b64u(K16), "use": "enc", "kid": "k1"}
    tok = cjwt.jwe_encrypt("héllo", jwk, alg="A128KW", enc="A128GCM")
    assert cjwt.jwe_decrypt_complete(tok, jwk, algorithms=["A128KW"],
                                     encryptions=["A128GCM"])["header"]["kid"] == "k1"
    assert cjwt.jwe_decrypt(tok.encode(), jwk, algorithms=["A128KW"],
                            encryptions=["A128GCM"]) == "héllo".encode()


# ---- threats ------------------------------------------------------------------

def _gcm_jwe(header, plaintext):
    """An authentic dir+A128GCM token with any header (cryptography's AES-GCM)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    h = b64u(json.dumps(header).encode())
    iv = b"\x01" * 12
    ct = AESGCM(K16).encrypt(iv, plaintext, h.encode())
    return ".".join([h, "", b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])])


def test_zip_bomb_refused_fast():
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    comp = b"".join(z.compress(b"\0" * (1 << 20)) for _ in range(128)) + z.flush()
    tok = _gcm_jwe({"alg": "dir", "enc": "A128GCM", "zip": "DEF"}, comp)
    t0 = time.monotonic()
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.jwe_decrypt(tok, cjwt.Key.from_secret(K16), algorithms=["dir"],
                         encryptions=["A128GCM"], max_token_len=1 << 20)
    assert e.value.code == "too_large" and time.monotonic() - t0 < 2
    # the bound is the caller's: exactly max_plaintext passes
    tok = _gcm_jwe({"alg": "dir", "enc": "A128GCM", "zip": "DEF"},
                   zlib.compress(b"a" * 1000)[2:-4])
    for limit, ok in ((999, False), (1000, True)):
        if ok:
            assert cjwt.jwe_decrypt(tok, cjwt.Key.from_secret(K16), algorithms=["dir"],
                                    encryptions=["A128GCM"], max_plaintext=limit) == b"a" * 1000
        else:
            with pytest.raises(cjwt.DecodeError):
                cjwt.jwe_decrypt(tok, cjwt.Key.from_secret(K16), algorithms=["dir"],
                                 encryptions=["A128GCM"], max_plaintext=limit)


def test_p2c_bound_refused_before_work():
    pw = cjwt.Key.from_secret(b"pw")
    tok = cjwt.jwe_encrypt(b"x", pw, alg="PBES2-HS256+A128KW", enc="A128GCM", p2c=2000)
    h = b64u(json.dumps({"alg": "PBES2-HS256+A128KW", "enc": "A128GCM", "p2c": 2**31 - 1,
                         "p2s": b64u(b"\0" * 16)}).encode())
    evil = h + tok[tok.index("."):]
    t0 = time.monotonic()
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.jwe_decrypt(evil, pw, algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"])
    assert e.value.code == "too_large" and time.monotonic() - t0 < 0.5
    with pytest.raises(cjwt.DecodeError):
        cjwt.jwe_decrypt(tok, pw, algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"],
                         max_p2c=1999)


def test_invalid_curve_point():
    priv = cjwt.Key.from_jwk({"kty": "EC", "crv": "P-256",
                              "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
                              "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
                              "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"})
    tok = cjwt.jwe_encrypt(b"x", cjwt.Key.from_jwk(priv.to_jwk()), alg="ECDH-ES", enc="A128GCM")
    h = b64u(json.dumps({"alg": "ECDH-ES", "enc": "A128GCM", "epk": {
        "kty": "EC", "crv": "P-256", "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
        "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFppt"}}).encode())
    with pytest.raises(cjwt.InvalidKeyError) as e:
        cjwt.jwe_decrypt(h + tok[tok.index("."):], priv, algorithms=["ECDH-ES"],
                         encryptions=["A128GCM"])
    assert e.value.code == "invalid_key"


def test_rsa1_5_only_when_named_and_one_answer():
    case = next(c for c in CASES if c["name"] == "rfc7516-a2-rsa1_5-a128cbc-hs256")
    key, tok = case["key"]["jwk"], case["token"]
    others = [a for a in ALGS if a != "RSA1_5"]
    with pytest.raises(cjwt.InvalidAlgorithmError) as e:
        cjwt.jwe_decrypt(tok, key, algorithms=others, encryptions=ENCS)
    assert e.value.code == "alg_not_allowed"
    parts = tok.split(".")
    bad_key = ".".join([parts[0], parts[1][:10] + ("A" if parts[1][10] != "A" else "B") + parts[1][11:]]
                       + parts[2:])
    bad_tag = ".".join(parts[:4] + [parts[4][:-3] + ("A" if parts[4][-3] != "A" else "B") + parts[4][-2:]])
    msgs = set()
    for t in (bad_key, bad_tag):
        with pytest.raises(cjwt.DecryptionError) as e:
            cjwt.jwe_decrypt(t, key, algorithms=["RSA1_5"], encryptions=["A128CBC-HS256"])
        msgs.add((e.value.code, str(e.value)))
    assert msgs == {("decrypt_failed", "JWE decryption failed")}
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.jwe_encrypt(b"x", key, alg="RSA1_5", enc="A128GCM")


@pytest.mark.parametrize("jwk_extra", [{"use": "sig"}, {"key_ops": ["verify"]}, {"alg": "HS256"},
                                       {"key_ops": ["wrapKey"]}])
def test_key_use_binding(jwk_extra):
    tok = cjwt.jwe_encrypt(b"x", cjwt.Key.from_secret(K16 * 2), alg="A256KW", enc="A128GCM")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.jwe_decrypt(tok, dict({"kty": "oct", "k": b64u(K16 * 2)}, **jwk_extra),
                         algorithms=["A256KW"], encryptions=["A128GCM"])


@pytest.mark.parametrize("jwk_extra", [{"use": "enc"}, {"alg": "A256KW"}, {"key_ops": ["decrypt"]}])
def test_enc_key_never_verifies(jwk_extra):
    tok = cjwt.encode({"sub": "u"}, K16 * 2, algorithm="HS256")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(tok, dict({"kty": "oct", "k": b64u(K16 * 2)}, **jwk_extra), algorithms=["HS256"])


def test_allowlists_are_separate_and_required():
    k = cjwt.Key.from_secret(K16)
    tok = cjwt.jwe_encrypt(b"x", k, alg="A128KW", enc="A128GCM")
    for algs, encs in ((["A128KW"], []), ([], ["A128GCM"]), (["A128KW"], ["A256GCM"]),
                       (["dir"], ["A128GCM"])):
        with pytest.raises(cjwt.InvalidAlgorithmError) as e:
            cjwt.jwe_decrypt(tok, k, algorithms=algs, encryptions=encs)
        assert e.value.code == "alg_not_allowed"
    with pytest.raises(ValueError):
        cjwt.jwe_decrypt(tok, k, algorithms=["A128KW", "A128GCM"], encryptions=["A128GCM"])
    with pytest.raises(TypeError):
        cjwt.jwe_decrypt(tok, k, algorithms="A128KW", encryptions=["A128GCM"])


def test_truncated_tag():
    k = cjwt.Key.from_secret(K16)
    tok = cjwt.jwe_encrypt(b"x", k, alg="A128KW", enc="A128GCM")
    head, tag = tok.rsplit(".", 1)
    with pytest.raises(cjwt.DecryptionError):
        cjwt.jwe_decrypt(head + "." + tag[:20], k, algorithms=["A128KW"], encryptions=["A128GCM"])


def test_crit():
    tok = _gcm_jwe({"alg": "dir", "enc": "A128GCM", "crit": ["exp"], "exp": 1}, b"x")
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.jwe_decrypt(tok, cjwt.Key.from_secret(K16), algorithms=["dir"], encryptions=["A128GCM"])
    assert e.value.code == "unknown_crit"
