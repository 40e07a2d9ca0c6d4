/* The one-pass JSON reader (csrc/json_read.c) on hostile and edge-case
 * inputs: nesting at and over the depth limit, duplicate member names
 * (few and many), escapes, surrogates, overlong and truncated UTF-8,
 * numbers at and past the int64 range and the double range, trailing
 * garbage, NUL bytes anywhere, and the document it builds (nodes, spans,
 * strings that move when the allocation is trimmed). The codes are the
 * contract: malformed, or too_large for nesting. */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NODE(v) ((const cjwtp_node *)(const void *)(v))

/* Reads text[0..len) with the depth limit; returns the document or NULL,
 * the error in *err. */
static cjwtp_doc *rd(const char *text, size_t len, int depth, cjwt_error *err)
{
    cjwtp_error_clear(err);
    return cjwtp_doc_parse(text, len, depth, "test", err);
}

/* Whether text is accepted (default depth); when refused, its code must be
 * `code` ("" when accepted is expected) and a message is set. */
static int accepts(const char *text, size_t len, const char *code, int line)
{
    cjwt_error err;
    cjwtp_doc *d = rd(text, len, 0, &err);
    int ok = d != NULL;
    if (d) {
        if (code[0]) {
            fprintf(stderr, "  line %d: accepted, expected %s\n", line, code);
            CHECK(0);
        }
        cjwtp_doc_free(d);
    } else if (strcmp(cjwt_code_name(err.code), code) != 0 || !err.message[0]) {
        fprintf(stderr, "  line %d: refused with %s (%s), expected %s\n", line,
                cjwt_code_name(err.code), err.message, code[0] ? code : "acceptance");
        CHECK(0);
    }
    return ok;
}
#define OK(s) accepts((s), sizeof(s) - 1, "", __LINE__)
#define BAD(s) accepts((s), sizeof(s) - 1, "malformed", __LINE__)
#define BIG(s) accepts((s), sizeof(s) - 1, "too_large", __LINE__)

static void test_structure(void)
{
    OK("{}"); OK("[]"); OK(" { } "); OK("\t[\r\n1 ,\n2 ]\n"); OK("1"); OK(" -0 "); OK("\"s\"");
    OK("true"); OK("null"); OK("{\"a\":{\"b\":[[],{},[{}]]}}");
    BAD(""); BAD("   "); BAD("{"); BAD("["); BAD("}"); BAD("]"); BAD("[}"); BAD("{]");
    BAD("[1,]"); BAD("[,1]"); BAD("[1,,2]"); BAD("[1 2]"); BAD("{\"a\":1,}"); BAD("{,}");
    BAD("{\"a\"}"); BAD("{\"a\":}"); BAD("{\"a\" 1}"); BAD("{\"a\"::1}"); BAD("{1:1}");
    BAD("{a:1}"); BAD("{'a':1}"); BAD("{\"a\":1 \"b\":2}"); BAD("[1]]"); BAD("[[1]");
    /* trailing garbage and a second value */
    BAD("{}x"); BAD("{} {}"); BAD("1 2"); BAD("[1] ,"); BAD("\"a\"\"b\""); BAD("{}\x01");
    BAD("x{}"); BAD("\xef\xbb\xbf{}");   /* no byte-order mark either */
    /* whitespace is exactly space, tab, CR, LF */
    BAD("[1,\v2]"); BAD("[1,\f2]"); BAD("\xc2\xa0[]");
    /* literals */
    OK("[true,false,null]");
    BAD("[tru]"); BAD("[nul]"); BAD("[fals]"); BAD("[truex]"); BAD("[True]"); BAD("[NULL]");
    BAD("[nan]"); BAD("[Infinity]"); BAD("[-Infinity]"); BAD("t"); BAD("nul"); BAD("[t");
}

