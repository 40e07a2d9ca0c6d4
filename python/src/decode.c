/* decode / decode_complete / jws_decode / get_unverified_header, and the
 * verification call they share with cjwt.Verifier. */
#include "binding.h"

/* The argument lists of the public entry points; the first `npos` can be
 * given by position. */
static const decode_param decode_params[] = {
    DECODE_PARAM(KW_TOKEN, token), DECODE_PARAM(KW_KEY, key),
    DECODE_PARAM(KW_ALGORITHMS, algorithms), DECODE_PARAM(KW_OPTIONS, options),
    DECODE_PARAM(KW_VERIFY, verify), DECODE_PARAM(KW_AUDIENCE, audience),
    DECODE_PARAM(KW_ISSUER, issuer), DECODE_PARAM(KW_SUBJECT, subject),
    DECODE_PARAM(KW_LEEWAY, leeway), DECODE_PARAM(KW_TYP, typ),
    DECODE_PARAM(KW_MAX_AGE, max_age), DECODE_PARAM(KW_NOW, now),
    DECODE_PARAM(KW_DENYLIST, denylist),
    /* PyJWT's names, keyword only: its token parameter, and detached_payload
     * (only None: a JWT never has a detached or unencoded payload) */
    DECODE_PARAM(KW_JWT, token), DECODE_PARAM(KW_DETACHED_PAYLOAD, detached_payload),
};
#define DECODE_NPOS 5
static const decode_param jws_decode_params[] = {
    DECODE_PARAM(KW_TOKEN, token), DECODE_PARAM(KW_KEY, key),
    DECODE_PARAM(KW_ALGORITHMS, algorithms), DECODE_PARAM(KW_OPTIONS, options),
    DECODE_PARAM(KW_TYP, typ), DECODE_PARAM(KW_NOW, now),
    DECODE_PARAM(KW_DETACHED_PAYLOAD, detached_payload),
};
#define JWS_DECODE_NPOS 3
#define N_PARAMS(p) ((int)(sizeof(p) / sizeof((p)[0])))

/* A `now` argument (NULL/None: the clock; unix time or datetime). */
static int
now_arg(cjwt_state *st, PyObject *now_in, int *has_now, double *now)
{
    *has_now = 0;
    if (!now_in || now_in == Py_None)
        return 0;
    PyObject *now_obj = convert_arg(st->time_hook, now_in);
    if (!now_obj)
        return -1;
    int rc = number_arg(now_obj, "now", now);
    Py_DECREF(now_obj);
    if (rc == 0)
        *has_now = 1;
    return rc;
}

/* The token and the key (through cjwt._slow_key, which may replace
 * *algorithms_io too: a PyJWK brings its own). Arguments borrowed; key may
 * be NULL (None). */
int
verify_input_begin(cjwt_state *st, PyObject *token, PyObject *key, PyObject **algorithms_io,
                   verify_input *in)
{
    Py_ssize_t len;
    in->key_obj = key ? key : Py_None;
    if (slow_key_arg(st, &in->key_obj, algorithms_io, &in->converted) < 0)
        return -1;
    if (!(in->token = token_arg(token, &len))) {
        if (!PyBytes_Check(token) && !PyUnicode_Check(token)) {
            PyErr_Clear();
            return compat_token_type_error(st);
        }
        return -1;
    }
    in->token_len = (size_t)len;
    return 0;
}

/* The time (NULL/None: the clock) and the core key or key set. */
int
verify_input_finish(cjwt_state *st, PyObject *now, verify_input *in)
{
    if (now_arg(st, now, &in->has_now, &in->now) < 0)
        return -1;
    return key_or_keyset_arg(st, in->key_obj, &in->key, &in->keyset);
}

void
verify_input_release(verify_input *in)
{
    cjwt_key_free(in->key);
    cjwt_keyset_free(in->keyset);
    Py_XDECREF(in->converted);
}

/* Tokens up to this many bytes are verified without releasing the GIL when
 * the work is an HMAC or no signature at all (see gil_pointless). The same
 * bound as hashlib's (HASHLIB_GIL_MINSIZE): below it, hashing costs less
 * than giving the GIL up and taking it back. */
#define GIL_KEEP_MAX_TOKEN 2048

/* 1 when releasing the GIL around this verification is pointless: a short
 * token, checked with an HMAC secret (a cjwt.Key or str/bytes secret) or
 * with no key at all (verify_signature False, decode_unsecured), and no
 * denylist (its store is Python code that may block on a network). The
 * verification then takes about as long as dropping and re-taking the GIL
 * (a mutex, a condition signal and atomics each way); under contention it
 * is worse: a waiting thread takes the released GIL and this one waits for
 * the switch interval to get it back. Keys sets (several keys may be tried),
 * RSA/EC/EdDSA keys and long tokens keep releasing it, so other threads
 * run meanwhile. Only the GIL handling differs: the same core call, the
 * same result (tests/python/test_gil_and_now.py). */
