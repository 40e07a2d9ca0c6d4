/* JWE decryption in C: the cjwt core (cjwt_jwe_decrypt with a prepared key)
 * and the same work written directly against OpenSSL ("openssl-raw"), on the
 * tokens of build/bench/jwe_cases.json (made by bench/jwe_bench.py, which every
 * JWE runner reads). Prints "lib c CASE decrypt ops_per_sec" lines.
 *
 *   build/bench/jwe_floor CASES.json [seconds [rounds [case [lib]]]]
 *
 * case: dir+A256GCM, ECDH-ES+A256KW, RSA-OAEP-256 (default: all); lib:
 * cjwt-floor or openssl-raw (default: both). BENCH_ITERS=N runs exactly N
 * operations per loop (callgrind: instructions per decryption = total / N,
 * with --toggle-collect=do_core or do_raw). Time is process CPU time unless
 * BENCH_CLOCK=wall.
 *
 * The raw row does what any JWE decryption must, with no JSON parser and no
 * checks beyond the cryptography's own: base64url-decode the segments
 * (EVP_DecodeBlock), for ECDH-ES find epk's x and y in the header text and
 * import the point (OpenSSL checks it is on the curve), derive Z, the Concat
 * KDF (one SHA-256), AES key unwrap; for RSA-OAEP-256 the OAEP decryption;
 * then AES-GCM with the protected header as AAD. Its ciphers and digest are
 * fetched once, before the loop. */
#include "cjwt.h"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;
/* the raw row's algorithms, fetched once (OpenSSL 3 practice: the EVP_aes_*()
 * getters would fetch by name on every EVP_*Init) */
static EVP_CIPHER *gcm256, *wrap256;
static EVP_MD *sha256;
static long fixed_iters;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double run(double seconds, int (*op)(void *), void *ctx)
{
    long n = 0, batch = fixed_iters > 0 ? fixed_iters : 16;
    double t0 = now_s(), t;
    do {
        for (long i = 0; i < batch; i++)
            if (op(ctx) != 0) {
                fprintf(stderr, "jwe_floor: operation failed\n");
                exit(1);
            }
        n += batch;
        t = now_s();
    } while (!fixed_iters && t - t0 < seconds);
    return t > t0 ? n / (t - t0) : 0;
}

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

enum kind { K_DIR, K_ECDH, K_RSA };

typedef struct {
    enum kind kind;
    const char *tok;
    size_t len;
    cjwt_key *key;              /* the core's key */
    cjwt_jwe_decrypt_opts opts;
    EVP_PKEY *pkey;             /* the raw row's private key (ECDH, RSA) */
    unsigned char secret[32];   /* the raw row's dir key */
    size_t plain_len;
} case_t;

/* ---- the core ------------------------------------------------------------ */
static int do_core(void *c_)
{
    case_t *c = c_;
    cjwt_error err;
    cjwt_jwe *d = cjwt_jwe_decrypt(&c->opts, c->key, c->tok, c->len, &err);
    size_t n = 0;
    if (!d || !cjwt_jwe_plaintext(d, &n) || n != c->plain_len) {
        if (!d)
            fprintf(stderr, "jwe_floor: %s\n", err.message);
        cjwt_jwe_free(d);
        return -1;
    }
    cjwt_jwe_free(d);
    return 0;
}

/* ---- raw OpenSSL ----------------------------------------------------------- */
/* base64url -> bytes with EVP_DecodeBlock (standard alphabet, padded copy) */
static long b64url(const char *s, size_t n, unsigned char *out, size_t cap)
{
    char buf[4096];
    size_t m = n, pad = (4 - n % 4) % 4;
    int r;
    if (n + pad + 1 > sizeof buf || pad == 3 || (n + pad) / 4 * 3 > cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    for (size_t i = 0; i < pad; i++)
        buf[m++] = '=';
    r = EVP_DecodeBlock(out, (const unsigned char *)buf, (int)m);
    return r < 0 ? -1 : r - (long)pad;
}

static int gcm_decrypt(const unsigned char *cek, const unsigned char *iv, size_t ivl,
                       const unsigned char *aad, size_t aadl, const unsigned char *ct, size_t ctl,
                       const unsigned char *tag, unsigned char *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l = 0, ok = x && EVP_DecryptInit_ex(x, gcm256, NULL, NULL, NULL) == 1 &&
                    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, (int)ivl, NULL) == 1 &&
                    EVP_DecryptInit_ex(x, NULL, NULL, cek, iv) == 1 &&
                    EVP_DecryptUpdate(x, NULL, &l, aad, (int)aadl) == 1 &&
                    EVP_DecryptUpdate(x, out, &l, ct, (int)ctl) == 1 &&
                    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 &&
                    EVP_DecryptFinal_ex(x, out + l, &l) == 1;
    EVP_CIPHER_CTX_free(x);
    return ok ? 0 : -1;
}

