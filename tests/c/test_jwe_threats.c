/* JWE threat tests (issue 16, point 2), each against the public C API:
 * the PBES2 p2c bound (refused before any work), the zip bomb (refused
 * without allocating it), invalid curve points in ECDH-ES, RSA1_5 only when
 * named and without a padding oracle, keys bound to their use, the
 * separate alg/enc allowlists, truncated tags, crit, and structural abuse. */
#include "cjwt.h"
#include "testlib.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

static const unsigned char K16[16] = "0123456789abcdef";

/* A dir + A128GCM JWE with any protected header, made with OpenSSL alone,
 * so headers cjwt would never write (zip over a bomb, crit) authenticate. */
static char *gcm_jwe(const char *header, const unsigned char *pt, size_t n, size_t tag_len)
{
    static const unsigned char iv[12] = {9, 8, 7};
    return gcm_compact(header, K16, iv, pt, n, tag_len);
}

/* The token with its protected header replaced (the checks that run before
 * decryption see it; decryption itself would then fail). */
static char *with_header(const char *tok, const char *header)
{
    char *h64 = b64u((const unsigned char *)header, strlen(header));
    const char *dot = strchr(tok, '.');
    char *out = malloc(strlen(h64) + strlen(dot) + 1);
    sprintf(out, "%s%s", h64, dot);
    free(h64);
    return out;
}

static cjwt_jwe_decrypt_opts opts(uint32_t algs, uint32_t encs)
{
    cjwt_jwe_decrypt_opts o;
    memset(&o, 0, sizeof o);
    o.algorithms = algs;
    o.encryptions = encs;
    return o;
}

static cjwt_key *jwk(const char *text)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk_json(text, strlen(text), 0, &err);
    if (!k)
        fprintf(stderr, "  JWK refused: %s\n", err.message);
    return k;
}

static cjwt_code try_decrypt(const cjwt_jwe_decrypt_opts *o, const cjwt_key *k, const char *tok,
                             cjwt_error *err)
{
    cjwt_jwe *d = cjwt_jwe_decrypt(o, k, tok, strlen(tok), err);
    cjwt_jwe_free(d);
    return d ? CJWT_OK : err->code;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ---- zip bomb: 256 MiB of zeros in a ~260 KB token ------------------------ */

static void test_threat_jwe_zip_bomb(void)
{
    const size_t chunk = 1 << 16, total = (size_t)256 << 20;
    unsigned char *zeros = calloc(1, chunk), *comp = malloc(total / 512);
    z_stream z;
    cjwt_key *k = cjwt_key_from_secret(K16, 16, 0, NULL);
    cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_DIR), CJWT_ENC_BIT(CJWT_ENC_A128GCM));
    cjwt_error err;
    char *tok;
    long rss0;
    double t0;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    z.next_out = comp;
    z.avail_out = (uInt)(total / 512);
    for (size_t done = 0; done < total; done += chunk) {
        z.next_in = zeros;
        z.avail_in = (uInt)chunk;
        deflate(&z, done + chunk < total ? Z_NO_FLUSH : Z_FINISH);
    }
    tok = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"DEF\"}", comp, z.total_out, 16);
    deflateEnd(&z);
    o.max_token_len = 1 << 20;
    rss0 = max_rss_kb();
    t0 = now_s();
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_TOO_LARGE);
    CHECK(strstr(err.message, "decompresses to more than 1048576 bytes") != NULL);
    /* refused after 1 MiB of output: no 256 MiB buffer, no seconds of work */
    CHECK(max_rss_kb() - rss0 < 64 * 1024);
    CHECK(now_s() - t0 < 2.0);
    printf("  zip bomb: %zu-byte token for %zu MiB, refused in %.3f s, peak RSS +%ld KiB\n",
           strlen(tok), total >> 20, now_s() - t0, max_rss_kb() - rss0);
    /* the bound is what refuses it: a small one refuses small plaintexts too,
     * and exactly max_plaintext bytes pass */
    free(tok);
    {
        unsigned char buf[1000];
        uLongf cl = 0;
        z_stream z2;
        memset(buf, 'a', sizeof buf);
        memset(&z2, 0, sizeof z2);
        deflateInit2(&z2, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
        z2.next_in = buf;
        z2.avail_in = sizeof buf;
        z2.next_out = comp;
        z2.avail_out = 4096;
        deflate(&z2, Z_FINISH);
        cl = z2.total_out;
        deflateEnd(&z2);
        tok = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"DEF\"}", comp, cl, 16);
        o.max_plaintext = 999;
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_TOO_LARGE);
        o.max_plaintext = 1000;
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_OK);
        free(tok);
        /* not DEFLATE, trailing data, truncated stream: malformed (after
         * authentication, so no oracle) */
        tok = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"DEF\"}", (const unsigned char *)"\xff\xff\xff", 3, 16);
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_MALFORMED);
        free(tok);
        comp[cl] = 0;
        tok = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"DEF\"}", comp, cl + 1, 16);
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_MALFORMED);
        free(tok);
        tok = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"DEF\"}", comp, cl - 2, 16);
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_MALFORMED);
        free(tok);
        tok = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"LZ4\"}", comp, cl, 16);
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_UNSUPPORTED_ALG);
        free(tok);
    }
    free(zeros);
    free(comp);
    cjwt_key_free(k);
}

