/* Keys: cjwt.key and cjwt.generate_key, the key argument of the signing and
 * verifying functions, and key objects (userdata KEY_MT) with their methods. */
#include <stdio.h>
#include <string.h>

#include "binding.h"

static const char *const KEY_OPTS[] = {
    "allow_short_secret", "format", "password", "kid", "alg", NULL
};
static const char *const GENERATE_OPTS[] = { "kid", "crv", NULL };

/* The userdata at idx if its metatable is the registry's `mt`, else NULL. */
static void *test_udata(lua_State *L, int idx, const char *mt)
{
    void *p = lua_touserdata(L, idx);
    int same = 0;
    if (p && lua_type(L, idx) == LUA_TUSERDATA && lua_getmetatable(L, idx)) {
        luaL_getmetatable(L, mt);
        same = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    return same ? p : NULL;
}

lkey *lcjwt_test_key(lua_State *L, int idx)
{
    return (lkey *)test_udata(L, idx, KEY_MT);
}

static lkeyset *test_keyset(lua_State *L, int idx)
{
    return (lkeyset *)test_udata(L, idx, KEYSET_MT);
}

/* Type check of a key argument, done before anything is allocated. A key
 * set selects a key for verifying; it cannot sign (allow_set 0). */
void lcjwt_check_key_arg(lua_State *L, int arg, int allow_set)
{
    int t = lua_type(L, arg);
    if (t == LUA_TNONE || t == LUA_TNIL || t == LUA_TSTRING || t == LUA_TTABLE)
        return;
    if (t == LUA_TUSERDATA && lcjwt_test_key(L, arg)) {
        if (!lcjwt_test_key(L, arg)->key)
            luaL_argerror(L, arg, "key object has been closed");
        return;
    }
    if (t == LUA_TUSERDATA && test_keyset(L, arg)) {
        if (!allow_set)
            luaL_argerror(L, arg, "a key set cannot sign: pick one key with ks:find(kid)");
        if (!test_keyset(L, arg)->ks)
            luaL_argerror(L, arg, "key set has been closed");
        return;
    }
    luaL_argerror(L, arg, lua_pushfstring(L, "key must be a string, a JWK table, a "
                                          "cjwt.key or a cjwt.keyset, got %s",
                                          luaL_typename(L, arg)));
}

/* The key to use: borrowed from a key object, or made into g->key from a
 * string (secret or PEM, never sniffed the other way; through the key cache,
 * g holding a reference of its own) or a JWK table; or,
 * for a key set argument, NULL with *ks set. NULL without error for nil (the
 * core decides whether that is acceptable). */
const cjwt_key *lcjwt_resolve_key(lua_State *L, int arg, guard *g, cjwt_error *err,
                                  const cjwt_keyset **ks)
{
    *ks = NULL;
    switch (lua_type(L, arg)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, arg, &len);
        g->key = lcjwt_key_cache_get(L, s, len, err);
        return g->key;
    }
    case LUA_TTABLE:
        g->jwk = lcjwt_table_arg_to_value(L, arg, arg, "JWK");
        g->key = cjwt_key_from_jwk(g->jwk, 0, err);
        cjwt_value_free(g->jwk);
        g->jwk = NULL;
        return g->key;
    case LUA_TUSERDATA:                  /* checked by lcjwt_check_key_arg */
        if (test_keyset(L, arg)) {
            *ks = test_keyset(L, arg)->ks;
            return NULL;
        }
        return lcjwt_test_key(L, arg)->key;
    default:
        return NULL;
    }
}

