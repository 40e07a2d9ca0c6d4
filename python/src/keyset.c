/* cjwt.KeySet: an immutable core key set (cjwt_keyset), chosen from by kid. */
#include "binding.h"

static PyObject *
keyset_wrap(PyTypeObject *type, cjwt_keyset *ks)
{
    KeySetObject *self = PyObject_New(KeySetObject, type);
    if (!self) {
        cjwt_keyset_free(ks);
        return NULL;
    }
    self->ks = ks;
    return (PyObject *)self;
}

static void
keyset_dealloc(KeySetObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    cjwt_keyset_free(self->ks);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* KeySet(keys): an iterable of cjwt.Key (or JWK dicts). */
static PyObject *
keyset_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"keys", NULL};
    PyObject *keys_obj, *seq = NULL, *result = NULL;
    cjwt_key **keys = NULL;
    Py_ssize_t n = 0, got = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:KeySet", kwlist, &keys_obj))
        return NULL;
    cjwt_state *st = get_state_by_type(type);
    if (!st)
        return NULL;
    if (PyUnicode_Check(keys_obj) || PyBytes_Check(keys_obj) || PyDict_Check(keys_obj)) {
        PyErr_SetString(PyExc_TypeError,
                        "KeySet() takes an iterable of cjwt.Key; use KeySet.from_jwks() for a JWKS");
        return NULL;
    }
    if (!(seq = PySequence_Tuple(keys_obj)))
        return NULL;
    n = PyTuple_GET_SIZE(seq);
    if (!(keys = PyMem_Calloc(n ? (size_t)n : 1, sizeof *keys))) {
        PyErr_NoMemory();
        goto done;
    }
    for (; got < n; got++) {
        PyObject *item = PyTuple_GET_ITEM(seq, got);
        if (Py_IS_TYPE(item, st->key_type)) {
            keys[got] = cjwt_key_ref(((KeyObject *)item)->key);
        } else if (PyDict_Check(item)) {
            if (!(keys[got] = key_from_jwk_obj(st, item, 0)))
                goto done;
        } else {
            PyErr_Format(PyExc_TypeError, "KeySet() items must be cjwt.Key, not %.100s",
                         Py_TYPE(item)->tp_name);
            goto done;
        }
    }
    cjwt_error err = {0};
    cjwt_keyset *ks = cjwt_keyset_new(keys, (size_t)n, &err);
    if (!ks)
        raise_error(st, &err);
    else
        result = keyset_wrap(type, ks);
done:
    for (Py_ssize_t i = 0; i < got; i++)
        cjwt_key_free(keys[i]);
    PyMem_Free(keys);
    Py_XDECREF(seq);
    return result;
}

PyDoc_STRVAR(keyset_from_jwks_doc,
"from_jwks($type, /, jwks, allow_short_secret=False)\n--\n\n"
"A key set from a JWKS ({\"keys\": [...]}) given as a dict or JSON text.\n"
"Keys not usable for signatures are left out; none usable is InvalidKeyError.");

static PyObject *
keyset_from_jwks(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"jwks", "allow_short_secret", NULL};
    PyObject *jwks;
    int allow_short = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p:from_jwks", kwlist, &jwks, &allow_short))
        return NULL;
    cjwt_state *st = get_state_by_type(cls);
    if (!st)
        return NULL;
    cjwt_error err = {0};
    cjwt_keyset *ks = NULL;
    if (PyDict_Check(jwks)) {
        cjwt_value *val = to_value(jwks);
        if (!val)
            return NULL;
        ks = cjwt_keyset_from_jwks(val, key_flags(allow_short), &err);
        cjwt_value_free(val);
    } else if (PyUnicode_Check(jwks) || PyBytes_Check(jwks)) {
        Py_ssize_t len;
        const char *text = token_arg(jwks, &len);
        if (!text)
            return NULL;
        ks = cjwt_keyset_from_jwks_json(text, (size_t)len, key_flags(allow_short), &err);
    } else {
        PyErr_Format(PyExc_TypeError, "a JWKS must be a dict or JSON text, not %.100s",
                     Py_TYPE(jwks)->tp_name);
        return NULL;
    }
    if (!ks)
        return raise_error(st, &err);
    return keyset_wrap(cls, ks);
}

PyDoc_STRVAR(keyset_to_jwks_doc,
"to_jwks($self, /, private=False)\n--\n\nThe set as a JWKS {\"keys\": [...]}.");

static PyObject *
keyset_to_jwks(KeySetObject *self, PyObject *args, PyObject *kwargs)
{
    int private_ = private_flag(args, kwargs, "|p:to_jwks");
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (private_ < 0 || !st)
        return NULL;
    cjwt_error err = {0};
    cjwt_value *jwks = cjwt_keyset_to_jwks(self->ks, private_, &err);
    if (!jwks)
        return raise_error(st, &err);
    PyObject *result = from_value(jwks);
    cjwt_value_free(jwks);
    return result;
}

