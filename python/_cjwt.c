/* cjwt._cjwt: the CPython binding of the cjwt core.
 *
 * Thin by contract (DESIGN.md): this file converts Python values to the
 * core's types and back, and maps cjwt error codes to the exception classes
 * of cjwt.exceptions. It never decides whether a token is valid.
 *
 * Habits taken from CPython's Modules/_hashopenssl.c: multi-phase init, no C
 * globals (exception classes and the Key type live in module state), and the
 * GIL released only around pure C work (cjwt_encode / cjwt_verify_with),
 * never while a Python object is touched.
 *
 * Ownership rule used throughout: every cjwt_value / cjwt_key / cjwt_decoded
 * created here has exactly one owner variable, and each function has a
 * single exit (`done:`) that frees whatever is still owned, on every path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <string.h>

#include "cjwt.h"

/* ---- module state ---------------------------------------------------- */

/* The key cache: str/bytes key material (PEM, JWK text, secrets) passed to
 * encode/decode -> the parsed cjwt_key, so a PEM is not parsed again on
 * every call. Keyed by the exact bytes (compared in full), at most
 * KEY_CACHE_MAX entries, most recently used first. Read and written only
 * with the GIL held; the keys are immutable and reference counted. */
#define KEY_CACHE_MAX 32
typedef struct {
    unsigned char *data;   /* PyMem copy of the key material */
    size_t len;
    cjwt_key *key;         /* owned reference */
} key_cache_entry;

/* Names compared by pointer first (callers' keyword names and dict keys
 * are interned str), then by value. */
enum {
    KW_TOKEN, KW_KEY, KW_ALGORITHMS, KW_OPTIONS, KW_VERIFY, KW_AUDIENCE, KW_ISSUER, KW_SUBJECT,
    KW_LEEWAY, KW_TYP, KW_MAX_AGE, KW_NOW, KW_DENYLIST,
    OPT_VERIFY_SIGNATURE, OPT_VERIFY_EXP, OPT_VERIFY_NBF, OPT_VERIFY_IAT, OPT_VERIFY_AUD,
    OPT_VERIFY_ISS, OPT_VERIFY_SUB, OPT_VERIFY_JTI, OPT_STRICT_AUD, OPT_REQUIRE,
    OPT_MAX_TOKEN_LEN, OPT_MAX_DEPTH,
    N_NAMES
};
static const char *const name_text[N_NAMES] = {
    "token", "key", "algorithms", "options", "verify", "audience", "issuer", "subject",
    "leeway", "typ", "max_age", "now", "denylist",
    "verify_signature", "verify_exp", "verify_nbf", "verify_iat", "verify_aud",
    "verify_iss", "verify_sub", "verify_jti", "strict_aud", "require",
    "max_token_len", "max_depth",
};

/* Claim names seen recently (short ASCII only), reused instead of creating
 * the same str for every decoded token. */
#define STR_CACHE_SIZE 64
#define STR_CACHE_MAX_LEN 32

typedef struct {
    PyTypeObject *key_type;                 /* cjwt.Key */
    PyTypeObject *keyset_type;              /* cjwt.KeySet */
    PyTypeObject *verifier_type;            /* cjwt.Verifier */
    PyObject *cache_info_type;              /* CacheInfo, a collections.namedtuple */
    PyObject *error_class[CJWT_E__COUNT];   /* code -> exception class (index 0 unused) */
    PyObject *names[N_NAMES];               /* interned argument / option names */
    PyObject *alg_names[CJWT_ALG__COUNT];   /* interned JWA names */
    PyObject *slow_key_hook;                /* cjwt._slow_key(key, algorithms) -> (key, algorithms) */
    PyObject *seconds_hook;                 /* cjwt._seconds: timedelta -> seconds */
    PyObject *time_hook;                    /* cjwt._unix_time: datetime -> unix time */
    PyObject *str_cache[STR_CACHE_SIZE];
    key_cache_entry key_cache[KEY_CACHE_MAX];
    int key_cache_n;
    unsigned long long key_cache_hits, key_cache_misses;
} cjwt_state;

static struct PyModuleDef cjwt_module;

static inline cjwt_state *
get_state(PyObject *module)
{
    return (cjwt_state *)PyModule_GetState(module);
}

static cjwt_state *
get_state_by_type(PyTypeObject *type)
{
    PyObject *mod = PyType_GetModuleByDef(type, &cjwt_module);
    return mod ? get_state(mod) : NULL;
}

/* ---- errors ---------------------------------------------------------- */

/* Raises the exception class mapped to `code`, with the core's message,
 * `.code` set to the stable error name and, for missing_claim, `.claim`.
 * Always returns NULL. */
static PyObject *
raise_code(cjwt_state *st, cjwt_code code, const char *message, const char *claim)
{
    if (code <= CJWT_OK || code >= CJWT_E__COUNT) {
        /* The core returned failure without saying why: that is a core bug,
         * reported as "internal" rather than hidden. */
        code = CJWT_E_INTERNAL;
        if (!message || !*message)
            message = "cjwt core failed without setting an error";
    }
    PyObject *cls = st->error_class[code];
    PyObject *msg = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "replace");
    PyObject *exc = NULL, *name = NULL;
    if (!msg)
        goto done;
    if (code == CJWT_E_MISSING_CLAIM) {
        PyObject *claim_obj = PyUnicode_DecodeUTF8(claim ? claim : "",
                                                   (Py_ssize_t)strlen(claim ? claim : ""),
                                                   "replace");
        if (!claim_obj)
            goto done;
        /* MissingRequiredClaimError(claim, message): PyJWT's first argument is the claim. */
        exc = PyObject_CallFunctionObjArgs(cls, claim_obj, msg, NULL);
        Py_DECREF(claim_obj);
    } else {
        exc = PyObject_CallOneArg(cls, msg);
    }
    if (!exc)
        goto done;
    name = PyUnicode_FromString(cjwt_code_name(code));
    if (!name || PyObject_SetAttrString(exc, "code", name) < 0)
        goto done;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
done:
    Py_XDECREF(msg);
    Py_XDECREF(exc);
    Py_XDECREF(name);
    return NULL;
}

static PyObject *
raise_error(cjwt_state *st, const cjwt_error *err)
{
    return raise_code(st, err->code, err->message, err->claim);
}

/* ---- small argument helpers ------------------------------------------ */

/* The METH_FASTCALL entry points are private (called by cjwt/__init__.py
 * with every argument), so only the count is checked. */
static int
nargs_ok(const char *fn, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", fn, want, nargs);
    return 0;
}

/* UTF-8 of a str argument, refusing embedded NUL (the core takes C strings,
 * so "a\0b" would silently become "a"). Borrowed from `obj`. */
static const char *
utf8_arg(PyObject *obj, const char *what, Py_ssize_t *len_out)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(obj)->tp_name);
        return NULL;
    }
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(obj, &len);
    if (!s)
        return NULL;
    if (memchr(s, '\0', (size_t)len)) {
        PyErr_Format(PyExc_ValueError, "%s must not contain NUL characters", what);
        return NULL;
    }
    if (len_out)
        *len_out = len;
    return s;
}

/* A token argument: str or bytes (both immutable, so the buffer stays valid
 * while the GIL is released). Borrowed from `obj`. */
static const char *
token_arg(PyObject *obj, Py_ssize_t *len)
{
    if (PyBytes_Check(obj)) {
        *len = PyBytes_GET_SIZE(obj);
        return PyBytes_AS_STRING(obj);
    }
    if (PyUnicode_Check(obj))
        return PyUnicode_AsUTF8AndSize(obj, len);
    PyErr_Format(PyExc_TypeError, "token must be str or bytes, not %.100s", Py_TYPE(obj)->tp_name);
    return NULL;
}

/* A real number argument (int or float; not bool, not str). */
static int
number_arg(PyObject *obj, const char *what, double *out)
{
    if (PyBool_Check(obj) || !(PyLong_Check(obj) || PyFloat_Check(obj))) {
        PyErr_Format(PyExc_TypeError, "%s must be int or float, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    double d = PyFloat_AsDouble(obj);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    *out = d;
    return 0;
}

/* `str` or an iterable of `str` -> a new tuple of str (a private copy, so a
 * list the caller mutates from another thread cannot free our strings). */
static PyObject *
str_or_strings(PyObject *obj, const char *what)
{
    PyObject *tup;
    if (PyUnicode_Check(obj)) {
        tup = PyTuple_Pack(1, obj);
    } else if (PyBytes_Check(obj) || PyByteArray_Check(obj) || PyDict_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be str or an iterable of str, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    } else {
        tup = PySequence_Tuple(obj);
    }
    if (!tup) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be str or an iterable of str, not %.100s",
                         what, Py_TYPE(obj)->tp_name);
        }
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tup); i++) {
        if (!utf8_arg(PyTuple_GET_ITEM(tup, i), what, NULL)) {
            Py_DECREF(tup);
            return NULL;
        }
    }
    return tup;
}

/* A tuple of str -> a PyMem array of borrowed UTF-8 pointers. */
static const char **
utf8_array(PyObject *tup)
{
    Py_ssize_t n = PyTuple_GET_SIZE(tup);
    const char **arr = PyMem_Calloc(n ? (size_t)n : 1, sizeof *arr);
    if (!arr) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        arr[i] = PyUnicode_AsUTF8(PyTuple_GET_ITEM(tup, i)); /* cached by str_or_strings */
    return arr;
}

/* ---- Python -> cjwt_value -------------------------------------------- */

