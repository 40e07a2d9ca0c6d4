"""The `cjwt` command, run as a subprocess (CJWT_BIN, default build/cjwt).

`make test-cli` runs this file twice: against build/cjwt and against the
ASan+UBSan build build/san/cjwt. Hostile tokens are built here with the
standard library, never with cjwt itself.
"""
import base64
import json
import os
import re
import stat
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from tokenlib import make_token  # noqa: E402 (the standard library only)
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("CJWT_BIN", "build/cjwt")))

NOW = 1_700_000_000                      # 2023-11-14 22:13:20 UTC
SECRET = b"cli-test-secret-that-is-long-enough-for-hs512-" + b"x" * 20
ALL_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
            "PS512", "ES256", "ES384", "ES512", "EdDSA", "ES256K"]
# The core's error names in enum order; exit status = 3 + index.
CODES = ["malformed", "unsupported_alg", "alg_not_allowed", "invalid_key", "bad_signature",
         "expired", "not_yet_valid", "invalid_iat", "invalid_audience", "invalid_issuer",
         "invalid_subject", "missing_claim", "invalid_typ", "unknown_crit", "revoked",
         "too_large", "no_memory", "internal", "invalid_jti", "unavailable", "decrypt_failed"]
STATUS = {name: 3 + i for i, name in enumerate(CODES)}


