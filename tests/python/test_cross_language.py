"""Tokens made in Python verify in Lua (5.4 and LuaJIT) and tokens made in Lua
verify in Python; both report the same error names. Skipped only when the Lua
module has not been built (build/<lua>/cjwt/core.so)."""
import os
import shutil
import subprocess

import pytest

import cjwt
from conftest import NOW, ROOT, SECRETS

RUNTIMES = [("lua5.4", "build/lua5.4"), ("luajit", "build/luajit")]

# Lua side: decode argv[1] with argv[2] as secret and argv[3] as allowed alg at `now`
# argv[4]; print the sub claim, the error code if any, and the claims re-encoded
# with HS512 (so Python can compare the whole value tree Lua decoded).
LUA_VERIFY = r"""
local cjwt = require "cjwt"
local token, secret, alg, now = arg[1], arg[2], arg[3], tonumber(arg[4])
local ok, claims = pcall(cjwt.decode, token, secret, { algorithms = { alg }, now = now,
                                                       require = { "sub" } })
if not ok then
  print("error=" .. tostring(claims.code))
  return
end
print("sub=" .. claims.sub)
print("reencoded=" .. cjwt.encode(claims, arg[5], { alg = "HS512", now = now }))
"""

LUA_SIGN = r"""
local cjwt = require "cjwt"
local secret, alg, now = arg[1], arg[2], tonumber(arg[3])
print(cjwt.encode({ sub = "from-lua", n = 42, f = 1.5, t = true, no = false,
                    list = { 1, "two", { three = 3 } }, obj = { ["é"] = "ü" } },
                  secret, { alg = alg, header = { kid = "lua-key" }, expires_in = "15m",
                            now = now }))
"""


def lua_env(build_dir):
    env = dict(os.environ)
    env["LUA_PATH"] = "lua/?.lua;lua/?/init.lua;;"
    env["LUA_CPATH"] = f"{build_dir}/?.so;;"
    return env


def run_lua(runtime, build_dir, script, *args):
    if not os.path.exists(os.path.join(ROOT, build_dir, "cjwt", "core.so")):
        pytest.skip(f"{build_dir}/cjwt/core.so not built (make lua)")
    if shutil.which(runtime) is None:
        pytest.skip(f"{runtime} not installed")
    proc = subprocess.run([runtime, "-", *args], input=script, capture_output=True, text=True,
                          cwd=ROOT, env=lua_env(build_dir), timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def fields(stdout):
    return dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)


PAYLOAD = {"sub": "from-python", "n": 7, "big": 2**53, "neg": -3, "f": 0.25, "t": True,
           "nothing": None, "s": "h\u00e9llo \U0001f600", "list": [1, [2, "x"], {"k": "v"}],
           "obj": {"a": {"b": False}}}


@pytest.mark.parametrize("runtime, build_dir", RUNTIMES)
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_python_token_verifies_in_lua(runtime, build_dir, alg):
    payload = dict(PAYLOAD)
    if runtime == "lua5.4":
        payload["int64"] = [2**63 - 1, -(2**63)]   # Lua 5.4 integers are 64-bit; LuaJIT's are doubles
    token = cjwt.encode(payload, SECRETS[alg], algorithm=alg, headers={"kid": "py-key"},
                        expires_in=900, now=NOW)
    out = fields(run_lua(runtime, build_dir, LUA_VERIFY, token, SECRETS[alg], alg, str(NOW + 1),
                         SECRETS["HS512"]))
    assert out.get("sub") == "from-python", out
    back = cjwt.decode(out["reencoded"], SECRETS["HS512"], algorithms=["HS512"], now=NOW + 1)
    assert back == dict(payload, iat=NOW, exp=NOW + 900)


@pytest.mark.parametrize("runtime, build_dir", RUNTIMES)
@pytest.mark.parametrize("alg", ["HS256", "HS512"])
def test_lua_token_verifies_in_python(runtime, build_dir, alg):
    token = run_lua(runtime, build_dir, LUA_SIGN, SECRETS[alg], alg, str(NOW)).strip()
    full = cjwt.decode_complete(token, SECRETS[alg], algorithms=[alg], now=NOW + 60)
    assert full["header"] == {"alg": alg, "typ": "JWT", "kid": "lua-key"}
    assert full["payload"] == {"sub": "from-lua", "n": 42, "f": 1.5, "t": True, "no": False,
                               "list": [1, "two", {"three": 3}], "obj": {"\u00e9": "\u00fc"},
                               "iat": NOW, "exp": NOW + 900}
    with pytest.raises(cjwt.ExpiredSignatureError):
        cjwt.decode(token, SECRETS[alg], algorithms=[alg], now=NOW + 900)