/* ---- PBES2: p2c bounded before any work ---------------------------------- */

static void test_threat_jwe_p2c_bound(void)
{
    cjwt_key *pw = cjwt_key_from_secret((const unsigned char *)"hunter2", 7, 0, NULL);
    cjwt_jwe_encrypt_opts eo = {CJWT_JWE_PBES2_HS256_A128KW, CJWT_ENC_A128GCM, NULL, 0, 2000};
    cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_PBES2_HS256_A128KW), CJWT_ENC_BIT(CJWT_ENC_A128GCM));
    cjwt_error err;
    char *tok = cjwt_jwe_encrypt((const unsigned char *)"x", 1, pw, &eo, NULL, &err), *t2;
    double t0;
    CHECK(tok != NULL);
    CHECK(try_decrypt(&o, pw, tok, &err) == CJWT_OK);
    o.max_p2c = 1999;          /* the caller's bound */
    CHECK(try_decrypt(&o, pw, tok, &err) == CJWT_E_TOO_LARGE);
    o.max_p2c = 0;
    /* 2^31-1 iterations would take minutes: refused at once */
    t2 = with_header(tok, "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":2147483647,"
                          "\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
    t0 = now_s();
    CHECK(try_decrypt(&o, pw, t2, &err) == CJWT_E_TOO_LARGE);
    CHECK(now_s() - t0 < 0.5);
    CHECK(strstr(err.message, "100000") != NULL);
    free(t2);
    /* one over the default, and the default itself (which then fails the unwrap) */
    t2 = with_header(tok, "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":100001,\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
    CHECK(try_decrypt(&o, pw, t2, &err) == CJWT_E_TOO_LARGE);
    free(t2);
    t2 = with_header(tok, "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":1000,\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
    CHECK(try_decrypt(&o, pw, t2, &err) == CJWT_E_DECRYPT_FAILED);
    free(t2);
    /* p2c not a positive integer, p2s missing or under 8 bytes: malformed */
    {
        static const char *const bad[] = {
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":\"1000\",\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":0,\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":-5,\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":1000.5,\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":1000}",
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":1000,\"p2s\":\"AAAAAAAAAA\"}",
            "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":1000,\"p2s\":\"AA+AAAAAAAAAAA\"}",
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            t2 = with_header(tok, bad[i]);
            CHECK(try_decrypt(&o, pw, t2, &err) == CJWT_E_MALFORMED);
            free(t2);
        }
    }
    cjwt_free(tok);
    cjwt_key_free(pw);
}

/* ---- ECDH-ES: points not on the curve, wrong curve, low order -------------- */

#define P256_PRIV "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0\"," \
    "\"y\":\"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps\",\"d\":\"0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo\"}"

static void test_threat_jwe_invalid_curve(void)
{
    cjwt_key *k = jwk(P256_PRIV), *pub = NULL;
    cjwt_jwe_encrypt_opts eo = {CJWT_JWE_ECDH_ES, CJWT_ENC_A128GCM, NULL, 0, 0};
    cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_ECDH_ES), CJWT_ENC_BIT(CJWT_ENC_A128GCM));
    cjwt_error err;
    char *tok, *t2;
    cjwt_value *pj = k ? cjwt_key_to_jwk(k, 0, NULL) : NULL;
    char *pt = pj ? cjwt_value_to_json(pj, NULL, NULL) : NULL;
    pub = pt ? jwk(pt) : NULL;
    tok = pub ? cjwt_jwe_encrypt((const unsigned char *)"secret", 6, pub, &eo, NULL, &err) : NULL;
    CHECK(tok != NULL);
    if (!tok)
        goto out;
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_OK);
    /* a point off P-256 (y changed): the invalid-curve attack that leaks d */
    t2 = with_header(tok, "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":{\"kty\":\"EC\",\"crv\":\"P-256\","
                          "\"x\":\"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0\","
                          "\"y\":\"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFppt\"}}");
    CHECK(try_decrypt(&o, k, t2, &err) == CJWT_E_INVALID_KEY);
    CHECK(strstr(err.message, "epk") != NULL);
    free(t2);
    /* a valid P-384 point for a P-256 key; an X25519 epk; an RSA epk; no epk; a private epk */
    {
        static const char *const bad[] = {
            "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":{\"kty\":\"EC\",\"crv\":\"P-384\","
            "\"x\":\"YU4rRUzdmVqmRtWOs2OpDE_T5fsNIodcG8G5FWPrTPMyxpzsSOGaQLpe2FpxBmu2\","
            "\"y\":\"A8-yxCHxkfBz3hKZfI1jUYMjUhsEveZ9THuwFjH2sCNdtksRJU7D5-SkgaFL1ETP\"}}",
            "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":{\"kty\":\"OKP\",\"crv\":\"X25519\","
            "\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}}",
            "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}",
            "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":" P256_PRIV "}",
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            t2 = with_header(tok, bad[i]);
            CHECK(try_decrypt(&o, k, t2, &err) == CJWT_E_INVALID_KEY);
            free(t2);
        }
        t2 = with_header(tok, "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\"}");
        CHECK(try_decrypt(&o, k, t2, &err) == CJWT_E_MALFORMED);
        free(t2);
        t2 = with_header(tok, "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":\"x\"}");
        CHECK(try_decrypt(&o, k, t2, &err) == CJWT_E_MALFORMED);
        free(t2);
    }
out:
    cjwt_free(tok);
    cjwt_free(pt);
    cjwt_value_free(pj);
    cjwt_key_free(pub);
    cjwt_key_free(k);
}

/* X25519: a low-order epk gives an all-zero secret, which is refused. */
static void test_threat_jwe_x25519_low_order(void)
{
    cjwt_key *k = jwk("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\","
                      "\"d\":\"XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os\"}");
    cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_ECDH_ES), CJWT_ENC_BIT(CJWT_ENC_A128GCM));
    cjwt_error err;
    static const char *const low[] = {
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",      /* 0 */
        "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",      /* 1 */
        "7P___________________________________________38", /* p - 1 */
    };
    CHECK(k != NULL);
    for (size_t i = 0; k && i < sizeof low / sizeof *low; i++) {
        char h[300], *tok;
        snprintf(h, sizeof h, "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"%s\"}}", low[i]);
        tok = with_header("e30..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA", h);
        cjwt_code rc = try_decrypt(&o, k, tok, &err);
        if (rc != CJWT_E_INVALID_KEY)
            fprintf(stderr, "  low-order point %zu: %s (%s)\n", i, cjwt_code_name(rc), err.message);
        CHECK(rc == CJWT_E_INVALID_KEY);
        free(tok);
    }
    cjwt_key_free(k);
}

