/* cjwt.Key: an immutable core key (cjwt_key) wrapped for Python. */
#include "binding.h"

PyObject *
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

/* The result of a constructor: the new key wrapped, or the core's error
 * raised when it is NULL. */
static PyObject *
key_result(cjwt_state *st, cjwt_key *key, cjwt_error *err)
{
    if (!key)
        return raise_error(st, err);
    return key_wrap(st->key_type, key);
}

/* The result of an export as str: `text` (ASCII, len bytes, freed here), or
 * the core's error raised when it is NULL. */
static PyObject *
ascii_result(cjwt_state *st, char *text, size_t len, cjwt_error *err)
{
    if (!text)
        return raise_error(st, err);
    PyObject *result = PyUnicode_DecodeASCII(text, (Py_ssize_t)len, "strict");
    cjwt_free(text);
    return result;
}

unsigned
key_flags(int allow_short_secret)
{
    return allow_short_secret ? CJWT_KEY_ALLOW_SHORT_SECRET : 0u;
}

/* A JWK given as a dict (-> value) or JSON text (str/bytes). New key or NULL
 * with an exception set. */
cjwt_key *
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
PyObject *
key_bytes(PyObject *obj)
{
    PyObject *bytes;
    int r = bytes_arg(obj, &bytes);
    if (r)
        return r > 0 ? bytes : NULL;
    PyErr_Format(PyExc_TypeError, "key must be str, bytes, a JWK dict, a cjwt.Key or (to verify) a cjwt.KeySet, not %.100s",
                 Py_TYPE(obj)->tp_name);
    return NULL;
}

/* The (material, allow_short_secret=False) arguments of from_secret and
 * from_jwk (names in kwlist, format "O|p:name") and the module state: st,
 * or NULL with an exception set. */
static cjwt_state *
material_args(PyTypeObject *cls, PyObject *args, PyObject *kwargs, const char *fmt,
              char **kwlist, PyObject **material, unsigned *flags)
{
    int allow_short = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, fmt, kwlist, material, &allow_short))
        return NULL;
    *flags = key_flags(allow_short);
    return get_state_by_type(cls);
}

PyDoc_STRVAR(key_from_secret_doc,
"from_secret($type, /, secret, allow_short_secret=False)\n--\n\n"
"An HMAC secret (bytes, or str as UTF-8) used as is. Secrets shorter than the\n"
"hash output are refused when used unless allow_short_secret is true.");

static PyObject *
key_from_secret(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"secret", "allow_short_secret", NULL};
    PyObject *secret;
    unsigned flags;
    cjwt_state *st = material_args(cls, args, kwargs, "O|p:from_secret", kwlist, &secret, &flags);
    if (!st)
        return NULL;
    PyObject *bytes = key_bytes(secret);
    if (!bytes)
        return NULL;
    cjwt_error err = {0};
    cjwt_key *key = cjwt_key_from_secret((const unsigned char *)PyBytes_AS_STRING(bytes),
                                         (size_t)PyBytes_GET_SIZE(bytes), flags, &err);
    Py_DECREF(bytes);
    return key_result(st, key, &err);
}

PyDoc_STRVAR(key_from_jwk_doc,
"from_jwk($type, /, jwk, allow_short_secret=False)\n--\n\n"
"A key from a JWK (RFC 7517), given as a dict or as JSON text.");

static PyObject *
key_from_jwk(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"jwk", "allow_short_secret", NULL};
    PyObject *jwk;
    unsigned flags;
    cjwt_state *st = material_args(cls, args, kwargs, "O|p:from_jwk", kwlist, &jwk, &flags);
    if (!st)
        return NULL;
    cjwt_key *key = key_from_jwk_obj(st, jwk, flags);
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
    int r = bytes_arg(obj, out);
    if (r == 0)
        PyErr_Format(PyExc_TypeError, "password must be str or bytes, not %.100s",
                     Py_TYPE(obj)->tp_name);
    return r > 0 ? 0 : -1;
}

PyDoc_STRVAR(key_from_pem_doc,
"from_pem($type, /, data, password=None)\n--\n\n"
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
    return key_result(st, key, &err);
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
"generate($type, /, alg, kid=None, crv=None)\n--\n\n"
"A new key pair (RSA 2048, the alg's EC curve, Ed25519) or a random HMAC\n"
"secret of the hash size, bound to `alg`. crv='Ed448' makes an Ed448 key\n"
"for EdDSA; for an ES alg crv may only name its curve.");

static PyObject *
key_generate(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"alg", "kid", "crv", NULL};
    PyObject *alg_obj, *kid_obj = Py_None, *crv_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:generate", kwlist, &alg_obj, &kid_obj,
                                     &crv_obj))
        return NULL;
    cjwt_state *st = get_state_by_type(cls);
    cjwt_alg alg;
    const char *kid, *crv = NULL;
    if (!st || alg_name_arg(st, alg_obj, 0, &alg) < 0 || kid_arg(kid_obj, &kid) < 0)
        return NULL;
    if (crv_obj != Py_None && !(crv = utf8_arg(crv_obj, "crv", NULL)))
        return NULL;
    cjwt_error err = {0};
    cjwt_key *key;
    Py_BEGIN_ALLOW_THREADS            /* RSA key generation takes a while */
    key = cjwt_key_generate_curve(alg, crv, kid, &err);
    Py_END_ALLOW_THREADS
    return key_result(st, key, &err);
}

