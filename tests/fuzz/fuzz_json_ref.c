/* Differential fuzzing of the one-pass JSON reader (csrc/json_read.c)
 * against the reader it replaced (tests/fuzz/reference/json_read_ref.c:
 * jsmn tokens plus strict RFC 8259 checks, unchanged). For every input and
 * two depth limits both must accept or both refuse, with the same error
 * code, and when they accept they must build the same document: node for
 * node the same types, sizes, spans, strings (byte for byte, NUL-terminated,
 * the same ASCII flag), integers and reals (bit for bit). */
#include "fuzz_common.h"

#include "reference/json_read_ref.c"

static void compare(const uint8_t *data, size_t size, int max_depth)
{
    cjwt_error err, rerr;
    cjwtp_doc *doc;
    ref_doc *ref;
    cjwtp_error_clear(&err);
    cjwtp_error_clear(&rerr);
    doc = cjwtp_doc_parse((const char *)data, size, max_depth, "input", &err);
    ref = ref_doc_parse((const char *)data, size, max_depth, "input", &rerr);
    if (!!doc != !!ref || (!doc && err.code != rerr.code)) {
        fprintf(stderr, "max_depth %d: new reader %s (%s: %s), reference %s (%s: %s)\n", max_depth,
                doc ? "accepts" : "refuses", cjwt_code_name(err.code), err.message,
                ref ? "accepts" : "refuses", cjwt_code_name(rerr.code), rerr.message);
        abort();
    }
    if (!doc) {
        fuzz_check_error(&err);
        FUZZ_ASSERT(err.code == CJWT_E_MALFORMED || err.code == CJWT_E_TOO_LARGE);
        return;
    }
    {
        const cjwtp_node *a = (const cjwtp_node *)(const void *)cjwtp_doc_root(doc);
        const cjwtp_node *b = (const cjwtp_node *)(const void *)ref_doc_root(ref);
        FUZZ_ASSERT(a->span == b->span && a->span >= 1);
        for (uint32_t k = 0; k < b->span; k++) {
            const cjwtp_node *x = &a[k], *y = &b[k];
            FUZZ_ASSERT(CJWTP_IS_NODE(x));
            FUZZ_ASSERT(x->tag == y->tag && x->span == y->span && x->count == y->count &&
                        x->len == y->len);
            switch ((cjwt_type)(x->tag & 0xffu)) {
            case CJWT_TYPE_STRING:
                FUZZ_ASSERT(memcmp(x->u.s, y->u.s, x->len) == 0 && x->u.s[x->len] == '\0');
                break;
            case CJWT_TYPE_INT:
                FUZZ_ASSERT(x->u.i == y->u.i);
                break;
            case CJWT_TYPE_REAL:
                FUZZ_ASSERT(memcmp(&x->u.d, &y->u.d, sizeof x->u.d) == 0);
                break;
            default:
                break;
            }
        }
    }
    cjwtp_doc_free(doc);
    ref_doc_free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    compare(data, size, CJWT_DEFAULT_MAX_DEPTH);
    compare(data, size, 3);
    return 0;
}
