/* The JSON reader: every JSON text cjwt receives (token headers and
 * payloads, JWKs, JWK sets) is read here, once, into an immutable document.
 *
 * One pass over the text, no tokenizer: a strict RFC 8259 reader that
 * builds the document's nodes as it goes and refuses anything else:
 *   - structure: exactly one value; between values only whitespace and the
 *     one separator the grammar requires (':' after a key, ',' between
 *     members and elements); no NUL anywhere;
 *   - literals: exactly true, false, null; numbers by the RFC 8259 grammar,
 *     integers within int64, reals finite (jansson's rules, which cjwt used
 *     before, so nothing accepted earlier is refused now, and vice versa);
 *   - strings: valid UTF-8 (no overlong forms, no surrogates, <= U+10FFFF),
 *     no raw control characters, only the JSON escapes, \u surrogates in
 *     proper pairs, no \u0000 (strings are NUL-terminated for callers);
 *   - objects: no member name twice;
 *   - depth: at most max_depth nested containers (too_large). A text that
 *     is refused is too_large rather than malformed whenever its brackets
 *     nest deeper than the limit anywhere, as the reader before this one
 *     (jsmn tokens, then checks) said: the codes do not depend on which
 *     fault comes first.
 * The rules and the error codes are those of that earlier reader, which is
 * kept as a test oracle (tests/fuzz/reference/, tests/fuzz/fuzz_json_ref.c).
 *
 * The document is one allocation: a small header, the unescaped strings
 * (the arena: never longer than the text), then the nodes in document
 * order. The nodes are bounded by the text's length before reading (each
 * node but the first needs a separator or an opening bracket and a byte of
 * its own), and the allocation is trimmed to the nodes read at the end.
 * Containers keep their parent's index in u.i while they are open, so the
 * reader needs no stack of its own. jansson is still used to build and
 * serialize JSON. */
#include "cjwt_internal.h"

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cjwtp_doc {
    cjwtp_node *nodes;        /* after the arena */
    size_t n;                 /* nodes */
    char arena[];             /* the strings, then the nodes */
};

typedef struct reader {
    const unsigned char *s;
    size_t len;
    const char *why;          /* the first fault, NULL while there is none */
    size_t pos;
    cjwt_code code;           /* its code: malformed, unless said otherwise */
} reader;

static int fail_at(reader *r, size_t pos, const char *why)
{
    if (!r->why) {
        r->why = why;
        r->pos = pos;
        r->code = CJWT_E_MALFORMED;
    }
    return -1;
}

