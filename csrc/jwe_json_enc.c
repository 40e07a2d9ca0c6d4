/* JWE JSON serialization on encryption (RFC 7516 7.2): the flattened form
 * (one recipient) and the general form (one or more recipients sharing one
 * content key). The key management of each recipient is jwe.c's
 * (cjwtp_jwe_encrypt_key); what is written here is what cjwt_jwe_decrypt
 * reads back: enc and zip in the protected header, each recipient's alg and
 * its parameters (epk, iv, tag, p2s, p2c) and kid in its own header. */
#include "jwe_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* Members cjwt writes itself; a caller's value for them is ignored, as by
 * cjwt_jwe_encrypt. */
static const char *const reserved[] = {"alg", "enc", "zip", "epk", "iv", "tag", "p2s", "p2c"};

static int is_reserved(const char *name)
{
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strcmp(name, reserved[i]) == 0)
            return 1;
    return 0;
}

/* A new header object with the caller's members of `extra` (an object or
 * NULL) but the reserved ones. */
static json_t *header_from(const cjwt_value *extra, const char *what, cjwt_error *err)
{
    json_t *h = json_object(), *src;
    const char *name;
    json_t *val;
    if (!h) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a header");
        return NULL;
    }
    if (!extra)
        return h;
    if (cjwt_value_type(extra) != CJWT_TYPE_OBJECT) {
        json_decref(h);
        cjwtp_fail(err, CJWT_E_MALFORMED, "the %s header must be a JSON object", what);
        return NULL;
    }
    if (!(src = cjwtp_value_to_jansson(extra))) {
        json_decref(h);
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a header");
        return NULL;
    }
    json_object_foreach(src, name, val) {
        if (!is_reserved(name) && json_object_set(h, name, val) != 0) {
            json_decref(src);
            json_decref(h);
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a header");
            return NULL;
        }
    }
    json_decref(src);
    return h;
}

/* RFC 7516 7.2.1: a member name appears in one of the headers at most
 * (cjwt_jwe_decrypt refuses it otherwise). */
static cjwt_code check_disjoint(json_t *a, json_t *b, cjwt_error *err)
{
    const char *name;
    json_t *val;
    if (!a || !b)
        return CJWT_OK;
    json_object_foreach(a, name, val) {
        (void)val;
        if (json_object_get(b, name)) {
            char q[80];
            cjwtp_quote(q, sizeof q, name, strlen(name));
            return cjwtp_fail(err, CJWT_E_MALFORMED,
                              "the header member \"%s\" is given twice (protected, unprotected "
                              "and per-recipient headers must not share a name)", q);
        }
    }
    return CJWT_OK;
}

static int set_b64(json_t *o, const char *name, const unsigned char *p, size_t n)
{
    return cjwtp_json_set_b64(o, name, p, n);
}

