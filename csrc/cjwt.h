/* cjwt: JSON Web Tokens (JWS and JWE compact serialization) for C, Python and Lua.
 *
 * This is the only header a binding includes. Public names start with cjwt_,
 * internal ones with cjwtp_ (hidden, see cjwt_internal.h).
 *
 * Ownership: a function named *_new or returning `char *` hands the caller a
 * new object to release with the matching *_free / cjwt_free. "Borrowed"
 * pointers stay valid as long as the object they came from.
 *
 * Errors: every call that can fail takes an optional `cjwt_error *` (NULL is
 * allowed); on failure it is filled with a stable code and a human message.
 * Nothing here prints, aborts or keeps global mutable state; keys, verifiers
 * and decoded tokens can be shared between threads once created (read only).
 */
#ifndef CJWT_H
#define CJWT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CJWT_API __attribute__((visibility("default")))
#define CJWT_MUST_CHECK __attribute__((warn_unused_result))
#else
#define CJWT_API
#define CJWT_MUST_CHECK
#endif

#define CJWT_VERSION "0.1.0"

/* ---- errors ---------------------------------------------------------- */

/* Stable codes; the names (cjwt_code_name) are the public contract shared
 * by C, Python and Lua. New codes are added before CJWT_E__COUNT only. */
typedef enum cjwt_code {
    CJWT_OK = 0,
    CJWT_E_MALFORMED,        /* "malformed": not a well-formed token/JSON/base64url */
    CJWT_E_UNSUPPORTED_ALG,  /* "unsupported_alg": alg name unknown or not implemented */
    CJWT_E_ALG_NOT_ALLOWED,  /* "alg_not_allowed": alg not in the caller's allowlist */
    CJWT_E_INVALID_KEY,      /* "invalid_key": key unusable, weak, or of the wrong type */
    CJWT_E_BAD_SIGNATURE,    /* "bad_signature" */
    CJWT_E_EXPIRED,          /* "expired": exp passed, or older than max_age */
    CJWT_E_NOT_YET_VALID,    /* "not_yet_valid": nbf (or iat) in the future */
    CJWT_E_INVALID_IAT,      /* "invalid_iat": iat is not a number */
    CJWT_E_INVALID_AUDIENCE, /* "invalid_audience" */
    CJWT_E_INVALID_ISSUER,   /* "invalid_issuer" */
    CJWT_E_INVALID_SUBJECT,  /* "invalid_subject" */
    CJWT_E_MISSING_CLAIM,    /* "missing_claim": cjwt_error.claim names it */
    CJWT_E_INVALID_TYP,      /* "invalid_typ": header typ differs from the expected one */
    CJWT_E_UNKNOWN_CRIT,     /* "unknown_crit": crit names an extension we do not implement */
    CJWT_E_REVOKED,          /* "revoked" */
    CJWT_E_TOO_LARGE,        /* "too_large": token length or JSON depth over the limit */
    CJWT_E_NO_MEMORY,        /* "no_memory" */
    CJWT_E_INTERNAL,         /* "internal": a library or OpenSSL failure that is not the input's fault */
    CJWT_E_INVALID_JTI,      /* "invalid_jti": jti is not a string */
    CJWT_E_UNAVAILABLE,      /* "unavailable": the revocation store could not answer (fail closed) */
    CJWT_E_DECRYPT_FAILED,   /* "decrypt_failed": a JWE did not decrypt (tag, key unwrap, padding: one answer) */
    CJWT_E__COUNT            /* sentinel, not a code */
} cjwt_code;

#define CJWT_ERROR_MESSAGE_SIZE 256
#define CJWT_ERROR_CLAIM_SIZE 64

typedef struct cjwt_error {
    cjwt_code code;                          /* CJWT_OK when nothing failed */
    char message[CJWT_ERROR_MESSAGE_SIZE];   /* human text, NUL terminated */
    char claim[CJWT_ERROR_CLAIM_SIZE];       /* claim concerned, or "" */
} cjwt_error;

/* "malformed", "expired", ...; "unknown" for a value out of range. Static. */
CJWT_API const char *cjwt_code_name(cjwt_code code);
/* Inverse of cjwt_code_name; returns CJWT_E__COUNT for an unknown name. */
CJWT_API cjwt_code cjwt_code_from_name(const char *name);

/* Frees memory this library returned as `char *` (tokens, JSON text). */
CJWT_API void cjwt_free(void *p);

/* ---- algorithms -------------------------------------------------------- */

typedef enum cjwt_alg {
    CJWT_ALG_NONE = 0,
    CJWT_ALG_HS256, CJWT_ALG_HS384, CJWT_ALG_HS512,
    CJWT_ALG_RS256, CJWT_ALG_RS384, CJWT_ALG_RS512,
    CJWT_ALG_PS256, CJWT_ALG_PS384, CJWT_ALG_PS512,
    CJWT_ALG_ES256, CJWT_ALG_ES384, CJWT_ALG_ES512,
    CJWT_ALG_EDDSA,          /* Ed25519 or Ed448: the key decides (RFC 8037) */
    CJWT_ALG_ES256K,         /* ECDSA on secp256k1 with SHA-256 (RFC 8812) */
    CJWT_ALG__COUNT          /* sentinel; also "no algorithm" */
} cjwt_alg;

#define CJWT_ALG_BIT(a) (1u << (unsigned)(a))

/* Exact, case-sensitive JWA name ("HS256", "none", "EdDSA") -> alg.
 * Returns CJWT_ALG__COUNT when the name is not a JWS algorithm cjwt knows. */
CJWT_API cjwt_alg cjwt_alg_from_name(const char *name, size_t len);
CJWT_API const char *cjwt_alg_name(cjwt_alg alg);
/* 1 when this build can sign and verify with `alg` (0 for "none", which is
 * never implied but can be requested by name). */
CJWT_API int cjwt_alg_supported(cjwt_alg alg);

/* ---- JSON values ------------------------------------------------------- */
/* A cjwt_value is a JSON value as the core holds it. Bindings read decoded
 * headers/claims through the accessors and build payloads with the
 * constructors, so they never depend on the JSON library underneath. */

typedef struct cjwt_value cjwt_value;

