"""`cjwt encrypt` / `cjwt decrypt` (raw JWE, encrypted and nested JWTs), run as a
subprocess like test_cli.py (CJWT_BIN; `make test-cli` runs it against the plain and
the ASan+UBSan builds). Tokens to decrypt come from jwcrypto where it matters (the
shared vectors tests/vectors/encrypted_jwt/vectors.json), so the command is not only
checked against itself."""
import json
import os

import pytest

from test_cli import NOW, ROOT, STATUS, run

SECRET32 = b"0123456789abcdef0123456789abcdef"
HS = b"a secret of at least 32 bytes for HS256!"
with open(os.path.join(ROOT, "tests", "vectors", "encrypted_jwt", "vectors.json"),
          encoding="utf-8") as _f:
    VECTORS = {c["name"]: c for c in json.load(_f)["cases"]}


@pytest.fixture
def keys(tmp_path):
    (tmp_path / "k.bin").write_bytes(SECRET32)
    (tmp_path / "hs.bin").write_bytes(HS)
    p = run("keygen", "ES256", "--jwk", "--kid", "s1", "--out", str(tmp_path / "sig.jwk"),
            "--pub-out", str(tmp_path / "sig.pub.jwk"))
    assert p.returncode == 0, p.err
    return tmp_path


def test_raw_round_trip_stdin_and_zip(keys):
    p = run("encrypt", "-", "--alg", "A256KW", "--enc", "A128CBC-HS256", "--secret-file",
            str(keys / "k.bin"), "--zip", "--header", "cty=text/plain", input=b"bytes\x00\xff")
    assert p.returncode == 0, p.err
    token = p.out.strip()
    assert token.count(".") == 4
    p = run("decrypt", token, "--alg", "A256KW", "--enc", "A128CBC-HS256", "--secret-file",
            str(keys / "k.bin"))
    assert p.returncode == 0 and p.stdout == b"bytes\x00\xff"
    p = run("decrypt", token, "--alg", "A128KW", "--enc", "A128CBC-HS256", "--secret-file",
            str(keys / "k.bin"))
    assert p.returncode == STATUS["alg_not_allowed"], p.err
    p = run("decrypt", token[:-3] + "AAA", "--alg", "A256KW", "--enc", "A128CBC-HS256",
            "--secret-file", str(keys / "k.bin"))
    assert p.returncode in (STATUS["decrypt_failed"], STATUS["malformed"]), p.err


def test_raw_json_serialization(keys):
    p = run("encrypt", "json bytes", "--alg", "A256GCMKW", "--enc", "A128GCM", "--secret-file",
            str(keys / "k.bin"), "--json", "--header", "cty=text/plain")
    assert p.returncode == 0, p.err
    jwe = json.loads(p.out)
    assert jwe["header"] == {"alg": "A256GCMKW", "iv": jwe["header"]["iv"],
                             "tag": jwe["header"]["tag"]}
    p = run("decrypt", "-", "--alg", "A256GCMKW", "--enc", "A128GCM", "--secret-file",
            str(keys / "k.bin"), input=p.out)
    assert p.returncode == 0 and p.stdout == b"json bytes", p.err
    p = run("encrypt", "{}", "--jwt", "--json", "--alg", "dir", "--enc", "A256GCM",
            "--secret-file", str(keys / "k.bin"))
    assert p.returncode == 1


def test_encrypted_jwt_round_trip_and_claims(keys):
    p = run("encrypt", '{"sub":"u","aud":"api"}', "--jwt", "--alg", "dir", "--enc", "A256GCM",
            "--secret-file", str(keys / "k.bin"), "--expires-in", "15m", "--now", str(NOW))
    assert p.returncode == 0, p.err
    token = p.out.strip()
    base = ("decrypt", token, "--jwt", "--alg", "dir", "--enc", "A256GCM", "--secret-file",
            str(keys / "k.bin"))
    p = run(*base, "--aud", "api", "--now", str(NOW + 60))
    assert p.returncode == 0, p.err
    assert json.loads(p.out) == {"sub": "u", "aud": "api", "iat": NOW, "exp": NOW + 900}
    assert run(*base, "--aud", "api", "--now", str(NOW + 901)).returncode == STATUS["expired"]
    assert run(*base, "--now", str(NOW)).returncode == STATUS["invalid_audience"]
    p = run(*base, "--aud", "api", "--require", "jti", "--now", str(NOW))
    assert p.returncode == STATUS["missing_claim"] and "jti" in p.err


