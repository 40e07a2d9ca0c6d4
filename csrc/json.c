/* JSON values for bindings (a thin veneer over jansson) and the strict
 * parser every token part goes through. */
#include "cjwt_internal.h"

#include <math.h>
#include <string.h>

/* ---- strict parsing -------------------------------------------------- */

/* jansson has a compile-time nesting limit only (2048), so the configurable
 * depth bound is enforced by a scan before parsing: it counts brackets
 * outside strings and stops at the first one over the limit. The scan
 * accepts anything else; jansson then decides whether the text is JSON. */
static int depth_exceeds(const char *s, size_t n, int max_depth)
{
    int depth = 0, in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;            /* skip the escaped character */
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return 1;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 0;
}

json_t *cjwtp_json_parse(const char *text, size_t len, int max_depth, const char *what,
                         cjwt_error *err)
{
    json_error_t jerr;
    json_t *j;
    if (max_depth <= 0)
        max_depth = CJWT_DEFAULT_MAX_DEPTH;
    if (depth_exceeds(text, len, max_depth)) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "%s JSON is nested deeper than the limit of %d",
                   what, max_depth);
        return NULL;
    }
    /* JSON_REJECT_DUPLICATES: a member named twice is ambiguous (which one
     * did the signer mean?), so it is an error. NUL in strings and invalid
     * UTF-8 are rejected by jansson's defaults. */
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!j) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "%s is not valid JSON: %s (at byte %d)", what,
                   jerr.text, jerr.position);
        return NULL;
    }
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

char *cjwt_value_to_json(const cjwt_value *v, size_t *len, cjwt_error *err)
{
    char *s;
    cjwtp_error_clear(err);
    if (!v) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "no value given");
        return NULL;
    }
    s = json_dumps(CJWTP_CJSON(v), JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing JSON");
        return NULL;
    }
    if (len)
        *len = strlen(s);
    return s;
}

/* ---- reading --------------------------------------------------------- */

cjwt_type cjwt_value_type(const cjwt_value *v)
{
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
    return json_is_integer(CJWTP_CJSON(v)) ? (int64_t)json_integer_value(CJWTP_CJSON(v)) : 0;
}

double cjwt_value_real(const cjwt_value *v)
{
    return json_number_value(CJWTP_CJSON(v));
}

const char *cjwt_value_string(const cjwt_value *v, size_t *len)
{
    const json_t *j = CJWTP_CJSON(v);
    if (!json_is_string(j))
        return NULL;
    if (len)
        *len = json_string_length(j);
    return json_string_value(j);
}

size_t cjwt_value_size(const cjwt_value *v)
{
    const json_t *j = CJWTP_CJSON(v);
    if (json_is_array(j))
        return json_array_size(j);
    if (json_is_object(j))
        return json_object_size(j);
    return 0;
}

const cjwt_value *cjwt_value_array_get(const cjwt_value *a, size_t i)
{
    return CJWTP_VALUE(json_array_get(CJWTP_CJSON(a), i));
}

const cjwt_value *cjwt_value_object_get(const cjwt_value *o, const char *key)
{
    return CJWTP_VALUE(json_object_get(CJWTP_CJSON(o), key));
}

void *cjwt_object_iter(const cjwt_value *o)
{
    return json_object_iter(CJWTP_JSON(o));
}

void *cjwt_object_iter_next(const cjwt_value *o, void *it)
{
    return json_object_iter_next(CJWTP_JSON(o), it);
}

const char *cjwt_object_iter_key(void *it, size_t *len)
{
    if (len)
        *len = json_object_iter_key_len(it);
    return json_object_iter_key(it);
}

const cjwt_value *cjwt_object_iter_value(void *it)
{
    return CJWTP_VALUE(json_object_iter_value(it));
}

/* ---- building -------------------------------------------------------- */

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
    /* jansson checks UTF-8; NUL is refused here because the parser refuses
     * it too, so whatever cjwt signs it can also verify. */
    if (!utf8 || memchr(utf8, 0, len))
        return NULL;
    return CJWTP_VALUE(json_stringn(utf8, len));
}

int cjwt_value_object_set(cjwt_value *obj, const char *key, size_t key_len, cjwt_value *val)
{
    if (!obj || !json_is_object(CJWTP_JSON(obj)) || !key || !val || memchr(key, 0, key_len)) {
        json_decref(CJWTP_JSON(val));
        return -1;
    }
    return json_object_setn_new(CJWTP_JSON(obj), key, key_len, CJWTP_JSON(val)); /* steals val */
}

int cjwt_value_array_append(cjwt_value *arr, cjwt_value *val)
{
    if (!arr || !json_is_array(CJWTP_JSON(arr)) || !val) {
        json_decref(CJWTP_JSON(val));
        return -1;
    }
    return json_array_append_new(CJWTP_JSON(arr), CJWTP_JSON(val)); /* steals val */
}

void cjwt_value_free(cjwt_value *v)
{
    json_decref(CJWTP_JSON(v));
}
