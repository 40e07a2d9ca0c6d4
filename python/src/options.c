/* decode's keywords (and Verifier()'s) -> the core's cjwt_verify_opts. */
#include "binding.h"

/* ---- decode ---------------------------------------------------------- */

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

/* options[name] borrowed, NULL when absent or on error (check PyErr_Occurred). */
static PyObject *
option_get(cjwt_state *st, PyObject *options, int name)
{
    return PyDict_GetItemWithError(options, st->names[name]);
}

void
decode_settings_release(decode_settings *a)
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
options_arg(cjwt_state *st, PyObject *options, decode_settings *a)
{
    if (options == Py_None)
        return 0;
    if (!PyDict_Check(options)) {
        /* a TypeError, and PyJWT's AttributeError for options=[] too */
        char msg[160];
        PyOS_snprintf(msg, sizeof msg, "options must be a dict, not %.100s",
                      Py_TYPE(options)->tp_name);
        return compat_raise("_ArgumentTypeError", msg);
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
    if (v == Py_None)   /* PyJWT iterates it: TypeError */
        return compat_raise("_RequireTypeError",
                            "option require must be a list of claim names, not None");
    if (v) {
        if (PyUnicode_Check(v)) {
            /* a TypeError, and PyJWT's MissingRequiredClaimError (it iterates the letters) */
            return compat_raise("_RequireTypeError",
                                "option require must be a list of claim names, not a str");
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
algorithms_arg(cjwt_state *st, PyObject *algorithms, decode_settings *a)
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
            /* cjwt.unregister_algorithm(): those names verify nothing any more */
            a->opts.algorithms |= bits & ~st->unregistered_algs;
            a->algorithms_given = n > 0;
            return 0;
        }
    }
    PyObject *names = str_or_strings(algorithms, "algorithms");
    if (!names) {
        /* algorithms=[5]: a TypeError, and PyJWT's InvalidAlgorithmError (no
         * name matches). A value that is no collection at all stays a TypeError. */
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            PyObject *it = PyObject_GetIter(algorithms);
            PyErr_Restore(type, value, tb);
            if (it) {
                Py_DECREF(it);
                return compat_reraise_type_error("_AlgorithmsTypeError",
                                                 "The specified alg value is not allowed: ");
            }
        }
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(names, i), &len);
        cjwt_alg alg = cjwt_alg_from_name(name, (size_t)len);
        if (alg >= CJWT_ALG__COUNT) {
            /* Refused loudly: a typo ("hs256") must not silently shrink the allowlist. */
            char msg[CJWT_ERROR_MESSAGE_SIZE];
            PyOS_snprintf(msg, sizeof msg, "The specified alg value is not allowed: \"%.64s\" "
                          "in algorithms is not a supported algorithm", name);
            Py_DECREF(names);
            raise_code(st, CJWT_E_UNSUPPORTED_ALG, msg, NULL);
            return -1;
        }
        a->opts.algorithms |= CJWT_ALG_BIT(alg) & ~st->unregistered_algs;
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

/* ---- the pieces shared by decode and Verifier ------------------------ */

/* Verification settings: decode's keywords (in, borrowed) -> a->opts. Used
 * per call by decode / decode_complete / jws_decode (cjwt_verify_with) and
 * once by Verifier() (cjwt_verifier_new, which copies what it keeps); `a`
 * must be zeroed. Every pointer left in a->opts lives in `a` or in the
 * arguments: keep both until the options are used, then
 * decode_settings_release(a). `calling` completes the message of the
 * missing-algorithms error ("calling decode()"). A denylist becomes the
 * core's revocation hook with the store as its ctx (borrowed). */
int
decode_settings_parse(cjwt_state *st, int mode, const char *calling, const decode_argv *in,
                      decode_settings *a)
{
    PyObject *leeway = NULL, *max_age = NULL;
    int rc = -1;

#define ARG(x) ((x) ? (x) : Py_None)
    PyObject *algorithms = ARG(in->algorithms), *audience = ARG(in->audience),
             *issuer = ARG(in->issuer), *subject = ARG(in->subject),
             *options = ARG(in->options), *typ = ARG(in->typ), *denylist = ARG(in->denylist);
#undef ARG
    leeway = in->leeway ? convert_arg(st->seconds_hook, in->leeway) : PyLong_FromLong(0);
    if (!leeway)
        goto done;
    if (in->max_age && !(max_age = convert_arg(st->seconds_hook, in->max_age)))
        goto done;
    if (options_arg(st, options, a) < 0)
        goto done;
    if (algorithms_arg(st, algorithms, a) < 0)
        goto done;
    int signature_checked = !(a->opts.verify_set & CJWT_CHECK_SIGNATURE) ||
                            (a->opts.verify & CJWT_CHECK_SIGNATURE);
    if (in->verify && in->verify != Py_None && compat_verify_arg(in->verify, signature_checked) < 0)
        goto done;
    if (signature_checked && !a->algorithms_given && mode != MODE_UNSECURED &&
        !(mode == MODE_ENCRYPTED && (!in->key || in->key == Py_None))) {
        /* Argument misuse, reported exactly as PyJWT does so ported code keeps working. */
        char msg[CJWT_ERROR_MESSAGE_SIZE];
        PyOS_snprintf(msg, sizeof msg, "It is required that you pass in a value for the "
                      "\"algorithms\" argument when %s.", calling);
        raise_code(st, CJWT_E_MALFORMED, msg, NULL);
        goto done;
    }
    if (strings_arg(audience, "audience", &a->audience, &a->audience_arr, &a->audience_one,
                    &a->opts.audience, &a->opts.n_audience) < 0) {
        compat_claim_arg_error(st, "audience", audience);
        goto done;
    }
    if (strings_arg(issuer, "issuer", &a->issuer, &a->issuer_arr, &a->issuer_one,
                    &a->opts.issuer, &a->opts.n_issuer) < 0) {
        compat_claim_arg_error(st, "issuer", issuer);
        goto done;
    }
    /* An empty list accepts nothing (as in PyJWT), unlike no list at all. */
    if ((audience != Py_None && a->opts.n_audience == 0 && compat_empty_list(st, "audience")) ||
        (issuer != Py_None && a->opts.n_issuer == 0 && compat_empty_list(st, "issuer")))
        goto done;
    if (subject != Py_None && !(a->opts.subject = utf8_arg(subject, "subject", NULL))) {
        compat_claim_arg_error(st, "subject", subject);
        goto done;
    }
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
