/* JWS JSON serialization (RFC 7515 section 7.2, general and flattened, one
 * or several signatures), detached payloads (RFC 7515 appendix F) and the
 * unencoded payload option (RFC 7797, "b64": false) on that form. The
 * compact form's rules (header, crit/b64, allowlist, key choice) live in
 * jws.c and are shared. */
#include "cjwt_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- signing ------------------------------------------------------------- */

/* RFC 7515 7.2.1: the unprotected header is an object whose names the
 * protected header (prot, may be NULL) does not have; "crit" (4.1.11) and
 * "b64" (RFC 7797 3) must be integrity protected; a kid is a string. When
 * signing, "alg" too goes in the protected header (cjwt puts it there). */
static cjwt_code check_unprotected(const cjwt_value *u, const cjwt_value *prot, int signing,
                                   cjwt_error *err)
{
    if (cjwt_value_type(u) != CJWT_TYPE_OBJECT)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the unprotected header must be a JSON object");
    for (void *it = cjwt_object_iter(u); it; it = cjwt_object_iter_next(u, it)) {
        size_t kl;
        const char *k = cjwt_object_iter_key(it, &kl);
        char q[120];
        cjwtp_quote(q, sizeof q, k, kl);
        if (strcmp(k, "crit") == 0 || strcmp(k, "b64") == 0 || (signing && strcmp(k, "alg") == 0))
            return cjwtp_fail(err, CJWT_E_MALFORMED,
                              "\"%s\" must be in the protected header, not the unprotected one", q);
        if (strcmp(k, "kid") == 0 && cjwt_value_type(cjwt_object_iter_value(it)) != CJWT_TYPE_STRING)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Key ID header parameter must be a string");
        if (prot && cjwt_value_object_get(prot, k))
            return cjwtp_fail(err, CJWT_E_MALFORMED,
                              "\"%s\" is in both the protected and the unprotected header", q);
    }
    return CJWT_OK;
}

/* One signature object {"protected", "header"?, "signature"} into `out`. */
static cjwt_code sign_one(const cjwt_jws_signer *sg, const cjwt_jws_json_opts *o,
                          const unsigned char *payload, size_t plen, int *unencoded, int first,
                          json_t *out, cjwt_error *err)
{
    cjwt_sign_opts so;
    json_t *h;
    char *hjson = NULL, *h64 = NULL;
    unsigned char *in = NULL, sig[CJWTP_MAX_SIG];
    size_t in_len = 0, sig_len = 0, hlen, h64n;
    int unenc = 0, unprot_kid;
    cjwt_code rc;
    if ((unsigned)sg->alg >= CJWT_ALG__COUNT || sg->alg == CJWT_ALG_NONE)
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG,
                          "every signature of a JSON JWS needs a signing algorithm (not \"none\")");
    if ((rc = cjwtp_key_check(sg->key, sg->alg, err)) != CJWT_OK)
        return rc;
    memset(&so, 0, sizeof so);
    so.alg = sg->alg;
    so.header = sg->protected_header;
    so.keep_header_order = o->keep_header_order;
    unprot_kid = sg->header && cjwt_value_object_get(sg->header, "kid") != NULL;
    /* the key's kid goes to the protected header unless the caller put one in either */
    if (!(h = cjwtp_jws_build_header(&so, unprot_kid ? NULL : sg->key, 0, &unenc, err)))
        return err ? err->code : CJWT_E_MALFORMED;
    if (sg->header && (rc = check_unprotected(sg->header, CJWTP_VALUE(h), 1, err)) != CJWT_OK)
        goto out;
    if (!first && unenc != *unencoded) {
        rc = cjwtp_fail(err, CJWT_E_MALFORMED, "every signature must have the same \"b64\" (RFC 7797 3)");
        goto out;
    }
    *unencoded = unenc;
    rc = CJWT_E_NO_MEMORY;
    if (!(hjson = json_dumps(h, o->keep_header_order ? JSON_COMPACT : JSON_COMPACT | JSON_SORT_KEYS)))
        goto oom;
    hlen = strlen(hjson);
    h64n = cjwtp_b64url_encoded_len(hlen);
    if (!(h64 = malloc(h64n + 1)))
        goto oom;
    cjwtp_b64url_encode((const unsigned char *)hjson, hlen, h64);
    h64[h64n] = '\0';
    if (!(in = cjwtp_jws_signing_input(h64, h64n, payload, plen, !unenc, &in_len, err)))
        goto out;
    if ((rc = cjwtp_sign(sg->key, sg->alg, in, in_len, sig, &sig_len, err)) != CJWT_OK)
        goto out;
    rc = CJWT_E_NO_MEMORY;
    if (json_object_set_new(out, "protected", json_string(h64)) != 0)
        goto oom;
    if (sg->header && cjwt_value_size(sg->header) > 0) {
        json_t *u = cjwtp_value_to_jansson(sg->header);
        if (!u || json_object_set_new(out, "header", u) != 0)
            goto oom;
    }
    if (cjwtp_json_set_b64(out, "signature", sig, sig_len) != 0)
        goto oom;
    rc = CJWT_OK;
    goto out;
