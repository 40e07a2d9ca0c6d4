#!/usr/bin/env python3
"""JWE decryption runner for bench/jwe_bench.py: one library, every case of
CASES.json, a prepared key, the same token decrypted in a loop.

    python bench/jwe_runner.py cjwt-key|joserfc|jwcrypto CASES.json [seconds]

Prints "lib python CASE decrypt ops_per_sec" (or "... n/a reason")."""
import json
import os
import sys
import time
import warnings

CLOCK = time.process_time if os.environ.get("BENCH_CLOCK", "cpu") == "cpu" else time.perf_counter


def rate(fn, seconds):
    fn()
    n, batch, t0 = 0, 8, CLOCK()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        t = CLOCK()
        if t - t0 >= seconds:
            return n / (t - t0)


def decrypter(lib, c):
    alg, enc, tok, jwk = c["alg"], c["enc"], c["token"], c["key"]
    if lib == "cjwt-key":
        import cjwt
        key = cjwt.Key.from_jwk(jwk)
        return lambda: cjwt.jwe_decrypt(tok, key, algorithms=[alg], encryptions=[enc])
    if lib == "joserfc":
        from joserfc import jwe
        from joserfc.jwk import JWKRegistry
        key = JWKRegistry.import_key(jwk)
        reg = jwe.JWERegistry(algorithms=[alg, enc])
        return lambda: jwe.decrypt_compact(tok, key, registry=reg).plaintext
    if lib == "jwcrypto":
        from jwcrypto import jwe, jwk as J
        key = J.JWK(**jwk)

        def go():
            e = jwe.JWE(algs=[alg, enc])
            e.deserialize(tok, key=key)
            return e.payload
        return go
    raise SystemExit("unknown lib " + lib)


def main():
    lib, path = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    warnings.simplefilter("ignore")
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    for c in cases:
        try:
            fn = decrypter(lib, c)
            got = fn()
        except ImportError as e:
            print("%s python %s decrypt n/a %s not installed (%s)" % (lib, c["name"], lib, e))
            continue
        if got != c["plaintext"].encode():
            raise SystemExit("%s %s: wrong plaintext" % (lib, c["name"]))
        print("%s python %s decrypt %.1f" % (lib, c["name"], rate(fn, seconds)), flush=True)


if __name__ == "__main__":
    main()
