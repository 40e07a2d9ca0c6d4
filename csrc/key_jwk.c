/* JWK (RFC 7517, RFC 7518 section 6, RFC 8037, RFC 8812) import and export
 * for every key type: oct, RSA, EC (P-256/384/521, secp256k1) and OKP
 * (Ed25519, Ed448; X25519, X448 for JWE). */
#include "cjwt_internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

static int jwk_string(const json_t *jwk, const char *name, const char **out, cjwt_error *err)
{
    const json_t *v = json_object_get(jwk, name);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v)) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK member \"%s\" must be a string", name);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* A base64url member decoded into a new buffer (wiped and freed by the
 * caller with free_secret). Missing: *out NULL and 0 returned when optional. */
static int jwk_bytes(const json_t *jwk, const char *name, int required, unsigned char **out,
                     size_t *len, cjwt_error *err)
{
    const char *s;
    size_t n;
    *out = NULL;
    *len = 0;
    if (jwk_string(jwk, name, &s, err))
        return -1;
    if (!s) {
        if (required) {
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK has no \"%s\"", name);
            return -1;
        }
        return 0;
    }
    n = strlen(s);
    *out = malloc(cjwtp_b64url_decoded_max(n));
    if (!*out) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decoding a JWK");
        return -1;
    }
    if (cjwtp_b64url_decode(s, n, *out, len) != 0 || *len == 0) {
        free(*out);
        *out = NULL;
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK \"%s\" is not non-empty base64url", name);
        return -1;
    }
    return 0;
}

static void free_secret(unsigned char *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

/* The members every JWK may carry: kid, alg, use, key_ops (RFC 7517 4). */
int cjwtp_jwk_common(cjwt_key *k, const json_t *jwk, cjwt_error *err)
{
    const char *kid, *alg, *use;
    const json_t *ops;
    if (jwk_string(jwk, "kid", &kid, err) || jwk_string(jwk, "alg", &alg, err) ||
        jwk_string(jwk, "use", &use, err))
        return -1;
    if (kid && !(k->kid = strdup(kid))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory copying a kid");
        return -1;
    }
    if (alg && cjwtp_jwe_binding_from_name(alg, &k->jwe_alg, &k->jwe_enc) == 0) {
        /* A JWE binding (RFC 7517 4.4): the key must fit it, and it never
         * signs or verifies. */
        if (cjwtp_jwe_key_check(k, k->jwe_alg >= 0 ? (cjwt_jwe_alg)k->jwe_alg : CJWT_JWE_DIR,
                                k->jwe_enc >= 0 ? (cjwt_jwe_enc)k->jwe_enc : CJWT_ENC__COUNT, -1,
                                err) != CJWT_OK) {
            if (err)
                err->code = CJWT_E_INVALID_KEY;
            return -1;
        }
        k->use_sig_ok = 0;
    } else if (alg) {
        cjwt_alg a = cjwt_alg_from_name(alg, strlen(alg));
        if (a == CJWT_ALG__COUNT || a == CJWT_ALG_NONE) {
            char q[160];
            cjwtp_quote(q, sizeof q, alg, strlen(alg));
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK \"alg\" \"%s\" is not a JWS algorithm", q);
            return -1;
        }
        /* The binding must fit the key (an EC P-256 key cannot be ES384). */
        if (cjwtp_key_check(k, a, err) != CJWT_OK) {
            if (err)
                err->code = CJWT_E_INVALID_KEY;
            return -1;
        }
        k->alg = a;
        k->use_enc_ok = 0;    /* bound to a signature alg: never decrypts */
    }
    if (use) {
        if (strcmp(use, "sig") != 0)
            k->use_sig_ok = 0;
        if (strcmp(use, "enc") != 0)
            k->use_enc_ok = 0;
    }
    ops = json_object_get(jwk, "key_ops");
    if (ops) {
        size_t i;
        const json_t *op;
        if (!json_is_array(ops)) {
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK member \"key_ops\" must be an array");
            return -1;
        }
        k->ops = 0;
        json_array_foreach(ops, i, op) {
            const char *s = json_string_value(op);
            if (!s) {
                cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK \"key_ops\" must hold strings");
                return -1;
            }
            if (strcmp(s, "sign") == 0)
                k->ops |= CJWTP_OP_SIGN;
            else if (strcmp(s, "verify") == 0)
                k->ops |= CJWTP_OP_VERIFY;
            else if (strcmp(s, "encrypt") == 0 || strcmp(s, "wrapKey") == 0)
                k->ops |= CJWTP_OP_ENCRYPT;
            else if (strcmp(s, "decrypt") == 0 || strcmp(s, "unwrapKey") == 0)
                k->ops |= CJWTP_OP_DECRYPT;
            else if (strcmp(s, "deriveKey") == 0 || strcmp(s, "deriveBits") == 0)
                k->ops |= CJWTP_OP_ENCRYPT | CJWTP_OP_DECRYPT;   /* ECDH: both ends derive */
        }
    }
    return 0;
}

