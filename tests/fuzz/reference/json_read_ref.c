/* The reference JSON reader: cjwt's reader as it was until 2026-12-06
 * (csrc/json_read.c at commit e04a506), jsmn tokens plus strict RFC 8259
 * checks, kept unchanged as a test oracle for the one-pass reader that
 * replaced it (tests/fuzz/fuzz_json_ref.c compares the two). Only the entry
 * points are renamed (ref_doc_parse, ref_doc_root, ref_doc_free) and made
 * static, so that it can be #included into a harness beside the core.
 * jsmn.h (MIT, PROVENANCE.md and LICENSE here) is used only by this file.
 *
 * The original comment:
 *
 * The JSON reader: every JSON text cjwt receives (token headers and
 * payloads, JWKs, JWK sets) is read here, once, into an immutable document.
 *
 * jsmn (a zero-allocation tokenizer) splits the text into tokens; this file
 * then proves the text is strict JSON (RFC 8259) before anyone looks at it:
 * jsmn is lenient about separators, literals, numbers and string contents,
 * so every byte between and inside the tokens is checked here:
 *   - structure: exactly one value; between tokens only whitespace and the
 *     one separator the grammar requires (':' after a key, ',' between
 *     members and elements); no NUL anywhere;
 *   - literals: exactly true, false, null; numbers by the RFC 8259 grammar,
 *     integers within int64, reals finite (jansson's rules, which cjwt used
 *     before, so nothing accepted earlier is refused now, and vice versa);
 *   - strings: valid UTF-8 (no overlong forms, no surrogates, <= U+10FFFF),
 *     no raw control characters, only the JSON escapes, \u surrogates in
 *     proper pairs, no \u0000 (strings are NUL-terminated for callers);
 *   - objects: no member name twice;
 *   - depth: at most max_depth nested containers (too_large).
 * The document is one allocation: nodes in document order, then the
 * unescaped strings. jansson is still used to build and serialize JSON. */
#include "cjwt_internal.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include "jsmn.h"

#include <locale.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct ref_doc {
    size_t n;                 /* nodes */
    cjwtp_node nodes[];       /* then the string arena */
} ref_doc;

#define STACK_TOKENS 128

typedef struct reader {
    const char *text;
    size_t len;
    const char *what;
    cjwt_error *err;
    char *arena;              /* next free byte for unescaped strings */
} reader;

