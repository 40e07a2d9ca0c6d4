/* Encrypted and nested JWTs (cjwt_jwt_encrypt / cjwt_jwt_decrypt): round
 * trips, the claim checks through the encrypted path, and the threats:
 * nested without a verification key, an unsigned token where a nested one
 * is required, an inner alg "none", cty "JWT" over a plaintext that is not a
 * JWS, keys of the wrong kind or use, oversize inner tokens and plaintexts. */
#include "cjwt.h"
#include "testlib.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1700000000.0

static const char SECRET32[] = "0123456789abcdef0123456789abcdef";   /* dir + A256GCM */
static const char HS_SECRET[] = "a secret of at least 32 bytes for HS256!";

static cjwt_key *enc_key(void)
{
    cjwt_error err;
    return cjwt_key_from_secret((const unsigned char *)SECRET32, 32, 0, &err);
}

static cjwt_key *jwk(const char *json)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk_json(json, strlen(json), 0, &err);
    if (!k)
        fprintf(stderr, "  jwk: %s\n", err.message);
    return k;
}

static cjwt_value *claims(const char *json)
{
    cjwt_error err;
    return cjwt_value_from_json(json, strlen(json), &err);
}

static cjwt_jwt_decrypt_opts dir_opts(void)
{
    cjwt_jwt_decrypt_opts o;
    memset(&o, 0, sizeof o);
    o.jwe.algorithms = CJWT_JWE_ALG_BIT(CJWT_JWE_DIR);
    o.jwe.encryptions = CJWT_ENC_BIT(CJWT_ENC_A256GCM);
    return o;
}

static char *encrypt_claims(const char *json, cjwt_key *key, const cjwt_key *signer)
{
    cjwt_jwt_encrypt_opts o;
    cjwt_error err;
    cjwt_value *c = claims(json);
    char *tok;
    memset(&o, 0, sizeof o);
    o.jwe.alg = CJWT_JWE_DIR;
    o.jwe.enc = CJWT_ENC_A256GCM;
    o.signing_key = signer;
    o.sign.alg = CJWT_ALG_HS256;
    tok = cjwt_jwt_encrypt(c, key, &o, NULL, &err);
    if (!tok)
        fprintf(stderr, "  encrypt: %s\n", err.message);
    cjwt_value_free(c);
    return tok;
}

/* A raw JWE (dir + A256GCM) over any plaintext with any extra header. */
static char *raw_jwe(const char *plaintext, const char *header_json, cjwt_key *key)
{
    cjwt_jwe_encrypt_opts o;
    cjwt_error err;
    cjwt_value *h = header_json ? claims(header_json) : NULL;
    char *tok;
    memset(&o, 0, sizeof o);
    o.alg = CJWT_JWE_DIR;
    o.enc = CJWT_ENC_A256GCM;
    o.header = h;
    tok = cjwt_jwe_encrypt((const unsigned char *)plaintext, strlen(plaintext), key, &o, NULL, &err);
    cjwt_value_free(h);
    return tok;
}

static void test_encrypted_round_trip(void)
{
    cjwt_key *k = enc_key();
    char *tok = encrypt_claims("{\"sub\":\"u1\",\"aud\":\"api\",\"exp\":1700000900}", k, NULL);
    cjwt_jwt_decrypt_opts o = dir_opts();
    const char *aud[] = {"api"};
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    CHECK(tok && strchr(tok, '.'));
    o.verify.audience = aud;
    o.verify.n_audience = 1;
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(d);
    if (d) {
        CHECK(!cjwt_decrypted_jwt_nested(d));
        CHECK(cjwt_decrypted_jwt_header(d) == NULL);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_payload(d), "sub"), NULL), "u1");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_jwe_header(d), "typ"), NULL), "JWT");
        CHECK(cjwt_value_object_get(cjwt_decrypted_jwt_jwe_header(d), "cty") == NULL);
    }
    cjwt_decrypted_jwt_free(d);
    /* the same claim checks as decode, through the encrypted path */
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW + 1000, &err);
    CHECK(!d);
    CHECK_CODE(err, "expired");
    aud[0] = "billing";
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_audience");
    o.verify.n_audience = 0;
    {
        const char *req[] = {"jti"};
        o.verify.required = req;
        o.verify.n_required = 1;
        d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
        CHECK(!d);
        CHECK_CODE(err, "missing_claim");
        CHECK_STR(err.claim, "jti");
        o.verify.n_required = 0;
    }
    o.verify.n_audience = 1;
    aud[0] = "api";
    o.verify.typ = "at+jwt";
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_typ");
    o.verify.typ = "application/JWT";   /* RFC 7515 4.1.9 comparison */
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(d);
    cjwt_decrypted_jwt_free(d);
    /* the allowlists of the JWE */
    o.jwe.encryptions = CJWT_ENC_BIT(CJWT_ENC_A128GCM);
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "alg_not_allowed");
    cjwt_free(tok);
    cjwt_key_free(k);
}

