/* The denylist: the core's revocation hook calling store.is_revoked. */
#include "binding.h"

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

static _Thread_local denylist_call *current_call;

denylist_call *
denylist_enter(denylist_call *c)
{
    denylist_call *outer = current_call;
    current_call = c;
    return outer;
}

void
denylist_leave(denylist_call *outer)
{
    current_call = outer;
}

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

int
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

PyObject *
denylist_raise(cjwt_state *st, const cjwt_error *err, const denylist_call *call)
{
    raise_error(st, err);
    if (call->exc) {
        /* The store's own exception (a redis ConnectionError...) as the cause. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (value)
            PyException_SetCause(value, Py_NewRef(call->exc));   /* steals the new ref */
        PyErr_Restore(type, value, tb);
    }
    return NULL;
}
