/* cjwt._cjwt: the CPython binding of the cjwt core. Private header shared by
 * the binding's files (the .c files of python/src), never installed.
 *
 * Thin by contract (docs/design.md): the binding converts Python values to
 * the core's types and back, and maps cjwt error codes to the exception
 * classes of cjwt.exceptions. It never decides whether a token is valid.
 *
 * Habits taken from CPython's Modules/_hashopenssl.c: multi-phase init, no C
 * globals (exception classes and the types live in module state), and the
 * GIL released only around pure C work (cjwt_encode / cjwt_verify_with),
 * never while a Python object is touched; a short HMAC or keyless verify
 * keeps it (decode.c, gil_pointless: releasing would cost more).
 *
 * Ownership rule used throughout: every cjwt_value / cjwt_key / cjwt_decoded
 * created here has exactly one owner variable, and each function has a
 * single exit (`done:`) that frees whatever is still owned, on every path.
 *
 * One file per concern, as in the core:
 *   module.c    module state, exec/traverse/clear, the module's method table
 *   errors.c    cjwt error code -> exception class, raise helpers
 *   convert.c   Python <-> cjwt_value, small argument helpers
 *   key.c       cjwt.Key
 *   keyset.c    cjwt.KeySet
 *   keyarg.c    the key argument of encode/decode (str/bytes key cache, hooks)
 *   encode.c    encode / jws_encode / parse_duration
 *   options.c   decode's keywords -> decode_settings (cjwt_verify_opts)
 *   decode.c    decode / decode_complete / jws_decode / get_unverified_header
 *   verifier.c  cjwt.Verifier
 *   denylist.c  the core's revocation hook calling store.is_revoked
 *   jwe.c       jwe_encrypt / jwe_decrypt (JWE, docs/jwe.md)
 *   compat.c    PyJWT's classes, messages and warnings on the cold argument paths
 *
 * Every function shared between files is declared here; the extension is
 * built with -fvisibility=hidden, so none of them is exported.
 */
#ifndef CJWT_PY_BINDING_H
#define CJWT_PY_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "cjwt.h"

/* ---- module state ---------------------------------------------------- */

/* The key cache (the core's cjwt_key_cache): str/bytes key material (PEM,
 * JWK text, secrets) passed to encode/decode -> the parsed cjwt_key, so a
 * PEM is not parsed again on every call. Keyed by the exact bytes, at most
 * KEY_CACHE_MAX entries, most recently used first; refused material is not
 * kept, evicted material is wiped. */
#define KEY_CACHE_MAX 32

/* Names compared by pointer first (callers' keyword names and dict keys
 * are interned str), then by value. Texts in module.c (name_text). */
enum {
    KW_TOKEN, KW_KEY, KW_ALGORITHMS, KW_OPTIONS, KW_VERIFY, KW_AUDIENCE, KW_ISSUER, KW_SUBJECT,
    KW_LEEWAY, KW_TYP, KW_MAX_AGE, KW_NOW, KW_DENYLIST, KW_JWT, KW_DETACHED_PAYLOAD,
    OPT_VERIFY_SIGNATURE, OPT_VERIFY_EXP, OPT_VERIFY_NBF, OPT_VERIFY_IAT, OPT_VERIFY_AUD,
    OPT_VERIFY_ISS, OPT_VERIFY_SUB, OPT_VERIFY_JTI, OPT_STRICT_AUD, OPT_REQUIRE,
    OPT_MAX_TOKEN_LEN, OPT_MAX_DEPTH,
    N_NAMES
};

/* Claim names seen recently (short ASCII only), reused instead of creating
 * the same str for every decoded token. */
#define STR_CACHE_SIZE 64
#define STR_CACHE_MAX_LEN 32

/* Likewise short ASCII string values (claims, header members, array items):
 * `iss`, `aud`, `role`, scopes, `typ`, `alg` repeat from one token to the
 * next. A table of their own, so values never evict a name; two ways a set
 * (each with its hash, val_tag: convert.c, value_hash), and a value is kept
 * only from its second sighting (val_seen), so per-token values (`sub`,
 * `jti`) take no slot (convert.c, cached_str). Up to 80 bytes: issuer URLs (Azure AD's v2
 * issuer is 75 bytes, Cognito's 60-70), audiences and scope strings fit;
 * the compare is 8 bytes a step, so a longer value costs a few more loads,
 * never a call. */