oom:
    cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a JSON JWS");
out:
    free(in);
    free(h64);
    free(hjson);
    json_decref(h);
    return rc;
}

char *cjwt_jws_json_encode(const unsigned char *payload, size_t plen, const cjwt_jws_json_opts *o,
                           size_t *len, cjwt_error *err)
{
    json_t *root = NULL, *sigs = NULL, *one;
    char *text = NULL;
    int unencoded = 0;
    cjwtp_error_clear(err);
    if (!o || !o->signers || o->n_signers == 0) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "a JSON JWS needs at least one signer");
        return NULL;
    }
    if (o->n_signers > CJWT_JWS_MAX_SIGNATURES) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "%zu signers, over the limit of %d", o->n_signers,
                   CJWT_JWS_MAX_SIGNATURES);
        return NULL;
    }
    if (o->flattened && o->n_signers != 1) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the flattened JSON serialization has one signature");
        return NULL;
    }
    if (!payload && plen) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no payload given");
        return NULL;
    }
    if (!payload)
        payload = (const unsigned char *)"";
    if (!(root = json_object()) || (!o->flattened && !(sigs = json_array())))
        goto oom;
    /* members in the RFC's order: payload, then the signature(s) */
    if (!o->detached && json_object_set_new(root, "payload", json_null()) != 0)
        goto oom;
    for (size_t i = 0; i < o->n_signers; i++) {
        one = o->flattened ? root : json_object();
        if (!one || (!o->flattened && json_array_append_new(sigs, one) != 0))
            goto oom;
        if (sign_one(&o->signers[i], o, payload, plen, &unencoded, i == 0, one, err) != CJWT_OK)
            goto fail;
    }
    if (!o->detached) {
        json_t *p;
        if (unencoded) {
            /* RFC 7797 5.3: the payload as a JSON string (so UTF-8 text) */
            if (memchr(payload, 0, plen) || !(p = json_stringn(payload ? (const char *)payload : "", plen))) {
                cjwtp_fail(err, CJWT_E_MALFORMED,
                           "an unencoded payload in a JSON JWS must be UTF-8 text without NUL "
                           "(RFC 7797 5.3): detach it");
                goto fail;
            }
            if (json_object_set_new(root, "payload", p) != 0)
                goto oom;
        } else if (cjwtp_json_set_b64(root, "payload", payload, plen) != 0) {
            goto oom;
        }
    }
    if (sigs && json_object_set_new(root, "signatures", sigs) != 0) {
        sigs = NULL;
        goto oom;
    }
    sigs = NULL;
    if (!(text = json_dumps(root, JSON_COMPACT)))
        goto oom;
    if (len)
        *len = strlen(text);
    json_decref(root);
    return text;
oom:
    cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a JSON JWS");
fail:
    json_decref(sigs);
    json_decref(root);
    return NULL;
}

/* ---- verifying ----------------------------------------------------------- */

typedef struct sig_entry {
    const cjwt_value *obj;      /* the signature object (the root when flattened) */
    const char *p64;            /* "protected" as received, or NULL */
    size_t p64n;
    cjwtp_doc *pdoc;            /* the protected header, or NULL */
    const cjwt_value *unprot;   /* "header", or NULL */
    unsigned char *sig;
    size_t sig_len;
    cjwt_alg alg;
    cjwt_error skip;            /* set: this signature cannot be used (unknown alg/crit) */
} sig_entry;

/* A member of the signature's headers (protected first; they are disjoint). */
static const cjwt_value *sig_member(const sig_entry *e, const char *name)
{
    const cjwt_value *v = e->pdoc ? cjwt_value_object_get(cjwtp_doc_root(e->pdoc), name) : NULL;
    if (!v && e->unprot)
        v = cjwt_value_object_get(e->unprot, name);
    return v;
}

static const char *str_member(const cjwt_value *obj, const char *name, size_t *n, cjwt_error *err)
{
    const cjwt_value *v = cjwt_value_object_get(obj, name);
    const char *s;
    *n = 0;
    if (!v)
        return NULL;
    if (!(s = cjwt_value_string(v, n)))
        cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS's \"%s\" must be a string", name);
    return s;
}

