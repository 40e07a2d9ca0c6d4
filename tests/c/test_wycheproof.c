/* Wycheproof (C2SP) vectors from tests/vectors/wycheproof (CJWT_WYCHEPROOF_DIR):
 * the signature primitives through cjwt_verify_signature, and the JOSE
 * files end to end through the token API. Every `valid` case must verify
 * and every `invalid` one must be refused, except the documented deviations
 * below, which must come out exactly as documented. */
#include "cjwt.h"
#include "testlib.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Cases where cjwt deliberately differs from the file's label: read from
 * tests/vectors/wycheproof/deviations.json (CJWT_VECTORS/wycheproof/), the
 * one list the Python and Lua runners read too. */
static json_t *deviations;

static int load_deviations(void)
{
    const char *d = getenv("CJWT_VECTORS");
    char path[1024];
    json_error_t e;
    json_t *list;
    size_t i;
    json_t *item;
    snprintf(path, sizeof path, "%s/wycheproof/deviations.json", d && *d ? d : "tests/vectors");
    deviations = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!deviations) {
        fprintf(stderr, "  cannot read %s: %s\n", path, e.text);
        return -1;
    }
    list = json_object_get(deviations, "deviations");
    if (!json_is_array(list) ||
        !json_is_string(json_object_get(deviations, "acceptable")) ||
        strcmp(json_string_value(json_object_get(deviations, "acceptable")), "refused") != 0) {
        fprintf(stderr, "  %s: needs \"deviations\" and \"acceptable\": \"refused\"\n", path);
        return -1;
    }
    json_array_foreach(list, i, item) {
        if (!json_is_string(json_object_get(item, "file")) ||
            !json_is_integer(json_object_get(item, "tcId")) ||
            !json_is_boolean(json_object_get(item, "accepted")) ||
            !json_is_string(json_object_get(item, "why"))) {
            fprintf(stderr, "  %s: entry %zu needs file, tcId, accepted, why\n", path, i);
            return -1;
        }
    }
    printf("  %zu documented deviations listed in %s\n", json_array_size(list), path);
    return 0;
}

static int counted_run, counted_pass, counted_dev, counted_skip;

/* -1 when (file, tc) is not a deviation, else the documented outcome. */
static int deviation(const char *file, int tc)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(deviations, "deviations"), i, item) {
        if (json_integer_value(json_object_get(item, "tcId")) == tc &&
            strcmp(json_string_value(json_object_get(item, "file")), file) == 0)
            return json_is_true(json_object_get(item, "accepted"));
    }
    return -1;
}

static json_t *load(const char *dir, const char *name)
{
    char path[1024];
    json_error_t e;
    json_t *j;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "  cannot read %s: %s\n", path, e.text);
    return j;
}

/* Records one outcome; `accepted` is what cjwt did. */
static void outcome(const char *file, const json_t *t, int accepted, const char *detail)
{
    const char *result = json_string_value(json_object_get(t, "result"));
    int tc = (int)json_integer_value(json_object_get(t, "tcId"));
    int want;
    counted_run++;
    if (strcmp(result, "acceptable") == 0) {
        /* Decided: cjwt refuses every "acceptable" signature (the one in
         * these files is an RSA DigestInfo without the NULL parameter). */
        want = 0;
    } else {
        want = strcmp(result, "valid") == 0;
    }
    if (deviation(file, tc) >= 0) {
        counted_dev++;
        if (accepted != deviation(file, tc)) {
            fprintf(stderr, "  %s tc %d: documented deviation changed\n", file, tc);
            CHECK(0);
        }
        return;
    }
    if (accepted != want) {
        fprintf(stderr, "  %s tc %d (%s, %s): cjwt %s it (%s)\n", file, tc,
                json_string_value(json_object_get(t, "comment")), result,
                accepted ? "accepted" : "refused", detail);
        CHECK(0);
        return;
    }
    counted_pass++;
}