static cjwt_value *
to_value(PyObject *obj)
{
    cjwt_value *v = NULL;

    if (obj == Py_None)
        v = cjwt_value_new_null();
    else if (PyBool_Check(obj))
        v = cjwt_value_new_bool(obj == Py_True);
    else if (PyLong_Check(obj)) {
        int overflow = 0;
        long long i = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (overflow) {
            PyErr_Format(PyExc_ValueError,
                         "int %R is out of range for a JWT number (must fit in 64-bit signed)",
                         obj);
            return NULL;
        }
        if (i == -1 && PyErr_Occurred())
            return NULL;
        v = cjwt_value_new_int((int64_t)i);
    } else if (PyFloat_Check(obj)) {
        double d = PyFloat_AS_DOUBLE(obj);
        if (!isfinite(d)) {
            PyErr_SetString(PyExc_ValueError, "Out of range float values are not JSON compliant");
            return NULL;
        }
        v = cjwt_value_new_real(d);
    } else if (PyUnicode_Check(obj)) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(obj, &len);
        if (!s)
            return NULL;
        v = cjwt_value_new_string(s, (size_t)len);
        if (!v && memchr(s, '\0', (size_t)len)) {
            PyErr_SetString(PyExc_ValueError, "strings in a JWT must not contain NUL characters");
            return NULL;
        }
    } else if (PyDict_Check(obj)) {
        if (Py_EnterRecursiveCall(" while converting a JWT value"))
            return NULL;
        v = cjwt_value_new_object();
        PyObject *key, *item;
        Py_ssize_t pos = 0;
        while (v && PyDict_Next(obj, &pos, &key, &item)) {
            if (!PyUnicode_Check(key)) {
                PyErr_Format(PyExc_TypeError, "keys must be str, not %.100s",
                             Py_TYPE(key)->tp_name);
                goto fail_container;
            }
            Py_ssize_t klen;
            const char *k = PyUnicode_AsUTF8AndSize(key, &klen);
            if (!k)
                goto fail_container;
            cjwt_value *child = to_value(item);
            if (!child)
                goto fail_container;
            if (cjwt_value_object_set(v, k, (size_t)klen, child) < 0) { /* takes child */
                if (memchr(k, '\0', (size_t)klen))
                    PyErr_SetString(PyExc_ValueError, "keys in a JWT must not contain NUL characters");
                else
                    PyErr_NoMemory();
                goto fail_container;
            }
        }
        Py_LeaveRecursiveCall();
        if (!v)
            return (cjwt_value *)PyErr_NoMemory();
        return v;
    } else if (PyList_Check(obj) || PyTuple_Check(obj)) {
        if (Py_EnterRecursiveCall(" while converting a JWT value"))
            return NULL;
        v = cjwt_value_new_array();
        /* PySequence_Fast_* re-reads the size each time: to_value runs no
         * Python code, but a list is still indexed defensively. */
        for (Py_ssize_t i = 0; v && i < PySequence_Fast_GET_SIZE(obj); i++) {
            cjwt_value *child = to_value(PySequence_Fast_GET_ITEM(obj, i));
            if (!child)
                goto fail_container;
            if (cjwt_value_array_append(v, child) < 0) { /* takes child */
                PyErr_NoMemory();
                goto fail_container;
            }
        }
        Py_LeaveRecursiveCall();
        if (!v)
            return (cjwt_value *)PyErr_NoMemory();
        return v;
    } else {
        PyErr_Format(PyExc_TypeError, "Object of type %.100s is not JSON serializable",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!v)
        PyErr_NoMemory();
    return v;

fail_container:
    Py_LeaveRecursiveCall();
    cjwt_value_free(v);
    return NULL;
}

/* ---- cjwt_value -> Python -------------------------------------------- */

/* A claim name as str: from st->str_cache when the same short ASCII name
 * was seen before (the cached str also keeps its hash for the dict). */
static PyObject *
claim_name(cjwt_state *st, const char *k, size_t len)
{
    if (!st || len == 0 || len > STR_CACHE_MAX_LEN)
        return PyUnicode_DecodeUTF8(k, (Py_ssize_t)len, "strict");
    unsigned h = 2166136261u;   /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    PyObject **slot = &st->str_cache[h % STR_CACHE_SIZE];
    PyObject *cached = *slot;
    if (cached && PyUnicode_GET_LENGTH(cached) == (Py_ssize_t)len &&
        memcmp(PyUnicode_DATA(cached), k, len) == 0)   /* cached ones are compact ASCII */
        return Py_NewRef(cached);
    PyObject *str = PyUnicode_DecodeUTF8(k, (Py_ssize_t)len, "strict");
    if (str && PyUnicode_IS_ASCII(str) && PyUnicode_IS_COMPACT(str))
        Py_XSETREF(*slot, Py_NewRef(str));
    return str;
}

#if PY_VERSION_HEX < 0x030D0000
#define new_dict_sized(n) _PyDict_NewPresized((Py_ssize_t)(n))
#else
#define new_dict_sized(n) PyDict_New()
#endif

#define from_value(v) from_value_st((v), NULL)

/* cjwt_value -> Python; st (may be NULL) gives the claim name cache. */
static PyObject *
from_value_st(const cjwt_value *v, cjwt_state *st)
{
    size_t len;
    const char *s;

    switch (cjwt_value_type(v)) {
    case CJWT_TYPE_NULL:
        Py_RETURN_NONE;
    case CJWT_TYPE_FALSE:
        Py_RETURN_FALSE;
    case CJWT_TYPE_TRUE:
        Py_RETURN_TRUE;
    case CJWT_TYPE_INT:
        return PyLong_FromLongLong((long long)cjwt_value_int(v));
    case CJWT_TYPE_REAL:
        return PyFloat_FromDouble(cjwt_value_real(v));
    case CJWT_TYPE_STRING:
        s = cjwt_value_string(v, &len);
        return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "strict");
    case CJWT_TYPE_ARRAY: {
        size_t n = cjwt_value_size(v);
        if (Py_EnterRecursiveCall(" while converting a JWT value"))
            return NULL;
        PyObject *list = PyList_New((Py_ssize_t)n);
        for (size_t i = 0; list && i < n; i++) {
            PyObject *item = from_value_st(cjwt_value_array_get(v, i), st);
            if (!item)
                Py_CLEAR(list);
            else
                PyList_SET_ITEM(list, (Py_ssize_t)i, item);
        }
        Py_LeaveRecursiveCall();
        return list;
    }
    case CJWT_TYPE_OBJECT: {
        if (Py_EnterRecursiveCall(" while converting a JWT value"))
            return NULL;
        PyObject *dict = new_dict_sized(cjwt_value_size(v));
        for (void *it = cjwt_object_iter(v); dict && it; it = cjwt_object_iter_next(v, it)) {
            const char *k = cjwt_object_iter_key(it, &len);
            PyObject *key = claim_name(st, k, len);
            PyObject *item = key ? from_value_st(cjwt_object_iter_value(it), st) : NULL;
            if (!item || PyDict_SetItem(dict, key, item) < 0)
                Py_CLEAR(dict);
            Py_XDECREF(key);
            Py_XDECREF(item);
        }
        Py_LeaveRecursiveCall();
        return dict;
    }
    }
    PyErr_SetString(PyExc_SystemError, "cjwt: unknown JSON value type from the core");
    return NULL;
}

/* ---- cjwt.Key -------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    cjwt_key *key;   /* owned reference; immutable */
} KeyObject;

static PyObject *
key_wrap(PyTypeObject *type, cjwt_key *key)
{
    KeyObject *self = PyObject_New(KeyObject, type);
    if (!self) {
        cjwt_key_free(key);
        return NULL;
    }
    self->key = key;
    return (PyObject *)self;
}

static void
key_dealloc(KeyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    cjwt_key_free(self->key);
    PyObject_Free(self);
    Py_DECREF(tp);   /* instances of heap types own a reference to their type */
}

static unsigned
key_flags(int allow_short_secret)
{
    return allow_short_secret ? CJWT_KEY_ALLOW_SHORT_SECRET : 0u;
}

/* A JWK given as a dict (-> value) or JSON text (str/bytes). New key or NULL
 * with an exception set. */
static cjwt_key *
key_from_jwk_obj(cjwt_state *st, PyObject *jwk, unsigned flags)
{
    cjwt_error err = {0};
    cjwt_key *key = NULL;
    if (PyDict_Check(jwk)) {
        cjwt_value *val = to_value(jwk);
        if (!val)
            return NULL;
        key = cjwt_key_from_jwk(val, flags, &err);
        cjwt_value_free(val);
    } else if (PyUnicode_Check(jwk) || PyBytes_Check(jwk)) {
        Py_ssize_t len;
        const char *text = token_arg(jwk, &len);
        if (!text)
            return NULL;
        key = cjwt_key_from_jwk_json(text, (size_t)len, flags, &err);
    } else {
        PyErr_Format(PyExc_TypeError, "a JWK must be a dict or JSON text, not %.100s",
                     Py_TYPE(jwk)->tp_name);
        return NULL;
    }
    if (!key)
        raise_error(st, &err);
    return key;
}

/* Bytes of a secret/key-material argument: str (UTF-8) or a bytes-like
 * object. Returns a new bytes object (a private immutable copy). */
static PyObject *
key_bytes(PyObject *obj)
{
    if (PyUnicode_Check(obj))
        return PyUnicode_AsUTF8String(obj);
    if (PyBytes_Check(obj))
        return Py_NewRef(obj);
    if (PyObject_CheckBuffer(obj))
        return PyBytes_FromObject(obj);
    PyErr_Format(PyExc_TypeError, "key must be str, bytes, a JWK dict, a cjwt.Key or (to verify) a cjwt.KeySet, not %.100s",
                 Py_TYPE(obj)->tp_name);
    return NULL;
}

PyDoc_STRVAR(key_from_secret_doc,
"from_secret(secret, allow_short_secret=False) -> Key\n\n"
"An HMAC secret (bytes, or str as UTF-8) used as is. Secrets shorter than the\n"
"hash output are refused when used unless allow_short_secret is true.");