/* ---- RSA1_5: only when named; no padding oracle ---------------------------- */

static json_t *vector(const char *name)
{
    const char *d = getenv("CJWT_VECTORS");
    char path[1024];
    json_t *root, *c, *out = NULL;
    size_t i;
    snprintf(path, sizeof path, "%s/jwe_rfc.json", d && *d ? d : "tests/vectors");
    root = json_load_file(path, 0, NULL);
    json_array_foreach(json_object_get(root, "cases"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            out = json_incref(c);
    json_decref(root);
    return out;
}

static void test_threat_jwe_rsa1_5(void)
{
    json_t *v = vector("rfc7516-a2-rsa1_5-a128cbc-hs256");
    char *kt = v ? json_dumps(json_object_get(json_object_get(v, "key"), "jwk"), JSON_COMPACT) : NULL;
    cjwt_key *k = kt ? jwk(kt) : NULL;
    const char *tok = v ? json_string_value(json_object_get(v, "token")) : NULL;
    cjwt_jwe_decrypt_opts o = opts(0, CJWT_ENC_BIT(CJWT_ENC_A128CBC_HS256));
    cjwt_error err, e1, e2;
    char *t;
    size_t dot1;
    CHECK(k && tok);
    if (!k || !tok)
        goto out;
    /* every alg but RSA1_5: refused before any RSA operation */
    for (int a = 0; a < CJWT_JWE_ALG__COUNT; a++)
        if (a != CJWT_JWE_RSA1_5)
            o.algorithms |= CJWT_JWE_ALG_BIT(a);
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    o.algorithms = CJWT_JWE_ALG_BIT(CJWT_JWE_RSA1_5);
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_OK);
    /* a corrupted encrypted key (bad padding) and a corrupted tag: the same
     * code and the same message */
    t = strdup(tok);
    dot1 = (size_t)(strchr(t, '.') - t);
    t[dot1 + 10] = t[dot1 + 10] == 'A' ? 'B' : 'A';
    CHECK(try_decrypt(&o, k, t, &e1) == CJWT_E_DECRYPT_FAILED);
    strcpy(t, tok);
    t[strlen(t) - 3] = t[strlen(t) - 3] == 'A' ? 'B' : 'A';
    CHECK(try_decrypt(&o, k, t, &e2) == CJWT_E_DECRYPT_FAILED);
    CHECK_STR(e1.message, e2.message);
    /* an encrypted key of the wrong length: the same answer again */
    free(t);
    t = malloc(strlen(tok) + 1);
    sprintf(t, "%.*s.AAAA%s", (int)dot1, tok, strchr(strchr(tok, '.') + 1, '.'));
    CHECK(try_decrypt(&o, k, t, &e1) == CJWT_E_DECRYPT_FAILED);
    CHECK_STR(e1.message, e2.message);
    free(t);
    /* never for encryption */
    {
        cjwt_jwe_encrypt_opts eo = {CJWT_JWE_RSA1_5, CJWT_ENC_A128CBC_HS256, NULL, 0, 0};
        CHECK(cjwt_jwe_encrypt((const unsigned char *)"x", 1, k, &eo, NULL, &err) == NULL);
        CHECK_CODE(err, "unsupported_alg");
    }
out:
    cjwt_key_free(k);
    free(kt);
    json_decref(v);
}

/* ---- keys bound to their use ------------------------------------------------ */

static void test_threat_jwe_key_use(void)
{
    static const char *const refused[] = {
        "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"use\":\"sig\"}",
        "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"key_ops\":[\"sign\",\"verify\"]}",
        "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"key_ops\":[\"encrypt\",\"wrapKey\"]}",
        "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"alg\":\"A256KW\"}",
        "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"alg\":\"A128GCMKW\"}",
        "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"use\":\"other\"}",
    };
    cjwt_key *enc_key = cjwt_key_from_secret(K16, 16, 0, NULL);
    cjwt_jwe_encrypt_opts eo = {CJWT_JWE_A128KW, CJWT_ENC_A128GCM, NULL, 0, 0};
    cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_A128KW), CJWT_ENC_BIT(CJWT_ENC_A128GCM));
    cjwt_error err;
    char *tok = cjwt_jwe_encrypt((const unsigned char *)"x", 1, enc_key, &eo, NULL, &err);
    CHECK(tok != NULL);
    for (size_t i = 0; tok && i < sizeof refused / sizeof *refused; i++) {
        cjwt_key *k = cjwt_key_from_jwk_json(refused[i], strlen(refused[i]), 0, &err);
        if (!k)   /* a binding the material cannot fit is refused already */
            CHECK_CODE(err, "invalid_key");
        if (k && try_decrypt(&o, k, tok, &err) != CJWT_E_INVALID_KEY) {
            fprintf(stderr, "  key %zu decrypted or %s\n", i, cjwt_code_name(err.code));
            CHECK(0);
        }
        cjwt_key_free(k);
    }
    /* the same material with use enc, key_ops decrypt/unwrapKey, alg A128KW: decrypts */
    {
        static const char *const ok[] = {
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"use\":\"enc\"}",
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"key_ops\":[\"unwrapKey\"]}",
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZg\",\"alg\":\"A128KW\"}",
        };
        for (size_t i = 0; tok && i < sizeof ok / sizeof *ok; i++) {
            cjwt_key *k = jwk(ok[i]);
            CHECK(k && try_decrypt(&o, k, tok, &err) == CJWT_OK);
            cjwt_key_free(k);
        }
    }
    /* a signing key (bound to HS256) never decrypts, nor encrypts */
    {
        unsigned char s32[32] = {1};
        cjwt_key *base = cjwt_key_from_secret(s32, 32, 0, NULL);
        cjwt_key *hs = cjwt_key_with(base, NULL, CJWT_ALG_HS256, NULL);
        cjwt_jwe_encrypt_opts e2 = {CJWT_JWE_A256KW, CJWT_ENC_A128GCM, NULL, 0, 0};
        CHECK(cjwt_jwe_encrypt((const unsigned char *)"x", 1, hs, &e2, NULL, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_key_free(hs);
        cjwt_key_free(base);
    }
    /* JWS side: an enc key never verifies (use enc, a JWE alg, key_ops decrypt) */
    {
        static const char *const enc_only[] = {
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\",\"use\":\"enc\"}",
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\",\"alg\":\"A256KW\"}",
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\",\"alg\":\"dir\"}",
            "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\",\"key_ops\":[\"decrypt\"]}",
        };
        const unsigned char *secret = (const unsigned char *)"0123456789abcdef0123456789abcdef";
        cjwt_key *signer = cjwt_key_from_secret(secret, 32, 0, NULL);
        cjwt_sign_opts so = {.alg = CJWT_ALG_HS256};
        cjwt_verify_opts vo;
        char *jws = cjwt_jws_encode((const unsigned char *)"{}", 2, signer, &so, NULL, &err);
        memset(&vo, 0, sizeof vo);
        vo.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
        vo.raw_payload = 1;
        CHECK(jws != NULL);
        for (size_t i = 0; jws && i < sizeof enc_only / sizeof *enc_only; i++) {
            cjwt_key *k = jwk(enc_only[i]);
            cjwt_decoded *d = k ? cjwt_verify_with(&vo, k, jws, strlen(jws), 1, 0, &err) : NULL;
            CHECK(k && !d);
            if (k && !d)
                CHECK_CODE(err, "invalid_key");
            CHECK(cjwt_jws_encode((const unsigned char *)"{}", 2, k, &so, NULL, &err) == NULL);
            cjwt_decoded_free(d);
            cjwt_key_free(k);
        }
        cjwt_free(jws);
        cjwt_key_free(signer);
    }
    /* an X25519 key never signs or verifies, and a JWKS keeps none */
    {
        const char *x = "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\","
                        "\"d\":\"XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os\"}";
        const char *set = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}]}";
        cjwt_key *k = jwk(x);
        cjwt_sign_opts so = {.alg = CJWT_ALG_EDDSA};
        CHECK(k && cjwt_jws_encode((const unsigned char *)"{}", 2, k, &so, NULL, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        CHECK(cjwt_keyset_from_jwks_json(set, strlen(set), 0, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_key_free(k);
    }
    /* a JWK bound to a JWE alg must fit it */
    CHECK(cjwt_key_from_jwk_json("{\"kty\":\"oct\",\"k\":\"AAAA\",\"alg\":\"A128KW\"}", 40, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    cjwt_free(tok);
    cjwt_key_free(enc_key);
}

/* ---- allowlists ---------------------------------------------------------- */

static void test_threat_jwe_allowlists(void)
{
    cjwt_key *k = cjwt_key_from_secret(K16, 16, 0, NULL);
    cjwt_jwe_encrypt_opts eo = {CJWT_JWE_A128KW, CJWT_ENC_A128GCM, NULL, 0, 0};
    cjwt_jwe_decrypt_opts o;
    cjwt_error err;
    char *tok = cjwt_jwe_encrypt((const unsigned char *)"x", 1, k, &eo, NULL, &err);
    CHECK(tok != NULL);
    o = opts(0, 0);                      /* nothing named: nothing allowed */
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    CHECK(try_decrypt(NULL, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_A128KW), 0);
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_A128KW), CJWT_ENC_BIT(CJWT_ENC_A256GCM));   /* enc not allowed */
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    CHECK(strstr(err.message, "enc") != NULL);
    o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_DIR), CJWT_ENC_BIT(CJWT_ENC_A128GCM));      /* alg not allowed */
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    /* the enc bit of the alg's number allows nothing: the two lists are separate */
    o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_A128KW), CJWT_ENC_BIT(CJWT_JWE_A128KW));
    CHECK(try_decrypt(&o, k, tok, &err) == CJWT_E_ALG_NOT_ALLOWED);
    /* unknown names */
    o = opts(~0u, ~0u);
    {
        char *t = with_header(tok, "{\"alg\":\"A128KW \",\"enc\":\"A128GCM\"}");
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_UNSUPPORTED_ALG);
        free(t);
        t = with_header(tok, "{\"alg\":\"A128KW\",\"enc\":\"A128CTR\"}");
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_UNSUPPORTED_ALG);
        free(t);
        t = with_header(tok, "{\"alg\":\"HS256\",\"enc\":\"A128GCM\"}");
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_UNSUPPORTED_ALG);
        free(t);
        t = with_header(tok, "{\"alg\":\"none\",\"enc\":\"A128GCM\"}");
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_UNSUPPORTED_ALG);
        free(t);
    }
    cjwt_free(tok);
    cjwt_key_free(k);
}

