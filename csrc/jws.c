/* JWS compact serialization (RFC 7515 section 7.1): signing, and the
 * verification pipeline in its fixed order: structure, header, algorithm
 * allowlist and key type, signature, typ, claims. */
/* clock_gettime() is POSIX, not C11 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "cjwt_internal.h"

#include <math.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- signing ----------------------------------------------------------- */

/* RFC 7515 4.1.11 / RFC 7797 3: a caller's "crit" must be a non-empty list
 * of names; an unencoded payload ("b64": false) adds "b64" to it. */
static cjwt_code sign_crit(json_t *h, int unencoded, cjwt_error *err)
{
    json_t *crit = json_object_get(h, "crit"), *v;
    size_t i;
    int listed = 0;
    if (crit) {
        if (!json_is_array(crit) || json_array_size(crit) == 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid 'crit' header: must be a non-empty list");
        json_array_foreach(crit, i, v) {
            if (!json_is_string(v))
                return cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid 'crit' header: values must be strings");
            listed |= strcmp(json_string_value(v), "b64") == 0;
        }
    }
    if (!unencoded || listed)
        return CJWT_OK;
    if (!crit) {
        if (json_object_set_new(h, "crit", crit = json_array()) != 0)
            return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
    } else if (!(crit = json_copy(crit)) || json_object_set_new(h, "crit", crit) != 0) {
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
    }
    if (json_array_append_new(crit, json_string("b64")) != 0)
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
    return CJWT_OK;
}

/* The protected header: "alg", then the caller's members; "typ":"JWT" for
 * JWTs unless the caller set typ (null removes it). Keys are sorted in the
 * output, as PyJWT does, so equal inputs give equal tokens. A "b64" member
 * (RFC 7797) must be a boolean: false (never in a JWT) sets *unencoded and
 * lists "b64" in "crit"; true, the default, is dropped unless "crit" names
 * it. */
json_t *cjwtp_jws_build_header(const cjwt_sign_opts *o, const cjwt_key *signer, int is_jwt,
                               int *unencoded, cjwt_error *err)
{
    static const char *const skip[] = {"alg"};
    json_t *h = json_object(), *typ, *b64;
    const cjwt_value *xtyp = NULL;
    *unencoded = 0;
    if (!h)
        goto oom;
    /* Insertion order is the output order when the header is not sorted:
     * typ and alg first (their values may still change below), as PyJWT
     * builds {"typ": "JWT", "alg": alg} before adding the caller's members. */
    if (o->keep_header_order &&
        ((is_jwt && json_object_set_new(h, "typ", json_string("JWT")) != 0) ||
         json_object_set_new(h, "alg", json_string(cjwt_alg_name(o->alg))) != 0))
        goto oom;
    if (cjwtp_header_add_extra(h, o->header, skip, 1, err) != CJWT_OK)
        goto fail;
    if (o->header)
        xtyp = cjwt_value_object_get(o->header, "typ");
    if ((typ = json_object_get(h, "typ")) && json_is_null(typ))
        json_object_del(h, "typ");
    if (json_object_set_new(h, "alg", json_string(cjwt_alg_name(o->alg))) != 0)
        goto oom;
    if (is_jwt && !json_object_get(h, "typ") && !xtyp &&
        json_object_set_new(h, "typ", json_string("JWT")) != 0)
        goto oom;
    /* A key with a kid names itself, so verifiers can pick it from a set
     * (rotation); an explicit kid in the extra header wins. */
    if (signer && signer->kid && !json_object_get(h, "kid") &&
        json_object_set_new(h, "kid", json_string(signer->kid)) != 0)
        goto oom;
    if (json_object_get(h, "kid") && !json_is_string(json_object_get(h, "kid"))) {
        /* RFC 7515 4.1.4; verification refuses any other type */
        cjwtp_fail(err, CJWT_E_MALFORMED, "Key ID header parameter must be a string");
        goto fail;
    }
    if ((b64 = json_object_get(h, "b64"))) {
        if (!json_is_boolean(b64)) {
            cjwtp_fail(err, CJWT_E_MALFORMED, "the \"b64\" header must be true or false (RFC 7797)");
            goto fail;
        }
        if (json_is_false(b64) && is_jwt) {
            cjwtp_fail(err, CJWT_E_MALFORMED,
                       "a JWT never has an unencoded payload (\"b64\": false, RFC 7797 7): "
                       "sign raw bytes with jws_encode");
            goto fail;
        }
        *unencoded = json_is_false(b64);
    }
    if (sign_crit(h, *unencoded, err) != CJWT_OK)
        goto fail;
    if (b64 && !*unencoded) {
        json_t *crit = json_object_get(h, "crit"), *v;
        size_t i;
        int listed = 0;
        json_array_foreach(crit, i, v)
            listed |= strcmp(json_string_value(v), "b64") == 0;
        if (!listed)
            json_object_del(h, "b64");   /* true is the default (PyJWT drops it too) */
    }
    return h;
oom:
    cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
fail:
    json_decref(h);
    return NULL;
}

/* RFC 7797 5.2: an unencoded payload inside a compact JWS must not hold '.'
 * and, so the token stays a line of text, only printable ASCII. */
static int compact_safe(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '.')
            return 0;
    return 1;
}

