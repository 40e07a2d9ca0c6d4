/* PyJWT's behaviour on the argument paths that are not the hot path: the
 * exception class and message for a token that is not str/bytes, the
 * warnings for extra keyword arguments and for `verify=`, and PyJWT's
 * classes for audience / issuer / subject arguments it cannot use. Every
 * function here runs only on an error or on a deprecated argument, so the
 * verify path pays nothing for it. */
#include "binding.h"

/* decode(None), decode(5)...: PyJWT's DecodeError and message (an app that
 * passes a missing header value answers 401, not 500). Always -1. */
int
compat_token_type_error(cjwt_state *st)
{
    raise_code(st, CJWT_E_MALFORMED, "Invalid token type. Token must be a <class 'bytes'>", NULL);
    return -1;
}

/* cjwt.warnings.<name>, a new reference (NULL with an exception). */
static PyObject *
warning_class(const char *name)
{
    PyObject *mod = PyImport_ImportModule("cjwt.warnings");
    if (!mod)
        return NULL;
    PyObject *cls = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    return cls;
}

/* Keyword arguments decode() does not know: PyJWT 2 warns
 * (RemovedInPyjwt3Warning) and ignores them. `names` is a new tuple of the
 * unknown names (stolen). -1 when the warning was turned into an error. */
int
compat_unknown_kwargs(const char *fn, PyObject *names)
{
    PyObject *cls = warning_class("RemovedInPyjwt3Warning");
    PyObject *msg = NULL;
    int rc = -1;
    if (!cls)
        goto done;
    msg = PyUnicode_FromFormat("passing additional kwargs to %s() is deprecated and will be "
                               "removed in pyjwt version 3. Unsupported kwargs: %R", fn, names);
    if (!msg)
        goto done;
    rc = PyErr_WarnEx(cls, PyUnicode_AsUTF8(msg), 1);
done:
    Py_XDECREF(cls);
    Py_XDECREF(msg);
    Py_DECREF(names);
    return rc;
}

/* `verify=` does nothing since PyJWT 2; PyJWT warns when it contradicts
 * options["verify_signature"]. */
int
compat_verify_arg(PyObject *verify, int verify_signature)
{
    int on = PyObject_IsTrue(verify);
    if (on < 0)
        return -1;
    if (on == verify_signature)
        return 0;
    return PyErr_WarnEx(PyExc_DeprecationWarning,
                        "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. "
                        "The equivalent is setting `verify_signature` to False in the `options` "
                        "dictionary. This invocation has a mismatch between the kwarg and the "
                        "option entry.", 1);
}

/* The claim-check arguments PyJWT cannot use either, with its classes: a
 * TypeError just raised for `what` ("audience", "issuer", "subject") is
 * replaced, as PyJWT would refuse every token with such an argument:
 * audience bytes or with non-str members -> InvalidAudienceError,
 * issuer not str/container -> InvalidIssuerError, subject not str ->
 * InvalidSubjectError. A value of no usable type for audience stays a
 * TypeError, with PyJWT's message. Always -1. */
int
compat_claim_arg_error(cjwt_state *st, const char *what, PyObject *obj)
{
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
        return -1;
    PyErr_Clear();
    if (strcmp(what, "audience") == 0) {
        PyObject *it = PyObject_GetIter(obj);
        if (!it) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "audience must be a string, iterable or None");
            return -1;
        }
        Py_DECREF(it);
        raise_code(st, CJWT_E_INVALID_AUDIENCE,
                   "Audience doesn't match: the expected audience must be str or an iterable "
                   "of str", NULL);
    } else if (strcmp(what, "issuer") == 0) {
        raise_code(st, CJWT_E_INVALID_ISSUER,
                   "Issuer param must be \"str\" or \"Container[str]\"", NULL);
    } else {
        raise_code(st, CJWT_E_INVALID_SUBJECT,
                   "Invalid subject: the expected subject must be str", NULL);
    }
    return -1;
}

