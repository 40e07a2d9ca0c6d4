"""The exception hierarchy PyJWT users catch, and `.code` / `.claim`."""
import pytest

import cjwt
import cjwt as jwt
from cjwt import exceptions
from conftest import NOW, SECRET


def test_hierarchy():
    assert jwt.CJWTError is jwt.PyJWTError
    assert issubclass(jwt.InvalidTokenError, jwt.PyJWTError)
    assert issubclass(jwt.DecodeError, jwt.InvalidTokenError)
    assert issubclass(jwt.InvalidSignatureError, jwt.DecodeError)
    for cls in (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError, jwt.InvalidAudienceError,
                jwt.InvalidIssuerError, jwt.InvalidSubjectError, jwt.InvalidIssuedAtError,
                jwt.MissingRequiredClaimError, jwt.InvalidAlgorithmError, jwt.RevokedTokenError,
                jwt.InvalidTypeError, jwt.InvalidJTIError):
        assert issubclass(cls, jwt.InvalidTokenError), cls
        assert not issubclass(cls, jwt.DecodeError), cls
    assert issubclass(jwt.InvalidKeyError, jwt.PyJWTError)
    assert not issubclass(jwt.InvalidKeyError, jwt.InvalidTokenError)
    assert issubclass(jwt.PyJWTError, Exception)


def test_every_core_code_has_a_class():
    names = ["malformed", "unsupported_alg", "alg_not_allowed", "invalid_key", "bad_signature",
             "expired", "not_yet_valid", "invalid_iat", "invalid_audience", "invalid_issuer",
             "invalid_subject", "missing_claim", "invalid_typ", "unknown_crit", "revoked",
             "too_large", "no_memory", "internal", "invalid_jti", "unavailable", "decrypt_failed"]
    assert sorted(exceptions.EXCEPTION_FOR_CODE) == sorted(names)
    assert exceptions.EXCEPTION_FOR_CODE["no_memory"] is MemoryError


@pytest.mark.parametrize("payload, kwargs, cls", [
    ({"exp": NOW - 1}, {}, jwt.ExpiredSignatureError),
    ({"nbf": NOW + 60}, {}, jwt.ImmatureSignatureError),
    ({"aud": "x"}, {"audience": "y"}, jwt.InvalidAudienceError),
    ({"iss": "x"}, {"issuer": "y"}, jwt.InvalidIssuerError),
    ({}, {"options": {"require": ["exp"]}}, jwt.MissingRequiredClaimError),
])
def test_invalid_token_error_catches_claim_errors(payload, kwargs, cls):
    token = jwt.encode(payload, SECRET)
    try:
        jwt.decode(token, SECRET, algorithms=["HS256"], now=NOW, **kwargs)
    except jwt.InvalidTokenError as e:
        assert type(e) is cls
        assert e.code == cls.code
    else:
        pytest.fail("no error")


def test_missing_claim_attributes():
    token = jwt.encode({}, SECRET)
    with pytest.raises(jwt.MissingRequiredClaimError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"], now=NOW, options={"require": ["jti"]})
    e = info.value
    assert (e.code, e.claim) == ("missing_claim", "jti")
    assert str(e) == 'Token is missing the "jti" claim'


def test_user_raisable_like_pyjwt():
    e = jwt.MissingRequiredClaimError("exp")
    assert e.claim == "exp" and str(e) == 'Token is missing the "exp" claim'
    assert jwt.DecodeError("x").code == "malformed"
    assert jwt.ExpiredSignatureError("x").code == "expired"
    assert jwt.InvalidKeyError("x").code == "invalid_key"
    with pytest.raises(jwt.InvalidTokenError):
        raise jwt.InvalidSignatureError("x")


def test_code_is_per_instance():
    # DecodeError covers malformed, too_large and unknown_crit: `.code` tells them apart.
    token = jwt.encode({"a": 1}, SECRET)
    with pytest.raises(jwt.DecodeError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"], now=NOW, options={"max_token_len": 5})
    assert info.value.code == "too_large"
    assert jwt.DecodeError.code == "malformed"


def test_exception_is_picklable():
    import pickle
    token = jwt.encode({"exp": 1}, SECRET)
    with pytest.raises(jwt.ExpiredSignatureError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"], now=NOW)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is jwt.ExpiredSignatureError and str(again) == str(info.value)
