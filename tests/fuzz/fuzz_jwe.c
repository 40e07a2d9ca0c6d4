/* JWE parsing and decryption (compact and JSON serialization) with fixed
 * keys of every kind. The first input byte picks a mode, the second a key:
 *   0: the rest is a token (compact or JSON text), decrypted with every
 *      alg and enc allowed (RSA1_5 too) and a small p2c bound;
 *   1: the rest is "header JSON\nplaintext": encrypted honestly with the
 *      key's alg (byte 3 picks the enc, bit 0x80 zip), then decrypted: the
 *      plaintext must come back unless the header marks something crit;
 *   2: the rest is "header\nplaintext", sealed as an authentic dir+A128GCM
 *      token under any header, so the fuzzer reaches what runs after
 *      authentication (zip inflation within its bound, header rules). */
#include "fuzz_common.h"

#include <openssl/evp.h>

#define N_KEYS 9
static cjwt_key *keys[N_KEYS], *pubs[N_KEYS];
static const cjwt_jwe_alg key_alg[N_KEYS] = {
    CJWT_JWE_A128KW, CJWT_JWE_DIR, CJWT_JWE_A256GCMKW, CJWT_JWE_PBES2_HS256_A128KW,
    CJWT_JWE_RSA_OAEP_256, CJWT_JWE_ECDH_ES_A128KW, CJWT_JWE_ECDH_ES, CJWT_JWE_ECDH_ES_A256KW,
    CJWT_JWE_RSA_OAEP,
};
static const unsigned char K16[16] = "fuzz-key-16bytes";
static const unsigned char K32[32] = "fuzz-key-of-thirty-two-bytes-!!!";

static cjwt_key *from_jwk(const char *t)
{
    cjwt_error err;
    cjwt_key *k = cjwt_key_from_jwk_json(t, strlen(t), 0, &err);
    if (!k) {
        fprintf(stderr, "fixed fuzz JWK refused: %s\n", err.message);
        abort();
    }
    return k;
}

static cjwt_key *public_of(cjwt_key *k)
{
    cjwt_value *j = cjwt_key_to_jwk(k, 0, NULL);
    char *t = cjwt_value_to_json(j, NULL, NULL);
    cjwt_key *p = from_jwk(t);
    cjwt_free(t);
    cjwt_value_free(j);
    return p;
}

static void init(void)
{
    cjwt_key *ec = fuzz_pem_key(FUZZ_EC_PRIVATE_PEM), *rsa = fuzz_pem_key(FUZZ_RSA_PRIVATE_PEM);
    keys[0] = cjwt_key_from_secret(K16, 16, 0, NULL);
    keys[1] = cjwt_key_from_secret(K32, 32, 0, NULL);
    keys[2] = cjwt_key_ref(keys[1]);
    keys[3] = cjwt_key_from_secret((const unsigned char *)"password", 8, 0, NULL);
    keys[4] = rsa;
    keys[5] = ec;
    keys[6] = from_jwk("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\","
                       "\"d\":\"XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os\"}");
    keys[7] = cjwt_key_ref(ec);
    keys[8] = cjwt_key_ref(rsa);
    for (int i = 0; i < N_KEYS; i++) {
        FUZZ_ASSERT(keys[i]);
        pubs[i] = cjwt_key_type(keys[i]) == CJWT_KTY_OCT ? cjwt_key_ref(keys[i]) : public_of(keys[i]);
    }
}

static void check_decrypted(cjwt_jwe *d, const cjwt_jwe_decrypt_opts *o, const cjwt_error *err)
{
    if (d) {
        size_t n;
        FUZZ_ASSERT(o->algorithms & CJWT_JWE_ALG_BIT(cjwt_jwe_get_alg(d)));
        FUZZ_ASSERT(o->encryptions & CJWT_ENC_BIT(cjwt_jwe_get_enc(d)));
        FUZZ_ASSERT(cjwt_value_type(cjwt_jwe_header(d)) == CJWT_TYPE_OBJECT);
        FUZZ_ASSERT(cjwt_jwe_plaintext(d, &n) != NULL);
        FUZZ_ASSERT(n <= (o->max_plaintext ? o->max_plaintext : CJWT_JWE_DEFAULT_MAX_PLAINTEXT));
    } else {
        fuzz_check_error(err);
    }
}

