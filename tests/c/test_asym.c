/* Asymmetric algorithms, key import/export and key sets. Keys are
 * generated per run; OpenSSL is used directly to produce the formats a user
 * might hand us (PKCS#1, encrypted PKCS#8, certificates, DER). */
#include "cjwt.h"
#include "cjwt_internal.h"
#include "testlib.h"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1700000000.0
static const cjwt_alg ASYM[] = {
    CJWT_ALG_RS256, CJWT_ALG_RS384, CJWT_ALG_RS512, CJWT_ALG_PS256, CJWT_ALG_PS384,
    CJWT_ALG_PS512, CJWT_ALG_ES256, CJWT_ALG_ES384, CJWT_ALG_ES512, CJWT_ALG_EDDSA,
    CJWT_ALG_ES256K, CJWT_ALG_EDDSA,
};
/* The curve each key is generated on (NULL: the alg's default). */
static const char *const ASYM_CRV[] = {
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "Ed448",
};
#define N_ASYM (sizeof ASYM / sizeof *ASYM)
static cjwt_key *priv_keys[N_ASYM];   /* generated once: RSA generation is slow */

static cjwt_key *public_of(const cjwt_key *k)
{
    cjwt_value *jwk = cjwt_key_to_jwk(k, 0, NULL);
    cjwt_key *pub = cjwt_key_from_jwk(jwk, 0, NULL);
    cjwt_value_free(jwk);
    return pub;
}

static char *sign(const cjwt_key *k, cjwt_alg alg, const char *kid)
{
    cjwt_value *p = cjwt_value_new_object(), *h = NULL;
    cjwt_sign_opts so = {0};
    char *t;
    cjwt_value_object_set(p, "sub", 3, cjwt_value_new_string("u1", 2));
    if (kid) {
        h = cjwt_value_new_object();
        cjwt_value_object_set(h, "kid", 3, cjwt_value_new_string(kid, strlen(kid)));
    }
    so.alg = alg;
    so.header = h;
    t = cjwt_encode(p, k, &so, NULL, NULL);
    cjwt_value_free(p);
    cjwt_value_free(h);
    return t;
}

static cjwt_code verify(const cjwt_key *k, cjwt_alg allowed, const char *t, cjwt_error *err)
{
    cjwt_verify_opts o = {0};
    cjwt_decoded *d;
    o.algorithms = CJWT_ALG_BIT(allowed);
    d = cjwt_verify_with(&o, k, t, strlen(t), 1, NOW, err);
    cjwt_decoded_free(d);
    return d ? CJWT_OK : err->code;
}

static void test_generate(void)
{
    for (size_t i = 0; i < N_ASYM; i++) {
        cjwt_error err;
        priv_keys[i] = cjwt_key_generate_curve(ASYM[i], ASYM_CRV[i], "gen", &err);
        CHECK(priv_keys[i] != NULL);
        if (!priv_keys[i]) {
            fprintf(stderr, "  %s: %s\n", cjwt_alg_name(ASYM[i]), err.message);
            continue;
        }
        CHECK(cjwt_key_is_private(priv_keys[i]));
        CHECK(cjwt_key_alg(priv_keys[i]) == ASYM[i]);
        CHECK_STR(cjwt_key_kid(priv_keys[i]), "gen");
    }
    CHECK(cjwt_key_bits(priv_keys[0]) == 2048);
    for (size_t i = 0; i < N_ASYM; i++) {
        /* bound keys default to their alg; unbound ones to the family's first */
        cjwt_key *unbound = cjwt_key_with(priv_keys[i], NULL, CJWT_ALG__COUNT, NULL);
        cjwt_alg want = ASYM[i] <= CJWT_ALG_PS512 ? CJWT_ALG_RS256 : ASYM[i];
        CHECK(cjwt_key_default_alg(priv_keys[i]) == ASYM[i]);
        CHECK(cjwt_key_default_alg(unbound) == want);
        cjwt_key_free(unbound);
    }
    CHECK(cjwt_key_default_alg(NULL) == CJWT_ALG__COUNT);
    CHECK_STR(cjwt_key_curve(priv_keys[8]), "P-521");
    CHECK_STR(cjwt_key_curve(priv_keys[9]), "Ed25519");
    CHECK_STR(cjwt_key_curve(priv_keys[10]), "secp256k1");
    CHECK_STR(cjwt_key_curve(priv_keys[11]), "Ed448");
    CHECK(cjwt_key_bits(priv_keys[10]) == 256 && cjwt_key_bits(priv_keys[11]) == 456);
    {
        /* a curve must fit the alg */
        static const struct { cjwt_alg alg; const char *crv; } bad[] = {
            {CJWT_ALG_ES256, "secp256k1"}, {CJWT_ALG_ES256K, "P-256"}, {CJWT_ALG_EDDSA, "X448"},
            {CJWT_ALG_EDDSA, "P-256"}, {CJWT_ALG_RS256, "Ed448"}, {CJWT_ALG_HS256, "Ed448"},
        };
        cjwt_error err;
        cjwt_key *k = cjwt_key_generate_curve(CJWT_ALG_EDDSA, "Ed25519", NULL, &err);
        CHECK(k && strcmp(cjwt_key_curve(k), "Ed25519") == 0);
        cjwt_key_free(k);
        k = cjwt_key_generate_curve(CJWT_ALG_ES384, "P-384", NULL, &err);
        CHECK(k && strcmp(cjwt_key_curve(k), "P-384") == 0);
        cjwt_key_free(k);
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            CHECK(cjwt_key_generate_curve(bad[i].alg, bad[i].crv, NULL, &err) == NULL);
            CHECK_CODE(err, "invalid_key");
        }
    }
    {
        cjwt_error err;
        cjwt_key *h = cjwt_key_generate(CJWT_ALG_HS384, NULL, &err);
        CHECK(h && cjwt_key_bits(h) == 384 && cjwt_key_type(h) == CJWT_KTY_OCT);
        cjwt_key_free(h);
        CHECK(cjwt_key_generate(CJWT_ALG_NONE, NULL, &err) == NULL);
        CHECK_CODE(err, "unsupported_alg");
    }
}

