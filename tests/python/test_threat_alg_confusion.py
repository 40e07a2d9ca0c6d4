"""Threat: HS/RS confusion. A public key (PEM, DER or JWK) is never an HMAC
secret, so a token HMAC'd with the public key's bytes is refused."""
import base64
import hashlib
import hmac
import json

import pytest

from conftest import b64url, segment
from threatlib import ALL_ALGS, CLAIMS, KEYS, decode, expect_code

HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def forge(alg, secret):
    if isinstance(secret, str):
        secret = secret.encode()
    signing_input = segment({"alg": alg, "typ": "JWT"}) + "." + segment(CLAIMS)
    return signing_input + "." + b64url(hmac.new(secret, signing_input.encode(), HASHES[alg]).digest())


def pem_to_der(pem):
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    return base64.b64decode(body)


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
@pytest.mark.parametrize("name", ["rsa", "ec256", "ec384", "ed25519"])
def test_public_pem_as_hmac_secret(alg, name):
    pem = KEYS[name]["public_pem"]
    for variant in (pem, pem.rstrip("\n"), pem.encode(), "\n" + pem):
        expect_code("invalid_key", decode, forge(alg, variant), variant, ALL_ALGS)


@pytest.mark.parametrize("name", ["rsa", "ec256"])
def test_public_der_as_hmac_secret(name):
    der = pem_to_der(KEYS[name]["public_pem"])
    expect_code("invalid_key", decode, forge("HS256", der), der, ALL_ALGS)


@pytest.mark.parametrize("name", ["rsa", "ec256", "ed25519"])
def test_public_jwk_dict_as_hmac_key(name):
    jwk = KEYS[name]["public_jwk"]
    token = forge("HS256", json.dumps(jwk, separators=(",", ":")))
    expect_code("invalid_key", decode, token, jwk, ALL_ALGS)


def test_certificate_as_hmac_secret():
    der = base64.b64decode(KEYS["attacker_ec256"]["x5c"][0])
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
        base64.b64encode(der).decode()[i:i + 64] for i in range(0, len(base64.b64encode(der)), 64)
    ) + "\n-----END CERTIFICATE-----\n"
    expect_code("invalid_key", decode, forge("HS256", pem), pem, ALL_ALGS)


def test_private_pem_is_not_a_secret_either():
    pem = KEYS["rsa"]["private_pem"]
    expect_code("invalid_key", decode, forge("HS256", pem), pem, ALL_ALGS)


# Found by this suite, fixed in the core (4b3dbec): both forms are key material.
@pytest.mark.parametrize("form", ["jwk_text", "pem_with_preamble"])
def test_public_material_as_text_is_not_a_secret(form):
    if form == "jwk_text":
        text = json.dumps(KEYS["rsa"]["public_jwk"])
    else:
        text = "Bag Attributes\n    friendlyName: api\nsubject=CN = api\n" + KEYS["rsa"]["public_pem"]
    expect_code("invalid_key", decode, forge("HS256", text), text, ALL_ALGS)


def test_asymmetric_token_against_wrong_key_type():
    import cjwt
    token = cjwt.encode(CLAIMS, KEYS["ec256"]["private_pem"], algorithm="ES256")
    expect_code("invalid_key", decode, token, KEYS["rsa"]["public_pem"], ALL_ALGS)
    expect_code("invalid_key", decode, token, KEYS["ed25519"]["public_pem"], ALL_ALGS)
    expect_code("invalid_key", decode, token, KEYS["ec384"]["public_pem"], ALL_ALGS)
    expect_code("invalid_key", decode, token, KEYS["hmac"]["secret"], ALL_ALGS)
