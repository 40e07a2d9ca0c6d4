/* Strict base64url (RFC 4648 section 5) without padding, as JWS requires
 * (RFC 7515 section 2): no '=', no '+' or '/', no whitespace, and the unused
 * low bits of the last character must be zero, so every byte string has
 * exactly one accepted encoding. */
#include "cjwt_internal.h"

#include <stdint.h>
#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t cjwtp_b64url_encoded_len(size_t n)
{
    return (n / 3) * 4 + ((n % 3) ? (n % 3) + 1 : 0);
}

void cjwtp_b64url_encode(const unsigned char *src, size_t n, char *dst)
{
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)src[i] << 16 | (unsigned)src[i + 1] << 8 | src[i + 2];
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        dst[o++] = alphabet[(v >> 6) & 63];
        dst[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)src[i] << 16;
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)src[i] << 16 | (unsigned)src[i + 1] << 8;
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        dst[o++] = alphabet[(v >> 6) & 63];
    }
}

size_t cjwtp_b64url_decoded_max(size_t n)
{
    return (n / 4) * 3 + 2;
}

/* The decoder's tables: a character's 6 bits already shifted into place
 * for each of the four positions of a group, so a group of four is four
 * lookups and three ORs; outside the alphabet every table has bit 31 set,
 * so one OR-accumulated test after the loop rejects the whole input. */
#define B64V(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 \
                 : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : (c) == '-' ? 62 : (c) == '_' ? 63 : -1)
#define B64S(c, sh) (B64V(c) < 0 ? 0x80000000u : (uint32_t)B64V(c) << (sh))
#define B64R4(c, sh) B64S(c, sh), B64S((c) + 1, sh), B64S((c) + 2, sh), B64S((c) + 3, sh)
#define B64R16(c, sh) B64R4(c, sh), B64R4((c) + 4, sh), B64R4((c) + 8, sh), B64R4((c) + 12, sh)
#define B64R256(sh) B64R16(0, sh), B64R16(16, sh), B64R16(32, sh), B64R16(48, sh), \
    B64R16(64, sh), B64R16(80, sh), B64R16(96, sh), B64R16(112, sh), B64R16(128, sh), \
    B64R16(144, sh), B64R16(160, sh), B64R16(176, sh), B64R16(192, sh), B64R16(208, sh), \
    B64R16(224, sh), B64R16(240, sh)
static const uint32_t d0[256] = {B64R256(18)}, d1[256] = {B64R256(12)}, d2[256] = {B64R256(6)},
                      d3[256] = {B64R256(0)};

static inline void put48(unsigned char *dst, uint64_t w)
{
    /* the 48 bits of w, big-endian, as one 4-byte and one 2-byte store */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap64(w << 16);
    memcpy(dst, &w, 6);
#else
    for (int k = 0; k < 6; k++)
        dst[k] = (unsigned char)(w >> (40 - 8 * k));
#endif
}

int cjwtp_b64url_decode(const char *src, size_t n, unsigned char *dst, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;
    uint32_t bad = 0;
    if (n % 4 == 1)
        return -1;
    /* 8 characters (6 bytes) per step */
    for (; i + 8 <= n; i += 8, o += 6) {
        uint32_t x = d0[s[i]] | d1[s[i + 1]] | d2[s[i + 2]] | d3[s[i + 3]];
        uint32_t y = d0[s[i + 4]] | d1[s[i + 5]] | d2[s[i + 6]] | d3[s[i + 7]];
        bad |= x | y;
        put48(dst + o, (uint64_t)(x & 0xffffffu) << 24 | (y & 0xffffffu));
    }
    if (i + 4 <= n) {
        uint32_t x = d0[s[i]] | d1[s[i + 1]] | d2[s[i + 2]] | d3[s[i + 3]];
        bad |= x;
        dst[o++] = (unsigned char)(x >> 16);
        dst[o++] = (unsigned char)(x >> 8);
        dst[o++] = (unsigned char)x;
        i += 4;
    }
    if (n - i == 2) {
        uint32_t x = d0[s[i]] | d1[s[i + 1]];
        /* the unused low 4 bits of the last character must be zero */
        bad |= x | (x & 0xf000u ? 0x80000000u : 0);
        dst[o++] = (unsigned char)(x >> 16);
    } else if (n - i == 3) {
        uint32_t x = d0[s[i]] | d1[s[i + 1]] | d2[s[i + 2]];
        bad |= x | (x & 0x00c0u ? 0x80000000u : 0);   /* and the unused low 2 bits */
        dst[o++] = (unsigned char)(x >> 16);
        dst[o++] = (unsigned char)(x >> 8);
    }
    if (bad & 0x80000000u)
        return -1;
    *out_len = o;
    return 0;
}
