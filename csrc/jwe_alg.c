/* JWE algorithms (RFC 7518 sections 4 and 5): the alg/enc tables, the key
 * fit for encryption, and the primitives, all through OpenSSL: AES-GCM,
 * AES-CBC + HMAC-SHA2 (the MAC checked first and in constant time), AES key
 * wrap (EVP_aes_*_wrap), RSA-OAEP, RSA1_5 (decryption, with a random CEK on
 * any failure), PBKDF2, ECDH and the Concat KDF (OpenSSL's SSKDF). */
#include "jwe_internal.h"

#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

static const cjwtp_alg_row jwe_algs[CJWT_JWE_ALG__COUNT] = {
    [CJWT_JWE_DIR] = {"dir", CJWTP_KM_DIR, 0, 0},
    [CJWT_JWE_RSA1_5] = {"RSA1_5", CJWTP_KM_RSA, 0, 0},
    [CJWT_JWE_RSA_OAEP] = {"RSA-OAEP", CJWTP_KM_RSA, 0, 1},
    [CJWT_JWE_RSA_OAEP_256] = {"RSA-OAEP-256", CJWTP_KM_RSA, 0, 256},
    [CJWT_JWE_A128KW] = {"A128KW", CJWTP_KM_KW, 16, 0},
    [CJWT_JWE_A192KW] = {"A192KW", CJWTP_KM_KW, 24, 0},
    [CJWT_JWE_A256KW] = {"A256KW", CJWTP_KM_KW, 32, 0},
    [CJWT_JWE_A128GCMKW] = {"A128GCMKW", CJWTP_KM_GCMKW, 16, 0},
    [CJWT_JWE_A192GCMKW] = {"A192GCMKW", CJWTP_KM_GCMKW, 24, 0},
    [CJWT_JWE_A256GCMKW] = {"A256GCMKW", CJWTP_KM_GCMKW, 32, 0},
    [CJWT_JWE_ECDH_ES] = {"ECDH-ES", CJWTP_KM_ECDH, 0, 0},
    [CJWT_JWE_ECDH_ES_A128KW] = {"ECDH-ES+A128KW", CJWTP_KM_ECDH, 16, 0},
    [CJWT_JWE_ECDH_ES_A192KW] = {"ECDH-ES+A192KW", CJWTP_KM_ECDH, 24, 0},
    [CJWT_JWE_ECDH_ES_A256KW] = {"ECDH-ES+A256KW", CJWTP_KM_ECDH, 32, 0},
    [CJWT_JWE_PBES2_HS256_A128KW] = {"PBES2-HS256+A128KW", CJWTP_KM_PBES2, 16, 256},
    [CJWT_JWE_PBES2_HS384_A192KW] = {"PBES2-HS384+A192KW", CJWTP_KM_PBES2, 24, 384},
    [CJWT_JWE_PBES2_HS512_A256KW] = {"PBES2-HS512+A256KW", CJWTP_KM_PBES2, 32, 512},
};

static const cjwtp_enc_row encs[CJWT_ENC__COUNT] = {
    [CJWT_ENC_A128CBC_HS256] = {"A128CBC-HS256", 32, 16, 16, 0},
    [CJWT_ENC_A192CBC_HS384] = {"A192CBC-HS384", 48, 16, 24, 0},
    [CJWT_ENC_A256CBC_HS512] = {"A256CBC-HS512", 64, 16, 32, 0},
    [CJWT_ENC_A128GCM] = {"A128GCM", 16, 12, 16, 1},
    [CJWT_ENC_A192GCM] = {"A192GCM", 24, 12, 16, 1},
    [CJWT_ENC_A256GCM] = {"A256GCM", 32, 12, 16, 1},
};

const cjwtp_alg_row *cjwtp_jwe_alg_info(cjwt_jwe_alg alg)
{
    return (unsigned)alg < CJWT_JWE_ALG__COUNT ? &jwe_algs[alg] : NULL;
}

