/* JWE compact serialization (RFC 7516 section 7.1): encryption, and the
 * decryption pipeline in its fixed order: structure, header, allowlists,
 * key fit, algorithm parameters, key unwrap + content decryption (one
 * answer for every failure), decompression within a bound. */
#include "jwe_internal.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct cjwt_jwe {
    cjwtp_doc *header;          /* compact: the protected header */
    json_t *merged;             /* JSON serialization: protected + unprotected + recipient header */
    cjwt_jwe_alg alg;
    cjwt_jwe_enc enc;
    unsigned char *plaintext;
    size_t len;
};

const cjwt_value *cjwt_jwe_header(const cjwt_jwe *j)
{
    return j->merged ? CJWTP_VALUE(j->merged) : cjwtp_doc_root(j->header);
}
cjwt_jwe_alg cjwt_jwe_get_alg(const cjwt_jwe *j) { return j->alg; }
cjwt_jwe_enc cjwt_jwe_get_enc(const cjwt_jwe *j) { return j->enc; }

const unsigned char *cjwt_jwe_plaintext(const cjwt_jwe *j, size_t *len)
{
    if (len)
        *len = j->len;
    return j->plaintext;
}

void cjwt_jwe_free(cjwt_jwe *j)
{
    if (!j)
        return;
    cjwtp_doc_free(j->header);
    json_decref(j->merged);
    if (j->plaintext) {
        OPENSSL_cleanse(j->plaintext, j->len);
        free(j->plaintext);
    }
    free(j);
}

static void wipe_free(unsigned char *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

/* ---- DEFLATE (RFC 1951, raw) ---------------------------------------------- */

static cjwt_code deflate_raw(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len,
                             cjwt_error *err)
{
    z_stream z;
    uLong bound;
    int rc;
    memset(&z, 0, sizeof z);
    if (n > UINT_MAX / 2)
        return cjwtp_fail(err, CJWT_E_TOO_LARGE, "the plaintext is too large to compress");
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "zlib could not start compressing");
    bound = deflateBound(&z, (uLong)n);
    *out = malloc(bound ? bound : 1);
    if (!*out) {
        deflateEnd(&z);
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory compressing");
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = *out;
    z.avail_out = (uInt)bound;
    rc = deflate(&z, Z_FINISH);
    *out_len = (size_t)z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        wipe_free(*out, bound);
        *out = NULL;
        return cjwtp_fail(err, CJWT_E_INTERNAL, "zlib could not compress");
    }
    return CJWT_OK;
}

/* Inflates at most `max` bytes: the output buffer grows by doubling up to
 * max + 1 and never beyond, so a zip bomb is refused (too_large) after
 * max bytes of work and memory, whatever size it claims. */
static cjwt_code inflate_bounded(const unsigned char *in, size_t n, size_t max, unsigned char **out,
                                 size_t *out_len, cjwt_error *err)
{
    z_stream z;
    size_t cap = n * 4 + 64, limit = max + 1;
    unsigned char *buf;
    int rc;
    memset(&z, 0, sizeof z);
    if (limit > UINT_MAX || limit == 0) {   /* zlib counts in uInt */
        limit = UINT_MAX;
        max = limit - 1;
    }
    if (n > UINT_MAX)
        return cjwtp_fail(err, CJWT_E_TOO_LARGE, "the compressed plaintext is too large");
    if (cap > limit || cap < n)
        cap = limit;
    if (inflateInit2(&z, -15) != Z_OK)
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "zlib could not start decompressing");
    buf = malloc(cap);
    if (!buf) {
        inflateEnd(&z);
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decompressing");
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    for (;;) {
        z.next_out = buf + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            inflateEnd(&z);
            wipe_free(buf, cap);
            return cjwtp_fail(err, CJWT_E_MALFORMED, "the compressed plaintext is not valid DEFLATE");
        }
        if (z.avail_out == 0) {
            unsigned char *nb;
            size_t ncap;
            if (cap >= limit) {
                inflateEnd(&z);
                wipe_free(buf, cap);
                return cjwtp_fail(err, CJWT_E_TOO_LARGE,
                                  "the plaintext decompresses to more than %zu bytes", max);
            }
            ncap = cap > limit / 2 ? limit : cap * 2;
            nb = malloc(ncap);
            if (!nb) {
                inflateEnd(&z);
                wipe_free(buf, cap);
                return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decompressing");
            }
            memcpy(nb, buf, z.total_out);
            wipe_free(buf, cap);
            buf = nb;
            cap = ncap;
        } else if (z.avail_in == 0 || rc == Z_BUF_ERROR) {
            inflateEnd(&z);
            wipe_free(buf, cap);
            return cjwtp_fail(err, CJWT_E_MALFORMED, "the compressed plaintext is truncated");
        }
    }
    *out_len = (size_t)z.total_out;
    rc = z.avail_in == 0;
    inflateEnd(&z);
    if (!rc) {
        wipe_free(buf, cap);
        return cjwtp_fail(err, CJWT_E_MALFORMED, "data follows the compressed plaintext");
    }
    if (*out_len > max) {
        wipe_free(buf, cap);
        return cjwtp_fail(err, CJWT_E_TOO_LARGE, "the plaintext decompresses to more than %zu bytes", max);
    }
    *out = buf;
    return CJWT_OK;
}

/* ---- encryption ------------------------------------------------------------ */

/* A base64url header member (apu, apv, p2s, iv, tag, ...) decoded into
 * out (at most max bytes). Absent: *n = 0 and 1 returned. */
