"""Tokens signed by cjwt verify with PyJWT + cryptography (an independent
implementation), and PyJWT-signed tokens verify with cjwt, for every algorithm."""
import pytest

jwt = pytest.importorskip("jwt")       # PyJWT (scripts/install-deps.sh installs it)

import cjwt  # noqa: E402
from conftest import NOW  # noqa: E402
from keyfix import ALL_ALGS, signing_key, verifying_key  # noqa: E402

PAYLOAD = {"sub": "user-9", "roles": ["a", "b"], "exp": NOW + 600, "iat": NOW}


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_cjwt_signs_pyjwt_verifies(alg):
    token = cjwt.encode(PAYLOAD, signing_key(alg), algorithm=alg, headers={"kid": "k1"})
    got = jwt.decode(token, verifying_key(alg), algorithms=[alg],
                     options={"verify_exp": False, "verify_iat": False})
    assert got == PAYLOAD
    assert jwt.get_unverified_header(token) == {"alg": alg, "typ": "JWT", "kid": "k1"}
    raw = cjwt.jws_encode(b"\x00\xffbytes", signing_key(alg), algorithm=alg)
    assert jwt.api_jws.decode(raw, verifying_key(alg), algorithms=[alg]) == b"\x00\xffbytes"


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_pyjwt_signs_cjwt_verifies(alg):
    token = jwt.encode(PAYLOAD, signing_key(alg), algorithm=alg, headers={"kid": "k2"})
    full = cjwt.decode_complete(token, verifying_key(alg), algorithms=[alg], now=NOW + 1)
    assert full["payload"] == PAYLOAD
    assert full["header"]["kid"] == "k2"
    raw = jwt.api_jws.encode(b"\x01raw", signing_key(alg), algorithm=alg)
    assert cjwt.jws_decode(raw, verifying_key(alg), algorithms=[alg]) == b"\x01raw"


@pytest.mark.parametrize("alg", [a for a in ALL_ALGS if not a.startswith("HS")])
def test_jwk_exchange(alg):
    # A public JWK exported by cjwt is read by PyJWT, and the reverse.
    priv = cjwt.Key.from_pem(signing_key(alg))
    pyjwk = jwt.PyJWK(priv.to_jwk(), algorithm=alg)
    token = cjwt.encode(PAYLOAD, priv, algorithm=alg)
    assert jwt.decode(token, pyjwk, algorithms=[alg], options={"verify_exp": False}) == PAYLOAD
    algo = jwt.get_algorithm_by_name(alg)
    their_jwk = algo.to_jwk(algo.prepare_key(verifying_key(alg)), as_dict=True)
    assert cjwt.Key.from_jwk(their_jwk).thumbprint() == priv.thumbprint()


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_cryptography_key_objects_accepted(alg):
    # PyJWT users pass `cryptography` key objects; cjwt serialises them to PEM.
    if alg.startswith("HS"):
        pytest.skip("HMAC keys are bytes")
    algo = jwt.get_algorithm_by_name(alg)
    priv_obj = algo.prepare_key(signing_key(alg))
    pub_obj = algo.prepare_key(verifying_key(alg))
    token = cjwt.encode(PAYLOAD, priv_obj, algorithm=alg)
    assert cjwt.decode(token, pub_obj, algorithms=[alg], now=NOW) == PAYLOAD