static PyObject *
key_from_secret(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"secret", "allow_short_secret", NULL};
    PyObject *secret;
    int allow_short = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p:from_secret", kwlist, &secret,
                                     &allow_short))
        return NULL;
    cjwt_state *st = get_state_by_type(cls);
    if (!st)
        return NULL;
    PyObject *bytes = key_bytes(secret);
    if (!bytes)
        return NULL;
    cjwt_error err = {0};
    cjwt_key *key = cjwt_key_from_secret((const unsigned char *)PyBytes_AS_STRING(bytes),
                                         (size_t)PyBytes_GET_SIZE(bytes), key_flags(allow_short),
                                         &err);
    Py_DECREF(bytes);
    if (!key)
        return raise_error(st, &err);
    return key_wrap(st->key_type, key);
}

PyDoc_STRVAR(key_from_jwk_doc,
"from_jwk(jwk, allow_short_secret=False) -> Key\n\n"
"A key from a JWK (RFC 7517), given as a dict or as JSON text.");

static PyObject *
key_from_jwk(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"jwk", "allow_short_secret", NULL};
    PyObject *jwk;
    int allow_short = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p:from_jwk", kwlist, &jwk, &allow_short))
        return NULL;
    cjwt_state *st = get_state_by_type(cls);
    if (!st)
        return NULL;
    cjwt_key *key = key_from_jwk_obj(st, jwk, key_flags(allow_short));
    if (!key)
        return NULL;
    return key_wrap(st->key_type, key);
}

/* A str password (UTF-8) or bytes-like -> new bytes, or NULL for None
 * (*out stays NULL, returns 0). -1 with an exception set on a bad type. */
static int
password_arg(PyObject *obj, PyObject **out)
{
    *out = NULL;
    if (obj == Py_None)
        return 0;
    if (PyUnicode_Check(obj))
        *out = PyUnicode_AsUTF8String(obj);
    else if (PyBytes_Check(obj))
        *out = Py_NewRef(obj);
    else if (PyObject_CheckBuffer(obj))
        *out = PyBytes_FromObject(obj);
    else {
        PyErr_Format(PyExc_TypeError, "password must be str or bytes, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    return *out ? 0 : -1;
}

PyDoc_STRVAR(key_from_pem_doc,
"from_pem(data, password=None) -> Key\n\n"
"A key from PEM or DER (str or bytes): PKCS#1, PKCS#8 (encrypted with\n"
"`password`), SubjectPublicKeyInfo, or an X.509 certificate's public key.");

static PyObject *
key_from_pem(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"data", "password", NULL};
    PyObject *data_obj, *password_obj = Py_None, *data = NULL, *password = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:from_pem", kwlist, &data_obj,
                                     &password_obj))
        return NULL;
    cjwt_state *st = get_state_by_type(cls);
    if (!st)
        return NULL;
    if (!(data = key_bytes(data_obj)) || password_arg(password_obj, &password) < 0) {
        Py_XDECREF(data);
        return NULL;
    }
    cjwt_error err = {0};
    cjwt_key *key = cjwt_key_from_pem(PyBytes_AS_STRING(data), (size_t)PyBytes_GET_SIZE(data),
                                      password ? PyBytes_AS_STRING(password) : NULL,
                                      password ? (size_t)PyBytes_GET_SIZE(password) : 0, 0, &err);
    Py_DECREF(data);
    Py_XDECREF(password);
    if (!key)
        return raise_error(st, &err);
    return key_wrap(st->key_type, key);
}

/* An algorithm name argument -> alg; None -> CJWT_ALG__COUNT when
 * none_ok. An unknown name raises InvalidAlgorithmError (unsupported_alg). */
static int
alg_name_arg(cjwt_state *st, PyObject *obj, int none_ok, cjwt_alg *alg)
{
    if (obj == Py_None && none_ok) {
        *alg = CJWT_ALG__COUNT;
        return 0;
    }
    Py_ssize_t len;
    const char *name = utf8_arg(obj, "algorithm", &len);
    if (!name)
        return -1;
    *alg = cjwt_alg_from_name(name, (size_t)len);
    if (*alg >= CJWT_ALG__COUNT) {
        char msg[CJWT_ERROR_MESSAGE_SIZE];
        PyOS_snprintf(msg, sizeof msg, "Algorithm \"%.64s\" is not supported", name);
        raise_code(st, CJWT_E_UNSUPPORTED_ALG, msg, NULL);
        return -1;
    }
    return 0;
}

/* kid argument: str (no NUL) or None -> borrowed UTF-8 or NULL. */
static int
kid_arg(PyObject *obj, const char **kid)
{
    *kid = NULL;
    if (obj == Py_None)
        return 0;
    *kid = utf8_arg(obj, "kid", NULL);
    return *kid ? 0 : -1;
}

PyDoc_STRVAR(key_generate_doc,
"generate(alg, kid=None) -> Key\n\n"
"A new key pair (RSA 2048, the alg's EC curve, Ed25519) or a random HMAC\n"
"secret of the hash size, bound to `alg`.");

static PyObject *
key_generate(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"alg", "kid", NULL};
    PyObject *alg_obj, *kid_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:generate", kwlist, &alg_obj, &kid_obj))
        return NULL;
    cjwt_state *st = get_state_by_type(cls);
    cjwt_alg alg;
    const char *kid;
    if (!st || alg_name_arg(st, alg_obj, 0, &alg) < 0 || kid_arg(kid_obj, &kid) < 0)
        return NULL;
    cjwt_error err = {0};
    cjwt_key *key;
    Py_BEGIN_ALLOW_THREADS            /* RSA key generation takes a while */
    key = cjwt_key_generate(alg, kid, &err);
    Py_END_ALLOW_THREADS
    if (!key)
        return raise_error(st, &err);
    return key_wrap(st->key_type, key);
}

/* A copy of self with another kid and/or alg binding (cjwt_key_with). */
static PyObject *
key_with(KeyObject *self, const char *kid, cjwt_alg alg)
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (!st)
        return NULL;
    cjwt_error err = {0};
    cjwt_key *key = cjwt_key_with(self->key, kid, alg, &err);
    if (!key)
        return raise_error(st, &err);
    return key_wrap(st->key_type, key);
}

PyDoc_STRVAR(key_with_kid_doc,
"with_kid(kid) -> Key\n\nThe same key material and alg binding with another kid (None: none).");

static PyObject *
key_with_kid(KeyObject *self, PyObject *kid_obj)
{
    const char *kid;
    if (kid_arg(kid_obj, &kid) < 0)
        return NULL;
    return key_with(self, kid, cjwt_key_alg(self->key));
}

PyDoc_STRVAR(key_with_alg_doc,
"with_alg(alg) -> Key\n\n"
"The same key material and kid, bound to `alg` (None: unbound). A key that\n"
"cannot serve `alg` is refused (InvalidKeyError).");

static PyObject *
key_with_alg(KeyObject *self, PyObject *alg_obj)
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    cjwt_alg alg;
    if (!st || alg_name_arg(st, alg_obj, 1, &alg) < 0)
        return NULL;
    return key_with(self, cjwt_key_kid(self->key), alg);
}

static int
private_flag(PyObject *args, PyObject *kwargs, const char *fmt)
{
    static char *kwlist[] = {"private", NULL};
    int private_ = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, fmt, kwlist, &private_))
        return -1;
    return private_;
}

PyDoc_STRVAR(key_to_jwk_doc,
"to_jwk(private=False) -> dict\n\n"
"The key as a JWK; private members only when asked for (an HMAC secret's\n"
"\"k\" is private).");

static PyObject *
key_to_jwk(KeyObject *self, PyObject *args, PyObject *kwargs)
{
    int private_ = private_flag(args, kwargs, "|p:to_jwk");
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (private_ < 0 || !st)
        return NULL;
    cjwt_error err = {0};
    cjwt_value *jwk = cjwt_key_to_jwk(self->key, private_, &err);
    if (!jwk)
        return raise_error(st, &err);
    PyObject *result = from_value(jwk);
    cjwt_value_free(jwk);
    return result;
}

PyDoc_STRVAR(key_to_pem_doc,
"to_pem(private=False) -> str\n\n"
"SubjectPublicKeyInfo PEM, or unencrypted PKCS#8 with private=True.");

static PyObject *
key_to_pem(KeyObject *self, PyObject *args, PyObject *kwargs)
{
    int private_ = private_flag(args, kwargs, "|p:to_pem");
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (private_ < 0 || !st)
        return NULL;
    cjwt_error err = {0};
    size_t len = 0;
    char *pem = cjwt_key_to_pem(self->key, private_, &len, &err);
    if (!pem)
        return raise_error(st, &err);
    PyObject *result = PyUnicode_DecodeASCII(pem, (Py_ssize_t)len, "strict");
    cjwt_free(pem);
    return result;
}

PyDoc_STRVAR(key_thumbprint_doc,
"thumbprint() -> str\n\nThe RFC 7638 JWK thumbprint (SHA-256, base64url).");

static PyObject *
key_thumbprint(KeyObject *self, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (!st)
        return NULL;
    cjwt_error err = {0};
    size_t len = 0;
    char *tp = cjwt_key_thumbprint(self->key, &len, &err);
    if (!tp)
        return raise_error(st, &err);
    PyObject *result = PyUnicode_DecodeASCII(tp, (Py_ssize_t)len, "strict");
    cjwt_free(tp);
    return result;
}

static PyObject *
key_get_kid(KeyObject *self, void *closure)
{
    const char *kid = cjwt_key_kid(self->key);
    if (!kid)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(kid, (Py_ssize_t)strlen(kid), "replace");
}

