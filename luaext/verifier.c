/* Compiled verifiers: cjwt.verifier(opts) and verifier objects (userdata
 * VERIFIER_MT). */
#include <string.h>

#include "binding.h"

/* cjwt.verifier(opts) compiles the options once (cjwt_verifier_new), for a
 * hot path such as an nginx worker: each call then only verifies. The
 * object keeps the flavour of the module that made it: from cjwt its
 * methods raise, from cjwt.safe they return nil, message, code[, claim].
 *
 * opts.cache = N gives the verifier the core's verified-token cache (keyed
 * by the token's bytes and the key or key set object). A string key (secret
 * or PEM) is the same key object on every call while it stays in the
 * module's key cache (keycache.c), so repeating the same string hits; a
 * JWK table is made into a key on every call, as tables can change, and so
 * never hits. */

typedef struct lverifier {
    cjwt_verifier *v;        /* NULL once collected or closed */
    int raising;
    int has_now;             /* opts.now: the default clock of every call */
    double now;
    int denylist;            /* registry reference of opts.denylist, or LUA_NOREF */
    lrevoke rv;              /* the hook's context (the compiled opts point here);
                                filled by each call */
    int busy;                /* calls running (a denylist may call back in) */
    int close_pending;       /* closed while busy: freed when the last call ends */
} lverifier;

/* Frees the core verifier (and its cache) and the denylist reference. */
static void verifier_release(lua_State *L, lverifier *v)
{
    cjwt_verifier_free(v->v);
    v->v = NULL;
    v->close_pending = 0;
    if (v->denylist != LUA_NOREF) {
        luaL_unref(L, LUA_REGISTRYINDEX, v->denylist);
        v->denylist = LUA_NOREF;
    }
}

