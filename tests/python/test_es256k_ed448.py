"""ES256K (secp256k1, RFC 8812) and EdDSA with Ed448 keys (RFC 8037) through the
Python binding: signing and verifying, key import and generation, key/alg
binding, the threats (ES256 vs ES256K keys, Ed25519 vs Ed448 keys,
wrong-length signatures, points off the curve), PyJWT's algorithm objects and
PyJWK for these keys, and both directions with PyJWT itself. Keys come from
`cryptography` (an independent implementation)."""
import base64
import json
import os

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

import cjwt
from conftest import NOW, ROOT

PAYLOAD = {"sub": "user-1", "n": 1}


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pems(priv):
    return (priv.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
            priv.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo))


K1 = ec.generate_private_key(ec.SECP256K1())
K1_OTHER = ec.generate_private_key(ec.SECP256K1())
P256 = ec.generate_private_key(ec.SECP256R1())
ED448 = ed448.Ed448PrivateKey.generate()
ED448_OTHER = ed448.Ed448PrivateKey.generate()
ED25519 = ed25519.Ed25519PrivateKey.generate()
K1_PRIV, K1_PUB = pems(K1)
P256_PRIV, P256_PUB = pems(P256)
ED448_PRIV, ED448_PUB = pems(ED448)
ED25519_PRIV, ED25519_PUB = pems(ED25519)


def with_sig(token, sig):
    return token.rsplit(".", 1)[0] + "." + b64u(sig)


def sig_of(token):
    return unb64u(token.rsplit(".", 1)[1])


# ---- signing and verifying -------------------------------------------------

@pytest.mark.parametrize("priv, pub, alg, size", [(K1_PRIV, K1_PUB, "ES256K", 64),
                                                  (ED448_PRIV, ED448_PUB, "EdDSA", 114)])
def test_round_trip_every_key_form(priv, pub, alg, size):
    token = cjwt.encode(PAYLOAD, priv, algorithm=alg)
    assert cjwt.get_unverified_header(token)["alg"] == alg
    assert len(sig_of(token)) == size
    pub_key = cjwt.Key.from_pem(pub)
    der = ser.load_pem_public_key(pub).public_bytes(ser.Encoding.DER,
                                                    ser.PublicFormat.SubjectPublicKeyInfo)
    for key in (pub, pub.decode(), priv, pub_key, pub_key.to_jwk(), cjwt.Key.from_jwk(pub_key.to_jwk()),
                der, cjwt.PyJWK(pub_key.to_jwk(), algorithm=alg)):
        assert cjwt.decode(token, key, algorithms=[alg], now=NOW) == PAYLOAD
    assert pub_key.default_alg == alg
    data = bytes(range(256))
    assert cjwt.jws_decode(cjwt.jws_encode(data, priv, algorithm=alg), pub, algorithms=[alg]) == data


def test_generate_on_a_curve():
    k = cjwt.Key.generate("EdDSA", kid="e", crv="Ed448")
    assert (k.kty, k.curve, k.bits, k.alg, k.kid) == ("OKP", "Ed448", 456, "EdDSA", "e")
    jwk = k.to_jwk()
    assert jwk["crv"] == "Ed448" and len(unb64u(jwk["x"])) == 57
    token = cjwt.encode(PAYLOAD, k)
    assert len(sig_of(token)) == 114
    assert cjwt.decode(token, jwk, algorithms=["EdDSA"], now=NOW) == PAYLOAD
    assert cjwt.Key.generate("EdDSA").curve == "Ed25519"
    assert cjwt.Key.generate("EdDSA", crv="Ed25519").curve == "Ed25519"
    k1 = cjwt.Key.generate("ES256K")
    assert (k1.kty, k1.curve, k1.alg) == ("EC", "secp256k1", "ES256K")
    assert cjwt.Key.generate("ES256K", crv="secp256k1").curve == "secp256k1"
    for alg, crv in (("ES256", "secp256k1"), ("ES256K", "P-256"), ("EdDSA", "X448"),
                     ("RS256", "Ed448"), ("HS256", "Ed448")):
        with pytest.raises(cjwt.InvalidKeyError) as info:
            cjwt.Key.generate(alg, crv=crv)
        assert info.value.code == "invalid_key"
    with pytest.raises(TypeError):
        cjwt.Key.generate("EdDSA", crv=448)