const cjwtp_enc_row *cjwtp_enc_info(cjwt_jwe_enc enc)
{
    return (unsigned)enc < CJWT_ENC__COUNT ? &encs[enc] : NULL;
}

cjwt_jwe_alg cjwt_jwe_alg_from_name(const char *name, size_t len)
{
    for (int a = 0; name && a < CJWT_JWE_ALG__COUNT; a++)
        if (strlen(jwe_algs[a].name) == len && memcmp(jwe_algs[a].name, name, len) == 0)
            return (cjwt_jwe_alg)a;
    return CJWT_JWE_ALG__COUNT;
}

const char *cjwt_jwe_alg_name(cjwt_jwe_alg alg)
{
    return (unsigned)alg < CJWT_JWE_ALG__COUNT ? jwe_algs[alg].name : "unknown";
}

cjwt_jwe_enc cjwt_jwe_enc_from_name(const char *name, size_t len)
{
    for (int e = 0; name && e < CJWT_ENC__COUNT; e++)
        if (strlen(encs[e].name) == len && memcmp(encs[e].name, name, len) == 0)
            return (cjwt_jwe_enc)e;
    return CJWT_ENC__COUNT;
}

const char *cjwt_jwe_enc_name(cjwt_jwe_enc enc)
{
    return (unsigned)enc < CJWT_ENC__COUNT ? encs[enc].name : "unknown";
}

int cjwtp_jwe_binding_from_name(const char *name, int *alg, int *enc)
{
    cjwt_jwe_alg a = cjwt_jwe_alg_from_name(name, strlen(name));
    cjwt_jwe_enc e = cjwt_jwe_enc_from_name(name, strlen(name));
    if (a != CJWT_JWE_ALG__COUNT) {
        *alg = (int)a;
        return 0;
    }
    if (e != CJWT_ENC__COUNT) {      /* RFC 7520 5.6: a dir key names its enc */
        *enc = (int)e;
        return 0;
    }
    return -1;
}

/* decrypting: 1 decrypt, 0 encrypt, -1 only the material (a JWK binding). */
cjwt_code cjwtp_jwe_key_check(const cjwt_key *key, cjwt_jwe_alg alg, cjwt_jwe_enc enc,
                              int decrypting, cjwt_error *err)
{
    const cjwtp_alg_row *ai = cjwtp_jwe_alg_info(alg);
    const cjwtp_enc_row *ei = cjwtp_enc_info(enc);
    const char *an = cjwt_jwe_alg_name(alg);
    if (!ai)
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "unknown JWE algorithm");
    if (!key)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "a key is required for %s", an);
    if (decrypting >= 0) {
        if (key->alg != CJWT_ALG__COUNT)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "the key is bound to the signature algorithm %s: it never %s",
                              cjwt_alg_name(key->alg), decrypting ? "decrypts" : "encrypts");
        if (!key->use_enc_ok)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's \"use\" is not \"enc\": it never %s",
                              decrypting ? "decrypts" : "encrypts");
        if (!(key->ops & (decrypting ? CJWTP_OP_DECRYPT : CJWTP_OP_ENCRYPT)))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's key_ops do not allow %s",
                              decrypting ? "decryption" : "encryption");
        if (key->jwe_alg >= 0 && key->jwe_alg != (int)alg)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key is bound to %s and cannot be used with %s",
                              cjwt_jwe_alg_name((cjwt_jwe_alg)key->jwe_alg), an);
        if (key->jwe_enc >= 0 && (alg != CJWT_JWE_DIR || (int)enc != key->jwe_enc))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key is bound to dir with %s",
                              cjwt_jwe_enc_name((cjwt_jwe_enc)key->jwe_enc));
    }
    switch (ai->km) {
    case CJWTP_KM_DIR:
        if (key->kty != CJWT_KTY_OCT)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "dir needs a symmetric (oct) key");
        if (ei && key->secret_len != ei->cek_len)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "dir with %s needs a %zu-byte key, not %zu bytes",
                              ei->name, ei->cek_len, key->secret_len);
        return CJWT_OK;
    case CJWTP_KM_KW: case CJWTP_KM_GCMKW:
        if (key->kty != CJWT_KTY_OCT)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs a symmetric (oct) key", an);
        if (key->secret_len != ai->kek_len)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs a %zu-byte key, not %zu bytes", an,
                              ai->kek_len, key->secret_len);
        return CJWT_OK;
    case CJWTP_KM_PBES2:
        if (key->kty != CJWT_KTY_OCT || key->secret_len == 0)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs a password (an oct key)", an);
        return CJWT_OK;
    case CJWTP_KM_RSA:
        if (key->kty != CJWT_KTY_RSA)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs an RSA key", an);
        break;
    case CJWTP_KM_ECDH:
        /* secp256k1 is registered for ES256K only (RFC 8812), not for ECDH-ES */
        if (!((key->kty == CJWT_KTY_EC && key->curve != CJWTP_CRV_SECP256K1) ||
              (key->kty == CJWT_KTY_OKP && (key->curve == CJWTP_CRV_X25519 || key->curve == CJWTP_CRV_X448))))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "%s needs an EC (P-256/384/521) or OKP X25519/X448 key", an);
        break;
    }
    if (decrypting == 1 && !key->is_private)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s decryption needs the private key", an);
    return CJWT_OK;
}