/* Reads one signature: structure faults are returned (they refuse the whole
 * JWS); an unusable but well-formed signature gets e->skip. */
static cjwt_code read_sig(sig_entry *e, int max_depth, int *encoded, int first, cjwt_error *err)
{
    const cjwt_value *ph = NULL, *a;
    const char *s;
    size_t n = 0, al = 0;
    unsigned char *buf;
    int enc = 1;
    cjwtp_hdr_members m;
    if (cjwt_value_type(e->obj) != CJWT_TYPE_OBJECT)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "a signature of the JWS must be a JSON object");
    e->p64 = str_member(e->obj, "protected", &e->p64n, err);
    if (!e->p64 && cjwt_value_object_get(e->obj, "protected"))
        return CJWT_E_MALFORMED;
    e->unprot = cjwt_value_object_get(e->obj, "header");
    if (!e->p64 && !e->unprot)
        return cjwtp_fail(err, CJWT_E_MALFORMED,
                          "a signature needs a \"protected\" or a \"header\" member (RFC 7515 7.2.1)");
    if (!(s = str_member(e->obj, "signature", &n, err)))
        return cjwtp_fail(err, CJWT_E_MALFORMED, "a signature of the JWS has no \"signature\"");
    if (!(e->sig = malloc(cjwtp_b64url_decoded_max(n) + 1)))
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWS");
    if (cjwtp_b64url_decode(s, n, e->sig, &e->sig_len) != 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS's \"signature\" is not valid base64url");
    if (e->p64) {
        if (e->p64n == 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS's \"protected\" is empty");
        if (!(buf = malloc(cjwtp_b64url_decoded_max(e->p64n) + 1)))
            return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWS");
        if (cjwtp_b64url_decode(e->p64, e->p64n, buf, &n) != 0) {
            free(buf);
            return cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS's \"protected\" is not valid base64url");
        }
        e->pdoc = cjwtp_doc_parse((const char *)buf, n, max_depth, "the protected header", err);
        free(buf);
        if (!e->pdoc)
            return err ? err->code : CJWT_E_MALFORMED;
        ph = cjwtp_doc_root(e->pdoc);
        if (cjwt_value_type(ph) != CJWT_TYPE_OBJECT)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "the protected header must be a JSON object");
    }
    if (e->unprot && check_unprotected(e->unprot, ph, 0, err) != CJWT_OK)
        return CJWT_E_MALFORMED;
    if ((a = sig_member(e, "kid")) && cjwt_value_type(a) != CJWT_TYPE_STRING)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Key ID header parameter must be a string");
    if (ph) {
        cjwtp_header_members(ph, &m);
        if (m.crit || m.b64) {
            cjwt_code rc = cjwtp_jws_crit(m.crit, m.b64, &enc, &e->skip);
            if (rc != CJWT_OK && rc != CJWT_E_UNKNOWN_CRIT) {
                if (err)
                    *err = e->skip;
                return rc;
            }
            if (rc == CJWT_E_UNKNOWN_CRIT) {
                /* the b64 value still counts for the consistency rule */
                const cjwt_value *b = m.b64;
                enc = !(b && cjwt_value_type(b) == CJWT_TYPE_FALSE);
            }
        }
    }
    if (!first && enc != *encoded)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "every signature must have the same \"b64\" (RFC 7797 3)");
    *encoded = enc;
    e->alg = CJWT_ALG__COUNT;
    a = sig_member(e, "alg");
    if (!a || !(s = cjwt_value_string(a, &al)))
        cjwtp_fail(&e->skip, CJWT_E_UNSUPPORTED_ALG, "a signature has no \"alg\" string");
    else if ((e->alg = cjwt_alg_from_name(s, al)) == CJWT_ALG__COUNT) {
        char q[160];
        cjwtp_quote(q, sizeof q, s, al);
        cjwtp_fail(&e->skip, CJWT_E_UNSUPPORTED_ALG,
                   "The specified alg value is not allowed: \"%s\" is not a supported algorithm", q);
    }
    return CJWT_OK;
}

/* How far a signature got: a failure further along is the better report. */
static int rank(cjwt_code c)
{
    switch (c) {
    case CJWT_E_ALG_NOT_ALLOWED: return 1;
    case CJWT_E_INVALID_KEY: return 2;
    case CJWT_E_BAD_SIGNATURE: return 3;
    default: return 0;
    }
}