static inline int
gil_pointless(const verify_input *in)
{
    return in->token_len <= GIL_KEEP_MAX_TOKEN && !in->keyset && !in->denylist &&
           (!in->key || cjwt_key_type(in->key) == CJWT_KTY_OCT);
}

/* The verification itself: through the compiled verifier `v` when given
 * (its cache, its hook), else with `opts` directly; the GIL released unless
 * gil_pointless. Returns the result for `mode` (a new dict, or bytes for
 * MODE_RAW; a hit of a Verifier's cache is converted afresh too, so callers
 * may mutate it), or NULL with the mapped exception set (with the denylist
 * store's own exception as __cause__ when the store failed). Everything
 * passed in must stay alive for the call (the caller holds it). */
PyObject *
verify_call(cjwt_state *st, int mode, const cjwt_verifier *v, const cjwt_verify_opts *opts,
            const verify_input *in)
{
    const cjwt_key *key = in->key;
    const cjwt_keyset *keyset = in->keyset;
    const char *token = in->token;
    size_t len = in->token_len;
    int has_now = in->has_now;
    double now = in->now;
    cjwt_error err;
    cjwt_decoded *dec;
    PyObject *result = NULL;
    denylist_call call = {NULL}, *outer = NULL;

    err.code = CJWT_OK;                  /* as cjwtp_error_clear: not the whole struct */
    err.message[0] = err.claim[0] = '\0';

#define VERIFY_CORE()                                                                        \
    do {                                                                                     \
        if (mode == MODE_UNSECURED)                                                          \
            dec = cjwt_decode_unsecured(opts, token, len, has_now, now, &err);               \
        else if (v)                                                                          \
            dec = keyset ? cjwt_verify_keyset(v, keyset, token, len, has_now, now, &err)     \
                         : cjwt_verify(v, key, token, len, has_now, now, &err);              \
        else                                                                                 \
            dec = keyset ? cjwt_verify_keyset_with(opts, keyset, token, len, has_now, now,   \
                                                   &err)                                     \
                         : cjwt_verify_with(opts, key, token, len, has_now, now, &err);      \
    } while (0)
    if (gil_pointless(in)) {
        /* no denylist: nothing calls back into Python */
        VERIFY_CORE();
    } else {
        outer = denylist_enter(&call);   /* is_revoked may decode too */
        Py_BEGIN_ALLOW_THREADS
        VERIFY_CORE();
        Py_END_ALLOW_THREADS
        denylist_leave(outer);
    }
#undef VERIFY_CORE

    if (!dec) {
        denylist_raise(st, &err, &call);
        goto done;
    }
    if (mode == MODE_RAW) {
        size_t n = 0;
        const unsigned char *bytes = cjwt_decoded_payload_bytes(dec, &n);
        result = PyBytes_FromStringAndSize((const char *)bytes, (Py_ssize_t)n);
    } else if (mode == MODE_CLAIMS || mode == MODE_UNSECURED) {
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

/* The body of decode / decode_complete / jws_decode: `argv` as parsed by
 * parse_args (its algorithms may be replaced by a PyJWK's). */
static PyObject *
decode_impl(cjwt_state *st, int mode, decode_argv *argv)
{
    decode_settings a;
    verify_input in;
    PyObject *result = NULL;

    memset(&a, 0, sizeof a);
    memset(&in, 0, sizeof in);
    if (mode == MODE_RAW || mode == MODE_JWS_COMPLETE) {
        if (jws_needs_json_path(mode, argv))
            return jws_json_decode(st, mode, argv);
    } else if (argv->detached_payload && argv->detached_payload != Py_None) {
        return raise_code(st, CJWT_E_MALFORMED,
                          "a JWT never has a detached or unencoded payload (RFC 7797 7): "
                          "verify such a JWS with jws_decode(..., detached_payload=)", NULL);
    }
    if (mode == MODE_UNSECURED &&
        ((argv->key && argv->key != Py_None) || (argv->algorithms && argv->algorithms != Py_None) ||
         (argv->denylist && argv->denylist != Py_None))) {
        PyErr_SetString(PyExc_TypeError, "decode_unsecured() takes no key, algorithms or "
                        "denylist: an unsecured token has no signature to check");
        return NULL;
    }
    if (!argv->algorithms)
        argv->algorithms = Py_None;
    if (verify_input_begin(st, argv->token, argv->key, &argv->algorithms, &in) < 0)
        goto done;
    if (decode_settings_parse(st, mode, "calling decode()", argv, &a) < 0)
        goto done;
    if (verify_input_finish(st, argv->now, &in) < 0)
        goto done;
    in.denylist = a.opts.revocation != NULL;
    /* Every pointer in a.opts is kept alive by `a` and the arguments, the
     * token by the argument tuple, the key (set) by its own reference. */
    result = verify_call(st, mode, NULL, &a.opts, &in);
done:
    verify_input_release(&in);
    decode_settings_release(&a);
    return result;
}

/* One entry point: its arguments parsed, then decode_impl. */
static PyObject *
decode_entry(PyObject *module, int mode, const char *fn, PyObject *const *args,
             Py_ssize_t nargs, PyObject *kwnames)
{
    cjwt_state *st = get_state(module);
    decode_argv argv;
    int rc = mode == MODE_RAW || mode == MODE_JWS_COMPLETE
                 ? parse_args(st, fn, jws_decode_params, N_PARAMS(jws_decode_params),
                              JWS_DECODE_NPOS, args, nargs, kwnames, &argv, 0)
                 : parse_args(st, fn, decode_params, N_PARAMS(decode_params), DECODE_NPOS,
                              args, nargs, kwnames, &argv, 1);
    return rc < 0 ? NULL : decode_impl(st, mode, &argv);
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
"(``RevocationUnavailableError``, code ``unavailable``, the store's\n"
"exception as ``__cause__``).");

MODE_ENTRY_POINT(py_decode, PyObject *, decode_entry, MODE_CLAIMS, "decode")

PyDoc_STRVAR(decode_complete_doc,
"decode_complete($module, /, token, key=None, algorithms=None, options=None,\n"
"                verify=None, *, audience=None, issuer=None, subject=None, leeway=0,\n"
"                typ=None, max_age=None, now=None, denylist=None)\n"
"--\n\n"
"Like :func:`decode`, returning ``{\"header\", \"payload\", \"signature\"}``.");

MODE_ENTRY_POINT(py_decode_complete, PyObject *, decode_entry, MODE_COMPLETE, "decode_complete")

PyDoc_STRVAR(decode_unsecured_doc,
"decode_unsecured($module, /, token, key=None, algorithms=None, options=None,\n"
"                 verify=None, *, audience=None, issuer=None, subject=None, leeway=0,\n"
"                 typ=None, max_age=None, now=None, denylist=None)\n"
"--\n\n"
"Low-level entry point (key, algorithms and denylist must be None); use\n"
"cjwt.decode_unsecured().");

MODE_ENTRY_POINT(py_decode_unsecured, PyObject *, decode_entry, MODE_UNSECURED,
                 "decode_unsecured")

PyDoc_STRVAR(jws_decode_doc,
"jws_decode($module, /, token, key=None, algorithms=None, *, options=None, typ=None,\n"
"           now=None, detached_payload=None)\n"
"--\n\n"
"Verifies a JWS and returns its payload as ``bytes`` (no claim checks): the compact\n"
"form, or the JSON serialization (text or dict; several signatures: the first that\n"
"verifies with an allowed algorithm and the key wins). ``detached_payload``: the\n"
"payload of a detached JWS (bytes or str), RFC 7797 ``b64: false`` or not.");

MODE_ENTRY_POINT(py_jws_decode, PyObject *, decode_entry, MODE_RAW, "jws_decode")

PyDoc_STRVAR(jws_decode_complete_doc,
"jws_decode_complete($module, /, token, key=None, algorithms=None, *, options=None,\n"
"                    typ=None, now=None, detached_payload=None)\n"
"--\n\n"
"Verifies a JWS (compact, or the JSON serialization as text or dict) and returns\n"
"``{\"payload\": bytes, \"header\", \"protected\", \"unprotected\", \"signature\",\n"
"\"signature_index\"}``: the signature that verified and its headers.");

static PyObject *
py_jws_decode_complete(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames)
{
    return decode_entry(module, MODE_JWS_COMPLETE, "jws_decode_complete", args, nargs, kwnames);
}

PyDoc_STRVAR(get_unverified_header_doc,
"get_unverified_header($module, token, /)\n--\n\n"
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
    {"decode_unsecured", (PyCFunction)(void (*)(void))py_decode_unsecured,
     METH_FASTCALL | METH_KEYWORDS, decode_unsecured_doc},
    {"jws_decode", (PyCFunction)(void (*)(void))py_jws_decode, METH_FASTCALL | METH_KEYWORDS,
     jws_decode_doc},
    {"jws_decode_complete", (PyCFunction)(void (*)(void))py_jws_decode_complete,
     METH_FASTCALL | METH_KEYWORDS, jws_decode_complete_doc},
    {"get_unverified_header", py_get_unverified_header, METH_O, get_unverified_header_doc},
    {NULL, NULL, 0, NULL},
};
