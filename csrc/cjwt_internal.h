/* Internal declarations shared by the core's files. Never included by a
 * binding; every name here is cjwtp_ and hidden from the shared object. */
#ifndef CJWT_INTERNAL_H
#define CJWT_INTERNAL_H

#include "cjwt.h"
#include <jansson.h>
#include <openssl/evp.h>

#if defined(__GNUC__) || defined(__clang__)
#define CJWTP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CJWTP_PRINTF(f, a)
#endif

/* A cjwt_value is a json_t; the public type only hides the JSON library. */
#define CJWTP_JSON(v) ((json_t *)(v))
#define CJWTP_CJSON(v) ((const json_t *)(v))
#define CJWTP_VALUE(j) ((cjwt_value *)(j))

/* error.c: sets *err (if not NULL and not already set: the first error wins)
 * and returns `code` so that callers can `return cjwtp_fail(...)`. */
cjwt_code cjwtp_fail(cjwt_error *err, cjwt_code code, const char *fmt, ...) CJWTP_PRINTF(3, 4);
cjwt_code cjwtp_fail_claim(cjwt_error *err, cjwt_code code, const char *claim,
                           const char *fmt, ...) CJWTP_PRINTF(4, 5);
void cjwtp_error_clear(cjwt_error *err);
/* Copy at most `max` bytes of untrusted text into a message, escaping
 * anything that is not printable ASCII, so messages stay short and safe. */
void cjwtp_quote(char *dst, size_t dstsize, const char *src, size_t len);

/* b64url.c: strict base64url without padding (RFC 7515 section 2). */
size_t cjwtp_b64url_encoded_len(size_t n);
/* Writes cjwtp_b64url_encoded_len(n) chars (no NUL). */
void cjwtp_b64url_encode(const unsigned char *src, size_t n, char *dst);
/* Upper bound of decoded bytes for n chars. */
size_t cjwtp_b64url_decoded_max(size_t n);
/* Decodes strictly; returns 0 and the length in *out_len, or -1 if the
 * input has a character outside the alphabet, padding, an impossible length
 * (n % 4 == 1) or non-zero trailing bits. */
int cjwtp_b64url_decode(const char *src, size_t n, unsigned char *dst, size_t *out_len);

/* json_read.c: the one JSON reader (strict: see the file's comment). A
 * document is immutable; its values are cjwtp_node and are read through the
 * public cjwt_value_* accessors, which also accept jansson values. */
#define CJWTP_NODE_TAG 0x6a770000u     /* above every json_type value */
#define CJWTP_NODE_ASCII 0x100u        /* a string node whose bytes are all < 0x80 */
typedef struct cjwtp_node {
    uint32_t tag;          /* CJWTP_NODE_TAG | CJWTP_NODE_ASCII (strings) | cjwt_type */
    uint32_t span;         /* nodes in this subtree, itself included */
    uint32_t count;        /* array elements, object members */
    uint32_t len;          /* string bytes */
    union { int64_t i; double d; const char *s; } u;
} cjwtp_node;
#define CJWTP_IS_NODE(v) ((*(const uint32_t *)(const void *)(v) & 0xffff0000u) == CJWTP_NODE_TAG)
typedef struct cjwtp_doc cjwtp_doc;
cjwtp_doc *cjwtp_doc_parse(const char *text, size_t len, int max_depth, const char *what,
                           cjwt_error *err);
const cjwt_value *cjwtp_doc_root(const cjwtp_doc *doc);
void cjwtp_doc_free(cjwtp_doc *doc);
/* json.c: a JOSE header's alg, kid, crit and b64 members in one pass (each
 * NULL when absent); h must be a document object (names are unique in it). */
typedef struct cjwtp_hdr_members {
    const cjwt_value *alg, *kid, *crit, *b64;
} cjwtp_hdr_members;
void cjwtp_header_members(const cjwt_value *h, cjwtp_hdr_members *m);
/* json.c: obj[name] = base64url(p[0..n)) (the text is wiped after use: it may
 * be key material). 0, or -1 when out of memory. */
int cjwtp_json_set_b64(json_t *obj, const char *name, const unsigned char *p, size_t n);
/* json.c: copies the members of `extra` (a caller's extra header; NULL: none)
 * into h, except those named in skip[0..n_skip). Malformed unless an object. */
