/* Unit tests of the key cache (csrc/keycache.c): hits and misses, most
 * recently used order and eviction, what is never cached (refused material,
 * encrypted PEM), the key of parser and flags, references that outlive
 * their entry, clear and stats, and many threads on one cache (this file
 * also runs under ThreadSanitizer: TSAN_TESTS in the Makefile). */
#include "cjwt.h"
#include "testlib.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SECRET_A[] = "0123456789abcdef0123456789abcdef";
static const char SECRET_B[] = "abcdef0123456789abcdef0123456789";
static const char SECRET_C[] = "fedcba9876543210fedcba9876543210";

static cjwt_key *get(cjwt_key_cache *c, const char *s, cjwt_key_parser p, unsigned flags,
                     cjwt_error *err)
{
    return cjwt_key_cache_get(c, s, strlen(s), p, flags, err);
}

static cjwt_cache_stats stats(const cjwt_key_cache *c)
{
    cjwt_cache_stats s;
    cjwt_key_cache_stats(c, &s);
    return s;
}

/* A PEM private key (Ed25519), encrypted with `password` when not NULL. */
static char *ed25519_pem(const char *password)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL, *p;
    long n;
    if (pk && bio &&
        PEM_write_bio_PrivateKey(bio, pk, password ? EVP_aes_256_cbc() : NULL,
                                 (const unsigned char *)password,
                                 password ? (int)strlen(password) : 0, NULL, NULL) == 1 &&
        (n = BIO_get_mem_data(bio, &p)) > 0 && (out = malloc((size_t)n + 1))) {
        memcpy(out, p, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(bio);
    EVP_PKEY_free(pk);
    return out;
}

static void test_hit_returns_the_same_key(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(4);
    cjwt_error err = {0};
    cjwt_key *k1 = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    cjwt_key *k2 = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    CHECK(k1 && k2 && k1 == k2);
    CHECK(k1 && cjwt_key_type(k1) == CJWT_KTY_OCT);
    cjwt_cache_stats s = stats(c);
    CHECK(s.hits == 1 && s.misses == 1 && s.size == 1 && s.capacity == 4 && s.evictions == 0);
    cjwt_key_free(k1);
    cjwt_key_free(k2);
    cjwt_key_cache_free(c);
}

static void test_lru_order_and_eviction(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(2);
    cjwt_error err = {0};
    cjwt_key *a = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    cjwt_key_free(get(c, SECRET_B, CJWT_KEY_PARSE_BYTES, 0, &err));
    cjwt_key_free(get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err));   /* hit: A first again */
    cjwt_key_free(get(c, SECRET_C, CJWT_KEY_PARSE_BYTES, 0, &err));   /* evicts B, not A */
    cjwt_cache_stats s = stats(c);
    CHECK(s.hits == 1 && s.misses == 3 && s.evictions == 1 && s.size == 2);
    cjwt_key *a2 = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    CHECK(a2 == a);                                                     /* still cached */
    cjwt_key_free(get(c, SECRET_B, CJWT_KEY_PARSE_BYTES, 0, &err));   /* a miss: evicts C */
    s = stats(c);
    CHECK(s.hits == 2 && s.misses == 4 && s.evictions == 2 && s.size == 2);
    cjwt_key_free(a);
    cjwt_key_free(a2);
    cjwt_key_cache_free(c);
}

static void test_key_outlives_its_entry(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(1);
    cjwt_error err = {0};
    cjwt_key *a = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    cjwt_key_free(get(c, SECRET_B, CJWT_KEY_PARSE_BYTES, 0, &err));   /* evicts A */
    cjwt_key_cache_clear(c, 0);
    /* The caller's reference is its own: the key is still whole. */
    CHECK(a && cjwt_key_bits(a) == 256);
    size_t len = 0;
    char *tok = NULL;
    cjwt_value *claims = cjwt_value_new_object();
    cjwt_sign_opts o = {.alg = CJWT_ALG_HS256};
    tok = cjwt_encode(claims, a, &o, &len, &err);
    CHECK(tok != NULL);
    cjwt_free(tok);
    cjwt_value_free(claims);
    cjwt_key_free(a);
    cjwt_key_cache_free(c);
}

