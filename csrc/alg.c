/* The JWS algorithm table (RFC 7518 section 3.1, with ES256K of RFC 8812
 * and Ed448 of RFC 8037), key/algorithm binding, and the signature
 * primitives: HMAC here, the asymmetric families through OpenSSL (Ed25519
 * through libsodium when the build has it). */
#include "cjwt_internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <openssl/opensslv.h>
#include <openssl/provider.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#ifdef CJWT_HAVE_SODIUM
#include <sodium.h>
#endif

typedef struct alg_info {
    const char *name;
    cjwtp_family family;
    size_t hash_len;     /* digest bytes; the HMAC key minimum (RFC 7518 3.2) */
} alg_info;

static const alg_info algs[CJWT_ALG__COUNT] = {
    [CJWT_ALG_NONE]  = {"none", CJWTP_FAM_NONE, 0},
    [CJWT_ALG_HS256] = {"HS256", CJWTP_FAM_HMAC, 32},
    [CJWT_ALG_HS384] = {"HS384", CJWTP_FAM_HMAC, 48},
    [CJWT_ALG_HS512] = {"HS512", CJWTP_FAM_HMAC, 64},
    [CJWT_ALG_RS256] = {"RS256", CJWTP_FAM_RSA, 32},
    [CJWT_ALG_RS384] = {"RS384", CJWTP_FAM_RSA, 48},
    [CJWT_ALG_RS512] = {"RS512", CJWTP_FAM_RSA, 64},
    [CJWT_ALG_PS256] = {"PS256", CJWTP_FAM_PSS, 32},
    [CJWT_ALG_PS384] = {"PS384", CJWTP_FAM_PSS, 48},
    [CJWT_ALG_PS512] = {"PS512", CJWTP_FAM_PSS, 64},
    [CJWT_ALG_ES256] = {"ES256", CJWTP_FAM_EC, 32},
    [CJWT_ALG_ES384] = {"ES384", CJWTP_FAM_EC, 48},
    [CJWT_ALG_ES512] = {"ES512", CJWTP_FAM_EC, 64},
    [CJWT_ALG_EDDSA] = {"EdDSA", CJWTP_FAM_EDDSA, 0},
    [CJWT_ALG_ES256K] = {"ES256K", CJWTP_FAM_EC, 32},
};

cjwt_alg cjwt_alg_from_name(const char *name, size_t len)
{
    if (!name)
        return CJWT_ALG__COUNT;
    for (int a = 0; a < CJWT_ALG__COUNT; a++) {
        const char *n = algs[a].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return (cjwt_alg)a;
    }
    return CJWT_ALG__COUNT;
}

const char *cjwt_alg_name(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT ? algs[alg].name : "unknown";
}

cjwtp_family cjwtp_alg_family(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT ? algs[alg].family : CJWTP_FAM_NONE;
}

size_t cjwtp_alg_hash_len(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT ? algs[alg].hash_len : 0;
}

int cjwt_alg_supported(cjwt_alg alg)
{
    return (unsigned)alg < CJWT_ALG__COUNT && alg != CJWT_ALG_NONE;
}

/* The digest an algorithm signs with (NULL for EdDSA, which hashes itself). */
static const EVP_MD *alg_md(cjwt_alg alg)
{
    switch (cjwtp_alg_hash_len(alg)) {
    case 32: return EVP_sha256();
    case 48: return EVP_sha384();
    case 64: return EVP_sha512();
    default: return NULL;
    }
}

/* The curve each ES algorithm requires (RFC 7518 3.4, RFC 8812 3.2). */
static int es_curve(cjwt_alg alg)
{
    switch (alg) {
    case CJWT_ALG_ES256: return CJWTP_CRV_P256;
    case CJWT_ALG_ES384: return CJWTP_CRV_P384;
    case CJWT_ALG_ES256K: return CJWTP_CRV_SECP256K1;
    default: return CJWTP_CRV_P521;
    }
}

/* Bytes of an EdDSA signature with the key's curve (RFC 8032 5.1.6, 5.2.6). */
static size_t eddsa_sig_len(const cjwt_key *key)
{
    return key->curve == CJWTP_CRV_ED448 ? 114 : 64;
}

