"""Threat: JWE-shaped (5-segment) and other wrongly segmented input."""
import pytest

import cjwt
from threatlib import HMAC_SECRET, decode, expect_code

JWE = ("eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0."
       "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ."
       "AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY."
       "U0m_YmjN04DJvceFICbCVQ")   # RFC 7516 A.3


def test_jwe_is_malformed_and_named():
    err = expect_code("malformed", decode, JWE, HMAC_SECRET, ["HS256"])
    assert "JWE" in str(err)
    expect_code("malformed", cjwt.get_unverified_header, JWE)


@pytest.mark.parametrize("token", ["a.b.c.d.e", "....", "a.b.c.d", "a.b", "abc", ".", "..",
                                   "a.b.c.d.e.f", ""])
def test_wrong_segment_counts(token):
    expect_code("malformed", decode, token, HMAC_SECRET, ["HS256"])