static cjwt_key *jwk_oct(const json_t *jwk, unsigned flags, cjwt_error *err)
{
    unsigned char *secret;
    size_t len;
    cjwt_key *k;
    if (jwk_bytes(jwk, "k", 1, &secret, &len, err))
        return NULL;
    k = cjwtp_key_alloc(CJWT_KTY_OCT, flags, err);
    if (!k) {
        free_secret(secret, len);
        return NULL;
    }
    k->secret = secret;       /* ownership moves to the key */
    k->secret_len = len;
    if (cjwtp_jwk_common(k, jwk, err) != 0) {
        cjwt_key_free(k);
        return NULL;
    }
    return k;
}

/* Builds an EVP_PKEY of `type` from params; checks public (and private)
 * consistency so a JWK with a point off the curve or a d that does not
 * match is refused here, not at first use. */
static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int private,
                               cjwt_error *err)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL), *check = NULL;
    EVP_PKEY *pkey = NULL;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the JWK does not describe a valid %s key", type);
        goto out;
    }
    /* EC: the point must be on the curve (a deterministic check). RSA's
     * public check is OpenSSL's SP 800-56B one, which runs a randomised
     * primality test on n: the same JWK would be accepted or refused at
     * random. RSA public keys get cjwt's own deterministic checks instead
     * (cjwtp_key_from_pkey), the same for JWK, PEM and DER. */
    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!check || (strcmp(type, "RSA") != 0 && EVP_PKEY_public_check(check) != 1) ||
        (private && EVP_PKEY_pairwise_check(check) != 1)) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the JWK's %s key fails validation%s", type,
                   private ? " (private and public parts must match)" : " (e.g. a point not on the curve)");
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
out:
    ERR_clear_error();
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static cjwt_key *finish(EVP_PKEY *pkey, const json_t *jwk, unsigned flags, cjwt_error *err)
{
    cjwt_key *k = cjwtp_key_from_pkey(pkey, flags, err);
    if (k && cjwtp_jwk_common(k, jwk, err) != 0) {
        cjwt_key_free(k);
        return NULL;
    }
    return k;
}

static cjwt_key *jwk_rsa(const json_t *jwk, unsigned flags, cjwt_error *err)
{
    static const char *const names[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
    static const char *const params[] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    unsigned char *raw[8] = {0};
    size_t len[8] = {0};
    BIGNUM *bn[8] = {0};
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    int private, crt, i;
    if (!bld) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWK");
        return NULL;
    }
    if (json_object_get(jwk, "oth")) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "multi-prime RSA JWKs (\"oth\") are not supported");
        goto out;
    }
    for (i = 0; i < 8; i++)
        if (jwk_bytes(jwk, names[i], i < 2, &raw[i], &len[i], err))
            goto out;
    private = raw[2] != NULL;
    crt = raw[3] && raw[4] && raw[5] && raw[6] && raw[7];
    if (private && !crt && (raw[3] || raw[4] || raw[5] || raw[6] || raw[7])) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "RSA JWK has some but not all of p, q, dp, dq, qi");
        goto out;
    }
    if (!private && (raw[3] || raw[4])) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "RSA JWK has private factors but no \"d\"");
        goto out;
    }
    for (i = 0; i < (private ? (crt ? 8 : 3) : 2); i++) {
        bn[i] = BN_bin2bn(raw[i], (int)len[i], NULL);
        if (!bn[i] || !OSSL_PARAM_BLD_push_BN(bld, params[i], bn[i])) {
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWK");
            goto out;
        }
    }
    pkey = pkey_fromdata("RSA", bld, private, err);
