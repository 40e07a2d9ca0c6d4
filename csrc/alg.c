/* The JWS algorithm table (RFC 7518 section 3.1), key/algorithm binding,
 * and the signature primitives. HMAC is implemented here; the asymmetric
 * families are recognised by name so that a token using them gets a clear
 * unsupported_alg instead of a generic failure. */
#include "cjwt_internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

typedef struct alg_info {
    const char *name;
    cjwtp_family family;
    size_t hash_len;     /* digest bytes; the HMAC key minimum (RFC 7518 3.2) */
} alg_info;

static const alg_info algs[CJWT_ALG__COUNT] = {
    [CJWT_ALG_NONE]  = {"none", CJWTP_FAM_NONE, 0},
    [CJWT_ALG_HS256] = {"HS256", CJWTP_FAM_HMAC, 32},
    [CJWT_ALG_HS384] = {"HS384", CJWTP_FAM_HMAC, 48},
    [CJWT_ALG_HS512] = {"HS512", CJWTP_FAM_HMAC, 64},
    [CJWT_ALG_RS256] = {"RS256", CJWTP_FAM_RSA, 32},
    [CJWT_ALG_RS384] = {"RS384", CJWTP_FAM_RSA, 48},
    [CJWT_ALG_RS512] = {"RS512", CJWTP_FAM_RSA, 64},
    [CJWT_ALG_PS256] = {"PS256", CJWTP_FAM_PSS, 32},
    [CJWT_ALG_PS384] = {"PS384", CJWTP_FAM_PSS, 48},
    [CJWT_ALG_PS512] = {"PS512", CJWTP_FAM_PSS, 64},
    [CJWT_ALG_ES256] = {"ES256", CJWTP_FAM_EC, 32},
    [CJWT_ALG_ES384] = {"ES384", CJWTP_FAM_EC, 48},
    [CJWT_ALG_ES512] = {"ES512", CJWTP_FAM_EC, 64},
    [CJWT_ALG_EDDSA] = {"EdDSA", CJWTP_FAM_EDDSA, 0},
};

cjwt_alg cjwt_alg_from_name(const char *name, size_t len)
{
    if (!name)
        return CJWT_ALG__COUNT;
    for (int a = 0; a < CJWT_ALG__COUNT; a++) {
        const char *n = algs[a].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return (cjwt_alg)a;
    }
    return CJWT_ALG__COUNT;
}

const char *cjwt_alg_name(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT ? algs[alg].name : "unknown";
}

cjwtp_family cjwtp_alg_family(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT ? algs[alg].family : CJWTP_FAM_NONE;
}

size_t cjwtp_alg_hash_len(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT ? algs[alg].hash_len : 0;
}

int cjwt_alg_supported(cjwt_alg alg)
{
    return cjwtp_alg_family(alg) == CJWTP_FAM_HMAC;
}

static const EVP_MD *hmac_md(cjwt_alg alg)
{
    switch (alg) {
    case CJWT_ALG_HS256: return EVP_sha256();
    case CJWT_ALG_HS384: return EVP_sha384();
    case CJWT_ALG_HS512: return EVP_sha512();
    default: return NULL;
    }
}

static const char *kty_name(cjwt_kty kty)
{
    switch (kty) {
    case CJWT_KTY_OCT: return "oct (HMAC secret)";
    case CJWT_KTY_RSA: return "RSA";
    case CJWT_KTY_EC: return "EC";
    case CJWT_KTY_OKP: return "OKP";
    }
    return "unknown";
}

cjwt_code cjwtp_key_check(const cjwt_key *key, cjwt_alg alg, cjwt_error *err)
{
    cjwtp_family fam = cjwtp_alg_family(alg);
    if (!cjwt_alg_supported(alg))
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "algorithm %s is not supported by this build",
                          cjwt_alg_name(alg));
    if (!key)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "a key is required for %s", cjwt_alg_name(alg));
    if (key->alg != CJWT_ALG__COUNT && key->alg != alg)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key is bound to %s and cannot be used with %s",
                          cjwt_alg_name(key->alg), cjwt_alg_name(alg));
    if (!key->use_sig_ok)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's \"use\" is not \"sig\"");
    switch (fam) {
    case CJWTP_FAM_HMAC: {
        size_t need = cjwtp_alg_hash_len(alg);
        if (key->kty != CJWT_KTY_OCT)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs an HMAC secret, not an %s key",
                              cjwt_alg_name(alg), kty_name(key->kty));
        if (key->secret_len < need && !(key->flags & CJWT_KEY_ALLOW_SHORT_SECRET))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "the HMAC secret is %zu bytes, shorter than the %zu bytes %s requires "
                              "(RFC 7518 3.2); use a longer secret, or opt in for legacy tokens "
                              "with allow_short_secret",
                              key->secret_len, need, cjwt_alg_name(alg));
        if (key->secret_len == 0)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the HMAC secret is empty");
        return CJWT_OK;
    }
    case CJWTP_FAM_NONE: case CJWTP_FAM_RSA: case CJWTP_FAM_PSS: case CJWTP_FAM_EC:
    case CJWTP_FAM_EDDSA:
        break;
    }
    return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "algorithm %s is not supported by this build",
                      cjwt_alg_name(alg));
}

static cjwt_code hmac(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                      unsigned char *mac, size_t *mac_len, cjwt_error *err)
{
    unsigned int len = 0;
    if (!HMAC(hmac_md(alg), key->secret, (int)key->secret_len, data, n, mac, &len))
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL HMAC failed");
    *mac_len = len;
    return CJWT_OK;
}

cjwt_code cjwtp_sign(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                     unsigned char *sig, size_t *sig_len, cjwt_error *err)
{
    cjwt_code rc = cjwtp_key_check(key, alg, err);
    if (rc != CJWT_OK)
        return rc;
    if (!(key->ops & CJWTP_OP_SIGN))
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's key_ops do not allow \"sign\"");
    return hmac(key, alg, data, n, sig, sig_len, err);
}

cjwt_code cjwtp_verify_sig(const cjwt_key *key, cjwt_alg alg, const unsigned char *data,
                           size_t n, const unsigned char *sig, size_t sig_len, cjwt_error *err)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    cjwt_code rc = cjwtp_key_check(key, alg, err);
    if (rc != CJWT_OK)
        return rc;
    if (!(key->ops & CJWTP_OP_VERIFY))
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's key_ops do not allow \"verify\"");
    rc = hmac(key, alg, data, n, mac, &mac_len, err);
    if (rc != CJWT_OK)
        return rc;
    /* The length is public (fixed by alg); the bytes are compared in
     * constant time so the position of a mismatch leaks nothing. */
    if (sig_len != mac_len || CRYPTO_memcmp(sig, mac, mac_len) != 0) {
        OPENSSL_cleanse(mac, sizeof mac);
        return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
    }
    OPENSSL_cleanse(mac, sizeof mac);
    return CJWT_OK;
}