/* "name":"value" in the header text: the value's span */
static int find_str(const char *h, size_t n, const char *name, const char **v, size_t *vl)
{
    char pat[16];
    int pl = snprintf(pat, sizeof pat, "\"%s\":\"", name);
    const char *e, *p = NULL;
    for (size_t i = 0; i + (size_t)pl <= n; i++)
        if (memcmp(h + i, pat, (size_t)pl) == 0) { p = h + i + pl; break; }
    if (!p || !(e = memchr(p, '"', (size_t)(h + n - p))))
        return -1;
    *v = p;
    *vl = (size_t)(e - p);
    return 0;
}

static int ecdh_kek(case_t *c, const char *hdr, size_t hl, unsigned char kek[32])
{
    const char *xs, *ys;
    size_t xl, yl, zl = 32;
    unsigned char pt[66], z[32], kdf[4 + 32 + 4 + 14 + 4 + 4 + 4];
    EVP_PKEY_CTX *pc = NULL, *dc = NULL;
    EVP_PKEY *peer = NULL;
    int ok;
    OSSL_PARAM prm[3];
    pt[0] = 4;
    if (find_str(hdr, hl, "x", &xs, &xl) || find_str(hdr, hl, "y", &ys, &yl) ||
        b64url(xs, xl, pt + 1, 33) != 32 || b64url(ys, yl, pt + 33, 33) != 32)
        return -1;
    prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0);
    prm[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, 65);
    prm[2] = OSSL_PARAM_construct_end();
    pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    ok = pc && EVP_PKEY_fromdata_init(pc) == 1 &&
         EVP_PKEY_fromdata(pc, &peer, EVP_PKEY_PUBLIC_KEY, prm) == 1 &&
         (dc = EVP_PKEY_CTX_new(c->pkey, NULL)) && EVP_PKEY_derive_init(dc) == 1 &&
         EVP_PKEY_derive_set_peer(dc, peer) == 1 && EVP_PKEY_derive(dc, z, &zl) == 1 && zl == 32;
    EVP_PKEY_CTX_free(dc);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(peer);
    if (!ok)
        return -1;
    /* Concat KDF (RFC 7518 4.6.2): one SHA-256 block, no apu/apv */
    memcpy(kdf, "\0\0\0\1", 4);
    memcpy(kdf + 4, z, 32);
    memcpy(kdf + 36, "\0\0\0\x0e" "ECDH-ES+A256KW", 18);
    memcpy(kdf + 54, "\0\0\0\0\0\0\0\0\0\0\1\0", 12);
    return EVP_Digest(kdf, sizeof kdf, kek, NULL, sha256, NULL) == 1 ? 0 : -1;
}

static int unwrap(const unsigned char *kek, const unsigned char *in, size_t inl, unsigned char *cek)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l = 0, l2 = 0, ok = x && EVP_DecryptInit_ex(x, wrap256, NULL, kek, NULL) == 1 &&
                            EVP_DecryptUpdate(x, cek, &l, in, (int)inl) == 1 &&
                            EVP_DecryptFinal_ex(x, cek + l, &l2) == 1 && l + l2 == 32;
    EVP_CIPHER_CTX_free(x);
    return ok ? 0 : -1;
}