/* Misuse raises; an unknown alg name returns -1 with *err set. */
int lcjwt_read_key_opts(lua_State *L, int opts, int arg, int material_type, key_opts *ko,
                        cjwt_error *err)
{
    int t;
    memset(ko, 0, sizeof *ko);
    ko->alg = CJWT_ALG__COUNT;
    t = lcjwt_opt_push(L, opts, "allow_short_secret");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        lcjwt_opt_type_error(L, arg, "allow_short_secret", "boolean");
    if (lua_toboolean(L, -1))
        ko->flags |= CJWT_KEY_ALLOW_SHORT_SECRET;
    ko->format = lcjwt_opt_string(L, opts, arg, "format");
    if (ko->format && strcmp(ko->format, "jwk") != 0 && strcmp(ko->format, "secret") != 0 &&
        strcmp(ko->format, "pem") != 0)
        luaL_argerror(L, arg, "option 'format': \"jwk\", \"secret\" or \"pem\" expected");
    if (ko->format && material_type == LUA_TTABLE && strcmp(ko->format, "jwk") != 0)
        luaL_argerror(L, arg, "option 'format': a table is always a JWK");
    t = lcjwt_opt_push(L, opts, "password");
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            lcjwt_opt_type_error(L, arg, "password", "string");
        if (material_type != LUA_TSTRING || (ko->format && strcmp(ko->format, "pem") != 0))
            luaL_argerror(L, arg, "option 'password': only for a PEM string");
        ko->password = lua_tolstring(L, -1, &ko->password_len);
    }
    ko->kid = lcjwt_opt_string(L, opts, arg, "kid");
    ko->has_kid = ko->kid != NULL;
    t = lcjwt_opt_push(L, opts, "alg");
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            lcjwt_opt_type_error(L, arg, "alg", "string");
        if (lcjwt_alg_from_lua(L, -1, &ko->alg, err) != 0)
            return -1;
        ko->has_alg = 1;
    }
    return 0;
}

enum key_parser { KP_BYTES, KP_SECRET, KP_PEM, KP_JWK };

static cjwt_key *key_parse(const char *s, size_t len, int parser, unsigned flags,
                           cjwt_error *err)
{
    switch (parser) {
    case KP_SECRET:
        return cjwt_key_from_secret((const unsigned char *)s, len, flags, err);
    case KP_PEM:
        return cjwt_key_from_pem(s, len, NULL, 0, flags, err);
    case KP_JWK:
        return cjwt_key_from_jwk_json(s, len, flags, err);
    default:
        return cjwt_key_from_bytes((const unsigned char *)s, len, flags, err);
    }
}

lkey *lcjwt_push_new_key(lua_State *L)
{
    lkey *k = (lkey *)lua_newuserdata(L, sizeof *k);
    k->key = NULL;
    luaL_getmetatable(L, KEY_MT);
    lua_setmetatable(L, -2);
    return k;
}

/* Pushes a key object made from the material at idx (a string or a JWK
 * table). Returns 0, or -1 with *err set and an empty key object pushed.
 * The object exists (owning nothing) before the core key is made, and
 * nothing that can raise runs between making the key and storing it. The
 * caller reserved CONV_STACK. */
int lcjwt_make_key(lua_State *L, int idx, int arg, const key_opts *ko, cjwt_error *err)
{
    lkey *k = lcjwt_push_new_key(L);
    if (lua_type(L, idx) == LUA_TTABLE) {
        cjwt_value *jwk = lcjwt_table_arg_to_value(L, idx, arg, "JWK");
        k->key = cjwt_key_from_jwk(jwk, ko->flags, err);
        cjwt_value_free(jwk);
    } else {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        const char *f = ko->format;
        int parser = KP_BYTES;
        if (f && strcmp(f, "jwk") == 0)
            parser = KP_JWK;
        else if (f && strcmp(f, "secret") == 0)
            parser = KP_SECRET;
        else if (f && strcmp(f, "pem") == 0)
            parser = KP_PEM;
        /* A key object is the caller's own (its close() wipes the secret),
         * so it is parsed here and never shared through the key cache, as
         * Python's Key constructors do. */
        if (ko->password)
            k->key = cjwt_key_from_pem(s, len, ko->password, ko->password_len, ko->flags, err);
        else
            k->key = key_parse(s, len, parser, ko->flags, err);
    }
    if (k->key && (ko->has_kid || ko->has_alg)) {
        const char *kid = ko->has_kid ? ko->kid : cjwt_key_kid(k->key);
        cjwt_alg alg = ko->has_alg ? ko->alg : cjwt_key_alg(k->key);
        cjwt_key *bound = cjwt_key_with(k->key, kid, alg, err);
        cjwt_key_free(k->key);
        k->key = bound;
    }
    return k->key ? 0 : -1;
}

