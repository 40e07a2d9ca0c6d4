/* jwe_encrypt / jwe_decrypt: JWE (RFC 7516) through the core's
 * cjwt_jwe_encrypt / cjwt_jwe_decrypt. Argument conversion only; every check
 * is the core's (docs/jwe.md). The public signatures are cjwt/_jwe.py's. */
#include "binding.h"

/* A list/tuple of names -> a bit set through `from_name`; -1 with an
 * exception on a bad item (an unknown name is ValueError: a typo must not
 * silently narrow or widen what is allowed). */
static int
names_arg(PyObject *obj, const char *what, int jwe_alg, uint32_t *bits)
{
    PyObject *seq;
    *bits = 0;
    if (PyUnicode_Check(obj) || PyBytes_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a list of names, not a single string", what);
        return -1;
    }
    if (!(seq = PySequence_Fast(obj, "")))  {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a list of names, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        Py_ssize_t len;
        const char *name = utf8_arg(PySequence_Fast_GET_ITEM(seq, i), what, &len);
        unsigned v;
        if (!name) {
            Py_DECREF(seq);
            return -1;
        }
        v = jwe_alg ? (unsigned)cjwt_jwe_alg_from_name(name, (size_t)len)
                    : (unsigned)cjwt_jwe_enc_from_name(name, (size_t)len);
        if (v == (jwe_alg ? (unsigned)CJWT_JWE_ALG__COUNT : (unsigned)CJWT_ENC__COUNT)) {
            PyErr_Format(PyExc_ValueError, "%s: unknown JWE %s %R", what, jwe_alg ? "algorithm" : "encryption",
                         PySequence_Fast_GET_ITEM(seq, i));
            Py_DECREF(seq);
            return -1;
        }
        *bits |= 1u << v;
    }
    Py_DECREF(seq);
    return 0;
}

/* An optional non-negative int option (None: 0, the core's default). */
static int
size_arg(PyObject *obj, const char *what, unsigned long long max, unsigned long long *out)
{
    *out = 0;
    if (obj == Py_None)
        return 0;
    if (PyBool_Check(obj) || !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be int, not %.100s", what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    *out = PyLong_AsUnsignedLongLong(obj);
    if (PyErr_Occurred() || *out == 0 || *out > max) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s must be a positive int up to %llu", what, max);
        return -1;
    }
    return 0;
}

/* alg, enc, headers, zip, p2c -> the core's encryption options
 * (*header_out: a new value or NULL). */
static int
encrypt_opts_args(PyObject *alg_obj, PyObject *enc_obj, PyObject *headers, PyObject *zip,
                  PyObject *p2c_obj, cjwt_jwe_encrypt_opts *opts, cjwt_value **header_out)
{
    unsigned long long p2c = 0;
    Py_ssize_t len;
    const char *name;
    *header_out = NULL;
    if (!(name = utf8_arg(alg_obj, "alg", &len)))
        return -1;
    opts->alg = cjwt_jwe_alg_from_name(name, (size_t)len);
    if (!(name = utf8_arg(enc_obj, "enc", &len)))
        return -1;
    opts->enc = cjwt_jwe_enc_from_name(name, (size_t)len);
    if (zip != Py_None) {
        if (!PyUnicode_Check(zip) || PyUnicode_CompareWithASCIIString(zip, "DEF") != 0) {
            PyErr_SetString(PyExc_ValueError, "zip must be None or \"DEF\"");
            return -1;
        }
        opts->zip = 1;
    }
    if (size_arg(p2c_obj, "p2c", UINT32_MAX, &p2c) < 0)
        return -1;
    opts->p2c = (uint32_t)p2c;
    if (headers != Py_None) {
        if (!PyDict_Check(headers)) {
            PyErr_Format(PyExc_TypeError, "headers must be a dict, not %.100s", Py_TYPE(headers)->tp_name);
            return -1;
        }
        if (!(*header_out = to_value(headers)))
            return -1;
        opts->header = *header_out;
    }
    return 0;
}

PyDoc_STRVAR(jwe_encrypt_doc,
"jwe_encrypt($module, plaintext, key, alg, enc, headers, zip, p2c, /)\n--\n\n"
"Low-level entry point; use cjwt.jwe_encrypt().");

typedef struct {
    PyObject *data;              /* bytes (kept by the caller) */
    const cjwt_jwe_encrypt_opts *opts;
} jwe_encrypt_ctx;