static void test_refused_material_is_not_cached(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(4);
    cjwt_error err = {0};
    const char *bad = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n";
    CHECK(get(c, bad, CJWT_KEY_PARSE_BYTES, 0, &err) == NULL);
    CHECK_CODE(err, "invalid_key");
    memset(&err, 0, sizeof err);
    CHECK(get(c, bad, CJWT_KEY_PARSE_BYTES, 0, &err) == NULL);   /* reported again */
    CHECK_CODE(err, "invalid_key");
    memset(&err, 0, sizeof err);
    CHECK(get(c, "{\"kty\":\"oct\"}", CJWT_KEY_PARSE_JWK, 0, &err) == NULL);
    cjwt_cache_stats s = stats(c);
    CHECK(s.size == 0 && s.misses == 3 && s.hits == 0);
    cjwt_key_cache_free(c);
}

static void test_encrypted_pem_is_not_cached(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(4);
    cjwt_error err = {0};
    char *enc = ed25519_pem("correct horse");
    char *plain = ed25519_pem(NULL);
    CHECK(enc && strstr(enc, "ENCRYPTED"));
    CHECK(enc && get(c, enc, CJWT_KEY_PARSE_BYTES, 0, &err) == NULL);
    CHECK(enc && get(c, enc, CJWT_KEY_PARSE_PEM, 0, &err) == NULL);
    CHECK(stats(c).size == 0);
    cjwt_key *k = plain ? get(c, plain, CJWT_KEY_PARSE_PEM, 0, &err) : NULL;
    CHECK(k && cjwt_key_type(k) == CJWT_KTY_OKP && cjwt_key_is_private(k));
    CHECK(stats(c).size == 1);
    cjwt_key_free(k);
    free(enc);
    free(plain);
    cjwt_key_cache_free(c);
}

static void test_parser_and_flags_are_part_of_the_key(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(8);
    cjwt_error err = {0};
    const char *jwk = "{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}";
    cjwt_key *as_bytes = get(c, jwk, CJWT_KEY_PARSE_BYTES, 0, &err);
    cjwt_key *as_jwk = get(c, jwk, CJWT_KEY_PARSE_JWK, 0, &err);
    cjwt_key *as_secret = get(c, jwk, CJWT_KEY_PARSE_SECRET, 0, &err);
    cjwt_key *short_ok = get(c, "short", CJWT_KEY_PARSE_SECRET, CJWT_KEY_ALLOW_SHORT_SECRET, &err);
    cjwt_key *short_plain = get(c, "short", CJWT_KEY_PARSE_SECRET, 0, &err);
    CHECK(as_bytes && as_jwk && as_secret && short_ok && short_plain);
    CHECK(as_bytes != as_jwk && as_jwk != as_secret && short_ok != short_plain);
    /* The JWK text read as JWK is the 32-byte secret inside; read as a secret it is the text. */
    CHECK(as_jwk && cjwt_key_bits(as_jwk) == 256);
    CHECK(as_secret && cjwt_key_bits(as_secret) == (int)strlen(jwk) * 8);
    CHECK(stats(c).size == 5 && stats(c).hits == 0);
    cjwt_key *again = get(c, jwk, CJWT_KEY_PARSE_SECRET, 0, &err);
    CHECK(again == as_secret && stats(c).hits == 1);
    cjwt_key_free(as_bytes);
    cjwt_key_free(as_jwk);
    cjwt_key_free(as_secret);
    cjwt_key_free(short_ok);
    cjwt_key_free(short_plain);
    cjwt_key_free(again);
    cjwt_key_cache_free(c);
}

static void test_binary_material_and_prefixes(void)
{
    cjwt_key_cache *c = cjwt_key_cache_new(4);
    cjwt_error err = {0};
    const unsigned char bin[33] = {0, 1, 2, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                                   30, 31, 32};
    cjwt_key *k33 = cjwt_key_cache_get(c, bin, 33, CJWT_KEY_PARSE_SECRET, 0, &err);
    cjwt_key *k32 = cjwt_key_cache_get(c, bin, 32, CJWT_KEY_PARSE_SECRET, 0, &err);
    CHECK(k33 && k32 && k33 != k32);   /* a prefix is other material */
    CHECK(stats(c).size == 2 && stats(c).hits == 0);
    cjwt_key_free(k33);
    cjwt_key_free(k32);
    /* Empty material: whatever the parser says, nothing crashes and len 0 compares. */
    cjwt_key *e1 = cjwt_key_cache_get(c, "", 0, CJWT_KEY_PARSE_BYTES, 0, &err);
    cjwt_key *e2 = cjwt_key_cache_get(c, "", 0, CJWT_KEY_PARSE_BYTES, 0, &err);
    CHECK((e1 == NULL) == (e2 == NULL));
    cjwt_key_free(e1);
    cjwt_key_free(e2);
    CHECK(cjwt_key_cache_get(NULL, "x", 1, CJWT_KEY_PARSE_BYTES, 0, &err) == NULL);
    cjwt_key_cache_free(c);
}

