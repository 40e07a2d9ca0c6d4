/* Key sets: cjwt.keyset and key set objects (userdata KEYSET_MT). A key set
 * selects the key for verifying by the token's kid; it cannot sign. */
#include <stdio.h>
#include <string.h>

#include "binding.h"

static const char *const KEYSET_OPTS[] = { "allow_short_secret", NULL };

static lkeyset *push_new_keyset(lua_State *L)
{
    lkeyset *s = (lkeyset *)lua_newuserdata(L, sizeof *s);
    s->ks = NULL;
    luaL_getmetatable(L, KEYSET_MT);
    lua_setmetatable(L, -2);
    return s;
}

/* A key object for a key borrowed from a set (+1 reference). */
static void push_key_ref(lua_State *L, const cjwt_key *key)
{
    lkey *k = lcjwt_push_new_key(L);
    k->key = cjwt_key_ref((cjwt_key *)key);   /* the count is atomic; the key stays immutable */
}

/* Builds the set from a list of keys: key objects, or material (strings,
 * JWK tables) made into keys with `ko`. */
static int keyset_from_list(lua_State *L, int list, lkeyset *s, const key_opts *ko,
                            cjwt_error *err)
{
    size_t n = 0, keys = 0, i;
    int holder;
    cjwt_key **arr;

    lua_pushnil(L);
    while (lua_next(L, list) != 0) {
        lua_pop(L, 1);
        keys++;
    }
    while (lua_rawgeti(L, list, (int)(n + 1)), !lua_isnil(L, -1)) {
        lua_pop(L, 1);
        n++;
    }
    lua_pop(L, 1);
    if (n != keys)
        luaL_argerror(L, 1, "a JWKS ({keys = {...}}), JWKS JSON text or a list of keys expected");

    lua_createtable(L, (int)n, 0);      /* holds the key objects made here */
    holder = lua_gettop(L);
    for (i = 1; i <= n; i++) {
        int t;
        lua_rawgeti(L, list, (int)i);
        t = lua_type(L, -1);
        if (t == LUA_TUSERDATA && lcjwt_test_key(L, -1)) {
            if (!lcjwt_test_key(L, -1)->key)
                luaL_argerror(L, 1, lua_pushfstring(L, "keys[%d]: key object has been closed",
                                                    (int)i));
        } else if (t == LUA_TSTRING || t == LUA_TTABLE) {
            if (lcjwt_make_key(L, lua_gettop(L), 1, ko, err) != 0) {
                char msg[CJWT_ERROR_MESSAGE_SIZE];
                snprintf(msg, sizeof msg, "%s", err->message);
                snprintf(err->message, sizeof err->message, "keys[%d]: %.200s", (int)i, msg);
                return -1;
            }
            lua_remove(L, -2);
        } else {
            luaL_argerror(L, 1, lua_pushfstring(L, "keys[%d]: a key, string or JWK table "
                                                "expected, got %s", (int)i,
                                                luaL_typename(L, -1)));
        }
        lua_rawseti(L, holder, (int)i);
    }
    arr = (cjwt_key **)lua_newuserdata(L, (n ? n : 1) * sizeof *arr);
    for (i = 1; i <= n; i++) {
        lua_rawgeti(L, holder, (int)i);
        arr[i - 1] = lcjwt_test_key(L, -1)->key;
        lua_pop(L, 1);
    }
    s->ks = cjwt_keyset_new(arr, n, err);   /* takes its own references */
    return s->ks ? 0 : -1;
}

/* cjwt.keyset(jwks [, {allow_short_secret=}]) -> key set object. jwks: a
 * JWKS table ({keys = {...}}), JWKS JSON text, or a list of keys (key
 * objects, PEM strings, JWK tables). */
