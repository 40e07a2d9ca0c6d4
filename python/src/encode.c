/* encode / jws_encode, and parse_duration (expires_in's reader). */
#include "binding.h"

/* ---- encode ---------------------------------------------------------- */

/* algorithm name (None means "none", as in PyJWT) -> alg. An unknown name
 * is passed on as CJWT_ALG__COUNT so the core reports unsupported_alg. */
static int
alg_arg(PyObject *obj, cjwt_alg *alg)
{
    if (obj == Py_None) {
        *alg = cjwt_alg_from_name("none", 4);
        return 0;
    }
    Py_ssize_t len;
    const char *name = utf8_arg(obj, "algorithm", &len);
    if (!name)
        return -1;
    *alg = cjwt_alg_from_name(name, (size_t)len);
    return 0;
}

/* Fills the common sign options; *header_out is a new value or NULL. */
int
sign_opts_args(PyObject *alg_obj, PyObject *headers, PyObject *now, cjwt_sign_opts *opts,
               cjwt_value **header_out)
{
    *header_out = NULL;
    if (alg_arg(alg_obj, &opts->alg) < 0)
        return -1;
    if (headers != Py_None) {
        if (!PyDict_Check(headers)) {
            PyErr_Format(PyExc_TypeError, "headers must be a dict, not %.100s",
                         Py_TYPE(headers)->tp_name);
            return -1;
        }
        if (!(*header_out = to_value(headers)))
            return -1;
        opts->header = *header_out;
    }
    if (now != Py_None) {
        if (number_arg(now, "now", &opts->now) < 0)
            return -1;
        opts->has_now = 1;
    }
    return 0;
}

int
expires_in_arg(PyObject *expires_in, cjwt_sign_opts *opts)
{
    if (expires_in == Py_None)
        return 0;
    if (PyUnicode_Check(expires_in)) {
        Py_ssize_t len;
        const char *text = utf8_arg(expires_in, "expires_in", &len);
        if (!text)
            return -1;
        opts->expires_in = cjwt_parse_duration(text, (size_t)len);
        if (opts->expires_in < 0) {
            PyErr_Format(PyExc_ValueError,
                         "expires_in %R is not a duration (use seconds or e.g. \"15m\", "
                         "\"1h\", \"7d\")", expires_in);
            return -1;
        }
    } else if (PyLong_Check(expires_in) && !PyBool_Check(expires_in)) {
        int overflow = 0;
        long long secs = PyLong_AsLongLongAndOverflow(expires_in, &overflow);
        if (overflow) {
            PyErr_SetString(PyExc_ValueError, "expires_in is out of range");
            return -1;
        }
        opts->expires_in = (int64_t)secs;
    } else {
        PyErr_Format(PyExc_TypeError,
                     "expires_in must be int seconds or a duration str, not %.100s",
                     Py_TYPE(expires_in)->tp_name);
        return -1;
    }
    opts->has_expires_in = 1;
    return 0;
}

PyDoc_STRVAR(encode_doc,
"encode($module, payload, key, algorithm, headers, expires_in, now, sort_headers=True, /)\n--\n\n"
"Low-level entry point; use cjwt.encode().");

static PyObject *
py_encode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 && !nargs_ok("encode", nargs, 6))
        return NULL;
    PyObject *payload = args[0], *key_obj = args[1], *alg_obj = args[2], *headers = args[3],
             *expires_in = args[4], *now = args[5];
    cjwt_state *st = get_state(module);
    cjwt_sign_opts opts = {0};
    cjwt_value *header = NULL, *claims = NULL;
    cjwt_key *key = NULL;
    cjwt_error err = {0};
    char *token = NULL;
    size_t token_len = 0;
    PyObject *result = NULL;

    if (!PyDict_Check(payload)) {
        PyErr_SetString(PyExc_TypeError,
                        "Expecting a dict object, as JWT only supports JSON objects as payloads.");
        return NULL;
    }
    if (sign_opts_args(alg_obj, headers, now, &opts, &header) < 0)
        goto done;
    if (nargs == 7) {   /* PyJWT's sort_headers: False keeps the header's order */
        int sort = PyObject_IsTrue(args[6]);
        if (sort < 0)
            goto done;
        opts.keep_header_order = !sort;
    }
    if (expires_in_arg(expires_in, &opts) < 0)
        goto done;
    if (!(claims = to_value(payload)))
        goto done;
    if (key_arg(st, key_obj, &key) < 0)
        goto done;

    Py_BEGIN_ALLOW_THREADS
    token = cjwt_encode(claims, key, &opts, &token_len, &err);
    Py_END_ALLOW_THREADS

    if (!token)
        raise_error(st, &err);
    else
        result = PyUnicode_DecodeASCII(token, (Py_ssize_t)token_len, "strict");