#define VAL_CACHE_SIZE 128
#define VAL_CACHE_MAX_LEN 80

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
    PyObject *str_cache[STR_CACHE_SIZE];    /* claim names (convert.c, claim_name) */
    PyObject *val_cache[VAL_CACHE_SIZE];    /* string values (convert.c, claim_value) */
    uint32_t val_tag[VAL_CACHE_SIZE];       /* the hash of each val_cache slot's str */
    uint32_t val_seen[VAL_CACHE_SIZE];      /* the hashes of recent misses (cache_miss) */
    cjwt_key_cache *key_cache;              /* owned; NULL once the module is cleared */
    uint32_t unregistered_algs;             /* CJWT_ALG_BIT()s unregister_algorithm removed */
} cjwt_state;

extern struct PyModuleDef cjwt_module;   /* module.c */

static inline cjwt_state *
get_state(PyObject *module)
{
    return (cjwt_state *)PyModule_GetState(module);
}

cjwt_state *get_state_by_type(PyTypeObject *type);

/* ---- errors.c -------------------------------------------------------- */

/* Raise the exception mapped to a code / a core error. Always NULL. */
PyObject *raise_code(cjwt_state *st, cjwt_code code, const char *message, const char *claim);
PyObject *raise_error(cjwt_state *st, const cjwt_error *err);

/* ---- convert.c ------------------------------------------------------- */

int nargs_ok(const char *fn, Py_ssize_t nargs, Py_ssize_t want);
PyObject *str_or_strings(PyObject *obj, const char *what);
const char **utf8_array(PyObject *tup);
int bytes_arg(PyObject *obj, PyObject **out);
/* A bytes-like argument (not str) as a private bytes copy (a new reference;
 * stable while the GIL is released), or NULL with TypeError naming `what`. */
PyObject *data_arg(PyObject *obj, const char *what);
cjwt_value *to_value(PyObject *obj);
PyObject *from_value_st(const cjwt_value *v, cjwt_state *st);
#define from_value(v) from_value_st((v), NULL)

/* The small argument helpers on every call's path are inline here, so that
 * splitting the binding into files costs no call (callgrind: docs/performance.md). */

/* UTF-8 of a str argument, refusing embedded NUL (the core takes C strings,
 * so "a\0b" would silently become "a"). Borrowed from `obj`. */
static inline const char *
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

/* A real number argument (int or float; not bool, not str). An exact int
 * that a double holds exactly (every unix time, every leeway) is read as a
 * C integer, without PyFloat_AsDouble's generic int path (frexp/ldexp). */
static inline int
number_arg(PyObject *obj, const char *what, double *out)
{
    if (PyLong_CheckExact(obj)) {
        int overflow = 0;
        long long n = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (!overflow && n >= -(1LL << 53) && n <= (1LL << 53)) {   /* -1 is a value here */
            *out = (double)n;
            return 0;
        }
        /* larger: PyFloat_AsDouble below rounds (or raises OverflowError) as before */
    }
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

/* A duration/time argument given as something else than int/float
 * (timedelta, datetime): converted by the package's hook (cjwt._seconds /
 * cjwt._unix_time). Returns a new reference. */
static inline PyObject *
convert_arg(PyObject *hook, PyObject *obj)
{
    if (!obj || obj == Py_None || PyLong_Check(obj) || PyFloat_Check(obj) || !hook)
        return Py_XNewRef(obj);
    return PyObject_CallOneArg(hook, obj);
}

/* A token argument: str or bytes (both immutable, so the buffer stays valid
 * while the GIL is released). Borrowed from `obj`. */
static inline const char *
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

/* ---- key.c / keyset.c ------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    cjwt_key *key;   /* owned reference; immutable */
} KeyObject;

typedef struct {
    PyObject_HEAD
    cjwt_keyset *ks;   /* owned reference; immutable */
} KeySetObject;

extern PyType_Spec key_spec, keyset_spec;

PyObject *key_wrap(PyTypeObject *type, cjwt_key *key);
unsigned key_flags(int allow_short_secret);
cjwt_key *key_from_jwk_obj(cjwt_state *st, PyObject *jwk, unsigned flags);
PyObject *key_bytes(PyObject *obj);
int private_flag(PyObject *args, PyObject *kwargs, const char *fmt);

/* ---- keyarg.c -------------------------------------------------------- */

int key_arg(cjwt_state *st, PyObject *obj, cjwt_key **out);
int slow_key_arg(cjwt_state *st, PyObject **key_io, PyObject **algorithms_io,
                 PyObject **converted);
int key_or_keyset_arg(cjwt_state *st, PyObject *obj, cjwt_key **key, cjwt_keyset **keyset);

/* ---- encode.c -------------------------------------------------------- */

/* The tail every entry point that makes a compact token shares (jws_encode,
 * jwe_encrypt, jwt_encrypt): the key argument converted, `make(ctx, key, ...)`
 * called with the GIL released (ctx must hold no Python object), the token
 * returned as str, or NULL with the core's error raised. */