static char *
jwe_encrypt_maker(const void *ctx, const cjwt_key *key, size_t *len, cjwt_error *err)
{
    const jwe_encrypt_ctx *c = ctx;
    return cjwt_jwe_encrypt((const unsigned char *)PyBytes_AS_STRING(c->data),
                            (size_t)PyBytes_GET_SIZE(c->data), key, c->opts, len, err);
}

static PyObject *
py_jwe_encrypt(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jwe_encrypt", nargs, 7))
        return NULL;
    cjwt_jwe_encrypt_opts opts = {0};
    cjwt_value *header = NULL;
    jwe_encrypt_ctx ctx = {NULL, &opts};
    PyObject *result = NULL;

    if (!(ctx.data = data_arg(args[0], "plaintext")))
        return NULL;
    if (encrypt_opts_args(args[2], args[3], args[4], args[5], args[6], &opts, &header) == 0)
        result = make_token(get_state(module), args[1], jwe_encrypt_maker, &ctx);
    cjwt_value_free(header);
    Py_DECREF(ctx.data);
    return result;
}

PyDoc_STRVAR(jwe_decrypt_doc,
"jwe_decrypt($module, token, key, algorithms, encryptions, max_plaintext, max_p2c,\n"
"            max_token_len, /)\n--\n\n"
"Low-level entry point; use cjwt.jwe_decrypt(). Returns (plaintext, header).");

static PyObject *
py_jwe_decrypt(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jwe_decrypt", nargs, 7))
        return NULL;
    cjwt_state *st = get_state(module);
    cjwt_jwe_decrypt_opts opts = {0};
    cjwt_key *key = NULL;
    cjwt_jwe *jwe = NULL;
    cjwt_error err = {0};
    unsigned long long maxpt = 0, maxp2c = 0, maxlen = 0;
    Py_ssize_t len;
    const char *token;
    PyObject *tok_ref, *result = NULL, *pt = NULL, *hdr = NULL;

    /* str or bytes (the JSON serialization as text too; a dict is turned
     * into text by cjwt/_jwe.py) */
    if (!(token = token_arg(args[0], &len)))
        return NULL;
    tok_ref = Py_NewRef(args[0]);   /* immutable: stable while the GIL is released */
    if (names_arg(args[2], "algorithms", 1, &opts.algorithms) < 0 ||
        names_arg(args[3], "encryptions", 0, &opts.encryptions) < 0 ||
        size_arg(args[4], "max_plaintext", (unsigned long long)PY_SSIZE_T_MAX, &maxpt) < 0 ||
        size_arg(args[5], "max_p2c", UINT32_MAX, &maxp2c) < 0 ||
        size_arg(args[6], "max_token_len", (unsigned long long)PY_SSIZE_T_MAX, &maxlen) < 0)
        goto done;
    opts.max_plaintext = (size_t)maxpt;
    opts.max_p2c = (uint32_t)maxp2c;
    opts.max_token_len = (size_t)maxlen;
    if (key_arg(st, args[1], &key) < 0)
        goto done;

    Py_BEGIN_ALLOW_THREADS
    jwe = cjwt_jwe_decrypt(&opts, key, token, (size_t)len, &err);
    Py_END_ALLOW_THREADS

    if (!jwe) {
        raise_error(st, &err);
        goto done;
    }
    {
        size_t n = 0;
        const unsigned char *p = cjwt_jwe_plaintext(jwe, &n);
        if (!(pt = PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n)) ||
            !(hdr = from_value_st(cjwt_jwe_header(jwe), st)))
            goto done;
        result = PyTuple_Pack(2, pt, hdr);
    }
done:
    Py_XDECREF(pt);
    Py_XDECREF(hdr);
    Py_DECREF(tok_ref);
    cjwt_jwe_free(jwe);
    cjwt_key_free(key);
    return result;
}

/* ---- encrypted and nested JWTs ---------------------------------------- */

PyDoc_STRVAR(jwt_encrypt_doc,
"jwt_encrypt($module, payload, key, alg, enc, headers, zip, p2c, expires_in, now,\n"
"            signing_key, algorithm, sign_headers, /)\n--\n\n"
"Low-level entry point; use cjwt.encode_encrypted().");

typedef struct {
    const cjwt_value *claims;
    const cjwt_jwt_encrypt_opts *opts;
} jwt_encrypt_ctx;

