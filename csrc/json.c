/* JSON values for bindings: one set of accessors over the two kinds of
 * values the core hands out -- documents read by json_read.c (immutable
 * nodes: decoded headers and payloads) and jansson values (built with the
 * constructors below, or parsed inputs that are kept). Bindings never see
 * the difference. */
#include "cjwt_internal.h"

#include <math.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NODE(v) ((const cjwtp_node *)(const void *)(v))
#define NODE_TYPE(n) ((cjwt_type)((n)->tag & 0xffu))

/* Object iterators over nodes carry this bit (nodes are 8-byte aligned), so
 * they are never confused with jansson's iterators. */
#define ITER_NODE_BIT ((uintptr_t)1)

static const cjwtp_node *node_next(const cjwtp_node *n)
{
    return n + n->span;
}

/* ---- reading JSON text ------------------------------------------------- */

static json_t *node_to_jansson(const cjwtp_node *n)
{
    json_t *j = NULL;
    switch (NODE_TYPE(n)) {
    case CJWT_TYPE_NULL: return json_null();
    case CJWT_TYPE_TRUE: return json_true();
    case CJWT_TYPE_FALSE: return json_false();
    case CJWT_TYPE_INT: return json_integer((json_int_t)n->u.i);
    case CJWT_TYPE_REAL: return json_real(n->u.d);
    case CJWT_TYPE_STRING: return json_stringn_nocheck(n->u.s, n->len);
    case CJWT_TYPE_ARRAY: {
        const cjwtp_node *c = n + 1;
        j = json_array();
        for (uint32_t i = 0; j && i < n->count; i++, c = node_next(c))
            if (json_array_append_new(j, node_to_jansson(c)) != 0) {
                json_decref(j);
                return NULL;
            }
        return j;
    }
    case CJWT_TYPE_OBJECT: {
        const cjwtp_node *k = n + 1;
        j = json_object();
        for (uint32_t i = 0; j && i < n->count; i++, k = node_next(k + 1))
            if (json_object_setn_new_nocheck(j, k->u.s, k->len, node_to_jansson(k + 1)) != 0) {
                json_decref(j);
                return NULL;
            }
        return j;
    }
    }
    return NULL;
}

json_t *cjwtp_value_to_jansson(const cjwt_value *v)
{
    if (!v)
        return NULL;
    if (CJWTP_IS_NODE(v))
        return node_to_jansson(NODE(v));
    return json_incref(CJWTP_JSON(v));
}

json_t *cjwtp_json_parse(const char *text, size_t len, int max_depth, const char *what,
                         cjwt_error *err)
{
    cjwtp_doc *doc = cjwtp_doc_parse(text, len, max_depth, what, err);
    json_t *j;
    if (!doc)
        return NULL;
    j = node_to_jansson(NODE(cjwtp_doc_root(doc)));
    cjwtp_doc_free(doc);
    if (!j)
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory reading JSON");
    return j;
}

cjwt_value *cjwt_value_from_json(const char *json, size_t len, cjwt_error *err)
{
    cjwtp_error_clear(err);
    if (!json) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no JSON text given");
        return NULL;
    }
    return CJWTP_VALUE(cjwtp_json_parse(json, len, CJWT_DEFAULT_MAX_DEPTH, "input", err));
}

static char *dump(const cjwt_value *v, size_t flags, size_t *len, cjwt_error *err)
{
    json_t *j;
    char *s;
    cjwtp_error_clear(err);
    if (!v) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "no value given");
        return NULL;
    }
    j = cjwtp_value_to_jansson(v);
    s = j ? json_dumps(j, flags | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!s) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing JSON");
        return NULL;
    }
    if (len)
        *len = strlen(s);
    return s;
}

char *cjwt_value_to_json(const cjwt_value *v, size_t *len, cjwt_error *err)
{
    return dump(v, JSON_COMPACT, len, err);
}

char *cjwt_value_to_json_pretty(const cjwt_value *v, int indent, size_t *len, cjwt_error *err)
{
    if (indent < 1 || indent > 31)
        indent = 2;
    return dump(v, JSON_INDENT(indent), len, err);
}

