"""Inspectable signatures (issue 18, item 5): every public callable of cjwt and
every method of Key, KeySet and Verifier has a signature inspect can read (the
C ones through their __text_signature__), and that signature tells the truth:
the parameters it names are the ones the function takes."""
import inspect
import pydoc

import pytest

import cjwt
from cjwt import _cjwt
from conftest import NOW, SECRET

P = inspect.Parameter


def _public_callables():
    for name in cjwt.__all__:
        obj = getattr(cjwt, name)
        # Exception classes inherit BaseException's C constructor, whose
        # signature CPython does not expose (inspect.signature(ValueError)
        # fails too); they take PyJWT's (message) arguments.
        if isinstance(obj, type) and issubclass(obj, BaseException):
            continue
        if callable(obj):
            yield name, obj


@pytest.mark.parametrize("name,obj", list(_public_callables()), ids=lambda x: str(x))
def test_every_public_callable_has_a_signature(name, obj):
    inspect.signature(obj)


def _methods(cls):
    for name in sorted(vars(cls)):
        if not name.startswith("_") and callable(getattr(cls, name)):
            yield cls, name


@pytest.mark.parametrize(
    "cls,name",
    [m for cls in (cjwt.Key, cjwt.KeySet, cjwt.Verifier) for m in _methods(cls)],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_every_method_of_the_c_types_has_a_signature(cls, name):
    sig = inspect.signature(getattr(cls, name))
    assert all(p.kind is not P.VAR_POSITIONAL for p in sig.parameters.values())


def _shape(obj):
    return [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]


E = P.empty
EXPECTED = {
    cjwt.Key.from_secret: [("secret", P.POSITIONAL_OR_KEYWORD, E),
                           ("allow_short_secret", P.POSITIONAL_OR_KEYWORD, False)],
    cjwt.Key.from_jwk: [("jwk", P.POSITIONAL_OR_KEYWORD, E),
                        ("allow_short_secret", P.POSITIONAL_OR_KEYWORD, False)],
    cjwt.Key.from_pem: [("data", P.POSITIONAL_OR_KEYWORD, E),
                        ("password", P.POSITIONAL_OR_KEYWORD, None)],
    cjwt.Key.generate: [("alg", P.POSITIONAL_OR_KEYWORD, E),
                        ("kid", P.POSITIONAL_OR_KEYWORD, None),
                        ("crv", P.POSITIONAL_OR_KEYWORD, None)],
    cjwt.Key.with_kid: [("self", P.POSITIONAL_ONLY, E), ("kid", P.POSITIONAL_ONLY, E)],
    cjwt.Key.with_alg: [("self", P.POSITIONAL_ONLY, E), ("alg", P.POSITIONAL_ONLY, E)],
    cjwt.Key.to_jwk: [("self", P.POSITIONAL_ONLY, E),
                      ("private", P.POSITIONAL_OR_KEYWORD, False)],
    cjwt.Key.to_pem: [("self", P.POSITIONAL_ONLY, E),
                      ("private", P.POSITIONAL_OR_KEYWORD, False)],
    cjwt.Key.thumbprint: [("self", P.POSITIONAL_ONLY, E)],
    cjwt.Key: [("key", P.POSITIONAL_ONLY, E)],
    cjwt.KeySet: [("keys", P.POSITIONAL_OR_KEYWORD, E)],
    cjwt.KeySet.from_jwks: [("jwks", P.POSITIONAL_OR_KEYWORD, E),
                            ("allow_short_secret", P.POSITIONAL_OR_KEYWORD, False)],
    cjwt.KeySet.to_jwks: [("self", P.POSITIONAL_ONLY, E),
                          ("private", P.POSITIONAL_OR_KEYWORD, False)],
    cjwt.KeySet.get: [("self", P.POSITIONAL_ONLY, E), ("kid", P.POSITIONAL_ONLY, E),
                      ("default", P.POSITIONAL_ONLY, None)],
    cjwt.Verifier.decode: [("self", P.POSITIONAL_ONLY, E), ("token", P.POSITIONAL_OR_KEYWORD, E),
                           ("key", P.POSITIONAL_OR_KEYWORD, None), ("now", P.KEYWORD_ONLY, None)],
    cjwt.Verifier.cache_info: [("self", P.POSITIONAL_ONLY, E)],
    cjwt.Verifier.cache_clear: [("self", P.POSITIONAL_ONLY, E)],
    _cjwt.parse_duration: [("text", P.POSITIONAL_ONLY, E)],
    _cjwt.get_unverified_header: [("token", P.POSITIONAL_ONLY, E)],
    _cjwt._key_cache_info: [],
    _cjwt._key_cache_clear: [],
}


@pytest.mark.parametrize("obj", list(EXPECTED), ids=lambda o: o.__qualname__)
def test_c_signatures_are_exact(obj):
    assert _shape(obj) == EXPECTED[obj]


def _classes():
    return [getattr(cjwt, n) for n in cjwt.__all__
            if isinstance(getattr(cjwt, n), type) and not issubclass(getattr(cjwt, n), BaseException)]


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_class_signatures_tell_how_to_construct(cls):
    # inspect.signature(cls) said () for cjwt.Key, which could not be
    # constructed at all: a class signature must be one the class accepts.
    # Every required parameter is named: without them the call's shape is
    # refused (TypeError); a signature with none is a call the class takes
    # (its values may still be refused, e.g. Verifier() without algorithms).
    sig = inspect.signature(cls)
    required = [p for p in sig.parameters.values()
                if p.default is P.empty and p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    if required:
        with pytest.raises(TypeError):
            cls()
    else:
        try:
            cls()
        except TypeError as e:
            pytest.fail(f"{cls.__name__}{sig} but {cls.__name__}() raises TypeError: {e}")
        except cjwt.PyJWTError:
            pass


def test_key_constructor_reads_what_decode_reads():
    # Key(x) is the key decode(token, x) uses, parsed once: the same
    # thumbprint as the explicit constructor, and it verifies the same tokens.
    gen = cjwt.Key.generate("ES256", kid="e1")
    secret = SECRET if isinstance(SECRET, str) else SECRET.decode()
    cases = [
        (gen.to_jwk(private=True), cjwt.Key.from_jwk(gen.to_jwk(private=True))),
        (gen.to_pem(private=True), gen),
        (gen.to_pem(private=True).encode(), gen),
        (secret, cjwt.Key.from_secret(secret)),
        (secret.encode(), cjwt.Key.from_secret(secret)),
        (bytearray(secret.encode()), cjwt.Key.from_secret(secret)),
    ]
    for material, expected in cases:
        key = cjwt.Key(material)
        assert isinstance(key, cjwt.Key)
        assert key.thumbprint() == expected.thumbprint() and key.kty == expected.kty
        alg = "ES256" if key.kty == "EC" else "HS256"
        token = cjwt.encode({"sub": "a"}, material, algorithm=alg)
        assert cjwt.decode(token, key, algorithms=[alg]) == {"sub": "a"}
        assert cjwt.decode(cjwt.encode({"sub": "b"}, key, algorithm=alg), material,
                           algorithms=[alg]) == {"sub": "b"}
    assert cjwt.Key(gen) is gen                        # immutable: the same object
    for bad in (None, 5, cjwt.KeySet([gen]), ["k"]):
        with pytest.raises(TypeError, match=r"Key\(\) takes one key"):
            cjwt.Key(bad)
    with pytest.raises(TypeError):
        cjwt.Key(key=secret)                           # positional only, as the signature says
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.Key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_decode_signature_is_pyjwt_s():
    names = [p.name for p in inspect.signature(cjwt.decode).parameters.values()]
    assert names[:5] == ["token", "key", "algorithms", "options", "verify"]
    for fn in (cjwt.decode, cjwt.decode_complete, cjwt.jws_decode):
        assert inspect.signature(fn).parameters["token"].kind is P.POSITIONAL_OR_KEYWORD


def test_the_signatures_name_the_real_parameters():
    # Calling by the names the signatures give: a wrong __text_signature__
    # (a renamed parameter) fails here.
    key = cjwt.Key.from_secret(secret=SECRET, allow_short_secret=False)
    assert key.with_kid("k1").kid == "k1"
    assert key.with_alg("HS384").alg == "HS384"
    assert key.to_jwk(private=True)["kty"] == "oct"
    assert cjwt.Key.from_jwk(jwk=key.to_jwk(private=True)).bits == key.bits
    gen = cjwt.Key.generate(alg="ES256", kid="e1")
    assert cjwt.Key.generate(alg="EdDSA", kid=None, crv="Ed448").curve == "Ed448"
    assert cjwt.Key.from_pem(data=gen.to_pem(private=True), password=None).kid is None
    assert gen.to_pem(private=False).startswith("-----BEGIN PUBLIC KEY-----")
    ks = cjwt.KeySet(keys=[gen])
    assert ks.get("e1", None) is not None and ks.get("nope") is None
    assert cjwt.KeySet.from_jwks(jwks=ks.to_jwks(private=False), allow_short_secret=False)
    v = cjwt.Verifier(algorithms=["HS256"])
    token = cjwt.encode({"sub": "a"}, key)
    assert v.decode(token=token, key=key, now=NOW) == {"sub": "a"}
    assert v.decode_complete(token, key, now=NOW)["payload"] == {"sub": "a"}
    assert _cjwt.parse_duration("15m") == 900


def test_help_names_the_current_error_codes():
    text = pydoc.render_doc(cjwt.decode)
    assert "unavailable" in text and "RevocationUnavailableError" in text
    assert "``internal``" not in text
    for fn in (cjwt.decode, cjwt.decode_complete, cjwt.jws_decode):
        assert fn.__text_signature__ and fn.__doc__.strip()
