/* JWK import (cjwt_key_from_jwk_json): an accepted key exports to a JWK and
 * (asymmetric keys) a PEM that import back to the same key (same RFC 7638
 * thumbprint), and can be used to sign or verify without surprises. */
#include "fuzz_common.h"

static char *thumb(const cjwt_key *k)
{
    cjwt_error err;
    size_t n;
    char *t = cjwt_key_thumbprint(k, &n, &err);
    FUZZ_ASSERT(t != NULL && n == 43);
    return t;
}

static void roundtrip_jwk(const cjwt_key *k, const char *t0, int private)
{
    cjwt_error err;
    size_t n;
    cjwt_value *jwk = cjwt_key_to_jwk(k, private, &err);
    char *json, *t1;
    cjwt_key *again;
    FUZZ_ASSERT(jwk != NULL);
    json = cjwt_value_to_json(jwk, &n, &err);
    FUZZ_ASSERT(json != NULL);
    again = cjwt_key_from_jwk_json(json, n, CJWT_KEY_ALLOW_SHORT_SECRET, &err);
    if (!again && FUZZ_RSA_CHECK_IS_RANDOM && cjwt_key_type(k) == CJWT_KTY_RSA &&
        err.code == CJWT_E_INVALID_KEY) {
        cjwt_free(json);
        cjwt_value_free(jwk);
        return;
    }
    if (!again) {
        fprintf(stderr, "re-import of exported JWK failed: %s\n%s\n", err.message, json);
        abort();
    }
    t1 = thumb(again);
    FUZZ_ASSERT(strcmp(t0, t1) == 0);
    cjwt_free(t1);
    cjwt_free(json);
    cjwt_key_free(again);
    cjwt_value_free(jwk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk_json((const char *)data, size, CJWT_KEY_ALLOW_SHORT_SECRET,
                                         &err);
    char *t0;
    if (!k) {
        fuzz_check_error(&err);
        return 0;
    }
    t0 = thumb(k);
    if (cjwt_key_type(k) != CJWT_KTY_OCT)   /* a secret has no public form */
        roundtrip_jwk(k, t0, 0);
    if (cjwt_key_is_private(k))
        roundtrip_jwk(k, t0, 1);
    if (cjwt_key_type(k) != CJWT_KTY_OCT) {
        size_t n;
        char *pem = cjwt_key_to_pem(k, cjwt_key_is_private(k), &n, &err);
        cjwt_key *again;
        char *t1;
        FUZZ_ASSERT(pem != NULL);
        again = cjwt_key_from_pem(pem, n, NULL, 0, 0, &err);
        FUZZ_ASSERT(again != NULL);
        t1 = thumb(again);
        FUZZ_ASSERT(strcmp(t0, t1) == 0);
        cjwt_free(t1);
        cjwt_free(pem);
        cjwt_key_free(again);
    }
    /* Sign (private keys, one algorithm per family) or verify a junk signature. */
    for (int a = CJWT_ALG_HS256; a < CJWT_ALG__COUNT; a += 3) {
        static const unsigned char junk[64] = { 1 };
        cjwt_code rc = cjwt_verify_signature(k, (cjwt_alg)a, (const unsigned char *)"a.b", 3,
                                             junk, sizeof junk, &err);
        FUZZ_ASSERT(rc != CJWT_OK);
        if (cjwt_key_is_private(k)) {
            cjwt_sign_opts so = {0};
            char *tok;
            so.alg = (cjwt_alg)a;
            tok = cjwt_jws_encode((const unsigned char *)"x", 1, k, &so, NULL, &err);
            if (tok) {
                cjwt_verify_opts vo = {0};
                cjwt_decoded *d;
                vo.algorithms = CJWT_ALG_BIT(a);
                vo.raw_payload = 1;
                d = cjwt_verify_with(&vo, k, tok, strlen(tok), 1, FUZZ_NOW, &err);
                FUZZ_ASSERT(d != NULL);
                cjwt_decoded_free(d);
                cjwt_free(tok);
            }
        }
    }
    cjwt_free(t0);
    cjwt_key_free(k);
    return 0;
}
