/* Key sets. The first input byte picks a mode:
 *   0: the rest is a token verified against a fixed set (RSA, EC P-256 and
 *      Ed25519 public keys with kids "rsa", "ec", "ed");
 *   1: the rest is "header\npayload" signed with the private key byte 2 picks,
 *      then verified against the set (kid selection behind valid signatures);
 *   2: the rest is JWKS JSON: imported, exported and re-imported, then used
 *      to verify a fixed token. */
#include "fuzz_common.h"

static cjwt_keyset *set;
static cjwt_key *privs[3];
static const cjwt_alg SIGN_ALGS[3] = { CJWT_ALG_RS256, CJWT_ALG_ES256, CJWT_ALG_EDDSA };
static char *fixed_token;
static cjwt_verify_opts opts;

static cjwt_key *with_kid(const char *pem, const char *kid)
{
    cjwt_key *k = fuzz_pem_key(pem), *r = cjwt_key_with(k, kid, CJWT_ALG__COUNT, NULL);
    FUZZ_ASSERT(r != NULL);
    cjwt_key_free(k);
    return r;
}

static void init(void)
{
    cjwt_key *pubs[3];
    cjwt_sign_opts so = {0};
    cjwt_value *p = cjwt_value_new_object(), *h = cjwt_value_new_object();
    cjwt_error err;
    pubs[0] = with_kid(FUZZ_RSA_PUBLIC_PEM, "rsa");
    pubs[1] = with_kid(FUZZ_EC_PUBLIC_PEM, "ec");
    pubs[2] = with_kid(FUZZ_ED25519_PUBLIC_PEM, "ed");
    privs[0] = with_kid(FUZZ_RSA_PRIVATE_PEM, "rsa");
    privs[1] = with_kid(FUZZ_EC_PRIVATE_PEM, "ec");
    privs[2] = with_kid(FUZZ_ED25519_PRIVATE_PEM, "ed");
    set = cjwt_keyset_new(pubs, 3, &err);
    FUZZ_ASSERT(set != NULL);
    for (int i = 0; i < 3; i++)
        cjwt_key_free(pubs[i]);
    opts.algorithms = CJWT_ALG_BIT(CJWT_ALG_RS256) | CJWT_ALG_BIT(CJWT_ALG_RS384) |
                      CJWT_ALG_BIT(CJWT_ALG_PS256) | CJWT_ALG_BIT(CJWT_ALG_ES256) |
                      CJWT_ALG_BIT(CJWT_ALG_ES384) | CJWT_ALG_BIT(CJWT_ALG_EDDSA);
    cjwt_value_object_set(p, "sub", 3, cjwt_value_new_string("u", 1));
    cjwt_value_object_set(h, "kid", 3, cjwt_value_new_string("ec", 2));
    so.alg = CJWT_ALG_ES256;
    so.header = h;
    fixed_token = cjwt_encode(p, privs[1], &so, NULL, &err);
    FUZZ_ASSERT(fixed_token != NULL);
    cjwt_value_free(p);
    cjwt_value_free(h);
}

static void check_result(cjwt_decoded *d, const cjwt_error *err)
{
    if (d)
        cjwt_decoded_free(d);
    else
        fuzz_check_error(err);
}

static void jwks_mode(const uint8_t *data, size_t size)
{
    cjwt_error err;
    cjwt_keyset *ks = cjwt_keyset_from_jwks_json((const char *)data, size, 0, &err);
    cjwt_value *out;
    char *json;
    size_t n;
    if (!ks) {
        fuzz_check_error(&err);
        return;
    }
    FUZZ_ASSERT(cjwt_keyset_size(ks) > 0);
    for (size_t i = 0; i < cjwt_keyset_size(ks); i++) {
        const cjwt_key *k = cjwt_keyset_get(ks, i);
        if (cjwt_key_kid(k))
            FUZZ_ASSERT(cjwt_keyset_find(ks, cjwt_key_kid(k)) == k);
    }
    /* With private members when every key has them, else the public form
     * (a set of secrets has only the former, a set with a public key only
     * the latter); one of the two must work. */
    out = cjwt_keyset_to_jwks(ks, 1, &err);
    if (!out) {
        FUZZ_ASSERT(err.code == CJWT_E_INVALID_KEY);
        out = cjwt_keyset_to_jwks(ks, 0, &err);
    }
    FUZZ_ASSERT(out != NULL);
    json = cjwt_value_to_json(out, &n, &err);
    FUZZ_ASSERT(json != NULL);
    {
        cjwt_keyset *again = cjwt_keyset_from_jwks_json(json, n, 0, &err);
        if (!again && FUZZ_RSA_CHECK_IS_RANDOM && err.code == CJWT_E_INVALID_KEY) {
            cjwt_free(json);
            cjwt_value_free(out);
            cjwt_keyset_free(ks);
            return;
        }
        if (!again) {
            fprintf(stderr, "re-import of exported JWKS failed: %s\n%s\n", err.message, json);
            abort();
        }
        int has_rsa = 0;
        for (size_t i = 0; i < cjwt_keyset_size(ks); i++)
            has_rsa |= cjwt_key_type(cjwt_keyset_get(ks, i)) == CJWT_KTY_RSA;
        if (!(FUZZ_RSA_CHECK_IS_RANDOM && has_rsa))
            FUZZ_ASSERT(cjwt_keyset_size(again) == cjwt_keyset_size(ks));
        cjwt_keyset_free(again);
    }
    cjwt_free(json);
    cjwt_value_free(out);
    check_result(cjwt_verify_keyset_with(&opts, ks, fixed_token, strlen(fixed_token), 1,
                                         FUZZ_NOW, &err), &err);
    cjwt_keyset_free(ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    if (!set)
        init();
    if (size < 2)
        return 0;
    switch (data[0] % 3) {
    case 0:
        check_result(cjwt_verify_keyset_with(&opts, set, (const char *)data + 1, size - 1, 1,
                                             FUZZ_NOW, &err), &err);
        break;
    case 1: {
        size_t len, which = data[1] % 3;
        char *t = fuzz_signed_token(privs[which], SIGN_ALGS[which], data + 2, size - 2, &len);
        cjwt_verify_opts o = opts;
        FUZZ_ASSERT(t != NULL);
        o.max_token_len = 1u << 20;
        check_result(cjwt_verify_keyset_with(&o, set, t, len, 1, FUZZ_NOW, &err), &err);
        free(t);
        break;
    }
    default:
        jwks_mode(data + 1, size - 1);
        break;
    }
    return 0;
}
