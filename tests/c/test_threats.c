/* Threat tests of the core: one RUN per threat, each asserting the exact
 * error name an attack gets. The keys are the fixed ones in
 * tests/interop/keys.json (shared with the Python and Lua threat tests and
 * the interop matrix), so an attacker's key and certificate are real ones. */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOW 1700000000.0

static json_t *keys;             /* tests/interop/keys.json "keys" */
static cjwt_error last_err;      /* the error of the last verify() */
static cjwt_key *hs, *rsa_pub, *rsa_priv, *ec_pub, *ec_priv, *ed_pub, *ed_priv;
static cjwt_key *ec384_priv, *ec384_pub, *ec521_priv, *ec521_pub, *att_priv;
static cjwt_key *k1_pub, *k1_priv, *ed448_pub, *ed448_priv;   /* secp256k1 (ES256K), Ed448 */

static const char *kstr(const char *name, const char *member)
{
    const char *s = json_string_value(json_object_get(json_object_get(keys, name), member));
    if (!s) {
        fprintf(stderr, "keys.json lacks %s.%s\n", name, member);
        exit(2);
    }
    return s;
}

static cjwt_key *pem_key(const char *name, const char *member)
{
    const char *pem = kstr(name, member);
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err);
    if (!k) {
        fprintf(stderr, "%s.%s: %s\n", name, member, err.message);
        exit(2);
    }
    return k;
}

static void load_keys(void)
{
    const char *path = getenv("CJWT_INTEROP_KEYS");
    json_error_t jerr;
    json_t *root = json_load_file(path ? path : "tests/interop/keys.json", 0, &jerr);
    const char *secret;
    if (!root) {
        fprintf(stderr, "cannot read keys.json: %s\n", jerr.text);
        exit(2);
    }
    keys = json_incref(json_object_get(root, "keys"));
    json_decref(root);
    secret = kstr("hmac", "secret");
    hs = cjwt_key_from_secret((const unsigned char *)secret, strlen(secret), 0, NULL);
    rsa_pub = pem_key("rsa", "public_pem");
    rsa_priv = pem_key("rsa", "private_pem");
    ec_pub = pem_key("ec256", "public_pem");
    ec_priv = pem_key("ec256", "private_pem");
    ec384_pub = pem_key("ec384", "public_pem");
    ec384_priv = pem_key("ec384", "private_pem");
    ec521_pub = pem_key("ec521", "public_pem");
    ec521_priv = pem_key("ec521", "private_pem");
    ed_pub = pem_key("ed25519", "public_pem");
    ed_priv = pem_key("ed25519", "private_pem");
    att_priv = pem_key("attacker_ec256", "private_pem");
    k1_pub = pem_key("secp256k1", "public_pem");
    k1_priv = pem_key("secp256k1", "private_pem");
    ed448_pub = pem_key("ed448", "public_pem");
    ed448_priv = pem_key("ed448", "private_pem");
}

/* A token from raw header and payload bytes, signed with key/alg (key NULL:
 * empty signature). The caller frees it. */
static char *token_n(const char *h, size_t hn, const char *p, size_t pn, const cjwt_key *key,
                     cjwt_alg alg)
{
    size_t h64 = cjwtp_b64url_encoded_len(hn), p64 = cjwtp_b64url_encoded_len(pn), sn = 0;
    unsigned char sig[CJWTP_MAX_SIG];
    char *t = malloc(h64 + p64 + 3 + cjwtp_b64url_encoded_len(CJWTP_MAX_SIG));
    cjwtp_b64url_encode((const unsigned char *)h, hn, t);
    t[h64] = '.';
    cjwtp_b64url_encode((const unsigned char *)p, pn, t + h64 + 1);
    t[h64 + 1 + p64] = '.';
    if (key && cjwtp_sign(key, alg, (unsigned char *)t, h64 + 1 + p64, sig, &sn, NULL) != CJWT_OK) {
        fprintf(stderr, "  test setup: could not sign with %s\n", cjwt_alg_name(alg));
        sn = 0;
    }
    cjwtp_b64url_encode(sig, sn, t + h64 + 2 + p64);
    t[h64 + 2 + p64 + cjwtp_b64url_encoded_len(sn)] = '\0';
    return t;
}

static char *token(const char *h, const char *p, const cjwt_key *key, cjwt_alg alg)
{
    return token_n(h, strlen(h), p, strlen(p), key, alg);
}

/* Verifies with `key` (or the set `ks`) allowing `algs`; returns the code
 * and keeps the error in last_err. */
static cjwt_code verify_n(const cjwt_key *key, const cjwt_keyset *ks, uint32_t algs,
                          const char *t, size_t len)
{
    cjwt_verify_opts o;
    cjwt_decoded *d;
    memset(&o, 0, sizeof o);
    o.algorithms = algs;
    d = ks ? cjwt_verify_keyset_with(&o, ks, t, len, 1, NOW, &last_err)
           : cjwt_verify_with(&o, key, t, len, 1, NOW, &last_err);
    if (d) {
        cjwt_decoded_free(d);
        cjwtp_error_clear(&last_err);
        snprintf(last_err.message, sizeof last_err.message, "verified");
        return CJWT_OK;
    }
    return last_err.code;
}

static cjwt_code verify(const cjwt_key *key, uint32_t algs, const char *t)
{
    return verify_n(key, NULL, algs, t, strlen(t));
}

#define EXPECT(call, name) do { (void)(call); CHECK_CODE(last_err, name); } while (0)
#define EXPECT_OK(call) do { cjwt_code c_ = (call); if (c_ != CJWT_OK) { \
    fprintf(stderr, "  FAIL %s:%d: expected success, got %s (%s)\n", __FILE__, __LINE__, \
            cjwt_code_name(c_), last_err.message); testlib_current_failed = 1; } } while (0)

/* A token of header h and payload p signed with skey/salg (NULL: empty
 * signature), verified with vkey allowing algs: the error must be `name`. */
#define EXPECT_TOKEN(h, p, skey, salg, vkey, algs, name) do { \
    char *t_ = token(h, p, skey, salg); \
    EXPECT(verify(vkey, algs, t_), name); \
    free(t_); } while (0)

#define B(a) CJWT_ALG_BIT(CJWT_ALG_##a)
#define ALL_ALGS (B(HS256) | B(HS384) | B(HS512) | B(RS256) | B(RS384) | B(RS512) | B(PS256) | \
                  B(PS384) | B(PS512) | B(ES256) | B(ES384) | B(ES512) | B(EDDSA) | B(ES256K))
static const char CLAIMS[] = "{\"sub\":\"user-1\",\"exp\":1700000100}";