static int header_bytes(const cjwt_value *h, const char *name, unsigned char *out, size_t max,
                        size_t *n, cjwt_error *err)
{
    const cjwt_value *v = cjwt_value_object_get(h, name);
    size_t sl = 0;
    const char *s;
    *n = 0;
    if (!v)
        return 1;
    s = cjwt_value_string(v, &sl);
    if (!s || cjwtp_b64url_decoded_max(sl) > max || cjwtp_b64url_decode(s, sl, out, n) != 0) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the header's \"%s\" is not base64url of at most %zu bytes",
                   name, max);
        return -1;
    }
    return 0;
}

static const char *const reserved[] = {"alg", "enc", "zip", "epk", "iv", "tag", "p2s", "p2c"};

static json_t *build_jwe_header(const cjwt_jwe_encrypt_opts *o, const cjwt_key *key, cjwt_error *err)
{
    json_t *h = json_object();
    if (!h) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
        return NULL;
    }
    if (cjwtp_header_add_extra(h, o->header, reserved, sizeof reserved / sizeof *reserved, err) !=
        CJWT_OK) {
        json_decref(h);
        return NULL;
    }
    if (json_object_set_new(h, "alg", json_string(cjwt_jwe_alg_name(o->alg))) != 0 ||
        json_object_set_new(h, "enc", json_string(cjwt_jwe_enc_name(o->enc))) != 0 ||
        (o->zip && json_object_set_new(h, "zip", json_string("DEF")) != 0) ||
        (key->kid && !json_object_get(h, "kid") &&
         json_object_set_new(h, "kid", json_string(key->kid)) != 0)) {
        json_decref(h);
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
        return NULL;
    }
    return h;
}

/* A fresh key pair on the recipient's curve (the ephemeral key of ECDH-ES). */
static EVP_PKEY *ephemeral_for(const cjwt_key *key)
{
    switch (key->curve) {
    case CJWTP_CRV_P256: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    case CJWTP_CRV_P384: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    case CJWTP_CRV_P521: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    case CJWTP_CRV_X25519: return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    case CJWTP_CRV_X448: return EVP_PKEY_Q_keygen(NULL, NULL, "X448");
    default: return NULL;
    }
}

/* Key management for encryption: fills cek (cek_len bytes), the encrypted
 * key (*ek, may stay NULL) and the header members the alg needs. */
cjwt_code cjwtp_jwe_encrypt_key(const cjwt_jwe_encrypt_opts *o, const cjwt_key *key, json_t *h,
                                unsigned char *cek, size_t cek_len, int fixed_cek,
                                unsigned char **ek, size_t *ek_len, cjwt_error *err)
{
    const cjwtp_alg_row *ai = cjwtp_jwe_alg_info(o->alg);
    unsigned char kek[32], iv[12], tag[16], p2s[16];
    cjwt_code rc = CJWT_OK;
    *ek = NULL;
    *ek_len = 0;
    if (fixed_cek && (ai->km == CJWTP_KM_DIR || (ai->km == CJWTP_KM_ECDH && !ai->kek_len)))
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "%s sets the content key itself: with "
                          "several recipients use a key-wrapping algorithm", ai->name);
    if (ai->km == CJWTP_KM_DIR) {
        memcpy(cek, key->secret, cek_len);
        return CJWT_OK;
    }
    if (ai->km == CJWTP_KM_ECDH) {
        EVP_PKEY *eph = ephemeral_for(key);
        cjwt_key *ek_key;
        json_t *epk = NULL;
        unsigned char apu[256], apv[256];
        size_t apu_len = 0, apv_len = 0;
        const cjwt_value *hv = CJWTP_VALUE(h);
        if (header_bytes(hv, "apu", apu, sizeof apu, &apu_len, err) < 0 ||
            header_bytes(hv, "apv", apv, sizeof apv, &apv_len, err) < 0) {
            EVP_PKEY_free(eph);
            return CJWT_E_MALFORMED;
        }
        if (!eph) {
            ERR_clear_error();
            return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL could not make an ephemeral key");
        }
        EVP_PKEY_up_ref(eph);
        ek_key = cjwtp_key_from_pkey(eph, 0, err);   /* takes one reference */
        if (!ek_key) {
            EVP_PKEY_free(eph);
            return err ? err->code : CJWT_E_INTERNAL;
        }
        epk = cjwtp_key_to_jwk(ek_key, 0, err);
        cjwt_key_free(ek_key);
        if (!epk || json_object_set_new(h, "epk", epk) != 0) {
            EVP_PKEY_free(eph);
            return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the epk");
        }
        rc = cjwtp_ecdh_es_key(eph, key->pkey, ai->kek_len ? ai->name : cjwt_jwe_enc_name(o->enc),
                               apu, apu_len, apv, apv_len, ai->kek_len ? kek : cek,
                               ai->kek_len ? ai->kek_len : cek_len, err);
        EVP_PKEY_free(eph);
        if (rc != CJWT_OK || !ai->kek_len)
            return rc;
    }
    if (!fixed_cek && (rc = cjwtp_random(cek, cek_len, err)) != CJWT_OK)
        return rc;
    if (ai->km == CJWTP_KM_RSA)
        return cjwtp_rsa_encrypt_key(o->alg, key->pkey, cek, cek_len, ek, ek_len, err);
    *ek = malloc(cek_len + 8);
    if (!*ek)
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory wrapping a key");
    switch (ai->km) {
    case CJWTP_KM_KW:
        rc = cjwtp_aes_kw(1, key->secret, key->secret_len, cek, cek_len, *ek, ek_len, err);
        break;
    case CJWTP_KM_ECDH:
        rc = cjwtp_aes_kw(1, kek, ai->kek_len, cek, cek_len, *ek, ek_len, err);
        break;
    case CJWTP_KM_PBES2: {
        uint32_t p2c = o->p2c ? o->p2c : CJWT_JWE_DEFAULT_P2C;
        if ((rc = cjwtp_random(p2s, sizeof p2s, err)) != CJWT_OK ||
            (rc = cjwtp_pbes2_kek(o->alg, key->secret, key->secret_len, p2s, sizeof p2s, p2c, kek,
                                  err)) != CJWT_OK ||
            (rc = cjwtp_aes_kw(1, kek, ai->kek_len, cek, cek_len, *ek, ek_len, err)) != CJWT_OK)
            break;
        if (cjwtp_json_set_b64(h, "p2s", p2s, sizeof p2s) != 0 ||
            json_object_set_new(h, "p2c", json_integer(p2c)) != 0)
            rc = cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
        break;
    }
    case CJWTP_KM_GCMKW:
        if ((rc = cjwtp_random(iv, sizeof iv, err)) != CJWT_OK ||
            (rc = cjwtp_aes_gcm_key(1, key->secret, key->secret_len, iv, cek, cek_len, *ek, tag,
                                    err)) != CJWT_OK)
            break;
        *ek_len = cek_len;
        if (cjwtp_json_set_b64(h, "iv", iv, sizeof iv) != 0 || cjwtp_json_set_b64(h, "tag", tag, sizeof tag) != 0)
            rc = cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building the header");
        break;
    default:
        rc = cjwtp_fail(err, CJWT_E_INTERNAL, "unexpected key management");
        break;
    }
    OPENSSL_cleanse(kek, sizeof kek);
    return rc;
}