typedef char *(*token_maker)(const void *ctx, const cjwt_key *key, size_t *len, cjwt_error *err);
PyObject *make_token(cjwt_state *st, PyObject *key_obj, token_maker make, const void *ctx);

/* expires_in (None, int seconds or a duration str) -> opts; -1 with an exception. */
int expires_in_arg(PyObject *expires_in, cjwt_sign_opts *opts);
/* algorithm, headers, now -> opts (*header_out a new value or NULL). */
int sign_opts_args(PyObject *alg_obj, PyObject *headers, PyObject *now, cjwt_sign_opts *opts,
                   cjwt_value **header_out);

/* encode, jws_encode, parse_duration: added to the module by cjwt_exec. */
extern PyMethodDef encode_functions[];

/* ---- jwe.c ----------------------------------------------------------- */

/* jwe_encrypt, jwe_decrypt: added to the module by cjwt_exec. */
extern PyMethodDef jwe_functions[];

/* ---- jws_json.c ------------------------------------------------------ */

/* jws_encode_json: added to the module by cjwt_exec. */
extern PyMethodDef jws_json_functions[];

/* ---- options.c ------------------------------------------------------- */

/* MODE_ENCRYPTED: decode_encrypted's settings (the JWS algorithms are needed
 * only with a verification key, for a nested token). */
/* MODE_UNSECURED: decode_unsecured (the core's cjwt_decode_unsecured; claims). */
enum { MODE_CLAIMS = 0, MODE_COMPLETE = 1, MODE_RAW = 2, MODE_ENCRYPTED = 3,
       MODE_JWS_COMPLETE = 4, MODE_UNSECURED = 5 };

/* The arguments of decode / decode_complete / jws_decode, Verifier() and
 * Verifier.decode, as the caller gave them: borrowed, NULL when not given. */
typedef struct {
    PyObject *token, *key, *now;                       /* each call's */
    PyObject *algorithms, *options, *verify, *audience, *issuer, *subject, *leeway, *typ,
             *max_age, *denylist;                      /* the settings (verify: ignored) */
    PyObject *detached_payload;                        /* jws_decode's (RFC 7797 / appendix F) */
} decode_argv;

/* One parameter of a METH_FASTCALL|METH_KEYWORDS entry point: its name (an
 * index into st->names) and its field in decode_argv. */
typedef struct {
    int name;
    size_t offset;
} decode_param;
#define DECODE_PARAM(kw, field) {(kw), offsetof(decode_argv, field)}

/* The settings parsed: the core's options and everything they borrow
 * (zero it before use; release with decode_settings_release). */
typedef struct {
    cjwt_verify_opts opts;
    PyObject *audience, *issuer, *required;   /* tuples of str keeping the UTF-8 alive */
    const char **audience_arr, **issuer_arr, **required_arr;
    const char *audience_one, *issuer_one;    /* a single str (borrowed from the argument) */
    int algorithms_given;
} decode_settings;

int compat_unknown_kwargs(const char *fn, PyObject *names);

/* Inline so that each caller's constant parameter table is folded in (the
 * names are compared by pointer first: a few instructions a keyword).
 * pyjwt_kwargs: unknown keywords warn (RemovedInPyjwt3Warning) and are
 * ignored, as in PyJWT's decode; otherwise they are a TypeError. */
/* METH_FASTCALL|METH_KEYWORDS arguments -> the fields of *out named by
 * params[0..n) (borrowed; NULL when not given). Errors read like CPython's. */
static inline int
parse_args(cjwt_state *st, const char *fn, const decode_param *params, int n, int npos,
           PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, decode_argv *out,
           int pyjwt_kwargs)
{
#define FIELD(i) (*(PyObject **)((char *)out + params[i].offset))
    PyObject *unknown = NULL;   /* PyJWT's extra kwargs: warned about, then ignored */
    memset(out, 0, sizeof *out);
    if (nargs > npos) {
        PyErr_Format(PyExc_TypeError, "%s() takes from 1 to %d positional arguments but %zd "
                     "were given", fn, npos, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        FIELD(i) = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, j);
        int i;
        for (i = 0; i < n && name != st->names[params[i].name]; i++)
            ;
        if (i == n) {   /* not interned: compare the text */
            for (i = 0; i < n; i++) {
                int eq = PyUnicode_Compare(name, st->names[params[i].name]);
                if (eq == -1 && PyErr_Occurred())
                    return -1;
                if (eq == 0)
                    break;
            }
        }
        if (i == n && pyjwt_kwargs) {
            if ((!unknown && !(unknown = PyList_New(0))) || PyList_Append(unknown, name) < 0)
                goto fail;
            continue;
        }
        if (i == n) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'", fn,
                         name);
            goto fail;
        }
        if (FIELD(i)) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%S'", fn,
                         name);
            goto fail;
        }
        FIELD(i) = args[nargs + j];
    }
