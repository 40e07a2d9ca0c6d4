"""TokenIssuer with encrypted access tokens (nested JWTs: signed, then encrypted,
cty "JWT"): issue, verify, refresh, revoke, and a resource server that only holds the
decryption key and the issuer's public key accepting them with cjwt.decode_nested."""
import pytest

import cjwt

ISS = "https://auth.example.com"
NOW = 1_700_000_000
SIGNER = cjwt.Key.generate("ES256", kid="auth-1")
RS_KEY = cjwt.Key.from_jwk({"kty": "EC", "crv": "P-256", "use": "enc", "kid": "rs-1",
                            "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
                            "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
                            "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"})
RS_PUBLIC = cjwt.Key.from_jwk(RS_KEY.to_jwk())


def issuer(**kw):
    return cjwt.TokenIssuer(SIGNER, issuer=ISS, audience="api", store=cjwt.MemoryStore(),
                            clock=lambda: NOW, **kw)


def test_encrypted_access_tokens_round_trip():
    ti = issuer(encryption_key=RS_PUBLIC, decryption_key=RS_KEY)
    assert ti.encryption_alg == "ECDH-ES+A256KW" and ti.encryption_enc == "A256GCM"
    pair = ti.issue("user-1", {"scope": "read"})
    assert pair.access_token.count(".") == 4 and pair.refresh_token.count(".") == 2
    header = cjwt.jwe_decrypt_complete(pair.access_token, RS_KEY, algorithms=["ECDH-ES+A256KW"],
                                       encryptions=["A256GCM"])["header"]
    assert header["cty"] == "JWT" and header["kid"] == "rs-1"
    claims = ti.verify(pair.access_token)
    assert claims["sub"] == "user-1" and claims["scope"] == "read"
    # the resource server: its decryption key and the issuer's public key
    out = cjwt.decode_encrypted_complete(
        pair.access_token, RS_KEY, algorithms=["ECDH-ES+A256KW"], encryptions=["A256GCM"],
        verification_key=cjwt.Key.from_jwk(SIGNER.to_jwk()), signature_algorithms=["ES256"],
        audience="api", issuer=ISS, typ="at+jwt", now=NOW)
    assert out["payload"] == claims and out["jws_header"]["typ"] == "at+jwt"
    # refresh: the refresh token is a plain JWS; the new access token is encrypted again
    new = ti.refresh(pair.refresh_token)
    assert new.access_token.count(".") == 4
    assert ti.verify(new.access_token)["scope"] == "read"


def test_revoke_encrypted_access_and_refresh_tokens():
    ti = issuer(encryption_key=RS_PUBLIC, decryption_key=RS_KEY)
    pair = ti.issue("user-2")
    assert ti.revoke(pair.access_token)["sub"] == "user-2"
    with pytest.raises(cjwt.RevokedTokenError):
        ti.verify(pair.access_token)
    assert ti.revoke(pair.refresh_token, family=True)["sub"] == "user-2"
    with pytest.raises(cjwt.RevokedTokenError):
        ti.refresh(pair.refresh_token)


def test_kinds_never_cross():
    ti = issuer(encryption_key=RS_PUBLIC, decryption_key=RS_KEY)
    plain = issuer()
    pair = ti.issue("u")
    # a signed (not encrypted) access token is not accepted where encryption is on
    with pytest.raises(cjwt.DecodeError):
        ti.verify(plain.issue("u").access_token)
    # the refresh token is never an access token, nor the reverse
    with pytest.raises(cjwt.DecodeError):
        ti.verify(pair.refresh_token)
    with pytest.raises(cjwt.InvalidTypeError):
        ti.refresh(plain.issue("u").access_token)
    # without the private key, the issuer cannot read its own tokens
    no_private = issuer(encryption_key=RS_PUBLIC)
    with pytest.raises(cjwt.InvalidKeyError):
        no_private.verify(no_private.issue("u").access_token)


def test_secret_and_rsa_encryption_keys():
    ti = issuer(encryption_key=b"0123456789abcdef0123456789abcdef")
    assert ti.encryption_alg == "dir"
    assert ti.verify(ti.issue("u").access_token)["sub"] == "u"
    ti = issuer(encryption_key=b"0123456789abcdef", encryption_alg="A128KW",
                encryption_enc="A128CBC-HS256")
    assert ti.verify(ti.issue("u").access_token)["sub"] == "u"
    rsa = cjwt.Key.generate("RS256")
    ti = issuer(encryption_key=cjwt.Key.from_jwk({**rsa.to_jwk(), "alg": "RSA-OAEP-256"}),
                decryption_key=cjwt.Key.from_jwk({**rsa.to_jwk(private=True), "alg": "RSA-OAEP-256"}))
    assert ti.encryption_alg == "RSA-OAEP-256"
    assert ti.verify(ti.issue("u").access_token)["sub"] == "u"


def test_arguments():
    with pytest.raises(ValueError):
        issuer(encryption_alg="dir")
    with pytest.raises(ValueError):
        issuer(decryption_key=RS_KEY)
    with pytest.raises(cjwt.InvalidKeyError):   # a signing key never encrypts
        issuer(encryption_key=SIGNER).issue("u")
