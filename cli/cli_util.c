/* Files, keys, errors and JSON printing for the cjwt command. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- errors ---------------------------------------------------------- */

int cli_fail(cjwt_code code, const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cjwt: %s: ", cjwt_code_name(code));
    if (what)
        fprintf(stderr, "%s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_FOR_CODE(code);
}

int cli_fail_err(const cjwt_error *err, const char *what)
{
    cjwt_code code = err->code == CJWT_OK ? CJWT_E_INTERNAL : err->code;
    return cli_fail(code, what, "%s", err->message[0] ? err->message : "failed");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cjwt%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `cjwt %s%s--help`)\n", cmd ? cmd : "", cmd ? " " : "");
    return CLI_EXIT_USAGE;
}

int cli_io_error(const char *path, const char *why)
{
    fprintf(stderr, "cjwt: io: %s: %s\n", strcmp(path, "-") == 0 ? "(stdin)" : path, why);
    return CLI_EXIT_IO;
}

/* ---- files ----------------------------------------------------------- */

void cli_wipe(void *p, size_t n)
{
    /* volatile so the compiler cannot drop the stores as dead before free */
    volatile unsigned char *v = p;
    while (p && n--)
        *v++ = 0;
}

void cli_free_secret(char *p, size_t n)
{
    cli_wipe(p, n);
    free(p);
}

int cli_read_file(const char *path, char **data, size_t *len)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    size_t cap = 4096, n = 0;
    char *buf;
    *data = NULL;
    *len = 0;
    if (!f)
        return cli_io_error(path, strerror(errno));
    buf = malloc(cap + 1);
    if (!buf) {
        if (!is_stdin)
            fclose(f);
        return cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory reading %s", path);
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            char *bigger;
            if (cap > CLI_MAX_FILE) {
                /* Read one byte past the cap: that is how we know it is over. */
                cli_free_secret(buf, n);
                if (!is_stdin)
                    fclose(f);
                return cli_fail(CJWT_E_TOO_LARGE, is_stdin ? "(stdin)" : path,
                                "input is larger than %d bytes", CLI_MAX_FILE);
            }
            cap = cap * 2 > (size_t)CLI_MAX_FILE + 1 ? (size_t)CLI_MAX_FILE + 1 : cap * 2;
            bigger = malloc(cap + 1);
            if (!bigger) {
                cli_free_secret(buf, n);
                if (!is_stdin)
                    fclose(f);
                return cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory reading %s", path);
            }
            memcpy(bigger, buf, n);
            cli_free_secret(buf, n);   /* the file may be a key */
            buf = bigger;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            int bad = ferror(f);
            int e = errno;
            if (!is_stdin)
                fclose(f);
            if (bad) {
                cli_free_secret(buf, n);
                return cli_io_error(path, strerror(e));
            }
            break;
        }
    }
    if (n > CLI_MAX_FILE) {
        cli_free_secret(buf, n);
        return cli_fail(CJWT_E_TOO_LARGE, is_stdin ? "(stdin)" : path,
                        "input is larger than %d bytes", CLI_MAX_FILE);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int cli_write_file(const char *path, const char *data, size_t len, unsigned mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, (mode_t)mode);
    size_t off = 0;
    if (fd < 0)
        return cli_io_error(path, errno == EEXIST ? "file exists; refusing to replace it"
                                                  : strerror(errno));
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return cli_io_error(path, strerror(e));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0)
        return cli_io_error(path, strerror(errno));
    return 0;
}

/* ---- keys ------------------------------------------------------------ */

static int looks_like_json(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < n && s[i] == '{';
}

/* A key file may hold a secret, and a JSON parser's message may quote the
 * text near the error (jansson's does: "near '...'"), so for key files the
 * command keeps the error name and withholds the parser's words. */