typedef enum cjwt_type {
    CJWT_TYPE_NULL, CJWT_TYPE_FALSE, CJWT_TYPE_TRUE, CJWT_TYPE_INT,
    CJWT_TYPE_REAL, CJWT_TYPE_STRING, CJWT_TYPE_ARRAY, CJWT_TYPE_OBJECT
} cjwt_type;

CJWT_API cjwt_type cjwt_value_type(const cjwt_value *v);
CJWT_API int64_t cjwt_value_int(const cjwt_value *v);     /* 0 unless INT */
CJWT_API double cjwt_value_real(const cjwt_value *v);     /* INT or REAL as double */
/* Borrowed UTF-8 bytes (NUL terminated, no embedded NUL); NULL unless STRING. */
CJWT_API const char *cjwt_value_string(const cjwt_value *v, size_t *len);
CJWT_API size_t cjwt_value_size(const cjwt_value *v);     /* array length / member count */
CJWT_API const cjwt_value *cjwt_value_array_get(const cjwt_value *a, size_t i); /* borrowed */
CJWT_API const cjwt_value *cjwt_value_object_get(const cjwt_value *o, const char *key); /* borrowed */

/* Object iteration in document order:
 *   for (void *it = cjwt_object_iter(o); it; it = cjwt_object_iter_next(o, it)) ...
 * Keys and values are borrowed. */
CJWT_API void *cjwt_object_iter(const cjwt_value *o);
CJWT_API void *cjwt_object_iter_next(const cjwt_value *o, void *it);
CJWT_API const char *cjwt_object_iter_key(void *it, size_t *len);
CJWT_API const cjwt_value *cjwt_object_iter_value(void *it);

/* A whole value at once, for bindings that turn it into native objects:
 * cjwt_value_items writes v's tree into items[0..cap) in document order
 * (the value, then each element or member, depth first) and returns how
 * many items the tree has (>= 1): when that is more than cap, call again
 * with enough room. Everything is borrowed from v. */
typedef struct cjwt_item {
    cjwt_type type;
    unsigned flags;          /* CJWT_ITEM_ASCII, CJWT_ITEM_NAME_ASCII */
    const char *name;        /* the member name when the item is in an object, else NULL */
    size_t name_len;
    const char *s;           /* STRING: UTF-8 bytes, as cjwt_value_string */
    size_t len;              /* STRING: bytes; ARRAY, OBJECT: the items directly inside */
    int64_t i;               /* INT (only) */
    double d;                /* REAL (only) */
} cjwt_item;
#define CJWT_ITEM_ASCII 1u        /* s is known to be ASCII only (unset: it may not be) */
#define CJWT_ITEM_NAME_ASCII 2u   /* name is known to be ASCII only */
CJWT_API size_t cjwt_value_items(const cjwt_value *v, cjwt_item *items, size_t cap);

/* Constructors return a new value or NULL (no memory, invalid UTF-8 or an
 * embedded NUL in a string, NaN/infinite real). */
CJWT_API cjwt_value *cjwt_value_new_object(void);
CJWT_API cjwt_value *cjwt_value_new_array(void);
CJWT_API cjwt_value *cjwt_value_new_string(const char *utf8, size_t len);
CJWT_API cjwt_value *cjwt_value_new_int(int64_t i);
CJWT_API cjwt_value *cjwt_value_new_real(double d);
CJWT_API cjwt_value *cjwt_value_new_bool(int b);
CJWT_API cjwt_value *cjwt_value_new_null(void);
/* Both take ownership of `val` (also on failure). Return 0 on success, -1 on
 * failure (no memory, key not valid UTF-8 or containing NUL). Setting an
 * existing key replaces its value. */
CJWT_API int cjwt_value_object_set(cjwt_value *obj, const char *key, size_t key_len, cjwt_value *val);
CJWT_API int cjwt_value_array_append(cjwt_value *arr, cjwt_value *val);
CJWT_API void cjwt_value_free(cjwt_value *v);   /* only for values you own; NULL ok */
/* Compact JSON text of a value; free with cjwt_free. */
CJWT_API char *cjwt_value_to_json(const cjwt_value *v, size_t *len, cjwt_error *err);
/* Indented JSON text (indent 1..31 spaces), object members in their order. */
CJWT_API char *cjwt_value_to_json_pretty(const cjwt_value *v, int indent, size_t *len,
                                         cjwt_error *err);
/* A deep, mutable copy of any value (decoded ones included); NULL if no memory. */
CJWT_API cjwt_value *cjwt_value_copy(const cjwt_value *v);
/* Strict parse (same rules as token parsing, default limits): any JSON value. */
CJWT_API cjwt_value *cjwt_value_from_json(const char *json, size_t len, cjwt_error *err);

/* ---- keys -------------------------------------------------------------- */
/* A key is immutable after creation and reference counted (atomically), so
 * one key can serve many verifiers and threads. */

typedef struct cjwt_key cjwt_key;

typedef enum cjwt_kty {
    CJWT_KTY_OCT, CJWT_KTY_RSA, CJWT_KTY_EC, CJWT_KTY_OKP
} cjwt_kty;

/* Key flags */
#define CJWT_KEY_ALLOW_SHORT_SECRET 0x1u /* accept HMAC secrets shorter than the hash (legacy tokens) */

/* An HMAC secret, used as is. Refuses nothing by content: the caller said
 * "secret". The length rule (RFC 7518 3.2) is applied when the key is used
 * with an algorithm, unless CJWT_KEY_ALLOW_SHORT_SECRET is given. */
CJWT_API cjwt_key *cjwt_key_from_secret(const unsigned char *secret, size_t len,
                                        unsigned flags, cjwt_error *err);
/* Key material of unknown kind, as passed by a user (a str/bytes key):
 * PEM (anywhere in the text), DER, certificates, JWKs given as JSON text and
 * SSH public keys are parsed as such (or refused with invalid_key) and never
 * become an HMAC secret; anything else is an HMAC secret as with
 * cjwt_key_from_secret. */
CJWT_API cjwt_key *cjwt_key_from_bytes(const unsigned char *data, size_t len,
                                       unsigned flags, cjwt_error *err);
/* A JWK (RFC 7517) given as a JSON object value or as JSON text. */
CJWT_API cjwt_key *cjwt_key_from_jwk(const cjwt_value *jwk, unsigned flags, cjwt_error *err);
CJWT_API cjwt_key *cjwt_key_from_jwk_json(const char *json, size_t len, unsigned flags,
                                          cjwt_error *err);
