/* Registered claim validation (RFC 7519 section 4.1). Runs only after the
 * signature holds. The rules and their order follow PyJWT, so code written
 * for it gets the same answers: required, iat, nbf, exp, max_age, iss, aud,
 * sub, jti. Times are compared as PyJWT does: a numeric date is truncated to whole
 * seconds, exp must be > now - leeway, nbf and iat <= now + leeway. */
#include "cjwt_internal.h"

#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TYPE(v) cjwt_value_type(v)
#define IS_STRING(v) ((v) && TYPE(v) == CJWT_TYPE_STRING)
#define STR(v) cjwt_value_string((v), NULL)

static void quote_json_string(char *dst, size_t n, const cjwt_value *s)
{
    size_t len = 0;
    const char *str = cjwt_value_string(s, &len);
    cjwt_type t = TYPE(s);
    if (str)
        cjwtp_quote(dst, n, str, len);
    else
        snprintf(dst, n, "(a JSON %s)", t == CJWT_TYPE_ARRAY ? "array" : t == CJWT_TYPE_OBJECT ? "object" :
                 t == CJWT_TYPE_INT || t == CJWT_TYPE_REAL ? "number" :
                 t == CJWT_TYPE_NULL ? "null" : "boolean");
}

/* Python truthiness of a JSON value: PyJWT skips an aud claim that is
 * null, "", [], {}, 0 or false when no audience is expected. */
static int json_falsy(const cjwt_value *v)
{
    size_t len = 0;
    switch (TYPE(v)) {
    case CJWT_TYPE_NULL: case CJWT_TYPE_FALSE: return 1;
    case CJWT_TYPE_TRUE: return 0;
    case CJWT_TYPE_STRING: cjwt_value_string(v, &len); return len == 0;
    case CJWT_TYPE_ARRAY: case CJWT_TYPE_OBJECT: return cjwt_value_size(v) == 0;
    case CJWT_TYPE_INT: case CJWT_TYPE_REAL: return cjwt_value_real(v) == 0.0;
    }
    return 0;
}

/* A numeric date as PyJWT reads it (int(value)). Returns -1 if not a number. */
static int numeric_date(const cjwt_value *v, double *out)
{
    if (TYPE(v) == CJWT_TYPE_INT) {
        *out = (double)cjwt_value_int(v);
        return 0;
    }
    if (TYPE(v) == CJWT_TYPE_REAL) {
        *out = trunc(cjwt_value_real(v));
        return 0;
    }
    return -1;
}

static cjwt_code check_aud(const cjwt_verify_opts *o, const cjwt_value *aud, cjwt_error *err)
{
    char got[200];
    if (o->n_audience == 0) {
        if (!aud || json_falsy(aud))
            return CJWT_OK;
        return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE,
                          "Invalid audience: the token has an aud claim but no audience was expected");
    }
    if (!aud || json_falsy(aud))
        return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "aud", "Token is missing the \"aud\" claim");
    if (o->strict_aud) {
        /* PyJWT's strict_aud: exactly one expected audience, and the claim
         * is that one string (not a list containing it). */
        if (o->n_audience != 1)
            return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE, "Invalid audience (strict): expect one audience");
        if (!IS_STRING(aud))
            return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE, "Invalid claim format in token (strict)");
        if (strcmp(o->audience[0], STR(aud)) != 0)
            return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE, "Audience doesn't match (strict)");
        return CJWT_OK;
    }
    if (IS_STRING(aud)) {
        for (size_t i = 0; i < o->n_audience; i++)
            if (strcmp(o->audience[i], STR(aud)) == 0)
                return CJWT_OK;
        quote_json_string(got, sizeof got, aud);
    } else if (TYPE(aud) == CJWT_TYPE_ARRAY) {
        size_t i, k, n = cjwt_value_size(aud);
        for (i = 0; i < n; i++)
            if (!IS_STRING(cjwt_value_array_get(aud, i)))
                return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE,
                                  "Invalid claim format in token: aud must be a string or a list of strings");
        for (i = 0; i < n; i++) {
            const char *item = STR(cjwt_value_array_get(aud, i));
            for (k = 0; k < o->n_audience; k++)
                if (strcmp(o->audience[k], item) == 0)
                    return CJWT_OK;
        }
        quote_json_string(got, sizeof got, cjwt_value_array_get(aud, 0));
    } else {
        return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE,
                          "Invalid claim format in token: aud must be a string or a list of strings");
    }
    {
        char want[120];
        cjwtp_quote(want, sizeof want, o->audience[0], strlen(o->audience[0]));
        return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE,
                          "Audience doesn't match: expected \"%s\"%s, token has \"%s\"%s", want,
                          o->n_audience > 1 ? " (or another accepted one)" : "", got,
                          TYPE(aud) == CJWT_TYPE_ARRAY && cjwt_value_size(aud) > 1 ? " and others" : "");
    }
}

