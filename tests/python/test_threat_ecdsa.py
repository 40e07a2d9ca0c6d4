"""Threat: ECDSA signatures with r=0/s=0, r or s >= n, DER instead of r||s,
and wrong lengths are refused with bad_signature."""
import pytest

import cjwt
from threatlib import CLAIMS, KEYS, decode, expect_code, signature, with_signature

CURVES = {  # alg: (key name, scalar width, group order n from `openssl ecparam -text`)
    "ES256": ("ec256", 32, int(
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)),
    "ES384": ("ec384", 48, int(
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
        "581a0db248b0a77aecec196accc52973", 16)),
    "ES512": ("ec521", 66, int(
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409", 16)),
}


def der_integer(v):
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return b"\x02" + der_len(len(b)) + b


def der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])


def der_sig(r, s):
    body = der_integer(r) + der_integer(s)
    return b"\x30" + der_len(len(body)) + body


@pytest.fixture(params=sorted(CURVES))
def case(request):
    alg = request.param
    name, w, n = CURVES[alg]
    token = cjwt.encode(CLAIMS, KEYS[name]["private_pem"], algorithm=alg)
    sig = signature(token)
    assert len(sig) == 2 * w
    r, s = int.from_bytes(sig[:w], "big"), int.from_bytes(sig[w:], "big")
    return alg, KEYS[name]["public_pem"], token, w, n, r, s


def rs(r, s, w):
    return r.to_bytes(w, "big") + s.to_bytes(w, "big")


def test_valid_signature_verifies(case):
    alg, pub, token, *_ = case
    assert decode(token, pub, [alg]) == CLAIMS


@pytest.mark.parametrize("which", ["r=s=0", "r=0", "s=0", "r=s=n", "r=n", "s=n", "r+n", "s+n",
                                   "max"])
def test_out_of_range_scalars(case, which):
    alg, pub, token, w, n, r, s = case
    top = (1 << (8 * w)) - 1
    r2, s2 = {
        "r=s=0": (0, 0), "r=0": (0, s), "s=0": (r, 0), "r=s=n": (n, n), "r=n": (n, s),
        "s=n": (r, n), "r+n": (r + n, s), "s+n": (r, s + n), "max": (top, top),
    }[which]
    if r2 > top or s2 > top:
        pytest.skip("does not fit in the fixed width")
    expect_code("bad_signature", decode, with_signature(token, rs(r2, s2, w)), pub, [alg])


def test_der_instead_of_raw(case):
    alg, pub, token, w, n, r, s = case
    expect_code("bad_signature", decode, with_signature(token, der_sig(r, s)), pub, [alg])


@pytest.mark.parametrize("delta", [-1, 1, -2 * 32])
def test_wrong_length(case, delta):
    alg, pub, token, w, n, r, s = case
    sig = rs(r, s, w)
    bad = sig[:len(sig) + delta] if delta < 0 else sig + b"\x00" * delta
    expect_code("bad_signature", decode, with_signature(token, bad), pub, [alg])


def test_empty_signature(case):
    alg, pub, token, *_ = case
    expect_code("bad_signature", decode, token.rsplit(".", 1)[0] + ".", pub, [alg])


def test_high_s_twin_verifies(case):
    """JWS does not ask for low-S: (r, n - s) is valid too (SECURITY.md: not unique)."""
    alg, pub, token, w, n, r, s = case
    assert decode(with_signature(token, rs(r, n - s, w)), pub, [alg]) == CLAIMS
