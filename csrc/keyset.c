/* Key sets (JWKS, RFC 7517 section 5) and choosing a key for a token. */
#include "cjwt_internal.h"

#include <stdlib.h>
#include <string.h>

struct cjwt_keyset {
    int refs;            /* atomic */
    size_t n;
    cjwt_key *keys[];    /* one reference each */
};

static int usable_for_signatures(const cjwt_key *k)
{
    /* X25519/X448 keys only agree on keys (JWE): never kept for signatures */
    return k->use_sig_ok && (k->ops & (CJWTP_OP_SIGN | CJWTP_OP_VERIFY)) &&
           !(k->kty == CJWT_KTY_OKP && k->curve != CJWTP_CRV_ED25519 &&
             k->curve != CJWTP_CRV_ED448);
}

/* The rules a set must satisfy to be unambiguous: no two keys with one kid
 * (which one did the signer mean?), and no HMAC secret beside public keys
 * (a published set never holds secrets; mixing invites confusion). */
static cjwt_code check_set(cjwt_key *const *keys, size_t n, cjwt_error *err)
{
    int has_oct = 0, has_pub = 0;
    for (size_t i = 0; i < n; i++) {
        if (keys[i]->kty == CJWT_KTY_OCT)
            has_oct = 1;
        else
            has_pub = 1;
        if (!keys[i]->kid)
            continue;
        for (size_t j = 0; j < i; j++)
            if (keys[j]->kid && strcmp(keys[i]->kid, keys[j]->kid) == 0) {
                char q[120];
                cjwtp_quote(q, sizeof q, keys[i]->kid, strlen(keys[i]->kid));
                return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key set has two keys with kid \"%s\"", q);
            }
    }
    if (has_oct && has_pub)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                          "the key set mixes HMAC secrets with public-key keys");
    return CJWT_OK;
}

cjwt_keyset *cjwt_keyset_new(cjwt_key *const *keys, size_t n, cjwt_error *err)
{
    cjwt_keyset *ks;
    cjwtp_error_clear(err);
    if (n == 0 || !keys) {
        /* the same rule as for a JWKS: a set that can verify nothing is a mistake */
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "a key set needs at least one key");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!keys[i]) {
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "key %zu is missing", i);
            return NULL;
        }
    if (check_set(keys, n, err) != CJWT_OK)
        return NULL;
    ks = malloc(sizeof *ks + n * sizeof *ks->keys);
    if (!ks) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory creating a key set");
        return NULL;
    }
    ks->refs = 1;
    ks->n = n;
    for (size_t i = 0; i < n; i++)
        ks->keys[i] = cjwt_key_ref(keys[i]);
    return ks;
}

/* Two entries meant for signatures (no "use", or "sig") with one kid make
 * the set ambiguous even if one of them would later be left out as broken:
 * the signer may have meant the broken one. RFC 7517 4.5 allows one kid for
 * keys of different kty, so those are not counted as duplicates. */
static cjwt_code check_kids(const json_t *arr, cjwt_error *err)
{
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(arr, i);
        const char *kid = json_string_value(json_object_get(a, "kid"));
        const char *use = json_string_value(json_object_get(a, "use"));
        if (!kid || (use && strcmp(use, "sig") != 0))
            continue;
        for (size_t j = 0; j < i; j++) {
            const json_t *b = json_array_get(arr, j);
            const char *kid2 = json_string_value(json_object_get(b, "kid"));
            const char *use2 = json_string_value(json_object_get(b, "use"));
            if (kid2 && strcmp(kid, kid2) == 0 && !(use2 && strcmp(use2, "sig") != 0) &&
                json_equal(json_object_get(a, "kty"), json_object_get(b, "kty"))) {
                char q[120];
                cjwtp_quote(q, sizeof q, kid, strlen(kid));
                return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key set has two keys with kid \"%s\"", q);
            }
        }
    }
    return CJWT_OK;
}