/* ---- alg: none ---------------------------------------------------------- */
static void threat_alg_none(void)
{
    static const char *const spellings[] = { "None", "NONE", "nOnE", "NoNe", "none " };
    char h[64], *t;
    /* "none" is a known name: refused by the allowlist (even with every real alg allowed). */
    t = token("{\"alg\":\"none\"}", CLAIMS, NULL, CJWT_ALG_NONE);
    EXPECT(verify(hs, ALL_ALGS, t), "alg_not_allowed");
    EXPECT(verify(rsa_pub, ALL_ALGS, t), "alg_not_allowed");
    free(t);
    /* With a signature appended it is still not allowed. */
    EXPECT_TOKEN("{\"alg\":\"none\"}", CLAIMS, hs, CJWT_ALG_HS256, hs, ALL_ALGS, "alg_not_allowed");
    /* Other spellings are not JWA names at all. */
    for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
        snprintf(h, sizeof h, "{\"alg\":\"%s\"}", spellings[i]);
        EXPECT_TOKEN(h, CLAIMS, NULL, CJWT_ALG_NONE, hs, ALL_ALGS | B(NONE), "unsupported_alg");
    }
    /* Even asked for by name, an unsecured token never verifies (signed or not). */
    EXPECT_TOKEN("{\"alg\":\"none\"}", CLAIMS, hs, CJWT_ALG_HS256,
                 NULL, B(NONE), "alg_not_allowed");
    t = token("{\"alg\":\"none\"}", CLAIMS, NULL, CJWT_ALG_NONE);
    EXPECT(verify(NULL, B(NONE), t), "alg_not_allowed");
    EXPECT(verify(hs, ALL_ALGS | B(NONE), t), "alg_not_allowed");
    free(t);
    /* A key cannot sign "none". */
    {
        cjwt_sign_opts so = {0};
        cjwt_error err;
        so.alg = CJWT_ALG_NONE;
        CHECK(cjwt_jws_encode((const unsigned char *)"x", 1, hs, &so, NULL, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
    }
}

/* ---- HS/RS confusion: a public key used as an HMAC secret --------------- */
static char *hmac_forge(const char *alg, const unsigned char *secret, size_t n)
{
    char h[64];
    unsigned char mac[64];
    unsigned int maclen = 0;
    size_t tl;
    char *t;
    const EVP_MD *md = strcmp(alg, "HS256") == 0 ? EVP_sha256() :
                       strcmp(alg, "HS384") == 0 ? EVP_sha384() : EVP_sha512();
    snprintf(h, sizeof h, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    t = token(h, CLAIMS, NULL, CJWT_ALG_NONE);   /* ends with '.' */
    tl = strlen(t);
    HMAC(md, secret, (int)n, (unsigned char *)t, tl - 1, mac, &maclen);
    t = realloc(t, tl + cjwtp_b64url_encoded_len(maclen) + 1);
    cjwtp_b64url_encode(mac, maclen, t + tl);
    t[tl + cjwtp_b64url_encoded_len(maclen)] = '\0';
    return t;
}

static void threat_hs_rs_confusion(void)
{
    static const char *const hs_algs[] = { "HS256", "HS384", "HS512" };
    const char *pem = kstr("rsa", "public_pem"), *ecpem = kstr("ec256", "public_pem");
    cjwt_error err;
    for (size_t i = 0; i < 3; i++) {
        /* The attacker HMACs with the public key's PEM text (every byte
         * variant an application might hold: as is, without final newline). */
        char *t1 = hmac_forge(hs_algs[i], (const unsigned char *)pem, strlen(pem));
        char *t2 = hmac_forge(hs_algs[i], (const unsigned char *)pem, strlen(pem) - 1);
        char *t3 = hmac_forge(hs_algs[i], (const unsigned char *)ecpem, strlen(ecpem));
        cjwt_key *as_bytes = cjwt_key_from_bytes((const unsigned char *)pem, strlen(pem), 0, &err);
        cjwt_key *ec_bytes = cjwt_key_from_bytes((const unsigned char *)ecpem, strlen(ecpem), 0, &err);
        CHECK(as_bytes && cjwt_key_type(as_bytes) == CJWT_KTY_RSA);
        CHECK(ec_bytes && cjwt_key_type(ec_bytes) == CJWT_KTY_EC);
        EXPECT(verify(as_bytes, ALL_ALGS, t1), "invalid_key");
        EXPECT(verify(as_bytes, ALL_ALGS, t2), "invalid_key");
        EXPECT(verify(rsa_pub, ALL_ALGS, t1), "invalid_key");
        EXPECT(verify(ec_bytes, ALL_ALGS, t3), "invalid_key");
        cjwt_key_free(as_bytes);
        cjwt_key_free(ec_bytes);
        free(t1);
        free(t2);
        free(t3);
    }
    /* JWK form: the public JWK object as the key. */
    {
        json_t *jwk = json_object_get(json_object_get(keys, "rsa"), "public_jwk");
        char *jtext = json_dumps(jwk, JSON_COMPACT);
        cjwt_key *k = cjwt_key_from_jwk(CJWTP_VALUE(jwk), 0, &err);
        char *t = hmac_forge("HS256", (const unsigned char *)jtext, strlen(jtext));
        CHECK(k && cjwt_key_type(k) == CJWT_KTY_RSA);
        EXPECT(verify(k, ALL_ALGS, t), "invalid_key");
        cjwt_key_free(k);
        free(t);
        free(jtext);
    }
    /* DER (SubjectPublicKeyInfo) bytes are a key too, never a secret. */
    {
        BIO *bio = BIO_new_mem_buf(pem, -1);
        EVP_PKEY *pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(pk, &der);
        cjwt_key *k = cjwt_key_from_bytes(der, (size_t)n, 0, &err);
        char *t = hmac_forge("HS256", der, (size_t)n);
        CHECK(k && cjwt_key_type(k) == CJWT_KTY_RSA);
        EXPECT(verify(k, ALL_ALGS, t), "invalid_key");
        cjwt_key_free(k);
        free(t);
        OPENSSL_free(der);
        EVP_PKEY_free(pk);
        BIO_free(bio);
    }
    /* And the other way: an HMAC secret never verifies RS/ES/EdDSA. */
    {
        char *t = token("{\"alg\":\"RS256\"}", CLAIMS, rsa_priv, CJWT_ALG_RS256);
        EXPECT(verify(hs, ALL_ALGS, t), "invalid_key");
        free(t);
        t = token("{\"alg\":\"ES256\"}", CLAIMS, ec_priv, CJWT_ALG_ES256);
        EXPECT(verify(rsa_pub, ALL_ALGS, t), "invalid_key");
        EXPECT(verify(ed_pub, ALL_ALGS, t), "invalid_key");
        EXPECT(verify(ec384_pub, ALL_ALGS, t), "invalid_key");
        free(t);
    }
}

/* Public material in text forms: a JWK as JSON text, and PEM preceded by
 * text (openssl pkcs12 / x509 -text output). Both are key material, never
 * an HMAC secret (found by this suite, fixed in the core in 4b3dbec). */
static void threat_hs_rs_confusion_text_forms(void)
{
    const char *pem = kstr("rsa", "public_pem");
    char *jwk = json_dumps(json_object_get(json_object_get(keys, "rsa"), "public_jwk"),
                           JSON_COMPACT);
    char *prefixed = malloc(strlen(pem) + 64);
    const char *forms[2];
    sprintf(prefixed, "Bag Attributes\n    friendlyName: api\nsubject=CN = api\n%s", pem);
    forms[0] = jwk;
    forms[1] = prefixed;
    for (int i = 0; i < 2; i++) {
        cjwt_error err;
        cjwt_key *k = cjwt_key_from_bytes((const unsigned char *)forms[i], strlen(forms[i]), 0, &err);
        char *t = hmac_forge("HS256", (const unsigned char *)forms[i], strlen(forms[i]));
        CHECK(k != NULL && cjwt_key_type(k) == CJWT_KTY_RSA);
        if (k)
            EXPECT(verify(k, ALL_ALGS, t), "invalid_key");
        cjwt_key_free(k);
        free(t);
    }
    free(prefixed);
    free(jwk);
}

/* ---- ECDSA: zero, out-of-range and DER signatures ------------------------ */
/* Replaces the signature segment of `t` with raw bytes. */
static char *with_sig(const char *t, const unsigned char *sig, size_t n)
{
    const char *dot = strrchr(t, '.');
    size_t pre = (size_t)(dot - t) + 1;
    char *r = malloc(pre + cjwtp_b64url_encoded_len(n) + 1);
    memcpy(r, t, pre);
    cjwtp_b64url_encode(sig, n, r + pre);
    r[pre + cjwtp_b64url_encoded_len(n)] = '\0';
    return r;
}

static size_t get_sig(const char *t, unsigned char *out)
{
    const char *dot = strrchr(t, '.') + 1;
    size_t n = 0;
    CHECK(cjwtp_b64url_decode(dot, strlen(dot), out, &n) == 0);
    return n;
}

static void bn_fixed(const BIGNUM *bn, unsigned char *out, size_t w)
{
    CHECK(BN_bn2binpad(bn, out, (int)w) == (int)w);
}

static void ecdsa_case(const cjwt_key *priv, const cjwt_key *pub, cjwt_alg alg, int nid, size_t w)
{
    char h[64], *t, *bad;
    unsigned char sig[CJWTP_MAX_SIG], forged[CJWTP_MAX_SIG];
    size_t n;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    const BIGNUM *order = EC_GROUP_get0_order(g);
    BIGNUM *x = BN_new(), *r = NULL, *s = NULL;
    uint32_t bit = CJWT_ALG_BIT(alg);

    snprintf(h, sizeof h, "{\"alg\":\"%s\"}", cjwt_alg_name(alg));
    t = token(h, CLAIMS, priv, alg);
    EXPECT_OK(verify(pub, bit, t));
    n = get_sig(t, sig);
    CHECK(n == 2 * w);
    r = BN_bin2bn(sig, (int)w, NULL);
    s = BN_bin2bn(sig + w, (int)w, NULL);

#define TRY(label) do { bad = with_sig(t, forged, 2 * w); \
        if (verify(pub, bit, bad) != CJWT_E_BAD_SIGNATURE) \
            fprintf(stderr, "  (%s %s)\n", cjwt_alg_name(alg), label); \
        CHECK_CODE(last_err, "bad_signature"); free(bad); } while (0)
    /* r = 0, s = 0: the "psychic signature" (CVE-2022-21449) */
    memset(forged, 0, 2 * w);
    TRY("r=s=0");
    memcpy(forged, sig, 2 * w);
    memset(forged, 0, w);
    TRY("r=0");
    memcpy(forged, sig, 2 * w);
    memset(forged + w, 0, w);
    TRY("s=0");
    /* r = n, s = n; r = n with the real s; s = n + s (mod 2^w, when it fits) */
    bn_fixed(order, forged, w);
    bn_fixed(order, forged + w, w);
    TRY("r=s=n");
    bn_fixed(order, forged, w);
    memcpy(forged + w, sig + w, w);
    TRY("r=n");
    BN_add(x, r, order);
    if (BN_num_bytes(x) <= (int)w) {
        bn_fixed(x, forged, w);
        memcpy(forged + w, sig + w, w);
        TRY("r+n");
    }
    BN_add(x, s, order);
    if (BN_num_bytes(x) <= (int)w) {
        memcpy(forged, sig, w);
        bn_fixed(x, forged + w, w);
        TRY("s+n");
    }
    memset(forged, 0xff, 2 * w);
    if (w == 66)   /* P-521: the top byte holds one bit */
        forged[0] = forged[w] = 0x01;
    TRY("r=s=max");
#undef TRY
    /* DER instead of r||s: the same signature, in the form OpenSSL makes. */
    {
        ECDSA_SIG *es = ECDSA_SIG_new();
        unsigned char *der = NULL;
        int dn;
        ECDSA_SIG_set0(es, BN_dup(r), BN_dup(s));
        dn = i2d_ECDSA_SIG(es, &der);
        CHECK(dn > 0);
        bad = with_sig(t, der, (size_t)dn);
        EXPECT(verify(pub, bit, bad), "bad_signature");
        free(bad);
        OPENSSL_free(der);
        ECDSA_SIG_free(es);
    }
    /* Truncated, extended and empty. */
    bad = with_sig(t, sig, 2 * w - 1);
    EXPECT(verify(pub, bit, bad), "bad_signature");
    free(bad);
    memcpy(forged, sig, 2 * w);
    forged[2 * w] = 0;
    bad = with_sig(t, forged, 2 * w + 1);
    EXPECT(verify(pub, bit, bad), "bad_signature");
    free(bad);
    bad = with_sig(t, sig, 0);
    EXPECT(verify(pub, bit, bad), "bad_signature");
    free(bad);
    /* A high-S twin (n - s) is a valid ECDSA signature: JWS (RFC 7518 3.4)
     * does not ask for low-S, so it verifies; SECURITY.md says signatures
     * are not unique. */
    BN_sub(x, order, s);
    memcpy(forged, sig, w);
    bn_fixed(x, forged + w, w);
    bad = with_sig(t, forged, 2 * w);
    EXPECT_OK(verify(pub, bit, bad));
    free(bad);
    free(t);
    BN_free(x);
    BN_free(r);
    BN_free(s);
    EC_GROUP_free(g);
}

static void threat_ecdsa_signatures(void)
{
    ecdsa_case(ec_priv, ec_pub, CJWT_ALG_ES256, NID_X9_62_prime256v1, 32);
    ecdsa_case(ec384_priv, ec384_pub, CJWT_ALG_ES384, NID_secp384r1, 48);
    ecdsa_case(ec521_priv, ec521_pub, CJWT_ALG_ES512, NID_secp521r1, 66);
    ecdsa_case(k1_priv, k1_pub, CJWT_ALG_ES256K, NID_secp256k1, 32);
    /* The primitive too: a DER-length signature is refused before OpenSSL. */
    {
        unsigned char zero[64] = {0};
        cjwt_error err;
        CHECK(cjwt_verify_signature(ec_pub, CJWT_ALG_ES256, (const unsigned char *)"a.b", 3,
                                    zero, 64, &err) == CJWT_E_BAD_SIGNATURE);
        CHECK(cjwt_verify_signature(ec_pub, CJWT_ALG_ES256, (const unsigned char *)"a.b", 3,
                                    zero, 72, &err) == CJWT_E_BAD_SIGNATURE);
    }
}

/* ---- ES256K and Ed448: the key's curve decides ---------------------------- */
/* ES256 and ES256K have the same signature size and hash: only the curve
 * tells them apart, so each key verifies exactly one of them, whatever the
 * header says and whatever the allowlist allows. */
static void threat_es256k_confusion(void)
{
    char *k1 = token("{\"alg\":\"ES256K\"}", CLAIMS, k1_priv, CJWT_ALG_ES256K);
    char *p256 = token("{\"alg\":\"ES256\"}", CLAIMS, ec_priv, CJWT_ALG_ES256);
    /* The secp256k1 signature relabelled ES256 (and the reverse) */
    char *k1_as_es256 = malloc(strlen(k1) + 8), *p256_as_k1 = malloc(strlen(p256) + 8);
    char *h = token("{\"alg\":\"ES256\"}", CLAIMS, NULL, CJWT_ALG_ES256);
    char *hk = token("{\"alg\":\"ES256K\"}", CLAIMS, NULL, CJWT_ALG_ES256K);
    sprintf(k1_as_es256, "%s%s", h, strrchr(k1, '.') + 1);
    sprintf(p256_as_k1, "%s%s", hk, strrchr(p256, '.') + 1);
    EXPECT_OK(verify(k1_pub, B(ES256K), k1));
    EXPECT_OK(verify(ec_pub, B(ES256), p256));
    EXPECT(verify(ec_pub, ALL_ALGS, k1), "invalid_key");          /* ES256K token, P-256 key */
    CHECK(strstr(last_err.message, "ES256K needs a secp256k1 key") != NULL);
    EXPECT(verify(k1_pub, ALL_ALGS, p256), "invalid_key");        /* ES256 token, secp256k1 key */
    CHECK(strstr(last_err.message, "ES256 needs a P-256 key") != NULL);
    EXPECT(verify(k1_pub, ALL_ALGS, k1_as_es256), "invalid_key");
    EXPECT(verify(ec_pub, ALL_ALGS, p256_as_k1), "invalid_key");
    EXPECT(verify(ec_pub, B(ES256), k1_as_es256), "bad_signature"); /* right key type, wrong curve's sig */
    EXPECT(verify(k1_pub, B(ES256), k1), "alg_not_allowed");
    EXPECT(verify(ec_pub, B(ES256K), p256), "alg_not_allowed");
    /* the other key types */
    EXPECT(verify(hs, ALL_ALGS, k1), "invalid_key");
    EXPECT(verify(rsa_pub, ALL_ALGS, k1), "invalid_key");
    EXPECT(verify(ed448_pub, ALL_ALGS, k1), "invalid_key");
    {
        char *ed = token("{\"alg\":\"EdDSA\"}", CLAIMS, ed448_priv, CJWT_ALG_EDDSA);
        EXPECT(verify(k1_pub, ALL_ALGS, ed), "invalid_key");
        free(ed);
    }
    /* a key bound to ES256K cannot be rebound, nor used for ES256 */
    {
        cjwt_error err;
        cjwt_key *bound = cjwt_key_with(k1_pub, NULL, CJWT_ALG_ES256K, &err);
        CHECK(bound != NULL);
        CHECK(cjwt_key_with(k1_pub, NULL, CJWT_ALG_ES256, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        EXPECT(verify(bound, B(ES256) | B(ES256K), p256), "invalid_key");
        cjwt_key_free(bound);
    }
    /* secp256k1 is for ES256K only, never for ECDH-ES (RFC 8812 registers it for signatures) */
    {
        cjwt_error err;
        cjwt_jwe_encrypt_opts eo;
        char *jwe;
        memset(&eo, 0, sizeof eo);
        eo.alg = CJWT_JWE_ECDH_ES;
        eo.enc = CJWT_ENC_A128GCM;
        jwe = cjwt_jwe_encrypt((const unsigned char *)"x", 1, k1_pub, &eo, NULL, &err);
        CHECK(jwe == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_free(jwe);
    }
    free(k1);
    free(p256);
    free(k1_as_es256);
    free(p256_as_k1);
    free(h);
    free(hk);
}

/* A secp256k1 JWK whose point is not on the curve (y + 1), or is a P-256
 * point, is refused when the key is made; so are coordinates of the wrong size. */
static void threat_es256k_invalid_points(void)
{
    json_t *jwk = json_deep_copy(json_object_get(json_object_get(keys, "secp256k1"), "public_jwk"));
    json_t *p256 = json_object_get(json_object_get(keys, "ec256"), "public_jwk");
    unsigned char y[33];
    size_t n = 0;
    const char *ys = json_string_value(json_object_get(jwk, "y"));
    char y64[64];
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk(CJWTP_VALUE(jwk), 0, &err);
    CHECK(k != NULL);
    cjwt_key_free(k);
    CHECK(cjwtp_b64url_decode(ys, strlen(ys), y, &n) == 0 && n == 32);
    y[31] ^= 1;
    cjwtp_b64url_encode(y, 32, y64);
    y64[cjwtp_b64url_encoded_len(32)] = '\0';
    json_object_set_new(jwk, "y", json_string(y64));
    CHECK(cjwt_key_from_jwk(CJWTP_VALUE(jwk), 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    /* P-256's coordinates labelled secp256k1 */
    json_object_set(jwk, "x", json_object_get(p256, "x"));
    json_object_set(jwk, "y", json_object_get(p256, "y"));
    CHECK(cjwt_key_from_jwk(CJWTP_VALUE(jwk), 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    json_object_set_new(jwk, "y", json_string("AAAA"));
    CHECK(cjwt_key_from_jwk(CJWTP_VALUE(jwk), 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    json_decref(jwk);
}

/* EdDSA is one alg for two curves (RFC 8037): the key decides. An Ed448
 * signature never verifies with an Ed25519 key and the reverse (the sizes
 * differ, 114 and 64 bytes, and are checked exactly). */
static void threat_ed448(void)
{
    char *t448 = token("{\"alg\":\"EdDSA\"}", CLAIMS, ed448_priv, CJWT_ALG_EDDSA);
    char *t255 = token("{\"alg\":\"EdDSA\"}", CLAIMS, ed_priv, CJWT_ALG_EDDSA);
    unsigned char sig[CJWTP_MAX_SIG], forged[CJWTP_MAX_SIG];
    size_t n = get_sig(t448, sig);
    static const size_t lengths[] = {0, 1, 56, 57, 64, 113, 115, 128};
    char *bad;
    CHECK(n == 114);
    EXPECT_OK(verify(ed448_pub, B(EDDSA), t448));
    EXPECT_OK(verify(ed448_priv, B(EDDSA), t448));
    EXPECT(verify(ed_pub, B(EDDSA), t448), "bad_signature");
    EXPECT(verify(ed448_pub, B(EDDSA), t255), "bad_signature");
    EXPECT(verify(ec_pub, ALL_ALGS, t448), "invalid_key");
    EXPECT(verify(hs, ALL_ALGS, t448), "invalid_key");
    EXPECT(verify(ed448_pub, B(ES256), t448), "alg_not_allowed");
    /* the Ed25519 signature padded to Ed448's size, and Ed448's cut to Ed25519's */
    memset(forged, 0, sizeof forged);
    memcpy(forged, sig, 64);
    bad = with_sig(t255, forged, 64);
    EXPECT(verify(ed_pub, B(EDDSA), bad), "bad_signature");
    free(bad);
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        memset(forged, 0, sizeof forged);
        memcpy(forged, sig, lengths[i] < n ? lengths[i] : n);
        bad = with_sig(t448, forged, lengths[i]);
        EXPECT(verify(ed448_pub, B(EDDSA), bad), "bad_signature");
        free(bad);
    }
    /* S >= L (S = L: the order of the base point, little-endian) and a flipped bit */
    {
        static const unsigned char L[57] = {
            0xf3, 0x44, 0x58, 0xab, 0x92, 0xc2, 0x78, 0x23, 0x55, 0x8f, 0xc5, 0x8d, 0x72, 0xc2,
            0x6c, 0x21, 0x90, 0x36, 0xd6, 0xae, 0x49, 0xdb, 0x4e, 0xc4, 0xe9, 0x23, 0xca, 0x7c,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f, 0x00, 0x00,
        };
        memcpy(forged, sig, 57);
        memcpy(forged + 57, L, 57);
        bad = with_sig(t448, forged, 114);
        EXPECT(verify(ed448_pub, B(EDDSA), bad), "bad_signature");
        free(bad);
        memcpy(forged, sig, 114);
        forged[10] ^= 0x40;
        bad = with_sig(t448, forged, 114);
        EXPECT(verify(ed448_pub, B(EDDSA), bad), "bad_signature");
        free(bad);
        memset(forged, 0, 114);
        bad = with_sig(t448, forged, 114);
        EXPECT(verify(ed448_pub, B(EDDSA), bad), "bad_signature");
        free(bad);
    }
    /* Ed448 JWKs: wrong sizes, and an x that is no point's encoding */
    {
        cjwt_error err;
        const char *bad_jwks[] = {
            "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AAAA\"}",
            /* 32 bytes: an Ed25519 x labelled Ed448 */
            "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        };
        for (size_t i = 0; i < 2; i++) {
            CHECK(cjwt_key_from_jwk_json(bad_jwks[i], strlen(bad_jwks[i]), 0, &err) == NULL);
            CHECK_CODE(err, "invalid_key");
        }
    }
    /* a key set with both curves and no kids: the key that fits answers */
    {
        cjwt_error err;
        cjwt_key *both[2] = {ed_pub, ed448_pub};
        cjwt_keyset *ks = cjwt_keyset_new(both, 2, &err);
        CHECK(ks != NULL);
        EXPECT_OK(verify_n(NULL, ks, B(EDDSA), t448, strlen(t448)));
        EXPECT_OK(verify_n(NULL, ks, B(EDDSA), t255, strlen(t255)));
        cjwt_keyset_free(ks);
    }
    free(t448);
    free(t255);
}

/* ---- crit ----------------------------------------------------------------- */
static void threat_crit(void)
{
    static const char *const headers[] = {
        "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}",
        "{\"alg\":\"HS256\",\"crit\":[\"b64\",\"exp\"],\"b64\":true,\"exp\":1}",
        "{\"alg\":\"HS256\",\"crit\":[\"http://example.invalid/ext\"]}",
        "{\"alg\":\"HS256\",\"crit\":[\"x\",\"y\"],\"x\":1,\"y\":2}",
    };
    char *t;
    for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
        EXPECT_TOKEN(headers[i], CLAIMS, hs, CJWT_ALG_HS256, hs, B(HS256), "unknown_crit");
    }
    /* RFC 7797: b64 false is refused in a JWT, b64 without crit anywhere */
    EXPECT_TOKEN("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", CLAIMS, hs,
                 CJWT_ALG_HS256, hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\",\"b64\":false}", CLAIMS, hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\",\"crit\":[]}", CLAIMS, hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\",\"crit\":\"exp\"}", CLAIMS, hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\",\"crit\":[1]}", CLAIMS, hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    /* The message quotes the name, escaped and bounded. */
    t = token("{\"alg\":\"HS256\",\"crit\":[\"\\u001b[31mred\\n\"]}", CLAIMS, hs, CJWT_ALG_HS256);
    EXPECT(verify(hs, B(HS256), t), "unknown_crit");
    CHECK(strchr(last_err.message, '\033') == NULL && strchr(last_err.message, '\n') == NULL);
    free(t);
}

/* ---- jku / x5u / jwk / x5c: never a key source, never fetched ------------- */
static void threat_key_headers(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    char h[4096], *t;
    const char *att_jwk, *x5c;
    char *jwk_text, *x5c_text;
    cjwt_key *pubs[2];
    cjwt_keyset *ks;
    int port, conn;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 8) == 0);
    CHECK(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    port = ntohs(a.sin_port);
    jwk_text = json_dumps(json_object_get(json_object_get(keys, "attacker_ec256"), "public_jwk"),
                          JSON_COMPACT);
    x5c_text = json_dumps(json_object_get(json_object_get(keys, "attacker_ec256"), "x5c"),
                          JSON_COMPACT);
    att_jwk = jwk_text;
    x5c = x5c_text;
    pubs[0] = cjwt_key_with(ec_pub, "ec256-1", CJWT_ALG__COUNT, NULL);
    pubs[1] = cjwt_key_with(rsa_pub, "rsa-1", CJWT_ALG__COUNT, NULL);
    ks = cjwt_keyset_new(pubs, 2, NULL);
    CHECK(ks != NULL);

    /* Each header offers the attacker's key; the token is signed with it. */
    {
        const char *fmts[] = {
            "{\"alg\":\"ES256\",\"jku\":\"http://127.0.0.1:%d/jwks.json\"}",
            "{\"alg\":\"ES256\",\"x5u\":\"http://127.0.0.1:%d/cert.pem\"}",
            "{\"alg\":\"ES256\",\"jku\":\"https://127.0.0.1:%d/jwks.json\",\"kid\":\"attacker\"}",
            "{\"alg\":\"ES256\",\"x5u\":\"https://127.0.0.1:%d/x\",\"kid\":\"ec256-1\"}",
        };
        for (size_t i = 0; i < 4; i++) {
            snprintf(h, sizeof h, fmts[i], port);
            t = token(h, CLAIMS, att_priv, CJWT_ALG_ES256);
            EXPECT(verify(ec_pub, B(ES256), t), "bad_signature");
            verify_n(NULL, ks, B(ES256) | B(RS256), t, strlen(t));
            CHECK(last_err.code == (strstr(h, "\"attacker\"") ? CJWT_E_INVALID_KEY
                                                               : CJWT_E_BAD_SIGNATURE));
            free(t);
        }
    }
    snprintf(h, sizeof h, "{\"alg\":\"ES256\",\"jwk\":%s}", att_jwk);
    t = token(h, CLAIMS, att_priv, CJWT_ALG_ES256);
    EXPECT(verify(ec_pub, B(ES256), t), "bad_signature");
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "bad_signature");
    free(t);
    snprintf(h, sizeof h, "{\"alg\":\"ES256\",\"kid\":\"ec256-1\",\"x5c\":%s}", x5c);
    t = token(h, CLAIMS, att_priv, CJWT_ALG_ES256);
    EXPECT(verify(ec_pub, B(ES256), t), "bad_signature");
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "bad_signature");
    free(t);
    /* All four at once, pointing at the listener, kid of the real key. */
    snprintf(h, sizeof h,
             "{\"alg\":\"ES256\",\"kid\":\"ec256-1\",\"jku\":\"http://127.0.0.1:%d/\","
             "\"x5u\":\"http://127.0.0.1:%d/\",\"jwk\":%s,\"x5c\":%s}", port, port, att_jwk, x5c);
    t = token(h, CLAIMS, att_priv, CJWT_ALG_ES256);
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "bad_signature");
    free(t);
    /* With the real key they are inert: the token verifies. */
    t = token(h, CLAIMS, ec_priv, CJWT_ALG_ES256);
    EXPECT_OK(verify_n(NULL, ks, B(ES256), t, strlen(t)));
    free(t);

    /* No connection ever arrived at the listener. */
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    conn = accept(lfd, NULL, NULL);
    CHECK(conn < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    if (conn >= 0)
        close(conn);
    close(lfd);
    cjwt_keyset_free(ks);
    cjwt_key_free(pubs[0]);
    cjwt_key_free(pubs[1]);
    free(jwk_text);
    free(x5c_text);
}

/* ---- kid: path traversal, injection, NUL, very long ----------------------- */
static int message_is_clean(const char *m)
{
    size_t n = strlen(m);
    if (n >= CJWT_ERROR_MESSAGE_SIZE)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] >= 0x7f)
            return 0;
    return 1;
}

static void threat_kid(void)
{
    static const char *const kids[] = {
        "../../../../etc/passwd", "..\\\\..\\\\windows\\\\win.ini", "/dev/zero",
        "file:///etc/shadow", "' OR '1'='1", "1; DROP TABLE keys; --", "\\\"}]}",
        "${jndi:ldap://127.0.0.1/x}", "\\u001b[2J\\u001b[31m", "line\\nbreak\\r\\n",
        "\\u00e9\\u4e2d\\ud83d\\ude00", "ec256-1 ", "EC256-1", "",
    };
    cjwt_key *pubs[2];
    cjwt_keyset *ks;
    char h[512], *t;
    cjwt_verify_opts o;
    pubs[0] = cjwt_key_with(ec_pub, "ec256-1", CJWT_ALG__COUNT, NULL);
    pubs[1] = cjwt_key_with(rsa_pub, "rsa-1", CJWT_ALG__COUNT, NULL);
    ks = cjwt_keyset_new(pubs, 2, NULL);
    for (size_t i = 0; i < sizeof kids / sizeof *kids; i++) {
        snprintf(h, sizeof h, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", kids[i]);
        t = token(h, CLAIMS, ec_priv, CJWT_ALG_ES256);
        EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "invalid_key");
        CHECK(message_is_clean(last_err.message));
        free(t);
    }
    /* NUL inside the kid: JSON "\u0000" is refused by the strict parser,
     * a raw NUL byte is not JSON. */
    t = token("{\"alg\":\"ES256\",\"kid\":\"ec256-1\\u0000x\"}", CLAIMS, ec_priv, CJWT_ALG_ES256);
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "malformed");
    free(t);
    {
        static const char raw[] = "{\"alg\":\"ES256\",\"kid\":\"ec256-1\0x\"}";
        t = token_n(raw, sizeof raw - 1, CLAIMS, strlen(CLAIMS), ec_priv, CJWT_ALG_ES256);
        EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "malformed");
        free(t);
    }
    /* kid of the wrong type */
    t = token("{\"alg\":\"ES256\",\"kid\":123}", CLAIMS, ec_priv, CJWT_ALG_ES256);
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "malformed");
    free(t);
    t = token("{\"alg\":\"ES256\",\"kid\":[\"ec256-1\"]}", CLAIMS, ec_priv, CJWT_ALG_ES256);
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "malformed");
    free(t);
    /* A kid naming the RSA key on an ES256 token: that key cannot verify it. */
    t = token("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", CLAIMS, ec_priv, CJWT_ALG_ES256);
    EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "invalid_key");
    free(t);
    /* Very long kids: 100 KB within a raised limit, and at the default limit. */
    {
        size_t n = 100000;
        char *hbig = malloc(n + 64);
        int len = snprintf(hbig, 64, "{\"alg\":\"ES256\",\"kid\":\"");
        memset(hbig + len, 'A', n);
        memcpy(hbig + len + n, "\"}", 3);
        t = token(hbig, CLAIMS, ec_priv, CJWT_ALG_ES256);
        EXPECT(verify_n(NULL, ks, B(ES256), t, strlen(t)), "too_large");
        memset(&o, 0, sizeof o);
        o.algorithms = B(ES256);
        o.max_token_len = 1 << 20;
        CHECK(cjwt_verify_keyset_with(&o, ks, t, strlen(t), 1, NOW, &last_err) == NULL);
        CHECK_CODE(last_err, "invalid_key");
        CHECK(message_is_clean(last_err.message));
        free(t);
        free(hbig);
    }
    /* The right kid still works. */
    t = token("{\"alg\":\"ES256\",\"kid\":\"ec256-1\"}", CLAIMS, ec_priv, CJWT_ALG_ES256);
    EXPECT_OK(verify_n(NULL, ks, B(ES256), t, strlen(t)));
    free(t);
    cjwt_keyset_free(ks);
    cjwt_key_free(pubs[0]);
    cjwt_key_free(pubs[1]);
}

