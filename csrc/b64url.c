/* Strict base64url (RFC 4648 section 5) without padding, as JWS requires
 * (RFC 7515 section 2): no '=', no '+' or '/', no whitespace, and the unused
 * low bits of the last character must be zero, so every byte string has
 * exactly one accepted encoding. */
#include "cjwt_internal.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0xff marks a character outside the alphabet. */
static const unsigned char rev[256] = {
#define X 0xff
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,62,X,X, 52,53,54,55,56,57,58,59,60,61,X,X,X,X,X,X,
    X,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14, 15,16,17,18,19,20,21,22,23,24,25,X,X,X,X,63,
    X,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40, 41,42,43,44,45,46,47,48,49,50,51,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
    X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
#undef X
};

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

int cjwtp_b64url_decode(const char *src, size_t n, unsigned char *dst, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;
    if (n % 4 == 1)
        return -1;
    for (; i + 4 <= n; i += 4) {
        unsigned a = rev[s[i]], b = rev[s[i + 1]], c = rev[s[i + 2]], d = rev[s[i + 3]];
        if ((a | b | c | d) & 0x80)
            return -1;
        unsigned v = a << 18 | b << 12 | c << 6 | d;
        dst[o++] = (unsigned char)(v >> 16);
        dst[o++] = (unsigned char)(v >> 8);
        dst[o++] = (unsigned char)v;
    }
    if (n - i == 2) {
        unsigned a = rev[s[i]], b = rev[s[i + 1]];
        if ((a | b) & 0x80 || (b & 0x0f))
            return -1;
        dst[o++] = (unsigned char)(a << 2 | b >> 4);
    } else if (n - i == 3) {
        unsigned a = rev[s[i]], b = rev[s[i + 1]], c = rev[s[i + 2]];
        if ((a | b | c) & 0x80 || (c & 0x03))
            return -1;
        unsigned v = a << 18 | b << 12 | c << 6;
        dst[o++] = (unsigned char)(v >> 16);
        dst[o++] = (unsigned char)(v >> 8);
    }
    *out_len = o;
    return 0;
}