/* ---- truncated and altered tags -------------------------------------------- */

static void test_threat_jwe_truncated_tag(void)
{
    for (int e = 0; e < CJWT_ENC__COUNT; e++) {
        static const size_t kl[] = {32, 48, 64, 16, 24, 32};
        unsigned char key[64];
        cjwt_key *k;
        cjwt_jwe_encrypt_opts eo = {CJWT_JWE_DIR, (cjwt_jwe_enc)e, NULL, 0, 0};
        cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_DIR), CJWT_ENC_BIT(e));
        cjwt_error err;
        char *tok, *t;
        size_t n;
        memset(key, e + 1, sizeof key);
        k = cjwt_key_from_secret(key, kl[e], 0, NULL);
        tok = cjwt_jwe_encrypt((const unsigned char *)"attack at dawn", 14, k, &eo, &n, &err);
        CHECK(tok != NULL);
        if (!tok) {
            cjwt_key_free(k);
            continue;
        }
        CHECK(try_decrypt(&o, k, tok, &err) == CJWT_OK);
        /* the tag cut to 15 bytes (20 characters), 3 bytes, nothing */
        t = strdup(tok);
        t[strrchr(t, '.') - t + 21] = '\0';
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_DECRYPT_FAILED);
        t[strrchr(t, '.') - t + 5] = '\0';
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_DECRYPT_FAILED);
        *(strrchr(t, '.') + 1) = '\0';   /* empty tag */
        CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_DECRYPT_FAILED);
        free(t);
        /* a tag longer than the enc's (a CBC-HS tag of the full HMAC length)
         * fails the same way, or is not even base64url */
        t = malloc(n + 64);
        sprintf(t, "%sAAAAAAAAAAAAAAAAAAAAAA", tok);
        CHECK(try_decrypt(&o, k, t, &err) == (strlen(strrchr(t, '.') + 1) % 4 == 1 ? CJWT_E_MALFORMED
                                                                                  : CJWT_E_DECRYPT_FAILED));
        free(t);
        cjwt_free(tok);
        cjwt_key_free(k);
    }
}