cjwt_value *cjwt_value_copy(const cjwt_value *v)
{
    json_t *j;
    if (!v)
        return NULL;
    if (CJWTP_IS_NODE(v))
        return CJWTP_VALUE(cjwtp_value_to_jansson(v));   /* already a fresh tree */
    j = json_deep_copy(CJWTP_CJSON(v));
    return CJWTP_VALUE(j);
}

/* ---- reading values ------------------------------------------------------ */

cjwt_type cjwt_value_type(const cjwt_value *v)
{
    if (!v)   /* an absent member (a NULL from a lookup) reads as null */
        return CJWT_TYPE_NULL;
    if (CJWTP_IS_NODE(v))
        return NODE_TYPE(NODE(v));
    switch (json_typeof(CJWTP_CJSON(v))) {
    case JSON_OBJECT: return CJWT_TYPE_OBJECT;
    case JSON_ARRAY: return CJWT_TYPE_ARRAY;
    case JSON_STRING: return CJWT_TYPE_STRING;
    case JSON_INTEGER: return CJWT_TYPE_INT;
    case JSON_REAL: return CJWT_TYPE_REAL;
    case JSON_TRUE: return CJWT_TYPE_TRUE;
    case JSON_FALSE: return CJWT_TYPE_FALSE;
    case JSON_NULL: return CJWT_TYPE_NULL;
    }
    return CJWT_TYPE_NULL;
}

int64_t cjwt_value_int(const cjwt_value *v)
{
    if (CJWTP_IS_NODE(v))
        return NODE_TYPE(NODE(v)) == CJWT_TYPE_INT ? NODE(v)->u.i : 0;
    return json_is_integer(CJWTP_CJSON(v)) ? (int64_t)json_integer_value(CJWTP_CJSON(v)) : 0;
}

double cjwt_value_real(const cjwt_value *v)
{
    if (CJWTP_IS_NODE(v)) {
        const cjwtp_node *n = NODE(v);
        return NODE_TYPE(n) == CJWT_TYPE_INT ? (double)n->u.i
             : NODE_TYPE(n) == CJWT_TYPE_REAL ? n->u.d : 0.0;
    }
    return json_number_value(CJWTP_CJSON(v));
}

const char *cjwt_value_string(const cjwt_value *v, size_t *len)
{
    const json_t *j;
    if (CJWTP_IS_NODE(v)) {
        if (NODE_TYPE(NODE(v)) != CJWT_TYPE_STRING)
            return NULL;
        if (len)
            *len = NODE(v)->len;
        return NODE(v)->u.s;
    }
    j = CJWTP_CJSON(v);
    if (!json_is_string(j))
        return NULL;
    if (len)
        *len = json_string_length(j);
    return json_string_value(j);
}

size_t cjwt_value_size(const cjwt_value *v)
{
    const json_t *j;
    if (CJWTP_IS_NODE(v)) {
        cjwt_type t = NODE_TYPE(NODE(v));
        return t == CJWT_TYPE_ARRAY || t == CJWT_TYPE_OBJECT ? NODE(v)->count : 0;
    }
    j = CJWTP_CJSON(v);
    if (json_is_array(j))
        return json_array_size(j);
    if (json_is_object(j))
        return json_object_size(j);
    return 0;
}

const cjwt_value *cjwt_value_array_get(const cjwt_value *a, size_t i)
{
    if (CJWTP_IS_NODE(a)) {
        const cjwtp_node *n = NODE(a), *c = n + 1;
        if (NODE_TYPE(n) != CJWT_TYPE_ARRAY || i >= n->count)
            return NULL;
        while (i--)
            c = node_next(c);
        return (const cjwt_value *)c;
    }
    return CJWTP_VALUE(json_array_get(CJWTP_CJSON(a), i));
}

