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
