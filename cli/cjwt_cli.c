/* The `cjwt` command: encode, decode, verify, keygen, jwks, exit-codes
 * (encrypt and decrypt: cli/jwe_cmd.c).
 *
 * Built on the public API only (csrc/cjwt.h), like the Python and Lua
 * bindings: it turns arguments into cjwt_* calls and results into text and
 * exit statuses, and checks nothing about a token itself. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- argument parsing ------------------------------------------------ */
/* GNU-style long options, accepted anywhere on the line: `--name value` or
 * `--name=value`; `--` ends options; `-` is a positional (stdin). */

/* Next argument: ARG_OPTION with *id and *val (NULL for flags),
 * ARG_POSITIONAL with *val, ARG_END, or ARG_ERROR (already reported). */
int cli_next_arg(arg_state *st, const opt_spec *specs, int *id, const char **val)
{
    const char *a, *eq;
    size_t n;
    if (st->i >= st->argc)
        return ARG_END;
    a = st->argv[st->i++];
    if (st->only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
        *val = a;
        return ARG_POSITIONAL;
    }
    if (strcmp(a, "--") == 0) {
        st->only_positional = 1;
        return cli_next_arg(st, specs, id, val);
    }
    if (strcmp(a, "-h") == 0)
        a = "--help";
    if (a[1] != '-') {
        cli_usage_error(st->cmd, "unknown option %s", a);
        return ARG_ERROR;
    }
    a += 2;
    eq = strchr(a, '=');
    n = eq ? (size_t)(eq - a) : strlen(a);
    for (const opt_spec *s = specs; s->name; s++) {
        if (strlen(s->name) != n || strncmp(s->name, a, n) != 0)
            continue;
        *id = s->id;
        *val = NULL;
        if (!s->has_arg) {
            if (eq) {
                cli_usage_error(st->cmd, "--%s takes no value", s->name);
                return ARG_ERROR;
            }
        } else if (eq) {
            *val = eq + 1;
        } else if (st->i < st->argc) {
            *val = st->argv[st->i++];
        } else {
            cli_usage_error(st->cmd, "--%s needs a value", s->name);
            return ARG_ERROR;
        }
        return ARG_OPTION;
    }
    cli_usage_error(st->cmd, "unknown option --%.*s", (int)n, a);
    return ARG_ERROR;
}

/* ---- shared pieces --------------------------------------------------- */

int cli_key_source_count(const key_source *ks)
{
    return !!ks->key_file + !!ks->jwks_file + !!ks->secret_file + !!ks->secret_env;
}

int cli_load_single_key(const key_source *ks, cjwt_key **key)
{
    if (ks->key_file)
        return cli_load_key_file(ks->key_file, ks->flags, key);
    if (ks->secret_file)
        return cli_load_secret_file(ks->secret_file, ks->flags, key);
    return cli_load_secret_env(ks->secret_env, ks->flags, key);
}

/* The token: the argument itself, or stdin for "-"; surrounding whitespace
 * (a trailing newline from `echo`) is dropped. */
int cli_read_token(const char *arg, char **buf, const char **tok, size_t *len)
{
    *buf = NULL;
    if (strcmp(arg, "-") == 0) {
        size_t n;
        int rc = cli_read_file("-", buf, &n);
        if (rc)
            return rc;
        *tok = *buf;
        *len = n;
    } else {
        *tok = arg;
        *len = strlen(arg);
    }
    while (*len && strchr(" \t\r\n", (*tok)[0]) && (*tok)[0]) {
        (*tok)++;
        (*len)--;
    }
    while (*len && strchr(" \t\r\n", (*tok)[*len - 1]) && (*tok)[*len - 1])
        (*len)--;
    return 0;
}

/* "k=v": v as JSON when it parses, else as a string. Sets it in obj. */
int cli_set_member(const char *cmd, cjwt_value *obj, const char *kv, const char *opt)
{
    const char *eq = strchr(kv, '=');
    cjwt_value *v;
    if (!eq || eq == kv)
        return cli_usage_error(cmd, "--%s wants NAME=VALUE, got \"%s\"", opt, kv);
    v = cjwt_value_from_json(eq + 1, strlen(eq + 1), NULL);
    if (!v)
        v = cjwt_value_new_string(eq + 1, strlen(eq + 1));
    if (!v)
        return cli_usage_error(cmd, "--%s %.*s: the value is not valid UTF-8", opt,
                               (int)(eq - kv), kv);
    if (cjwt_value_object_set(obj, kv, (size_t)(eq - kv), v) != 0)
        return cli_usage_error(cmd, "--%s: the name is not valid UTF-8", opt);
    return 0;
}

static cjwt_alg alg_or_count(const char *name)
{
    return cjwt_alg_from_name(name, strlen(name));
}