static cjwt_key *group_key(const json_t *g, const char *jwk_member)
{
    const json_t *jwk = json_object_get(g, jwk_member);
    cjwt_error err;
    cjwt_key *k;
    if (jwk) {
        char *text = json_dumps(jwk, JSON_COMPACT);
        k = cjwt_key_from_jwk_json(text, strlen(text), 0, &err);
        free(text);
    } else {
        const char *pem = json_string_value(json_object_get(g, "publicKeyPem"));
        k = cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err);
    }
    if (!k)
        fprintf(stderr, "  key refused: %s\n", err.message);
    return k;
}

static void run_primitive(const char *dir, const char *file, cjwt_alg alg, const char *jwk_member)
{
    json_t *root = load(dir, file), *g, *t;
    size_t i, j;
    if (!root) {
        CHECK(0);
        return;
    }
    json_array_foreach(json_object_get(root, "testGroups"), i, g) {
        cjwt_key *k = group_key(g, jwk_member);
        json_array_foreach(json_object_get(g, "tests"), j, t) {
            size_t ml, sl;
            unsigned char *msg = unhex(json_string_value(json_object_get(t, "msg")), &ml);
            unsigned char *sig = unhex(json_string_value(json_object_get(t, "sig")), &sl);
            cjwt_error err = {CJWT_OK, "key refused", ""};
            int ok = k && cjwt_verify_signature(k, alg, msg, ml, sig, sl, &err) == CJWT_OK;
            outcome(file, t, ok, err.message);
            free(msg);
            free(sig);
        }
        cjwt_key_free(k);
    }
    json_decref(root);
}

/* JOSE files: a group holds a JWK (or JWKS) and tests with a `jws`. Payloads
 * are arbitrary bytes, so tokens go through raw JWS verification, with every
 * algorithm allowed (the weakest setting a caller could choose). */
static void run_jose(const char *dir, const char *file)
{
    json_t *root = load(dir, file), *g, *t;
    size_t i, j;
    cjwt_verify_opts o;
    memset(&o, 0, sizeof o);
    o.raw_payload = 1;
    for (int a = CJWT_ALG_HS256; a < CJWT_ALG__COUNT; a++)
        o.algorithms |= CJWT_ALG_BIT(a);
    if (!root) {
        CHECK(0);
        return;
    }
    json_array_foreach(json_object_get(root, "testGroups"), i, g) {
        const json_t *kj = json_object_get(g, "public");
        cjwt_key *key = NULL;
        cjwt_keyset *ks = NULL;
        cjwt_error kerr = {CJWT_OK, "", ""};
        char *text;
        if (!kj)
            kj = json_object_get(g, "private");
        text = json_dumps(kj, JSON_COMPACT);
        if (json_object_get(kj, "keys"))
            ks = cjwt_keyset_from_jwks_json(text, strlen(text), 0, &kerr);
        else
            key = cjwt_key_from_jwk_json(text, strlen(text), 0, &kerr);
        free(text);
        json_array_foreach(json_object_get(g, "tests"), j, t) {
            const json_t *jj = json_object_get(t, "jws");
            char *jtext = NULL;
            const char *jws = json_string_value(jj);
            cjwt_error err = kerr;
            cjwt_decoded *d = NULL;
            if (!jj) {             /* a JWE test: decrypted with the group's private key */
                const json_t *je = json_object_get(t, "jwe");
                cjwt_error derr = {CJWT_OK, "key refused", ""};
                cjwt_key *dk = NULL;
                char *etext = json_is_string(je) ? NULL : json_dumps(je, JSON_COMPACT);
                const char *jwe = etext ? etext : json_string_value(je);
                cjwt_jwe *dec = NULL;
                cjwt_jwe_decrypt_opts jo;
                char *pt = json_dumps(json_object_get(g, "private"), JSON_COMPACT);
                memset(&jo, 0, sizeof jo);
                jo.algorithms = ~0u;     /* every alg, RSA1_5 too: the weakest setting */
                jo.encryptions = ~0u;
                dk = pt ? cjwt_key_from_jwk_json(pt, strlen(pt), 0, &derr) : NULL;
                if (dk && jwe)
                    dec = cjwt_jwe_decrypt(&jo, dk, jwe, strlen(jwe), &derr);
                outcome(file, t, dec != NULL, derr.message);
                cjwt_jwe_free(dec);
                cjwt_key_free(dk);
                free(pt);
                free(etext);
                continue;
            }
            if (!jws)              /* a JWS JSON serialization: given as its text */
                jws = jtext = json_dumps(jj, JSON_COMPACT);
            /* the JWS entry point of the bindings' jws_decode: compact or JSON */
            if (ks || key)
                d = cjwt_jws_verify(&o, key, ks, jws, strlen(jws), NULL, 0, &err);
            outcome(file, t, d != NULL, err.message);
            cjwt_decoded_free(d);
            free(jtext);
        }
        cjwt_key_free(key);
        cjwt_keyset_free(ks);
    }
    json_decref(root);
}