/* A borrowed core key -> a new cjwt.Key sharing it. */
static PyObject *
key_share(cjwt_state *st, const cjwt_key *key)
{
    /* The reference count is atomic and the key immutable: taking a
     * reference through a const pointer is safe. */
    return key_wrap(st->key_type, cjwt_key_ref((cjwt_key *)key));
}

/* kid -> Key, or NULL without an exception when absent. */
static PyObject *
keyset_lookup(KeySetObject *self, PyObject *kid_obj, int *absent)
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    *absent = 0;
    if (!st)
        return NULL;
    if (!PyUnicode_Check(kid_obj)) {
        PyErr_Format(PyExc_TypeError, "a kid must be str, not %.100s", Py_TYPE(kid_obj)->tp_name);
        return NULL;
    }
    Py_ssize_t len;
    const char *kid = PyUnicode_AsUTF8AndSize(kid_obj, &len);
    if (!kid)
        return NULL;
    const cjwt_key *key = memchr(kid, '\0', (size_t)len) ? NULL : cjwt_keyset_find(self->ks, kid);
    if (!key) {
        *absent = 1;
        return NULL;
    }
    return key_share(st, key);
}

static PyObject *
keyset_subscript(KeySetObject *self, PyObject *kid)
{
    int absent;
    PyObject *key = keyset_lookup(self, kid, &absent);
    if (absent)
        PyErr_Format(PyExc_KeyError, "keyset has no key for kid: %U", kid);
    return key;
}

PyDoc_STRVAR(keyset_get_doc,
"get($self, kid, default=None, /)\n--\n\n"
"The key for `kid` (a str), or `default` when the set has none.");

static PyObject *
keyset_get(KeySetObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get() takes a kid and an optional default");
        return NULL;
    }
    int absent;
    PyObject *key = keyset_lookup(self, args[0], &absent);
    if (absent)
        return Py_NewRef(nargs == 2 ? args[1] : Py_None);
    return key;
}

static int
keyset_contains(KeySetObject *self, PyObject *kid)
{
    if (!PyUnicode_Check(kid))
        return 0;
    int absent;
    PyObject *key = keyset_lookup(self, kid, &absent);
    if (!key)
        return absent ? 0 : -1;
    Py_DECREF(key);
    return 1;
}

static Py_ssize_t
keyset_len(KeySetObject *self)
{
    return (Py_ssize_t)cjwt_keyset_size(self->ks);
}

/* Iteration yields the keys in set order (a snapshot tuple: the set is immutable). */
static PyObject *
keyset_iter(KeySetObject *self)
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (!st)
        return NULL;
    size_t n = cjwt_keyset_size(self->ks);
    PyObject *tup = PyTuple_New((Py_ssize_t)n);
    for (size_t i = 0; tup && i < n; i++) {
        PyObject *key = key_share(st, cjwt_keyset_get(self->ks, i));
        if (!key)
            Py_CLEAR(tup);
        else
            PyTuple_SET_ITEM(tup, (Py_ssize_t)i, key);
    }
    if (!tup)
        return NULL;
    PyObject *it = PyObject_GetIter(tup);
    Py_DECREF(tup);
    return it;
}

static PyObject *
keyset_repr(KeySetObject *self)
{
    return PyUnicode_FromFormat("<cjwt.KeySet of %zu keys>", cjwt_keyset_size(self->ks));
}

static PyMethodDef keyset_methods[] = {
    {"from_jwks", (PyCFunction)(void (*)(void))keyset_from_jwks,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, keyset_from_jwks_doc},
    {"to_jwks", (PyCFunction)(void (*)(void))keyset_to_jwks, METH_VARARGS | METH_KEYWORDS,
     keyset_to_jwks_doc},
    {"get", (PyCFunction)(void (*)(void))keyset_get, METH_FASTCALL, keyset_get_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(keyset_doc,
"KeySet(keys)\n--\n\n"
"KeySet(keys) or KeySet.from_jwks(jwks): an immutable set of keys chosen by\n"
"the token header's kid. Pass it as the key of decode() / jws_decode().");

static PyType_Slot keyset_slots[] = {
    {Py_tp_new, keyset_new},
    {Py_tp_dealloc, keyset_dealloc},
    {Py_tp_repr, keyset_repr},
    {Py_tp_iter, keyset_iter},
    {Py_tp_methods, keyset_methods},
    {Py_tp_doc, (void *)keyset_doc},
    {Py_mp_subscript, keyset_subscript},
    {Py_mp_length, keyset_len},
    {Py_sq_length, keyset_len},
    {Py_sq_contains, keyset_contains},
    {0, NULL},
};

PyType_Spec keyset_spec = {
    .name = "cjwt.KeySet",
    .basicsize = sizeof(KeySetObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = keyset_slots,
};