static char *
jwt_encrypt_maker(const void *ctx, const cjwt_key *key, size_t *len, cjwt_error *err)
{
    const jwt_encrypt_ctx *c = ctx;
    return cjwt_jwt_encrypt(c->claims, key, c->opts, len, err);
}

static PyObject *
py_jwt_encrypt(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jwt_encrypt", nargs, 12))
        return NULL;
    PyObject *payload = args[0], *signing_key = args[9];
    cjwt_state *st = get_state(module);
    cjwt_jwt_encrypt_opts opts;
    cjwt_value *header = NULL, *sign_header = NULL, *claims = NULL;
    cjwt_key *skey = NULL;
    jwt_encrypt_ctx ctx = {NULL, &opts};
    PyObject *result = NULL;

    memset(&opts, 0, sizeof opts);
    if (!PyDict_Check(payload)) {
        PyErr_SetString(PyExc_TypeError,
                        "Expecting a dict object, as JWT only supports JSON objects as payloads.");
        return NULL;
    }
    if (encrypt_opts_args(args[2], args[3], args[4], args[5], args[6], &opts.jwe, &header) < 0 ||
        expires_in_arg(args[7], &opts.sign) < 0)
        goto done;
    if (signing_key != Py_None) {
        if (args[10] == Py_None) {
            PyErr_SetString(PyExc_TypeError, "a signing key needs its algorithm");
            goto done;
        }
        if (sign_opts_args(args[10], args[11], args[8], &opts.sign, &sign_header) < 0 ||
            key_arg(st, signing_key, &skey) < 0)
            goto done;
        opts.signing_key = skey;
    } else if (args[10] != Py_None || args[11] != Py_None) {
        PyErr_SetString(PyExc_TypeError, "algorithm and sign_headers need a signing_key");
        goto done;
    } else if (args[8] != Py_None) {
        if (number_arg(args[8], "now", &opts.sign.now) < 0)
            goto done;
        opts.sign.has_now = 1;
    }
    if (!(claims = to_value(payload)))
        goto done;
    ctx.claims = claims;
    result = make_token(st, args[1], jwt_encrypt_maker, &ctx);
done:
    cjwt_key_free(skey);
    cjwt_value_free(claims);
    cjwt_value_free(header);
    cjwt_value_free(sign_header);
    return result;
}

PyDoc_STRVAR(jwt_decrypt_doc,
"jwt_decrypt($module, token, key, algorithms, encryptions, max_plaintext, max_p2c,\n"
"            max_token_len, verification_key, signature_algorithms, options, audience,\n"
"            issuer, subject, leeway, typ, max_age, now, denylist, complete, /)\n--\n\n"
"Low-level entry point; use cjwt.decode_encrypted().");