static PyObject *
key_get_alg(KeyObject *self, void *closure)
{
    cjwt_alg alg = cjwt_key_alg(self->key);
    const char *name = alg < CJWT_ALG__COUNT ? cjwt_alg_name(alg) : NULL;
    if (!name)
        Py_RETURN_NONE;
    return PyUnicode_FromString(name);
}

static PyObject *
key_get_kty(KeyObject *self, void *closure)
{
    return PyUnicode_FromString(cjwt_kty_name(cjwt_key_type(self->key)));
}

static PyObject *
key_get_is_private(KeyObject *self, void *closure)
{
    return PyBool_FromLong(cjwt_key_is_private(self->key));
}

static PyObject *
key_get_curve(KeyObject *self, void *closure)
{
    const char *curve = cjwt_key_curve(self->key);
    if (!curve)
        Py_RETURN_NONE;
    return PyUnicode_FromString(curve);
}

static PyObject *
key_get_bits(KeyObject *self, void *closure)
{
    return PyLong_FromLong(cjwt_key_bits(self->key));
}

static PyObject *
key_repr(KeyObject *self)
{
    /* Never shows key material. */
    PyObject *kid = key_get_kid(self, NULL), *alg = kid ? key_get_alg(self, NULL) : NULL;
    PyObject *r = NULL;
    if (alg)
        r = PyUnicode_FromFormat("<cjwt.Key kty=%s alg=%R kid=%R%s>",
                                 cjwt_kty_name(cjwt_key_type(self->key)), alg, kid,
                                 cjwt_key_type(self->key) != CJWT_KTY_OCT &&
                                 cjwt_key_is_private(self->key) ? " private" : "");
    Py_XDECREF(kid);
    Py_XDECREF(alg);
    return r;
}

static PyMethodDef key_methods[] = {
    {"from_secret", (PyCFunction)(void (*)(void))key_from_secret,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, key_from_secret_doc},
    {"from_jwk", (PyCFunction)(void (*)(void))key_from_jwk,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, key_from_jwk_doc},
    {"from_pem", (PyCFunction)(void (*)(void))key_from_pem,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, key_from_pem_doc},
    {"generate", (PyCFunction)(void (*)(void))key_generate,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, key_generate_doc},
    {"with_kid", (PyCFunction)key_with_kid, METH_O, key_with_kid_doc},
    {"with_alg", (PyCFunction)key_with_alg, METH_O, key_with_alg_doc},
    {"to_jwk", (PyCFunction)(void (*)(void))key_to_jwk, METH_VARARGS | METH_KEYWORDS,
     key_to_jwk_doc},
    {"to_pem", (PyCFunction)(void (*)(void))key_to_pem, METH_VARARGS | METH_KEYWORDS,
     key_to_pem_doc},
    {"thumbprint", (PyCFunction)key_thumbprint, METH_NOARGS, key_thumbprint_doc},
    {NULL, NULL, 0, NULL},
};

static PyObject *
key_get_default_alg(KeyObject *self, void *closure)
{
    cjwt_alg alg = cjwt_key_default_alg(self->key);
    if (alg >= CJWT_ALG__COUNT)
        Py_RETURN_NONE;
    return PyUnicode_FromString(cjwt_alg_name(alg));
}

static PyGetSetDef key_getset[] = {
    {"kid", (getter)key_get_kid, NULL, "the key's kid, or None", NULL},
    {"alg", (getter)key_get_alg, NULL, "the algorithm the key is bound to, or None", NULL},
    {"default_alg", (getter)key_get_default_alg, NULL,
     "the algorithm used when none is named: the bound one, else RS256/ES256-512/EdDSA/HS256 "
     "by key type and curve", NULL},
    {"kty", (getter)key_get_kty, NULL, "key type: 'oct', 'RSA', 'EC' or 'OKP'", NULL},
    {"is_private", (getter)key_get_is_private, NULL,
     "True for a private key or an HMAC secret", NULL},
    {"curve", (getter)key_get_curve, NULL, "'P-256', 'P-384', 'P-521', 'Ed25519' or None", NULL},
    {"bits", (getter)key_get_bits, NULL, "RSA modulus / EC field size, or HMAC secret bits",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(key_doc,
"An immutable key, parsed once and reused for many tokens (thread safe).\n"
"Create with Key.from_secret / from_pem / from_jwk / generate.");

static PyType_Slot key_slots[] = {
    {Py_tp_dealloc, key_dealloc},
    {Py_tp_repr, key_repr},
    {Py_tp_methods, key_methods},
    {Py_tp_getset, key_getset},
    {Py_tp_doc, (void *)key_doc},
    {0, NULL},
};

static PyType_Spec key_spec = {
    .name = "cjwt.Key",
    .basicsize = sizeof(KeyObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = key_slots,
};

/* ---- cjwt.KeySet ----------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    cjwt_keyset *ks;   /* owned reference; immutable */
} KeySetObject;

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
"from_jwks(jwks, allow_short_secret=False) -> KeySet\n\n"
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
"to_jwks(private=False) -> dict\n\nThe set as a JWKS {\"keys\": [...]}.");

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

PyDoc_STRVAR(keyset_get_doc, "get(kid, default=None) -> Key or default");

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

static PyType_Spec keyset_spec = {
    .name = "cjwt.KeySet",
    .basicsize = sizeof(KeySetObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = keyset_slots,
};

/* ---- the key cache (see key_cache_entry) ----------------------------- */

static void
key_cache_entry_clear(key_cache_entry *e)
{
    /* The material may be a secret: wiped before it is freed. */
    volatile unsigned char *p = e->data;
    for (size_t i = 0; i < e->len; i++)
        p[i] = 0;
    PyMem_Free(e->data);
    cjwt_key_free(e->key);
    e->data = NULL;
    e->len = 0;
    e->key = NULL;
}

static void
key_cache_clear(cjwt_state *st)
{
    for (int i = 0; i < st->key_cache_n; i++)
        key_cache_entry_clear(&st->key_cache[i]);
    st->key_cache_n = 0;
}

/* Key material of unknown kind -> a new key reference, from the cache or
 * parsed (cjwt_key_from_bytes, no flags) and then cached. NULL with *err
 * set when the material is refused (refusals are not cached). GIL held. */
static cjwt_key *
key_cache_get(cjwt_state *st, const char *data, size_t len, cjwt_error *err)
{
    key_cache_entry *c = st->key_cache;
    for (int i = 0; i < st->key_cache_n; i++) {
        if (c[i].len == len && memcmp(c[i].data, data, len) == 0) {
            key_cache_entry hit = c[i];
            memmove(&c[1], &c[0], (size_t)i * sizeof *c);   /* most recent first */
            c[0] = hit;
            st->key_cache_hits++;
            return cjwt_key_ref(hit.key);
        }
    }
    st->key_cache_misses++;
    cjwt_key *key = cjwt_key_from_bytes((const unsigned char *)data, len, 0, err);
    unsigned char *copy = key ? PyMem_Malloc(len ? len : 1) : NULL;
    if (!copy)
        return key;   /* refused, or no memory for the copy: not cached */
    memcpy(copy, data, len);
    if (st->key_cache_n == KEY_CACHE_MAX)
        key_cache_entry_clear(&c[--st->key_cache_n]);   /* the least recently used */
    memmove(&c[1], &c[0], (size_t)st->key_cache_n * sizeof *c);
    c[0].data = copy;
    c[0].len = len;
    c[0].key = cjwt_key_ref(key);
    st->key_cache_n++;
    return key;
}

/* The key argument of encode/decode -> a new cjwt_key reference (release
 * with cjwt_key_free), or NULL for None (*out NULL, returns 0). Returns -1
 * with an exception set on failure. str and bytes go through the key cache. */
static int
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
        if (!(*out = key_cache_get(st, data, (size_t)len, &err))) {
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
static int
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

PyDoc_STRVAR(encode_doc,
"encode(payload, key, algorithm, headers, expires_in, now) -> str\n\n"
"Low-level entry point; use cjwt.encode().");

static PyObject *
py_encode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("encode", nargs, 6))
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
    if (expires_in != Py_None) {
        if (PyUnicode_Check(expires_in)) {
            Py_ssize_t len;
            const char *text = utf8_arg(expires_in, "expires_in", &len);
            if (!text)
                goto done;
            opts.expires_in = cjwt_parse_duration(text, (size_t)len);
            if (opts.expires_in < 0) {
                PyErr_Format(PyExc_ValueError,
                             "expires_in %R is not a duration (use seconds or e.g. \"15m\", "
                             "\"1h\", \"7d\")", expires_in);
                goto done;
            }
        } else if (PyLong_Check(expires_in) && !PyBool_Check(expires_in)) {
            int overflow = 0;
            long long secs = PyLong_AsLongLongAndOverflow(expires_in, &overflow);
            if (overflow) {
                PyErr_SetString(PyExc_ValueError, "expires_in is out of range");
                goto done;
            }
            opts.expires_in = (int64_t)secs;
        } else {
            PyErr_Format(PyExc_TypeError,
                         "expires_in must be int seconds or a duration str, not %.100s",
                         Py_TYPE(expires_in)->tp_name);
            goto done;
        }
        opts.has_expires_in = 1;
    }
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
"jws_encode(data, key, algorithm, headers) -> str\n\n"
"Low-level entry point; use cjwt.jws_encode().");

static PyObject *
py_jws_encode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("jws_encode", nargs, 4))
        return NULL;
    PyObject *data_obj = args[0], *key_obj = args[1], *alg_obj = args[2], *headers = args[3];
    cjwt_state *st = get_state(module);
    cjwt_sign_opts opts = {0};
    cjwt_value *header = NULL;
    cjwt_key *key = NULL;
    cjwt_error err = {0};
    char *token = NULL;
    size_t token_len = 0;
    PyObject *data = NULL, *result = NULL;

    if (PyBytes_Check(data_obj)) {
        data = Py_NewRef(data_obj);
    } else if (PyObject_CheckBuffer(data_obj) && !PyUnicode_Check(data_obj)) {
        if (!(data = PyBytes_FromObject(data_obj)))   /* private copy: stable without the GIL */
            return NULL;
    } else {
        PyErr_Format(PyExc_TypeError, "data must be bytes, not %.100s", Py_TYPE(data_obj)->tp_name);
        return NULL;
    }
    if (sign_opts_args(alg_obj, headers, Py_None, &opts, &header) < 0)
        goto done;
    if (key_arg(st, key_obj, &key) < 0)
        goto done;

    Py_BEGIN_ALLOW_THREADS
    token = cjwt_jws_encode((const unsigned char *)PyBytes_AS_STRING(data),
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

/* ---- decode ---------------------------------------------------------- */

enum { MODE_CLAIMS = 0, MODE_COMPLETE = 1, MODE_RAW = 2 };

static const struct { int name; unsigned bit; } check_options[] = {
    {OPT_VERIFY_SIGNATURE, CJWT_CHECK_SIGNATURE},
    {OPT_VERIFY_EXP, CJWT_CHECK_EXP},
    {OPT_VERIFY_NBF, CJWT_CHECK_NBF},
    {OPT_VERIFY_IAT, CJWT_CHECK_IAT},
    {OPT_VERIFY_AUD, CJWT_CHECK_AUD},
    {OPT_VERIFY_ISS, CJWT_CHECK_ISS},
    {OPT_VERIFY_SUB, CJWT_CHECK_SUB},
    {OPT_VERIFY_JTI, CJWT_CHECK_JTI},
};

/* Everything a verify call borrows; released by decode_args_release. */
typedef struct {
    cjwt_verify_opts opts;
    PyObject *audience, *issuer, *required;   /* tuples of str keeping the UTF-8 alive */
    const char **audience_arr, **issuer_arr, **required_arr;
    const char *audience_one, *issuer_one;    /* a single str (borrowed from the argument) */
    int algorithms_given;
} decode_args;

/* options[name] borrowed, NULL when absent or on error (check PyErr_Occurred). */
static PyObject *
option_get(cjwt_state *st, PyObject *options, int name)
{
    return PyDict_GetItemWithError(options, st->names[name]);
}

static void
decode_args_release(decode_args *a)
{
    PyMem_Free(a->audience_arr);
    PyMem_Free(a->issuer_arr);
    PyMem_Free(a->required_arr);
    Py_XDECREF(a->audience);
    Py_XDECREF(a->issuer);
    Py_XDECREF(a->required);
}

static int
size_option(PyObject *obj, const char *what, Py_ssize_t *out)
{
    if (PyBool_Check(obj) || !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "option %s must be int, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyLong_AsSsize_t(obj);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (n < 0 || (strcmp(what, "max_depth") == 0 && n > INT_MAX)) {
        PyErr_Format(PyExc_ValueError, "option %s must be >= 0", what);
        return -1;
    }
    *out = n;
    return 0;
}

static int
options_arg(cjwt_state *st, PyObject *options, decode_args *a)
{
    if (options == Py_None)
        return 0;
    if (!PyDict_Check(options)) {
        PyErr_Format(PyExc_TypeError, "options must be a dict, not %.100s",
                     Py_TYPE(options)->tp_name);
        return -1;
    }
    if (PyDict_GET_SIZE(options) == 0)
        return 0;
    /* Unknown keys are ignored, as PyJWT does. Values are only looked up
     * (a key's __eq__ may run, but nothing is kept between lookups). */
    for (size_t i = 0; i < sizeof check_options / sizeof check_options[0]; i++) {
        PyObject *v = option_get(st, options, check_options[i].name); /* borrowed */
        if (!v) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        int on = PyObject_IsTrue(v);
        if (on < 0)
            return -1;
        a->opts.verify_set |= check_options[i].bit;
        if (on)
            a->opts.verify |= check_options[i].bit;
    }
    PyObject *v = option_get(st, options, OPT_STRICT_AUD);
    if (!v && PyErr_Occurred())
        return -1;
    if (v) {
        int on = PyObject_IsTrue(v);
        if (on < 0)
            return -1;
        a->opts.strict_aud = on;
    }
    v = option_get(st, options, OPT_REQUIRE);
    if (!v && PyErr_Occurred())
        return -1;
    if (v && v != Py_None) {
        if (PyUnicode_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "option require must be a list of claim names");
            return -1;
        }
        if (!(a->required = str_or_strings(v, "option require")) ||
            !(a->required_arr = utf8_array(a->required)))
            return -1;
        a->opts.required = a->required_arr;
        a->opts.n_required = (size_t)PyTuple_GET_SIZE(a->required);
    }
    Py_ssize_t n;
    if (!(v = option_get(st, options, OPT_MAX_TOKEN_LEN)) && PyErr_Occurred())
        return -1;
    if (v && v != Py_None) {
        if (size_option(v, "max_token_len", &n) < 0)
            return -1;
        a->opts.max_token_len = (size_t)n;
    }
    if (!(v = option_get(st, options, OPT_MAX_DEPTH)) && PyErr_Occurred())
        return -1;
    if (v && v != Py_None) {
        if (size_option(v, "max_depth", &n) < 0)
            return -1;
        a->opts.max_depth = (int)n;
    }
    return 0;
}

