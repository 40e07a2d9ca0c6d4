/* JWS JSON serialization (RFC 7515 7.2), detached payloads and RFC 7797
 * "b64": false: the shared vectors (tests/vectors/jws_rfc.json: RFC 7520
 * section 4, RFC 7797 section 4, threats), then signing round trips and the
 * rules the vectors cannot state (key choice by kid, key sets, the JWT
 * refusal on signing, limits on signing). */
#include "cjwt.h"
#include "testlib.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char SECRET[] = "cjwt JWS JSON threat-test secret";   /* 32 bytes */

static cjwt_alg alg_named(const char *s) { return cjwt_alg_from_name(s, strlen(s)); }

static json_t *load_vectors(void)
{
    const char *d = getenv("CJWT_VECTORS");
    char path[1024];
    json_error_t je;
    json_t *root;
    snprintf(path, sizeof path, "%s/jws_rfc.json", d && *d ? d : "tests/vectors");
    root = json_load_file(path, 0, &je);
    if (!root)
        fprintf(stderr, "  cannot read %s: %s\n", path, je.text);
    return root;
}

/* One vector: verify (JWS level, or decode for mode "jwt") and compare. */
static int run_vector(json_t *c)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *expect = json_object_get(c, "expect"), *algs, *a;
    json_t *tokv = json_object_get(c, "token"), *det = json_object_get(c, "detached");
    const char *mode = json_string_value(json_object_get(c, "mode"));
    char *jwk = json_dumps(json_object_get(json_object_get(c, "key"), "jwk"), JSON_COMPACT);
    char *text = tokv ? strdup(json_string_value(tokv))
                      : json_dumps(json_object_get(c, "jws"), JSON_COMPACT | JSON_ENCODE_ANY);
    cjwt_verify_opts o;
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk_json(jwk, strlen(jwk), 0, &err);
    cjwt_decoded *d = NULL;
    size_t i;
    int ok = 1;
    memset(&o, 0, sizeof o);
    algs = json_object_get(json_object_get(c, "options"), "algorithms");
    json_array_foreach(algs, i, a) {
        cjwt_alg x = alg_named(json_string_value(a));
        if (x != CJWT_ALG__COUNT)
            o.algorithms |= CJWT_ALG_BIT(x);
    }
    if (!k) {
        fprintf(stderr, "  %s: key: %s\n", name, err.message);
        ok = 0;
        goto out;
    }
    if (mode && strcmp(mode, "jwt") == 0) {
        d = cjwt_verify_with(&o, k, text, strlen(text), 1, 1e9, &err);
    } else {
        const char *dp = det ? json_string_value(det) : NULL;
        d = cjwt_jws_verify(&o, k, NULL, text, strlen(text), (const unsigned char *)dp,
                            dp ? strlen(dp) : 0, &err);
    }
    if (json_object_get(expect, "error")) {
        const char *want = json_string_value(json_object_get(expect, "error"));
        if (d || strcmp(cjwt_code_name(err.code), want) != 0) {
            fprintf(stderr, "  %s: expected %s, got %s (%s)\n", name, want,
                    d ? "success" : cjwt_code_name(err.code), d ? "" : err.message);
            ok = 0;
        }
    } else if (!d) {
        fprintf(stderr, "  %s: %s (%s)\n", name, cjwt_code_name(err.code), err.message);
        ok = 0;
    } else {
        size_t n = 0;
        const unsigned char *p = cjwt_decoded_payload_bytes(d, &n);
        const char *want = json_string_value(json_object_get(expect, "payload"));
        const char *walg = json_string_value(json_object_get(expect, "alg"));
        size_t widx = (size_t)json_integer_value(json_object_get(expect, "signature_index"));
        if (n != strlen(want) || memcmp(p, want, n) != 0 ||
            strcmp(cjwt_alg_name(cjwt_decoded_alg(d)), walg) != 0 ||
            cjwt_decoded_signature_index(d) != widx) {
            fprintf(stderr, "  %s: payload/alg/index differ (%.*s, %s, %zu)\n", name, (int)n, p,
                    cjwt_alg_name(cjwt_decoded_alg(d)), cjwt_decoded_signature_index(d));
            ok = 0;
        }
        if (!cjwt_value_object_get(cjwt_decoded_header(d), "alg")) {
            fprintf(stderr, "  %s: the result's header has no alg\n", name);
            ok = 0;
        }
    }
out:
    cjwt_decoded_free(d);
    cjwt_key_free(k);
    free(jwk);
    free(text);
    return ok;
}