def run(*args, input=None, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    if isinstance(input, str):
        input = input.encode()
    p = subprocess.run([BIN, *args], input=input, capture_output=True, env=e, cwd=cwd,
                       timeout=120)
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    # A sanitizer report is a failure whatever the exit status says.
    assert "Sanitizer" not in p.err and "runtime error" not in p.err, p.err
    return p


def hs256(header, payload, secret=SECRET):
    return make_token(header, payload, secret, "HS256")


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "secret"
    p.write_bytes(SECRET)
    return str(p)


def verify(token, secret_file, *args):
    return run("verify", token, "--secret-file", secret_file, "--alg", "HS256",
               "--now", str(NOW), *args)


def expect_error(p, name):
    assert p.returncode == STATUS[name], (p.returncode, p.err)
    assert p.err.startswith(f"cjwt: {name}: "), p.err
    assert p.out == ""


# ---- exit codes and help ----------------------------------------------------

def test_exit_code_table_follows_the_core_codes():
    p = run("exit-codes")
    assert p.returncode == 0
    rows = dict((name, int(st)) for st, name in re.findall(r"^\s*(\d+)\s+(\w+)", p.out, re.M))
    assert rows["ok"] == 0 and rows["usage"] == 1 and rows["io"] == 2
    for name, st in STATUS.items():
        assert rows[name] == st
    assert run("verify", "--help").out.count("invalid_jti") == 1


@pytest.mark.parametrize("cmd", ["encode", "decode", "verify", "keygen", "jwks"])
def test_help_for_each_subcommand(cmd):
    for flag in ("--help", "-h"):
        p = run(cmd, flag)
        assert p.returncode == 0
        assert p.out.startswith(f"Usage: cjwt {cmd}")


def test_top_level_usage():
    assert run().returncode == 1
    assert run("--help").returncode == 0
    p = run("frobnicate")
    assert p.returncode == 1 and "unknown command" in p.err
    assert run("version").out.startswith("cjwt ")


@pytest.mark.parametrize("args", [
    ["verify", "x"],                                             # no --alg
    ["verify", "x", "--alg", "HS256"],                           # no key
    ["verify", "x", "--alg", "HS256", "--secret-file", "a", "--key", "b"],
    ["verify", "--alg", "HS256", "--secret-env", "S"],           # no token
    ["verify", "x", "--bogus"],
    ["verify", "x", "--alg"],                                    # missing value
    ["verify", "x", "--leeway", "soon", "--alg", "HS256"],
    ["encode", "--secret", "hunter2hunter2"],                    # no secrets on the line
    ["encode", "--claim", "novalue", "--alg", "none"],
    ["encode", "--header", "alg=HS256", "--alg", "none"],
    ["encode", "--expires-in", "forever", "--alg", "none"],
    ["decode"],
    ["decode", "a", "b"],
    ["keygen"],
    ["jwks"],
])
def test_usage_errors_exit_1(args):
    p = run(*args)
    assert p.returncode == 1, p.err
    assert p.out == ""


# ---- encode -----------------------------------------------------------------

def decode_json(token):
    p = run("decode", token, "--json")
    assert p.returncode == 0, p.err
    d = json.loads(p.out)
    return d["unverified_header"], d["unverified_claims"]


def test_encode_claims_sources_and_types(tmp_path, secret_file):
    f = tmp_path / "claims.json"
    f.write_text('{"sub": "from-file", "n": 1}')
    for args, inp in [(["@" + str(f)], None), (["-"], '{"sub": "from-file", "n": 1}'),
                      (['{"sub": "from-file", "n": 1}'], None)]:
        p = run("encode", *args, "--secret-file", secret_file, "--alg", "HS256", input=inp)
        assert p.returncode == 0, p.err
        assert decode_json(p.out.strip())[1] == {"sub": "from-file", "n": 1}
    p = run("encode", "--secret-file", secret_file, "--alg", "HS384", "--claim", "n=5",
            "--claim", "s=hello world", "--claim", 'o={"a":[1,true]}', "--claim", "q=\"5\"",
            "--claim", "sub=x=y", "--header", "cty=demo", "--kid", "k-1",
            "--expires-in", "15m", "--now", str(NOW))
    assert p.returncode == 0, p.err
    header, claims = decode_json(p.out.strip())
    assert header == {"alg": "HS384", "typ": "JWT", "kid": "k-1", "cty": "demo"}
    assert claims == {"n": 5, "s": "hello world", "o": {"a": [1, True]}, "q": "5",
                      "sub": "x=y", "iat": NOW, "exp": NOW + 900}


def test_encode_claim_overrides_the_json_argument(secret_file):
    p = run("encode", '{"a":1,"b":2}', "--claim", "b=3", "--secret-file", secret_file,
            "--alg", "HS256")
    assert decode_json(p.out.strip())[1] == {"a": 1, "b": 3}


def test_encode_alg_none_by_name():
    p = run("encode", "--alg", "none", "--claim", "a=1")
    assert p.returncode == 0
    assert p.out.strip().endswith(".")
    assert decode_json(p.out.strip())[0]["alg"] == "none"
    tok = p.out.strip()
    # an unsecured token never verifies, not even with --alg none (`decode` shows it, unverified)
    expect_error(run("verify", tok, "--alg", "none"), "alg_not_allowed")
    assert run("decode", tok).returncode == 0
    expect_error(run("verify", tok, "--alg", "HS256", "--secret-env", "S",
                     env={"S": SECRET.decode()}), "alg_not_allowed")


def test_encode_refuses_bad_claims(secret_file):
    base = ["--secret-file", secret_file, "--alg", "HS256"]
    expect_error(run("encode", "[1,2]", *base), "malformed")
    expect_error(run("encode", '{"a":1,"a":2}', *base), "malformed")
    expect_error(run("encode", "{", *base), "malformed")
    expect_error(run("encode", "-", *base, input=b'{"a":"\x00"}'), "malformed")
    expect_error(run("encode", "-", *base, input=b'{"a":"\xff"}'), "malformed")
    expect_error(run("encode", "-", *base, input="[" * 100 + "]" * 100), "too_large")
    expect_error(run("encode", "-", *base, input='{"a":' + "[" * 100 + "]" * 100 + "}"),
                 "too_large")
    p = run("encode", "@/nonexistent/claims.json", *base)
    assert p.returncode == 2 and "/nonexistent/claims.json" in p.err
    expect_error(run("encode", *base[:2], "--alg", "HS999"), "unsupported_alg")
    # An RSA key or a secret needs --alg; an EC key implies it.
    assert run("encode", "--secret-file", secret_file).returncode == 1


# ---- decode -----------------------------------------------------------------

def test_decode_marks_unverified_and_annotates_times(secret_file):
    tok = hs256({"alg": "HS256", "typ": "JWT"},
                {"sub": "u", "exp": NOW - 60, "nbf": NOW + 60, "iat": 1_700_000_000.5})
    p = run("decode", tok, "--now", str(NOW))
    assert p.returncode == 0
    assert p.out.startswith("UNVERIFIED")
    assert '"exp": 1699999940,  // 2023-11-14 22:12:20 UTC (expired)' in p.out
    assert '"nbf": 1700000060,  // 2023-11-14 22:14:20 UTC (not yet valid)' in p.out
    assert "2023-11-14 22:13:20 UTC" in p.out
    assert "signature: 32 bytes (HS256, not verified)" in p.out
    # A bad signature does not matter to decode; a broken structure does.
    assert run("decode", tok[:-4] + "AAAA").returncode == 0
    expect_error(run("decode", "not.a-token"), "malformed")


def test_decode_from_stdin_with_whitespace():
    tok = hs256({"alg": "HS256"}, {"a": "b"})
    p = run("decode", "-", "--json", input="\n  " + tok + "\r\n")
    assert p.returncode == 0
    assert json.loads(p.out) == {"unverified_header": {"alg": "HS256"},
                                 "unverified_claims": {"a": "b"}}


def test_decode_odd_times_do_not_crash():
    tok = hs256({"alg": "HS256"}, {"exp": 1e300, "iat": -5, "nbf": "soon"})
    p = run("decode", tok)
    assert p.returncode == 0
    assert "out of range" in p.out


# ---- verify: every error name the command can produce ------------------------

def test_verify_ok_prints_claims(secret_file):
    tok = hs256({"alg": "HS256", "typ": "JWT"}, {"sub": "u", "exp": NOW + 60})
    p = verify(tok, secret_file)
    assert p.returncode == 0
    assert json.loads(p.out) == {"sub": "u", "exp": NOW + 60}
    assert verify(tok, secret_file, "--alg", "HS384,HS512").returncode == 0
    p = run("verify", "-", "--secret-file", secret_file, "--alg", "HS256", "--now", str(NOW),
            input=tok + "\n")
    assert p.returncode == 0


H = {"alg": "HS256", "typ": "JWT"}
ERROR_CASES = [
    ("malformed", "abc.def", []),
    ("malformed", "a.b.c.d", []),
    ("malformed", "segment.with space.x", []),
    ("unsupported_alg", hs256({"alg": "HS999"}, {}), []),
    ("alg_not_allowed", hs256({"alg": "HS512"}, {}), []),
    ("bad_signature", hs256(H, {}, secret=b"another secret that is long enough!!"), []),
    ("expired", hs256(H, {"exp": NOW - 1}), []),
    ("expired", hs256(H, {"iat": NOW - 120}), ["--max-age", "1m"]),
    ("not_yet_valid", hs256(H, {"nbf": NOW + 100}), []),
    ("invalid_iat", hs256(H, {"iat": "yesterday"}), []),
    ("invalid_audience", hs256(H, {"aud": "api"}), []),
    ("invalid_audience", hs256(H, {"aud": "api"}), ["--aud", "billing"]),
    ("invalid_issuer", hs256(H, {"iss": "evil"}), ["--iss", "https://auth.example.com"]),
    ("invalid_subject", hs256(H, {"sub": "bob"}), ["--sub", "alice"]),
    ("missing_claim", hs256(H, {}), ["--require", "exp"]),
    ("invalid_typ", hs256(H, {}), ["--typ", "at+jwt"]),
    ("unknown_crit", hs256({"alg": "HS256", "crit": ["x-magic"], "x-magic": 1}, {}), []),
    ("too_large", hs256(H, {"pad": "x" * 20000}), []),
    ("too_large", hs256(H, '{"a":' + "[" * 40 + "]" * 40 + "}"), []),
    ("invalid_jti", hs256(H, {"jti": 5}), []),
    # RFC 7797: b64 is never read as absent; a JWT is never unencoded
    ("malformed", hs256({"alg": "HS256", "b64": False}, {}), []),
    ("malformed", hs256({"alg": "HS256", "b64": False, "crit": ["b64"]}, {}), []),
    ("malformed", hs256({"alg": "HS256", "b64": "no", "crit": ["b64"]}, {}), []),
]


@pytest.mark.parametrize("header", [{"alg": "HS256", "b64": False},
                                    {"alg": "HS256", "b64": False, "crit": ["b64"]}])
def test_decode_refuses_b64_false(header):
    """`cjwt decode` (unverified) refuses an RFC 7797 header too: a JWT payload
    is always base64url, and b64 must be listed in crit."""
    expect_error(run("decode", hs256(header, {"sub": "x"})), "malformed")


@pytest.mark.parametrize("name,token,args", ERROR_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ERROR_CASES)])
def test_verify_error_exit_codes(secret_file, name, token, args):
    expect_error(verify(token, secret_file, *args), name)