static void test_sign_verify_each_alg(void)
{
    for (size_t i = 0; i < N_ASYM; i++) {
        cjwt_error err;
        cjwt_key *pub = public_of(priv_keys[i]);
        char *t = sign(priv_keys[i], ASYM[i], NULL);
        CHECK(t != NULL && pub != NULL && !cjwt_key_is_private(pub));
        if (!t || !pub) {
            cjwt_key_free(pub);
            free(t);
            continue;
        }
        CHECK(verify(pub, ASYM[i], t, &err) == CJWT_OK);
        CHECK(verify(priv_keys[i], ASYM[i], t, &err) == CJWT_OK);   /* a private key verifies too */
        {
            char *dot = strrchr(t, '.');
            dot[3] = dot[3] == 'A' ? 'B' : 'A';
            CHECK(verify(pub, ASYM[i], t, &err) == CJWT_E_BAD_SIGNATURE);
            dot[5] = '\0';                 /* truncated signature */
            CHECK(verify(pub, ASYM[i], t, &err) == CJWT_E_BAD_SIGNATURE);
        }
        {
            /* a public key never signs */
            char *t2 = sign(pub, ASYM[i], NULL);
            CHECK(t2 == NULL);
            free(t2);
        }
        cjwt_key_free(pub);
        cjwt_free(t);
    }
}

/* The key is bound to its type and curve, checked before any crypto. */
static void test_key_confusion(void)
{
    cjwt_error err;
    char *es256 = sign(priv_keys[6], CJWT_ALG_ES256, NULL);
    char *rs256 = sign(priv_keys[0], CJWT_ALG_RS256, NULL);
    cjwt_key *p384 = public_of(priv_keys[7]), *ec = public_of(priv_keys[6]);
    cjwt_key *rsa = public_of(priv_keys[0]);
    CHECK(verify(p384, CJWT_ALG_ES256, es256, &err) == CJWT_E_INVALID_KEY);   /* wrong curve */
    CHECK(verify(rsa, CJWT_ALG_ES256, es256, &err) == CJWT_E_INVALID_KEY);
    CHECK(verify(ec, CJWT_ALG_RS256, rs256, &err) == CJWT_E_INVALID_KEY);
    CHECK(verify(ec, CJWT_ALG_EDDSA, es256, &err) == CJWT_E_ALG_NOT_ALLOWED);
    /* HS256 signed with the RSA public key's PEM as the "secret" (the
     * classic confusion attack): the PEM is parsed as a key, never a secret. */
    {
        char *pem = cjwt_key_to_pem(rsa, 0, NULL, &err);
        cjwt_key *as_bytes = cjwt_key_from_bytes((unsigned char *)pem, strlen(pem), 0, &err);
        cjwt_key *forged_with = cjwt_key_from_secret((unsigned char *)pem, strlen(pem), 0, &err);
        char *forged = sign(forged_with, CJWT_ALG_HS256, NULL);
        cjwt_verify_opts o = {0};
        cjwt_decoded *d;
        CHECK(as_bytes != NULL && cjwt_key_type(as_bytes) == CJWT_KTY_RSA);
        o.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256) | CJWT_ALG_BIT(CJWT_ALG_RS256);
        d = cjwt_verify_with(&o, as_bytes, forged, strlen(forged), 1, NOW, &err);
        CHECK(d == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_decoded_free(d);
        free(forged);
        cjwt_key_free(forged_with);
        cjwt_key_free(as_bytes);
        cjwt_free(pem);
    }
    cjwt_key_free(p384);
    cjwt_key_free(ec);
    cjwt_key_free(rsa);
    cjwt_free(es256);
    cjwt_free(rs256);
}