static cjwt_keyset *keyset_from_jwks(const json_t *jwks, unsigned flags, cjwt_error *err)
{
    const json_t *arr, *item;
    cjwt_key **keys;
    cjwt_keyset *ks = NULL;
    size_t n = 0, i, skipped = 0;
    cjwt_error first = {CJWT_OK, "", ""};
    arr = json_object_get(jwks, "keys");
    if (!json_is_object(jwks) || !json_is_array(arr)) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "a JWKS must be an object with a \"keys\" array");
        return NULL;
    }
    if (check_kids(arr, err) != CJWT_OK)
        return NULL;
    keys = calloc(json_array_size(arr) + 1, sizeof *keys);
    if (!keys) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWKS");
        return NULL;
    }
    json_array_foreach(arr, i, item) {
        cjwt_error kerr = {CJWT_OK, "", ""};
        cjwt_key *k = cjwt_key_from_jwk(CJWTP_VALUE(item), flags, &kerr);
        if (k && usable_for_signatures(k)) {
            keys[n++] = k;
            continue;
        }
        /* Keys for encryption, of a kind cjwt does not sign with, or broken
         * ones are left out, as other JWKS clients do; the set still works
         * with the rest. The first reason is reported if none is usable. */
        if (k && first.code == CJWT_OK)
            cjwtp_fail(&first, CJWT_E_INVALID_KEY, "key %zu is not for signatures (use/key_ops)", i);
        else if (!k && first.code == CJWT_OK)
            first = kerr;
        cjwt_key_free(k);
        skipped++;
    }
    if (n == 0) {
        if (first.code != CJWT_OK)
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "the JWKS has no usable signature key (%s)",
                       first.message);
        else
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "the JWKS has no keys");
    } else {
        ks = cjwt_keyset_new(keys, n, err);
    }
    for (i = 0; i < n; i++)
        cjwt_key_free(keys[i]);
    free(keys);
    (void)skipped;
    return ks;
}

cjwt_keyset *cjwt_keyset_from_jwks(const cjwt_value *jwksv, unsigned flags, cjwt_error *err)
{
    json_t *jwks = cjwtp_value_to_jansson(jwksv);
    cjwt_keyset *ks;
    cjwtp_error_clear(err);
    ks = keyset_from_jwks(jwks, flags, err);
    json_decref(jwks);
    return ks;
}

cjwt_keyset *cjwt_keyset_from_jwks_json(const char *json, size_t len, unsigned flags,
                                        cjwt_error *err)
{
    json_t *j;
    cjwt_keyset *ks;
    cjwtp_error_clear(err);
    if (!json) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no JWKS given");
        return NULL;
    }
    j = cjwtp_json_parse(json, len, CJWT_DEFAULT_MAX_DEPTH, "JWKS", err);
    if (!j) {
        if (err)
            err->code = CJWT_E_INVALID_KEY;
        return NULL;
    }
    ks = keyset_from_jwks(j, flags, err);
    json_decref(j);
    return ks;
}

cjwt_value *cjwt_keyset_to_jwks(const cjwt_keyset *ks, int include_private, cjwt_error *err)
{
    json_t *o, *arr;
    cjwtp_error_clear(err);
    if (!ks) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key set given");
        return NULL;
    }
    o = json_object();
    arr = json_array();
    if (!o || !arr || json_object_set(o, "keys", arr) != 0) {
        json_decref(o);
        json_decref(arr);
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory exporting a JWKS");
        return NULL;
    }
    for (size_t i = 0; i < ks->n; i++) {
        json_t *k = cjwtp_key_to_jwk(ks->keys[i], include_private, err);
        if (!k || json_array_append_new(arr, k) != 0) {
            json_decref(arr);
            json_decref(o);
            return NULL;
        }
    }
    json_decref(arr);
    return CJWTP_VALUE(o);
}

size_t cjwt_keyset_size(const cjwt_keyset *ks) { return ks ? ks->n : 0; }

const cjwt_key *cjwt_keyset_get(const cjwt_keyset *ks, size_t i)
{
    return ks && i < ks->n ? ks->keys[i] : NULL;
}

const cjwt_key *cjwt_keyset_find(const cjwt_keyset *ks, const char *kid)
{
    if (!ks || !kid)
        return NULL;
    for (size_t i = 0; i < ks->n; i++)
        if (ks->keys[i]->kid && strcmp(ks->keys[i]->kid, kid) == 0)
            return ks->keys[i];
    return NULL;
}

cjwt_keyset *cjwt_keyset_ref(cjwt_keyset *ks)
{
    if (ks)
        __atomic_add_fetch(&ks->refs, 1, __ATOMIC_RELAXED);
    return ks;
}

void cjwt_keyset_free(cjwt_keyset *ks)
{
    if (!ks || __atomic_sub_fetch(&ks->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < ks->n; i++)
        cjwt_key_free(ks->keys[i]);
    free(ks);
}
