"""Wrong argument types raise TypeError/ValueError, never a PyJWTError."""
import pytest

import cjwt
from conftest import NOW, SECRET

HS = ["HS256"]
TOKEN = cjwt.encode({"sub": "a"}, SECRET)


def decode(**kw):
    args = dict(token=TOKEN, key=SECRET, algorithms=HS, now=NOW)
    args.update(kw)
    return cjwt.decode(**args)


@pytest.mark.parametrize("kw, cls, message", [
    # PyJWT's classes: a token that is not str/bytes is a bad token (401, not 500) ...
    ({"token": 123}, cjwt.DecodeError, "Invalid token type. Token must be a <class 'bytes'>"),
    ({"token": None}, cjwt.DecodeError, "Invalid token type"),
    ({"token": bytearray(b"a.b.c")}, cjwt.DecodeError, "Invalid token type"),
    # ... and claim arguments PyJWT cannot match refuse every token with its classes
    ({"audience": [1]}, cjwt.InvalidAudienceError, "Audience doesn't match"),
    ({"audience": b"api"}, cjwt.InvalidAudienceError, "Audience doesn't match"),
    ({"audience": []}, cjwt.InvalidAudienceError, "Audience doesn't match"),
    ({"issuer": 5}, cjwt.InvalidIssuerError, 'Issuer param must be "str" or "Container[str]"'),
    ({"issuer": b"x"}, cjwt.InvalidIssuerError, "Issuer param must be"),
    ({"issuer": []}, cjwt.InvalidIssuerError, "Invalid issuer"),
    ({"subject": 5}, cjwt.InvalidSubjectError, "Invalid subject"),
    ({"subject": ["a"]}, cjwt.InvalidSubjectError, "Invalid subject"),
])
def test_decode_argument_errors_as_pyjwt(kw, cls, message):
    with pytest.raises(cls, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")) as info:
        decode(**kw)
    assert type(info.value) is cls


def test_empty_audience_list_refuses_a_token_without_aud():
    # "no audience expected" is audience=None; an empty list accepts nothing (PyJWT)
    with pytest.raises(cjwt.InvalidAudienceError):
        cjwt.decode(TOKEN, SECRET, algorithms=HS, audience=[], now=NOW)
    assert cjwt.decode(TOKEN, SECRET, algorithms=HS, audience=None, now=NOW) == {"sub": "a"}


@pytest.mark.parametrize("kw", [
    {"key": 123}, {"key": 1.5}, {"key": ["k"]},
    {"algorithms": 256},
    {"audience": 1}, {"typ": 5},
    {"leeway": "10"}, {"leeway": None}, {"leeway": True},
    {"max_age": "1h"}, {"now": "now"}, {"now": True},
    {"options": ["verify_exp"]}, {"options": {"require": [1]}},
    {"options": {"max_token_len": "big"}}, {"options": {"max_depth": 1.5}},
])
def test_decode_type_errors(kw):
    with pytest.raises(TypeError) as info:
        decode(**kw)
    assert not isinstance(info.value, cjwt.PyJWTError)


@pytest.mark.parametrize("kw, pyjwt_class, message", [
    ({"algorithms": [256]}, cjwt.InvalidAlgorithmError,
     "The specified alg value is not allowed: algorithms must be str, not int"),
    ({"algorithms": [b"HS256"]}, cjwt.InvalidAlgorithmError,
     "The specified alg value is not allowed: algorithms must be str, not bytes"),
    ({"options": {"require": "exp"}}, cjwt.MissingRequiredClaimError,
     "option require must be a list of claim names, not a str"),
])
def test_decode_type_errors_also_pyjwt_class(kw, pyjwt_class, message):
    # A TypeError, and the class PyJWT raises for the same argument (its
    # `except` clauses catch it), raised before the token is read.
    with pytest.raises(TypeError) as info:
        decode(**kw)
    assert isinstance(info.value, pyjwt_class)
    assert str(info.value) == message
    with pytest.raises(pyjwt_class):
        cjwt.decode("not a token", SECRET, **dict({"algorithms": HS}, **kw))


def test_options_list_is_also_attribute_error():
    # PyJWT fails on options=[...] with AttributeError (options.get)
    for call in (lambda: decode(options=["verify_exp"]),
                 lambda: cjwt.PyJWT().decode(TOKEN, SECRET, algorithms=HS, options=["x"]),
                 lambda: cjwt.encode({"a": 1}, SECRET, headers=[("kid", "a")])):
        with pytest.raises(TypeError) as info:
            call()
        assert isinstance(info.value, AttributeError)
    # an empty value is "no headers", as in PyJWT
    assert cjwt.get_unverified_header(cjwt.encode({"a": 1}, SECRET, headers=[])) == {
        "alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize("kw", [
    {"subject": "a\x00b"}, {"audience": "a\x00"}, {"typ": "JWT\x00"},
    {"options": {"max_token_len": -1}}, {"options": {"max_depth": -5}},
])
def test_decode_value_errors(kw):
    with pytest.raises(ValueError):
        decode(**kw)


def test_options_is_the_fourth_positional_like_pyjwt():
    # PyJWT's 4th positional parameter is `options`; everything after it is keyword-only.
    expired = cjwt.encode({"sub": "a", "exp": NOW - 10}, SECRET)
    assert cjwt.decode(expired, SECRET, HS, {"verify_exp": False}, now=NOW) == {"sub": "a",
                                                                                "exp": NOW - 10}
    with pytest.raises(TypeError):
        cjwt.decode(TOKEN, SECRET, HS, None, None, "api")


@pytest.mark.parametrize("payload", [[1, 2], "text", None, 5, ("a", 1)])
def test_encode_payload_must_be_dict(payload):
    with pytest.raises(TypeError, match="dict"):
        cjwt.encode(payload, SECRET)


@pytest.mark.parametrize("kw", [
    {"key": 123}, {"headers": [("kid", "a")]}, {"headers": {"k": object()}},
    {"now": "now"}, {"expires_in": 1.5},
])
def test_encode_type_errors(kw):
    args = dict(payload={"a": 1}, key=SECRET)
    args.update(kw)
    with pytest.raises(TypeError):
        cjwt.encode(**args)


@pytest.mark.parametrize("algorithm", [256, "hs256", "XX256", "ES521", "es256k", b"HS256"])
def test_encode_unknown_algorithm_is_not_implemented(algorithm):
    # PyJWT's class and message for a name it has no algorithm for
    with pytest.raises(NotImplementedError, match="^Algorithm not supported$"):
        cjwt.encode({"a": 1}, SECRET, algorithm=algorithm)


def test_key_type_needs_key_material_and_cannot_be_mutated():
    with pytest.raises(TypeError):
        cjwt.Key()
    with pytest.raises(TypeError):
        cjwt.Key(None)
    key = cjwt.Key.from_secret(SECRET)
    with pytest.raises(AttributeError):
        key.kid = "x"
    with pytest.raises(TypeError):
        cjwt.Key.from_secret(123)
    with pytest.raises(TypeError):
        cjwt.Key.from_jwk(123)


@pytest.mark.parametrize("token", [None, 5, ["a.b.c"], bytearray(b"a.b.c")])
def test_get_unverified_header_type_error(token):
    # PyJWT's class and message
    with pytest.raises(cjwt.DecodeError, match="^Invalid token type. Token must be a <class 'bytes'>$"):
        cjwt.get_unverified_header(token)