/* ---- crit ------------------------------------------------------------------- */

static void test_threat_jwe_crit(void)
{
    cjwt_key *k = cjwt_key_from_secret(K16, 16, 0, NULL);
    cjwt_jwe_decrypt_opts o = opts(CJWT_JWE_ALG_BIT(CJWT_JWE_DIR), CJWT_ENC_BIT(CJWT_ENC_A128GCM));
    cjwt_error err;
    struct { const char *h; cjwt_code want; } t[] = {
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"crit\":[\"exp\"],\"exp\":1}", CJWT_E_UNKNOWN_CRIT},
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"crit\":[\"b64\"],\"b64\":false}", CJWT_E_UNKNOWN_CRIT},
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"crit\":[]}", CJWT_E_MALFORMED},
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"crit\":\"exp\"}", CJWT_E_MALFORMED},
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"crit\":[1]}", CJWT_E_MALFORMED},
        {"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"x\":1}", CJWT_OK},   /* unknown, not critical: fine */
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        char *tok = gcm_jwe(t[i].h, (const unsigned char *)"hi", 2, 16);   /* authentic tokens */
        CHECK(try_decrypt(&o, k, tok, &err) == t[i].want);
        free(tok);
    }
    cjwt_key_free(k);
}

/* ---- structure --------------------------------------------------------------- */

