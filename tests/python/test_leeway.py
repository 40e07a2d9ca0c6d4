"""Leeway edges with a fixed clock: exp/nbf/iat exactly at, just inside and
just outside the allowed skew; leeway as number or timedelta."""
from datetime import timedelta

import pytest

import cjwt
from conftest import NOW, SECRET

HS = ["HS256"]


def check(payload, now, leeway=0):
    return cjwt.decode(cjwt.encode(payload, SECRET), SECRET, algorithms=HS, now=now, leeway=leeway)


def test_exp_boundary_without_leeway():
    assert check({"exp": NOW + 1}, NOW) == {"exp": NOW + 1}
    with pytest.raises(cjwt.ExpiredSignatureError):
        check({"exp": NOW}, NOW)            # exp is the first instant it is invalid
    with pytest.raises(cjwt.ExpiredSignatureError):
        check({"exp": NOW + 1}, NOW + 1.5)


@pytest.mark.parametrize("leeway", [10, 10.0, timedelta(seconds=10)])
def test_exp_with_leeway(leeway):
    assert check({"exp": NOW - 9}, NOW, leeway) == {"exp": NOW - 9}
    with pytest.raises(cjwt.ExpiredSignatureError):
        check({"exp": NOW - 10}, NOW, leeway)
    with pytest.raises(cjwt.ExpiredSignatureError):
        check({"exp": NOW - 11}, NOW, leeway)


def test_nbf_boundary():
    assert check({"nbf": NOW}, NOW) == {"nbf": NOW}
    with pytest.raises(cjwt.ImmatureSignatureError):
        check({"nbf": NOW + 1}, NOW)
    assert check({"nbf": NOW + 10}, NOW, 10) == {"nbf": NOW + 10}
    with pytest.raises(cjwt.ImmatureSignatureError):
        check({"nbf": NOW + 11}, NOW, 10)


def test_iat_in_future():
    assert check({"iat": NOW}, NOW) == {"iat": NOW}
    assert check({"iat": NOW + 5}, NOW, 5) == {"iat": NOW + 5}
    with pytest.raises(cjwt.ImmatureSignatureError):
        check({"iat": NOW + 6}, NOW, 5)


def test_fractional_times():
    # Real-valued claims are truncated to whole seconds, as PyJWT's int(exp) does;
    # `now` and `leeway` keep their fractions.
    with pytest.raises(cjwt.ExpiredSignatureError):
        check({"exp": NOW + 0.5}, NOW)
    assert check({"exp": NOW + 1.5}, NOW) == {"exp": NOW + 1.5}
    assert check({"exp": NOW + 1}, NOW + 0.5) == {"exp": NOW + 1}
    with pytest.raises(cjwt.ExpiredSignatureError):
        check({"exp": NOW + 1}, NOW + 1.0)
    assert check({"exp": NOW}, NOW, 0.25) == {"exp": NOW}


def test_verify_flags_switch_checks_off():
    token = cjwt.encode({"exp": NOW - 100, "nbf": NOW + 100}, SECRET)
    opts = {"verify_exp": False, "verify_nbf": False}
    assert cjwt.decode(token, SECRET, algorithms=HS, now=NOW, options=opts)["exp"] == NOW - 100
    with pytest.raises(cjwt.ImmatureSignatureError):
        cjwt.decode(token, SECRET, algorithms=HS, now=NOW, options={"verify_exp": False})
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode(token, SECRET, algorithms=HS, now=NOW, options={"verify_nbf": False})
    token = cjwt.encode({"exp": NOW - 100}, SECRET)
    # Unknown option keys are ignored, as PyJWT does.
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode(token, SECRET, algorithms=HS, now=NOW, options={"verify_jti": False})


def test_verify_aud_iss_sub_off():
    token = cjwt.encode({"aud": "x", "iss": "y", "sub": "z"}, SECRET)
    opts = {"verify_aud": False, "verify_iss": False, "verify_sub": False}
    got = cjwt.decode(token, SECRET, algorithms=HS, now=NOW, options=opts, audience="a",
                      issuer="b", subject="c")
    assert got == {"aud": "x", "iss": "y", "sub": "z"}


def test_now_as_datetime():
    from datetime import datetime, timezone

    token = cjwt.encode({"exp": NOW + 10}, SECRET)
    aware = datetime.fromtimestamp(NOW, timezone.utc)
    naive = aware.replace(tzinfo=None)           # naive means UTC
    assert cjwt.decode(token, SECRET, algorithms=HS, now=aware) == {"exp": NOW + 10}
    assert cjwt.decode(token, SECRET, algorithms=HS, now=naive) == {"exp": NOW + 10}
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode(token, SECRET, algorithms=HS, now=naive + timedelta(seconds=10))