/* XDH (x25519_jwk_test.json, x448_jwk_test.json): each case's private and
 * public JWKs go through cjwt's ECDH-ES decryption. The test builds a JWE
 * for the private key with the public key as its "epk", keyed with the
 * Concat KDF of the file's expected shared secret, so cjwt decrypts it only
 * if its own key agreement gives that secret. Valid cases must decrypt,
 * invalid ones must be refused; "acceptable" ones may go either way, except
 * that an all-zero shared secret must be refused (RFC 8037 / RFC 7748 6.1)
 * and an accepted case must have agreed on the right secret. */
/* A compact ECDH-ES + A128GCM JWE whose CEK is Concat-KDF(shared). */
static char *xdh_jwe(const json_t *epk, const unsigned char *z, size_t zl)
{
    static const char pt[] = "xdh";
    json_t *h = json_pack("{s:s,s:s,s:O}", "alg", "ECDH-ES", "enc", "A128GCM", "epk", epk);
    char *hj = json_dumps(h, JSON_COMPACT), *out;
    unsigned char info[64], md[32], iv[12] = {1, 2, 3};
    unsigned char *buf = malloc(4 + zl + sizeof info);
    size_t n = 0;
    unsigned mdl = 0;
    /* counter || Z || AlgorithmID("A128GCM") || apu() || apv() || 128 */
    memcpy(info, "\0\0\0\7A128GCM\0\0\0\0\0\0\0\0\0\0\0\x80", 23);
    n = 23;
    memcpy(buf, "\0\0\0\1", 4);
    memcpy(buf + 4, z, zl);
    memcpy(buf + 4 + zl, info, n);
    EVP_Digest(buf, 4 + zl + n, md, &mdl, EVP_sha256(), NULL);
    out = gcm_compact(hj, md, iv, (const unsigned char *)pt, 3, 16);   /* CEK: md[0..16) */
    free(buf);
    free(hj);
    json_decref(h);
    return out;
}

static void run_xdh(const char *dir, const char *file)
{
    json_t *root = load(dir, file), *g, *t;
    size_t i, j;
    if (!root) {
        CHECK(0);
        return;
    }
    json_array_foreach(json_object_get(root, "testGroups"), i, g) {
        json_array_foreach(json_object_get(g, "tests"), j, t) {
            const json_t *pub = json_object_get(t, "public"), *flags = json_object_get(t, "flags"), *f;
            char *ptext = json_dumps(json_object_get(t, "private"), JSON_COMPACT), *jwe;
            const char *result = json_string_value(json_object_get(t, "result"));
            int tc = (int)json_integer_value(json_object_get(t, "tcId")), zero_shared = 0, accepted;
            size_t zl, k;
            unsigned char *z = unhex(json_string_value(json_object_get(t, "shared")), &zl);
            cjwt_error err = {CJWT_OK, "private key refused", ""};
            cjwt_key *priv = cjwt_key_from_jwk_json(ptext, strlen(ptext), 0, &err);
            cjwt_jwe *d = NULL;
            cjwt_jwe_decrypt_opts o;
            memset(&o, 0, sizeof o);
            o.algorithms = CJWT_JWE_ALG_BIT(CJWT_JWE_ECDH_ES);
            o.encryptions = CJWT_ENC_BIT(CJWT_ENC_A128GCM);
            json_array_foreach(flags, k, f)
                zero_shared |= strcmp(json_string_value(f), "ZeroSharedSecret") == 0;
            jwe = xdh_jwe(pub, z, zl);
            if (priv)
                d = cjwt_jwe_decrypt(&o, priv, jwe, strlen(jwe), &err);
            accepted = d != NULL;
            counted_run++;
            if (strcmp(result, "acceptable") == 0 ? (zero_shared && accepted)
                                                   : accepted != (strcmp(result, "valid") == 0)) {
                fprintf(stderr, "  %s tc %d (%s): cjwt %s it (%s)\n", file, tc, result,
                        accepted ? "accepted" : "refused", err.message);
                CHECK(0);
            } else {
                counted_pass++;
            }
            cjwt_jwe_free(d);
            cjwt_key_free(priv);
            free(z);
            free(jwe);
            free(ptext);
        }
    }
    json_decref(root);
}

