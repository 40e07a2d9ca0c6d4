/* The key cache: string key material -> parsed key, one per module instance.
 *
 * A string key (secret, PEM/DER, JWK text) passed to encode, decode and the
 * other signing and verifying functions is parsed once and then found here:
 * PEM decoding costs 50-500 times a verification. As in the Python binding
 * ("key cache"): at most KEY_CACHE_MAX entries, most recently used first,
 * keyed by the exact bytes (length, then memcmp: Lua 5.4 long strings are
 * not interned), read as cjwt_key_from_bytes reads a string key (no flags).
 * Key objects (cjwt.key, string members of cjwt.keyset) are never taken from
 * it or put in it: they are the caller's own, with their own flags, and
 * their secrets go with them. Material the core refuses is not cached. Each
 * entry holds one key reference; every user takes a reference of its own,
 * so an entry evicted by a nested call (a denylist function verifying with
 * other keys) cannot free a key in use.
 *
 * One cache per module instance (per Lua state): a userdata, upvalue 5 of
 * every function, whose __gc frees the entries when the state closes.
 *
 * The rest of the binding sees only lcjwt_key_cache_push (module setup),
 * lcjwt_key_cache_get and the two diagnostics functions, so this file can be
 * swapped for the core's cache without touching the others. */
#include <stdlib.h>
#include <string.h>

#include "binding.h"

/* String keys remembered per module. */
#define KEY_CACHE_MAX 32

typedef struct key_cache_entry {
    char *data;              /* copy of the material (wiped before it is freed) */
    size_t len;
    cjwt_key *key;           /* one reference */
} key_cache_entry;

typedef struct key_cache {
    key_cache_entry e[KEY_CACHE_MAX];
    int n;
    double hits, misses;     /* exact up to 2^53, also on LuaJIT */
} key_cache;

static void key_cache_entry_clear(key_cache_entry *e)
{
    volatile char *p = e->data;   /* the material may be a secret */
    size_t i;
    for (i = 0; i < e->len; i++)
        p[i] = 0;
    free(e->data);
    cjwt_key_free(e->key);
    memset(e, 0, sizeof *e);
}

static void key_cache_clear(key_cache *c)
{
    int i;
    for (i = 0; i < c->n; i++)
        key_cache_entry_clear(&c->e[i]);
    c->n = 0;
}

static int key_cache_gc(lua_State *L)
{
    key_cache *c = (key_cache *)lua_touserdata(L, 1);
    if (c)
        key_cache_clear(c);
    return 0;
}

/* The key for the string material s: a new reference (release with
 * cjwt_key_free), from the cache or parsed and then cached. NULL with *err
 * set when the core refuses the material. Makes no Lua call that can raise. */
cjwt_key *lcjwt_key_cache_get(lua_State *L, const char *s, size_t len, cjwt_error *err)
{
    key_cache *c = (key_cache *)lua_touserdata(L, KEY_CACHE_INDEX);
    key_cache_entry *e = c->e, hit;
    cjwt_key *key;
    char *copy;
    int i;

    for (i = 0; i < c->n; i++) {
        if (e[i].len == len && memcmp(e[i].data, s, len) == 0) {
            if (i > 0) {                 /* most recently used first */
                hit = e[i];
                memmove(&e[1], &e[0], (size_t)i * sizeof *e);
                e[0] = hit;
            }
            c->hits++;
            return cjwt_key_ref(e[0].key);
        }
    }
    c->misses++;
    key = cjwt_key_from_bytes((const unsigned char *)s, len, 0, err);
    copy = key ? (char *)malloc(len ? len : 1) : NULL;
    if (!copy)
        return key;                      /* refused, or no memory for the copy */
    memcpy(copy, s, len);
    if (c->n == KEY_CACHE_MAX)
        key_cache_entry_clear(&e[--c->n]);   /* the least recently used */
    memmove(&e[1], &e[0], (size_t)c->n * sizeof *e);
    e[0].data = copy;
    e[0].len = len;
    e[0].key = cjwt_key_ref(key);
    c->n++;
    return key;
}

/* cjwt._key_cache_info() -> { size =, maxsize =, hits =, misses = } (as
 * Python's cjwt._key_cache_info; for tests and diagnostics). */
int lcjwt_key_cache_info(lua_State *L)
{
    key_cache *c = (key_cache *)lua_touserdata(L, KEY_CACHE_INDEX);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, c->n);
    lua_setfield(L, -2, "size");
    lua_pushinteger(L, KEY_CACHE_MAX);
    lua_setfield(L, -2, "maxsize");
    lcjwt_push_counter(L, (uint64_t)c->hits);
    lua_setfield(L, -2, "hits");
    lcjwt_push_counter(L, (uint64_t)c->misses);
    lua_setfield(L, -2, "misses");
    return 1;
}

/* cjwt._key_cache_clear(): empties the key cache and resets its counters. */
int lcjwt_key_cache_clear(lua_State *L)
{
    key_cache *c = (key_cache *)lua_touserdata(L, KEY_CACHE_INDEX);
    key_cache_clear(c);
    c->hits = c->misses = 0;
    return 0;
}


/* Pushes a new, empty key cache (the module's upvalue 5). */
void lcjwt_key_cache_push(lua_State *L)
{
    memset(lua_newuserdata(L, sizeof(key_cache)), 0, sizeof(key_cache));
    lua_newtable(L);
    lua_pushcfunction(L, key_cache_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
}
