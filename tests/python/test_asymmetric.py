"""Every algorithm signs and verifies through the Python binding; tampering,
a wrong key and a key of the wrong type each give the specific exception."""
import base64

import pytest

import cjwt
from conftest import NOW
from keyfix import ALL_ALGS, ASYM_ALGS, family, private_pem, public_pem, signing_key, verifying_key

PAYLOAD = {"sub": "user-1", "n": 1}


def flip_signature(token):
    head, payload, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()])


def tamper_payload(token):
    head, _payload, sig = token.split(".")
    other = base64.urlsafe_b64encode(b'{"sub":"admin","n":1}').rstrip(b"=").decode()
    return ".".join([head, other, sig])


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_sign_and_verify(alg):
    token = cjwt.encode(PAYLOAD, signing_key(alg), algorithm=alg, headers={"kid": "k"})
    assert cjwt.get_unverified_header(token) == {"alg": alg, "typ": "JWT", "kid": "k"}
    assert cjwt.decode(token, verifying_key(alg), algorithms=[alg], now=NOW) == PAYLOAD
    full = cjwt.decode_complete(token, verifying_key(alg), algorithms=[alg], now=NOW)
    assert full["header"]["alg"] == alg and full["payload"] == PAYLOAD


@pytest.mark.parametrize("alg", ASYM_ALGS)
def test_verify_with_private_key_and_key_objects(alg):
    token = cjwt.encode(PAYLOAD, cjwt.Key.from_pem(private_pem(alg)), algorithm=alg)
    for key in (private_pem(alg), cjwt.Key.from_pem(public_pem(alg)),
                cjwt.Key.from_pem(private_pem(alg)).to_jwk(),
                cjwt.Key.from_jwk(cjwt.Key.from_pem(public_pem(alg)).to_jwk())):
        assert cjwt.decode(token, key, algorithms=[alg], now=NOW) == PAYLOAD


@pytest.mark.parametrize("alg", ALL_ALGS)
@pytest.mark.parametrize("tamper", [flip_signature, tamper_payload])
def test_tampered(alg, tamper):
    token = tamper(cjwt.encode(PAYLOAD, signing_key(alg), algorithm=alg))
    with pytest.raises(cjwt.InvalidSignatureError) as info:
        cjwt.decode(token, verifying_key(alg), algorithms=[alg], now=NOW)
    assert info.value.code == "bad_signature"


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_wrong_key(alg):
    token = cjwt.encode(PAYLOAD, signing_key(alg), algorithm=alg)
    with pytest.raises(cjwt.InvalidSignatureError) as info:
        cjwt.decode(token, verifying_key(alg, n=1), algorithms=[alg], now=NOW)
    assert info.value.code == "bad_signature"


# A key of one family used for a token of another: refused before any crypto
# (invalid_key), never a signature check with a confused key.
CONFUSED = [("RS256", "ES256"), ("ES256", "RS256"), ("EdDSA", "ES256"), ("ES256", "EdDSA"),
            ("PS256", "EdDSA"), ("ES384", "ES256"), ("ES256", "ES512"), ("RS256", "HS256"),
            ("ES256K", "ES256"), ("ES256", "ES256K"), ("ES256K", "EdDSA"), ("ES256K", "RS256")]


@pytest.mark.parametrize("token_alg, key_alg", CONFUSED)
def test_key_of_wrong_type(token_alg, key_alg):
    token = cjwt.encode(PAYLOAD, signing_key(token_alg), algorithm=token_alg)
    with pytest.raises(cjwt.InvalidKeyError) as info:
        cjwt.decode(token, cjwt.Key.from_pem(public_pem(key_alg)) if key_alg[0] != "H"
                    else cjwt.Key.from_secret(b"s" * 32), algorithms=[token_alg], now=NOW)
    assert info.value.code == "invalid_key"


@pytest.mark.parametrize("alg", ASYM_ALGS)
def test_public_pem_as_hmac_secret_is_refused(alg):
    # CVE-2022-29217 class: an HS256 token "signed" with the public PEM as secret.
    import hashlib
    import hmac
    from conftest import b64url, segment
    pem = public_pem(alg)
    signing_input = segment({"alg": "HS256", "typ": "JWT"}) + "." + segment(PAYLOAD)
    forged = signing_input + "." + b64url(hmac.new(pem, signing_input.encode(),
                                                   hashlib.sha256).digest())
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(forged, pem, algorithms=["HS256", alg], now=NOW)
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(forged, pem.decode(), algorithms=["HS256", alg], now=NOW)


@pytest.mark.parametrize("alg", ASYM_ALGS)
def test_sign_with_public_key_is_refused(alg):
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.encode(PAYLOAD, public_pem(alg), algorithm=alg)


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_generated_keys(alg):
    key = cjwt.Key.generate(alg, kid="gen")
    assert (key.alg, key.kid, key.kty, key.is_private) == (alg, "gen", family(alg), True)
    token = cjwt.encode(PAYLOAD, key)                  # algorithm defaults to the key's
    assert cjwt.get_unverified_header(token)["alg"] == alg
    verify_with = key if alg.startswith("HS") else cjwt.Key.from_pem(key.to_pem())
    assert cjwt.decode(token, verify_with, algorithms=[alg], now=NOW) == PAYLOAD


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_jws_every_algorithm(alg):
    data = bytes(range(256))
    token = cjwt.jws_encode(data, signing_key(alg), algorithm=alg)
    assert cjwt.jws_decode(token, verifying_key(alg), algorithms=[alg]) == data
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.jws_decode(flip_signature(token), verifying_key(alg), algorithms=[alg])
    with pytest.raises(cjwt.InvalidAlgorithmError) as info:
        cjwt.jws_decode(token, verifying_key(alg), algorithms=["HS256" if alg != "HS256" else "HS384"])
    assert info.value.code == "alg_not_allowed"


def test_bound_alg_refuses_other_alg():
    key = cjwt.Key.from_pem(public_pem("RS256")).with_alg("RS256")
    token = cjwt.encode(PAYLOAD, private_pem("RS256"), algorithm="PS256")
    with pytest.raises(cjwt.PyJWTError) as info:
        cjwt.decode(token, key, algorithms=["PS256"], now=NOW)
    assert info.value.code == "invalid_key"
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.Key.from_pem(public_pem("ES256")).with_alg("ES384")
    with pytest.raises(cjwt.InvalidAlgorithmError) as info:
        cjwt.Key.generate("XX256")
    assert info.value.code == "unsupported_alg"