static PyObject *
py_jwt_decrypt(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jwt_decrypt", nargs, 19))
        return NULL;
    cjwt_state *st = get_state(module);
    cjwt_jwt_decrypt_opts opts;
    cjwt_key *key = NULL;
    cjwt_decrypted_jwt *d = NULL;
    cjwt_error err = {0};
    unsigned long long maxpt = 0, maxp2c = 0, maxlen = 0;
    decode_argv argv;
    decode_settings a;
    verify_input in;
    denylist_call call = {NULL}, *outer;
    PyObject *algorithms = args[8], *tok_ref = NULL, *result = NULL;
    int complete = PyObject_IsTrue(args[18]);

    memset(&opts, 0, sizeof opts);
    memset(&argv, 0, sizeof argv);
    memset(&a, 0, sizeof a);
    memset(&in, 0, sizeof in);
    if (complete < 0)
        return NULL;
    /* the verification key (a PyJWK may bring its algorithms) and the token */
    if (verify_input_begin(st, args[0], args[7], &algorithms, &in) < 0)
        goto done;
    tok_ref = Py_NewRef(args[0]);   /* immutable: stable while the GIL is released */
    argv.token = args[0];
    argv.key = in.key_obj;
    argv.algorithms = algorithms;
    argv.options = args[9];
    argv.audience = args[10];
    argv.issuer = args[11];
    argv.subject = args[12];
    argv.leeway = args[13] == Py_None ? NULL : args[13];
    argv.typ = args[14];
    argv.max_age = args[15] == Py_None ? NULL : args[15];
    argv.denylist = args[17];
    if (decode_settings_parse(st, MODE_ENCRYPTED, "calling decode_encrypted() with a "
                              "verification_key", &argv, &a) < 0 ||
        verify_input_finish(st, args[16], &in) < 0)
        goto done;
    opts.verify = a.opts;
    opts.verification_key = in.key;
    opts.verification_keyset = in.keyset;
    if (names_arg(args[2], "algorithms", 1, &opts.jwe.algorithms) < 0 ||
        names_arg(args[3], "encryptions", 0, &opts.jwe.encryptions) < 0 ||
        size_arg(args[4], "max_plaintext", (unsigned long long)PY_SSIZE_T_MAX, &maxpt) < 0 ||
        size_arg(args[5], "max_p2c", UINT32_MAX, &maxp2c) < 0 ||
        size_arg(args[6], "max_token_len", (unsigned long long)PY_SSIZE_T_MAX, &maxlen) < 0)
        goto done;
    opts.jwe.max_plaintext = (size_t)maxpt;
    opts.jwe.max_p2c = (uint32_t)maxp2c;
    opts.jwe.max_token_len = (size_t)maxlen;
    if (key_arg(st, args[1], &key) < 0)
        goto done;

    outer = denylist_enter(&call);   /* is_revoked may decode too */
    Py_BEGIN_ALLOW_THREADS
    d = cjwt_jwt_decrypt(&opts, key, in.token, in.token_len, in.has_now, in.now, &err);
    Py_END_ALLOW_THREADS
    denylist_leave(outer);

    if (!d) {
        denylist_raise(st, &err, &call);
        goto done;
    }
    if (!complete) {
        result = from_value_st(cjwt_decrypted_jwt_payload(d), st);
    } else {
        const cjwt_value *inner = cjwt_decrypted_jwt_header(d);
        PyObject *header = from_value_st(cjwt_decrypted_jwt_jwe_header(d), st);
        PyObject *payload = header ? from_value_st(cjwt_decrypted_jwt_payload(d), st) : NULL;
        PyObject *jws_header = !payload ? NULL : inner ? from_value_st(inner, st) : Py_NewRef(Py_None);
        if (jws_header)
            result = Py_BuildValue("{sOsOsO}", "header", header, "payload", payload,
                                   "jws_header", jws_header);
        Py_XDECREF(header);
        Py_XDECREF(payload);
        Py_XDECREF(jws_header);
    }
done:
    Py_XDECREF(call.exc);
    Py_XDECREF(tok_ref);
    cjwt_decrypted_jwt_free(d);
    cjwt_key_free(key);
    verify_input_release(&in);
    decode_settings_release(&a);
    return result;
}

/* ---- the JSON serialization on encryption ------------------------------ */

PyDoc_STRVAR(jwe_encrypt_json_doc,
"jwe_encrypt_json($module, plaintext, recipients, enc, protected, unprotected, aad, zip,\n"
"                 flattened, /)\n--\n\n"
"Low-level entry point; use cjwt.jwe_encrypt_json(). recipients: a list of\n"
"(key, alg, header or None, p2c or None) tuples. Returns the JSON text.");