/* PEM or DER: PKCS#1 and PKCS#8 private keys (encrypted PKCS#8 / legacy
 * PEM with `password`), SubjectPublicKeyInfo and PKCS#1 public keys, X.509
 * certificates (their public key). RSA >= 2048 bits, EC P-256/384/521 and
 * secp256k1, Ed25519 and Ed448. */
CJWT_API cjwt_key *cjwt_key_from_pem(const char *pem, size_t len, const char *password,
                                     size_t password_len, unsigned flags, cjwt_error *err);
/* A new key pair (or a random HMAC secret of the hash size) for `alg`; the
 * key is bound to alg. RSA keys are 2048 bits. kid may be NULL. */
CJWT_API cjwt_key *cjwt_key_generate(cjwt_alg alg, const char *kid, cjwt_error *err);
/* The same on a named curve: crv "Ed448" (or "Ed25519") for EdDSA, which
 * cjwt_key_generate makes on Ed25519; for an ES alg crv must be its curve.
 * crv NULL: as cjwt_key_generate. Another crv is invalid_key. */
CJWT_API cjwt_key *cjwt_key_generate_curve(cjwt_alg alg, const char *crv, const char *kid,
                                           cjwt_error *err);
/* A new key with the same material and the given kid and alg binding
 * (kid NULL: none; alg CJWT_ALG__COUNT: unbound). */
CJWT_API cjwt_key *cjwt_key_with(const cjwt_key *key, const char *kid, cjwt_alg alg,
                                 cjwt_error *err);
/* A JWK object (new value). Private members only with include_private (and
 * only for a private key; an HMAC secret is always "private"). */
CJWT_API cjwt_value *cjwt_key_to_jwk(const cjwt_key *key, int include_private, cjwt_error *err);
/* PEM text (SPKI public key, or unencrypted PKCS#8 private key); free with
 * cjwt_free. HMAC secrets have no PEM form (invalid_key). */
CJWT_API char *cjwt_key_to_pem(const cjwt_key *key, int include_private, size_t *len,
                               cjwt_error *err);
/* RFC 7638 JWK thumbprint (SHA-256), base64url; free with cjwt_free. */
CJWT_API char *cjwt_key_thumbprint(const cjwt_key *key, size_t *len, cjwt_error *err);
CJWT_API int cjwt_key_is_private(const cjwt_key *key);
CJWT_API int cjwt_key_bits(const cjwt_key *key);          /* RSA/EC size, HMAC secret bits */
CJWT_API const char *cjwt_key_curve(const cjwt_key *key); /* "P-256", "secp256k1", "Ed448", ... or NULL */
CJWT_API const char *cjwt_kty_name(cjwt_kty kty);         /* "oct", "RSA", "EC", "OKP" */
CJWT_API cjwt_key *cjwt_key_ref(cjwt_key *key);  /* +1 reference, returns key */
CJWT_API void cjwt_key_free(cjwt_key *key);      /* -1 reference; NULL ok */
CJWT_API cjwt_kty cjwt_key_type(const cjwt_key *key);
CJWT_API const char *cjwt_key_kid(const cjwt_key *key);   /* borrowed, NULL if none */
CJWT_API cjwt_alg cjwt_key_alg(const cjwt_key *key);      /* bound alg or CJWT_ALG__COUNT */
/* The alg to sign with when the caller names none: the bound alg, else
 * RS256 (RSA), ES256/384/512/ES256K (by curve), EdDSA (OKP), HS256 (oct). */
CJWT_API cjwt_alg cjwt_key_default_alg(const cjwt_key *key);

/* ---- key sets ---------------------------------------------------------- */
/* An immutable, reference-counted list of keys (a JWKS). Verification with a
 * set picks the key by the header's kid; without a kid it tries only the keys
 * whose type, curve and bound alg fit the token's alg. A set may not mix
 * HMAC secrets with public keys, nor hold two keys with one kid. */
typedef struct cjwt_keyset cjwt_keyset;
CJWT_API cjwt_keyset *cjwt_keyset_new(cjwt_key *const *keys, size_t n, cjwt_error *err); /* n >= 1 */
/* {"keys":[...]}: keys cjwt cannot use for signatures (use "enc", unknown
 * kty or curve, a non-JWS alg) are skipped; malformed ones too. A set with
 * no usable key is invalid_key. */
CJWT_API cjwt_keyset *cjwt_keyset_from_jwks(const cjwt_value *jwks, unsigned flags, cjwt_error *err);
CJWT_API cjwt_keyset *cjwt_keyset_from_jwks_json(const char *json, size_t len, unsigned flags,
                                                 cjwt_error *err);
CJWT_API cjwt_value *cjwt_keyset_to_jwks(const cjwt_keyset *ks, int include_private,
                                         cjwt_error *err);
CJWT_API size_t cjwt_keyset_size(const cjwt_keyset *ks);
CJWT_API const cjwt_key *cjwt_keyset_get(const cjwt_keyset *ks, size_t i);         /* borrowed */
CJWT_API const cjwt_key *cjwt_keyset_find(const cjwt_keyset *ks, const char *kid); /* borrowed */
CJWT_API cjwt_keyset *cjwt_keyset_ref(cjwt_keyset *ks);
CJWT_API void cjwt_keyset_free(cjwt_keyset *ks);

/* ---- signing ----------------------------------------------------------- */

typedef struct cjwt_sign_opts {
    cjwt_alg alg;               /* required */
    const cjwt_value *header;   /* extra protected header members (kid, typ, ...) or NULL;
                                   "alg" is always set from `alg` */
    int has_expires_in;         /* set iat = now and exp = now + expires_in */
    int64_t expires_in;         /* seconds, > 0 */
    int has_now;                /* use `now` instead of the clock */
    double now;
    int keep_header_order;      /* 0: header members sorted by name (the default);
                                   1: in PyJWT's sort_headers=False order: typ (JWTs),
                                   alg, then `header`'s members as given, then the
                                   key's kid */
    int detached;               /* JWS only: leave the payload out of the token ("h..s",
                                   RFC 7515 appendix F); the verifier is given it apart */
} cjwt_sign_opts;

/* A JWT: payload must be a JSON object. Returns the compact token (free with
 * cjwt_free) and its length in *len (may be NULL). The header gets
 * "typ":"JWT" unless opts->header sets typ (a null typ removes it), and the
 * key's kid unless opts->header sets one. */