const cjwt_value *cjwt_value_object_get(const cjwt_value *o, const char *key)
{
    if (!key)
        return NULL;
    if (CJWTP_IS_NODE(o)) {
        const cjwtp_node *n = NODE(o), *k = n + 1;
        size_t len;
        if (NODE_TYPE(n) != CJWT_TYPE_OBJECT)
            return NULL;
        len = strlen(key);   /* member names carry their length: compare that first */
        for (uint32_t i = 0; i < n->count; i++, k = node_next(k + 1))
            if (k->len == len && k->u.s[0] == key[0] && memcmp(k->u.s, key, len) == 0)
                return (const cjwt_value *)(k + 1);
        return NULL;
    }
    return CJWTP_VALUE(json_object_get(CJWTP_CJSON(o), key));
}

void cjwtp_header_members(const cjwt_value *h, cjwtp_hdr_members *m)
{
    const cjwtp_node *n = NODE(h), *k = n + 1;
    if (!CJWTP_IS_NODE(h)) {   /* not reached by the verify path; kept general */
        m->alg = cjwt_value_object_get(h, "alg");
        m->kid = cjwt_value_object_get(h, "kid");
        m->crit = cjwt_value_object_get(h, "crit");
        m->b64 = cjwt_value_object_get(h, "b64");
        return;
    }
    m->alg = m->kid = m->crit = m->b64 = NULL;
    if (NODE_TYPE(n) != CJWT_TYPE_OBJECT)
        return;
    for (uint32_t i = 0; i < n->count; i++, k = node_next(k + 1)) {
        const char *s = k->u.s;
        if (k->len == 3 && s[1] == (s[0] == 'a' ? 'l' : 'i')) {
            if (s[0] == 'a' && s[2] == 'g')
                m->alg = (const cjwt_value *)(k + 1);
            else if (s[0] == 'k' && s[2] == 'd')
                m->kid = (const cjwt_value *)(k + 1);
        } else if (k->len == 3 && s[0] == 'b' && s[1] == '6' && s[2] == '4') {
            m->b64 = (const cjwt_value *)(k + 1);
        } else if (k->len == 4 && memcmp(s, "crit", 4) == 0) {
            m->crit = (const cjwt_value *)(k + 1);
        }
    }
}

int cjwtp_json_set_b64(json_t *obj, const char *name, const unsigned char *p, size_t n)
{
    size_t len = cjwtp_b64url_encoded_len(n);
    char *s = malloc(len + 1);
    int rc;
    if (!s)
        return -1;
    cjwtp_b64url_encode(p, n, s);
    s[len] = '\0';
    rc = json_object_set_new(obj, name, json_stringn(s, len));
    OPENSSL_cleanse(s, len);   /* it may be key material (a JWK's "d", "k") */
    free(s);
    return rc;
}

cjwt_code cjwtp_header_add_extra(json_t *h, const cjwt_value *extra, const char *const *skip,
                                 size_t n_skip, cjwt_error *err)
{
    json_t *x, *val;
    const char *name;
    if (!extra)
        return CJWT_OK;
    if (cjwt_value_type(extra) != CJWT_TYPE_OBJECT)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the extra header must be a JSON object");
    if (!(x = cjwtp_value_to_jansson(extra)))
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
    json_object_foreach(x, name, val) {
        int skipped = 0;
        for (size_t i = 0; i < n_skip && !skipped; i++)
            skipped = strcmp(name, skip[i]) == 0;
        if (!skipped && json_object_set(h, name, val) != 0) {
            json_decref(x);
            return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
        }
    }
    json_decref(x);
    return CJWT_OK;
}

void *cjwt_object_iter(const cjwt_value *o)
{
    if (CJWTP_IS_NODE(o)) {
        const cjwtp_node *n = NODE(o);
        if (NODE_TYPE(n) != CJWT_TYPE_OBJECT || n->count == 0)
            return NULL;
        return (void *)((uintptr_t)(n + 1) | ITER_NODE_BIT);
    }
    return json_object_iter(CJWTP_JSON(o));
}