/* Builds "header.payload." for ES256 and appends a signature we craft. */
static char *es256_with_sig(const cjwt_key *k, const unsigned char *sig, size_t n)
{
    char *t = sign(k, CJWT_ALG_ES256, NULL);
    char *dot = strrchr(t, '.');
    size_t head = (size_t)(dot - t) + 1;
    char *out = malloc(head + cjwtp_b64url_encoded_len(n) + 1);
    memcpy(out, t, head);
    cjwtp_b64url_encode(sig, n, out + head);
    out[head + cjwtp_b64url_encoded_len(n)] = '\0';
    cjwt_free(t);
    return out;
}

static void test_ecdsa_signature_forms(void)
{
    cjwt_error err;
    const cjwt_key *k = priv_keys[6];
    char *t = sign(k, CJWT_ALG_ES256, NULL), *bad;
    unsigned char rs[64], *der = NULL;
    size_t n;
    /* the same signature in DER form is refused */
    {
        char *dot = strrchr(t, '.');
        CHECK(cjwtp_b64url_decode(dot + 1, strlen(dot + 1), rs, &n) == 0 && n == 64);
        ECDSA_SIG *s = ECDSA_SIG_new();
        ECDSA_SIG_set0(s, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL));
        int dl = i2d_ECDSA_SIG(s, &der);
        ECDSA_SIG_free(s);
        bad = es256_with_sig(k, der, (size_t)dl);
        CHECK(verify(k, CJWT_ALG_ES256, bad, &err) == CJWT_E_BAD_SIGNATURE);
        free(bad);
        OPENSSL_free(der);
    }
    /* r = 0, s = 0 and r = s = n (out of range) */
    memset(rs, 0, sizeof rs);
    bad = es256_with_sig(k, rs, 64);
    CHECK(verify(k, CJWT_ALG_ES256, bad, &err) == CJWT_E_BAD_SIGNATURE);
    free(bad);
    {
        static const unsigned char order[32] = {
            0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
        memcpy(rs, order, 32);
        memcpy(rs + 32, order, 32);
        bad = es256_with_sig(k, rs, 64);
        CHECK(verify(k, CJWT_ALG_ES256, bad, &err) == CJWT_E_BAD_SIGNATURE);
        free(bad);
        memset(rs, 0xff, sizeof rs);
        bad = es256_with_sig(k, rs, 64);
        CHECK(verify(k, CJWT_ALG_ES256, bad, &err) == CJWT_E_BAD_SIGNATURE);
        free(bad);
    }
    cjwt_free(t);
}

/* ---- PEM and DER ---------------------------------------------------------- */

static char *bio_text(BIO *b)
{
    BUF_MEM *m;
    char *s;
    BIO_get_mem_ptr(b, &m);
    s = malloc(m->length + 1);
    memcpy(s, m->data, m->length);
    s[m->length] = '\0';
    return s;
}