static cjwt_value *parse_key_json(const char *path, const char *data, size_t len, int *rc)
{
    cjwt_error err;
    cjwt_value *v = cjwt_value_from_json(data, len, &err);
    if (!v)
        *rc = cli_fail(err.code, path, "not valid JSON (details withheld: a key file may "
                                       "hold a secret)");
    return v;
}

int cli_load_key_file(const char *path, unsigned flags, cjwt_key **out)
{
    cjwt_error err;
    char *data;
    size_t len;
    int rc = cli_read_file(path, &data, &len);
    *out = NULL;
    if (rc)
        return rc;
    if (looks_like_json(data, len)) {
        cjwt_value *v = parse_key_json(path, data, len, &rc);
        if (!v) {
            cli_free_secret(data, len);
            return rc;
        }
        if (cjwt_value_type(v) == CJWT_TYPE_OBJECT && cjwt_value_object_get(v, "keys")) {
            cjwt_value_free(v);
            cli_free_secret(data, len);
            return cli_fail(CJWT_E_INVALID_KEY, path, "this is a JWKS (a key set); use --jwks");
        }
        *out = cjwt_key_from_jwk(v, flags, &err);
        cjwt_value_free(v);
    } else {
        *out = cjwt_key_from_bytes((const unsigned char *)data, len, flags, &err);
        if (*out && cjwt_key_type(*out) == CJWT_KTY_OCT) {
            /* from_bytes takes unrecognised bytes as a secret; a key file must
             * name its kind, so a truncated PEM never becomes an HMAC secret. */
            cjwt_key_free(*out);
            *out = NULL;
            cli_free_secret(data, len);
            return cli_fail(CJWT_E_INVALID_KEY, path,
                            "not a PEM, DER or JWK key (an HMAC secret is given with "
                            "--secret-file or --secret-env)");
        }
    }
    cli_free_secret(data, len);
    if (!*out)
        return cli_fail_err(&err, path);
    return 0;
}

static int secret_key(const char *what, const char *s, size_t n, unsigned flags, cjwt_key **out)
{
    cjwt_error err;
    *out = cjwt_key_from_secret((const unsigned char *)s, n, flags, &err);
    if (!*out)
        return cli_fail_err(&err, what);
    return 0;
}

int cli_load_secret_file(const char *path, unsigned flags, cjwt_key **out)
{
    char *data;
    size_t len, size;
    int rc = cli_read_file(path, &data, &size);
    *out = NULL;
    if (rc)
        return rc;
    len = size;
    /* `echo secret > file` adds a newline nobody means as part of the secret. */
    if (len && data[len - 1] == '\n')
        len--;
    if (len && data[len - 1] == '\r')
        len--;
    rc = secret_key(path, data, len, flags, out);
    cli_free_secret(data, size);
    return rc;
}

int cli_load_secret_env(const char *var, unsigned flags, cjwt_key **out)
{
    const char *s = getenv(var);
    char what[96];
    *out = NULL;
    if (!s)
        return cli_usage_error(NULL, "environment variable %s is not set", var);
    snprintf(what, sizeof what, "$%s", var);
    return secret_key(what, s, strlen(s), flags, out);
}

int cli_load_jwks_file(const char *path, unsigned flags, cjwt_keyset **out)
{
    cjwt_error err;
    cjwt_value *v;
    char *data;
    size_t len;
    int rc = cli_read_file(path, &data, &len);
    *out = NULL;
    if (rc)
        return rc;
    v = parse_key_json(path, data, len, &rc);
    cli_free_secret(data, len);
    if (!v)
        return rc;
    *out = cjwt_keyset_from_jwks(v, flags, &err);
    cjwt_value_free(v);
    if (!*out)
        return cli_fail_err(&err, path);
    return 0;
}

/* ---- JSON printing --------------------------------------------------- */

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", f);
}

/* A leaf (or an object key) through the core's serializer, so escaping is
 * exactly the core's. */
static void print_leaf(FILE *f, const cjwt_value *v)
{
    char *s = cjwt_value_to_json(v, NULL, NULL);
    fputs(s ? s : "?", f);
    cjwt_free(s);
}