char *cjwt_jwe_encrypt_json(const unsigned char *plaintext, size_t n,
                            const cjwt_jwe_recipient *recipients, size_t n_recipients,
                            const cjwt_jwe_json_opts *o, size_t *len, cjwt_error *err)
{
    const cjwtp_enc_row *ei;
    json_t *prot = NULL, *shared = NULL, *out = NULL, *list = NULL;
    char *pjson = NULL, *aad = NULL, *text = NULL;
    unsigned char cek[CJWTP_MAX_CEK], iv[16], tag[32], *ct = NULL;
    size_t plen, p64, a64 = 0, aadn, ct_len = 0;
    const unsigned char *pt = plaintext ? plaintext : (const unsigned char *)"";
    int fixed = n_recipients > 1;

    cjwtp_error_clear(err);
    if (!o || (unsigned)o->enc >= CJWT_ENC__COUNT) {
        cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "a JWE needs a known enc");
        return NULL;
    }
    if (!recipients || n_recipients == 0 || (o->flattened && n_recipients != 1)) {
        cjwtp_fail(err, CJWT_E_MALFORMED, o->flattened ? "the flattened form has one recipient"
                                                       : "no recipient given");
        return NULL;
    }
    if (!plaintext && n) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no plaintext given");
        return NULL;
    }
    for (size_t i = 0; i < n_recipients; i++) {
        const cjwt_jwe_recipient *r = &recipients[i];
        if ((unsigned)r->alg >= CJWT_JWE_ALG__COUNT || r->alg == CJWT_JWE_RSA1_5) {
            cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "recipient %zu: %s", i + 1,
                       r->alg == CJWT_JWE_RSA1_5 ? "RSA1_5 is for decrypting old tokens only"
                                                 : "unknown alg");
            return NULL;
        }
        if (r->p2c && r->p2c < CJWT_JWE_MIN_P2C) {
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "p2c must be at least %u", CJWT_JWE_MIN_P2C);
            return NULL;
        }
        if (cjwtp_jwe_key_check(r->key, r->alg, o->enc, 0, err) != CJWT_OK)
            return NULL;
    }
    ei = cjwtp_enc_info(o->enc);
    if (fixed && cjwtp_random(cek, ei->cek_len, err) != CJWT_OK)
        return NULL;
    if (!(prot = header_from(o->protected_header, "protected", err)) ||
        (o->unprotected && !(shared = header_from(o->unprotected, "unprotected", err))) ||
        check_disjoint(prot, shared, err) != CJWT_OK)
        goto out;
    if (!(out = json_object()) || !(list = json_array()) ||
        json_object_set_new(prot, "enc", json_string(cjwt_jwe_enc_name(o->enc))) != 0 ||
        (o->zip && json_object_set_new(prot, "zip", json_string("DEF")) != 0)) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
        goto out;
    }
    /* each recipient: its header (alg, the alg's parameters, kid) and encrypted key */
    for (size_t i = 0; i < n_recipients; i++) {
        const cjwt_jwe_recipient *r = &recipients[i];
        cjwt_jwe_encrypt_opts ko;
        json_t *h, *entry;
        unsigned char *ek = NULL;
        size_t ek_len = 0;
        cjwt_code rc;
        memset(&ko, 0, sizeof ko);
        ko.alg = r->alg;
        ko.enc = o->enc;
        ko.p2c = r->p2c;
        if (!(h = header_from(r->header, "recipient", err)))
            goto out;
        if (json_object_set_new(h, "alg", json_string(cjwt_jwe_alg_name(r->alg))) != 0 ||
            (r->key->kid && !json_object_get(h, "kid") && !json_object_get(prot, "kid") &&
             !(shared && json_object_get(shared, "kid")) &&
             json_object_set_new(h, "kid", json_string(r->key->kid)) != 0)) {
            json_decref(h);
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
            goto out;
        }
        rc = cjwtp_jwe_encrypt_key(&ko, r->key, h, cek, ei->cek_len, fixed, &ek, &ek_len, err);
        if (rc == CJWT_OK && (check_disjoint(h, prot, err) != CJWT_OK ||
                              check_disjoint(h, shared, err) != CJWT_OK))
            rc = CJWT_E_MALFORMED;
        if (rc != CJWT_OK) {
            json_decref(h);
            free(ek);
            goto out;
        }
        /* jansson's *_new calls take the reference even when they fail */
        if (!(entry = json_object())) {
            json_decref(h);
        } else if (json_object_set_new(entry, "header", h) != 0 ||
                   (ek_len && set_b64(entry, "encrypted_key", ek, ek_len) != 0)) {
            json_decref(entry);
            entry = NULL;
        } else if (json_array_append_new(list, entry) != 0) {
            entry = NULL;
        }
        free(ek);
        if (!entry) {
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
            goto out;
        }
        fixed = 1;   /* from now on every recipient wraps the same CEK */
    }
    /* the additional authenticated data: BASE64URL(protected) [ "." BASE64URL(aad) ] */
    if (!(pjson = json_dumps(prot, JSON_COMPACT | JSON_SORT_KEYS))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing the header");
        goto out;
    }
    plen = strlen(pjson);
    p64 = cjwtp_b64url_encoded_len(plen);
    if (o->aad)
        a64 = cjwtp_b64url_encoded_len(o->aad_len);
    aadn = p64 + (o->aad ? 1 + a64 : 0);
    if (!(aad = malloc(aadn + 1))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
        goto out;
    }
    cjwtp_b64url_encode((const unsigned char *)pjson, plen, aad);
    if (o->aad) {
        aad[p64] = '.';
        cjwtp_b64url_encode(o->aad, o->aad_len, aad + p64 + 1);
    }
    aad[aadn] = '\0';
    if (cjwtp_jwe_seal(o->enc, cek, o->zip, pt, n, (const unsigned char *)aad, aadn, &ct, &ct_len,
                       iv, tag, err) != CJWT_OK)
        goto out;
    aad[p64] = '\0';   /* the protected header's text alone */
    if (json_object_set_new(out, "protected", json_string(aad)) != 0 ||
        (shared && json_object_set(out, "unprotected", shared) != 0) ||
        (o->aad && json_object_set_new(out, "aad", json_string(aad + p64 + 1)) != 0) ||
        set_b64(out, "iv", iv, ei->iv_len) != 0 || set_b64(out, "ciphertext", ct, ct_len) != 0 ||
        set_b64(out, "tag", tag, ei->tag_len) != 0) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
        goto out;
    }
    if (o->flattened) {
        json_t *only = json_array_get(list, 0);
        if (json_object_update(out, only) != 0) {
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
            goto out;
        }
    } else if (json_object_set(out, "recipients", list) != 0) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the JWE");
        goto out;
    }
    if (!(text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS)))
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing the JWE");
    else if (len)
        *len = strlen(text);
out:
    OPENSSL_cleanse(cek, sizeof cek);
    free(ct);
    free(aad);
    free(pjson);
    json_decref(list);
    json_decref(out);
    json_decref(shared);
    json_decref(prot);
    return text;
}
