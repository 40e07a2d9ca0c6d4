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
    static const char *const names[] = {"HS256", "RS256", "ES256", "EdDSA"};
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
        cjwt_alg alg = cjwt_alg_from_name(list[i], strlen(list[i]));
        cjwt_key *k = cjwt_key_generate(alg, NULL, NULL);
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
        cjwt_free((char *)c.tok);
        cjwt_verifier_free((cjwt_verifier *)c.v);
        cjwt_key_free(k);
    }
    cjwt_value_free(p);
    return 0;
}