/* One algorithm name (a str) -> alg; CJWT_ALG__COUNT when not a JWA name,
 * -1 with an exception when not usable text. Interned names (the literals
 * of the caller's code) are recognised by pointer. */
static int
alg_of_str(cjwt_state *st, PyObject *name, cjwt_alg *alg)
{
    for (int i = 0; i < CJWT_ALG__COUNT; i++) {
        if (name == st->alg_names[i]) {
            *alg = (cjwt_alg)i;
            return 0;
        }
    }
    Py_ssize_t len;
    const char *text = utf8_arg(name, "algorithms", &len);
    if (!text)
        return -1;
    *alg = cjwt_alg_from_name(text, (size_t)len);
    return 0;
}

static int
algorithms_arg(cjwt_state *st, PyObject *algorithms, decode_args *a)
{
    if (algorithms == Py_None)
        return 0;
    if (PyList_CheckExact(algorithms) || PyTuple_CheckExact(algorithms)) {
        /* Fast path, no copy: nothing below runs Python code, so the list
         * cannot change while it is read. Anything unusual (a non-str item,
         * an unknown name) takes the general path for its error. */
        Py_ssize_t n = PySequence_Fast_GET_SIZE(algorithms);
        PyObject **items = PySequence_Fast_ITEMS(algorithms);
        uint32_t bits = 0;
        Py_ssize_t i;
        for (i = 0; i < n; i++) {
            cjwt_alg alg;
            if (!PyUnicode_CheckExact(items[i]))
                break;
            if (alg_of_str(st, items[i], &alg) < 0)
                return -1;
            if (alg >= CJWT_ALG__COUNT)
                break;
            bits |= CJWT_ALG_BIT(alg);
        }
        if (i == n) {
            a->opts.algorithms |= bits;
            a->algorithms_given = n > 0;
            return 0;
        }
    }
    PyObject *names = str_or_strings(algorithms, "algorithms");
    if (!names)
        return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(names, i), &len);
        cjwt_alg alg = cjwt_alg_from_name(name, (size_t)len);
        if (alg >= CJWT_ALG__COUNT) {
            /* Refused loudly: a typo ("hs256") must not silently shrink the allowlist. */
            char msg[CJWT_ERROR_MESSAGE_SIZE];
            PyOS_snprintf(msg, sizeof msg, "Algorithm \"%.64s\" in algorithms is not supported",
                          name);
            Py_DECREF(names);
            raise_code(st, CJWT_E_UNSUPPORTED_ALG, msg, NULL);
            return -1;
        }
        a->opts.algorithms |= CJWT_ALG_BIT(alg);
    }
    a->algorithms_given = PyTuple_GET_SIZE(names) > 0;
    Py_DECREF(names);
    return 0;
}

static int
strings_arg(PyObject *obj, const char *what, PyObject **tup, const char ***arr,
            const char **one, const char *const **dst, size_t *n)
{
    if (obj == Py_None)
        return 0;
    if (PyUnicode_Check(obj)) {   /* one str: no tuple, no array */
        if (!(*one = utf8_arg(obj, what, NULL)))
            return -1;
        *dst = one;
        *n = 1;
        return 0;
    }
    if (!(*tup = str_or_strings(obj, what)) || !(*arr = utf8_array(*tup)))
        return -1;
    *dst = *arr;
    *n = (size_t)PyTuple_GET_SIZE(*tup);
    return 0;
}

/* ---- the denylist: the core's revocation hook calling store.is_revoked ---- */

/* The core calls denylist_hook with the GIL released (it runs inside
 * Py_BEGIN_ALLOW_THREADS), once the signature and every claim hold, and, on
 * a Verifier with a cache, on every cache hit; its ctx is the store object
 * (borrowed: decode's argument, or owned by the Verifier). The hook takes the
 * GIL back, calls store.is_revoked(jti, fid) and answers 0 (not revoked), 1
 * (revoked) or -1 (unknown: the store failed; the token is refused).
 *
 * What is_revoked raised belongs to the one verification that called it, not
 * to the store (a Verifier and its store are shared between threads): it is
 * kept in the calling thread's denylist_call (the hook runs synchronously on
 * the thread that called cjwt_verify*) and chained as __cause__ of the error
 * the call raises. */
typedef struct {
    PyObject *exc;        /* owned: what is_revoked raised, or NULL */
} denylist_call;

static _Thread_local denylist_call *current_call;

