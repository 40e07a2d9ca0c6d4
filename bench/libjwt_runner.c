/* The C peer: Debian 12's libjwt (1.10.x API: jwt_decode / jwt_encode_str)
 * on the reference access token.
 *
 *   build/bench/libjwt_runner SECONDS [ALG ...]
 *
 * Keys are read from $BENCH_KEYS once, outside the timed loop. libjwt 1.10
 * takes keys as bytes (PEM or secret) on every call and parses the PEM each
 * time: that is its API, and what this measures. It has no claim validation
 * (jwt_valid_* came in 1.11), so the verify loop checks alg, exp, aud and iss
 * itself with jwt_get_alg / jwt_get_grant*. It has no EdDSA (added in 1.15).
 * Sign encodes one jwt_t prepared outside the loop (grants, alg and key set).
 * Prints "libjwt c alg op ops_per_sec" (or "... n/a reason") lines. Time is
 * process CPU time unless BENCH_CLOCK=wall. */
#include <jwt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *PAYLOAD =
    "{\"sub\":\"user-1234567\",\"iss\":\"https://auth.example.com\",\"aud\":\"api.example.com\","
    "\"iat\":1700000000,\"exp\":4100000000,\"jti\":\"3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b\","
    "\"role\":\"admin\",\"permissions\":[\"orders:read\",\"orders:write\",\"payments:read\"]}";
static const char *ISS = "https://auth.example.com", *AUD = "api.example.com";

static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *read_file(const char *dir, const char *name, int *len)
{
    char path[1024];
    FILE *f;
    long n;
    unsigned char *buf;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "rb")))
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ') && !strstr(name, ".pem"))
        n--;                      /* the HMAC secret file: trim a trailing newline */
    buf[n] = 0;
    *len = (int)n;
    return buf;
}

typedef struct {
    jwt_alg_t alg;
    const unsigned char *vkey; int vlen;
    jwt_t *signer;
    const char *token;
} ctx_t;

static int do_verify(ctx_t *c)
{
    jwt_t *j = NULL;
    int ok;
    const char *s;
    if (jwt_decode(&j, c->token, c->vkey, c->vlen) != 0)
        return -1;
    ok = jwt_get_alg(j) == c->alg
         && jwt_get_grant_int(j, "exp") > (long)time(NULL)
         && (s = jwt_get_grant(j, "iss")) && strcmp(s, ISS) == 0
         && (s = jwt_get_grant(j, "aud")) && strcmp(s, AUD) == 0;
    jwt_free(j);
    return ok ? 0 : -1;
}

static int do_sign(ctx_t *c)
{
    char *t = jwt_encode_str(c->signer);
    if (!t)
        return -1;
    free(t);    /* libjwt 1.10 has no jwt_free_str; its default allocator is malloc */
    return 0;
}

static double run(double seconds, int (*op)(ctx_t *), ctx_t *c)
{
    long n = 0, batch = 8;
    double t0, t;
    for (int i = 0; i < 3; i++)
        if (op(c) != 0)
            return -1;
    t0 = now_s();
    for (;;) {
        for (long i = 0; i < batch; i++)
            if (op(c) != 0)
                return -1;
        n += batch;
        t = now_s() - t0;
        if (t >= seconds)
            return n / t;
        if (t < seconds / 20)
            batch *= 2;
    }
}

int main(int argc, char **argv)
{
    static const char *const all[] = {"HS256", "RS256", "ES256", "EdDSA"};
    const char *dir = getenv("BENCH_KEYS") ? getenv("BENCH_KEYS") : "build/bench/keys";
    const char *clk = getenv("BENCH_CLOCK");
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    const char *const *algs = argc > 2 ? (const char *const *)argv + 2 : all;
    int nalgs = argc > 2 ? argc - 2 : 4;
    if (clk && strcmp(clk, "wall") == 0)
        clock_id = CLOCK_MONOTONIC;
    for (int i = 0; i < nalgs; i++) {
        const char *name = algs[i];
        char priv[64], pub[64];
        unsigned char *skey, *vkey;
        int slen, vlen;
        ctx_t c;
        double v, s;
        jwt_alg_t alg = jwt_str_alg(name);
        if (alg == JWT_ALG_INVAL) {
            printf("libjwt c %s verify n/a libjwt %s has no %s\n", name, "1.10", name);
            printf("libjwt c %s sign n/a libjwt %s has no %s\n", name, "1.10", name);
            continue;
        }
        if (alg == JWT_ALG_HS256) {
            snprintf(priv, sizeof priv, "hs256.key");
            snprintf(pub, sizeof pub, "hs256.key");
        } else {
            const char *base = alg == JWT_ALG_RS256 ? "rs256" : "es256";
            snprintf(priv, sizeof priv, "%s.pem", base);
            snprintf(pub, sizeof pub, "%s.pub.pem", base);
        }
        skey = read_file(dir, priv, &slen);
        vkey = read_file(dir, pub, &vlen);
        if (!skey || !vkey) {
            fprintf(stderr, "libjwt_runner: cannot read keys in %s\n", dir);
            return 1;
        }
        memset(&c, 0, sizeof c);
        c.alg = alg;
        c.vkey = vkey;
        c.vlen = vlen;
        if (jwt_new(&c.signer) || jwt_add_grants_json(c.signer, PAYLOAD)
            || jwt_set_alg(c.signer, alg, skey, slen) || !(c.token = jwt_encode_str(c.signer))) {
            printf("libjwt c %s verify n/a cannot sign\nlibjwt c %s sign n/a cannot sign\n", name, name);
            continue;
        }
        v = run(seconds, do_verify, &c);
        s = run(seconds / 2, do_sign, &c);
        if (v < 0)
            printf("libjwt c %s verify n/a verification failed\n", name);
        else
            printf("libjwt c %s verify %.1f\n", name, v);
        if (s < 0)
            printf("libjwt c %s sign n/a signing failed\n", name);
        else
            printf("libjwt c %s sign %.1f\n", name, s);
        fflush(stdout);
        free((void *)c.token);
        jwt_free(c.signer);
        free(skey);
        free(vkey);
    }
    return 0;
}
