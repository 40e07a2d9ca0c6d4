"""Encrypted and nested JWTs (cjwt.encode_encrypted / decode_encrypted /
encode_nested / decode_nested): the shared vectors
tests/vectors/encrypted_jwt/vectors.json (made by jwcrypto), round trips with
every kind of key, the claim checks of decode through the encrypted path, and
the threats (nested without a verification key, an unsigned token where a
nested one is required, inner alg none, cty JWT over a non-JWS, wrong keys,
oversize)."""
import datetime
import json
import os

import pytest

import cjwt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "tests", "vectors", "encrypted_jwt", "vectors.json"),
          encoding="utf-8") as _f:
    VECTORS = json.load(_f)["cases"]

NOW = 1_700_000_000
DIR_KEY = {"kty": "oct", "k": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", "use": "enc"}
HS = b"a secret of at least 32 bytes for HS256!"
DIR = {"algorithms": ["dir"], "encryptions": ["A256GCM"]}
NESTED = {**DIR, "verification_key": HS, "signature_algorithms": ["HS256"]}
CLAIM_OPTIONS = ("require",)


def _key(k):
    return k["jwk"] if "jwk" in k else k["secret"]


def run_vector(c):
    o = dict(c["options"])
    kwargs = {"algorithms": o.pop("algorithms"), "encryptions": o.pop("encryptions"),
              "now": c["now"]}
    if "signature_algorithms" in o:
        kwargs["signature_algorithms"] = o.pop("signature_algorithms")
    options = {n: o.pop(n) for n in CLAIM_OPTIONS if n in o}
    if options:
        kwargs["options"] = options
    kwargs.update(o)
    if "verification_key" in c:
        kwargs["verification_key"] = _key(c["verification_key"])
    return cjwt.decode_encrypted_complete(c["token"], _key(c["key"]), **kwargs)


@pytest.mark.parametrize("c", VECTORS, ids=[c["name"] for c in VECTORS])
def test_vectors(c):
    if "claims" in c["expect"]:
        out = run_vector(c)
        assert out["payload"] == c["expect"]["claims"]
        assert (out["jws_header"] is not None) == ("verification_key" in c)
    else:
        with pytest.raises(cjwt.PyJWTError) as e:
            run_vector(c)
        assert e.value.code == c["expect"]["error"]
        if "claim" in c["expect"]:
            assert e.value.claim == c["expect"]["claim"]


def test_encrypted_round_trip_and_header():
    token = cjwt.encode_encrypted({"sub": "u", "aud": "api"}, DIR_KEY, alg="dir", enc="A256GCM",
                                  expires_in="15m", now=NOW, headers={"kid": "k1"})
    assert token.count(".") == 4
    full = cjwt.decode_encrypted_complete(token, DIR_KEY, **DIR, audience="api", now=NOW + 60)
    assert full["payload"] == {"sub": "u", "aud": "api", "iat": NOW, "exp": NOW + 900}
    assert full["header"] == {"alg": "dir", "enc": "A256GCM", "typ": "JWT", "kid": "k1"}
    assert full["jws_header"] is None
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, audience="api", now=NOW + 901)
    with pytest.raises(cjwt.InvalidAudienceError):
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, now=NOW)
    # typ null removes it; cty JWT is refused on a token that is not nested
    t2 = cjwt.encode_encrypted({}, DIR_KEY, alg="dir", enc="A256GCM", headers={"typ": None})
    assert "typ" not in cjwt.jwe_decrypt_complete(t2, DIR_KEY, **DIR)["header"]
    with pytest.raises(cjwt.DecodeError):
        cjwt.encode_encrypted({}, DIR_KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})


def test_datetime_claims_and_timedelta():
    exp = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    t = cjwt.encode_encrypted({"exp": exp}, DIR_KEY, alg="dir", enc="A256GCM")
    claims = cjwt.decode_encrypted(t, DIR_KEY, **DIR, now=NOW,
                                   leeway=datetime.timedelta(seconds=5))
    assert claims["exp"] == int(exp.timestamp())
    t = cjwt.encode_encrypted({}, DIR_KEY, alg="dir", enc="A256GCM",
                              expires_in=datetime.timedelta(minutes=1), now=NOW)
    assert cjwt.decode_encrypted(t, DIR_KEY, **DIR, now=NOW)["exp"] == NOW + 60