static int
denylist_fail(denylist_call *c, cjwt_error *err, const char *what)
{
    /* Called with the GIL held and a Python exception set (or what != NULL). */
    char msg[CJWT_ERROR_MESSAGE_SIZE];
    const char *text = NULL;
    PyObject *str = NULL;
    if (PyErr_Occurred()) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (value && tb)
            PyException_SetTraceback(value, tb);
        Py_XDECREF(type);
        Py_XDECREF(tb);
        if (!value)
            return denylist_fail(c, err, "the store raised an unknown error");
        str = PyObject_Str(value);
        text = str ? PyUnicode_AsUTF8(str) : NULL;
        if (!text)
            PyErr_Clear();
        PyOS_snprintf(msg, sizeof msg, "the denylist lookup failed, the token is refused: %.60s: %.150s",
                      Py_TYPE(value)->tp_name, text ? text : "(no message)");
        if (c) {
            Py_XSETREF(c->exc, value);
        } else {
            Py_DECREF(value);
        }
    } else {
        PyOS_snprintf(msg, sizeof msg, "the denylist lookup failed, the token is refused: %s",
                      what ? what : "unknown error");
    }
    Py_XDECREF(str);
    err->code = CJWT_E_UNAVAILABLE;
    err->claim[0] = '\0';
    memcpy(err->message, msg, sizeof msg);
    return -1;
}

static int
denylist_hook(void *ctx, const cjwt_value *payload, cjwt_error *err)
{
    PyObject *store = (PyObject *)ctx;
    denylist_call *c = current_call;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *jti = NULL, *fid = NULL, *answer = NULL;
    const cjwt_value *v;
    int r = -1;

    /* The core guarantees a string jti and a fid that is a string, null or absent. */
    if (!(jti = from_value(cjwt_value_object_get(payload, "jti")))) {
        denylist_fail(c, err, NULL);
        goto done;
    }
    v = cjwt_value_object_get(payload, "fid");
    if (!v || cjwt_value_type(v) == CJWT_TYPE_NULL) {
        fid = Py_NewRef(Py_None);
    } else if (!(fid = from_value(v))) {
        denylist_fail(c, err, NULL);
        goto done;
    }
    answer = PyObject_CallMethod(store, "is_revoked", "OO", jti, fid);
    if (!answer) {
        denylist_fail(c, err, NULL);
        goto done;
    }
    r = PyObject_IsTrue(answer);
    if (r < 0)
        denylist_fail(c, err, NULL);
done:
    Py_XDECREF(jti);
    Py_XDECREF(fid);
    Py_XDECREF(answer);
    PyGILState_Release(gil);
    return r;
}

/* A duration/time argument given as something else than int/float
 * (timedelta, datetime): converted by the package's hook (cjwt._seconds /
 * cjwt._unix_time). Returns a new reference. */
static PyObject *
convert_arg(PyObject *hook, PyObject *obj)
{
    if (!obj || obj == Py_None || PyLong_Check(obj) || PyFloat_Check(obj) || !hook)
        return Py_XNewRef(obj);
    return PyObject_CallOneArg(hook, obj);
}

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

/* METH_FASTCALL|METH_KEYWORDS arguments -> out[i] (borrowed; NULL when not
 * given) for the parameters params[0..n). Errors read like CPython's. */
static int
parse_args(cjwt_state *st, const char *fn, const int *params, int n, int npos,
           PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out)
{
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (nargs > npos) {
        PyErr_Format(PyExc_TypeError, "%s() takes from 1 to %d positional arguments but %zd "
                     "were given", fn, npos, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        out[i] = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, j);
        int i;
        for (i = 0; i < n && name != st->names[params[i]]; i++)
            ;
        if (i == n) {   /* not interned: compare the text */
            for (i = 0; i < n; i++) {
                int eq = PyUnicode_Compare(name, st->names[params[i]]);
                if (eq == -1 && PyErr_Occurred())
                    return -1;
                if (eq == 0)
                    break;
            }
        }
        if (i == n) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'", fn,
                         name);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%S'", fn,
                         name);
            return -1;
        }
        out[i] = args[nargs + j];
    }
    if (!out[0]) {
        PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: 'token'",
                     fn);
        return -1;
    }
    return 0;
}

/* ---- the pieces shared by decode and Verifier ------------------------ */

/* Verification settings: decode's keywords -> a->opts. Used per call by
 * decode / decode_complete / jws_decode (cjwt_verify_with) and once by
 * Verifier() (cjwt_verifier_new, which copies what it keeps). Arguments are
 * borrowed and may be NULL (not given); `a` must be zeroed. Every pointer
 * left in a->opts lives in `a` or in the arguments: keep both until the
 * options are used, then decode_args_release(a). `calling` completes the
 * message of the missing-algorithms error ("calling decode()"). A denylist
 * becomes the core's revocation hook with the store as its ctx (borrowed). */
static int
settings_args(cjwt_state *st, int mode, const char *calling, PyObject *algorithms,
              PyObject *audience, PyObject *issuer, PyObject *subject, PyObject *leeway_in,
              PyObject *options, PyObject *typ, PyObject *max_age_in, PyObject *denylist,
              decode_args *a)
{
    PyObject *leeway = NULL, *max_age = NULL;
    int rc = -1;

#define ARG(x) ((x) ? (x) : Py_None)
    algorithms = ARG(algorithms);
    audience = ARG(audience);
    issuer = ARG(issuer);
    subject = ARG(subject);
    options = ARG(options);
    typ = ARG(typ);
    denylist = ARG(denylist);
#undef ARG
    leeway = leeway_in ? convert_arg(st->seconds_hook, leeway_in) : PyLong_FromLong(0);
    if (!leeway)
        goto done;
    if (max_age_in && !(max_age = convert_arg(st->seconds_hook, max_age_in)))
        goto done;
    if (options_arg(st, options, a) < 0)
        goto done;
    if (algorithms_arg(st, algorithms, a) < 0)
        goto done;
    int signature_checked = !(a->opts.verify_set & CJWT_CHECK_SIGNATURE) ||
                            (a->opts.verify & CJWT_CHECK_SIGNATURE);
    if (signature_checked && !a->algorithms_given) {
        /* Argument misuse, reported exactly as PyJWT does so ported code keeps working. */
        char msg[CJWT_ERROR_MESSAGE_SIZE];
        PyOS_snprintf(msg, sizeof msg, "It is required that you pass in a value for the "
                      "\"algorithms\" argument when %s.", calling);
        raise_code(st, CJWT_E_MALFORMED, msg, NULL);
        goto done;
    }
    if (strings_arg(audience, "audience", &a->audience, &a->audience_arr, &a->audience_one,
                    &a->opts.audience, &a->opts.n_audience) < 0 ||
        strings_arg(issuer, "issuer", &a->issuer, &a->issuer_arr, &a->issuer_one,
                    &a->opts.issuer, &a->opts.n_issuer) < 0)
        goto done;
    if (subject != Py_None && !(a->opts.subject = utf8_arg(subject, "subject", NULL)))
        goto done;
    if (typ != Py_None && !(a->opts.typ = utf8_arg(typ, "typ", NULL)))
        goto done;
    if (number_arg(leeway, "leeway", &a->opts.leeway) < 0)
        goto done;
    if (max_age && max_age != Py_None) {
        if (number_arg(max_age, "max_age", &a->opts.max_age) < 0)
            goto done;
        a->opts.has_max_age = 1;
    }
    a->opts.raw_payload = mode == MODE_RAW;
    if (denylist != Py_None) {
        if (mode == MODE_RAW) {
            PyErr_SetString(PyExc_TypeError, "denylist needs claims; jws_decode has none");
            goto done;
        }
        /* The hook runs in the core, after the signature and the claims hold. */
        a->opts.revocation = denylist_hook;
        a->opts.revocation_ctx = denylist;
    }
    rc = 0;
done:
    Py_XDECREF(leeway);
    Py_XDECREF(max_age);
    return rc;
}

/* Keys the core does not take directly (PyJWK, PyJWKSet, cryptography
 * objects...) go through cjwt._slow_key(key, algorithms), which may also
 * supply the algorithms (a PyJWK brings its own). *key_io and *algorithms_io
 * are replaced by borrowed items of *converted (a new reference, or NULL
 * when nothing was converted). */
static int
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
static int
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

/* The verification itself, with the GIL released: through the compiled
 * verifier `v` when given (its cache, its hook), else with `opts` directly.
 * Returns the result for `mode` (a new dict, or bytes for MODE_RAW; a hit of
 * a Verifier's cache is converted afresh too, so callers may mutate it), or
 * NULL with the mapped exception set (with the denylist store's own
 * exception as __cause__ when the store failed). Everything passed in must
 * stay alive for the call (the caller holds it). */