static void test_vectors(void)
{
    json_t *root = load_vectors(), *c;
    size_t i, n = 0, rfc7520 = 0, rfc7797 = 0, threats = 0;
    CHECK(root != NULL);
    json_array_foreach(json_object_get(root, "cases"), i, c) {
        const char *src = json_string_value(json_object_get(c, "source"));
        CHECK(run_vector(c));
        n++;
        rfc7520 += strncmp(src, "RFC 7520", 8) == 0;
        rfc7797 += strncmp(src, "RFC 7797", 8) == 0;
        threats += strcmp(src, "threat") == 0;
    }
    /* 4.1-4.4 x3, 4.5 x3, 4.6-4.7 x2, 4.8 x5; RFC 7797 x6 */
    CHECK(rfc7520 == 24);
    CHECK(rfc7797 == 6);
    CHECK(threats > 40);
    printf("jws_rfc.json: %zu cases (%zu RFC 7520, %zu RFC 7797, %zu threats)\n", n, rfc7520,
           rfc7797, threats);
    json_decref(root);
}

static cjwt_value *obj(const char *json)
{
    return cjwt_value_from_json(json, strlen(json), NULL);
}

static cjwt_key *secret_key(const char *kid)
{
    cjwt_key *k = cjwt_key_from_secret((const unsigned char *)SECRET, 32, 0, NULL);
    cjwt_key *w = kid ? cjwt_key_with(k, kid, CJWT_ALG__COUNT, NULL) : NULL;
    if (w) {
        cjwt_key_free(k);
        return w;
    }
    return k;
}

static cjwt_verify_opts allow(uint32_t bits)
{
    cjwt_verify_opts o;
    memset(&o, 0, sizeof o);
    o.algorithms = bits;
    return o;
}

/* compact: b64 false attached and detached, b64 true detached */
static void test_compact_sign_roundtrip(void)
{
    cjwt_key *k = secret_key(NULL);
    cjwt_value *h = obj("{\"b64\":false}");
    cjwt_sign_opts so;
    cjwt_verify_opts o = allow(CJWT_ALG_BIT(CJWT_ALG_HS256));
    cjwt_error err;
    cjwt_decoded *d;
    cjwt_value *uh;
    char *t;
    size_t n;
    memset(&so, 0, sizeof so);
    so.alg = CJWT_ALG_HS256;
    so.header = h;
    t = cjwt_jws_encode((const unsigned char *)"$02 text", 8, k, &so, NULL, &err);
    CHECK(t && strstr(t, ".$02 text.") != NULL);
    /* the header lists b64 in crit */
    uh = t ? cjwt_unverified_header(t, strlen(t), &err) : NULL;
    CHECK(uh && cjwt_value_type(cjwt_value_object_get(uh, "b64")) == CJWT_TYPE_FALSE);
    CHECK(uh && cjwt_value_size(cjwt_value_object_get(uh, "crit")) == 1);
    cjwt_value_free(uh);
    d = t ? cjwt_jws_verify(&o, k, NULL, t, strlen(t), NULL, 0, &err) : NULL;
    CHECK(d && memcmp(cjwt_decoded_payload_bytes(d, &n), "$02 text", 8) == 0 && n == 8);
    cjwt_decoded_free(d);
    /* the old compact entry point reads it too (raw mode) */
    o.raw_payload = 1;
    d = t ? cjwt_verify_with(&o, k, t, strlen(t), 0, 0, &err) : NULL;
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    o.raw_payload = 0;
    free(t);
    /* '.' or a byte outside printable ASCII: only detached */
    t = cjwt_jws_encode((const unsigned char *)"a.b", 3, k, &so, NULL, &err);
    CHECK(!t);
    CHECK_CODE(err, "malformed");
    so.detached = 1;
    t = cjwt_jws_encode((const unsigned char *)"a.b\n\0", 5, k, &so, NULL, &err);
    CHECK(t && strstr(t, "..") != NULL);
    d = t ? cjwt_jws_verify(&o, k, NULL, t, strlen(t), (const unsigned char *)"a.b\n\0", 5, &err) : NULL;
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    d = t ? cjwt_jws_verify(&o, k, NULL, t, strlen(t), (const unsigned char *)"a.b\n!", 5, &err) : NULL;
    CHECK(!d);
    CHECK_CODE(err, "bad_signature");
    free(t);
    /* b64 true (no header), detached */
    so.header = NULL;
    t = cjwt_jws_encode((const unsigned char *)"bytes", 5, k, &so, NULL, &err);
    CHECK(t && strstr(t, "..") != NULL);
    d = t ? cjwt_jws_verify(&o, k, NULL, t, strlen(t), (const unsigned char *)"bytes", 5, &err) : NULL;
    CHECK(d && cjwt_value_object_get(cjwt_decoded_header(d), "b64") == NULL);
    cjwt_decoded_free(d);
    free(t);
    cjwt_value_free(h);
    cjwt_key_free(k);
}

