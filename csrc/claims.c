/* Registered claim validation (RFC 7519 section 4.1). Runs only after the
 * signature holds. The rules and their order follow PyJWT, so code written
 * for it gets the same answers: required, iat, nbf, exp, max_age, iss, aud,
 * sub, jti. Times are compared as PyJWT does: a numeric date is truncated to whole
 * seconds, exp must be > now - leeway, nbf and iat <= now + leeway. */
#include "cjwt_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void quote_json_string(char *dst, size_t n, const json_t *s)
{
    if (json_is_string(s))
        cjwtp_quote(dst, n, json_string_value(s), json_string_length(s));
    else
        snprintf(dst, n, "(a JSON %s)", json_is_array(s) ? "array" : json_is_object(s) ? "object" :
                 json_is_number(s) ? "number" : json_is_boolean(s) ? "boolean" : "null");
}

/* Python truthiness of a JSON value: PyJWT skips an aud claim that is
 * null, "", [], {}, 0 or false when no audience is expected. */
static int json_falsy(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL: case JSON_FALSE: return 1;
    case JSON_TRUE: return 0;
    case JSON_STRING: return json_string_length(v) == 0;
    case JSON_ARRAY: return json_array_size(v) == 0;
    case JSON_OBJECT: return json_object_size(v) == 0;
    case JSON_INTEGER: case JSON_REAL: return json_number_value(v) == 0.0;
    }
    return 0;
}

/* A numeric date as PyJWT reads it (int(value)). Returns -1 if not a number. */
static int numeric_date(const json_t *v, double *out)
{
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        *out = trunc(json_real_value(v));
        return 0;
    }
    return -1;
}

static cjwt_code check_aud(const cjwt_verify_opts *o, const json_t *payload, cjwt_error *err)
{
    const json_t *aud = json_object_get(payload, "aud");
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
        if (!json_is_string(aud))
            return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE, "Invalid claim format in token (strict)");
        if (strcmp(o->audience[0], json_string_value(aud)) != 0)
            return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE, "Audience doesn't match (strict)");
        return CJWT_OK;
    }
    if (json_is_string(aud)) {
        for (size_t i = 0; i < o->n_audience; i++)
            if (strcmp(o->audience[i], json_string_value(aud)) == 0)
                return CJWT_OK;
        quote_json_string(got, sizeof got, aud);
    } else if (json_is_array(aud)) {
        size_t i, k;
        const json_t *item;
        json_array_foreach(aud, i, item) {
            if (!json_is_string(item))
                return cjwtp_fail(err, CJWT_E_INVALID_AUDIENCE,
                                  "Invalid claim format in token: aud must be a string or a list of strings");
        }
        json_array_foreach(aud, i, item) {
            for (k = 0; k < o->n_audience; k++)
                if (strcmp(o->audience[k], json_string_value(item)) == 0)
                    return CJWT_OK;
        }
        quote_json_string(got, sizeof got, json_array_get(aud, 0));
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
                          json_is_array(aud) && json_array_size(aud) > 1 ? " and others" : "");
    }
}

static cjwt_code check_iss(const cjwt_verify_opts *o, const json_t *payload, cjwt_error *err)
{
    const json_t *iss = json_object_get(payload, "iss");
    char want[120], got[120];
    if (o->n_issuer == 0)
        return CJWT_OK;
    if (!iss)
        return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "iss", "Token is missing the \"iss\" claim");
    if (json_is_string(iss))
        for (size_t i = 0; i < o->n_issuer; i++)
            if (strcmp(o->issuer[i], json_string_value(iss)) == 0)
                return CJWT_OK;
    cjwtp_quote(want, sizeof want, o->issuer[0], strlen(o->issuer[0]));
    quote_json_string(got, sizeof got, iss);
    return cjwtp_fail(err, CJWT_E_INVALID_ISSUER, "Invalid issuer: expected \"%s\"%s, token has \"%s\"",
                      want, o->n_issuer > 1 ? " (or another accepted one)" : "", got);
}

static cjwt_code check_sub(const cjwt_verify_opts *o, const json_t *payload, cjwt_error *err)
{
    const json_t *sub = json_object_get(payload, "sub");
    char want[120], got[120];
    if (sub && !json_is_string(sub))
        return cjwtp_fail(err, CJWT_E_INVALID_SUBJECT, "Subject must be a string");
    if (!o->subject || (sub && strcmp(json_string_value(sub), o->subject) == 0))
        return CJWT_OK;
    cjwtp_quote(want, sizeof want, o->subject, strlen(o->subject));
    if (!sub)   /* stricter than PyJWT, the same rule as for iss and aud */
        return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "sub", "Token is missing the \"sub\" claim");
    quote_json_string(got, sizeof got, sub);
    return cjwtp_fail(err, CJWT_E_INVALID_SUBJECT, "Invalid subject: expected \"%s\", token has \"%s\"",
                      want, got);
}

cjwt_code cjwtp_check_claims(const cjwt_verify_opts *o, unsigned checks, const json_t *payload,
                             double now, cjwt_error *err)
{
    const json_t *v;
    double t, leeway = o->leeway > 0 ? o->leeway : 0;
    cjwt_code rc;

    for (size_t i = 0; i < o->n_required; i++) {
        v = json_object_get(payload, o->required[i]);
        if (!v || json_is_null(v)) {
            char q[120];
            cjwtp_quote(q, sizeof q, o->required[i], strlen(o->required[i]));
            return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, o->required[i],
                                    "Token is missing the \"%s\" claim", q);
        }
    }
    if ((checks & CJWT_CHECK_IAT) && (v = json_object_get(payload, "iat"))) {
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_INVALID_IAT, "Issued At claim (iat) must be a number");
        if (t > now + leeway)
            return cjwtp_fail(err, CJWT_E_NOT_YET_VALID, "The token is not yet valid (iat)");
    }
    if ((checks & CJWT_CHECK_NBF) && (v = json_object_get(payload, "nbf"))) {
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Not Before claim (nbf) must be a number");
        if (t > now + leeway)
            return cjwtp_fail(err, CJWT_E_NOT_YET_VALID, "The token is not yet valid (nbf)");
    }
    if ((checks & CJWT_CHECK_EXP) && (v = json_object_get(payload, "exp"))) {
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "Expiration Time claim (exp) must be a number");
        if (t <= now - leeway)
            return cjwtp_fail(err, CJWT_E_EXPIRED, "Signature has expired");
    }
    if (o->has_max_age) {
        v = json_object_get(payload, "iat");
        if (!v)
            return cjwtp_fail_claim(err, CJWT_E_MISSING_CLAIM, "iat",
                                    "Token is missing the \"iat\" claim (max_age needs it)");
        if (numeric_date(v, &t) != 0)
            return cjwtp_fail(err, CJWT_E_INVALID_IAT, "Issued At claim (iat) must be a number");
        if (now - leeway > t + o->max_age)
            return cjwtp_fail(err, CJWT_E_EXPIRED, "The token is older than max_age (%.0f s)",
                              o->max_age);
    }
    if ((checks & CJWT_CHECK_ISS) && (rc = check_iss(o, payload, err)) != CJWT_OK)
        return rc;
    if ((checks & CJWT_CHECK_AUD) && (rc = check_aud(o, payload, err)) != CJWT_OK)
        return rc;
    if ((checks & CJWT_CHECK_SUB) && (rc = check_sub(o, payload, err)) != CJWT_OK)
        return rc;
    if ((checks & CJWT_CHECK_JTI) && (v = json_object_get(payload, "jti")) && !json_is_string(v))
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
