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

PyDoc_STRVAR(jwe_encrypt_doc,
"jwe_encrypt($module, plaintext, key, alg, enc, headers, zip, p2c, /)\n--\n\n"
"Low-level entry point; use cjwt.jwe_encrypt().");

static PyObject *
py_jwe_encrypt(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jwe_encrypt", nargs, 7))
        return NULL;
    PyObject *data_obj = args[0], *key_obj = args[1], *alg_obj = args[2], *enc_obj = args[3],
             *headers = args[4], *zip = args[5], *p2c_obj = args[6];
    cjwt_state *st = get_state(module);
    cjwt_jwe_encrypt_opts opts = {0};
    cjwt_value *header = NULL;
    cjwt_key *key = NULL;
    cjwt_error err = {0};
    char *token = NULL;
    size_t token_len = 0;
    unsigned long long p2c = 0;
    Py_ssize_t len;
    const char *name;
    PyObject *data = NULL, *result = NULL;

    if (PyBytes_Check(data_obj)) {
        data = Py_NewRef(data_obj);
    } else if (PyObject_CheckBuffer(data_obj) && !PyUnicode_Check(data_obj)) {
        if (!(data = PyBytes_FromObject(data_obj)))   /* private copy: stable without the GIL */
            return NULL;
    } else {
        PyErr_Format(PyExc_TypeError, "plaintext must be bytes, not %.100s", Py_TYPE(data_obj)->tp_name);
        return NULL;
    }
    if (!(name = utf8_arg(alg_obj, "alg", &len)))
        goto done;
    opts.alg = cjwt_jwe_alg_from_name(name, (size_t)len);
    if (!(name = utf8_arg(enc_obj, "enc", &len)))
        goto done;
    opts.enc = cjwt_jwe_enc_from_name(name, (size_t)len);
    if (zip != Py_None) {
        if (!PyUnicode_Check(zip) || PyUnicode_CompareWithASCIIString(zip, "DEF") != 0) {
            PyErr_SetString(PyExc_ValueError, "zip must be None or \"DEF\"");
            goto done;
        }
        opts.zip = 1;
    }
    if (size_arg(p2c_obj, "p2c", UINT32_MAX, &p2c) < 0)
        goto done;
    opts.p2c = (uint32_t)p2c;
    if (headers != Py_None) {
        if (!PyDict_Check(headers)) {
            PyErr_Format(PyExc_TypeError, "headers must be a dict, not %.100s", Py_TYPE(headers)->tp_name);
            goto done;
        }
        if (!(header = to_value(headers)))
            goto done;
        opts.header = header;
    }
    if (key_arg(st, key_obj, &key) < 0)
        goto done;

    Py_BEGIN_ALLOW_THREADS
    token = cjwt_jwe_encrypt((const unsigned char *)PyBytes_AS_STRING(data),
                             (size_t)PyBytes_GET_SIZE(data), key, &opts, &token_len, &err);
    Py_END_ALLOW_THREADS

    if (!token)
        raise_error(st, &err);
    else
        result = PyUnicode_DecodeASCII(token, (Py_ssize_t)token_len, "strict");
done:
    cjwt_free(token);
    cjwt_key_free(key);
    cjwt_value_free(header);
    Py_XDECREF(data);
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

PyMethodDef jwe_functions[] = {
    {"jwe_encrypt", (PyCFunction)(void (*)(void))py_jwe_encrypt, METH_FASTCALL, jwe_encrypt_doc},
    {"jwe_decrypt", (PyCFunction)(void (*)(void))py_jwe_decrypt, METH_FASTCALL, jwe_decrypt_doc},
    {NULL, NULL, 0, NULL},
};