@pytest.mark.parametrize("runtime, build_dir", RUNTIMES)
def test_same_error_names(runtime, build_dir):
    key = SECRETS["HS256"]
    cases = [
        (cjwt.encode({"sub": "a", "exp": NOW}, key), key, "HS256"),         # expired
        (cjwt.encode({"sub": "a"}, key), "z" * 32, "HS256"),                # bad_signature
        (cjwt.encode({"sub": "a"}, key), key, "HS384"),                     # alg_not_allowed
        (cjwt.encode({"x": 1}, key), key, "HS256"),                         # missing_claim
        (cjwt.encode({"sub": "a", "nbf": NOW + 5}, key), key, "HS256"),     # not_yet_valid
        (cjwt.encode({"sub": "a"}, key), "short", "HS256"),                 # invalid_key
        ("not.a.token", key, "HS256"),                                      # malformed
    ]
    for token, secret, alg in cases:
        with pytest.raises(cjwt.PyJWTError) as info:
            cjwt.decode(token, secret, algorithms=[alg], now=NOW, options={"require": ["sub"]})
        out = fields(run_lua(runtime, build_dir, LUA_VERIFY, token, secret, alg, str(NOW), key))
        assert out.get("error") == info.value.code, (token, out, info.value.code)


# ---- asymmetric: private key on one side, public key on the other ---------

LUA_VERIFY_PUBLIC = r"""
local cjwt = require "cjwt"
local token, pem, alg, now = arg[1], arg[2], arg[3], tonumber(arg[4])
local ok, claims = pcall(cjwt.decode, token, pem, { algorithms = { alg }, now = now })
if not ok then print("error=" .. tostring(claims.code)) return end
print("sub=" .. claims.sub)
print("n=" .. tostring(claims.n))
"""

LUA_SIGN_PRIVATE = r"""
local cjwt = require "cjwt"
local pem, alg, now = arg[1], arg[2], tonumber(arg[3])
print(cjwt.encode({ sub = "lua-signed", n = 5 }, pem,
                  { alg = alg, header = { kid = "lua-k" }, expires_in = 60, now = now }))
"""

ASYM_CROSS = ["ES256", "RS256", "PS384", "EdDSA"]


@pytest.mark.parametrize("runtime, build_dir", RUNTIMES)
@pytest.mark.parametrize("alg", ASYM_CROSS)
def test_python_asymmetric_token_verifies_in_lua(runtime, build_dir, alg):
    from keyfix import private_pem, public_pem
    token = cjwt.encode({"sub": "py-signed", "n": 3}, private_pem(alg), algorithm=alg)
    out = fields(run_lua(runtime, build_dir, LUA_VERIFY_PUBLIC, token, public_pem(alg).decode(),
                         alg, str(NOW)))
    assert out == {"sub": "py-signed", "n": "3"}
    # A public key from another pair: the same error name on both sides.
    out = fields(run_lua(runtime, build_dir, LUA_VERIFY_PUBLIC, token,
                         public_pem(alg, n=1).decode(), alg, str(NOW)))
    with pytest.raises(cjwt.PyJWTError) as info:
        cjwt.decode(token, public_pem(alg, n=1), algorithms=[alg], now=NOW)
    assert out == {"error": info.value.code} == {"error": "bad_signature"}


@pytest.mark.parametrize("runtime, build_dir", RUNTIMES)
@pytest.mark.parametrize("alg", ASYM_CROSS)
def test_lua_asymmetric_token_verifies_in_python(runtime, build_dir, alg):
    from keyfix import private_pem, public_pem
    token = run_lua(runtime, build_dir, LUA_SIGN_PRIVATE, private_pem(alg).decode(), alg,
                    str(NOW)).strip()
    key = cjwt.Key.from_pem(public_pem(alg)).with_kid("lua-k")
    ks = cjwt.KeySet([key])
    for k in (public_pem(alg), key, ks):
        full = cjwt.decode_complete(token, k, algorithms=[alg], now=NOW + 1)
        assert full["header"] == {"alg": alg, "typ": "JWT", "kid": "lua-k"}
        assert full["payload"] == {"sub": "lua-signed", "n": 5, "iat": NOW, "exp": NOW + 60}
