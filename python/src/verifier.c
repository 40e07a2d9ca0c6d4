/* cjwt.Verifier: decode's settings compiled once into a cjwt_verifier. */
#include "binding.h"

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

static const decode_param verifier_call_params[] = {
    DECODE_PARAM(KW_TOKEN, token), DECODE_PARAM(KW_KEY, key), DECODE_PARAM(KW_NOW, now),
};
#define VERIFIER_CALL_NPOS 2

static PyObject *
verifier_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"algorithms", "audience", "issuer", "subject", "leeway", "options",
                             "typ", "max_age", "denylist", "cache", NULL};
    PyObject *cache = NULL;
    cjwt_state *st = PyType_GetModuleState(type);
    VerifierObject *self = NULL;
    decode_argv in;
    decode_settings a;
    cjwt_error err = {0};
    size_t cache_size = 0;

    memset(&in, 0, sizeof in);
    memset(&a, 0, sizeof a);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O$OOOOOOOOO:Verifier", kwlist,
                                     &in.algorithms, &in.audience, &in.issuer, &in.subject,
                                     &in.leeway, &in.options, &in.typ, &in.max_age, &in.denylist,
                                     &cache))
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
    if (decode_settings_parse(st, MODE_CLAIMS, "creating a Verifier", &in, &a) < 0)
        goto fail;
    a.opts.cache_size = cache_size;
    if (!(self = (VerifierObject *)type->tp_alloc(type, 0)))
        goto fail;
    if (a.opts.revocation) {
        /* The core keeps the ctx pointer: the store lives as long as we do. */
        self->denylist = Py_NewRef(in.denylist);
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
    decode_settings_release(&a);
    return (PyObject *)self;
fail:
    decode_settings_release(&a);
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
    PyObject *result = NULL, *no_algorithms, *algorithms;
    decode_argv argv;
    verify_input in;

    if (parse_args(st, fn, verifier_call_params, 3, VERIFIER_CALL_NPOS, args, nargs, kwnames,
                   &argv, 0) < 0)
        return NULL;
    if (!self->v || (self->has_denylist && !self->denylist)) {
        PyErr_SetString(PyExc_RuntimeError, "this Verifier is being destroyed");
        return NULL;
    }
    /* The algorithms are the Verifier's: a PyJWK's own is not used (an
     * empty tuple, not None, tells _slow_key so; its answer is ignored). */
    if (!(no_algorithms = PyTuple_New(0)))
        return NULL;
    algorithms = no_algorithms;
    memset(&in, 0, sizeof in);
    if (verify_input_begin(st, argv.token, argv.key, &algorithms, &in) < 0 ||
        verify_input_finish(st, argv.now, &in) < 0)
        goto done;
    in.denylist = self->has_denylist;
    result = verify_call(st, mode, self->v, NULL, &in);
done:
    verify_input_release(&in);
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

MODE_ENTRY_POINT(verifier_decode, VerifierObject *, verifier_call, MODE_CLAIMS, "decode")

PyDoc_STRVAR(verifier_decode_complete_doc,
"decode_complete($self, /, token, key=None, *, now=None)\n"
"--\n\n"
"Like :meth:`decode`, returning ``{\"header\", \"payload\", \"signature\"}``.");

MODE_ENTRY_POINT(verifier_decode_complete, VerifierObject *, verifier_call, MODE_COMPLETE, "decode_complete")

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

PyType_Spec verifier_spec = {
    .name = "cjwt.Verifier",
    .basicsize = sizeof(VerifierObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = verifier_slots,
};