def test_verify_claims_pass_with_matching_options(secret_file):
    tok = hs256(H, {"aud": ["api", "x"], "iss": "https://auth.example.com", "sub": "alice",
                    "exp": NOW - 10, "iat": NOW - 30, "jti": "j1"})
    p = verify(tok, secret_file, "--aud", "nope", "--aud", "api", "--iss",
               "https://auth.example.com", "--sub", "alice", "--leeway", "30s",
               "--require", "jti", "--typ", "JWT", "--max-age", "1m")
    assert p.returncode == 0, p.err


def test_invalid_key_exit_codes(tmp_path, secret_file):
    tok = hs256(H, {})
    ec = tmp_path / "ec.pem"
    run("keygen", "ES256", "--out", str(ec), "--pub-out", str(tmp_path / "ec.pub"))
    # An EC key for an HMAC token (key type confusion).
    expect_error(run("verify", tok, "--key", str(ec), "--alg", "HS256"), "invalid_key")
    # A PEM public key is never an HMAC secret, even passed as a JWK-less key file.
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x00\x01binary garbage\xff" * 10)
    expect_error(run("verify", tok, "--key", str(garbage), "--alg", "HS256"), "invalid_key")
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    expect_error(run("verify", tok, "--key", str(broken), "--alg", "ES256"), "invalid_key")
    jwk = tmp_path / "bad.jwk"
    jwk.write_text('{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}')
    expect_error(run("verify", tok, "--key", str(jwk), "--alg", "ES256"), "invalid_key")
    jwks = tmp_path / "set.json"
    jwks.write_text('{"keys":[]}')
    expect_error(run("verify", tok, "--jwks", str(jwks), "--alg", "ES256"), "invalid_key")
    expect_error(run("verify", tok, "--key", str(jwks), "--alg", "ES256"), "invalid_key")