static char *join5(const char *h, size_t hn, const unsigned char *ek, size_t ekn,
                   const unsigned char *iv, size_t ivn, const unsigned char *ct, size_t ctn,
                   const unsigned char *tag, size_t tagn, size_t *len, cjwt_error *err)
{
    size_t total = hn + cjwtp_b64url_encoded_len(ekn) + cjwtp_b64url_encoded_len(ivn) +
                   cjwtp_b64url_encoded_len(ctn) + cjwtp_b64url_encoded_len(tagn) + 5;
    char *t = malloc(total), *p = t;
    if (!t) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a token");
        return NULL;
    }
    memcpy(p, h, hn);
    p += hn;
    *p++ = '.';
    cjwtp_b64url_encode(ek, ekn, p);
    p += cjwtp_b64url_encoded_len(ekn);
    *p++ = '.';
    cjwtp_b64url_encode(iv, ivn, p);
    p += cjwtp_b64url_encoded_len(ivn);
    *p++ = '.';
    cjwtp_b64url_encode(ct, ctn, p);
    p += cjwtp_b64url_encoded_len(ctn);
    *p++ = '.';
    cjwtp_b64url_encode(tag, tagn, p);
    p += cjwtp_b64url_encoded_len(tagn);
    *p = '\0';
    if (len)
        *len = (size_t)(p - t);
    return t;
}

cjwt_code cjwtp_jwe_seal(cjwt_jwe_enc enc, const unsigned char *cek, int zip,
                         const unsigned char *pt, size_t n, const unsigned char *aad, size_t aad_len,
                         unsigned char **ct, size_t *ct_len, unsigned char *iv, unsigned char *tag,
                         cjwt_error *err)
{
    unsigned char *zbuf = NULL;
    size_t zlen = 0;
    cjwt_code rc;
    if (!pt)
        pt = (const unsigned char *)"";
    if (zip) {
        if ((rc = deflate_raw(pt, n, &zbuf, &zlen, err)) != CJWT_OK)
            return rc;
        pt = zbuf;
        n = zlen;
    }
    if (!(*ct = malloc(n + 16))) {
        wipe_free(zbuf, zlen);
        return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory encrypting");
    }
    if ((rc = cjwtp_random(iv, cjwtp_enc_info(enc)->iv_len, err)) == CJWT_OK)
        rc = cjwtp_content_encrypt(enc, cek, iv, aad, aad_len, pt, n, *ct, ct_len, tag, err);
    wipe_free(zbuf, zlen);
    return rc;
}