static PyObject *
verify_call(cjwt_state *st, int mode, const cjwt_verifier *v, const cjwt_verify_opts *opts,
            const cjwt_key *key, const cjwt_keyset *keyset, const char *token, size_t len,
            int has_now, double now)
{
    cjwt_error err = {0};
    cjwt_decoded *dec;
    PyObject *result = NULL;
    denylist_call call = {NULL}, *outer = current_call;   /* is_revoked may decode too */

    current_call = &call;
    Py_BEGIN_ALLOW_THREADS
    if (v)
        dec = keyset ? cjwt_verify_keyset(v, keyset, token, len, has_now, now, &err)
                     : cjwt_verify(v, key, token, len, has_now, now, &err);
    else
        dec = keyset ? cjwt_verify_keyset_with(opts, keyset, token, len, has_now, now, &err)
                     : cjwt_verify_with(opts, key, token, len, has_now, now, &err);
    Py_END_ALLOW_THREADS
    current_call = outer;

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

/* ---- Verifier: settings compiled once, optional verified-token cache --- */

/* A cjwt_verifier made from decode's keywords. Immutable once made (the
 * core copies the settings; its cache is the one mutable part, thread-safe
 * in the core), so one Verifier serves any number of threads. With a
 * denylist, the core's revocation ctx is the store object, owned here. */
typedef struct {
    PyObject_HEAD
    cjwt_verifier *v;      /* owned */
    PyObject *denylist;    /* the store, or NULL; GC-visited */
    int has_denylist;      /* the core calls the hook: denylist must still be set */
    size_t cache_size;     /* as asked */
} VerifierObject;

static const int verifier_call_params[] = {KW_TOKEN, KW_KEY, KW_NOW};
#define VERIFIER_CALL_NPOS 2

static PyObject *
verifier_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"algorithms", "audience", "issuer", "subject", "leeway", "options",
                             "typ", "max_age", "denylist", "cache", NULL};
    PyObject *algorithms = NULL, *audience = NULL, *issuer = NULL, *subject = NULL,
             *leeway = NULL, *options = NULL, *typ = NULL, *max_age = NULL, *denylist = NULL,
             *cache = NULL;
    cjwt_state *st = PyType_GetModuleState(type);
    VerifierObject *self = NULL;
    decode_args a;
    cjwt_error err = {0};
    size_t cache_size = 0;

    memset(&a, 0, sizeof a);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O$OOOOOOOOO:Verifier", kwlist, &algorithms,
                                     &audience, &issuer, &subject, &leeway, &options, &typ,
                                     &max_age, &denylist, &cache))
        return NULL;
    if (cache) {
        /* int >= 0. None is refused rather than read as "no cache": to
         * functools.lru_cache, maxsize=None means unbounded. */
        if (PyBool_Check(cache) || !PyLong_Check(cache)) {
            PyErr_Format(PyExc_TypeError, "cache must be an int (the number of tokens to keep, "
                         "0 for none), not %.100s", Py_TYPE(cache)->tp_name);
            return NULL;
        }
        int overflow = 0;
        long long n = PyLong_AsLongLongAndOverflow(cache, &overflow);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (overflow < 0 || n < 0) {
            PyErr_SetString(PyExc_ValueError, "cache must be >= 0");
            return NULL;
        }
        if (overflow > 0 || (unsigned long long)n > (unsigned long long)CJWT_MAX_CACHE_SIZE) {
            PyErr_Format(PyExc_ValueError, "cache must be at most %zu", CJWT_MAX_CACHE_SIZE);
            return NULL;
        }
        cache_size = (size_t)n;
    }
    if (settings_args(st, MODE_CLAIMS, "creating a Verifier", algorithms ? algorithms : Py_None,
                      audience, issuer, subject, leeway, options, typ, max_age, denylist,
                      &a) < 0)
        goto fail;
    a.opts.cache_size = cache_size;
    if (!(self = (VerifierObject *)type->tp_alloc(type, 0)))
        goto fail;
    if (a.opts.revocation) {
        /* The core keeps the ctx pointer: the store lives as long as we do. */
        self->denylist = Py_NewRef(denylist);
        self->has_denylist = 1;
    }
    self->cache_size = cache_size;
    /* Copies every string, so `a` can go right after. */
    if (!(self->v = cjwt_verifier_new(&a.opts, &err))) {
        /* internal here is settings the core refuses (a cache without the
         * signature check...): a misuse, as bad arguments are */
        if (err.code == CJWT_E_INTERNAL)
            PyErr_SetString(PyExc_ValueError, err.message);
        else
            raise_error(st, &err);
        goto fail;
    }
    decode_args_release(&a);
    return (PyObject *)self;
fail:
    decode_args_release(&a);
    Py_XDECREF(self);
    return NULL;
}

static int
verifier_traverse(VerifierObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->denylist);
    return 0;
}

static int
verifier_clear(VerifierObject *self)
{
    /* Only when a cycle through the store is collected; a later call then
     * refuses (has_denylist) instead of handing the core a dead store. */
    Py_CLEAR(self->denylist);
    return 0;
}