unsigned char *cjwtp_jws_signing_input(const char *h64, size_t h64n, const unsigned char *payload,
                                       size_t plen, int encode, size_t *n, cjwt_error *err)
{
    size_t pn = encode ? cjwtp_b64url_encoded_len(plen) : plen;
    unsigned char *in = malloc(h64n + 1 + pn + 1);
    if (!in) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a signing input");
        return NULL;
    }
    memcpy(in, h64, h64n);
    in[h64n] = '.';
    if (encode)
        cjwtp_b64url_encode(payload, plen, (char *)in + h64n + 1);
    else if (plen)
        memcpy(in + h64n + 1, payload, plen);
    *n = h64n + 1 + pn;
    return in;
}

/* header.payload.signature, where the payload part is base64url (or the
 * bytes as they are when unencoded) and empty when detached. */
static char *sign_parts(const char *hjson, size_t hlen, const unsigned char *payload, size_t plen,
                        const cjwt_key *key, cjwt_alg alg, int unencoded, int detached,
                        size_t *out_len, cjwt_error *err)
{
    size_t h64 = cjwtp_b64url_encoded_len(hlen), in_len = 0, p_len, total;
    unsigned char sig[CJWTP_MAX_SIG], *in;
    size_t sig_len = 0;
    char *hb, *tok;
    if (unencoded && !detached && !compact_safe(payload, plen)) {
        cjwtp_fail(err, CJWT_E_MALFORMED,
                   "an unencoded payload in a compact JWS must be printable ASCII without '.' "
                   "(RFC 7797 5.2): detach it or use the JSON serialization");
        return NULL;
    }
    if (!(hb = malloc(h64 + 1))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a token");
        return NULL;
    }
    cjwtp_b64url_encode((const unsigned char *)hjson, hlen, hb);
    in = cjwtp_jws_signing_input(hb, h64, payload, plen, !unencoded, &in_len, err);
    free(hb);
    if (!in)
        return NULL;
    if (alg != CJWT_ALG_NONE && cjwtp_sign(key, alg, in, in_len, sig, &sig_len, err) != CJWT_OK) {
        free(in);
        return NULL;
    }
    p_len = detached ? 0 : in_len - h64 - 1;
    total = h64 + 1 + p_len + 1 + cjwtp_b64url_encoded_len(sig_len);
    if (!(tok = malloc(total + 1))) {
        free(in);
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a token");
        return NULL;
    }
    memcpy(tok, in, h64 + 1 + p_len);
    free(in);
    tok[h64 + 1 + p_len] = '.';
    cjwtp_b64url_encode(sig, sig_len, tok + h64 + 1 + p_len + 1);
    tok[total] = '\0';
    if (out_len)
        *out_len = total;
    return tok;
}

static cjwt_code check_sign_opts(const cjwt_sign_opts *o, const cjwt_key *key, cjwt_error *err)
{
    if (!o)
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "no signing options given");
    if ((unsigned)o->alg >= CJWT_ALG__COUNT)
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "unknown algorithm");
    if (o->alg == CJWT_ALG_NONE) {
        if (key)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "When alg = \"none\", key value must be None.");
        return CJWT_OK;
    }
    /* Fail before building anything if the key cannot sign with alg. */
    return cjwtp_key_check(key, o->alg, err);
}

static char *encode_common(const unsigned char *payload, size_t plen, const cjwt_key *key,
                           const cjwt_sign_opts *o, int is_jwt, size_t *len, cjwt_error *err)
{
    int unencoded = 0;
    json_t *h = cjwtp_jws_build_header(o, key, is_jwt, &unencoded, err);
    char *hjson, *tok;
    if (!h)
        return NULL;
    hjson = json_dumps(h, o->keep_header_order ? JSON_COMPACT : JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(h);
    if (!hjson) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing the header");
        return NULL;
    }
    tok = sign_parts(hjson, strlen(hjson), payload, plen, key, o->alg, unencoded, o->detached, len,
                     err);
    free(hjson);
    return tok;
}

