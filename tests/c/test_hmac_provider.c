/* HMAC keys and OpenSSL providers (csrc/alg.c, hmac_keyed_new): cjwt's
 * pre-keyed SHA-2 states run OpenSSL's own SHA-2 code without going through
 * EVP, which is right only while EVP would have used the "default" provider.
 * When the application prefers another provider of SHA-2 (a FIPS provider, a
 * hardware one, ...), a key made afterwards must hash through EVP, i.e. through
 * that provider. The stand-in here is a provider built into this test
 * ("cjwt-test-sha2") whose SHA2-256/384/512 count their calls and delegate to
 * the default provider's. The MACs must not change, and the calls must reach
 * the preferred provider exactly when it is preferred. */
#include "cjwt.h"
#include "testlib.h"

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/provider.h>

static EVP_MD *real_md[3];          /* the default provider's SHA-256/384/512 */
static size_t calls;                /* digest inits through the test provider */

typedef struct { EVP_MD_CTX *ctx; int which; } tctx;

static void *t_newctx(int which)
{
    tctx *c = calloc(1, sizeof *c);
    if (c && !(c->ctx = EVP_MD_CTX_new())) {
        free(c);
        return NULL;
    }
    if (c)
        c->which = which;
    return c;
}
static void *t_new256(void *prov) { (void)prov; return t_newctx(0); }
static void *t_new384(void *prov) { (void)prov; return t_newctx(1); }
static void *t_new512(void *prov) { (void)prov; return t_newctx(2); }

static void t_freectx(void *p)
{
    tctx *c = p;
    if (c) {
        EVP_MD_CTX_free(c->ctx);
        free(c);
    }
}

static void *t_dupctx(void *p)
{
    tctx *c = p, *d = t_newctx(c->which);
    if (d && EVP_MD_CTX_copy_ex(d->ctx, c->ctx) != 1) {
        t_freectx(d);
        return NULL;
    }
    return d;
}

static int t_init(void *p, const OSSL_PARAM params[])
{
    tctx *c = p;
    (void)params;
    calls++;
    return EVP_DigestInit_ex(c->ctx, real_md[c->which], NULL);
}

static int t_update(void *p, const unsigned char *in, size_t n)
{
    return EVP_DigestUpdate(((tctx *)p)->ctx, in, n);
}

static int t_final(void *p, unsigned char *out, size_t *outl, size_t outsz)
{
    tctx *c = p;
    unsigned n = 0;
    if (outsz < (size_t)EVP_MD_get_size(real_md[c->which]) || EVP_DigestFinal_ex(c->ctx, out, &n) != 1)
        return 0;
    *outl = n;
    return 1;
}

static int t_params(OSSL_PARAM params[], size_t block, size_t size)
{
    OSSL_PARAM *p;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE)) && !OSSL_PARAM_set_size_t(p, block))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE)) && !OSSL_PARAM_set_size_t(p, size))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_XOF)) && !OSSL_PARAM_set_int(p, 0))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_ALGID_ABSENT)) && !OSSL_PARAM_set_int(p, 0))
        return 0;
    return 1;
}
static int t_params256(OSSL_PARAM params[]) { return t_params(params, 64, 32); }
static int t_params384(OSSL_PARAM params[]) { return t_params(params, 128, 48); }
static int t_params512(OSSL_PARAM params[]) { return t_params(params, 128, 64); }

#define DIGEST_FNS(NEW, PARAMS) { \
    {OSSL_FUNC_DIGEST_NEWCTX, (void (*)(void))NEW}, \
    {OSSL_FUNC_DIGEST_INIT, (void (*)(void))t_init}, \
    {OSSL_FUNC_DIGEST_UPDATE, (void (*)(void))t_update}, \
    {OSSL_FUNC_DIGEST_FINAL, (void (*)(void))t_final}, \
    {OSSL_FUNC_DIGEST_FREECTX, (void (*)(void))t_freectx}, \
    {OSSL_FUNC_DIGEST_DUPCTX, (void (*)(void))t_dupctx}, \
    {OSSL_FUNC_DIGEST_GET_PARAMS, (void (*)(void))PARAMS}, \
    {0, NULL}}
static const OSSL_DISPATCH fns256[] = DIGEST_FNS(t_new256, t_params256);
static const OSSL_DISPATCH fns384[] = DIGEST_FNS(t_new384, t_params384);
static const OSSL_DISPATCH fns512[] = DIGEST_FNS(t_new512, t_params512);

static const OSSL_ALGORITHM digests[] = {
    {"SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1", "provider=cjwt-test-sha2", fns256, NULL},
    {"SHA2-384:SHA-384:SHA384:2.16.840.1.101.3.4.2.2", "provider=cjwt-test-sha2", fns384, NULL},
    {"SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3", "provider=cjwt-test-sha2", fns512, NULL},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM *t_query(void *prov, int op, int *no_cache)
{
    (void)prov;
    *no_cache = 0;
    return op == OSSL_OP_DIGEST ? digests : NULL;
}

static const OSSL_DISPATCH provider_fns[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))t_query},
    {0, NULL}};