static void test_nul_bytes(void)
{
    /* a NUL byte is refused wherever it is: the strings are NUL-terminated */
    static const struct { const char *s; size_t n; } cases[] = {
        {"\0", 1}, {"[1]\0", 4}, {"\0[1]", 4}, {"[1\0]", 4}, {"[\"a\0b\"]", 7},
        {"{\"a\0\":1}", 8}, {"{\"a\":1}\0", 8}, {"[1,\0 2]", 7}, {"[tr\0e]", 6}, {"1\0", 2},
        {"[\"\\u0000\"]", 10}, {"{\"\\u0000\":1}", 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        accepts(cases[i].s, cases[i].n, "malformed", __LINE__);
}

static void test_depth(void)
{
    char buf[300];
    cjwt_error err;
    cjwtp_doc *d;
    /* exactly at the default limit (32), then one over */
    memset(buf, '[', 32);
    memset(buf + 32, ']', 32);
    d = rd(buf, 64, 0, &err);
    CHECK(d != NULL);
    cjwtp_doc_free(d);
    memset(buf, '[', 33);
    memset(buf + 33, ']', 33);
    CHECK(rd(buf, 66, 0, &err) == NULL);
    CHECK_CODE(err, "too_large");
    /* an explicit limit, objects and arrays mixed */
    CHECK((d = rd("{\"a\":[{\"b\":1}]}", 15, 3, &err)) != NULL);
    cjwtp_doc_free(d);
    CHECK(rd("{\"a\":[{\"b\":[]}]}", 16, 3, &err) == NULL);
    CHECK_CODE(err, "too_large");
    /* brackets inside strings do not nest */
    CHECK((d = rd("[\"[[[[[[\",\"\\\"[[[[\"]", 19, 2, &err)) != NULL);
    cjwtp_doc_free(d);
    /* too deep and malformed: too_large, whichever fault comes first */
    memset(buf, '[', 200);
    CHECK(rd(buf, 200, 0, &err) == NULL);   /* unterminated */
    CHECK_CODE(err, "too_large");
    memcpy(buf, "[1 2", 4);                 /* a fault before the depth is reached */
    CHECK(rd(buf, 200, 0, &err) == NULL);
    CHECK_CODE(err, "too_large");
    memcpy(buf, "[\"\\x\"", 5);
    CHECK(rd(buf, 200, 0, &err) == NULL);
    CHECK_CODE(err, "too_large");
    /* a deep text that is malformed, but not nested too deeply: malformed */
    memset(buf, '[', 20);
    memcpy(buf + 20, "1 2", 3);
    CHECK(rd(buf, 23, 0, &err) == NULL);
    CHECK_CODE(err, "malformed");
    {
        /* hostile nesting far past the limit costs one scan */
        size_t n = 1 << 20;
        char *big = malloc(n);
        CHECK(big != NULL);
        if (big) {
            memset(big, '[', n);
            CHECK(rd(big, n, 0, &err) == NULL);
            CHECK_CODE(err, "too_large");
            big[1] = '"';
            CHECK(rd(big, n, 0, &err) == NULL);
            CHECK_CODE(err, "malformed");   /* brackets in a string that never ends do not nest */
            free(big);
        }
    }
}

static void test_duplicates(void)
{
    char buf[4096];
    size_t n;
    BAD("{\"a\":1,\"a\":2}");
    BAD("{\"a\":1,\"b\":2,\"a\":3}");
    BAD("{\"\\u0061\":1,\"a\":2}");          /* the same name once unescaped */
    BAD("{\"\\u00e9\":1,\"\xc3\xa9\":2}");
    BAD("{\"\":1,\"\":2}");
    OK("{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":3,\"b\":4}]}");   /* one per object */
    OK("{\"a\":1,\"A\":2,\"a \":3,\"ab\":4,\"\":5}");
    BAD("{\"x\":{\"a\":1,\"a\":1}}");
    /* names alike in length, first and last byte (the filter's bit) but different */
    OK("{\"abc\":1,\"axc\":2,\"ayc\":{\"abc\":1,\"azc\":[]},\"a\":0,\"\":1,\"b\":2}");
    BAD("{\"abc\":1,\"axc\":2,\"abc\":3}");
    /* sixteen members, the sixteenth a repeat (checked as it comes) */
    BAD("{\"1\":0,\"2\":0,\"3\":0,\"4\":0,\"5\":0,\"6\":0,\"7\":0,\"8\":0,\"9\":0,"
        "\"10\":0,\"11\":0,\"12\":0,\"13\":0,\"14\":0,\"15\":0,\"3\":0}");
    /* a repeat among the first sixteen of a larger object */
    BAD("{\"1\":0,\"1\":0,\"3\":0,\"4\":0,\"5\":0,\"6\":0,\"7\":0,\"8\":0,\"9\":0,"
        "\"10\":0,\"11\":0,\"12\":0,\"13\":0,\"14\":0,\"15\":0,\"16\":0,\"17\":0,\"18\":0}");
    /* many members (the sorted check): unique, then one repeated at the end */
    n = 0;
    buf[n++] = '{';
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    buf[n++] = '}';
    CHECK(accepts(buf, n, "", __LINE__));
    n--;
    n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"k137\":0}");
    CHECK(!accepts(buf, n, "malformed", __LINE__));
    /* seventeen members, the last two equal (just over the pairwise check) */
    n = 0;
    buf[n++] = '{';
    for (int i = 0; i < 16; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "\"m%d\":[],", i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"m15\":{}}");
    CHECK(!accepts(buf, n, "malformed", __LINE__));
}

static void test_strings(void)
{
    cjwt_error err;
    cjwtp_doc *d;
    const cjwtp_node *root;
    OK("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]");
    BAD("[\"\\x\"]"); BAD("[\"\\a\"]"); BAD("[\"\\'\"]"); BAD("[\"\\U0041\"]"); BAD("[\"\\\"]");
    BAD("[\"\\u12\"]"); BAD("[\"\\u12G4\"]"); BAD("[\"\\u\"]"); BAD("\"\\u004"); BAD("\"\\");
    BAD("[\"unterminated]"); BAD("\""); BAD("[\"a\tb\"]"); BAD("[\"a\nb\"]"); BAD("[\"\x1f\"]");
    OK("[\"\x7f\"]");                         /* DEL is not a control character in JSON */
    /* surrogates: pairs only */
    OK("[\"\\ud83d\\ude00\"]"); OK("[\"\\uD83D\\uDE00\"]"); OK("[\"\\udbff\\udfff\"]");
    BAD("[\"\\ud83d\"]"); BAD("[\"\\ude00\"]"); BAD("[\"\\ud83dx\"]"); BAD("[\"\\ud83d\\u0041\"]");
    BAD("[\"\\ud83d\\ud83d\"]"); BAD("[\"\\ude00\\ud83d\"]"); BAD("[\"\\ud83d\\n\"]");
    /* UTF-8: overlong forms, surrogates, past U+10FFFF, truncated, stray continuations */
    OK("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]");
    BAD("[\"\xc0\xaf\"]"); BAD("[\"\xc1\xbf\"]"); BAD("[\"\xe0\x80\xaf\"]"); BAD("[\"\xe0\x9f\xbf\"]");
    BAD("[\"\xf0\x80\x80\xaf\"]"); BAD("[\"\xf0\x8f\xbf\xbf\"]"); BAD("[\"\xed\xa0\x80\"]");
    BAD("[\"\xed\xbf\xbf\"]"); BAD("[\"\xf4\x90\x80\x80\"]"); BAD("[\"\xf5\x80\x80\x80\"]");
    BAD("[\"\xff\"]"); BAD("[\"\xfe\"]"); BAD("[\"\x80\"]"); BAD("[\"\xbf\"]"); BAD("[\"\xc3\"]");
    BAD("[\"\xc3\"]"); BAD("[\"\xe2\x82\"]"); BAD("[\"\xf0\x9f\x98\"]"); BAD("\"\xc3");
    BAD("[\"\xc3\x28\"]"); BAD("{\"\xff\":1}");
    /* the strings read, across the word-wide copy (long runs, escapes at every offset) */
    {
        static const char t[] = "{\"k\":\"0123456789abcdef\\n0123456789\\u00e9xyz\\ud83d\\ude00!\","
                                "\"\xc3\xa9\":\"\"}";
        d = rd(t, sizeof t - 1, 0, &err);
    }
    CHECK(d != NULL);
    if (d) {
        size_t n = 0;
        const char *s;
        root = NODE(cjwtp_doc_root(d));
        CHECK(root->span == 5 && root->count == 2);
        s = cjwt_value_string(cjwt_value_object_get(cjwtp_doc_root(d), "k"), &n);
        CHECK(s && n == 37 && memcmp(s, "0123456789abcdef\n0123456789\xc3\xa9xyz\xf0\x9f\x98\x80!", 37) == 0);
        CHECK(s && s[n] == '\0');
        CHECK(!(root[2].tag & CJWTP_NODE_ASCII) && (root[1].tag & CJWTP_NODE_ASCII));
        CHECK(!(root[3].tag & CJWTP_NODE_ASCII) && (root[4].tag & CJWTP_NODE_ASCII));
        s = cjwt_value_string(cjwt_value_object_get(cjwtp_doc_root(d), "\xc3\xa9"), &n);
        CHECK(s && n == 0 && s[0] == '\0');
        cjwtp_doc_free(d);
    }
    for (size_t at = 0; at < 20; at++) {
        /* an escape, a multi-byte character and the closing quote at each offset of a word */
        char in[64], want[64];
        size_t n = 0, m;
        in[n++] = '"';
        memset(in + n, 'a', at);
        memset(want, 'a', at);
        n += at;
        memcpy(in + n, "\\t\xc3\xa9\\u0041b\"", 12);
        n += 12;
        memcpy(want + at, "\t\xc3\xa9" "Ab", 5);
        d = rd(in, n, 0, &err);
        CHECK(d != NULL);
        if (d) {
            const char *s = cjwt_value_string(cjwtp_doc_root(d), &m);
            CHECK(s && m == at + 5 && memcmp(s, want, m) == 0 && s[m] == '\0');
            cjwtp_doc_free(d);
        }
        in[n - 1] = 'x';   /* and unterminated */
        CHECK(rd(in, n, 0, &err) == NULL);
        CHECK_CODE(err, "malformed");
    }
}

static void test_numbers(void)
{
    cjwt_error err;
    cjwtp_doc *d;
    OK("[0,-0,1,-1,0.5,-0.5,1e5,1E5,1e+5,1e-5,1.5e3,0e0,-0.0e-0]");
    BAD("[01]"); BAD("[-01]"); BAD("[00]"); BAD("[-]"); BAD("[+1]"); BAD("[1.]"); BAD("[.5]");
    BAD("[1e]"); BAD("[1e+]"); BAD("[1e-]"); BAD("[1.e5]"); BAD("[0x10]"); BAD("[1_000]");
    BAD("[1.5.3]"); BAD("[--1]"); BAD("[- 1]"); BAD("[1e5e5]"); BAD("-"); BAD("[0.]");
    /* int64 exactly; reals must be finite */
    OK("[9223372036854775807,-9223372036854775808]");
    BAD("[9223372036854775808]"); BAD("[-9223372036854775809]");
    BAD("[99999999999999999999999999999999999999]"); BAD("[1e400]"); BAD("[-1e400]");
    BAD("[1" "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000.0]");
    OK("[1e-400]");   /* underflows to 0: finite */
    {
        static const char t[] = "[9223372036854775807,-9223372036854775808,123456789012345678,-0,2.5,"
                                "1e-400,0.10000000000000000000000000000000000000000000000000000000000"
                                "00000000000000000001]";
        d = rd(t, sizeof t - 1, 0, &err);
    }
    CHECK(d != NULL);
    if (d) {
        const cjwt_value *a = cjwtp_doc_root(d);
        CHECK(cjwt_value_int(cjwt_value_array_get(a, 0)) == INT64_MAX);
        CHECK(cjwt_value_int(cjwt_value_array_get(a, 1)) == INT64_MIN);
        CHECK(cjwt_value_int(cjwt_value_array_get(a, 2)) == 123456789012345678);
        CHECK(cjwt_value_type(cjwt_value_array_get(a, 3)) == CJWT_TYPE_INT);
        CHECK(cjwt_value_int(cjwt_value_array_get(a, 3)) == 0);
        CHECK(cjwt_value_real(cjwt_value_array_get(a, 4)) == 2.5);
        CHECK(cjwt_value_type(cjwt_value_array_get(a, 5)) == CJWT_TYPE_REAL);
        CHECK(cjwt_value_real(cjwt_value_array_get(a, 6)) == 0.1);   /* a long real: a heap copy */
        cjwtp_doc_free(d);
    }
}

static void test_document(void)
{
    /* spans and counts, and the strings after the allocation is trimmed */
    static const char text[] = "{\"a\":[1,{\"b\":\"x\"},[]],\"c\":\"yy\",\"d\":{}}";
    cjwt_error err;
    cjwtp_doc *d = rd(text, sizeof text - 1, 0, &err);
    CHECK(d != NULL);
    if (d) {
        const cjwtp_node *r = NODE(cjwtp_doc_root(d));
        /* { a [ 1 { b x } [ ] c yy d { } */
        static const uint32_t span[] = {12, 1, 6, 1, 3, 1, 1, 1, 1, 1, 1, 1};
        static const uint32_t count[] = {3, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < 12; i++)
            CHECK(r[i].span == span[i] && r[i].count == count[i]);
        CHECK_STR(r[9].u.s, "yy");
        CHECK_STR(r[6].u.s, "x");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwtp_doc_root(d), "c"), NULL), "yy");
        cjwtp_doc_free(d);
    }
    {
        /* a large document: many nodes, long strings, the trimmed block may move */
        size_t cap = 1 << 20, n = 0;   /* 5000 members of < 80 bytes */
        char *big = malloc(cap);
        CHECK(big != NULL);
        if (big) {
            big[n++] = '[';
            for (int i = 0; i < 5000; i++)
                n += (size_t)snprintf(big + n, cap - n, "%s{\"n\":%d,\"s\":\"v%d-%040d\"}", i ? "," : "",
                                      i, i, i);
            big[n++] = ']';
            d = rd(big, n, 0, &err);
            CHECK(d != NULL);
            if (d) {
                const cjwt_value *a = cjwtp_doc_root(d);
                char want[64];
                CHECK(cjwt_value_size(a) == 5000);
                CHECK(NODE(a)->span == 1 + 5000 * 5);
                snprintf(want, sizeof want, "v4999-%040d", 4999);
                CHECK_STR(cjwt_value_string(cjwt_value_object_get(cjwt_value_array_get(a, 4999), "s"), NULL),
                          want);
                CHECK(cjwt_value_int(cjwt_value_object_get(cjwt_value_array_get(a, 1234), "n")) == 1234);
                cjwtp_doc_free(d);
            }
            free(big);
        }
    }
    {
        /* the densest text: one-byte values, the node bound reached exactly */
        char dense[2001];
        size_t n = 0;
        dense[n++] = '[';
        for (int i = 0; i < 999; i++) {
            dense[n++] = '1';
            dense[n++] = ',';
        }
        dense[n++] = '1';
        dense[n++] = ']';
        d = rd(dense, n, 0, &err);
        CHECK(d != NULL && cjwt_value_size(cjwtp_doc_root(d)) == 1000);
        cjwtp_doc_free(d);
    }
}

int main(void)
{
    RUN(test_structure);
    RUN(test_nul_bytes);
    RUN(test_depth);
    RUN(test_duplicates);
    RUN(test_strings);
    RUN(test_numbers);
    RUN(test_document);
    return testlib_report("test_json_read");
}
