/* Internal declarations shared by jwe.c and jwe_alg.c (RFC 7516/7518). */
#ifndef CJWT_JWE_INTERNAL_H
#define CJWT_JWE_INTERNAL_H

#include "cjwt_internal.h"

typedef enum cjwtp_km {
    CJWTP_KM_DIR, CJWTP_KM_RSA, CJWTP_KM_KW, CJWTP_KM_GCMKW, CJWTP_KM_ECDH, CJWTP_KM_PBES2
} cjwtp_km;

typedef struct cjwtp_alg_row {
    const char *name;
    cjwtp_km km;
    size_t kek_len;          /* AES key wrap / GCM key bytes (0: none; ECDH-ES direct) */
    int md_bits;             /* RSA-OAEP and PBES2 hash: 1 = SHA-1, else 256/384/512 */
} cjwtp_alg_row;

typedef struct cjwtp_enc_row {
    const char *name;
    size_t cek_len;          /* content encryption key bytes (both halves for CBC-HS) */
    size_t iv_len;
    size_t tag_len;
    int gcm;
} cjwtp_enc_row;

const cjwtp_alg_row *cjwtp_jwe_alg_info(cjwt_jwe_alg alg);
const cjwtp_enc_row *cjwtp_enc_info(cjwt_jwe_enc enc);

#define CJWTP_MAX_CEK 64
#define CJWTP_DECRYPT_FAILED_MSG "JWE decryption failed"

/* Random bytes; CJWT_E_INTERNAL if the generator fails. */
cjwt_code cjwtp_random(unsigned char *out, size_t n, cjwt_error *err);

/* Content encryption. Encrypt: ct holds n + 16 bytes, tag enc->tag_len.
 * Decrypt: pt holds ct_len bytes; every failure is decrypt_failed. */
cjwt_code cjwtp_content_encrypt(cjwt_jwe_enc enc, const unsigned char *cek, const unsigned char *iv,
                                const unsigned char *aad, size_t aad_len, const unsigned char *pt,
                                size_t n, unsigned char *ct, size_t *ct_len, unsigned char *tag,
                                cjwt_error *err);
cjwt_code cjwtp_content_decrypt(cjwt_jwe_enc enc, const unsigned char *cek, const unsigned char *iv,
                                const unsigned char *aad, size_t aad_len, const unsigned char *ct,
                                size_t ct_len, const unsigned char *tag, size_t tag_len,
                                unsigned char *pt, size_t *pt_len, cjwt_error *err);

/* AES key wrap (RFC 3394): out holds n + 8 bytes (wrap) or n - 8 (unwrap). */
cjwt_code cjwtp_aes_kw(int wrap, const unsigned char *kek, size_t kek_len, const unsigned char *in,
                       size_t n, unsigned char *out, size_t *out_len, cjwt_error *err);
/* AES-GCM of a key (A*GCMKW): no AAD, 96-bit IV, 128-bit tag. */
cjwt_code cjwtp_aes_gcm_key(int encrypt, const unsigned char *kek, size_t kek_len,
                            const unsigned char *iv, const unsigned char *in, size_t n,
                            unsigned char *out, unsigned char *tag, cjwt_error *err);
/* PBES2 (RFC 7518 4.8): the key-wrapping key from a password. */
cjwt_code cjwtp_pbes2_kek(cjwt_jwe_alg alg, const unsigned char *pass, size_t pass_len,
                          const unsigned char *p2s, size_t p2s_len, uint32_t p2c,
                          unsigned char *kek, cjwt_error *err);
/* ECDH-ES (RFC 7518 4.6): Z from our private key and the peer's public
 * key, then the Concat KDF (SHA-256) into keylen bytes. */
cjwt_code cjwtp_ecdh_es_key(EVP_PKEY *priv, EVP_PKEY *peer, const char *algid,
                            const unsigned char *apu, size_t apu_len, const unsigned char *apv,
                            size_t apv_len, unsigned char *out, size_t keylen, cjwt_error *err);
/* RSA key transport. Decrypt with RSA1_5 never fails: a random CEK of
 * cek_len bytes stands in for any failure (RFC 7516 11.5). */
cjwt_code cjwtp_rsa_encrypt_key(cjwt_jwe_alg alg, EVP_PKEY *pub, const unsigned char *cek,
                                size_t cek_len, unsigned char **out, size_t *out_len,
                                cjwt_error *err);
cjwt_code cjwtp_rsa_decrypt_key(cjwt_jwe_alg alg, EVP_PKEY *priv, const unsigned char *ek,
                                size_t ek_len, unsigned char *cek, size_t cek_len,
                                cjwt_error *err);

/* jwe.c, shared with jwe_json_enc.c (the JSON serialization's encryption). */
/* Key management for encryption: fills cek (cek_len bytes; with fixed_cek
 * the caller's CEK is wrapped, and dir / direct ECDH-ES are refused), the
 * encrypted key (*ek, may stay NULL) and the header members the alg needs
 * (epk, iv, tag, p2s, p2c) in h, whose apu/apv it reads. */
cjwt_code cjwtp_jwe_encrypt_key(const cjwt_jwe_encrypt_opts *o, const cjwt_key *key, json_t *h,
                                unsigned char *cek, size_t cek_len, int fixed_cek,
                                unsigned char **ek, size_t *ek_len, cjwt_error *err);
/* Content encryption of a JWE: the plaintext (DEFLATEd when zip) encrypted
 * with cek under aad; *ct is malloc'd (n + 16 bytes), iv and tag filled
 * (the enc's sizes). */
cjwt_code cjwtp_jwe_seal(cjwt_jwe_enc enc, const unsigned char *cek, int zip,
                         const unsigned char *pt, size_t n, const unsigned char *aad, size_t aad_len,
                         unsigned char **ct, size_t *ct_len, unsigned char *iv, unsigned char *tag,
                         cjwt_error *err);

#endif
