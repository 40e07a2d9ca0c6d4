"""Code written the way PyJWT users write it, with cjwt in PyJWT's place.

`make test-types` type-checks this file with `mypy --strict` against cjwt's stubs and
against PyJWT's own annotations (the same file with `import jwt`), and runs it: it must
be correct for both checkers and work at run time. Keep it PyJWT-compatible: no
cjwt-only names here (tests/types/cjwt_api.py has those).
"""
from __future__ import annotations

import http.server
import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import cjwt as jwt

SECRET = "a secret of at least 32 bytes for HS256!"


def issue(user_id: str) -> str:
    now = datetime.now(tz=timezone.utc)
    payload: dict[str, Any] = {"sub": user_id, "aud": "api", "iat": now,
                               "exp": now + timedelta(minutes=15)}
    return jwt.encode(payload, SECRET, algorithm="HS256", headers={"kid": "k1"})


def check(token: str) -> dict[str, Any] | None:
    try:
        claims: dict[str, Any] = jwt.decode(token, SECRET, algorithms=["HS256"], audience="api",
                                            leeway=timedelta(seconds=30),
                                            options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        return None
    except jwt.MissingRequiredClaimError as e:
        print("missing", e.claim)
        return None
    except jwt.InvalidTokenError as e:
        print("refused:", type(e).__name__)
        return None
    return claims


def header_and_payload(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header: dict[str, Any] = jwt.get_unverified_header(token)
    full = jwt.decode_complete(token, SECRET, algorithms=[header["alg"]], audience="api")
    payload: dict[str, Any] = full["payload"]
    return header, payload


# A test key (never use a published key): P-256, as a private JWK.
EC_JWK: dict[str, Any] = {
    "kty": "EC", "crv": "P-256", "kid": "ec-1", "alg": "ES256",
    "x": "1JNGnvey3NAoXxAeq9D_LsYkdGuhdcNCrRHrFba1jck",
    "y": "x-_ChTUlu_pc66Mc1KSkkoM6orYWWXGHc0WTfaRwiaM",
    "d": "Z19-_r_JHmzBUP9YUr-AKajTBQtokZiQUerAj1GYpqo",
}
EC_PUBLIC = {k: v for k, v in EC_JWK.items() if k != "d"}


def with_jwk(user_id: str) -> str:
    private = jwt.PyJWK(EC_JWK)
    algorithm: str = private.algorithm_name
    token = jwt.encode({"sub": user_id, "aud": "api"}, private.key, algorithm=algorithm,
                       headers={"kid": "ec-1"})
    jwk_set = jwt.PyJWKSet.from_dict({"keys": [EC_PUBLIC]})
    public = jwk_set["ec-1"]
    kid: str | None = public.key_id
    assert len(jwk_set.keys) == 1 and kid == "ec-1" and public.key_type == "EC"
    claims = jwt.decode(token, public.key, algorithms=["ES256"], audience="api")
    sub: str = claims["sub"]
    return sub


def with_jwks_client(url: str) -> str:
    token = jwt.encode({"sub": "from-jwks", "aud": "api"}, jwt.PyJWK(EC_JWK).key,
                       algorithm="ES256", headers={"kid": "ec-1"})
    client = jwt.PyJWKClient(url, cache_keys=True, lifespan=60, timeout=5)
    signing_key = client.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["ES256"], audience="api")
    keys: list[jwt.PyJWK] = client.get_signing_keys()
    assert keys and keys[0].key_id == "ec-1"
    sub: str = claims["sub"]
    return sub


def main() -> None:
    token = issue("user-1")
    claims = check(token)
    assert claims is not None and claims["sub"] == "user-1"
    assert check(token + "x") is None
    header, payload = header_and_payload(token)
    assert header["kid"] == "k1" and payload["aud"] == "api"

    assert with_jwk("user-2") == "user-2"

    body = json.dumps({"keys": [EC_PUBLIC]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert with_jwks_client(f"http://127.0.0.1:{server.server_port}/jwks") == "from-jwks"
    finally:
        server.shutdown()
    print("pyjwt_style: ok")


if __name__ == "__main__":
    main()
