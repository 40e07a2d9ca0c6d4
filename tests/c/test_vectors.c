/* Runs the shared, data-driven vectors (tests/vectors/ *.json, format in
 * tests/vectors/README.md) through the public C API.
 *
 * The directory comes from the environment variable CJWT_VECTORS (the
 * Makefile sets it to tests/vectors). Every *.json file there is loaded with
 * jansson (the tests may use it directly; the bindings may not) and each
 * case is one test: the key is built with cjwt_key_from_secret,
 * cjwt_key_from_jwk_json, cjwt_key_from_bytes (a PEM, as the bindings pass a
 * str key) or cjwt_key_from_pem (a PEM with a password), or a key set with
 * cjwt_keyset_from_jwks_json; the options become a cjwt_verify_opts
 * (raw_payload for "mode": "jws"), and cjwt_verify_with's (or
 * cjwt_verify_keyset_with's) answer is compared with `expect` (an error name
 * and claim, the decoded claims/header, numbers compared by value, or the raw
 * payload bytes).
 *
 * A key that the core refuses at creation counts as the case's answer (the
 * bindings build the key first too), so `invalid_key` may come from either
 * step. Anything unexpected in the data itself (unknown members, unknown
 * algorithm names, wrong types) is a failure: a typo must not silently
 * weaken a vector. Zero cases found is a failure too. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cjwt.h"
#include "testlib.h"

static const char *cur_file = "";
static const char *cur_case = "";
static const char *cur_pass = "";   /* "" or " (cached verifier, call N)" */
static int verbose;   /* CJWT_VECTORS_VERBOSE=1: name each case before running it */

/* Reports one failure of the current case (several may be printed). */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "  FAIL %s: %s%s: ", cur_file, cur_case, cur_pass);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    testlib_current_failed = 1;
}

/* ---- comparing decoded values with the expected JSON ------------------- */

static int is_number(const json_t *j) { return json_is_integer(j) || json_is_real(j); }

/* 1 when the core's value equals the expected JSON value. Integers and reals
 * compare by value; objects compare as sets of members. */
static int value_equal(const cjwt_value *v, const json_t *j) {
    if (!v || !j) return 0;
    cjwt_type t = cjwt_value_type(v);
    switch (json_typeof(j)) {
    case JSON_NULL: return t == CJWT_TYPE_NULL;
    case JSON_TRUE: return t == CJWT_TYPE_TRUE;
    case JSON_FALSE: return t == CJWT_TYPE_FALSE;
    case JSON_INTEGER:
    case JSON_REAL:
        if (t == CJWT_TYPE_INT && json_is_integer(j))
            return cjwt_value_int(v) == (int64_t)json_integer_value(j);
        if (t != CJWT_TYPE_INT && t != CJWT_TYPE_REAL) return 0;
        return cjwt_value_real(v) == json_number_value(j);
    case JSON_STRING: {
        size_t len = 0;
        const char *s = cjwt_value_string(v, &len);
        return t == CJWT_TYPE_STRING && s && len == json_string_length(j) &&
               memcmp(s, json_string_value(j), len) == 0;
    }
    case JSON_ARRAY: {
        if (t != CJWT_TYPE_ARRAY || cjwt_value_size(v) != json_array_size(j)) return 0;
        for (size_t i = 0; i < json_array_size(j); i++)
            if (!value_equal(cjwt_value_array_get(v, i), json_array_get(j, i))) return 0;
        return 1;
    }
    case JSON_OBJECT: {
        /* Walk the core's members in document order (one recursion per
         * member: nested objects stay linear). Equal sizes plus every
         * member found in the expected object means equal objects. */
        size_t n = 0;
        if (t != CJWT_TYPE_OBJECT || cjwt_value_size(v) != json_object_size(j)) return 0;
        for (void *it = cjwt_object_iter(v); it; it = cjwt_object_iter_next(v, it)) {
            size_t klen = 0;
            const char *key = cjwt_object_iter_key(it, &klen);
            const cjwt_value *mv = cjwt_object_iter_value(it);
            if (!key || strlen(key) != klen) return 0;
            if (cjwt_value_object_get(v, key) != mv) return 0;   /* lookup agrees */
            if (!value_equal(mv, json_object_get(j, key))) return 0;
            n++;
        }
        return n == json_object_size(j);
    }
    }
    return 0;
}

