#!/usr/bin/env bash
# The foundation demo: an "auth service" in Python issues an HS256 access
# token, a "gateway" in Lua (5.4 and LuaJIT) verifies it with the same C core,
# and tampered, expired and wrongly addressed tokens are refused with stable
# error names. Exits non-zero if anything does not behave as narrated.
set -euo pipefail
cd "$(dirname "$0")/.."

export PYTHONPATH=python
export LUA_PATH='lua/?.lua;lua/?/init.lua;;'
SECRET='demo secret: 32+ bytes, from a vault in real life'
NOW=$(date +%s)
fail() { echo "DEMO FAILED: $*" >&2; exit 1; }

echo "== 1. The auth service (Python) issues a 15-minute access token"
TOKEN=$(python3 - "$SECRET" <<'PY'
import sys, cjwt
token = cjwt.encode({"sub": "user-123", "iss": "https://auth.example.com", "aud": "api",
                     "role": "admin"}, sys.argv[1], algorithm="HS256", expires_in="15m",
                    headers={"kid": "2026-11"})
print(token)
PY
)
echo "   $TOKEN"
echo "   header: $(python3 -c 'import sys, cjwt; print(cjwt.get_unverified_header(sys.argv[1]))' "$TOKEN")"

verify_lua() {  # interpreter cpath token -> prints "ok <sub>" or "<code>: <message>"
  LUA_CPATH="$2" "$1" - "$SECRET" "$3" <<'LUA'
local cjwt = require "cjwt.safe"
local secret, token = arg[1], arg[2]
local claims, err, code = cjwt.decode(token, secret, {
  algorithms = { "HS256" }, audience = "api", issuer = "https://auth.example.com",
  leeway = 30, require = { "exp", "sub" } })
if claims then print("ok " .. claims.sub .. " role=" .. claims.role) else print(code .. ": " .. err) end
LUA
}

echo "== 2. The gateway (Lua) verifies it"
for lua in "lua5.4 build/lua5.4/?.so" "luajit build/luajit/?.so"; do
  set -- $lua
  out=$(verify_lua "$1" "$2;;" "$TOKEN")
  printf '   %-7s -> %s\n' "$1" "$out"
  [[ $out == "ok user-123 role=admin" ]] || fail "$1 did not accept a valid token"
done

echo "== 3. A tampered token (role changed to superuser, signature kept) is refused"
TAMPERED=$(python3 - "$TOKEN" <<'PY'
import base64, json, sys
h, p, s = sys.argv[1].split(".")
claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
claims["role"] = "superuser"
p2 = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
print(".".join([h, p2, s]))
PY
)
out=$(verify_lua lua5.4 "build/lua5.4/?.so;;" "$TAMPERED"); echo "   -> $out"
[[ $out == bad_signature:* ]] || fail "tampered token not refused as bad_signature"

echo "== 4. An expired token (issued an hour ago, 15-minute lifetime) is refused"
EXPIRED=$(python3 - "$SECRET" "$NOW" <<'PY'
import sys, cjwt
print(cjwt.encode({"sub": "user-123", "iss": "https://auth.example.com", "aud": "api", "role": "x"},
                  sys.argv[1], algorithm="HS256", expires_in=900, now=int(sys.argv[2]) - 3600))
PY
)
out=$(verify_lua luajit "build/luajit/?.so;;" "$EXPIRED"); echo "   -> $out"
[[ $out == expired:* ]] || fail "expired token not refused"

echo "== 5. A token for another audience is refused (Python this time, native exceptions)"
python3 - "$SECRET" <<'PY' || fail "wrong audience not refused"
import sys, cjwt
token = cjwt.encode({"sub": "user-123", "aud": "billing"}, sys.argv[1], expires_in=60)
try:
    cjwt.decode(token, sys.argv[1], algorithms=["HS256"], audience="api")
except cjwt.InvalidAudienceError as e:
    print(f"   -> {type(e).__name__} (code {e.code}): {e}")
else:
    sys.exit(1)
PY

echo "== 6. alg=none and a short HMAC secret are refused by default"
python3 - "$TOKEN" <<'PY' || fail "insecure defaults"
import base64, sys, cjwt
h = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
none_token = h + "." + sys.argv[1].split(".")[1] + "."
for label, call in [("alg=none token", lambda: cjwt.decode(none_token, "x" * 32, algorithms=["HS256"])),
                    ("6-byte secret", lambda: cjwt.encode({"a": 1}, "secret", algorithm="HS256"))]:
    try:
        call()
    except cjwt.PyJWTError as e:
        print(f"   {label:15} -> {e.code}: {e}")
    else:
        sys.exit(1)
PY
echo "demo: all steps behaved as narrated"