static void test_pem_formats(void)
{
    cjwt_error err;
    const cjwt_key *rsa = priv_keys[0], *ec = priv_keys[6];
    char *t = sign(rsa, CJWT_ALG_RS256, NULL);
    BIO *b;
    char *pem;
    cjwt_key *k;

    /* PKCS#8 private and SPKI public, as cjwt writes them */
    pem = cjwt_key_to_pem(rsa, 1, NULL, &err);
    CHECK(pem && strstr(pem, "BEGIN PRIVATE KEY"));
    k = cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err);
    CHECK(k && cjwt_key_is_private(k));
    cjwt_key_free(k);
    cjwt_free(pem);
    pem = cjwt_key_to_pem(rsa, 0, NULL, &err);
    CHECK(pem && strstr(pem, "BEGIN PUBLIC KEY"));
    k = cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err);
    CHECK(k && !cjwt_key_is_private(k) && verify(k, CJWT_ALG_RS256, t, &err) == CJWT_OK);
    cjwt_key_free(k);
    cjwt_free(pem);

    /* PKCS#1 ("RSA PRIVATE KEY" / "RSA PUBLIC KEY") */
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(b, rsa->pkey, NULL, NULL, 0, NULL, NULL);
    pem = bio_text(b);
    BIO_free(b);
    CHECK(strstr(pem, "BEGIN RSA PRIVATE KEY") != NULL);
    k = cjwt_key_from_bytes((unsigned char *)pem, strlen(pem), 0, &err);
    CHECK(k && cjwt_key_is_private(k) && verify(k, CJWT_ALG_RS256, t, &err) == CJWT_OK);
    cjwt_key_free(k);
    free(pem);
    {
        OSSL_ENCODER_CTX *ectx;
        unsigned char *data = NULL;
        size_t dlen = 0;
        ectx = OSSL_ENCODER_CTX_new_for_pkey(rsa->pkey, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
        CHECK(ectx && OSSL_ENCODER_to_data(ectx, &data, &dlen));
        OSSL_ENCODER_CTX_free(ectx);
        CHECK(data && strstr((char *)data, "BEGIN RSA PUBLIC KEY"));
        k = cjwt_key_from_pem((char *)data, dlen, NULL, 0, 0, &err);
        CHECK(k && verify(k, CJWT_ALG_RS256, t, &err) == CJWT_OK);
        cjwt_key_free(k);
        OPENSSL_free(data);
    }

    /* encrypted PKCS#8: right password, wrong password, none */
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(b, ec->pkey, EVP_aes_256_cbc(), "hunter2", 7, NULL, NULL);
    pem = bio_text(b);
    BIO_free(b);
    CHECK(strstr(pem, "BEGIN ENCRYPTED PRIVATE KEY") != NULL);
    k = cjwt_key_from_pem(pem, strlen(pem), "hunter2", 7, 0, &err);
    CHECK(k && cjwt_key_is_private(k) && cjwt_key_type(k) == CJWT_KTY_EC);
    cjwt_key_free(k);
    CHECK(cjwt_key_from_pem(pem, strlen(pem), "wrong", 5, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(strstr(err.message, "password") != NULL);
    free(pem);

    /* DER SubjectPublicKeyInfo through the bytes entry point */
    {
        unsigned char *der = NULL;
        int dl = i2d_PUBKEY(rsa->pkey, &der);
        k = cjwt_key_from_bytes(der, (size_t)dl, 0, &err);
        CHECK(k && cjwt_key_type(k) == CJWT_KTY_RSA && verify(k, CJWT_ALG_RS256, t, &err) == CJWT_OK);
        cjwt_key_free(k);
        OPENSSL_free(der);
    }

    /* an X.509 certificate: its public key */
    {
        X509 *x = X509_new();
        X509_NAME *name;
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), 0);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, rsa->pkey);
        name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (unsigned char *)"cjwt test", -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509_sign(x, rsa->pkey, EVP_sha256());
        b = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(b, x);
        pem = bio_text(b);
        BIO_free(b);
        X509_free(x);
        k = cjwt_key_from_bytes((unsigned char *)pem, strlen(pem), 0, &err);
        CHECK(k && !cjwt_key_is_private(k) && verify(k, CJWT_ALG_RS256, t, &err) == CJWT_OK);
        cjwt_key_free(k);
        free(pem);
    }

    /* garbage, truncated PEM, an HMAC secret has no PEM */
    CHECK(cjwt_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 56, NULL, 0,
                            0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_key_from_pem("", 0, NULL, 0, 0, &err) == NULL);
    {
        cjwt_key *h = cjwt_key_generate(CJWT_ALG_HS256, NULL, NULL);
        CHECK(cjwt_key_to_pem(h, 0, NULL, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_key_free(h);
    }
    cjwt_free(t);
}

static void test_weak_and_odd_keys(void)
{
    cjwt_error err;
    EVP_PKEY *weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    BIO *b = BIO_new(BIO_s_mem());
    char *pem;
    PEM_write_bio_PUBKEY(b, weak);
    pem = bio_text(b);
    CHECK(cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(strstr(err.message, "2048") != NULL);
    free(pem);
    BIO_free(b);
    EVP_PKEY_free(weak);
    /* a curve JWS does not use (secp256k1 is ES256K's since RFC 8812) */
    {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
        b = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(b, k);
        pem = bio_text(b);
        CHECK(cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        free(pem);
        BIO_free(b);
        EVP_PKEY_free(k);
    }
    /* SSH keys are refused, never an HMAC secret */
    {
        const char *ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq user@host";
        CHECK(cjwt_key_from_bytes((const unsigned char *)ssh, strlen(ssh), 0, &err) == NULL);
        CHECK_CODE(err, "invalid_key");
        CHECK(strstr(err.message, "ssh-keygen") != NULL);
    }
}

/* ---- JWK -------------------------------------------------------------------- */

static void test_jwk_roundtrip(void)
{
    for (size_t i = 0; i < N_ASYM; i++) {
        cjwt_error err;
        cjwt_value *full = cjwt_key_to_jwk(priv_keys[i], 1, &err);
        cjwt_key *back = cjwt_key_from_jwk(full, 0, &err);
        char *t1 = cjwt_key_thumbprint(priv_keys[i], NULL, NULL);
        char *t2 = back ? cjwt_key_thumbprint(back, NULL, NULL) : NULL;
        char *tok = back ? sign(back, ASYM[i], NULL) : NULL;
        CHECK(back && cjwt_key_is_private(back));
        CHECK(t1 && t2 && strcmp(t1, t2) == 0 && strlen(t1) == 43);
        CHECK(tok && verify(priv_keys[i], ASYM[i], tok, &err) == CJWT_OK);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(full, "alg"), NULL), cjwt_alg_name(ASYM[i]));
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(full, "kid"), NULL), "gen");
        cjwt_free(tok);
        cjwt_free(t1);
        cjwt_free(t2);
        cjwt_key_free(back);
        cjwt_value_free(full);
    }
}