out:
    for (i = 0; i < 8; i++) {
        free_secret(raw[i], len[i]);
        BN_clear_free(bn[i]);
    }
    OSSL_PARAM_BLD_free(bld);
    return pkey ? finish(pkey, jwk, flags, err) : NULL;
}

static int curve_from_jwk(const char *crv)
{
    if (!crv) return CJWTP_CRV_NONE;
    if (strcmp(crv, "P-256") == 0) return CJWTP_CRV_P256;
    if (strcmp(crv, "P-384") == 0) return CJWTP_CRV_P384;
    if (strcmp(crv, "P-521") == 0) return CJWTP_CRV_P521;
    if (strcmp(crv, "Ed25519") == 0) return CJWTP_CRV_ED25519;
    if (strcmp(crv, "X25519") == 0) return CJWTP_CRV_X25519;
    if (strcmp(crv, "X448") == 0) return CJWTP_CRV_X448;
    if (strcmp(crv, "secp256k1") == 0) return CJWTP_CRV_SECP256K1;   /* RFC 8812 3.1 */
    if (strcmp(crv, "Ed448") == 0) return CJWTP_CRV_ED448;
    return CJWTP_CRV_NONE;
}

static cjwt_key *jwk_ec(const json_t *jwk, unsigned flags, cjwt_error *err)
{
    static const char *const groups[] = {
        [CJWTP_CRV_P256] = "prime256v1", [CJWTP_CRV_P384] = "secp384r1", [CJWTP_CRV_P521] = "secp521r1",
        [CJWTP_CRV_SECP256K1] = "secp256k1",
    };
    const char *crv;
    unsigned char *x = NULL, *y = NULL, *d = NULL, pub[1 + 2 * 66];
    size_t xl = 0, yl = 0, dl = 0, size;
    int curve;
    BIGNUM *dbn = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *pkey = NULL;
    if (jwk_string(jwk, "crv", &crv, err))
        return NULL;
    curve = curve_from_jwk(crv);
    if (curve != CJWTP_CRV_P256 && curve != CJWTP_CRV_P384 && curve != CJWTP_CRV_P521 &&
        curve != CJWTP_CRV_SECP256K1) {
        char q[100];
        cjwtp_quote(q, sizeof q, crv ? crv : "(none)", crv ? strlen(crv) : 6);
        cjwtp_fail(err, CJWT_E_INVALID_KEY,
                   "EC JWK curve \"%s\" is not P-256, P-384, P-521 or secp256k1", q);
        return NULL;
    }
    size = cjwtp_curve_bytes(curve);
    if (jwk_bytes(jwk, "x", 1, &x, &xl, err) || jwk_bytes(jwk, "y", 1, &y, &yl, err) ||
        jwk_bytes(jwk, "d", 0, &d, &dl, err))
        goto out;
    /* RFC 7518 6.2.1.2/6.2.2.1: coordinates and d are the full field size */
    if (xl != size || yl != size || (d && dl != size)) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "EC JWK coordinates must be %zu bytes for %s", size, crv);
        goto out;
    }
    pub[0] = 0x04;    /* uncompressed point */
    memcpy(pub + 1, x, size);
    memcpy(pub + 1 + size, y, size);
    bld = OSSL_PARAM_BLD_new();
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, groups[curve], 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * size) ||
        (d && (!(dbn = BN_bin2bn(d, (int)dl, NULL)) ||
               !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, dbn)))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWK");
        goto out;
    }
    pkey = pkey_fromdata("EC", bld, d != NULL, err);
out:
    free(x);
    free(y);
    free_secret(d, dl);
    BN_clear_free(dbn);
    OSSL_PARAM_BLD_free(bld);
    return pkey ? finish(pkey, jwk, flags, err) : NULL;
}

