/* A minimal test harness for the C layer: each test file has a main() that
 * calls RUN(test_fn) and ends with `return testlib_report("name");`.
 * The closing line is "N passed, N failed" so CI can count it. */
#ifndef CJWT_TESTLIB_H
#define CJWT_TESTLIB_H

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int testlib_passed, testlib_failed, testlib_current_failed;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    testlib_current_failed = 1; } } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
      fprintf(stderr, "  FAIL %s:%d: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, \
              #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
      testlib_current_failed = 1; } } while (0)

/* Check that an error struct carries the named code. */
#define CHECK_CODE(err, name) do { const char *got_ = cjwt_code_name((err).code); \
    if (strcmp(got_, (name)) != 0) { \
      fprintf(stderr, "  FAIL %s:%d: expected error %s, got %s (%s)\n", __FILE__, __LINE__, \
              (name), got_, (err).message); \
      testlib_current_failed = 1; } } while (0)

#define RUN(fn) do { testlib_current_failed = 0; fn(); \
    if (testlib_current_failed) { testlib_failed++; fprintf(stderr, "not ok %s\n", #fn); } \
    else { testlib_passed++; } } while (0)

/* base64url without padding of p[0..n), malloc'd (the caller frees it):
 * the tests' own encoder, independent of the core's. NULL when out of memory. */
static inline char *b64u(const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = malloc(n / 3 * 4 + 5), *q = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *q++ = a[v >> 18 & 63];
        *q++ = a[v >> 12 & 63];
        if (i + 1 < n) *q++ = a[v >> 6 & 63];
        if (i + 2 < n) *q++ = a[v & 63];
    }
    *q = '\0';
    return o;
}

/* The bytes of a hex string (two digits a byte) into out (room for
 * strlen(h) / 2 bytes); returns their count. */
static inline size_t unhex_into(const char *h, unsigned char *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

/* The same, malloc'd (the caller frees it); their count in *n. */
static inline unsigned char *unhex(const char *h, size_t *n)
{
    unsigned char *out = malloc(strlen(h) / 2 + 1);
    *n = out ? unhex_into(h, out) : 0;
    return out;
}

/* A compact dir/ECDH-ES JWE "<header>..<iv>.<ciphertext>.<tag>" of pt[0..n)
 * under AES-128-GCM with `cek` and `iv`, the base64url header as AAD, the tag
 * cut to tag_len bytes: made with OpenSSL alone, so that headers cjwt would
 * never write still authenticate. malloc'd (the caller frees it). */
static inline char *gcm_compact(const char *header, const unsigned char cek[16],
                                const unsigned char iv[12], const unsigned char *pt, size_t n,
                                size_t tag_len)
{
    char *h64 = b64u((const unsigned char *)header, strlen(header)), *out, *i64, *c64, *t64;
    unsigned char tag[16], *ct = malloc(n + 1);
    int l = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, cek, iv);
    EVP_EncryptUpdate(c, NULL, &l, (unsigned char *)h64, (int)strlen(h64));
    if (n)
        EVP_EncryptUpdate(c, ct, &l, pt, (int)n);
    EVP_EncryptFinal_ex(c, ct, &l);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    i64 = b64u(iv, 12);
    c64 = b64u(ct, n);
    t64 = b64u(tag, tag_len);
    out = malloc(strlen(h64) + strlen(i64) + strlen(c64) + strlen(t64) + 8);
    sprintf(out, "%s..%s.%s.%s", h64, i64, c64, t64);
    free(h64);
    free(i64);
    free(c64);
    free(t64);
    free(ct);
    return out;
}

static inline int testlib_report(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, testlib_passed, testlib_failed);
    return testlib_failed ? 1 : 0;
}

#endif
