"""Threat: numeric-date claims (exp, nbf, iat) as strings, floats, negatives
and huge values. Dates are truncated to whole seconds, as PyJWT does."""
import pytest

from conftest import NOW, make_token
from threatlib import HMAC_SECRET, decode, expect_code

CASES = [
    ('{"exp":"%d"}' % (NOW + 100), "malformed"),
    ('{"exp":"never"}', "malformed"),
    ('{"exp":true}', "malformed"),
    ('{"exp":[%d]}' % (NOW + 100), "malformed"),
    ('{"exp":{}}', "malformed"),
    ('{"exp":null}', "malformed"),
    ('{"nbf":"0"}', "malformed"),
    ('{"nbf":null}', "malformed"),
    ('{"iat":"%d"}' % NOW, "invalid_iat"),
    ('{"iat":[]}', "invalid_iat"),
    ('{"exp":%d.75}' % (NOW + 100), None),
    ('{"exp":%d.999}' % NOW, "expired"),
    ('{"exp":%d}' % NOW, "expired"),
    ('{"exp":-1}', "expired"),
    ('{"exp":-9223372036854775808}', "expired"),
    ('{"exp":-1e308}', "expired"),
    ('{"exp":0}', "expired"),
    ('{"exp":9223372036854775807}', None),
    ('{"exp":1e308}', None),
    ('{"exp":9223372036854775808}', "malformed"),
    ('{"exp":1e400}', "malformed"),
    ('{"exp":NaN}', "malformed"),
    ('{"exp":Infinity}', "malformed"),
    ('{"exp":-Infinity}', "malformed"),
    ('{"exp":0x10}', "malformed"),
    ('{"exp":01700000100}', "malformed"),
    ('{"exp":+1700000100}', "malformed"),
    ('{"nbf":9223372036854775807}', "not_yet_valid"),
    ('{"nbf":1e308}', "not_yet_valid"),
    ('{"nbf":-1}', None),
    ('{"nbf":%d.9}' % NOW, None),
    ('{"iat":1e308}', "not_yet_valid"),
    ('{"iat":-5}', None),
    ('{"iat":%d}' % (NOW + 1), "not_yet_valid"),
]


@pytest.mark.parametrize("payload,expect", CASES, ids=[c[0] for c in CASES])
def test_numeric_date(payload, expect):
    token = make_token({"alg": "HS256"}, payload, HMAC_SECRET)
    if expect is None:
        decode(token, HMAC_SECRET, ["HS256"])
    else:
        expect_code(expect, decode, token, HMAC_SECRET, ["HS256"])