cjwt_code cjwtp_header_add_extra(json_t *h, const cjwt_value *extra, const char *const *skip,
                                 size_t n_skip, cjwt_error *err);

/* json.c: JSON text read by the one reader, as a new jansson value (for
 * JWKs and other inputs that are kept or built upon). */
json_t *cjwtp_json_parse(const char *text, size_t len, int max_depth, const char *what,
                         cjwt_error *err);
/* Any cjwt_value (reader node or jansson) as a jansson value: a new
 * reference, or NULL when out of memory. */
json_t *cjwtp_value_to_jansson(const cjwt_value *v);

/* alg.c */
typedef enum cjwtp_family { CJWTP_FAM_NONE, CJWTP_FAM_HMAC, CJWTP_FAM_RSA, CJWTP_FAM_PSS,
                            CJWTP_FAM_EC, CJWTP_FAM_EDDSA } cjwtp_family;
cjwtp_family cjwtp_alg_family(cjwt_alg alg);
/* Output size of the hash an algorithm uses (0 for none/EdDSA). */
size_t cjwtp_alg_hash_len(cjwt_alg alg);
#define CJWTP_MAX_SIG 512   /* largest signature any supported alg produces */
/* Checks that `key` can be used with `alg` (type, curve, size, bound alg,
 * HMAC length rule). */
cjwt_code cjwtp_key_check(const cjwt_key *key, cjwt_alg alg, cjwt_error *err);
/* Signs `data`; sig must hold CJWTP_MAX_SIG bytes. */
cjwt_code cjwtp_sign(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                     unsigned char *sig, size_t *sig_len, cjwt_error *err);
cjwt_code cjwtp_verify_sig(const cjwt_key *key, cjwt_alg alg, const unsigned char *data,
                           size_t n, const unsigned char *sig, size_t sig_len, cjwt_error *err);

/* key.c */
#define CJWTP_MAC_POOL 4
struct cjwt_key {
    int refs;                    /* atomic */
    cjwt_kty kty;
    cjwt_alg alg;                /* bound algorithm, CJWT_ALG__COUNT if none */
    unsigned flags;
    unsigned use_sig_ok : 1;     /* "use" absent or "sig" (and no JWE "alg") */
    unsigned use_enc_ok : 1;     /* "use" absent or "enc" (and no JWS "alg") */
    unsigned ops;                /* CJWTP_OP_* allowed by key_ops; all if absent */
    int jwe_alg;                 /* JWK "alg" naming a JWE key management alg, else -1 */
    int jwe_enc;                 /* JWK "alg" naming a content encryption (a dir key), else -1 */
    char *kid;
    unsigned char *secret;       /* oct */
    size_t secret_len;
    EVP_PKEY *pkey;              /* RSA, EC, OKP */
    int is_private;
    int bits;                    /* RSA modulus / EC field size in bits */
    int curve;                   /* CJWTP_CRV_* for EC and OKP */
    /* Ed25519 (OKP) keys: the raw public key, extracted once when the key
     * is made; with libsodium (CJWT_HAVE_SODIUM) also its 64-byte secret
     * key (seed || public key) when the key is private (alg.c signs and
     * verifies with them; the EVP_PKEY stays for import, export and the
     * OpenSSL build). */
    unsigned char ed_pk[32];
    unsigned char *ed_sk;        /* NULL unless private and libsodium is used */
    int ed_sodium;               /* libsodium initialised: use it for this key */
    /* Prepared per-algorithm contexts, created on first use and then only
     * copied (never modified), so sharing the key between threads is safe.
     * Set once with an atomic compare-and-swap; freed with the key. */
    void *prepared[2][CJWT_ALG__COUNT];   /* [0] verify, [1] sign: EVP_MD_CTX*; HMAC: [1] only,
                                             the keyed inner/outer hash states (alg.c) */
    /* Digest contexts for HMAC ready for reuse (taken and returned with
     * atomic exchanges), so a MAC need not allocate a context each time. */
    void *mac_pool[CJWT_ALG__COUNT][CJWTP_MAC_POOL];
};
void cjwtp_key_free_prepared(cjwt_key *k);
/* alg.c: fills ed_pk (and, with libsodium, ed_sk) from key->pkey; 0 or -1. */
int cjwtp_ed25519_prepare(cjwt_key *k, cjwt_error *err);
/* alg.c: 1 if the build signs and verifies Ed25519 with libsodium. */
int cjwtp_ed25519_uses_sodium(void);