static int revoked_hook(void *ctx, const cjwt_value *payload, cjwt_error *err)
{
    (void)err;
    (void)payload;
    ++*(int *)ctx;
    return 1;
}

static void test_revocation_and_iat(void)
{
    cjwt_key *k = enc_key();
    char *tok = encrypt_claims("{\"jti\":\"j1\",\"iat\":1700000000}", k, NULL);
    char *bad = encrypt_claims("{\"iat\":\"yesterday\"}", k, NULL);
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    int calls = 0;
    cjwt_decrypted_jwt *d;
    o.verify.revocation = revoked_hook;
    o.verify.revocation_ctx = &calls;
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d && calls == 1);
    CHECK_CODE(err, "revoked");
    o.verify.revocation = NULL;
    o.verify.has_max_age = 1;
    o.verify.max_age = 60;
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW + 120, &err);
    CHECK(!d);
    CHECK_CODE(err, "expired");
    o.verify.has_max_age = 0;
    d = cjwt_jwt_decrypt(&o, k, bad, strlen(bad), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_iat");
    cjwt_free(tok);
    cjwt_free(bad);
    cjwt_key_free(k);
}

static void test_nested_round_trip(void)
{
    cjwt_key *k = enc_key();
    cjwt_key *sk = cjwt_key_from_secret((const unsigned char *)HS_SECRET, strlen(HS_SECRET), 0, NULL);
    cjwt_key *other = cjwt_key_from_secret((const unsigned char *)"another secret of 32 bytes or more!!", 36, 0, NULL);
    char *tok = encrypt_claims("{\"sub\":\"u2\",\"exp\":1700000900}", k, sk);
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    CHECK(tok);
    /* nested without a verification key: refused */
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_key");
    o.verification_key = sk;
    /* no JWS allowlist */
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "alg_not_allowed");
    o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(d);
    if (d) {
        CHECK(cjwt_decrypted_jwt_nested(d));
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_header(d), "alg"), NULL), "HS256");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_jwe_header(d), "cty"), NULL), "JWT");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_payload(d), "sub"), NULL), "u2");
    }
    cjwt_decrypted_jwt_free(d);
    /* claims of the inner token are checked */
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW + 901, &err);
    CHECK(!d);
    CHECK_CODE(err, "expired");
    /* a wrong verification key */
    o.verification_key = other;
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "bad_signature");
    /* a key set picks the key */
    {
        cjwt_key *keys[2] = {other, sk};
        cjwt_keyset *ks = cjwt_keyset_new(keys, 2, &err);
        o.verification_key = NULL;
        o.verification_keyset = ks;
        d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
        CHECK(d);
        cjwt_decrypted_jwt_free(d);
        cjwt_keyset_free(ks);
        o.verification_keyset = NULL;
    }
    /* the signature check cannot be switched off */
    o.verification_key = sk;
    o.verify.verify_set = CJWT_CHECK_SIGNATURE;
    o.verify.verify = 0;
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "internal");
    cjwt_free(tok);
    cjwt_key_free(k);
    cjwt_key_free(sk);
    cjwt_key_free(other);
}

