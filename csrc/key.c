/* Keys: parsed once, immutable afterwards, shared by reference count. */
#include "cjwt_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

cjwt_key *cjwtp_key_alloc(cjwt_kty kty, unsigned flags, cjwt_error *err)
{
    cjwt_key *k = calloc(1, sizeof *k);
    if (!k) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory allocating a key");
        return NULL;
    }
    k->refs = 1;
    k->kty = kty;
    k->alg = CJWT_ALG__COUNT;
    k->flags = flags;
    k->use_sig_ok = 1;
    k->use_enc_ok = 1;
    k->ops = CJWTP_OP_ALL;
    k->jwe_alg = -1;
    k->jwe_enc = -1;
    return k;
}

cjwt_key *cjwt_key_ref(cjwt_key *key)
{
    if (key)
        __atomic_add_fetch(&key->refs, 1, __ATOMIC_RELAXED);
    return key;
}

void cjwt_key_free(cjwt_key *key)
{
    if (!key || __atomic_sub_fetch(&key->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (key->secret) {
        OPENSSL_cleanse(key->secret, key->secret_len);
        free(key->secret);
    }
    if (key->ed_sk) {
        OPENSSL_cleanse(key->ed_sk, 64);
        free(key->ed_sk);
    }
    cjwtp_key_free_prepared(key);
    EVP_PKEY_free(key->pkey);
    free(key->kid);
    free(key);
}

cjwt_kty cjwt_key_type(const cjwt_key *key) { return key->kty; }
int cjwt_key_is_private(const cjwt_key *key) { return key && (key->is_private || key->kty == CJWT_KTY_OCT); }
int cjwt_key_bits(const cjwt_key *key) { return key ? (key->kty == CJWT_KTY_OCT ? (int)key->secret_len * 8 : key->bits) : 0; }
const char *cjwt_key_curve(const cjwt_key *key) { return key ? cjwtp_curve_jwk_name(key->curve) : NULL; }

const char *cjwt_kty_name(cjwt_kty kty)
{
    switch (kty) {
    case CJWT_KTY_OCT: return "oct";
    case CJWT_KTY_RSA: return "RSA";
    case CJWT_KTY_EC: return "EC";
    case CJWT_KTY_OKP: return "OKP";
    }
    return "unknown";
}
const char *cjwt_key_kid(const cjwt_key *key) { return key ? key->kid : NULL; }
cjwt_alg cjwt_key_alg(const cjwt_key *key) { return key ? key->alg : CJWT_ALG__COUNT; }

cjwt_alg cjwt_key_default_alg(const cjwt_key *key)
{
    if (!key)
        return CJWT_ALG__COUNT;
    if (key->alg != CJWT_ALG__COUNT)
        return key->alg;
    switch (key->kty) {
    case CJWT_KTY_OCT: return CJWT_ALG_HS256;
    case CJWT_KTY_RSA: return CJWT_ALG_RS256;
    case CJWT_KTY_OKP: return CJWT_ALG_EDDSA;
    case CJWT_KTY_EC:
        return key->curve == CJWTP_CRV_P384 ? CJWT_ALG_ES384
             : key->curve == CJWTP_CRV_P521 ? CJWT_ALG_ES512
             : key->curve == CJWTP_CRV_SECP256K1 ? CJWT_ALG_ES256K : CJWT_ALG_ES256;
    }
    return CJWT_ALG__COUNT;
}

static int set_secret(cjwt_key *k, const unsigned char *secret, size_t len, cjwt_error *err)
{
    k->secret = malloc(len ? len : 1);
    if (!k->secret) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory copying a secret");
        return -1;
    }
    if (len)
        memcpy(k->secret, secret, len);
    k->secret_len = len;
    return 0;
}

cjwt_key *cjwt_key_from_secret(const unsigned char *secret, size_t len, unsigned flags,
                               cjwt_error *err)
{
    cjwt_key *k;
    cjwtp_error_clear(err);
    if (!secret && len) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no secret given");
        return NULL;
    }
    if (len == 0) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "HMAC key must not be empty.");
        return NULL;
    }
    k = cjwtp_key_alloc(CJWT_KTY_OCT, flags, err);
    if (!k)
        return NULL;
    if (set_secret(k, secret, len, err) != 0) {
        cjwt_key_free(k);
        return NULL;
    }
    return k;
}