# ---- secrets -----------------------------------------------------------------

def test_short_secret_refused_and_never_echoed(tmp_path):
    short = b"hunter2-short"
    f = tmp_path / "short"
    f.write_bytes(short + b"\n")
    tok = hs256(H, {"a": 1}, secret=short)
    for key_args in (["--secret-file", str(f)], ["--secret-env", "CJWT_TEST_SECRET"]):
        env = {"CJWT_TEST_SECRET": short.decode()}
        p = run("verify", tok, *key_args, "--alg", "HS256", env=env)
        expect_error(p, "invalid_key")
        assert "allow" in p.err and "hunter2" not in p.err
        p = run("verify", tok, *key_args, "--alg", "HS256", "--allow-short-secret", env=env)
        assert p.returncode == 0, p.err
        p = run("encode", "--claim", "a=1", *key_args, "--alg", "HS256", env=env)
        expect_error(p, "invalid_key")
        assert "hunter2" not in p.err
        p = run("encode", "--claim", "a=1", *key_args, "--alg", "HS256",
                "--allow-short-secret", env=env)
        assert p.returncode == 0 and "hunter2" not in p.out


def test_wrong_secret_not_echoed(tmp_path, secret_file):
    wrong = tmp_path / "wrong"
    wrong.write_bytes(b"the-wrong-secret-but-plenty-long-enough")
    p = run("verify", hs256(H, {}), "--secret-file", str(wrong), "--alg", "HS256")
    expect_error(p, "bad_signature")
    assert "wrong-secret" not in p.err
    p = run("decode", hs256(H, {}))
    assert SECRET.decode() not in p.out + p.err