static void test_jwk_rejects(void)
{
    static const struct { const char *jwk; const char *why; } bad[] = {
        /* valid P-256 point with y changed: not on the curve */
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
         "\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgnw\"}", "point off curve"},
        {"{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
         "\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\"}", "wrong curve for the size"},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}", "short coordinates"},
        {"{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"}", "curve"},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
         "\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\",\"alg\":\"ES384\"}", "alg vs curve"},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
         "\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\",\"alg\":\"ES224\"}", "unknown alg"},
        {"{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", "short X25519 x"},
        {"{\"kty\":\"OKP\",\"crv\":\"X448\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", "X448 x of 32 bytes"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", "Ed448"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}", "short x"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
         "\"d\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", "d does not match x"},
        {"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", "tiny modulus"},
        {"{\"kty\":\"RSA\",\"e\":\"AQAB\"}", "no n"},
        {"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"oth\":[]}", "multi-prime"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cjwt_error err;
        cjwt_key *k = cjwt_key_from_jwk_json(bad[i].jwk, strlen(bad[i].jwk), 0, &err);
        if (k)
            fprintf(stderr, "  accepted (%s)\n", bad[i].why);
        CHECK(k == NULL);
        CHECK_CODE(err, "invalid_key");
        cjwt_key_free(k);
    }
    /* RFC 8037 A.1/A.2: the Ed25519 key whose x is derived from d */
    {
        const char *ok = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                         "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
                         "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
        cjwt_error err;
        cjwt_key *k = cjwt_key_from_jwk_json(ok, strlen(ok), 0, &err);
        char *tp = k ? cjwt_key_thumbprint(k, NULL, &err) : NULL;
        CHECK(k && cjwt_key_is_private(k));
        /* RFC 8037 A.3 */
        CHECK_STR(tp, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
        cjwt_free(tp);
        cjwt_key_free(k);
    }
}

/* ---- key sets ------------------------------------------------------------------ */

static void test_keyset_rotation(void)
{
    cjwt_error err;
    cjwt_key *old_k = cjwt_key_generate(CJWT_ALG_ES256, "2026-10", NULL);
    cjwt_key *new_k = cjwt_key_generate(CJWT_ALG_ES256, "2026-11", NULL);
    cjwt_key *pair[2], *only_new[1];
    cjwt_keyset *both, *newer;
    cjwt_verify_opts o = {0};
    char *t_old = sign(old_k, CJWT_ALG_ES256, "2026-10"), *t_new = sign(new_k, CJWT_ALG_ES256, "2026-11");
    cjwt_key *new_nokid = cjwt_key_with(new_k, NULL, CJWT_ALG_ES256, NULL);
    char *t_nokid = sign(new_nokid, CJWT_ALG_ES256, NULL), *t_unknown = sign(new_k, CJWT_ALG_ES256, "nope");
    char *t_autokid = sign(new_k, CJWT_ALG_ES256, NULL);
    cjwt_decoded *d;
    pair[0] = public_of(old_k);
    pair[1] = public_of(new_k);
    both = cjwt_keyset_new(pair, 2, &err);
    only_new[0] = pair[1];
    newer = cjwt_keyset_new(only_new, 1, &err);
    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_ES256);
