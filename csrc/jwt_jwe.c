/* Encrypted and nested JWTs (RFC 7519 sections 5.2 and 11.2): the JWT level
 * over the JWE of jwe.c. Nothing here decides anything jwe.c, jws.c or
 * claims.c already decides: the JWE is decrypted by cjwt_jwe_decrypt, a
 * nested JWS is verified by the JWS pipeline (cjwtp_verify_impl), and the
 * claims of an encrypted JWT are checked by cjwtp_check_claims, so every
 * path gives the same answers and the same errors as cjwt_verify_with. */
#include "cjwt_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct cjwt_decrypted_jwt {
    cjwt_jwe *jwe;             /* the decrypted JWE (its header; plaintext wiped on free) */
    cjwt_decoded *inner;       /* nested: the verified JWS, else NULL */
    cjwtp_doc *claims;         /* encrypted: the claims, else NULL */
};

/* ---- encrypting -------------------------------------------------------- */

/* The JWE header: the caller's members, typ "JWT" unless set (null removes
 * it), cty "JWT" for a nested token; a caller's cty "JWT" on an encrypted
 * (not nested) token is refused, since a recipient would read it as nested. */
static json_t *jwt_jwe_header(const cjwt_value *extra, int nested, cjwt_error *err)
{
    json_t *h, *typ, *cty;
    if (extra && cjwt_value_type(extra) != CJWT_TYPE_OBJECT) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the extra header must be a JSON object");
        return NULL;
    }
    h = extra ? cjwtp_value_to_jansson(extra) : json_object();
    if (h && extra) {   /* a copy of our own to change (the conversion may share a jansson value) */
        json_t *copy = json_copy(h);
        json_decref(h);
        h = copy;
    }
    if (!h)
        goto oom;
    typ = json_object_get(h, "typ");
    if (typ && json_is_null(typ))
        json_object_del(h, "typ");
    else if (!typ && json_object_set_new(h, "typ", json_string("JWT")) != 0)
        goto oom;
    cty = json_object_get(h, "cty");
    if (nested) {
        if (json_object_set_new(h, "cty", json_string("JWT")) != 0)
            goto oom;
    } else if (cty && (!json_is_string(cty) || cjwtp_typ_matches("JWT", json_string_value(cty)))) {
        json_decref(h);
        cjwtp_fail(err, CJWT_E_MALFORMED, "the header's \"cty\" \"JWT\" marks a nested JWT: give a "
                   "signing key to make one (a \"cty\" must be a string)");
        return NULL;
    }
    return h;
oom:
    json_decref(h);
    cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
    return NULL;
}

char *cjwt_jwt_encrypt(const cjwt_value *payload, const cjwt_key *key,
                       const cjwt_jwt_encrypt_opts *o, size_t *len, cjwt_error *err)
{
    cjwt_jwe_encrypt_opts eo;
    json_t *h;
    char *plain, *tok;
    size_t plen;
    cjwtp_error_clear(err);
    if (!o) {
        cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "no encryption options given");
        return NULL;
    }
    if (o->signing_key) {
        /* nested: cjwt_encode's checks and header; never an unsecured JWS */
        if (o->sign.alg == CJWT_ALG_NONE) {
            cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "a nested JWT is signed: alg \"none\" is refused");
            return NULL;
        }
        plain = cjwt_encode(payload, o->signing_key, &o->sign, &plen, err);
    } else {
        plain = cjwtp_claims_json(payload, &o->sign, err);
        plen = plain ? strlen(plain) : 0;
    }
    if (!plain)
        return NULL;
    if (!(h = jwt_jwe_header(o->jwe.header, o->signing_key != NULL, err))) {
        free(plain);
        return NULL;
    }
    eo = o->jwe;
    eo.header = CJWTP_VALUE(h);
    tok = cjwt_jwe_encrypt((const unsigned char *)plain, plen, key, &eo, len, err);
    json_decref(h);
    OPENSSL_cleanse(plain, plen);   /* the claims were meant to be secret */
    free(plain);
    return tok;
}

/* ---- decrypting -------------------------------------------------------- */

const cjwt_value *cjwt_decrypted_jwt_jwe_header(const cjwt_decrypted_jwt *d)
{
    return cjwt_jwe_header(d->jwe);
}

const cjwt_value *cjwt_decrypted_jwt_header(const cjwt_decrypted_jwt *d)
{
    return d->inner ? cjwt_decoded_header(d->inner) : NULL;
}

const cjwt_value *cjwt_decrypted_jwt_payload(const cjwt_decrypted_jwt *d)
{
    return d->inner ? cjwt_decoded_payload(d->inner) : cjwtp_doc_root(d->claims);
}

int cjwt_decrypted_jwt_nested(const cjwt_decrypted_jwt *d) { return d->inner != NULL; }