char *cjwt_jwe_encrypt(const unsigned char *plaintext, size_t n, const cjwt_key *key,
                       const cjwt_jwe_encrypt_opts *o, size_t *len, cjwt_error *err)
{
    const cjwtp_enc_row *ei;
    json_t *h = NULL;
    char *hjson = NULL, *h64 = NULL, *tok = NULL;
    unsigned char cek[CJWTP_MAX_CEK], iv[16], tag[32], *ek = NULL, *ct = NULL;
    size_t ek_len = 0, hlen, h64len, ct_len = 0;
    const unsigned char *pt = plaintext;

    cjwtp_error_clear(err);
    if (!o || (unsigned)o->alg >= CJWT_JWE_ALG__COUNT || (unsigned)o->enc >= CJWT_ENC__COUNT) {
        cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "a JWE needs a known alg and enc");
        return NULL;
    }
    if (o->alg == CJWT_JWE_RSA1_5) {
        cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG,
                   "RSA1_5 is for decrypting old tokens only; encrypt with RSA-OAEP-256");
        return NULL;
    }
    if (o->p2c && o->p2c < CJWT_JWE_MIN_P2C) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "p2c must be at least %u", CJWT_JWE_MIN_P2C);
        return NULL;
    }
    if (!plaintext && n) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no plaintext given");
        return NULL;
    }
    if (cjwtp_jwe_key_check(key, o->alg, o->enc, 0, err) != CJWT_OK)
        return NULL;
    ei = cjwtp_enc_info(o->enc);
    if (!(h = build_jwe_header(o, key, err)))
        return NULL;
    if (cjwtp_jwe_encrypt_key(o, key, h, cek, ei->cek_len, 0, &ek, &ek_len, err) != CJWT_OK)
        goto out;
    if (!(hjson = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory serializing the header");
        goto out;
    }
    hlen = strlen(hjson);
    h64len = cjwtp_b64url_encoded_len(hlen);
    if (!(h64 = malloc(h64len + 1))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory building a token");
        goto out;
    }
    cjwtp_b64url_encode((const unsigned char *)hjson, hlen, h64);
    if (cjwtp_jwe_seal(o->enc, cek, o->zip, pt, n, (const unsigned char *)h64, h64len, &ct, &ct_len,
                       iv, tag, err) != CJWT_OK)
        goto out;
    tok = join5(h64, h64len, ek, ek_len, iv, ei->iv_len, ct, ct_len, tag, ei->tag_len, len, err);
out:
    OPENSSL_cleanse(cek, sizeof cek);
    free(ct);
    free(ek);
    free(h64);
    free(hjson);
    json_decref(h);
    return tok;
}

/* ---- decryption ------------------------------------------------------------ */

typedef struct seg {
    const char *p;
    size_t n;
} seg;

static cjwt_code split5(const char *tok, size_t len, size_t max_len, seg s[5], cjwt_error *err)
{
    size_t k = 0, start = 0;
    if (!tok)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "no token given");
    if (len > max_len)
        return cjwtp_fail(err, CJWT_E_TOO_LARGE, "the token is %zu bytes, over the limit of %zu", len,
                          max_len);
    for (;;) {   /* memchr, not a byte loop: ~3.5k instructions less per token */
        const char *dot = memchr(tok + start, '.', len - start);
        size_t i = dot ? (size_t)(dot - tok) : len;
        if (k == 5)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "a compact JWE has exactly 5 segments");
        s[k].p = tok + start;
        s[k].n = i - start;
        k++;
        if (!dot)
            break;
        start = i + 1;
    }
    if (k != 5)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "a compact JWE has exactly 5 segments, this has %zu", k);
    if (s[0].n == 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the protected header is empty");
    return CJWT_OK;
}

static unsigned char *decode_seg(const seg *s, size_t *n, const char *what, cjwt_error *err)
{
    unsigned char *b = malloc(cjwtp_b64url_decoded_max(s->n) + 1);
    if (!b) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decoding a token");
        return NULL;
    }
    if (cjwtp_b64url_decode(s->p, s->n, b, n) != 0) {
        free(b);
        cjwtp_fail(err, CJWT_E_MALFORMED, "the %s is not valid base64url", what);
        return NULL;
    }
    return b;
}

static cjwt_code check_crit(const cjwt_value *h, cjwt_error *err)
{
    const cjwt_value *crit = cjwt_value_object_get(h, "crit");
    size_t clen = 0;
    const char *c;
    char q[160];
    if (!crit)
        return CJWT_OK;
    /* RFC 7516 4.1.13 / 7515 4.1.11: a non-empty array of names; cjwt
     * implements no extension, so any name is one it cannot honour. */
    if (cjwt_value_type(crit) != CJWT_TYPE_ARRAY || cjwt_value_size(crit) == 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "\"crit\" must be a non-empty array of names");
    for (size_t i = 0; i < cjwt_value_size(crit); i++)
        if (cjwt_value_type(cjwt_value_array_get(crit, i)) != CJWT_TYPE_STRING)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "\"crit\" must hold strings");
    c = cjwt_value_string(cjwt_value_array_get(crit, 0), &clen);
    cjwtp_quote(q, sizeof q, c, clen);
    return cjwtp_fail(err, CJWT_E_UNKNOWN_CRIT,
                      "the header marks \"%s\" critical, an extension cjwt does not implement", q);
}

static cjwt_code header_names(const cjwt_value *h, cjwt_jwe_alg *alg, cjwt_jwe_enc *enc, int *zip,
                              cjwt_error *err)
{
    const cjwt_value *a = cjwt_value_object_get(h, "alg"), *e = cjwt_value_object_get(h, "enc"),
                     *z = cjwt_value_object_get(h, "zip");
    size_t al = 0, el = 0, zl = 0;
    const char *as = a ? cjwt_value_string(a, &al) : NULL, *es = e ? cjwt_value_string(e, &el) : NULL;
    const char *zs;
    char q[160];
    if (cjwt_value_type(h) != CJWT_TYPE_OBJECT)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the header is not a JSON object");
    if (!as)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the header has no \"alg\" string");
    if (!es)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the header has no \"enc\" string (not a JWE)");
    *alg = cjwt_jwe_alg_from_name(as, al);
    if (*alg == CJWT_JWE_ALG__COUNT) {
        cjwtp_quote(q, sizeof q, as, al);
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "JWE algorithm \"%s\" is not supported", q);
    }
    *enc = cjwt_jwe_enc_from_name(es, el);
    if (*enc == CJWT_ENC__COUNT) {
        cjwtp_quote(q, sizeof q, es, el);
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "JWE encryption \"%s\" is not supported", q);
    }
    *zip = 0;
    if (z) {
        zs = cjwt_value_string(z, &zl);
        if (!zs || zl != 3 || memcmp(zs, "DEF", 3) != 0) {
            cjwtp_quote(q, sizeof q, zs ? zs : "(not a string)", zs ? zl : 14);
            return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "compression \"%s\" is not supported", q);
        }
        *zip = 1;
    }
    return check_crit(h, err);
}

