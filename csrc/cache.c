/* The verified-token cache of a verifier: a bounded LRU of tokens that
 * passed, keyed by their exact bytes and the key (set) object they passed
 * with. A hash table of chains plus a doubly linked recency list, under one
 * mutex. Entries are only ever added for tokens whose signature held, so an
 * attacker cannot fill the table; lookups of other tokens only cost a chain
 * walk, and the hash is seeded per cache from OpenSSL's RNG so chains cannot
 * be aimed at. The bucket array starts small and doubles as entries come
 * (up to the power of two above the capacity), so a large capacity costs
 * nothing until it is used. Anything freed (results, key references) is
 * freed after the mutex is released. */
#include "cjwt_internal.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *chain;         /* next in the bucket */
    struct entry *prev, *next;   /* recency list: head.next is the newest */
    uint64_t hash;
    const void *keyobj;          /* a cjwt_key or cjwt_keyset, one reference held */
    int is_set;
    cjwt_decoded *d;             /* one reference held */
    cjwtp_times times;
    size_t len;
    char tok[];
} entry;

struct cjwtp_cache {
    pthread_mutex_t mu;
    size_t capacity, size, mask, max_buckets;
    entry **buckets;
    entry head;                  /* sentinel of the recency list */
    uint64_t seed[2];
    uint64_t hits, misses, evictions;
};

