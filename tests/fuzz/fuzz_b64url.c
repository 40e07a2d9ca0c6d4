/* Strict base64url: whatever decodes must be canonical (re-encoding gives
 * the input back), and encoding then decoding any bytes is the identity. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *out = malloc(cjwtp_b64url_decoded_max(size));
    size_t n = 0, elen = cjwtp_b64url_encoded_len(size);
    char *enc = malloc(elen + 1);
    FUZZ_ASSERT(out && enc);

    if (cjwtp_b64url_decode((const char *)data, size, out, &n) == 0) {
        char *again = malloc(size + 1);
        FUZZ_ASSERT(again != NULL);
        FUZZ_ASSERT(n <= cjwtp_b64url_decoded_max(size));
        FUZZ_ASSERT(cjwtp_b64url_encoded_len(n) == size);
        cjwtp_b64url_encode(out, n, again);
        FUZZ_ASSERT(memcmp(again, data, size) == 0);
        free(again);
    }

    /* The other direction: raw bytes -> text -> the same bytes. */
    cjwtp_b64url_encode(data, size, enc);
    {
        unsigned char *back = malloc(cjwtp_b64url_decoded_max(elen));
        FUZZ_ASSERT(back != NULL);
        FUZZ_ASSERT(cjwtp_b64url_decode(enc, elen, back, &n) == 0);
        FUZZ_ASSERT(n == size && memcmp(back, data, size) == 0);
        for (size_t i = 0; i < elen; i++)
            FUZZ_ASSERT(enc[i] != '=' && enc[i] != '+' && enc[i] != '/');
        free(back);
    }
    free(enc);
    free(out);
    return 0;
}