/* OKP (RFC 8037): Ed25519 and Ed448 sign; X25519 and X448 agree on keys (ECDH-ES). */
static cjwt_key *jwk_okp(const json_t *jwk, unsigned flags, cjwt_error *err)
{
    const char *crv;
    unsigned char *x = NULL, *d = NULL;
    size_t xl = 0, dl = 0, size;
    int curve, type;
    EVP_PKEY *pkey = NULL;
    if (jwk_string(jwk, "crv", &crv, err))
        return NULL;
    curve = curve_from_jwk(crv);
    if (curve != CJWTP_CRV_ED25519 && curve != CJWTP_CRV_ED448 && curve != CJWTP_CRV_X25519 &&
        curve != CJWTP_CRV_X448) {
        char q[100];
        cjwtp_quote(q, sizeof q, crv ? crv : "(none)", crv ? strlen(crv) : 6);
        cjwtp_fail(err, CJWT_E_INVALID_KEY,
                   "OKP JWK curve \"%s\" is not Ed25519, Ed448, X25519 or X448", q);
        return NULL;
    }
    type = curve == CJWTP_CRV_ED25519 ? EVP_PKEY_ED25519
         : curve == CJWTP_CRV_ED448 ? EVP_PKEY_ED448
         : curve == CJWTP_CRV_X25519 ? EVP_PKEY_X25519 : EVP_PKEY_X448;
    size = cjwtp_curve_bytes(curve);
    if (jwk_bytes(jwk, "x", 1, &x, &xl, err) || jwk_bytes(jwk, "d", 0, &d, &dl, err))
        goto out;
    if (xl != size || (d && dl != size)) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s JWK \"x\" and \"d\" must be %zu bytes", crv, size);
        goto out;
    }
    if (d) {
        unsigned char derived[57];
        size_t n = sizeof derived;
        pkey = EVP_PKEY_new_raw_private_key(type, NULL, d, dl);
        /* RFC 8037: x is derived from d; a JWK where they disagree is corrupt */
        if (pkey && (!EVP_PKEY_get_raw_public_key(pkey, derived, &n) || n != size ||
                     CRYPTO_memcmp(derived, x, size) != 0)) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s JWK \"x\" does not match \"d\"", crv);
        }
    } else {
        pkey = EVP_PKEY_new_raw_public_key(type, NULL, x, xl);
    }
    if (!pkey)
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the JWK does not describe a valid %s key", crv);
    ERR_clear_error();
out:
    free(x);
    free_secret(d, dl);
    return pkey ? finish(pkey, jwk, flags, err) : NULL;
}

static cjwt_key *key_from_jwk(const json_t *jwk, unsigned flags, cjwt_error *err)
{
    const char *kty;
    char q[100];
    if (!json_is_object(jwk)) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "a JWK must be a JSON object");
        return NULL;
    }
    if (jwk_string(jwk, "kty", &kty, err))
        return NULL;
    if (!kty) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK has no \"kty\"");
        return NULL;
    }
    if (strcmp(kty, "oct") == 0)
        return jwk_oct(jwk, flags, err);
    if (strcmp(kty, "RSA") == 0)
        return jwk_rsa(jwk, flags, err);
    if (strcmp(kty, "EC") == 0)
        return jwk_ec(jwk, flags, err);
    if (strcmp(kty, "OKP") == 0)
        return jwk_okp(jwk, flags, err);
    cjwtp_quote(q, sizeof q, kty, strlen(kty));
    cjwtp_fail(err, CJWT_E_INVALID_KEY, "unknown JWK kty \"%s\"", q);
    return NULL;
}

cjwt_key *cjwt_key_from_jwk(const cjwt_value *jwkv, unsigned flags, cjwt_error *err)
{
    json_t *jwk = cjwtp_value_to_jansson(jwkv);
    cjwt_key *k;
    cjwtp_error_clear(err);
    k = key_from_jwk(jwk, flags, err);
    json_decref(jwk);
    return k;
}

cjwt_key *cjwt_key_from_jwk_json(const char *json, size_t len, unsigned flags, cjwt_error *err)
{
    json_t *j;
    cjwt_key *k;
    cjwtp_error_clear(err);
    if (!json) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no JWK given");
        return NULL;
    }
    j = cjwtp_json_parse(json, len, CJWT_DEFAULT_MAX_DEPTH, "JWK", err);
    if (!j) {
        if (err)
            err->code = CJWT_E_INVALID_KEY;
        return NULL;
    }
    k = key_from_jwk(j, flags, err);
    json_decref(j);
    return k;
}

/* ---- export -------------------------------------------------------------- */

