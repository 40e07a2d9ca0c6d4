/* The verify path's fast code against independent references: the HMAC
 * built from pre-keyed hash states (alg.c) against OpenSSL's HMAC(), the
 * 8-characters-per-step base64url decoder against a byte-at-a-time one, and
 * the JSON reader's word-at-a-time string and depth scans at every position
 * relative to an 8-byte word, against jansson. */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
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

/* Separators and whitespace between tokens: the reader skips the call that
 * checks a gap when the gap is exactly the expected separator; every other
 * gap (whitespace, a wrong or missing separator, a stray byte) at every
 * position must still be judged as jansson judges it. */
static void test_gaps_match_jansson(void)
{
    static const char base[] = "{\"a\":1,\"b\":[true,\"x\",{\"c\":null}],\"d\":-2.5}";
    static const char inserts[] = {' ', '\t', '\n', ',', ':', ';', 'x', '}', ']'};
    size_t n = sizeof base - 1;
    int checked = 0;
    for (size_t pos = 0; pos <= n; pos++)
        for (size_t k = 0; k < sizeof inserts; k++)
            for (int replace = 0; replace < 2; replace++) {
                char text[64];
                cjwt_error err;
                json_error_t jerr;
                cjwt_value *v;
                json_t *j;
                size_t len;
                if (replace && pos == n)
                    continue;
                memcpy(text, base, pos);
                text[pos] = inserts[k];
                memcpy(text + pos + 1, base + pos + (size_t)replace, n - pos - (size_t)replace);
                len = n + 1 - (size_t)replace;
                v = cjwt_value_from_json(text, len, &err);
                j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
                CHECK((v != NULL) == (j != NULL));
                if ((v != NULL) != (j != NULL))
                    fprintf(stderr, "    %.*s: cjwt %s, jansson %s\n", (int)len, text,
                            v ? "accepts" : "refuses", j ? "accepts" : "refuses");
                checked++;
                cjwt_value_free(v);
                json_decref(j);
            }
    CHECK(checked > 700);
}

static cjwt_key *okp_key(const unsigned char *x, const unsigned char *d, cjwt_error *err)
{
    char xs[44], ds[44], json[200];
    int n;
    cjwtp_b64url_encode(x, 32, xs);
    xs[43] = '\0';
    if (d) {
        cjwtp_b64url_encode(d, 32, ds);
        ds[43] = '\0';
        n = snprintf(json, sizeof json, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"d\":\"%s\"}", xs, ds);
    } else {
        n = snprintf(json, sizeof json, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}", xs);
    }
    return cjwt_key_from_jwk_json(json, (size_t)n, 0, err);
}

/* Where libsodium and OpenSSL 3.0 disagree, cjwt answers the same in both
 * builds: these two signatures verify under OpenSSL's rules and not under
 * libsodium's (a small-order R; a small-order public key), and cjwt refuses
 * both, with or without libsodium (generated with libsodium's scalar
 * arithmetic: R = the identity, S = H(R || A || M) * a mod L). */
static void test_ed25519_same_verdict_in_both_builds(void)
{
    static const char msg[] = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0";
    unsigned char seed[32], pk[32], sig[64], id[32] = {1}, sig2[64] = {1};
    cjwt_error err;
    cjwt_key *k, *kid;
    EVP_PKEY *pkey;
    EVP_MD_CTX *x;
    int ossl;
    unhex_into("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", seed);
    unhex_into("79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664", pk);
    unhex_into("0100000000000000000000000000000000000000000000000000000000000000"
          "f94776ff76f13da33694a2826f1873cafb48b6197c430c6a8b1ccbfb7fc4d203", sig);
    /* the vector is what it claims: OpenSSL alone accepts it */
    pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
    x = EVP_MD_CTX_new();
    ossl = pkey && EVP_DigestVerifyInit(x, NULL, NULL, NULL, pkey) == 1 &&
           EVP_DigestVerify(x, sig, 64, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(x);
    EVP_PKEY_free(pkey);
    CHECK(ossl);
    k = okp_key(pk, NULL, &err);
    CHECK(k != NULL);
    CHECK(cjwt_verify_signature(k, CJWT_ALG_EDDSA, (const unsigned char *)msg, strlen(msg), sig, 64,
                                &err) == CJWT_E_BAD_SIGNATURE);
    cjwt_key_free(k);
    /* the identity as the public key, R the identity, S = 0 */
    kid = okp_key(id, NULL, &err);
    if (kid)
        CHECK(cjwt_verify_signature(kid, CJWT_ALG_EDDSA, (const unsigned char *)msg, strlen(msg), sig2,
                                    64, &err) == CJWT_E_BAD_SIGNATURE);
    cjwt_key_free(kid);
    /* an honest signature from the same key: signed by cjwt (libsodium or
     * OpenSSL), equal to OpenSSL's (Ed25519 is deterministic), verified */
    k = okp_key(pk, seed, &err);
    CHECK(k != NULL);
    if (k) {
        unsigned char mine[64], theirs[64];
        size_t tl = sizeof theirs, ml = 0;
        cjwt_sign_opts so;
        char *tok;
        const char *dot;
        memset(&so, 0, sizeof so);
        so.alg = CJWT_ALG_EDDSA;
        tok = cjwt_jws_encode((const unsigned char *)"{}", 2, k, &so, NULL, &err);
        CHECK(tok != NULL);
        pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
        x = EVP_MD_CTX_new();
        if (tok && pkey && x) {
            dot = strrchr(tok, '.');
            CHECK(EVP_DigestSignInit(x, NULL, NULL, NULL, pkey) == 1 &&
                  EVP_DigestSign(x, theirs, &tl, (const unsigned char *)tok, (size_t)(dot - tok)) == 1);
            CHECK(cjwtp_b64url_decode(dot + 1, strlen(dot + 1), mine, &ml) == 0);
            CHECK(ml == 64 && tl == 64 && memcmp(mine, theirs, 64) == 0);
            CHECK(cjwt_verify_signature(k, CJWT_ALG_EDDSA, (const unsigned char *)tok, (size_t)(dot - tok),
                                        mine, 64, &err) == CJWT_OK);
            mine[10] ^= 4;
            CHECK(cjwt_verify_signature(k, CJWT_ALG_EDDSA, (const unsigned char *)tok, (size_t)(dot - tok),
                                        mine, 64, &err) == CJWT_E_BAD_SIGNATURE);
        }
        EVP_MD_CTX_free(x);
        EVP_PKEY_free(pkey);
        cjwt_free(tok);
        cjwt_key_free(k);
    }
}

int main(void)
{
    printf("test_fastpaths: Ed25519 through %s\n", cjwtp_ed25519_uses_sodium() ? "libsodium" : "OpenSSL");
    RUN(test_ed25519_same_verdict_in_both_builds);
    RUN(test_hmac_matches_openssl);
    RUN(test_hmac_sign_matches_openssl);
    RUN(test_b64url_matches_reference);
    RUN(test_strings_at_every_offset);
    RUN(test_gaps_match_jansson);
    RUN(test_depth_with_brackets_in_strings);
    return testlib_report("test_fastpaths");
}