static void report_mismatch(const char *what, const cjwt_value *got, const json_t *want) {
    char *g = got ? cjwt_value_to_json(got, NULL, NULL) : NULL;
    char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    fail("%s differ:\n      got  %s\n      want %s", what, g ? g : "(null)", w ? w : "(null)");
    cjwt_free(g);
    free(w);
}

/* ---- building keys and options ---------------------------------------- */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Returns 0 and sets *key or *ks (both may stay NULL for a null key) or
 * *kerr when the core refused the key; -1 on a test-data error (already
 * reported). */
static int build_key(const json_t *kspec, const json_t *flags, cjwt_key **key,
                     cjwt_keyset **ks, cjwt_error *kerr) {
    unsigned kflags = 0;
    *key = NULL;
    *ks = NULL;
    if (flags) {
        size_t i;
        json_t *fl;
        if (!json_is_array(flags)) { fail("key_flags must be a list"); return -1; }
        json_array_foreach(flags, i, fl) {
            if (json_is_string(fl) && strcmp(json_string_value(fl), "allow_short_secret") == 0)
                kflags |= CJWT_KEY_ALLOW_SHORT_SECRET;
            else { fail("unknown key flag"); return -1; }
        }
    }
    if (!kspec || json_is_null(kspec)) return 0;
    json_t *secret = json_object_get(kspec, "secret");
    json_t *hex = json_object_get(kspec, "secret_hex");
    json_t *jwk = json_object_get(kspec, "jwk");
    json_t *pem = json_object_get(kspec, "pem");
    json_t *password = json_object_get(kspec, "password");
    json_t *jwks = json_object_get(kspec, "jwks");
    if (!json_is_object(kspec) ||
        json_object_size(kspec) != (size_t)(1 + (pem && password))) {
        fail("key must be null or an object with one member (pem: optionally a password)");
        return -1;
    }
    if (password && !pem) { fail("key.password goes with key.pem only"); return -1; }
    if (secret) {
        if (!json_is_string(secret)) { fail("key.secret must be a string"); return -1; }
        *key = cjwt_key_from_secret((const unsigned char *)json_string_value(secret),
                                    json_string_length(secret), kflags, kerr);
    } else if (hex) {
        const char *h = json_string_value(hex);
        size_t n = h ? strlen(h) : 1;
        if (!h || n % 2) { fail("key.secret_hex must be an even-length hex string"); return -1; }
        unsigned char *buf = malloc(n / 2 + 1);
        if (!buf) { fail("out of memory"); return -1; }
        for (size_t i = 0; i < n / 2; i++) {
            int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
            if (hi < 0 || lo < 0) { free(buf); fail("bad hex in key.secret_hex"); return -1; }
            buf[i] = (unsigned char)(hi * 16 + lo);
        }
        *key = cjwt_key_from_secret(buf, n / 2, kflags, kerr);
        free(buf);
    } else if (jwk) {
        if (!json_is_object(jwk)) { fail("key.jwk must be an object"); return -1; }
        char *text = json_dumps(jwk, JSON_COMPACT);
        if (!text) { fail("out of memory"); return -1; }
        *key = cjwt_key_from_jwk_json(text, strlen(text), kflags, kerr);
        free(text);
    } else if (pem) {
        if (!json_is_string(pem)) { fail("key.pem must be a string"); return -1; }
        if (password && !json_is_string(password)) {
            fail("key.password must be a string");
            return -1;
        }
        if (password)   /* as Key.from_pem(pem, password=...) / cjwt.key(pem, {password=}) */
            *key = cjwt_key_from_pem(json_string_value(pem), json_string_length(pem),
                                     json_string_value(password), json_string_length(password),
                                     kflags, kerr);
        else            /* as a str key in Python and Lua */
            *key = cjwt_key_from_bytes((const unsigned char *)json_string_value(pem),
                                       json_string_length(pem), kflags, kerr);
    } else if (jwks) {
        char *text;
        if (!json_is_object(jwks)) { fail("key.jwks must be an object"); return -1; }
        text = json_dumps(jwks, JSON_COMPACT);
        if (!text) { fail("out of memory"); return -1; }
        *ks = cjwt_keyset_from_jwks_json(text, strlen(text), kflags, kerr);
        free(text);
        if (!*ks && kerr->code == CJWT_OK) {
            fail("key set creation returned NULL without an error code");
            return -1;
        }
        return 0;
    } else {
        fail("key must have secret, secret_hex, jwk, pem or jwks");
        return -1;
    }
    if (!*key && kerr->code == CJWT_OK) {
        fail("key creation returned NULL without an error code");
        return -1;
    }
    return 0;
}

