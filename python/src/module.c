/* The module cjwt._cjwt: its state (types, exception classes, interned
 * names, the package's hooks), multi-phase init, GC traversal and the
 * module-level functions that belong to no other concern (see binding.h
 * for the layout). */
#include "binding.h"

static const char *const name_text[N_NAMES] = {
    "token", "key", "algorithms", "options", "verify", "audience", "issuer", "subject",
    "leeway", "typ", "max_age", "now", "denylist", "jwt", "detached_payload",
    "verify_signature", "verify_exp", "verify_nbf", "verify_iat", "verify_aud",
    "verify_iss", "verify_sub", "verify_jti", "strict_aud", "require",
    "max_token_len", "max_depth",
};

cjwt_state *
get_state_by_type(PyTypeObject *type)
{
    PyObject *mod = PyType_GetModuleByDef(type, &cjwt_module);
    return mod ? get_state(mod) : NULL;
}

PyDoc_STRVAR(set_hooks_doc,
"_set_hooks($module, slow_key, seconds, unix_time, /)\n--\n\n"
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
"_key_cache_info($module, /)\n--\n\n"
"The str/bytes key cache: {\"size\", \"maxsize\", \"hits\", \"misses\"} (tests).");

static PyObject *
py_key_cache_info(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = get_state(module);
    cjwt_cache_stats s;
    cjwt_key_cache_stats(st->key_cache, &s);
    return Py_BuildValue("{snsnsKsK}", "size", (Py_ssize_t)s.size, "maxsize",
                         (Py_ssize_t)KEY_CACHE_MAX, "hits", (unsigned long long)s.hits,
                         "misses", (unsigned long long)s.misses);
}

PyDoc_STRVAR(key_cache_clear_doc,
"_key_cache_clear($module, /)\n--\n\nEmpties the str/bytes key cache and resets its counters.");

static PyObject *
py_key_cache_clear(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = get_state(module);
    cjwt_key_cache_clear(st->key_cache, 1);
    Py_RETURN_NONE;
}

/* ---- module ---------------------------------------------------------- */

static PyMethodDef cjwt_methods[] = {
    {"_set_hooks", (PyCFunction)(void (*)(void))py_set_hooks, METH_FASTCALL, set_hooks_doc},
    {"_key_cache_info", py_key_cache_info, METH_NOARGS, key_cache_info_doc},
    {"_key_cache_clear", py_key_cache_clear, METH_NOARGS, key_cache_clear_doc},
    {NULL, NULL, 0, NULL},
};

static int
cjwt_exec(PyObject *module)
{
    cjwt_state *st = get_state(module);
    PyObject *exceptions = NULL, *table = NULL, *base = NULL, *collections = NULL, *text = NULL,
             *max_cache = NULL;
    int rc = -1;

    if (!(st->key_cache = cjwt_key_cache_new(KEY_CACHE_MAX))) {
        PyErr_NoMemory();
        goto done;
    }
    if (PyModule_AddFunctions(module, encode_functions) < 0 ||
        PyModule_AddFunctions(module, decode_functions) < 0 ||
        PyModule_AddFunctions(module, jwe_functions) < 0 ||
        PyModule_AddFunctions(module, compat_functions) < 0 ||
        PyModule_AddFunctions(module, jws_json_functions) < 0)
        goto done;
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
    for (int i = 0; i < VAL_CACHE_SIZE; i++)
        Py_CLEAR(st->val_cache[i]);
    Py_CLEAR(st->slow_key_hook);
    Py_CLEAR(st->seconds_hook);
    Py_CLEAR(st->time_hook);
    cjwt_key_cache_free(st->key_cache);
    st->key_cache = NULL;
    return 0;
}

static void
cjwt_free_module(void *module)
{
    cjwt_clear((PyObject *)module);
}

/* Every piece of state is the module's (heap types, caches, hooks) or the
 * core's, which is thread-safe (keys, verifiers and key caches are shared
 * between threads; the core's only global, jwe_alg.c's fetched ciphers, is
 * made under CRYPTO_THREAD_run_once). So a subinterpreter with its own GIL
 * (Python 3.12+) may import the module; each gets its own state. */
static PyModuleDef_Slot cjwt_slots[] = {
    {Py_mod_exec, cjwt_exec},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL},
};

struct PyModuleDef cjwt_module = {
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