def test_key_sets_pick_by_kid_and_by_curve():
    jwks = {"keys": [dict(cjwt.Key.from_pem(P256_PUB).to_jwk(), kid="p256"),
                     dict(cjwt.Key.from_pem(K1_PUB).to_jwk(), kid="k1"),
                     dict(cjwt.Key.from_pem(ED25519_PUB).to_jwk(), kid="ed25519"),
                     dict(cjwt.Key.from_pem(ED448_PUB).to_jwk(), kid="ed448")]}
    ks = cjwt.KeySet.from_jwks(jwks)
    algs = ["ES256", "ES256K", "EdDSA"]
    for priv, alg, kid in ((K1_PRIV, "ES256K", "k1"), (ED448_PRIV, "EdDSA", "ed448"),
                           (ED25519_PRIV, "EdDSA", "ed25519"), (P256_PRIV, "ES256", "p256")):
        for headers in ({"kid": kid}, None):
            token = cjwt.encode(PAYLOAD, priv, algorithm=alg, headers=headers)
            assert cjwt.decode(token, ks, algorithms=algs, now=NOW) == PAYLOAD
    # the kid names a key of the other curve
    token = cjwt.encode(PAYLOAD, K1_PRIV, algorithm="ES256K", headers={"kid": "p256"})
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(token, ks, algorithms=algs, now=NOW)
    token = cjwt.encode(PAYLOAD, ED448_PRIV, algorithm="EdDSA", headers={"kid": "ed25519"})
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode(token, ks, algorithms=algs, now=NOW)
    # PyJWKSet keeps the keys PyJWK takes without an alg: the Ed448 one is left out, as in PyJWT
    assert len(cjwt.PyJWKSet.from_dict(jwks).keys) == len(pyjwt.PyJWKSet.from_dict(jwks).keys) == 3


# ---- threats ---------------------------------------------------------------

def test_es256k_and_es256_keys_never_cross():
    k1_token = cjwt.encode(PAYLOAD, K1_PRIV, algorithm="ES256K")
    p256_token = cjwt.encode(PAYLOAD, P256_PRIV, algorithm="ES256")
    every = ["ES256", "ES256K", "ES384", "ES512", "EdDSA", "RS256", "HS256"]
    for token, key, why in ((k1_token, P256_PUB, "ES256K needs a secp256k1 key"),
                            (p256_token, K1_PUB, "ES256 needs a P-256 key")):
        with pytest.raises(cjwt.InvalidKeyError) as info:
            cjwt.decode(token, key, algorithms=every, now=NOW)
        assert info.value.code == "invalid_key" and why in str(info.value)
    # the signature relabelled: the header's alg never changes what the key verifies
    relabelled = cjwt.encode(PAYLOAD, P256_PRIV, algorithm="ES256").rsplit(".", 1)[0]
    forged = relabelled + "." + k1_token.rsplit(".", 1)[1]
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(forged, K1_PUB, algorithms=every, now=NOW)
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode(forged, P256_PUB, algorithms=["ES256"], now=NOW)
    with pytest.raises(cjwt.InvalidAlgorithmError) as info:
        cjwt.decode(k1_token, K1_PUB, algorithms=["ES256"], now=NOW)
    assert info.value.code == "alg_not_allowed"
    # bound keys
    bound = cjwt.Key.from_pem(K1_PUB).with_alg("ES256K")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.Key.from_pem(K1_PUB).with_alg("ES256")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(p256_token, bound, algorithms=["ES256", "ES256K"], now=NOW)
    # secp256k1 is for ES256K only, never for ECDH-ES
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.jwe_encrypt(b"x", K1_PUB, alg="ECDH-ES", enc="A128GCM")


def test_ed448_and_ed25519_keys_never_cross():
    t448 = cjwt.encode(PAYLOAD, ED448_PRIV, algorithm="EdDSA")
    t255 = cjwt.encode(PAYLOAD, ED25519_PRIV, algorithm="EdDSA")
    for token, key in ((t448, ED25519_PUB), (t255, ED448_PUB)):
        with pytest.raises(cjwt.InvalidSignatureError) as info:
            cjwt.decode(token, key, algorithms=["EdDSA"], now=NOW)
        assert info.value.code == "bad_signature"
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(t448, P256_PUB, algorithms=["EdDSA", "ES256"], now=NOW)
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(t448, b"a" * 64, algorithms=["EdDSA", "HS256"], now=NOW)


@pytest.mark.parametrize("priv, pub, alg, size", [(K1_PRIV, K1_PUB, "ES256K", 64),
                                                  (ED448_PRIV, ED448_PUB, "EdDSA", 114)])