/* cjwt.key(material [, {allow_short_secret=, format=, password=, kid=, alg=}])
 * -> key object. format nil: a string is a secret or PEM/DER
 * (cjwt_key_from_bytes), a table a JWK. "jwk": the string is JWK JSON text.
 * "secret": the string is an HMAC secret whatever it looks like (explicit
 * opt-in). "pem" (implied by password): the string must be PEM or DER.
 * kid / alg bind the new key to a kid / an algorithm. */
int lcjwt_key(lua_State *L)
{
    int t = lua_type(L, 1), opts;
    key_opts ko;
    cjwt_error err;

    if (t != LUA_TSTRING && t != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "string or JWK table expected, got %s",
                                            luaL_typename(L, 1)));
    opts = lcjwt_opts_arg(L, 2, KEY_OPTS);
    memset(&err, 0, sizeof err);
    if (lcjwt_read_key_opts(L, opts, 2, t, &ko, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    if (lcjwt_make_key(L, 1, 1, &ko, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    return 1;
}

/* cjwt.generate_key(alg [, {kid=, crv=}]) -> a new key bound to alg: a key
 * pair (RSA 2048, the alg's curve, Ed25519; crv = "Ed448" for an Ed448 EdDSA
 * key) or a random secret of the hash size. */
int lcjwt_generate_key(lua_State *L)
{
    int opts;
    const char *kid, *crv;
    cjwt_alg alg;
    cjwt_error err;
    lkey *k;

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "algorithm name expected, got %s",
                                            luaL_typename(L, 1)));
    opts = lcjwt_opts_arg(L, 2, GENERATE_OPTS);
    kid = lcjwt_opt_string(L, opts, 2, "kid");
    crv = lcjwt_opt_string(L, opts, 2, "crv");
    memset(&err, 0, sizeof err);
    if (lcjwt_alg_from_lua(L, 1, &alg, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    k = lcjwt_push_new_key(L);
    k->key = cjwt_key_generate_curve(alg, crv, kid, &err);
    if (!k->key)
        return lcjwt_push_failure(L, NULL, &err);
    return 1;
}

static lkey *check_key(lua_State *L, int idx)
{
    lkey *k = (lkey *)luaL_checkudata(L, idx, KEY_MT);
    if (!k->key)
        luaL_argerror(L, idx, "key object has been closed");
    return k;
}

/* Key and key-set methods raise error objects (upvalue 2 is the error
 * metatable for them): they fail only on a misuse the core detects (a PEM
 * of an HMAC secret) or out of memory. */

/* key:to_jwk([private]) -> JWK table (private members only when asked). */
static int key_to_jwk(lua_State *L)
{
    lkey *k = check_key(L, 1);
    int private_ = lcjwt_opt_bool_arg(L, 2);
    guard *g = lcjwt_guard_new(L);
    cjwt_error err;
    memset(&err, 0, sizeof err);
    g->header = cjwt_key_to_jwk(k->key, private_, &err);
    return lcjwt_return_value(L, g, &err, 1);
}

/* key:to_pem([private]) -> SPKI or PKCS#8 PEM text. */
static int key_to_pem(lua_State *L)
{
    lkey *k = check_key(L, 1);
    int private_ = lcjwt_opt_bool_arg(L, 2);
    guard *g = lcjwt_guard_new(L);
    cjwt_error err;
    size_t len = 0;
    memset(&err, 0, sizeof err);
    g->text = cjwt_key_to_pem(k->key, private_, &len, &err);
    return lcjwt_return_text(L, g, len, &err, 1);
}

/* key:thumbprint() -> RFC 7638 SHA-256 thumbprint, base64url. */
static int key_thumbprint(lua_State *L)
{
    lkey *k = check_key(L, 1);
    guard *g = lcjwt_guard_new(L);
    cjwt_error err;
    size_t len = 0;
    memset(&err, 0, sizeof err);
    g->text = cjwt_key_thumbprint(k->key, &len, &err);
    return lcjwt_return_text(L, g, len, &err, 1);
}

/* key:with({kid=, alg=}) -> a new key object with the same material, bound
 * to that kid and/or alg (an omitted one is kept). */
static int key_with(lua_State *L)
{
    static const char *const known[] = { "kid", "alg", NULL };
    lkey *k = check_key(L, 1), *out;
    int opts = lcjwt_opts_arg(L, 2, known), t;
    const char *kid = lcjwt_opt_string(L, opts, 2, "kid");
    cjwt_alg alg = cjwt_key_alg(k->key);
    cjwt_error err;

    memset(&err, 0, sizeof err);
    t = lcjwt_opt_push(L, opts, "alg");
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            lcjwt_opt_type_error(L, 2, "alg", "string");
        if (lcjwt_alg_from_lua(L, -1, &alg, &err) != 0)
            return lcjwt_push_failure_ex(L, NULL, &err, 1);
    }
    if (!kid)
        kid = cjwt_key_kid(k->key);
    out = lcjwt_push_new_key(L);
    out->key = cjwt_key_with(k->key, kid, alg, &err);
    if (!out->key)
        return lcjwt_push_failure_ex(L, NULL, &err, 1);
    return 1;
}

/* Fields kid, alg (bound algorithm or nil), kty, is_private, curve ("P-256",
 * "Ed25519" or nil), bits; then the methods (upvalue 3). */
int lcjwt_key_index(lua_State *L)
{
    lkey *k = check_key(L, 1);
    const char *field = luaL_checkstring(L, 2);
    if (strcmp(field, "kid") == 0) {
        const char *kid = cjwt_key_kid(k->key);
        if (kid)
            lua_pushstring(L, kid);
        else
            lua_pushnil(L);
    } else if (strcmp(field, "alg") == 0) {
        cjwt_alg alg = cjwt_key_alg(k->key);
        if (alg == CJWT_ALG__COUNT)
            lua_pushnil(L);
        else
            lua_pushstring(L, cjwt_alg_name(alg));
    } else if (strcmp(field, "kty") == 0) {
        lua_pushstring(L, cjwt_kty_name(cjwt_key_type(k->key)));
    } else if (strcmp(field, "is_private") == 0) {
        lua_pushboolean(L, cjwt_key_is_private(k->key));
    } else if (strcmp(field, "curve") == 0) {
        const char *curve = cjwt_key_curve(k->key);
        if (curve)
            lua_pushstring(L, curve);
        else
            lua_pushnil(L);
    } else if (strcmp(field, "bits") == 0) {
        lua_pushinteger(L, cjwt_key_bits(k->key));
    } else {
        lua_pushvalue(L, 2);
        lua_rawget(L, lua_upvalueindex(3));
    }
    return 1;
}

int lcjwt_key_gc(lua_State *L)
{
    lkey *k = (lkey *)luaL_checkudata(L, 1, KEY_MT);
    cjwt_key_free(k->key);
    k->key = NULL;
    return 0;
}

int lcjwt_key_tostring(lua_State *L)
{
    lkey *k = (lkey *)luaL_checkudata(L, 1, KEY_MT);
    if (!k->key)
        lua_pushliteral(L, "cjwt.key (closed)");
    else if (cjwt_key_kid(k->key))
        lua_pushfstring(L, "cjwt.key (%s, kid=%s)", cjwt_kty_name(cjwt_key_type(k->key)),
                        cjwt_key_kid(k->key));
    else
        lua_pushfstring(L, "cjwt.key (%s)", cjwt_kty_name(cjwt_key_type(k->key)));
    return 1;
}

const luaL_Reg lcjwt_key_methods[] = {
    { "to_jwk", key_to_jwk },
    { "to_pem", key_to_pem },
    { "thumbprint", key_thumbprint },
    { "with", key_with },
    { NULL, NULL }
};