CJWT_API char *cjwt_encode(const cjwt_value *payload, const cjwt_key *key,
                           const cjwt_sign_opts *opts, size_t *len, cjwt_error *err);
/* A JWS over arbitrary bytes (no typ added, no claims). A "b64": false
 * member of opts->header (RFC 7797) signs the payload unencoded and adds
 * "b64" to "crit"; attached in the compact form, such a payload must be
 * printable ASCII without '.' (RFC 7797 5.2), detached it may be any bytes.
 * "b64" must be a boolean; true (the default) is dropped. cjwt_encode
 * refuses "b64": false and detached (a JWT carries its base64url payload). */
CJWT_API char *cjwt_jws_encode(const unsigned char *payload, size_t payload_len,
                               const cjwt_key *key, const cjwt_sign_opts *opts,
                               size_t *len, cjwt_error *err);

/* Duration text -> seconds: "900", "15m", "1h", "7d", "30s", "2w". -1 if invalid. */
CJWT_API int64_t cjwt_parse_duration(const char *text, size_t len);

/* ---- verifying --------------------------------------------------------- */

/* Checks that can be switched off (cjwt_verify_opts.verify / verify_set). */
#define CJWT_CHECK_SIGNATURE 0x01u
#define CJWT_CHECK_EXP       0x02u
#define CJWT_CHECK_NBF       0x04u
#define CJWT_CHECK_IAT       0x08u
#define CJWT_CHECK_AUD       0x10u
#define CJWT_CHECK_ISS       0x20u
#define CJWT_CHECK_SUB       0x40u
#define CJWT_CHECK_JTI       0x80u
#define CJWT_CHECK_ALL       0xffu

#define CJWT_DEFAULT_MAX_TOKEN_LEN 16384
#define CJWT_DEFAULT_MAX_DEPTH 32

/* Revocation hook (a jti denylist): called once the signature and every
 * claim check hold, with the verified payload (which is guaranteed to carry a
 * string "jti", and a "fid" that is a string, null or absent). Returns 0 when the token is not revoked, 1 when it is, and
 * -1 when the answer is unknown (the store is unreachable...), optionally
 * filling err; the token is then refused (fail closed). The hook runs in the
 * middle of the call: the key, key set and verifier of that call must stay
 * alive until it returns (a verifier with a cache still uses them after the
 * hook, to remember the token), so a hook must not release them. */
typedef int (*cjwt_revocation_fn)(void *ctx, const cjwt_value *payload, cjwt_error *err);

typedef struct cjwt_verify_opts {
    uint32_t algorithms;        /* CJWT_ALG_BIT(...) set; required when the signature is checked.
                                   An alg "none" token is refused (alg_not_allowed) even when
                                   CJWT_ALG_NONE is in the set: verification never accepts it */
    /* Checks: `verify` holds the wanted value of each CJWT_CHECK_* bit the
     * caller set explicitly (named in `verify_set`). Unset bits default to on,
     * except that with the signature check off the claim checks default to
     * off too (PyJWT's rule). Zero-initialised opts mean "check everything". */
    unsigned verify;
    unsigned verify_set;
    const char *const *audience; size_t n_audience; /* accepted audiences; none: token must have no aud */
    int strict_aud;             /* PyJWT's strict_aud: one expected audience, aud a single equal string */
    const char *const *issuer; size_t n_issuer;     /* accepted issuers; none: any */
    const char *subject;                            /* expected sub or NULL */
    const char *typ;                                /* expected header typ or NULL (RFC 7515 4.1.9 compare) */
    const char *const *required; size_t n_required; /* claims that must be present and not null */
    double leeway;              /* seconds of clock skew allowed, >= 0 */
    int has_max_age;            /* token must have iat and be at most max_age seconds old */
    double max_age;
    int raw_payload;            /* JWS mode: payload is bytes, not parsed, no claim checks */
    cjwt_revocation_fn revocation; /* NULL: no denylist; else tokens must have a jti */
    void *revocation_ctx;
    size_t max_token_len;       /* 0 = CJWT_DEFAULT_MAX_TOKEN_LEN */
    int max_depth;              /* 0 = CJWT_DEFAULT_MAX_DEPTH */
    /* cjwt_verifier_new only: keep up to this many verified tokens (0: no
     * cache, at most CJWT_MAX_CACHE_SIZE). See "verified-token cache" below. */
    size_t cache_size;
} cjwt_verify_opts;

#define CJWT_MAX_CACHE_SIZE ((size_t)1 << 22)

/* Verification settings compiled once (copied; the opts and its strings may
 * be released afterwards). Immutable; share freely between threads. */
typedef struct cjwt_verifier cjwt_verifier;
CJWT_API cjwt_verifier *cjwt_verifier_new(const cjwt_verify_opts *opts, cjwt_error *err);
CJWT_API void cjwt_verifier_free(cjwt_verifier *v);

/* Verified-token cache (opts.cache_size > 0; cjwt_verifier_new refuses it,
 * CJWT_E_INTERNAL, when the signature check is off). cjwt_verify / cjwt_verify_keyset remember each token that passed,
 * keyed by its exact bytes and the key or key set object it passed with (a
 * reference is held): a repeated token skips decoding, parsing and the
 * signature. A hit is served only if the key (set) object is the same one
 * (a rotated key set is a new object, so nothing verified under the old one
 * is served), the cached iat/nbf/exp/max_age still hold at `now` (they are
 * checked again with the same rules and errors; an entry that fails them is
 * dropped) and, with a revocation hook, the hook says "not revoked" (it is
 * called on every hit). The least recently used entry goes when the cache is
 * full. Thread-safe (a mutex; the hook runs outside it); the result of a
 * hit is the cached cjwt_decoded, shared read-only (free it as usual).
 * Memory: about 2.5 times the token's length per entry, plus a bucket array
 * (8 bytes a slot) that grows with the entries. A token is cached once: the
 * same token verified alternately with two key objects is verified each time. */