/* ---- base64url: padding, other alphabets, non-canonical ------------------- */
static void threat_base64url(void)
{
    char *t = token("{\"alg\":\"HS256\"}", CLAIMS, hs, CJWT_ALG_HS256);
    size_t n = strlen(t);
    const char *d1 = strchr(t, '.'), *d2 = strrchr(t, '.');
    size_t i1 = (size_t)(d1 - t), i2 = (size_t)(d2 - t);
    char buf[1024];
    EXPECT_OK(verify(hs, B(HS256), t));
    /* padding appended to each segment ("=" and "==") */
    for (int seg = 0; seg < 3; seg++) {
        size_t at = seg == 0 ? i1 : seg == 1 ? i2 : n;
        for (int pads = 1; pads <= 2; pads++) {
            snprintf(buf, sizeof buf, "%.*s%.*s%s", (int)at, t, pads, "==", t + at);
            EXPECT(verify(hs, B(HS256), buf), "malformed");
        }
    }
    /* standard-alphabet characters in place of - and _ */
    for (size_t i = 0; i < n; i++) {
        if (t[i] != '-' && t[i] != '_')
            continue;
        strcpy(buf, t);
        buf[i] = t[i] == '-' ? '+' : '/';
        EXPECT(verify(hs, B(HS256), buf), "malformed");
    }
    /* the signature (32 bytes, 43 chars) with a non-zero trailing bit */
    strcpy(buf, t);
    {
        static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char *last = buf + n - 1;
        size_t v = (size_t)(strchr(alpha, *last) - alpha);
        *last = alpha[v ^ 1];
        EXPECT(verify(hs, B(HS256), buf), "malformed");
        *last = alpha[v ^ 2];
        EXPECT(verify(hs, B(HS256), buf), "malformed");
    }
    /* an impossible length (43 + 2 = 4k+1) and a stray character; one
     * more char (44) is a well-formed 33-byte signature, so: bad_signature */
    snprintf(buf, sizeof buf, "%sAA", t);
    EXPECT(verify(hs, B(HS256), buf), "malformed");
    snprintf(buf, sizeof buf, "%sA", t);
    EXPECT(verify(hs, B(HS256), buf), "bad_signature");
    snprintf(buf, sizeof buf, "%.*s*%s", (int)i1, t, t + i1);
    EXPECT(verify(hs, B(HS256), buf), "malformed");
    /* a header segment written with padding inside */
    snprintf(buf, sizeof buf, "eyJhbGciOiJIUzI1NiJ9=%s", t + i1);
    EXPECT(verify(hs, B(HS256), buf), "malformed");
    free(t);
}