/* A string or a list of strings -> a malloc'ed array of borrowed pointers. */
static int string_list(const json_t *j, const char *what, const char ***out, size_t *n) {
    *out = NULL;
    *n = 0;
    if (json_is_string(j)) {
        *out = malloc(sizeof **out);
        if (!*out) { fail("out of memory"); return -1; }
        (*out)[0] = json_string_value(j);
        *n = 1;
        return 0;
    }
    if (!json_is_array(j)) { fail("option %s must be a string or a list", what); return -1; }
    *out = malloc(sizeof **out * (json_array_size(j) + 1));
    if (!*out) { fail("out of memory"); return -1; }
    for (size_t i = 0; i < json_array_size(j); i++) {
        json_t *s = json_array_get(j, i);
        if (!json_is_string(s)) { fail("option %s: list of strings expected", what); return -1; }
        (*out)[i] = json_string_value(s);
    }
    *n = json_array_size(j);
    return 0;
}

typedef struct {
    cjwt_verify_opts o;
    const char **aud, **iss, **req;   /* owned arrays of borrowed strings */
} opts_buf;

static void opts_free(opts_buf *b) {
    free(b->aud);
    free(b->iss);
    free(b->req);
}

static const struct { const char *name; unsigned bit; } verify_flags[] = {
    {"verify_signature", CJWT_CHECK_SIGNATURE}, {"verify_exp", CJWT_CHECK_EXP},
    {"verify_nbf", CJWT_CHECK_NBF}, {"verify_iat", CJWT_CHECK_IAT},
    {"verify_aud", CJWT_CHECK_AUD}, {"verify_iss", CJWT_CHECK_ISS},
    {"verify_sub", CJWT_CHECK_SUB}, {"verify_jti", CJWT_CHECK_JTI},
};

static int build_opts(const json_t *options, opts_buf *b) {
    const char *k;
    json_t *v;
    memset(b, 0, sizeof *b);
    if (!options) return 0;
    if (!json_is_object(options)) { fail("options must be an object"); return -1; }
    json_object_foreach((json_t *)options, k, v) {
        size_t i;
        int done = 0;
        for (i = 0; i < sizeof verify_flags / sizeof verify_flags[0]; i++) {
            if (strcmp(k, verify_flags[i].name) != 0) continue;
            if (!json_is_boolean(v)) { fail("option %s must be a boolean", k); return -1; }
            b->o.verify_set |= verify_flags[i].bit;
            if (json_is_true(v)) b->o.verify |= verify_flags[i].bit;
            done = 1;
        }
        if (done) continue;
        if (strcmp(k, "algorithms") == 0) {
            json_t *a;
            if (!json_is_array(v)) { fail("algorithms must be a list"); return -1; }
            json_array_foreach(v, i, a) {
                const char *name = json_string_value(a);
                cjwt_alg alg = name ? cjwt_alg_from_name(name, json_string_length(a))
                                    : CJWT_ALG__COUNT;
                if (alg == CJWT_ALG__COUNT) {
                    fail("test data: unknown algorithm name in options: %s", name ? name : "?");
                    return -1;
                }
                b->o.algorithms |= CJWT_ALG_BIT(alg);
            }
        } else if (strcmp(k, "audience") == 0) {
            if (string_list(v, k, &b->aud, &b->o.n_audience)) return -1;
            b->o.audience = b->aud;
        } else if (strcmp(k, "issuer") == 0) {
            if (string_list(v, k, &b->iss, &b->o.n_issuer)) return -1;
            b->o.issuer = b->iss;
        } else if (strcmp(k, "require") == 0) {
            if (!json_is_array(v)) { fail("require must be a list"); return -1; }
            if (string_list(v, k, &b->req, &b->o.n_required)) return -1;
            b->o.required = b->req;
        } else if (strcmp(k, "strict_aud") == 0) {
            if (!json_is_boolean(v)) { fail("strict_aud must be a boolean"); return -1; }
            b->o.strict_aud = json_is_true(v);
        } else if (strcmp(k, "subject") == 0) {
            if (!json_is_string(v)) { fail("subject must be a string"); return -1; }
            b->o.subject = json_string_value(v);
        } else if (strcmp(k, "typ") == 0) {
            if (!json_is_string(v)) { fail("typ must be a string"); return -1; }
            b->o.typ = json_string_value(v);
        } else if (strcmp(k, "leeway") == 0) {
            if (!is_number(v)) { fail("leeway must be a number"); return -1; }
            b->o.leeway = json_number_value(v);
        } else if (strcmp(k, "max_age") == 0) {
            if (!is_number(v)) { fail("max_age must be a number"); return -1; }
            b->o.has_max_age = 1;
            b->o.max_age = json_number_value(v);
        } else if (strcmp(k, "max_token_len") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                fail("max_token_len must be a positive integer");
                return -1;
            }
            b->o.max_token_len = (size_t)json_integer_value(v);
        } else if (strcmp(k, "max_depth") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
                json_integer_value(v) > 1000000) {
                fail("max_depth must be a positive integer");
                return -1;
            }
            b->o.max_depth = (int)json_integer_value(v);
        } else {
            fail("test data: unknown option %s", k);
            return -1;
        }
    }
    return 0;
}