/* The epk of ECDH-ES: a public JWK on the recipient's curve. Reading it
 * through the JWK importer checks the point is on the curve. */
static EVP_PKEY *read_epk(const cjwt_value *h, const cjwt_key *key, cjwt_error *err)
{
    const cjwt_value *epk = cjwt_value_object_get(h, "epk");
    cjwt_error kerr = {CJWT_OK, "", ""};
    cjwt_key *k;
    EVP_PKEY *p;
    if (!epk || cjwt_value_type(epk) != CJWT_TYPE_OBJECT) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "ECDH-ES needs an \"epk\" object in the header");
        return NULL;
    }
    if (cjwt_value_object_get(epk, "d")) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the \"epk\" holds a private key");
        return NULL;
    }
    k = cjwt_key_from_jwk(epk, 0, &kerr);
    if (!k) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the \"epk\" is not a valid public key (%s)", kerr.message);
        return NULL;
    }
    if (k->kty != key->kty || k->curve != key->curve) {
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "the \"epk\" is a %s key, the recipient's is %s",
                   k->curve ? cjwtp_curve_jwk_name(k->curve) : cjwt_kty_name(k->kty),
                   key->curve ? cjwtp_curve_jwk_name(key->curve) : cjwt_kty_name(key->kty));
        cjwt_key_free(k);
        return NULL;
    }
    p = k->pkey;
    EVP_PKEY_up_ref(p);
    cjwt_key_free(k);
    return p;
}

/* Key management for decryption: the CEK into cek (ei->cek_len bytes).
 * Parameter errors have their own codes; every failure of the unwrapping
 * itself is decrypt_failed. */
static cjwt_code decrypt_key(const cjwt_jwe_decrypt_opts *o, const cjwt_key *key,
                             const cjwt_value *h, cjwt_jwe_alg alg, cjwt_jwe_enc enc,
                             const unsigned char *ek, size_t ek_len, unsigned char *cek,
                             cjwt_error *err)
{
    const cjwtp_alg_row *ai = cjwtp_jwe_alg_info(alg);
    const cjwtp_enc_row *ei = cjwtp_enc_info(enc);
    unsigned char kek[32], buf[CJWTP_MAX_CEK + 8];
    size_t n = 0;
    cjwt_code rc;
    int direct = ai->km == CJWTP_KM_DIR || (ai->km == CJWTP_KM_ECDH && !ai->kek_len);
    /* RFC 7516 5.2 step 10: direct modes carry no encrypted key */
    if (direct && ek_len != 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "%s takes an empty encrypted key", ai->name);
    if (!direct && ek_len == 0)
        return cjwtp_fail(err, CJWT_E_MALFORMED, "the encrypted key is empty");
    switch (ai->km) {
    case CJWTP_KM_DIR:
        memcpy(cek, key->secret, ei->cek_len);
        return CJWT_OK;
    case CJWTP_KM_RSA:
        return cjwtp_rsa_decrypt_key(alg, key->pkey, ek, ek_len, cek, ei->cek_len, err);
    case CJWTP_KM_KW:
        if (ek_len != ei->cek_len + 8)
            return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
        rc = cjwtp_aes_kw(0, key->secret, key->secret_len, ek, ek_len, buf, &n, err);
        break;
    case CJWTP_KM_GCMKW: {
        unsigned char iv[16], tag[24];
        size_t ivn = 0, tagn = 0;
        if (header_bytes(h, "iv", iv, sizeof iv, &ivn, err) != 0 ||
            header_bytes(h, "tag", tag, sizeof tag, &tagn, err) != 0 || ivn != 12)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "%s needs a 96-bit \"iv\" and a \"tag\"", ai->name);
        if (tagn != 16 || ek_len != ei->cek_len)
            return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
        rc = cjwtp_aes_gcm_key(0, key->secret, key->secret_len, iv, ek, ek_len, buf, tag, err);
        n = ek_len;
        break;
    }
    case CJWTP_KM_PBES2: {
        const cjwt_value *p2c = cjwt_value_object_get(h, "p2c");
        uint32_t max = o->max_p2c ? o->max_p2c : CJWT_JWE_DEFAULT_MAX_P2C;
        unsigned char p2s[256];
        size_t p2s_len = 0;
        int64_t c;
        if (!p2c || cjwt_value_type(p2c) != CJWT_TYPE_INT || (c = cjwt_value_int(p2c)) < 1)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "PBES2 needs \"p2c\", a positive integer");
        /* Refused before any work: a huge count is a denial of service. */
        if ((uint64_t)c > max)
            return cjwtp_fail(err, CJWT_E_TOO_LARGE, "\"p2c\" %lld is over the limit of %u PBES2 iterations",
                              (long long)c, max);
        if (header_bytes(h, "p2s", p2s, sizeof p2s, &p2s_len, err) != 0 || p2s_len < 8)
            return cjwtp_fail(err, CJWT_E_MALFORMED, "PBES2 needs \"p2s\", a salt of 8 bytes or more");
        if (ek_len != ei->cek_len + 8)
            return cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
        if ((rc = cjwtp_pbes2_kek(alg, key->secret, key->secret_len, p2s, p2s_len, (uint32_t)c, kek,
                                  err)) != CJWT_OK)
            return rc;
        rc = cjwtp_aes_kw(0, kek, ai->kek_len, ek, ek_len, buf, &n, err);
        break;
    }
    case CJWTP_KM_ECDH: {
        unsigned char apu[256], apv[256];
        size_t apu_len = 0, apv_len = 0;
        EVP_PKEY *peer;
        if (header_bytes(h, "apu", apu, sizeof apu, &apu_len, err) < 0 ||
            header_bytes(h, "apv", apv, sizeof apv, &apv_len, err) < 0)
            return CJWT_E_MALFORMED;
        if (!(peer = read_epk(h, key, err)))
            return err ? err->code : CJWT_E_INVALID_KEY;
        rc = cjwtp_ecdh_es_key(key->pkey, peer, direct ? ei->name : ai->name, apu, apu_len, apv,
                               apv_len, direct ? cek : kek, direct ? ei->cek_len : ai->kek_len, err);
        EVP_PKEY_free(peer);
        if (rc != CJWT_OK || direct)
            return rc;
        if (ek_len != ei->cek_len + 8)
            rc = cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
        else
            rc = cjwtp_aes_kw(0, kek, ai->kek_len, ek, ek_len, buf, &n, err);
        break;
    }
    default:
        return cjwtp_fail(err, CJWT_E_INTERNAL, "unexpected key management");
    }
    OPENSSL_cleanse(kek, sizeof kek);
    if (rc == CJWT_OK && n != ei->cek_len)
        rc = cjwtp_fail(err, CJWT_E_DECRYPT_FAILED, CJWTP_DECRYPT_FAILED_MSG);
    if (rc == CJWT_OK)
        memcpy(cek, buf, ei->cek_len);
    OPENSSL_cleanse(buf, sizeof buf);
    return rc;
}

