/* JWE JSON serialization on encryption (cjwt_jwe_encrypt_json): the
 * flattened and the general form, several recipients sharing one content
 * key, aad, shared and per-recipient headers, each output read back by
 * cjwt_jwe_decrypt with each recipient's key; and what is refused. */
#include "cjwt.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static const char MSG[] = "You can trust us to stick with you through thick and thin";

static cjwt_key *jwk(const char *json)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk_json(json, strlen(json), 0, &err);
    if (!k)
        fprintf(stderr, "  jwk: %s\n", err.message);
    return k;
}

static cjwt_value *obj(const char *json)
{
    cjwt_error err;
    return cjwt_value_from_json(json, strlen(json), &err);
}

#define EC_PRIV "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"enc\",\"kid\":\"ec-1\"," \
    "\"x\":\"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0\"," \
    "\"y\":\"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps\"," \
    "\"d\":\"0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo\"}"

/* Decrypts `json` with key for alg/enc and checks the plaintext. */
static int opens(const char *json, size_t len, const cjwt_key *key, cjwt_jwe_alg alg,
                 cjwt_jwe_enc enc, const char *want, cjwt_jwe **keep)
{
    cjwt_jwe_decrypt_opts o;
    cjwt_error err;
    cjwt_jwe *j;
    size_t n = 0;
    const unsigned char *pt;
    int ok;
    memset(&o, 0, sizeof o);
    o.algorithms = CJWT_JWE_ALG_BIT(alg);
    o.encryptions = CJWT_ENC_BIT(enc);
    j = cjwt_jwe_decrypt(&o, key, json, len, &err);
    if (!j) {
        fprintf(stderr, "  decrypt (%s): %s\n", cjwt_jwe_alg_name(alg), err.message);
        return 0;
    }
    pt = cjwt_jwe_plaintext(j, &n);
    ok = n == strlen(want) && memcmp(pt, want, n) == 0;
    if (keep)
        *keep = j;
    else
        cjwt_jwe_free(j);
    return ok;
}

static void test_general_three_recipients(void)
{
    cjwt_error err;
    cjwt_key *kw = jwk("{\"kty\":\"oct\",\"kid\":\"kw-1\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}");
    cjwt_key *ec = jwk(EC_PRIV);
    cjwt_key *rsa_sig = cjwt_key_generate(CJWT_ALG_RS256, NULL, &err);
    cjwt_key *rsa = cjwt_key_with(rsa_sig, "rsa-1", CJWT_ALG__COUNT, &err);   /* unbound */
    cjwt_value *rh = obj("{\"note\":\"for the EC key\"}"), *un = obj("{\"jku\":\"https://x.example/jwks\"}");
    cjwt_value *ph = obj("{\"cty\":\"text/plain\"}");
    cjwt_jwe_recipient r[3] = {
        {kw, CJWT_JWE_A128KW, NULL, 0},
        {ec, CJWT_JWE_ECDH_ES_A256KW, rh, 0},
        {rsa, CJWT_JWE_RSA_OAEP_256, NULL, 0},
    };
    cjwt_jwe_json_opts o;
    size_t len = 0;
    char *json;
    cjwt_jwe *j = NULL;
    memset(&o, 0, sizeof o);
    o.enc = CJWT_ENC_A256GCM;
    o.protected_header = ph;
    o.unprotected = un;
    o.aad = (const unsigned char *)"extra";
    o.aad_len = 5;
    o.zip = 1;
    json = cjwt_jwe_encrypt_json((const unsigned char *)MSG, strlen(MSG), r, 3, &o, &len, &err);
    CHECK(json);
    if (!json) {
        fprintf(stderr, "  %s\n", err.message);
        goto done;
    }
    CHECK(strstr(json, "\"recipients\"") && strstr(json, "\"aad\":\"ZXh0cmE\""));
    CHECK(opens(json, len, kw, CJWT_JWE_A128KW, CJWT_ENC_A256GCM, MSG, NULL));
    CHECK(opens(json, len, ec, CJWT_JWE_ECDH_ES_A256KW, CJWT_ENC_A256GCM, MSG, &j));
    if (j) {   /* the header applied: protected + unprotected + the recipient's */
        const cjwt_value *h = cjwt_jwe_header(j);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "cty"), NULL), "text/plain");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "jku"), NULL), "https://x.example/jwks");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "note"), NULL), "for the EC key");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "kid"), NULL), "ec-1");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "zip"), NULL), "DEF");
        CHECK(cjwt_value_object_get(h, "epk") != NULL);
        cjwt_jwe_free(j);
    }
    CHECK(opens(json, len, rsa, CJWT_JWE_RSA_OAEP_256, CJWT_ENC_A256GCM, MSG, NULL));
    /* the aad is authenticated */
    {
        char *bad = strdup(json), *p = strstr(bad, "ZXh0cmE");
        p[0] = 'Y';
        CHECK(!opens(bad, len, kw, CJWT_JWE_A128KW, CJWT_ENC_A256GCM, MSG, NULL));
        free(bad);
    }
done:
    cjwt_free(json);
    cjwt_value_free(rh);
    cjwt_value_free(un);
    cjwt_value_free(ph);
    cjwt_key_free(kw);
    cjwt_key_free(ec);
    cjwt_key_free(rsa);
    cjwt_key_free(rsa_sig);
}

