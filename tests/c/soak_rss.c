/* Bounded soak of the core (`make test-soak`, plain -O2 build, no sanitizer:
 * ASan's quarantine would hide growth): 200,000 HS256 encode+verify rounds,
 * 10,000 ES256 and EdDSA rounds, and 200,000 refused tokens (one per error
 * path), checking that the resident set does not grow by more than a small
 * bound after warm-up. A leak of even 16 bytes per call would show as 3 MiB. */
#include "cjwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000.0
#define BOUND_KIB 1024

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = -1;
    if (f)
        fclose(f);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void round_trip(const cjwt_key *sign_key, const cjwt_key *verify_key, cjwt_alg alg,
                       const cjwt_verifier *v, int i)
{
    cjwt_value *p = cjwt_value_new_object(), *h = cjwt_value_new_object();
    cjwt_sign_opts so = {0};
    cjwt_error err;
    char *t;
    cjwt_decoded *d;
    cjwt_value_object_set(p, "sub", 3, cjwt_value_new_string("user-1", 6));
    cjwt_value_object_set(p, "n", 1, cjwt_value_new_int(i));
    cjwt_value_object_set(h, "kid", 3, cjwt_value_new_string("k1", 2));
    so.alg = alg;
    so.header = h;
    so.has_expires_in = 1;
    so.expires_in = 900;
    so.has_now = 1;
    so.now = NOW;
    t = cjwt_encode(p, sign_key, &so, NULL, &err);
    if (!t) {
        fprintf(stderr, "encode failed: %s\n", err.message);
        exit(1);
    }
    d = cjwt_verify(v, verify_key, t, strlen(t), 1, NOW, &err);
    if (!d || cjwt_value_int(cjwt_value_object_get(cjwt_decoded_payload(d), "n")) != i) {
        fprintf(stderr, "verify failed: %s\n", d ? "wrong n" : err.message);
        exit(1);
    }
    cjwt_decoded_free(d);
    /* one refused variant per round: expired, tampered, not allowed, garbage */
    switch (i % 4) {
    case 0: d = cjwt_verify(v, verify_key, t, strlen(t), 1, NOW + 1e6, &err); break;
    case 1: t[strlen(t) - 5] ^= 1; d = cjwt_verify(v, verify_key, t, strlen(t), 1, NOW, &err); break;
    case 2: d = cjwt_verify_with(NULL, verify_key, t, strlen(t), 1, NOW, &err); break;
    default: d = cjwt_verify(v, verify_key, "e30.e30.e30", 11, 1, NOW, &err); break;
    }
    if (d) {
        fprintf(stderr, "a refused variant verified (round %d)\n", i);
        exit(1);
    }
    cjwt_free(t);
    cjwt_value_free(p);
    cjwt_value_free(h);
}

static int soak(const char *name, cjwt_alg alg, int n)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_generate(alg, "k1", &err), *pub;
    cjwt_value *jwk;
    cjwt_verify_opts o = {0};
    cjwt_verifier *v;
    long before, after;
    if (!k) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        return 1;
    }
    if (cjwt_key_type(k) == CJWT_KTY_OCT) {
        pub = cjwt_key_ref(k);
    } else {
        jwk = cjwt_key_to_jwk(k, 0, &err);
        pub = cjwt_key_from_jwk(jwk, 0, &err);
        cjwt_value_free(jwk);
    }
    o.algorithms = CJWT_ALG_BIT(alg);
    v = cjwt_verifier_new(&o, &err);
    for (int i = 0; i < n / 10; i++)      /* warm-up: allocator arenas, OpenSSL caches */
        round_trip(k, pub, alg, v, i);
    before = rss_kib();
    for (int i = 0; i < n; i++)
        round_trip(k, pub, alg, v, i);
    after = rss_kib();
    printf("soak %s: %d rounds (encode + verify + one refused token each), RSS %ld -> %ld KiB"
           " (%+ld)\n", name, n, before, after, after - before);
    cjwt_verifier_free(v);
    cjwt_key_free(pub);
    cjwt_key_free(k);
    return after - before > BOUND_KIB;
}

int main(int argc, char **argv)
{
    int scale = argc > 1 ? atoi(argv[1]) : 1, failed = 0, passed = 0, r;
    r = soak("HS256", CJWT_ALG_HS256, 200000 * scale); failed += r; passed += !r;
    r = soak("ES256", CJWT_ALG_ES256, 10000 * scale);  failed += r; passed += !r;
    r = soak("EdDSA", CJWT_ALG_EDDSA, 10000 * scale);  failed += r; passed += !r;
    printf("soak: %d passed, %d failed (bound %d KiB of growth)\n", passed, failed, BOUND_KIB);
    return failed ? 1 : 0;
}
