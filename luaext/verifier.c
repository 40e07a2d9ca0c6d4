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
    int fn, has_now = 0, raising = LCJWT_RAISING(L);
    double now = 0;
    cjwt_error err;
    cjwt_verify_opts vo;
    lverifier *v;
    vo_slots slots;

    lcjwt_verify_opts_collect(L, 1, &slots);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    fn = lcjwt_denylist_opt(L, slots.at[VO_DENYLIST], 1, MODE_CLAIMS);
    memset(&err, 0, sizeof err);
    memset(&vo, 0, sizeof vo);
    if (lcjwt_read_verify_opts(L, &slots, 1, &vo, &has_now, &now, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    lcjwt_cache_opt(L, slots.at[VO_CACHE], 1, &vo.cache_size);
    v = (lverifier *)lua_newuserdata(L, sizeof *v);
    memset(v, 0, sizeof *v);
    v->denylist = LUA_NOREF;
    luaL_getmetatable(L, VERIFIER_MT);
    lua_setmetatable(L, -2);
    v->raising = raising;
    v->has_now = has_now;
    v->now = now;
    if (fn) {
        /* Kept in the registry for the verifier's life; the userdata does not
         * move, so the compiled options can point at v->rv. */
        lua_pushvalue(L, fn);
        v->denylist = luaL_ref(L, LUA_REGISTRYINDEX);
        vo.revocation = lcjwt_denylist_hook;
        vo.revocation_ctx = &v->rv;
    }
    v->v = cjwt_verifier_new(&vo, &err);     /* copies the options */
    /* internal here is settings the core refuses (a cache without the
     * signature check...): a misuse, raised as bad arguments are */
    if (!v->v && err.code == CJWT_E_INTERNAL)
        luaL_argerror(L, 1, err.message);
    if (!v->v)
        return lcjwt_push_failure(L, NULL, &err);
    return 1;
}

static lverifier *check_verifier(lua_State *L, int idx)
{
    lverifier *v = (lverifier *)luaL_checkudata(L, idx, VERIFIER_MT);
    if (!v->v || v->close_pending)
        luaL_argerror(L, idx, "verifier has been closed");
    return v;
}

/* v:decode(token, key_or_keyset [, now]) and v:decode_complete(...). */
static int verifier_call(lua_State *L, enum verify_mode mode)
{
    lverifier *v = check_verifier(L, 1);
    size_t token_len;
    const char *token = lcjwt_check_token(L, 2, &token_len);
    int has_now = v->has_now;
    double now = v->now;
    guard g;
    cjwt_error err;
    const cjwt_key *key;
    const cjwt_keyset *ks;
    cjwt_decoded *d;
    lkey *kobj;
    lkeyset *sobj;
    lrevoke saved, mine;

    lcjwt_verify_key_arg(L, 3, &kobj, &sobj);
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
    /* No Lua call that can raise runs while g holds anything. */
    memset(&g, 0, sizeof g);
    memset(&err, 0, sizeof err);
    if (lcjwt_verify_keys(L, 3, kobj, sobj, &g, &key, &ks, &err) != 0)
        return lcjwt_push_failure_ex(L, &g, &err, v->raising);
    if (v->denylist != LUA_NOREF) {
        /* This call's state and stack; the previous context is put back
         * afterwards, in case the denylist itself verifies with this verifier. */
        saved = v->rv;
        v->rv = mine;
    }
    /* busy: a close() of this verifier from inside its denylist function
     * only marks it; it is freed when the outermost call is done. */
    v->busy++;
    if (ks)
        d = cjwt_verify_keyset(v->v, ks, token, token_len, has_now, now, &err);
    else
        d = cjwt_verify(v->v, key, token, token_len, has_now, now, &err);
    v->busy--;
    lcjwt_guard_release(&g);
    if (v->denylist != LUA_NOREF)
        v->rv = saved;
    if (v->busy == 0 && v->close_pending)
        verifier_release(L, v);
    if (!d)
        return lcjwt_push_failure_ex(L, NULL, &err, v->raising);
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