static int fail_at(reader *r, size_t pos, const char *why)
{
    cjwtp_fail(r->err, CJWT_E_MALFORMED, "%s is not valid JSON: %s (at byte %zu)", r->what, why, pos);
    return -1;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* text[from, to) must be whitespace, `sep` (if not 0) once, whitespace. */
static int check_gap(reader *r, size_t from, size_t to, char sep)
{
    size_t i = from;
    while (i < to && is_ws(r->text[i]))
        i++;
    if (sep) {
        if (i >= to || r->text[i] != sep)
            return fail_at(r, i, sep == ':' ? "expected ':'" : "expected ','");
        i++;
        while (i < to && is_ws(r->text[i]))
            i++;
    }
    if (i != to)
        return fail_at(r, i, "unexpected character");
    return 0;
}

/* ---- strings --------------------------------------------------------------- */

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
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

/* Eight bytes at once (SWAR): the reader's hot loops test a word for the
 * bytes that end a plain run, then finish byte by byte. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* High bit set in each byte of w that is zero (exact: no carries between bytes). */
static inline uint64_t zero_bytes(uint64_t w)
{
    return ~(((w & ~HIGHS) + ~HIGHS) | w) & HIGHS;
}

/* Whether w holds a byte that is not printable ASCII (< 0x20 or >= 0x80)
 * or is a backslash: such a word is read byte by byte. */
static inline int needs_care(uint64_t w)
{
    uint64_t ctl = (w - 0x20 * ONES) & ~w & HIGHS;   /* some byte < 0x20 (or >= 0x80, tested anyway) */
    return ((w & HIGHS) | ctl | zero_bytes(w ^ (0x5c * ONES))) != 0;
}

/* Validates and unescapes the string body text[start, end) into the arena. */
static int read_string(reader *r, size_t start, size_t end, cjwtp_node *node)
{
    const unsigned char *s = (const unsigned char *)r->text;
    char *o = r->arena;
    size_t i = start;
    unsigned ascii = CJWTP_NODE_ASCII;   /* cleared by any byte >= 0x80 written */
    node->u.s = o;
    while (i < end) {
        unsigned c;
        /* the common case: a run of printable ASCII, copied at once */
        size_t run = i;
        while (run + 8 <= end && !needs_care(load8(s + run)))
            run += 8;
        while (run < end && (unsigned)(s[run] - 0x20) < 0x60 && s[run] != '\\')
            run++;
        if (run != i) {
            memcpy(o, s + i, run - i);
            o += run - i;
            i = run;
            continue;
        }
        c = s[i];
        if (c == '\\') {
            unsigned cp;
            if (i + 1 >= end)
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
            if (i + 6 > end || hex4(r->text + i + 2, &cp) != 0)
                return fail_at(r, i, "bad \\u escape");
            i += 6;
            if (cp == 0)
                return fail_at(r, i - 6, "\\u0000 is not allowed");
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return fail_at(r, i - 6, "lone low surrogate");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (i + 6 > end || s[i] != '\\' || s[i + 1] != 'u' || hex4(r->text + i + 2, &lo) != 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return fail_at(r, i - 6, "lone high surrogate");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            if (cp >= 0x80)
                ascii = 0;
            o = put_utf8(o, cp);
        } else if (c < 0x20) {
            return fail_at(r, i, "control character in a string");
        } else {
            size_t k = utf8_seq(s + i, end - i);
            if (k == 0)
                return fail_at(r, i, "invalid UTF-8");
            memcpy(o, s + i, k);
            o += k;
            i += k;
            ascii = 0;
        }
    }
    node->len = (uint32_t)(o - node->u.s);
    *o++ = '\0';
    r->arena = o;
    node->tag = CJWTP_NODE_TAG | ascii | CJWT_TYPE_STRING;
    return 0;
}

/* ---- literals and numbers ----------------------------------------------------- */

static int read_primitive(reader *r, size_t start, size_t end, cjwtp_node *node)
{
    const char *s = r->text + start;
    size_t n = end - start, i = 0;
    int is_real = 0;
    if (n == 4 && memcmp(s, "true", 4) == 0) {
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_TRUE;
        return 0;
    }
    if (n == 5 && memcmp(s, "false", 5) == 0) {
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_FALSE;
        return 0;
    }
    if (n == 4 && memcmp(s, "null", 4) == 0) {
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_NULL;
        return 0;
    }
    /* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return fail_at(r, start, "invalid literal or number");
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return fail_at(r, start, "invalid number");
        is_real = 1;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t d;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return fail_at(r, start, "invalid number");
        is_real = 1;
    }
    if (i != n)
        return fail_at(r, start, "invalid number");
    if (!is_real) {
        /* int64 exactly, accumulated negatively so INT64_MIN fits */
        int64_t v = 0;
        int neg = s[0] == '-';
        for (size_t k = (size_t)neg; k < n; k++) {
            int dgt = s[k] - '0';
            if (v < (INT64_MIN + dgt) / 10)
                return fail_at(r, start, "integer out of the 64-bit range");
            v = v * 10 - dgt;
        }
        if (!neg && v == INT64_MIN)
            return fail_at(r, start, "integer out of the 64-bit range");
        node->u.i = neg ? v : -v;
        node->tag = CJWTP_NODE_TAG | CJWT_TYPE_INT;
        return 0;
    }
    {
        /* strtod wants a NUL-terminated string in the C locale's format */
        char small[64], *buf = n < sizeof small ? small : malloc(n + 1), *endp;
        const char *point = localeconv()->decimal_point;
        double d;
        if (!buf) {
            cjwtp_fail(r->err, CJWT_E_NO_MEMORY, "out of memory reading a number");
            return -1;
        }
        memcpy(buf, s, n);
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

static int check_unique(reader *r, const cjwtp_node *obj, size_t pos)
{
    const cjwtp_node *k, *end = obj + obj->span;
    size_t m = obj->count;
    if (m < 2)
        return 0;
    if (m <= 16) {
        for (k = obj + 1; k < end; k = k + 1 + k[1].span)
            for (const cjwtp_node *j = obj + 1; j < k; j = j + 1 + j[1].span)
                if (j->len == k->len && j->u.s[0] == k->u.s[0] && memcmp(j->u.s, k->u.s, k->len) == 0)
                    return fail_at(r, pos, "duplicate member name");
        return 0;
    }
    {
        const cjwtp_node **keys = malloc(m * sizeof *keys);
        size_t i = 0;
        int dup = 0;
        if (!keys) {
            cjwtp_fail(r->err, CJWT_E_NO_MEMORY, "out of memory checking member names");
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
}

/* ---- the document --------------------------------------------------------------- */

/* Bracket depth outside strings; stops at the first level over the limit,
 * so hostile nesting costs one linear scan and no tokens. A string is
 * skipped with memchr: it ends at the next quote not escaped by an odd run
 * of backslashes (the run cannot go back past the opening quote). */
static int depth_exceeds(const char *s, size_t n, int max_depth)
{
    int depth = 0;
    /* Nesting needs an opening bracket per level: with no more '{' and '['
     * bytes in the whole text (strings included) than the limit, it holds. */
    size_t opens = 0, i0 = 0;
    for (; i0 + 8 <= n; i0 += 8) {
        /* '{' (0x7b) and '[' (0x5b) differ only in bit 0x20 */
        uint64_t hit = zero_bytes((load8((const unsigned char *)s + i0) | 0x20 * ONES) ^ (0x7b * ONES));
        opens += (size_t)(((hit >> 7) * ONES) >> 56);
    }
    for (; i0 < n; i0++)
        opens += s[i0] == '{' || s[i0] == '[';
    if (opens <= (size_t)max_depth)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            size_t bs;
            do {
                const char *q = memchr(s + i + 1, '"', n - i - 1);
                if (!q)
                    return 0;   /* unterminated: the tokenizer reports it */
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

typedef struct open_container {
    size_t node;        /* index of the container's node */
    size_t end;         /* byte offset of its closing bracket */
    size_t left;        /* child tokens still to come */
    size_t seen;        /* child tokens seen */
    int is_object;
} open_container;

static ref_doc *ref_doc_parse(const char *text, size_t len, int max_depth, const char *what,
                           cjwt_error *err)
{
    jsmntok_t stack_toks[STACK_TOKENS], *toks = stack_toks;
    open_container stack_open[64], *open = stack_open;
    jsmn_parser p;
    reader r = {text, len, what, err, NULL};
    ref_doc *doc = NULL;
    size_t cursor = 0, depth = 0, n_open_cap = 64;
    int n, roots = 0;

    if (max_depth <= 0)
        max_depth = CJWT_DEFAULT_MAX_DEPTH;
    if (!text || len > INT32_MAX - 2) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "%s is too large", what);
        return NULL;
    }
    if (depth_exceeds(text, len, max_depth)) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "%s JSON is nested deeper than the limit of %d", what,
                   max_depth);
        return NULL;
    }
    jsmn_init(&p);
    n = jsmn_parse(&p, text, len, toks, STACK_TOKENS);
    if (n == JSMN_ERROR_NOMEM) {
        /* every token covers at least one byte: len + 1 is enough */
        toks = malloc((len + 1) * sizeof *toks);
        if (!toks) {
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
            return NULL;
        }
        jsmn_init(&p);
        n = jsmn_parse(&p, text, len, toks, (unsigned)(len + 1));
    }
    if (n == JSMN_ERROR_PART) {
        /* jsmn's strict mode wants a delimiter after a primitive, so a
         * document that is one bare number or literal is read here. */
        size_t a = 0, b = len;
        while (a < b && is_ws(text[a]))
            a++;
        while (b > a && is_ws(text[b - 1]))
            b--;
        if (a < b && text[a] != '{' && text[a] != '[' && text[a] != '"') {
            doc = malloc(sizeof *doc + sizeof(cjwtp_node));
            if (!doc) {
                cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
                goto out;
            }
            doc->n = 1;
            doc->nodes[0].span = 1;
            doc->nodes[0].count = doc->nodes[0].len = 0;
            if (memchr(text + a, '\0', b - a) ||
                read_primitive(&r, a, b, &doc->nodes[0]) != 0) {
                if (memchr(text + a, '\0', b - a))
                    fail_at(&r, a, "NUL byte");
                goto fail;
            }
            goto out;
        }
    }
    if (n < 0 || p.pos != len) {
        /* jsmn stops at a NUL byte; anything it refused is not JSON either */
        fail_at(&r, p.pos, n == JSMN_ERROR_PART ? "unexpected end" :
                           p.pos != len && n >= 0 ? "NUL byte" : "syntax error");
        goto out;
    }
    if (n == 0) {
        fail_at(&r, len, "no value");
        goto out;
    }
    /* nodes, then strings: unescaping never makes a string longer, plus a NUL each */
    doc = malloc(sizeof *doc + (size_t)n * sizeof(cjwtp_node) + len + (size_t)n + 1);
    if (!doc) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
        goto out;
    }
    doc->n = (size_t)n;
    r.arena = (char *)(doc->nodes + n);
    if ((size_t)max_depth > n_open_cap) {
        n_open_cap = (size_t)max_depth;
        open = malloc(n_open_cap * sizeof *open);
        if (!open) {
            cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
            goto fail;
        }
    }
    for (int t = 0; t < n; t++) {
        const jsmntok_t *tk = &toks[t];
        cjwtp_node *node = &doc->nodes[t];
        /* the token's bytes: strings exclude their quotes in jsmn */
        size_t span_start = tk->type == JSMN_STRING ? (size_t)tk->start - 1 : (size_t)tk->start;
        size_t span_end = tk->type == JSMN_STRING ? (size_t)tk->end + 1 : (size_t)tk->end;
        char sep = 0;
        if (depth == 0) {
            if (roots++) {
                fail_at(&r, span_start, "more than one value");
                goto fail;
            }
        } else {
            open_container *c = &open[depth - 1];
            if (c->seen > 0)
                sep = c->is_object && (c->seen % 2) ? ':' : ',';
            if (c->is_object && c->seen % 2 == 0 && tk->type != JSMN_STRING) {
                fail_at(&r, span_start, "member name must be a string");
                goto fail;
            }
        }
        /* the usual compact gap (just the separator, or nothing) without the call */
        if ((sep ? !(span_start == cursor + 1 && text[cursor] == sep) : span_start != cursor) &&
            check_gap(&r, cursor, span_start, sep) != 0)
            goto fail;
        node->span = 1;
        node->count = 0;
        node->len = 0;
        switch (tk->type) {
        case JSMN_STRING:
            if (read_string(&r, (size_t)tk->start, (size_t)tk->end, node) != 0)
                goto fail;
            break;
        case JSMN_PRIMITIVE:
            if (read_primitive(&r, (size_t)tk->start, (size_t)tk->end, node) != 0)
                goto fail;
            break;
        case JSMN_OBJECT:
        case JSMN_ARRAY:
            node->tag = CJWTP_NODE_TAG | (tk->type == JSMN_OBJECT ? CJWT_TYPE_OBJECT : CJWT_TYPE_ARRAY);
            node->count = (uint32_t)tk->size;
            break;
        default:
            fail_at(&r, span_start, "syntax error");
            goto fail;
        }
        if (depth > 0)
            open[depth - 1].seen++;
        if (tk->type == JSMN_OBJECT || tk->type == JSMN_ARRAY) {
            if (depth >= n_open_cap) {    /* cannot happen: depth was bounded above */
                fail_at(&r, span_start, "nested too deeply");
                goto fail;
            }
            open[depth].node = (size_t)t;
            open[depth].end = (size_t)tk->end;
            open[depth].left = (size_t)tk->size * (tk->type == JSMN_OBJECT ? 2 : 1);
            open[depth].seen = 0;
            open[depth].is_object = tk->type == JSMN_OBJECT;
            depth++;
            cursor = (size_t)tk->start + 1;
        } else {
            cursor = span_end;
            if (depth > 0)
                open[depth - 1].left--;
        }
        /* close every container whose last child just ended */
        while (depth > 0 && open[depth - 1].left == 0) {
            open_container *c = &open[depth - 1];
            cjwtp_node *cn = &doc->nodes[c->node];
            if (c->seen != (c->is_object ? 2 * (size_t)cn->count : cn->count)) {
                fail_at(&r, cursor, "syntax error");
                goto fail;
            }
            if (cursor != c->end - 1 && check_gap(&r, cursor, c->end - 1, 0) != 0)
                goto fail;
            cn->span = (uint32_t)((size_t)t + 1 - c->node);
            if (c->is_object && check_unique(&r, cn, c->end - 1) != 0)
                goto fail;
            cursor = c->end;
            depth--;
            if (depth > 0)
                open[depth - 1].left--;
        }
    }
    if (depth != 0) {
        fail_at(&r, len, "unexpected end");
        goto fail;
    }
    if (check_gap(&r, cursor, len, 0) != 0)
        goto fail;
    goto out;
fail:
    free(doc);
    doc = NULL;
out:
    if (toks != stack_toks)
        free(toks);
    if (open != stack_open)
        free(open);
    return doc;
}

static const cjwt_value *ref_doc_root(const ref_doc *doc)
{
    return (const cjwt_value *)&doc->nodes[0];
}

static void ref_doc_free(ref_doc *doc)
{
    free(doc);
}
