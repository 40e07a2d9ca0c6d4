/* The C floor: the cjwt core verifying (and signing) the reference access
 * token in a tight loop, keys and settings prepared outside the timed loop.
 * Prints one line per algorithm and operation, in the format every bench
 * runner uses: "cjwt-floor c alg op ops_per_sec" (median of the rounds).
 *
 *   build/c_floor [seconds [rounds [alg]]]
 *
 * Time is process CPU time unless BENCH_CLOCK=wall (monotonic wall clock);
 * bench/run.py sets the same clock for every runner. */
#include "cjwt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#ifdef CJWT_HAVE_SODIUM
#include <sodium.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The reference workload: a typical access token. */
static cjwt_value *payload(void)
{
    const char *json =
        "{\"sub\":\"user-1234567\",\"iss\":\"https://auth.example.com\",\"aud\":\"api.example.com\","
        "\"iat\":1700000000,\"exp\":4100000000,\"jti\":\"3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b\","
        "\"role\":\"admin\",\"permissions\":[\"orders:read\",\"orders:write\",\"payments:read\"]}";
    return cjwt_value_from_json(json, strlen(json), NULL);
}

/* BENCH_ITERS=N: exactly N operations per loop (callgrind: instructions
 * per operation = total / N); otherwise as many as fit in `seconds`. */
static long fixed_iters;

static double run(double seconds, int (*op)(void *), void *ctx)
{
    long n = 0, batch = fixed_iters > 0 ? fixed_iters : 64;
    double t0 = now_s(), t;
    do {
        for (long i = 0; i < batch; i++)
            if (op(ctx) != 0) {
                fprintf(stderr, "operation failed\n");
                exit(1);
            }
        n += batch;
        t = now_s();
    } while (!fixed_iters && t - t0 < seconds);
    return t > t0 ? n / (t - t0) : 0;
}

typedef struct { const cjwt_verifier *v; const cjwt_key *k; const char *tok; size_t len;
                 const cjwt_value *p; cjwt_sign_opts so; } ctx_t;

static int do_verify(void *c_)
{
    ctx_t *c = c_;
    cjwt_error err;
    cjwt_decoded *d = cjwt_verify(c->v, c->k, c->tok, c->len, 1, 1700000100.0, &err);
    if (!d)
        return -1;
    cjwt_decoded_free(d);
    return 0;
}

/* ---- the bare primitives, on the same signing input as the token ------
 * "primitive c HS256 verify": HMAC-SHA256 of the token's header.payload with
 * a prepared EVP_MAC context re-initialised per call (what `openssl speed
 * -hmac sha256` measures); "primitive c EdDSA verify": an Ed25519 verify with
 * OpenSSL 3 (a new digest-verify context per call, as EdDSA requires);
 * "primitive-sodium c EdDSA verify": the same with libsodium, when built
 * with it. The ratios of the issue are taken against these rows. */
typedef struct { EVP_MAC_CTX *mac; EVP_PKEY *ed; unsigned char pk[32], sig[64];
                 const unsigned char *msg; size_t n; } prim_t;

static int do_hmac(void *c_)
{
    prim_t *c = c_;
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    return EVP_MAC_init(c->mac, NULL, 0, NULL) == 1 && EVP_MAC_update(c->mac, c->msg, c->n) == 1 &&
           EVP_MAC_final(c->mac, out, &len, sizeof out) == 1 ? 0 : -1;
}

static int do_ed_openssl(void *c_)
{
    prim_t *c = c_;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    int ok = x && EVP_DigestVerifyInit(x, NULL, NULL, NULL, c->ed) == 1 &&
             EVP_DigestVerify(x, c->sig, 64, c->msg, c->n) == 1;
    EVP_MD_CTX_free(x);
    return ok ? 0 : -1;
}

#ifdef CJWT_HAVE_SODIUM
static int do_ed_sodium(void *c_)
{
    prim_t *c = c_;
    return crypto_sign_verify_detached(c->sig, c->msg, c->n, c->pk);
}
#endif

static double median_of(double seconds, int rounds, int (*op)(void *), void *ctx)
{
    double v[16];
    for (int r = 0; r < rounds; r++)
        v[r] = run(seconds, op, ctx);
    for (int a = 0; a < rounds; a++)
        for (int b = a + 1; b < rounds; b++)
            if (v[b] < v[a]) { double t = v[a]; v[a] = v[b]; v[b] = t; }
    return v[rounds / 2];
}

