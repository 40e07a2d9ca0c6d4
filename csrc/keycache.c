/* The key cache: key material given as bytes (a PEM, JWK text, a secret)
 * -> the parsed cjwt_key, so that a binding handed the same str/bytes key
 * on every call parses it once. PEM decoding costs 50 to 500 times an HS256
 * verification.
 *
 * A small array, most recently used first, keyed by the exact bytes
 * (length, then memcmp) together with the parser and the flags; lookups are
 * linear, which is what a few dozen entries want (the capacity is bounded by
 * CJWT_KEY_CACHE_MAX_CAPACITY). One mutex guards the array and the counters;
 * parsing happens outside it, so a slow PEM does not hold other threads, and
 * two threads missing on the same material at once keep the first key cached
 * (the other's parse is dropped) so every caller gets the same key object.
 * Evicted entries are wiped (OPENSSL_cleanse: the material may be a secret)
 * and released after the mutex is released. Refused material is never
 * cached. Nothing here knows an interpreter: the Python and Lua bindings
 * each own one cache per module state. */
#include "cjwt_internal.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct kc_entry {
    unsigned char *data;     /* copy of the material (wiped before it is freed) */
    size_t len;
    cjwt_key_parser parser;
    unsigned flags;
    cjwt_key *key;           /* one reference */
} kc_entry;

struct cjwt_key_cache {
    pthread_mutex_t mu;
    size_t capacity, n;
    uint64_t hits, misses, evictions;
    kc_entry e[];            /* capacity entries; e[0] is the most recently used */
};

static void entry_release(kc_entry *e)
{
    if (e->data) {
        OPENSSL_cleanse(e->data, e->len);
        free(e->data);
    }
    cjwt_key_free(e->key);
    memset(e, 0, sizeof *e);
}

cjwt_key_cache *cjwt_key_cache_new(size_t capacity)
{
    cjwt_key_cache *c;
    if (capacity > CJWT_KEY_CACHE_MAX_CAPACITY)
        return NULL;
    c = calloc(1, sizeof *c + capacity * sizeof(kc_entry));
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->capacity = capacity;
    return c;
}

static cjwt_key *parse(const unsigned char *data, size_t len, cjwt_key_parser parser,
                       unsigned flags, cjwt_error *err)
{
    switch (parser) {
    case CJWT_KEY_PARSE_BYTES:
        return cjwt_key_from_bytes(data, len, flags, err);
    case CJWT_KEY_PARSE_SECRET:
        return cjwt_key_from_secret(data, len, flags, err);
    case CJWT_KEY_PARSE_PEM:
        return cjwt_key_from_pem((const char *)data, len, NULL, 0, flags, err);
    case CJWT_KEY_PARSE_JWK:
        return cjwt_key_from_jwk_json((const char *)data, len, flags, err);
    }
    cjwtp_fail(err, CJWT_E_INTERNAL, "unknown key parser %d", (int)parser);
    return NULL;
}

/* The index of the entry for this material, or -1. Mutex held. */
static long find(const cjwt_key_cache *c, const unsigned char *data, size_t len,
                 cjwt_key_parser parser, unsigned flags)
{
    for (size_t i = 0; i < c->n; i++) {
        const kc_entry *e = &c->e[i];
        if (e->len == len && e->parser == parser && e->flags == flags &&
            (len == 0 || memcmp(e->data, data, len) == 0))
            return (long)i;
    }
    return -1;
}

/* Moves entry i to the front and returns a new reference to its key. */
static cjwt_key *take(cjwt_key_cache *c, size_t i)
{
    kc_entry hit = c->e[i];
    memmove(&c->e[1], &c->e[0], i * sizeof c->e[0]);
    c->e[0] = hit;
    return cjwt_key_ref(hit.key);
}

cjwt_key *cjwt_key_cache_get(cjwt_key_cache *c, const void *data, size_t len,
                             cjwt_key_parser parser, unsigned flags, cjwt_error *err)
{
    const unsigned char *bytes = data;
    kc_entry evicted = {0};
    cjwt_key *key, *dropped = NULL;
    unsigned char *copy;
    long i;

    if (!c || (!data && len)) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "cjwt_key_cache_get: no cache or no data");
        return NULL;
    }
    pthread_mutex_lock(&c->mu);
    i = find(c, bytes, len, parser, flags);
    if (i >= 0) {
        c->hits++;
        key = take(c, (size_t)i);
        pthread_mutex_unlock(&c->mu);
        return key;
    }
    c->misses++;
    pthread_mutex_unlock(&c->mu);

    key = parse(bytes, len, parser, flags, err);
    if (!key || c->capacity == 0)
        return key;                        /* refused (not cached), or no cache */
    copy = malloc(len ? len : 1);
    if (!copy)
        return key;                        /* no memory for the copy: not cached */
    if (len)
        memcpy(copy, bytes, len);

    pthread_mutex_lock(&c->mu);
    i = find(c, bytes, len, parser, flags);
    if (i >= 0) {
        /* Another thread cached it meanwhile: everyone shares that key. */
        dropped = key;
        key = take(c, (size_t)i);
    } else {
        if (c->n == c->capacity) {
            evicted = c->e[--c->n];       /* the least recently used */
            c->evictions++;
        }
        memmove(&c->e[1], &c->e[0], c->n * sizeof c->e[0]);
        c->e[0] = (kc_entry){copy, len, parser, flags, cjwt_key_ref(key)};
        c->n++;
        copy = NULL;
    }
    pthread_mutex_unlock(&c->mu);

    if (copy) {
        OPENSSL_cleanse(copy, len);
        free(copy);
    }
    cjwt_key_free(dropped);
    entry_release(&evicted);
    return key;
}

void cjwt_key_cache_clear(cjwt_key_cache *c, int reset_stats)
{
    kc_entry *old;
    size_t n;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    n = c->n;
    /* Moved out (a plain copy) so the keys are released without the mutex. */
    old = n ? malloc(n * sizeof *old) : NULL;
    if (old) {
        memcpy(old, c->e, n * sizeof *old);
        memset(c->e, 0, n * sizeof *old);
        c->n = 0;
    } else {
        for (size_t i = 0; i < n; i++)   /* no memory: released under the mutex */
            entry_release(&c->e[i]);
        c->n = 0;
        n = 0;
    }
    if (reset_stats)
        c->hits = c->misses = c->evictions = 0;
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < n; i++)
        entry_release(&old[i]);
    free(old);
}

void cjwt_key_cache_stats(const cjwt_key_cache *cache, cjwt_cache_stats *out)
{
    /* The mutex is the one mutable part of a const cache. */
    cjwt_key_cache *c = (cjwt_key_cache *)cache;
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    out->size = c->n;
    out->capacity = c->capacity;
    pthread_mutex_unlock(&c->mu);
}

void cjwt_key_cache_free(cjwt_key_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        entry_release(&c->e[i]);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
