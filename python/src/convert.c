/* Python <-> cjwt_value, and the small argument helpers every entry point
 * uses (str without NUL, tokens, numbers, lists of str). */
#include "binding.h"
#include "cjwt_bytes.h"

/* ---- small argument helpers ------------------------------------------ */

/* The METH_FASTCALL entry points are private (called by cjwt/__init__.py
 * with every argument), so only the count is checked. */
int
nargs_ok(const char *fn, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", fn, want, nargs);
    return 0;
}

/* `str` or an iterable of `str` -> a new tuple of str (a private copy, so a
 * list the caller mutates from another thread cannot free our strings). */
PyObject *
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
const char **
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

/* str (as UTF-8), bytes or a bytes-like object -> a new bytes object in
 * *out (a private immutable copy): 1. 0 without an exception when obj is
 * none of these (the caller names what it wanted), -1 on error. */
int
bytes_arg(PyObject *obj, PyObject **out)
{
    if (PyUnicode_Check(obj))
        *out = PyUnicode_AsUTF8String(obj);
    else if (PyBytes_Check(obj))
        *out = Py_NewRef(obj);
    else if (PyObject_CheckBuffer(obj))
        *out = PyBytes_FromObject(obj);
    else
        return 0;
    return *out ? 1 : -1;
}

/* ---- Python -> cjwt_value -------------------------------------------- */

cjwt_value *
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

/* A str from UTF-8 bytes the core produced (valid, no NUL); `ascii` when
 * the core knows them to be ASCII only: then copied into a new compact
 * ASCII str, without the decoder's scan. */
static inline PyObject *
new_str(const char *s, size_t len, int ascii)
{
    if (ascii) {
        PyObject *str = PyUnicode_New((Py_ssize_t)len, 127);
        if (str)
            memcpy(PyUnicode_1BYTE_DATA(str), s, len);
        return str;
    }
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "strict");
}

/* The name and value caches (module state) are read and changed with the
 * GIL held: every caller converts after Py_END_ALLOW_THREADS, and the
 * denylist hook (which runs under PyGILState) converts without them
 * (from_value with st == NULL). They rely on it: a hit takes a reference
 * that a concurrent miss's eviction could drop. Declaring the module
 * free-threading safe (Py_mod_gil = Py_MOD_GIL_NOT_USED) would need a lock
 * or per-thread caches first.
 *
 * A miss of cached_str: a new str. It is kept (in the set's newer way, the
 * newer one moving to the older way and the older one being dropped) only
 * when the same hash `h` missed recently: `seen` remembers the set's last
 * two misses, so a value is kept from its second sighting on. A value that
 * never comes back (`sub`, `jti`) is not kept: freed with its dict, as
 * without the cache, instead of holding a slot until another value evicts
 * it. */
static inline PyObject *
cache_miss(PyObject **set, uint32_t *tag, uint32_t *seen, uint32_t h, const char *k, size_t len,
           int ascii)
{
    PyObject *str = new_str(k, len, ascii);
    if (!str)
        return NULL;
    if (seen[0] != h && seen[1] != h) {
        seen[1] = seen[0];
        seen[0] = h;
    } else if (PyUnicode_IS_ASCII(str) && PyUnicode_IS_COMPACT(str)) {
        PyObject *old = set[1];
        set[1] = set[0];
        tag[1] = tag[0];
        set[0] = Py_NewRef(str);
        tag[0] = h;
        Py_XDECREF(old);
    }
    return str;
}

/* The hash of a value's bytes for cached_str: its first, middle and last 8
 * (or 4) bytes and its length, so that values which differ only inside (an
 * issuer with a tenant id, "user-1234567") get different hashes: a miss is
 * decided on the hash, and a value is kept when its hash was seen before. */