typedef struct cjwt_cache_stats {
    uint64_t hits;              /* lookups that found the token for this key object (its
                                   dates and revocation are checked after that, so a hit
                                   can still be refused) */
    uint64_t misses;            /* lookups that did not */
    uint64_t evictions;         /* entries dropped for room, a failed date or a new key */
    size_t size, capacity;
} cjwt_cache_stats;
/* 0 and *out zeroed when the verifier has no cache, else 1. */
CJWT_API int cjwt_verifier_cache_stats(const cjwt_verifier *v, cjwt_cache_stats *out);
/* Drops every entry (and the key references they hold). */
CJWT_API void cjwt_verifier_cache_clear(const cjwt_verifier *v);

/* The result of a successful verification (or of an unverified decode). */
typedef struct cjwt_decoded cjwt_decoded;
CJWT_API const cjwt_value *cjwt_decoded_header(const cjwt_decoded *d);   /* borrowed object */
CJWT_API const cjwt_value *cjwt_decoded_payload(const cjwt_decoded *d);  /* borrowed object; NULL in raw mode */
CJWT_API const unsigned char *cjwt_decoded_payload_bytes(const cjwt_decoded *d, size_t *len);
CJWT_API const unsigned char *cjwt_decoded_signature(const cjwt_decoded *d, size_t *len);
CJWT_API cjwt_alg cjwt_decoded_alg(const cjwt_decoded *d);
/* Releases the caller's reference (a cache may hold another); NULL ok. */
CJWT_API void cjwt_decoded_free(cjwt_decoded *d);

/* Verifies `token` with `key` (may be NULL only when the signature check is
 * off). `now` is the unix time to validate at when has_now, else the clock.
 * Order of checks: structure, header, algorithm allowlist and key type,
 * signature, typ, claims. Returns a new cjwt_decoded, or NULL with *err set. */
CJWT_API CJWT_MUST_CHECK cjwt_decoded *
cjwt_verify(const cjwt_verifier *v, const cjwt_key *key, const char *token, size_t len,
            int has_now, double now, cjwt_error *err);
/* The same with opts used directly (nothing compiled, nothing allocated for settings). */
CJWT_API CJWT_MUST_CHECK cjwt_decoded *
cjwt_verify_with(const cjwt_verify_opts *opts, const cjwt_key *key, const char *token,
                 size_t len, int has_now, double now, cjwt_error *err);

/* The same with the key chosen from a key set. */
CJWT_API CJWT_MUST_CHECK cjwt_decoded *
cjwt_verify_keyset(const cjwt_verifier *v, const cjwt_keyset *ks, const char *token, size_t len,
                   int has_now, double now, cjwt_error *err);
CJWT_API CJWT_MUST_CHECK cjwt_decoded *
cjwt_verify_keyset_with(const cjwt_verify_opts *opts, const cjwt_keyset *ks, const char *token,
                        size_t len, int has_now, double now, cjwt_error *err);

/* Low-level primitive (tests, raw protocols): checks `sig` over `data` with
 * `key` and `alg` exactly as token verification does. CJWT_OK or an error. */
CJWT_API cjwt_code cjwt_verify_signature(const cjwt_key *key, cjwt_alg alg,
                                         const unsigned char *data, size_t data_len,
                                         const unsigned char *sig, size_t sig_len, cjwt_error *err);

/* ---- JWS JSON serialization (RFC 7515 7.2) and detached payloads ------- */

/* At most this many signatures in a JSON-serialized JWS (sign and verify). */
#define CJWT_JWS_MAX_SIGNATURES 16

/* One signature of a JSON-serialized JWS. */
typedef struct cjwt_jws_signer {
    const cjwt_key *key;
    cjwt_alg alg;                       /* not "none" */
    const cjwt_value *protected_header; /* extra protected members or NULL, as cjwt_sign_opts.header
                                           ("alg" is set from alg; "b64": false as for
                                           cjwt_jws_encode); the key's kid is added unless
                                           either header has a kid */
    const cjwt_value *header;           /* the unprotected header or NULL: no "alg", "crit",
                                           "b64", and no name the protected header has */
} cjwt_jws_signer;

typedef struct cjwt_jws_json_opts {
    const cjwt_jws_signer *signers;
    size_t n_signers;           /* 1..CJWT_JWS_MAX_SIGNATURES */
    int flattened;              /* the flattened form (one signer) instead of the general one */
    int detached;               /* no "payload" member: the verifier is given the payload apart */
    int keep_header_order;      /* as cjwt_sign_opts.keep_header_order */
} cjwt_jws_json_opts;

/* Signs `payload` (any bytes) once per signer and returns the JSON text
 * (free with cjwt_free). Every signer must agree on "b64" (RFC 7797 3);
 * an unencoded attached payload must be UTF-8 text without NUL (it is a
 * JSON string). */
CJWT_API char *cjwt_jws_json_encode(const unsigned char *payload, size_t payload_len,
                                    const cjwt_jws_json_opts *opts, size_t *len, cjwt_error *err);

/* Verifies a JWS: the compact serialization, or JSON text (starting with
 * "{": general or flattened) with a key or a key set (the other NULL).
 * `detached` (NULL: the payload is in the JWS) is the payload of a detached
 * JWS (compact: an empty payload segment; JSON: no "payload" or ""), as bytes (base64url-encoded by cjwt for the signing input unless the
 * header has "b64": false). opts as for cjwt_verify_with, in raw mode (no
 * claims): algorithms, the signature switch, typ, max_token_len (the whole
 * text) and max_depth (the JSON text and each protected header).
 * JSON form: every signature is read and checked for structure first (any
 * fault refuses the whole JWS, malformed): "protected" a base64url JSON
 * object, "header" an object, at least one of them, no name in both, "crit"
 * and "b64" only in the protected one, one "b64" value for all, at most
 * CJWT_JWS_MAX_SIGNATURES. Then the signatures are tried in order; one is
 * skipped when its alg is unknown or not allowed, its crit unknown, its kid
 * differs from the key's kid (both present), the key does not fit its alg,
 * or (key set) no key of the set has its kid or fits its alg. The first
 * that verifies wins: the result's header is its protected and unprotected
 * header together, cjwt_decoded_signature_index says which one. None: the
 * error of the signature that got furthest (unknown_crit/unsupported_alg,
 * then alg_not_allowed, invalid_key, bad_signature). */
CJWT_API CJWT_MUST_CHECK cjwt_decoded *
cjwt_jws_verify(const cjwt_verify_opts *opts, const cjwt_key *key, const cjwt_keyset *ks,
                const char *jws, size_t len, const unsigned char *detached, size_t detached_len,
                cjwt_error *err);
