/* `cjwt encrypt` and `cjwt decrypt`: JWE (RFC 7516) at the raw level
 * (cjwt_jwe_encrypt / cjwt_jwe_decrypt) and at the JWT level, encrypted and
 * nested JWTs (cjwt_jwt_encrypt / cjwt_jwt_decrypt). Arguments in, text
 * out; every check is the core's (docs/jwe.md). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum { E_HELP = 1, E_ALG, E_ENC, E_KEY, E_SECRET_FILE, E_SECRET_ENV, E_SHORT, E_HEADER,
       E_ZIP, E_P2C, E_JWT, E_EXPIRES, E_NOW, E_SIGN_KEY, E_SIGN_SECRET_FILE,
       E_SIGN_SECRET_ENV, E_SIGN_ALG, E_VERIFY_KEY, E_VERIFY_JWKS, E_VERIFY_SECRET_FILE,
       E_VERIFY_SECRET_ENV, E_AUD, E_ISS, E_SUB, E_TYP, E_REQUIRE, E_LEEWAY, E_MAX_AGE,
       E_MAX_PLAINTEXT, E_JSON };

/* "NAME[,NAME...]" of JWE alg (algs) or enc names added to a bit set. */
static int add_jwe_names(uint32_t *set, const char *list, int algs, const char *opt)
{
    const char *p = list;
    while (1) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        unsigned v = algs ? (unsigned)cjwt_jwe_alg_from_name(p, n)
                          : (unsigned)cjwt_jwe_enc_from_name(p, n);
        if (v == (algs ? (unsigned)CJWT_JWE_ALG__COUNT : (unsigned)CJWT_ENC__COUNT))
            return cli_fail(CJWT_E_UNSUPPORTED_ALG, opt, "unknown JWE %s \"%.*s\"",
                            algs ? "algorithm" : "encryption", (int)(n > 32 ? 32 : n), p);
        *set |= 1u << v;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* The loop's common answers: 0 for an option to handle, -1 when the
 * argument was a positional (kept in *slot), else an exit status (a usage
 * error, a second positional). */
static int arg_kind(const char *cmd, int kind, const char *val, const char **slot,
                    const char *what)
{
    if (kind == ARG_ERROR)
        return CLI_EXIT_USAGE;
    if (kind != ARG_POSITIONAL)
        return 0;
    if (*slot)
        return cli_usage_error(cmd, "one %s only", what);
    *slot = val;
    return -1;
}

/* ---- encrypt --------------------------------------------------------- */

static const char encrypt_help[] =
    "Usage: cjwt encrypt [INPUT] --alg ALG --enc ENC KEY [options]\n"
    "Encrypts INPUT into a compact JWE and prints it.\n"
    "INPUT: the text itself, @FILE or - for stdin (bytes as they are); with --jwt a\n"
    "JSON object of claims (default {}).\n"
    "  --alg ALG              key management: dir, A128KW..A256KW, A128GCMKW..A256GCMKW,\n"
    "                         RSA-OAEP, RSA-OAEP-256, ECDH-ES[+A128KW..+A256KW],\n"
    "                         PBES2-HS256+A128KW..PBES2-HS512+A256KW\n"
    "  --enc ENC              content encryption: A128GCM..A256GCM, A128CBC-HS256..A256CBC-HS512\n"
    "KEY, exactly one of:\n"
    "  --key FILE             the recipient's public key (RSA, EC, X25519/X448) or an oct\n"
    "                         JWK: PEM, DER or JWK\n"
    "  --secret-file FILE     a shared secret or PBES2 password: the file's bytes\n"
    "                         (one trailing newline dropped)\n"
    "  --secret-env VAR       the same from an environment variable\n"
    "Options:\n"
    "  --header NAME=VALUE    set a protected header member (kid, cty, apu, ...); repeatable\n"
    "  --zip                  compress the plaintext (zip DEF)\n"
    "  --p2c N                PBES2 iterations (default 100000, at least 1000)\n"
    "  --json                 print the flattened JSON serialization instead (not with --jwt)\n"
    "  --jwt                  INPUT is claims: an encrypted JWT (typ JWT)\n"
    "  --expires-in DURATION  (--jwt) set iat=now and exp=now+DURATION\n"
    "  --now TIME             (--jwt) unix time to use as now\n"
    "Nested JWT (signed, then encrypted; implies --jwt), one signing key of:\n"
    "  --sign-key FILE        private key: PEM, DER or JWK\n"
    "  --sign-secret-file FILE, --sign-secret-env VAR   an HMAC secret\n"
    "  --sign-alg ALG         the signature algorithm (required with a signing key)\n"
    "  --allow-short-secret   accept an HMAC secret shorter than the hash (legacy only)\n";

/* The raw input: text, @FILE or - (stdin). */
static int read_input(const char *arg, char **buf, const unsigned char **data, size_t *len)
{
    *buf = NULL;
    if (!arg) {
        *data = (const unsigned char *)"";
        *len = 0;
        return 0;
    }
    if (strcmp(arg, "-") == 0 || arg[0] == '@') {
        int rc = cli_read_file(arg[0] == '@' ? arg + 1 : arg, buf, len);
        *data = (const unsigned char *)*buf;
        return rc;
    }
    *data = (const unsigned char *)arg;
    *len = strlen(arg);
    return 0;
}

int cli_cmd_encrypt(int argc, char **argv)
{
    static const opt_spec specs[] = {
        {"help", 0, E_HELP}, {"alg", 1, E_ALG}, {"enc", 1, E_ENC}, {"key", 1, E_KEY},
        {"secret-file", 1, E_SECRET_FILE}, {"secret-env", 1, E_SECRET_ENV},
        {"allow-short-secret", 0, E_SHORT}, {"header", 1, E_HEADER}, {"zip", 0, E_ZIP},
        {"p2c", 1, E_P2C}, {"jwt", 0, E_JWT}, {"expires-in", 1, E_EXPIRES}, {"now", 1, E_NOW},
        {"sign-key", 1, E_SIGN_KEY}, {"sign-secret-file", 1, E_SIGN_SECRET_FILE},
        {"sign-secret-env", 1, E_SIGN_SECRET_ENV}, {"sign-alg", 1, E_SIGN_ALG},
        {"json", 0, E_JSON}, {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "encrypt"};
    key_source ks = {0}, sks = {0};
    cjwt_jwt_encrypt_opts eo;
    cjwt_value *header = cjwt_value_new_object(), *claims = NULL;
    cjwt_key *key = NULL, *skey = NULL;
    cjwt_error err;
    const char *input = NULL, *alg = NULL, *enc = NULL, *sign_alg = NULL, *val;
    char *buf = NULL, *token = NULL;
    size_t token_len = 0, buf_len = 0;
    double p2c;
    int id, kind, rc = 0, jwt = 0, json = 0;

    memset(&eo, 0, sizeof eo);
    if (!header)
        return cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
    while ((kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if ((rc = arg_kind("encrypt", kind, val, &input, "INPUT argument")) < 0) {
            rc = 0;
            continue;
        }
        if (rc)
            goto done;
        switch (id) {
        case E_HELP: fputs(encrypt_help, stdout); goto done;
        case E_ALG: alg = val; break;
        case E_ENC: enc = val; break;
        case E_KEY: ks.key_file = val; break;
        case E_SECRET_FILE: ks.secret_file = val; break;
        case E_SECRET_ENV: ks.secret_env = val; break;
        case E_SHORT: sks.flags |= CJWT_KEY_ALLOW_SHORT_SECRET; break;
        case E_HEADER: rc = cli_set_member("encrypt", header, val, "header"); break;
        case E_ZIP: eo.jwe.zip = 1; break;
        case E_P2C:
            if (cli_parse_number(val, &p2c) != 0 || p2c < 1 || p2c > 4294967295.0 ||
                p2c != (double)(uint32_t)p2c)
                rc = cli_usage_error("encrypt", "--p2c: not a count: \"%s\"", val);
            eo.jwe.p2c = (uint32_t)p2c;
            break;
        case E_JWT: jwt = 1; break;
        case E_JSON: json = 1; break;
        case E_EXPIRES:
            eo.sign.expires_in = cli_parse_duration(val);
            if (eo.sign.expires_in <= 0)
                rc = cli_usage_error("encrypt", "--expires-in: not a duration: \"%s\"", val);
            eo.sign.has_expires_in = 1;
            break;
        case E_NOW:
            if (cli_parse_number(val, &eo.sign.now) != 0)
                rc = cli_usage_error("encrypt", "--now: not a unix time: \"%s\"", val);
            eo.sign.has_now = 1;
            break;
        case E_SIGN_KEY: sks.key_file = val; break;
        case E_SIGN_SECRET_FILE: sks.secret_file = val; break;
        case E_SIGN_SECRET_ENV: sks.secret_env = val; break;
        case E_SIGN_ALG: sign_alg = val; break;
        }
        if (rc)
            goto done;
    }
    if (!alg || !enc) {
        rc = cli_usage_error("encrypt", "--alg and --enc are required");
        goto done;
    }
    eo.jwe.alg = cjwt_jwe_alg_from_name(alg, strlen(alg));
    eo.jwe.enc = cjwt_jwe_enc_from_name(enc, strlen(enc));
    if (cli_key_source_count(&ks) != 1) {
        rc = cli_usage_error("encrypt", "give exactly one of --key, --secret-file, --secret-env");
        goto done;
    }
    if (cli_key_source_count(&sks) > 1 || (cli_key_source_count(&sks) == 0) != !sign_alg) {
        rc = cli_usage_error("encrypt", "a nested JWT needs one signing key (--sign-key, "
                                        "--sign-secret-file, --sign-secret-env) and --sign-alg");
        goto done;
    }
    if (sign_alg)
        jwt = 1;
    if (jwt && json) {
        rc = cli_usage_error("encrypt", "--json is for raw input (a JWT is compact)");
        goto done;
    }
    if (!jwt && (eo.sign.has_expires_in || eo.sign.has_now)) {
        rc = cli_usage_error("encrypt", "--expires-in and --now are for --jwt");
        goto done;
    }
    if ((rc = cli_load_single_key(&ks, &key)) != 0)
        goto done;
    if (cjwt_value_size(header))
        eo.jwe.header = header;
    if (!jwt) {
        const unsigned char *data;
        size_t len;
        if ((rc = read_input(input, &buf, &data, &len)) != 0)
            goto done;
        buf_len = buf ? len : 0;
        if (json) {
            /* one recipient: the header members the caller set are protected */
            cjwt_jwe_recipient r = {key, eo.jwe.alg, NULL, eo.jwe.p2c};
            cjwt_jwe_json_opts jo = {eo.jwe.enc, eo.jwe.header, NULL, NULL, 0, eo.jwe.zip, 1};
            token = cjwt_jwe_encrypt_json(data, len, &r, 1, &jo, &token_len, &err);
        } else {
            token = cjwt_jwe_encrypt(data, len, key, &eo.jwe, &token_len, &err);
        }
    } else {
        if (sign_alg) {
            eo.sign.alg = cjwt_alg_from_name(sign_alg, strlen(sign_alg));
            if (eo.sign.alg == CJWT_ALG__COUNT) {
                rc = cli_fail(CJWT_E_UNSUPPORTED_ALG, "--sign-alg", "unknown algorithm \"%s\"",
                              sign_alg);
                goto done;
            }
            if ((rc = cli_load_single_key(&sks, &skey)) != 0)
                goto done;
            eo.signing_key = skey;
        }
        if (input)
            rc = cli_read_claims(input, &claims);
        else if (!(claims = cjwt_value_new_object()))
            rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
        if (rc)
            goto done;
        token = cjwt_jwt_encrypt(claims, key, &eo, &token_len, &err);
    }
    if (!token) {
        rc = cli_fail_err(&err, NULL);
        goto done;
    }
    fwrite(token, 1, token_len, stdout);
    fputc('\n', stdout);
done:
    if (buf)
        cli_free_secret(buf, buf_len);
    cjwt_free(token);
    cjwt_key_free(key);
    cjwt_key_free(skey);
    cjwt_value_free(claims);
    cjwt_value_free(header);
    return rc;
}

/* ---- decrypt --------------------------------------------------------- */

static const char decrypt_help[] =
    "Usage: cjwt decrypt TOKEN|- --alg ALG[,ALG...] --enc ENC[,ENC...] KEY [options]\n"
    "Decrypts a JWE (compact, or the JSON serialization) and writes the plaintext as is.\n"
    "With --jwt it is an encrypted or nested JWT: its claims are checked as `cjwt verify`\n"
    "checks them and printed as JSON. On failure prints `cjwt: <code>: <message>` on\n"
    "stderr and exits with the code's status.\n"
    "  --alg ALG[,ALG]        accepted key management algorithms (required; repeatable;\n"
    "                         RSA1_5 only when named)\n"
    "  --enc ENC[,ENC]        accepted content encryptions (required; repeatable)\n"
    "KEY, exactly one of:\n"
    "  --key FILE             the private key (RSA, EC, X25519/X448) or an oct JWK\n"
    "  --secret-file FILE     a shared secret or PBES2 password: the file's bytes\n"
    "  --secret-env VAR       the same from an environment variable\n"
    "  --max-plaintext BYTES  refuse a larger plaintext (default 1 MiB; zip included)\n"
    "JWT level:\n"
    "  --jwt                  verify the claims and print them as JSON\n"
    "  --aud AUD, --iss ISS, --sub SUB, --typ TYP, --require CLAIM, --leeway DURATION,\n"
    "  --max-age DURATION, --now TIME   the checks of `cjwt verify`\n"
    "A nested JWT (cty JWT) needs its verification key (implies --jwt), one of:\n"
    "  --verify-key FILE      public key: PEM, DER or JWK\n"
    "  --verify-jwks FILE     a JWKS; the key is chosen by the inner token's kid\n"
    "  --verify-secret-file FILE, --verify-secret-env VAR   an HMAC secret\n"
    "  --sign-alg ALG[,ALG]   accepted signature algorithms (required with a verify key)\n"
    "  --allow-short-secret   accept an HMAC secret shorter than the hash (legacy only)\n"
    "Without a verification key a nested JWT is refused (invalid_key); with one, a JWT\n"
    "that is only encrypted is refused (bad_signature).\n";

int cli_cmd_decrypt(int argc, char **argv)
{
    static const opt_spec specs[] = {
        {"help", 0, E_HELP}, {"alg", 1, E_ALG}, {"enc", 1, E_ENC}, {"key", 1, E_KEY},
        {"secret-file", 1, E_SECRET_FILE}, {"secret-env", 1, E_SECRET_ENV},
        {"allow-short-secret", 0, E_SHORT}, {"max-plaintext", 1, E_MAX_PLAINTEXT},
        {"jwt", 0, E_JWT}, {"aud", 1, E_AUD}, {"iss", 1, E_ISS}, {"sub", 1, E_SUB},
        {"typ", 1, E_TYP}, {"require", 1, E_REQUIRE}, {"leeway", 1, E_LEEWAY},
        {"max-age", 1, E_MAX_AGE}, {"now", 1, E_NOW}, {"verify-key", 1, E_VERIFY_KEY},
        {"verify-jwks", 1, E_VERIFY_JWKS}, {"verify-secret-file", 1, E_VERIFY_SECRET_FILE},
        {"verify-secret-env", 1, E_VERIFY_SECRET_ENV}, {"sign-alg", 1, E_SIGN_ALG},
        {NULL, 0, 0}};
    arg_state st = {argc, 0, 0, argv, "decrypt"};
    key_source ks = {0}, vks = {0};
    cjwt_jwt_decrypt_opts o;
    const char **aud = NULL, **iss = NULL, **req = NULL;
    const char *token_arg = NULL, *val, *tok;
    char *buf = NULL;
    size_t len;
    int id, kind, rc = 0, jwt = 0, has_now = 0, claim_checks = 0;
    double now = 0, d;
    int64_t secs;
    cjwt_key *key = NULL, *vkey = NULL;
    cjwt_keyset *vset = NULL;
    cjwt_jwe *jwe = NULL;
    cjwt_decrypted_jwt *dj = NULL;
    cjwt_error err;

    memset(&o, 0, sizeof o);
    while ((kind = cli_next_arg(&st, specs, &id, &val)) != ARG_END) {
        if ((rc = arg_kind("decrypt", kind, val, &token_arg, "TOKEN")) < 0) {
            rc = 0;
            continue;
        }
        if (rc)
            goto done;
        claim_checks |= id >= E_AUD && id <= E_MAX_AGE;
        switch (id) {
        case E_HELP: fputs(decrypt_help, stdout); goto done;
        case E_ALG: rc = add_jwe_names(&o.jwe.algorithms, val, 1, "--alg"); break;
        case E_ENC: rc = add_jwe_names(&o.jwe.encryptions, val, 0, "--enc"); break;
        case E_KEY: ks.key_file = val; break;
        case E_SECRET_FILE: ks.secret_file = val; break;
        case E_SECRET_ENV: ks.secret_env = val; break;
        case E_SHORT: vks.flags |= CJWT_KEY_ALLOW_SHORT_SECRET; break;
        case E_MAX_PLAINTEXT:
            if (cli_parse_number(val, &d) != 0 || d < 1 || d != (double)(size_t)d)
                rc = cli_usage_error("decrypt", "--max-plaintext: not a size: \"%s\"", val);
            o.jwe.max_plaintext = (size_t)d;
            break;
        case E_JWT: jwt = 1; break;
        case E_AUD:
            if (cli_add_string(&aud, &o.verify.n_audience, val))
                rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
            break;
        case E_ISS:
            if (cli_add_string(&iss, &o.verify.n_issuer, val))
                rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
            break;
        case E_REQUIRE:
            if (cli_add_string(&req, &o.verify.n_required, val))
                rc = cli_fail(CJWT_E_NO_MEMORY, NULL, "out of memory");
            break;
        case E_SUB: o.verify.subject = val; break;
        case E_TYP: o.verify.typ = val; break;
        case E_LEEWAY:
            if ((secs = cli_parse_duration(val)) < 0)
                rc = cli_usage_error("decrypt", "--leeway: not a duration: \"%s\"", val);
            o.verify.leeway = (double)secs;
            break;
        case E_MAX_AGE:
            if ((secs = cli_parse_duration(val)) < 0)
                rc = cli_usage_error("decrypt", "--max-age: not a duration: \"%s\"", val);
            o.verify.has_max_age = 1;
            o.verify.max_age = (double)secs;
            break;
        case E_NOW:
            if (cli_parse_number(val, &now) != 0)
                rc = cli_usage_error("decrypt", "--now: not a unix time: \"%s\"", val);
            has_now = 1;
            break;
        case E_VERIFY_KEY: vks.key_file = val; break;
        case E_VERIFY_JWKS: vks.jwks_file = val; break;
        case E_VERIFY_SECRET_FILE: vks.secret_file = val; break;
        case E_VERIFY_SECRET_ENV: vks.secret_env = val; break;
        case E_SIGN_ALG: rc = cli_add_algs(&o.verify.algorithms, val); break;
        }
        if (rc)
            goto done;
    }
    o.verify.audience = aud;
    o.verify.issuer = iss;
    o.verify.required = req;
    if (!token_arg) {
        rc = cli_usage_error("decrypt", "a TOKEN (or - for stdin) is needed");
        goto done;
    }
    if (!o.jwe.algorithms || !o.jwe.encryptions) {
        rc = cli_usage_error("decrypt", "--alg and --enc are required (what you accept)");
        goto done;
    }
    if (cli_key_source_count(&ks) != 1) {
        rc = cli_usage_error("decrypt", "give exactly one of --key, --secret-file, --secret-env");
        goto done;
    }
    if (cli_key_source_count(&vks) > 1 ||
        (cli_key_source_count(&vks) == 1) != (o.verify.algorithms != 0)) {
        rc = cli_usage_error("decrypt", "a nested JWT needs one verification key (--verify-key, "
                                        "--verify-jwks, --verify-secret-file, --verify-secret-env) "
                                        "and --sign-alg");
        goto done;
    }
    if (cli_key_source_count(&vks))
        jwt = 1;
    if (!jwt && (claim_checks || has_now)) {
        rc = cli_usage_error("decrypt", "the claim checks and --now are for --jwt");
        goto done;
    }
    if ((rc = cli_load_single_key(&ks, &key)) != 0)
        goto done;
    if (vks.jwks_file)
        rc = cli_load_jwks_file(vks.jwks_file, vks.flags, &vset);
    else if (cli_key_source_count(&vks))
        rc = cli_load_single_key(&vks, &vkey);
    if (rc || (rc = cli_read_token(token_arg, &buf, &tok, &len)) != 0)
        goto done;
    if (!jwt) {
        size_t n = 0;
        const unsigned char *pt;
        if (!(jwe = cjwt_jwe_decrypt(&o.jwe, key, tok, len, &err))) {
            rc = cli_fail_err(&err, NULL);
            goto done;
        }
        pt = cjwt_jwe_plaintext(jwe, &n);
        if (fwrite(pt, 1, n, stdout) != n)
            rc = cli_io_error("(stdout)", "write failed");
        goto done;
    }
    o.verification_key = vkey;
    o.verification_keyset = vset;
    dj = cjwt_jwt_decrypt(&o, key, tok, len, has_now, now, &err);
    if (!dj)
        rc = cli_fail_err(&err, NULL);
    else
        rc = cli_print_compact(stdout, cjwt_decrypted_jwt_payload(dj));
done:
    cjwt_decrypted_jwt_free(dj);
    cjwt_jwe_free(jwe);
    cjwt_key_free(key);
    cjwt_key_free(vkey);
    cjwt_keyset_free(vset);
    free(buf);
    free(aud);
    free(iss);
    free(req);
    return rc;
}