static void test_unsigned_where_nested_required(void)
{
    cjwt_key *k = enc_key();
    cjwt_key *sk = cjwt_key_from_secret((const unsigned char *)HS_SECRET, strlen(HS_SECRET), 0, NULL);
    char *tok = encrypt_claims("{\"sub\":\"forged\"}", k, NULL);
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    o.verification_key = sk;
    o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "bad_signature");
    cjwt_free(tok);
    cjwt_key_free(k);
    cjwt_key_free(sk);
}

static void test_inner_alg_none(void)
{
    /* {"alg":"none"}.{"sub":"admin"}. inside a valid JWE with cty JWT */
    cjwt_key *k = enc_key();
    cjwt_key *sk = cjwt_key_from_secret((const unsigned char *)HS_SECRET, strlen(HS_SECRET), 0, NULL);
    char *tok = raw_jwe("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "{\"cty\":\"JWT\"}", k);
    char *tok2 = raw_jwe("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "{\"cty\":\"jwt\"}", k);
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    o.verification_key = sk;
    o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256) | CJWT_ALG_BIT(CJWT_ALG_NONE);
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "alg_not_allowed");
    d = cjwt_jwt_decrypt(&o, k, tok2, strlen(tok2), 1, NOW, &err);   /* cty is case-insensitive */
    CHECK(!d);
    CHECK_CODE(err, "alg_not_allowed");
    /* nor is it ever made */
    {
        cjwt_jwt_encrypt_opts eo;
        cjwt_value *c = claims("{}");
        memset(&eo, 0, sizeof eo);
        eo.jwe.alg = CJWT_JWE_DIR;
        eo.jwe.enc = CJWT_ENC_A256GCM;
        eo.signing_key = sk;
        eo.sign.alg = CJWT_ALG_NONE;
        CHECK(!cjwt_jwt_encrypt(c, k, &eo, NULL, &err));
        CHECK_CODE(err, "unsupported_alg");
        cjwt_value_free(c);
    }
    cjwt_free(tok);
    cjwt_free(tok2);
    cjwt_key_free(k);
    cjwt_key_free(sk);
}

static void test_cty_jwt_not_a_jws(void)
{
    cjwt_key *k = enc_key();
    cjwt_key *sk = cjwt_key_from_secret((const unsigned char *)HS_SECRET, strlen(HS_SECRET), 0, NULL);
    char *tok = raw_jwe("{\"sub\":\"x\"}", "{\"cty\":\"JWT\"}", k);
    char *tok5 = raw_jwe("a.b.c.d.e", "{\"cty\":\"application/jwt\"}", k);
    char *badcty = raw_jwe("{\"sub\":\"x\"}", "{\"cty\":7}", k);
    char *notobj = raw_jwe("[1,2]", NULL, k);
    char *notjson = raw_jwe("hello", NULL, k);
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    o.verification_key = sk;
    o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "malformed");
    d = cjwt_jwt_decrypt(&o, k, tok5, strlen(tok5), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "malformed");
    d = cjwt_jwt_decrypt(&o, k, badcty, strlen(badcty), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "malformed");
    o.verification_key = NULL;
    d = cjwt_jwt_decrypt(&o, k, notobj, strlen(notobj), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "malformed");
    d = cjwt_jwt_decrypt(&o, k, notjson, strlen(notjson), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "malformed");
    /* an encrypted JWT never carries cty JWT by the caller's header */
    {
        cjwt_jwt_encrypt_opts eo;
        cjwt_value *c = claims("{}"), *h = claims("{\"cty\":\"JwT\"}");
        memset(&eo, 0, sizeof eo);
        eo.jwe.alg = CJWT_JWE_DIR;
        eo.jwe.enc = CJWT_ENC_A256GCM;
        eo.jwe.header = h;
        CHECK(!cjwt_jwt_encrypt(c, k, &eo, NULL, &err));
        CHECK_CODE(err, "malformed");
        cjwt_value_free(c);
        cjwt_value_free(h);
    }
    cjwt_free(tok);
    cjwt_free(tok5);
    cjwt_free(badcty);
    cjwt_free(notobj);
    cjwt_free(notjson);
    cjwt_key_free(k);
    cjwt_key_free(sk);
}

