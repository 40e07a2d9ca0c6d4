"""Key import/export: PEM and DER forms (incl. encrypted PKCS#8), X.509
certificates, JWK round trips, RFC 7638 thumbprints checked independently."""
import base64
import datetime
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

import cjwt
from conftest import NOW
from keyfix import ASYM_ALGS, crypto_private, family, private_pem, public_der, public_pem

PAYLOAD = {"sub": "k"}
ONE_PER_FAMILY = ["RS256", "ES256", "ES384", "ES512", "EdDSA"]


def b64u_int(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def independent_public_jwk(alg):
    """The public JWK members computed from `cryptography`'s numbers."""
    pub = crypto_private(alg).public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        nums = pub.public_numbers()
        return {"kty": "RSA", "n": b64u_int(nums.n), "e": b64u_int(nums.e)}
    if isinstance(pub, ec.EllipticCurvePublicKey):
        nums = pub.public_numbers()
        size = (pub.curve.key_size + 7) // 8
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521",
               "secp256k1": "secp256k1"}[pub.curve.name]
        return {"kty": "EC", "crv": crv, "x": b64u(nums.x.to_bytes(size, "big")),
                "y": b64u(nums.y.to_bytes(size, "big"))}
    raw = pub.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}


def rfc7638(jwk):
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
                "OKP": ("crv", "kty", "x"), "oct": ("k", "kty")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in required}, sort_keys=True, separators=(",", ":"))
    return b64u(hashlib.sha256(canonical.encode()).digest())


def check_verifies(alg, key):
    token = cjwt.encode(PAYLOAD, private_pem(alg), algorithm=alg)
    assert cjwt.decode(token, key, algorithms=[alg], now=NOW) == PAYLOAD


@pytest.mark.parametrize("alg", ONE_PER_FAMILY)
@pytest.mark.parametrize("form", ["pkcs8", "spki", "spki_der", "spki_str", "pkcs8_der"])
def test_pem_and_der_forms(alg, form):
    data = {
        "pkcs8": lambda: private_pem(alg),
        "spki": lambda: public_pem(alg),
        "spki_der": lambda: public_der(alg),
        "spki_str": lambda: public_pem(alg).decode(),
        "pkcs8_der": lambda: crypto_private(alg).private_bytes(
            ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
    }[form]()
    key = cjwt.Key.from_pem(data)
    assert key.kty == family(alg)
    assert key.is_private == form.startswith("pkcs8")
    check_verifies(alg, key)
    check_verifies(alg, data)      # the same bytes as a plain key argument


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_pkcs1_and_traditional(alg):
    key = cjwt.Key.from_pem(private_pem(alg, fmt="pkcs1"))
    assert key.is_private
    check_verifies(alg, key)
    if alg == "RS256":
        pub = cjwt.Key.from_pem(public_pem(alg, fmt="pkcs1"))   # BEGIN RSA PUBLIC KEY
        assert not pub.is_private and pub.bits == 2048
        check_verifies(alg, pub)


@pytest.mark.parametrize("alg", ONE_PER_FAMILY)
@pytest.mark.parametrize("password", [b"correct horse", "correct horse"])
def test_encrypted_pkcs8(alg, password):
    pem = private_pem(alg, password=b"correct horse")
    assert b"ENCRYPTED" in pem
    key = cjwt.Key.from_pem(pem, password=password)
    assert key.is_private
    check_verifies(alg, key)
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.Key.from_pem(pem, password=b"wrong")
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.Key.from_pem(pem)


def test_encrypted_legacy_pem():
    pem = private_pem("RS256", fmt="pkcs1", password=b"pw")
    assert b"Proc-Type: 4,ENCRYPTED" in pem
    check_verifies("RS256", cjwt.Key.from_pem(pem, password="pw"))


@pytest.mark.parametrize("alg", ONE_PER_FAMILY)
def test_certificate(alg):
    priv = crypto_private(alg)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cjwt test")])
    start = datetime.datetime(2020, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(priv.public_key()).serial_number(1).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=3650))
            .sign(priv, None if isinstance(priv, ed25519.Ed25519PrivateKey) else hashes.SHA256()))
    pem = cert.public_bytes(ser.Encoding.PEM)
    key = cjwt.Key.from_pem(pem)
    assert not key.is_private and key.to_pem() == public_pem(alg).decode()
    check_verifies(alg, key)
    check_verifies(alg, pem)