/* Of a result of cjwt_jws_verify (compact tokens: the header, NULL, 0). */
CJWT_API const cjwt_value *cjwt_decoded_protected_header(const cjwt_decoded *d); /* or NULL */
CJWT_API const cjwt_value *cjwt_decoded_unprotected_header(const cjwt_decoded *d); /* or NULL */
CJWT_API size_t cjwt_decoded_signature_index(const cjwt_decoded *d);

/* Reads an unsecured (alg "none") JWT, whose claims NOTHING vouches for: for
 * code that means to read one and says so by name (cjwt_verify* never accept
 * one). The token must have alg "none" (else alg_not_allowed) and an empty
 * signature (else bad_signature); it is parsed as strictly as by
 * cjwt_verify_with, and typ and the claim checks of opts run, each claim check
 * on unless opts->verify_set/verify turn it off (the signature bit means
 * nothing here; revocation is not consulted). opts may be NULL. */
CJWT_API CJWT_MUST_CHECK cjwt_decoded *
cjwt_decode_unsecured(const cjwt_verify_opts *opts, const char *token, size_t len, int has_now,
                      double now, cjwt_error *err);

/* The header of a token, parsed strictly but NOT verified. New value or NULL. */
CJWT_API cjwt_value *cjwt_unverified_header(const char *token, size_t len, cjwt_error *err);

/* ---- JWE (RFC 7516 compact serialization, RFC 7518 algorithms) --------- */
/* Key management ("alg") and content encryption ("enc") are two separate
 * lists, each with its own allowlist on decryption. New members are added
 * before the sentinels only. */
typedef enum cjwt_jwe_alg {
    CJWT_JWE_DIR = 0,
    CJWT_JWE_RSA1_5,          /* decryption only, and only when named in the allowlist */
    CJWT_JWE_RSA_OAEP, CJWT_JWE_RSA_OAEP_256,
    CJWT_JWE_A128KW, CJWT_JWE_A192KW, CJWT_JWE_A256KW,
    CJWT_JWE_A128GCMKW, CJWT_JWE_A192GCMKW, CJWT_JWE_A256GCMKW,
    CJWT_JWE_ECDH_ES, CJWT_JWE_ECDH_ES_A128KW, CJWT_JWE_ECDH_ES_A192KW, CJWT_JWE_ECDH_ES_A256KW,
    CJWT_JWE_PBES2_HS256_A128KW, CJWT_JWE_PBES2_HS384_A192KW, CJWT_JWE_PBES2_HS512_A256KW,
    CJWT_JWE_ALG__COUNT       /* sentinel; also "unknown" */
} cjwt_jwe_alg;

typedef enum cjwt_jwe_enc {
    CJWT_ENC_A128CBC_HS256 = 0, CJWT_ENC_A192CBC_HS384, CJWT_ENC_A256CBC_HS512,
    CJWT_ENC_A128GCM, CJWT_ENC_A192GCM, CJWT_ENC_A256GCM,
    CJWT_ENC__COUNT           /* sentinel; also "unknown" */
} cjwt_jwe_enc;

#define CJWT_JWE_ALG_BIT(a) (1u << (unsigned)(a))
#define CJWT_ENC_BIT(e) (1u << (unsigned)(e))

/* Exact JWA names ("RSA-OAEP-256", "A256GCM"); the sentinel when unknown. */
CJWT_API cjwt_jwe_alg cjwt_jwe_alg_from_name(const char *name, size_t len);
CJWT_API const char *cjwt_jwe_alg_name(cjwt_jwe_alg alg);     /* "unknown" out of range */
CJWT_API cjwt_jwe_enc cjwt_jwe_enc_from_name(const char *name, size_t len);
CJWT_API const char *cjwt_jwe_enc_name(cjwt_jwe_enc enc);

/* Limits applied on decryption (each can be set per call; 0 = default). */
#define CJWT_JWE_DEFAULT_MAX_P2C 100000u          /* PBES2 iterations refused above this, before any work */
#define CJWT_JWE_DEFAULT_P2C 100000u              /* PBES2 iterations used when encrypting */
#define CJWT_JWE_MIN_P2C 1000u                    /* the least cjwt encrypts with (RFC 7518 4.8.1.2) */
#define CJWT_JWE_DEFAULT_MAX_PLAINTEXT ((size_t)1 << 20)  /* bytes, after decompression */

typedef struct cjwt_jwe_encrypt_opts {
    cjwt_jwe_alg alg;           /* required; RSA1_5 is refused (decryption only) */
    cjwt_jwe_enc enc;           /* required */
    const cjwt_value *header;   /* extra protected header members (kid, typ, cty, apu, apv, ...)
                                   or NULL; alg, enc, zip, epk, iv, tag, p2s, p2c are cjwt's */
    int zip;                    /* 1: compress the plaintext with DEFLATE ("zip":"DEF") */
    uint32_t p2c;               /* PBES2 iterations, 0 = CJWT_JWE_DEFAULT_P2C; >= CJWT_JWE_MIN_P2C */
} cjwt_jwe_encrypt_opts;

/* Encrypts `plaintext` (any bytes) to the key: an oct key for dir (the
 * enc's exact key size), A*KW and A*GCMKW (16/24/32 bytes), PBES2 (the
 * password, any length); the recipient's RSA public key for RSA-OAEP*; the
 * recipient's EC (P-256/384/521) or OKP (X25519/X448) public key for
 * ECDH-ES*. The key's kid goes into the header unless the header sets one.
 * Returns the compact JWE (free with cjwt_free), its length in *len. */
CJWT_API char *cjwt_jwe_encrypt(const unsigned char *plaintext, size_t plaintext_len,
                                const cjwt_key *key, const cjwt_jwe_encrypt_opts *opts,
                                size_t *len, cjwt_error *err);

/* The JSON serialization (RFC 7516 7.2) on encryption: one content key
 * wrapped for each recipient. enc and zip go into the protected header (with
 * protected_header's members), each recipient's alg, its parameters (epk, iv,
 * tag, p2s, p2c) and its key's kid into its own "header" (with the
 * recipient's header members); a name in two of the headers is refused
 * (malformed), as cjwt_jwe_decrypt would refuse it. dir and ECDH-ES (direct)
 * set the content key themselves, so they take one recipient only
 * (unsupported_alg otherwise). */