/* ---- non-object header or payload ------------------------------------------ */
static void threat_non_object(void)
{
    static const char *const values[] = { "[]", "[{\"alg\":\"HS256\"}]", "\"HS256\"", "1", "null",
                                          "true", "" };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        EXPECT_TOKEN(values[i], CLAIMS, hs, CJWT_ALG_HS256, hs, B(HS256), "malformed");
        EXPECT_TOKEN("{\"alg\":\"HS256\"}", values[i], hs, CJWT_ALG_HS256,
                     hs, B(HS256), "malformed");
    }
}

/* ---- duplicate members ------------------------------------------------------ */
static void threat_duplicates(void)
{
    char *t = token("{\"alg\":\"HS256\",\"alg\":\"none\"}", CLAIMS, hs, CJWT_ALG_HS256);
    EXPECT(verify(hs, B(HS256) | B(NONE), t), "malformed");
    free(t);
    EXPECT_TOKEN("{\"alg\":\"none\",\"alg\":\"HS256\"}", CLAIMS, hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    /* The same name written two ways (an escape) is still a duplicate. */
    EXPECT_TOKEN("{\"alg\":\"HS256\",\"\\u0061lg\":\"HS256\"}", CLAIMS, hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\"}", "{\"sub\":\"admin\",\"sub\":\"user-1\"}", hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\"}", "{\"exp\":1,\"\\u0065xp\":9999999999}", hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\"}", "{\"a\":{\"x\":1,\"x\":2}}", hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
}

/* ---- invalid UTF-8 and lone surrogates ------------------------------------- */
static void threat_utf8(void)
{
    static const char *const bad[] = {
        "{\"sub\":\"\xff\"}", "{\"sub\":\"\xc0\xaf\"}", "{\"sub\":\"\xe0\x80\xaf\"}",
        "{\"sub\":\"\xed\xa0\x80\"}",          /* a surrogate encoded as UTF-8 */
        "{\"sub\":\"\xf4\x90\x80\x80\"}",      /* above U+10FFFF */
        "{\"sub\":\"\xe2\x82\"}",              /* truncated sequence */
        "{\"sub\":\"\\ud800\"}", "{\"sub\":\"\\udc00\"}", "{\"sub\":\"\\ud800\\u0041\"}",
        "{\"sub\":\"\\udbff\"}", "{\"\xff\":1}",
    };
    char *t;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        EXPECT_TOKEN("{\"alg\":\"HS256\"}", bad[i], hs, CJWT_ALG_HS256, hs, B(HS256), "malformed");
        /* the same in the header */
        {
            char h[128];
            snprintf(h, sizeof h, "{\"alg\":\"HS256\",\"x\":%s}", bad[i]);
            EXPECT_TOKEN(h, CLAIMS, hs, CJWT_ALG_HS256, hs, B(HS256), "malformed");
        }
        {
            cjwt_error err;
            CHECK(cjwt_value_from_json(bad[i], strlen(bad[i]), &err) == NULL);
            CHECK_CODE(err, "malformed");
        }
    }
    /* A proper surrogate pair is fine. */
    t = token("{\"alg\":\"HS256\"}", "{\"sub\":\"\\ud83d\\ude00\"}", hs, CJWT_ALG_HS256);
    EXPECT_OK(verify(hs, B(HS256), t));
    free(t);
}

/* ---- NUL bytes and whitespace in tokens ------------------------------------ */
static void threat_nul_whitespace(void)
{
    char *t = token("{\"alg\":\"HS256\"}", CLAIMS, hs, CJWT_ALG_HS256);
    size_t n = strlen(t);
    size_t d1 = (size_t)(strchr(t, '.') - t);
    char *buf = malloc(n + 8);
    static const char ws[] = { ' ', '\t', '\n', '\r', '\0' };
    for (size_t w = 0; w < sizeof ws; w++) {
        size_t at[] = { 0, d1, d1 + 1, n - 1, n };
        for (size_t j = 0; j < sizeof at / sizeof *at; j++) {
            memcpy(buf, t, at[j]);
            buf[at[j]] = ws[w];
            memcpy(buf + at[j] + 1, t + at[j], n - at[j]);
            EXPECT(verify_n(hs, NULL, B(HS256), buf, n + 1), "malformed");
        }
    }
    /* A C string cut at an embedded NUL is a different (shorter) token. */
    memcpy(buf, t, n);
    buf[n - 3] = '\0';
    EXPECT(verify_n(hs, NULL, B(HS256), buf, n), "malformed");
    /* NUL escaped inside JSON strings */
    free(t);
    EXPECT_TOKEN("{\"alg\":\"HS256\"}", "{\"sub\":\"admin\\u0000user\"}", hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    EXPECT_TOKEN("{\"alg\":\"HS256\"}", "{\"sub\\u0000\":\"x\"}", hs, CJWT_ALG_HS256,
                 hs, B(HS256), "malformed");
    /* Whitespace inside the JSON is just JSON. */
    t = token(" {\n\"alg\" : \"HS256\"\t} ", " { \"sub\" : \"u\" } ", hs, CJWT_ALG_HS256);
    EXPECT_OK(verify(hs, B(HS256), t));
    free(t);
    free(buf);
}

/* ---- 1 MB tokens and 10,000-deep JSON -------------------------------------- */
static void threat_size_depth(void)
{
    size_t big = 1 << 20, depth = 10000;
    char *tok = malloc(big + 1), *deep = malloc(8 * depth + 16), *t;
    cjwt_verify_opts o;
    cjwt_error err;
    memset(tok, 'A', big);
    tok[100] = '.';
    tok[200] = '.';
    tok[big] = '\0';
    EXPECT(verify_n(hs, NULL, B(HS256), tok, big), "too_large");
    EXPECT(verify_n(hs, NULL, B(HS256), tok, CJWT_DEFAULT_MAX_TOKEN_LEN + 1), "too_large");
    CHECK(cjwt_unverified_header(tok, big, &err) == NULL);
    CHECK_CODE(err, "too_large");
    /* A signed 1 MB token under a raised limit verifies (the limit is the bound). */
    {
        char *p = malloc(big);
        memcpy(p, "{\"pad\":\"", 8);
        memset(p + 8, 'x', big - 10);
        memcpy(p + big - 2, "\"}", 2);
        t = token_n("{\"alg\":\"HS256\"}", 15, p, big, hs, CJWT_ALG_HS256);
        EXPECT(verify(hs, B(HS256), t), "too_large");
        memset(&o, 0, sizeof o);
        o.algorithms = B(HS256);
        o.max_token_len = 2 << 20;
        {
            cjwt_decoded *d = cjwt_verify_with(&o, hs, t, strlen(t), 1, NOW, &err);
            CHECK(d != NULL);
            cjwt_decoded_free(d);
        }
        free(t);
        free(p);
    }
    /* 10,000 nested arrays / objects, in the payload and the header, with the
     * length limit raised so that the depth bound is what answers. */
    memset(&o, 0, sizeof o);
    o.algorithms = B(HS256);
    o.max_token_len = 1 << 20;
    for (int kind = 0; kind < 2; kind++) {
        size_t n = 0;
        n += (size_t)sprintf(deep, "{\"a\":");
        for (size_t i = 0; i < depth; i++)
            n += (size_t)sprintf(deep + n, "%s", kind ? "[" : "{\"a\":");
        for (size_t i = 0; i < depth; i++)
            n += (size_t)sprintf(deep + n, "%s", kind ? "]" : "}");
        n += (size_t)sprintf(deep + n, "}");
        t = token_n("{\"alg\":\"HS256\"}", 15, deep, n, hs, CJWT_ALG_HS256);
        CHECK(cjwt_verify_with(&o, hs, t, strlen(t), 1, NOW, &last_err) == NULL);
        CHECK_CODE(last_err, "too_large");
        free(t);
        /* header: {"alg":"HS256","x": <deep>} */
        {
            char *h = malloc(n + 32);
            int hn = sprintf(h, "{\"alg\":\"HS256\",\"x\":%.*s}", (int)n, deep);
            t = token_n(h, (size_t)hn, CLAIMS, strlen(CLAIMS), hs, CJWT_ALG_HS256);
            CHECK(cjwt_verify_with(&o, hs, t, strlen(t), 1, NOW, &last_err) == NULL);
            CHECK_CODE(last_err, "too_large");
            free(t);
            free(h);
        }
        CHECK(cjwt_value_from_json(deep, n, &err) == NULL);
        CHECK_CODE(err, "too_large");
        /* Unbalanced (only openers) must not recurse either. */
        CHECK(cjwt_value_from_json(deep, n / 2, &err) == NULL);
        CHECK_CODE(err, "too_large");
    }
    /* The documented bound: depth 32 passes, 33 does not. */
    {
        char j[256];
        size_t n = 0;
        for (int i = 0; i < 32; i++)
            j[n++] = '[';
        for (int i = 0; i < 32; i++)
            j[n++] = ']';
        cjwt_value *v = cjwt_value_from_json(j, n, &err);
        CHECK(v != NULL);
        cjwt_value_free(v);
        memmove(j + 1, j, n);
        j[0] = '[';
        j[++n] = ']';
        n++;
        CHECK(cjwt_value_from_json(j, n, &err) == NULL);
        CHECK_CODE(err, "too_large");
    }
    free(tok);
    free(deep);
}

/* ---- numeric dates: strings, floats, negatives, huge ----------------------- */
static cjwt_code claims_code(const char *payload)
{
    char *t = token("{\"alg\":\"HS256\"}", payload, hs, CJWT_ALG_HS256);
    cjwt_code c = verify(hs, B(HS256), t);
    free(t);
    return c;
}

static void threat_numeric_dates(void)
{
    static const struct { const char *payload, *expect; } cases[] = {
        { "{\"exp\":\"1700000100\"}", "malformed" },
        { "{\"exp\":\"never\"}", "malformed" },
        { "{\"exp\":true}", "malformed" },
        { "{\"exp\":[1700000100]}", "malformed" },
        { "{\"exp\":{}}", "malformed" },
        { "{\"exp\":null}", "malformed" },
        { "{\"nbf\":\"0\"}", "malformed" },
        { "{\"nbf\":null}", "malformed" },
        { "{\"iat\":\"1700000000\"}", "invalid_iat" },
        { "{\"iat\":[]}", "invalid_iat" },
        { "{\"exp\":1700000100.75}", NULL },
        { "{\"exp\":1700000000.999}", "expired" },     /* truncated to 1700000000 <= now */
        { "{\"exp\":1700000000}", "expired" },
        { "{\"exp\":-1}", "expired" },
        { "{\"exp\":-9223372036854775808}", "expired" },
        { "{\"exp\":-1e308}", "expired" },
        { "{\"exp\":0}", "expired" },
        { "{\"exp\":9223372036854775807}", NULL },
        { "{\"exp\":1e308}", NULL },
        { "{\"exp\":9223372036854775808}", "malformed" },   /* not a 64-bit integer */
        { "{\"exp\":1e400}", "malformed" },                 /* not a finite double */
        { "{\"exp\":NaN}", "malformed" },
        { "{\"exp\":Infinity}", "malformed" },
        { "{\"exp\":0x10}", "malformed" },
        { "{\"exp\":01700000100}", "malformed" },
        { "{\"exp\":+1700000100}", "malformed" },
        { "{\"nbf\":9223372036854775807}", "not_yet_valid" },
        { "{\"nbf\":1e308}", "not_yet_valid" },
        { "{\"nbf\":-1}", NULL },
        { "{\"nbf\":1700000000.9}", NULL },
        { "{\"iat\":1e308}", "not_yet_valid" },
        { "{\"iat\":-5}", NULL },
        { "{\"iat\":1700000001}", "not_yet_valid" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cjwt_code c = claims_code(cases[i].payload);
        const char *want = cases[i].expect ? cases[i].expect : "ok";
        const char *got = c == CJWT_OK ? "ok" : cjwt_code_name(c);
        if (strcmp(want, got) != 0) {
            fprintf(stderr, "  FAIL %s: expected %s, got %s (%s)\n", cases[i].payload, want, got,
                    last_err.message);
            testlib_current_failed = 1;
        }
    }
}

/* ---- JWE-shaped and other segment counts ----------------------------------- */
static void threat_segments(void)
{
    static const char *const toks[] = {
        /* RFC 7516 A.3 shape: 5 segments */
        "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0."
        "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ."
        "AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY."
        "U0m_YmjN04DJvceFICbCVQ",
        "a.b.c.d.e", "....", "eyJhbGciOiJIUzI1NiJ9.e30.", /* fine structure, empty sig: bad sig */
        "a.b.c.d", "a.b", "abc", ".", "..", "a.b.c.d.e.f", "",
    };
    static const char *const want[] = { "malformed", "malformed", "malformed", "bad_signature",
                                         "malformed", "malformed", "malformed", "malformed",
                                         "malformed", "malformed", "malformed" };
    for (size_t i = 0; i < sizeof toks / sizeof *toks; i++) {
        if (verify(hs, B(HS256), toks[i]) == CJWT_OK)
            last_err.code = CJWT_OK;
        if (strcmp(cjwt_code_name(last_err.code), want[i]) != 0) {
            fprintf(stderr, "  FAIL token %zu: expected %s, got %s\n", i, want[i],
                    cjwt_code_name(last_err.code));
            testlib_current_failed = 1;
        }
    }
    /* The JWE is named in the message, so the caller knows why. */
    verify(hs, B(HS256), toks[0]);
    CHECK(strstr(last_err.message, "JWE") != NULL);
}

int main(void)
{
    load_keys();
    RUN(threat_alg_none);
    RUN(threat_hs_rs_confusion);
    RUN(threat_hs_rs_confusion_text_forms);
    RUN(threat_ecdsa_signatures);
    RUN(threat_es256k_confusion);
    RUN(threat_es256k_invalid_points);
    RUN(threat_ed448);
    RUN(threat_crit);
    RUN(threat_key_headers);
    RUN(threat_kid);
    RUN(threat_base64url);
    RUN(threat_non_object);
    RUN(threat_duplicates);
    RUN(threat_utf8);
    RUN(threat_nul_whitespace);
    RUN(threat_size_depth);
    RUN(threat_numeric_dates);
    RUN(threat_segments);
    cjwt_key_free(hs);
    cjwt_key_free(rsa_pub);
    cjwt_key_free(rsa_priv);
    cjwt_key_free(ec_pub);
    cjwt_key_free(ec_priv);
    cjwt_key_free(ec384_pub);
    cjwt_key_free(ec384_priv);
    cjwt_key_free(ec521_pub);
    cjwt_key_free(ec521_priv);
    cjwt_key_free(ed_pub);
    cjwt_key_free(ed_priv);
    cjwt_key_free(att_priv);
    cjwt_key_free(k1_pub);
    cjwt_key_free(k1_priv);
    cjwt_key_free(ed448_pub);
    cjwt_key_free(ed448_priv);
    json_decref(keys);
    return testlib_report("threats");
}