/* Does `data` look like asymmetric key material? Such bytes must never
 * become an HMAC secret: with a public key as the "secret", anyone could
 * forge HS256 tokens (the CVE-2022-29217 class of algorithm confusion). */
static const char *key_material_kind(const unsigned char *d, size_t n)
{
    static const char *const ssh_prefixes[] = {
        "ssh-rsa ", "ssh-dss ", "ssh-ed25519 ", "ssh-ed448 ", "ecdsa-sha2-",
        "sk-ssh-ed25519@openssh.com ", "sk-ecdsa-sha2-", "ssh-rsa-cert-", "ssh-ed25519-cert-",
    };
    size_t i = 0;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    /* PEM anywhere: tools write text before it ("Bag Attributes", x509 -text) */
    for (size_t k = i; n >= 11 && k <= n - 11; k++)
        if (d[k] == '-' && memcmp(d + k, "-----BEGIN ", 11) == 0)
            return "PEM";
    if (i < n && d[i] == '{')
        return "JSON";
    for (size_t p = 0; p < sizeof ssh_prefixes / sizeof *ssh_prefixes; p++) {
        size_t l = strlen(ssh_prefixes[p]);
        if (n - i >= l && memcmp(d + i, ssh_prefixes[p], l) == 0)
            return "an SSH public key";
    }
    /* DER: a SEQUENCE whose length covers exactly the rest of the input. */
    if (n >= 2 && d[0] == 0x30) {
        size_t len, hdr;
        if (d[1] < 0x80) {
            len = d[1];
            hdr = 2;
        } else {
            size_t nb = d[1] & 0x7f;
            if (nb == 0 || nb > 4 || n < 2 + nb)
                return NULL;
            len = 0;
            for (size_t b = 0; b < nb; b++)
                len = len << 8 | d[2 + b];
            hdr = 2 + nb;
        }
        if (hdr + len == n && n > 16)
            return "DER";
    }
    return NULL;
}

cjwt_key *cjwt_key_from_bytes(const unsigned char *data, size_t len, unsigned flags,
                              cjwt_error *err)
{
    const char *kind;
    cjwtp_error_clear(err);
    if (!data && len) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key given");
        return NULL;
    }
    kind = key_material_kind(data, len);
    if (kind && strcmp(kind, "JSON") == 0) {
        /* A JWK (or JWK set) given as text is public key material as often
         * as not: read it as a JWK, never as an HMAC secret. Text starting
         * with '{' that is not JSON is just bytes. */
        cjwt_error jerr = {CJWT_OK, "", ""};
        json_t *j = cjwtp_json_parse((const char *)data, len, CJWT_DEFAULT_MAX_DEPTH, "key", &jerr);
        cjwt_key *k = NULL;
        if (!j)
            return cjwt_key_from_secret(data, len, flags, err);
        if (json_is_object(j) && json_object_get(j, "kty"))
            k = cjwt_key_from_jwk(CJWTP_VALUE(j), flags, err);
        else if (json_is_object(j) && json_object_get(j, "keys"))
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key is a JWK set given as text: use a key set");
        else
            cjwtp_fail(err, CJWT_E_INVALID_KEY,
                       "the key is JSON text, which is never used as an HMAC secret; "
                       "pass a JWK object or the secret's bytes");
        json_decref(j);
        return k;
    }
    if (!kind)
        return cjwt_key_from_secret(data, len, flags, err);
    if (strcmp(kind, "PEM") == 0 || strcmp(kind, "DER") == 0)
        return cjwtp_key_from_pem_or_der(data, len, NULL, 0, flags, err);
    cjwtp_fail(err, CJWT_E_INVALID_KEY,
               "the key is %s, which is never used as an HMAC secret; cjwt does not read SSH "
               "keys: convert it with `ssh-keygen -e -m PKCS8 -f KEY`", kind);
    return NULL;
}