typedef struct cjwt_jwe_recipient {
    const cjwt_key *key;        /* as for cjwt_jwe_encrypt */
    cjwt_jwe_alg alg;           /* its key management; RSA1_5 refused */
    const cjwt_value *header;   /* its unprotected header members (kid, apu, apv, ...) or NULL */
    uint32_t p2c;               /* PBES2 iterations, 0 = CJWT_JWE_DEFAULT_P2C */
} cjwt_jwe_recipient;

typedef struct cjwt_jwe_json_opts {
    cjwt_jwe_enc enc;                   /* required */
    const cjwt_value *protected_header; /* extra protected members, or NULL */
    const cjwt_value *unprotected;      /* the shared unprotected header, or NULL */
    const unsigned char *aad;           /* additional authenticated data ("aad"), or NULL */
    size_t aad_len;
    int zip;                            /* 1: DEFLATE the plaintext */
    int flattened;                      /* 1: the flattened form (exactly one recipient) */
} cjwt_jwe_json_opts;

/* Encrypts to every recipient; returns the JSON text (free with cjwt_free),
 * its length in *len, members sorted by name. */
CJWT_API char *cjwt_jwe_encrypt_json(const unsigned char *plaintext, size_t plaintext_len,
                                     const cjwt_jwe_recipient *recipients, size_t n_recipients,
                                     const cjwt_jwe_json_opts *opts, size_t *len, cjwt_error *err);

typedef struct cjwt_jwe_decrypt_opts {
    uint32_t algorithms;        /* CJWT_JWE_ALG_BIT set: required (no default) */
    uint32_t encryptions;       /* CJWT_ENC_BIT set: required (no default) */
    size_t max_token_len;       /* 0 = CJWT_DEFAULT_MAX_TOKEN_LEN */
    int max_depth;              /* header JSON depth, 0 = CJWT_DEFAULT_MAX_DEPTH */
    size_t max_plaintext;       /* 0 = CJWT_JWE_DEFAULT_MAX_PLAINTEXT (decompressed size too) */
    uint32_t max_p2c;           /* 0 = CJWT_JWE_DEFAULT_MAX_P2C */
} cjwt_jwe_decrypt_opts;

/* A decrypted JWE: its protected header and plaintext. Immutable. */
typedef struct cjwt_jwe cjwt_jwe;

/* Decrypts a JWE given as the compact serialization or as JSON text (the
 * flattened or general JSON serialization, RFC 7516 7.2: text starting with
 * "{"). In JSON form the header applied is the union of "protected",
 * "unprotected" and the recipient's "header" (no name twice; zip and crit
 * only in "protected"), which cjwt_jwe_header returns; with several
 * recipients, those whose kid differs from the key's kid (both present) are
 * skipped and the others tried in order (the last one tried reports its
 * error; none left: invalid_key). Order of checks: structure and size
 * (malformed, too_large); header: strict JSON, alg and enc known
 * (unsupported_alg), crit (unknown_crit), zip only "DEF"; alg and enc in their
 * allowlists (alg_not_allowed); the key fits alg/enc and may decrypt (type,
 * size, private part, JWK use/key_ops/alg: invalid_key); alg parameters
 * (epk on the key's curve, p2c within max_p2c before any work: too_large);
 * then the key is unwrapped and the content decrypted and authenticated,
 * every failure of which is the one answer decrypt_failed (RSA1_5 goes on
 * with a random CEK, so no padding oracle); last the DEFLATE inflation,
 * refused past max_plaintext without allocating it (too_large). */
CJWT_API CJWT_MUST_CHECK cjwt_jwe *
cjwt_jwe_decrypt(const cjwt_jwe_decrypt_opts *opts, const cjwt_key *key, const char *token,
                 size_t len, cjwt_error *err);
CJWT_API const cjwt_value *cjwt_jwe_header(const cjwt_jwe *jwe);     /* borrowed object */
CJWT_API const unsigned char *cjwt_jwe_plaintext(const cjwt_jwe *jwe, size_t *len); /* borrowed */
CJWT_API cjwt_jwe_alg cjwt_jwe_get_alg(const cjwt_jwe *jwe);
CJWT_API cjwt_jwe_enc cjwt_jwe_get_enc(const cjwt_jwe *jwe);
CJWT_API void cjwt_jwe_free(cjwt_jwe *jwe);   /* wipes the plaintext; NULL ok */

/* ---- encrypted and nested JWTs (RFC 7519 sections 5.2 and 11.2) --------- */
/* An encrypted JWT is a JWE whose plaintext is the claims (a JSON object);
 * a nested JWT is a JWE whose plaintext is a signed JWT (a JWS), marked by
 * the JWE header "cty":"JWT". Anyone holding the recipient's public key can
 * make an encrypted JWT with RSA-OAEP or ECDH-ES, so only a nested JWT (or a
 * shared-secret alg: dir, A*KW, A*GCMKW, PBES2) says who issued it. */
typedef struct cjwt_jwt_encrypt_opts {
    cjwt_jwe_encrypt_opts jwe;  /* alg, enc, zip, p2c, header: extra JWE header members. The
                                   JWE header gets "typ":"JWT" unless jwe.header sets typ (a null
                                   typ removes it); a nested token gets "cty":"JWT" */
    const cjwt_key *signing_key;/* NULL: an encrypted JWT (a cty "JWT" in jwe.header is then
                                   refused, malformed); else a nested JWT signed with this key */
    cjwt_sign_opts sign;        /* nested: sign.alg (never "none") and sign.header, the inner
                                   JWS's (as cjwt_encode); both kinds: expires_in, now */
} cjwt_jwt_encrypt_opts;

/* Encrypts the claims `payload` (a JSON object) to `key` as cjwt_jwe_encrypt
 * does; with opts->signing_key, signs them first (cjwt_encode) and encrypts
 * the JWS. Returns the compact JWE (free with cjwt_free), its length in *len. */
CJWT_API char *cjwt_jwt_encrypt(const cjwt_value *payload, const cjwt_key *key,
                                const cjwt_jwt_encrypt_opts *opts, size_t *len, cjwt_error *err);

