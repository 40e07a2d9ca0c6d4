/* Error codes, their stable names, and the helpers that fill cjwt_error. */
#include "cjwt_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A switch with no default: the compiler warns (-Wswitch) when a code is
 * added to the enum without a name here. */
const char *cjwt_code_name(cjwt_code code)
{
    switch (code) {
    case CJWT_OK: return "ok";
    case CJWT_E_MALFORMED: return "malformed";
    case CJWT_E_UNSUPPORTED_ALG: return "unsupported_alg";
    case CJWT_E_ALG_NOT_ALLOWED: return "alg_not_allowed";
    case CJWT_E_INVALID_KEY: return "invalid_key";
    case CJWT_E_BAD_SIGNATURE: return "bad_signature";
    case CJWT_E_EXPIRED: return "expired";
    case CJWT_E_NOT_YET_VALID: return "not_yet_valid";
    case CJWT_E_INVALID_IAT: return "invalid_iat";
    case CJWT_E_INVALID_AUDIENCE: return "invalid_audience";
    case CJWT_E_INVALID_ISSUER: return "invalid_issuer";
    case CJWT_E_INVALID_SUBJECT: return "invalid_subject";
    case CJWT_E_MISSING_CLAIM: return "missing_claim";
    case CJWT_E_INVALID_TYP: return "invalid_typ";
    case CJWT_E_UNKNOWN_CRIT: return "unknown_crit";
    case CJWT_E_REVOKED: return "revoked";
    case CJWT_E_TOO_LARGE: return "too_large";
    case CJWT_E_NO_MEMORY: return "no_memory";
    case CJWT_E_INTERNAL: return "internal";
    case CJWT_E_INVALID_JTI: return "invalid_jti";
    case CJWT_E_UNAVAILABLE: return "unavailable";
    case CJWT_E_DECRYPT_FAILED: return "decrypt_failed";
    case CJWT_E__COUNT: break;
    }
    return "unknown";
}

cjwt_code cjwt_code_from_name(const char *name)
{
    if (!name)
        return CJWT_E__COUNT;
    for (int c = 0; c < CJWT_E__COUNT; c++)
        if (strcmp(cjwt_code_name((cjwt_code)c), name) == 0)
            return (cjwt_code)c;
    return CJWT_E__COUNT;
}

void cjwt_free(void *p)
{
    free(p);
}

void cjwtp_error_clear(cjwt_error *err)
{
    if (err) {
        err->code = CJWT_OK;
        err->message[0] = '\0';
        err->claim[0] = '\0';
    }
}

static void set_message(cjwt_error *err, const char *fmt, va_list ap)
{
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (n < 0)
        err->message[0] = '\0';
}

cjwt_code cjwtp_fail(cjwt_error *err, cjwt_code code, const char *fmt, ...)
{
    if (err && err->code == CJWT_OK) {
        va_list ap;
        err->code = code;
        err->claim[0] = '\0';
        va_start(ap, fmt);
        set_message(err, fmt, ap);
        va_end(ap);
    }
    return code;
}

cjwt_code cjwtp_fail_claim(cjwt_error *err, cjwt_code code, const char *claim,
                           const char *fmt, ...)
{
    if (err && err->code == CJWT_OK) {
        va_list ap;
        err->code = code;
        snprintf(err->claim, sizeof err->claim, "%s", claim ? claim : "");
        va_start(ap, fmt);
        set_message(err, fmt, ap);
        va_end(ap);
    }
    return code;
}

void cjwtp_quote(char *dst, size_t dstsize, const char *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    const size_t limit = 48; /* keep messages readable when input is hostile */
    if (dstsize == 0)
        return;
    for (size_t i = 0; i < len && o + 5 < dstsize; i++) {
        unsigned char c = (unsigned char)src[i];
        if (i == limit) {
            if (o + 4 < dstsize) {
                memcpy(dst + o, "...", 3);
                o += 3;
            }
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    dst[o] = '\0';
}
