/* Keys: parsed once, immutable afterwards, shared by reference count. */
#include "cjwt_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static cjwt_key *key_alloc(cjwt_kty kty, unsigned flags, cjwt_error *err)
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
    k->ops = CJWTP_OP_SIGN | CJWTP_OP_VERIFY;
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
    free(key->kid);
    free(key);
}

cjwt_kty cjwt_key_type(const cjwt_key *key) { return key->kty; }
const char *cjwt_key_kid(const cjwt_key *key) { return key ? key->kid : NULL; }
cjwt_alg cjwt_key_alg(const cjwt_key *key) { return key ? key->alg : CJWT_ALG__COUNT; }

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
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the HMAC secret is empty");
        return NULL;
    }
    k = key_alloc(CJWT_KTY_OCT, flags, err);
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
    if (n - i >= 10 && memcmp(d + i, "-----BEGIN", 10) == 0)
        return "PEM";
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
    if (kind) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY,
                   "the key is %s key material, which is never used as an HMAC secret; "
                   "this build does not support asymmetric keys yet", kind);
        return NULL;
    }
    return cjwt_key_from_secret(data, len, flags, err);
}

/* ---- JWK (RFC 7517) ---------------------------------------------------- */

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

/* The members every JWK may carry: kid, alg, use, key_ops (RFC 7517 4). */
static int jwk_common(cjwt_key *k, const json_t *jwk, cjwt_error *err)
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
    if (alg) {
        k->alg = cjwt_alg_from_name(alg, strlen(alg));
        if (k->alg == CJWT_ALG__COUNT || k->alg == CJWT_ALG_NONE) {
            char q[160];
            cjwtp_quote(q, sizeof q, alg, strlen(alg));
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK \"alg\" \"%s\" is not a JWS algorithm", q);
            return -1;
        }
    }
    if (use)
        k->use_sig_ok = strcmp(use, "sig") == 0;
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
        }
    }
    return 0;
}

static cjwt_key *jwk_oct(const json_t *jwk, unsigned flags, cjwt_error *err)
{
    const char *k64;
    unsigned char *buf;
    size_t n, len = 0;
    cjwt_key *k;
    if (jwk_string(jwk, "k", &k64, err))
        return NULL;
    if (!k64) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "oct JWK has no \"k\"");
        return NULL;
    }
    n = strlen(k64);
    buf = malloc(cjwtp_b64url_decoded_max(n));
    if (!buf) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decoding a JWK");
        return NULL;
    }
    if (cjwtp_b64url_decode(k64, n, buf, &len) != 0 || len == 0) {
        free(buf);
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "oct JWK \"k\" is not non-empty base64url");
        return NULL;
    }
    k = key_alloc(CJWT_KTY_OCT, flags, err);
    if (!k || jwk_common(k, jwk, err) != 0) {
        OPENSSL_cleanse(buf, len);
        free(buf);
        cjwt_key_free(k);
        return NULL;
    }
    k->secret = buf;       /* ownership moves to the key */
    k->secret_len = len;
    if (k->alg != CJWT_ALG__COUNT && cjwtp_alg_family(k->alg) != CJWTP_FAM_HMAC) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "oct JWK is bound to %s, which is not an HMAC algorithm",
                   cjwt_alg_name(k->alg));
        cjwt_key_free(k);
        return NULL;
    }
    return k;
}

cjwt_key *cjwt_key_from_jwk(const cjwt_value *jwkv, unsigned flags, cjwt_error *err)
{
    const json_t *jwk = CJWTP_CJSON(jwkv);
    const char *kty;
    cjwtp_error_clear(err);
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
    if (strcmp(kty, "RSA") == 0 || strcmp(kty, "EC") == 0 || strcmp(kty, "OKP") == 0) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "JWK kty \"%s\" is not supported by this build yet", kty);
        return NULL;
    }
    {
        char q[160];
        cjwtp_quote(q, sizeof q, kty, strlen(kty));
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "unknown JWK kty \"%s\"", q);
    }
    return NULL;
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
    k = cjwt_key_from_jwk(CJWTP_VALUE(j), flags, err);
    json_decref(j);
    return k;
}