@pytest.mark.parametrize("content,name", [
    ('{"kty":"oct","k":"SUPERSECRETVALUE', "malformed"),
    ('{"kty":"oct","k":"SUPER SECRET"}', "invalid_key"),
    ('{"kty":"oct","k":SUPERSECRET}', "malformed"),
    ('{"kty":"oct","k":"U1VQRVJTRUNSRVQ","k":"SUPERSECRET"}', "malformed"),
])
def test_broken_secret_jwk_not_echoed(tmp_path, content, name):
    f = tmp_path / "k.jwk"
    f.write_text(content)
    for args in (["verify", hs256(H, {}), "--alg", "HS256"], ["encode", "--alg", "HS256"]):
        p = run(*args, "--key", str(f))
        expect_error(p, name)
        assert "SUPER" not in p.err and "U1VQ" not in p.err
    f.write_text('{"keys":[' + content + "]}")
    p = run("verify", hs256(H, {}), "--alg", "HS256", "--jwks", str(f))
    assert p.returncode in (STATUS["malformed"], STATUS["invalid_key"]), p.err
    assert "SUPER" not in p.err and "U1VQ" not in p.err


def test_secret_env_unset_is_usage_error():
    p = run("verify", hs256(H, {}), "--secret-env", "CJWT_NO_SUCH_VAR", "--alg", "HS256")
    assert p.returncode == 1 and "CJWT_NO_SUCH_VAR" in p.err


def test_secret_file_with_one_trailing_newline(tmp_path):
    f = tmp_path / "s"
    f.write_bytes(SECRET + b"\n")
    assert run("verify", hs256(H, {}), "--secret-file", str(f), "--alg", "HS256").returncode == 0


# ---- hostile input ------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"", b"\x00", b"eyJhbGciOiJIUzI1NiJ9\x00.e30.AAAA", b"\xff\xfe\x00garbage\x80" * 50,
    b".", b"..", b"...", b"e30.e30.\x00",
])
def test_hostile_tokens_on_stdin(secret_file, data):
    for cmd in (["decode", "-"], ["verify", "-", "--secret-file", secret_file, "--alg", "HS256"]):
        p = run(*cmd, input=data)
        assert p.returncode == STATUS["malformed"], (data, p.err)
        assert p.err.startswith("cjwt: malformed: ")


def test_huge_inputs_are_capped(tmp_path, secret_file):
    big = b"A" * (2 * 1024 * 1024)
    p = run("decode", "-", input=big)
    expect_error(p, "too_large")
    p = run("verify", "-", "--secret-file", secret_file, "--alg", "HS256", input=big)
    expect_error(p, "too_large")
    f = tmp_path / "big.pem"
    f.write_bytes(big)
    expect_error(run("verify", "x.y.z", "--key", str(f), "--alg", "ES256"), "too_large")
    expect_error(run("encode", "--secret-file", str(f), "--alg", "HS256"), "too_large")
    expect_error(run("jwks", str(f)), "too_large")
    # Under the file cap but over the token limit: the core's too_large.
    expect_error(run("decode", "-", input=b"A" * 20000 + b".e30.x"), "too_large")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_stdout_write_failure_is_io_error():
    with open("/dev/full", "wb") as full:
        p = subprocess.run([BIN, "keygen", "ES256"], stdout=full, stderr=subprocess.PIPE)
    assert p.returncode == 2 and b"cjwt: io: (stdout)" in p.stderr


def test_io_errors_exit_2(tmp_path):
    for args in (["verify", "x", "--key", "/nonexistent/key.pem", "--alg", "ES256"],
                 ["verify", "x", "--key", str(tmp_path), "--alg", "ES256"],
                 ["verify", "x", "--jwks", "/nonexistent", "--alg", "ES256"],
                 ["jwks", "/nonexistent.pem"]):
        p = run(*args)
        assert p.returncode == 2, (args, p.err)
        assert p.err.startswith("cjwt: io: ")


# ---- keygen, round trips for every algorithm ----------------------------------

