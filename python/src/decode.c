/* decode / decode_complete / jws_decode / get_unverified_header, and the
 * verification call they share with cjwt.Verifier. */
#include "binding.h"

/* The argument lists of the public entry points, as indexes into st->names;
 * the first `npos` can be given by position. */
static const int decode_params[] = {
    KW_TOKEN, KW_KEY, KW_ALGORITHMS, KW_OPTIONS, KW_VERIFY,
    KW_AUDIENCE, KW_ISSUER, KW_SUBJECT, KW_LEEWAY, KW_TYP, KW_MAX_AGE, KW_NOW, KW_DENYLIST,
};
#define DECODE_NPOS 5
static const int jws_decode_params[] = {
    KW_TOKEN, KW_KEY, KW_ALGORITHMS, KW_OPTIONS, KW_TYP, KW_NOW,
};
#define JWS_DECODE_NPOS 3

/* The verification itself, with the GIL released: through the compiled
 * verifier `v` when given (its cache, its hook), else with `opts` directly.
 * Returns the result for `mode` (a new dict, or bytes for MODE_RAW; a hit of
 * a Verifier's cache is converted afresh too, so callers may mutate it), or
 * NULL with the mapped exception set (with the denylist store's own
 * exception as __cause__ when the store failed). Everything passed in must
 * stay alive for the call (the caller holds it). */
PyObject *
verify_call(cjwt_state *st, int mode, const cjwt_verifier *v, const cjwt_verify_opts *opts,
            const cjwt_key *key, const cjwt_keyset *keyset, const char *token, size_t len,
            int has_now, double now)
{
    cjwt_error err = {0};
    cjwt_decoded *dec;
    PyObject *result = NULL;
    denylist_call call = {NULL}, *outer;

    outer = denylist_enter(&call);   /* is_revoked may decode too */
    Py_BEGIN_ALLOW_THREADS
    if (v)
        dec = keyset ? cjwt_verify_keyset(v, keyset, token, len, has_now, now, &err)
                     : cjwt_verify(v, key, token, len, has_now, now, &err);
    else
        dec = keyset ? cjwt_verify_keyset_with(opts, keyset, token, len, has_now, now, &err)
                     : cjwt_verify_with(opts, key, token, len, has_now, now, &err);
    Py_END_ALLOW_THREADS
    denylist_leave(outer);

    if (!dec) {
        raise_error(st, &err);
        if (call.exc) {
            /* The store's own exception (a redis ConnectionError...) as the cause. */
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            PyErr_NormalizeException(&type, &value, &tb);
            if (value)
                PyException_SetCause(value, Py_NewRef(call.exc));   /* steals the new ref */
            PyErr_Restore(type, value, tb);
        }
        goto done;
    }
    if (mode == MODE_RAW) {
        size_t n = 0;
        const unsigned char *bytes = cjwt_decoded_payload_bytes(dec, &n);
        result = PyBytes_FromStringAndSize((const char *)bytes, (Py_ssize_t)n);
    } else if (mode == MODE_CLAIMS) {
        result = from_value_st(cjwt_decoded_payload(dec), st);
    } else {
        size_t sig_len = 0;
        const unsigned char *sig = cjwt_decoded_signature(dec, &sig_len);
        PyObject *header = from_value_st(cjwt_decoded_header(dec), st);
        PyObject *payload = header ? from_value_st(cjwt_decoded_payload(dec), st) : NULL;
        PyObject *signature =
            payload ? PyBytes_FromStringAndSize((const char *)sig, (Py_ssize_t)sig_len) : NULL;
        if (signature)
            result = Py_BuildValue("{sOsOsO}", "header", header, "payload", payload,
                                   "signature", signature);
        Py_XDECREF(header);
        Py_XDECREF(payload);
        Py_XDECREF(signature);
    }
done:
    Py_XDECREF(call.exc);
    cjwt_decoded_free(dec);
    return result;
}

/* The body of decode / decode_complete / jws_decode. Arguments are borrowed
 * and may be NULL (not given). */
static PyObject *
decode_impl(cjwt_state *st, int mode, PyObject *token_obj, PyObject *key_in,
            PyObject *algorithms, PyObject *audience, PyObject *issuer, PyObject *subject,
            PyObject *leeway, PyObject *options, PyObject *typ, PyObject *max_age,
            PyObject *now_in, PyObject *denylist)
{
    decode_args a;
    memset(&a, 0, sizeof a);
    cjwt_key *key = NULL;
    cjwt_keyset *keyset = NULL;
    PyObject *result = NULL, *converted = NULL, *key_obj = key_in ? key_in : Py_None;
    Py_ssize_t token_len;
    int has_now = 0;
    double now = 0;
    const char *token;

    if (!algorithms)
        algorithms = Py_None;
    if (slow_key_arg(st, &key_obj, &algorithms, &converted) < 0)
        goto done;
    if (!(token = token_arg(token_obj, &token_len)))
        goto done;
    if (settings_args(st, mode, "calling decode()", algorithms, audience, issuer, subject,
                      leeway, options, typ, max_age, denylist, &a) < 0)
        goto done;
    if (now_arg(st, now_in, &has_now, &now) < 0)
        goto done;
    if (key_or_keyset_arg(st, key_obj, &key, &keyset) < 0)
        goto done;
    /* Every pointer in a.opts is kept alive by `a` and the arguments, the
     * token by the argument tuple, the key (set) by its own reference. */
    result = verify_call(st, mode, NULL, &a.opts, key, keyset, token, (size_t)token_len,
                         has_now, now);
done:
    cjwt_key_free(key);
    cjwt_keyset_free(keyset);
    decode_args_release(&a);
    Py_XDECREF(converted);
    return result;
}

