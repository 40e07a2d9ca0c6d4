"""Python runners: cjwt and the PyPI peers on the reference access token.

    python bench/py_runner.py LIB SECONDS [ALG ...]

LIB: cjwt-key, cjwt-raw, cjwt-verifier, cjwt-verifier-cache, cjwt-threads, pyjwt,
pyjwt-rs, jwcrypto, joserfc. cjwt-verifier is cjwt.Verifier (decode's settings
compiled once) with a cjwt.Key; cjwt-verifier-cache the same with cache=1024,
verifying the same token every time (a cache hit after the first call, as
fast-jwt's cache row in bench/node_runner.mjs); these two measure verify only.
Keys come from $BENCH_KEYS (written by bench/run.py). Every measurement is
one line on stdout, "lib lang alg op ops_per_sec"; a combination the library
cannot do is "lib lang alg op n/a reason". Keys and settings are prepared
outside the timed loop; each verify checks exp, aud and iss where the library
can, and the first result is checked (claims equal the payload) before timing.
"""
import os
import sys
import threading
import time
import warnings

warnings.simplefilter("ignore")   # joserfc: "EdDSA is deprecated via RFC 9864"

ALGS = ["HS256", "RS256", "ES256", "EdDSA"]
ISS = "https://auth.example.com"
AUD = "api.example.com"
PAYLOAD = {
    "sub": "user-1234567", "iss": ISS, "aud": AUD, "iat": 1700000000, "exp": 4100000000,
    "jti": "3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b", "role": "admin",
    "permissions": ["orders:read", "orders:write", "payments:read"],
}
NOW = 1700000100  # cjwt's injectable clock, as in bench/c_floor.c
KEYDIR = os.environ.get("BENCH_KEYS", "build/bench/keys")
FILES = {"RS256": "rs256", "ES256": "es256", "EdDSA": "eddsa"}


def key_bytes(alg, private):
    if alg == "HS256":
        with open(os.path.join(KEYDIR, "hs256.key"), "rb") as f:
            return f.read().strip()
    name = FILES[alg] + (".pem" if private else ".pub.pem")
    with open(os.path.join(KEYDIR, name), "rb") as f:
        return f.read()


# process CPU time (the default, as every runner) or BENCH_CLOCK=wall
clock = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.process_time


def measure(fn, seconds):
    """Calls per second of fn over about `seconds` (batches, clock read rarely)."""
    for _ in range(3):
        fn()
    n, batch = 0, 8
    t0 = clock()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        t = clock() - t0
        if t >= seconds:
            return n / t
        if t < seconds / 20:
            batch *= 2


def check(claims):
    if dict(claims) != PAYLOAD:
        raise SystemExit("verify returned unexpected claims: %r" % (claims,))


def emit(lib, alg, op, value):
    if isinstance(value, str):
        print("%s python %s %s n/a %s" % (lib, alg, op, value), flush=True)
    else:
        print("%s python %s %s %.1f" % (lib, alg, op, value), flush=True)


# --- per library: setup(alg) -> (sign_fn, verify_fn) --------------------------

def setup_cjwt(alg, prepared):
    import cjwt
    if prepared:
        if alg == "HS256":
            sk = vk = cjwt.Key.from_secret(key_bytes(alg, True))
        else:
            sk = cjwt.Key.from_pem(key_bytes(alg, True))
            vk = cjwt.Key.from_pem(key_bytes(alg, False))
    else:
        sk, vk = key_bytes(alg, True), key_bytes(alg, False)
    token = cjwt.encode(PAYLOAD, sk, algorithm=alg)
    algs = [alg]

    def sign():
        return cjwt.encode(PAYLOAD, sk, algorithm=alg)

    def verify():
        return cjwt.decode(token, vk, algorithms=algs, audience=AUD, issuer=ISS, now=NOW)
    return sign, verify


def setup_pyjwt(alg, mod="jwt"):
    jwt = __import__(mod)
    from cryptography.hazmat.primitives import serialization
    if alg == "HS256":
        sk = vk = key_bytes(alg, True)
    elif mod == "jwt_rs":
        # pyjwt-rs is fastest with PEM bytes (it keeps the parsed key; a
        # cryptography object is re-serialized on every call, ~15x slower)
        sk, vk = key_bytes(alg, True), key_bytes(alg, False)
    else:   # PyJWT's prepared form: cryptography key objects, parsed once
        sk = serialization.load_pem_private_key(key_bytes(alg, True), None)
        vk = serialization.load_pem_public_key(key_bytes(alg, False))
    token = jwt.encode(PAYLOAD, sk, algorithm=alg)
    algs = [alg]

    def sign():
        return jwt.encode(PAYLOAD, sk, algorithm=alg)

    def verify():
        return jwt.decode(token, vk, algorithms=algs, audience=AUD, issuer=ISS)
    return sign, verify