@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """One generated key per algorithm, as PEM files (or a secret file for HS*)."""
    d = tmp_path_factory.mktemp("keys")
    out = {}
    for alg in ALL_ALGS:
        priv, pub = d / f"{alg}.key", d / f"{alg}.pub"
        args = ["keygen", alg, "--out", str(priv)]
        if not alg.startswith("HS"):
            args += ["--pub-out", str(pub)]
        p = run(*args)
        assert p.returncode == 0, p.err
        assert p.out == ""
        out[alg] = (str(priv), str(pub))
    return out


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_keygen_encode_verify_round_trip_pem(keys, alg):
    priv, pub = keys[alg]
    assert stat.S_IMODE(os.stat(priv).st_mode) == 0o600
    if alg.startswith("HS"):
        sign, check = ["--secret-file", priv], ["--secret-file", priv]
    else:
        sign, check = ["--key", priv], ["--key", pub]
        assert open(pub).read().startswith("-----BEGIN PUBLIC KEY-----")
        assert "PRIVATE" in open(priv).read()
    p = run("encode", "--claim", "sub=u1", "--alg", alg, *sign, "--expires-in", "1h")
    assert p.returncode == 0, p.err
    tok = p.out.strip()
    p = run("verify", tok, "--alg", alg, *check, "--require", "exp")
    assert p.returncode == 0, p.err
    assert json.loads(p.out)["sub"] == "u1"
    # The private key verifies too; another algorithm is not allowed.
    if not alg.startswith("HS"):
        assert run("verify", tok, "--alg", alg, "--key", priv).returncode == 0
    other = "ES256" if alg != "ES256" else "ES384"
    expect_error(run("verify", tok, "--alg", other, *check), "alg_not_allowed")


@pytest.mark.parametrize("alg", ["HS256", "HS512", "RS256", "PS384", "ES256", "ES512", "EdDSA"])
def test_keygen_jwk_round_trip(tmp_path, alg):
    p = run("keygen", alg, "--jwk", "--kid", "k-" + alg)
    assert p.returncode == 0, p.err
    lines = p.out.strip().split("\n")
    priv = json.loads(lines[0])
    assert priv["kid"] == "k-" + alg
    kf = tmp_path / "priv.jwk"
    kf.write_text(lines[0])
    if alg.startswith("HS"):
        assert len(lines) == 1 and priv["kty"] == "oct"
        pf = kf
    else:
        assert len(lines) == 2
        pub = json.loads(lines[1])
        assert "d" in priv and "d" not in pub and pub["kid"] == priv["kid"]
        pf = tmp_path / "pub.jwk"
        pf.write_text(lines[1])
    # The JWK's alg and kid are the defaults for encode.
    p = run("encode", "--claim", "a=1", "--key", str(kf))
    assert p.returncode == 0, p.err
    tok = p.out.strip()
    assert decode_json(tok)[0]["kid"] == "k-" + alg
    p = run("verify", tok, "--alg", alg, "--key", str(pf))
    assert p.returncode == 0, p.err


def test_keygen_ed448_and_es256k(tmp_path):
    p = run("keygen", "EdDSA", "--crv", "Ed448", "--jwk", "--kid", "ed448-1")
    assert p.returncode == 0, p.err
    priv, pub = (json.loads(line) for line in p.out.strip().split("\n"))
    assert (pub["kty"], pub["crv"], pub["kid"], pub["alg"]) == ("OKP", "Ed448", "ed448-1", "EdDSA")
    assert len(base64.urlsafe_b64decode(pub["x"] + "==")) == 57 and "d" in priv
    kf, pf = tmp_path / "ed448.jwk", tmp_path / "ed448.pub.jwk"
    kf.write_text(json.dumps(priv))
    pf.write_text(json.dumps(pub))
    tok = run("encode", "--claim", "a=1", "--key", str(kf)).out.strip()
    assert decode_json(tok)[0]["alg"] == "EdDSA"
    assert run("verify", tok, "--alg", "EdDSA", "--key", str(pf)).returncode == 0
    # the same alg name, an Ed25519 key: refused
    ed25519 = tmp_path / "ed25519.pub"
    assert run("keygen", "EdDSA", "--out", str(tmp_path / "e.pem"),
               "--pub-out", str(ed25519)).returncode == 0
    expect_error(run("verify", tok, "--alg", "EdDSA", "--key", str(ed25519)), "bad_signature")
    # ES256K: the curve implies the alg; a P-256 key never verifies it
    k1 = tmp_path / "k1.pem"
    assert run("keygen", "ES256K", "--out", str(k1)).returncode == 0
    tok = run("encode", "--claim", "a=1", "--key", str(k1)).out.strip()
    assert decode_json(tok)[0]["alg"] == "ES256K"
    assert run("verify", tok, "--alg", "ES256K", "--key", str(k1)).returncode == 0
    p256 = tmp_path / "p256.pem"
    assert run("keygen", "ES256", "--out", str(p256)).returncode == 0
    expect_error(run("verify", tok, "--alg", "ES256K", "--key", str(p256)), "invalid_key")
    expect_error(run("keygen", "ES256", "--crv", "secp256k1"), "invalid_key")
    expect_error(run("keygen", "EdDSA", "--crv", "X448"), "invalid_key")