cjwt_code cjwtp_random(unsigned char *out, size_t n, cjwt_error *err)
{
    if (n && RAND_bytes(out, (int)n) != 1) {
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INTERNAL, "the random generator failed");
    }
    return CJWT_OK;
}

static const char *sha_name(int bits)
{
    return bits == 1 ? "SHA1" : bits == 384 ? "SHA384" : bits == 512 ? "SHA512" : "SHA256";
}

/* The AES ciphers, fetched from the default provider once per process: the
 * EVP_aes_*() getters make EVP_CipherInit_ex fetch by name on every call
 * (~5.7k instructions, a quarter of a dir+A256GCM decryption). A cipher the
 * fetch did not find falls back to the getter. */
static const char *const aes_names[3][3] = {
    {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
    {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
    {"AES-128-WRAP", "AES-192-WRAP", "AES-256-WRAP"},
};
static EVP_CIPHER *aes_fetched[3][3];
static CRYPTO_ONCE aes_once = CRYPTO_ONCE_STATIC_INIT;

static void aes_release(void)
{
    for (int m = 0; m < 3; m++)
        for (int k = 0; k < 3; k++) {
            EVP_CIPHER *c = aes_fetched[m][k];
            aes_fetched[m][k] = NULL;   /* a later call falls back to the getters */
            EVP_CIPHER_free(c);
        }
}

static void aes_fetch(void)
{
    for (int m = 0; m < 3; m++)
        for (int k = 0; k < 3; k++)
            aes_fetched[m][k] = EVP_CIPHER_fetch(NULL, aes_names[m][k], NULL);
    ERR_clear_error();
    /* Freed at exit, or when this library is unloaded (dlclose runs the
     * atexit handlers a shared object registered: a Lua state closing its C
     * modules), in both cases before OPENSSL_cleanup: OpenSSL registered that
     * at its initialisation, earlier, and atexit handlers run last in, first
     * out. */
    atexit(aes_release);
}

static const EVP_CIPHER *aes(size_t key_len, const char *mode)
{
    int m = strcmp(mode, "gcm") == 0 ? 0 : strcmp(mode, "cbc") == 0 ? 1 : 2;
    int k = key_len == 16 ? 0 : key_len == 24 ? 1 : 2;
    if (CRYPTO_THREAD_run_once(&aes_once, aes_fetch) && aes_fetched[m][k])
        return aes_fetched[m][k];
    if (m == 0)
        return k == 0 ? EVP_aes_128_gcm() : k == 1 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
    if (m == 1)
        return k == 0 ? EVP_aes_128_cbc() : k == 1 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
    return k == 0 ? EVP_aes_128_wrap() : k == 1 ? EVP_aes_192_wrap() : EVP_aes_256_wrap();
}

/* ---- content encryption (RFC 7518 5.2, 5.3) ------------------------------ */

static int gcm(int encrypt, const unsigned char *key, size_t key_len, const unsigned char *iv,
               const unsigned char *aad, size_t aad_len, const unsigned char *in, size_t n,
               unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0, ok;
    if (!c || n > INT_MAX || aad_len > INT_MAX) {
        EVP_CIPHER_CTX_free(c);
        return 0;
    }
    ok = EVP_CipherInit_ex(c, aes(key_len, "gcm"), NULL, NULL, NULL, encrypt) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
         EVP_CipherInit_ex(c, NULL, NULL, key, iv, encrypt) == 1 &&
         (aad_len == 0 || EVP_CipherUpdate(c, NULL, &l, aad, (int)aad_len) == 1) &&
         (n == 0 || EVP_CipherUpdate(c, out, &l, in, (int)n) == 1) &&
         (encrypt || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1) &&
         EVP_CipherFinal_ex(c, out + (n ? (size_t)l : 0), &l) == 1 &&
         (!encrypt || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    /* the error queue is cleared after a failure only: a success queues no
     * error, and ERR_clear_error's thread-local lookup cost ~5% of a
     * dir+A256GCM decryption (same below; not in the RSA decryption, whose
     * timing must not depend on the padding) */
    if (!ok)
        ERR_clear_error();
    return ok;
}

/* HMAC(MAC_KEY, AAD || IV || ciphertext || AL), AL the AAD length in bits
 * as a 64-bit big-endian number. */
static int cbc_hs_mac(const cjwtp_enc_row *e, const unsigned char *mac_key, const unsigned char *aad,
                      size_t aad_len, const unsigned char *iv, const unsigned char *ct, size_t ct_len,
                      unsigned char *mac)
{
    unsigned char al[8];
    uint64_t bits = (uint64_t)aad_len * 8;
    size_t len = 0, half = e->cek_len / 2;
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = m ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM p[2];
    int ok;
    for (int i = 7; i >= 0; i--, bits >>= 8)
        al[i] = (unsigned char)(bits & 0xff);
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                            (char *)sha_name(half == 16 ? 256 : half == 24 ? 384 : 512), 0);
    p[1] = OSSL_PARAM_construct_end();
    ok = c && EVP_MAC_init(c, mac_key, half, p) == 1 && EVP_MAC_update(c, aad, aad_len) == 1 &&
         EVP_MAC_update(c, iv, 16) == 1 && EVP_MAC_update(c, ct, ct_len) == 1 &&
         EVP_MAC_update(c, al, sizeof al) == 1 && EVP_MAC_final(c, mac, &len, EVP_MAX_MD_SIZE) == 1;
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(m);
    if (!ok)
        ERR_clear_error();
    return ok && len == 2 * e->tag_len;
}

cjwt_code cjwtp_content_encrypt(cjwt_jwe_enc enc, const unsigned char *cek, const unsigned char *iv,
                                const unsigned char *aad, size_t aad_len, const unsigned char *pt,
                                size_t n, unsigned char *ct, size_t *ct_len, unsigned char *tag,
                                cjwt_error *err)
{
    const cjwtp_enc_row *e = cjwtp_enc_info(enc);
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t half = e->cek_len / 2;
    EVP_CIPHER_CTX *c;
    int l1 = 0, l2 = 0, ok;
    if (e->gcm) {
        if (!gcm(1, cek, e->cek_len, iv, aad, aad_len, pt, n, ct, tag))
            return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL could not encrypt with %s", e->name);
        *ct_len = n;
        return CJWT_OK;
    }
    if (n > INT_MAX - 32)
        return cjwtp_fail(err, CJWT_E_TOO_LARGE, "the plaintext is too large");
    c = EVP_CIPHER_CTX_new();
    ok = c && EVP_EncryptInit_ex(c, aes(half, "cbc"), NULL, cek + half, iv) == 1 &&
         EVP_EncryptUpdate(c, ct, &l1, pt, (int)n) == 1 && EVP_EncryptFinal_ex(c, ct + l1, &l2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok || !cbc_hs_mac(e, cek, aad, aad_len, iv, ct, (size_t)(l1 + l2), mac)) {
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL could not encrypt with %s", e->name);
    }
    *ct_len = (size_t)(l1 + l2);
    memcpy(tag, mac, e->tag_len);
    OPENSSL_cleanse(mac, sizeof mac);
    return CJWT_OK;
}

cjwt_code cjwtp_content_decrypt(cjwt_jwe_enc enc, const unsigned char *cek, const unsigned char *iv,
                                const unsigned char *aad, size_t aad_len, const unsigned char *ct,
                                size_t ct_len, const unsigned char *tag, size_t tag_len,
                                unsigned char *pt, size_t *pt_len, cjwt_error *err)
{
    const cjwtp_enc_row *e = cjwtp_enc_info(enc);
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t half = e->cek_len / 2;
    EVP_CIPHER_CTX *c;
    int l1 = 0, l2 = 0, ok;
    /* A tag that is not the full length (truncated) never authenticates. */
    if (tag_len != e->tag_len)
        return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    if (e->gcm) {
        unsigned char t[16];
        memcpy(t, tag, 16);
        if (!gcm(0, cek, e->cek_len, iv, aad, aad_len, ct, ct_len, pt, t)) {
            OPENSSL_cleanse(pt, ct_len);
            return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
        }
        *pt_len = ct_len;
        return CJWT_OK;
    }
    /* The MAC first, compared in constant time; only an authentic
     * ciphertext is decrypted, so padding errors can tell nothing. */
    if (ct_len == 0 || ct_len % 16 || ct_len > INT_MAX ||
        !cbc_hs_mac(e, cek, aad, aad_len, iv, ct, ct_len, mac) ||
        CRYPTO_memcmp(mac, tag, e->tag_len) != 0) {
        OPENSSL_cleanse(mac, sizeof mac);
        return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    }
    OPENSSL_cleanse(mac, sizeof mac);
    c = EVP_CIPHER_CTX_new();
    ok = c && EVP_DecryptInit_ex(c, aes(half, "cbc"), NULL, cek + half, iv) == 1 &&
         EVP_DecryptUpdate(c, pt, &l1, ct, (int)ct_len) == 1 && EVP_DecryptFinal_ex(c, pt + l1, &l2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        ERR_clear_error();
        OPENSSL_cleanse(pt, ct_len);
        return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    }
    *pt_len = (size_t)(l1 + l2);
    return CJWT_OK;
}

/* ---- key management ------------------------------------------------------ */

cjwt_code cjwtp_aes_kw(int wrap, const unsigned char *kek, size_t kek_len, const unsigned char *in,
                       size_t n, unsigned char *out, size_t *out_len, cjwt_error *err)
{
    EVP_CIPHER_CTX *c;
    int l1 = 0, l2 = 0, ok;
    /* RFC 3394: whole 64-bit blocks, at least two of key data */
    if (n % 8 || n < (wrap ? 16u : 24u) || n > 1024)
        return wrap ? cjwtp_fail(err, CJWT_E_INTERNAL, "AES key wrap of a %zu-byte key", n)
                    : cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    c = EVP_CIPHER_CTX_new();
    if (c)
        EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    ok = c && EVP_CipherInit_ex(c, aes(kek_len, "wrap"), NULL, kek, NULL, wrap) == 1 &&
         EVP_CipherUpdate(c, out, &l1, in, (int)n) == 1 && EVP_CipherFinal_ex(c, out + l1, &l2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        ERR_clear_error();
    if (!ok || (size_t)(l1 + l2) != (wrap ? n + 8 : n - 8)) {
        OPENSSL_cleanse(out, wrap ? n + 8 : n - 8);
        return wrap ? cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL AES key wrap failed")
                    : cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    }
    *out_len = (size_t)(l1 + l2);
    return CJWT_OK;
}

cjwt_code cjwtp_aes_gcm_key(int encrypt, const unsigned char *kek, size_t kek_len,
                            const unsigned char *iv, const unsigned char *in, size_t n,
                            unsigned char *out, unsigned char *tag, cjwt_error *err)
{
    if (!gcm(encrypt, kek, kek_len, iv, NULL, 0, in, n, out, tag)) {
        OPENSSL_cleanse(out, n);
        return encrypt ? cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL AES-GCM key wrap failed")
                       : cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    }
    return CJWT_OK;
}

cjwt_code cjwtp_pbes2_kek(cjwt_jwe_alg alg, const unsigned char *pass, size_t pass_len,
                          const unsigned char *p2s, size_t p2s_len, uint32_t p2c,
                          unsigned char *kek, cjwt_error *err)
{
    const cjwtp_alg_row *ai = cjwtp_jwe_alg_info(alg);
    size_t nl = strlen(ai->name);
    unsigned char salt[64 + 256];
    const EVP_MD *md = ai->md_bits == 256 ? EVP_sha256() : ai->md_bits == 384 ? EVP_sha384() : EVP_sha512();
    int ok;
    if (p2s_len > 256 || pass_len > INT_MAX || p2c == 0 || p2c > INT_MAX)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "PBES2 parameters out of range");
    /* RFC 7518 4.8.1.1: the salt is UTF8(alg) || 0x00 || p2s */
    memcpy(salt, ai->name, nl);
    salt[nl] = 0;
    memcpy(salt + nl + 1, p2s, p2s_len);
    ok = PKCS5_PBKDF2_HMAC((const char *)pass, (int)pass_len, salt, (int)(nl + 1 + p2s_len), (int)p2c,
                           md, (int)ai->kek_len, kek) == 1;
    ERR_clear_error();
    if (!ok)
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL PBKDF2 failed");
    return CJWT_OK;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

cjwt_code cjwtp_ecdh_es_key(EVP_PKEY *priv, EVP_PKEY *peer, const char *algid,
                            const unsigned char *apu, size_t apu_len, const unsigned char *apv,
                            size_t apv_len, unsigned char *out, size_t keylen, cjwt_error *err)
{
    unsigned char z[132], info[4 + 64 + 4 + 256 + 4 + 256 + 4];
    size_t zlen = sizeof z, al = strlen(algid), n = 0;
    unsigned zero = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *kctx = NULL;
    OSSL_PARAM p[4];
    cjwt_code rc = CJWT_OK;
    if (apu_len > 256 || apv_len > 256 || al > 64) {
        EVP_PKEY_CTX_free(ctx);
        return cjwtp_fail(err, CJWT_E_MALFORMED, "\"apu\"/\"apv\" are longer than 256 bytes");
    }
    /* The peer's public key is not validated again here (validate_peer 0):
     * a decryption's epk was fully checked when read (read_epk: the JWK
     * importer's EVP_PKEY_public_check, point on the curve and of the
     * group's order), and an encryption's peer is the recipient's key, on
     * its curve since OpenSSL imported it. A second full check cost a scalar
     * multiplication per decryption: ~30% of an ECDH-ES decryption on P-256. */
    if (!ctx || EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1 ||
        EVP_PKEY_derive(ctx, z, &zlen) != 1) {
        EVP_PKEY_CTX_free(ctx);
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "ECDH key agreement failed (an invalid public key)");
    }
    EVP_PKEY_CTX_free(ctx);
    /* RFC 7748 6.1 / RFC 8037 3.2: an all-zero shared secret (a low-order
     * X25519/X448 point) is refused. */
    for (size_t i = 0; i < zlen; i++)
        zero |= z[i];
    if (zero == 0) {
        OPENSSL_cleanse(z, sizeof z);
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "ECDH gave an all-zero shared secret (a low-order point)");
    }
    /* OtherInfo (RFC 7518 4.6.2): AlgorithmID || PartyUInfo || PartyVInfo
     * || SuppPubInfo, each length-prefixed but the last (keydatalen in bits). */
    put32(info + n, (uint32_t)al);
    memcpy(info + n + 4, algid, al);
    n += 4 + al;
    put32(info + n, (uint32_t)apu_len);
    if (apu_len)
        memcpy(info + n + 4, apu, apu_len);
    n += 4 + apu_len;
    put32(info + n, (uint32_t)apv_len);
    if (apv_len)
        memcpy(info + n + 4, apv, apv_len);
    n += 4 + apv_len;
    put32(info + n, (uint32_t)(keylen * 8));
    n += 4;
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z, zlen);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
    p[3] = OSSL_PARAM_construct_end();
    kdf = EVP_KDF_fetch(NULL, "SSKDF", NULL);
    kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (!kctx || EVP_KDF_derive(kctx, out, keylen, p) != 1)
        rc = cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL Concat KDF (SSKDF) failed");
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    OPENSSL_cleanse(z, sizeof z);
    if (rc != CJWT_OK)
        ERR_clear_error();
    return rc;
}