static const char *kty_name(cjwt_kty kty)
{
    switch (kty) {
    case CJWT_KTY_OCT: return "oct (HMAC secret)";
    case CJWT_KTY_RSA: return "RSA";
    case CJWT_KTY_EC: return "EC";
    case CJWT_KTY_OKP: return "OKP";
    }
    return "unknown";
}

cjwt_code cjwtp_key_check(const cjwt_key *key, cjwt_alg alg, cjwt_error *err)
{
    cjwtp_family fam = cjwtp_alg_family(alg);
    if (!cjwt_alg_supported(alg))
        return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "algorithm %s is not supported by this build",
                          cjwt_alg_name(alg));
    if (!key)
        /* PyJWT's wording first for HMAC: ported code matches on it */
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%sa key is required for %s",
                          fam == CJWTP_FAM_HMAC ? "HMAC key must not be empty. " : "",
                          cjwt_alg_name(alg));
    if (key->alg != CJWT_ALG__COUNT && key->alg != alg)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key is bound to %s and cannot be used with %s",
                          cjwt_alg_name(key->alg), cjwt_alg_name(alg));
    if (!key->use_sig_ok)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's \"use\" is not \"sig\"");
    switch (fam) {
    case CJWTP_FAM_HMAC: {
        size_t need = cjwtp_alg_hash_len(alg);
        if (key->kty != CJWT_KTY_OCT)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "The specified key is an asymmetric key or x509 certificate and "
                              "should not be used as an HMAC secret. (%s needs an HMAC secret, "
                              "not an %s key)", cjwt_alg_name(alg), kty_name(key->kty));
        if (key->secret_len < need && !(key->flags & CJWT_KEY_ALLOW_SHORT_SECRET))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "the HMAC secret is %zu bytes, shorter than the %zu bytes %s requires "
                              "(RFC 7518 3.2); use a longer secret, or opt in for legacy tokens "
                              "with allow_short_secret",
                              key->secret_len, need, cjwt_alg_name(alg));
        if (key->secret_len == 0)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "HMAC key must not be empty.");
        return CJWT_OK;
    }
    case CJWTP_FAM_RSA: case CJWTP_FAM_PSS:
        if (key->kty != CJWT_KTY_RSA)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs an RSA key, not an %s key",
                              cjwt_alg_name(alg), kty_name(key->kty));
        return CJWT_OK;   /* size limits were enforced when the key was made */
    case CJWTP_FAM_EC:
        if (key->kty != CJWT_KTY_EC)
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs an EC key, not an %s key",
                              cjwt_alg_name(alg), kty_name(key->kty));
        if (key->curve != es_curve(alg))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY, "%s needs a %s key, not %s",
                              cjwt_alg_name(alg), cjwtp_curve_jwk_name(es_curve(alg)),
                              cjwtp_curve_jwk_name(key->curve));
        return CJWT_OK;
    case CJWTP_FAM_EDDSA:
        /* One alg for both curves (RFC 8037 3.1): the key decides. */
        if (key->kty != CJWT_KTY_OKP ||
            (key->curve != CJWTP_CRV_ED25519 && key->curve != CJWTP_CRV_ED448))
            return cjwtp_fail(err, CJWT_E_INVALID_KEY,
                              "EdDSA needs an Ed25519 or Ed448 (OKP) key, not %s%s",
                              key->kty == CJWT_KTY_OKP ? "" : "an ",
                              key->kty == CJWT_KTY_OKP ? cjwtp_curve_jwk_name(key->curve)
                                                       : kty_name(key->kty));
        return CJWT_OK;
    case CJWTP_FAM_NONE:
        break;
    }
    return cjwtp_fail(err, CJWT_E_UNSUPPORTED_ALG, "algorithm %s is not supported by this build",
                      cjwt_alg_name(alg));
}

/* ---- prepared contexts ---------------------------------------------------
 * Setting up a context (fetching the digest and signature implementations,
 * keying HMAC) costs as much as a small signature check, so each key keeps
 * one prepared context per algorithm and operation, and every call works on
 * a copy. The template is created on first use and published with a
 * compare-and-swap: a thread that loses the race frees its own. */