static PyObject *
py_jwe_encrypt_json(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jwe_encrypt_json", nargs, 8))
        return NULL;
    cjwt_state *st = get_state(module);
    cjwt_jwe_json_opts opts;
    cjwt_jwe_recipient *rs = NULL;
    cjwt_value **rheaders = NULL, *prot = NULL, *unprot = NULL;
    cjwt_key **keys = NULL;
    cjwt_error err = {0};
    PyObject *data = NULL, *aad = NULL, *seq = NULL, *result = NULL;
    Py_ssize_t n = 0, i;
    const char *name;
    Py_ssize_t len;
    char *text = NULL;
    size_t text_len = 0;
    int flat;

    memset(&opts, 0, sizeof opts);
    if (!(data = data_arg(args[0], "plaintext")))
        return NULL;
    if (!(seq = PySequence_Fast(args[1], "recipients must be a list")))
        goto done;
    n = PySequence_Fast_GET_SIZE(seq);
    if (!(rs = PyMem_Calloc((size_t)n + 1, sizeof *rs)) ||
        !(keys = PyMem_Calloc((size_t)n + 1, sizeof *keys)) ||
        !(rheaders = PyMem_Calloc((size_t)n + 1, sizeof *rheaders))) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i < n; i++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, i);
        unsigned long long p2c = 0;
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4) {
            PyErr_SetString(PyExc_TypeError, "each recipient must be (key, alg, header, p2c)");
            goto done;
        }
        if (!(name = utf8_arg(PyTuple_GET_ITEM(t, 1), "alg", &len)))
            goto done;
        rs[i].alg = cjwt_jwe_alg_from_name(name, (size_t)len);
        if (PyTuple_GET_ITEM(t, 2) != Py_None) {
            if (!PyDict_Check(PyTuple_GET_ITEM(t, 2))) {
                PyErr_SetString(PyExc_TypeError, "a recipient's header must be a dict");
                goto done;
            }
            if (!(rheaders[i] = to_value(PyTuple_GET_ITEM(t, 2))))
                goto done;
            rs[i].header = rheaders[i];
        }
        if (size_arg(PyTuple_GET_ITEM(t, 3), "p2c", UINT32_MAX, &p2c) < 0 ||
            key_arg(st, PyTuple_GET_ITEM(t, 0), &keys[i]) < 0)
            goto done;
        rs[i].p2c = (uint32_t)p2c;
        rs[i].key = keys[i];
    }
    if (!(name = utf8_arg(args[2], "enc", &len)))
        goto done;
    opts.enc = cjwt_jwe_enc_from_name(name, (size_t)len);
    if ((args[3] != Py_None && (!PyDict_Check(args[3]) || !(prot = to_value(args[3])))) ||
        (args[4] != Py_None && (!PyDict_Check(args[4]) || !(unprot = to_value(args[4]))))) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "protected and unprotected must be dicts");
        goto done;
    }
    opts.protected_header = prot;
    opts.unprotected = unprot;
    if (args[5] != Py_None) {
        if (!(aad = data_arg(args[5], "aad")))
            goto done;
        opts.aad = (const unsigned char *)PyBytes_AS_STRING(aad);
        opts.aad_len = (size_t)PyBytes_GET_SIZE(aad);
    }
    if (args[6] != Py_None) {
        if (!PyUnicode_Check(args[6]) || PyUnicode_CompareWithASCIIString(args[6], "DEF") != 0) {
            PyErr_SetString(PyExc_ValueError, "zip must be None or \"DEF\"");
            goto done;
        }
        opts.zip = 1;
    }
    if ((flat = PyObject_IsTrue(args[7])) < 0)
        goto done;
    opts.flattened = flat;

    Py_BEGIN_ALLOW_THREADS
    text = cjwt_jwe_encrypt_json((const unsigned char *)PyBytes_AS_STRING(data),
                                 (size_t)PyBytes_GET_SIZE(data), rs, (size_t)n, &opts, &text_len,
                                 &err);
    Py_END_ALLOW_THREADS

    if (!text)
        raise_error(st, &err);
    else
        result = PyUnicode_DecodeUTF8(text, (Py_ssize_t)text_len, "strict");
done:
    cjwt_free(text);
    for (i = 0; keys && rheaders && i < n; i++) {
        cjwt_key_free(keys[i]);
        cjwt_value_free(rheaders[i]);
    }
    PyMem_Free(keys);
    PyMem_Free(rheaders);
    PyMem_Free(rs);
    cjwt_value_free(prot);
    cjwt_value_free(unprot);
    Py_XDECREF(seq);
    Py_XDECREF(aad);
    Py_DECREF(data);
    return result;
}

PyMethodDef jwe_functions[] = {
    {"jwe_encrypt_json", (PyCFunction)(void (*)(void))py_jwe_encrypt_json, METH_FASTCALL,
     jwe_encrypt_json_doc},
    {"jwt_encrypt", (PyCFunction)(void (*)(void))py_jwt_encrypt, METH_FASTCALL, jwt_encrypt_doc},
    {"jwt_decrypt", (PyCFunction)(void (*)(void))py_jwt_decrypt, METH_FASTCALL, jwt_decrypt_doc},
    {"jwe_encrypt", (PyCFunction)(void (*)(void))py_jwe_encrypt, METH_FASTCALL, jwe_encrypt_doc},
    {"jwe_decrypt", (PyCFunction)(void (*)(void))py_jwe_decrypt, METH_FASTCALL, jwe_decrypt_doc},
    {NULL, NULL, 0, NULL},
};