static double clock_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (double)time(NULL);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_exit_codes(FILE *f)
{
    fprintf(f, "Exit status:\n");
    fprintf(f, "  %3d  ok\n", CLI_EXIT_OK);
    fprintf(f, "  %3d  usage (bad arguments)\n", CLI_EXIT_USAGE);
    fprintf(f, "  %3d  io (a file could not be read or written)\n", CLI_EXIT_IO);
    for (int c = 1; c < CJWT_E__COUNT; c++)
        fprintf(f, "  %3d  %s\n", CLI_EXIT_FOR_CODE(c), cjwt_code_name((cjwt_code)c));
}

/* ---- encode ---------------------------------------------------------- */

static const char encode_help[] =
    "Usage: cjwt encode [CLAIMS] [options]\n"
    "Signs a JWT and prints it.\n"
    "\n"
    "CLAIMS is a JSON object: the text itself, @FILE, or - for stdin (default {}).\n"
    "  --claim NAME=VALUE     set a claim (VALUE is JSON if it parses, else a string); repeatable\n"
    "  --header NAME=VALUE    set a protected header member; repeatable\n"
    "  --alg ALG              HS256..HS512, RS*, PS*, ES256/384/512, ES256K, EdDSA, none\n"
    "                         (default: the key's alg, or the one its curve implies)\n"
    "  --key FILE             private key: PEM, DER or JWK (an oct JWK is an HMAC secret)\n"
    "  --secret-file FILE     HMAC secret: the file's bytes (one trailing newline dropped)\n"
    "  --secret-env VAR       HMAC secret from an environment variable\n"
    "  --allow-short-secret   accept an HMAC secret shorter than the hash (legacy only)\n"
    "  --kid KID              header kid (default: the key's kid, if it has one)\n"
    "  --expires-in DURATION  set iat=now and exp=now+DURATION (900, 30s, 15m, 1h, 7d, 2w)\n"
    "  --now TIME             unix time to use as now (default: the clock)\n"
    "Secrets are never taken from the command line itself.\n";

enum { O_HELP = 1, O_CLAIM, O_HEADER, O_ALG, O_KEY, O_JWKS, O_SECRET_FILE, O_SECRET_ENV,
       O_SHORT, O_KID, O_EXPIRES, O_NOW, O_AUD, O_ISS, O_SUB, O_LEEWAY, O_REQUIRE, O_TYP,
       O_MAX_AGE, O_JWK, O_OUT, O_PUB_OUT, O_JSON, O_CRV };

static int default_alg(const cjwt_key *key, cjwt_alg *alg)
{
    const char *curve;
    if (!key)
        return -1;
    if (cjwt_key_alg(key) != CJWT_ALG__COUNT) {
        *alg = cjwt_key_alg(key);
        return 0;
    }
    curve = cjwt_key_curve(key);
    if (!curve)
        return -1;
    if (strcmp(curve, "P-256") == 0) *alg = CJWT_ALG_ES256;
    else if (strcmp(curve, "P-384") == 0) *alg = CJWT_ALG_ES384;
    else if (strcmp(curve, "P-521") == 0) *alg = CJWT_ALG_ES512;
    else if (strcmp(curve, "secp256k1") == 0) *alg = CJWT_ALG_ES256K;
    else if (strcmp(curve, "Ed25519") == 0 || strcmp(curve, "Ed448") == 0) *alg = CJWT_ALG_EDDSA;
    else return -1;
    return 0;
}

/* The claims argument: JSON text, @FILE or - (stdin). */
int cli_read_claims(const char *arg, cjwt_value **out)
{
    cjwt_error err;
    char *data = NULL;
    size_t len;
    const char *what = "claims";
    *out = NULL;
    if (strcmp(arg, "-") == 0 || arg[0] == '@') {
        int rc = cli_read_file(arg[0] == '@' ? arg + 1 : arg, &data, &len);
        if (rc)
            return rc;
        what = arg[0] == '@' ? arg + 1 : "(stdin)";
        *out = cjwt_value_from_json(data, len, &err);
    } else {
        *out = cjwt_value_from_json(arg, strlen(arg), &err);
    }
    free(data);
    if (!*out)
        return cli_fail_err(&err, what);
    if (cjwt_value_type(*out) != CJWT_TYPE_OBJECT) {
        cjwt_value_free(*out);
        *out = NULL;
        return cli_fail(CJWT_E_MALFORMED, what, "the claims must be a JSON object");
    }
    return 0;
}