static void *publish(void *const *slot_c, void *fresh, void (*destroy)(void *))
{
    void **slot = (void **)slot_c;
    void *expected = NULL;
    if (!fresh)
        return NULL;
    if (__atomic_compare_exchange_n(slot, &expected, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return fresh;
    destroy(fresh);
    return expected;
}

static void md_ctx_destroy(void *p) { EVP_MD_CTX_free(p); }

/* HMAC (RFC 2104) on the digest directly: the key object keeps the two
 * hash states with the padded key absorbed (K^ipad and K^opad, one block
 * each), made once per algorithm; a MAC then copies them and hashes only
 * the message and the inner digest. That saves keying OpenSSL's MAC object
 * and the provider round trips on every call, and hashing the pads again.
 *
 * The states are OpenSSL's SHA256_CTX / SHA512_CTX when it still has them
 * and no FIPS default is configured: a copy is then a struct assignment on
 * the stack. Through EVP (EVP_MD_CTX_copy_ex) every copy allocates a new
 * provider context and frees the old one: two malloc/free pairs and two
 * cleanses per MAC, about 65 ns of a 330 ns HMAC-SHA256 of a 320-byte
 * token, more when the allocator's memory is cold (a gateway request). Both
 * run OpenSSL's own SHA-2 code (the same assembly, SHA extensions included);
 * only the EVP/provider layer is skipped. That holds only while the digest
 * EVP would use is OpenSSL's own: so the low-level states are taken only
 * when fetching the digest (default library context, default properties)
 * gives the "default" provider's and no FIPS default is set. A FIPS
 * provider (with or without `default_properties = fips=yes`) or any other
 * provider of SHA-2 that the application prefers is then used through EVP,
 * as are an OpenSSL built without the 3.0-deprecated API and cjwt built with
 * -DCJWT_HMAC_EVP_ONLY (the test-c-nosodium build, so both paths are
 * tested). The choice is made when a key's state is first made (once per
 * key and algorithm): a provider configured after that does not change the
 * keys already used (tests/c/test_hmac_provider.c). */
#if !defined(CJWT_HMAC_EVP_ONLY) && !defined(OPENSSL_NO_DEPRECATED_3_0) && OPENSSL_VERSION_MAJOR < 4
#define CJWTP_HMAC_LOWLEVEL 1
#endif

typedef struct hmac_keyed {
    EVP_MD_CTX *inner, *outer;       /* NULL when the low-level states are used */
#ifdef CJWTP_HMAC_LOWLEVEL
    union sha2_state {
        SHA256_CTX s256;             /* HS256 */
        SHA512_CTX s512;             /* HS384 and HS512 (SHA-384 is SHA-512's state) */
    } lin, lout;
#endif
} hmac_keyed;

static void hmac_keyed_destroy(void *p)
{
    hmac_keyed *hk = p;
    if (!hk)
        return;
    EVP_MD_CTX_free(hk->inner);   /* frees (and clears) the keyed states */
    EVP_MD_CTX_free(hk->outer);
    OPENSSL_cleanse(hk, sizeof *hk);   /* the low-level keyed states */
    free(hk);
}

static const char *hmac_md_name(cjwt_alg alg)
{
    switch (cjwtp_alg_hash_len(alg)) {
    case 32: return "SHA2-256";
    case 48: return "SHA2-384";
    default: return "SHA2-512";
    }
}

#ifdef CJWTP_HMAC_LOWLEVEL
/* SHA256_Init and friends are deprecated in OpenSSL 3.0 (in favour of EVP,
 * whose copy allocates: see above); kept to these two functions. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* One block (the padded key) absorbed into a fresh SHA-2 state. */
static int sha2_keyed(union sha2_state *st, size_t hash_len, const unsigned char *block, size_t n)
{
    switch (hash_len) {
    case 32: return SHA256_Init(&st->s256) == 1 && SHA256_Update(&st->s256, block, n) == 1;
    case 48: return SHA384_Init(&st->s512) == 1 && SHA384_Update(&st->s512, block, n) == 1;
    default: return SHA512_Init(&st->s512) == 1 && SHA512_Update(&st->s512, block, n) == 1;
    }
}

/* A copy of a keyed state, then data and the digest: the state lives on the
 * stack and is cleared after. */
static int sha2_finish(const union sha2_state *keyed, size_t hash_len, const unsigned char *data,
                       size_t n, unsigned char *out)
{
    union sha2_state st = *keyed;
    int ok;
    switch (hash_len) {
    case 32: ok = SHA256_Update(&st.s256, data, n) == 1 && SHA256_Final(out, &st.s256) == 1; break;
    case 48: ok = SHA384_Update(&st.s512, data, n) == 1 && SHA384_Final(out, &st.s512) == 1; break;
    default: ok = SHA512_Update(&st.s512, data, n) == 1 && SHA512_Final(out, &st.s512) == 1; break;
    }
    OPENSSL_cleanse(&st, sizeof st);
    return ok;
}
#pragma GCC diagnostic pop
#endif

/* The inner (outer = 0) or outer (1) keyed state: K0 ^ ipad (0x36) or
 * K0 ^ opad (0x5c), one block, absorbed into hk's EVP context or, when hk
 * has none, its low-level state. `pad` is the caller's scratch block. */
static int hmac_pad_state(hmac_keyed *hk, int outer, const EVP_MD *md, cjwt_alg alg,
                          const unsigned char *k0, unsigned char *pad, size_t block)
{
    EVP_MD_CTX *ctx = outer ? hk->outer : hk->inner;
    for (size_t i = 0; i < block; i++)
        pad[i] = k0[i] ^ (outer ? 0x5c : 0x36);
    if (ctx)
        return EVP_DigestInit_ex(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, pad, block) == 1;
#ifdef CJWTP_HMAC_LOWLEVEL
    return sha2_keyed(outer ? &hk->lout : &hk->lin, cjwtp_alg_hash_len(alg), pad, block);
#else
    return 0;
#endif
}

#ifdef CJWTP_HMAC_LOWLEVEL
/* Whether md comes from OpenSSL's "default" provider, the one whose SHA-2
 * is the code the low-level SHA256_/SHA512_ functions run. */
static int hmac_md_is_openssls(const EVP_MD *md)
{
    const OSSL_PROVIDER *prov = EVP_MD_get0_provider(md);
    const char *name = prov ? OSSL_PROVIDER_get0_name(prov) : NULL;
    return name && strcmp(name, "default") == 0;
}
#endif

static hmac_keyed *hmac_keyed_new(const cjwt_key *key, cjwt_alg alg)
{
    unsigned char k0[128], pad[128];
    size_t block, klen = key->secret_len;
    unsigned mdlen = 0;
    EVP_MD *md = EVP_MD_fetch(NULL, hmac_md_name(alg), NULL);   /* once per key and alg */
    hmac_keyed *hk = calloc(1, sizeof *hk);
    int ok = md && hk, evp = 1;
#ifdef CJWTP_HMAC_LOWLEVEL
    evp = !md || !hmac_md_is_openssls(md) || EVP_default_properties_is_fips_enabled(NULL);
#endif
    ok = ok && (!evp || ((hk->inner = EVP_MD_CTX_new()) && (hk->outer = EVP_MD_CTX_new())));
    block = md ? (size_t)EVP_MD_get_block_size(md) : 0;
    ok = ok && block > 0 && block <= sizeof k0;
    memset(k0, 0, sizeof k0);
    if (ok && klen > block) {          /* a long key is replaced by its hash */
        ok = EVP_Digest(key->secret, klen, k0, &mdlen, md, NULL) == 1;
        klen = mdlen;
    } else if (ok) {
        memcpy(k0, key->secret, klen);
    }
    ok = ok && hmac_pad_state(hk, 0, md, alg, k0, pad, block) &&
         hmac_pad_state(hk, 1, md, alg, k0, pad, block);
    OPENSSL_cleanse(k0, sizeof k0);
    OPENSSL_cleanse(pad, sizeof pad);
    EVP_MD_free(md);                   /* the contexts hold their own references */
    if (!ok) {
        hmac_keyed_destroy(hk);
        return NULL;
    }
    return hk;
}

static const hmac_keyed *hmac_template(const cjwt_key *key, cjwt_alg alg)
{
    void *const *slot = &key->prepared[1][alg];   /* HMAC: one state signs and verifies */
    const hmac_keyed *tpl = __atomic_load_n((void **)slot, __ATOMIC_ACQUIRE);
    if (!tpl)
        tpl = publish(slot, hmac_keyed_new(key, alg), hmac_keyed_destroy);
    return tpl;
}

void cjwtp_key_free_prepared(cjwt_key *k)
{
    for (int a = 0; a < CJWT_ALG__COUNT; a++) {
        for (int i = 0; i < CJWTP_MAC_POOL; i++) {
            EVP_MD_CTX_free(k->mac_pool[a][i]);
            k->mac_pool[a][i] = NULL;
        }
        for (int op = 0; op < 2; op++) {
            if (!k->prepared[op][a])
                continue;
            if (cjwtp_alg_family((cjwt_alg)a) == CJWTP_FAM_HMAC)
                hmac_keyed_destroy(k->prepared[op][a]);
            else
                EVP_MD_CTX_free(k->prepared[op][a]);
            k->prepared[op][a] = NULL;
        }
    }
}

/* A working digest context from the key's pool (any state: every use
 * starts with a copy of a keyed state), or a new one when it is empty. */
static EVP_MD_CTX *hmac_acquire(const cjwt_key *key, cjwt_alg alg)
{
    void **pool = (void **)key->mac_pool[alg];
    for (int i = 0; i < CJWTP_MAC_POOL; i++) {
        EVP_MD_CTX *c = __atomic_exchange_n(&pool[i], NULL, __ATOMIC_ACQ_REL);
        if (c)
            return c;
    }
    return EVP_MD_CTX_new();
}

static void hmac_release(const cjwt_key *key, cjwt_alg alg, EVP_MD_CTX *c)
{
    void **pool = (void **)key->mac_pool[alg];
    for (int i = 0; c && i < CJWTP_MAC_POOL; i++) {
        void *expected = NULL;
        if (__atomic_compare_exchange_n(&pool[i], &expected, c, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return;
    }
    EVP_MD_CTX_free(c);
}

static cjwt_code hmac(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                      unsigned char *mac, size_t *mac_len, cjwt_error *err)
{
    const hmac_keyed *hk = hmac_template(key, alg);
    EVP_MD_CTX *ctx = NULL;
    unsigned char inner[EVP_MAX_MD_SIZE];
    unsigned ilen = 0, len = 0;
    int ok;
#ifdef CJWTP_HMAC_LOWLEVEL
    if (hk && !hk->inner) {
        size_t hl = cjwtp_alg_hash_len(alg);
        ok = sha2_finish(&hk->lin, hl, data, n, inner) && sha2_finish(&hk->lout, hl, inner, hl, mac);
        OPENSSL_cleanse(inner, hl);
        if (!ok) {
            ERR_clear_error();
            return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL HMAC failed");
        }
        *mac_len = hl;
        return CJWT_OK;
    }
#endif
    ctx = hk ? hmac_acquire(key, alg) : NULL;
    ok = ctx && EVP_MD_CTX_copy_ex(ctx, hk->inner) == 1 &&
             EVP_DigestUpdate(ctx, data, n) == 1 && EVP_DigestFinal_ex(ctx, inner, &ilen) == 1 &&
             EVP_MD_CTX_copy_ex(ctx, hk->outer) == 1 && EVP_DigestUpdate(ctx, inner, ilen) == 1 &&
             EVP_DigestFinal_ex(ctx, mac, &len) == 1;
    OPENSSL_cleanse(inner, ilen);
    if (ctx)
        hmac_release(key, alg, ctx);   /* it holds only a finished hash */
    if (!ok) {
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL HMAC failed");
    }
    *mac_len = len;
    return CJWT_OK;
}

/* A digest-sign/verify context for an asymmetric algorithm, with the PSS
 * parameters of RFC 7518 3.5: MGF1 with the same hash, salt = hash size. */
static EVP_MD_CTX *new_pkey_ctx(const cjwt_key *key, cjwt_alg alg, int sign)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok;
    if (!ctx)
        return NULL;
    ok = sign ? EVP_DigestSignInit(ctx, &pctx, alg_md(alg), NULL, key->pkey)
              : EVP_DigestVerifyInit(ctx, &pctx, alg_md(alg), NULL, key->pkey);
    if (ok == 1 && cjwtp_alg_family(alg) == CJWTP_FAM_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, alg_md(alg)) == 1;
    else if (ok == 1 && cjwtp_alg_family(alg) == CJWTP_FAM_RSA)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    if (ok != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A working copy of the key's prepared context for (alg, sign). EdDSA has
 * no streaming mode to copy, so it gets a fresh context each time. */
static EVP_MD_CTX *pkey_ctx(const cjwt_key *key, cjwt_alg alg, int sign)
{
    void *const *slot = &key->prepared[sign ? 1 : 0][alg];
    EVP_MD_CTX *tpl, *ctx;
    if (cjwtp_alg_family(alg) == CJWTP_FAM_EDDSA)
        return new_pkey_ctx(key, alg, sign);
    tpl = __atomic_load_n((void **)slot, __ATOMIC_ACQUIRE);
    if (!tpl)
        tpl = publish(slot, new_pkey_ctx(key, alg, sign), md_ctx_destroy);
    ctx = tpl ? EVP_MD_CTX_new() : NULL;
    if (ctx && EVP_MD_CTX_copy_ex(ctx, tpl) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* ---- Ed25519 ----------------------------------------------------------------
 * With libsodium at build time (CJWT_HAVE_SODIUM) Ed25519 signs and verifies
 * with it (about twice OpenSSL 3.0's verify rate); keys are still imported
 * and exported by OpenSSL, and the raw keys are taken from the EVP_PKEY once.
 *
 * libsodium's verify refuses three things OpenSSL's accepts: a small-order
 * R, a small-order public key A, and a non-canonical A (y >= p). So that
 * cjwt's verdict does not depend on the build, both builds refuse them here
 * first (the same tests as libsodium 1.0.18's ge25519_has_small_order and
 * ge25519_is_canonical; docs/performance.md, "Ed25519 and libsodium").
 * Everything else (S < L, R compared by its encoding, the cofactorless
 * equation) the two libraries already do alike. */

/* The encodings of the points of order 1, 2, 4 and 8 (the sign bit
 * ignored), and the non-canonical p and p + 1. */
static const unsigned char ed_small_order[7][32] = {
    {0},
    {0x01},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
};

static int ed_has_small_order(const unsigned char *p)
{
    for (int i = 0; i < 7; i++)
        if (memcmp(p, ed_small_order[i], 31) == 0 && (p[31] & 0x7f) == ed_small_order[i][31])
            return 1;
    return 0;
}

/* y < p = 2^255 - 19, the sign bit ignored */
static int ed_is_canonical(const unsigned char *p)
{
    if ((p[31] & 0x7f) != 0x7f || p[0] < 0xed)
        return 1;
    for (int i = 1; i < 31; i++)
        if (p[i] != 0xff)
            return 1;
    return 0;
}

int cjwtp_ed25519_uses_sodium(void)
{
#ifdef CJWT_HAVE_SODIUM
    return 1;
#else
    return 0;
#endif
}

int cjwtp_ed25519_prepare(cjwt_key *k, cjwt_error *err)
{
    size_t len = sizeof k->ed_pk;
    if (EVP_PKEY_get_raw_public_key(k->pkey, k->ed_pk, &len) != 1 || len != 32) {
        ERR_clear_error();
        cjwtp_fail(err, CJWT_E_INVALID_KEY, "could not read the Ed25519 public key");
        return -1;
    }
#ifdef CJWT_HAVE_SODIUM
    if (sodium_init() < 0)
        return 0;                       /* OpenSSL does the work for this key */
    if (k->is_private) {
        unsigned char seed[32], pk[32];
        size_t slen = sizeof seed;
        int ok = EVP_PKEY_get_raw_private_key(k->pkey, seed, &slen) == 1 && slen == 32 &&
                 (k->ed_sk = malloc(64)) != NULL &&
                 crypto_sign_ed25519_seed_keypair(pk, k->ed_sk, seed) == 0 &&
                 memcmp(pk, k->ed_pk, 32) == 0;
        OPENSSL_cleanse(seed, sizeof seed);
        ERR_clear_error();
        if (!ok) {
            if (k->ed_sk) {
                OPENSSL_cleanse(k->ed_sk, 64);
                free(k->ed_sk);
                k->ed_sk = NULL;
            }
            cjwtp_fail(err, CJWT_E_INVALID_KEY, "could not read the Ed25519 private key");
            return -1;
        }
    }
    k->ed_sodium = 1;
#endif
    return 0;
}

/* 1: the signature is refused whatever the library (see above). */
static int ed25519_refused_early(const cjwt_key *key, const unsigned char *sig)
{
    return ed_has_small_order(sig) || ed_has_small_order(key->ed_pk) || !ed_is_canonical(key->ed_pk);
}

/* ECDSA: OpenSSL speaks DER, JWS speaks fixed-width r||s (RFC 7518 3.4). */
static int ecdsa_der_to_jws(const unsigned char *der, size_t der_len, size_t width,
                            unsigned char *out)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    const BIGNUM *r, *s;
    int ok = 0;
    if (!sig)
        return 0;
    ECDSA_SIG_get0(sig, &r, &s);
    ok = BN_bn2binpad(r, out, (int)width) == (int)width &&
         BN_bn2binpad(s, out + width, (int)width) == (int)width;
    ECDSA_SIG_free(sig);
    return ok;
}

/* r||s -> DER for OpenSSL; 0 if it cannot be expressed (never for the
 * right length). Range checks (0 < r,s < n) are OpenSSL's verify's job. */
static size_t ecdsa_jws_to_der(const unsigned char *rs, size_t width, unsigned char **der)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, (int)width, NULL), *s = BN_bin2bn(rs + width, (int)width, NULL);
    int n = 0;
    *der = NULL;
    if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return 0;
    }
    n = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    return n > 0 ? (size_t)n : 0;
}

static cjwt_code pkey_sign(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                           unsigned char *sig, size_t *sig_len, cjwt_error *err)
{
    unsigned char der[CJWTP_MAX_SIG + 16];
    size_t len = sizeof der;
    EVP_MD_CTX *ctx;
    if (!key->is_private)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "a public key cannot sign: %s needs the private key",
                          cjwt_alg_name(alg));
#ifdef CJWT_HAVE_SODIUM
    if (cjwtp_alg_family(alg) == CJWTP_FAM_EDDSA && key->ed_sodium && key->ed_sk) {
        unsigned long long slen = 0;
        if (crypto_sign_ed25519_detached(sig, &slen, data, n, key->ed_sk) != 0 || slen != 64)
            return cjwtp_fail(err, CJWT_E_INTERNAL, "libsodium could not sign with EdDSA");
        *sig_len = 64;
        return CJWT_OK;
    }
#endif
    if (cjwtp_alg_family(alg) != CJWTP_FAM_EC && (size_t)EVP_PKEY_get_size(key->pkey) > CJWTP_MAX_SIG)
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key is too large to sign with");
    ctx = pkey_ctx(key, alg, 1);
    if (!ctx || EVP_DigestSign(ctx, der, &len, data, n) != 1) {
        EVP_MD_CTX_free(ctx);
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL could not sign with %s", cjwt_alg_name(alg));
    }
    EVP_MD_CTX_free(ctx);
    if (cjwtp_alg_family(alg) == CJWTP_FAM_EC) {
        size_t w = cjwtp_curve_bytes(key->curve);
        if (!ecdsa_der_to_jws(der, len, w, sig))
            return cjwtp_fail(err, CJWT_E_INTERNAL, "could not convert an ECDSA signature");
        *sig_len = 2 * w;
    } else {
        memcpy(sig, der, len);
        *sig_len = len;
    }
    return CJWT_OK;
}

static cjwt_code pkey_verify(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                             const unsigned char *sig, size_t sig_len, cjwt_error *err)
{
    unsigned char *der = NULL;
    EVP_MD_CTX *ctx;
    int ok;
    if (cjwtp_alg_family(alg) == CJWTP_FAM_EC) {
        size_t w = cjwtp_curve_bytes(key->curve);
        /* Only the JWS form is accepted: a DER signature has another length. */
        if (sig_len != 2 * w)
            return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE,
                              "Signature verification failed (an %s signature is %zu bytes of r||s)",
                              cjwt_alg_name(alg), 2 * w);
        sig_len = ecdsa_jws_to_der(sig, w, &der);
        if (!sig_len)
            return cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory checking a signature");
        sig = der;
    } else if (cjwtp_alg_family(alg) == CJWTP_FAM_EDDSA) {
        /* Ed448 is OpenSSL's alone: its verify refuses S >= L and
         * non-canonical encodings itself (the Wycheproof suite checks). */
        if (sig_len != eddsa_sig_len(key) ||
            (key->curve == CJWTP_CRV_ED25519 && ed25519_refused_early(key, sig)))
            return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
#ifdef CJWT_HAVE_SODIUM
        if (key->ed_sodium) {
            if (crypto_sign_ed25519_verify_detached(sig, data, n, key->ed_pk) != 0)
                return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
            return CJWT_OK;
        }
#endif
    } else if (cjwtp_alg_family(alg) != CJWTP_FAM_EDDSA &&
               sig_len != (size_t)EVP_PKEY_get_size(key->pkey)) {
        /* RFC 8017 8.2.2 step 1: an RSA signature is exactly k bytes */
        return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
    }
    ctx = pkey_ctx(key, alg, 0);
    if (!ctx) {
        OPENSSL_free(der);
        ERR_clear_error();
        return cjwtp_fail(err, CJWT_E_INTERNAL, "OpenSSL could not set up %s", cjwt_alg_name(alg));
    }
    ok = EVP_DigestVerify(ctx, sig, sig_len, data, n);
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ERR_clear_error();
    if (ok != 1)
        return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
    return CJWT_OK;
}

cjwt_code cjwtp_sign(const cjwt_key *key, cjwt_alg alg, const unsigned char *data, size_t n,
                     unsigned char *sig, size_t *sig_len, cjwt_error *err)
{
    cjwt_code rc = cjwtp_key_check(key, alg, err);
    if (rc != CJWT_OK)
        return rc;
    if (!(key->ops & CJWTP_OP_SIGN))
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's key_ops do not allow \"sign\"");
    if (cjwtp_alg_family(alg) == CJWTP_FAM_HMAC)
        return hmac(key, alg, data, n, sig, sig_len, err);
    return pkey_sign(key, alg, data, n, sig, sig_len, err);
}

cjwt_code cjwtp_verify_sig(const cjwt_key *key, cjwt_alg alg, const unsigned char *data,
                           size_t n, const unsigned char *sig, size_t sig_len, cjwt_error *err)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    cjwt_code rc = cjwtp_key_check(key, alg, err);
    if (rc != CJWT_OK)
        return rc;
    if (!(key->ops & CJWTP_OP_VERIFY))
        return cjwtp_fail(err, CJWT_E_INVALID_KEY, "the key's key_ops do not allow \"verify\"");
    if (cjwtp_alg_family(alg) != CJWTP_FAM_HMAC)
        return pkey_verify(key, alg, data, n, sig, sig_len, err);
    rc = hmac(key, alg, data, n, mac, &mac_len, err);
    if (rc != CJWT_OK)
        return rc;
    /* The length is public (fixed by alg); the bytes are compared in
     * constant time so the position of a mismatch leaks nothing. */
    if (sig_len != mac_len || CRYPTO_memcmp(sig, mac, mac_len) != 0) {
        OPENSSL_cleanse(mac, mac_len);
        return cjwtp_fail(err, CJWT_E_BAD_SIGNATURE, "Signature verification failed");
    }
    OPENSSL_cleanse(mac, mac_len);
    return CJWT_OK;
}

cjwt_code cjwt_verify_signature(const cjwt_key *key, cjwt_alg alg, const unsigned char *data,
                                size_t data_len, const unsigned char *sig, size_t sig_len,
                                cjwt_error *err)
{
    cjwtp_error_clear(err);
    if ((!data && data_len) || (!sig && sig_len))
        return cjwtp_fail(err, CJWT_E_MALFORMED, "no data given");
    return cjwtp_verify_sig(key, alg, data ? data : (const unsigned char *)"", data_len,
                            sig ? sig : (const unsigned char *)"", sig_len, err);
}