static inline size_t skip_ws(const unsigned char *s, size_t i, size_t len)
{
    while (i < len && s[i] <= ' ' && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
        i++;
    return i;
}

/* ---- strings --------------------------------------------------------------- */

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;  /* no overlong, no surrogates */
        return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;  /* <= U+10FFFF */
        return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
                       (s[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* Eight bytes at once (SWAR): a word of plain string bytes is copied whole;
 * otherwise its first byte that needs care is found and the bytes before it
 * are kept. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* High bits marking the bytes of w that end a plain run: '"', '\\', a
 * control character (< 0x20) or a byte >= 0x80. Above the lowest marked byte
 * there may be false marks (borrows), never below it, and only the lowest
 * is used. */
static inline uint64_t care_mask(uint64_t w)
{
    uint64_t q = w ^ (0x22 * ONES), b = w ^ (0x5c * ONES);
    return (w | ((w - 0x20 * ONES) & ~w) | ((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define FIRST_MARKED(m) ((size_t)__builtin_ctzll(m) >> 3)   /* the lowest byte in memory */
#else
#define FIRST_MARKED(m) ((size_t)0)    /* byte by byte from the word's start */
#endif

/* Reads the string whose opening quote is at s[*pi]: validates it,
 * unescapes it into the arena at *po (NUL-terminated), and leaves *pi after
 * the closing quote. The arena never overtakes the text (a string's quotes
 * pay for its NUL, an escape is longer than what it stands for), so a
 * word-wide copy at *po stays within the arena when the word read is within
 * the text. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT_INLINE inline __attribute__((always_inline))   /* keeps i and o in registers */
#else
#define HOT_INLINE inline
#endif

static HOT_INLINE int read_string(reader *r, size_t *pi, char **po, cjwtp_node *node)
{
    const unsigned char *s = r->s;
    size_t len = r->len, i = *pi + 1;
    char *o = *po, *start = o;
    unsigned ascii = CJWTP_NODE_ASCII;   /* cleared by any byte >= 0x80 written */
    for (;;) {
        unsigned c;
        while (i + 8 <= len) {
            uint64_t w = load8(s + i), m = care_mask(w);
            memcpy(o, &w, 8);
            if (m) {
                size_t k = FIRST_MARKED(m);
                o += k;
                i += k;
                break;
            }
            o += 8;
            i += 8;
        }
        if (i >= len)
            return fail_at(r, *pi, "unterminated string");
        c = s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            unsigned cp;
            if (i + 1 >= len)
                return fail_at(r, i, "bad escape");
            switch (s[i + 1]) {
            case '"': *o++ = '"'; i += 2; continue;
            case '\\': *o++ = '\\'; i += 2; continue;
            case '/': *o++ = '/'; i += 2; continue;
            case 'b': *o++ = '\b'; i += 2; continue;
            case 'f': *o++ = '\f'; i += 2; continue;
            case 'n': *o++ = '\n'; i += 2; continue;
            case 'r': *o++ = '\r'; i += 2; continue;
            case 't': *o++ = '\t'; i += 2; continue;
            case 'u': break;
            default: return fail_at(r, i, "bad escape");
            }
            if (i + 6 > len || hex4(s + i + 2, &cp) != 0)
                return fail_at(r, i, "bad \\u escape");
            i += 6;
            if (cp == 0)
                return fail_at(r, i - 6, "\\u0000 is not allowed");
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return fail_at(r, i - 6, "lone low surrogate");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (i + 6 > len || s[i] != '\\' || s[i + 1] != 'u' || hex4(s + i + 2, &lo) != 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return fail_at(r, i - 6, "lone high surrogate");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            if (cp >= 0x80)
                ascii = 0;
            o = put_utf8(o, cp);
        } else if (c < 0x20) {
            return fail_at(r, i, c ? "control character in a string" : "NUL byte");
        } else if (c < 0x80) {
            *o++ = (char)c;   /* the tail of the text, shorter than a word */
            i++;
        } else {
            size_t k = utf8_seq(s + i, len - i);
            if (k == 0)
                return fail_at(r, i, "invalid UTF-8");
            memcpy(o, s + i, k);
            o += k;
            i += k;
            ascii = 0;
        }
    }
    node->u.s = start;
    node->len = (uint32_t)(o - start);
    node->tag = CJWTP_NODE_TAG | ascii | CJWT_TYPE_STRING;
    *o++ = '\0';
    *po = o;
    *pi = i + 1;
    return 0;
}

/* ---- numbers ------------------------------------------------------------------ */

static int is_digit(unsigned c)
{
    return c - '0' < 10u;
}

/* The number at s[*pi] (a '-' or a digit): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * An integer must fit int64; a real must be finite. */
static int read_number(reader *r, size_t *pi, cjwtp_node *node)
{
    const unsigned char *s = r->s;
    size_t len = r->len, start = *pi, i = start, d0, n;
    int is_real = 0, neg = 0;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    d0 = i;
    if (i < len && s[i] == '0')
        i++;
    else if (i < len && s[i] >= '1' && s[i] <= '9')
        while (i < len && is_digit(s[i]))
            i++;
    else
        return fail_at(r, start, "invalid number");
    if (i < len && s[i] == '.') {
        size_t d = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return fail_at(r, start, "invalid number");
        is_real = 1;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t d;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        d = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return fail_at(r, start, "invalid number");
        is_real = 1;
    }
    *pi = i;
    n = i - start;
    if (!is_real) {
        int64_t v = 0;
        if (i - d0 <= 18) {   /* cannot overflow */
            for (size_t k = d0; k < i; k++)
                v = v * 10 + (s[k] - '0');
            node->u.i = neg ? -v : v;
        } else {
            /* int64 exactly, accumulated negatively so INT64_MIN fits */
            for (size_t k = d0; k < i; k++) {
                int dgt = s[k] - '0';
                if (v < (INT64_MIN + dgt) / 10)
                    return fail_at(r, start, "integer out of the 64-bit range");
                v = v * 10 - dgt;
            }
            if (!neg && v == INT64_MIN)
                return fail_at(r, start, "integer out of the 64-bit range");
            node->u.i = neg ? v : -v;
        }
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_INT;
        return 0;
    }
    {
        /* strtod wants a NUL-terminated string in the C locale's format */
        char small[64], *buf = n < sizeof small ? small : malloc(n + 1), *endp;
        const char *point = localeconv()->decimal_point;
        double d;
        if (!buf) {
            r->why = "out of memory reading a number";
            r->pos = start;
            r->code = CJWT_E_NO_MEMORY;
            return -1;
        }
        memcpy(buf, s + start, n);
        buf[n] = '\0';
        if (point && point[0] != '.' && point[0])
            for (size_t k = 0; k < n; k++)
                if (buf[k] == '.')
                    buf[k] = point[0];
        d = strtod(buf, &endp);
        if (buf != small)
            free(buf);
        if (!isfinite(d))
            return fail_at(r, start, "real number out of range");
        node->u.d = d;
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_REAL;
        return 0;
    }
}

/* ---- duplicate member names --------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
    const cjwtp_node *x = *(const cjwtp_node *const *)a, *y = *(const cjwtp_node *const *)b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->u.s, y->u.s, x->len);
}

/* The names of a closed object with more than FEW_MEMBERS members (those
 * up to it were checked as they came): sorted, then neighbours compared,
 * so a hostile object with many names costs n log n, never n^2. */
static int check_unique(reader *r, const cjwtp_node *obj, size_t pos)
{
    const cjwtp_node *k, *end = obj + obj->span;
    size_t m = obj->count, i = 0;
    const cjwtp_node **keys = malloc(m * sizeof *keys);
    int dup = 0;
    if (!keys) {
        r->why = "out of memory checking member names";
        r->pos = pos;
        r->code = CJWT_E_NO_MEMORY;
        return -1;
    }
    for (k = obj + 1; k < end; k = k + 1 + k[1].span)
        keys[i++] = k;
    qsort(keys, m, sizeof *keys, key_cmp);
    for (i = 1; i < m && !dup; i++)
        dup = key_cmp(&keys[i - 1], &keys[i]) == 0;
    free(keys);
    return dup ? fail_at(r, pos, "duplicate member name") : 0;
}

/* ---- nesting ------------------------------------------------------------------- */

/* Bracket depth outside strings; stops at the first level over the limit.
 * Only asked about texts that were refused: a refused text that nests
 * deeper than the limit anywhere is too_large, whatever fault came first.
 * A string is skipped with memchr: it ends at the next quote not escaped by
 * an odd run of backslashes (the run cannot go back past the opening quote). */
static int depth_exceeds(const char *s, size_t n, int max_depth)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            size_t bs;
            do {
                const char *q = memchr(s + i + 1, '"', n - i - 1);
                if (!q)
                    return 0;   /* unterminated */
                i = (size_t)(q - s);
                for (bs = 0; s[i - 1 - bs] == '\\'; bs++)
                    ;
            } while (bs % 2);
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return 1;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 0;
}

/* ---- the document --------------------------------------------------------------- */

#define NO_PARENT UINT32_MAX
#define FEW_MEMBERS 16   /* objects up to this size: names checked as they come */

/* Reads the text into the nodes at `nodes` (room for cap) and the arena
 * (room for len + 8 bytes); returns the number of nodes and the arena bytes
 * used in *used, or 0 with r->why set. */
static size_t read_doc(reader *r, cjwtp_node *nodes, size_t cap, char *arena, int max_depth,
                       size_t *used)
{
    const unsigned char *s = r->s;
    size_t len = r->len, i = 0, n = 0;
    uint32_t cur = NO_PARENT;  /* the innermost open container */
    int depth = 0;
    char *o = arena;
    cjwtp_node *node, *c;

value:   /* a value is due at i (whitespace first) */
    i = skip_ws(s, i, len);
    if (i >= len) {
        fail_at(r, i, n ? "unexpected end" : "no value");
        return 0;
    }
    if (n >= cap) {   /* cannot happen: cap bounds the nodes of any text */
        fail_at(r, i, "too many values");
        return 0;
    }
    node = &nodes[n];
    node->span = 1;
    node->count = 0;
    node->len = 0;
    switch (s[i]) {
    case '"':
        if (read_string(r, &i, &o, node) != 0)
            return 0;
        n++;
        break;
    case '{':
    case '[': {
        int is_obj = s[i] == '{';
        if (++depth > max_depth) {
            r->why = "nested deeper than the limit";
            r->pos = i;
            r->code = CJWT_E_TOO_LARGE;
            return 0;
        }
        node->tag = CJWTP_NODE_TAG | (is_obj ? CJWT_TYPE_OBJECT : CJWT_TYPE_ARRAY);
        node->len = cur;          /* the parent, while open */
        node->u.i = 0;            /* an object's name filter, while open */
        cur = (uint32_t)n++;
        i = skip_ws(s, i + 1, len);
        if (i < len && s[i] == (is_obj ? '}' : ']')) {
            i++;
            goto close;
        }
        if (is_obj)
            goto key;
        node->count = 1;
        goto value;
    }
    case 't':
        if (len - i < 4 || memcmp(s + i, "true", 4) != 0)
            goto bad_literal;
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_TRUE;
        i += 4;
        n++;
        break;
    case 'f':
        if (len - i < 5 || memcmp(s + i, "false", 5) != 0)
            goto bad_literal;
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_FALSE;
        i += 5;
        n++;
        break;
    case 'n':
        if (len - i < 4 || memcmp(s + i, "null", 4) != 0)
            goto bad_literal;
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_NULL;
        i += 4;
        n++;
        break;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if (read_number(r, &i, node) != 0)
            return 0;
        n++;
        break;
    default:
        fail_at(r, i, s[i] ? "unexpected character" : "NUL byte");
        return 0;
    }

after:   /* a value ended at i */
    i = skip_ws(s, i, len);
    if (cur == NO_PARENT) {
        if (i != len) {
            fail_at(r, i, s[i] ? "unexpected character after the value" : "NUL byte");
            return 0;
        }
        *used = (size_t)(o - arena);
        return n;
    }
    c = &nodes[cur];
    if (i < len && s[i] == ',') {
        i++;
        if ((c->tag & 0xffu) == CJWT_TYPE_OBJECT)
            goto key;
        c->count++;
        goto value;
    }
    if (i < len && s[i] == ((c->tag & 0xffu) == CJWT_TYPE_OBJECT ? '}' : ']')) {
        i++;
        goto close;
    }
    fail_at(r, i, i < len ? "expected ',' or a closing bracket" : "unexpected end");
    return 0;

key:     /* a member name is due at i (whitespace first), in the object cur */
    i = skip_ws(s, i, len);
    if (i >= len || s[i] != '"') {
        fail_at(r, i, i < len ? "member name must be a string" : "unexpected end");
        return 0;
    }
    if (n >= cap) {
        fail_at(r, i, "too many values");
        return 0;
    }
    node = &nodes[n];
    node->span = 1;
    node->count = 0;
    if (read_string(r, &i, &o, node) != 0)
        return 0;
    n++;
    c = &nodes[cur];
    if (++c->count <= FEW_MEMBERS) {
        /* a duplicate name: a filter bit per name (length, first and last
         * byte), and the earlier names compared only when the bit is set */
        const unsigned char *ks = (const unsigned char *)node->u.s;
        uint64_t bit = 1ull << ((node->len * 7u + ks[0] + (node->len ? ks[node->len - 1] * 3u : 0u)) & 63u);
        if ((uint64_t)c->u.i & bit) {
            for (const cjwtp_node *j = c + 1; j < node; j = j + 1 + j[1].span)
                if (j->len == node->len && memcmp(j->u.s, node->u.s, node->len) == 0) {
                    fail_at(r, i, "duplicate member name");
                    return 0;
                }
        }
        c->u.i = (int64_t)((uint64_t)c->u.i | bit);
    }
    i = skip_ws(s, i, len);
    if (i >= len || s[i] != ':') {
        fail_at(r, i, "expected ':'");
        return 0;
    }
    i++;
    goto value;

close:   /* the container cur ended just before i */
    c = &nodes[cur];
    c->span = (uint32_t)(n - (size_t)cur);
    if ((c->tag & 0xffu) == CJWT_TYPE_OBJECT && c->count > FEW_MEMBERS && check_unique(r, c, i - 1) != 0)
        return 0;
    cur = c->len;
    c->len = 0;
    c->u.i = 0;
    depth--;
    goto after;

bad_literal:
    fail_at(r, i, "invalid literal");
    return 0;
}

/* The strings of nodes[0..n) moved from the arena at `from` to `to`. */
static void move_strings(cjwtp_node *nodes, size_t n, uintptr_t from, uintptr_t to)
{
    for (size_t k = 0; k < n; k++)
        if ((nodes[k].tag & 0xffu) == CJWT_TYPE_STRING)
            nodes[k].u.s = (const char *)((uintptr_t)nodes[k].u.s - from + to);
}

static void report(const reader *r, const char *text, size_t len, int max_depth, const char *what,
                   cjwt_error *err)
{
    cjwt_code code = r->code;
    if (code == CJWT_E_MALFORMED && depth_exceeds(text, len, max_depth))
        code = CJWT_E_TOO_LARGE;
    if (code == CJWT_E_TOO_LARGE)
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "%s JSON is nested deeper than the limit of %d", what,
                   max_depth);
    else if (code == CJWT_E_NO_MEMORY)
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "%s", r->why);
    else
        cjwtp_fail(err, CJWT_E_MALFORMED, "%s is not valid JSON: %s (at byte %zu)", what, r->why,
                   r->pos);
}

/* Texts up to this size are read into the stack and copied into a block
 * of the exact size (a token's header and payload, usually): one malloc,
 * no trimming. */
#define SMALL_TEXT 512
#define SMALL_CAP ((SMALL_TEXT + 1) / 2 + 1)

static cjwtp_doc *parse_small(reader *r, int max_depth, const char *what, cjwt_error *err)
{
    cjwtp_node nodes[SMALL_CAP];
    char arena[SMALL_TEXT + 8];
    size_t used = 0, a, n = read_doc(r, nodes, (r->len + 1) / 2 + 1, arena, max_depth, &used);
    cjwtp_doc *doc;
    if (!n) {
        report(r, (const char *)r->s, r->len, max_depth, what, err);
        return NULL;
    }
    a = (used + 7) & ~(size_t)7;
    doc = malloc(sizeof *doc + a + n * sizeof(cjwtp_node));
    if (!doc) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
        return NULL;
    }
    doc->n = n;
    doc->nodes = (cjwtp_node *)(void *)(doc->arena + a);
    memcpy(doc->arena, arena, used);
    memcpy(doc->nodes, nodes, n * sizeof(cjwtp_node));
    move_strings(doc->nodes, n, (uintptr_t)arena, (uintptr_t)doc->arena);
    return doc;
}

cjwtp_doc *cjwtp_doc_parse(const char *text, size_t len, int max_depth, const char *what,
                           cjwt_error *err)
{
    reader r = {(const unsigned char *)text, len, NULL, 0, CJWT_OK};
    cjwtp_doc *doc, *small;
    size_t cap, arena, n, used = 0;

    if (max_depth <= 0)
        max_depth = CJWT_DEFAULT_MAX_DEPTH;
    if (!text || len > INT32_MAX - 2) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "%s is too large", what);
        return NULL;
    }
    if (len <= SMALL_TEXT)
        return parse_small(&r, max_depth, what, err);
    /* the first node needs a byte, every other a separator (or an opening
     * bracket) and a byte of its own: at most (len + 1) / 2 nodes */
    cap = (len + 1) / 2 + 1;
    arena = (len + 8 + 7) & ~(size_t)7;   /* the strings: at most len bytes; keeps the nodes aligned */
    doc = malloc(sizeof *doc + arena + cap * sizeof(cjwtp_node));
    if (!doc) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
        return NULL;
    }
    doc->nodes = (cjwtp_node *)(void *)(doc->arena + arena);
    n = read_doc(&r, doc->nodes, cap, doc->arena, max_depth, &used);
    if (!n) {
        free(doc);
        report(&r, text, len, max_depth, what, err);
        return NULL;
    }
    doc->n = n;
    if (n < cap) {
        /* give back the nodes not used (the strings move if the block does) */
        uintptr_t old = (uintptr_t)doc;
        small = realloc(doc, sizeof *doc + arena + n * sizeof(cjwtp_node));
        if (small) {
            doc = small;
            if ((uintptr_t)doc != old) {
                doc->nodes = (cjwtp_node *)(void *)(doc->arena + arena);
                move_strings(doc->nodes, n, old + offsetof(cjwtp_doc, arena),
                             (uintptr_t)doc->arena);
            }
        }
    }
    return doc;
}

const cjwt_value *cjwtp_doc_root(const cjwtp_doc *doc)
{
    return (const cjwt_value *)&doc->nodes[0];
}

void cjwtp_doc_free(cjwtp_doc *doc)
{
    free(doc);
}
