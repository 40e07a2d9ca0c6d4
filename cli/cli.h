/* Helpers shared by the cjwt command's subcommands (cli/cjwt_cli.c).
 *
 * The command is a client of the public API (csrc/cjwt.h) like any binding:
 * it reads files, parses arguments and prints; every decision about a token
 * or a key is the core's. */
#ifndef CJWT_CLI_H
#define CJWT_CLI_H

#include <stdio.h>
#include "cjwt.h"

/* Exit statuses: 0 ok, 1 usage, 2 I/O, then 2 + the core's error code, so a
 * new core code gets the next status without touching the command. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_USAGE 1
#define CLI_EXIT_IO 2
#define CLI_EXIT_FOR_CODE(c) (2 + (int)(c))

/* No file (token, claims, key, JWKS, secret) is read past this size. */
#define CLI_MAX_FILE (1024 * 1024)

/* Prints "cjwt: <code>: <message>" (with "file: " before the message when
 * given) and returns the exit status of code. Messages come from the core,
 * which never quotes secrets. */
int cli_fail(cjwt_code code, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cli_fail_err(const cjwt_error *err, const char *what);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_io_error(const char *path, const char *why);

/* Reads a whole file ("-" is stdin) of at most CLI_MAX_FILE bytes into a new
 * NUL-terminated buffer (free with free(); the content may hold NULs, *len
 * counts them). Returns 0, or prints an error and returns the exit status. */
int cli_read_file(const char *path, char **data, size_t *len);
/* Overwrites a buffer that held a secret before it is freed. */
void cli_wipe(void *p, size_t n);
void cli_free_secret(char *p, size_t n);

/* Writes a new file (refusing to replace one) with the given mode. */
int cli_write_file(const char *path, const char *data, size_t len, unsigned mode);

/* A key from a file: a JWK (JSON), PEM or DER. A file that is none of these
 * is refused rather than taken as an HMAC secret (--secret-file is for that). */
int cli_load_key_file(const char *path, unsigned flags, cjwt_key **out);
/* An HMAC secret from a file (one trailing newline dropped) or from an
 * environment variable. */
int cli_load_secret_file(const char *path, unsigned flags, cjwt_key **out);
int cli_load_secret_env(const char *var, unsigned flags, cjwt_key **out);
int cli_load_jwks_file(const char *path, unsigned flags, cjwt_keyset **out);

/* Pretty JSON (two-space indent). With time_notes, numeric exp/nbf/iat
 * members of the top-level object get a "// <UTC time>" note after them,
 * judged against `now`. */
void cli_print_json(FILE *f, const cjwt_value *v, int time_notes, double now);
/* Compact JSON and a newline. Returns 0 or an exit status. */
int cli_print_compact(FILE *f, const cjwt_value *v);

/* "1700000000" or "1700000000.5" -> seconds; -1 when not a finite number >= 0. */
int cli_parse_number(const char *s, double *out);
/* A duration ("900", "15m", "1h") as seconds, or -1. */
int64_t cli_parse_duration(const char *s);

/* ---- shared by the subcommands (cjwt_cli.c, jwe_cmd.c) ----------------- */

/* GNU-style long options (cli_next_arg). */
typedef struct opt_spec {
    const char *name;
    int has_arg;
    int id;
} opt_spec;

typedef struct arg_state {
    int argc, i, only_positional;
    char **argv;
    const char *cmd;
} arg_state;

enum { ARG_END, ARG_POSITIONAL, ARG_OPTION, ARG_ERROR };

/* Next argument: ARG_OPTION with *id and *val (NULL for flags),
 * ARG_POSITIONAL with *val, ARG_END, or ARG_ERROR (already reported). */
int cli_next_arg(arg_state *st, const opt_spec *specs, int *id, const char **val);

/* Key options (--key, --jwks, --secret-file, --secret-env). */
typedef struct key_source {
    const char *key_file, *jwks_file, *secret_file, *secret_env;
    unsigned flags;
} key_source;
int cli_key_source_count(const key_source *ks);
int cli_load_single_key(const key_source *ks, cjwt_key **key);
/* The token: the argument, or stdin for "-"; surrounding whitespace dropped. */
int cli_read_token(const char *arg, char **buf, const char **tok, size_t *len);
/* "NAME=VALUE" (VALUE as JSON when it parses, else a string) set in obj. */
int cli_set_member(const char *cmd, cjwt_value *obj, const char *kv, const char *opt);
/* A claims argument: JSON object text, @FILE or - (stdin). */
int cli_read_claims(const char *arg, cjwt_value **out);
int cli_add_string(const char ***list, size_t *n, const char *s);
/* "ALG[,ALG...]" (JWS names) added to a CJWT_ALG_BIT set. */
int cli_add_algs(uint32_t *set, const char *list);

/* jwe_cmd.c: `cjwt encrypt`, `cjwt decrypt` */
int cli_cmd_encrypt(int argc, char **argv);
int cli_cmd_decrypt(int argc, char **argv);

#endif /* CJWT_CLI_H */
