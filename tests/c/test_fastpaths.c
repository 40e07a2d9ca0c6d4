/* The verify path's fast code against independent references: the HMAC
 * built from pre-keyed hash states (alg.c) against OpenSSL's HMAC(), the
 * 8-characters-per-step base64url decoder against a byte-at-a-time one, and
 * the JSON reader's word-at-a-time string and depth scans at every position
 * relative to an 8-byte word, against jansson. */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

static const EVP_MD *md_for(cjwt_alg a)
{
    return a == CJWT_ALG_HS256 ? EVP_sha256() : a == CJWT_ALG_HS384 ? EVP_sha384() : EVP_sha512();
}

/* Key lengths around both block sizes (64 and 128: longer keys are hashed
 * first) and message lengths around the padding boundaries. */
static void test_hmac_matches_openssl(void)
{
    static const size_t klens[] = {1, 31, 32, 48, 63, 64, 65, 100, 127, 128, 129, 200, 1000};
    static const size_t dlens[] = {0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 128, 349, 1000};
    static const cjwt_alg algs[] = {CJWT_ALG_HS256, CJWT_ALG_HS384, CJWT_ALG_HS512};
    unsigned char key[1000], data[1000], mac[EVP_MAX_MD_SIZE];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(i * 7 + 3);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 13 + 1);
    for (size_t a = 0; a < 3; a++)
        for (size_t ki = 0; ki < sizeof klens / sizeof *klens; ki++) {
            cjwt_error err;
            cjwt_key *k = cjwt_key_from_secret(key, klens[ki], CJWT_KEY_ALLOW_SHORT_SECRET, &err);
            CHECK(k != NULL);
            if (!k)
                continue;
            /* twice each: the second run takes a context from the key's pool */
            for (int round = 0; round < 2; round++)
                for (size_t di = 0; di < sizeof dlens / sizeof *dlens; di++) {
                    unsigned mlen = 0;
                    CHECK(HMAC(md_for(algs[a]), key, (int)klens[ki], data, dlens[di], mac, &mlen));
                    CHECK(cjwt_verify_signature(k, algs[a], data, dlens[di], mac, mlen, &err) ==
                          CJWT_OK);
                    mac[mlen - 1] ^= 1;
                    CHECK(cjwt_verify_signature(k, algs[a], data, dlens[di], mac, mlen, &err) ==
                          CJWT_E_BAD_SIGNATURE);
                    CHECK(cjwt_verify_signature(k, algs[a], data, dlens[di], mac, mlen - 1, &err) ==
                          CJWT_E_BAD_SIGNATURE);
                }
            cjwt_key_free(k);
        }
}

/* Signing goes through the same keyed states: a token signed by cjwt has
 * OpenSSL's HMAC of its signing input as its signature. */