static void
verifier_dealloc(VerifierObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    cjwt_verifier_free(self->v);   /* its cache's results and key references too */
    self->v = NULL;
    verifier_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
verifier_call(VerifierObject *self, int mode, const char *fn, PyObject *const *args,
              Py_ssize_t nargs, PyObject *kwnames)
{
    cjwt_state *st = PyType_GetModuleState(Py_TYPE(self));
    PyObject *p[3], *result = NULL, *converted = NULL, *key_obj, *no_algorithms;
    cjwt_key *key = NULL;
    cjwt_keyset *keyset = NULL;
    Py_ssize_t token_len;
    const char *token;
    int has_now = 0;
    double now = 0;

    if (parse_args(st, fn, verifier_call_params, 3, VERIFIER_CALL_NPOS, args, nargs, kwnames,
                   p) < 0)
        return NULL;
    if (!self->v || (self->has_denylist && !self->denylist)) {
        PyErr_SetString(PyExc_RuntimeError, "this Verifier is being destroyed");
        return NULL;
    }
    /* The algorithms are the Verifier's: a PyJWK's own is not used (an
     * empty tuple, not None, tells _slow_key so; its answer is ignored). */
    key_obj = p[1] ? p[1] : Py_None;
    no_algorithms = PyTuple_New(0);
    if (!no_algorithms)
        return NULL;
    PyObject *algorithms = no_algorithms;
    if (slow_key_arg(st, &key_obj, &algorithms, &converted) < 0)
        goto done;
    if (!(token = token_arg(p[0], &token_len)))
        goto done;
    if (now_arg(st, p[2], &has_now, &now) < 0)
        goto done;
    if (key_or_keyset_arg(st, key_obj, &key, &keyset) < 0)
        goto done;
    result = verify_call(st, mode, self->v, NULL, key, keyset, token, (size_t)token_len,
                         has_now, now);
done:
    cjwt_key_free(key);
    cjwt_keyset_free(keyset);
    Py_XDECREF(converted);
    Py_DECREF(no_algorithms);
    return result;
}

PyDoc_STRVAR(verifier_decode_doc,
"decode($self, /, token, key=None, *, now=None)\n"
"--\n\n"
"Verifies ``token`` with the Verifier's settings and returns its claims (a\n"
"new ``dict`` on every call, cache hit or not). ``key`` as for\n"
":func:`cjwt.decode`; ``now``: unix time or ``datetime``. Raises what\n"
":func:`cjwt.decode` raises.");

static PyObject *
verifier_decode(VerifierObject *self, PyObject *const *args, Py_ssize_t nargs,
                PyObject *kwnames)
{
    return verifier_call(self, MODE_CLAIMS, "decode", args, nargs, kwnames);
}

PyDoc_STRVAR(verifier_decode_complete_doc,
"decode_complete($self, /, token, key=None, *, now=None)\n"
"--\n\n"
"Like :meth:`decode`, returning ``{\"header\", \"payload\", \"signature\"}``.");

static PyObject *
verifier_decode_complete(VerifierObject *self, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames)
{
    return verifier_call(self, MODE_COMPLETE, "decode_complete", args, nargs, kwnames);
}

PyDoc_STRVAR(verifier_cache_info_doc,
"cache_info($self, /)\n"
"--\n\n"
"``CacheInfo(hits, misses, evictions, size, capacity)`` of the verified-token\n"
"cache (all 0 without one). ``evictions`` counts entries dropped for room,\n"
"for a failed date check or for a new key.");

static PyObject *
verifier_cache_info(VerifierObject *self, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = PyType_GetModuleState(Py_TYPE(self));
    cjwt_cache_stats s;
    cjwt_verifier_cache_stats(self->v, &s);
    return PyObject_CallFunction(st->cache_info_type, "KKKnn", (unsigned long long)s.hits,
                                 (unsigned long long)s.misses,
                                 (unsigned long long)s.evictions, (Py_ssize_t)s.size,
                                 (Py_ssize_t)s.capacity);
}

PyDoc_STRVAR(verifier_cache_clear_doc,
"cache_clear($self, /)\n"
"--\n\n"
"Empties the verified-token cache (the counters are kept).");

static PyObject *
verifier_cache_clear(VerifierObject *self, PyObject *Py_UNUSED(ignored))
{
    const cjwt_verifier *v = self->v;
    Py_BEGIN_ALLOW_THREADS
    cjwt_verifier_cache_clear(v);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
verifier_get_cache_size(VerifierObject *self, void *closure)
{
    return PyLong_FromSize_t(self->cache_size);
}

static PyObject *
verifier_repr(VerifierObject *self)
{
    return PyUnicode_FromFormat("<cjwt.Verifier cache=%zu%s>", self->cache_size,
                                self->has_denylist ? " denylist" : "");
}

static PyMethodDef verifier_methods[] = {
    {"decode", (PyCFunction)(void (*)(void))verifier_decode, METH_FASTCALL | METH_KEYWORDS,
     verifier_decode_doc},
    {"decode_complete", (PyCFunction)(void (*)(void))verifier_decode_complete,
     METH_FASTCALL | METH_KEYWORDS, verifier_decode_complete_doc},
    {"cache_info", (PyCFunction)verifier_cache_info, METH_NOARGS, verifier_cache_info_doc},
    {"cache_clear", (PyCFunction)verifier_cache_clear, METH_NOARGS, verifier_cache_clear_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef verifier_getset[] = {
    {"cache_size", (getter)verifier_get_cache_size, NULL,
     "The cache argument: most tokens kept (0: no cache).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(verifier_doc,
"Verifier(algorithms=None, *, audience=None, issuer=None, subject=None, leeway=0,\n"
"         options=None, typ=None, max_age=None, denylist=None, cache=0)\n"
"--\n\n"
"decode's settings compiled once: ``v.decode(token, key)`` checks exactly what\n"
"``cjwt.decode(token, key, algorithms=..., ...)`` checks with the same\n"
"keywords, and raises the same exceptions. Immutable; share it between threads.\n\n"
"``cache=N`` (int, 0 = none) keeps the last N tokens that passed, keyed by the\n"
"exact token and the key object they passed with: a repeated token skips\n"
"decoding and the signature. On a hit exp/nbf/iat/max_age are checked again at\n"
"``now`` and the denylist is asked again; a different key object (a rotated\n"
"``KeySet``) is never served an old entry. Hits need the same key object: a\n"
"``Key``/``KeySet`` (or a str/bytes key while it stays in the 32-key cache);\n"
"a JWK dict builds a new key each call and never hits. About 2.5 times the\n"
"token's length in memory per entry. Only signature-checking verifiers cache.");

static PyType_Slot verifier_slots[] = {
    {Py_tp_doc, (void *)verifier_doc},
    {Py_tp_new, verifier_new},
    {Py_tp_dealloc, verifier_dealloc},
    {Py_tp_traverse, verifier_traverse},
    {Py_tp_clear, verifier_clear},
    {Py_tp_repr, verifier_repr},
    {Py_tp_methods, verifier_methods},
    {Py_tp_getset, verifier_getset},
    {0, NULL},
};

static PyType_Spec verifier_spec = {
    .name = "cjwt.Verifier",
    .basicsize = sizeof(VerifierObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = verifier_slots,
};

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

PyDoc_STRVAR(parse_duration_doc,
"parse_duration(text) -> int\n\n"
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

PyDoc_STRVAR(set_hooks_doc,
"_set_hooks(slow_key, seconds, unix_time)\n\n"
"Called once by the cjwt package: the Python conversions decode uses for\n"
"arguments the C code does not take directly.");

static PyObject *
py_set_hooks(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("_set_hooks", nargs, 3))
        return NULL;
    cjwt_state *st = get_state(module);
    Py_XSETREF(st->slow_key_hook, Py_NewRef(args[0]));
    Py_XSETREF(st->seconds_hook, Py_NewRef(args[1]));
    Py_XSETREF(st->time_hook, Py_NewRef(args[2]));
    Py_RETURN_NONE;
}

PyDoc_STRVAR(key_cache_info_doc,
"_key_cache_info() -> dict\n\n"
"The str/bytes key cache: {\"size\", \"maxsize\", \"hits\", \"misses\"} (tests).");

static PyObject *
py_key_cache_info(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = get_state(module);
    return Py_BuildValue("{sisisKsK}", "size", st->key_cache_n, "maxsize", KEY_CACHE_MAX,
                         "hits", st->key_cache_hits, "misses", st->key_cache_misses);
}

PyDoc_STRVAR(key_cache_clear_doc,
"_key_cache_clear()\n\nEmpties the str/bytes key cache and resets its counters.");

static PyObject *
py_key_cache_clear(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = get_state(module);
    key_cache_clear(st);
    st->key_cache_hits = st->key_cache_misses = 0;
    Py_RETURN_NONE;
}

/* ---- module ---------------------------------------------------------- */

static PyMethodDef cjwt_methods[] = {
    {"parse_duration", py_parse_duration, METH_O, parse_duration_doc},
    {"encode", (PyCFunction)(void (*)(void))py_encode, METH_FASTCALL, encode_doc},
    {"jws_encode", (PyCFunction)(void (*)(void))py_jws_encode, METH_FASTCALL, jws_encode_doc},
    {"decode", (PyCFunction)(void (*)(void))py_decode, METH_FASTCALL | METH_KEYWORDS,
     decode_doc},
    {"decode_complete", (PyCFunction)(void (*)(void))py_decode_complete,
     METH_FASTCALL | METH_KEYWORDS, decode_complete_doc},
    {"jws_decode", (PyCFunction)(void (*)(void))py_jws_decode, METH_FASTCALL | METH_KEYWORDS,
     jws_decode_doc},
    {"_set_hooks", (PyCFunction)(void (*)(void))py_set_hooks, METH_FASTCALL, set_hooks_doc},
    {"_key_cache_info", py_key_cache_info, METH_NOARGS, key_cache_info_doc},
    {"_key_cache_clear", py_key_cache_clear, METH_NOARGS, key_cache_clear_doc},
    {"get_unverified_header", py_get_unverified_header, METH_O, get_unverified_header_doc},
    {NULL, NULL, 0, NULL},
};

static int
cjwt_exec(PyObject *module)
{
    cjwt_state *st = get_state(module);
    PyObject *exceptions = NULL, *table = NULL, *base = NULL, *collections = NULL, *text = NULL,
             *max_cache = NULL;
    int rc = -1;

    st->key_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &key_spec, NULL);
    if (!st->key_type || PyModule_AddType(module, st->key_type) < 0)
        goto done;
    st->keyset_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &keyset_spec, NULL);
    if (!st->keyset_type || PyModule_AddType(module, st->keyset_type) < 0)
        goto done;
    st->verifier_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &verifier_spec, NULL);
    if (!st->verifier_type || PyModule_AddType(module, st->verifier_type) < 0)
        goto done;
    /* Verifier.cache_info()'s result, shaped like functools' CacheInfo. */
    if (!(collections = PyImport_ImportModule("collections")) ||
        !(st->cache_info_type = PyObject_CallMethod(collections, "namedtuple", "ss", "CacheInfo",
                                                    "hits misses evictions size capacity")) ||
        !(text = PyUnicode_FromString("cjwt")) ||
        PyObject_SetAttrString(st->cache_info_type, "__module__", text) < 0 ||
        PyModule_AddObjectRef(module, "CacheInfo", st->cache_info_type) < 0 ||
        !(max_cache = PyLong_FromSize_t(CJWT_MAX_CACHE_SIZE)) ||
        PyModule_AddObjectRef(module, "MAX_CACHE_SIZE", max_cache) < 0)
        goto done;

    /* code -> class table, from the names cjwt.exceptions maps. A code the
     * table does not name (a newer core) falls back to PyJWTError. */
    if (!(exceptions = PyImport_ImportModule("cjwt.exceptions")) ||
        !(table = PyObject_GetAttrString(exceptions, "EXCEPTION_FOR_CODE")) ||
        !(base = PyObject_GetAttrString(exceptions, "PyJWTError")))
        goto done;
    if (!PyDict_Check(table)) {
        PyErr_SetString(PyExc_TypeError, "cjwt.exceptions.EXCEPTION_FOR_CODE must be a dict");
        goto done;
    }
    for (int code = CJWT_OK + 1; code < CJWT_E__COUNT; code++) {
        PyObject *cls = PyDict_GetItemString(table, cjwt_code_name((cjwt_code)code));
        st->error_class[code] = Py_NewRef(cls ? cls : base);
    }
    for (int i = 0; i < N_NAMES; i++)
        if (!(st->names[i] = PyUnicode_InternFromString(name_text[i])))
            goto done;
    for (int i = 0; i < CJWT_ALG__COUNT; i++) {
        const char *name = cjwt_alg_name((cjwt_alg)i);
        if (name && !(st->alg_names[i] = PyUnicode_InternFromString(name)))
            goto done;
    }
    if (PyModule_AddStringConstant(module, "CORE_VERSION", CJWT_VERSION) < 0)
        goto done;
    rc = 0;
done:
    Py_XDECREF(exceptions);
    Py_XDECREF(table);
    Py_XDECREF(base);
    Py_XDECREF(collections);
    Py_XDECREF(text);
    Py_XDECREF(max_cache);
    return rc;
}

static int
cjwt_traverse(PyObject *module, visitproc visit, void *arg)
{
    cjwt_state *st = get_state(module);
    Py_VISIT(st->key_type);
    Py_VISIT(st->keyset_type);
    Py_VISIT(st->verifier_type);
    Py_VISIT(st->cache_info_type);
    for (int i = 0; i < CJWT_E__COUNT; i++)
        Py_VISIT(st->error_class[i]);
    Py_VISIT(st->slow_key_hook);
    Py_VISIT(st->seconds_hook);
    Py_VISIT(st->time_hook);
    return 0;
}

static int
cjwt_clear(PyObject *module)
{
    cjwt_state *st = get_state(module);
    Py_CLEAR(st->key_type);
    Py_CLEAR(st->keyset_type);
    Py_CLEAR(st->verifier_type);
    Py_CLEAR(st->cache_info_type);
    for (int i = 0; i < CJWT_E__COUNT; i++)
        Py_CLEAR(st->error_class[i]);
    for (int i = 0; i < N_NAMES; i++)
        Py_CLEAR(st->names[i]);
    for (int i = 0; i < CJWT_ALG__COUNT; i++)
        Py_CLEAR(st->alg_names[i]);
    for (int i = 0; i < STR_CACHE_SIZE; i++)
        Py_CLEAR(st->str_cache[i]);
    Py_CLEAR(st->slow_key_hook);
    Py_CLEAR(st->seconds_hook);
    Py_CLEAR(st->time_hook);
    key_cache_clear(st);
    return 0;
}

static void
cjwt_free_module(void *module)
{
    cjwt_clear((PyObject *)module);
}

static PyModuleDef_Slot cjwt_slots[] = {
    {Py_mod_exec, cjwt_exec},
    {0, NULL},
};

static struct PyModuleDef cjwt_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cjwt._cjwt",
    .m_doc = "C extension of cjwt; use the cjwt package.",
    .m_size = sizeof(cjwt_state),
    .m_methods = cjwt_methods,
    .m_slots = cjwt_slots,
    .m_traverse = cjwt_traverse,
    .m_clear = cjwt_clear,
    .m_free = cjwt_free_module,
};

PyMODINIT_FUNC
PyInit__cjwt(void)
{
    return PyModuleDef_Init(&cjwt_module);
}