static cjwt_code check_allowlists(const cjwt_jwe_decrypt_opts *o, cjwt_jwe_alg alg, cjwt_jwe_enc enc,
                                  cjwt_error *err)
{
    if (o->algorithms == 0 || o->encryptions == 0)
        return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED,
                          "no JWE algorithms are allowed: pass the algorithms and encryptions you expect");
    if (!(o->algorithms & CJWT_JWE_ALG_BIT(alg)))
        return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED, "The specified alg value is not allowed (%s)",
                          cjwt_jwe_alg_name(alg));
    if (!(o->encryptions & CJWT_ENC_BIT(enc)))
        return cjwtp_fail(err, CJWT_E_ALG_NOT_ALLOWED, "The specified enc value is not allowed (%s)",
                          cjwt_jwe_enc_name(enc));
    return CJWT_OK;
}

/* Steps 2-7 once the parts are decoded: `h` is the header to apply (the
 * protected one, or the union of the JSON serialization's three); pdoc and
 * merged (either may be NULL) are owned and go to the result or are freed. */
static cjwt_jwe *decrypt_core(const cjwt_jwe_decrypt_opts *o, const cjwt_key *key, const cjwt_value *h,
                              cjwtp_doc *pdoc, json_t *merged, const unsigned char *aad, size_t aad_len,
                              const unsigned char *ek, size_t ekn, const unsigned char *iv, size_t ivn,
                              const unsigned char *ct, size_t ctn, const unsigned char *tag, size_t tagn,
                              cjwt_error *err)
{
    cjwt_jwe *res = NULL;
    unsigned char cek[CJWTP_MAX_CEK], *pt = NULL, *out = NULL;
    size_t ptn = 0, outn = 0;
    size_t max_pt = o->max_plaintext ? o->max_plaintext : CJWT_JWE_DEFAULT_MAX_PLAINTEXT;
    cjwt_jwe_alg alg = CJWT_JWE_ALG__COUNT;
    cjwt_jwe_enc enc = CJWT_ENC__COUNT;
    int zip = 0;
    /* 2. header names, crit, zip */
    if (header_names(h, &alg, &enc, &zip, err) != CJWT_OK)
        goto out;
    /* 3. allowlists, 4. key */
    if (check_allowlists(o, alg, enc, err) != CJWT_OK ||
        cjwtp_jwe_key_check(key, alg, enc, 1, err) != CJWT_OK)
        goto out;
    if (ivn != cjwtp_enc_info(enc)->iv_len) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "%s needs a %zu-byte initialization vector",
                   cjwt_jwe_enc_name(enc), cjwtp_enc_info(enc)->iv_len);
        goto out;
    }
    /* 5. key management, 6. content */
    if (decrypt_key(o, key, h, alg, enc, ek, ekn, cek, err) != CJWT_OK)
        goto out;
    if (!(pt = malloc(ctn + 1))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decrypting");
        goto out;
    }
    if (cjwtp_content_decrypt(enc, cek, iv, aad, aad_len, ct, ctn, tag, tagn, pt, &ptn, err) != CJWT_OK)
        goto out;
    /* 7. decompression within the bound */
    if (zip) {
        if (inflate_bounded(pt, ptn, max_pt, &out, &outn, err) != CJWT_OK)
            goto out;
    } else if (ptn > max_pt) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "the plaintext is %zu bytes, over the limit of %zu", ptn, max_pt);
        goto out;
    } else {
        out = pt;
        outn = ptn;
        pt = NULL;
    }
    if (!(res = calloc(1, sizeof *res))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decrypting");
        wipe_free(out, outn);
        goto out;
    }
    res->header = pdoc;
    res->merged = merged;
    pdoc = NULL;
    merged = NULL;
    res->alg = alg;
    res->enc = enc;
    res->plaintext = out;
    res->len = outn;