static void test_hmac_sign_matches_openssl(void)
{
    static const unsigned char secret[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!";
    static const cjwt_alg algs[] = {CJWT_ALG_HS256, CJWT_ALG_HS384, CJWT_ALG_HS512};
    for (size_t a = 0; a < 3; a++) {
        cjwt_error err;
        cjwt_key *k = cjwt_key_from_secret(secret, sizeof secret - 1, 0, &err);
        cjwt_sign_opts so;
        size_t len = 0, n = 0;
        char *tok;
        unsigned char mac[EVP_MAX_MD_SIZE], sig[EVP_MAX_MD_SIZE + 3];
        unsigned mlen = 0;
        const char *dot;
        memset(&so, 0, sizeof so);
        so.alg = algs[a];
        tok = cjwt_jws_encode((const unsigned char *)"payload", 7, k, &so, &len, &err);
        CHECK(tok != NULL);
        if (tok) {
            dot = strrchr(tok, '.');
            HMAC(md_for(algs[a]), secret, (int)sizeof secret - 1, (const unsigned char *)tok,
                 (size_t)(dot - tok), mac, &mlen);
            CHECK(cjwtp_b64url_decode(dot + 1, strlen(dot + 1), sig, &n) == 0);
            CHECK(n == mlen && memcmp(sig, mac, mlen) == 0);
        }
        cjwt_free(tok);
        cjwt_key_free(k);
    }
}

/* The reference: one character at a time, RFC 4648 section 5, no padding,
 * zero unused bits. */
static int ref_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

static int ref_decode(const unsigned char *s, size_t n, unsigned char *out, size_t *olen)
{
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = ref_val(s[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return -1;   /* unused low bits must be zero */
    *olen = o;
    return 0;
}

static void test_b64url_matches_reference(void)
{
    static const unsigned char odd[] = {'=', '+', '/', ' ', '\n', 0, 0x80, 0xff, '.', '@', '[', '`', '{'};
    unsigned char text[80], a[64], b[64];
    unsigned seed = 12345;
    for (size_t n = 0; n <= 64; n++) {
        for (int trial = 0; trial < 40; trial++) {
            size_t la = 0, lb = 0;
            int ra, rb;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = (unsigned char)"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                         [(seed >> 16) & 63];
            }
            if (trial % 2 == 1 && n > 0) {   /* one character outside the alphabet, anywhere */
                seed = seed * 1103515245u + 12345u;
                text[(seed >> 16) % n] = odd[(seed >> 8) % sizeof odd];
            }
            ra = cjwtp_b64url_decode((const char *)text, n, a, &la);
            rb = ref_decode(text, n, b, &lb);
            CHECK(ra == rb);
            if (ra == 0 && rb == 0)
                CHECK(la == lb && memcmp(a, b, la) == 0);
            if (ra != rb) {
                fprintf(stderr, "    length %zu trial %d: %d vs reference %d\n", n, trial, ra, rb);
                return;
            }
        }
    }
}

/* A JSON string whose body has `c` (1-2 bytes) at offset pos, after a
 * prefix that moves it through every position of an 8-byte word. */
static void test_strings_at_every_offset(void)
{
    static const char *const inserts[] = {"\x01", "\x1f", "\x7f", "\x80", "\xc3\xa9", "\xc3", "\xed\xa0\x80",
                                          "\\n", "\\u00e9", "\\", "\\x", "\"", " ", "~", "\\\\"};
    for (size_t pos = 0; pos < 20; pos++)
        for (size_t k = 0; k < sizeof inserts / sizeof *inserts; k++) {
            char text[96];
            cjwt_error err;
            json_error_t jerr;
            cjwt_value *v;
            json_t *j;
            int n = snprintf(text, sizeof text, "{\"k\":\"%.*s%s%s\"}", (int)pos,
                             "abcdefghijklmnopqrstuvwxyz", inserts[k], "0123456789abcdef");
            v = cjwt_value_from_json(text, (size_t)n, &err);
            j = json_loadb(text, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
            CHECK((v != NULL) == (j != NULL));
            if (v && j) {
                size_t l1 = 0;
                const char *s1 = cjwt_value_string(cjwt_value_object_get(v, "k"), &l1);
                const char *s2 = json_string_value(json_object_get(j, "k"));
                CHECK(s1 && s2 && l1 == json_string_length(json_object_get(j, "k")) &&
                      memcmp(s1, s2, l1) == 0);
            }
            if ((v != NULL) != (j != NULL))
                fprintf(stderr, "    insert %zu at %zu: cjwt %s, jansson %s\n", k, pos,
                        v ? "accepts" : "refuses", j ? "accepts" : "refuses");
            cjwt_value_free(v);
            json_decref(j);
        }
}

/* Depth: brackets inside strings never count; real nesting is limited
 * whatever the number of bracket bytes elsewhere. */
static void test_depth_with_brackets_in_strings(void)
{
    char text[512];
    cjwt_error err;
    cjwt_value *v;
    int n;
    /* 40 brackets in a string, nesting 2: fine with the default limit (32) */
    n = snprintf(text, sizeof text, "{\"a\":[\"%s\"]}", "[[[[[[[[[[{{{{{{{{{{[[[[[[[[[[{{{{{{{{{{");
    v = cjwt_value_from_json(text, (size_t)n, &err);
    CHECK(v != NULL);
    cjwt_value_free(v);
    /* nesting 32 is the limit, 33 is over it */
    for (int depth = 32; depth <= 33; depth++) {
        int o = 0;
        for (int i = 0; i < depth; i++)
            text[o++] = '[';
        for (int i = 0; i < depth; i++)
            text[o++] = ']';
        v = cjwt_value_from_json(text, (size_t)o, &err);
        if (depth == 32) {
            CHECK(v != NULL);
        } else {
            CHECK(v == NULL);
            CHECK_CODE(err, "too_large");
        }
        cjwt_value_free(v);
    }
}

int main(void)
{
    RUN(test_hmac_matches_openssl);
    RUN(test_hmac_sign_matches_openssl);
    RUN(test_b64url_matches_reference);
    RUN(test_strings_at_every_offset);
    RUN(test_depth_with_brackets_in_strings);
    return testlib_report("test_fastpaths");
}