static cjwt_decoded *make_result(const sig_entry *e, size_t index, const unsigned char *payload,
                                 size_t plen, cjwt_error *err)
{
    cjwt_decoded *d = malloc(sizeof *d + plen + e->sig_len + 1);
    if (!d) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWS");
        return NULL;
    }
    memset(d, 0, sizeof *d);
    d->refs = 1;
    d->alg = e->alg;
    d->sig_index = index;
    d->payload_bytes = d->buf;
    d->payload_len = plen;
    if (plen)
        memcpy(d->payload_bytes, payload, plen);
    d->sig = d->buf + plen;
    d->sig_len = e->sig_len;
    if (e->sig_len)
        memcpy(d->sig, e->sig, e->sig_len);
    if (!(d->merged = e->pdoc ? cjwtp_value_to_jansson(cjwtp_doc_root(e->pdoc)) : json_object()))
        goto oom;
    if (e->unprot) {
        json_t *v;
        const char *k;
        if (!(d->unprotected = cjwtp_value_to_jansson(e->unprot)))
            goto oom;
        json_object_foreach(d->unprotected, k, v)
            if (json_object_set(d->merged, k, v) != 0)
                goto oom;
    }
    return d;
oom:
    cjwt_decoded_free(d);
    cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWS");
    return NULL;
}

static cjwt_decoded *verify_json(const cjwt_verify_opts *o, const cjwt_key *key,
                                 const cjwt_keyset *ks, const char *text, size_t len,
                                 const unsigned char *det, size_t detn, cjwt_error *err)
{
    size_t max_len = o->max_token_len ? o->max_token_len : CJWT_DEFAULT_MAX_TOKEN_LEN;
    int max_depth = o->max_depth > 0 ? o->max_depth : CJWT_DEFAULT_MAX_DEPTH;
    unsigned checks = cjwtp_effective_checks(o);
    sig_entry e[CJWT_JWS_MAX_SIGNATURES];
    cjwtp_doc *doc;
    const cjwt_value *root, *sigs, *pv;
    const char *p64 = NULL;
    size_t p64n = 0, nsig = 0, best_rank = 0, chosen = 0, i;
    unsigned char *pbytes = NULL, *input = NULL;
    size_t pbn = 0;
    int encoded = 1, found = 0;
    cjwt_error best;
    cjwt_decoded *d = NULL;

    memset(e, 0, sizeof e);
    cjwtp_error_clear(&best);
    if (len > max_len) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "the JWS is %zu bytes, over the limit of %zu", len, max_len);
        return NULL;
    }
    if (!(doc = cjwtp_doc_parse(text, len, max_depth, "the JWS", err)))
        return NULL;
    root = cjwtp_doc_root(doc);
    if (cjwt_value_type(root) != CJWT_TYPE_OBJECT) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "a JSON-serialized JWS is an object");
        goto out;
    }
    /* 1. structure: the general form has "signatures" and nothing of a
     * signature at the top; the flattened form is one signature */
    sigs = cjwt_value_object_get(root, "signatures");
    if (sigs) {
        if (cjwt_value_type(sigs) != CJWT_TYPE_ARRAY || cjwt_value_size(sigs) == 0 ||
            cjwt_value_object_get(root, "protected") || cjwt_value_object_get(root, "header") ||
            cjwt_value_object_get(root, "signature")) {
            cjwtp_fail(err, CJWT_E_MALFORMED,
                       "\"signatures\" must be a non-empty array, without a top-level signature");
            goto out;
        }
        nsig = cjwt_value_size(sigs);
        if (nsig > CJWT_JWS_MAX_SIGNATURES) {
            cjwtp_fail(err, CJWT_E_TOO_LARGE, "the JWS has %zu signatures, over the limit of %d", nsig,
                       CJWT_JWS_MAX_SIGNATURES);
            goto out;
        }
    } else {
        nsig = 1;
    }
    pv = cjwt_value_object_get(root, "payload");
    if (pv && !(p64 = cjwt_value_string(pv, &p64n))) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS's \"payload\" must be a string");
        goto out;
    }
    /* detached: no "payload", or an empty one (as the compact form's empty
     * segment; node jose writes "payload": "" for a detached JWS) */
    if (det && pv && p64n != 0) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "a detached payload was given, but the JWS carries a payload");
        goto out;
    }
    if (!det && !pv) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS has no payload (detached): pass it apart");
        goto out;
    }
    for (i = 0; i < nsig; i++) {
        e[i].obj = sigs ? cjwt_value_array_get(sigs, i) : root;
        if (read_sig(&e[i], max_depth, &encoded, i == 0, err) != CJWT_OK)
            goto out;
    }
    /* 2. the payload and the payload part of the signing input */
    if (det) {
        pbytes = (unsigned char *)(uintptr_t)det;
        pbn = detn;
    } else if (encoded) {
        if (!(pbytes = malloc(cjwtp_b64url_decoded_max(p64n) + 1))) {
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading a JWS");
            goto out;
        }
        if (cjwtp_b64url_decode(p64, p64n, pbytes, &pbn) != 0) {
            cjwtp_fail(err, CJWT_E_MALFORMED, "the JWS's \"payload\" is not valid base64url");
            goto out;
        }
    } else {
        pbytes = (unsigned char *)(uintptr_t)p64;
        pbn = p64n;
    }
    /* 3. the signatures in order; the first that verifies wins */
    for (i = 0; i < nsig && !found; i++) {
        cjwt_error serr;
        size_t kid_n = 0;
        const cjwt_value *kid = sig_member(&e[i], "kid");
        const char *kid_s = kid ? cjwt_value_string(kid, &kid_n) : NULL;
        unsigned char *pin;
        size_t pin_n = 0, n;
        cjwtp_error_clear(&serr);
        if (e[i].skip.code != CJWT_OK) {
            serr = e[i].skip;
        } else if (!(checks & CJWT_CHECK_SIGNATURE)) {
            found = 1;
            chosen = i;
            break;
        } else if (key && key->kid && kid_s &&
                   (strlen(key->kid) != kid_n || memcmp(key->kid, kid_s, kid_n) != 0)) {
            cjwtp_fail(&serr, CJWT_E_INVALID_KEY, "no signature has the key's kid");
        } else {
            /* ASCII(protected) '.' payload part; the payload part is base64url
             * as received, the detached payload encoded, or the bytes as they
             * are when unencoded */
            pin = cjwtp_jws_signing_input(e[i].p64 ? e[i].p64 : "", e[i].p64n,
                                          det ? det : (const unsigned char *)p64,
                                          det ? detn : p64n, det && encoded, &pin_n, err);
            if (!pin)
                goto out;
            free(input);
            input = pin;
            n = pin_n;
            if (cjwtp_check_signature(o, key, ks, ks ? kid : NULL, e[i].alg, input, n, e[i].sig,
                                      e[i].sig_len, &serr) == CJWT_OK) {
                found = 1;
                chosen = i;
                break;
            }
        }
        if (serr.code == CJWT_E_NO_MEMORY || serr.code == CJWT_E_INTERNAL) {
            *err = serr;
            goto out;
        }
        if (best.code == CJWT_OK || (size_t)rank(serr.code) > best_rank) {
            best = serr;
            best_rank = (size_t)rank(serr.code);
        }
    }
    if (!found) {
        if (err && err->code == CJWT_OK)
            *err = best;
        goto out;
    }
    /* 4. typ, on the chosen signature's headers */
    if (!(d = make_result(&e[chosen], chosen, pbytes, pbn, err)))
        goto out;
    if (o->typ && cjwtp_check_typ(o->typ, CJWTP_VALUE(d->merged), err) != CJWT_OK) {
        cjwt_decoded_free(d);
        d = NULL;
        goto out;
    }
    d->header = e[chosen].pdoc;   /* the protected header moves to the result */
    e[chosen].pdoc = NULL;
