/* cjwt_bytes.h: a byte compare for the bindings' caches of claim names and
 * values (python/src/convert.c, luaext/convert.c). Header-only, internal:
 * not part of the public API (cjwt.h). */
#ifndef CJWT_BYTES_H
#define CJWT_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Whether the n bytes at a and b are the same: memcmp for the short strings
 * of claims (names, values of a few dozen bytes), without its call (libc's
 * call costs more than the compare). Reads only a[0..n) and b[0..n), 8 bytes
 * at a time, the last 8 overlapping. Not constant-time: only for caches of
 * data that already verified, never for a MAC. */
static inline int
cjwt_same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    uint32_t u, v;
    size_t i;
    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        if (u != v)
            return 0;
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return u == v;
    }
    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

#endif