#undef FIELD
    if (unknown) {
        PyObject *names = PyList_AsTuple(unknown);
        Py_CLEAR(unknown);
        if (!names || compat_unknown_kwargs(fn, names) < 0)
            return -1;
    }
    if (!out->token) {
        PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: 'token'",
                     fn);
        return -1;
    }
    return 0;
fail:
    Py_XDECREF(unknown);
    return -1;
}

/* A METH_FASTCALL|METH_KEYWORDS entry point that only calls `impl` with its
 * mode and its name: decode / decode_complete / jws_decode (decode.c) and
 * Verifier.decode / decode_complete (verifier.c) are one function each. */
#define MODE_ENTRY_POINT(name, self_type, impl, mode, fn)                                   \
    static PyObject *name(self_type self, PyObject *const *args, Py_ssize_t nargs,         \
                          PyObject *kwnames)                                                \
    {                                                                                       \
        return impl(self, (mode), (fn), args, nargs, kwnames);                             \
    }

int decode_settings_parse(cjwt_state *st, int mode, const char *calling, const decode_argv *in,
                          decode_settings *s);
void decode_settings_release(decode_settings *s);

/* ---- denylist.c ------------------------------------------------------ */

/* One verification's record of what the store raised (see denylist.c). */
typedef struct {
    PyObject *exc;        /* owned: what is_revoked raised, or NULL */
} denylist_call;

int denylist_hook(void *ctx, const cjwt_value *payload, cjwt_error *err);
/* Raises the core's error, with what the store raised (if anything) as
 * its __cause__. Always NULL. */
PyObject *denylist_raise(cjwt_state *st, const cjwt_error *err, const denylist_call *call);
/* Makes `c` the calling thread's current call; returns the outer one. */
denylist_call *denylist_enter(denylist_call *c);
void denylist_leave(denylist_call *outer);

/* ---- decode.c -------------------------------------------------------- */

/* What one verification reads besides the settings: the token, the key or
 * key set, the time. Zero it, fill it with verify_input_begin (before the
 * settings are parsed: a PyJWK may bring the algorithms) and
 * verify_input_finish, release it with verify_input_release. */
typedef struct {
    const char *token;       /* borrowed from the token argument (str/bytes: immutable) */
    size_t token_len;
    PyObject *key_obj;       /* borrowed: the argument, or an item of converted */
    PyObject *converted;     /* owned: cjwt._slow_key's answer, or NULL */
    cjwt_key *key;           /* owned reference, or NULL */
    cjwt_keyset *keyset;     /* owned reference, or NULL */
    int has_now;
    double now;
    int denylist;            /* the verification may call the denylist store (Python) */
} verify_input;

int verify_input_begin(cjwt_state *st, PyObject *token, PyObject *key, PyObject **algorithms_io,
                       verify_input *in);
int verify_input_finish(cjwt_state *st, PyObject *now, verify_input *in);
void verify_input_release(verify_input *in);
/* The verification (GIL released) through the compiled verifier v, or with
 * opts when v is NULL; the result for mode, or NULL with the error raised. */
PyObject *verify_call(cjwt_state *st, int mode, const cjwt_verifier *v,
                      const cjwt_verify_opts *opts, const verify_input *in);
/* jws_json.c: 1 when a jws_decode call goes through cjwt_jws_verify (JSON
 * input, a dict, a detached payload, jws_decode_complete); that call. */
int jws_needs_json_path(int mode, const decode_argv *argv);
PyObject *jws_json_decode(cjwt_state *st, int mode, decode_argv *argv);
/* decode, decode_complete, jws_decode, get_unverified_header: added to the
 * module by cjwt_exec. */
extern PyMethodDef decode_functions[];

/* ---- compat.c -------------------------------------------------------- */

int compat_token_type_error(cjwt_state *st);
int compat_verify_arg(PyObject *verify, int verify_signature);
int compat_claim_arg_error(cjwt_state *st, const char *what, PyObject *obj);
int compat_empty_list(cjwt_state *st, const char *what);
int compat_raise(const char *kind, const char *message);
extern PyMethodDef compat_functions[];
int compat_reraise_type_error(const char *kind, const char *prefix);
const char *compat_message(cjwt_code code, const char *message, char *buf, size_t n,
                           const char **kind);

/* ---- verifier.c ------------------------------------------------------ */

extern PyType_Spec verifier_spec;

#endif
