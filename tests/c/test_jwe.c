/* JWE through the public C API: the shared vectors tests/vectors/jwe_*.json
 * (RFC 7516 appendix A, RFC 7520 section 5; format in tests/vectors/README.md,
 * section JWE), the Wycheproof JWE cases, and round trips for every alg/enc
 * pair, zip, kid and extra headers. The threat tests are in
 * test_jwe_threats.c. */
#include "cjwt.h"
#include "testlib.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *vec_dir(void)
{
    const char *d = getenv("CJWT_VECTORS");
    return d && *d ? d : "tests/vectors";
}

static uint32_t alg_bits(const json_t *list, int enc, int *bad)
{
    uint32_t bits = 0;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *n = json_string_value(v);
        if (!n) {
            *bad = 1;
            continue;
        }
        if (enc) {
            cjwt_jwe_enc e = cjwt_jwe_enc_from_name(n, strlen(n));
            if (e == CJWT_ENC__COUNT)
                *bad = 1;
            else
                bits |= CJWT_ENC_BIT(e);
        } else {
            cjwt_jwe_alg a = cjwt_jwe_alg_from_name(n, strlen(n));
            if (a == CJWT_JWE_ALG__COUNT)
                *bad = 1;
            else
                bits |= CJWT_JWE_ALG_BIT(a);
        }
    }
    return bits;
}

/* One case; returns 1 when it came out as expected. */
static int run_vector(const char *file, const json_t *c)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const json_t *k = json_object_get(c, "key"), *opts = json_object_get(c, "options"),
                 *expect = json_object_get(c, "expect");
    const json_t *tokj = json_object_get(c, "token");
    char *text = NULL;
    const char *tok;
    cjwt_error err = {CJWT_OK, "", ""};
    cjwt_key *key = NULL;
    cjwt_jwe *d = NULL;
    cjwt_jwe_decrypt_opts o;
    int bad = 0, ok = 0;
    const char *want_err = json_string_value(json_object_get(expect, "error"));
    const char *want_pt = json_string_value(json_object_get(expect, "plaintext"));
    memset(&o, 0, sizeof o);
    o.algorithms = alg_bits(json_object_get(opts, "algorithms"), 0, &bad);
    o.encryptions = alg_bits(json_object_get(opts, "encryptions"), 1, &bad);
    if (bad || !name || (!want_err && !want_pt)) {
        fprintf(stderr, "  %s %s: bad test data\n", file, name ? name : "?");
        return 0;
    }
    if (json_object_get(k, "jwk")) {
        char *jt = json_dumps(json_object_get(k, "jwk"), JSON_COMPACT);
        key = cjwt_key_from_jwk_json(jt, strlen(jt), 0, &err);
        free(jt);
    } else if (json_is_string(json_object_get(k, "secret"))) {
        const char *s = json_string_value(json_object_get(k, "secret"));
        key = cjwt_key_from_secret((const unsigned char *)s, strlen(s), 0, &err);
    } else {
        fprintf(stderr, "  %s %s: bad key\n", file, name);
        return 0;
    }
    if (tokj)
        tok = json_string_value(tokj);
    else
        tok = text = json_dumps(json_object_get(c, "jwe"), JSON_COMPACT);
    if (key && tok)
        d = cjwt_jwe_decrypt(&o, key, tok, strlen(tok), &err);
    if (want_pt) {
        size_t n = 0;
        const unsigned char *pt = d ? cjwt_jwe_plaintext(d, &n) : NULL;
        ok = pt && n == strlen(want_pt) && memcmp(pt, want_pt, n) == 0;
        if (!ok)
            fprintf(stderr, "  %s %s: %s (%s)\n", file, name, d ? "wrong plaintext" : cjwt_code_name(err.code),
                    err.message);
    } else {
        ok = !d && strcmp(cjwt_code_name(err.code), want_err) == 0;
        if (!ok)
            fprintf(stderr, "  %s %s: expected %s, got %s (%s)\n", file, name, want_err,
                    d ? "success" : cjwt_code_name(err.code), err.message);
    }
    cjwt_jwe_free(d);
    cjwt_key_free(key);
    free(text);
    return ok;
}