out:
    for (i = 0; i < CJWT_JWS_MAX_SIGNATURES; i++) {
        free(e[i].sig);
        cjwtp_doc_free(e[i].pdoc);
    }
    if (pbytes && pbytes != det && pbytes != (const unsigned char *)p64)
        free(pbytes);
    free(input);
    cjwtp_doc_free(doc);
    return d;
}

cjwt_decoded *cjwt_jws_verify(const cjwt_verify_opts *opts, const cjwt_key *key,
                              const cjwt_keyset *ks, const char *jws, size_t len,
                              const unsigned char *detached, size_t detached_len, cjwt_error *err)
{
    static const cjwt_verify_opts defaults;
    cjwt_verify_opts o;
    size_t i = 0;
    cjwtp_error_clear(err);
    if (!jws) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no token given");
        return NULL;
    }
    if (key && ks) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "give a key or a key set, not both");
        return NULL;
    }
    o = opts ? *opts : defaults;
    o.raw_payload = 1;          /* a JWS: no claims */
    o.revocation = NULL;
    if (!detached && detached_len) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no detached payload given");
        return NULL;
    }
    while (i < len && (jws[i] == ' ' || jws[i] == '\t' || jws[i] == '\r' || jws[i] == '\n'))
        i++;
    if (i < len && jws[i] == '{')
        return verify_json(&o, key, ks, jws, len, detached, detached_len, err);
    return cjwtp_verify_impl(&o, key, ks, jws, len, detached, detached_len, 0, 0, NULL, err);
}