/* audience=[] or issuer=[]: PyJWT then accepts no token (nothing matches);
 * cjwt reads an empty list the same way instead of as "not given". */
int
compat_empty_list(cjwt_state *st, const char *what)
{
    if (strcmp(what, "audience") == 0)
        raise_code(st, CJWT_E_INVALID_AUDIENCE,
                   "Audience doesn't match: the list of expected audiences is empty", NULL);
    else
        raise_code(st, CJWT_E_INVALID_ISSUER,
                   "Invalid issuer: the list of expected issuers is empty", NULL);
    return -1;
}

/* ---- one error, PyJWT's class too ------------------------------------ */

/* cjwt.exceptions.<kind> (a class deriving from both cjwt's and PyJWT's
 * class for the error), a new reference; NULL with an exception set. */
static PyObject *
compat_class(const char *kind)
{
    PyObject *mod = PyImport_ImportModule("cjwt.exceptions");
    if (!mod)
        return NULL;
    PyObject *cls = PyObject_GetAttrString(mod, kind);
    Py_DECREF(mod);
    return cls;
}

/* Raises cjwt.exceptions.<kind>(message) (for argument errors, no .code
 * beyond the class's). Always -1. */
int
compat_raise(const char *kind, const char *message)
{
    PyObject *cls = compat_class(kind);
    if (!cls)
        return -1;
    PyObject *msg = PyUnicode_FromString(message);
    if (msg) {
        PyObject *exc = PyObject_CallOneArg(cls, msg);
        if (exc) {
            PyErr_SetObject(cls, exc);
            Py_DECREF(exc);
        }
        Py_DECREF(msg);
    }
    Py_DECREF(cls);
    return -1;
}

/* A TypeError just raised for an argument -> the same message in
 * cjwt.exceptions.<kind>, prefixed by `prefix` (PyJWT's text for the case).
 * Any other exception is left as it is. Always -1. */
int
compat_reraise_type_error(const char *kind, const char *prefix)
{
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
        return -1;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (!text)
        return -1;
    const char *detail = PyUnicode_AsUTF8(text);
    if (detail) {
        char buf[CJWT_ERROR_MESSAGE_SIZE + 128];
        PyOS_snprintf(buf, sizeof buf, "%s%s", prefix, detail);
        compat_raise(kind, buf);
    }
    Py_DECREF(text);
    return -1;
}

/* The core's message -> Python's, where PyJWT's text (which ported code
 * matches on) differs: PyJWT's words first, the core's detail after. Some
 * also take a class deriving from PyJWT's class for the case too:
 * `*kind` is then its name in cjwt.exceptions (else NULL). Returns
 * `message` itself when nothing changes, else `buf`. The core's texts
 * (csrc/jws.c, csrc/claims.c, csrc/alg.c) are shared with C and Lua, which
 * keep them; tests/python/test_pyjwt_differential.py pins each case. Only
 * error paths run this. */
