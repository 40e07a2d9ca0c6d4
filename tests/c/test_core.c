/* Unit tests of the C core: base64url, JSON strictness, keys, signing,
 * the verification pipeline and its order of checks, claims, verifiers. */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char SECRET32[] = "0123456789abcdef0123456789abcdef";   /* 32 bytes */
#define NOW 1700000000.0

static cjwt_key *secret_key(const char *s)
{
    return cjwt_key_from_secret((const unsigned char *)s, strlen(s), 0, NULL);
}

/* Builds a token from raw header and payload JSON text, HMAC-signed with
 * `key` and `alg` (or with an explicit signature segment when sig64 given). */
static char *raw_token(const char *hjson, const char *pjson, const cjwt_key *key, cjwt_alg alg,
                       const char *sig64)
{
    size_t hn = strlen(hjson), pn = strlen(pjson);
    size_t h64 = cjwtp_b64url_encoded_len(hn), p64 = cjwtp_b64url_encoded_len(pn);
    char *t = malloc(h64 + p64 + 2 + 200);
    unsigned char sig[CJWTP_MAX_SIG];
    size_t sn = 0;
    cjwtp_b64url_encode((const unsigned char *)hjson, hn, t);
    t[h64] = '.';
    cjwtp_b64url_encode((const unsigned char *)pjson, pn, t + h64 + 1);
    t[h64 + 1 + p64] = '.';
    if (sig64) {
        strcpy(t + h64 + 2 + p64, sig64);
        return t;
    }
    if (cjwtp_sign(key, alg, (unsigned char *)t, h64 + 1 + p64, sig, &sn, NULL) != CJWT_OK)
        sn = 0;
    cjwtp_b64url_encode(sig, sn, t + h64 + 2 + p64);
    t[h64 + 2 + p64 + cjwtp_b64url_encoded_len(sn)] = '\0';
    return t;
}

static cjwt_verify_opts hs256_opts(void)
{
    cjwt_verify_opts o;
    memset(&o, 0, sizeof o);
    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
    return o;
}

/* Verifies a token built from header/payload JSON; returns the error code. */
static cjwt_code verify_raw(const char *hjson, const char *pjson, const cjwt_verify_opts *o,
                            cjwt_error *err)
{
    cjwt_key *k = secret_key(SECRET32);
    char *t = raw_token(hjson, pjson, k, CJWT_ALG_HS256, NULL);
    cjwt_decoded *d = cjwt_verify_with(o, k, t, strlen(t), 1, NOW, err);
    cjwt_code rc = d ? CJWT_OK : err->code;
    cjwt_decoded_free(d);
    free(t);
    cjwt_key_free(k);
    return rc;
}

#define HS "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* ---- error names ------------------------------------------------------- */

static void test_code_names(void)
{
    for (int c = 0; c < CJWT_E__COUNT; c++) {
        const char *n = cjwt_code_name((cjwt_code)c);
        CHECK(strcmp(n, "unknown") != 0);
        CHECK(cjwt_code_from_name(n) == (cjwt_code)c);
        for (int d = 0; d < c; d++)
            CHECK(strcmp(n, cjwt_code_name((cjwt_code)d)) != 0);
    }
    CHECK_STR(cjwt_code_name(CJWT_E__COUNT), "unknown");
    CHECK(cjwt_code_from_name("nope") == CJWT_E__COUNT);
    CHECK(cjwt_code_from_name(NULL) == CJWT_E__COUNT);
}

static void test_alg_names(void)
{
    for (int a = 0; a < CJWT_ALG__COUNT; a++) {
        const char *n = cjwt_alg_name((cjwt_alg)a);
        CHECK(cjwt_alg_from_name(n, strlen(n)) == (cjwt_alg)a);
    }
    CHECK(cjwt_alg_from_name("hs256", 5) == CJWT_ALG__COUNT);   /* case-sensitive */
    CHECK(cjwt_alg_from_name("None", 4) == CJWT_ALG__COUNT);
    CHECK(cjwt_alg_from_name("HS256\0", 6) == CJWT_ALG__COUNT); /* no trailing NUL tricks */
    CHECK(cjwt_alg_supported(CJWT_ALG_HS512));
    CHECK(!cjwt_alg_supported(CJWT_ALG_NONE));
}

/* ---- base64url --------------------------------------------------------- */

static void test_b64url_roundtrip(void)
{
    unsigned char in[70], out[80];
    char enc[100];
    for (size_t n = 0; n < sizeof in; n++) {
        size_t m = 0, e = cjwtp_b64url_encoded_len(n);
        for (size_t i = 0; i < n; i++)
            in[i] = (unsigned char)(i * 37 + n * 11);
        cjwtp_b64url_encode(in, n, enc);
        CHECK(e < sizeof enc);
        CHECK(cjwtp_b64url_decode(enc, e, out, &m) == 0);
        CHECK(m == n && memcmp(in, out, n) == 0);
        CHECK(m <= cjwtp_b64url_decoded_max(e));
    }
    cjwtp_b64url_encode((const unsigned char *)"\xfb\xff", 2, enc);
    CHECK(memcmp(enc, "-_8", 3) == 0);
}

