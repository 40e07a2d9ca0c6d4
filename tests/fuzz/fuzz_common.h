/* Shared by the libFuzzer harnesses: a fixed clock, an assertion that
 * libFuzzer reports as a crash, and the check that every failure carries a
 * code the caller can act on (never "internal", never an unknown value). */
#ifndef CJWT_FUZZ_COMMON_H
#define CJWT_FUZZ_COMMON_H

#include "cjwt.h"
#include "cjwt_internal.h"
#include "fuzz_keys.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NOW 1700000000.0

/* OpenSSL's RSA public-key check (SP 800-56B) is randomised: a bogus modulus
 * was accepted by one import and refused by the next (found by fuzz_keyset
 * and fuzz_jwk). The core now checks RSA keys deterministically (d50abbc),
 * so RSA keys must survive an export/import round trip; set to 1 to relax
 * that again should a randomised check come back. */
#ifndef FUZZ_RSA_CHECK_IS_RANDOM
#define FUZZ_RSA_CHECK_IS_RANDOM 0
#endif

#define FUZZ_ASSERT(cond) do { if (!(cond)) { \
    fprintf(stderr, "FUZZ_ASSERT failed %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure must have a known code, a NUL-terminated bounded message, and
 * must not blame the library for bad input. */
static inline void fuzz_check_error(const cjwt_error *err)
{
    FUZZ_ASSERT(err->code != CJWT_OK);
    FUZZ_ASSERT((unsigned)err->code < CJWT_E__COUNT);
    FUZZ_ASSERT(strcmp(cjwt_code_name(err->code), "unknown") != 0);
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof err->message) != NULL);
    FUZZ_ASSERT(err->message[0] != '\0');
    FUZZ_ASSERT(err->code != CJWT_E_INTERNAL);
}

static inline cjwt_key *fuzz_pem_key(const char *pem)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err);
    if (!k) {
        fprintf(stderr, "fixed fuzz key refused: %s\n", err.message);
        abort();
    }
    return k;
}

/* "<b64url(header)>.<b64url(payload)>." into a new buffer with room for a
 * signature of CJWTP_MAX_SIG bytes; *signing_len is the signing input length. */
static inline char *fuzz_token_prefix(const uint8_t *h, size_t hn, const uint8_t *p, size_t pn,
                                      size_t *signing_len)
{
    size_t h64 = cjwtp_b64url_encoded_len(hn), p64 = cjwtp_b64url_encoded_len(pn);
    char *t = malloc(h64 + p64 + 2 + cjwtp_b64url_encoded_len(CJWTP_MAX_SIG) + 1);
    FUZZ_ASSERT(t != NULL);
    cjwtp_b64url_encode(h, hn, t);
    t[h64] = '.';
    cjwtp_b64url_encode(p, pn, t + h64 + 1);
    t[h64 + 1 + p64] = '.';
    *signing_len = h64 + 1 + p64;
    return t;
}

/* Splits fuzz input at the first '\n' into header and payload JSON text,
 * signs them honestly with `key` and `alg`, and returns the token, so that
 * the fuzzer reaches the code that runs after a signature holds. */
static inline char *fuzz_signed_token(const cjwt_key *key, cjwt_alg alg, const uint8_t *data,
                                      size_t size, size_t *len)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hn = nl ? (size_t)(nl - data) : size;
    const uint8_t *p = nl ? nl + 1 : data + size;
    size_t pn = nl ? size - hn - 1 : 0, n, sig_len = 0;
    unsigned char sig[CJWTP_MAX_SIG];
    char *t = fuzz_token_prefix(data, hn, p, pn, &n);
    if (cjwtp_sign(key, alg, (unsigned char *)t, n, sig, &sig_len, NULL) != CJWT_OK) {
        free(t);
        return NULL;
    }
    cjwtp_b64url_encode(sig, sig_len, t + n + 1);
    *len = n + 1 + cjwtp_b64url_encoded_len(sig_len);
    t[*len] = '\0';
    return t;
}

#endif