typedef struct cjwt_jwt_decrypt_opts {
    cjwt_jwe_decrypt_opts jwe;  /* the JWE's allowlists (required) and limits */
    cjwt_verify_opts verify;    /* the claim checks, as for cjwt_verify_with; for a nested
                                   token also verify.algorithms, the inner JWS's allowlist, and
                                   verify.typ applies to the inner JWS header (else to the JWE
                                   header). The signature check cannot be turned off
                                   (verify_set with CJWT_CHECK_SIGNATURE and not verify:
                                   CJWT_E_INTERNAL, a misuse). raw_payload and cache_size
                                   are ignored. */
    const cjwt_key *verification_key;       /* nested: the inner JWS's key, or */
    const cjwt_keyset *verification_keyset; /* a key set (kid picks). Neither: the token must
                                               not be nested; one: it must be */
} cjwt_jwt_decrypt_opts;

/* The result of cjwt_jwt_decrypt. Immutable; everything borrowed until freed. */
typedef struct cjwt_decrypted_jwt cjwt_decrypted_jwt;

/* Decrypts an encrypted or nested JWT (compact or JSON serialization) with
 * `key` and validates its claims. Order of checks: everything of
 * cjwt_jwe_decrypt; then the JWE header's cty: "JWT" (RFC 7519 5.2, compared
 * as a media type: case-insensitive, "application/" optional) means nested,
 * refused (invalid_key) without a verification key or key set, and the
 * plaintext is verified as by cjwt_verify_with (structure: a plaintext that
 * is not a JWS is malformed; header; verify.algorithms, where "none" is
 * never accepted; key; signature; typ; claims; revocation). Without cty
 * "JWT" and with a verification key given, the token is refused
 * (bad_signature: it is not signed); otherwise the plaintext must be a JSON
 * object (malformed), verify.typ is compared with the JWE header's typ, and
 * the claims and the revocation hook are checked exactly as by
 * cjwt_verify_with. Returns a new result or NULL with *err set. */
CJWT_API CJWT_MUST_CHECK cjwt_decrypted_jwt *
cjwt_jwt_decrypt(const cjwt_jwt_decrypt_opts *opts, const cjwt_key *key, const char *token,
                 size_t len, int has_now, double now, cjwt_error *err);
CJWT_API const cjwt_value *cjwt_decrypted_jwt_jwe_header(const cjwt_decrypted_jwt *d); /* borrowed */
/* The inner JWS header of a nested token (borrowed), NULL for an encrypted one. */
CJWT_API const cjwt_value *cjwt_decrypted_jwt_header(const cjwt_decrypted_jwt *d);
CJWT_API const cjwt_value *cjwt_decrypted_jwt_payload(const cjwt_decrypted_jwt *d); /* the claims */
CJWT_API int cjwt_decrypted_jwt_nested(const cjwt_decrypted_jwt *d);
CJWT_API void cjwt_decrypted_jwt_free(cjwt_decrypted_jwt *d);   /* NULL ok */

/* ---- key cache --------------------------------------------------------- */
/* A bounded cache of keys parsed from bytes, for bindings that accept key
 * material as a string on every call (cjwt.decode(token, pem, ...) in Python,
 * cjwt.decode(token, pem, opts) in Lua): the material is parsed on the first
 * call and the same cjwt_key is handed out afterwards.
 *
 * - Keyed by the exact bytes (length, then memcmp), the parser and the flags:
 *   the same text read as a secret and read as a PEM are two entries.
 * - Most recently used first; when full, the least recently used entry is
 *   evicted. Lookups are linear: meant for a few dozen entries.
 * - Material the parser refuses is never cached (each call reports the
 *   error again). Encrypted PEM cannot go through the cache (there is no
 *   password parameter): parse it once with cjwt_key_from_pem and keep the key.
 * - The cache keeps a copy of the material (wiped with OPENSSL_cleanse when
 *   the entry goes) and one reference to each key. Every key returned is a
 *   new reference of the caller's (release with cjwt_key_free), so an entry
 *   evicted meanwhile never frees a key in use.
 * - Thread-safe: one mutex guards the entries and counters, and parsing runs
 *   outside it. Knows no interpreter; a binding owns one cache per module
 *   state / Lua state and frees it with that state. */
typedef struct cjwt_key_cache cjwt_key_cache;

/* How cjwt_key_cache_get reads material it has not seen. */
typedef enum cjwt_key_parser {
    CJWT_KEY_PARSE_BYTES,    /* cjwt_key_from_bytes: a user's str/bytes key of unknown kind */
    CJWT_KEY_PARSE_SECRET,   /* cjwt_key_from_secret: an HMAC secret as is */
    CJWT_KEY_PARSE_PEM,      /* cjwt_key_from_pem without a password: PEM or DER */
    CJWT_KEY_PARSE_JWK       /* cjwt_key_from_jwk_json: one JWK as JSON text */
} cjwt_key_parser;

/* Most entries a key cache may hold. */
#define CJWT_KEY_CACHE_MAX_CAPACITY ((size_t)4096)

/* A new, empty cache of at most `capacity` keys (0: nothing is kept, every
 * get parses; the counters still count). NULL when capacity is above
 * CJWT_KEY_CACHE_MAX_CAPACITY or memory is short. */
CJWT_API cjwt_key_cache *cjwt_key_cache_new(size_t capacity);
/* Frees the cache, its copies of the material (wiped) and its references
 * (keys still held by callers live on). NULL ok. Not concurrently with
 * other calls on the same cache. */
CJWT_API void cjwt_key_cache_free(cjwt_key_cache *cache);
/* The key for `data` (len bytes; NUL bytes allowed) read with `parser` and
 * `flags` (CJWT_KEY_ALLOW_SHORT_SECRET...): a NEW reference, from the cache
 * (a hit) or parsed now and cached (a miss). NULL with *err set when the
 * parser refuses the material (nothing is cached then). */
CJWT_API cjwt_key *cjwt_key_cache_get(cjwt_key_cache *cache, const void *data, size_t len,
                                      cjwt_key_parser parser, unsigned flags,
                                      cjwt_error *err);
/* Drops every entry (wiping the copies); the counters are zeroed too when
 * reset_stats is non-zero. NULL ok. */
CJWT_API void cjwt_key_cache_clear(cjwt_key_cache *cache, int reset_stats);
/* hits, misses, evictions (entries dropped for room), size and capacity.
 * *out zeroed for a NULL cache. */
CJWT_API void cjwt_key_cache_stats(const cjwt_key_cache *cache, cjwt_cache_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* CJWT_H */