char *cjwtp_claims_json(const cjwt_value *payloadv, const cjwt_sign_opts *o, cjwt_error *err)
{
    json_t *payload, *copy = NULL;
    char *pjson;
    if (!payloadv || cjwt_value_type(payloadv) != CJWT_TYPE_OBJECT) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "a JWT payload must be a JSON object");
        return NULL;
    }
    payload = cjwtp_value_to_jansson(payloadv);   /* a new reference */
    if (!payload) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading the payload");
        return NULL;
    }
    if (o && o->has_expires_in) {
        double now = o->has_now ? o->now : clock_now();
        int64_t iat;
        if (o->expires_in <= 0) {
            json_decref(payload);
            cjwtp_fail(err, CJWT_E_MALFORMED, "expires_in must be a positive number of seconds");
            return NULL;
        }
        if (!isfinite(now) || fabs(now) > 1e15) {
            json_decref(payload);
            cjwtp_fail(err, CJWT_E_MALFORMED, "now must be a finite unix time");
            return NULL;
        }
        iat = (int64_t)floor(now);
        if (o->expires_in > INT64_MAX / 2 || iat > INT64_MAX / 2) {
            json_decref(payload);
            cjwtp_fail(err, CJWT_E_MALFORMED, "expires_in is too large");
            return NULL;
        }
        /* A shallow copy: the caller's payload is never modified. */
        copy = json_copy(payload);
        if (!copy || json_object_set_new(copy, "iat", json_integer(iat)) != 0 ||
            json_object_set_new(copy, "exp", json_integer(iat + o->expires_in)) != 0) {
            json_decref(copy);
            json_decref(payload);
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory adding iat/exp");
            return NULL;
        }
        json_decref(payload);
        payload = copy;
    }
    pjson = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    if (!pjson)
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing the payload");
    return pjson;
}

char *cjwt_encode(const cjwt_value *payloadv, const cjwt_key *key, const cjwt_sign_opts *o,
                  size_t *len, cjwt_error *err)
{
    char *pjson, *tok;
    cjwtp_error_clear(err);
    if (check_sign_opts(o, key, err) != CJWT_OK)
        return NULL;
    if (o->detached) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "a JWT carries its payload: only a JWS can be detached");
        return NULL;
    }
    if (!(pjson = cjwtp_claims_json(payloadv, o, err)))
        return NULL;
    tok = encode_common((unsigned char *)pjson, strlen(pjson), key, o, 1, len, err);
    free(pjson);
    return tok;
}

char *cjwt_jws_encode(const unsigned char *payload, size_t plen, const cjwt_key *key,
                      const cjwt_sign_opts *o, size_t *len, cjwt_error *err)
{
    cjwtp_error_clear(err);
    if (check_sign_opts(o, key, err) != CJWT_OK)
        return NULL;
    if (!payload && plen) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no payload given");
        return NULL;
    }
    return encode_common(payload ? payload : (const unsigned char *)"", plen, key, o, 0, len, err);
}

int64_t cjwt_parse_duration(const char *s, size_t n)
{
    int64_t v = 0, mult = 1;
    size_t i = 0;
    if (!s || n == 0)
        return -1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (i == 0)
        return -1;
    if (i < n) {
        if (i + 1 != n)
            return -1;
        switch (s[i]) {
        case 's': mult = 1; break;
        case 'm': mult = 60; break;
        case 'h': mult = 3600; break;
        case 'd': mult = 86400; break;
        case 'w': mult = 604800; break;
        default: return -1;
        }
    }
    if (v > INT64_MAX / mult)
        return -1;
    return v * mult;
}

/* ---- verifying --------------------------------------------------------- */

unsigned cjwtp_effective_checks(const cjwt_verify_opts *o)
{
    unsigned set = o->verify_set & CJWT_CHECK_ALL;
    unsigned checks = (o->verify & set) | (CJWT_CHECK_ALL & ~set);
    /* PyJWT: with the signature unchecked, the claim checks default to off. */
    if (!(checks & CJWT_CHECK_SIGNATURE))
        checks &= set | CJWT_CHECK_SIGNATURE;
    return checks;
}

cjwt_decoded *cjwtp_decoded_ref(cjwt_decoded *d)
{
    __atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
    return d;
}