static inline uint32_t
value_hash(const char *k, size_t len)
{
    uint64_t a, b, c;
    if (len >= 8) {
        memcpy(&a, k, 8);
        memcpy(&b, k + (len - 8) / 2, 8);
        memcpy(&c, k + len - 8, 8);
    } else if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, k, 4);
        memcpy(&y, k + len - 4, 4);
        a = x, b = y, c = 0;
    } else {
        a = (unsigned char)k[0], b = (unsigned char)k[len >> 1], c = (unsigned char)k[len - 1];
    }
    uint64_t h = (a ^ (uint64_t)len << 56) * 0x9E3779B97F4A7C15u ^ b * 0xC2B2AE3D27D4EB4Fu ^
                 c * 0x165667B19E3779F9u;
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* A short str from `cache` (`size` slots, size / 2 sets of two ways; `tag`
 * and `seen` as many hashes) when the same bytes were seen before, else a
 * new one from cache_miss. The set comes from value_hash (not a hash of
 * every byte): a collision only costs a miss, the bytes are compared
 * anyway. Each way's hash is kept beside it (`tag`), so that a
 * miss is decided without reading the cached str. Two ways, so that two
 * values of one token that share a set (`aud` and a scope of the reference
 * token do) both stay. Runs with the GIL held; nothing between
 * the slot's read and Py_NewRef can run Python code, and cache_miss reads
 * the set again after new_str (which allocates). */
static inline PyObject *
cached_str(PyObject **cache, uint32_t *tag, uint32_t *seen, unsigned size, const char *k,
           size_t len, int ascii)
{
    uint32_t h = value_hash(k, len);
    unsigned i = h % (size / 2) * 2;
    for (unsigned w = i; w < i + 2; w++) {
        PyObject *cached = cache[w];
        if (tag[w] == h && cached && PyUnicode_GET_LENGTH(cached) == (Py_ssize_t)len &&
            cjwt_same_bytes((const char *)PyUnicode_1BYTE_DATA(cached), k, len))   /* cached ones are compact ASCII */
            return Py_NewRef(cached);
    }
    return cache_miss(&cache[i], &tag[i], &seen[i], h, k, len, ascii);
}

/* A claim name as str: from st->str_cache when the same short ASCII name
 * was seen before (the cached str also keeps its hash for the dict). The
 * slot comes from the length and three of the bytes (not a hash of every
 * byte): a collision only costs a miss, the bytes are compared anyway. */
static inline PyObject *
claim_name(cjwt_state *st, const char *k, size_t len, int ascii)
{
    if (!st || len == 0 || len > STR_CACHE_MAX_LEN)
        return new_str(k, len, ascii);
    unsigned h = (unsigned)len * 0x9E3779B1u ^ (unsigned char)k[0] * 0x85EBCA6Bu ^
                 (unsigned char)k[len - 1] * 0xC2B2AE35u ^ (unsigned char)k[len >> 1];
    PyObject **slot = &st->str_cache[(h ^ h >> 16) % STR_CACHE_SIZE];
    PyObject *cached = *slot;
    if (cached && PyUnicode_GET_LENGTH(cached) == (Py_ssize_t)len &&
        cjwt_same_bytes((const char *)PyUnicode_1BYTE_DATA(cached), k, len))   /* cached ones are compact ASCII */
        return Py_NewRef(cached);
    PyObject *str = new_str(k, len, ascii);
    if (str && PyUnicode_IS_ASCII(str) && PyUnicode_IS_COMPACT(str))
        Py_XSETREF(*slot, Py_NewRef(str));
    return str;
}

/* A string value as str: from st->val_cache when the same short ASCII value
 * was seen before (str is immutable: every holder may share it), in a table
 * apart from the names'. "" is CPython's empty singleton already. */
static inline PyObject *
claim_value(cjwt_state *st, const char *s, size_t len, int ascii)
{
    if (!st || len == 0 || len > VAL_CACHE_MAX_LEN)
        return new_str(s, len, ascii);
    return cached_str(st->val_cache, st->val_tag, st->val_seen, VAL_CACHE_SIZE, s, len, ascii);
}

#if PY_VERSION_HEX < 0x030D0000
#define new_dict_sized(n) _PyDict_NewPresized((Py_ssize_t)(n))
#else
#define new_dict_sized(n) PyDict_New()
#endif

static PyObject *items_to_py(const cjwt_item *items, size_t *pos, cjwt_state *st);

/* items[*pos] -> Python, advancing *pos past it and what it holds: scalars
 * inline (the members of a usual payload), containers by items_to_py.
 * Always inlined: with the value cache GCC would otherwise make it a
 * function of its own, and every member (ints too) would pay for a call. */