def test_nested_round_trip_every_key_kind():
    signer = cjwt.Key.generate("EdDSA", kid="s1")
    recipient = cjwt.Key.from_jwk({"kty": "OKP", "crv": "X25519", "use": "enc",
                                   "d": "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo",
                                   "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"})
    pub = cjwt.Key.from_jwk(recipient.to_jwk())
    token = cjwt.encode_nested({"sub": "n"}, signer, pub, alg="ECDH-ES+A128KW",
                               enc="A128CBC-HS256", zip="DEF", sign_headers={"typ": "at+jwt"})
    out = cjwt.decode_encrypted_complete(
        token, recipient, algorithms=["ECDH-ES+A128KW"], encryptions=["A128CBC-HS256"],
        verification_key=cjwt.KeySet.from_jwks({"keys": [signer.to_jwk()]}),
        signature_algorithms=["EdDSA"], typ="at+jwt")
    assert out["payload"] == {"sub": "n"}
    assert out["header"]["cty"] == "JWT" and out["header"]["zip"] == "DEF"
    assert out["jws_header"] == {"alg": "EdDSA", "typ": "at+jwt", "kid": "s1"}
    assert cjwt.decode_nested(token, recipient, signer, algorithms=["ECDH-ES+A128KW"],
                              encryptions=["A128CBC-HS256"],
                              signature_algorithms=["EdDSA"]) == {"sub": "n"}
    # the JSON serialization (flattened) as a dict is read too
    h, _, iv, ct, tag = token.split(".")
    flat = {"protected": h, "iv": iv, "ciphertext": ct, "tag": tag, "encrypted_key": _}
    assert cjwt.decode_nested(flat, recipient, signer, algorithms=["ECDH-ES+A128KW"],
                              encryptions=["A128CBC-HS256"],
                              signature_algorithms=["EdDSA"]) == {"sub": "n"}


def test_nested_algorithm_defaults_to_the_keys_binding():
    for signer in (cjwt.Key.generate("ES384"), cjwt.Key.generate("ES384").to_jwk(private=True)):
        token = cjwt.encode_nested({"sub": "d"}, signer, DIR_KEY, alg="dir", enc="A256GCM")
        out = cjwt.decode_encrypted_complete(token, DIR_KEY, **DIR, verification_key=signer,
                                             signature_algorithms=["ES384"])
        assert out["jws_header"]["alg"] == "ES384"


def test_threat_nested_needs_verification_key():
    token = cjwt.encode_nested({"sub": "x"}, HS, DIR_KEY, algorithm="HS256", alg="dir",
                               enc="A256GCM")
    with pytest.raises(cjwt.InvalidKeyError) as e:
        cjwt.decode_encrypted(token, DIR_KEY, **DIR)
    assert e.value.code == "invalid_key"
    assert cjwt.decode_encrypted(token, DIR_KEY, **NESTED) == {"sub": "x"}
    for empty in (None, []):   # no JWS allowlist: decode's misuse error
        with pytest.raises(cjwt.DecodeError, match="algorithms"):
            cjwt.decode_encrypted(token, DIR_KEY, **DIR, verification_key=HS,
                                  signature_algorithms=empty)
    with pytest.raises(cjwt.InvalidAlgorithmError):   # the JWS alg not in it
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, verification_key=HS,
                              signature_algorithms=["HS512"])
    with pytest.raises(TypeError):
        cjwt.decode_nested(token, DIR_KEY, None, **DIR, signature_algorithms=["HS256"])


def test_threat_unsigned_where_nested_required():
    forged = cjwt.encode_encrypted({"sub": "admin"}, DIR_KEY, alg="dir", enc="A256GCM")
    with pytest.raises(cjwt.InvalidSignatureError) as e:
        cjwt.decode_encrypted(forged, DIR_KEY, **NESTED)
    assert e.value.code == "bad_signature"


def test_threat_inner_alg_none_never_accepted():
    inner = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."
    token = cjwt.jwe_encrypt(inner, DIR_KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    with pytest.raises(cjwt.InvalidAlgorithmError) as e:
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, verification_key=HS,
                              signature_algorithms=["HS256", "none"])
    assert e.value.code == "alg_not_allowed"
    with pytest.raises(cjwt.InvalidAlgorithmError):   # and never made
        cjwt.encode_nested({}, HS, DIR_KEY, algorithm="none", alg="dir", enc="A256GCM")