void cjwt_decoded_free(cjwt_decoded *d)
{
    if (!d || __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    cjwtp_doc_free(d->header);
    cjwtp_doc_free(d->payload);
    json_decref(d->merged);
    json_decref(d->unprotected);
    free(d);
}

const cjwt_value *cjwt_decoded_header(const cjwt_decoded *d)
{
    return d->merged ? CJWTP_VALUE(d->merged) : cjwtp_doc_root(d->header);
}
const cjwt_value *cjwt_decoded_protected_header(const cjwt_decoded *d)
{
    return d->header ? cjwtp_doc_root(d->header) : NULL;
}
const cjwt_value *cjwt_decoded_unprotected_header(const cjwt_decoded *d)
{
    return d->unprotected ? CJWTP_VALUE(d->unprotected) : NULL;
}
size_t cjwt_decoded_signature_index(const cjwt_decoded *d) { return d->sig_index; }
const cjwt_value *cjwt_decoded_payload(const cjwt_decoded *d)
{
    return d->payload ? cjwtp_doc_root(d->payload) : NULL;
}
cjwt_alg cjwt_decoded_alg(const cjwt_decoded *d) { return d->alg; }

const unsigned char *cjwt_decoded_payload_bytes(const cjwt_decoded *d, size_t *len)
{
    if (len)
        *len = d->payload_len;
    return d->payload_bytes;
}

const unsigned char *cjwt_decoded_signature(const cjwt_decoded *d, size_t *len)
{
    if (len)
        *len = d->sig_len;
    return d->sig;
}

/* The three segments of a compact token. */
typedef struct parts {
    const char *h, *p, *s;
    size_t hn, pn, sn;
} parts;

static cjwt_code split(const char *tok, size_t len, size_t max_len, parts *out, cjwt_error *err)
{
    const char *d1, *d2, *d3;
    size_t dots = 3;
    if (!tok)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "no token given");
    if (len > max_len)
        return cjwtp_fail(err, CJWT_E_TOO_LARGE, "the token is %zu bytes, over the limit of %zu",
                          len, max_len);
    if (len == 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Not enough segments: the token is empty");
    /* exactly two dots, found with memchr; the rest only to name the error */
    d1 = memchr(tok, '.', len);
    d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
    d3 = d2 ? memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) : NULL;
    if (!d1)
        dots = 0;
    else if (!d2)
        dots = 1;
    else if (!d3)
        dots = 2;
    else
        for (const char *q = d3 + 1; q < tok + len; q++)
            dots += *q == '.';
    if (dots == 4)
        return cjwtp_fail(err, CJWT_E_MALFORMED,
                          "the token has 5 segments (a JWE); only JWS compact tokens are supported");
    if (dots < 2)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Not enough segments");
    if (dots > 2)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Too many segments");
    out->h = tok;
    out->hn = (size_t)(d1 - tok);
    out->p = d1 + 1;
    out->pn = (size_t)(d2 - out->p);
    out->s = d2 + 1;
    out->sn = len - (size_t)(out->s - tok);
    if (out->hn == 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the header segment is empty");
    return CJWT_OK;
}

cjwt_code cjwtp_jws_crit(const cjwt_value *crit, const cjwt_value *b64, int *encoded,
                         cjwt_error *err)
{
    int listed = 0;
    const char *unknown = NULL;
    size_t unknown_len = 0;
    char q[160];
    *encoded = 1;
    if (crit) {
        /* RFC 7515 4.1.11: a non-empty array of names. The one extension
         * cjwt implements is RFC 7797's "b64". */
        if (cjwt_value_type(crit) != CJWT_TYPE_ARRAY || cjwt_value_size(crit) == 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid 'crit' header: must be a non-empty list");
        for (size_t i = 0; i < cjwt_value_size(crit); i++) {
            size_t cl = 0;
            const char *c = cjwt_value_string(cjwt_value_array_get(crit, i), &cl);
            if (!c)
                return cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid 'crit' header: values must be strings");
            if (cl == 3 && memcmp(c, "b64", 3) == 0)
                listed = 1;
            else if (!unknown) {
                unknown = c;
                unknown_len = cl;
            }
        }
        if (unknown) {
            cjwtp_quote(q, sizeof q, unknown, unknown_len);
            return cjwtp_fail(err, CJWT_E_UNKNOWN_CRIT,
                              "Unsupported critical extension: %s (the header marks it critical, an "
                              "extension cjwt does not implement)", q);
        }
        if (listed && !b64)
            return cjwtp_fail(err, CJWT_E_MALFORMED,
                              "Critical extension 'b64' is missing from headers");
    }
    if (!b64)
        return CJWT_OK;
    /* RFC 7797 3 and 6: a boolean, always listed in crit, so that a verifier
     * that does not know it cannot take an unencoded payload for base64url */
    if (cjwt_value_type(b64) != CJWT_TYPE_TRUE && cjwt_value_type(b64) != CJWT_TYPE_FALSE)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the \"b64\" header must be true or false (RFC 7797)");
    if (!listed)
        return cjwtp_fail(err, CJWT_E_MALFORMED,
                          "The 'b64' header parameter requires 'b64' to be listed in 'crit'.");
    *encoded = cjwt_value_type(b64) == CJWT_TYPE_TRUE;
    return CJWT_OK;
}

/* Decodes and parses the header; reports alg and whether the payload is
 * base64url-encoded (RFC 7797 "b64"). The caller owns *hdr. */
static cjwt_code parse_header(const parts *pt, int max_depth, unsigned char *scratch, cjwtp_doc **hdr,
                              cjwt_alg *alg, int *encoded, cjwt_error *err)
{
    size_t n = 0, alen = 0;
    const cjwt_value *h;
    cjwtp_hdr_members m;
    const char *aname;
    *encoded = 1;
    if (cjwtp_b64url_decode(pt->h, pt->hn, scratch, &n) != 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid header padding: the header is not valid base64url");
    *hdr = cjwtp_doc_parse((const char *)scratch, n, max_depth, "Invalid header string: the header", err);
    if (!*hdr)
        return err ? err->code : CJWT_E_MALFORMED;
    h = cjwtp_doc_root(*hdr);
    if (cjwt_value_type(h) != CJWT_TYPE_OBJECT)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid header string: must be a json object");
    cjwtp_header_members(h, &m);   /* one pass over the members */
    if (!m.alg)
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "Algorithm not specified");
    aname = cjwt_value_string(m.alg, &alen);
    if (!aname)
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG,
                          "The specified alg value is not allowed: \"alg\" must be a string");
    *alg = cjwt_alg_from_name(aname, alen);
    if (*alg == CJWT_ALG__COUNT) {
        char q[160];
        cjwtp_quote(q, sizeof q, aname, alen);
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG,
                          "The specified alg value is not allowed: \"%s\" is not a supported "
                          "algorithm", q);
    }
    /* RFC 7515 4.1.4: kid is a string (PyJWT refuses any other type too) */
    if (m.kid && cjwt_value_type(m.kid) != CJWT_TYPE_STRING)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "Key ID header parameter must be a string");
    if (m.crit || m.b64)
        return cjwtp_jws_crit(m.crit, m.b64, encoded, err);
    return CJWT_OK;
}

