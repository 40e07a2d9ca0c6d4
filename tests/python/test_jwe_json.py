"""cjwt.jwe_encrypt_json: the JWE JSON serialization on encryption (flattened, and
general with several recipients), read back by cjwt.jwe_decrypt with each recipient's
key and by jwcrypto (an independent implementation), and what it refuses."""
import json

import pytest

import cjwt

jwcrypto_jwe = pytest.importorskip("jwcrypto.jwe")
from jwcrypto import jwk as jwcrypto_jwk  # noqa: E402

MSG = b"You can trust us to stick with you through thick and thin"
KW = {"kty": "oct", "k": "GawgguFyGrWKav7AX4VKUg", "kid": "kw-1"}
EC = {"kty": "EC", "crv": "P-256", "use": "enc", "kid": "ec-1",
      "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
      "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
      "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"}
EC_PUBLIC = {k: v for k, v in EC.items() if k != "d"}
X25519 = {"kty": "OKP", "crv": "X25519", "kid": "x-1",
          "d": "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo",
          "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}


def rsa_pair():
    k = cjwt.Key.generate("RS256")
    priv = dict(k.to_jwk(private=True), kid="rsa-1")
    priv.pop("alg", None)
    return priv, {n: v for n, v in priv.items() if n in ("kty", "n", "e", "kid")}


def jwcrypto_open(serialized, key):
    t = jwcrypto_jwe.JWE()
    t.deserialize(json.dumps(serialized), jwcrypto_jwk.JWK(**key))
    return t.payload


def test_general_three_recipients_both_implementations():
    rsa_priv, rsa_pub = rsa_pair()
    out = cjwt.jwe_encrypt_json(
        MSG, [(KW, "A128KW"), {"key": EC_PUBLIC, "alg": "ECDH-ES+A256KW", "header": {"x-n": 1}},
              {"key": rsa_pub, "alg": "RSA-OAEP-256"}],
        enc="A256GCM", protected={"cty": "text/plain"}, unprotected={"jku": "https://x.example"},
        aad="extra")
    assert len(out["recipients"]) == 3
    assert json.loads(cjwt.utils.base64url_decode(out["protected"])) == {"cty": "text/plain",
                                                                           "enc": "A256GCM"}
    assert [r["header"]["alg"] for r in out["recipients"]] == ["A128KW", "ECDH-ES+A256KW",
                                                               "RSA-OAEP-256"]
    for key, alg in ((KW, "A128KW"), (EC, "ECDH-ES+A256KW"), (rsa_priv, "RSA-OAEP-256")):
        full = cjwt.jwe_decrypt_complete(out, key, algorithms=[alg], encryptions=["A256GCM"])
        assert full["plaintext"] == MSG
        assert full["header"]["jku"] == "https://x.example" and full["header"]["kid"] == key["kid"]
        assert jwcrypto_open(out, key) == MSG
    # the aad is authenticated
    bad = dict(out, aad="ZXh0cmI")
    with pytest.raises(cjwt.DecryptionError):
        cjwt.jwe_decrypt(bad, KW, algorithms=["A128KW"], encryptions=["A256GCM"])


@pytest.mark.parametrize("key,alg,enc", [
    ({"kty": "oct", "k": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}, "dir", "A256GCM"),
    (KW, "A128GCMKW", "A128CBC-HS256"),
    (X25519, "ECDH-ES", "A192GCM"),
    (EC, "ECDH-ES+A128KW", "A256CBC-HS512"),
])
def test_flattened_both_implementations(key, alg, enc):
    public = {n: v for n, v in key.items() if n != "d"}
    out = cjwt.jwe_encrypt_json(MSG, (public, alg), enc=enc, flattened=True, zip="DEF")
    assert "recipients" not in out and out["header"]["alg"] == alg
    assert cjwt.jwe_decrypt(out, key, algorithms=[alg], encryptions=[enc]) == MSG
    assert cjwt.jwe_decrypt(json.dumps(out), key, algorithms=[alg], encryptions=[enc]) == MSG
    assert jwcrypto_open(out, key) == MSG


def test_pbes2_recipient_p2c():
    out = cjwt.jwe_encrypt_json(MSG, {"key": b"Thus from my lips", "alg": "PBES2-HS256+A128KW",
                                      "p2c": 2000}, enc="A128GCM")
    assert out["recipients"][0]["header"]["p2c"] == 2000
    assert cjwt.jwe_decrypt(out, b"Thus from my lips", algorithms=["PBES2-HS256+A128KW"],
                            encryptions=["A128GCM"]) == MSG


def test_refused():
    dir_key = {"kty": "oct", "k": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}
    with pytest.raises(cjwt.InvalidAlgorithmError):   # dir sets the CEK: one recipient only
        cjwt.jwe_encrypt_json(MSG, [(dir_key, "dir"), (KW, "A128KW")], enc="A256GCM")
    with pytest.raises(cjwt.DecodeError):   # flattened: one recipient
        cjwt.jwe_encrypt_json(MSG, [(KW, "A128KW"), (KW, "A128KW")], enc="A256GCM",
                              flattened=True)
    with pytest.raises(cjwt.DecodeError):   # a name in two headers
        cjwt.jwe_encrypt_json(MSG, {"key": KW, "alg": "A128KW", "header": {"kid": "x"}},
                              enc="A256GCM", unprotected={"kid": "y"})
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.jwe_encrypt_json(MSG, (KW, "RSA1_5"), enc="A256GCM")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.jwe_encrypt_json(MSG, (dict(KW, use="sig"), "A128KW"), enc="A256GCM")
    with pytest.raises(TypeError):
        cjwt.jwe_encrypt_json(MSG, [KW], enc="A256GCM")
    with pytest.raises(TypeError):
        cjwt.jwe_encrypt_json(MSG, [{"key": KW}], enc="A256GCM")