#define VERIFY_KS(ks, t) (d = cjwt_verify_keyset_with(&o, ks, t, strlen(t), 1, NOW, &err), \
                          cjwt_decoded_free(d), d != NULL)
    CHECK(VERIFY_KS(both, t_old));
    CHECK(VERIFY_KS(both, t_new));
    {
        /* a key with a kid puts it in the header by itself */
        cjwt_value *h = cjwt_unverified_header(t_autokid, strlen(t_autokid), NULL);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(h, "kid"), NULL), "2026-11");
        cjwt_value_free(h);
        h = cjwt_unverified_header(t_nokid, strlen(t_nokid), NULL);
        CHECK(cjwt_value_object_get(h, "kid") == NULL);
        cjwt_value_free(h);
    }
    CHECK(VERIFY_KS(both, t_autokid));
    CHECK(VERIFY_KS(both, t_nokid));          /* no kid: each fitting key is tried */
    CHECK(!VERIFY_KS(both, t_unknown));
    CHECK_CODE(err, "invalid_key");
    CHECK(strstr(err.message, "\"nope\"") != NULL);
    CHECK(!VERIFY_KS(newer, t_old));          /* the old key is gone */
    CHECK_CODE(err, "invalid_key");
    CHECK(VERIFY_KS(newer, t_new));
    /* no key of the token's type */
    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_RS256);
    {
        char *rs = sign(priv_keys[0], CJWT_ALG_RS256, NULL);
        CHECK(!VERIFY_KS(both, rs));
        CHECK_CODE(err, "invalid_key");
        cjwt_free(rs);
    }
    CHECK(cjwt_keyset_size(both) == 2);
    CHECK_STR(cjwt_key_kid(cjwt_keyset_get(both, 1)), "2026-11");
    CHECK(cjwt_keyset_find(both, "2026-10") == pair[0]);
    CHECK(cjwt_keyset_get(both, 2) == NULL);
    /* JWKS export and import */
    {
        cjwt_value *jwks = cjwt_keyset_to_jwks(both, 0, &err);
        cjwt_keyset *again = cjwt_keyset_from_jwks(jwks, 0, &err);
        CHECK(again && cjwt_keyset_size(again) == 2);
        o.algorithms = CJWT_ALG_BIT(CJWT_ALG_ES256);
        CHECK(VERIFY_KS(again, t_old));
        cjwt_keyset_free(again);
        cjwt_value_free(jwks);
    }
    cjwt_keyset_free(both);
    cjwt_keyset_free(newer);
    cjwt_key_free(pair[0]);
    cjwt_key_free(pair[1]);
    cjwt_key_free(old_k);
    cjwt_key_free(new_k);
    cjwt_free(t_old);
    cjwt_free(t_new);
    cjwt_free(t_nokid);
    cjwt_free(t_autokid);
    cjwt_free(t_unknown);
    cjwt_key_free(new_nokid);
}