static cjwt_code check_allowed(const cjwt_verify_opts *o, cjwt_alg alg, cjwt_error *err)
{
    if (o->algorithms & CJWT_ALG_BIT(alg))
        return CJWT_OK;
    if (o->algorithms == 0)
        return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED,
                          "no algorithms are allowed: pass the algorithms you expect");
    return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED, "The specified alg value is not allowed (%s)",
                      cjwt_alg_name(alg));
}

/* Picks the key from a set: by kid when the header names one, otherwise
 * each key whose type, curve and binding fit alg, until one verifies. */
static cjwt_code check_with_keyset(const cjwt_keyset *ks, const cjwt_value *kid, cjwt_alg alg,
                                   const unsigned char *input, size_t n, const unsigned char *sig,
                                   size_t sig_len, cjwt_error *err)
{
    size_t tried = 0, kid_len = 0;
    const char *kid_s = kid ? cjwt_value_string(kid, &kid_len) : NULL;
    char q[120];
    if (!ks)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key set given");
    if (kid) {
        const cjwt_key *k;
        if (!kid_s)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "the header's \"kid\" must be a string");
        k = cjwt_keyset_find(ks, kid_s);
        if (!k) {
            cjwtp_quote(q, sizeof q, kid_s, kid_len);
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key in the set has kid \"%s\"", q);
        }
        return cjwtp_verify_sig(k, alg, input, n, sig, sig_len, err);
    }
    for (size_t i = 0; i < cjwt_keyset_size(ks); i++) {
        const cjwt_key *k = cjwt_keyset_get(ks, i);
        cjwt_error kerr;
        cjwtp_error_clear(&kerr);   /* internal calls do not clear: "first error wins" */
        if (cjwtp_key_check(k, alg, &kerr) != CJWT_OK || !(k->ops & CJWTP_OP_VERIFY))
            continue;
        tried++;
        cjwtp_error_clear(&kerr);
        if (cjwtp_verify_sig(k, alg, input, n, sig, sig_len, &kerr) == CJWT_OK)
            return CJWT_OK;
    }
    if (tried == 0)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key in the set fits %s", cjwt_alg_name(alg));
    return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
}