/* mode 2: an authentic dir + A128GCM token with the fuzzer's header */
static char *seal(const uint8_t *h, size_t hn, const uint8_t *p, size_t pn)
{
    size_t h64 = cjwtp_b64url_encoded_len(hn);
    unsigned char iv[12] = {1}, tag[16], *ct = malloc(pn + 1);
    char *tok = malloc(h64 + cjwtp_b64url_encoded_len(pn) + 64), *q;
    int l = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    cjwtp_b64url_encode(h, hn, tok);
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, K16, iv);
    EVP_EncryptUpdate(c, NULL, &l, (unsigned char *)tok, (int)h64);
    if (pn)
        EVP_EncryptUpdate(c, ct, &l, p, (int)pn);
    EVP_EncryptFinal_ex(c, ct, &l);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    q = tok + h64;
    *q++ = '.';
    *q++ = '.';
    cjwtp_b64url_encode(iv, 12, q);
    q += cjwtp_b64url_encoded_len(12);
    *q++ = '.';
    cjwtp_b64url_encode(ct, pn, q);
    q += cjwtp_b64url_encoded_len(pn);
    *q++ = '.';
    cjwtp_b64url_encode(tag, 16, q);
    q += cjwtp_b64url_encoded_len(16);
    *q = '\0';
    free(ct);
    return tok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    cjwt_jwe_decrypt_opts o;
    cjwt_error err;
    cjwt_jwe *d;
    int k;
    if (!ready) {
        init();
        ready = 1;
    }
    if (size < 2)
        return 0;
    memset(&o, 0, sizeof o);
    o.algorithms = ~0u;
    o.encryptions = ~0u;
    o.max_p2c = 2000;          /* keep each run fast; the bound itself is under test */
    o.max_plaintext = 65536;
    k = data[1] % N_KEYS;
    if (data[0] % 3 == 0) {
        d = cjwt_jwe_decrypt(&o, keys[k], (const char *)data + 2, size - 2, &err);
        check_decrypted(d, &o, &err);
        cjwt_jwe_free(d);
    } else if (data[0] % 3 == 1 && size >= 3) {
        const uint8_t *nl = memchr(data + 3, '\n', size - 3);
        size_t hn = nl ? (size_t)(nl - data - 3) : size - 3;
        const uint8_t *pt = nl ? nl + 1 : data + size;
        size_t pn = (size_t)(data + size - pt);
        cjwt_value *hv = hn ? cjwt_value_from_json((const char *)data + 3, hn, &err) : NULL;
        cjwt_jwe_encrypt_opts eo = {key_alg[k], (cjwt_jwe_enc)((data[2] & 0x7f) % CJWT_ENC__COUNT), NULL,
                                    data[2] >> 7, 1000};
        char *tok;
        size_t len = 0;
        if (eo.alg == CJWT_JWE_DIR)
            eo.enc = CJWT_ENC_A256GCM;     /* the 32-byte key fits only these */
        if (hv && cjwt_value_type(hv) == CJWT_TYPE_OBJECT)
            eo.header = hv;
        tok = cjwt_jwe_encrypt(pt, pn, pubs[k], &eo, &len, &err);
        if (!tok) {
            fuzz_check_error(&err);
        } else {
            o.max_token_len = len;
            o.max_plaintext = pn;
            d = cjwt_jwe_decrypt(&o, keys[k], tok, len, &err);
            if (!d) {
                /* only a crit the caller put in the header may stop it */
                FUZZ_ASSERT(eo.header && cjwt_value_object_get(eo.header, "crit"));
                fuzz_check_error(&err);
            } else {
                size_t n;
                const unsigned char *back = cjwt_jwe_plaintext(d, &n);
                FUZZ_ASSERT(n == pn && (pn == 0 || memcmp(back, pt, pn) == 0));
                FUZZ_ASSERT(cjwt_jwe_get_alg(d) == eo.alg && cjwt_jwe_get_enc(d) == eo.enc);
            }
            cjwt_jwe_free(d);
            cjwt_free(tok);
        }
        cjwt_value_free(hv);
    } else if (data[0] % 3 == 2) {
        const uint8_t *nl = memchr(data + 2, '\n', size - 2);
        size_t hn = nl ? (size_t)(nl - data - 2) : size - 2;
        const uint8_t *pt = nl ? nl + 1 : data + size;
        char *tok = seal(data + 2, hn, pt, (size_t)(data + size - pt));
        o.algorithms = CJWT_JWE_ALG_BIT(CJWT_JWE_DIR);
        o.encryptions = CJWT_ENC_BIT(CJWT_ENC_A128GCM);
        o.max_plaintext = 4096;
        o.max_token_len = 1 << 20;
        d = cjwt_jwe_decrypt(&o, keys[0], tok, strlen(tok), &err);
        check_decrypted(d, &o, &err);
        cjwt_jwe_free(d);
        /* the JWT level over the same authentic token (the fuzzer's header
         * may say cty JWT, its plaintext may be anything), without and with
         * a verification key: nested exactly when a key was given, the inner
         * alg never "none" though allowed, the claims an object */
        for (int v = 0; v < 2; v++) {
            cjwt_jwt_decrypt_opts jo;
            cjwt_decrypted_jwt *j;
            memset(&jo, 0, sizeof jo);
            jo.jwe = o;
            jo.verify.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256) | CJWT_ALG_BIT(CJWT_ALG_NONE);
            jo.verify.max_token_len = 1 << 16;
            jo.verification_key = v ? keys[1] : NULL;
            j = cjwt_jwt_decrypt(&jo, keys[0], tok, strlen(tok), 1, 1.7e9, &err);
            if (j) {
                const cjwt_value *ih = cjwt_decrypted_jwt_header(j);
                FUZZ_ASSERT(cjwt_decrypted_jwt_nested(j) == v);
                FUZZ_ASSERT(cjwt_value_type(cjwt_decrypted_jwt_payload(j)) == CJWT_TYPE_OBJECT);
                FUZZ_ASSERT(!v || strcmp(cjwt_value_string(cjwt_value_object_get(ih, "alg"), NULL),
                                         "HS256") == 0);
            } else {
                fuzz_check_error(&err);
            }
            cjwt_decrypted_jwt_free(j);
        }
        free(tok);
    }
    return 0;
}
