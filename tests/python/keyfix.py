"""Keys shared by the asymmetric tests, generated once per session with
`cryptography` (an independent implementation), so the code under test never
makes its own test keys."""
import functools

from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ASYM_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
             "EdDSA", "ES256K"]
HMAC_ALGS = ["HS256", "HS384", "HS512"]
ALL_ALGS = HMAC_ALGS + ASYM_ALGS
CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1,
          "ES256K": ec.SECP256K1}


def family(alg):
    return {"R": "RSA", "P": "RSA", "E": "EC" if alg.startswith("ES") else "OKP", "H": "oct"}[alg[0]]


def crypto_private(alg, n=0):
    """A `cryptography` private key for alg (n: which one, for a second/wrong key).
    RS* and PS* share RSA keys (generation is the slow part)."""
    return _private("RSA" if alg[:2] in ("RS", "PS") else alg, n)


@functools.lru_cache(maxsize=None)
def _private(alg, n):
    if alg == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg in CURVES:
        return ec.generate_private_key(CURVES[alg]())
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(alg)


def private_pem(alg, n=0, fmt="pkcs8", password=None):
    key = crypto_private(alg, n)
    enc = (ser.BestAvailableEncryption(password) if password else ser.NoEncryption())
    pf = {"pkcs8": ser.PrivateFormat.PKCS8, "pkcs1": ser.PrivateFormat.TraditionalOpenSSL}[fmt]
    return key.private_bytes(ser.Encoding.PEM, pf, enc)


def public_pem(alg, n=0, fmt="spki"):
    pub = crypto_private(alg, n).public_key()
    pf = {"spki": ser.PublicFormat.SubjectPublicKeyInfo, "pkcs1": ser.PublicFormat.PKCS1}[fmt]
    return pub.public_bytes(ser.Encoding.PEM, pf)


def public_der(alg, n=0):
    return crypto_private(alg, n).public_key().public_bytes(
        ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)


SECRETS = {"HS256": b"a" * 32, "HS384": b"b" * 48, "HS512": b"c" * 64}
OTHER_SECRETS = {"HS256": b"x" * 32, "HS384": b"y" * 48, "HS512": b"z" * 64}


def signing_key(alg, n=0):
    """What cjwt signs with: a secret, or a private PEM."""
    if alg.startswith("HS"):
        return (SECRETS if n == 0 else OTHER_SECRETS)[alg]
    return private_pem(alg, n)


def verifying_key(alg, n=0):
    if alg.startswith("HS"):
        return (SECRETS if n == 0 else OTHER_SECRETS)[alg]
    return public_pem(alg, n)