/* A JWT never takes b64 false or a detached payload, on signing either. */
static void test_jwt_refuses_unencoded(void)
{
    cjwt_key *k = secret_key(NULL);
    cjwt_value *h = obj("{\"b64\":false}"), *claims = obj("{\"sub\":\"x\"}"), *bad = obj("{\"b64\":1}");
    cjwt_sign_opts so;
    cjwt_error err;
    char *t;
    memset(&so, 0, sizeof so);
    so.alg = CJWT_ALG_HS256;
    so.header = h;
    t = cjwt_encode(claims, k, &so, NULL, &err);
    CHECK(!t);
    CHECK_CODE(err, "malformed");
    CHECK(strstr(err.message, "b64") != NULL);
    so.header = NULL;
    so.detached = 1;
    t = cjwt_encode(claims, k, &so, NULL, &err);
    CHECK(!t);
    CHECK_CODE(err, "malformed");
    so.detached = 0;
    so.header = bad;
    t = cjwt_jws_encode((const unsigned char *)"x", 1, k, &so, NULL, &err);
    CHECK(!t);
    CHECK_CODE(err, "malformed");
    cjwt_value_free(h);
    cjwt_value_free(bad);
    cjwt_value_free(claims);
    cjwt_key_free(k);
}

/* General JSON with three signers (HS256, ES256, EdDSA): each key verifies
 * its own signature; a key set picks by kid. */
static void test_json_sign_several(void)
{
    cjwt_error err;
    cjwt_key *hk = secret_key("h1");
    cjwt_key *ek = cjwt_key_generate(CJWT_ALG_ES256, "e1", &err);
    cjwt_key *dk = cjwt_key_generate(CJWT_ALG_EDDSA, NULL, &err);
    cjwt_value *unprot = obj("{\"x-note\":\"unprotected\"}"), *prot = obj("{\"typ\":\"example\"}");
    cjwt_jws_signer s[3] = {
        {hk, CJWT_ALG_HS256, prot, NULL},
        {ek, CJWT_ALG_ES256, NULL, unprot},
        {dk, CJWT_ALG_EDDSA, NULL, NULL},
    };
    cjwt_jws_json_opts jo = {s, 3, 0, 0, 0};
    cjwt_verify_opts o = allow(CJWT_ALG_BIT(CJWT_ALG_HS256) | CJWT_ALG_BIT(CJWT_ALG_ES256) |
                               CJWT_ALG_BIT(CJWT_ALG_EDDSA));
    cjwt_decoded *d;
    cjwt_key *keys[2];
    cjwt_keyset *ks;
    char *t = cjwt_jws_json_encode((const unsigned char *)"payload", 7, &jo, NULL, &err);
    CHECK(t != NULL);
    if (!t)
        goto out;
    d = cjwt_jws_verify(&o, dk, NULL, t, strlen(t), NULL, 0, &err);
    CHECK(d && cjwt_decoded_signature_index(d) == 2 && cjwt_decoded_alg(d) == CJWT_ALG_EDDSA);
    cjwt_decoded_free(d);
    d = cjwt_jws_verify(&o, ek, NULL, t, strlen(t), NULL, 0, &err);
    CHECK(d && cjwt_decoded_signature_index(d) == 1);
    /* protected and unprotected apart, and together in the header */
    CHECK(d && cjwt_value_object_get(cjwt_decoded_unprotected_header(d), "x-note"));
    CHECK(d && !cjwt_value_object_get(cjwt_decoded_protected_header(d), "x-note"));
    CHECK(d && cjwt_value_object_get(cjwt_decoded_protected_header(d), "kid"));
    CHECK(d && cjwt_value_object_get(cjwt_decoded_header(d), "x-note") &&
          cjwt_value_object_get(cjwt_decoded_header(d), "alg"));
    cjwt_decoded_free(d);
    /* typ applies to the chosen signature's headers */
    o.typ = "example";
    d = cjwt_jws_verify(&o, hk, NULL, t, strlen(t), NULL, 0, &err);
    CHECK(d && cjwt_decoded_signature_index(d) == 0);
    cjwt_decoded_free(d);
    d = cjwt_jws_verify(&o, ek, NULL, t, strlen(t), NULL, 0, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_typ");
    o.typ = NULL;
    /* only ES256 allowed: the HS key has nothing left to verify */
    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_ES256);
    d = cjwt_jws_verify(&o, hk, NULL, t, strlen(t), NULL, 0, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_key");
    /* a key set: the kid picks the key */
    keys[0] = hk;
    keys[1] = ek;
    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_ES256) | CJWT_ALG_BIT(CJWT_ALG_EDDSA);
    ks = cjwt_keyset_new(keys, 1, &err);   /* HS alone: no other key type may mix with it */
    d = ks ? cjwt_jws_verify(&o, NULL, ks, t, strlen(t), NULL, 0, &err) : NULL;
    CHECK(!d);   /* HS256 not allowed, the rest have no key */
    cjwt_keyset_free(ks);
    ks = cjwt_keyset_new(keys + 1, 1, &err);
    d = ks ? cjwt_jws_verify(&o, NULL, ks, t, strlen(t), NULL, 0, &err) : NULL;
    CHECK(d && cjwt_decoded_signature_index(d) == 1);
    cjwt_decoded_free(d);
    cjwt_keyset_free(ks);
    /* the same signers, flattened: one signer only */
    jo.flattened = 1;
    CHECK(cjwt_jws_json_encode((const unsigned char *)"p", 1, &jo, NULL, &err) == NULL);
    CHECK_CODE(err, "malformed");
    free(t);
out:
    cjwt_value_free(unprot);
    cjwt_value_free(prot);
    cjwt_key_free(hk);
    cjwt_key_free(ek);
    cjwt_key_free(dk);
}