void cjwt_decrypted_jwt_free(cjwt_decrypted_jwt *d)
{
    if (!d)
        return;
    cjwt_decoded_free(d->inner);
    cjwtp_doc_free(d->claims);
    cjwt_jwe_free(d->jwe);
    free(d);
}

/* 1 when the JWE header says the plaintext is a JWT (nested), 0 when it
 * does not, -1 (malformed) for a cty that is not a string. */
static int is_nested(const cjwt_value *h, cjwt_error *err)
{
    const cjwt_value *cty = cjwt_value_object_get(h, "cty");
    const char *s;
    if (!cty)
        return 0;
    if (!(s = cjwt_value_string(cty, NULL))) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the header's \"cty\" must be a string");
        return -1;
    }
    return cjwtp_typ_matches("JWT", s);
}

/* The claims of an encrypted (not nested) JWT: the steps of the JWS
 * pipeline after the signature (typ, claims, revocation). */
static cjwt_code check_encrypted(const cjwt_verify_opts *o, const cjwt_value *jwe_header,
                                 const unsigned char *pt, size_t n, int has_now, double now,
                                 cjwtp_doc **out, cjwt_error *err)
{
    int max_depth = o->max_depth > 0 ? o->max_depth : CJWT_DEFAULT_MAX_DEPTH;
    const cjwt_value *payload;
    cjwt_code rc;
    if (o->typ && (rc = cjwtp_check_typ(o->typ, jwe_header, err)) != CJWT_OK)
        return rc;
    if (!(*out = cjwtp_doc_parse((const char *)pt, n, max_depth,
                                 "Invalid payload string: the decrypted payload", err)))
        return err ? err->code : CJWT_E_MALFORMED;
    payload = cjwtp_doc_root(*out);
    if (cjwt_value_type(payload) != CJWT_TYPE_OBJECT)
        return cjwtp_fail(err, CJWT_E_MALFORMED,
                          "Invalid payload string: the decrypted payload must be a json object");
    if ((rc = cjwtp_resolve_now(has_now, &now, err)) != CJWT_OK ||
        (rc = cjwtp_check_claims(o, cjwtp_effective_checks(o), payload, now, NULL, err)) != CJWT_OK)
        return rc;
    if (o->revocation)
        return cjwtp_check_revocation(o, payload, err);
    return CJWT_OK;
}

cjwt_decrypted_jwt *cjwt_jwt_decrypt(const cjwt_jwt_decrypt_opts *o, const cjwt_key *key,
                                     const char *token, size_t len, int has_now, double now,
                                     cjwt_error *err)
{
    cjwt_decrypted_jwt *d;
    cjwt_verify_opts vo;
    const unsigned char *pt;
    size_t n = 0;
    int nested;

    cjwtp_error_clear(err);
    if (!o) {
        cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED, "no options given: pass the allowlists");
        return NULL;
    }
    vo = o->verify;
    vo.raw_payload = 0;
    vo.cache_size = 0;
    if (!(cjwtp_effective_checks(&vo) & CJWT_CHECK_SIGNATURE)) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "the signature check of an encrypted JWT cannot be "
                   "turned off (verify_signature)");
        return NULL;
    }
    if (!(d = calloc(1, sizeof *d))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decrypting a token");
        return NULL;
    }
    /* 1. the JWE: structure, header, allowlists, key, decryption */
    if (!(d->jwe = cjwt_jwe_decrypt(&o->jwe, key, token, len, err)))
        goto fail;
    /* 2. what the plaintext is */
    if ((nested = is_nested(cjwt_jwe_header(d->jwe), err)) < 0)
        goto fail;
    pt = cjwt_jwe_plaintext(d->jwe, &n);
    if (nested) {
        cjwt_error inner_err;
        if (!o->verification_key && !o->verification_keyset) {
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "the token is a nested JWT (cty \"JWT\"): its "
                       "signature needs a verification key");
            goto fail;
        }
        /* 3. the inner JWS, through the JWS pipeline (which clears its error) */
        cjwtp_error_clear(&inner_err);
        d->inner = cjwtp_verify_impl(&vo, o->verification_keyset ? NULL : o->verification_key,
                                     o->verification_keyset, (const char *)pt, n, NULL, 0, has_now,
                                     now, NULL, &inner_err);
        if (!d->inner) {
            if (err)
                *err = inner_err;
            goto fail;
        }
        return d;
    }
    if (o->verification_key || o->verification_keyset) {
        cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "the token is encrypted but not signed (no cty "
                   "\"JWT\"), and a verification key was given: a nested JWT is required");
        goto fail;
    }
    /* 3. the claims of an encrypted JWT */
    if (check_encrypted(&vo, cjwt_jwe_header(d->jwe), pt, n, has_now, now, &d->claims, err) !=
        CJWT_OK)
        goto fail;
    return d;
fail:
    cjwt_decrypted_jwt_free(d);
    return NULL;
}