PyDoc_STRVAR(decode_doc,
"decode($module, /, token, key=None, algorithms=None, options=None, verify=None, *,\n"
"       audience=None, issuer=None, subject=None, leeway=0, typ=None, max_age=None,\n"
"       now=None, denylist=None)\n"
"--\n\n"
"Verifies ``token`` and returns its claims (``dict``).\n\n"
"``key``: str/bytes secret or PEM, JWK dict, ``Key``, ``KeySet``, ``PyJWK``,\n"
"``PyJWKSet`` or a ``cryptography`` key object. ``algorithms`` is required\n"
"unless ``options={\"verify_signature\": False}`` (or the key is a ``PyJWK``).\n"
"``verify`` is accepted and ignored, as in PyJWT 2. ``leeway``, ``max_age``:\n"
"seconds or ``timedelta``; ``now``: unix time or ``datetime`` (naive is UTC).\n\n"
"A str/bytes key is parsed once and kept in a small cache (at most 32 keys,\n"
"matched on the exact bytes), so passing the same PEM again costs no parse.\n"
"Prefer a ``cjwt.Key`` all the same.\n\n"
"``denylist``: a store (``MemoryStore``, ``RedisStore`` or any object with\n"
"``is_revoked(jti, fid) -> bool``). Once the signature and every claim\n"
"hold, the core asks it about the token's ``jti`` (which must then be a\n"
"string) and family ``fid`` (None if absent): revoked raises\n"
"``RevokedTokenError``; a store that raises refuses the token too\n"
"(``PyJWTError``, code ``internal``, the store's exception as ``__cause__``).");

static PyObject *
py_decode(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    cjwt_state *st = get_state(module);
    PyObject *v[13];
    if (parse_args(st, "decode", decode_params, 13, DECODE_NPOS, args, nargs, kwnames, v) < 0)
        return NULL;
    return decode_impl(st, MODE_CLAIMS, v[0], v[1], v[2], v[5], v[6], v[7], v[8], v[3], v[9],
                       v[10], v[11], v[12]);
}

PyDoc_STRVAR(decode_complete_doc,
"decode_complete($module, /, token, key=None, algorithms=None, options=None,\n"
"                verify=None, *, audience=None, issuer=None, subject=None, leeway=0,\n"
"                typ=None, max_age=None, now=None, denylist=None)\n"
"--\n\n"
"Like :func:`decode`, returning ``{\"header\", \"payload\", \"signature\"}``.");

static PyObject *
py_decode_complete(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames)
{
    cjwt_state *st = get_state(module);
    PyObject *v[13];
    if (parse_args(st, "decode_complete", decode_params, 13, DECODE_NPOS, args, nargs, kwnames,
                   v) < 0)
        return NULL;
    return decode_impl(st, MODE_COMPLETE, v[0], v[1], v[2], v[5], v[6], v[7], v[8], v[3], v[9],
                       v[10], v[11], v[12]);
}

PyDoc_STRVAR(jws_decode_doc,
"jws_decode($module, /, token, key=None, algorithms=None, *, options=None, typ=None,\n"
"           now=None)\n"
"--\n\n"
"Verifies a compact JWS and returns its payload as ``bytes`` (no claim checks).");

static PyObject *
py_jws_decode(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    cjwt_state *st = get_state(module);
    PyObject *v[6];
    if (parse_args(st, "jws_decode", jws_decode_params, 6, JWS_DECODE_NPOS, args, nargs,
                   kwnames, v) < 0)
        return NULL;
    return decode_impl(st, MODE_RAW, v[0], v[1], v[2], NULL, NULL, NULL, NULL, v[3], v[4],
                       NULL, v[5], NULL);
}

PyDoc_STRVAR(get_unverified_header_doc,
"get_unverified_header(token) -> dict\n\n"
"The token's header, parsed strictly but NOT verified: never trust it.");

static PyObject *
py_get_unverified_header(PyObject *module, PyObject *token_obj)
{
    Py_ssize_t len;
    const char *token = token_arg(token_obj, &len);
    if (!token)
        return NULL;
    cjwt_error err = {0};
    cjwt_value *header = cjwt_unverified_header(token, (size_t)len, &err);
    if (!header)
        return raise_error(get_state(module), &err);
    PyObject *result = from_value(header);
    cjwt_value_free(header);
    return result;
}

PyMethodDef decode_functions[] = {
    {"decode", (PyCFunction)(void (*)(void))py_decode, METH_FASTCALL | METH_KEYWORDS,
     decode_doc},
    {"decode_complete", (PyCFunction)(void (*)(void))py_decode_complete,
     METH_FASTCALL | METH_KEYWORDS, decode_complete_doc},
    {"jws_decode", (PyCFunction)(void (*)(void))py_jws_decode, METH_FASTCALL | METH_KEYWORDS,
     jws_decode_doc},
    {"get_unverified_header", py_get_unverified_header, METH_O, get_unverified_header_doc},
    {NULL, NULL, 0, NULL},
};