cjwt_code cjwtp_check_signature(const cjwt_verify_opts *o, const cjwt_key *key,
                                const cjwt_keyset *ks, const cjwt_value *kid, cjwt_alg alg,
                                const unsigned char *input, size_t n, const unsigned char *sig,
                                size_t sig_len, cjwt_error *err)
{
    cjwt_code rc = check_allowed(o, alg, err);
    if (rc != CJWT_OK)
        return rc;
    if (alg == CJWT_ALG_NONE)
        /* An unsecured token proves nothing: verification never accepts it,
         * even with "none" in the allowlist (DESIGN.md, "Security defaults"). */
        return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED,
                          "The specified alg value is not allowed: an unsecured (alg \"none\") "
                          "token is never verified; it can only be read unverified");
    if (ks)
        return check_with_keyset(ks, kid, alg, input, n, sig, sig_len, err);
    return cjwtp_verify_sig(key, alg, input, n, sig, sig_len, err);
}

cjwt_code cjwtp_check_revocation(const cjwt_verify_opts *o, const cjwt_value *payload,
                                 cjwt_error *err)
{
    cjwt_error cb_err;
    const cjwt_value *jti = cjwt_value_object_get(payload, "jti");
    int r;
    const cjwt_value *fid = cjwt_value_object_get(payload, "fid");
    if (!jti || cjwt_value_type(jti) != CJWT_TYPE_STRING)
        return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "jti",
                                "Token is missing the \"jti\" claim (revocation needs it)");
    /* fid (the token family) is optional; present, it is looked up, so a string */
    if (fid && cjwt_value_type(fid) != CJWT_TYPE_STRING && cjwt_value_type(fid) != CJWT_TYPE_NULL)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the \"fid\" claim must be a string");
    cjwtp_error_clear(&cb_err);
    r = o->revocation(o->revocation_ctx, payload, &cb_err);
    if (r == 0)
        return CJWT_OK;
    if (r == 1)
        return cjwtp_fail(err, CJWT_E_REVOKED, "Token has been revoked");
    if (cb_err.code != CJWT_OK) {
        if (err && err->code == CJWT_OK)
            *err = cb_err;
        return cb_err.code;
    }
    return cjwtp_fail(err, CJWT_E_UNAVAILABLE,
                      "the revocation store could not answer; the token is refused");
}

cjwt_code cjwtp_resolve_now(int has_now, double *now, cjwt_error *err)
{
    if (!has_now)
        *now = clock_now();
    if (!isfinite(*now))
        return cjwtp_fail(err, CJWT_E_INTERNAL, "now is not a finite number");
    return CJWT_OK;
}

cjwt_code cjwtp_check_typ(const char *expected, const cjwt_value *header, cjwt_error *err)
{
    const cjwt_value *typ = cjwt_value_object_get(header, "typ");
    size_t tlen = 0;
    const char *ts = typ ? cjwt_value_string(typ, &tlen) : NULL;
    char want[120], got[120];
    if (ts && cjwtp_typ_matches(expected, ts))
        return CJWT_OK;
    cjwtp_quote(want, sizeof want, expected, strlen(expected));
    if (ts)
        cjwtp_quote(got, sizeof got, ts, tlen);
    else
        snprintf(got, sizeof got, "%s", typ ? "(not a string)" : "(none)");
    return cjwtp_fail(err, CJWT_E_INVALID_TYP, "Invalid typ: expected \"%s\", token has %s%s%s",
                      want, ts ? "\"" : "", got, ts ? "\"" : "");
}

/* An unencoded ("b64": false) payload is not base64url: when the payload
 * segment does not decode, the header decides whether that is an error. */
static int header_says_unencoded(const parts *pt, int max_depth, unsigned char *scratch)
{
    cjwtp_doc *hdr = NULL;
    cjwt_alg alg;
    int encoded = 1;
    const cjwt_value *b64;
    int unencoded;
    (void)parse_header(pt, max_depth, scratch, &hdr, &alg, &encoded, NULL);
    /* "b64": false, whatever else the header gets wrong: the header's own
     * error (crit, alg...) is then the one to report */
    b64 = hdr ? cjwt_value_object_get(cjwtp_doc_root(hdr), "b64") : NULL;
    unencoded = b64 && cjwt_value_type(b64) == CJWT_TYPE_FALSE;
    cjwtp_doc_free(hdr);
    return unencoded;
}

/* The claim checks of cjwt_decode_unsecured: each on unless opts says
 * otherwise (there is no signature whose absence would turn them off). */
static unsigned unsecured_checks(const cjwt_verify_opts *o)
{
    unsigned set = o->verify_set & CJWT_CHECK_ALL;
    return ((o->verify & set) | (CJWT_CHECK_ALL & ~set)) & ~CJWT_CHECK_SIGNATURE;
}

/* cjwt_decode_unsecured's step 3-4: only an unsecured token, and one that
 * carries no signature, is read. */