int lcjwt_verifier(lua_State *L)
{
    int raising = LCJWT_RAISING(L);
    cjwt_error err;
    lverify_opts o;
    lverifier *v;

    memset(&err, 0, sizeof err);
    o.mode = MODE_CLAIMS;
    o.compiled = 1;
    if (lcjwt_read_verify_opts(L, 1, &o, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    v = (lverifier *)lua_newuserdata(L, sizeof *v);
    memset(v, 0, sizeof *v);
    v->denylist = LUA_NOREF;
    luaL_getmetatable(L, VERIFIER_MT);
    lua_setmetatable(L, -2);
    v->raising = raising;
    v->has_now = o.has_now;
    v->now = o.now;
    if (o.denylist) {
        /* Kept in the registry for the verifier's life; the userdata does not
         * move, so the compiled options can point at v->rv. */
        lua_pushvalue(L, o.denylist);
        v->denylist = luaL_ref(L, LUA_REGISTRYINDEX);
        o.core.revocation = lcjwt_denylist_hook;
        o.core.revocation_ctx = &v->rv;
    }
    v->v = cjwt_verifier_new(&o.core, &err);     /* copies the options */
    /* internal here is settings the core refuses (a cache without the
     * signature check...): a misuse, raised as bad arguments are */
    if (!v->v && err.code == CJWT_E_INTERNAL)
        luaL_argerror(L, 1, err.message);
    if (!v->v)
        return lcjwt_push_failure(L, NULL, &err);
    return 1;
}

/* The verifier at idx (its metatable compared with the module's, upvalue 8;
 * anything else raises luaL_checkudata's error). */
static lverifier *check_verifier(lua_State *L, int idx)
{
    lverifier *v = NULL;
    if (lua_type(L, idx) == LUA_TUSERDATA && lua_getmetatable(L, idx)) {
        if (lua_rawequal(L, -1, VERIFIER_MT_INDEX))
            v = (lverifier *)lua_touserdata(L, idx);
        lua_pop(L, 1);
    }
    if (!v)
        v = (lverifier *)luaL_checkudata(L, idx, VERIFIER_MT);
    if (!v->v || v->close_pending)
        luaL_argerror(L, idx, "verifier has been closed");
    return v;
}

/* v:decode(token, key_or_keyset [, now]) and v:decode_complete(...). */
static int verifier_call(lua_State *L, enum verify_mode mode)
{
    lverifier *v = check_verifier(L, 1);
    int has_now = v->has_now;
    double now = v->now;
    lverify_call c;
    cjwt_decoded *d;
    lrevoke saved, mine;

    lcjwt_verify_call_args(L, &c, 2, 3);
    if (!lua_isnoneornil(L, 4)) {
        if (lua_type(L, 4) != LUA_TNUMBER)
            luaL_argerror(L, 4, lua_pushfstring(L, "unix time expected, got %s",
                                                luaL_typename(L, 4)));
        has_now = 1;
        now = (double)lua_tonumber(L, 4);
    }
    luaL_checkstack(L, VERIFY_STACK, "cjwt: no stack space");
    if (v->denylist != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->denylist);
        lcjwt_denylist_prepare(L, lua_gettop(L), &mine);
    }
    /* No Lua call that can raise runs while c.g holds anything. */
    if (lcjwt_verify_call_keys(L, &c) != 0)
        return lcjwt_push_failure_ex(L, &c.g, &c.err, v->raising);
    if (v->denylist != LUA_NOREF) {
        /* This call's state and stack; the previous context is put back
         * afterwards, in case the denylist itself verifies with this verifier. */
        saved = v->rv;
        v->rv = mine;
    }
    /* busy: a close() of this verifier from inside its denylist function
     * only marks it; it is freed when the outermost call is done. */
    v->busy++;
    if (c.ks)
        d = cjwt_verify_keyset(v->v, c.ks, c.token, c.token_len, has_now, now, &c.err);
    else
        d = cjwt_verify(v->v, c.key, c.token, c.token_len, has_now, now, &c.err);
    v->busy--;
    lcjwt_guard_release(&c.g);
    if (v->denylist != LUA_NOREF)
        v->rv = saved;
    if (v->busy == 0 && v->close_pending)
        verifier_release(L, v);
    if (!d)
        return lcjwt_push_failure_ex(L, NULL, &c.err, v->raising);
    return lcjwt_push_decoded(L, d, mode);
}

static int verifier_decode(lua_State *L)
{
    return verifier_call(L, MODE_CLAIMS);
}

static int verifier_decode_complete(lua_State *L)
{
    return verifier_call(L, MODE_COMPLETE);
}

/* v:cache_stats() -> { hits =, misses =, evictions =, size =, capacity = }
 * (integers), or nil when the verifier has no cache. */
static int verifier_cache_stats(lua_State *L)
{
    static const char *const names[] = { "hits", "misses", "evictions", "size", "capacity" };
    lverifier *v = check_verifier(L, 1);
    cjwt_cache_stats st;
    uint64_t vals[5];
    int i;
    if (!cjwt_verifier_cache_stats(v->v, &st)) {
        lua_pushnil(L);
        return 1;
    }
    vals[0] = st.hits;
    vals[1] = st.misses;
    vals[2] = st.evictions;
    vals[3] = st.size;
    vals[4] = st.capacity;
    lua_createtable(L, 0, 5);
    for (i = 0; i < 5; i++) {
        lcjwt_push_counter(L, vals[i]);
        lua_setfield(L, -2, names[i]);
    }
    return 1;
}

/* v:cache_clear(): forgets every cached token. */
static int verifier_cache_clear(lua_State *L)
{
    lverifier *v = check_verifier(L, 1);
    cjwt_verifier_cache_clear(v->v);
    return 0;
}

int lcjwt_verifier_gc(lua_State *L)
{
    lverifier *v = (lverifier *)luaL_checkudata(L, 1, VERIFIER_MT);
    if (v->busy)
        v->close_pending = 1;            /* closed from inside its own call */
    else
        verifier_release(L, v);          /* the verifier and its cache */
    return 0;
}

int lcjwt_verifier_tostring(lua_State *L)
{
    lverifier *v = (lverifier *)luaL_checkudata(L, 1, VERIFIER_MT);
    lua_pushstring(L, v->v ? "cjwt.verifier" : "cjwt.verifier (closed)");
    return 1;
}

const luaL_Reg lcjwt_verifier_methods[] = {
    { "decode", verifier_decode },
    { "decode_complete", verifier_decode_complete },
    { "cache_stats", verifier_cache_stats },
    { "cache_clear", verifier_cache_clear },
    { NULL, NULL }
};