static void test_wrong_keys(void)
{
    cjwt_key *k = enc_key();
    cjwt_key *sig_use = jwk("{\"kty\":\"oct\",\"use\":\"sig\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}");
    cjwt_key *ec = jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"enc\","
                       "\"x\":\"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0\","
                       "\"y\":\"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps\","
                       "\"d\":\"0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo\"}");
    char *tok = encrypt_claims("{\"sub\":\"u\"}", k, NULL);
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    CHECK(sig_use && ec);
    /* a signing key never decrypts */
    d = cjwt_jwt_decrypt(&o, sig_use, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_key");
    /* an EC key does not fit dir */
    d = cjwt_jwt_decrypt(&o, ec, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "invalid_key");
    /* an encryption key never verifies the inner JWS */
    {
        cjwt_key *enc_use = jwk("{\"kty\":\"oct\",\"use\":\"enc\",\"k\":\"YSBzZWNyZXQgb2YgYXQgbGVhc3QgMzIgYnl0ZXMgZm9yIEhTMjU2IQ\"}");
        cjwt_key *sk = cjwt_key_from_secret((const unsigned char *)HS_SECRET, strlen(HS_SECRET), 0, NULL);
        char *nested = encrypt_claims("{\"sub\":\"u\"}", k, sk);
        o.verification_key = enc_use;
        o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
        d = cjwt_jwt_decrypt(&o, k, nested, strlen(nested), 1, NOW, &err);
        CHECK(!d);
        CHECK_CODE(err, "invalid_key");
        cjwt_free(nested);
        cjwt_key_free(sk);
        cjwt_key_free(enc_use);
    }
    cjwt_free(tok);
    cjwt_key_free(k);
    cjwt_key_free(sig_use);
    cjwt_key_free(ec);
}

static void test_oversize(void)
{
    cjwt_key *k = enc_key();
    cjwt_key *sk = cjwt_key_from_secret((const unsigned char *)HS_SECRET, strlen(HS_SECRET), 0, NULL);
    size_t n = 20000;
    char *big = malloc(n + 32);
    char *tok, *plain;
    cjwt_jwt_decrypt_opts o = dir_opts();
    cjwt_error err;
    cjwt_decrypted_jwt *d;
    strcpy(big, "{\"pad\":\"");
    memset(big + 8, 'x', n);
    strcpy(big + 8 + n, "\"}");
    tok = encrypt_claims(big, k, sk);
    plain = encrypt_claims(big, k, NULL);
    CHECK(tok && plain);
    o.jwe.max_token_len = 100000;
    o.verification_key = sk;
    o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
    /* the inner JWS is over verify.max_token_len (16 KiB by default) */
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "too_large");
    o.verify.max_token_len = 100000;
    d = cjwt_jwt_decrypt(&o, k, tok, strlen(tok), 1, NOW, &err);
    CHECK(d);
    cjwt_decrypted_jwt_free(d);
    /* the plaintext bound of the JWE */
    o.jwe.max_plaintext = 1000;
    o.verification_key = NULL;
    d = cjwt_jwt_decrypt(&o, k, plain, strlen(plain), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "too_large");
    /* the outer token length */
    o.jwe.max_token_len = 0;
    o.jwe.max_plaintext = 0;
    d = cjwt_jwt_decrypt(&o, k, plain, strlen(plain), 1, NOW, &err);
    CHECK(!d);
    CHECK_CODE(err, "too_large");
    free(big);
    cjwt_free(tok);
    cjwt_free(plain);
    cjwt_key_free(k);
    cjwt_key_free(sk);
}