done:
    cjwt_free(token);
    cjwt_key_free(key);
    cjwt_value_free(claims);
    cjwt_value_free(header);
    return result;
}

PyDoc_STRVAR(jws_encode_doc,
"jws_encode($module, data, key, algorithm, headers, detached=False, /)\n--\n\n"
"Low-level entry point; use cjwt.jws_encode().");

PyObject *
make_token(cjwt_state *st, PyObject *key_obj, token_maker make, const void *ctx)
{
    cjwt_key *key = NULL;
    cjwt_error err = {0};
    char *token;
    size_t token_len = 0;
    PyObject *result = NULL;

    if (key_arg(st, key_obj, &key) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    token = make(ctx, key, &token_len, &err);
    Py_END_ALLOW_THREADS
    if (!token)
        raise_error(st, &err);
    else
        result = PyUnicode_DecodeASCII(token, (Py_ssize_t)token_len, "strict");
    cjwt_free(token);
    cjwt_key_free(key);
    return result;
}

typedef struct {
    PyObject *data;              /* bytes (kept by the caller) */
    const cjwt_sign_opts *opts;
} jws_encode_ctx;

static char *
jws_encode_maker(const void *ctx, const cjwt_key *key, size_t *len, cjwt_error *err)
{
    const jws_encode_ctx *c = ctx;
    return cjwt_jws_encode((const unsigned char *)PyBytes_AS_STRING(c->data),
                           (size_t)PyBytes_GET_SIZE(c->data), key, c->opts, len, err);
}

static PyObject *
py_jws_encode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 && !nargs_ok("jws_encode", nargs, 4))
        return NULL;
    cjwt_sign_opts opts = {0};
    cjwt_value *header = NULL;
    jws_encode_ctx ctx = {NULL, &opts};
    PyObject *result = NULL;

    if (!(ctx.data = data_arg(args[0], "data")))
        return NULL;
    if (sign_opts_args(args[2], args[3], Py_None, &opts, &header) == 0 &&
        (nargs != 5 || (opts.detached = PyObject_IsTrue(args[4])) >= 0))
        result = make_token(get_state(module), args[1], jws_encode_maker, &ctx);
    cjwt_value_free(header);
    Py_DECREF(ctx.data);
    return result;
}

PyDoc_STRVAR(parse_duration_doc,
"parse_duration($module, text, /)\n--\n\n"
"Seconds in a duration text (\"900\", \"15m\", \"1h\", \"7d\", \"2w\"), as encode's expires_in reads it.");

static PyObject *
py_parse_duration(PyObject *module, PyObject *text_obj)
{
    Py_ssize_t len;
    const char *text = utf8_arg(text_obj, "duration", &len);
    if (!text)
        return NULL;
    int64_t n = cjwt_parse_duration(text, (size_t)len);
    if (n < 0)
        return PyErr_Format(PyExc_ValueError,
                            "%R is not a duration (use seconds or e.g. \"15m\", \"1h\", \"7d\")",
                            text_obj);
    return PyLong_FromLongLong((long long)n);
}

PyMethodDef encode_functions[] = {
    {"encode", (PyCFunction)(void (*)(void))py_encode, METH_FASTCALL, encode_doc},
    {"jws_encode", (PyCFunction)(void (*)(void))py_jws_encode, METH_FASTCALL, jws_encode_doc},
    {"parse_duration", py_parse_duration, METH_O, parse_duration_doc},
    {NULL, NULL, 0, NULL},
};