enum { CJWTP_CRV_NONE, CJWTP_CRV_P256, CJWTP_CRV_P384, CJWTP_CRV_P521, CJWTP_CRV_ED25519,
       CJWTP_CRV_X25519, CJWTP_CRV_X448, CJWTP_CRV_SECP256K1, CJWTP_CRV_ED448 };
/* key.c */
cjwt_key *cjwtp_key_alloc(cjwt_kty kty, unsigned flags, cjwt_error *err);
/* Takes ownership of pkey (also on failure): classifies it, checks it is a
 * type and size cjwt signs with, and wraps it in a new key. */
cjwt_key *cjwtp_key_from_pkey(EVP_PKEY *pkey, unsigned flags, cjwt_error *err);
/* key_jwk.c */
int cjwtp_jwk_common(cjwt_key *k, const json_t *jwk, cjwt_error *err);
json_t *cjwtp_key_to_jwk(const cjwt_key *k, int include_private, cjwt_error *err);
/* key_pem.c: PEM (or DER) of any supported key type; NULL if not a key. */
cjwt_key *cjwtp_key_from_pem_or_der(const unsigned char *data, size_t len, const char *password,
                                    size_t pass_len, unsigned flags, cjwt_error *err);
const char *cjwtp_curve_jwk_name(int curve);
/* Fixed width of one ECDSA coordinate/scalar for a curve (32, 48, 66). */
size_t cjwtp_curve_bytes(int curve);
#define CJWTP_OP_SIGN 0x1u
#define CJWTP_OP_VERIFY 0x2u
#define CJWTP_OP_ENCRYPT 0x4u       /* key_ops "encrypt", "wrapKey", "deriveKey", "deriveBits" */
#define CJWTP_OP_DECRYPT 0x8u       /* key_ops "decrypt", "unwrapKey", "deriveKey", "deriveBits" */
#define CJWTP_OP_ALL 0xfu

/* jwe_alg.c: the JWE algorithm tables and primitives (used by jwe.c and
 * key_jwk.c). Key fit for JWE: type, size, use, key_ops, binding. */
cjwt_code cjwtp_jwe_key_check(const cjwt_key *key, cjwt_jwe_alg alg, cjwt_jwe_enc enc,
                              int decrypting, cjwt_error *err);
/* 0 when a JWK alg binding names a JWE alg (*alg) or enc (*enc); -1 otherwise. */
int cjwtp_jwe_binding_from_name(const char *name, int *alg, int *enc);

/* claims.c: validates the payload against opts at time now. `times` (may
 * be NULL) receives the numeric dates the time rules looked at, so that a
 * cached verification can apply the same rules again at another time. */
typedef struct cjwtp_times {
    unsigned checked;        /* CJWT_CHECK_IAT / NBF / EXP: which dates were present and checked */
    double iat, nbf, exp;    /* iat also when max_age is set */
} cjwtp_times;
cjwt_code cjwtp_check_claims(const cjwt_verify_opts *opts, unsigned checks,
                             const cjwt_value *payload, double now, cjwtp_times *times,
                             cjwt_error *err);
/* The time rules alone (iat, nbf, exp, max_age, in the order and with the
 * messages of cjwtp_check_claims), for dates that passed every other check. */
cjwt_code cjwtp_check_times(const cjwt_verify_opts *opts, const cjwtp_times *times, double now,
                            cjwt_error *err);

/* jws.c: a verified (or unverified-decoded) JWS. */
struct cjwt_decoded {
    int refs;                   /* atomic: the caller's, plus a verifier cache's */
    cjwtp_doc *header;          /* the protected header (NULL: a JSON signature without one) */
    cjwtp_doc *payload;         /* NULL in raw (JWS) mode */
    json_t *merged;             /* JSON serialization: protected + unprotected header, else NULL */
    json_t *unprotected;        /* JSON serialization: the unprotected header, else NULL */
    size_t sig_index;           /* JSON serialization: which signature verified */
    cjwt_alg alg;
    unsigned char *payload_bytes;   /* point into buf */
    size_t payload_len;
    unsigned char *sig;
    size_t sig_len;
    unsigned char buf[];        /* payload, then signature (then scratch) */
};

/* jws.c: the verification pipeline behind cjwt_verify*_with (ks NULL: key)
 * for a compact JWS; `detached` (NULL: none) is a detached payload.
 * `times` (may be NULL) as for cjwtp_check_claims. */
