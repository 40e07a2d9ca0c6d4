/* PEM/DER import (cjwt_key_from_pem, with and without a password) and the
 * str/bytes classifier (cjwt_key_from_bytes). An accepted asymmetric key
 * exports to PEM and imports back to the same thumbprint. */
#include "fuzz_common.h"

static void check_key(cjwt_key *k)
{
    cjwt_error err;
    size_t n;
    char *t0, *t1, *pem;
    cjwt_key *again;
    if (cjwt_key_type(k) == CJWT_KTY_OCT)
        return;
    t0 = cjwt_key_thumbprint(k, &n, &err);
    FUZZ_ASSERT(t0 != NULL);
    pem = cjwt_key_to_pem(k, cjwt_key_is_private(k), &n, &err);
    FUZZ_ASSERT(pem != NULL);
    again = cjwt_key_from_pem(pem, n, NULL, 0, 0, &err);
    FUZZ_ASSERT(again != NULL);
    t1 = cjwt_key_thumbprint(again, &n, &err);
    FUZZ_ASSERT(t1 != NULL && strcmp(t0, t1) == 0);
    cjwt_free(t0);
    cjwt_free(t1);
    cjwt_free(pem);
    cjwt_key_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    cjwt_key *k;
    if (size < 1)
        return 0;
    /* Byte 0 picks the password: none or "pw". */
    k = cjwt_key_from_pem((const char *)data + 1, size - 1, (data[0] & 1) ? "pw" : NULL,
                          (data[0] & 1) ? 2 : 0, 0, &err);
    if (k) {
        check_key(k);
        cjwt_key_free(k);
    } else {
        fuzz_check_error(&err);
    }
    k = cjwt_key_from_bytes(data + 1, size - 1, 0, &err);
    if (k) {
        check_key(k);
        cjwt_key_free(k);
    } else {
        fuzz_check_error(&err);
    }
    return 0;
}