/* A copy of self with another kid and/or alg binding (cjwt_key_with). */
static PyObject *
key_with(KeyObject *self, const char *kid, cjwt_alg alg)
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (!st)
        return NULL;
    cjwt_error err = {0};
    return key_result(st, cjwt_key_with(self->key, kid, alg, &err), &err);
}

PyDoc_STRVAR(key_with_kid_doc,
"with_kid($self, kid, /)\n--\n\nThe same key material and alg binding with another kid (None: none).");

static PyObject *
key_with_kid(KeyObject *self, PyObject *kid_obj)
{
    const char *kid;
    if (kid_arg(kid_obj, &kid) < 0)
        return NULL;
    return key_with(self, kid, cjwt_key_alg(self->key));
}

PyDoc_STRVAR(key_with_alg_doc,
"with_alg($self, alg, /)\n--\n\n"
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

int
private_flag(PyObject *args, PyObject *kwargs, const char *fmt)
{
    static char *kwlist[] = {"private", NULL};
    int private_ = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, fmt, kwlist, &private_))
        return -1;
    return private_;
}

PyDoc_STRVAR(key_to_jwk_doc,
"to_jwk($self, /, private=False)\n--\n\n"
"The key as a JWK; private members only when asked for (an HMAC secret's\n"
"\"k\" is private).");

/* The private=False argument of to_jwk/to_pem and the module state:
 * st, or NULL with an exception set. */
static cjwt_state *
export_args(KeyObject *self, PyObject *args, PyObject *kwargs, const char *fmt, int *private_)
{
    *private_ = private_flag(args, kwargs, fmt);
    return *private_ < 0 ? NULL : get_state_by_type(Py_TYPE(self));
}

static PyObject *
key_to_jwk(KeyObject *self, PyObject *args, PyObject *kwargs)
{
    int private_;
    cjwt_state *st = export_args(self, args, kwargs, "|p:to_jwk", &private_);
    if (!st)
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
"to_pem($self, /, private=False)\n--\n\n"
"SubjectPublicKeyInfo PEM, or unencrypted PKCS#8 with private=True.");

static PyObject *
key_to_pem(KeyObject *self, PyObject *args, PyObject *kwargs)
{
    int private_;
    cjwt_state *st = export_args(self, args, kwargs, "|p:to_pem", &private_);
    if (!st)
        return NULL;
    cjwt_error err = {0};
    size_t len = 0;
    char *pem = cjwt_key_to_pem(self->key, private_, &len, &err);
    return ascii_result(st, pem, len, &err);
}

PyDoc_STRVAR(key_thumbprint_doc,
"thumbprint($self, /)\n--\n\nThe RFC 7638 JWK thumbprint (SHA-256, base64url).");

static PyObject *
key_thumbprint(KeyObject *self, PyObject *Py_UNUSED(ignored))
{
    cjwt_state *st = get_state_by_type(Py_TYPE(self));
    if (!st)
        return NULL;
    cjwt_error err = {0};
    size_t len = 0;
    char *tp = cjwt_key_thumbprint(self->key, &len, &err);
    return ascii_result(st, tp, len, &err);
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
     "the algorithm used when none is named: the bound one, else RS256/ES256-512/ES256K/EdDSA/HS256 "
     "by key type and curve", NULL},
    {"kty", (getter)key_get_kty, NULL, "key type: 'oct', 'RSA', 'EC' or 'OKP'", NULL},
    {"is_private", (getter)key_get_is_private, NULL,
     "True for a private key or an HMAC secret", NULL},
    {"curve", (getter)key_get_curve, NULL, "'P-256', 'P-384', 'P-521', 'secp256k1', 'Ed25519', 'Ed448' (X25519, X448) or None", NULL},
    {"bits", (getter)key_get_bits, NULL, "RSA modulus / EC field size, or HMAC secret bits",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(key_doc,
"Key(key, /)\n--\n\n"
"An immutable key, parsed once and reused for many tokens (thread safe).\n"
"Key(key) reads `key` exactly as encode() and decode() read their key\n"
"argument: a JWK dict, PEM/DER/SSH text or bytes, an HMAC secret (str or\n"
"bytes), or a Key (returned as is). Key.from_secret / from_pem / from_jwk /\n"
"generate say which one is meant.");

static PyObject *
key_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", NULL};
    PyObject *obj;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:Key", kwlist, &obj))
        return NULL;
    cjwt_state *st = get_state_by_type(type);
    if (!st)
        return NULL;
    if (Py_IS_TYPE(obj, st->key_type))
        return Py_NewRef(obj);                /* immutable: the same key */
    if (!PyDict_Check(obj) && !PyUnicode_Check(obj) && !PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "Key() takes one key: a JWK dict, str or bytes (or a "
                     "cjwt.Key), not %.100s", Py_TYPE(obj)->tp_name);
        return NULL;
    }
    cjwt_key *key;
    if (key_arg(st, obj, &key) < 0)
        return NULL;
    return key_wrap(st->key_type, key);
}

static PyType_Slot key_slots[] = {
    {Py_tp_new, key_new},
    {Py_tp_dealloc, key_dealloc},
    {Py_tp_repr, key_repr},
    {Py_tp_methods, key_methods},
    {Py_tp_getset, key_getset},
    {Py_tp_doc, (void *)key_doc},
    {0, NULL},
};

PyType_Spec key_spec = {
    .name = "cjwt.Key",
    .basicsize = sizeof(KeyObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = key_slots,
};