cjwtp_cache *cjwtp_cache_new(size_t capacity)
{
    cjwtp_cache *c;
    size_t n = 16, max = 16;
    if (capacity == 0 || capacity > CJWT_MAX_CACHE_SIZE)
        return NULL;
    while (max < capacity)
        max <<= 1;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->buckets = calloc(n, sizeof *c->buckets);
    if (!c->buckets || RAND_bytes((unsigned char *)c->seed, sizeof c->seed) != 1 ||
        pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    c->capacity = capacity;
    c->mask = n - 1;
    c->max_buckets = max;
    c->head.prev = c->head.next = &c->head;
    return c;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t cjwtp_cache_hash(const cjwtp_cache *c, const char *tok, size_t len)
{
    uint64_t h = c->seed[0] ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL), w;
    for (; len >= 8; tok += 8, len -= 8) {
        memcpy(&w, tok, 8);
        h = (h ^ mix(w ^ c->seed[1])) * 0x9e3779b97f4a7c15ULL;
    }
    w = 0;
    memcpy(&w, tok, len);
    return mix(h ^ mix(w ^ c->seed[1]));
}

static void list_unlink(entry *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
}

static void list_push_front(cjwtp_cache *c, entry *e)
{
    e->prev = &c->head;
    e->next = c->head.next;
    c->head.next->prev = e;
    c->head.next = e;
}

/* Unlinks e from its chain and the list; it goes on *dead (via chain) for
 * release_all once the mutex is released. */
static void detach(cjwtp_cache *c, entry *e, entry **dead)
{
    entry **pp = &c->buckets[e->hash & c->mask];
    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    list_unlink(e);
    c->size--;
    e->chain = *dead;
    *dead = e;
}

static void release_all(entry *dead)
{
    while (dead) {
        entry *next = dead->chain;
        cjwt_decoded_free(dead->d);
        if (dead->is_set)
            cjwt_keyset_free((cjwt_keyset *)(void *)(uintptr_t)dead->keyobj);
        else
            cjwt_key_free((cjwt_key *)(void *)(uintptr_t)dead->keyobj);
        free(dead);
        dead = next;
    }
}

static entry *find(cjwtp_cache *c, uint64_t hash, const char *tok, size_t len)
{
    entry *e = c->buckets[hash & c->mask];
    for (; e; e = e->chain)
        if (e->hash == hash && e->len == len && memcmp(e->tok, tok, len) == 0)
            return e;
    return NULL;
}

cjwt_decoded *cjwtp_cache_get(cjwtp_cache *c, uint64_t hash, const void *keyobj, const char *tok,
                              size_t len, cjwtp_times *times)
{
    entry *e, *dead = NULL;
    cjwt_decoded *d = NULL;
    pthread_mutex_lock(&c->mu);
    e = find(c, hash, tok, len);
    if (e && e->keyobj != keyobj) {
        /* verified with another key (set): the keys changed, so it is stale */
        detach(c, e, &dead);
        c->evictions++;
        e = NULL;
    }
    if (e) {
        list_unlink(e);
        list_push_front(c, e);
        d = cjwtp_decoded_ref(e->d);
        *times = e->times;
        c->hits++;
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->mu);
    release_all(dead);
    return d;
}

/* Doubles the bucket array when the entries outnumber the buckets; on no
 * memory the chains just get longer. */
static void maybe_grow(cjwtp_cache *c)
{
    size_t n = c->mask + 1, i;
    entry **nb;
    if (c->size < n || n >= c->max_buckets || !(nb = calloc(2 * n, sizeof *nb)))
        return;
    for (i = 0; i < n; i++) {
        entry *e = c->buckets[i], *next;
        for (; e; e = next) {
            next = e->chain;
            e->chain = nb[e->hash & (2 * n - 1)];
            nb[e->hash & (2 * n - 1)] = e;
        }
    }
    free(c->buckets);
    c->buckets = nb;
    c->mask = 2 * n - 1;
}

void cjwtp_cache_put(cjwtp_cache *c, uint64_t hash, const void *keyobj, int is_set,
                     const char *tok, size_t len, cjwt_decoded *d, const cjwtp_times *times)
{
    entry *e = malloc(sizeof *e + len), *old, *dead = NULL;
    if (!e)
        return;   /* not remembered: the next call verifies again */
    e->hash = hash;
    e->keyobj = keyobj;
    e->is_set = is_set;
    e->d = cjwtp_decoded_ref(d);
    e->times = *times;
    e->len = len;
    memcpy(e->tok, tok, len);
    if (is_set)
        cjwt_keyset_ref((cjwt_keyset *)(void *)(uintptr_t)keyobj);
    else
        cjwt_key_ref((cjwt_key *)(void *)(uintptr_t)keyobj);
    pthread_mutex_lock(&c->mu);
    if ((old = find(c, hash, tok, len)) != NULL)   /* another thread got there first */
        detach(c, old, &dead);
    else if (c->size == c->capacity) {
        detach(c, c->head.prev, &dead);
        c->evictions++;
    }
    e->chain = c->buckets[hash & c->mask];
    c->buckets[hash & c->mask] = e;
    list_push_front(c, e);
    c->size++;
    maybe_grow(c);
    pthread_mutex_unlock(&c->mu);
    release_all(dead);
}

void cjwtp_cache_drop(cjwtp_cache *c, uint64_t hash, const char *tok, size_t len,
                      const cjwt_decoded *d)
{
    entry *e, *dead = NULL;
    pthread_mutex_lock(&c->mu);
    e = find(c, hash, tok, len);
    if (e && e->d == d) {
        detach(c, e, &dead);
        c->evictions++;
    }
    pthread_mutex_unlock(&c->mu);
    release_all(dead);
}

void cjwtp_cache_clear(cjwtp_cache *c)
{
    entry *dead = NULL;
    pthread_mutex_lock(&c->mu);
    while (c->head.next != &c->head)
        detach(c, c->head.next, &dead);
    pthread_mutex_unlock(&c->mu);
    release_all(dead);
}

void cjwtp_cache_stats(cjwtp_cache *c, cjwt_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    out->size = c->size;
    out->capacity = c->capacity;
    pthread_mutex_unlock(&c->mu);
}

void cjwtp_cache_free(cjwtp_cache *c)
{
    if (!c)
        return;
    cjwtp_cache_clear(c);
    pthread_mutex_destroy(&c->mu);
    free(c->buckets);
    free(c);
}