static void test_threat_jwe_structure(void)
{
    cjwt_key *k = cjwt_key_from_secret(K16, 16, 0, NULL);
    cjwt_jwe_decrypt_opts o = opts(~0u, ~0u);
    cjwt_error err;
    char *good = gcm_jwe("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}", (const unsigned char *)"hi", 2, 16), *t;
    struct { const char *tok; cjwt_code want; } bad[] = {
        {"", CJWT_E_MALFORMED},
        {"a.b.c", CJWT_E_MALFORMED},
        {"a.b.c.d.e.f", CJWT_E_MALFORMED},
        {".a.b.c.d", CJWT_E_MALFORMED},
        {"e30.a.b.c.d", CJWT_E_MALFORMED},         /* "{}" : no alg */
        {"e30=.AAAA.AAAA.AAAA.AAAA", CJWT_E_MALFORMED},
        {"{\"protected\":1}", CJWT_E_MALFORMED},
        {"{}", CJWT_E_MALFORMED},
        {"[]", CJWT_E_MALFORMED},
        {"{\"iv\":\"AAAA\",\"ciphertext\":\"AAAA\",\"tag\":\"AAAA\",\"recipients\":[]}", CJWT_E_MALFORMED},
    };
    CHECK(try_decrypt(&o, k, good, &err) == CJWT_OK);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cjwt_code rc = try_decrypt(&o, k, bad[i].tok, &err);
        if (rc != bad[i].want)
            fprintf(stderr, "  structure case %zu: %s (%s)\n", i, cjwt_code_name(rc), err.message);
        CHECK(rc == bad[i].want);
    }
    CHECK(cjwt_jwe_decrypt(&o, k, NULL, 0, &err) == NULL);
    CHECK_CODE(err, "malformed");
    /* too long, before anything is decoded */
    o.max_token_len = 20;
    CHECK(try_decrypt(&o, k, good, &err) == CJWT_E_TOO_LARGE);
    o.max_token_len = 0;
    /* no enc (a JWS header): malformed; dir with an encrypted key: malformed */
    t = with_header(good, "{\"alg\":\"HS256\"}");
    CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_MALFORMED);
    free(t);
    t = malloc(strlen(good) + 8);
    sprintf(t, "%.*sAAAA%s", (int)(strchr(good, '.') - good + 1), good, strchr(good, '.') + 1);
    CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_MALFORMED);
    free(t);
    /* a 16-byte IV for GCM: malformed */
    t = malloc(strlen(good) + 8);
    {
        const char *d2 = strchr(strchr(good, '.') + 1, '.');
        sprintf(t, "%.*s.AAAAAAAAAAAAAAAAAAAAAA%s", (int)(d2 - good), good, strchr(d2 + 1, '.'));
    }
    CHECK(try_decrypt(&o, k, t, &err) == CJWT_E_MALFORMED);
    free(t);
    /* a JWE is not a JWS (and the JWS verifier says so) */
    {
        cjwt_verify_opts vo;
        cjwt_decoded *d;
        memset(&vo, 0, sizeof vo);
        vo.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
        d = cjwt_verify_with(&vo, k, good, strlen(good), 1, 0, &err);
        CHECK(d == NULL);
        CHECK_CODE(err, "malformed");
        cjwt_decoded_free(d);
    }
    /* JSON serialization: a member in two headers, zip or crit unprotected */
    {
        const char *p = strchr(good, '.');
        char *json = malloc(strlen(good) + 300);
        char *prot = strndup(good, (size_t)(p - good));
        const char *iv = p + 2, *ct = strchr(iv, '.') + 1, *tag = strchr(ct, '.') + 1;
        static const char *const unprot[] = {"{\"alg\":\"dir\"}", "{\"zip\":\"DEF\"}", "{\"crit\":[\"x\"]}"};
        for (size_t i = 0; i < 3; i++) {
            sprintf(json, "{\"protected\":\"%s\",\"unprotected\":%s,\"iv\":\"%.*s\",\"ciphertext\":\"%.*s\",\"tag\":\"%s\"}",
                    prot, unprot[i], (int)(ct - 1 - iv), iv, (int)(tag - 1 - ct), ct, tag);
            CHECK(try_decrypt(&o, k, json, &err) == CJWT_E_MALFORMED);
        }
        sprintf(json, "{\"protected\":\"%s\",\"unprotected\":{\"kid\":\"a\"},\"iv\":\"%.*s\",\"ciphertext\":\"%.*s\",\"tag\":\"%s\"}",
                prot, (int)(ct - 1 - iv), iv, (int)(tag - 1 - ct), ct, tag);
        CHECK(try_decrypt(&o, k, json, &err) == CJWT_OK);
        /* the unprotected header is not authenticated, the aad is */
        sprintf(json, "{\"protected\":\"%s\",\"aad\":\"AAAA\",\"iv\":\"%.*s\",\"ciphertext\":\"%.*s\",\"tag\":\"%s\"}",
                prot, (int)(ct - 1 - iv), iv, (int)(tag - 1 - ct), ct, tag);
        CHECK(try_decrypt(&o, k, json, &err) == CJWT_E_DECRYPT_FAILED);
        free(prot);
        free(json);
    }
    free(good);
    cjwt_key_free(k);
}

int main(void)
{
    RUN(test_threat_jwe_zip_bomb);   /* first: it measures the peak RSS */
    RUN(test_threat_jwe_p2c_bound);
    RUN(test_threat_jwe_invalid_curve);
    RUN(test_threat_jwe_x25519_low_order);
    RUN(test_threat_jwe_rsa1_5);
    RUN(test_threat_jwe_key_use);
    RUN(test_threat_jwe_allowlists);
    RUN(test_threat_jwe_truncated_tag);
    RUN(test_threat_jwe_crit);
    RUN(test_threat_jwe_structure);
    return testlib_report("test_jwe_threats");
}
