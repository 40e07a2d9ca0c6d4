"""Every example of RFC 7516 appendix A and RFC 7520 section 5 is in
tests/vectors/jwe_rfc.json in every serialization the RFC gives it (and every
recipient of the multi-recipient ones), expecting its plaintext. The C
(tests/c/test_jwe.c), Python (test_jwe.py), Lua 5.4 and LuaJIT
(tests/lua/jwe_spec.lua, busted on both) suites decrypt every case of that
file, so this list is what makes "every example, every serialization, every
language" checkable: a case dropped from the file fails here."""
import json
import os
import re

import pytest

from conftest import ROOT

with open(os.path.join(ROOT, "tests", "vectors", "jwe_rfc.json"), encoding="utf-8") as f:
    CASES = json.load(f)["cases"]

ALL3 = {"compact", "flattened", "general"}
# RFC section -> the serializations the RFC shows for it (RFC 7520 5.10-5.12
# use an AAD or unprotected header, which the compact form cannot carry; 5.13
# and RFC 7516 A.4 have several recipients: general only)
EXPECTED = {"RFC 7516 A.1": {"compact"}, "RFC 7516 A.2": {"compact"}, "RFC 7516 A.3": {"compact"},
            "RFC 7516 A.4": {"general"}, "RFC 7516 A.5": {"flattened"}}
EXPECTED.update({"RFC 7520 5.%d" % i: ALL3 for i in range(1, 10)})
EXPECTED.update({"RFC 7520 5.%d" % i: {"flattened", "general"} for i in (10, 11, 12)})
EXPECTED["RFC 7520 5.13"] = {"general"}
RECIPIENTS = {"RFC 7516 A.4": 2, "RFC 7520 5.13": 3}


def section(case):
    m = re.match(r"RFC 75(16 A\.\d|20 5\.\d+)\b", case["source"])
    return m and "RFC 75" + m.group(1)


def decrypting(sec):
    return [c for c in CASES if section(c) == sec and "plaintext" in c["expect"]]


@pytest.mark.parametrize("sec", sorted(EXPECTED))
def test_every_serialization(sec):
    got = {c["serialization"] for c in decrypting(sec)}
    assert got == EXPECTED[sec], "%s: have %s, the RFC gives %s" % (sec, sorted(got), sorted(EXPECTED[sec]))
    for c in decrypting(sec):
        assert ("token" in c) == (c["serialization"] == "compact")
        # (RFC 7520 5.5.7 and 5.6.7, ECDH-ES and dir, print their "general" form
        # without a recipients array: there is no per-recipient member to show)
        if c["serialization"] == "flattened":
            assert "recipients" not in c["jwe"]


@pytest.mark.parametrize("sec", sorted(RECIPIENTS))
def test_every_recipient(sec):
    names = {c["name"] for c in decrypting(sec)}
    assert {n for n in names if re.search(r"recipient-\d$", n)} == \
        {n.rsplit("-", 1)[0] + "-%d" % i for n in names for i in range(1, RECIPIENTS[sec] + 1)}


def test_no_other_rfc_section():
    assert {section(c) for c in CASES if section(c)} == set(EXPECTED)
