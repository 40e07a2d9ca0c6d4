/* The key argument of encode/decode: a cjwt.Key or KeySet as is, a JWK
 * dict, str/bytes material through the key cache, anything else through
 * the package's cjwt._slow_key hook. */
#include "binding.h"

/* The key argument of encode/decode -> a new cjwt_key reference (release
 * with cjwt_key_free), or NULL for None (*out NULL, returns 0). Returns -1
 * with an exception set on failure. str and bytes go through the key cache. */
int
key_arg(cjwt_state *st, PyObject *obj, cjwt_key **out)
{
    *out = NULL;
    if (obj == Py_None)
        return 0;
    if (Py_IS_TYPE(obj, st->key_type)) {
        *out = cjwt_key_ref(((KeyObject *)obj)->key);
        return 0;
    }
    if (PyDict_Check(obj)) {
        *out = key_from_jwk_obj(st, obj, 0);
        return *out ? 0 : -1;
    }
    if (PyUnicode_Check(obj) || PyBytes_Check(obj)) {
        /* Immutable: the bytes cannot change under us (a str as UTF-8,
         * exactly as key_bytes would encode it). */
        Py_ssize_t len;
        const char *data;
        if (PyBytes_Check(obj)) {
            data = PyBytes_AS_STRING(obj);
            len = PyBytes_GET_SIZE(obj);
        } else if (!(data = PyUnicode_AsUTF8AndSize(obj, &len))) {
            return -1;
        }
        cjwt_error err = {0};
        /* Read as cjwt_key_from_bytes reads it, no flags; parsed once. */
        *out = st->key_cache ? cjwt_key_cache_get(st->key_cache, data, (size_t)len,
                                                  CJWT_KEY_PARSE_BYTES, 0, &err)
                             : cjwt_key_from_bytes((const unsigned char *)data, (size_t)len,
                                                   0, &err);
        if (!*out) {
            raise_error(st, &err);
            return -1;
        }
        return 0;
    }
    PyObject *bytes = key_bytes(obj);
    if (!bytes)
        return -1;
    cjwt_error err = {0};
    /* Unknown material: PEM/DER/SSH are parsed as such, never as a secret. */
    *out = cjwt_key_from_bytes((const unsigned char *)PyBytes_AS_STRING(bytes),
                               (size_t)PyBytes_GET_SIZE(bytes), 0, &err);
    Py_DECREF(bytes);
    if (!*out) {
        raise_error(st, &err);
        return -1;
    }
    return 0;
}

/* Keys the core does not take directly (PyJWK, PyJWKSet, cryptography
 * objects...) go through cjwt._slow_key(key, algorithms), which may also
 * supply the algorithms (a PyJWK brings its own). *key_io and *algorithms_io
 * are replaced by borrowed items of *converted (a new reference, or NULL
 * when nothing was converted). */
int
slow_key_arg(cjwt_state *st, PyObject **key_io, PyObject **algorithms_io, PyObject **converted)
{
    PyObject *key = *key_io;
    *converted = NULL;
    if (key == Py_None || Py_IS_TYPE(key, st->key_type) || Py_IS_TYPE(key, st->keyset_type) ||
        PyUnicode_Check(key) || PyBytes_Check(key) || PyDict_Check(key) || !st->slow_key_hook)
        return 0;
    *converted = PyObject_CallFunctionObjArgs(st->slow_key_hook, key, *algorithms_io, NULL);
    if (!*converted)
        return -1;
    if (!PyTuple_Check(*converted) || PyTuple_GET_SIZE(*converted) != 2) {
        PyErr_SetString(PyExc_SystemError, "cjwt._slow_key must return (key, algorithms)");
        Py_CLEAR(*converted);
        return -1;
    }
    *key_io = PyTuple_GET_ITEM(*converted, 0);
    *algorithms_io = PyTuple_GET_ITEM(*converted, 1);
    return 0;
}

/* A key argument the core takes (after slow_key_arg) -> a new key or key
 * set reference in *key or *keyset (both NULL for None). */
int
key_or_keyset_arg(cjwt_state *st, PyObject *obj, cjwt_key **key, cjwt_keyset **keyset)
{
    *key = NULL;
    *keyset = NULL;
    if (Py_IS_TYPE(obj, st->keyset_type)) {
        *keyset = cjwt_keyset_ref(((KeySetObject *)obj)->ks);
        return 0;
    }
    return key_arg(st, obj, key);
}