static void test_asymmetric_nested(void)
{
    /* ES256 signed, ECDH-ES+A256KW to the recipient, as a gateway would see it */
    cjwt_error err;
    cjwt_key *signer = cjwt_key_generate(CJWT_ALG_ES256, "sig-1", &err);
    cjwt_key *recipient = jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"enc\",\"kid\":\"enc-1\","
                              "\"x\":\"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0\","
                              "\"y\":\"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps\","
                              "\"d\":\"0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo\"}");
    cjwt_jwt_encrypt_opts eo;
    cjwt_jwt_decrypt_opts o;
    cjwt_value *c = claims("{\"sub\":\"u3\"}");
    cjwt_decrypted_jwt *d;
    char *tok;
    memset(&eo, 0, sizeof eo);
    eo.jwe.alg = CJWT_JWE_ECDH_ES_A256KW;
    eo.jwe.enc = CJWT_ENC_A128CBC_HS256;
    eo.jwe.zip = 1;
    eo.signing_key = signer;
    eo.sign.alg = CJWT_ALG_ES256;
    eo.sign.has_expires_in = 1;
    eo.sign.expires_in = 60;
    eo.sign.has_now = 1;
    eo.sign.now = NOW;
    tok = cjwt_jwt_encrypt(c, recipient, &eo, NULL, &err);
    CHECK(tok);
    memset(&o, 0, sizeof o);
    o.jwe.algorithms = CJWT_JWE_ALG_BIT(CJWT_JWE_ECDH_ES_A256KW);
    o.jwe.encryptions = CJWT_ENC_BIT(CJWT_ENC_A128CBC_HS256);
    o.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_ES256);
    o.verification_key = signer;
    d = tok ? cjwt_jwt_decrypt(&o, recipient, tok, strlen(tok), 1, NOW + 30, &err) : NULL;
    CHECK(d);
    if (d) {
        const cjwt_value *p = cjwt_decrypted_jwt_payload(d);
        CHECK(cjwt_value_int(cjwt_value_object_get(p, "exp")) == (int64_t)NOW + 60);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_header(d), "kid"), NULL), "sig-1");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_jwe_header(d), "kid"), NULL), "enc-1");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_decrypted_jwt_jwe_header(d), "zip"), NULL), "DEF");
    }
    cjwt_decrypted_jwt_free(d);
    d = tok ? cjwt_jwt_decrypt(&o, recipient, tok, strlen(tok), 1, NOW + 61, &err) : NULL;
    CHECK(!d);
    CHECK_CODE(err, "expired");
    cjwt_free(tok);
    cjwt_value_free(c);
    cjwt_key_free(signer);
    cjwt_key_free(recipient);
}

/* ---- the shared vectors (tests/vectors/encrypted_jwt/vectors.json) ------- */

static cjwt_key *vector_key(json_t *k)
{
    cjwt_error err;
    json_t *j = json_object_get(k, "jwk");
    char *text;
    cjwt_key *key;
    if (!j)
        return NULL;
    text = json_dumps(j, JSON_COMPACT);
    key = cjwt_key_from_jwk_json(text, strlen(text), 0, &err);
    free(text);
    return key;
}

static const char **string_list(json_t *v, size_t *n)
{
    const char **out;
    *n = 0;
    if (!v)
        return NULL;
    if (json_is_string(v)) {
        out = malloc(sizeof *out);
        out[0] = json_string_value(v);
        *n = 1;
        return out;
    }
    out = malloc((json_array_size(v) + 1) * sizeof *out);
    for (size_t i = 0; i < json_array_size(v); i++)
        out[i] = json_string_value(json_array_get(v, i));
    *n = json_array_size(v);
    return out;
}

