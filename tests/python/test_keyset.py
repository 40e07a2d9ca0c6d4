"""cjwt.KeySet: JWKS import/export, lookup by kid, verification through a set,
and key rotation (old and new kid both verify; the old fails once removed)."""
import json

import pytest

import cjwt
from conftest import NOW
from keyfix import private_pem, public_pem

PAYLOAD = {"sub": "svc"}


@pytest.fixture(scope="module")
def keys():
    old = cjwt.Key.from_pem(private_pem("RS256")).with_kid("2024-old").with_alg("RS256")
    new = cjwt.Key.from_pem(private_pem("ES256")).with_kid("2025-new").with_alg("ES256")
    return old, new


def public(key):
    return cjwt.Key.from_jwk(key.to_jwk())


def test_rotation(keys):
    old, new = keys
    t_old = cjwt.encode(PAYLOAD, old, headers={"kid": old.kid})
    t_new = cjwt.encode(PAYLOAD, new, headers={"kid": new.kid})
    both = cjwt.KeySet.from_jwks({"keys": [old.to_jwk(), new.to_jwk()]})
    for token in (t_old, t_new):
        assert cjwt.decode(token, both, algorithms=["RS256", "ES256"], now=NOW) == PAYLOAD
    only_new = cjwt.KeySet([public(new)])
    assert cjwt.decode(t_new, only_new, algorithms=["RS256", "ES256"], now=NOW) == PAYLOAD
    with pytest.raises(cjwt.InvalidKeyError) as info:
        cjwt.decode(t_old, only_new, algorithms=["RS256", "ES256"], now=NOW)
    assert info.value.code == "invalid_key" and "2024-old" in str(info.value)


def test_keyset_api(keys):
    old, new = keys
    ks = cjwt.KeySet([old, new])
    assert len(ks) == 2 and [k.kid for k in ks] == ["2024-old", "2025-new"]
    assert ks["2025-new"].alg == "ES256" and ks.get("2024-old").kty == "RSA"
    assert ks.get("nope") is None and ks.get("nope", 5) == 5
    assert "2024-old" in ks and "nope" not in ks and 3 not in ks
    with pytest.raises(KeyError):
        ks["nope"]
    jwks = ks.to_jwks()
    assert [k["kid"] for k in jwks["keys"]] == ["2024-old", "2025-new"]
    assert all("d" not in k for k in jwks["keys"])
    assert all("d" in k for k in ks.to_jwks(private=True)["keys"])
    again = cjwt.KeySet.from_jwks(json.dumps(jwks))
    assert [k.thumbprint() for k in again] == [old.thumbprint(), new.thumbprint()]
    assert not any(k.is_private for k in again)
    assert repr(ks) == "<cjwt.KeySet of 2 keys>"


def test_no_kid_tries_fitting_keys(keys):
    old, new = keys
    token = cjwt.encode(PAYLOAD, new)          # no kid header
    ks = cjwt.KeySet([public(old), public(new)])
    assert cjwt.decode(token, ks, algorithms=["ES256"], now=NOW) == PAYLOAD
    with pytest.raises(cjwt.PyJWTError):
        cjwt.decode(cjwt.encode(PAYLOAD, private_pem("EdDSA"), algorithm="EdDSA"), ks,
                    algorithms=["EdDSA"], now=NOW)


def test_jwks_skips_unusable_keys(keys):
    old, new = keys
    enc = dict(old.to_jwk(), kid="enc-key", use="enc")
    weird = {"kty": "XYZ", "kid": "unknown-kty"}
    ks = cjwt.KeySet.from_jwks({"keys": [enc, weird, new.to_jwk()]})
    assert [k.kid for k in ks] == ["2025-new"]


@pytest.mark.parametrize("jwks", [{"keys": []}, {}, {"keys": [{"kty": "enc"}]}, "[]", "{bad"])
def test_jwks_without_usable_keys(jwks):
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.KeySet.from_jwks(jwks)


def test_keyset_rules(keys):
    old, new = keys
    with pytest.raises(cjwt.InvalidKeyError):      # two keys with one kid
        cjwt.KeySet([old, new.with_kid(old.kid)])
    with pytest.raises(cjwt.InvalidKeyError):      # HMAC secrets beside public keys
        cjwt.KeySet([old, cjwt.Key.from_secret(b"s" * 32)])
    with pytest.raises(TypeError):
        cjwt.KeySet([old, "not a key"])
    with pytest.raises(TypeError):
        cjwt.KeySet({"keys": []})
    with pytest.raises(TypeError):                 # a set cannot sign
        cjwt.encode(PAYLOAD, cjwt.KeySet([old]), algorithm="RS256")


def test_hmac_keyset():
    a = cjwt.Key.from_secret(b"a" * 32).with_kid("a")
    b = cjwt.Key.from_secret(b"b" * 32).with_kid("b")
    ks = cjwt.KeySet([a, b])
    for key in (a, b):
        token = cjwt.encode(PAYLOAD, key, headers={"kid": key.kid})
        assert cjwt.decode(token, ks, algorithms=["HS256"], now=NOW) == PAYLOAD


def test_jws_and_decode_complete_with_keyset(keys):
    old, new = keys
    ks = cjwt.KeySet([public(old), public(new)])
    token = cjwt.jws_encode(b"raw", new, headers={"kid": new.kid})
    assert cjwt.jws_decode(token, ks, algorithms=["ES256"]) == b"raw"
    token = cjwt.encode(PAYLOAD, old, headers={"kid": old.kid})
    assert cjwt.decode_complete(token, ks, algorithms=["RS256"], now=NOW)["header"]["kid"] == old.kid


def test_key_immutable(keys):
    old, _ = keys
    with pytest.raises(AttributeError):
        old.kid = "x"
    renamed = old.with_kid("other")
    assert (old.kid, renamed.kid, renamed.alg) == ("2024-old", "other", "RS256")
    assert old.with_kid(None).kid is None
    with pytest.raises(TypeError):
        cjwt.Key()