static void primitives(const char *alg, const char *tok, double seconds, int rounds)
{
    prim_t c;
    const char *dot = strrchr(tok, '.');
    memset(&c, 0, sizeof c);
    c.msg = (const unsigned char *)tok;
    c.n = (size_t)(dot - tok);
    if (strcmp(alg, "HS256") == 0) {
        unsigned char key[64];
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        OSSL_PARAM prm[2] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
                             OSSL_PARAM_construct_end()};
        memset(key, 0x5a, sizeof key);
        c.mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac);
        if (!c.mac || EVP_MAC_init(c.mac, key, 40, prm) != 1)
            exit(1);
        printf("primitive c HS256 verify %.1f\n", median_of(seconds, rounds, do_hmac, &c));
        EVP_MAC_CTX_free(c.mac);
    } else if (strcmp(alg, "EdDSA") == 0) {
        EVP_PKEY *priv = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        EVP_MD_CTX *x = EVP_MD_CTX_new();
        size_t sl = sizeof c.sig, pl = sizeof c.pk;
        if (!priv || !x || EVP_DigestSignInit(x, NULL, NULL, NULL, priv) != 1 ||
            EVP_DigestSign(x, c.sig, &sl, c.msg, c.n) != 1 ||
            EVP_PKEY_get_raw_public_key(priv, c.pk, &pl) != 1 ||
            !(c.ed = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, c.pk, 32)))
            exit(1);
        EVP_MD_CTX_free(x);
        EVP_PKEY_free(priv);
        printf("primitive c EdDSA verify %.1f\n", median_of(seconds, rounds, do_ed_openssl, &c));
#ifdef CJWT_HAVE_SODIUM
        if (sodium_init() < 0)
            exit(1);
        printf("primitive-sodium c EdDSA verify %.1f\n", median_of(seconds, rounds, do_ed_sodium, &c));
#else
        printf("primitive-sodium c EdDSA verify n/a built without libsodium\n");
#endif
        EVP_PKEY_free(c.ed);
    }
    fflush(stdout);
}

static int do_sign(void *c_)
{
    ctx_t *c = c_;
    char *t = cjwt_encode(c->p, c->k, &c->so, NULL, NULL);
    if (!t)
        return -1;
    cjwt_free(t);
    return 0;
}

int main(int argc, char **argv)
{
    /* "Ed448": EdDSA with an Ed448 key (the row bench/run.py calls so) */
    static const char *const names[] = {"HS256", "RS256", "ES256", "EdDSA", "ES256K", "Ed448"};
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    const char *only = argc > 3 ? argv[3] : NULL;   /* one algorithm, for profiling */
    const char *clk = getenv("BENCH_CLOCK"), *iters = getenv("BENCH_ITERS");
    cjwt_value *p = payload();
    const char *aud[] = {"api.example.com"}, *iss[] = {"https://auth.example.com"};
    cjwt_verify_opts o;
    memset(&o, 0, sizeof o);
    o.audience = aud; o.n_audience = 1;
    o.issuer = iss; o.n_issuer = 1;
    if (iters)
        fixed_iters = atol(iters);
    if (clk && strcmp(clk, "wall") == 0)
        clock_id = CLOCK_MONOTONIC;
    if (rounds < 1)
        rounds = 1;
    if (rounds > 16)
        rounds = 16;
    /* one algorithm, any the core has (HS384, PS256, ...), for profiling */
    const char *const *list = only ? &only : names;
    size_t n_list = only ? 1 : sizeof names / sizeof *names;
    for (size_t i = 0; i < n_list; i++) {
        int ed448 = strcmp(list[i], "Ed448") == 0;
        cjwt_alg alg = ed448 ? CJWT_ALG_EDDSA : cjwt_alg_from_name(list[i], strlen(list[i]));
        cjwt_key *k = cjwt_key_generate_curve(alg, ed448 ? "Ed448" : NULL, NULL, NULL);
        if (!k) {
            fprintf(stderr, "c_floor: cannot make a %s key\n", list[i]);
            return 1;
        }
        ctx_t c;
        double best_v = 0, best_s = 0, vs[16], ss[16];
        o.algorithms = CJWT_ALG_BIT(alg);
        memset(&c, 0, sizeof c);
        c.v = cjwt_verifier_new(&o, NULL);
        c.k = k;
        c.p = p;
        c.so.alg = alg;
        c.tok = cjwt_encode(p, k, &c.so, &c.len, NULL);
        for (int r = 0; r < rounds && r < 16; r++) {
            vs[r] = run(seconds, do_verify, &c);
            ss[r] = run(seconds / 2, do_sign, &c);
        }
        /* median */
        for (int a = 0; a < rounds; a++)
            for (int b = a + 1; b < rounds; b++) {
                if (vs[b] < vs[a]) { double t = vs[a]; vs[a] = vs[b]; vs[b] = t; }
                if (ss[b] < ss[a]) { double t = ss[a]; ss[a] = ss[b]; ss[b] = t; }
            }
        best_v = vs[rounds / 2];
        best_s = ss[rounds / 2];
        printf("cjwt-floor c %s verify %.1f\ncjwt-floor c %s sign %.1f\n", list[i], best_v,
               list[i], best_s);
        fflush(stdout);
        if (!getenv("BENCH_NO_PRIMITIVES"))
            primitives(list[i], c.tok, seconds, rounds);
        cjwt_free((char *)c.tok);
        cjwt_verifier_free((cjwt_verifier *)c.v);
        cjwt_key_free(k);
    }
    cjwt_value_free(p);
    return 0;
}