const char *
compat_message(cjwt_code code, const char *message, char *buf, size_t n, const char **kind)
{
    static const char *const dates[] = {"Expiration Time claim (exp)", "Not Before claim (nbf)",
                                        "Issued At claim (iat)"};
    static const char number[] = " must be a number";
    char alg[16], bound[16];
    size_t len = strlen(message);

    *kind = NULL;
    if (code == CJWT_E_MALFORMED && strcmp(message, "Too many segments") == 0) {
        /* PyJWT splits off the signature, then fails on the payload's base64 */
        PyOS_snprintf(buf, n, "Invalid payload padding: too many segments (a compact JWS has "
                      "three)");
        return buf;
    }
    if (code == CJWT_E_MALFORMED && strcmp(message, "the header segment is empty") == 0) {
        /* PyJWT: json.loads of nothing */
        PyOS_snprintf(buf, n, "Invalid header string: the header segment is empty");
        return buf;
    }
    if (code == CJWT_E_MALFORMED && strncmp(message, "the token has 5 segments", 24) == 0) {
        /* PyJWT: a header with dots in it is not base64url */
        PyOS_snprintf(buf, n, "Invalid header padding: %s", message);
        return buf;
    }
    if ((code == CJWT_E_MALFORMED || code == CJWT_E_INVALID_IAT) && len > sizeof number &&
        strcmp(message + len - (sizeof number - 1), number) == 0) {
        for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
            if (len - (sizeof number - 1) == strlen(dates[i]) &&
                strncmp(message, dates[i], strlen(dates[i])) == 0) {
                /* PyJWT's words; both take any JSON number (PyJWT: int() of it) */
                PyOS_snprintf(buf, n, "%s must be an integer. (a NumericDate: any JSON number)",
                              dates[i]);
                return buf;
            }
        }
        return message;
    }
    if (code != CJWT_E_INVALID_KEY)
        return message;
    if (sscanf(message, "the key is bound to %15s and cannot be used with %15s", bound, alg) == 2) {
        *kind = "_KeyAlgorithmError";
        PyOS_snprintf(buf, n, "Token algorithm '%s' does not match the key's algorithm '%s': %s",
                      alg, bound, message);
        return buf;
    }
    const char *req = strstr(message, "a key is required for ");
    if (req && (req == message || strncmp(message, "HMAC key must not be empty. ", 28) == 0)) {
        /* No key (None): PyJWT's algorithms fail on it with TypeError */
        const char *name = req + strlen("a key is required for ");
        *kind = "_KeyTypeError";
        if (strncmp(name, "HS", 2) == 0)
            PyOS_snprintf(buf, n, "Expected a string or bytes value: %s", req);
        else if (strncmp(name, "RS", 2) == 0 || strncmp(name, "PS", 2) == 0 ||
                 strncmp(name, "ES", 2) == 0)
            PyOS_snprintf(buf, n, "Expecting a PEM-formatted key: %s", req);
        else
            return message;
        return buf;
    }
    if (strstr(message, "not an oct (HMAC secret) key")) {
        /* An HMAC secret (text) for an asymmetric algorithm: PyJWT tries to
         * read it as PEM, with these messages and classes */
        if (strncmp(message, "RS", 2) == 0 || strncmp(message, "PS", 2) == 0) {
            PyOS_snprintf(buf, n, "Could not parse the provided public key. (%s)", message);
        } else if (strncmp(message, "ES", 2) == 0) {
            *kind = "_KeyValueError";
            PyOS_snprintf(buf, n, "Unable to load PEM file. (%s)", message);
        } else if (strncmp(message, "EdDSA", 5) == 0) {
            PyOS_snprintf(buf, n, "Not a public or private key (%s)", message);
        } else {
            return message;
        }
        return buf;
    }
    return message;
}

/* ---- unregister_algorithm -------------------------------------------- */

PyDoc_STRVAR(set_unregistered_doc,
"_set_unregistered($module, names, /)\n--\n\n"
"The algorithm names cjwt.unregister_algorithm() removed (a tuple of str):\n"
"decode's allowlists drop them, so tokens of those algorithms are refused.");

static PyObject *
py_set_unregistered(PyObject *module, PyObject *names)
{
    cjwt_state *st = get_state(module);
    uint32_t mask = 0;
    if (!PyTuple_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "names must be a tuple of str");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        Py_ssize_t len;
        const char *name = utf8_arg(PyTuple_GET_ITEM(names, i), "names", &len);
        if (!name)
            return NULL;
        cjwt_alg alg = cjwt_alg_from_name(name, (size_t)len);
        if (alg < CJWT_ALG__COUNT)
            mask |= CJWT_ALG_BIT(alg);
    }
    st->unregistered_algs = mask;
    Py_RETURN_NONE;
}

PyMethodDef compat_functions[] = {
    {"_set_unregistered", py_set_unregistered, METH_O, set_unregistered_doc},
    {NULL, NULL, 0, NULL},
};
