"""A small program written for PyJWT. It runs unchanged with cjwt in its place:

    python3 examples/pyjwt_app.py                  # with PyJWT
    python3 -c 'import sys, runpy, cjwt; sys.modules["jwt"] = cjwt; \
                runpy.run_path("examples/pyjwt_app.py", run_name="__main__")'

or with its import line changed to `import cjwt as jwt`.
(tests/python/test_pyjwt_app.py runs both and compares the output.) Nothing
below mentions cjwt.
"""
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SECRET = "a-long-random-secret-of-at-least-32-bytes"


def session_tokens():
    now = datetime.now(tz=timezone.utc)
    token = jwt.encode({"sub": "alice", "aud": "web", "iss": "auth", "iat": now,
                        "exp": now + timedelta(minutes=15)}, SECRET, algorithm="HS256",
                       headers={"kid": "session-1"})
    print("header:", jwt.get_unverified_header(token))
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="web", issuer="auth",
                        leeway=timedelta(seconds=10))
    print("subject:", claims["sub"])
    full = jwt.decode_complete(token, SECRET, algorithms=["HS256"], audience=["web", "mobile"],
                               issuer="auth")
    print("complete:", sorted(full), full["header"]["alg"])

    expired = jwt.encode({"sub": "bob", "exp": now - timedelta(hours=1)}, SECRET, algorithm="HS256")
    failures = [
        lambda: jwt.decode(expired, SECRET, algorithms=["HS256"]),
        lambda: jwt.decode(token, SECRET, algorithms=["HS256"], audience="billing", issuer="auth"),
        lambda: jwt.decode(token, SECRET, algorithms=["HS256"], audience="web", issuer="other"),
        lambda: jwt.decode(token, "another-secret-of-at-least-32-bytes!", algorithms=["HS256"],
                           audience="web"),
        lambda: jwt.decode(token, SECRET, algorithms=["HS512"], audience="web"),
        lambda: jwt.decode(token, SECRET, algorithms=["HS256"], audience="web",
                           options={"require": ["jti"]}),
        lambda: jwt.decode("not-a-token", SECRET, algorithms=["HS256"]),
    ]
    for fail in failures:
        try:
            fail()
        except jwt.MissingRequiredClaimError as e:
            print("refused:", type(e).__name__, e.claim)
        except jwt.InvalidTokenError as e:
            print("refused:", type(e).__name__, isinstance(e, jwt.PyJWTError))
    unchecked = jwt.decode(expired, options={"verify_signature": False})
    print("unverified sub:", unchecked["sub"])
    print("exp off:", jwt.decode(expired, SECRET, algorithms=["HS256"],
                                 options={"verify_exp": False})["sub"])


def service_tokens():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    for alg, key in (("RS256", rsa_key), ("PS256", rsa_key), ("ES256", ec_key)):
        token = jwt.encode({"sub": "svc", "scope": "read"}, key, algorithm=alg)
        print(alg, jwt.decode(token, key.public_key(), algorithms=[alg])["scope"])
    return rsa_key


class _JWKS(BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def jwks_flow(rsa_key):
    public_jwk = dict(_rsa_public_jwk(rsa_key), kid="rsa-1", use="sig", alg="RS256")
    _JWKS.body = json.dumps({"keys": [public_jwk]}).encode()
    server = HTTPServer(("127.0.0.1", 0), _JWKS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = jwt.PyJWKClient(f"http://127.0.0.1:{server.server_port}/jwks.json")
        token = jwt.encode({"sub": "from-idp", "aud": "api"}, rsa_key, algorithm="RS256",
                           headers={"kid": "rsa-1"})
        signing_key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, signing_key.key, algorithms=["RS256"], audience="api")
        print("jwks:", signing_key.key_id, claims["sub"])
        keyset = jwt.PyJWKSet.from_dict(json.loads(_JWKS.body))
        print("jwks set:", [k.key_id for k in keyset.keys], keyset["rsa-1"].key_type)
        try:
            client.get_signing_key("rotated-away")
        except jwt.PyJWKClientError as e:
            print("jwks error:", type(e).__name__)
    finally:
        server.shutdown()


def _rsa_public_jwk(key):
    import base64
    nums = key.public_key().public_numbers()
    b64 = lambda n: base64.urlsafe_b64encode(  # noqa: E731
        n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
    return {"kty": "RSA", "n": b64(nums.n), "e": b64(nums.e)}


if __name__ == "__main__":
    session_tokens()
    jwks_flow(service_tokens())