static EVP_PKEY_CTX *rsa_ctx(cjwt_jwe_alg alg, EVP_PKEY *pkey, int encrypt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    const cjwtp_alg_row *ai = cjwtp_jwe_alg_info(alg);
    int ok = ctx && (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1;
    if (ok && alg == CJWT_JWE_RSA1_5)
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    else if (ok) {
        const EVP_MD *md = ai->md_bits == 1 ? EVP_sha1() : EVP_sha256();
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
    }
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

cjwt_code cjwtp_rsa_encrypt_key(cjwt_jwe_alg alg, EVP_PKEY *pub, const unsigned char *cek,
                                size_t cek_len, unsigned char **out, size_t *out_len,
                                cjwt_error *err)
{
    EVP_PKEY_CTX *ctx = rsa_ctx(alg, pub, 1);
    size_t n = (size_t)EVP_PKEY_get_size(pub);
    *out = ctx ? malloc(n) : NULL;
    if (!*out || EVP_PKEY_encrypt(ctx, *out, &n, cek, cek_len) != 1) {
        free(*out);
        *out = NULL;
        EVP_PKEY_CTX_free(ctx);
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL could not encrypt the key with %s",
                          cjwt_jwe_alg_name(alg));
    }
    EVP_PKEY_CTX_free(ctx);
    *out_len = n;
    return CJWT_OK;
}

cjwt_code cjwtp_rsa_decrypt_key(cjwt_jwe_alg alg, EVP_PKEY *priv, const unsigned char *ek,
                                size_t ek_len, unsigned char *cek, size_t cek_len,
                                cjwt_error *err)
{
    size_t size = (size_t)EVP_PKEY_get_size(priv), n = size;
    unsigned char *buf = calloc(1, size ? size : 1), rnd[CJWTP_MAX_CEK];
    EVP_PKEY_CTX *ctx;
    int ok;
    if (!buf)
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decrypting a key");
    if (alg == CJWT_JWE_RSA1_5 && cjwtp_random(rnd, cek_len, err) != CJWT_OK) {
        free(buf);
        return CJWT_E_INTERNAL;
    }
    ctx = rsa_ctx(alg, priv, 0);
    ok = ctx && ek_len == size && EVP_PKEY_decrypt(ctx, buf, &n, ek, ek_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (alg == CJWT_JWE_RSA1_5) {
        /* RFC 7516 11.5 (Bleichenbacher): never tell a padding failure
         * apart; a random CEK of the right size stands in, selected without
         * a branch, and the content decryption then fails like any other. */
        unsigned char mask = (unsigned char)(0u - (unsigned)(ok && n == cek_len));
        for (size_t i = 0; i < cek_len; i++)
            cek[i] = (unsigned char)((buf[i] & mask) | (rnd[i] & (unsigned char)~mask));
        OPENSSL_cleanse(rnd, sizeof rnd);
        OPENSSL_cleanse(buf, size);
        free(buf);
        return CJWT_OK;
    }
    if (!ok || n != cek_len) {
        OPENSSL_cleanse(buf, size);
        free(buf);
        return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    }
    memcpy(cek, buf, cek_len);
    OPENSSL_cleanse(buf, size);
    free(buf);
    return CJWT_OK;
}