def test_threat_cty_jwt_not_a_jws():
    for plaintext in (b'{"sub":"x"}', b"a.b.c.d.e", b"", b"\xff\xfe"):
        token = cjwt.jwe_encrypt(plaintext, DIR_KEY, alg="dir", enc="A256GCM",
                                 headers={"cty": "application/JWT"})
        with pytest.raises(cjwt.DecodeError) as e:
            cjwt.decode_encrypted(token, DIR_KEY, **NESTED)
        assert e.value.code == "malformed"
    token = cjwt.jwe_encrypt(b"{}", DIR_KEY, alg="dir", enc="A256GCM", headers={"cty": 7})
    with pytest.raises(cjwt.DecodeError):
        cjwt.decode_encrypted(token, DIR_KEY, **DIR)


def test_threat_wrong_key_types():
    token = cjwt.encode_encrypted({"sub": "x"}, DIR_KEY, alg="dir", enc="A256GCM")
    for wrong in ({**DIR_KEY, "use": "sig"}, cjwt.Key.generate("ES256"), HS):
        with pytest.raises(cjwt.InvalidKeyError):
            cjwt.decode_encrypted(token, wrong, **DIR)
    with pytest.raises(cjwt.InvalidKeyError):   # an RSA public key cannot take dir
        cjwt.encode_encrypted({}, cjwt.Key.generate("RS256"), alg="dir", enc="A256GCM")
    nested = cjwt.encode_nested({}, HS, DIR_KEY, algorithm="HS256", alg="dir", enc="A256GCM")
    with pytest.raises(cjwt.InvalidKeyError):   # an encryption key never verifies
        cjwt.decode_encrypted(nested, DIR_KEY, **DIR, verification_key=DIR_KEY,
                              signature_algorithms=["HS256"])


def test_threat_oversize():
    big = {"pad": "x" * 20000}
    nested = cjwt.encode_nested(big, HS, DIR_KEY, algorithm="HS256", alg="dir", enc="A256GCM")
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.decode_encrypted(nested, DIR_KEY, **NESTED)
    assert e.value.code == "too_large"   # the outer token (16 KiB by default)
    with pytest.raises(cjwt.DecodeError) as e:   # the inner JWS: options max_token_len
        cjwt.decode_encrypted(nested, DIR_KEY, **NESTED, max_token_len=100000)
    assert e.value.code == "too_large"
    assert cjwt.decode_encrypted(nested, DIR_KEY, **NESTED, max_token_len=100000,
                                 options={"max_token_len": 100000}) == big
    plain = cjwt.encode_encrypted(big, DIR_KEY, alg="dir", enc="A256GCM", zip="DEF")
    with pytest.raises(cjwt.DecodeError) as e:
        cjwt.decode_encrypted(plain, DIR_KEY, **DIR, max_plaintext=1000)
    assert e.value.code == "too_large"


def test_options_and_denylist():
    token = cjwt.encode_encrypted({"jti": "j1", "sub": "s"}, DIR_KEY, alg="dir", enc="A256GCM")
    store = cjwt.MemoryStore()
    assert cjwt.decode_encrypted(token, DIR_KEY, **DIR, denylist=store)["jti"] == "j1"
    store.revoke_jti("j1", NOW + 10**9)
    with pytest.raises(cjwt.RevokedTokenError):
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, denylist=store)
    with pytest.raises(cjwt.MissingRequiredClaimError) as e:
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, options={"require": ["exp"]})
    assert e.value.claim == "exp"
    with pytest.raises(cjwt.InvalidSubjectError):
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, subject="other")
    with pytest.raises(ValueError):
        cjwt.decode_encrypted(token, DIR_KEY, **DIR, options={"verify_signature": False})
    with pytest.raises(TypeError):
        cjwt.encode_encrypted({}, DIR_KEY, alg="dir", enc="A256GCM", algorithm="HS256")
    with pytest.raises(TypeError):
        cjwt.encode_encrypted([], DIR_KEY, alg="dir", enc="A256GCM")
    with pytest.raises(ValueError):
        cjwt.decode_encrypted(token, DIR_KEY, algorithms=["dirr"], encryptions=["A256GCM"])
