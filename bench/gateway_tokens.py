"""Keys and tokens for bench/gateway.sh and bench/gateway_callgrind.sh.

    python3 bench/gateway_tokens.py DIR   (DIR holds es256.pem, made by openssl)

Prints one line: the HS256 secret (base64url, for a JWK "k"), an HS256 token and
an ES256 token of the reference access-token payload of bench/run.py (expiring in
2099), both made with the Python binding (PYTHONPATH must reach python/).
"""
import base64
import os
import sys
import time

import cjwt


def main():
    t = sys.argv[1]
    secret = os.urandom(32)
    payload = {"sub": "user-1234567", "iss": "https://auth.example.com",
               "aud": "api.example.com", "iat": int(time.time()), "exp": 4100000000,
               "jti": "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b", "role": "admin",
               "permissions": ["orders:read", "orders:write", "payments:read"]}
    with open(os.path.join(t, "es256.pem"), "rb") as f:
        es = f.read()
    print(base64.urlsafe_b64encode(secret).rstrip(b"=").decode(),
          cjwt.encode(payload, secret, algorithm="HS256"),
          cjwt.encode(payload, es, algorithm="ES256"))


if __name__ == "__main__":
    main()
