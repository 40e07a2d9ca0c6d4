/* cjwt_value_items: a whole value laid out at once for the bindings. The
 * same items from a decoded document (reader nodes) and from the jansson
 * value of the same JSON; the ASCII flags exact for reader strings; the
 * count when the room is short. */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static int all_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* The items of `json` read by the reader (a document) and, for comparison,
 * as a jansson value. Returns the count; *doc must be freed. */
static size_t doc_items(const char *json, cjwtp_doc **doc, cjwt_item *items, size_t cap)
{
    cjwt_error err;
    *doc = cjwtp_doc_parse(json, strlen(json), 32, "test", &err);
    CHECK(*doc != NULL);
    return *doc ? cjwt_value_items(cjwtp_doc_root(*doc), items, cap) : 0;
}

static int same_item(const cjwt_item *a, const cjwt_item *b)
{
    if (a->type != b->type || a->len != b->len || a->name_len != b->name_len ||
        (a->name == NULL) != (b->name == NULL) ||
        (a->name && memcmp(a->name, b->name, a->name_len) != 0))
        return 0;
    switch (a->type) {
    case CJWT_TYPE_STRING: return memcmp(a->s, b->s, a->len) == 0 && a->s[a->len] == '\0';
    case CJWT_TYPE_INT: return a->i == b->i;
    case CJWT_TYPE_REAL: return a->d == b->d;
    default: return 1;
    }
}

static void test_layout(void)
{
    const char *json = "{\"s\":\"abc\",\"u\":\"h\xc3\xa9\",\"e\":\"h\\u00e9\",\"x\":\"\\u0041\\n\","
                       "\"\xc3\xa9\":1,\"i\":-5,\"r\":2.5,\"t\":true,\"f\":false,\"n\":null,"
                       "\"a\":[1,[2,3],{\"k\":\"v\"},[]],\"o\":{},\"z\":\"\"}";
    cjwt_item it[32];
    cjwtp_doc *doc;
    size_t n = doc_items(json, &doc, it, 32);
    CHECK(n == 21);
    if (n != 21) {
        cjwtp_doc_free(doc);
        return;
    }
    CHECK(it[0].type == CJWT_TYPE_OBJECT && it[0].len == 13 && it[0].name == NULL);
    CHECK(it[1].type == CJWT_TYPE_STRING && it[1].len == 3 && strcmp(it[1].s, "abc") == 0);
    CHECK(it[1].name_len == 1 && it[1].name[0] == 's');
    CHECK(it[1].flags == (CJWT_ITEM_ASCII | CJWT_ITEM_NAME_ASCII));
    CHECK(it[2].len == 3 && strcmp(it[2].s, "h\xc3\xa9") == 0 && it[2].flags == CJWT_ITEM_NAME_ASCII);
    CHECK(it[3].len == 3 && strcmp(it[3].s, "h\xc3\xa9") == 0 && it[3].flags == CJWT_ITEM_NAME_ASCII);
    CHECK(it[4].len == 2 && strcmp(it[4].s, "A\n") == 0 && (it[4].flags & CJWT_ITEM_ASCII));
    CHECK(it[5].type == CJWT_TYPE_INT && it[5].i == 1 && it[5].name_len == 2 &&
          memcmp(it[5].name, "\xc3\xa9", 2) == 0 && !(it[5].flags & CJWT_ITEM_NAME_ASCII));
    CHECK(it[6].type == CJWT_TYPE_INT && it[6].i == -5);
    CHECK(it[7].type == CJWT_TYPE_REAL && it[7].d == 2.5);
    CHECK(it[8].type == CJWT_TYPE_TRUE && it[9].type == CJWT_TYPE_FALSE &&
          it[10].type == CJWT_TYPE_NULL);
    CHECK(it[11].type == CJWT_TYPE_ARRAY && it[11].len == 4 && it[11].name[0] == 'a');
    CHECK(it[12].type == CJWT_TYPE_INT && it[12].i == 1 && it[12].name == NULL);
    CHECK(it[13].type == CJWT_TYPE_ARRAY && it[13].len == 2);
    CHECK(it[14].i == 2 && it[15].i == 3);
    CHECK(it[16].type == CJWT_TYPE_OBJECT && it[16].len == 1);
    CHECK(it[17].type == CJWT_TYPE_STRING && it[17].name[0] == 'k' && it[17].s[0] == 'v');
    CHECK(it[18].type == CJWT_TYPE_ARRAY && it[18].len == 0);
    CHECK(it[19].type == CJWT_TYPE_OBJECT && it[19].len == 0 && it[19].name[0] == 'o');
    CHECK(it[20].type == CJWT_TYPE_STRING && it[20].len == 0 && it[20].s[0] == '\0' &&
          (it[20].flags & CJWT_ITEM_ASCII));
    cjwtp_doc_free(doc);
}