@pytest.mark.parametrize("data", [b"", b"-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n",
                                  b"not a key at all", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"])
def test_bad_pem(data):
    with pytest.raises(cjwt.InvalidKeyError) as info:
        cjwt.Key.from_pem(data)
    assert info.value.code == "invalid_key"


def test_small_rsa_refused():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = small.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.encode(PAYLOAD, cjwt.Key.from_pem(pem), algorithm="RS256")


@pytest.mark.parametrize("alg", ASYM_ALGS)
def test_properties(alg):
    pub = cjwt.Key.from_pem(public_pem(alg))
    expect_bits = {"RSA": 2048, "ES256": 256, "ES384": 384, "ES512": 521, "EdDSA": 256,
                   "ES256K": 256}
    assert pub.bits == expect_bits["RSA" if alg[0] in "RP" else alg]
    assert pub.curve == {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521",
                         "EdDSA": "Ed25519", "ES256K": "secp256k1"}.get(alg)
    assert (pub.kid, pub.alg, pub.is_private) == (None, None, False)
    assert "PRIVATE" not in repr(pub) and "private" not in repr(pub)


@pytest.mark.parametrize("alg", ASYM_ALGS)
def test_jwk_round_trip(alg):
    priv = cjwt.Key.from_pem(private_pem(alg)).with_kid("rt").with_alg(alg)
    public_jwk = priv.to_jwk()
    expected = dict(independent_public_jwk(alg), kid="rt", alg=alg)
    assert {k: v for k, v in public_jwk.items() if k != "use"} == expected
    assert "d" not in public_jwk
    private_jwk = priv.to_jwk(private=True)
    assert "d" in private_jwk
    again = cjwt.Key.from_jwk(json.dumps(private_jwk))
    assert again.is_private and again.to_jwk(private=True) == private_jwk
    token = cjwt.encode(PAYLOAD, again)
    assert cjwt.decode(token, cjwt.Key.from_jwk(public_jwk), algorithms=[alg], now=NOW) == PAYLOAD
    assert cjwt.Key.from_pem(priv.to_pem(private=True)).to_jwk(private=True)["d"] == private_jwk["d"]
    assert cjwt.Key.from_pem(priv.to_pem()).to_jwk()["kty"] == public_jwk["kty"]


def test_public_key_has_no_private_export():
    pub = cjwt.Key.from_pem(public_pem("ES256"))
    with pytest.raises(cjwt.InvalidKeyError):
        pub.to_pem(private=True)
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.Key.from_secret(b"s" * 32).to_pem()


def test_oct_jwk_round_trip():
    key = cjwt.Key.from_secret(b"s" * 32).with_kid("h")
    assert key.to_jwk(private=True) == {"kty": "oct", "k": b64u(b"s" * 32), "kid": "h"}
    assert key.is_private and key.bits == 256
    assert key.thumbprint() == rfc7638({"kty": "oct", "k": b64u(b"s" * 32)})


@pytest.mark.parametrize("alg", ASYM_ALGS)
def test_thumbprint_independent(alg):
    expected = rfc7638(independent_public_jwk(alg))
    assert cjwt.Key.from_pem(public_pem(alg)).thumbprint() == expected
    # the kid, alg and private part never change the thumbprint
    assert cjwt.Key.from_pem(private_pem(alg)).with_kid("x").thumbprint() == expected


def test_thumbprint_rfc7638_example():
    # RFC 7638 section 3.1
    jwk = {"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
           "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}
    assert cjwt.Key.from_jwk(jwk).thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