static cjwt_code check_unsecured(cjwt_alg alg, size_t sig_len, cjwt_error *err)
{
    if (alg != CJWT_ALG_NONE)
        return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED,
                          "decode_unsecured reads unsecured (alg \"none\") tokens only: "
                          "verify a signed token with decode()");
    if (sig_len != 0)
        return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE,
                          "an unsecured (alg \"none\") token has an empty signature");
    return CJWT_OK;
}

/* The pipeline of every compact verification; `unsecured`: the one of
 * cjwt_decode_unsecured (no key, check_unsecured instead of the signature,
 * no revocation). */
static cjwt_decoded *pipeline(const cjwt_verify_opts *o, const cjwt_key *key,
                              const cjwt_keyset *ks, const char *tok, size_t len,
                              const unsigned char *detached, size_t detached_len, int has_now,
                              double now, cjwtp_times *times, int unsecured, cjwt_error *err)
{
    static const cjwt_verify_opts defaults;
    parts pt;
    cjwt_decoded *d = NULL;
    cjwtp_doc *hdr = NULL;
    const cjwt_value *header, *payload;
    cjwt_alg alg = CJWT_ALG__COUNT;
    unsigned checks;
    size_t max_len, parea;
    int max_depth, encoded = 1, pbad;
    unsigned char *scratch, *owned = NULL;
    const unsigned char *input;
    size_t input_len;

    cjwtp_error_clear(err);
    if (times)
        times->checked = 0;
    if (!o)
        o = &defaults;
    checks = unsecured ? unsecured_checks(o) : cjwtp_effective_checks(o);
    max_len = o->max_token_len ? o->max_token_len : CJWT_DEFAULT_MAX_TOKEN_LEN;
    max_depth = o->max_depth > 0 ? o->max_depth : CJWT_DEFAULT_MAX_DEPTH;

    /* 1. structure */
    if (split(tok, len, max_len, &pt, err) != CJWT_OK)
        return NULL;
    /* the payload area holds the decoded payload, the unencoded segment or
     * the detached payload */
    parea = detached ? detached_len : pt.pn;
    d = malloc(sizeof *d + parea + cjwtp_b64url_decoded_max(pt.sn) + cjwtp_b64url_decoded_max(pt.hn));
    if (!d) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decoding a token");
        return NULL;
    }
    d->refs = 1;
    d->header = d->payload = NULL;
    d->merged = d->unprotected = NULL;
    d->sig_index = 0;
    d->payload_bytes = d->buf;
    d->sig = d->buf + parea;
    scratch = d->sig + cjwtp_b64url_decoded_max(pt.sn);
    pbad = !detached && cjwtp_b64url_decode(pt.p, pt.pn, d->payload_bytes, &d->payload_len) != 0;
    if (pbad && !header_says_unencoded(&pt, max_depth, scratch)) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid payload padding: the payload is not valid base64url");
        goto fail;
    }
    if (cjwtp_b64url_decode(pt.s, pt.sn, d->sig, &d->sig_len) != 0) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid crypto padding: the signature is not valid base64url");
        goto fail;
    }
    /* 2. header (decoded into the space after the signature) */
    if (parse_header(&pt, max_depth, scratch, &hdr, &alg, &encoded, err) != CJWT_OK)
        goto fail;
    d->header = hdr;
    d->alg = alg;
    header = cjwtp_doc_root(hdr);
    if (!encoded && !o->raw_payload) {
        cjwtp_fail(err, CJWT_E_MALFORMED,
                   "a JWT never has an unencoded payload (\"b64\": false, RFC 7797 7): "
                   "verify it as a JWS (jws_decode)");
        goto fail;
    }
    input = (const unsigned char *)tok;
    input_len = pt.hn + 1 + pt.pn;
    if (detached) {
        /* RFC 7515 appendix F: the payload segment is empty, the payload
         * comes apart and enters the signing input as if it were there */
        if (pt.pn != 0) {
            cjwtp_fail(err, CJWT_E_MALFORMED,
                       "a detached payload was given, but the token carries a payload");
            goto fail;
        }
        if (detached_len)
            memcpy(d->payload_bytes, detached, detached_len);
        d->payload_len = detached_len;
        if (!(owned = cjwtp_jws_signing_input(pt.h, pt.hn, detached, detached_len, encoded,
                                              &input_len, err)))
            goto fail;
        input = owned;
    } else if (!encoded) {
        if (pt.pn)
            memcpy(d->payload_bytes, pt.p, pt.pn);
        d->payload_len = pt.pn;
    }
    /* 3-4. allowlist, key type, signature */
    if (unsecured) {
        if (check_unsecured(alg, d->sig_len, err) != CJWT_OK)
            goto fail;
    } else if ((checks & CJWT_CHECK_SIGNATURE) &&
        cjwtp_check_signature(o, key, ks, ks ? cjwt_value_object_get(header, "kid") : NULL, alg,
                              input, input_len, d->sig, d->sig_len, err) != CJWT_OK)
        goto fail;
    if (owned) {
        free(owned);
        owned = NULL;
    }
    /* 5. typ: after the signature, so an unauthenticated sender learns nothing */
    if (o->typ && cjwtp_check_typ(o->typ, header, err) != CJWT_OK)
        goto fail;
    if (o->raw_payload)
        return d;
    /* 6. claims */
    d->payload = cjwtp_doc_parse((const char *)d->payload_bytes, d->payload_len, max_depth,
                                 "Invalid payload string: the payload", err);
    if (!d->payload)
        goto fail;
    payload = cjwtp_doc_root(d->payload);
    if (cjwt_value_type(payload) != CJWT_TYPE_OBJECT) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "Invalid payload string: must be a json object");
        goto fail;
    }
    if (cjwtp_resolve_now(has_now, &now, err) != CJWT_OK)
        goto fail;
    if (cjwtp_check_claims(o, checks, payload, now, times, err) != CJWT_OK)
        goto fail;
    /* 7. revocation, last: it may cost a round trip to a shared store */
    if (!unsecured && o->revocation && cjwtp_check_revocation(o, payload, err) != CJWT_OK)
        goto fail;
    return d;