out:
    OPENSSL_cleanse(cek, sizeof cek);
    wipe_free(pt, ctn + 1);
    cjwtp_doc_free(pdoc);
    json_decref(merged);
    return res;
}

static cjwt_jwe *decrypt_compact(const cjwt_jwe_decrypt_opts *o, const cjwt_key *key, const char *tok,
                                 size_t len, size_t max_len, int max_depth, cjwt_error *err)
{
    seg s[5];
    cjwt_jwe *res = NULL;
    cjwtp_doc *hdr = NULL;
    unsigned char *hb = NULL, *ek = NULL, *iv = NULL, *ct = NULL, *tag = NULL;
    size_t hn = 0, ekn = 0, ivn = 0, ctn = 0, tagn = 0;
    /* 1. structure */
    if (split5(tok, len, max_len, s, err) != CJWT_OK)
        return NULL;
    if (!(hb = decode_seg(&s[0], &hn, "protected header", err)) ||
        !(ek = decode_seg(&s[1], &ekn, "encrypted key", err)) ||
        !(iv = decode_seg(&s[2], &ivn, "initialization vector", err)) ||
        !(ct = decode_seg(&s[3], &ctn, "ciphertext", err)) ||
        !(tag = decode_seg(&s[4], &tagn, "authentication tag", err)))
        goto out;
    if (!(hdr = cjwtp_doc_parse((const char *)hb, hn, max_depth, "the header", err)))
        goto out;
    /* AAD: the header segment as received */
    res = decrypt_core(o, key, cjwtp_doc_root(hdr), hdr, NULL, (const unsigned char *)s[0].p, s[0].n,
                       ek, ekn, iv, ivn, ct, ctn, tag, tagn, err);
out:
    free(hb);
    free(ek);
    free(iv);
    free(ct);
    free(tag);
    return res;
}

/* ---- JSON serialization (RFC 7516 7.2): flattened and general ------------- */

static const char *json_str(const cjwt_value *obj, const char *name, size_t *n, int *bad)
{
    const cjwt_value *v = cjwt_value_object_get(obj, name);
    const char *s;
    *n = 0;
    if (!v)
        return NULL;
    s = cjwt_value_string(v, n);
    if (!s)
        *bad = 1;
    return s;
}

static unsigned char *json_b64(const cjwt_value *obj, const char *name, size_t *n, int required,
                               cjwt_error *err)
{
    int bad = 0;
    size_t sl;
    const char *s = json_str(obj, name, &sl, &bad);
    seg sg;
    if (bad || (!s && required)) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the JWE's \"%s\" must be a base64url string", name);
        return NULL;
    }
    sg.p = s ? s : "";
    sg.n = sl;
    return decode_seg(&sg, n, name, err);
}

/* protected + unprotected + recipient header, which must not share a name;
 * zip and crit only in the protected header (they must be authenticated). */
static json_t *merge_headers(const cjwt_value *prot, const cjwt_value *unprot, const cjwt_value *rh,
                             cjwt_error *err)
{
    const cjwt_value *parts[3] = {prot, unprot, rh};
    json_t *m = json_object();
    if (!m) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory merging headers");
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        if (cjwt_value_type(parts[i]) != CJWT_TYPE_OBJECT) {
            cjwtp_fail(err, CJWT_E_MALFORMED, "a JWE header must be a JSON object");
            goto fail;
        }
        for (void *it = cjwt_object_iter(parts[i]); it; it = cjwt_object_iter_next(parts[i], it)) {
            size_t kl;
            const char *k = cjwt_object_iter_key(it, &kl);
            json_t *v;
            char q[120];
            cjwtp_quote(q, sizeof q, k, kl);
            if (json_object_get(m, k)) {
                cjwtp_fail(err, CJWT_E_MALFORMED, "the JWE's headers share the member \"%s\"", q);
                goto fail;
            }
            if (i > 0 && (strcmp(k, "zip") == 0 || strcmp(k, "crit") == 0)) {
                cjwtp_fail(err, CJWT_E_MALFORMED, "\"%s\" must be in the protected header", q);
                goto fail;
            }
            if (!(v = cjwtp_value_to_jansson(cjwt_object_iter_value(it))) || json_object_set_new(m, k, v) != 0) {
                cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory merging headers");
                goto fail;
            }
        }
    }
    return m;
fail:
    json_decref(m);
    return NULL;
}