cjwt_decoded *cjwtp_verify_impl(const cjwt_verify_opts *o, const cjwt_key *key,
                                const cjwt_keyset *ks, const char *tok, size_t len,
                                const unsigned char *detached, size_t detached_len, int has_now,
                                double now, cjwtp_times *times, cjwt_error *err);
/* jws.c: the protected header to sign with; *unencoded set by "b64": false. */
json_t *cjwtp_jws_build_header(const cjwt_sign_opts *o, const cjwt_key *signer, int is_jwt,
                               int *unencoded, cjwt_error *err);
/* jws.c: h64 '.' payload (base64url-encoded when `encode`), a new buffer of *n bytes. */
unsigned char *cjwtp_jws_signing_input(const char *h64, size_t h64n, const unsigned char *payload,
                                       size_t plen, int encode, size_t *n, cjwt_error *err);
/* jws.c: RFC 7515 crit and RFC 7797 b64 of a protected header (either
 * NULL when absent); *encoded is 0 for "b64": false. */
cjwt_code cjwtp_jws_crit(const cjwt_value *crit, const cjwt_value *b64, int *encoded,
                         cjwt_error *err);
/* jws.c: allowlist, never "none", then the key (or the set's key, by kid). */
cjwt_code cjwtp_check_signature(const cjwt_verify_opts *o, const cjwt_key *key,
                                const cjwt_keyset *ks, const cjwt_value *kid, cjwt_alg alg,
                                const unsigned char *input, size_t n, const unsigned char *sig,
                                size_t sig_len, cjwt_error *err);
/* The revocation step of the pipeline (o->revocation set) for a verified payload. */
cjwt_code cjwtp_check_revocation(const cjwt_verify_opts *o, const cjwt_value *payload,
                                 cjwt_error *err);
/* `now` for the claim rules: the clock unless has_now; CJWT_E_INTERNAL if not finite. */
cjwt_code cjwtp_resolve_now(int has_now, double *now, cjwt_error *err);
cjwt_decoded *cjwtp_decoded_ref(cjwt_decoded *d);

/* cache.c: the verified-token cache of a verifier (thread-safe). Entries
 * are keyed by the token's bytes and the key or key set it was verified
 * with (a reference is held, so an address is never reused while cached). */
typedef struct cjwtp_cache cjwtp_cache;
cjwtp_cache *cjwtp_cache_new(size_t capacity);   /* NULL: no memory (or capacity out of range) */
void cjwtp_cache_free(cjwtp_cache *c);
/* The seeded hash every other call takes (computed once per token). */
uint64_t cjwtp_cache_hash(const cjwtp_cache *c, const char *tok, size_t len);
/* A hit: a new reference to the cached result, and its dates in *times;
 * NULL on a miss (an entry for another key object is dropped). */
cjwt_decoded *cjwtp_cache_get(cjwtp_cache *c, uint64_t hash, const void *keyobj, const char *tok,
                              size_t len, cjwtp_times *times);
/* Remembers a verified token; adds its own references to d and keyobj. */
void cjwtp_cache_put(cjwtp_cache *c, uint64_t hash, const void *keyobj, int is_set,
                     const char *tok, size_t len, cjwt_decoded *d, const cjwtp_times *times);
/* Drops the token's entry if it still holds d (its dates no longer hold). */
void cjwtp_cache_drop(cjwtp_cache *c, uint64_t hash, const char *tok, size_t len,
                      const cjwt_decoded *d);
void cjwtp_cache_clear(cjwtp_cache *c);
void cjwtp_cache_stats(cjwtp_cache *c, cjwt_cache_stats *out);
/* RFC 7515 4.1.9 comparison of a typ header to the expected media type. */
int cjwtp_typ_matches(const char *expected, const char *got);

/* jws.c: the claims of a JWT as compact JSON text (malloc'd), with iat/exp
 * added when o->has_expires_in (o may be NULL); payload must be an object. */
char *cjwtp_claims_json(const cjwt_value *payload, const cjwt_sign_opts *o, cjwt_error *err);
/* jws.c: the header's typ against the expected one (invalid_typ). */
cjwt_code cjwtp_check_typ(const char *expected, const cjwt_value *header, cjwt_error *err);

/* verify options normalised (defaults applied). */
unsigned cjwtp_effective_checks(const cjwt_verify_opts *opts);

#endif
