/* Differential fuzzing of the strict JSON reader (json_read.c, one pass,
 * RFC 8259) against jansson with the flags cjwt used before the
 * reader existed (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, plus the depth
 * bound). docs/design.md asks the reader to be exactly as strict, so both must
 * accept the same texts and, when they do, read the same value. */
#include "fuzz_common.h"

/* Nesting depth of a jansson value: containers count, scalars do not. */
static int depth_of(const json_t *j)
{
    int d = 0;
    size_t i;
    const char *k;
    json_t *v;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) {
            int c = depth_of(v);
            d = c > d ? c : d;
        }
        return d + 1;
    }
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v) {
            int c = depth_of(v);
            d = c > d ? c : d;
        }
        return d + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cjwt_error err;
    json_error_t jerr;
    cjwtp_doc *doc;
    json_t *ref;
    int ref_ok;
    cjwtp_error_clear(&err);   /* internal: the first error set wins */
    doc = cjwtp_doc_parse((const char *)data, size, CJWT_DEFAULT_MAX_DEPTH, "input", &err);
    ref = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    ref_ok = ref && depth_of(ref) <= CJWT_DEFAULT_MAX_DEPTH;
    if (!doc) {
        fuzz_check_error(&err);
    }
    /* A raw NUL byte is never JSON, but jansson lets one through after a
     * number ({"a":-0<NUL>}); the reader must refuse, jansson is no reference. */
    if (memchr(data, '\0', size)) {
        FUZZ_ASSERT(doc == NULL);
        json_decref(ref);
        return 0;
    }
    if (!doc) {
        FUZZ_ASSERT(err.code == CJWT_E_MALFORMED || err.code == CJWT_E_TOO_LARGE);
    }
    if (!!doc != ref_ok) {
        fprintf(stderr, "reader %s, jansson %s (%s)\n", doc ? "accepts" : "refuses",
                ref_ok ? "accepts" : "refuses", ref ? (ref_ok ? "accepted" : "too deep") : jerr.text);
        if (!doc)
            fprintf(stderr, "reader: %s\n", err.message);
        abort();
    }
    if (doc) {
        json_t *mine = cjwtp_value_to_jansson(cjwtp_doc_root(doc));
        FUZZ_ASSERT(mine != NULL);
        if (!json_equal(mine, ref)) {
            char *a = json_dumps(mine, JSON_ENCODE_ANY), *b = json_dumps(ref, JSON_ENCODE_ANY);
            fprintf(stderr, "values differ:\n reader:  %s\n jansson: %s\n", a, b);
            abort();
        }
        json_decref(mine);
        cjwtp_doc_free(doc);
    }
    json_decref(ref);
    return 0;
}
