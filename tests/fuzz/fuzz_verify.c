/* Full verification with one fixed key, compiled once per key type
 * (-DFUZZ_KIND_hmac, _rsa, _ec, _ed25519, _es256k, _ed448). The first input byte picks a mode:
 *   even: the rest is a token, verified with a compiled verifier;
 *   odd:  the rest is "header JSON\npayload JSON", signed honestly with the
 *         fixed key (byte 2 picks the algorithm) and then verified, so the
 *         fuzzer also reaches the header, typ and claims code behind a valid
 *         signature. */
#include "fuzz_common.h"

#if defined(FUZZ_KIND_hmac)
static const cjwt_alg ALGS[] = { CJWT_ALG_HS256, CJWT_ALG_HS384, CJWT_ALG_HS512 };
#elif defined(FUZZ_KIND_rsa)
static const cjwt_alg ALGS[] = { CJWT_ALG_RS256, CJWT_ALG_RS384, CJWT_ALG_RS512,
                                 CJWT_ALG_PS256, CJWT_ALG_PS384, CJWT_ALG_PS512 };
#elif defined(FUZZ_KIND_ec)
static const cjwt_alg ALGS[] = { CJWT_ALG_ES256 };
#elif defined(FUZZ_KIND_ed25519) || defined(FUZZ_KIND_ed448)
static const cjwt_alg ALGS[] = { CJWT_ALG_EDDSA };
#elif defined(FUZZ_KIND_es256k)
static const cjwt_alg ALGS[] = { CJWT_ALG_ES256K };
#else
#error "define FUZZ_KIND_hmac, _rsa, _ec, _ed25519, _es256k or _ed448"
#endif
#define N_ALGS (sizeof ALGS / sizeof *ALGS)

static cjwt_key *priv, *pub;
static cjwt_verifier *verifier;
static cjwt_verify_opts opts;

static void init(void)
{
    cjwt_error err;
#if defined(FUZZ_KIND_hmac)
    priv = cjwt_key_from_secret((const unsigned char *)FUZZ_HMAC_SECRET,
                                sizeof FUZZ_HMAC_SECRET - 1, 0, &err);
    pub = cjwt_key_ref(priv);
#elif defined(FUZZ_KIND_rsa)
    priv = fuzz_pem_key(FUZZ_RSA_PRIVATE_PEM);
    pub = fuzz_pem_key(FUZZ_RSA_PUBLIC_PEM);
#elif defined(FUZZ_KIND_ec)
    priv = fuzz_pem_key(FUZZ_EC_PRIVATE_PEM);
    pub = fuzz_pem_key(FUZZ_EC_PUBLIC_PEM);
#elif defined(FUZZ_KIND_es256k)
    priv = fuzz_pem_key(FUZZ_SECP256K1_PRIVATE_PEM);
    pub = fuzz_pem_key(FUZZ_SECP256K1_PUBLIC_PEM);
#elif defined(FUZZ_KIND_ed448)
    priv = fuzz_pem_key(FUZZ_ED448_PRIVATE_PEM);
    pub = fuzz_pem_key(FUZZ_ED448_PUBLIC_PEM);
#else
    priv = fuzz_pem_key(FUZZ_ED25519_PRIVATE_PEM);
    pub = fuzz_pem_key(FUZZ_ED25519_PUBLIC_PEM);
#endif
    FUZZ_ASSERT(priv && pub);
    for (size_t i = 0; i < N_ALGS; i++)
        opts.algorithms |= CJWT_ALG_BIT(ALGS[i]);
    opts.typ = NULL;
    verifier = cjwt_verifier_new(&opts, &err);
    FUZZ_ASSERT(verifier != NULL);
}

static void check_result(cjwt_decoded *d, const cjwt_error *err)
{
    if (d) {
        FUZZ_ASSERT(opts.algorithms & CJWT_ALG_BIT(cjwt_decoded_alg(d)));
        FUZZ_ASSERT(cjwt_value_type(cjwt_decoded_header(d)) == CJWT_TYPE_OBJECT);
        FUZZ_ASSERT(cjwt_value_type(cjwt_decoded_payload(d)) == CJWT_TYPE_OBJECT);
        cjwt_decoded_free(d);
    } else {
        fuzz_check_error(err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    if (!verifier)
        init();
    if (size < 2)
        return 0;
    if ((data[0] & 1) == 0) {
        cjwt_decoded *d = cjwt_verify(verifier, pub, (const char *)data + 1, size - 1, 1,
                                      FUZZ_NOW, &err);
        check_result(d, &err);
    } else {
        size_t len;
        char *t = fuzz_signed_token(priv, ALGS[data[1] % N_ALGS], data + 2, size - 2, &len);
        cjwt_verify_opts o = opts;
        FUZZ_ASSERT(t != NULL);
        o.max_token_len = 1u << 20;
        check_result(cjwt_verify_with(&o, pub, t, len, 1, FUZZ_NOW, &err), &err);
        free(t);
    }
    return 0;
}