int lcjwt_keyset(lua_State *L)
{
    int t = lua_type(L, 1), opts, set;
    key_opts ko;
    cjwt_error err;
    lkeyset *s;

    if (t != LUA_TSTRING && t != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "JWKS table, JWKS JSON or list of keys "
                                            "expected, got %s", luaL_typename(L, 1)));
    opts = lcjwt_opts_arg(L, 2, KEYSET_OPTS);
    memset(&err, 0, sizeof err);
    if (lcjwt_read_key_opts(L, opts, 2, LUA_TNIL, &ko, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    s = push_new_keyset(L);
    set = lua_gettop(L);
    if (t == LUA_TSTRING) {
        size_t len;
        const char *json = lua_tolstring(L, 1, &len);
        s->ks = cjwt_keyset_from_jwks_json(json, len, ko.flags, &err);
    } else {
        lua_pushliteral(L, "keys");
        lua_rawget(L, 1);
        if (!lua_isnil(L, -1)) {
            cjwt_value *jwks;
            lua_pop(L, 1);
            jwks = lcjwt_table_arg_to_value(L, 1, 1, "JWKS");
            s->ks = cjwt_keyset_from_jwks(jwks, ko.flags, &err);
            cjwt_value_free(jwks);
        } else {
            lua_pop(L, 1);
            keyset_from_list(L, 1, s, &ko, &err);
        }
    }
    if (!s->ks)
        return lcjwt_push_failure(L, NULL, &err);
    lua_pushvalue(L, set);
    return 1;
}

static lkeyset *check_keyset(lua_State *L, int idx)
{
    lkeyset *s = (lkeyset *)luaL_checkudata(L, idx, KEYSET_MT);
    if (!s->ks)
        luaL_argerror(L, idx, "key set has been closed");
    return s;
}

/* ks:size() and #ks -> number of keys. */
int lcjwt_keyset_size(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)cjwt_keyset_size(check_keyset(L, 1)->ks));
    return 1;
}

/* ks:find(kid) -> key object or nil. */
static int keyset_find(lua_State *L)
{
    lkeyset *s = check_keyset(L, 1);
    const char *kid = luaL_checkstring(L, 2);
    const cjwt_key *key = cjwt_keyset_find(s->ks, kid);
    if (!key)
        return 0;
    push_key_ref(L, key);
    return 1;
}

/* ks:get(i) -> the i-th key object (1-based) or nil. */
static int keyset_get(lua_State *L)
{
    lkeyset *s = check_keyset(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (size_t)i > cjwt_keyset_size(s->ks))
        return 0;
    push_key_ref(L, cjwt_keyset_get(s->ks, (size_t)(i - 1)));
    return 1;
}

/* ks:to_jwks([private]) -> {keys = {...}} table. */
static int keyset_to_jwks(lua_State *L)
{
    lkeyset *s = check_keyset(L, 1);
    int private_ = lcjwt_opt_bool_arg(L, 2);
    guard *g = lcjwt_guard_new(L);
    cjwt_error err;
    memset(&err, 0, sizeof err);
    g->header = cjwt_keyset_to_jwks(s->ks, private_, &err);
    return lcjwt_return_value(L, g, &err, 1);
}

int lcjwt_keyset_gc(lua_State *L)
{
    lkeyset *s = (lkeyset *)luaL_checkudata(L, 1, KEYSET_MT);
    cjwt_keyset_free(s->ks);
    s->ks = NULL;
    return 0;
}

int lcjwt_keyset_tostring(lua_State *L)
{
    lkeyset *s = (lkeyset *)luaL_checkudata(L, 1, KEYSET_MT);
    if (!s->ks)
        lua_pushliteral(L, "cjwt.keyset (closed)");
    else
        lua_pushfstring(L, "cjwt.keyset (%d keys)", (int)cjwt_keyset_size(s->ks));
    return 1;
}

const luaL_Reg lcjwt_keyset_methods[] = {
    { "size", lcjwt_keyset_size },
    { "find", keyset_find },
    { "get", keyset_get },
    { "to_jwks", keyset_to_jwks },
    { NULL, NULL }
};