static void test_clear_stats_and_capacity(void)
{
    cjwt_error err = {0};
    CHECK(cjwt_key_cache_new(CJWT_KEY_CACHE_MAX_CAPACITY + 1) == NULL);
    cjwt_key_cache *c = cjwt_key_cache_new(4);
    cjwt_key_free(get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err));
    cjwt_key_free(get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err));
    cjwt_key_cache_clear(c, 0);
    cjwt_cache_stats s = stats(c);
    CHECK(s.size == 0 && s.hits == 1 && s.misses == 1);
    cjwt_key_free(get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err));
    CHECK(stats(c).misses == 2 && stats(c).size == 1);
    cjwt_key_cache_clear(c, 1);
    s = stats(c);
    CHECK(s.size == 0 && s.hits == 0 && s.misses == 0 && s.capacity == 4);
    cjwt_key_cache_free(c);

    /* Capacity 0: every get parses, nothing is kept, the counters count. */
    c = cjwt_key_cache_new(0);
    cjwt_key *k1 = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    cjwt_key *k2 = get(c, SECRET_A, CJWT_KEY_PARSE_BYTES, 0, &err);
    CHECK(k1 && k2 && k1 != k2);
    s = stats(c);
    CHECK(s.size == 0 && s.misses == 2 && s.hits == 0 && s.capacity == 0);
    cjwt_key_free(k1);
    cjwt_key_free(k2);
    cjwt_key_cache_free(c);

    cjwt_key_cache_stats(NULL, &s);
    CHECK(s.size == 0 && s.hits == 0);
    cjwt_key_cache_clear(NULL, 1);
    cjwt_key_cache_free(NULL);
}

/* Threads sharing one cache smaller than the material they use: every get
 * returns a usable key, and the counters add up. */
#define N_THREADS 4
#define N_GETS 400
#define N_MATERIAL 6

static cjwt_key_cache *shared_cache;

static void *worker(void *arg)
{
    int id = *(int *)arg, fails = 0;
    char secret[40];
    for (int i = 0; i < N_GETS; i++) {
        cjwt_error err = {0};
        snprintf(secret, sizeof secret, "shared-secret-%02d-0123456789abcdef", (i + id) % N_MATERIAL);
        cjwt_key *k = get(shared_cache, secret, CJWT_KEY_PARSE_BYTES, 0, &err);
        if (!k || cjwt_key_bits(k) != (int)strlen(secret) * 8)
            fails++;
        cjwt_key_free(k);
        if (i % 97 == 0)
            cjwt_key_cache_clear(shared_cache, 0);
    }
    *(int *)arg = fails;
    return NULL;
}

static void test_threads(void)
{
    pthread_t th[N_THREADS];
    int arg[N_THREADS];
    shared_cache = cjwt_key_cache_new(4);
    for (int i = 0; i < N_THREADS; i++) {
        arg[i] = i;
        CHECK(pthread_create(&th[i], NULL, worker, &arg[i]) == 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK(arg[i] == 0);
    }
    cjwt_cache_stats s = stats(shared_cache);
    CHECK(s.hits + s.misses == (uint64_t)N_THREADS * N_GETS);
    CHECK(s.size <= 4);
    cjwt_key_cache_free(shared_cache);
}

int main(void)
{
    RUN(test_hit_returns_the_same_key);
    RUN(test_lru_order_and_eviction);
    RUN(test_key_outlives_its_entry);
    RUN(test_refused_material_is_not_cached);
    RUN(test_encrypted_pem_is_not_cached);
    RUN(test_parser_and_flags_are_part_of_the_key);
    RUN(test_binary_material_and_prefixes);
    RUN(test_clear_stats_and_capacity);
    RUN(test_threads);
    return testlib_report("test_keycache");
}