def test_wrong_length_and_forged_signatures(priv, pub, alg, size):
    token = cjwt.encode(PAYLOAD, priv, algorithm=alg)
    sig = sig_of(token)
    bad = [b"", sig[:-1], sig + b"\0", b"\0" + sig, sig[:64] if size != 64 else sig[:57],
           bytes(size), b"\xff" * size, sig[size // 2:] + sig[:size // 2]]
    if alg == "ES256K":       # DER form of the same (r, s)
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
        bad.append(encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                        int.from_bytes(sig[32:], "big")))
    for s in bad:
        with pytest.raises(cjwt.InvalidSignatureError) as info:
            cjwt.decode(with_sig(token, s), pub, algorithms=[alg], now=NOW)
        assert info.value.code == "bad_signature", s.hex()


def test_high_s_es256k_is_not_required_low():
    # ES256K (RFC 8812) does not ask for low-S: (r, n - s) verifies, as for ES256.
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    token = cjwt.encode(PAYLOAD, K1_PRIV, algorithm="ES256K")
    sig = sig_of(token)
    twin = sig[:32] + (n - int.from_bytes(sig[32:], "big")).to_bytes(32, "big")
    assert cjwt.decode(with_sig(token, twin), K1_PUB, algorithms=["ES256K"], now=NOW) == PAYLOAD


def test_invalid_points_and_sizes_refused():
    jwk = cjwt.Key.from_pem(K1_PUB).to_jwk()
    y = bytearray(unb64u(jwk["y"]))
    y[-1] ^= 1
    p256 = cjwt.Key.from_pem(P256_PUB).to_jwk()
    bad = [dict(jwk, y=b64u(bytes(y))),                         # off the curve
           dict(jwk, x=p256["x"], y=p256["y"]),                  # a P-256 point
           dict(jwk, x=jwk["x"][:-2]),                           # 31 bytes
           {"kty": "OKP", "crv": "Ed448", "x": b64u(bytes(32))},  # Ed25519's size
           {"kty": "OKP", "crv": "Ed448", "x": b64u(bytes(58))},
           {"kty": "EC", "crv": "Ed448", "x": jwk["x"], "y": jwk["y"]},
           {"kty": "OKP", "crv": "secp256k1", "x": jwk["x"]}]
    for j in bad:
        with pytest.raises(cjwt.InvalidKeyError) as info:
            cjwt.Key.from_jwk(j)
        assert info.value.code == "invalid_key", j


def test_rfc8032_key_pairs():
    """RFC 8032 7.4's Ed448 key pairs: x is derived from d (a JWK with another
    key's x is refused), and the key signs tokens that verify with x alone."""
    with open(os.path.join(ROOT, "tests", "vectors", "primitives", "rfc8032_ed448.json"),
              encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    assert len(cases) == 8
    for i, c in enumerate(cases):
        d, x = bytes.fromhex(c["secret_key"]), bytes.fromhex(c["public_key"])
        jwk = {"kty": "OKP", "crv": "Ed448", "d": b64u(d), "x": b64u(x)}
        key = cjwt.Key.from_jwk(jwk)
        assert key.to_jwk()["x"] == b64u(x) and key.is_private
        token = cjwt.jws_encode(bytes.fromhex(c["message"]), key, algorithm="EdDSA")
        pub = {"kty": "OKP", "crv": "Ed448", "x": b64u(x)}
        assert cjwt.jws_decode(token, pub, algorithms=["EdDSA"]) == bytes.fromhex(c["message"])
        other = bytes.fromhex(cases[(i + 1) % 8]["public_key"])
        with pytest.raises(cjwt.InvalidKeyError):
            cjwt.Key.from_jwk(dict(jwk, x=b64u(other)))


# ---- PyJWT's API for these algorithms ----------------------------------------

def test_get_algorithm_by_name_and_jwk_conversions():
    alg = cjwt.get_algorithm_by_name("ES256K")
    assert isinstance(alg, cjwt.algorithms.ECAlgorithm)
    jwk = alg.to_jwk(K1.public_key(), as_dict=True)
    assert jwk == pyjwt.get_algorithm_by_name("ES256K").to_jwk(K1.public_key(), as_dict=True)
    assert jwk["crv"] == "secp256k1"
    pub = alg.from_jwk(jwk)
    assert isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name == "secp256k1"
    priv_jwk = alg.to_jwk(K1, as_dict=True)
    assert "d" in priv_jwk and isinstance(alg.from_jwk(json.dumps(priv_jwk)), ec.EllipticCurvePrivateKey)
    sig = alg.sign(b"msg", alg.prepare_key(K1_PRIV))
    assert len(sig) == 64 and alg.verify(b"msg", alg.prepare_key(K1_PUB), sig)
    assert pyjwt.get_algorithm_by_name("ES256K").verify(b"msg", K1.public_key(), sig)
    with pytest.raises(cjwt.InvalidKeyError):        # PyJWT: the curve must be ES256K's
        alg.prepare_key(P256_PUB)
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.get_algorithm_by_name("ES256").prepare_key(K1_PUB)

    okp = cjwt.get_algorithm_by_name("EdDSA")
    jwk = okp.to_jwk(ED448.public_key(), as_dict=True)
    assert jwk == pyjwt.get_algorithm_by_name("EdDSA").to_jwk(ED448.public_key(), as_dict=True)
    assert jwk["crv"] == "Ed448"
    assert isinstance(okp.from_jwk(jwk), ed448.Ed448PublicKey)
    assert isinstance(okp.from_jwk(okp.to_jwk(ED448, as_dict=True)), ed448.Ed448PrivateKey)
    sig = okp.sign(b"msg", ED448)
    assert len(sig) == 114 and okp.verify(b"msg", ED448, sig)
    assert okp.verify(b"msg", ED448.public_key(), sig)
    assert not okp.verify(b"msg", ED448_OTHER.public_key(), sig)
    assert not okp.verify(b"other", ED448.public_key(), sig)

    with pytest.raises(NotImplementedError):
        cjwt.get_algorithm_by_name("ES521")
    assert "ES256K" in cjwt.algorithms.get_default_algorithms()
    assert "ES256K" in cjwt.PyJWS().get_algorithms()


def test_pyjwk_with_these_keys():
    k1 = cjwt.PyJWK(cjwt.Key.from_pem(K1_PUB).to_jwk())
    assert k1.algorithm_name == "ES256K" and k1.key_type == "EC"
    assert isinstance(k1.Algorithm, cjwt.algorithms.ECAlgorithm)
    x = cjwt.Key.from_pem(ED448_PUB).to_jwk()["x"]
    # as PyJWT 2.15: without an alg, PyJWK picks one for Ed25519 only
    for m in (cjwt, pyjwt):
        with pytest.raises(m.InvalidKeyError, match="Unsupported crv: Ed448"):
            m.PyJWK({"kty": "OKP", "crv": "Ed448", "x": x})
    e = cjwt.PyJWK({"kty": "OKP", "crv": "Ed448", "x": x}, algorithm="EdDSA")
    assert e.algorithm_name == "EdDSA" and e.key.curve == "Ed448"
    e2 = cjwt.PyJWK({"kty": "OKP", "crv": "Ed448", "x": x, "alg": "EdDSA"})
    assert e2.algorithm_name == "EdDSA"
    token = cjwt.encode(PAYLOAD, ED448_PRIV, algorithm="EdDSA")
    assert cjwt.decode(token, e, algorithms=["EdDSA"], now=NOW) == PAYLOAD
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.PyJWK(cjwt.Key.from_pem(K1_PUB).to_jwk(), algorithm="ES256")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.PyJWK({"kty": "EC", "crv": "secp256k2", "x": "AA", "y": "AA"})


@pytest.mark.parametrize("priv, alg", [(K1, "ES256K"), (ED448, "EdDSA")])
def test_pyjwt_both_ways(priv, alg):
    priv_pem, pub_pem = pems(priv)
    theirs = pyjwt.encode(PAYLOAD, priv, algorithm=alg)
    assert cjwt.decode(theirs, pub_pem, algorithms=[alg], now=NOW) == PAYLOAD
    ours = cjwt.encode(PAYLOAD, priv_pem, algorithm=alg)
    assert pyjwt.decode(ours, priv.public_key(), algorithms=[alg]) == PAYLOAD
    jwk = dict(cjwt.Key.from_pem(pub_pem).to_jwk(), alg=alg)
    pj, cj = pyjwt.PyJWK(jwk), cjwt.PyJWK(jwk)
    assert pj.algorithm_name == cj.algorithm_name == alg
    assert cjwt.decode(theirs, cj, algorithms=[alg], now=NOW) == PAYLOAD
    assert pyjwt.decode(ours, pj, algorithms=[alg]) == PAYLOAD