static void test_vectors(void)
{
    DIR *dp = opendir(vec_dir());
    struct dirent *de;
    int files = 0, cases = 0;
    CHECK(dp != NULL);
    while (dp && (de = readdir(dp)) != NULL) {
        char path[1024];
        json_error_t je;
        json_t *root, *c;
        size_t i;
        size_t nl = strlen(de->d_name);
        if (strncmp(de->d_name, "jwe_", 4) != 0 || nl < 5 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", vec_dir(), de->d_name);
        root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        CHECK(root != NULL);
        files++;
        json_array_foreach(json_object_get(root, "cases"), i, c) {
            cases++;
            if (!run_vector(de->d_name, c))
                CHECK(0);
        }
        json_decref(root);
    }
    if (dp)
        closedir(dp);
    printf("  JWE vectors: %d files, %d cases\n", files, cases);
    CHECK(files > 0 && cases > 0);
}

/* ---- round trips ------------------------------------------------------------ */

static cjwt_key *secret(size_t n)
{
    unsigned char b[64];
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i * 7 + 1);
    return cjwt_key_from_secret(b, n, 0, NULL);
}

static cjwt_key *pem_key(const char *genalg)
{
    cjwt_key *k = NULL;
    if (strcmp(genalg, "RSA") == 0)
        k = cjwt_key_generate(CJWT_ALG_RS256, NULL, NULL);
    else if (strcmp(genalg, "P-256") == 0)
        k = cjwt_key_generate(CJWT_ALG_ES256, NULL, NULL);
    else if (strcmp(genalg, "P-384") == 0)
        k = cjwt_key_generate(CJWT_ALG_ES384, NULL, NULL);
    else if (strcmp(genalg, "P-521") == 0)
        k = cjwt_key_generate(CJWT_ALG_ES512, NULL, NULL);
    if (k) {   /* generated keys are bound to a JWS alg: unbind them */
        cjwt_key *u = cjwt_key_with(k, NULL, CJWT_ALG__COUNT, NULL);
        cjwt_key_free(k);
        k = u;
    }
    return k;
}

/* An X25519/X448 private key as a JWK (OpenSSL makes the pair). */
static cjwt_key *xdh_key(const char *crv);

static cjwt_key *public_of(const cjwt_key *k)
{
    cjwt_value *jwk = cjwt_key_to_jwk(k, 0, NULL);
    char *t = jwk ? cjwt_value_to_json(jwk, NULL, NULL) : NULL;
    cjwt_key *p = t ? cjwt_key_from_jwk_json(t, strlen(t), 0, NULL) : NULL;
    cjwt_free(t);
    cjwt_value_free(jwk);
    return p;
}

static void roundtrip(cjwt_key *enc_key, cjwt_key *dec_key, cjwt_jwe_alg alg, int zip)
{
    static const char msg[] = "the quick brown fox jumps over the lazy dog, the quick brown fox";
    for (int e = 0; e < CJWT_ENC__COUNT; e++) {
        cjwt_jwe_encrypt_opts eo = {alg, (cjwt_jwe_enc)e, NULL, zip, 0};
        cjwt_jwe_decrypt_opts o;
        cjwt_error err;
        cjwt_key *ek = enc_key, *dk = dec_key, *tmp = NULL;
        size_t len = 0, n = 0;
        char *tok;
        cjwt_jwe *d;
        memset(&o, 0, sizeof o);
        o.algorithms = CJWT_JWE_ALG_BIT(alg);
        o.encryptions = CJWT_ENC_BIT(e);
        if (alg == CJWT_JWE_PBES2_HS256_A128KW || alg == CJWT_JWE_PBES2_HS384_A192KW ||
            alg == CJWT_JWE_PBES2_HS512_A256KW)
            eo.p2c = 1000;
        if (alg == CJWT_JWE_DIR) {     /* the key is the CEK: its size is the enc's */
            static const size_t sizes[] = {32, 48, 64, 16, 24, 32};
            ek = dk = tmp = secret(sizes[e]);
        }
        tok = cjwt_jwe_encrypt((const unsigned char *)msg, strlen(msg), ek, &eo, &len, &err);
        if (!tok)
            fprintf(stderr, "  encrypt %s %s: %s\n", cjwt_jwe_alg_name(alg), cjwt_jwe_enc_name(e), err.message);
        CHECK(tok != NULL);
        if (!tok) {
            cjwt_key_free(tmp);
            continue;
        }
        CHECK(strlen(tok) == len);
        d = cjwt_jwe_decrypt(&o, dk, tok, len, &err);
        if (!d)
            fprintf(stderr, "  decrypt %s %s: %s\n", cjwt_jwe_alg_name(alg), cjwt_jwe_enc_name(e), err.message);
        CHECK(d != NULL);
        if (d) {
            const unsigned char *pt = cjwt_jwe_plaintext(d, &n);
            CHECK(n == strlen(msg) && memcmp(pt, msg, n) == 0);
            CHECK(cjwt_jwe_get_alg(d) == alg && cjwt_jwe_get_enc(d) == (cjwt_jwe_enc)e);
            CHECK(!zip || cjwt_value_object_get(cjwt_jwe_header(d), "zip") != NULL);
        }
        cjwt_jwe_free(d);
        /* one flipped character in the ciphertext: decrypt_failed */
        {
            char *dot = strrchr(tok, '.');
            dot[-2] = dot[-2] == 'A' ? 'B' : 'A';
            d = cjwt_jwe_decrypt(&o, dk, tok, len, &err);
            CHECK(d == NULL);
            if (!d)
                CHECK(err.code == CJWT_E_DECRYPT_FAILED || err.code == CJWT_E_MALFORMED);
            cjwt_jwe_free(d);
        }
        cjwt_free(tok);
        cjwt_key_free(tmp);
    }
}

