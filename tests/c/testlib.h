/* A minimal test harness for the C layer: each test file has a main() that
 * calls RUN(test_fn) and ends with `return testlib_report("name");`.
 * The closing line is "N passed, N failed" so CI can count it. */
#ifndef CJWT_TESTLIB_H
#define CJWT_TESTLIB_H

#include <stdio.h>
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

static inline int testlib_report(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, testlib_passed, testlib_failed);
    return testlib_failed ? 1 : 0;
}

#endif