void *cjwt_object_iter_next(const cjwt_value *o, void *it)
{
    if ((uintptr_t)it & ITER_NODE_BIT) {
        const cjwtp_node *k = (const cjwtp_node *)((uintptr_t)it & ~ITER_NODE_BIT);
        const cjwtp_node *next = node_next(k + 1), *end = node_next(NODE(o));
        return next < end ? (void *)((uintptr_t)next | ITER_NODE_BIT) : NULL;
    }
    return json_object_iter_next(CJWTP_JSON(o), it);
}

const char *cjwt_object_iter_key(void *it, size_t *len)
{
    if ((uintptr_t)it & ITER_NODE_BIT) {
        const cjwtp_node *k = (const cjwtp_node *)((uintptr_t)it & ~ITER_NODE_BIT);
        if (len)
            *len = k->len;
        return k->u.s;
    }
    if (len)
        *len = json_object_iter_key_len(it);
    return json_object_iter_key(it);
}

const cjwt_value *cjwt_object_iter_value(void *it)
{
    if ((uintptr_t)it & ITER_NODE_BIT)
        return (const cjwt_value *)((const cjwtp_node *)((uintptr_t)it & ~ITER_NODE_BIT) + 1);
    return CJWTP_VALUE(json_object_iter_value(it));
}

/* ---- a whole value at once ---------------------------------------------- */

/* One reader node into an item; name: its member name's node, or NULL. */
static inline void node_item(cjwt_item *it, const cjwtp_node *n, const cjwtp_node *name)
{
    cjwt_type t = NODE_TYPE(n);
    it->type = t;
    it->flags = (n->tag & CJWTP_NODE_ASCII) ? CJWT_ITEM_ASCII : 0;
    it->s = NULL;
    it->len = n->count;                  /* arrays, objects; 0 otherwise */
    if (name) {
        it->name = name->u.s;
        it->name_len = name->len;
        if (name->tag & CJWTP_NODE_ASCII)
            it->flags |= CJWT_ITEM_NAME_ASCII;
    } else {
        it->name = NULL;
        it->name_len = 0;
    }
    if (t == CJWT_TYPE_STRING) {
        it->s = n->u.s;
        it->len = n->len;
    } else if (t == CJWT_TYPE_INT) {
        it->i = n->u.i;
    } else if (t == CJWT_TYPE_REAL) {
        it->d = n->u.d;
    }
}

/* The children of the container node c into items from `count` on (as far
 * as cap allows): leaves in the loop, containers by recursion (as deep as
 * the document, which the reader bounded). Returns the new count. */
static size_t node_children(const cjwtp_node *c, cjwt_item *items, size_t cap, size_t count)
{
    const cjwtp_node *n = c + 1;
    if (NODE_TYPE(c) == CJWT_TYPE_OBJECT) {
        for (uint32_t i = 0; i < c->count; i++, n = node_next(n)) {
            const cjwtp_node *name = n++;      /* a member: its name's node, then its value */
            if (count < cap)
                node_item(&items[count], n, name);
            count++;
            if (n->span > 1)                   /* a container with children */
                count = node_children(n, items, cap, count);
        }
    } else {
        for (uint32_t i = 0; i < c->count; i++, n = node_next(n)) {
            if (count < cap)
                node_item(&items[count], n, NULL);
            count++;
            if (n->span > 1)
                count = node_children(n, items, cap, count);
        }
    }
    return count;
}

static size_t node_items(const cjwtp_node *n, cjwt_item *items, size_t cap)
{
    if (cap)
        node_item(&items[0], n, NULL);
    return n->span > 1 ? node_children(n, items, cap, 1) : 1;
}

/* The same over any value (jansson values: the cold path), through the
 * accessors; names and strings are not known to be ASCII. */