static cjwt_jwe *decrypt_json(const cjwt_jwe_decrypt_opts *o, const cjwt_key *key, const char *text,
                              size_t len, size_t max_len, int max_depth, cjwt_error *err)
{
    cjwtp_doc *doc = NULL, *pdoc = NULL;
    const cjwt_value *root, *recips, *unprot, *prot = NULL;
    cjwt_jwe *res = NULL;
    unsigned char *pb = NULL, *iv = NULL, *ct = NULL, *tag = NULL, *aadb = NULL, *aad = NULL;
    size_t pn = 0, ivn = 0, ctn = 0, tagn = 0, aadn = 0, p64n = 0, a64n = 0, nrec, tried = 0;
    const char *p64, *a64;
    int bad = 0;
    if (len > max_len) {
        cjwtp_fail(err, CJWT_E_TOO_LARGE, "the JWE is %zu bytes, over the limit of %zu", len, max_len);
        return NULL;
    }
    if (!(doc = cjwtp_doc_parse(text, len, max_depth, "the JWE", err)))
        return NULL;
    root = cjwtp_doc_root(doc);
    if (cjwt_value_type(root) != CJWT_TYPE_OBJECT) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "a JSON-serialized JWE is an object");
        goto out;
    }
    p64 = json_str(root, "protected", &p64n, &bad);
    a64 = json_str(root, "aad", &a64n, &bad);
    unprot = cjwt_value_object_get(root, "unprotected");
    recips = cjwt_value_object_get(root, "recipients");
    if (bad) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "the JWE's \"protected\" and \"aad\" must be strings");
        goto out;
    }
    if (recips && (cjwt_value_type(recips) != CJWT_TYPE_ARRAY || cjwt_value_size(recips) == 0 ||
                   cjwt_value_object_get(root, "header") || cjwt_value_object_get(root, "encrypted_key"))) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "\"recipients\" must be a non-empty array (general form only)");
        goto out;
    }
    if (!(iv = json_b64(root, "iv", &ivn, 1, err)) || !(ct = json_b64(root, "ciphertext", &ctn, 1, err)) ||
        !(tag = json_b64(root, "tag", &tagn, 1, err)) || !(aadb = json_b64(root, "aad", &aadn, 0, err)))
        goto out;
    if (p64) {
        if (!(pb = json_b64(root, "protected", &pn, 1, err)) ||
            !(pdoc = cjwtp_doc_parse((const char *)pb, pn, max_depth, "the protected header", err)))
            goto out;
        prot = cjwtp_doc_root(pdoc);
    }
    /* AAD = ASCII(BASE64URL(protected) [|| '.' || BASE64URL(aad)]) */
    if (!(aad = malloc(p64n + 1 + a64n + 1))) {
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory decrypting");
        goto out;
    }
    if (p64n)
        memcpy(aad, p64, p64n);
    if (a64) {
        aad[p64n] = '.';
        memcpy(aad + p64n + 1, a64, a64n);
    }
    nrec = recips ? cjwt_value_size(recips) : 1;
    for (size_t i = 0; i < nrec; i++) {
        const cjwt_value *r = recips ? cjwt_value_array_get(recips, i) : root;
        const cjwt_value *rh = cjwt_value_object_get(r, "header"), *kid;
        unsigned char *ek;
        size_t ekn = 0, kl = 0;
        const char *ks;
        json_t *m;
        if (cjwt_value_type(r) != CJWT_TYPE_OBJECT) {
            cjwtp_fail(err, CJWT_E_MALFORMED, "a recipient must be an object");
            goto out;
        }
        if (!(m = merge_headers(prot, unprot, rh, err)))
            goto out;
        /* several recipients: the one whose kid is the key's (when both have one) */
        kid = cjwt_value_object_get(CJWTP_VALUE(m), "kid");
        ks = kid ? cjwt_value_string(kid, &kl) : NULL;
        if (nrec > 1 && key && key->kid && ks && (strlen(key->kid) != kl || memcmp(key->kid, ks, kl) != 0)) {
            json_decref(m);
            continue;
        }
        if (!(ek = json_b64(r, "encrypted_key", &ekn, 0, err))) {
            json_decref(m);
            goto out;
        }
        if (tried++ && err)
            cjwtp_error_clear(err);   /* the last recipient tried reports */
        res = decrypt_core(o, key, CJWTP_VALUE(m), NULL, m, aad, p64n + (a64 ? 1 + a64n : 0), ek, ekn,
                           iv, ivn, ct, ctn, tag, tagn, err);
        free(ek);
        if (res)
            break;
    }
    if (!tried)
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "no recipient of the JWE has the key's kid");
out:
    free(pb);
    free(iv);
    free(ct);
    free(tag);
    free(aadb);
    free(aad);
    cjwtp_doc_free(pdoc);
    cjwtp_doc_free(doc);
    return res;
}

cjwt_jwe *cjwt_jwe_decrypt(const cjwt_jwe_decrypt_opts *o, const cjwt_key *key, const char *tok,
                           size_t len, cjwt_error *err)
{
    static const cjwt_jwe_decrypt_opts defaults;
    size_t max_len, i = 0;
    int max_depth;
    cjwtp_error_clear(err);
    if (!o)
        o = &defaults;
    max_depth = o->max_depth > 0 ? o->max_depth : CJWT_DEFAULT_MAX_DEPTH;
    max_len = o->max_token_len ? o->max_token_len : CJWT_DEFAULT_MAX_TOKEN_LEN;
    if (!tok) {
        cjwtp_fail(err, CJWT_E_MALFORMED, "no token given");
        return NULL;
    }
    while (i < len && (tok[i] == ' ' || tok[i] == '\t' || tok[i] == '\r' || tok[i] == '\n'))
        i++;
    if (i < len && tok[i] == '{')
        return decrypt_json(o, key, tok, len, max_len, max_depth, err);
    return decrypt_compact(o, key, tok, len, max_len, max_depth, err);
}