def test_keygen_prints_private_then_public_pem():
    p = run("keygen", "ES256")
    assert p.returncode == 0
    blocks = re.findall(r"-----BEGIN ([A-Z ]+)-----", p.out)
    assert blocks == ["PRIVATE KEY", "PUBLIC KEY"]


def test_keygen_hs_secret_is_base64url():
    p = run("keygen", "HS384")
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}\n", p.out)
    assert p.err == ""


def test_keygen_refuses(tmp_path):
    expect_error(run("keygen", "none"), "unsupported_alg")
    expect_error(run("keygen", "XS256"), "unsupported_alg")
    f = tmp_path / "exists"
    f.write_text("keep me")
    p = run("keygen", "HS256", "--out", str(f))
    assert p.returncode == 2 and f.read_text() == "keep me"
    assert run("keygen", "HS256", "--pub-out", str(tmp_path / "p")).returncode == 1


# ---- jwks ----------------------------------------------------------------------

def test_jwks_then_verify_with_jwks(keys, tmp_path):
    algs = ["RS256", "ES256", "ES384", "EdDSA", "PS256"]
    args = []
    for alg in algs:
        if alg == "ES384":      # no --kid: the thumbprint is the kid
            args += [keys[alg][1]]
        elif alg == "PS256":    # a private key file: only its public half is printed
            args += ["--kid", "ps", keys[alg][0]]
        else:
            args += ["--kid", "kid-" + alg, keys[alg][1]]
    p = run("jwks", *args)
    assert p.returncode == 0, p.err
    jwks = json.loads(p.out)
    assert len(jwks["keys"]) == len(algs)
    for k in jwks["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(k)
    kids = [k["kid"] for k in jwks["keys"]]
    assert kids[:2] == ["kid-RS256", "kid-ES256"] and kids[4] == "ps"
    thumb = kids[2]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", thumb)
    jf = tmp_path / "jwks.json"
    jf.write_text(p.out)
    for alg, kid in zip(algs, kids):
        p = run("encode", "--claim", "a=1", "--alg", alg, "--key", keys[alg][0], "--kid", kid)
        tok = p.out.strip()
        p = run("verify", tok, "--jwks", str(jf), "--alg", alg)
        assert p.returncode == 0, (alg, p.err)
    # A kid the set does not hold; a JWKS file as input keeps its kids.
    tok = run("encode", "--claim", "a=1", "--key", keys["ES256"][0], "--kid", "nope").out.strip()
    expect_error(run("verify", tok, "--jwks", str(jf), "--alg", "ES256"), "invalid_key")
    again = json.loads(run("jwks", str(jf)).out)
    assert again == jwks


def test_jwks_refuses_secrets_and_duplicates(keys, tmp_path):
    oct_jwk = tmp_path / "oct.jwk"
    oct_jwk.write_text(run("keygen", "HS256", "--jwk").out)
    p = run("jwks", str(oct_jwk))
    expect_error(p, "invalid_key")
    assert json.loads(oct_jwk.read_text())["k"] not in p.err
    expect_error(run("jwks", keys["HS256"][0]), "invalid_key")   # a secret file
    expect_error(run("jwks", keys["ES256"][0], keys["ES256"][1]), "invalid_key")  # same kid
    assert run("jwks", "--kid", "a").returncode == 1


# ---- the sanitizer build reports through the same runs ------------------------

def test_binary_under_test_exists():
    assert os.access(BIN, os.X_OK), BIN