fail:
    free(owned);
    if (d && !d->header)
        cjwtp_doc_free(hdr);
    cjwt_decoded_free(d);
    return NULL;
}

cjwt_decoded *cjwtp_verify_impl(const cjwt_verify_opts *o, const cjwt_key *key,
                                const cjwt_keyset *ks, const char *tok, size_t len,
                                const unsigned char *detached, size_t detached_len, int has_now,
                                double now, cjwtp_times *times, cjwt_error *err)
{
    return pipeline(o, key, ks, tok, len, detached, detached_len, has_now, now, times, 0, err);
}

cjwt_decoded *cjwt_decode_unsecured(const cjwt_verify_opts *o, const char *tok, size_t len,
                                    int has_now, double now, cjwt_error *err)
{
    if (o && o->raw_payload) {
        cjwtp_error_clear(err);
        cjwtp_fail(err, CJWT_E_INTERNAL, "decode_unsecured reads a JWT: raw_payload is not for it");
        return NULL;
    }
    return pipeline(o, NULL, NULL, tok, len, NULL, 0, has_now, now, NULL, 1, err);
}

cjwt_decoded *cjwt_verify_with(const cjwt_verify_opts *o, const cjwt_key *key, const char *tok,
                               size_t len, int has_now, double now, cjwt_error *err)
{
    return cjwtp_verify_impl(o, key, NULL, tok, len, NULL, 0, has_now, now, NULL, err);
}

cjwt_decoded *cjwt_verify_keyset_with(const cjwt_verify_opts *o, const cjwt_keyset *ks,
                                      const char *tok, size_t len, int has_now, double now,
                                      cjwt_error *err)
{
    if (!ks) {
        cjwtp_error_clear(err);
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no key set given");
        return NULL;
    }
    return cjwtp_verify_impl(o, NULL, ks, tok, len, NULL, 0, has_now, now, NULL, err);
}

cjwt_value *cjwt_unverified_header(const char *tok, size_t len, cjwt_error *err)
{
    parts pt;
    unsigned char *scratch;
    cjwtp_doc *hdr = NULL;
    json_t *out = NULL;
    cjwt_alg alg;
    int encoded;
    cjwtp_error_clear(err);
    if (split(tok, len, CJWT_DEFAULT_MAX_TOKEN_LEN, &pt, err) != CJWT_OK)
        return NULL;
    scratch = malloc(cjwtp_b64url_decoded_max(pt.hn));
    if (!scratch) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decoding a header");
        return NULL;
    }
    if (parse_header(&pt, CJWT_DEFAULT_MAX_DEPTH, scratch, &hdr, &alg, &encoded, err) != CJWT_OK) {
        /* An unknown alg or a crit is still a readable header: the caller
         * only wants to look (for a kid, say); verification refuses later. */
        if (hdr && err && (err->code == CJWT_E_UNSUPPORTED_ALG || err->code == CJWT_E_UNKNOWN_CRIT)) {
            cjwtp_error_clear(err);
        } else {
            cjwtp_doc_free(hdr);
            hdr = NULL;
        }
    }
    free(scratch);
    /* The caller owns the result and may keep it: a jansson copy. */
    if (hdr && !(out = cjwtp_value_to_jansson(cjwtp_doc_root(hdr))))
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory copying a header");
    cjwtp_doc_free(hdr);
    return CJWTP_VALUE(out);
}