static inline Py_ALWAYS_INLINE PyObject *
item_to_py(const cjwt_item *items, size_t *pos, cjwt_state *st)
{
    const cjwt_item *it = &items[*pos];
    switch (it->type) {
    case CJWT_TYPE_STRING:
        ++*pos;
        return claim_value(st, it->s, it->len, (it->flags & CJWT_ITEM_ASCII) != 0);
    case CJWT_TYPE_INT:
        ++*pos;
        return PyLong_FromLongLong((long long)it->i);
    case CJWT_TYPE_NULL:
        ++*pos;
        Py_RETURN_NONE;
    case CJWT_TYPE_FALSE:
        ++*pos;
        Py_RETURN_FALSE;
    case CJWT_TYPE_TRUE:
        ++*pos;
        Py_RETURN_TRUE;
    case CJWT_TYPE_REAL:
        ++*pos;
        return PyFloat_FromDouble(it->d);
    default:
        return items_to_py(items, pos, st);
    }
}

/* items[*pos] and what it holds -> Python, advancing *pos past them. */
static PyObject *
items_to_py(const cjwt_item *items, size_t *pos, cjwt_state *st)
{
    const cjwt_item *it = &items[*pos];
    switch (it->type) {
    case CJWT_TYPE_ARRAY: {
        ++*pos;
        if (Py_EnterRecursiveCall(" while converting a JWT value"))
            return NULL;
        PyObject *list = PyList_New((Py_ssize_t)it->len);
        for (size_t i = 0; list && i < it->len; i++) {
            PyObject *item = item_to_py(items, pos, st);
            if (!item)
                Py_CLEAR(list);
            else
                PyList_SET_ITEM(list, (Py_ssize_t)i, item);
        }
        Py_LeaveRecursiveCall();
        return list;
    }
    case CJWT_TYPE_OBJECT: {
        ++*pos;
        if (Py_EnterRecursiveCall(" while converting a JWT value"))
            return NULL;
        PyObject *dict = new_dict_sized(it->len);
        for (size_t i = 0; dict && i < it->len; i++) {
            const cjwt_item *m = &items[*pos];
            PyObject *key = claim_name(st, m->name, m->name_len,
                                       (m->flags & CJWT_ITEM_NAME_ASCII) != 0);
            PyObject *item = key ? item_to_py(items, pos, st) : NULL;
            if (!item || PyDict_SetItem(dict, key, item) < 0)
                Py_CLEAR(dict);
            Py_XDECREF(key);
            Py_XDECREF(item);
        }
        Py_LeaveRecursiveCall();
        return dict;
    }
    case CJWT_TYPE_NULL:
    case CJWT_TYPE_FALSE:
    case CJWT_TYPE_TRUE:
    case CJWT_TYPE_INT:
    case CJWT_TYPE_REAL:
    case CJWT_TYPE_STRING:
        return item_to_py(items, pos, st);
    }
    PyErr_SetString(PyExc_SystemError, "cjwt: unknown JSON value type from the core");
    return NULL;
}

/* Values of up to this many items are converted without an allocation. */
#define ITEMS_ON_STACK 48

/* cjwt_value -> Python; st (may be NULL) gives the claim name and value
 * caches. The core lays the whole tree out at once (cjwt_value_items): one
 * call, then native objects straight from it. */
PyObject *
from_value_st(const cjwt_value *v, cjwt_state *st)
{
    cjwt_item on_stack[ITEMS_ON_STACK], *items = on_stack;
    size_t pos = 0, n = cjwt_value_items(v, items, ITEMS_ON_STACK);
    if (n > ITEMS_ON_STACK) {
        if (!(items = PyMem_New(cjwt_item, n)))
            return PyErr_NoMemory();
        cjwt_value_items(v, items, n);
    }
    PyObject *result = items_to_py(items, &pos, st);
    if (items != on_stack)
        PyMem_Free(items);
    return result;
}

PyObject *
data_arg(PyObject *obj, const char *what)
{
    if (PyBytes_Check(obj))
        return Py_NewRef(obj);
    if (PyObject_CheckBuffer(obj) && !PyUnicode_Check(obj))
        return PyBytes_FromObject(obj);   /* private copy: stable without the GIL */
    PyErr_Format(PyExc_TypeError, "%s must be bytes, not %.100s", what, Py_TYPE(obj)->tp_name);
    return NULL;
}