/* ---- one case ---------------------------------------------------------- */

static const char *const case_members[] = {
    "name", "source", "note", "token", "key", "key_flags", "options", "now", "expect", "mode",
    NULL,
};

static int known_member(const char *k) {
    for (int i = 0; case_members[i]; i++)
        if (strcmp(case_members[i], k) == 0) return 1;
    return 0;
}

/* Checks the answer against `expect`. `d` or `e` holds the answer. jws:
 * raw JWS mode, where a success is the payload bytes, never claims. */
static void check_answer(const json_t *expect, const cjwt_decoded *d, const cjwt_error *e,
                         int jws) {
    json_t *want_err = json_object_get(expect, "error");
    json_t *want_claims = json_object_get(expect, "claims");
    json_t *want_b64u = json_object_get(expect, "payload_b64u");
    json_t *want_text = json_object_get(expect, "payload_text");
    json_t *want_header = json_object_get(expect, "header");
    json_t *want_claim = json_object_get(expect, "claim");
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)expect, k, v) {
        if (strcmp(k, "error") && strcmp(k, "claims") && strcmp(k, "header") &&
            strcmp(k, "claim") && strcmp(k, "payload_b64u") && strcmp(k, "payload_text")) {
            fail("test data: unknown member expect.%s", k);
            return;
        }
    }
    if (!!want_err + !!want_claims + !!want_b64u + !!want_text != 1) {
        fail("test data: expect needs exactly one of error / claims / payload_b64u / payload_text");
        return;
    }
    if (jws ? (want_claims || want_header) : (want_b64u || want_text)) {
        fail("test data: mode jws expects payload_b64u or payload_text (no claims/header); "
             "a JWT case expects claims");
        return;
    }
    if (want_err) {
        const char *name = json_string_value(want_err);
        if (!name || cjwt_code_from_name(name) == CJWT_E__COUNT || want_header) {
            fail("test data: bad expect.error");
            return;
        }
        if (d) {
            char *got = jws ? NULL : cjwt_value_to_json(cjwt_decoded_payload(d), NULL, NULL);
            fail("expected error %s, but the token verified (claims %s)", name,
                 got ? got : "?");
            cjwt_free(got);
            return;
        }
        if (strcmp(cjwt_code_name(e->code), name) != 0) {
            fail("expected error %s, got %s (%s)", name, cjwt_code_name(e->code), e->message);
            return;
        }
        if (want_claim) {
            const char *c = json_string_value(want_claim);
            if (!c) { fail("test data: expect.claim must be a string"); return; }
            if (strcmp(c, e->claim) != 0)
                fail("expected claim \"%s\", got \"%s\" (%s)", c, e->claim, e->message);
        }
        return;
    }
    if (want_claim) { fail("test data: expect.claim only goes with an error"); return; }
    if (!d) {
        fail("expected the token to verify, got %s (%s%s%s)", cjwt_code_name(e->code),
             e->message, e->claim[0] ? ", claim " : "", e->claim);
        return;
    }
    if (jws) {
        size_t n = 0;
        const unsigned char *p = cjwt_decoded_payload_bytes(d, &n);
        if (cjwt_decoded_payload(d))
            fail("raw JWS mode: the payload was parsed as JSON");
        if (want_text) {
            if (!json_is_string(want_text)) { fail("test data: payload_text must be a string"); return; }
            if (!p || n != json_string_length(want_text) ||
                memcmp(p, json_string_value(want_text), n) != 0)
                fail("payload differs from expect.payload_text (%zu bytes)", n);
        } else {
            char *got = p ? b64u(p, n) : NULL;
            if (!json_is_string(want_b64u)) { free(got); fail("test data: payload_b64u must be a string"); return; }
            if (!got || strcmp(got, json_string_value(want_b64u)) != 0)
                fail("payload differs:\n      got  %s\n      want %s", got ? got : "(null)",
                     json_string_value(want_b64u));
            free(got);
        }
        return;
    }
    if (!json_is_object(want_claims)) { fail("test data: expect.claims must be an object"); return; }
    if (!value_equal(cjwt_decoded_payload(d), want_claims))
        report_mismatch("claims", cjwt_decoded_payload(d), want_claims);
    if (want_header && !value_equal(cjwt_decoded_header(d), want_header))
        report_mismatch("header", cjwt_decoded_header(d), want_header);
}

