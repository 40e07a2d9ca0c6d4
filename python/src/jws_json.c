/* The JWS JSON serialization (jws_encode_json), and the JWS verifications
 * that go through cjwt_jws_verify: JSON input, detached payloads
 * (jws_decode's detached_payload=) and jws_decode_complete. */
#include "binding.h"

/* A str/bytes/bytes-like argument as a new bytes reference (str as UTF-8). */
static PyObject *
text_data_arg(PyObject *obj, const char *what)
{
    PyObject *out = NULL;
    int rc = bytes_arg(obj, &out);
    if (rc == 0)
        PyErr_Format(PyExc_TypeError, "%s must be bytes or str, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
    return rc == 1 ? out : NULL;
}

/* A dict token (a JSON-serialized JWS as Python objects) as JSON text. */
static PyObject *
token_text(cjwt_state *st, PyObject *token)
{
    cjwt_error err = {0};
    cjwt_value *v;
    char *s;
    size_t n = 0;
    PyObject *out;
    if (!PyDict_Check(token))
        return Py_NewRef(token);
    if (!(v = to_value(token)))
        return NULL;
    s = cjwt_value_to_json(v, &n, &err);
    cjwt_value_free(v);
    if (!s)
        return raise_error(st, &err);
    out = PyBytes_FromStringAndSize(s, (Py_ssize_t)n);
    cjwt_free(s);
    return out;
}

int
jws_needs_json_path(int mode, const decode_argv *argv)
{
    PyObject *t = argv->token;
    if (mode == MODE_JWS_COMPLETE || PyDict_Check(t))
        return 1;
    if (argv->detached_payload && argv->detached_payload != Py_None)
        return 1;
    /* JSON text: the first non-blank character is '{' (never in a compact token) */
    if (PyUnicode_Check(t)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(t);
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(t, i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                return c == '{';
        }
    } else if (PyBytes_Check(t)) {
        const char *s = PyBytes_AS_STRING(t);
        for (Py_ssize_t i = 0; i < PyBytes_GET_SIZE(t); i++)
            if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                return s[i] == '{';
    }
    return 0;
}

static PyObject *
header_or_none(const cjwt_value *v, cjwt_state *st)
{
    return v ? from_value_st(v, st) : Py_NewRef(Py_None);
}

PyObject *
jws_json_decode(cjwt_state *st, int mode, decode_argv *argv)
{
    decode_settings a;
    verify_input in;
    PyObject *token = NULL, *det = NULL, *result = NULL;
    cjwt_error err = {0};
    cjwt_decoded *dec = NULL;

    memset(&a, 0, sizeof a);
    memset(&in, 0, sizeof in);
    if (!(token = token_text(st, argv->token)))
        return NULL;
    if (argv->detached_payload && argv->detached_payload != Py_None &&
        !(det = text_data_arg(argv->detached_payload, "detached_payload")))
        goto done;
    if (!argv->algorithms)
        argv->algorithms = Py_None;
    if (verify_input_begin(st, token, argv->key, &argv->algorithms, &in) < 0)
        goto done;
    if (decode_settings_parse(st, MODE_RAW, "calling decode()", argv, &a) < 0)
        goto done;
    if (verify_input_finish(st, argv->now, &in) < 0)
        goto done;

    Py_BEGIN_ALLOW_THREADS
    dec = cjwt_jws_verify(&a.opts, in.key, in.keyset, in.token, in.token_len,
                          det ? (const unsigned char *)PyBytes_AS_STRING(det) : NULL,
                          det ? (size_t)PyBytes_GET_SIZE(det) : 0, &err);
    Py_END_ALLOW_THREADS

    if (!dec) {
        raise_error(st, &err);
        goto done;
    }
    size_t n = 0, sig_len = 0;
    const unsigned char *bytes = cjwt_decoded_payload_bytes(dec, &n);
    PyObject *payload = PyBytes_FromStringAndSize((const char *)bytes, (Py_ssize_t)n);
    if (mode == MODE_RAW || !payload) {
        result = payload;
        goto done;
    }
    const unsigned char *sig = cjwt_decoded_signature(dec, &sig_len);
    PyObject *header = from_value_st(cjwt_decoded_header(dec), st);
    PyObject *prot = header ? header_or_none(cjwt_decoded_protected_header(dec), st) : NULL;
    PyObject *unprot = prot ? header_or_none(cjwt_decoded_unprotected_header(dec), st) : NULL;
    PyObject *signature =
        unprot ? PyBytes_FromStringAndSize((const char *)sig, (Py_ssize_t)sig_len) : NULL;
    if (signature)
        result = Py_BuildValue("{sOsOsOsOsOsn}", "payload", payload, "header", header,
                               "protected", prot, "unprotected", unprot, "signature", signature,
                               "signature_index", (Py_ssize_t)cjwt_decoded_signature_index(dec));
    Py_DECREF(payload);
    Py_XDECREF(header);
    Py_XDECREF(prot);
    Py_XDECREF(unprot);
    Py_XDECREF(signature);
done:
    cjwt_decoded_free(dec);
    verify_input_release(&in);
    decode_settings_release(&a);
    Py_XDECREF(det);
    Py_XDECREF(token);
    return result;
}

/* ---- jws_encode_json ------------------------------------------------- */

static int
optional_dict(PyObject *obj, const char *what, cjwt_value **out)
{
    *out = NULL;
    if (obj == Py_None)
        return 0;
    if (!PyDict_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a dict, not %.100s", what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return (*out = to_value(obj)) ? 0 : -1;
}

PyDoc_STRVAR(jws_encode_json_doc,
"jws_encode_json($module, data, signers, flattened, detached, sort_headers, /)\n--\n\n"
"Low-level entry point; use cjwt.jws_encode_json(). signers: a sequence of\n"
"(key, algorithm, protected header or None, unprotected header or None).");

static PyObject *
py_jws_encode_json(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jws_encode_json", nargs, 5))
        return NULL;
    cjwt_state *st = get_state(module);
    PyObject *data = NULL, *seq = NULL, *result = NULL;
    cjwt_jws_signer signers[CJWT_JWS_MAX_SIGNATURES];
    cjwt_value *values[2 * CJWT_JWS_MAX_SIGNATURES] = {NULL};
    cjwt_key *keys[CJWT_JWS_MAX_SIGNATURES] = {NULL};
    cjwt_jws_json_opts o = {signers, 0, 0, 0, 0};
    cjwt_error err = {0};
    char *text = NULL;
    size_t len = 0;
    Py_ssize_t n;
    int flag;

    if (!(data = text_data_arg(args[0], "data")))
        return NULL;
    if (!(seq = PySequence_Fast(args[1], "signers must be a list")))
        goto done;
    n = PySequence_Fast_GET_SIZE(seq);
    if (n == 0 || n > CJWT_JWS_MAX_SIGNATURES) {
        raise_code(st, n ? CJWT_E_TOO_LARGE : CJWT_E_MALFORMED,
                   n ? "too many signers (at most 16)" : "a JSON JWS needs at least one signer", NULL);
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4) {
            PyErr_SetString(PyExc_TypeError, "each signer is (key, algorithm, protected, header)");
            goto done;
        }
        Py_ssize_t alen;
        const char *alg = utf8_arg(PyTuple_GET_ITEM(item, 1), "algorithm", &alen);
        if (!alg)
            goto done;
        signers[i].alg = cjwt_alg_from_name(alg, (size_t)alen);
        if (key_arg(st, PyTuple_GET_ITEM(item, 0), &keys[i]) < 0 ||
            optional_dict(PyTuple_GET_ITEM(item, 2), "protected", &values[2 * i]) < 0 ||
            optional_dict(PyTuple_GET_ITEM(item, 3), "header", &values[2 * i + 1]) < 0)
            goto done;
        signers[i].key = keys[i];
        signers[i].protected_header = values[2 * i];
        signers[i].header = values[2 * i + 1];
        o.n_signers = (size_t)i + 1;
    }
    if ((flag = PyObject_IsTrue(args[2])) < 0)
        goto done;
    o.flattened = flag;
    if ((flag = PyObject_IsTrue(args[3])) < 0)
        goto done;
    o.detached = flag;
    if ((flag = PyObject_IsTrue(args[4])) < 0)
        goto done;
    o.keep_header_order = !flag;

    Py_BEGIN_ALLOW_THREADS
    text = cjwt_jws_json_encode((const unsigned char *)PyBytes_AS_STRING(data),
                                (size_t)PyBytes_GET_SIZE(data), &o, &len, &err);
    Py_END_ALLOW_THREADS

    if (!text)
        raise_error(st, &err);
    else
        result = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "strict");
done:
    cjwt_free(text);
    for (int i = 0; i < CJWT_JWS_MAX_SIGNATURES; i++) {
        cjwt_key_free(keys[i]);
        cjwt_value_free(values[2 * i]);
        cjwt_value_free(values[2 * i + 1]);
    }
    Py_XDECREF(seq);
    Py_XDECREF(data);
    return result;
}

PyMethodDef jws_json_functions[] = {
    {"jws_encode_json", (PyCFunction)(void (*)(void))py_jws_encode_json, METH_FASTCALL,
     jws_encode_json_doc},
    {NULL, NULL, 0, NULL},
};