static cjwt_code check_iss(const cjwt_verify_opts *o, const cjwt_value *iss, cjwt_error *err)
{
    char want[120], got[120];
    if (o->n_issuer == 0)
        return CJWT_OK;
    if (!iss)
        return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "iss", "Token is missing the \"iss\" claim");
    if (!IS_STRING(iss))
        return cjwtp_fail(err, CJWT_E_INVALID_ISSUER, "Payload Issuer (iss) must be a string");
    for (size_t i = 0; i < o->n_issuer; i++)
            if (strcmp(o->issuer[i], STR(iss)) == 0)
                return CJWT_OK;
    cjwtp_quote(want, sizeof want, o->issuer[0], strlen(o->issuer[0]));
    quote_json_string(got, sizeof got, iss);
    return cjwtp_fail(err, CJWT_E_INVALID_ISSUER, "Invalid issuer: expected \"%s\"%s, token has \"%s\"",
                      want, o->n_issuer > 1 ? " (or another accepted one)" : "", got);
}

static cjwt_code check_sub(const cjwt_verify_opts *o, const cjwt_value *sub, cjwt_error *err)
{
    char want[120], got[120];
    if (sub && !IS_STRING(sub))
        return cjwtp_fail(err, CJWT_E_INVALID_SUBJECT, "Subject must be a string");
    if (!o->subject || (sub && strcmp(STR(sub), o->subject) == 0))
        return CJWT_OK;
    cjwtp_quote(want, sizeof want, o->subject, strlen(o->subject));
    if (!sub)   /* stricter than PyJWT, the same rule as for iss and aud */
        return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "sub", "Token is missing the \"sub\" claim");
    quote_json_string(got, sizeof got, sub);
    return cjwtp_fail(err, CJWT_E_INVALID_SUBJECT, "Invalid subject: expected \"%s\", token has \"%s\"",
                      want, got);
}

/* The time rules, one helper each, so that a verified-token cache hit
 * (cjwtp_check_times) and a full verification give the same answer. */
static cjwt_code iat_in_time(double iat, double now, double leeway, cjwt_error *err)
{
    if (iat > now + leeway)
        return cjwtp_fail(err, CJWT_E_NOT_YET_VALID, "The token is not yet valid (iat)");
    return CJWT_OK;
}

static cjwt_code nbf_in_time(double nbf, double now, double leeway, cjwt_error *err)
{
    if (nbf > now + leeway)
        return cjwtp_fail(err, CJWT_E_NOT_YET_VALID, "The token is not yet valid (nbf)");
    return CJWT_OK;
}

static cjwt_code exp_in_time(double exp, double now, double leeway, cjwt_error *err)
{
    if (exp <= now - leeway)
        return cjwtp_fail(err, CJWT_E_EXPIRED, "Signature has expired");
    return CJWT_OK;
}

static cjwt_code age_in_time(const cjwt_verify_opts *o, double iat, double now, double leeway,
                             cjwt_error *err)
{
    if (now - leeway > iat + o->max_age)
        return cjwtp_fail(err, CJWT_E_EXPIRED, "The token is older than max_age (%.0f s)",
                          o->max_age);
    return CJWT_OK;
}

cjwt_code cjwtp_check_times(const cjwt_verify_opts *o, const cjwtp_times *t, double now,
                            cjwt_error *err)
{
    double leeway = o->leeway > 0 ? o->leeway : 0;
    cjwt_code rc;
    if ((t->checked & CJWT_CHECK_IAT) && (rc = iat_in_time(t->iat, now, leeway, err)) != CJWT_OK)
        return rc;
    if ((t->checked & CJWT_CHECK_NBF) && (rc = nbf_in_time(t->nbf, now, leeway, err)) != CJWT_OK)
        return rc;
    if ((t->checked & CJWT_CHECK_EXP) && (rc = exp_in_time(t->exp, now, leeway, err)) != CJWT_OK)
        return rc;
    if (o->has_max_age)
        return age_in_time(o, t->iat, now, leeway, err);
    return CJWT_OK;
}

/* The registered claims the rules read, each NULL when absent. */
typedef struct claim_members {
    const cjwt_value *iat, *nbf, *exp, *iss, *aud, *sub, *jti;
} claim_members;

/* All of them in one pass over a document object's members (names are
 * unique in it), or by lookups in a jansson object. */