/* The same case through a compiled verifier with a verified-token cache,
 * twice: the first call fills the cache, the second is served from it when
 * the token passed. Both must give the expected answer. (Cases with the
 * signature check off run through a verifier without a cache.) */
static void check_cached(const cjwt_verify_opts *o, const cjwt_key *key, const cjwt_keyset *ks,
                         const json_t *token, double now, const json_t *expect, int jws) {
    cjwt_verify_opts co = *o;
    cjwt_verifier *v;
    cjwt_error err;
    static const char *labels[] = {" (cached verifier, first call)", " (cached verifier, second call)"};
    /* a cache needs the signature check: with it off the verifier is compiled
     * without one (and must refuse one) */
    co.cache_size = 2;
    if ((co.verify_set & CJWT_CHECK_SIGNATURE) && !(co.verify & CJWT_CHECK_SIGNATURE)) {
        if ((v = cjwt_verifier_new(&co, &err)) != NULL) {
            fail("a verifier without the signature check accepted a cache");
            cjwt_verifier_free(v);
        }
        co.cache_size = 0;
    }
    if (!(v = cjwt_verifier_new(&co, &err))) {
        fail("cjwt_verifier_new: %s", err.message);
        return;
    }
    for (int i = 0; i < 2; i++) {
        cjwt_decoded *d = ks ? cjwt_verify_keyset(v, ks, json_string_value(token),
                                                  json_string_length(token), 1, now, &err)
                             : cjwt_verify(v, key, json_string_value(token),
                                           json_string_length(token), 1, now, &err);
        cur_pass = labels[i];
        if (!d && err.code == CJWT_OK)
            fail("cjwt_verify returned NULL with CJWT_OK");
        else
            check_answer(expect, d, &err, jws);
        cjwt_decoded_free(d);
    }
    cur_pass = "";
    cjwt_verifier_free(v);
}

static void run_case(const json_t *c) {
    const char *k;
    json_t *v;
    json_t *token = json_object_get(c, "token");
    json_t *now = json_object_get(c, "now");
    json_t *expect = json_object_get(c, "expect");
    json_t *mode = json_object_get(c, "mode");
    cjwt_key *key = NULL;
    cjwt_keyset *ks = NULL;
    cjwt_error kerr, err;
    opts_buf ob;
    int jws = 0;

    memset(&kerr, 0, sizeof kerr);
    memset(&err, 0, sizeof err);
    json_object_foreach((json_t *)c, k, v) {
        if (!known_member(k)) { fail("test data: unknown case member %s", k); return; }
    }
    if (!json_is_string(token) || !is_number(now) || !json_is_object(expect) ||
        !json_object_get(c, "key")) {
        fail("test data: token (string), key, now (number) and expect (object) are required");
        return;
    }
    if (mode) {
        if (!json_is_string(mode) || strcmp(json_string_value(mode), "jws") != 0) {
            fail("test data: mode must be \"jws\"");
            return;
        }
        jws = 1;
    }
    if (build_opts(json_object_get(c, "options"), &ob) != 0) {
        opts_free(&ob);
        return;
    }
    ob.o.raw_payload = jws;
    if (build_key(json_object_get(c, "key"), json_object_get(c, "key_flags"), &key, &ks,
                  &kerr) != 0) {
        opts_free(&ob);
        return;
    }
    if (!key && !ks && kerr.code != CJWT_OK) {
        /* The key itself was refused: that is the answer. */
        if (verbose) fprintf(stderr, "    key refused: %s (%s)\n", cjwt_code_name(kerr.code),
                             kerr.message);
        check_answer(expect, NULL, &kerr, jws);
    } else {
        cjwt_decoded *d =
            ks ? cjwt_verify_keyset_with(&ob.o, ks, json_string_value(token),
                                         json_string_length(token), 1, json_number_value(now),
                                         &err)
               : cjwt_verify_with(&ob.o, key, json_string_value(token),
                                  json_string_length(token), 1, json_number_value(now), &err);
        if (verbose) fprintf(stderr, "    -> %s (%s)\n", d ? "ok" : cjwt_code_name(err.code),
                             d ? "" : err.message);
        if (!d && err.code == CJWT_OK)
            fail("cjwt_verify_with returned NULL with CJWT_OK");
        else
            check_answer(expect, d, &err, jws);
        cjwt_decoded_free(d);
        check_cached(&ob.o, key, ks, token, json_number_value(now), expect, jws);
    }
    cjwt_key_free(key);
    cjwt_keyset_free(ks);
    opts_free(&ob);
}