static void test_b64url_strict(void)
{
    unsigned char out[16];
    size_t m;
    static const char *const bad[] = {
        "QQ==", "QQ=", "a+b/", "ab+c", "ab/c", "A", "AAAAA", "QR", "QUF", "QUJ", "AB C",
        "AB\nC", "ABC.", "AB%C", "\xc3\xa9" "AB",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(cjwtp_b64url_decode(bad[i], strlen(bad[i]), out, &m) != 0);
    CHECK(cjwtp_b64url_decode("AB\0C", 4, out, &m) != 0);
    CHECK(cjwtp_b64url_decode("QQ", 2, out, &m) == 0 && m == 1 && out[0] == 'A');
    CHECK(cjwtp_b64url_decode("QUI", 3, out, &m) == 0 && m == 2);
    CHECK(cjwtp_b64url_decode("", 0, out, &m) == 0 && m == 0);
}

/* ---- JSON -------------------------------------------------------------- */

static void test_json_strict(void)
{
    static const struct { const char *json; const char *code; } cases[] = {
        {"{\"a\":1,\"a\":2}", "malformed"},           /* duplicate member */
        {"{\"a\":\"\xff\"}", "malformed"},             /* invalid UTF-8 */
        {"{\"a\":\"\xc0\xaf\"}", "malformed"},         /* overlong encoding */
        {"{\"a\":\"\\ud800\"}", "malformed"},          /* lone surrogate */
        {"{\"a\":\"\\udc00x\"}", "malformed"},
        {"{\"a\":\"\\u0000\"}", "malformed"},          /* NUL */
        {"{\"a\":1e400}", "malformed"},                /* overflow */
        {"{\"a\":99999999999999999999}", "malformed"},
        {"{\"a\":01}", "malformed"},
        {"{\"a\":NaN}", "malformed"},
        {"{\"a\":1,}", "malformed"},
        {"{\"a\":1} x", "malformed"},
        {"", "malformed"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "too_large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cjwt_error err;
        cjwt_value *v = cjwt_value_from_json(cases[i].json, strlen(cases[i].json), &err);
        CHECK(v == NULL);
        if (v) {
            fprintf(stderr, "  accepted: %s\n", cases[i].json);
            cjwt_value_free(v);
        } else {
            CHECK_CODE(err, cases[i].code);
        }
    }
    /* exactly at the limit is fine; strings with brackets do not count */
    {
        const char *ok = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[[{{{{\\\"[[\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
        cjwt_value *v = cjwt_value_from_json(ok, strlen(ok), NULL);
        CHECK(v != NULL);
        cjwt_value_free(v);
    }
    {
        cjwt_error err;
        char deep[20001];
        memset(deep, '[', 10000);
        memset(deep + 10000, ']', 10000);
        deep[20000] = 0;
        CHECK(cjwt_value_from_json(deep, 20000, &err) == NULL);
        CHECK_CODE(err, "too_large");
    }
}

/* The reader must accept exactly what jansson (strict RFC 8259, plus
 * cjwt's rules) accepts: structure, separators, literals,
 * numbers, strings. Each input is also given to jansson, and the two must
 * agree, except where cjwt is stricter on purpose (\u0000). */
static void test_reader_matches_jansson(void)
{
    static const char *const inputs[] = {
        "{}", "[]", "{\"a\":1}", "[1,2,3]", " {\"a\" : [ true , false , null ] } ",
        "{\"a\" \"b\"}", "{\"a\":1 \"b\":2}", "[1 2]", "[1,,2]", "[,1]", "[1,]", "{\"a\":1,}",
        "{,}", "{\"a\"}", "{\"a\":}", "{:1}", "{1:1}", "{\"a\"::1}", "[1]]", "[[1]", "{\"a\":1}}",
        "1 2", "{} {}", "{}x", "x{}", "[tru]", "[nul]", "[truex]", "[True]", "[01]", "[-]", "[1.]",
        "[.5]", "[1e]", "[1e+]", "[+1]", "[-0]", "[0.0e-0]", "[1E400]", "[-1e-400]", "[1.5e3]",
        "[9223372036854775807]", "[9223372036854775808]", "[-9223372036854775808]",
        "[-9223372036854775809]", "[\"\\ud83d\\ude00\"]", "[\"\\ud83d\"]", "[\"\\ude00\"]",
        "[\"\\ud83dx\"]", "[\"\\u00e9\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"a\tb\"]",
        "[\"\x7f\"]", "[\"\xc3\xa9\"]", "[\"\xc3\"]", "[\"\xe0\x80\x80\"]", "[\"\xed\xa0\x80\"]",
        "[\"\xf4\x90\x80\x80\"]", "[\"\xf0\x9f\x98\x80\"]", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
        "{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":{\"a\":2}}", "{\"\\u0061\":1,\"a\":2}", "\"x\"", "7", "",
        "   ", "[\"unterminated]", "{\"a\":[1,{\"b\":[]}],\"c\":{}}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        json_error_t jerr;
        json_t *j = json_loadb(inputs[i], strlen(inputs[i]), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        cjwt_error err;
        cjwt_value *v = cjwt_value_from_json(inputs[i], strlen(inputs[i]), &err);
        if ((j != NULL) != (v != NULL)) {
            fprintf(stderr, "  disagree on %s: jansson %s, cjwt %s (%s)\n", inputs[i],
                    j ? "accepts" : "refuses", v ? "accepts" : "refuses", v ? "" : err.message);
            CHECK(0);
        }
        if (j && v && !json_equal(j, (json_t *)v)) {
            fprintf(stderr, "  different values for %s\n", inputs[i]);
            CHECK(0);
        }
        json_decref(j);
        cjwt_value_free(v);
    }
    /* stricter on purpose: a NUL byte, raw or escaped */
    CHECK(cjwt_value_from_json("[\"\\u0000\"]", 10, NULL) == NULL);
    CHECK(cjwt_value_from_json("[1]\0", 4, NULL) == NULL);
    CHECK(cjwt_value_from_json("[\"a\0b\"]", 7, NULL) == NULL);
}

/* Decoded values (reader nodes) through every accessor. */
static void test_decoded_accessors(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_key *k = secret_key(SECRET32);
    const char *pj = "{\"s\":\"h\\u00e9\",\"i\":-5,\"r\":2.5,\"t\":true,\"f\":false,\"n\":null,"
                     "\"a\":[1,[2,3],{\"x\":4}],\"o\":{\"k\":\"v\"},\"e\":{},\"z\":[]}";
    char *t = raw_token(HS, pj, k, CJWT_ALG_HS256, NULL);
    cjwt_decoded *d = cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, NULL);
    const cjwt_value *p = d ? cjwt_decoded_payload(d) : NULL, *a;
    size_t n = 0;
    CHECK(p != NULL);
    if (p) {
        CHECK(cjwt_value_type(p) == CJWT_TYPE_OBJECT && cjwt_value_size(p) == 10);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(p, "s"), &n), "h\xc3\xa9");
        CHECK(n == 3);
        CHECK(cjwt_value_int(cjwt_value_object_get(p, "i")) == -5);
        CHECK(cjwt_value_real(cjwt_value_object_get(p, "i")) == -5.0);
        CHECK(cjwt_value_real(cjwt_value_object_get(p, "r")) == 2.5);
        CHECK(cjwt_value_type(cjwt_value_object_get(p, "t")) == CJWT_TYPE_TRUE);
        CHECK(cjwt_value_type(cjwt_value_object_get(p, "f")) == CJWT_TYPE_FALSE);
        CHECK(cjwt_value_type(cjwt_value_object_get(p, "n")) == CJWT_TYPE_NULL);
        CHECK(cjwt_value_object_get(p, "missing") == NULL);
        a = cjwt_value_object_get(p, "a");
        CHECK(cjwt_value_size(a) == 3);
        CHECK(cjwt_value_int(cjwt_value_array_get(cjwt_value_array_get(a, 1), 1)) == 3);
        CHECK(cjwt_value_int(cjwt_value_object_get(cjwt_value_array_get(a, 2), "x")) == 4);
        CHECK(cjwt_value_array_get(a, 3) == NULL);
        CHECK(cjwt_value_size(cjwt_value_object_get(p, "e")) == 0);
        CHECK(cjwt_object_iter(cjwt_value_object_get(p, "e")) == NULL);
        {
            const char *want[] = {"s", "i", "r", "t", "f", "n", "a", "o", "e", "z"};
            int i = 0;
            for (void *it = cjwt_object_iter(p); it; it = cjwt_object_iter_next(p, it), i++) {
                CHECK(i < 10 && strcmp(cjwt_object_iter_key(it, NULL), want[i]) == 0);
                CHECK(cjwt_object_iter_value(it) == cjwt_value_object_get(p, want[i]));
            }
            CHECK(i == 10);
        }
        {
            /* serializing and building on a decoded value go through copies */
            char *s = cjwt_value_to_json(cjwt_value_object_get(p, "o"), NULL, NULL);
            cjwt_value *nv = cjwt_value_new_object();
            CHECK_STR(s, "{\"k\":\"v\"}");
            cjwt_free(s);
            CHECK(cjwt_value_object_set((cjwt_value *)p, "x", 1, cjwt_value_new_int(1)) == -1);
            cjwt_value_free((cjwt_value *)cjwt_value_object_get(p, "o"));   /* borrowed: a no-op */
            cjwt_value_free(nv);
        }
    }
    cjwt_decoded_free(d);
    free(t);
    cjwt_key_free(k);
}

static void test_value_api(void)
{
    cjwt_value *o = cjwt_value_new_object(), *a = cjwt_value_new_array();
    size_t n;
    char *s;
    CHECK(cjwt_value_array_append(a, cjwt_value_new_int(-5)) == 0);
    CHECK(cjwt_value_array_append(a, cjwt_value_new_real(2.5)) == 0);
    CHECK(cjwt_value_array_append(a, cjwt_value_new_bool(1)) == 0);
    CHECK(cjwt_value_array_append(a, cjwt_value_new_null()) == 0);
    CHECK(cjwt_value_object_set(o, "list", 4, a) == 0);
    CHECK(cjwt_value_object_set(o, "s", 1, cjwt_value_new_string("h\xc3\xa9", 3)) == 0);
    CHECK(cjwt_value_object_set(o, "k\0x", 3, cjwt_value_new_int(1)) == -1);     /* NUL in key */
    CHECK(cjwt_value_object_set(o, "\xff", 1, cjwt_value_new_int(1)) == -1);      /* bad UTF-8 */
    CHECK(cjwt_value_array_append(o, cjwt_value_new_int(1)) == -1);              /* not an array */
    CHECK(cjwt_value_new_string("a\0b", 3) == NULL);
    CHECK(cjwt_value_new_string("\xff", 1) == NULL);
    CHECK(cjwt_value_new_real(0.0 / 0.0) == NULL);
    CHECK(cjwt_value_new_real(1.0 / 0.0) == NULL);
    s = cjwt_value_to_json(o, &n, NULL);
    CHECK_STR(s, "{\"list\":[-5,2.5,true,null],\"s\":\"h\xc3\xa9\"}");
    CHECK(n == strlen(s));
    cjwt_free(s);
    s = cjwt_value_to_json_pretty(cjwt_value_object_get(o, "s"), 2, NULL, NULL);
    CHECK_STR(s, "\"h\xc3\xa9\"");
    cjwt_free(s);
    {
        cjwt_value *c = cjwt_value_copy(o);
        CHECK(cjwt_value_object_set(c, "extra", 5, cjwt_value_new_int(1)) == 0);
        CHECK(cjwt_value_size(c) == 3 && cjwt_value_size(o) == 2);
        s = cjwt_value_to_json_pretty(c, 4, NULL, NULL);
        CHECK(s && strstr(s, "\n    \"list\": [") != NULL);
        cjwt_free(s);
        cjwt_value_free(c);
    }
    CHECK(cjwt_value_type(o) == CJWT_TYPE_OBJECT && cjwt_value_size(o) == 2);
    {
        const cjwt_value *l = cjwt_value_object_get(o, "list");
        CHECK(cjwt_value_type(l) == CJWT_TYPE_ARRAY && cjwt_value_size(l) == 4);
        CHECK(cjwt_value_int(cjwt_value_array_get(l, 0)) == -5);
        CHECK(cjwt_value_real(cjwt_value_array_get(l, 1)) == 2.5);
        CHECK(cjwt_value_type(cjwt_value_array_get(l, 2)) == CJWT_TYPE_TRUE);
        CHECK(cjwt_value_type(cjwt_value_array_get(l, 3)) == CJWT_TYPE_NULL);
        CHECK(cjwt_value_array_get(l, 4) == NULL);
        CHECK(cjwt_value_string(l, NULL) == NULL);
    }
    {
        int count = 0;
        for (void *it = cjwt_object_iter(o); it; it = cjwt_object_iter_next(o, it)) {
            size_t kl;
            const char *k = cjwt_object_iter_key(it, &kl);
            CHECK(kl == strlen(k));
            CHECK(cjwt_object_iter_value(it) != NULL);
            count++;
        }
        CHECK(count == 2);
    }
    cjwt_value_free(o);
    cjwt_value_free(NULL);
}

/* ---- keys -------------------------------------------------------------- */

static void test_keys(void)
{
    cjwt_error err;
    cjwt_key *k;
    static const char *const material[] = {
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
        "\n  -----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----",
        "-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC user@host",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNh user@host",
    };
    for (size_t i = 0; i < sizeof material / sizeof *material; i++) {
        k = cjwt_key_from_bytes((const unsigned char *)material[i], strlen(material[i]), 0, &err);
        CHECK(k == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_key_free(k);
    }
    {
        /* DER SubjectPublicKeyInfo shape: SEQUENCE covering the whole input */
        unsigned char der[40] = {0x30, 38};
        memset(der + 2, 0x11, sizeof der - 2);
        CHECK(cjwt_key_from_bytes(der, sizeof der, 0, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        der[1] = 37;  /* length does not match: just bytes, a usable secret */
        k = cjwt_key_from_bytes(der, sizeof der, 0, &err);
        CHECK(k != NULL && cjwt_key_type(k) == CJWT_KTY_OCT);
        cjwt_key_free(k);
    }
    CHECK(cjwt_key_from_secret((const unsigned char *)"", 0, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    {
        /* JSON text is never an HMAC secret: a JWK is read as a JWK, a JWK
         * set or any other object is refused; PEM after other text is PEM */
        static const char *const text[] = {
            " {\"kty\":\"oct\",\"k\":\"QUFB\"}",          /* a (too short for HS256, but valid) JWK */
            "{\"keys\":[]}", "{\"a\":1}",
            "Bag Attributes\nsubject=CN = x\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        };
        k = cjwt_key_from_bytes((const unsigned char *)text[0], strlen(text[0]), 0, &err);
        CHECK(k != NULL && cjwt_key_type(k) == CJWT_KTY_OCT && k->secret_len == 3);
        cjwt_key_free(k);
        for (size_t i = 1; i < 4; i++) {
            k = cjwt_key_from_bytes((const unsigned char *)text[i], strlen(text[i]), 0, &err);
            CHECK(k == NULL);
            CHECK_CODE(err, "invalid_key");
            cjwt_key_free(k);
        }
        k = cjwt_key_from_bytes((const unsigned char *)"{not json", 9, 0, &err);   /* just bytes */
        CHECK(k != NULL);
        cjwt_key_free(k);
    }

    k = cjwt_key_from_bytes((const unsigned char *)SECRET32, 32, 0, &err);
    CHECK(k && cjwt_key_kid(k) == NULL && cjwt_key_alg(k) == CJWT_ALG__COUNT);
    CHECK(cjwt_key_ref(k) == k);
    cjwt_key_free(k);
    cjwt_key_free(k);
    cjwt_key_free(NULL);
}

static void test_jwk(void)
{
    static const struct { const char *jwk; const char *code; } bad[] = {
        {"[]", "invalid_key"},
        {"{}", "invalid_key"},
        {"{\"kty\":\"oct\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"a+b/\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\",\"kid\":5}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\",\"alg\":\"XX1\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\",\"alg\":\"none\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\",\"alg\":\"RS256\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\",\"key_ops\":\"sign\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\",\"key_ops\":[1]}", "invalid_key"},
        {"{\"kty\":7}", "invalid_key"},
        {"{\"kty\":\"XYZ\"}", "invalid_key"},
        {"{\"kty\":\"oct\",\"k\":\"QUFB\"", "invalid_key"},   /* not JSON */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cjwt_error err;
        cjwt_key *k = cjwt_key_from_jwk_json(bad[i].jwk, strlen(bad[i].jwk), 0, &err);
        CHECK(k == NULL);
        CHECK_CODE(err, bad[i].code);
        cjwt_key_free(k);
    }
    {
        const char *j = "{\"kty\":\"oct\",\"kid\":\"k1\",\"alg\":\"HS256\",\"use\":\"sig\","
                        "\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}";
        cjwt_key *k = cjwt_key_from_jwk_json(j, strlen(j), 0, NULL);
        CHECK(k != NULL);
        CHECK_STR(cjwt_key_kid(k), "k1");
        CHECK(cjwt_key_alg(k) == CJWT_ALG_HS256);
        CHECK(k->secret_len == 32 && memcmp(k->secret, SECRET32, 32) == 0);
        cjwt_key_free(k);
    }
}

/* A key's alg, use and key_ops limit what it may do. */
static void test_key_binding(void)
{
    cjwt_error err;
    cjwt_sign_opts so = {0};
    cjwt_value *p = cjwt_value_new_object();
    const char *base = "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"";
    char j[300];
    cjwt_key *k;
    char *t;

    so.alg = CJWT_ALG_HS256;
    snprintf(j, sizeof j, "%s,\"alg\":\"HS384\"}", base);
    k = cjwt_key_from_jwk_json(j, strlen(j), 0, NULL);
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    cjwt_key_free(k);

    snprintf(j, sizeof j, "%s,\"use\":\"enc\"}", base);
    k = cjwt_key_from_jwk_json(j, strlen(j), 0, NULL);
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    cjwt_key_free(k);

    /* verify-only key: cannot sign, can verify */
    snprintf(j, sizeof j, "%s,\"key_ops\":[\"verify\"]}", base);
    k = cjwt_key_from_jwk_json(j, strlen(j), 0, NULL);
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    {
        cjwt_key *signer = secret_key(SECRET32);
        cjwt_verify_opts o = hs256_opts();
        cjwt_decoded *d;
        t = cjwt_encode(p, signer, &so, NULL, &err);
        CHECK(t != NULL);
        d = cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err);
        CHECK(d != NULL);
        cjwt_decoded_free(d);
        cjwt_free(t);
        cjwt_key_free(signer);
    }
    cjwt_key_free(k);
    cjwt_value_free(p);
}

static void test_short_secret(void)
{
    cjwt_error err;
    cjwt_value *p = cjwt_value_new_object();
    cjwt_sign_opts so = {0};
    cjwt_key *k = secret_key("0123456789abcdef0123456789abcde");   /* 31 bytes */
    cjwt_key *k48 = secret_key("0123456789abcdef0123456789abcdef0123456789abcde"); /* 47 */
    cjwt_key *weak = cjwt_key_from_secret((const unsigned char *)"secret", 6,
                                          CJWT_KEY_ALLOW_SHORT_SECRET, NULL);
    char *t;
    so.alg = CJWT_ALG_HS256;
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(strstr(err.message, "allow_short_secret") != NULL);
    so.alg = CJWT_ALG_HS384;
    CHECK(cjwt_encode(p, k48, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    t = cjwt_encode(p, weak, &so, NULL, &err);
    CHECK(t != NULL);
    {
        /* verifying with a short key is refused too, unless opted in */
        cjwt_key *plain = cjwt_key_from_secret((const unsigned char *)"secret", 6, 0, NULL);
        cjwt_verify_opts o = {0};
        cjwt_decoded *d;
        o.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS384);
        CHECK(cjwt_verify_with(&o, plain, t, strlen(t), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        d = cjwt_verify_with(&o, weak, t, strlen(t), 1, NOW, &err);
        CHECK(d != NULL);
        cjwt_decoded_free(d);
        cjwt_key_free(plain);
    }
    cjwt_free(t);
    cjwt_key_free(k);
    cjwt_key_free(k48);
    cjwt_key_free(weak);
    cjwt_value_free(p);
}

/* ---- signing ------------------------------------------------------------ */

static void test_encode_header(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_value *p = cjwt_value_new_object(), *h = cjwt_value_new_object();
    cjwt_sign_opts so = {0};
    cjwt_error err;
    cjwt_value *hdr;
    char *t, *s;

    so.alg = CJWT_ALG_HS256;
    cjwt_value_object_set(h, "kid", 3, cjwt_value_new_string("k1", 2));
    cjwt_value_object_set(h, "alg", 3, cjwt_value_new_string("none", 4)); /* ignored */
    so.header = h;
    t = cjwt_encode(p, k, &so, NULL, &err);
    hdr = cjwt_unverified_header(t, strlen(t), &err);
    s = cjwt_value_to_json(hdr, NULL, NULL);
    CHECK_STR(s, "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
    cjwt_free(s);
    cjwt_value_free(hdr);
    cjwt_free(t);

    cjwt_value_object_set(h, "typ", 3, cjwt_value_new_null());   /* null removes typ */
    t = cjwt_encode(p, k, &so, NULL, &err);
    hdr = cjwt_unverified_header(t, strlen(t), &err);
    s = cjwt_value_to_json(hdr, NULL, NULL);
    CHECK_STR(s, "{\"alg\":\"HS256\",\"kid\":\"k1\"}");
    cjwt_free(s);
    cjwt_value_free(hdr);
    cjwt_free(t);

    cjwt_value_object_set(h, "typ", 3, cjwt_value_new_string("at+jwt", 6));
    t = cjwt_encode(p, k, &so, NULL, &err);
    hdr = cjwt_unverified_header(t, strlen(t), &err);
    CHECK_STR(cjwt_value_string(cjwt_value_object_get(hdr, "typ"), NULL), "at+jwt");
    cjwt_value_free(hdr);
    cjwt_free(t);

    /* the payload must be an object; the extra header too */
    CHECK(cjwt_encode(cjwt_value_object_get(h, "typ"), k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "malformed");
    so.header = cjwt_value_object_get(h, "kid");
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "malformed");
    so.alg = CJWT_ALG__COUNT;
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "unsupported_alg");
    so.alg = CJWT_ALG_RS256;     /* an HMAC secret cannot sign RS256 */
    so.header = NULL;
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_encode(p, k, NULL, NULL, &err) == NULL);
    cjwt_value_free(h);
    cjwt_value_free(p);
    cjwt_key_free(k);
}

static void test_encode_expires_in(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_value *p = cjwt_value_new_object();
    cjwt_sign_opts so = {0};
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    cjwt_decoded *d;
    char *t;
    so.alg = CJWT_ALG_HS256;
    so.has_expires_in = 1;
    so.expires_in = 900;
    so.has_now = 1;
    so.now = 1000.7;
    t = cjwt_encode(p, k, &so, NULL, &err);
    CHECK(cjwt_value_size(p) == 0);      /* the caller's payload is untouched */
    d = cjwt_verify_with(&o, k, t, strlen(t), 1, 1899, &err);
    CHECK(d != NULL);
    if (d) {
        CHECK(cjwt_value_int(cjwt_value_object_get(cjwt_decoded_payload(d), "iat")) == 1000);
        CHECK(cjwt_value_int(cjwt_value_object_get(cjwt_decoded_payload(d), "exp")) == 1900);
    }
    cjwt_decoded_free(d);
    CHECK(cjwt_verify_with(&o, k, t, strlen(t), 1, 1900, &err) == NULL);
    CHECK_CODE(err, "expired");
    cjwt_free(t);
    so.expires_in = 0;
    CHECK(cjwt_encode(p, k, &so, NULL, &err) == NULL);
    CHECK_CODE(err, "malformed");
    cjwt_value_free(p);
    cjwt_key_free(k);
}

static void test_duration(void)
{
    CHECK(cjwt_parse_duration("900", 3) == 900);
    CHECK(cjwt_parse_duration("15m", 3) == 900);
    CHECK(cjwt_parse_duration("1h", 2) == 3600);
    CHECK(cjwt_parse_duration("7d", 2) == 604800);
    CHECK(cjwt_parse_duration("2w", 2) == 1209600);
    CHECK(cjwt_parse_duration("30s", 3) == 30);
    CHECK(cjwt_parse_duration("", 0) == -1);
    CHECK(cjwt_parse_duration("m", 1) == -1);
    CHECK(cjwt_parse_duration("15x", 3) == -1);
    CHECK(cjwt_parse_duration("15mm", 4) == -1);
    CHECK(cjwt_parse_duration("-5", 2) == -1);
    CHECK(cjwt_parse_duration(" 5", 2) == -1);
    CHECK(cjwt_parse_duration("99999999999999999999", 20) == -1);
    CHECK(cjwt_parse_duration("9999999999999999w", 17) == -1);
    CHECK(cjwt_parse_duration(NULL, 3) == -1);
}

/* ---- verification: structure and header -------------------------------- */

static void test_structure(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    char *good = raw_token(HS, "{}", k, CJWT_ALG_HS256, NULL);
    char buf[400];
    static const char *const bad[] = {
        "", "abc", "a.b", "a.b.c.d", "a.b.c.d.e", ".e30.", "e30", "e30...", "..",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(cjwt_verify_with(&o, k, bad[i], strlen(bad[i]), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "malformed");
    }
    CHECK(cjwt_verify_with(&o, k, "a.b.c.d.e", 9, 1, NOW, &err) == NULL);
    CHECK(strstr(err.message, "JWE") != NULL);
    CHECK(cjwt_verify_with(&o, k, NULL, 0, 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    /* padding, whitespace, NUL, non-alphabet characters in each segment */
    snprintf(buf, sizeof buf, "%s=", good);
    CHECK(cjwt_verify_with(&o, k, buf, strlen(buf), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    snprintf(buf, sizeof buf, " %s", good);
    CHECK(cjwt_verify_with(&o, k, buf, strlen(buf), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    snprintf(buf, sizeof buf, "%s", good);
    buf[3] = '\0';    /* NUL inside, length still covers the whole token */
    CHECK(cjwt_verify_with(&o, k, buf, strlen(good), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    /* the exact token verifies */
    {
        cjwt_decoded *d = cjwt_verify_with(&o, k, good, strlen(good), 1, NOW, &err);
        CHECK(d != NULL);
        cjwt_decoded_free(d);
    }
    free(good);
    cjwt_key_free(k);
}

static void test_limits(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    cjwt_decoded *d;
    char *payload = malloc(20000), *t;
    memcpy(payload, "{\"x\":\"", 6);
    memset(payload + 6, 'a', 13000);
    strcpy(payload + 13006, "\"}");
    t = raw_token(HS, payload, k, CJWT_ALG_HS256, NULL);
    CHECK(cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "too_large");
    o.max_token_len = 1 << 20;
    d = cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    free(t);
    /* depth: 32 allowed by default, 33 refused, configurable */
    o.max_token_len = 0;
    {
        char deep[200];
        int n = 0;
        n += sprintf(deep + n, "{\"a\":");
        for (int i = 0; i < 32; i++) n += sprintf(deep + n, "[");
        for (int i = 0; i < 32; i++) n += sprintf(deep + n, "]");
        sprintf(deep + n, "}");
        CHECK(verify_raw(HS, deep, &o, &err) == CJWT_E_TOO_LARGE);
        o.max_depth = 33;
        CHECK(verify_raw(HS, deep, &o, &err) == CJWT_OK);
        o.max_depth = 0;
    }
    free(payload);
    cjwt_key_free(k);
}

static void test_header_rules(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    static const struct { const char *hdr; const char *code; } cases[] = {
        {"[]", "malformed"},
        {"\"HS256\"", "malformed"},
        {"7", "malformed"},
        {"{}", "unsupported_alg"},              /* no alg: names no algorithm */
        {"{\"alg\":256}", "unsupported_alg"},
        {"{\"alg\":null}", "unsupported_alg"},
        {"{\"alg\":\"HS256\",\"alg\":\"HS256\"}", "malformed"},
        {"{\"alg\":\"HS999\"}", "unsupported_alg"},
        {"{\"alg\":\"None\"}", "unsupported_alg"},
        {"{\"alg\":\"HS384\"}", "alg_not_allowed"},
        {"{\"alg\":\"none\"}", "alg_not_allowed"},
        {"{\"alg\":\"RS256\"}", "alg_not_allowed"},
        {"{\"alg\":\"HS256\",\"crit\":[]}", "malformed"},
        {"{\"alg\":\"HS256\",\"crit\":\"exp\"}", "malformed"},
        {"{\"alg\":\"HS256\",\"crit\":[1]}", "malformed"},
        /* RFC 7797: understood, but a JWT never has an unencoded payload */
        {"{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", "malformed"},
        {"{\"alg\":\"HS256\",\"b64\":false}", "malformed"},
        {"{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":true}", "ok"},
        {"{\"alg\":\"HS256\",\"crit\":[\"b64\",\"exp\"],\"b64\":true}", "unknown_crit"},
        {"{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", "unknown_crit"},
        {"{\"alg\":\"HS256\",\"x\":\"\xed\xa0\x80\"}", "malformed"},  /* UTF-8 surrogate */
        {"{\"alg\":\"HS256\"", "malformed"},
        /* untrusted key-bearing headers are ignored, never used */
        {"{\"alg\":\"HS256\",\"jku\":\"http://127.0.0.1:1/k\",\"x5u\":\"http://127.0.0.1:1/x\","
         "\"jwk\":{\"kty\":\"oct\",\"k\":\"QUFB\"},\"x5c\":[\"MII\"]}", "ok"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cjwt_code rc = verify_raw(cases[i].hdr, "{}", &o, &err);
        if (strcmp(cjwt_code_name(rc), cases[i].code) != 0) {
            fprintf(stderr, "  header %s: got %s (%s)\n", cases[i].hdr, cjwt_code_name(rc),
                    err.message);
            CHECK(0);
        }
    }
    /* none never verifies, not even with CJWT_ALG_NONE in the allowlist */
    {
        cjwt_key *k = secret_key(SECRET32);
        char *t = raw_token("{\"alg\":\"none\"}", "{\"sub\":\"x\"}", NULL, CJWT_ALG_NONE, "");
        char *t2 = raw_token("{\"alg\":\"none\"}", "{\"sub\":\"x\"}", NULL, CJWT_ALG_NONE, "QUFB");
        CHECK(cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "alg_not_allowed");
        o.algorithms |= CJWT_ALG_BIT(CJWT_ALG_NONE);
        CHECK(cjwt_verify_with(&o, NULL, t, strlen(t), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "alg_not_allowed");
        CHECK(strstr(err.message, "unsecured") != NULL);
        CHECK(cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "alg_not_allowed");
        CHECK(cjwt_verify_with(&o, NULL, t2, strlen(t2), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "alg_not_allowed");
        free(t);
        free(t2);
        cjwt_key_free(k);
    }
    o.algorithms = 0;
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_E_ALG_NOT_ALLOWED);
}

/* cjwt_decode_unsecured: an unsecured token only, read by name; the claim
 * checks on by default; hostile and signed tokens refused with their codes. */
static void test_decode_unsecured(void)
{
    static const char NONE[] = "{\"alg\":\"none\"}";
    cjwt_verify_opts o = {0};
    cjwt_error err;
    cjwt_decoded *d;
    cjwt_key *k = secret_key(SECRET32);
    char *ok = raw_token(NONE, "{\"sub\":\"x\",\"exp\":1700000100}", NULL, CJWT_ALG_NONE, "");
    char *expired = raw_token(NONE, "{\"exp\":1600000000}", NULL, CJWT_ALG_NONE, "");
    char *with_sig = raw_token(NONE, "{\"sub\":\"x\"}", NULL, CJWT_ALG_NONE, "QUFB");
    char *signed_hs = raw_token(HS, "{\"sub\":\"x\"}", k, CJWT_ALG_HS256, NULL);
    char *unknown_alg = raw_token("{\"alg\":\"XS1\"}", "{}", NULL, CJWT_ALG_NONE, "");
    char *not_object = raw_token(NONE, "[1]", NULL, CJWT_ALG_NONE, "");
    char *b64_false = raw_token("{\"alg\":\"none\",\"crit\":[\"b64\"],\"b64\":false}", "{}", NULL,
                                CJWT_ALG_NONE, "");

    d = cjwt_decode_unsecured(NULL, ok, strlen(ok), 1, NOW, &err);
    CHECK(d != NULL);
    if (d) {
        size_t n = 0;
        const cjwt_value *sub = cjwt_value_object_get(cjwt_decoded_payload(d), "sub");
        CHECK(sub && strcmp(cjwt_value_string(sub, &n), "x") == 0);
        cjwt_decoded_free(d);
    }
    /* the claim checks are on without a signature too; off only when asked */
    CHECK(cjwt_decode_unsecured(NULL, expired, strlen(expired), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "expired");
    o.verify_set = CJWT_CHECK_EXP;
    d = cjwt_decode_unsecured(&o, expired, strlen(expired), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    /* PyJWT's rule (no signature check: claim checks off) does not apply here */
    o.verify_set = CJWT_CHECK_SIGNATURE;
    CHECK(cjwt_decode_unsecured(&o, expired, strlen(expired), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "expired");
    o.verify_set = 0;
    /* a signed token is verified with decode, never read here; an alg "none"
     * token with a signature is not an unsecured one */
    CHECK(cjwt_decode_unsecured(NULL, signed_hs, strlen(signed_hs), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "alg_not_allowed");
    CHECK(cjwt_decode_unsecured(NULL, with_sig, strlen(with_sig), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");
    CHECK(cjwt_decode_unsecured(NULL, unknown_alg, strlen(unknown_alg), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "unsupported_alg");
    CHECK(cjwt_decode_unsecured(NULL, not_object, strlen(not_object), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    CHECK(cjwt_decode_unsecured(NULL, b64_false, strlen(b64_false), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    CHECK(cjwt_decode_unsecured(NULL, "a.b", 3, 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    CHECK(cjwt_decode_unsecured(NULL, NULL, 0, 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    /* typ is checked as by decode */
    o.typ = "at+jwt";
    CHECK(cjwt_decode_unsecured(&o, ok, strlen(ok), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "invalid_typ");
    o.typ = NULL;
    o.raw_payload = 1;
    CHECK(cjwt_decode_unsecured(&o, ok, strlen(ok), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "internal");
    free(ok);
    free(expired);
    free(with_sig);
    free(signed_hs);
    free(unknown_alg);
    free(not_object);
    free(b64_false);
    cjwt_key_free(k);
}

static void test_payload_rules(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    static const char *const bad[] = {
        "[]", "\"x\"", "1", "null", "{\"a\":1,\"a\":1}", "{\"a\":\"\xff\"}", "{\"a\":\"\\ud800\"}",
        "{\"a\":1e999}", "", "{",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cjwt_code rc = verify_raw(HS, bad[i], &o, &err);
        if (rc != CJWT_E_MALFORMED) {
            fprintf(stderr, "  payload %s: got %s\n", bad[i], cjwt_code_name(rc));
            CHECK(0);
        }
    }
}

static void test_signature(void)
{
    cjwt_key *k = secret_key(SECRET32), *other = secret_key("another secret of thirty-two b!!");
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    char *t = raw_token(HS, "{\"sub\":\"a\"}", k, CJWT_ALG_HS256, NULL);
    size_t n = strlen(t);
    char *dot = strrchr(t, '.');
    CHECK(cjwt_verify_with(&o, other, t, n, 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");
    dot[5] = dot[5] == 'A' ? 'B' : 'A';       /* flip a signature character */
    CHECK(cjwt_verify_with(&o, k, t, n, 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");
    dot[5] = '\0';                             /* truncated signature */
    CHECK(cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");
    CHECK(cjwt_verify_with(&o, NULL, t, strlen(t), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    free(t);
    /* an HS384 signature where HS256 is claimed has the wrong length */
    {
        char *t384 = raw_token(HS, "{}", k, CJWT_ALG_HS384, NULL);
        CHECK(cjwt_verify_with(&o, k, t384, strlen(t384), 1, NOW, &err) == NULL);
        CHECK_CODE(err, "bad_signature");
        free(t384);
    }
    cjwt_key_free(k);
    cjwt_key_free(other);
}

/* Structure -> header -> allowlist/key -> signature -> typ -> claims. */
static void test_order_of_checks(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    const char *expired = "{\"exp\":1,\"aud\":\"x\"}";
    char *bad_sig = raw_token(HS, expired, NULL, CJWT_ALG_NONE, "AAAA");
    char *crit_bad_sig = raw_token("{\"alg\":\"HS256\",\"crit\":[\"x\"]}", expired, NULL,
                                   CJWT_ALG_NONE, "AAAA");
    char *notallowed = raw_token("{\"alg\":\"HS512\"}", expired, NULL, CJWT_ALG_NONE, "AAAA");
    char *typ_bad_sig = raw_token("{\"alg\":\"HS256\",\"typ\":\"x\"}", expired, NULL,
                                  CJWT_ALG_NONE, "AAAA");
    char *typ_expired = raw_token("{\"alg\":\"HS256\",\"typ\":\"x\"}", expired, k, CJWT_ALG_HS256, NULL);
    char *bad_payload = raw_token(HS, "[1", NULL, CJWT_ALG_NONE, "AAAA");
    cjwt_key *short_key = secret_key("short");

    CHECK(cjwt_verify_with(&o, k, bad_sig, strlen(bad_sig), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");                 /* not expired: claims come last */
    CHECK(cjwt_verify_with(&o, k, crit_bad_sig, strlen(crit_bad_sig), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "unknown_crit");                  /* header before signature */
    CHECK(cjwt_verify_with(&o, k, notallowed, strlen(notallowed), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "alg_not_allowed");               /* allowlist before signature */
    CHECK(cjwt_verify_with(&o, short_key, bad_sig, strlen(bad_sig), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "invalid_key");                   /* key before signature */
    o.typ = "JWT";
    CHECK(cjwt_verify_with(&o, k, typ_bad_sig, strlen(typ_bad_sig), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");                 /* typ only after the signature */
    CHECK(cjwt_verify_with(&o, k, typ_expired, strlen(typ_expired), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "invalid_typ");                   /* typ before claims */
    o.typ = NULL;
    CHECK(cjwt_verify_with(&o, k, bad_payload, strlen(bad_payload), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "bad_signature");                 /* payload JSON parsed only when signed */

    free(bad_sig);
    free(crit_bad_sig);
    free(notallowed);
    free(typ_bad_sig);
    free(typ_expired);
    free(bad_payload);
    cjwt_key_free(k);
    cjwt_key_free(short_key);
}

/* ---- claims ------------------------------------------------------------ */

static void test_claims_times(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    char p[200];
    /* exp: valid while exp > now - leeway */
    snprintf(p, sizeof p, "{\"exp\":%.0f}", NOW + 1);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_OK);
    snprintf(p, sizeof p, "{\"exp\":%.0f}", NOW);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_E_EXPIRED);
    CHECK_STR(err.message, "Signature has expired");
    o.leeway = 10;
    snprintf(p, sizeof p, "{\"exp\":%.0f}", NOW - 9);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_OK);
    snprintf(p, sizeof p, "{\"exp\":%.0f}", NOW - 10);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_E_EXPIRED);
    /* nbf: valid while nbf <= now + leeway */
    snprintf(p, sizeof p, "{\"nbf\":%.0f}", NOW + 10);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_OK);
    snprintf(p, sizeof p, "{\"nbf\":%.0f}", NOW + 11);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_E_NOT_YET_VALID);
    o.leeway = 0;
    snprintf(p, sizeof p, "{\"iat\":%.0f}", NOW + 1);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_E_NOT_YET_VALID);
    /* types */
    CHECK(verify_raw(HS, "{\"exp\":\"2000000000\"}", &o, &err) == CJWT_E_MALFORMED);
    CHECK(verify_raw(HS, "{\"exp\":true}", &o, &err) == CJWT_E_MALFORMED);
    CHECK(verify_raw(HS, "{\"exp\":null}", &o, &err) == CJWT_E_MALFORMED);
    CHECK(verify_raw(HS, "{\"nbf\":[1]}", &o, &err) == CJWT_E_MALFORMED);
    CHECK(verify_raw(HS, "{\"iat\":\"1\"}", &o, &err) == CJWT_E_INVALID_IAT);
    CHECK(verify_raw(HS, "{\"exp\":1e300}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"exp\":-1e300}", &o, &err) == CJWT_E_EXPIRED);
    CHECK(verify_raw(HS, "{\"exp\":9223372036854775807}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"nbf\":-9223372036854775808}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"exp\":1700000000.9}", &o, &err) == CJWT_E_EXPIRED); /* truncated */
    CHECK(verify_raw(HS, "{\"exp\":1700000001.5}", &o, &err) == CJWT_OK);
    /* switched off */
    o.verify_set = CJWT_CHECK_EXP;
    CHECK(verify_raw(HS, "{\"exp\":1}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"exp\":\"x\"}", &o, &err) == CJWT_OK);
    o.verify_set = CJWT_CHECK_NBF | CJWT_CHECK_IAT;
    CHECK(verify_raw(HS, "{\"nbf\":9999999999,\"iat\":\"x\"}", &o, &err) == CJWT_OK);
    o.verify_set = 0;
    /* max_age */
    o.has_max_age = 1;
    o.max_age = 60;
    snprintf(p, sizeof p, "{\"iat\":%.0f}", NOW - 60);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_OK);
    snprintf(p, sizeof p, "{\"iat\":%.0f}", NOW - 61);
    CHECK(verify_raw(HS, p, &o, &err) == CJWT_E_EXPIRED);
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_E_MISSING_CLAIM);
    CHECK_STR(err.claim, "iat");
    o.verify_set = o.verify = 0;
    o.verify_set = CJWT_CHECK_IAT;   /* iat check off: max_age still needs a number */
    CHECK(verify_raw(HS, "{\"iat\":\"x\"}", &o, &err) == CJWT_E_INVALID_IAT);
}

static void test_claims_aud_iss_sub(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    const char *auds[] = {"api", "web"};
    const char *isss[] = {"https://a.example", "https://b.example"};
    /* no audience expected */
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"aud\":\"api\"}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    CHECK(verify_raw(HS, "{\"aud\":[]}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"aud\":\"\"}", &o, &err) == CJWT_OK);
    o.audience = auds;
    o.n_audience = 1;
    CHECK(verify_raw(HS, "{\"aud\":\"api\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"aud\":[\"x\",\"api\"]}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"aud\":\"web\"}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    CHECK(strstr(err.message, "\"api\"") && strstr(err.message, "\"web\""));
    CHECK(verify_raw(HS, "{\"aud\":[\"api\",1]}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    CHECK(verify_raw(HS, "{\"aud\":5}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    CHECK(verify_raw(HS, "{\"aud\":{\"a\":1}}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_E_MISSING_CLAIM);
    CHECK_STR(err.claim, "aud");
    CHECK(verify_raw(HS, "{\"aud\":\"API\"}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    o.n_audience = 2;
    CHECK(verify_raw(HS, "{\"aud\":\"web\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"aud\":[\"x\",\"y\"]}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    o.verify_set = CJWT_CHECK_AUD;
    CHECK(verify_raw(HS, "{\"aud\":5}", &o, &err) == CJWT_OK);
    o.verify_set = 0;
    o.n_audience = 0;
    /* issuer */
    o.issuer = isss;
    o.n_issuer = 1;
    CHECK(verify_raw(HS, "{\"iss\":\"https://a.example\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"iss\":\"https://b.example\"}", &o, &err) == CJWT_E_INVALID_ISSUER);
    CHECK(strstr(err.message, "https://a.example") && strstr(err.message, "https://b.example"));
    CHECK(verify_raw(HS, "{\"iss\":7}", &o, &err) == CJWT_E_INVALID_ISSUER);
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_E_MISSING_CLAIM);
    CHECK_STR(err.claim, "iss");
    o.n_issuer = 2;
    CHECK(verify_raw(HS, "{\"iss\":\"https://b.example\"}", &o, &err) == CJWT_OK);
    o.n_issuer = 0;
    /* subject */
    CHECK(verify_raw(HS, "{\"sub\":1}", &o, &err) == CJWT_E_INVALID_SUBJECT);
    o.subject = "u1";
    CHECK(verify_raw(HS, "{\"sub\":\"u1\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"sub\":\"u2\"}", &o, &err) == CJWT_E_INVALID_SUBJECT);
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_E_MISSING_CLAIM);
    CHECK_STR(err.claim, "sub");
    o.subject = NULL;
    /* jti must be a string when present (PyJWT's verify_jti) */
    CHECK(verify_raw(HS, "{\"jti\":\"a\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"jti\":1}", &o, &err) == CJWT_E_INVALID_JTI);
    o.verify_set = CJWT_CHECK_JTI;
    CHECK(verify_raw(HS, "{\"jti\":1}", &o, &err) == CJWT_OK);
    o.verify_set = 0;
    /* strict_aud: one audience, claim a single equal string */
    o.audience = auds;
    o.n_audience = 1;
    o.strict_aud = 1;
    CHECK(verify_raw(HS, "{\"aud\":\"api\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"aud\":[\"api\"]}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    CHECK(verify_raw(HS, "{\"aud\":\"web\"}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
    o.n_audience = 2;
    CHECK(verify_raw(HS, "{\"aud\":\"api\"}", &o, &err) == CJWT_E_INVALID_AUDIENCE);
}

static void test_claims_required_and_typ(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    const char *req[] = {"exp", "jti"};
    o.required = req;
    o.n_required = 2;
    CHECK(verify_raw(HS, "{\"exp\":9999999999,\"jti\":\"1\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"exp\":9999999999}", &o, &err) == CJWT_E_MISSING_CLAIM);
    CHECK_STR(err.claim, "jti");
    CHECK_STR(err.message, "Token is missing the \"jti\" claim");
    CHECK(verify_raw(HS, "{\"exp\":9999999999,\"jti\":null}", &o, &err) == CJWT_E_MISSING_CLAIM);
    o.n_required = 0;
    o.typ = "JWT";
    CHECK(verify_raw("{\"alg\":\"HS256\",\"typ\":\"jwt\"}", "{}", &o, &err) == CJWT_OK);
    CHECK(verify_raw("{\"alg\":\"HS256\",\"typ\":\"application/JWT\"}", "{}", &o, &err) == CJWT_OK);
    CHECK(verify_raw("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", "{}", &o, &err) == CJWT_E_INVALID_TYP);
    CHECK(verify_raw("{\"alg\":\"HS256\"}", "{}", &o, &err) == CJWT_E_INVALID_TYP);
    CHECK(verify_raw("{\"alg\":\"HS256\",\"typ\":1}", "{}", &o, &err) == CJWT_E_INVALID_TYP);
    CHECK(verify_raw("{\"alg\":\"HS256\",\"typ\":\"text/jwt\"}", "{}", &o, &err) == CJWT_E_INVALID_TYP);
    CHECK(cjwtp_typ_matches("application/at+jwt", "AT+JWT"));
    CHECK(cjwtp_typ_matches("text/plain", "TEXT/PLAIN"));
    CHECK(!cjwtp_typ_matches("application/a/b", "a/b"));
}

static void test_verify_signature_off(void)
{
    cjwt_verify_opts o;
    cjwt_error err;
    cjwt_decoded *d;
    char *t = raw_token(HS, "{\"exp\":1,\"aud\":\"x\"}", NULL, CJWT_ALG_NONE, "AAAA");
    memset(&o, 0, sizeof o);
    o.verify_set = CJWT_CHECK_SIGNATURE;    /* verify_signature=False */
    d = cjwt_verify_with(&o, NULL, t, strlen(t), 1, NOW, &err);
    CHECK(d != NULL);                        /* claims default off too */
    cjwt_decoded_free(d);
    o.verify_set |= CJWT_CHECK_EXP;
    o.verify = CJWT_CHECK_EXP;               /* ... unless switched on explicitly */
    CHECK(cjwt_verify_with(&o, NULL, t, strlen(t), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "expired");
    free(t);
    CHECK(cjwtp_effective_checks(&o) == CJWT_CHECK_EXP);
    memset(&o, 0, sizeof o);
    CHECK(cjwtp_effective_checks(&o) == CJWT_CHECK_ALL);
}

static void test_raw_payload(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_sign_opts so = {0};
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    const unsigned char data[] = {0, 1, 2, 0xff, '.', 0};
    size_t n;
    char *t;
    cjwt_decoded *d;
    so.alg = CJWT_ALG_HS256;
    t = cjwt_jws_encode(data, sizeof data, k, &so, NULL, &err);
    CHECK(t != NULL);
    o.raw_payload = 1;
    d = cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err);
    CHECK(d != NULL && cjwt_decoded_payload(d) == NULL);
    if (d) {
        const unsigned char *b = cjwt_decoded_payload_bytes(d, &n);
        CHECK(n == sizeof data && memcmp(b, data, n) == 0);
        CHECK(cjwt_decoded_signature(d, &n) != NULL && n == 32);
        CHECK(cjwt_value_object_get(cjwt_decoded_header(d), "typ") == NULL);
    }
    cjwt_decoded_free(d);
    o.raw_payload = 0;   /* as a JWT the same bytes are not a JSON object */
    CHECK(cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "malformed");
    cjwt_free(t);
    t = cjwt_jws_encode(NULL, 0, k, &so, NULL, &err);   /* empty payload */
    o.raw_payload = 1;
    d = cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    cjwt_free(t);
    cjwt_key_free(k);
}

static void test_unverified_header(void)
{
    cjwt_error err;
    cjwt_value *h;
    char *t = raw_token("{\"alg\":\"XX9\",\"kid\":\"a\"}", "{}", NULL, CJWT_ALG_NONE, "AAAA");
    h = cjwt_unverified_header(t, strlen(t), &err);
    CHECK(h != NULL && err.code == CJWT_OK);
    CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "kid"), NULL), "a");
    cjwt_value_free(h);
    free(t);
    CHECK(cjwt_unverified_header("x.y", 3, &err) == NULL);
    CHECK_CODE(err, "malformed");
    t = raw_token("[1]", "{}", NULL, CJWT_ALG_NONE, "");
    CHECK(cjwt_unverified_header(t, strlen(t), &err) == NULL);
    CHECK_CODE(err, "malformed");
    free(t);
}

/* ---- revocation hook ---------------------------------------------------- */

typedef struct { const char *revoked_jti; int calls; int fail; } denylist;

static int deny(void *ctx, const cjwt_value *payload, cjwt_error *err)
{
    denylist *dl = ctx;
    const char *jti = cjwt_value_string(cjwt_value_object_get(payload, "jti"), NULL);
    dl->calls++;
    if (dl->fail) {
        if (dl->fail == 2) {
            err->code = CJWT_E_INTERNAL;
            snprintf(err->message, sizeof err->message, "store unreachable");
        }
        return -1;
    }
    return strcmp(jti, dl->revoked_jti) == 0;
}

static void test_revocation_hook(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    denylist dl = {"j-2", 0, 0};
    o.revocation = deny;
    o.revocation_ctx = &dl;
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\"}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"jti\":\"j-2\"}", &o, &err) == CJWT_E_REVOKED);
    CHECK(dl.calls == 2);
    CHECK(verify_raw(HS, "{}", &o, &err) == CJWT_E_MISSING_CLAIM);          /* no jti */
    CHECK_STR(err.claim, "jti");
    CHECK(verify_raw(HS, "{\"jti\":7}", &o, &err) == CJWT_E_INVALID_JTI);
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\",\"fid\":5}", &o, &err) == CJWT_E_MALFORMED);
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\",\"fid\":[\"f\"]}", &o, &err) == CJWT_E_MALFORMED);
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\",\"fid\":null}", &o, &err) == CJWT_OK);
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\",\"fid\":\"f\"}", &o, &err) == CJWT_OK);
    CHECK(dl.calls == 4);            /* a bad fid is refused before the store is asked */
    CHECK(verify_raw(HS, "{\"jti\":\"j-2\",\"exp\":1}", &o, &err) == CJWT_E_EXPIRED);
    CHECK(dl.calls == 4);            /* claims fail first: the store is not asked */
    dl.fail = 1;                     /* unknown answer: fail closed */
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\"}", &o, &err) == CJWT_E_UNAVAILABLE);
    dl.fail = 2;
    CHECK(verify_raw(HS, "{\"jti\":\"j-1\"}", &o, &err) == CJWT_E_INTERNAL);
    CHECK_STR(err.message, "store unreachable");
}

/* ---- verifier objects and threads --------------------------------------- */

static void test_verifier_copies(void)
{
    char aud[8] = "api", iss[8] = "me", sub[8] = "u1", req[8] = "exp", typ[8] = "JWT";
    const char *auds[] = {aud}, *isss[] = {iss}, *reqs[] = {req};
    cjwt_verify_opts o = hs256_opts();
    cjwt_verifier *v;
    cjwt_key *k = secret_key(SECRET32);
    cjwt_error err;
    cjwt_decoded *d;
    char *t;
    o.audience = auds; o.n_audience = 1;
    o.issuer = isss; o.n_issuer = 1;
    o.required = reqs; o.n_required = 1;
    o.subject = sub;
    o.typ = typ;
    v = cjwt_verifier_new(&o, &err);
    CHECK(v != NULL);
    /* the verifier owns copies: scribbling on the originals changes nothing */
    strcpy(aud, "xxx"); strcpy(iss, "xx"); strcpy(sub, "xx"); strcpy(req, "xxx"); strcpy(typ, "xxx");
    t = raw_token(HS, "{\"aud\":\"api\",\"iss\":\"me\",\"sub\":\"u1\",\"exp\":9999999999}", k,
                  CJWT_ALG_HS256, NULL);
    d = cjwt_verify(v, k, t, strlen(t), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    free(t);
    cjwt_verifier_free(v);
    CHECK(cjwt_verify(NULL, k, "a.b.c", 5, 1, NOW, &err) == NULL);
    o.leeway = -1;
    CHECK(cjwt_verifier_new(&o, &err) == NULL);
    cjwt_key_free(k);
    cjwt_verifier_free(NULL);
}

typedef struct { const cjwt_verifier *v; const cjwt_key *k; const char *good, *bad; int ok; } tctx;

static void *worker(void *arg)
{
    tctx *c = arg;
    c->ok = 1;
    for (int i = 0; i < 2000; i++) {
        cjwt_error err;
        cjwt_decoded *d = cjwt_verify(c->v, c->k, c->good, strlen(c->good), 1, NOW, &err);
        if (!d)
            c->ok = 0;
        cjwt_decoded_free(d);
        d = cjwt_verify(c->v, c->k, c->bad, strlen(c->bad), 1, NOW, &err);
        if (d || err.code != CJWT_E_EXPIRED)
            c->ok = 0;
        cjwt_decoded_free(d);
    }
    return NULL;
}

static void threads_share(size_t cache_size)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verify_opts o = hs256_opts();
    cjwt_verifier *v;
    o.cache_size = cache_size;
    v = cjwt_verifier_new(&o, NULL);
    char *good = raw_token(HS, "{\"exp\":9999999999}", k, CJWT_ALG_HS256, NULL);
    char *bad = raw_token(HS, "{\"exp\":1}", k, CJWT_ALG_HS256, NULL);
    pthread_t th[4];
    tctx c[4];
    for (int i = 0; i < 4; i++) {
        c[i] = (tctx){v, k, good, bad, 0};
        pthread_create(&th[i], NULL, worker, &c[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(c[i].ok);
    }
    free(good);
    free(bad);
    cjwt_verifier_free(v);
    cjwt_key_free(k);
}

static void test_threads_share_key_and_verifier(void)
{
    threads_share(0);
    threads_share(4);   /* the good token is served from the cache by every thread */
}

/* ---- verified-token cache ----------------------------------------------- */

static cjwt_verifier *cached_verifier(cjwt_verify_opts o, size_t size)
{
    o.cache_size = size;
    return cjwt_verifier_new(&o, NULL);
}

static cjwt_cache_stats stats_of(const cjwt_verifier *v)
{
    cjwt_cache_stats st;
    cjwt_verifier_cache_stats(v, &st);
    return st;
}

static void test_cache_hit(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verifier *v = cached_verifier(hs256_opts(), 8);
    char *t = raw_token(HS, "{\"sub\":\"u1\",\"exp\":1700000100}", k, CJWT_ALG_HS256, NULL);
    cjwt_error err;
    cjwt_decoded *d1, *d2;
    cjwt_cache_stats st;
    d1 = cjwt_verify(v, k, t, strlen(t), 1, NOW, &err);
    CHECK(d1 != NULL);
    st = stats_of(v);
    CHECK(st.misses == 1 && st.hits == 0 && st.size == 1 && st.capacity == 8);
    d2 = cjwt_verify(v, k, t, strlen(t), 1, NOW + 1, &err);
    CHECK(d2 == d1);               /* the same result, shared read-only */
    CHECK(err.code == CJWT_OK);
    CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decoded_payload(d2), "sub"), NULL), "u1");
    st = stats_of(v);
    CHECK(st.hits == 1 && st.misses == 1);
    cjwt_decoded_free(d1);
    cjwt_decoded_free(d2);
    /* the caller's key can go: the cache holds its own reference */
    cjwt_key_free(k);
    d1 = cjwt_verify(v, k, t, strlen(t), 1, NOW, &err);
    CHECK(d1 != NULL);
    cjwt_decoded_free(d1);
    /* a one-byte change is another token: not served, and refused */
    t[strlen(t) - 1] = t[strlen(t) - 1] == 'A' ? 'Q' : 'A';
    CHECK(cjwt_verify(v, k, t, strlen(t), 1, NOW, &err) == NULL);
    CHECK(err.code == CJWT_E_BAD_SIGNATURE || err.code == CJWT_E_MALFORMED);
    CHECK(stats_of(v).size == 1);  /* refused tokens are never remembered */
    cjwt_verifier_cache_clear(v);
    CHECK(stats_of(v).size == 0);
    free(t);
    cjwt_verifier_free(v);
}

/* A hit gives exactly what a full verification gives at every time: same
 * code, same message, for every time rule and leeway. */
static void test_cache_times_match_pipeline(void)
{
    static const char *payloads[] = {
        "{\"exp\":1700000010}",
        "{\"nbf\":1699999990,\"exp\":1700000050}",
        "{\"iat\":1699999995.7}",
        "{\"iat\":1699999990,\"nbf\":1699999995,\"exp\":1700000030.9}",
        "{\"sub\":\"s\"}",
    };
    static const double offsets[] = {-200, -16, -15, -10, -6, -5, -1, 0, 5, 9, 10, 11, 29, 30, 31,
                                     50, 60, 1e6};
    cjwt_key *k = secret_key(SECRET32);
    for (int variant = 0; variant < 3; variant++) {
        cjwt_verify_opts o = hs256_opts();
        cjwt_verifier *plain, *cached;
        if (variant == 1)
            o.leeway = 5;
        if (variant == 2) {
            o.has_max_age = 1;
            o.max_age = 20;
        }
        plain = cjwt_verifier_new(&o, NULL);
        cached = cached_verifier(o, 16);
        for (size_t p = 0; p < sizeof payloads / sizeof *payloads; p++) {
            char *t = raw_token(HS, payloads[p], k, CJWT_ALG_HS256, NULL);
            for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
                cjwt_error e1, e2;
                cjwt_decoded *d1, *d2, *prime;
                /* prime the cache at NOW, then ask at NOW + offset */
                prime = cjwt_verify(cached, k, t, strlen(t), 1, NOW, &e1);
                d1 = cjwt_verify(plain, k, t, strlen(t), 1, NOW + offsets[i], &e1);
                d2 = cjwt_verify(cached, k, t, strlen(t), 1, NOW + offsets[i], &e2);
                CHECK((d1 == NULL) == (d2 == NULL));
                CHECK(e1.code == e2.code);
                CHECK_STR(e1.message, e2.message);
                if ((d1 == NULL) != (d2 == NULL) || e1.code != e2.code)
                    fprintf(stderr, "  variant %d payload %s offset %g: %s vs %s\n", variant,
                            payloads[p], offsets[i], cjwt_code_name(e1.code), cjwt_code_name(e2.code));
                cjwt_decoded_free(prime);
                cjwt_decoded_free(d1);
                cjwt_decoded_free(d2);
            }
            free(t);
        }
        CHECK(stats_of(cached).hits > 0);
        CHECK(stats_of(cached).evictions > 0);   /* failed dates drop entries */
        cjwt_verifier_free(plain);
        cjwt_verifier_free(cached);
    }
    cjwt_key_free(k);
}

static void test_cache_key_change(void)
{
    cjwt_key *k1 = secret_key(SECRET32), *k2 = secret_key(SECRET32);
    cjwt_key *ka = cjwt_key_with(k1, "a", CJWT_ALG__COUNT, NULL);
    cjwt_key *kb = cjwt_key_with(k1, "b", CJWT_ALG__COUNT, NULL);
    cjwt_key *only_a[] = {ka}, *only_b[] = {kb};
    cjwt_keyset *s1 = cjwt_keyset_new(only_a, 1, NULL), *s2 = cjwt_keyset_new(only_b, 1, NULL);
    cjwt_verifier *v = cached_verifier(hs256_opts(), 8);
    char *t = raw_token(HS, "{\"exp\":1700000100}", k1, CJWT_ALG_HS256, NULL);
    char *tk = raw_token("{\"alg\":\"HS256\",\"kid\":\"a\"}", "{}", k1, CJWT_ALG_HS256, NULL);
    cjwt_error err;
    cjwt_decoded *d;
    d = cjwt_verify(v, k1, t, strlen(t), 1, NOW, &err);
    cjwt_decoded_free(d);
    CHECK(d != NULL);
    /* an equal secret in another key object is another key: verified again */
    d = cjwt_verify(v, k2, t, strlen(t), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    CHECK(stats_of(v).hits == 0 && stats_of(v).misses == 2 && stats_of(v).size == 1);
    /* key sets: a token verified under s1 is not served once the set is s2 */
    d = cjwt_verify_keyset(v, s1, tk, strlen(tk), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    d = cjwt_verify_keyset(v, s1, tk, strlen(tk), 1, NOW, &err);
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    CHECK(stats_of(v).hits == 1);
    CHECK(cjwt_verify_keyset(v, s2, tk, strlen(tk), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "invalid_key");       /* kid "a" is gone with the rotation */
    CHECK(stats_of(v).size == 1);         /* the stale entry went */
    free(t);
    free(tk);
    cjwt_keyset_free(s1);
    cjwt_keyset_free(s2);
    cjwt_key_free(ka);
    cjwt_key_free(kb);
    cjwt_key_free(k1);
    cjwt_key_free(k2);
    cjwt_verifier_free(v);
}

static void test_cache_revocation_and_lru(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verify_opts o = hs256_opts();
    denylist dl = {"none", 0, 0};
    cjwt_verifier *v;
    char *ta = raw_token(HS, "{\"jti\":\"a\"}", k, CJWT_ALG_HS256, NULL);
    char *tb = raw_token(HS, "{\"jti\":\"b\"}", k, CJWT_ALG_HS256, NULL);
    char *tc = raw_token(HS, "{\"jti\":\"c\"}", k, CJWT_ALG_HS256, NULL);
    cjwt_error err;
    o.revocation = deny;
    o.revocation_ctx = &dl;
    v = cached_verifier(o, 2);
#define VERIFY_OK(t) do { cjwt_decoded *d_ = cjwt_verify(v, k, (t), strlen(t), 1, NOW, &err); \
                          CHECK(d_ != NULL); cjwt_decoded_free(d_); } while (0)
    VERIFY_OK(ta);
    VERIFY_OK(ta);
    CHECK(dl.calls == 2);                 /* the hook runs on a hit too */
    dl.revoked_jti = "a";
    CHECK(cjwt_verify(v, k, ta, strlen(ta), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "revoked");
    dl.fail = 1;
    CHECK(cjwt_verify(v, k, ta, strlen(ta), 1, NOW, &err) == NULL);
    CHECK_CODE(err, "unavailable");
    dl.fail = 0;
    dl.revoked_jti = "none";
    /* LRU: a, b, touch a, c -> b is the one that goes */
    VERIFY_OK(tb);
    VERIFY_OK(ta);
    VERIFY_OK(tc);
    CHECK(stats_of(v).size == 2);
    {
        cjwt_cache_stats before = stats_of(v), after;
        VERIFY_OK(ta);
        after = stats_of(v);
        CHECK(after.hits == before.hits + 1);
        VERIFY_OK(tb);
        after = stats_of(v);
        CHECK(after.misses == before.misses + 1);
    }
#undef VERIFY_OK
    free(ta);
    free(tb);
    free(tc);
    cjwt_verifier_free(v);
    cjwt_key_free(k);
}

/* The bucket array grows from 16 slots as entries come: every entry stays
 * findable across the doublings, and the LRU bound still holds. */
static void test_cache_growth(void)
{
    cjwt_key *k = secret_key(SECRET32);
    cjwt_verifier *v = cached_verifier(hs256_opts(), 100);
    char *toks[150];
    cjwt_error err;
    for (int i = 0; i < 150; i++) {
        char json[64];
        cjwt_decoded *d;
        snprintf(json, sizeof json, "{\"jti\":\"t-%d\"}", i);
        toks[i] = raw_token(HS, json, k, CJWT_ALG_HS256, NULL);
        d = cjwt_verify(v, k, toks[i], strlen(toks[i]), 1, NOW, &err);
        CHECK(d != NULL);
        cjwt_decoded_free(d);
    }
    CHECK(stats_of(v).size == 100 && stats_of(v).evictions == 50);
    for (int i = 149; i >= 50; i--) {      /* the newest 100 are all there */
        cjwt_decoded *d = cjwt_verify(v, k, toks[i], strlen(toks[i]), 1, NOW, &err);
        CHECK(d != NULL);
        cjwt_decoded_free(d);
    }
    CHECK(stats_of(v).hits == 100 && stats_of(v).misses == 150);
    for (int i = 0; i < 150; i++)
        free(toks[i]);
    cjwt_verifier_free(v);
    cjwt_key_free(k);
}

static void test_cache_options(void)
{
    cjwt_verify_opts o = hs256_opts();
    cjwt_error err;
    cjwt_verifier *v;
    cjwt_key *k = secret_key(SECRET32);
    char *t = raw_token(HS, "{}", k, CJWT_ALG_HS256, NULL);
    cjwt_cache_stats st;
    /* no cache: stats say so */
    v = cjwt_verifier_new(&o, &err);
    CHECK(cjwt_verifier_cache_stats(v, &st) == 0 && st.capacity == 0);
    cjwt_verifier_cache_clear(v);
    cjwt_verifier_free(v);
    /* over the limit */
    o.cache_size = CJWT_MAX_CACHE_SIZE + 1;
    CHECK(cjwt_verifier_new(&o, &err) == NULL);
    CHECK_CODE(err, "internal");
    /* the signature unchecked: nothing to remember, so asking for a cache is refused */
    o.cache_size = 4;
    o.verify = 0;
    o.verify_set = CJWT_CHECK_SIGNATURE;
    CHECK(cjwt_verifier_new(&o, &err) == NULL);
    CHECK_CODE(err, "internal");
    CHECK(strstr(err.message, "needs the signature check") != NULL);
    /* raw JWS mode is cached too */
    o = hs256_opts();
    o.raw_payload = 1;
    o.cache_size = 4;
    v = cjwt_verifier_new(&o, &err);
    for (int i = 0; i < 2; i++) {
        size_t n = 0;
        cjwt_decoded *d = cjwt_verify(v, k, t, strlen(t), 0, 0, &err);
        CHECK(d != NULL && cjwt_decoded_payload(d) == NULL);
        CHECK(d && cjwt_decoded_payload_bytes(d, &n) && n == 2);
        cjwt_decoded_free(d);
    }
    CHECK(stats_of(v).hits == 1);
    /* an over-long token is refused by the pipeline, not hashed */
    {
        char *big = malloc(CJWT_DEFAULT_MAX_TOKEN_LEN + 2);
        memset(big, 'a', CJWT_DEFAULT_MAX_TOKEN_LEN + 1);
        CHECK(cjwt_verify(v, k, big, CJWT_DEFAULT_MAX_TOKEN_LEN + 1, 0, 0, &err) == NULL);
        CHECK_CODE(err, "too_large");
        free(big);
    }
    cjwt_verifier_free(v);
    free(t);
    cjwt_key_free(k);
}

int main(void)
{
    RUN(test_code_names);
    RUN(test_alg_names);
    RUN(test_b64url_roundtrip);
    RUN(test_b64url_strict);
    RUN(test_json_strict);
    RUN(test_value_api);
    RUN(test_reader_matches_jansson);
    RUN(test_decoded_accessors);
    RUN(test_keys);
    RUN(test_jwk);
    RUN(test_key_binding);
    RUN(test_short_secret);
    RUN(test_encode_header);
    RUN(test_encode_expires_in);
    RUN(test_duration);
    RUN(test_structure);
    RUN(test_limits);
    RUN(test_header_rules);
    RUN(test_payload_rules);
    RUN(test_signature);
    RUN(test_order_of_checks);
    RUN(test_claims_times);
    RUN(test_claims_aud_iss_sub);
    RUN(test_claims_required_and_typ);
    RUN(test_verify_signature_off);
    RUN(test_raw_payload);
    RUN(test_unverified_header);
    RUN(test_revocation_hook);
    RUN(test_verifier_copies);
    RUN(test_threads_share_key_and_verifier);
    RUN(test_cache_hit);
    RUN(test_cache_times_match_pipeline);
    RUN(test_cache_key_change);
    RUN(test_cache_revocation_and_lru);
    RUN(test_cache_growth);
    RUN(test_cache_options);
    RUN(test_decode_unsecured);
    return testlib_report("test_core");
}