static void claim_lookup(const cjwt_value *payload, claim_members *m)
{
    const cjwtp_node *n = (const cjwtp_node *)(const void *)payload, *k;
    memset(m, 0, sizeof *m);
    if (!payload)
        return;
    if (!CJWTP_IS_NODE(payload)) {
        m->iat = cjwt_value_object_get(payload, "iat");
        m->nbf = cjwt_value_object_get(payload, "nbf");
        m->exp = cjwt_value_object_get(payload, "exp");
        m->iss = cjwt_value_object_get(payload, "iss");
        m->aud = cjwt_value_object_get(payload, "aud");
        m->sub = cjwt_value_object_get(payload, "sub");
        m->jti = cjwt_value_object_get(payload, "jti");
        return;
    }
    if ((n->tag & 0xffu) != CJWT_TYPE_OBJECT)
        return;
    k = n + 1;
    for (uint32_t i = 0; i < n->count; i++, k = k + 1 + k[1].span) {
        const unsigned char *s = (const unsigned char *)k->u.s;
        const cjwt_value *v = (const cjwt_value *)(k + 1);
        if (k->len != 3)
            continue;
        switch ((uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16) {
        case 'i' | 'a' << 8 | 't' << 16: m->iat = v; break;
        case 'n' | 'b' << 8 | 'f' << 16: m->nbf = v; break;
        case 'e' | 'x' << 8 | 'p' << 16: m->exp = v; break;
        case 'i' | 's' << 8 | 's' << 16: m->iss = v; break;
        case 'a' | 'u' << 8 | 'd' << 16: m->aud = v; break;
        case 's' | 'u' << 8 | 'b' << 16: m->sub = v; break;
        case 'j' | 't' << 8 | 'i' << 16: m->jti = v; break;
        default: break;
        }
    }
}

cjwt_code cjwtp_check_claims(const cjwt_verify_opts *o, unsigned checks, const cjwt_value *payload,
                             double now, cjwtp_times *times, cjwt_error *err)
{
    const cjwt_value *v;
    double t, leeway = o->leeway > 0 ? o->leeway : 0;
    cjwt_code rc;
    cjwtp_times unused;
    claim_members m;

    if (!times)
        times = &unused;
    claim_lookup(payload, &m);
    times->checked = 0;
    for (size_t i = 0; i < o->n_required; i++) {
        v = cjwt_value_object_get(payload, o->required[i]);
        if (!v || TYPE(v) == CJWT_TYPE_NULL) {
            char q[120];
            cjwtp_quote(q, sizeof q, o->required[i], strlen(o->required[i]));
            return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, o->required[i],
                                    "Token is missing the \"%s\" claim", q);
        }
    }
    if ((checks & CJWT_CHECK_IAT) && (v = m.iat)) {
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_INVALID_IAT, "Issued At claim (iat) must be a number");
        if ((rc = iat_in_time(t, now, leeway, err)) != CJWT_OK)
            return rc;
        times->iat = t;
        times->checked |= CJWT_CHECK_IAT;
    }
    if ((checks & CJWT_CHECK_NBF) && (v = m.nbf)) {
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Not Before claim (nbf) must be a number");
        if ((rc = nbf_in_time(t, now, leeway, err)) != CJWT_OK)
            return rc;
        times->nbf = t;
        times->checked |= CJWT_CHECK_NBF;
    }
    if ((checks & CJWT_CHECK_EXP) && (v = m.exp)) {
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Expiration Time claim (exp) must be a number");
        if ((rc = exp_in_time(t, now, leeway, err)) != CJWT_OK)
            return rc;
        times->exp = t;
        times->checked |= CJWT_CHECK_EXP;
    }
    if (o->has_max_age) {
        v = m.iat;
        if (!v)
            return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "iat",
                                    "Token is missing the \"iat\" claim (max_age needs it)");
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_INVALID_IAT, "Issued At claim (iat) must be a number");
        if ((rc = age_in_time(o, t, now, leeway, err)) != CJWT_OK)
            return rc;
        times->iat = t;
    }
    if ((checks & CJWT_CHECK_ISS) && (rc = check_iss(o, m.iss, err)) != CJWT_OK)
        return rc;
    if ((checks & CJWT_CHECK_AUD) && (rc = check_aud(o, m.aud, err)) != CJWT_OK)
        return rc;
    if ((checks & CJWT_CHECK_SUB) && (rc = check_sub(o, m.sub, err)) != CJWT_OK)
        return rc;
    if ((checks & CJWT_CHECK_JTI) && (v = m.jti) && !IS_STRING(v))
        return cjwtp_fail(err, CJWT_E_INVALID_JTI, "JWT ID must be a string");
    return CJWT_OK;
}

/* RFC 7515 4.1.9: media types compare case-insensitively, and a value with
 * no '/' is read as if "application/" were prepended. */
static const char *media_subtype(const char *s)
{
    if (strchr(s, '/') == NULL)
        return s;
    if (strncasecmp(s, "application/", 12) == 0 && strchr(s + 12, '/') == NULL)
        return s + 12;
    return NULL;  /* some other top-level type: only an exact match will do */
}

int cjwtp_typ_matches(const char *expected, const char *got)
{
    const char *a = media_subtype(expected), *b = media_subtype(got);
    if (!a || !b)
        return strcasecmp(expected, got) == 0;
    return strcasecmp(a, b) == 0;
}