static const char *vector_dir(void)
{
    const char *d = getenv("CJWT_WYCHEPROOF_DIR");
    return d && *d ? d : "tests/vectors/wycheproof";
}

#define FILE_TEST(name, body) \
    static void name(void) { \
        int r0 = counted_run, p0 = counted_pass, d0 = counted_dev; \
        body; \
        printf("  %-45s run %4d, passed %4d, documented deviations %d\n", #name + 5, \
               counted_run - r0, counted_pass - p0, counted_dev - d0); \
        CHECK(counted_run > r0); \
    }

FILE_TEST(test_ecdsa_p256, run_primitive(vector_dir(), "ecdsa_secp256r1_sha256_p1363_test.json", CJWT_ALG_ES256, "publicKeyJwk"))
FILE_TEST(test_ecdsa_p384, run_primitive(vector_dir(), "ecdsa_secp384r1_sha384_p1363_test.json", CJWT_ALG_ES384, "publicKeyJwk"))
FILE_TEST(test_ecdsa_p521, run_primitive(vector_dir(), "ecdsa_secp521r1_sha512_p1363_test.json", CJWT_ALG_ES512, "publicKeyJwk"))
FILE_TEST(test_rsa_pkcs1_2048, run_primitive(vector_dir(), "rsa_signature_2048_sha256_test.json", CJWT_ALG_RS256, "keyJwk"))
FILE_TEST(test_rsa_pss_2048, run_primitive(vector_dir(), "rsa_pss_2048_sha256_mgf1_32_test.json", CJWT_ALG_PS256, "publicKeyJwk"))
FILE_TEST(test_ed25519, run_primitive(vector_dir(), "ed25519_test.json", CJWT_ALG_EDDSA, "publicKeyJwk"))
FILE_TEST(test_ecdsa_secp256k1, run_primitive(vector_dir(), "ecdsa_secp256k1_sha256_p1363_test.json", CJWT_ALG_ES256K, "publicKeyJwk"))
FILE_TEST(test_ed448, run_primitive(vector_dir(), "ed448_test.json", CJWT_ALG_EDDSA, "publicKeyJwk"))
FILE_TEST(test_jose_jws, run_jose(vector_dir(), "json_web_signature_test.json"))
FILE_TEST(test_jose_jwk, run_jose(vector_dir(), "json_web_key_test.json"))
FILE_TEST(test_jose_crypto, run_jose(vector_dir(), "json_web_crypto_test.json"))
FILE_TEST(test_xdh_x25519, run_xdh(vector_dir(), "x25519_jwk_test.json"))
FILE_TEST(test_xdh_x448, run_xdh(vector_dir(), "x448_jwk_test.json"))

int main(void)
{
    printf("Wycheproof vectors from %s\n", vector_dir());
    if (load_deviations() != 0)
        return 1;
    RUN(test_ecdsa_p256);
    RUN(test_ecdsa_p384);
    RUN(test_ecdsa_p521);
    RUN(test_rsa_pkcs1_2048);
    RUN(test_rsa_pss_2048);
    RUN(test_ed25519);
    RUN(test_ecdsa_secp256k1);
    RUN(test_ed448);
    RUN(test_jose_jws);
    RUN(test_jose_jwk);
    RUN(test_jose_crypto);
    RUN(test_xdh_x25519);
    RUN(test_xdh_x448);
    printf("Wycheproof: %d cases run, %d as labelled, %d documented deviations, %d cases skipped\n",
           counted_run, counted_pass, counted_dev, counted_skip);
    json_decref(deviations);
    return testlib_report("test_wycheproof");
}