static void test_keyset_rules(void)
{
    cjwt_error err;
    const char *dup = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"},"
                      "{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"MTEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}]}";
    const char *mixed = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"},"
                        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"b\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
    const char *some_unusable = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
                                "{\"kty\":\"EC\",\"use\":\"enc\",\"crv\":\"P-256\",\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
                                "\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\"},"
                                "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"b\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
    const char *none_usable = "{\"keys\":[{\"kty\":\"EC\",\"use\":\"enc\",\"crv\":\"P-256\",\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
                              "\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\"}]}";
    cjwt_keyset *ks;
    CHECK(cjwt_keyset_from_jwks_json(dup, strlen(dup), 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_keyset_from_jwks_json(mixed, strlen(mixed), 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    ks = cjwt_keyset_from_jwks_json(some_unusable, strlen(some_unusable), 0, &err);
    CHECK(ks && cjwt_keyset_size(ks) == 1);
    cjwt_keyset_free(ks);
    CHECK(cjwt_keyset_from_jwks_json(none_usable, strlen(none_usable), 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_keyset_from_jwks_json("{\"keys\":{}}", 11, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_keyset_from_jwks_json("[]", 2, 0, &err) == NULL);
    CHECK(cjwt_keyset_from_jwks_json("{\"keys\":[]}", 11, 0, &err) == NULL);
    CHECK(cjwt_keyset_new(NULL, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    CHECK(cjwt_verify_keyset_with(NULL, NULL, "a.b.c", 5, 1, NOW, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
}

static void test_key_with(void)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_with(priv_keys[6], "new-kid", CJWT_ALG_ES256, &err);
    CHECK(k && strcmp(cjwt_key_kid(k), "new-kid") == 0 && cjwt_key_alg(k) == CJWT_ALG_ES256);
    cjwt_key_free(k);
    CHECK(cjwt_key_with(priv_keys[6], NULL, CJWT_ALG_ES384, &err) == NULL);  /* curve */
    CHECK_CODE(err, "invalid_key");
    k = cjwt_key_with(priv_keys[0], NULL, CJWT_ALG__COUNT, &err);           /* unbind */
    CHECK(k && cjwt_key_kid(k) == NULL && cjwt_key_alg(k) == CJWT_ALG__COUNT);
    {
        char *t = sign(k, CJWT_ALG_PS256, NULL);   /* an unbound RSA key serves RS and PS */
        CHECK(t && verify(priv_keys[0], CJWT_ALG_PS256, t, &err) == CJWT_E_INVALID_KEY); /* bound to RS256 */
        CHECK(t && verify(k, CJWT_ALG_PS256, t, &err) == CJWT_OK);
        cjwt_free(t);
    }
    cjwt_key_free(k);
}

typedef struct { const cjwt_key *k; cjwt_alg alg; const char *t; int ok; } tctx;
static void *worker(void *arg)
{
    tctx *c = arg;
    c->ok = 1;
    for (int i = 0; i < 200; i++) {
        cjwt_error err;
        if (verify(c->k, c->alg, c->t, &err) != CJWT_OK)
            c->ok = 0;
    }
    return NULL;
}

/* ES256K and Ed448 keys through PEM, DER and JWK, in key sets picked by kid. */
static void test_es256k_ed448_keys(void)
{
    static const size_t idx[2] = {10, 11};
    for (size_t j = 0; j < 2; j++) {
        cjwt_key *k = priv_keys[idx[j]];
        cjwt_alg alg = ASYM[idx[j]];
        cjwt_error err;
        char *pem = cjwt_key_to_pem(k, 1, NULL, &err), *pub = cjwt_key_to_pem(k, 0, NULL, &err);
        cjwt_key *from_priv = pem ? cjwt_key_from_pem(pem, strlen(pem), NULL, 0, 0, &err) : NULL;
        cjwt_key *from_pub = pub ? cjwt_key_from_pem(pub, strlen(pub), NULL, 0, 0, &err) : NULL;
        cjwt_value *jwk = from_pub ? cjwt_key_to_jwk(from_pub, 0, &err) : NULL;   /* no kid, no alg */
        char *tok = sign(from_priv, alg, "k-2");
        CHECK(from_priv && cjwt_key_is_private(from_priv) && from_pub && !cjwt_key_is_private(from_pub));
        CHECK(cjwt_key_default_alg(from_pub) == alg);
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(jwk, "crv"), NULL), j ? "Ed448" : "secp256k1");
        CHECK_STR(cjwt_value_string(cjwt_value_object_get(jwk, "kty"), NULL), j ? "OKP" : "EC");
        CHECK(tok && verify(from_pub, alg, tok, &err) == CJWT_OK);
        /* DER (SubjectPublicKeyInfo) as bytes */
        {
            BIO *b = BIO_new_mem_buf(pub, -1);
            EVP_PKEY *pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
            unsigned char *der = NULL;
            int n = i2d_PUBKEY(pk, &der);
            cjwt_key *dk = cjwt_key_from_bytes(der, (size_t)n, 0, &err);
            CHECK(dk && verify(dk, alg, tok, &err) == CJWT_OK);
            cjwt_key_free(dk);
            OPENSSL_free(der);
            EVP_PKEY_free(pk);
            BIO_free(b);
        }
        /* a JWKS holding it beside other keys: the kid picks it */
        {
            char jwks[4096];
            char *text = cjwt_value_to_json(jwk, NULL, NULL);
            cjwt_keyset *ks;
            cjwt_verify_opts o = {0};
            cjwt_decoded *d;
            snprintf(jwks, sizeof jwks,
                     "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k-1\","
                     "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                     "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},%.*s,\"kid\":\"k-2\"}]}",
                     (int)strlen(text) - 1, text);
            ks = cjwt_keyset_from_jwks_json(jwks, strlen(jwks), 0, &err);
            CHECK(ks != NULL);
            o.algorithms = CJWT_ALG_BIT(alg) | CJWT_ALG_BIT(CJWT_ALG_ES256);
            d = ks ? cjwt_verify_keyset_with(&o, ks, tok, strlen(tok), 1, NOW, &err) : NULL;
            CHECK(d != NULL);
            cjwt_decoded_free(d);
            cjwt_keyset_free(ks);
            cjwt_free(text);
        }
        cjwt_free(tok);
        cjwt_value_free(jwk);
        cjwt_key_free(from_priv);
        cjwt_key_free(from_pub);
        cjwt_free(pem);
        cjwt_free(pub);
    }
}

/* RFC 8032 7.4: Ed448 is deterministic, so signing with each secret key
 * must give the published signature byte for byte, and it must verify. */
static void test_rfc8032_ed448(void)
{
    const char *dir = getenv("CJWT_VECTORS");
    char path[1024];
    json_error_t je;
    json_t *root, *c;
    size_t i, ran = 0;
    snprintf(path, sizeof path, "%s/primitives/rfc8032_ed448.json", dir && *dir ? dir : "tests/vectors");
    root = json_load_file(path, 0, &je);
    CHECK(root != NULL);
    json_array_foreach(json_object_get(root, "cases"), i, c) {
        size_t dl, xl, ml, sl, gl = 0;
        unsigned char *d = unhex(json_string_value(json_object_get(c, "secret_key")), &dl);
        unsigned char *x = unhex(json_string_value(json_object_get(c, "public_key")), &xl);
        unsigned char *m = unhex(json_string_value(json_object_get(c, "message")), &ml);
        unsigned char *s = unhex(json_string_value(json_object_get(c, "signature")), &sl);
        unsigned char got[CJWTP_MAX_SIG];
        char d64[80], x64[80], jwk[256];
        cjwt_error err;
        cjwt_key *k;
        cjwtp_b64url_encode(d, dl, d64);
        d64[cjwtp_b64url_encoded_len(dl)] = '\0';
        cjwtp_b64url_encode(x, xl, x64);
        x64[cjwtp_b64url_encoded_len(xl)] = '\0';
        snprintf(jwk, sizeof jwk, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"d\":\"%s\",\"x\":\"%s\"}", d64, x64);
        k = cjwt_key_from_jwk_json(jwk, strlen(jwk), 0, &err);
        CHECK(k != NULL && sl == 114);
        if (k) {
            CHECK(cjwtp_sign(k, CJWT_ALG_EDDSA, m, ml, got, &gl, &err) == CJWT_OK);
            CHECK(gl == sl && memcmp(got, s, sl) == 0);
            CHECK(cjwt_verify_signature(k, CJWT_ALG_EDDSA, m, ml, s, sl, &err) == CJWT_OK);
            s[0] ^= 1;
            CHECK(cjwt_verify_signature(k, CJWT_ALG_EDDSA, m, ml, s, sl, &err) == CJWT_E_BAD_SIGNATURE);
            ran++;
        }
        cjwt_key_free(k);
        free(d);
        free(x);
        free(m);
        free(s);
    }
    CHECK(ran == 8);
    json_decref(root);
}

static void test_threads(void)
{
    pthread_t th[4];
    tctx c[4];
    char *t[4];
    int idx[4] = {0, 6, 9, 3};
    for (int i = 0; i < 4; i++) {
        t[i] = sign(priv_keys[idx[i]], ASYM[idx[i]], NULL);
        c[i] = (tctx){priv_keys[idx[i]], ASYM[idx[i]], t[i], 0};
        pthread_create(&th[i], NULL, worker, &c[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(c[i].ok);
        cjwt_free(t[i]);
    }
}

int main(void)
{
    RUN(test_generate);
    RUN(test_sign_verify_each_alg);
    RUN(test_key_confusion);
    RUN(test_ecdsa_signature_forms);
    RUN(test_pem_formats);
    RUN(test_weak_and_odd_keys);
    RUN(test_jwk_roundtrip);
    RUN(test_jwk_rejects);
    RUN(test_keyset_rotation);
    RUN(test_keyset_rules);
    RUN(test_key_with);
    RUN(test_es256k_ed448_keys);
    RUN(test_rfc8032_ed448);
    RUN(test_threads);
    for (size_t i = 0; i < N_ASYM; i++)
        cjwt_key_free(priv_keys[i]);
    return testlib_report("test_asym");
}