def test_nested_round_trip_and_threats(keys):
    p = run("encrypt", '{"sub":"n"}', "--alg", "ECDH-ES+A256KW", "--enc", "A256GCM", "--key",
            str(keys / "sig.pub.jwk"), "--sign-key", str(keys / "sig.jwk"), "--sign-alg", "ES256")
    # sig.pub.jwk is bound to ES256: a signing key never encrypts
    assert p.returncode == STATUS["invalid_key"] and "never encrypts" in p.err, p.err
    p = run("encrypt", '{"sub":"n"}', "--alg", "dir", "--enc", "A256GCM", "--secret-file",
            str(keys / "k.bin"), "--sign-key", str(keys / "sig.jwk"), "--sign-alg", "ES256")
    assert p.returncode == 0, p.err
    token = p.out.strip()
    dec = ("decrypt", token, "--alg", "dir", "--enc", "A256GCM", "--secret-file",
           str(keys / "k.bin"))
    p = run(*dec, "--verify-key", str(keys / "sig.pub.jwk"), "--sign-alg", "ES256")
    assert p.returncode == 0 and json.loads(p.out) == {"sub": "n"}, p.err
    # no verification key: a nested JWT is refused
    p = run(*dec, "--jwt")
    assert p.returncode == STATUS["invalid_key"], p.err
    # the JWS algorithm must be allowed
    p = run(*dec, "--verify-key", str(keys / "sig.pub.jwk"), "--sign-alg", "ES384")
    assert p.returncode == STATUS["alg_not_allowed"], p.err
    # a verification key given and the token only encrypted: refused
    p = run("encrypt", '{"sub":"forged"}', "--jwt", "--alg", "dir", "--enc", "A256GCM",
            "--secret-file", str(keys / "k.bin"))
    forged = p.out.strip()
    p = run("decrypt", forged, "--alg", "dir", "--enc", "A256GCM", "--secret-file",
            str(keys / "k.bin"), "--verify-key", str(keys / "sig.pub.jwk"), "--sign-alg", "ES256")
    assert p.returncode == STATUS["bad_signature"], p.err
    # an HMAC-signed nested token through --verify-secret-file
    p = run("encrypt", "{}", "--alg", "dir", "--enc", "A256GCM", "--secret-file",
            str(keys / "k.bin"), "--sign-secret-file", str(keys / "hs.bin"), "--sign-alg", "HS256")
    p = run("decrypt", p.out.strip(), "--alg", "dir", "--enc", "A256GCM", "--secret-file",
            str(keys / "k.bin"), "--verify-secret-file", str(keys / "hs.bin"), "--sign-alg", "HS256")
    assert p.returncode == 0 and json.loads(p.out) == {}, p.err


@pytest.mark.parametrize("name", ["nested HS256 in dir", "nested: inner alg none",
                                  "nested: cty JWT over claims, not a JWS",
                                  "nested: wrong verification key", "encrypted dir A256GCM"])
def test_jwcrypto_vectors(tmp_path, name):
    c = VECTORS[name]
    o = c["options"]
    (tmp_path / "k.jwk").write_text(json.dumps(c["key"]["jwk"]))
    args = ["decrypt", c["token"], "--jwt", "--alg", ",".join(o["algorithms"]), "--enc",
            ",".join(o["encryptions"]), "--key", str(tmp_path / "k.jwk"), "--now", str(c["now"])]
    for opt in ("audience", "issuer", "typ"):
        if opt in o:
            args += ["--" + {"audience": "aud", "issuer": "iss", "typ": "typ"}[opt], o[opt]]
    if "verification_key" in c:
        (tmp_path / "v.jwk").write_text(json.dumps(c["verification_key"]["jwk"]))
        args += ["--verify-key", str(tmp_path / "v.jwk"), "--sign-alg",
                 ",".join(a for a in o["signature_algorithms"] if a != "none")]
    p = run(*args)
    if "claims" in c["expect"]:
        assert p.returncode == 0, p.err
        assert json.loads(p.out) == c["expect"]["claims"]
    else:
        assert p.returncode == STATUS[c["expect"]["error"]], p.err
        assert p.err.startswith("cjwt: " + c["expect"]["error"] + ":")


def test_usage_errors(keys):
    k = str(keys / "k.bin")
    assert run("encrypt", "x", "--enc", "A256GCM", "--secret-file", k).returncode == 1
    assert run("encrypt", "x", "--alg", "dir", "--enc", "A256GCM").returncode == 1
    assert run("encrypt", "{}", "--alg", "dir", "--enc", "A256GCM", "--secret-file", k,
               "--sign-alg", "HS256").returncode == 1
    assert run("encrypt", "x", "--alg", "dir", "--enc", "A256GCM", "--secret-file", k,
               "--expires-in", "1h").returncode == 1
    assert run("decrypt", "a.b.c.d.e", "--alg", "dir", "--secret-file", k).returncode == 1
    assert run("decrypt", "a.b.c.d.e", "--alg", "dir", "--enc", "A256GCM", "--secret-file", k,
               "--aud", "x").returncode == 1
    p = run("decrypt", "a.b.c.d.e", "--alg", "dirr", "--enc", "A256GCM", "--secret-file", k)
    assert p.returncode == STATUS["unsupported_alg"]
    p = run("encrypt", "x", "--alg", "RSA1_5", "--enc", "A256GCM", "--secret-file", k)
    assert p.returncode == STATUS["unsupported_alg"]
    for cmd in ("encrypt", "decrypt"):
        p = run(cmd, "--help")
        assert p.returncode == 0 and "Usage: cjwt " + cmd in p.out
