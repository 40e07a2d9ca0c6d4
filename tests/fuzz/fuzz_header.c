/* cjwt_unverified_header on arbitrary token text. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    cjwt_value *h = cjwt_unverified_header((const char *)data, size, &err);
    if (!h) {
        fuzz_check_error(&err);
        FUZZ_ASSERT(err.code == CJWT_E_MALFORMED || err.code == CJWT_E_TOO_LARGE ||
                    err.code == CJWT_E_NO_MEMORY);
        return 0;
    }
    FUZZ_ASSERT(cjwt_value_type(h) == CJWT_TYPE_OBJECT);
    /* No alg requirement: like PyJWT's get_unverified_header, reading the
     * header does not judge the algorithm (verification refuses a missing or
     * non-string alg with unsupported_alg). An absent member reads as null. */
    (void)cjwt_value_type(cjwt_value_object_get(h, "alg"));
    {
        size_t n;
        char *json = cjwt_value_to_json(h, &n, &err);
        FUZZ_ASSERT(json != NULL);
        cjwt_free(json);
    }
    cjwt_value_free(h);
    return 0;
}
