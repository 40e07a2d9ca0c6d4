"""cjwt.JWKSClient against a real HTTP server on 127.0.0.1: caching, rotation
(a new kid appears, the old one disappears), and the refetch cooldown (counted
requests). Time is a fake clock passed to the client: no sleeping, no timing."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import cjwt
from conftest import NOW
from keyfix import private_pem


class Issuer:
    """The JWKS endpoint: serves whatever `jwks` holds and counts requests."""

    def __init__(self):
        self.jwks = {"keys": []}
        self.requests = 0
        self.status = 200
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                issuer.requests += 1
                issuer.last_headers = dict(self.headers)   # before answering: no race
                body = json.dumps(issuer.jwks).encode() if issuer.status == 200 else b"down"
                self.send_response(issuer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def issuer():
    srv = Issuer()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def keys():
    return {kid: cjwt.Key.from_pem(private_pem(alg)).with_kid(kid).with_alg(alg)
            for kid, alg in (("k-2024", "RS256"), ("k-2025", "ES256"), ("k-2026", "EdDSA"))}


def publish(issuer, keys, *kids):
    issuer.jwks = {"keys": [keys[k].to_jwk() for k in kids]}


def token_for(keys, kid):
    return cjwt.encode({"sub": kid}, keys[kid], headers={"kid": kid})


def verify(client, token):
    signing_key = client.get_signing_key_from_jwt(token)
    return cjwt.decode(token, signing_key.key, algorithms=[signing_key.algorithm_name], now=NOW)


def test_fetch_and_cache(issuer, keys):
    publish(issuer, keys, "k-2024", "k-2025")
    clock = Clock()
    client = cjwt.JWKSClient(issuer.url, lifespan=300, cooldown=30, clock=clock,
                             headers={"User-Agent": "cjwt-test"})
    for _ in range(5):
        for kid in ("k-2024", "k-2025"):
            assert verify(client, token_for(keys, kid)) == {"sub": kid}
    assert issuer.requests == 1
    assert issuer.last_headers["User-Agent"] == "cjwt-test"
    assert [k.key_id for k in client.get_signing_keys()] == ["k-2024", "k-2025"]
    assert isinstance(client.get_jwk_set(), cjwt.PyJWKSet)
    # The cached set verifies directly too (the core picks by kid).
    assert cjwt.decode(token_for(keys, "k-2025"), client.get_keyset(),
                       algorithms=["RS256", "ES256"], now=NOW) == {"sub": "k-2025"}
    clock.t += 301                                  # lifespan over: one new fetch
    verify(client, token_for(keys, "k-2024"))
    assert issuer.requests == 2 == client.fetch_count


def test_rotation(issuer, keys):
    publish(issuer, keys, "k-2024", "k-2025")
    clock = Clock()
    client = cjwt.PyJWKClient(issuer.url, lifespan=3600, cooldown_duration=30, clock=clock)
    assert verify(client, token_for(keys, "k-2024")) == {"sub": "k-2024"}
    # The issuer rotates: k-2026 appears, k-2024 disappears.
    publish(issuer, keys, "k-2025", "k-2026")
    clock.t += 31                                   # past the cooldown of the first fetch
    assert verify(client, token_for(keys, "k-2026")) == {"sub": "k-2026"}   # unknown kid: refetch
    assert issuer.requests == 2
    clock.t += 31
    with pytest.raises(cjwt.PyJWKClientError) as info:
        client.get_signing_key_from_jwt(token_for(keys, "k-2024"))
    assert 'Unable to find a signing key that matches: "k-2024"' in str(info.value)
    assert issuer.requests == 3                      # it did look once more
    assert verify(client, token_for(keys, "k-2025")) == {"sub": "k-2025"}
    assert issuer.requests == 3


def test_cooldown_prevents_hammering(issuer, keys):
    publish(issuer, keys, "k-2025")
    clock = Clock()
    client = cjwt.JWKSClient(issuer.url, lifespan=3600, cooldown=60, clock=clock)
    client.get_jwk_set()
    assert issuer.requests == 1
    forged = [cjwt.encode({"sub": "x"}, keys["k-2026"], headers={"kid": f"made-up-{i}"})
              for i in range(200)]
    for t in forged:                                  # a flood of unknown kids
        with pytest.raises(cjwt.JWKSClientError):
            client.get_signing_key_from_jwt(t)
    assert issuer.requests == 1                      # all within the cooldown
    clock.t += 61
    for t in forged:
        with pytest.raises(cjwt.JWKSClientError):
            client.get_signing_key_from_jwt(t)
    assert issuer.requests == 2                      # at most one refetch per cooldown
    clock.t += 61
    publish(issuer, keys, "k-2025", "k-2026")
    good = token_for(keys, "k-2026")
    assert verify(client, good) == {"sub": "k-2026"}
    assert issuer.requests == 3


def test_concurrent_clients_share_one_fetch(issuer, keys):
    publish(issuer, keys, "k-2024", "k-2025", "k-2026")
    client = cjwt.JWKSClient(issuer.url, clock=Clock())
    tokens = [token_for(keys, k) for k in keys] * 30
    errors = []

    def work(chunk):
        for t in chunk:
            try:
                verify(client, t)
            except Exception as e:  # noqa: BLE001
                errors.append(e)

    threads = [threading.Thread(target=work, args=(tokens[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and issuer.requests == 1


def test_errors(issuer, keys):
    with pytest.raises(cjwt.PyJWKClientError):
        cjwt.JWKSClient("file:///etc/passwd")
    with pytest.raises(cjwt.PyJWKClientError):
        cjwt.JWKSClient(issuer.url, lifespan=0)
    with pytest.raises(cjwt.PyJWKClientError):
        cjwt.JWKSClient(issuer.url, cooldown=-1)
    issuer.status = 500
    client = cjwt.JWKSClient(issuer.url, clock=Clock())
    with pytest.raises(cjwt.PyJWKClientConnectionError) as info:
        client.get_signing_keys()
    assert isinstance(info.value, cjwt.PyJWKClientError)
    assert isinstance(info.value, cjwt.PyJWTError)
    issuer.status = 200
    issuer.jwks = {"keys": [{"kty": "oct", "use": "enc", "k": "AAAA"}]}
    with pytest.raises(cjwt.PyJWKSetError):
        client.get_jwk_set()
    issuer.jwks = [1, 2]
    with pytest.raises(cjwt.PyJWKClientError, match="JSON object"):
        client.get_jwk_set()
    closed = Issuer()
    url = closed.url
    closed.close()
    with pytest.raises(cjwt.PyJWKClientConnectionError):
        cjwt.JWKSClient(url, timeout=2).get_jwk_set()


def test_pyjwk_and_pyjwkset(keys):
    jwk = keys["k-2025"].to_jwk()
    pk = cjwt.PyJWK(jwk)
    assert (pk.key_type, pk.key_id, pk.algorithm_name, pk.public_key_use) == (
        "EC", "k-2025", "ES256", None)
    token = token_for(keys, "k-2025")
    assert cjwt.decode(token, pk, now=NOW) == {"sub": "k-2025"}    # algorithms from the PyJWK
    no_alg = {k: v for k, v in keys["k-2024"].to_jwk().items() if k != "alg"}
    assert cjwt.PyJWK.from_json(json.dumps(no_alg)).algorithm_name == "RS256"
    assert cjwt.PyJWK(no_alg, algorithm="PS256").key.alg == "PS256"
    s = cjwt.PyJWKSet.from_dict({"keys": [keys[k].to_jwk() for k in keys]})
    assert [k.key_id for k in s] == list(keys) and len(s) == 3
    assert s["k-2026"].algorithm_name == "EdDSA"
    with pytest.raises(KeyError):
        s["nope"]
    assert cjwt.decode(token, s, algorithms=["ES256"], now=NOW) == {"sub": "k-2025"}
    with pytest.raises(cjwt.PyJWKSetError):
        cjwt.PyJWKSet([])
    with pytest.raises(cjwt.PyJWKSetError):
        cjwt.PyJWKSet([{"kty": "nope"}])
    with pytest.raises(cjwt.InvalidKeyError):
        cjwt.PyJWK({"kty": "EC"})


def test_fetches_through_urlopen_so_tests_can_mock_it(keys):
    # PyJWT users test their code with mock.patch("urllib.request.urlopen")
    import json as _json
    from unittest import mock
    body = _json.dumps({"keys": [keys["k-2025"].to_jwk()]}).encode()
    response = mock.MagicMock()
    response.__enter__.return_value.read.return_value = body
    with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
        client = cjwt.PyJWKClient("https://issuer.invalid/jwks.json")
        assert client.get_signing_key("k-2025").key_id == "k-2025"
        client.get_signing_key("k-2025")
    assert urlopen.call_count == 1                       # then served by jwk_set_cache
    assert client.jwk_set_cache.get() is not None
    client.jwk_set_cache.put(None)
    assert client.jwk_set_cache.get() is None
    assert cjwt.PyJWKClient("https://x.invalid/", cache_jwk_set=False).jwk_set_cache is None