/* Short room: the count is the same, nothing is written past cap. */
static void test_short_room(void)
{
    const char *json = "[1,[2,3],{\"a\":[4]}]";
    cjwt_item it[8];
    cjwtp_doc *doc;
    memset(it, 0x5a, sizeof it);
    size_t n = doc_items(json, &doc, it, 3);
    CHECK(n == 8);
    CHECK(it[0].type == CJWT_TYPE_ARRAY && it[2].type == CJWT_TYPE_ARRAY);
    for (size_t i = 3; i < 8; i++) {
        const unsigned char *b = (const unsigned char *)&it[i];
        for (size_t j = 0; j < sizeof it[i]; j++)
            CHECK(b[j] == 0x5a);
    }
    CHECK(cjwt_value_items(cjwtp_doc_root(doc), NULL, 0) == 8);
    cjwtp_doc_free(doc);
    /* no value reads as null, as cjwt_value_type does */
    CHECK(cjwt_value_items(NULL, it, 8) == 1 && it[0].type == CJWT_TYPE_NULL);
}

/* Reader documents and jansson values of the same JSON give the same items;
 * a reader string is flagged ASCII exactly when its bytes are. */
static void test_same_as_jansson(void)
{
    static const char *const inputs[] = {
        "{}", "[]", "\"x\"", "7", "-2.5e3", "null", "true",
        "{\"a\":1,\"b\":{\"a\":2},\"c\":[[],[{}],\"\\u00e9\\ud83d\\ude00\"]}",
        "{\"sub\":\"user-1234567\",\"iss\":\"https://auth.example.com\",\"aud\":\"api.example.com\","
        "\"iat\":1700000000,\"exp\":4100000000,\"jti\":\"3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b\","
        "\"role\":\"admin\",\"permissions\":[\"orders:read\",\"orders:write\",\"payments:read\"]}",
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\x7f\",\"\xf0\x9f\x98\x80\",\"\\u007f\",\"\\u0080\"]",
        "{\"\\u0061\":1,\"\xc3\xa9t\xc3\xa9\":[9223372036854775807,-9223372036854775808,1e300]}",
    };
    for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++) {
        cjwt_item a[64], b[64];
        cjwtp_doc *doc;
        size_t n = doc_items(inputs[k], &doc, a, 64);
        cjwt_value *j = cjwt_value_from_json(inputs[k], strlen(inputs[k]), NULL);
        size_t m = cjwt_value_items(j, b, 64);
        CHECK(j != NULL && !CJWTP_IS_NODE(j));
        CHECK(n == m && n <= 64);
        for (size_t i = 0; i < n && i < m && i < 64; i++) {
            if (!same_item(&a[i], &b[i])) {
                fprintf(stderr, "  item %zu of %s differs\n", i, inputs[k]);
                CHECK(0);
            }
            CHECK(b[i].flags == 0);   /* jansson: ASCII not known */
            if (a[i].type == CJWT_TYPE_STRING)
                CHECK(!!(a[i].flags & CJWT_ITEM_ASCII) == all_ascii(a[i].s, a[i].len));
            else
                CHECK(!(a[i].flags & CJWT_ITEM_ASCII));
            if (a[i].name)
                CHECK(!!(a[i].flags & CJWT_ITEM_NAME_ASCII) == all_ascii(a[i].name, a[i].name_len));
        }
        cjwt_value_free(j);
        cjwtp_doc_free(doc);
    }
}

int main(void)
{
    RUN(test_layout);
    RUN(test_short_room);
    RUN(test_same_as_jansson);
    return testlib_report("test_items");
}