static void value_items(const cjwt_value *v, const char *name, size_t name_len,
                        cjwt_item *items, size_t cap, size_t *count)
{
    size_t at = (*count)++, n = 0;
    cjwt_type t = cjwt_value_type(v);
    if (t == CJWT_TYPE_ARRAY || t == CJWT_TYPE_OBJECT)
        n = cjwt_value_size(v);
    if (at < cap) {
        cjwt_item *it = &items[at];
        it->type = t;
        it->flags = 0;
        it->name = name;
        it->name_len = name_len;
        it->s = NULL;
        it->len = n;
        if (t == CJWT_TYPE_STRING)
            it->s = cjwt_value_string(v, &it->len);
        else if (t == CJWT_TYPE_INT)
            it->i = cjwt_value_int(v);
        else if (t == CJWT_TYPE_REAL)
            it->d = cjwt_value_real(v);
    }
    if (t == CJWT_TYPE_ARRAY) {
        for (size_t i = 0; i < n; i++)
            value_items(cjwt_value_array_get(v, i), NULL, 0, items, cap, count);
    } else if (t == CJWT_TYPE_OBJECT) {
        for (void *it = cjwt_object_iter(v); it; it = cjwt_object_iter_next(v, it)) {
            size_t klen = 0;
            const char *k = cjwt_object_iter_key(it, &klen);
            value_items(cjwt_object_iter_value(it), k, klen, items, cap, count);
        }
    }
}

size_t cjwt_value_items(const cjwt_value *v, cjwt_item *items, size_t cap)
{
    size_t count = 0;
    if (v && CJWTP_IS_NODE(v))
        return node_items(NODE(v), items, cap);
    value_items(v, NULL, 0, items, cap, &count);
    return count;
}

/* ---- building -------------------------------------------------------------- */

cjwt_value *cjwt_value_new_object(void) { return CJWTP_VALUE(json_object()); }
cjwt_value *cjwt_value_new_array(void) { return CJWTP_VALUE(json_array()); }
cjwt_value *cjwt_value_new_int(int64_t i) { return CJWTP_VALUE(json_integer((json_int_t)i)); }
cjwt_value *cjwt_value_new_bool(int b) { return CJWTP_VALUE(json_boolean(b)); }
cjwt_value *cjwt_value_new_null(void) { return CJWTP_VALUE(json_null()); }

cjwt_value *cjwt_value_new_real(double d)
{
    return isfinite(d) ? CJWTP_VALUE(json_real(d)) : NULL; /* JSON has no NaN/Infinity */
}

cjwt_value *cjwt_value_new_string(const char *utf8, size_t len)
{
    /* jansson checks UTF-8; NUL is refused here because the reader refuses
     * it too, so whatever cjwt signs it can also verify. */
    if (!utf8 || memchr(utf8, 0, len))
        return NULL;
    return CJWTP_VALUE(json_stringn(utf8, len));
}

/* Documents are immutable: building only ever works on jansson values. */
static int mutable_json(const cjwt_value *v, int (*is_kind)(const json_t *))
{
    return v && !CJWTP_IS_NODE(v) && is_kind(CJWTP_CJSON(v));
}

static int is_object(const json_t *j) { return json_is_object(j); }
static int is_array(const json_t *j) { return json_is_array(j); }

int cjwt_value_object_set(cjwt_value *obj, const char *key, size_t key_len, cjwt_value *val)
{
    if (!val)
        return -1;
    if (CJWTP_IS_NODE(val) || !mutable_json(obj, is_object) || !key || memchr(key, 0, key_len)) {
        cjwt_value_free(val);
        return -1;
    }
    return json_object_setn_new(CJWTP_JSON(obj), key, key_len, CJWTP_JSON(val)); /* steals val */
}

int cjwt_value_array_append(cjwt_value *arr, cjwt_value *val)
{
    if (!val)
        return -1;
    if (CJWTP_IS_NODE(val) || !mutable_json(arr, is_array)) {
        cjwt_value_free(val);
        return -1;
    }
    return json_array_append_new(CJWTP_JSON(arr), CJWTP_JSON(val)); /* steals val */
}

void cjwt_value_free(cjwt_value *v)
{
    /* reader nodes are owned by their document (a decoded token) */
    if (v && !CJWTP_IS_NODE(v))
        json_decref(CJWTP_JSON(v));
}