static void print_key(FILE *f, const char *k, size_t n)
{
    cjwt_value *s = cjwt_value_new_string(k, n);
    if (s)
        print_leaf(f, s);
    else
        fputs("\"?\"", f);
    cjwt_value_free(s);
}

static void time_note(FILE *f, const char *name, const cjwt_value *v, double now)
{
    cjwt_type t = cjwt_value_type(v);
    double d;
    time_t tt;
    struct tm tm;
    char buf[64];
    if (t != CJWT_TYPE_INT && t != CJWT_TYPE_REAL)
        return;
    d = cjwt_value_real(v);
    /* Years 0..9999 only: gmtime of an absurd value is no help to a reader. */
    if (!(d > -62167219200.0 && d < 253402300800.0)) {
        fputs("  // out of range", f);
        return;
    }
    tt = (time_t)floor(d);
    if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm)) {
        fputs("  // out of range", f);
        return;
    }
    fprintf(f, "  // %s", buf);
    if (strcmp(name, "exp") == 0 && now >= d)
        fputs(" (expired)", f);
    else if (strcmp(name, "nbf") == 0 && now < d)
        fputs(" (not yet valid)", f);
    else if (strcmp(name, "iat") == 0 && now < d)
        fputs(" (in the future)", f);
}

static void print_value(FILE *f, const cjwt_value *v, int depth, int time_notes, double now)
{
    cjwt_type t = cjwt_value_type(v);
    if (t == CJWT_TYPE_OBJECT) {
        void *it = cjwt_object_iter(v);
        if (!it) {
            fputs("{}", f);
            return;
        }
        fputs("{\n", f);
        while (it) {
            size_t kn;
            const char *k = cjwt_object_iter_key(it, &kn);
            const cjwt_value *m = cjwt_object_iter_value(it);
            void *next = cjwt_object_iter_next(v, it);
            indent(f, depth + 1);
            print_key(f, k, kn);
            fputs(": ", f);
            print_value(f, m, depth + 1, 0, now);
            if (next)
                fputc(',', f);
            if (time_notes && (strcmp(k, "exp") == 0 || strcmp(k, "nbf") == 0 ||
                               strcmp(k, "iat") == 0))
                time_note(f, k, m, now);
            fputc('\n', f);
            it = next;
        }
        indent(f, depth);
        fputc('}', f);
    } else if (t == CJWT_TYPE_ARRAY) {
        size_t n = cjwt_value_size(v);
        if (n == 0) {
            fputs("[]", f);
            return;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < n; i++) {
            indent(f, depth + 1);
            print_value(f, cjwt_value_array_get(v, i), depth + 1, 0, now);
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        indent(f, depth);
        fputc(']', f);
    } else {
        print_leaf(f, v);
    }
}

void cli_print_json(FILE *f, const cjwt_value *v, int time_notes, double now)
{
    print_value(f, v, 0, time_notes, now);
    fputc('\n', f);
}

int cli_print_compact(FILE *f, const cjwt_value *v)
{
    cjwt_error err;
    size_t n;
    char *s = cjwt_value_to_json(v, &n, &err);
    if (!s)
        return cli_fail_err(&err, NULL);
    fwrite(s, 1, n, f);
    fputc('\n', f);
    cjwt_free(s);
    return 0;
}

/* ---- numbers --------------------------------------------------------- */

int cli_parse_number(const char *s, double *out)
{
    char *end;
    double d;
    if (!s || !*s || *s == ' ' || *s == '+' || *s == '-')
        return -1;
    errno = 0;
    d = strtod(s, &end);
    if (errno || *end || !isfinite(d) || d < 0)
        return -1;
    *out = d;
    return 0;
}

int64_t cli_parse_duration(const char *s)
{
    return s ? cjwt_parse_duration(s, strlen(s)) : -1;
}