static void test_json_sign_flattened_unencoded(void)
{
    cjwt_error err;
    cjwt_key *k = secret_key("k1");
    cjwt_value *prot = obj("{\"b64\":false}");
    cjwt_jws_signer s = {k, CJWT_ALG_HS256, prot, NULL};
    cjwt_jws_json_opts jo = {&s, 1, 1, 0, 0};
    cjwt_verify_opts o = allow(CJWT_ALG_BIT(CJWT_ALG_HS256));
    cjwt_decoded *d;
    json_t *j;
    char *t = cjwt_jws_json_encode((const unsigned char *)"$.02 caf\xc3\xa9", 10, &jo, NULL, &err);
    CHECK(t != NULL);
    j = t ? json_loads(t, 0, NULL) : NULL;
    CHECK(j && strcmp(json_string_value(json_object_get(j, "payload")), "$.02 caf\xc3\xa9") == 0);
    CHECK(j && json_object_get(j, "protected") && !json_object_get(j, "signatures"));
    json_decref(j);
    d = t ? cjwt_jws_verify(&o, k, NULL, t, strlen(t), NULL, 0, &err) : NULL;
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    free(t);
    /* not UTF-8: refused attached, fine detached */
    t = cjwt_jws_json_encode((const unsigned char *)"\xff", 1, &jo, NULL, &err);
    CHECK(!t);
    CHECK_CODE(err, "malformed");
    jo.detached = 1;
    t = cjwt_jws_json_encode((const unsigned char *)"\xff", 1, &jo, NULL, &err);
    CHECK(t && !strstr(t, "payload"));
    d = t ? cjwt_jws_verify(&o, k, NULL, t, strlen(t), (const unsigned char *)"\xff", 1, &err) : NULL;
    CHECK(d != NULL);
    cjwt_decoded_free(d);
    free(t);
    cjwt_value_free(prot);
    cjwt_key_free(k);
}

/* The key's kid skips signatures that name another key (no work on them). */
static void test_kid_selection(void)
{
    cjwt_error err;
    cjwt_key *a = secret_key("a");
    cjwt_key *b = cjwt_key_with(a, "b", CJWT_ALG__COUNT, &err);
    cjwt_jws_signer s[2] = {{a, CJWT_ALG_HS256, NULL, NULL}, {b, CJWT_ALG_HS256, NULL, NULL}};
    cjwt_jws_json_opts jo = {s, 2, 0, 0, 0};
    cjwt_verify_opts o = allow(CJWT_ALG_BIT(CJWT_ALG_HS256));
    cjwt_decoded *d;
    cjwt_key *c = cjwt_key_with(a, "c", CJWT_ALG__COUNT, &err);
    char *t = cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err);
    CHECK(t != NULL);
    d = t ? cjwt_jws_verify(&o, b, NULL, t, strlen(t), NULL, 0, &err) : NULL;
    CHECK(d && cjwt_decoded_signature_index(d) == 1);
    cjwt_decoded_free(d);
    d = t ? cjwt_jws_verify(&o, c, NULL, t, strlen(t), NULL, 0, &err) : NULL;
    CHECK(!d);
    CHECK_CODE(err, "invalid_key");
    free(t);
    cjwt_key_free(a);
    cjwt_key_free(b);
    cjwt_key_free(c);
}