static void test_flattened_each_alg_family(void)
{
    cjwt_error err;
    cjwt_key *dir = cjwt_key_from_secret((const unsigned char *)"0123456789abcdef0123456789abcdef", 32, 0, &err);
    cjwt_key *pw = cjwt_key_from_secret((const unsigned char *)"Thus from my lips", 17, 0, &err);
    cjwt_key *ec = jwk(EC_PRIV);
    cjwt_key *gcm = jwk("{\"kty\":\"oct\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}");
    struct { cjwt_key *k; cjwt_jwe_alg alg; cjwt_jwe_enc enc; } cases[] = {
        {dir, CJWT_JWE_DIR, CJWT_ENC_A128CBC_HS256},
        {pw, CJWT_JWE_PBES2_HS256_A128KW, CJWT_ENC_A128GCM},
        {ec, CJWT_JWE_ECDH_ES, CJWT_ENC_A192GCM},
        {gcm, CJWT_JWE_A128GCMKW, CJWT_ENC_A256CBC_HS512},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cjwt_jwe_recipient r = {cases[i].k, cases[i].alg, NULL, 1000};
        cjwt_jwe_json_opts o;
        size_t len = 0;
        char *json;
        memset(&o, 0, sizeof o);
        o.enc = cases[i].enc;
        o.flattened = 1;
        json = cjwt_jwe_encrypt_json((const unsigned char *)MSG, strlen(MSG), &r, 1, &o, &len, &err);
        CHECK(json && !strstr(json, "recipients") && strstr(json, "\"header\""));
        CHECK(json && opens(json, len, cases[i].k, cases[i].alg, cases[i].enc, MSG, NULL));
        /* dir and ECDH-ES have no encrypted key */
        if (json && (cases[i].alg == CJWT_JWE_DIR || cases[i].alg == CJWT_JWE_ECDH_ES))
            CHECK(!strstr(json, "encrypted_key"));
        cjwt_free(json);
    }
    cjwt_key_free(dir);
    cjwt_key_free(pw);
    cjwt_key_free(ec);
    cjwt_key_free(gcm);
}

static void test_refused(void)
{
    cjwt_error err;
    cjwt_key *dir = cjwt_key_from_secret((const unsigned char *)"0123456789abcdef0123456789abcdef", 32, 0, &err);
    cjwt_key *kw = jwk("{\"kty\":\"oct\",\"k\":\"GawgguFyGrWKav7AX4VKUg\",\"kid\":\"a\"}");
    cjwt_key *sig = jwk("{\"kty\":\"oct\",\"use\":\"sig\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}");
    cjwt_value *dup = obj("{\"kid\":\"x\"}"), *dup2 = obj("{\"kid\":\"y\"}");
    cjwt_jwe_json_opts o;
    memset(&o, 0, sizeof o);
    o.enc = CJWT_ENC_A256GCM;
    {   /* dir sets the CEK: one recipient only */
        cjwt_jwe_recipient r[2] = {{dir, CJWT_JWE_DIR, NULL, 0}, {kw, CJWT_JWE_A128KW, NULL, 0}};
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, r, 2, &o, NULL, &err));
        CHECK_CODE(err, "unsupported_alg");
        r[0] = r[1];
        r[1].key = dir;
        r[1].alg = CJWT_JWE_DIR;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, r, 2, &o, NULL, &err));
        CHECK_CODE(err, "unsupported_alg");
    }
    {   /* flattened: one recipient; none at all */
        cjwt_jwe_recipient r[2] = {{kw, CJWT_JWE_A128KW, NULL, 0}, {kw, CJWT_JWE_A128KW, NULL, 0}};
        o.flattened = 1;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, r, 2, &o, NULL, &err));
        CHECK_CODE(err, "malformed");
        o.flattened = 0;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, r, 0, &o, NULL, &err));
        CHECK_CODE(err, "malformed");
    }
    {   /* a member in two headers; RSA1_5; a signing key */
        cjwt_jwe_recipient r = {kw, CJWT_JWE_A128KW, dup2, 0};
        o.unprotected = dup;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, &r, 1, &o, NULL, &err));
        CHECK_CODE(err, "malformed");
        o.unprotected = NULL;
        o.protected_header = dup;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, &r, 1, &o, NULL, &err));
        CHECK_CODE(err, "malformed");
        o.protected_header = NULL;
        r.alg = CJWT_JWE_RSA1_5;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, &r, 1, &o, NULL, &err));
        CHECK_CODE(err, "unsupported_alg");
        r.alg = CJWT_JWE_A128KW;
        r.key = sig;
        CHECK(!cjwt_jwe_encrypt_json((const unsigned char *)"x", 1, &r, 1, &o, NULL, &err));
        CHECK_CODE(err, "invalid_key");
    }
    cjwt_value_free(dup);
    cjwt_value_free(dup2);
    cjwt_key_free(dir);
    cjwt_key_free(kw);
    cjwt_key_free(sig);
}

int main(void)
{
    RUN(test_general_three_recipients);
    RUN(test_flattened_each_alg_family);
    RUN(test_refused);
    return testlib_report("test_jwe_json");
}
