"""decode / decode_complete / jws_decode as C functions: their argument
handling, and the bounded cache of str/bytes keys (issue 8, Python side)."""
from datetime import datetime, timedelta, timezone

import pytest

import cjwt
from conftest import NOW, SECRET
from keyfix import private_pem, public_pem

PAYLOAD = {"sub": "u1", "iat": NOW, "exp": NOW + 60}


@pytest.fixture(autouse=True)
def empty_cache():
    cjwt._key_cache_clear()
    yield
    cjwt._key_cache_clear()


# ---- arguments -------------------------------------------------------------

def test_pyjwt_positional_order_and_keywords():
    token = cjwt.encode(PAYLOAD, SECRET)
    opts = {"verify_exp": False}
    assert cjwt.decode(token, SECRET, ["HS256"], opts, None, now=NOW) == PAYLOAD
    assert cjwt.decode(token=token, key=SECRET, algorithms=["HS256"], options=opts,
                       verify=True) == PAYLOAD
    assert cjwt.decode_complete(token, SECRET, ["HS256"], now=NOW)["payload"] == PAYLOAD
    raw = cjwt.jws_encode(b"x", SECRET)
    assert cjwt.jws_decode(raw, SECRET, ["HS256"], options=None, typ=None, now=NOW) == b"x"


@pytest.mark.parametrize("call, message", [
    (lambda t: cjwt.decode(t, SECRET, ["HS256"], None, None, "aud"), "positional"),
    (lambda t: cjwt.decode(t, SECRET, ["HS256"], algorithms=["HS256"]), "multiple values"),
    (lambda t: cjwt.decode(key=SECRET, algorithms=["HS256"]), "missing 1 required"),
    (lambda t: cjwt.jws_decode(t, SECRET, ["HS256"], {}), "positional"),
    (lambda t: cjwt.jws_decode(t, SECRET, ["HS256"], audience="a"), "unexpected keyword"),
])
def test_argument_errors_read_like_python(call, message):
    with pytest.raises(TypeError, match=message):
        call(cjwt.encode(PAYLOAD, SECRET))


@pytest.mark.parametrize("fn", [cjwt.decode, cjwt.decode_complete])
def test_unknown_keywords_warn_and_are_ignored_as_in_pyjwt(fn):
    # PyJWT 2: RemovedInPyjwt3Warning, then the call goes on (jws_decode and
    # Verifier, cjwt's own, still raise TypeError above)
    token = cjwt.encode(PAYLOAD, SECRET)
    with pytest.warns(cjwt.RemovedInPyjwt3Warning,
                      match=r"Unsupported kwargs: \('audiences', 'bogus'\)"):
        fn(token, SECRET, algorithms=["HS256"], audiences="a", bogus=1, now=NOW)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(cjwt.RemovedInPyjwt3Warning):
            fn(token, SECRET, algorithms=["HS256"], bogus=1, now=NOW)
    # a name it knows twice is still an error
    with pytest.raises(TypeError, match="multiple values"):
        fn(token, SECRET, ["HS256"], algorithms=["HS256"])


def test_keyword_names_that_are_not_interned():
    token = cjwt.encode(PAYLOAD, SECRET)
    kwargs = {"".join(["algo", "rithms"]): ["HS256"], "".join(["n", "ow"]): NOW}
    assert cjwt.decode(token, SECRET, **kwargs) == PAYLOAD


def test_datetime_and_timedelta_arguments_are_converted():
    token = cjwt.encode(PAYLOAD, SECRET)
    late = datetime.fromtimestamp(NOW + 90, tz=timezone.utc)
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode(token, SECRET, algorithms=["HS256"], now=late)
    naive = datetime.fromtimestamp(NOW + 90, tz=timezone.utc).replace(tzinfo=None)
    assert cjwt.decode(token, SECRET, algorithms=["HS256"], now=naive,
                       leeway=timedelta(seconds=60)) == PAYLOAD
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW + 30,
                    max_age=timedelta(seconds=10))
    with pytest.raises(TypeError, match="leeway must be int or float"):
        cjwt.decode(token, SECRET, algorithms=["HS256"], now=NOW, leeway="1")
    with pytest.raises(TypeError, match="now must be int or float"):
        cjwt.decode(token, SECRET, algorithms=["HS256"], now=True)