/* ---- files ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Runs one file; returns the number of cases, or -1 if it cannot be used. */
static int run_file(const char *dir, const char *fname) {
    char path[4096];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/%s", dir, fname);
    cur_file = fname;
    cur_case = "(file)";
    /* JSON_ALLOW_NUL: some tokens contain "\u0000" on purpose. */
    json_t *root = json_load_file(path, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        fprintf(stderr, "  FAIL %s: cannot load: %s (line %d)\n", fname, jerr.text, jerr.line);
        testlib_failed++;
        return -1;
    }
    json_t *cases = json_object_get(root, "cases");
    if (!json_is_array(cases) || !json_is_string(json_object_get(root, "description"))) {
        fprintf(stderr, "  FAIL %s: needs \"description\" and a \"cases\" list\n", fname);
        testlib_failed++;
        json_decref(root);
        return -1;
    }
    json_t *names = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        char fallback[32];
        if (!name) {
            snprintf(fallback, sizeof fallback, "#%zu", i);
            name = fallback;
        }
        cur_case = name;
        testlib_current_failed = 0;
        if (verbose) fprintf(stderr, "  run %s: %s\n", fname, name);
        if (!json_is_object(c) || !json_is_string(json_object_get(c, "name")))
            fail("test data: a case must be an object with a name");
        else if (json_object_get(names, name))
            fail("test data: duplicate case name");
        else {
            json_object_set_new(names, name, json_true());
            run_case(c);
        }
        if (testlib_current_failed) {
            testlib_failed++;
            fprintf(stderr, "not ok %s: %s\n", fname, name);
        } else {
            testlib_passed++;
        }
    }
    int count = (int)json_array_size(cases);
    json_decref(names);
    json_decref(root);
    return count;
}

int main(void) {
    const char *dir = getenv("CJWT_VECTORS");
    if (!dir || !*dir) dir = "tests/vectors";
    verbose = getenv("CJWT_VECTORS_VERBOSE") != NULL;
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "test_vectors: cannot open %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char **files = NULL;
    size_t nfiles = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.' || !ends_with(de->d_name, ".json")) continue;
        if (strncmp(de->d_name, "jwe_", 4) == 0) continue;   /* JWE vectors: test_jwe.c */
        if (strncmp(de->d_name, "jws_", 4) == 0) continue;   /* JWS JSON: test_jws_json.c */
        if (nfiles == cap) {
            cap = cap ? cap * 2 : 16;
            char **nf = realloc(files, cap * sizeof *files);
            if (!nf) { fprintf(stderr, "out of memory\n"); return 1; }
            files = nf;
        }
        files[nfiles] = strdup(de->d_name);
        if (!files[nfiles]) { fprintf(stderr, "out of memory\n"); return 1; }
        nfiles++;
    }
    closedir(dp);
    if (nfiles) qsort(files, nfiles, sizeof *files, cmp_str);

    long total = 0;
    for (size_t i = 0; i < nfiles; i++) {
        int n = run_file(dir, files[i]);
        if (n > 0) total += n;
        printf("  %s: %d cases\n", files[i], n < 0 ? 0 : n);
        free(files[i]);
    }
    free(files);
    if (total == 0) {
        fprintf(stderr, "test_vectors: no cases found in %s\n", dir);
        testlib_failed++;
    }
    return testlib_report("vectors");
}
