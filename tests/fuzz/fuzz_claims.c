/* Claims validation: the input (after one option byte) is the payload JSON
 * of an HS256-headed token verified with the signature check off and every
 * claim check on, through cjwt_verify_with. */
#include "fuzz_common.h"

static const char *const AUDS[] = { "api", "billing" };
static const char *const ISSS[] = { "https://issuer.example" };
static const char *const REQ[] = { "exp", "iat", "sub" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    cjwt_verify_opts o = {0};
    cjwt_error err;
    cjwt_decoded *d;
    size_t n;
    unsigned bits;
    char *t;
    if (size < 1)
        return 0;
    bits = data[0];
    data++, size--;

    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256);
    o.verify_set = CJWT_CHECK_ALL;
    o.verify = CJWT_CHECK_ALL & ~CJWT_CHECK_SIGNATURE;
    /* The option byte varies which claim settings are in force. */
    if (bits & 0x01) { o.audience = AUDS; o.n_audience = (bits & 0x02) ? 1 : 2; }
    o.strict_aud = (bits & 0x06) == 0x06;
    if (bits & 0x08) { o.issuer = ISSS; o.n_issuer = 1; }
    if (bits & 0x10) o.subject = "user-1";
    if (bits & 0x20) { o.required = REQ; o.n_required = 3; }
    if (bits & 0x40) { o.has_max_age = 1; o.max_age = 3600; }
    o.leeway = (bits & 0x80) ? 30 : 0;
    o.max_token_len = 1u << 20;

    t = fuzz_token_prefix((const uint8_t *)hdr, sizeof hdr - 1, data, size, &n);
    d = cjwt_verify_with(&o, NULL, t, n + 1, 1, FUZZ_NOW, &err);
    if (d) {
        const cjwt_value *p = cjwt_decoded_payload(d);
        FUZZ_ASSERT(p && cjwt_value_type(p) == CJWT_TYPE_OBJECT);
        cjwt_decoded_free(d);
    } else {
        fuzz_check_error(&err);
        FUZZ_ASSERT(err.code != CJWT_E_BAD_SIGNATURE && err.code != CJWT_E_INVALID_KEY &&
                    err.code != CJWT_E_ALG_NOT_ALLOWED);
        if (err.code == CJWT_E_MISSING_CLAIM)
            FUZZ_ASSERT(err.claim[0] != '\0');
    }
    free(t);
    return 0;
}