static void test_roundtrip_symmetric(void)
{
    static const struct { cjwt_jwe_alg alg; size_t n; } t[] = {
        {CJWT_JWE_DIR, 0}, {CJWT_JWE_A128KW, 16}, {CJWT_JWE_A192KW, 24}, {CJWT_JWE_A256KW, 32},
        {CJWT_JWE_A128GCMKW, 16}, {CJWT_JWE_A192GCMKW, 24}, {CJWT_JWE_A256GCMKW, 32},
        {CJWT_JWE_PBES2_HS256_A128KW, 11}, {CJWT_JWE_PBES2_HS384_A192KW, 5},
        {CJWT_JWE_PBES2_HS512_A256KW, 40},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        cjwt_key *k = t[i].n ? secret(t[i].n) : NULL;
        roundtrip(k, k, t[i].alg, 0);
        roundtrip(k, k, t[i].alg, 1);
        cjwt_key_free(k);
    }
}

static void test_roundtrip_rsa(void)
{
    cjwt_key *k = pem_key("RSA"), *pub = public_of(k);
    CHECK(k && pub);
    roundtrip(pub, k, CJWT_JWE_RSA_OAEP, 0);
    roundtrip(pub, k, CJWT_JWE_RSA_OAEP_256, 1);
    cjwt_key_free(pub);
    cjwt_key_free(k);
}

static void test_roundtrip_ecdh(void)
{
    static const char *const curves[] = {"P-256", "P-384", "P-521", "X25519", "X448"};
    static const cjwt_jwe_alg algs[] = {CJWT_JWE_ECDH_ES, CJWT_JWE_ECDH_ES_A128KW,
                                        CJWT_JWE_ECDH_ES_A192KW, CJWT_JWE_ECDH_ES_A256KW};
    for (size_t c = 0; c < sizeof curves / sizeof *curves; c++) {
        cjwt_key *k = curves[c][0] == 'X' ? xdh_key(curves[c]) : pem_key(curves[c]);
        cjwt_key *pub = k ? public_of(k) : NULL;
        CHECK(k && pub);
        for (size_t a = 0; k && pub && a < sizeof algs / sizeof *algs; a++)
            roundtrip(pub, k, algs[a], a == 1);
        cjwt_key_free(pub);
        cjwt_key_free(k);
    }
}

/* The generated X25519/X448 key, read back through a JWK. */
#include <openssl/evp.h>
static cjwt_key *xdh_key(const char *crv)
{
    EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, crv);
    unsigned char d[56], x[56];
    size_t dl = sizeof d, xl = sizeof x;
    char jwk[512], db[100], xb[100];
    cjwt_key *k = NULL;
    cjwt_error err;
    if (p && EVP_PKEY_get_raw_private_key(p, d, &dl) == 1 && EVP_PKEY_get_raw_public_key(p, x, &xl) == 1) {
        /* base64url by hand (tests only) */
        static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const unsigned char *srcs[2] = {d, x};
        char *dsts[2] = {db, xb};
        for (int s = 0; s < 2; s++) {
            size_t o = 0, n = s ? xl : dl;
            for (size_t i = 0; i < n; i += 3) {
                unsigned v = srcs[s][i] << 16 | (i + 1 < n ? srcs[s][i + 1] << 8 : 0) |
                             (i + 2 < n ? srcs[s][i + 2] : 0);
                dsts[s][o++] = a[v >> 18 & 63];
                dsts[s][o++] = a[v >> 12 & 63];
                if (i + 1 < n) dsts[s][o++] = a[v >> 6 & 63];
                if (i + 2 < n) dsts[s][o++] = a[v & 63];
            }
            dsts[s][o] = '\0';
        }
        snprintf(jwk, sizeof jwk, "{\"kty\":\"OKP\",\"crv\":\"%s\",\"x\":\"%s\",\"d\":\"%s\"}", crv, xb, db);
        k = cjwt_key_from_jwk_json(jwk, strlen(jwk), 0, &err);
        if (!k)
            fprintf(stderr, "  %s JWK refused: %s\n", crv, err.message);
    }
    EVP_PKEY_free(p);
    return k;
}