static int cmd_encode(int argc, char **argv)
{
    static const opt_spec specs[] = {
        {"help", 0, O_HELP}, {"claim", 1, O_CLAIM}, {"header", 1, O_HEADER}, {"alg", 1, O_ALG},
        {"key", 1, O_KEY}, {"secret-file", 1, O_SECRET_FILE}, {"secret-env", 1, O_SECRET_ENV},
        {"allow-short-secret", 0, O_SHORT}, {"kid", 1, O_KID}, {"expires-in", 1, O_EXPIRES},
        {"now", 1, O_NOW}, {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "encode"};
    key_source ks = {0};
    cjwt_value *claims = NULL, *extra_claims = cjwt_value_new_object();
    cjwt_value *header = cjwt_value_new_object();
    cjwt_sign_opts so = {0};
    cjwt_key *key = NULL;
    cjwt_error err;
    const char *alg_name = NULL, *kid = NULL, *claims_arg = NULL, *val;
    char *token = NULL;
    size_t token_len;
    int id, kind, rc = 0;

    if (!extra_claims || !header) {
        rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
        goto done;
    }
    while ((kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if (kind == ARG_ERROR) {
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        if (kind == ARG_POSITIONAL) {
            if (claims_arg) {
                rc = cli_usage_error("encode", "one CLAIMS argument at most");
                goto done;
            }
            claims_arg = val;
            continue;
        }
        switch (id) {
        case O_HELP: fputs(encode_help, stdout); rc = 0; goto done;
        case O_CLAIM: rc = cli_set_member("encode", extra_claims, val, "claim"); break;
        case O_HEADER:
            if (strncmp(val, "alg=", 4) == 0) {
                rc = cli_usage_error("encode", "the header's alg is set with --alg");
                goto done;
            }
            rc = cli_set_member("encode", header, val, "header");
            break;
        case O_ALG: alg_name = val; break;
        case O_KEY: ks.key_file = val; break;
        case O_SECRET_FILE: ks.secret_file = val; break;
        case O_SECRET_ENV: ks.secret_env = val; break;
        case O_SHORT: ks.flags |= CJWT_KEY_ALLOW_SHORT_SECRET; break;
        case O_KID: kid = val; break;
        case O_EXPIRES:
            so.expires_in = cli_parse_duration(val);
            if (so.expires_in <= 0) {
                rc = cli_usage_error("encode", "--expires-in: not a duration: \"%s\"", val);
                goto done;
            }
            so.has_expires_in = 1;
            break;
        case O_NOW:
            if (cli_parse_number(val, &so.now) != 0) {
                rc = cli_usage_error("encode", "--now: not a unix time: \"%s\"", val);
                goto done;
            }
            so.has_now = 1;
            break;
        }
        if (rc)
            goto done;
    }
    if (cli_key_source_count(&ks) > 1) {
        rc = cli_usage_error("encode", "give one of --key, --secret-file, --secret-env");
        goto done;
    }
    if (alg_name) {
        so.alg = alg_or_count(alg_name);
        if (so.alg == CJWT_ALG__COUNT) {
            rc = cli_fail(CJWT_E_UNSUPPORTED_ALG, NULL, "unknown algorithm \"%s\"", alg_name);
            goto done;
        }
    }
    if (cli_key_source_count(&ks) == 0 && !(alg_name && so.alg == CJWT_ALG_NONE)) {
        rc = cli_usage_error("encode", "a key is needed: --key, --secret-file or --secret-env");
        goto done;
    }
    if (cli_key_source_count(&ks) && (rc = cli_load_single_key(&ks, &key)) != 0)
        goto done;
    if (!alg_name && default_alg(key, &so.alg) != 0) {
        rc = cli_usage_error("encode", "--alg is needed for an RSA key or an HMAC secret");
        goto done;
    }
    if (claims_arg) {
        if ((rc = cli_read_claims(claims_arg, &claims)) != 0)
            goto done;
    } else if (!(claims = cjwt_value_new_object())) {
        rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
        goto done;
    }
    for (void *it = cjwt_object_iter(extra_claims); it;
         it = cjwt_object_iter_next(extra_claims, it)) {
        size_t kn;
        const char *k = cjwt_object_iter_key(it, &kn);
        cjwt_value *copy;
        char *json = cjwt_value_to_json(cjwt_object_iter_value(it), NULL, &err);
        copy = json ? cjwt_value_from_json(json, strlen(json), &err) : NULL;
        cjwt_free(json);
        if (!copy || cjwt_value_object_set(claims, k, kn, copy) != 0) {
            rc = cli_fail_err(&err, "--claim");
            goto done;
        }
    }
    if (!kid && key)
        kid = cjwt_key_kid(key);
    if (kid) {
        cjwt_value *k = cjwt_value_new_string(kid, strlen(kid));
        if (!k || cjwt_value_object_set(header, "kid", 3, k) != 0) {
            rc = cli_usage_error("encode", "--kid: not valid UTF-8");
            goto done;
        }
    }
    so.header = header;
    token = cjwt_encode(claims, key, &so, &token_len, &err);
    if (!token) {
        rc = cli_fail_err(&err, NULL);
        goto done;
    }
    fwrite(token, 1, token_len, stdout);
    fputc('\n', stdout);
done:
    cjwt_free(token);
    cjwt_key_free(key);
    cjwt_value_free(claims);
    cjwt_value_free(extra_claims);
    cjwt_value_free(header);
    return rc;
}

/* ---- decode ---------------------------------------------------------- */

static const char decode_help[] =
    "Usage: cjwt decode TOKEN|- [--json] [--now TIME]\n"
    "Prints a token's header and claims WITHOUT verifying its signature or claims.\n"
    "Times (exp, nbf, iat) are annotated in UTC. The token is read from stdin for -.\n"
    "  --json       print {\"unverified_header\":..., \"unverified_claims\":...} on one line\n"
    "  --now TIME   unix time against which exp/nbf are annotated (default: the clock)\n"
    "Exits 0 for a well-formed token, else the status of the error (`cjwt exit-codes`).\n";

static int cmd_decode(int argc, char **argv)
{
    static const opt_spec specs[] = {
        {"help", 0, O_HELP}, {"json", 0, O_JSON}, {"now", 1, O_NOW}, {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "decode"};
    const char *token_arg = NULL, *val, *tok;
    char *buf = NULL;
    size_t len;
    int id, kind, rc = 0, json = 0;
    double now = clock_now();
    cjwt_verify_opts vo = {0};
    cjwt_decoded *d = NULL;
    cjwt_error err;

    while ((kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if (kind == ARG_ERROR)
            return CLI_EXIT_USAGE;
        if (kind == ARG_POSITIONAL) {
            if (token_arg)
                return cli_usage_error("decode", "one TOKEN only");
            token_arg = val;
        } else if (id == O_HELP) {
            fputs(decode_help, stdout);
            return 0;
        } else if (id == O_JSON) {
            json = 1;
        } else if (id == O_NOW && cli_parse_number(val, &now) != 0) {
            return cli_usage_error("decode", "--now: not a unix time: \"%s\"", val);
        }
    }
    if (!token_arg)
        return cli_usage_error("decode", "a TOKEN (or - for stdin) is needed");
    if ((rc = cli_read_token(token_arg, &buf, &tok, &len)) != 0)
        return rc;
    /* Signature check off: the core then skips the claim checks too, and
     * still parses the structure and JSON as strictly as ever. */
    vo.verify_set = CJWT_CHECK_SIGNATURE;
    vo.verify = 0;
    d = cjwt_verify_with(&vo, NULL, tok, len, 0, 0, &err);
    if (!d) {
        rc = cli_fail_err(&err, NULL);
    } else if (json) {
        cjwt_value *o = cjwt_value_new_object();
        char *h = cjwt_value_to_json(cjwt_decoded_header(d), NULL, NULL);
        char *p = cjwt_value_to_json(cjwt_decoded_payload(d), NULL, NULL);
        if (o && h && p &&
            cjwt_value_object_set(o, "unverified_header", 17, cjwt_value_from_json(h, strlen(h), NULL)) == 0 &&
            cjwt_value_object_set(o, "unverified_claims", 17, cjwt_value_from_json(p, strlen(p), NULL)) == 0)
            rc = cli_print_compact(stdout, o);
        else
            rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
        cjwt_free(h);
        cjwt_free(p);
        cjwt_value_free(o);
    } else {
        size_t sig_len;
        cjwt_decoded_signature(d, &sig_len);
        puts("UNVERIFIED: the signature and claims were NOT checked; do not trust this content.");
        puts("header:");
        cli_print_json(stdout, cjwt_decoded_header(d), 0, now);
        puts("claims:");
        cli_print_json(stdout, cjwt_decoded_payload(d), 1, now);
        printf("signature: %zu bytes (%s, not verified)\n", sig_len,
               cjwt_alg_name(cjwt_decoded_alg(d)));
    }
    cjwt_decoded_free(d);
    free(buf);
    return rc;
}

/* ---- verify ---------------------------------------------------------- */

static const char verify_help[] =
    "Usage: cjwt verify TOKEN|- --alg ALG[,ALG...] KEY [checks]\n"
    "Verifies the token (read from stdin for -); prints its claims as JSON on success.\n"
    "On failure prints `cjwt: <code>: <message>` on stderr and exits with the code's status.\n"
    "KEY, exactly one of:\n"
    "  --key FILE             public (or private) key: PEM, DER or JWK\n"
    "  --jwks FILE            a JWKS; the key is chosen by the token's kid\n"
    "  --secret-file FILE     HMAC secret: the file's bytes (one trailing newline dropped)\n"
    "  --secret-env VAR       HMAC secret from an environment variable\n"
    "  --allow-short-secret   accept an HMAC secret shorter than the hash (legacy only)\n"
    "Checks:\n"
    "  --alg ALG[,ALG]        accepted algorithms (required; repeatable)\n"
    "  --aud AUD              accepted audience (repeatable). Without --aud a token\n"
    "                         that has an aud claim is refused (invalid_audience)\n"
    "  --iss ISS              accepted issuer (repeatable)\n"
    "  --sub SUB              expected subject\n"
    "  --typ TYP              expected header typ (case-insensitive, application/ optional)\n"
    "  --require CLAIM        claim that must be present (repeatable)\n"
    "  --leeway DURATION      clock skew allowed for exp/nbf/iat (default 0)\n"
    "  --max-age DURATION     the token's iat must be at most this old\n"
    "  --now TIME             unix time to validate at (default: the clock)\n";

int cli_add_string(const char ***list, size_t *n, const char *s)
{
    const char **bigger = realloc(*list, (*n + 1) * sizeof **list);
    if (!bigger)
        return -1;
    bigger[(*n)++] = s;
    *list = bigger;
    return 0;
}

int cli_add_algs(uint32_t *set, const char *list)
{
    const char *p = list;
    while (1) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        cjwt_alg a = cjwt_alg_from_name(p, n);
        if (a == CJWT_ALG__COUNT)
            return cli_fail(CJWT_E_UNSUPPORTED_ALG, "--alg", "unknown algorithm \"%.*s\"",
                            (int)(n > 32 ? 32 : n), p);
        *set |= CJWT_ALG_BIT(a);
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int cmd_verify(int argc, char **argv)
{
    static const opt_spec specs[] = {
        {"help", 0, O_HELP}, {"alg", 1, O_ALG}, {"key", 1, O_KEY}, {"jwks", 1, O_JWKS},
        {"secret-file", 1, O_SECRET_FILE}, {"secret-env", 1, O_SECRET_ENV},
        {"allow-short-secret", 0, O_SHORT}, {"aud", 1, O_AUD}, {"iss", 1, O_ISS},
        {"sub", 1, O_SUB}, {"leeway", 1, O_LEEWAY}, {"require", 1, O_REQUIRE},
        {"typ", 1, O_TYP}, {"max-age", 1, O_MAX_AGE}, {"now", 1, O_NOW}, {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "verify"};
    key_source ks = {0};
    cjwt_verify_opts vo = {0};
    const char **aud = NULL, **iss = NULL, **req = NULL;
    const char *token_arg = NULL, *val, *tok;
    char *buf = NULL;
    size_t len;
    int id, kind, rc = 0, has_now = 0;
    double now = 0;
    int64_t secs;
    cjwt_key *key = NULL;
    cjwt_keyset *set = NULL;
    cjwt_decoded *d = NULL;
    cjwt_error err;

    while ((kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if (kind == ARG_ERROR) {
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        if (kind == ARG_POSITIONAL) {
            if (token_arg) {
                rc = cli_usage_error("verify", "one TOKEN only");
                goto done;
            }
            token_arg = val;
            continue;
        }
        switch (id) {
        case O_HELP:
            fputs(verify_help, stdout);
            fputc('\n', stdout);
            print_exit_codes(stdout);
            goto done;
        case O_ALG: rc = cli_add_algs(&vo.algorithms, val); break;
        case O_KEY: ks.key_file = val; break;
        case O_JWKS: ks.jwks_file = val; break;
        case O_SECRET_FILE: ks.secret_file = val; break;
        case O_SECRET_ENV: ks.secret_env = val; break;
        case O_SHORT: ks.flags |= CJWT_KEY_ALLOW_SHORT_SECRET; break;
        case O_AUD:
            if (cli_add_string(&aud, &vo.n_audience, val))
                rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
            break;
        case O_ISS:
            if (cli_add_string(&iss, &vo.n_issuer, val))
                rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
            break;
        case O_REQUIRE:
            if (cli_add_string(&req, &vo.n_required, val))
                rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
            break;
        case O_SUB: vo.subject = val; break;
        case O_TYP: vo.typ = val; break;
        case O_LEEWAY:
            if ((secs = cli_parse_duration(val)) < 0)
                rc = cli_usage_error("verify", "--leeway: not a duration: \"%s\"", val);
            vo.leeway = (double)secs;
            break;
        case O_MAX_AGE:
            if ((secs = cli_parse_duration(val)) < 0)
                rc = cli_usage_error("verify", "--max-age: not a duration: \"%s\"", val);
            vo.has_max_age = 1;
            vo.max_age = (double)secs;
            break;
        case O_NOW:
            if (cli_parse_number(val, &now) != 0)
                rc = cli_usage_error("verify", "--now: not a unix time: \"%s\"", val);
            has_now = 1;
            break;
        }
        if (rc)
            goto done;
    }
    vo.audience = aud;
    vo.issuer = iss;
    vo.required = req;
    if (!token_arg) {
        rc = cli_usage_error("verify", "a TOKEN (or - for stdin) is needed");
        goto done;
    }
    if (!vo.algorithms) {
        rc = cli_usage_error("verify", "--alg is required (the algorithms you accept)");
        goto done;
    }
    if (cli_key_source_count(&ks) > 1 ||
        (cli_key_source_count(&ks) == 0 && vo.algorithms != CJWT_ALG_BIT(CJWT_ALG_NONE))) {
        rc = cli_usage_error("verify", "give exactly one of --key, --jwks, --secret-file, "
                                       "--secret-env");
        goto done;
    }
    if (ks.jwks_file)
        rc = cli_load_jwks_file(ks.jwks_file, ks.flags, &set);
    else if (cli_key_source_count(&ks))
        rc = cli_load_single_key(&ks, &key);
    if (rc || (rc = cli_read_token(token_arg, &buf, &tok, &len)) != 0)
        goto done;
    if (set)
        d = cjwt_verify_keyset_with(&vo, set, tok, len, has_now, now, &err);
    else
        d = cjwt_verify_with(&vo, key, tok, len, has_now, now, &err);
    if (!d)
        rc = cli_fail_err(&err, NULL);
    else
        rc = cli_print_compact(stdout, cjwt_decoded_payload(d));
done:
    cjwt_decoded_free(d);
    cjwt_key_free(key);
    cjwt_keyset_free(set);
    free(buf);
    free(aud);
    free(iss);
    free(req);
    return rc;
}

/* ---- keygen ---------------------------------------------------------- */

static const char keygen_help[] =
    "Usage: cjwt keygen ALG [--crv CRV] [--kid KID] [--jwk] [--out FILE] [--pub-out FILE]\n"
    "Generates a key for ALG and prints the private key, then the public key.\n"
    "  --crv CRV        the curve: Ed448 for an Ed448 EdDSA key (default Ed25519)\n"
    "  --jwk            JWK (one JSON object per line) instead of PEM\n"
    "  --kid KID        kid of the key (JWK output only; PEM has no place for it)\n"
    "  --out FILE       write the private key (or secret) to FILE (mode 0600) instead\n"
    "  --pub-out FILE   write the public key to FILE instead\n"
    "For HS256/384/512 there is no public key: it prints a random secret as base64url\n"
    "text (use that text as is with --secret-file), or an oct JWK with --jwk.\n"
    "RSA keys are 2048 bits; ES256/384/512 use P-256/384/521, ES256K secp256k1;\n"
    "EdDSA uses Ed25519 (Ed448 with --crv Ed448).\n";

/* Prints (or writes) one part; `text` is a secret when private. */
static int emit(const char *path, const char *text, size_t len, int private_part)
{
    if (path)
        return cli_write_file(path, text, len, private_part ? 0600 : 0644);
    fwrite(text, 1, len, stdout);
    return 0;
}

/* JWK (compact, newline) or PEM text of one half of the key; free with
 * cli_free_secret(text, len). */
static char *key_text(const cjwt_key *key, int private_part, int jwk, size_t *len, cjwt_error *err)
{
    char *s, *out;
    if (jwk) {
        cjwt_value *v = cjwt_key_to_jwk(key, private_part, err);
        if (!v)
            return NULL;
        s = cjwt_value_to_json(v, len, err);
        cjwt_value_free(v);
    } else {
        s = cjwt_key_to_pem(key, private_part, len, err);
    }
    if (!s)
        return NULL;
    /* Our own copy, with a newline for JSON, so the caller frees one way. */
    out = malloc(*len + 2);
    if (out) {
        memcpy(out, s, *len);
        if (jwk)
            out[(*len)++] = '\n';
        out[*len] = '\0';
    }
    cli_wipe(s, *len);
    cjwt_free(s);
    return out;
}

static int cmd_keygen(int argc, char **argv)
{
    static const opt_spec specs[] = {
        {"help", 0, O_HELP}, {"kid", 1, O_KID}, {"jwk", 0, O_JWK}, {"out", 1, O_OUT},
        {"pub-out", 1, O_PUB_OUT}, {"crv", 1, O_CRV}, {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "keygen"};
    const char *alg_name = NULL, *kid = NULL, *out = NULL, *pub_out = NULL, *crv = NULL, *val;
    int id, kind, jwk = 0, rc = 0;
    cjwt_alg alg;
    cjwt_key *key;
    cjwt_error err;
    char *text;
    size_t len;

    while ((kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if (kind == ARG_ERROR)
            return CLI_EXIT_USAGE;
        if (kind == ARG_POSITIONAL) {
            if (alg_name)
                return cli_usage_error("keygen", "one ALG only");
            alg_name = val;
        } else if (id == O_HELP) {
            fputs(keygen_help, stdout);
            return 0;
        } else if (id == O_KID) {
            kid = val;
        } else if (id == O_JWK) {
            jwk = 1;
        } else if (id == O_OUT) {
            out = val;
        } else if (id == O_PUB_OUT) {
            pub_out = val;
        } else if (id == O_CRV) {
            crv = val;
        }
    }
    if (!alg_name)
        return cli_usage_error("keygen", "an ALG is needed (HS256, RS256, ES256, EdDSA, ...)");
    alg = alg_or_count(alg_name);
    if (alg == CJWT_ALG__COUNT || alg == CJWT_ALG_NONE)
        return cli_fail(CJWT_E_UNSUPPORTED_ALG, NULL, "no key can be generated for \"%s\"",
                        alg_name);
    if (kid && !jwk)
        fprintf(stderr, "cjwt keygen: note: --kid is kept only in JWK output (--jwk)\n");
    key = cjwt_key_generate_curve(alg, crv, kid, &err);
    if (!key)
        return cli_fail_err(&err, NULL);

    if (cjwt_key_type(key) == CJWT_KTY_OCT) {
        if (pub_out) {
            cjwt_key_free(key);
            return cli_usage_error("keygen", "an HMAC secret has no public key (--pub-out)");
        }
        text = key_text(key, 1, 1, &len, &err);
        if (text && !jwk) {
            /* The secret alone: the "k" member of the oct JWK, base64url. */
            cjwt_value *v = cjwt_value_from_json(text, len, &err);
            size_t kn = 0;
            const char *k = v ? cjwt_value_string(cjwt_value_object_get(v, "k"), &kn) : NULL;
            char *line = k ? malloc(kn + 2) : NULL;
            if (line) {
                memcpy(line, k, kn);
                line[kn] = '\n';
                line[kn + 1] = '\0';
            }
            cli_free_secret(text, len);
            text = line;
            len = kn + 1;
            cjwt_value_free(v);   /* holds the secret too; the core frees it */
        }
        if (!text)
            rc = cli_fail(err.code ? err.code : CJWT_E_NO_MEMORY, NULL, "could not export the key");
        else
            rc = emit(out, text, len, 1);
        cli_free_secret(text, text ? len : 0);
        cjwt_key_free(key);
        return rc;
    }

    text = key_text(key, 1, jwk, &len, &err);
    if (!text)
        rc = cli_fail_err(&err, NULL);
    else
        rc = emit(out, text, len, 1);
    cli_free_secret(text, text ? len : 0);
    if (rc == 0) {
        text = key_text(key, 0, jwk, &len, &err);
        if (!text)
            rc = cli_fail_err(&err, NULL);
        else
            rc = emit(pub_out, text, len, 0);
        free(text);
    }
    cjwt_key_free(key);
    return rc;
}

/* ---- jwks ------------------------------------------------------------ */

static const char jwks_help[] =
    "Usage: cjwt jwks [--kid KID] KEYFILE [[--kid KID] KEYFILE]...\n"
    "Prints a JWKS with the public half of each key (PEM, DER, JWK or JWKS files).\n"
    "--kid names the key file that follows it; a key without a kid gets its\n"
    "RFC 7638 thumbprint as kid. HMAC secrets are refused: they are never public.\n";

static int add_key(cjwt_key ***keys, size_t *n, const char *path, const cjwt_key *key,
                   const char *kid)
{
    cjwt_error err;
    char *thumb = NULL;
    cjwt_key *named, **bigger;
    if (cjwt_key_type(key) == CJWT_KTY_OCT)
        return cli_fail(CJWT_E_INVALID_KEY, path,
                        "an HMAC secret never goes into a public JWKS");
    if (!kid)
        kid = cjwt_key_kid(key);
    if (!kid) {
        thumb = cjwt_key_thumbprint(key, NULL, &err);
        if (!thumb)
            return cli_fail_err(&err, path);
        kid = thumb;
    }
    named = cjwt_key_with(key, kid, cjwt_key_alg(key), &err);
    cjwt_free(thumb);
    if (!named)
        return cli_fail_err(&err, path);
    bigger = realloc(*keys, (*n + 1) * sizeof **keys);
    if (!bigger) {
        cjwt_key_free(named);
        return cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
    }
    bigger[(*n)++] = named;
    *keys = bigger;
    return 0;
}

static int cmd_jwks(int argc, char **argv)
{
    static const opt_spec specs[] = {{"help", 0, O_HELP}, {"kid", 1, O_KID}, {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "jwks"};
    const char *kid = NULL, *val;
    cjwt_key **keys = NULL;
    size_t n = 0;
    int id, kind, rc = 0;
    cjwt_keyset *set = NULL;
    cjwt_value *out = NULL;
    cjwt_error err;

    while (rc == 0 && (kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if (kind == ARG_ERROR) {
            rc = CLI_EXIT_USAGE;
        } else if (kind == ARG_OPTION && id == O_HELP) {
            fputs(jwks_help, stdout);
            goto done;
        } else if (kind == ARG_OPTION) {
            kid = val;
        } else {
            /* A JWKS file contributes each of its keys; anything else is one key. */
            char *data;
            size_t len;
            cjwt_keyset *in = NULL;
            cjwt_key *key = NULL;
            if ((rc = cli_read_file(val, &data, &len)) != 0)
                break;
            if (strstr(data, "\"keys\"") && strlen(data) == len)
                in = cjwt_keyset_from_jwks_json(data, len, 0, &err);
            cli_free_secret(data, len);
            if (in) {
                if (kid)
                    rc = cli_usage_error("jwks", "--kid names one key; %s is a key set", val);
                for (size_t i = 0; rc == 0 && i < cjwt_keyset_size(in); i++)
                    rc = add_key(&keys, &n, val, cjwt_keyset_get(in, i), NULL);
                cjwt_keyset_free(in);
            } else if ((rc = cli_load_key_file(val, 0, &key)) == 0) {
                rc = add_key(&keys, &n, val, key, kid);
                cjwt_key_free(key);
            }
            kid = NULL;
        }
    }
    if (rc)
        goto done;
    if (kid) {
        rc = cli_usage_error("jwks", "--kid %s names no key file after it", kid);
        goto done;
    }
    if (n == 0) {
        rc = cli_usage_error("jwks", "at least one KEYFILE is needed");
        goto done;
    }
    set = cjwt_keyset_new(keys, n, &err);
    out = set ? cjwt_keyset_to_jwks(set, 0, &err) : NULL;
    if (!out)
        rc = cli_fail_err(&err, NULL);
    else
        cli_print_json(stdout, out, 0, 0);
done:
    cjwt_value_free(out);
    cjwt_keyset_free(set);
    for (size_t i = 0; i < n; i++)
        cjwt_key_free(keys[i]);
    free(keys);
    return rc;
}

/* ---- main ------------------------------------------------------------ */

static const char main_help[] =
    "Usage: cjwt COMMAND [options]   (cjwt COMMAND --help for each)\n"
    "  encode      sign claims into a JWT\n"
    "  decode      show a token's header and claims, UNVERIFIED\n"
    "  verify      verify a token and print its claims\n"
    "  encrypt     encrypt bytes or claims into a JWE (encrypted or nested JWT)\n"
    "  decrypt     decrypt a JWE; with --jwt verify it as a JWT and print its claims\n"
    "  keygen      generate a key (PEM or JWK) or an HMAC secret\n"
    "  jwks        build a public JWKS from key files\n"
    "  exit-codes  print the exit status of each error\n"
    "  version     print the version\n";

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int rc;
    if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(main_help, cmd ? stdout : stderr);
        return cmd ? 0 : CLI_EXIT_USAGE;
    }
    argc -= 2;
    argv += 2;
    if (strcmp(cmd, "encode") == 0)
        rc = cmd_encode(argc, argv);
    else if (strcmp(cmd, "decode") == 0)
        rc = cmd_decode(argc, argv);
    else if (strcmp(cmd, "verify") == 0)
        rc = cmd_verify(argc, argv);
    else if (strcmp(cmd, "encrypt") == 0)
        rc = cli_cmd_encrypt(argc, argv);
    else if (strcmp(cmd, "decrypt") == 0)
        rc = cli_cmd_decrypt(argc, argv);
    else if (strcmp(cmd, "keygen") == 0)
        rc = cmd_keygen(argc, argv);
    else if (strcmp(cmd, "jwks") == 0)
        rc = cmd_jwks(argc, argv);
    else if (strcmp(cmd, "exit-codes") == 0) {
        print_exit_codes(stdout);
        rc = 0;
    } else if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("cjwt %s\n", CJWT_VERSION);
        rc = 0;
    } else {
        rc = cli_usage_error(NULL, "unknown command \"%s\"", cmd);
    }
    if (fflush(stdout) != 0 && rc == 0)
        rc = cli_io_error("(stdout)", "write failed");
    return rc;
}
