/* cjwt error codes -> the exception classes of cjwt.exceptions (the table
 * is built by cjwt_exec from EXCEPTION_FOR_CODE). */
#include "binding.h"

/* Raises the exception class mapped to `code`, with the core's message,
 * `.code` set to the stable error name and, for missing_claim, `.claim`.
 * Always returns NULL. */
PyObject *
raise_code(cjwt_state *st, cjwt_code code, const char *message, const char *claim)
{
    if (code <= CJWT_OK || code >= CJWT_E__COUNT) {
        /* The core returned failure without saying why: that is a core bug,
         * reported as "internal" rather than hidden. */
        code = CJWT_E_INTERNAL;
        if (!message || !*message)
            message = "cjwt core failed without setting an error";
    }
    /* PyJWT's words (and class) where they differ from the core's (compat.c) */
    char buf[CJWT_ERROR_MESSAGE_SIZE + 128];
    const char *kind;
    message = compat_message(code, message, buf, sizeof buf, &kind);
    PyObject *cls = kind ? NULL : Py_NewRef(st->error_class[code]);
    PyObject *msg = NULL, *exc = NULL, *name = NULL;
    if (kind) {
        PyObject *mod = PyImport_ImportModule("cjwt.exceptions");
        cls = mod ? PyObject_GetAttrString(mod, kind) : NULL;
        Py_XDECREF(mod);
    }
    if (!cls)
        goto done;
    msg = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "replace");
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
    Py_XDECREF(cls);
    Py_XDECREF(msg);
    Py_XDECREF(exc);
    Py_XDECREF(name);
    return NULL;
}

PyObject *
raise_error(cjwt_state *st, const cjwt_error *err)
{
    return raise_code(st, err->code, err->message, err->claim);
}
