/* A minimal test harness for the C layer: each test file has a main() that
 * calls RUN(test_fn) and ends with `return testlib_report("name");`.
 * The closing line is "N passed, N failed" so CI can count it. */
#ifndef CJWT_TESTLIB_H
#define CJWT_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int testlib_passed, testlib_failed, testlib_current_failed;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    testlib_current_failed = 1; } } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
      fprintf(stderr, "  FAIL %s:%d: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, \
              #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
      testlib_current_failed = 1; } } while (0)

/* Check that an error struct carries the named code. */
#define CHECK_CODE(err, name) do { const char *got_ = cjwt_code_name((err).code); \
    if (strcmp(got_, (name)) != 0) { \
      fprintf(stderr, "  FAIL %s:%d: expected error %s, got %s (%s)\n", __FILE__, __LINE__, \
              (name), got_, (err).message); \
      testlib_current_failed = 1; } } while (0)

#define RUN(fn) do { testlib_current_failed = 0; fn(); \
    if (testlib_current_failed) { testlib_failed++; fprintf(stderr, "not ok %s\n", #fn); } \
    else { testlib_passed++; } } while (0)

/* base64url without padding of p[0..n), malloc'd (the caller frees it):
 * the tests' own encoder, independent of the core's. NULL when out of memory. */
static inline char *b64u(const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = malloc(n / 3 * 4 + 5), *q = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *q++ = a[v >> 18 & 63];
        *q++ = a[v >> 12 & 63];
        if (i + 1 < n) *q++ = a[v >> 6 & 63];
        if (i + 2 < n) *q++ = a[v & 63];
    }
    *q = '\0';
    return o;
}

static inline int testlib_report(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, testlib_passed, testlib_failed);
    return testlib_failed ? 1 : 0;
}

#endif