def setup_jwcrypto(alg):
    import json
    from jwcrypto import jwk, jwt
    if alg == "HS256":
        sk = vk = jwk.JWK.from_password(key_bytes(alg, True).decode())
    else:
        sk = jwk.JWK.from_pem(key_bytes(alg, True))
        vk = jwk.JWK.from_pem(key_bytes(alg, False))
    header = {"alg": alg, "typ": "JWT"}
    claims = json.dumps(PAYLOAD)

    def sign():
        t = jwt.JWT(header=header, claims=claims)
        t.make_signed_token(sk)
        return t.serialize()
    token = sign()
    check_claims = {"iss": ISS, "aud": AUD, "exp": None}

    def verify():
        t = jwt.JWT(jwt=token, key=vk, algs=[alg], check_claims=check_claims,
                    expected_type="JWS")
        return json.loads(t.claims)
    return sign, verify


def setup_joserfc(alg):
    from joserfc import jwt
    from joserfc.jwk import OctKey, RSAKey, ECKey, OKPKey
    cls = {"HS256": OctKey, "RS256": RSAKey, "ES256": ECKey, "EdDSA": OKPKey}[alg]
    sk = cls.import_key(key_bytes(alg, True))
    vk = sk if alg == "HS256" else cls.import_key(key_bytes(alg, False))
    registry = jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISS},
                                     aud={"essential": True, "value": AUD})
    header = {"alg": alg}
    algs = [alg]

    def sign():
        return jwt.encode(header, PAYLOAD, sk, algorithms=algs)
    token = sign()

    def verify():
        t = jwt.decode(token, vk, algorithms=algs)
        registry.validate(t.claims)   # exp (and nbf, iat) are always validated
        return t.claims
    return sign, verify


CACHE_SIZE = 1024


def setup_cjwt_verifier(alg, cache):
    """cjwt.Verifier with a prepared cjwt.Key: the same checks as setup_cjwt
    (allowlist, aud, iss, exp at the fixed now). Verify only (sign is None)."""
    import cjwt
    if alg == "HS256":
        sk = vk = cjwt.Key.from_secret(key_bytes(alg, True))
    else:
        sk = cjwt.Key.from_pem(key_bytes(alg, True))
        vk = cjwt.Key.from_pem(key_bytes(alg, False))
    token = cjwt.encode(PAYLOAD, sk, algorithm=alg)
    v = cjwt.Verifier([alg], audience=AUD, issuer=ISS, cache=cache)
    if cache:
        # the timed loop must be hits: a miss (first call), then hits only
        check(v.decode(token, vk, now=NOW))
        check(v.decode(token, vk, now=NOW))
        info = v.cache_info()
        if (info.hits, info.misses, info.size) != (1, 1, 1):
            raise SystemExit("cjwt.Verifier cache did not hit: %r" % (info,))

    def verify():
        return v.decode(token, vk, now=NOW)
    verify.verifier = v
    return None, verify


SETUPS = {
    "cjwt-key": lambda alg: setup_cjwt(alg, True),
    "cjwt-verifier": lambda alg: setup_cjwt_verifier(alg, 0),
    "cjwt-verifier-cache": lambda alg: setup_cjwt_verifier(alg, CACHE_SIZE),
    "cjwt-raw": lambda alg: setup_cjwt(alg, False),
    "pyjwt": setup_pyjwt,
    "pyjwt-rs": lambda alg: setup_pyjwt(alg, "jwt_rs"),
    "jwcrypto": setup_jwcrypto,
    "joserfc": setup_joserfc,
}


VERIFY_ONLY = ("cjwt-verifier", "cjwt-verifier-cache")


def threads_speedup(seconds):
    """cjwt RS256 verify: total calls/s with 1 thread and with 2 threads
    (wall clock: CPU time would count both threads)."""
    _, verify = setup_cjwt("RS256", True)
    check(verify())
    for nthreads in (1, 2):
        counts = [0] * nthreads
        stop = threading.Event()

        def work(i):
            n = 0
            while not stop.is_set():
                for _ in range(16):
                    verify()
                n += 16
            counts[i] = n
        ts = [threading.Thread(target=work, args=(i,)) for i in range(nthreads)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in ts:
            t.join()
        dt = time.perf_counter() - t0
        emit("cjwt-key", "RS256", "verify-%dthread" % nthreads, sum(counts) / dt)


def main():
    lib, seconds = sys.argv[1], float(sys.argv[2])
    algs = sys.argv[3:] or ALGS
    if lib == "cjwt-threads":
        threads_speedup(seconds * 2)
        return
    setup = SETUPS[lib]
    for alg in algs:
        try:
            sign, verify = setup(alg)
            check(verify())
        except SystemExit:
            raise
        except Exception as e:  # the library cannot do this algorithm here
            reason = ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")[:100]
            emit(lib, alg, "verify", reason)
            if lib not in VERIFY_ONLY:
                emit(lib, alg, "sign", reason)
            continue
        emit(lib, alg, "verify", measure(verify, seconds))
        if lib == "cjwt-verifier-cache":
            info = verify.verifier.cache_info()
            if info.misses != 1 or info.evictions:
                raise SystemExit("cjwt.Verifier cache missed in the timed loop: %r" % (info,))
        if sign is not None:
            emit(lib, alg, "sign", measure(sign, seconds / 2))


if __name__ == "__main__":
    main()