static void run_vector(json_t *c)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *token = json_string_value(json_object_get(c, "token"));
    json_t *opts = json_object_get(c, "options"), *expect = json_object_get(c, "expect"), *v;
    cjwt_jwt_decrypt_opts o;
    cjwt_error err;
    cjwt_key *key = vector_key(json_object_get(c, "key")), *vkey = NULL;
    cjwt_decrypted_jwt *d = NULL;
    const char **aud = NULL, **iss = NULL, **req = NULL;
    size_t i;
    int ok;
    memset(&o, 0, sizeof o);
    memset(&err, 0, sizeof err);
    json_array_foreach(json_object_get(opts, "algorithms"), i, v)
        o.jwe.algorithms |= CJWT_JWE_ALG_BIT(cjwt_jwe_alg_from_name(json_string_value(v), json_string_length(v)));
    json_array_foreach(json_object_get(opts, "encryptions"), i, v)
        o.jwe.encryptions |= CJWT_ENC_BIT(cjwt_jwe_enc_from_name(json_string_value(v), json_string_length(v)));
    json_array_foreach(json_object_get(opts, "signature_algorithms"), i, v) {
        cjwt_alg a = cjwt_alg_from_name(json_string_value(v), json_string_length(v));
        if (a != CJWT_ALG__COUNT)
            o.verify.algorithms |= CJWT_ALG_BIT(a);
    }
    aud = string_list(json_object_get(opts, "audience"), &o.verify.n_audience);
    o.verify.audience = aud;
    iss = string_list(json_object_get(opts, "issuer"), &o.verify.n_issuer);
    o.verify.issuer = iss;
    req = string_list(json_object_get(opts, "require"), &o.verify.n_required);
    o.verify.required = req;
    o.verify.typ = json_string_value(json_object_get(opts, "typ"));
    if ((v = json_object_get(opts, "leeway")))
        o.verify.leeway = json_number_value(v);
    if ((v = json_object_get(opts, "max_age"))) {
        o.verify.has_max_age = 1;
        o.verify.max_age = json_number_value(v);
    }
    if (json_object_get(c, "verification_key")) {
        vkey = vector_key(json_object_get(c, "verification_key"));
        o.verification_key = vkey;
    }
    if (key && (!json_object_get(c, "verification_key") || vkey))
        d = cjwt_jwt_decrypt(&o, key, token, strlen(token), 1,
                             json_number_value(json_object_get(c, "now")), &err);
    else
        err.code = CJWT_E_INVALID_KEY;   /* a key refused when built is the case's answer */
    if ((v = json_object_get(expect, "claims"))) {
        char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS), *got = NULL;
        if (d) {
            char *text = cjwt_value_to_json(cjwt_decrypted_jwt_payload(d), NULL, NULL);
            json_t *parsed = json_loads(text, 0, NULL);
            got = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
            json_decref(parsed);
            cjwt_free(text);
        }
        ok = got && strcmp(want, got) == 0 &&
             cjwt_decrypted_jwt_nested(d) == (json_object_get(c, "verification_key") != NULL);
        free(want);
        free(got);
    } else {
        const char *claim = json_string_value(json_object_get(expect, "claim"));
        ok = !d && strcmp(cjwt_code_name(err.code), json_string_value(json_object_get(expect, "error"))) == 0 &&
             (!claim || strcmp(claim, err.claim) == 0);
    }
    if (!ok) {
        fprintf(stderr, "  vector \"%s\": got %s (%s)\n", name, d ? "success" : cjwt_code_name(err.code),
                d ? "" : err.message);
        CHECK(0);
    }
    cjwt_decrypted_jwt_free(d);
    cjwt_key_free(key);
    cjwt_key_free(vkey);
    free(aud);
    free(iss);
    free(req);
}

static void test_vectors(void)
{
    const char *dir = getenv("CJWT_VECTORS");
    char path[1024];
    json_error_t jerr;
    json_t *doc, *c;
    size_t i;
    snprintf(path, sizeof path, "%s/encrypted_jwt/vectors.json", dir ? dir : "tests/vectors");
    doc = json_load_file(path, 0, &jerr);
    CHECK(doc && json_array_size(json_object_get(doc, "cases")) >= 20);
    json_array_foreach(json_object_get(doc, "cases"), i, c)
        run_vector(c);
    json_decref(doc);
}

int main(void)
{
    RUN(test_vectors);
    RUN(test_encrypted_round_trip);
    RUN(test_revocation_and_iat);
    RUN(test_nested_round_trip);
    RUN(test_unsigned_where_nested_required);
    RUN(test_inner_alg_none);
    RUN(test_cty_jwt_not_a_jws);
    RUN(test_wrong_keys);
    RUN(test_oversize);
    RUN(test_asymmetric_nested);
    return testlib_report("test_jwt_jwe");
}