static int t_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                           const OSSL_DISPATCH **out, void **provctx)
{
    (void)handle;
    (void)in;
    *out = provider_fns;
    *provctx = NULL;
    return 1;
}

/* ------------------------------------------------------------------------ */

static const char *const names[3] = {"HS256", "HS384", "HS512"};
static const char *const md_names[3] = {"SHA256", "SHA384", "SHA512"};
/* short and long (hashed first: longer than SHA-512's block) secrets */
static const size_t secret_lens[2] = {64, 200};
static const char message[] = "a message signed with every algorithm and key";

/* What the MAC of `input` must be: OpenSSL's HMAC() with the default
 * provider's digest (real_md, not counted). */
static unsigned expected_mac(const unsigned char *secret, size_t n, int a, const char *input,
                             unsigned char *mac)
{
    unsigned mac_len = 0;
    HMAC(real_md[a], secret, (int)n, (const unsigned char *)input, strlen(input), mac, &mac_len);
    return mac_len;
}

/* A new key signs a raw JWS over `message` and verifies the expected MAC
 * (and refuses it with one bit flipped); returns the digest inits the test
 * provider saw meanwhile. */
static size_t sign_and_verify(const unsigned char *secret, size_t n, int a)
{
    cjwt_error err;
    size_t before = calls, len = 0;
    cjwt_key *k = cjwt_key_from_secret(secret, n, 0, &err);
    cjwt_sign_opts o;
    unsigned char mac[EVP_MAX_MD_SIZE];
    memset(&o, 0, sizeof o);
    o.alg = cjwt_alg_from_name(names[a], strlen(names[a]));
    char *tok = k ? cjwt_jws_encode((const unsigned char *)message, sizeof message - 1, k, &o,
                                    &len, &err) : NULL;
    char *dot = tok ? strrchr(tok, '.') : NULL;
    CHECK(dot != NULL);
    if (dot) {
        *dot = '\0';                                   /* tok is now the signing input */
        size_t used = calls - before;
        unsigned mac_len = expected_mac(secret, n, a, tok, mac);
        char *want = b64u(mac, mac_len);
        CHECK_STR(dot + 1, want);
        free(want);
        before = calls - used;
        CHECK(cjwt_verify_signature(k, o.alg, (const unsigned char *)tok, strlen(tok), mac,
                                    mac_len, &err) == CJWT_OK);
        mac[mac_len / 2] ^= 0x10;
        CHECK(cjwt_verify_signature(k, o.alg, (const unsigned char *)tok, strlen(tok), mac,
                                    mac_len, &err) != CJWT_OK);
    }
    cjwt_free(tok);
    cjwt_key_free(k);
    return calls - before;
}

static void check_all(int through_provider)
{
    unsigned char secret[200];
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (unsigned char)(i * 7 + 3);
    for (int a = 0; a < 3; a++)
        for (int s = 0; s < 2; s++) {
            size_t used = sign_and_verify(secret, secret_lens[s], a);
            if (through_provider)
                CHECK(used > 0);      /* the preferred provider did the hashing */
            else
                CHECK(used == 0);     /* loaded but not preferred: never asked */
            if (through_provider ? used == 0 : used != 0)
                fprintf(stderr, "  %s, %zu-byte secret: %zu digest inits in the test provider\n",
                        names[a], secret_lens[s], used);
        }
}

static OSSL_PROVIDER *test_prov, *default_prov;

static void test_default_provider_not_asked(void)
{
    check_all(0);
}

static void test_preferred_provider_does_the_hashing(void)
{
    CHECK(EVP_set_default_properties(NULL, "?provider=cjwt-test-sha2") == 1);
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    const OSSL_PROVIDER *p = md ? EVP_MD_get0_provider(md) : NULL;
    CHECK_STR(p ? OSSL_PROVIDER_get0_name(p) : NULL, "cjwt-test-sha2");
    EVP_MD_free(md);
    check_all(1);
    CHECK(EVP_set_default_properties(NULL, "") == 1);
}

static void test_back_to_the_default(void)
{
    check_all(0);
}

int main(void)
{
    /* the default provider stays loaded when another one is */
    default_prov = OSSL_PROVIDER_load(NULL, "default");
    for (int a = 0; a < 3; a++)
        real_md[a] = EVP_MD_fetch(NULL, md_names[a], "provider=default");
    CHECK(OSSL_PROVIDER_add_builtin(NULL, "cjwt-test-sha2", t_provider_init) == 1);
    test_prov = OSSL_PROVIDER_load(NULL, "cjwt-test-sha2");
    if (!default_prov || !test_prov || !real_md[0] || !real_md[1] || !real_md[2]) {
        fprintf(stderr, "test_hmac_provider: cannot set up the providers\n");
        return 1;
    }
    RUN(test_default_provider_not_asked);
    RUN(test_preferred_provider_does_the_hashing);
    RUN(test_back_to_the_default);
    for (int a = 0; a < 3; a++)
        EVP_MD_free(real_md[a]);
    OSSL_PROVIDER_unload(test_prov);
    OSSL_PROVIDER_unload(default_prov);
    return testlib_report("hmac_provider");
}