static void test_json_sign_rules(void)
{
    cjwt_error err;
    cjwt_key *k = secret_key(NULL);
    cjwt_value *u_alg = obj("{\"alg\":\"HS256\"}"), *u_crit = obj("{\"crit\":[\"x\"]}"),
               *p_kid = obj("{\"kid\":\"x\"}"), *u_kid = obj("{\"kid\":\"x\"}"),
               *p_unenc = obj("{\"b64\":false}");
    cjwt_jws_signer s[CJWT_JWS_MAX_SIGNATURES + 1];
    cjwt_jws_json_opts jo = {s, 1, 0, 0, 0};
    char *t;
    for (int i = 0; i <= CJWT_JWS_MAX_SIGNATURES; i++) {
        s[i].key = k;
        s[i].alg = CJWT_ALG_HS256;
        s[i].protected_header = NULL;
        s[i].header = NULL;
    }
    s[0].header = u_alg;
    CHECK(!cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err));
    CHECK_CODE(err, "malformed");
    s[0].header = u_crit;
    CHECK(!cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err));
    CHECK_CODE(err, "malformed");
    s[0].header = u_kid;
    s[0].protected_header = p_kid;
    CHECK(!cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err));
    CHECK_CODE(err, "malformed");
    s[0].protected_header = NULL;
    t = cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err);
    CHECK(t != NULL);
    free(t);
    s[0].header = NULL;
    s[0].alg = CJWT_ALG_NONE;
    CHECK(!cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err));
    CHECK_CODE(err, "unsupported_alg");
    s[0].alg = CJWT_ALG_HS256;
    /* b64 must agree */
    s[1].protected_header = p_unenc;
    jo.n_signers = 2;
    CHECK(!cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err));
    CHECK_CODE(err, "malformed");
    s[1].protected_header = NULL;
    jo.n_signers = CJWT_JWS_MAX_SIGNATURES + 1;
    CHECK(!cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err));
    CHECK_CODE(err, "too_large");
    jo.n_signers = CJWT_JWS_MAX_SIGNATURES;
    t = cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err);
    CHECK(t != NULL);
    free(t);
    cjwt_value_free(u_alg);
    cjwt_value_free(u_crit);
    cjwt_value_free(p_kid);
    cjwt_value_free(u_kid);
    cjwt_value_free(p_unenc);
    cjwt_key_free(k);
}

/* Hostile JSON never crashes: every prefix of a valid general JWS. */
static void test_truncations(void)
{
    cjwt_error err;
    cjwt_key *k = secret_key(NULL);
    cjwt_value *u = obj("{\"kid\":\"u\"}");
    cjwt_jws_signer s[2] = {{k, CJWT_ALG_HS256, NULL, u}, {k, CJWT_ALG_HS256, NULL, NULL}};
    cjwt_jws_json_opts jo = {s, 2, 0, 0, 0};
    cjwt_verify_opts o = allow(CJWT_ALG_BIT(CJWT_ALG_HS256));
    char *t = cjwt_jws_json_encode((const unsigned char *)"x", 1, &jo, NULL, &err);
    size_t n = t ? strlen(t) : 0;
    cjwt_decoded *whole = t ? cjwt_jws_verify(&o, k, NULL, t, n, NULL, 0, &err) : NULL;
    CHECK(whole != NULL);
    cjwt_decoded_free(whole);
    cjwt_value_free(u);
    for (size_t i = 0; i < n; i++) {
        cjwt_decoded *d = cjwt_jws_verify(&o, k, NULL, t, i, NULL, 0, &err);
        CHECK(!d);
        cjwt_decoded_free(d);
    }
    free(t);
    cjwt_key_free(k);
}

int main(void)
{
    RUN(test_vectors);
    RUN(test_compact_sign_roundtrip);
    RUN(test_jwt_refuses_unencoded);
    RUN(test_json_sign_several);
    RUN(test_json_sign_flattened_unencoded);
    RUN(test_kid_selection);
    RUN(test_json_sign_rules);
    RUN(test_truncations);
    return testlib_report("test_jws_json");
}
