/* The key cache: string key material -> parsed key, one per module instance.
 *
 * A string key (secret, PEM/DER, JWK text) passed to encode, decode and the
 * other signing and verifying functions is parsed once and then found here:
 * PEM decoding costs 50-500 times a verification. The cache itself is the
 * core's cjwt_key_cache (csrc/keycache.c), the same code the Python binding
 * uses: at most KEY_CACHE_MAX entries, most recently used first, keyed by the
 * exact bytes (Lua 5.4 long strings are not interned), read as
 * cjwt_key_from_bytes reads a string key (CJWT_KEY_PARSE_BYTES, no flags);
 * refused material is not cached; the copies of the material are wiped when
 * their entries go. Key objects (cjwt.key, string members of cjwt.keyset) are
 * never taken from it or put in it: they are the caller's own, with their own
 * flags, and their secrets go with them. Every key handed out is a new
 * reference of the caller's, so an entry evicted by a nested call (a
 * denylist function verifying with other keys) cannot free a key in use.
 *
 * This file only ties one cjwt_key_cache to a Lua state: a userdata holding
 * the pointer, upvalue 5 of every function, whose __gc frees the cache when
 * the state closes. */
#include "binding.h"

/* String keys remembered per module. */
#define KEY_CACHE_MAX 32

static cjwt_key_cache *key_cache(lua_State *L)
{
    return *(cjwt_key_cache **)lua_touserdata(L, KEY_CACHE_INDEX);
}

static int key_cache_gc(lua_State *L)
{
    cjwt_key_cache **c = (cjwt_key_cache **)lua_touserdata(L, 1);
    if (c) {
        cjwt_key_cache_free(*c);
        *c = NULL;
    }
    return 0;
}

/* The key for the string material s: a new reference (release with
 * cjwt_key_free), from the cache or parsed and then cached. NULL with *err
 * set when the core refuses the material. Makes no Lua call that can raise. */
cjwt_key *lcjwt_key_cache_get(lua_State *L, const char *s, size_t len, cjwt_error *err)
{
    return cjwt_key_cache_get(key_cache(L), s, len, CJWT_KEY_PARSE_BYTES, 0, err);
}

/* cjwt._key_cache_info() -> { size =, maxsize =, hits =, misses = } (as
 * Python's cjwt._key_cache_info; for tests and diagnostics). */
int lcjwt_key_cache_info(lua_State *L)
{
    cjwt_cache_stats s;
    cjwt_key_cache_stats(key_cache(L), &s);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)s.size);
    lua_setfield(L, -2, "size");
    lua_pushinteger(L, KEY_CACHE_MAX);
    lua_setfield(L, -2, "maxsize");
    lcjwt_push_counter(L, s.hits);
    lua_setfield(L, -2, "hits");
    lcjwt_push_counter(L, s.misses);
    lua_setfield(L, -2, "misses");
    return 1;
}

/* cjwt._key_cache_clear(): empties the key cache and resets its counters. */
int lcjwt_key_cache_clear(lua_State *L)
{
    cjwt_key_cache_clear(key_cache(L), 1);
    return 0;
}

/* Pushes a new, empty key cache (the module's upvalue 5). Raises a memory
 * error (module setup fails) when the cache cannot be allocated. */
void lcjwt_key_cache_push(lua_State *L)
{
    cjwt_key_cache **c = (cjwt_key_cache **)lua_newuserdata(L, sizeof *c);
    *c = NULL;
    lua_newtable(L);
    lua_pushcfunction(L, key_cache_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    /* The __gc is set first, so nothing leaks if a later step raises. */
    if (!(*c = cjwt_key_cache_new(KEY_CACHE_MAX))) {
        lua_pushliteral(L, "cjwt: out of memory for the key cache");
        lua_error(L);
    }
}