/* A BIGNUM parameter as base64url: minimal length, or `width` bytes. */
static int put_bn(json_t *o, const char *name, const EVP_PKEY *pkey, const char *param, int width)
{
    BIGNUM *bn = NULL;
    unsigned char *buf;
    int n, rc = -1;
    if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
        return -1;
    n = width ? width : BN_num_bytes(bn);
    if (n == 0)
        n = 1;
    buf = malloc((size_t)n);
    if (buf && BN_bn2binpad(bn, buf, n) == n)
        rc = cjwtp_json_set_b64(o, name, buf, (size_t)n);
    if (buf) {
        OPENSSL_cleanse(buf, (size_t)n);
        free(buf);
    }
    BN_clear_free(bn);
    return rc;
}

json_t *cjwtp_key_to_jwk(const cjwt_key *k, int priv, cjwt_error *err)
{
    json_t *o = json_object();
    int rc = 0;
    if (!o) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory exporting a JWK");
        return NULL;
    }
    if (priv && !cjwt_key_is_private(k)) {
        json_decref(o);
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "this is a public key: it has no private part");
        return NULL;
    }
    rc |= json_object_set_new(o, "kty", json_string(cjwt_kty_name(k->kty)));
    switch (k->kty) {
    case CJWT_KTY_OCT:
        if (!priv) {
            json_decref(o);
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "an HMAC secret has no public form: export it as private");
            return NULL;
        }
        rc |= cjwtp_json_set_b64(o, "k", k->secret, k->secret_len);
        break;
    case CJWT_KTY_RSA:
        rc |= put_bn(o, "n", k->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        rc |= put_bn(o, "e", k->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        if (priv) {
            rc |= put_bn(o, "d", k->pkey, OSSL_PKEY_PARAM_RSA_D, 0);
            /* CRT members are present when OpenSSL has them */
            if (put_bn(o, "p", k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, 0) == 0) {
                rc |= put_bn(o, "q", k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, 0);
                rc |= put_bn(o, "dp", k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0);
                rc |= put_bn(o, "dq", k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0);
                rc |= put_bn(o, "qi", k->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
            }
        }
        break;
    case CJWT_KTY_EC: {
        int w = (int)cjwtp_curve_bytes(k->curve);
        rc |= json_object_set_new(o, "crv", json_string(cjwtp_curve_jwk_name(k->curve)));
        rc |= put_bn(o, "x", k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, w);
        rc |= put_bn(o, "y", k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, w);
        if (priv)
            rc |= put_bn(o, "d", k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, w);
        break;
    }
    case CJWT_KTY_OKP: {
        unsigned char raw[57];
        size_t n = sizeof raw, size = cjwtp_curve_bytes(k->curve);
        rc |= json_object_set_new(o, "crv", json_string(cjwtp_curve_jwk_name(k->curve)));
        if (!EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) || n != size)
            rc = -1;
        else
            rc |= cjwtp_json_set_b64(o, "x", raw, n);
        n = sizeof raw;
        if (priv) {
            if (!EVP_PKEY_get_raw_private_key(k->pkey, raw, &n) || n != size)
                rc = -1;
            else
                rc |= cjwtp_json_set_b64(o, "d", raw, n);
        }
        OPENSSL_cleanse(raw, sizeof raw);
        break;
    }
    }
    if (k->kid)
        rc |= json_object_set_new(o, "kid", json_string(k->kid));
    if (k->alg != CJWT_ALG__COUNT)
        rc |= json_object_set_new(o, "alg", json_string(cjwt_alg_name(k->alg)));
    else if (k->jwe_alg >= 0)
        rc |= json_object_set_new(o, "alg", json_string(cjwt_jwe_alg_name((cjwt_jwe_alg)k->jwe_alg)));
    else if (k->jwe_enc >= 0)
        rc |= json_object_set_new(o, "alg", json_string(cjwt_jwe_enc_name((cjwt_jwe_enc)k->jwe_enc)));
    if (rc != 0) {
        json_decref(o);
        ERR_clear_error();
        cjwtp_fail(err, CJWT_E_INTERNAL, "could not export the key as a JWK");
        return NULL;
    }
    return o;
}

cjwt_value *cjwt_key_to_jwk(const cjwt_key *key, int include_private, cjwt_error *err)
{
    cjwtp_error_clear(err);
    if (!key) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key given");
        return NULL;
    }
    return CJWTP_VALUE(cjwtp_key_to_jwk(key, include_private, err));
}
