/* The strict JSON parser (cjwt_value_from_json): anything it accepts can be
 * walked with the public accessors and survives a serialise/parse round trip
 * unchanged. */
#include "fuzz_common.h"

static size_t walk(const cjwt_value *v, int depth)
{
    size_t count = 1, len;
    FUZZ_ASSERT(depth <= CJWT_DEFAULT_MAX_DEPTH + 1);
    switch (cjwt_value_type(v)) {
    case CJWT_TYPE_STRING: {
        const char *s = cjwt_value_string(v, &len);
        FUZZ_ASSERT(s != NULL && strlen(s) == len);   /* no embedded NUL */
        break;
    }
    case CJWT_TYPE_ARRAY:
        for (size_t i = 0; i < cjwt_value_size(v); i++)
            count += walk(cjwt_value_array_get(v, i), depth + 1);
        break;
    case CJWT_TYPE_OBJECT:
        for (void *it = cjwt_object_iter(v); it; it = cjwt_object_iter_next(v, it)) {
            const char *k = cjwt_object_iter_key(it, &len);
            FUZZ_ASSERT(k != NULL && strlen(k) == len);
            FUZZ_ASSERT(cjwt_value_object_get(v, k) == cjwt_object_iter_value(it));
            count += walk(cjwt_object_iter_value(it), depth + 1);
        }
        break;
    case CJWT_TYPE_REAL: {
        double d = cjwt_value_real(v);
        FUZZ_ASSERT(d == d);   /* never NaN */
        break;
    }
    default:
        break;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    cjwt_value *v = cjwt_value_from_json((const char *)data, size, &err);
    char *j1, *j2;
    size_t n1, n2;
    cjwt_value *again;
    if (!v) {
        fuzz_check_error(&err);
        FUZZ_ASSERT(err.code == CJWT_E_MALFORMED || err.code == CJWT_E_TOO_LARGE ||
                    err.code == CJWT_E_NO_MEMORY);
        return 0;
    }
    walk(v, 0);
    j1 = cjwt_value_to_json(v, &n1, &err);
    FUZZ_ASSERT(j1 != NULL);
    again = cjwt_value_from_json(j1, n1, &err);
    if (!again) {
        fprintf(stderr, "re-parse of own output failed: %s\n%s\n", err.message, j1);
        abort();
    }
    j2 = cjwt_value_to_json(again, &n2, &err);
    FUZZ_ASSERT(j2 != NULL && n1 == n2 && memcmp(j1, j2, n1) == 0);
    cjwt_free(j1);
    cjwt_free(j2);
    cjwt_value_free(again);
    cjwt_value_free(v);
    return 0;
}