static int rsa_cek(case_t *c, const unsigned char *ek, size_t ekl, unsigned char *cek)
{
    EVP_PKEY_CTX *x = EVP_PKEY_CTX_new(c->pkey, NULL);
    size_t n = 512;
    unsigned char out[512];
    int ok = x && EVP_PKEY_decrypt_init(x) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(x, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(x, sha256) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(x, sha256) == 1 &&
             EVP_PKEY_decrypt(x, out, &n, ek, ekl) == 1 && n == 32;
    EVP_PKEY_CTX_free(x);
    if (ok)
        memcpy(cek, out, 32);
    return ok ? 0 : -1;
}

static int do_raw(void *c_)
{
    case_t *c = c_;
    const char *s[5];
    size_t sl[5];
    /* EVP_DecodeBlock writes whole groups of 3: room for the padding's bytes */
    unsigned char hdr[1024], ek[516], iv[16], tag[18], ct[2052], pt[2052], cek[32], kek[32];
    long hl, ekl, ivl, ctl, tl;
    const char *p = c->tok, *end = c->tok + c->len;
    for (int i = 0; i < 5; i++) {
        const char *d = i < 4 ? memchr(p, '.', (size_t)(end - p)) : end;
        if (!d)
            return -1;
        s[i] = p;
        sl[i] = (size_t)(d - p);
        p = d + 1;
    }
    ekl = b64url(s[1], sl[1], ek, sizeof ek);
    ivl = b64url(s[2], sl[2], iv, sizeof iv);
    ctl = b64url(s[3], sl[3], ct, sizeof ct);
    tl = b64url(s[4], sl[4], tag, sizeof tag);
    if (ekl < 0 || ivl != 12 || ctl < 0 || tl != 16)
        return -1;
    if (c->kind == K_DIR) {
        memcpy(cek, c->secret, 32);
    } else if (c->kind == K_ECDH) {
        hl = b64url(s[0], sl[0], hdr, sizeof hdr);
        if (hl < 0 || ecdh_kek(c, (const char *)hdr, (size_t)hl, kek) || unwrap(kek, ek, (size_t)ekl, cek))
            return -1;
    } else if (rsa_cek(c, ek, (size_t)ekl, cek)) {
        return -1;
    }
    if (gcm_decrypt(cek, iv, 12, (const unsigned char *)s[0], sl[0], ct, (size_t)ctl, tag, pt))
        return -1;
    return (size_t)ctl == c->plain_len ? 0 : -1;
}

/* the raw row's key: the JWK's private part as OpenSSL wants it */
static EVP_PKEY *raw_pkey(const cjwt_key *k)
{
    char *pem = NULL;
    size_t n = 0;
    EVP_PKEY *p = NULL;
    cjwt_error err;
    pem = cjwt_key_to_pem(k, 1, &n, &err);
    if (pem) {
        BIO *b = BIO_new_mem_buf(pem, (int)n);
        p = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
        cjwt_free(pem);
    }
    return p;
}

int main(int argc, char **argv)
{
    json_t *root;
    size_t i;
    json_t *c;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    const char *only = argc > 4 ? argv[4] : NULL, *lib = argc > 5 ? argv[5] : NULL;
    const char *clk = getenv("BENCH_CLOCK"), *iters = getenv("BENCH_ITERS");
    if (argc < 2 || !(root = json_load_file(argv[1], 0, NULL))) {
        fprintf(stderr, "usage: jwe_floor CASES.json [seconds [rounds [case [lib]]]]\n");
        return 2;
    }
    if (iters)
        fixed_iters = atol(iters);
    gcm256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    wrap256 = EVP_CIPHER_fetch(NULL, "AES-256-WRAP", NULL);
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!gcm256 || !wrap256 || !sha256)
        return 1;
    if (clk && strcmp(clk, "wall") == 0)
        clock_id = CLOCK_MONOTONIC;
    rounds = rounds < 1 ? 1 : rounds > 16 ? 16 : rounds;
    json_array_foreach(json_object_get(root, "cases"), i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *alg = json_string_value(json_object_get(c, "alg"));
        const char *enc = json_string_value(json_object_get(c, "enc"));
        char *jwk = json_dumps(json_object_get(c, "key"), JSON_COMPACT);
        case_t k;
        cjwt_error err;
        memset(&k, 0, sizeof k);
        if (only && strcmp(only, name) != 0) {
            free(jwk);
            continue;
        }
        k.tok = json_string_value(json_object_get(c, "token"));
        k.len = strlen(k.tok);
        k.plain_len = strlen(json_string_value(json_object_get(c, "plaintext")));
        k.key = cjwt_key_from_jwk_json(jwk, strlen(jwk), 0, &err);
        free(jwk);
        if (!k.key) {
            fprintf(stderr, "jwe_floor: %s: %s\n", name, err.message);
            return 1;
        }
        k.opts.algorithms = CJWT_JWE_ALG_BIT(cjwt_jwe_alg_from_name(alg, strlen(alg)));
        k.opts.encryptions = CJWT_ENC_BIT(cjwt_jwe_enc_from_name(enc, strlen(enc)));
        k.kind = strcmp(alg, "dir") == 0 ? K_DIR : strncmp(alg, "ECDH", 4) == 0 ? K_ECDH : K_RSA;
        if (strcmp(enc, "A256GCM") != 0 || (k.kind == K_ECDH && strcmp(alg, "ECDH-ES+A256KW") != 0)) {
            fprintf(stderr, "jwe_floor: %s: the raw row knows only A256GCM, ECDH-ES+A256KW\n", name);
            return 1;
        }
        if (k.kind == K_DIR) {
            const char *kb = json_string_value(json_object_get(json_object_get(c, "key"), "k"));
            unsigned char tmp[48];
            if (b64url(kb, strlen(kb), tmp, sizeof tmp) != 32)
                return 1;
            memcpy(k.secret, tmp, 32);
        } else if (!(k.pkey = raw_pkey(k.key))) {
            fprintf(stderr, "jwe_floor: %s: no PEM for the raw row\n", name);
            return 1;
        }
        if (!lib || strcmp(lib, "cjwt-floor") == 0)
            printf("cjwt-floor c %s decrypt %.1f\n", name, median_of(seconds, rounds, do_core, &k));
        fflush(stdout);
        if (!lib || strcmp(lib, "openssl-raw") == 0)
            printf("openssl-raw c %s decrypt %.1f\n", name, median_of(seconds, rounds, do_raw, &k));
        fflush(stdout);
        EVP_PKEY_free(k.pkey);
        cjwt_key_free(k.key);
    }
    json_decref(root);
    EVP_CIPHER_free(gcm256);
    EVP_CIPHER_free(wrap256);
    EVP_MD_free(sha256);
    return 0;
}