static void test_names(void)
{
    for (int a = 0; a < CJWT_JWE_ALG__COUNT; a++) {
        const char *n = cjwt_jwe_alg_name((cjwt_jwe_alg)a);
        CHECK(cjwt_jwe_alg_from_name(n, strlen(n)) == (cjwt_jwe_alg)a);
    }
    for (int e = 0; e < CJWT_ENC__COUNT; e++) {
        const char *n = cjwt_jwe_enc_name((cjwt_jwe_enc)e);
        CHECK(cjwt_jwe_enc_from_name(n, strlen(n)) == (cjwt_jwe_enc)e);
    }
    CHECK(cjwt_jwe_alg_from_name("rsa-oaep", 8) == CJWT_JWE_ALG__COUNT);
    CHECK(cjwt_jwe_enc_from_name("A128GCM ", 8) == CJWT_ENC__COUNT);
    CHECK_STR(cjwt_jwe_alg_name(CJWT_JWE_ALG__COUNT), "unknown");
    CHECK_STR(cjwt_code_name(CJWT_E_DECRYPT_FAILED), "decrypt_failed");
}

/* kid from the key, extra header members kept, reserved ones cjwt's own */
static void test_headers(void)
{
    cjwt_key *k0 = secret(16), *k = cjwt_key_with(k0, "k-1", CJWT_ALG__COUNT, NULL);
    cjwt_value *h = cjwt_value_new_object();
    cjwt_jwe_encrypt_opts eo = {CJWT_JWE_A128KW, CJWT_ENC_A128GCM, NULL, 0, 0};
    cjwt_jwe_decrypt_opts o = {CJWT_JWE_ALG_BIT(CJWT_JWE_A128KW), CJWT_ENC_BIT(CJWT_ENC_A128GCM), 0, 0, 0, 0};
    cjwt_error err;
    char *tok;
    cjwt_jwe *d;
    size_t n;
    cjwt_value_object_set(h, "cty", 3, cjwt_value_new_string("JWT", 3));
    cjwt_value_object_set(h, "alg", 3, cjwt_value_new_string("dir", 3));
    cjwt_value_object_set(h, "zip", 3, cjwt_value_new_string("XYZ", 3));
    eo.header = h;
    tok = cjwt_jwe_encrypt((const unsigned char *)"", 0, k, &eo, &n, &err);
    CHECK(tok != NULL);
    d = tok ? cjwt_jwe_decrypt(&o, k, tok, n, &err) : NULL;
    CHECK(d != NULL);
    if (d) {
        const cjwt_value *hd = cjwt_jwe_header(d);
        size_t l;
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(hd, "kid"), &l), "k-1");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(hd, "cty"), &l), "JWT");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(hd, "alg"), &l), "A128KW");
        CHECK(cjwt_value_object_get(hd, "zip") == NULL);
        CHECK(cjwt_jwe_plaintext(d, &l) != NULL && l == 0);
    }
    cjwt_jwe_free(d);
    cjwt_free(tok);
    /* RSA1_5 never encrypts; p2c below the minimum is refused */
    eo.alg = CJWT_JWE_RSA1_5;
    CHECK(cjwt_jwe_encrypt((const unsigned char *)"x", 1, k, &eo, NULL, &err) == NULL);
    CHECK_CODE(err, "unsupported_alg");
    eo.alg = CJWT_JWE_PBES2_HS256_A128KW;
    eo.p2c = 999;
    CHECK(cjwt_jwe_encrypt((const unsigned char *)"x", 1, k, &eo, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    cjwt_value_free(h);
    cjwt_key_free(k);
    cjwt_key_free(k0);
}

int main(void)
{
    RUN(test_names);
    RUN(test_vectors);
    RUN(test_headers);
    RUN(test_roundtrip_symmetric);
    RUN(test_roundtrip_rsa);
    RUN(test_roundtrip_ecdh);
    return testlib_report("test_jwe");
}