def test_algorithms_forms():
    token = cjwt.encode(PAYLOAD, SECRET)
    name = "".join(["HS", "256"])    # not interned: compared by text
    for algs in (["HS256"], ("HS256",), [name], "HS256", ["RS256", "HS256"], iter(["HS256"])):
        assert cjwt.decode(token, SECRET, algorithms=algs, now=NOW) == PAYLOAD
    with pytest.raises(cjwt.InvalidAlgorithmError, match="hs256"):
        cjwt.decode(token, SECRET, algorithms=["HS256", "hs256"], now=NOW)
    with pytest.raises(TypeError):
        cjwt.decode(token, SECRET, algorithms=["HS256", 1], now=NOW)
    with pytest.raises(cjwt.InvalidAlgorithmError):
        cjwt.decode(token, SECRET, algorithms=["RS256"], now=NOW)
    with pytest.raises(cjwt.DecodeError, match="algorithms"):
        cjwt.decode(token, SECRET, algorithms=[], now=NOW)


def test_claim_names_are_reused_and_still_correct():
    payload = {"sub": "u", "é": 1, "x" * 40: 2, "nested": {"sub": "inner"}}
    token = cjwt.encode(payload, SECRET)
    first = cjwt.decode(token, SECRET, algorithms=["HS256"])
    second = cjwt.decode(token, SECRET, algorithms=["HS256"])
    assert first == second == payload
    assert list(first) == list(payload)


# ---- the key cache ---------------------------------------------------------

def test_same_pem_twice_gives_the_same_result_from_the_cache():
    token = cjwt.encode(PAYLOAD, private_pem("RS256"), algorithm="RS256")
    pub = public_pem("RS256")
    pem_str = pub.decode() if isinstance(pub, bytes) else pub
    cjwt._key_cache_clear()                  # encode cached the private PEM
    assert cjwt.decode(token, pem_str, algorithms=["RS256"], now=NOW) == PAYLOAD
    assert cjwt.decode(token, pem_str, algorithms=["RS256"], now=NOW) == PAYLOAD
    info = cjwt._key_cache_info()
    assert info["hits"] >= 1 and info["size"] == 1 and info["maxsize"] == 32
    # the same text as bytes is the same material: a hit too
    assert cjwt.decode(token, pem_str.encode(), algorithms=["RS256"], now=NOW) == PAYLOAD
    assert cjwt._key_cache_info()["size"] == 1


def test_different_keys_never_collide():
    a, b = "a" * 40, "a" * 39 + "b"          # same length, same prefix
    ta, tb = cjwt.encode(PAYLOAD, a), cjwt.encode(PAYLOAD, b)
    assert cjwt.decode(ta, a, algorithms=["HS256"], now=NOW) == PAYLOAD
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode(ta, b, algorithms=["HS256"], now=NOW)    # cached a is not reused for b
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode(tb, a, algorithms=["HS256"], now=NOW)
    assert cjwt.decode(tb, b, algorithms=["HS256"], now=NOW) == PAYLOAD
    # a prefix of cached material is different material
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode(ta, a[:-1] + "", algorithms=["HS256"], now=NOW)
    assert cjwt._key_cache_info()["size"] == 3


def test_the_cache_stays_bounded_and_evicts_the_least_recent():
    secrets = ["s%02d" % i + "x" * 40 for i in range(100)]
    for s in secrets:
        token = cjwt.encode(PAYLOAD, s)
        assert cjwt.decode(token, s, algorithms=["HS256"], now=NOW) == PAYLOAD
        assert cjwt._key_cache_info()["size"] <= 32
    info = cjwt._key_cache_info()
    assert info["size"] == 32
    misses = info["misses"]
    cjwt.encode(PAYLOAD, secrets[-1])        # recent: a hit
    assert cjwt._key_cache_info()["misses"] == misses
    cjwt.encode(PAYLOAD, secrets[0])         # evicted long ago: parsed again
    assert cjwt._key_cache_info()["misses"] == misses + 1
    assert cjwt._key_cache_info()["size"] == 32


def test_refused_material_is_not_cached():
    token = cjwt.encode(PAYLOAD, SECRET)
    cjwt._key_cache_clear()
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.decode(token, "-----BEGIN PUBLIC KEY-----\nxx\n"
                    "-----END PUBLIC KEY-----\n", algorithms=["RS256"], now=NOW)
    assert cjwt._key_cache_info()["size"] == 0


def test_mutable_buffers_are_not_cached():
    key = bytearray(SECRET.encode())
    token = cjwt.encode(PAYLOAD, SECRET)
    assert cjwt.decode(token, key, algorithms=["HS256"], now=NOW) == PAYLOAD
    key[0] ^= 1
    with pytest.raises(cjwt.InvalidSignatureError):
        cjwt.decode(token, key, algorithms=["HS256"], now=NOW)
    assert cjwt._key_cache_info()["size"] == 1     # only the str SECRET used by encode
