/* cjwt.core: the Lua binding of the cjwt core, one source for Lua 5.4 and
 * LuaJIT 2.1 (OpenResty's branch).
 *
 * Thin by contract (DESIGN.md): it converts Lua values to cjwt values and
 * back and maps core errors to `nil, message, code[, claim]`. Every decision
 * about a token is the core's. lua/cjwt/init.lua turns those returns into
 * raised error objects; lua/cjwt/safe.lua passes them through. Misuse (wrong
 * argument types, unknown option names, values JSON cannot hold) raises a
 * plain error in both, as lua-cjson does.
 *
 * Memory rule: any Lua API call may long-jump (argument errors, out of
 * memory). A C object the core hands us is therefore parked in a `guard`
 * userdata, whose __gc frees it, before the next call that can raise; the
 * normal return path frees it at once. The verify paths (the hot ones) use
 * a guard on the C stack instead, and make no Lua call that can raise while
 * it holds anything; the core's result is parked in the module's result
 * slot (upvalue 4) while it is converted, or, when that is busy, converted
 * under lua_pcall (upvalue 3) and freed before re-raising. Lua -> JSON conversion makes no
 * Lua call that can raise (the stack is reserved up front) and frees its
 * partial results itself when it fails.
 *
 * Module state: the array metatable is upvalue 1 of every function, the
 * error metatable (or false for the safe flavour) upvalue 2, the verify
 * paths' protected result converter upvalue 3, their result slot upvalue 4,
 * the key cache (string key material -> parsed key) upvalue 5; the key and
 * guard metatables
 * live in the registry. No C globals hold state.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "cjwt.h"

/* ---- Lua 5.1 / LuaJIT compatibility ------------------------------------ */

#if LUA_VERSION_NUM >= 503
#define LCJWT_INTEGERS 1     /* Lua has a separate integer subtype */
#else
#define LCJWT_INTEGERS 0     /* numbers are doubles (LuaJIT, 5.1) */
#endif

#if LUA_VERSION_NUM < 502 && !defined(luaL_newlibtable)
/* Plain Lua 5.1 lacks luaL_setfuncs (LuaJIT 2.1 has it); from Lua 5.2. */
static void lcjwt_setfuncs(lua_State *L, const luaL_Reg *l, int nup)
{
    luaL_checkstack(L, nup, "too many upvalues");
    for (; l->name != NULL; l++) {
        int i;
        for (i = 0; i < nup; i++)
            lua_pushvalue(L, -nup);
        lua_pushcclosure(L, l->func, nup);
        lua_setfield(L, -(nup + 2), l->name);
    }
    lua_pop(L, nup);
}
#define luaL_setfuncs lcjwt_setfuncs
#endif

#define KEY_MT "cjwt.key"
#define GUARD_MT "cjwt.guard"
#define KEYSET_MT "cjwt.keyset"
#define VERIFIER_MT "cjwt.verifier"
#define ARRAY_MT_INDEX lua_upvalueindex(1)
#define ERROR_MT_INDEX lua_upvalueindex(2)
#define PUSH_DECODED_INDEX lua_upvalueindex(3)
#define RESULT_SLOT_INDEX lua_upvalueindex(4)
#define KEY_CACHE_INDEX lua_upvalueindex(5)
#define N_UPVALUES 5

/* String keys remembered per module (see key_cache). */
#define KEY_CACHE_MAX 32

/* Tables nested deeper than this are refused when encoding; it also stops
 * cyclic tables. The Lua stack for it is reserved before converting. */
#define MAX_NESTING 64
#define CONV_STACK (3 * MAX_NESTING + 8)
/* Verifying reserves only what its own calls push: converting the result
 * checks for room one nesting level at a time (push_value). A large
 * reservation would stay with the coroutine, and OpenResty clears a request
 * coroutine's whole stack when it is reused (lua_resetthread): 200 slots made
 * that ~3k instructions per request. */
#define VERIFY_STACK 24

/* Largest integer a double holds exactly (LuaJIT's integral numbers). */
#define EXACT_INT_MAX 9007199254740992.0

/* Its address marks cjwt.empty_array (a light userdata, like lua-cjson). */
static const char empty_array_marker = 0;

/* ---- small helpers ------------------------------------------------------- */

static int abs_index(lua_State *L, int idx)
{
    return (idx > 0 || idx <= LUA_REGISTRYINDEX) ? idx : lua_gettop(L) + idx + 1;
}

/* A whole number in [min, max] held by a Lua number at idx (5.4 floats with
 * an integral value count). Returns 1 and sets *out, else 0. */
static int number_to_int64(lua_State *L, int idx, double min, double max, int64_t *out)
{
#if LCJWT_INTEGERS
    if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        if ((double)i < min || (double)i > max)
            return 0;
        *out = (int64_t)i;
        return 1;
    }
#endif
    {
        double d = (double)lua_tonumber(L, idx);
        if (!(d >= min && d <= max) || d != floor(d))
            return 0;
        *out = (int64_t)d;
        return 1;
    }
}

static void set_error(cjwt_error *err, cjwt_code code, const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    err->claim[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ---- guard: C objects owned by one call ----------------------------------- */

typedef struct guard {
    cjwt_value *payload;     /* encode: the converted payload */
    cjwt_value *header;      /* encode: extra header; get_unverified_header: result */
    cjwt_value *jwk;         /* a JWK table being turned into a key */
    cjwt_key *key;           /* a key made from a string or JWK argument, or a
                                reference to a key object's key for the call */
    cjwt_keyset *ks;         /* a reference to a key set object's set for the call */
    cjwt_decoded *decoded;
    char *text;              /* a token returned by the core */
} guard;

static void guard_release(guard *g)
{
    cjwt_value_free(g->payload);
    cjwt_value_free(g->header);
    cjwt_value_free(g->jwk);
    cjwt_key_free(g->key);
    cjwt_keyset_free(g->ks);
    cjwt_decoded_free(g->decoded);
    cjwt_free(g->text);
    memset(g, 0, sizeof *g);
}

static int guard_gc(lua_State *L)
{
    guard_release((guard *)luaL_checkudata(L, 1, GUARD_MT));
    return 0;
}

static guard *guard_new(lua_State *L)
{
    guard *g = (guard *)lua_newuserdata(L, sizeof *g);
    memset(g, 0, sizeof *g);
    luaL_getmetatable(L, GUARD_MT);
    lua_setmetatable(L, -2);
    return g;
}

/* Frees the call's objects, then reports the failure: `raising` raises
 * { code =, message =, claim = } with the error metatable (upvalue 2, which
 * must then be that table); otherwise returns nil, message, code[, claim]. */
static int push_failure_ex(lua_State *L, guard *g, const cjwt_error *err, int raising)
{
    cjwt_error e = *err;
    if (g)
        guard_release(g);
    if (e.code == CJWT_OK || e.code >= CJWT_E__COUNT)
        set_error(&e, CJWT_E_INTERNAL, "cjwt core failed without reporting an error");
    if (raising) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, cjwt_code_name(e.code));
        lua_setfield(L, -2, "code");
        lua_pushstring(L, e.message);
        lua_setfield(L, -2, "message");
        if (e.claim[0] != '\0') {
            lua_pushstring(L, e.claim);
            lua_setfield(L, -2, "claim");
        }
        lua_pushvalue(L, ERROR_MT_INDEX);
        lua_setmetatable(L, -2);
        return lua_error(L);
    }
    lua_pushnil(L);
    lua_pushstring(L, e.message);
    lua_pushstring(L, cjwt_code_name(e.code));
    if (e.claim[0] != '\0') {
        lua_pushstring(L, e.claim);
        return 4;
    }
    return 3;
}

/* The module's flavour: upvalue 2 is the error metatable (raising functions)
 * or false (cjwt.safe). */
static int push_failure(lua_State *L, guard *g, const cjwt_error *err)
{
    return push_failure_ex(L, g, err, lua_toboolean(L, ERROR_MT_INDEX));
}

/* ---- Lua -> cjwt_value ----------------------------------------------------- */
/* Never raises: only non-allocating Lua calls, with stack room checked one
 * nesting level at a time (lua_checkstack, which does not raise); on
 * failure returns NULL with a reason in c->msg and the
 * innermost member name in c->where, having freed what it built. */

typedef struct conv {
    lua_State *L;
    char msg[128];
    char where[72];
} conv;

static cjwt_value *conv_fail(conv *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return NULL;
}

static void conv_where_key(conv *c, const char *key, size_t len)
{
    if (c->where[0] != '\0')
        return;                      /* the innermost member is the useful one */
    snprintf(c->where, sizeof c->where, "'%.*s'", len > 60 ? 60 : (int)len, key);
}

static void conv_where_index(conv *c, lua_Integer i)
{
    if (c->where[0] == '\0')
        snprintf(c->where, sizeof c->where, "[%lld]", (long long)i);
}

static cjwt_value *to_value(conv *c, int idx, int depth);

static cjwt_value *number_to_value(conv *c, int idx)
{
    lua_State *L = c->L;
    double d;
    cjwt_value *v;
#if LCJWT_INTEGERS
    if (lua_isinteger(L, idx)) {
        v = cjwt_value_new_int((int64_t)lua_tointeger(L, idx));
        return v ? v : conv_fail(c, "out of memory");
    }
#endif
    d = (double)lua_tonumber(L, idx);
    if (isnan(d) || isinf(d))
        return conv_fail(c, "NaN and infinity have no JSON form");
#if !LCJWT_INTEGERS
    /* LuaJIT: a whole number that a double holds exactly is a JSON integer. */
    if (d == floor(d) && fabs(d) <= EXACT_INT_MAX)
        v = cjwt_value_new_int((int64_t)d);
    else
#endif
        v = cjwt_value_new_real(d);
    return v ? v : conv_fail(c, "out of memory");
}

/* Key of a table entry is a positive integer (array index candidate). */
static int key_is_index(lua_State *L, int idx, lua_Integer *out)
{
    int64_t i;
    if (!number_to_int64(L, idx, 1.0, EXACT_INT_MAX, &i))
        return 0;
    *out = (lua_Integer)i;
    return 1;
}

/* Array or object: keys exactly 1..n (n >= 1) make an array; string keys an
 * object; an empty table is an object unless its metatable is
 * cjwt.array_mt. A table with cjwt.array_mt must have keys 1..n. */
static cjwt_value *table_to_value(conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    size_t n_str = 0, n_int = 0, n_other = 0;
    lua_Integer max_index = 0, i;
    int marked_array = 0;
    cjwt_value *out;

    if (depth >= MAX_NESTING)
        return conv_fail(c, "tables nested more than %d deep (a cycle?)", MAX_NESTING);
    /* Room for this level's pushes (metatable, key, value): checked per level,
     * not assumed from a reservation made by the caller, so every entry
     * point (a JWK table on a verify path reserves only VERIFY_STACK) is
     * safe. lua_checkstack does not raise. */
    if (!lua_checkstack(L, 4))
        return conv_fail(c, "no Lua stack space for a table nested %d deep", depth);

    if (lua_getmetatable(L, idx)) {
        marked_array = lua_rawequal(L, -1, ARRAY_MT_INDEX);
        lua_pop(L, 1);
    }

    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);                         /* value; keep the key */
        if (lua_type(L, -1) == LUA_TSTRING) {
            n_str++;
        } else if (lua_type(L, -1) == LUA_TNUMBER && key_is_index(L, -1, &i)) {
            n_int++;
            if (i > max_index)
                max_index = i;
        } else {
            n_other++;
        }
    }

    if (marked_array || (n_int > 0 && n_str == 0 && n_other == 0)) {
        if (n_str != 0 || n_other != 0 || (size_t)max_index != n_int)
            return conv_fail(c, "an array table must have exactly the keys 1..n");
        out = cjwt_value_new_array();
        if (!out)
            return conv_fail(c, "out of memory");
        for (i = 1; i <= max_index; i++) {
            cjwt_value *item;
            lua_rawgeti(L, idx, i);
            item = to_value(c, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
            if (!item) {
                conv_where_index(c, i);
                cjwt_value_free(out);
                return NULL;
            }
            if (cjwt_value_array_append(out, item) != 0) {
                cjwt_value_free(out);
                return conv_fail(c, "out of memory");
            }
        }
        return out;
    }

    if (n_int != 0 || n_other != 0)
        return conv_fail(c, "a table must be an array (keys 1..n) or an object "
                            "(string keys only)");
    out = cjwt_value_new_object();
    if (!out)
        return conv_fail(c, "out of memory");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t klen;
        const char *k = lua_tolstring(L, -2, &klen);   /* a string: no conversion */
        cjwt_value *item = to_value(c, lua_gettop(L), depth + 1);
        if (!item) {
            conv_where_key(c, k, klen);
            lua_pop(L, 2);
            cjwt_value_free(out);
            return NULL;
        }
        if (cjwt_value_object_set(out, k, klen, item) != 0) {
            conv_where_key(c, k, klen);
            lua_pop(L, 2);
            cjwt_value_free(out);
            return conv_fail(c, "member name is not valid UTF-8 or contains a NUL byte");
        }
        lua_pop(L, 1);
    }
    return out;
}

static cjwt_value *to_value(conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    cjwt_value *v;
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        v = cjwt_value_new_bool(lua_toboolean(L, idx));
        return v ? v : conv_fail(c, "out of memory");
    case LUA_TNUMBER:
        return number_to_value(c, idx);
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        v = cjwt_value_new_string(s, len);
        return v ? v : conv_fail(c, "string is not valid UTF-8 or contains a NUL byte");
    }
    case LUA_TLIGHTUSERDATA: {
        const void *p = lua_touserdata(L, idx);
        if (p == NULL)
            v = cjwt_value_new_null();
        else if (p == &empty_array_marker)
            v = cjwt_value_new_array();
        else
            return conv_fail(c, "a light userdata other than cjwt.null or cjwt.empty_array");
        return v ? v : conv_fail(c, "out of memory");
    }
    case LUA_TTABLE:
        return table_to_value(c, idx, depth);
    default:
        return conv_fail(c, "a %s has no JSON form", lua_typename(L, lua_type(L, idx)));
    }
}

/* Converts the table at idx or raises an argument error naming `what`. Call
 * only while every owned C object is in a guard. */
static cjwt_value *table_arg_to_value(lua_State *L, int idx, int arg, const char *what)
{
    conv c;
    cjwt_value *v;
    memset(&c, 0, sizeof c);
    c.L = L;
    v = to_value(&c, abs_index(L, idx), 0);
    if (!v) {
        if (c.where[0] != '\0')
            luaL_argerror(L, arg, lua_pushfstring(L, "cannot encode %s: member %s: %s",
                                                  what, c.where, c.msg));
        luaL_argerror(L, arg, lua_pushfstring(L, "cannot encode %s: %s", what, c.msg));
    }
    return v;
}

/* ---- cjwt_value -> Lua ---------------------------------------------------- */
/* May raise (out of memory): callers hold the source in a guard. */

static void push_value(lua_State *L, const cjwt_value *v)
{
    switch (cjwt_value_type(v)) {
    case CJWT_TYPE_NULL:
        lua_pushlightuserdata(L, NULL);
        break;
    case CJWT_TYPE_FALSE:
        lua_pushboolean(L, 0);
        break;
    case CJWT_TYPE_TRUE:
        lua_pushboolean(L, 1);
        break;
    case CJWT_TYPE_INT:
#if LCJWT_INTEGERS
        lua_pushinteger(L, (lua_Integer)cjwt_value_int(v));
#else
        lua_pushnumber(L, (lua_Number)cjwt_value_int(v));
#endif
        break;
    case CJWT_TYPE_REAL:
        lua_pushnumber(L, (lua_Number)cjwt_value_real(v));
        break;
    case CJWT_TYPE_STRING: {
        size_t len = 0;
        const char *s = cjwt_value_string(v, &len);
        lua_pushlstring(L, s ? s : "", len);
        break;
    }
    case CJWT_TYPE_ARRAY: {
        size_t i, n = cjwt_value_size(v);
        luaL_checkstack(L, 4, "cjwt: JSON nested too deep");
        lua_createtable(L, n > INT_MAX ? INT_MAX : (int)n, 0);
        for (i = 0; i < n; i++) {
            push_value(L, cjwt_value_array_get(v, i));
            lua_rawseti(L, -2, (int)(i + 1));
        }
        /* Marked, so that an empty array encodes back as []. */
        lua_pushvalue(L, ARRAY_MT_INDEX);
        lua_setmetatable(L, -2);
        break;
    }
    case CJWT_TYPE_OBJECT: {
        size_t n = cjwt_value_size(v);
        void *it;
        luaL_checkstack(L, 4, "cjwt: JSON nested too deep");
        lua_createtable(L, 0, n > INT_MAX ? INT_MAX : (int)n);
        for (it = cjwt_object_iter(v); it; it = cjwt_object_iter_next(v, it)) {
            size_t klen = 0;
            const char *k = cjwt_object_iter_key(it, &klen);
            lua_pushlstring(L, k, klen);
            push_value(L, cjwt_object_iter_value(it));
            lua_rawset(L, -3);
        }
        break;
    }
    }
}

/* ---- options -------------------------------------------------------------- */

static const char *const ENCODE_OPTS[] = { "alg", "header", "expires_in", "now", NULL };
static const char *const JWS_ENCODE_OPTS[] = { "alg", "header", "now", NULL };
static const char *const KEY_OPTS[] = {
    "allow_short_secret", "format", "password", "kid", "alg", NULL
};
static const char *const KEYSET_OPTS[] = { "allow_short_secret", NULL };
static const char *const GENERATE_OPTS[] = { "kid", NULL };
static const char *const VERIFY_OPTS[] = {
    "algorithms", "audience", "issuer", "subject", "leeway", "require", "typ",
    "max_age", "now", "verify_signature", "verify_exp", "verify_nbf", "verify_iat",
    "verify_aud", "verify_iss", "verify_sub", "verify_jti", "strict_aud",
    "max_token_len", "max_depth", "denylist", "cache", NULL
};
/* strlen of each VERIFY_OPTS name, in order. */
static const unsigned char VERIFY_OPT_LEN[] = {
    10, 8, 6, 7, 6, 7, 3, 7, 3, 16, 10, 10, 10, 10, 10, 10, 10, 10, 13, 9, 8, 5
};

static const struct { const char *name; unsigned bit; } CHECK_FLAGS[] = {
    { "verify_signature", CJWT_CHECK_SIGNATURE }, { "verify_exp", CJWT_CHECK_EXP },
    { "verify_nbf", CJWT_CHECK_NBF },             { "verify_iat", CJWT_CHECK_IAT },
    { "verify_aud", CJWT_CHECK_AUD },             { "verify_iss", CJWT_CHECK_ISS },
    { "verify_sub", CJWT_CHECK_SUB },             { "verify_jti", CJWT_CHECK_JTI },
};

/* Optional table argument: its absolute index, or 0 when nil/absent. A
 * misspelt option raises: a silently ignored "isuer" would disable a check. */
static int opts_arg(lua_State *L, int arg, const char *const *known)
{
    if (lua_isnoneornil(L, arg))
        return 0;
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        const char *const *k;
        const char *name;
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, arg, "option names must be strings");
        name = lua_tostring(L, -1);
        for (k = known; *k; k++)
            if (strcmp(*k, name) == 0)
                break;
        if (!*k)
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", name));
    }
    return arg;
}

static int opt_type_error(lua_State *L, int arg, const char *name, const char *expected)
{
    return luaL_argerror(L, arg, lua_pushfstring(L, "option '%s': %s expected, got %s", name,
                                                 expected, luaL_typename(L, -1)));
}

/* Pushes opts[name] (raw access, no metamethods) and returns its type. The
 * value stays on the stack so strings borrowed from it stay alive. */
static int opt_push(lua_State *L, int opts, const char *name)
{
    if (!opts) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    lua_pushstring(L, name);
    lua_rawget(L, opts);
    return lua_type(L, -1);
}

/* A C string (no embedded NUL: it would cut the value the core compares). */
static const char *check_cstring(lua_State *L, int idx, int arg, const char *name)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (strlen(s) != len)
        luaL_argerror(L, arg, lua_pushfstring(L, "option '%s': string contains a NUL byte",
                                              name));
    return s;
}

static const char *opt_string(lua_State *L, int opts, int arg, const char *name)
{
    int t = opt_push(L, opts, name);
    if (t == LUA_TNIL)
        return NULL;
    if (t != LUA_TSTRING)
        opt_type_error(L, arg, name, "string");
    return check_cstring(L, -1, arg, name);
}

static int opt_number(lua_State *L, int opts, int arg, const char *name, double *out)
{
    int t = opt_push(L, opts, name);
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TNUMBER)
        opt_type_error(L, arg, name, "number");
    *out = (double)lua_tonumber(L, -1);
    return 1;
}

/* Algorithm name -> alg; an unknown name is the caller's data, not misuse. */
static int alg_from_lua(lua_State *L, int idx, cjwt_alg *alg, cjwt_error *err)
{
    size_t len;
    const char *name = lua_tolstring(L, idx, &len);
    *alg = cjwt_alg_from_name(name, len);
    if (*alg == CJWT_ALG__COUNT) {
        set_error(err, CJWT_E_UNSUPPORTED_ALG, "Algorithm not supported: \"%.64s\"", name);
        return -1;
    }
    return 0;
}

/* ---- verify options: one pass over the table ------------------------------- */
/* The verify paths read their options in a single lua_next pass: each known
 * name's value is pushed and its stack index kept in a slot (the stack keeps
 * borrowed strings alive), then the slots are checked in a fixed order, so
 * the errors are those of reading each option by name. */

enum {
    VO_ALGORITHMS, VO_AUDIENCE, VO_ISSUER, VO_SUBJECT, VO_LEEWAY, VO_REQUIRE, VO_TYP,
    VO_MAX_AGE, VO_NOW, VO_VERIFY_SIGNATURE, VO_VERIFY_EXP, VO_VERIFY_NBF, VO_VERIFY_IAT,
    VO_VERIFY_AUD, VO_VERIFY_ISS, VO_VERIFY_SUB, VO_VERIFY_JTI, VO_STRICT_AUD,
    VO_MAX_TOKEN_LEN, VO_MAX_DEPTH, VO_DENYLIST, VO_CACHE, VO__COUNT
};
typedef char vo_len_matches[sizeof VERIFY_OPT_LEN == VO__COUNT ? 1 : -1];

/* Small lists of strings are held here rather than in a userdata. */
#define VO_INLINE 4

typedef struct vo_slots {
    int at[VO__COUNT];                   /* stack index of each option, 0: absent */
    const char *aud[VO_INLINE], *iss[VO_INLINE], *req[VO_INLINE];
} vo_slots;

/* Index of the option `name` in VERIFY_OPTS, or -1 (lengths compared first). */
static int verify_opt_index(const char *name, size_t len)
{
    int i;
    for (i = 0; i < VO__COUNT; i++)
        if (VERIFY_OPT_LEN[i] == len && memcmp(VERIFY_OPTS[i], name, len) == 0)
            return i;
    return -1;
}

/* The optional verify options table at `arg` into *s (unknown names raise,
 * as opts_arg does). Leaves the values on the stack. */
static void verify_opts_collect(lua_State *L, int arg, vo_slots *s)
{
    memset(s->at, 0, sizeof s->at);
    if (lua_isnoneornil(L, arg))
        return;
    luaL_checktype(L, arg, LUA_TTABLE);
    luaL_checkstack(L, VO__COUNT + 4, "cjwt: no stack space");
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        size_t len;
        const char *name;
        int i;
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_argerror(L, arg, "option names must be strings");
        name = lua_tolstring(L, -2, &len);
        i = verify_opt_index(name, len);
        if (i < 0)
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", name));
        /* value, key -> key, value (the value stays below the key) */
        lua_insert(L, -2);
        s->at[i] = lua_gettop(L) - 1;
    }
}

static int slot_type(lua_State *L, int idx)
{
    return idx ? lua_type(L, idx) : LUA_TNIL;
}

static int opt_type_error_at(lua_State *L, int arg, int idx, const char *name,
                             const char *expected)
{
    return luaL_argerror(L, arg, lua_pushfstring(L, "option '%s': %s expected, got %s", name,
                                                 expected, luaL_typename(L, idx)));
}

static const char *slot_string(lua_State *L, int idx, int arg, const char *name)
{
    int t = slot_type(L, idx);
    if (t == LUA_TNIL)
        return NULL;
    if (t != LUA_TSTRING)
        opt_type_error_at(L, arg, idx, name, "string");
    return check_cstring(L, idx, arg, name);
}

static int slot_number(lua_State *L, int idx, int arg, const char *name, double *out)
{
    int t = slot_type(L, idx);
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TNUMBER)
        opt_type_error_at(L, arg, idx, name, "number");
    *out = (double)lua_tonumber(L, idx);
    return 1;
}

static int slot_int(lua_State *L, int idx, int arg, const char *name, double max, int64_t *out)
{
    int t = slot_type(L, idx);
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TNUMBER || !number_to_int64(L, idx, 0.0, max, out))
        opt_type_error_at(L, arg, idx, name, "non-negative integer");
    return 1;
}

/* The length of the list of strings at idx (keys exactly 1..n), or raises. */
static size_t slot_list_len(lua_State *L, int idx, int arg, const char *name)
{
    size_t count = 0, keys = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        keys++;
    }
    for (;;) {
        lua_rawgeti(L, idx, (int)(count + 1));
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, arg, lua_pushfstring(L, "option '%s': list items must be strings",
                                                  name));
        lua_pop(L, 1);
        count++;
    }
    if (count != keys)
        luaL_argerror(L, arg, lua_pushfstring(L, "option '%s': a list (keys 1..n) expected",
                                              name));
    return count;
}

/* A list of strings (or one string when allow_single) into `inl` when it
 * fits, else into a userdata left on the stack (the GC owns it). */
static const char *const *slot_string_list(lua_State *L, int idx, int arg, const char *name,
                                           int allow_single, const char **inl, size_t *n)
{
    int t = slot_type(L, idx);
    size_t count, i;
    const char **out;

    *n = 0;
    if (t == LUA_TNIL)
        return NULL;
    if (t == LUA_TSTRING && allow_single) {
        inl[0] = check_cstring(L, idx, arg, name);
        *n = 1;
        return inl;
    }
    if (t != LUA_TTABLE)
        opt_type_error_at(L, arg, idx, name, allow_single ? "string or list of strings"
                                                          : "list of strings");
    count = slot_list_len(L, idx, arg, name);
    out = count <= VO_INLINE ? inl
                             : (const char **)lua_newuserdata(L, count * sizeof *out);
    for (i = 0; i < count; i++) {
        lua_rawgeti(L, idx, (int)(i + 1));
        out[i] = check_cstring(L, -1, arg, name);   /* the list keeps it alive */
        lua_pop(L, 1);
    }
    *n = count;
    return out;
}

/* Fills *vo, *has_now, *now from the collected options. Misuse raises; an
 * unknown algorithm name returns -1 with *err set. */
static int read_verify_opts(lua_State *L, vo_slots *s, int arg, cjwt_verify_opts *vo,
                            int *has_now, double *now, cjwt_error *err)
{
    size_t i, n;
    int64_t iv;
    double d;
    int t, idx;

    idx = s->at[VO_ALGORITHMS];
    t = slot_type(L, idx);
    if (t != LUA_TNIL) {
        int bad = -1;
        if (t != LUA_TTABLE)
            opt_type_error_at(L, arg, idx, "algorithms", "list of strings");
        n = slot_list_len(L, idx, arg, "algorithms");
        for (i = 0; i < n; i++) {
            size_t len;
            const char *name;
            cjwt_alg alg;
            lua_rawgeti(L, idx, (int)(i + 1));
            name = check_cstring(L, -1, arg, "algorithms");
            len = strlen(name);
            alg = cjwt_alg_from_name(name, len);
            if (alg == CJWT_ALG__COUNT) {
                if (bad < 0)
                    bad = (int)i;
            } else {
                vo->algorithms |= CJWT_ALG_BIT(alg);
            }
            lua_pop(L, 1);
        }
        if (bad >= 0) {
            lua_rawgeti(L, idx, bad + 1);       /* kept on the stack: the name is borrowed */
            set_error(err, CJWT_E_UNSUPPORTED_ALG, "Algorithm not supported: \"%.64s\"",
                      lua_tostring(L, -1));
            return -1;
        }
    }
    vo->audience = slot_string_list(L, s->at[VO_AUDIENCE], arg, "audience", 1, s->aud,
                                    &vo->n_audience);
    vo->issuer = slot_string_list(L, s->at[VO_ISSUER], arg, "issuer", 1, s->iss,
                                  &vo->n_issuer);
    vo->required = slot_string_list(L, s->at[VO_REQUIRE], arg, "require", 0, s->req,
                                    &vo->n_required);
    vo->subject = slot_string(L, s->at[VO_SUBJECT], arg, "subject");
    idx = s->at[VO_STRICT_AUD];
    t = slot_type(L, idx);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        opt_type_error_at(L, arg, idx, "strict_aud", "boolean");
    vo->strict_aud = idx ? lua_toboolean(L, idx) : 0;
    vo->typ = slot_string(L, s->at[VO_TYP], arg, "typ");
    if (slot_number(L, s->at[VO_LEEWAY], arg, "leeway", &d))
        vo->leeway = d;
    if (slot_number(L, s->at[VO_MAX_AGE], arg, "max_age", &d)) {
        vo->has_max_age = 1;
        vo->max_age = d;
    }
    *has_now = slot_number(L, s->at[VO_NOW], arg, "now", now);
    if (slot_int(L, s->at[VO_MAX_TOKEN_LEN], arg, "max_token_len", EXACT_INT_MAX, &iv))
        vo->max_token_len = (size_t)iv;
    if (slot_int(L, s->at[VO_MAX_DEPTH], arg, "max_depth", (double)INT_MAX, &iv))
        vo->max_depth = (int)iv;
    for (i = 0; i < sizeof CHECK_FLAGS / sizeof CHECK_FLAGS[0]; i++) {
        idx = s->at[VO_VERIFY_SIGNATURE + i];
        t = slot_type(L, idx);
        if (t == LUA_TNIL)
            continue;            /* unset: the core applies its default */
        if (t != LUA_TBOOLEAN)
            opt_type_error_at(L, arg, idx, CHECK_FLAGS[i].name, "boolean");
        vo->verify_set |= CHECK_FLAGS[i].bit;
        if (lua_toboolean(L, idx))
            vo->verify |= CHECK_FLAGS[i].bit;
    }
    return 0;
}

/* alg (default HS256), now, and for JWTs expires_in (seconds or "15m"). */
static int read_sign_opts(lua_State *L, int opts, int arg, int jwt, cjwt_sign_opts *so,
                          cjwt_error *err)
{
    int t = opt_push(L, opts, "alg");
    if (t == LUA_TNIL) {
        so->alg = CJWT_ALG_HS256;
    } else {
        if (t != LUA_TSTRING)
            opt_type_error(L, arg, "alg", "string");
        if (alg_from_lua(L, -1, &so->alg, err) != 0)
            return -1;
    }
    so->has_now = opt_number(L, opts, arg, "now", &so->now);
    if (!jwt)
        return 0;
    t = opt_push(L, opts, "expires_in");
    if (t == LUA_TNUMBER) {
        if (!number_to_int64(L, -1, -EXACT_INT_MAX, EXACT_INT_MAX, &so->expires_in))
            opt_type_error(L, arg, "expires_in", "whole number of seconds");
        so->has_expires_in = 1;
    } else if (t == LUA_TSTRING) {
        size_t len;
        const char *text = lua_tolstring(L, -1, &len);
        so->expires_in = cjwt_parse_duration(text, len);
        if (so->expires_in < 0)
            luaL_argerror(L, arg, lua_pushfstring(L, "option 'expires_in': invalid duration "
                                                  "'%s' (use e.g. 900, \"15m\", \"1h\", \"7d\")",
                                                  text));
        so->has_expires_in = 1;
    } else if (t != LUA_TNIL) {
        opt_type_error(L, arg, "expires_in", "number or duration string");
    }
    return 0;
}

/* ---- keys and key sets ------------------------------------------------------ */

typedef struct lkey {
    cjwt_key *key;           /* NULL once collected or closed */
} lkey;

typedef struct lkeyset {
    cjwt_keyset *ks;         /* NULL once collected or closed */
} lkeyset;

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

static lkey *test_key(lua_State *L, int idx) { return (lkey *)test_udata(L, idx, KEY_MT); }
static lkeyset *test_keyset(lua_State *L, int idx)
{
    return (lkeyset *)test_udata(L, idx, KEYSET_MT);
}

/* Type check of a key argument, done before anything is allocated. A key
 * set selects a key for verifying; it cannot sign (allow_set 0). */
static void check_key_arg(lua_State *L, int arg, int allow_set)
{
    int t = lua_type(L, arg);
    if (t == LUA_TNONE || t == LUA_TNIL || t == LUA_TSTRING || t == LUA_TTABLE)
        return;
    if (t == LUA_TUSERDATA && test_key(L, arg)) {
        if (!test_key(L, arg)->key)
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

/* ---- the key cache: string key material -> parsed key --------------------- */
/* A string key (secret, PEM/DER, JWK text) passed to encode, decode and the
 * other signing and verifying functions, or to cjwt.key / cjwt.keyset, is
 * parsed once and then found here: PEM decoding costs 50-500 times a
 * verification. As in the Python binding (python/_cjwt.c, "key cache"): at
 * most KEY_CACHE_MAX entries, most recently used first, keyed by the exact
 * bytes (length, then memcmp: Lua 5.4 long strings are not interned), read
 * as cjwt_key_from_bytes reads a string key (no flags). Key objects
 * (cjwt.key, string members of cjwt.keyset) are never taken from it or put
 * in it: they are the caller's own, with their own flags, and their secrets
 * go with them. Material the core refuses is not cached. Each entry holds
 * one key reference; every user takes a
 * reference of its own, so an entry evicted by a nested call (a denylist
 * function verifying with other keys) cannot free a key in use.
 *
 * One cache per module instance (per Lua state): a userdata, upvalue 5 of
 * every function, whose __gc frees the entries when the state closes. */

enum key_parser { KP_BYTES, KP_SECRET, KP_PEM, KP_JWK };

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

/* The key for the string material s: a new reference (release with
 * cjwt_key_free), from the cache or parsed and then cached. NULL with *err
 * set when the core refuses the material. Makes no Lua call that can raise. */
static cjwt_key *key_cache_get(key_cache *c, const char *s, size_t len, cjwt_error *err)
{
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
static int l_key_cache_info(lua_State *L)
{
    key_cache *c = (key_cache *)lua_touserdata(L, KEY_CACHE_INDEX);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, c->n);
    lua_setfield(L, -2, "size");
    lua_pushinteger(L, KEY_CACHE_MAX);
    lua_setfield(L, -2, "maxsize");
#if LUA_VERSION_NUM >= 503
    lua_pushinteger(L, (lua_Integer)c->hits);
    lua_setfield(L, -2, "hits");
    lua_pushinteger(L, (lua_Integer)c->misses);
#else
    lua_pushnumber(L, (lua_Number)c->hits);
    lua_setfield(L, -2, "hits");
    lua_pushnumber(L, (lua_Number)c->misses);
#endif
    lua_setfield(L, -2, "misses");
    return 1;
}

/* cjwt._key_cache_clear(): empties the key cache and resets its counters. */
static int l_key_cache_clear(lua_State *L)
{
    key_cache *c = (key_cache *)lua_touserdata(L, KEY_CACHE_INDEX);
    key_cache_clear(c);
    c->hits = c->misses = 0;
    return 0;
}

/* The key to use: borrowed from a key object, or made into g->key from a
 * string (secret or PEM, never sniffed the other way; through the key cache,
 * g holding a reference of its own) or a JWK table; or,
 * for a key set argument, NULL with *ks set. NULL without error for nil (the
 * core decides whether that is acceptable). */
static const cjwt_key *resolve_key(lua_State *L, int arg, guard *g, cjwt_error *err,
                                   const cjwt_keyset **ks)
{
    *ks = NULL;
    switch (lua_type(L, arg)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, arg, &len);
        g->key = key_cache_get((key_cache *)lua_touserdata(L, KEY_CACHE_INDEX), s, len, err);
        return g->key;
    }
    case LUA_TTABLE:
        g->jwk = table_arg_to_value(L, arg, arg, "JWK");
        g->key = cjwt_key_from_jwk(g->jwk, 0, err);
        cjwt_value_free(g->jwk);
        g->jwk = NULL;
        return g->key;
    case LUA_TUSERDATA:                  /* checked by check_key_arg */
        if (test_keyset(L, arg)) {
            *ks = test_keyset(L, arg)->ks;
            return NULL;
        }
        return test_key(L, arg)->key;
    default:
        return NULL;
    }
}

/* Options of cjwt.key, read (and checked) before anything is allocated. */
typedef struct key_opts {
    unsigned flags;
    const char *format;          /* NULL, "jwk", "secret" or "pem" */
    const char *password;        /* PEM pass phrase (borrowed from opts) */
    size_t password_len;
    int has_kid, has_alg;        /* rebind the made key to this kid / alg */
    const char *kid;
    cjwt_alg alg;
} key_opts;

/* Misuse raises; an unknown alg name returns -1 with *err set. */
static int read_key_opts(lua_State *L, int opts, int arg, int material_type, key_opts *ko,
                         cjwt_error *err)
{
    int t;
    memset(ko, 0, sizeof *ko);
    ko->alg = CJWT_ALG__COUNT;
    t = opt_push(L, opts, "allow_short_secret");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        opt_type_error(L, arg, "allow_short_secret", "boolean");
    if (lua_toboolean(L, -1))
        ko->flags |= CJWT_KEY_ALLOW_SHORT_SECRET;
    ko->format = opt_string(L, opts, arg, "format");
    if (ko->format && strcmp(ko->format, "jwk") != 0 && strcmp(ko->format, "secret") != 0 &&
        strcmp(ko->format, "pem") != 0)
        luaL_argerror(L, arg, "option 'format': \"jwk\", \"secret\" or \"pem\" expected");
    if (ko->format && material_type == LUA_TTABLE && strcmp(ko->format, "jwk") != 0)
        luaL_argerror(L, arg, "option 'format': a table is always a JWK");
    t = opt_push(L, opts, "password");
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            opt_type_error(L, arg, "password", "string");
        if (material_type != LUA_TSTRING || (ko->format && strcmp(ko->format, "pem") != 0))
            luaL_argerror(L, arg, "option 'password': only for a PEM string");
        ko->password = lua_tolstring(L, -1, &ko->password_len);
    }
    ko->kid = opt_string(L, opts, arg, "kid");
    ko->has_kid = ko->kid != NULL;
    t = opt_push(L, opts, "alg");
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            opt_type_error(L, arg, "alg", "string");
        if (alg_from_lua(L, -1, &ko->alg, err) != 0)
            return -1;
        ko->has_alg = 1;
    }
    return 0;
}

static lkey *push_new_key(lua_State *L)
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
static int make_key(lua_State *L, int idx, int arg, const key_opts *ko, cjwt_error *err)
{
    lkey *k = push_new_key(L);
    if (lua_type(L, idx) == LUA_TTABLE) {
        conv c;
        cjwt_value *jwk;
        memset(&c, 0, sizeof c);
        c.L = L;
        jwk = to_value(&c, idx, 0);
        if (!jwk) {
            if (c.where[0] != '\0')
                luaL_argerror(L, arg, lua_pushfstring(L, "cannot encode JWK: member %s: %s",
                                                      c.where, c.msg));
            luaL_argerror(L, arg, lua_pushfstring(L, "cannot encode JWK: %s", c.msg));
        }
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
static int l_key(lua_State *L)
{
    int t = lua_type(L, 1), opts;
    key_opts ko;
    cjwt_error err;

    if (t != LUA_TSTRING && t != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "string or JWK table expected, got %s",
                                            luaL_typename(L, 1)));
    opts = opts_arg(L, 2, KEY_OPTS);
    memset(&err, 0, sizeof err);
    if (read_key_opts(L, opts, 2, t, &ko, &err) != 0)
        return push_failure(L, NULL, &err);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    if (make_key(L, 1, 1, &ko, &err) != 0)
        return push_failure(L, NULL, &err);
    return 1;
}

/* cjwt.generate_key(alg [, {kid=}]) -> a new key bound to alg: a key pair
 * (RSA 2048, the alg's curve, Ed25519) or a random secret of the hash size. */
static int l_generate_key(lua_State *L)
{
    int opts;
    const char *kid;
    cjwt_alg alg;
    cjwt_error err;
    lkey *k;

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "algorithm name expected, got %s",
                                            luaL_typename(L, 1)));
    opts = opts_arg(L, 2, GENERATE_OPTS);
    kid = opt_string(L, opts, 2, "kid");
    memset(&err, 0, sizeof err);
    if (alg_from_lua(L, 1, &alg, &err) != 0)
        return push_failure(L, NULL, &err);
    k = push_new_key(L);
    k->key = cjwt_key_generate(alg, kid, &err);
    if (!k->key)
        return push_failure(L, NULL, &err);
    return 1;
}

static lkey *check_key(lua_State *L, int idx)
{
    lkey *k = (lkey *)luaL_checkudata(L, idx, KEY_MT);
    if (!k->key)
        luaL_argerror(L, idx, "key object has been closed");
    return k;
}

static int opt_bool_arg(lua_State *L, int arg)
{
    if (!lua_isnoneornil(L, arg) && lua_type(L, arg) != LUA_TBOOLEAN)
        luaL_argerror(L, arg, lua_pushfstring(L, "boolean expected, got %s",
                                              luaL_typename(L, arg)));
    return lua_toboolean(L, arg);
}

/* Key and key-set methods raise error objects (upvalue 2 is the error
 * metatable for them): they fail only on a misuse the core detects (a PEM
 * of an HMAC secret) or out of memory. */

/* key:to_jwk([private]) -> JWK table (private members only when asked). */
static int key_to_jwk(lua_State *L)
{
    lkey *k = check_key(L, 1);
    int private_ = opt_bool_arg(L, 2);
    guard *g = guard_new(L);
    cjwt_error err;
    memset(&err, 0, sizeof err);
    g->header = cjwt_key_to_jwk(k->key, private_, &err);
    if (!g->header)
        return push_failure_ex(L, g, &err, 1);
    push_value(L, g->header);
    guard_release(g);
    return 1;
}

/* key:to_pem([private]) -> SPKI or PKCS#8 PEM text. */
static int key_to_pem(lua_State *L)
{
    lkey *k = check_key(L, 1);
    int private_ = opt_bool_arg(L, 2);
    guard *g = guard_new(L);
    cjwt_error err;
    size_t len = 0;
    memset(&err, 0, sizeof err);
    g->text = cjwt_key_to_pem(k->key, private_, &len, &err);
    if (!g->text)
        return push_failure_ex(L, g, &err, 1);
    lua_pushlstring(L, g->text, len);
    guard_release(g);
    return 1;
}

/* key:thumbprint() -> RFC 7638 SHA-256 thumbprint, base64url. */
static int key_thumbprint(lua_State *L)
{
    lkey *k = check_key(L, 1);
    guard *g = guard_new(L);
    cjwt_error err;
    size_t len = 0;
    memset(&err, 0, sizeof err);
    g->text = cjwt_key_thumbprint(k->key, &len, &err);
    if (!g->text)
        return push_failure_ex(L, g, &err, 1);
    lua_pushlstring(L, g->text, len);
    guard_release(g);
    return 1;
}

/* key:with({kid=, alg=}) -> a new key object with the same material, bound
 * to that kid and/or alg (an omitted one is kept). */
static int key_with(lua_State *L)
{
    static const char *const known[] = { "kid", "alg", NULL };
    lkey *k = check_key(L, 1), *out;
    int opts = opts_arg(L, 2, known), t;
    const char *kid = opt_string(L, opts, 2, "kid");
    cjwt_alg alg = cjwt_key_alg(k->key);
    cjwt_error err;

    memset(&err, 0, sizeof err);
    t = opt_push(L, opts, "alg");
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            opt_type_error(L, 2, "alg", "string");
        if (alg_from_lua(L, -1, &alg, &err) != 0)
            return push_failure_ex(L, NULL, &err, 1);
    }
    if (!kid)
        kid = cjwt_key_kid(k->key);
    out = push_new_key(L);
    out->key = cjwt_key_with(k->key, kid, alg, &err);
    if (!out->key)
        return push_failure_ex(L, NULL, &err, 1);
    return 1;
}

/* Fields kid, alg (bound algorithm or nil), kty, is_private, curve ("P-256",
 * "Ed25519" or nil), bits; then the methods (upvalue 3). */
static int key_index(lua_State *L)
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

static int key_gc(lua_State *L)
{
    lkey *k = (lkey *)luaL_checkudata(L, 1, KEY_MT);
    cjwt_key_free(k->key);
    k->key = NULL;
    return 0;
}

static int key_tostring(lua_State *L)
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
    lkey *k = push_new_key(L);
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
        if (t == LUA_TUSERDATA && test_key(L, -1)) {
            if (!test_key(L, -1)->key)
                luaL_argerror(L, 1, lua_pushfstring(L, "keys[%d]: key object has been closed",
                                                    (int)i));
        } else if (t == LUA_TSTRING || t == LUA_TTABLE) {
            if (make_key(L, lua_gettop(L), 1, ko, err) != 0) {
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
        arr[i - 1] = test_key(L, -1)->key;
        lua_pop(L, 1);
    }
    s->ks = cjwt_keyset_new(arr, n, err);   /* takes its own references */
    return s->ks ? 0 : -1;
}

/* cjwt.keyset(jwks [, {allow_short_secret=}]) -> key set object. jwks: a
 * JWKS table ({keys = {...}}), JWKS JSON text, or a list of keys (key
 * objects, PEM strings, JWK tables). */
static int l_keyset(lua_State *L)
{
    int t = lua_type(L, 1), opts, set;
    key_opts ko;
    cjwt_error err;
    lkeyset *s;

    if (t != LUA_TSTRING && t != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "JWKS table, JWKS JSON or list of keys "
                                            "expected, got %s", luaL_typename(L, 1)));
    opts = opts_arg(L, 2, KEYSET_OPTS);
    memset(&err, 0, sizeof err);
    if (read_key_opts(L, opts, 2, LUA_TNIL, &ko, &err) != 0)
        return push_failure(L, NULL, &err);
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
            conv c;
            cjwt_value *jwks;
            lua_pop(L, 1);
            memset(&c, 0, sizeof c);
            c.L = L;
            jwks = to_value(&c, 1, 0);
            if (!jwks) {
                if (c.where[0] != '\0')
                    luaL_argerror(L, 1, lua_pushfstring(L, "cannot encode JWKS: member %s: %s",
                                                        c.where, c.msg));
                luaL_argerror(L, 1, lua_pushfstring(L, "cannot encode JWKS: %s", c.msg));
            }
            s->ks = cjwt_keyset_from_jwks(jwks, ko.flags, &err);
            cjwt_value_free(jwks);
        } else {
            lua_pop(L, 1);
            keyset_from_list(L, 1, s, &ko, &err);
        }
    }
    if (!s->ks)
        return push_failure(L, NULL, &err);
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
static int keyset_size(lua_State *L)
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
    int private_ = opt_bool_arg(L, 2);
    guard *g = guard_new(L);
    cjwt_error err;
    memset(&err, 0, sizeof err);
    g->header = cjwt_keyset_to_jwks(s->ks, private_, &err);
    if (!g->header)
        return push_failure_ex(L, g, &err, 1);
    push_value(L, g->header);
    guard_release(g);
    return 1;
}

static int keyset_gc(lua_State *L)
{
    lkeyset *s = (lkeyset *)luaL_checkudata(L, 1, KEYSET_MT);
    cjwt_keyset_free(s->ks);
    s->ks = NULL;
    return 0;
}

static int keyset_tostring(lua_State *L)
{
    lkeyset *s = (lkeyset *)luaL_checkudata(L, 1, KEYSET_MT);
    if (!s->ks)
        lua_pushliteral(L, "cjwt.keyset (closed)");
    else
        lua_pushfstring(L, "cjwt.keyset (%d keys)", (int)cjwt_keyset_size(s->ks));
    return 1;
}

/* ---- signing ---------------------------------------------------------------- */

/* encode(payload_table, key, opts) -> token | nil, message, code */
static int l_encode(lua_State *L)
{
    int opts;
    guard *g;
    cjwt_error err;
    cjwt_sign_opts so;
    const cjwt_key *key;
    const cjwt_keyset *ks;
    size_t len = 0;

    luaL_checktype(L, 1, LUA_TTABLE);
    check_key_arg(L, 2, 0);
    opts = opts_arg(L, 3, ENCODE_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    g = guard_new(L);
    memset(&err, 0, sizeof err);
    memset(&so, 0, sizeof so);

    if (read_sign_opts(L, opts, 3, 1, &so, &err) != 0)
        return push_failure(L, g, &err);
    if (opt_push(L, opts, "header") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TTABLE)
            opt_type_error(L, 3, "header", "table");
        g->header = table_arg_to_value(L, -1, 3, "header");
        so.header = g->header;
    }
    g->payload = table_arg_to_value(L, 1, 1, "payload");
    key = resolve_key(L, 2, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return push_failure(L, g, &err);
    g->text = cjwt_encode(g->payload, key, &so, &len, &err);
    if (!g->text)
        return push_failure(L, g, &err);
    lua_pushlstring(L, g->text, len);
    guard_release(g);
    return 1;
}

/* jws_encode(data_string, key, opts) -> token | nil, message, code */
static int l_jws_encode(lua_State *L)
{
    int opts;
    guard *g;
    cjwt_error err;
    cjwt_sign_opts so;
    const cjwt_key *key;
    const cjwt_keyset *ks;
    size_t data_len, len = 0;
    const char *data;

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "string expected, got %s", luaL_typename(L, 1)));
    data = lua_tolstring(L, 1, &data_len);
    check_key_arg(L, 2, 0);
    opts = opts_arg(L, 3, JWS_ENCODE_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    g = guard_new(L);
    memset(&err, 0, sizeof err);
    memset(&so, 0, sizeof so);

    if (read_sign_opts(L, opts, 3, 0, &so, &err) != 0)
        return push_failure(L, g, &err);
    if (opt_push(L, opts, "header") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TTABLE)
            opt_type_error(L, 3, "header", "table");
        g->header = table_arg_to_value(L, -1, 3, "header");
        so.header = g->header;
    }
    key = resolve_key(L, 2, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return push_failure(L, g, &err);
    g->text = cjwt_jws_encode((const unsigned char *)data, data_len, key, &so, &len, &err);
    if (!g->text)
        return push_failure(L, g, &err);
    lua_pushlstring(L, g->text, len);
    guard_release(g);
    return 1;
}

/* ---- verifying -------------------------------------------------------------- */

enum verify_mode { MODE_CLAIMS, MODE_COMPLETE, MODE_RAW };

static const char *check_token(lua_State *L, int arg, size_t *len)
{
    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_argerror(L, arg, lua_pushfstring(L, "token string expected, got %s",
                                              luaL_typename(L, arg)));
    return lua_tolstring(L, arg, len);
}

/* ---- the denylist: the core's revocation hook calling a Lua function ------- */
/* opts.denylist = function(claims) -> true (revoked) | false (not revoked) |
 * nil, err (unknown: the token is refused). The core calls denylist_hook
 * once the signature and every claim hold; the hook runs the function with
 * lua_pcall, so nothing long-jumps through the core. The function cannot
 * yield (a cosocket inside it fails, and so refuses the token): in nginx the
 * gateway looks Redis up itself after the core verified (docs/lifecycle.md). */

typedef struct lrevoke {
    lua_State *L;
    int call;                /* stack index of the denylist_call closure */
    int fn;                  /* stack index of the user's function */
} lrevoke;

/* (fn, payload) -> fn(claims): runs protected; may raise (out of memory...). */
static int denylist_call(lua_State *L)
{
    const cjwt_value *payload = (const cjwt_value *)lua_touserdata(L, 2);
    lua_settop(L, 1);
    push_value(L, payload);
    lua_call(L, 1, 2);
    return 2;
}

static int denylist_hook(void *ctx, const cjwt_value *payload, cjwt_error *err)
{
    lrevoke *r = (lrevoke *)ctx;
    lua_State *L = r->L;
    int top = lua_gettop(L), answer = -1;

    /* Stack space was reserved by the caller (VERIFY_STACK); nothing here
     * allocates outside lua_pcall. */
    lua_pushvalue(L, r->call);
    lua_pushvalue(L, r->fn);
    lua_pushlightuserdata(L, (void *)payload);
    if (lua_pcall(L, 2, 2, 0) != 0) {
        set_error(err, CJWT_E_UNAVAILABLE, "the denylist failed, the token is refused: %s",
                  lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                 : luaL_typename(L, -1));
    } else if (lua_type(L, -2) == LUA_TBOOLEAN) {
        answer = lua_toboolean(L, -2);
    } else if (lua_isnil(L, -2)) {
        set_error(err, CJWT_E_UNAVAILABLE, "the denylist could not answer, the token is refused: %s",
                  lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "no reason given");
    } else {
        set_error(err, CJWT_E_INTERNAL,
                  "the denylist must return true, false or nil, err (got a %s); the token is "
                  "refused", luaL_typename(L, -2));
    }
    lua_settop(L, top);
    return answer;
}

/* Pushes the closure the hook calls (it needs array_mt as upvalue 1, as
 * push_value does) and fills *r for the function at stack index fn. */
static void denylist_prepare(lua_State *L, int fn, lrevoke *r)
{
    lua_pushvalue(L, ARRAY_MT_INDEX);
    lua_pushcclosure(L, denylist_call, 1);
    r->L = L;
    r->call = lua_gettop(L);
    r->fn = fn;
}

/* opts.denylist (at stack index idx, 0: absent): a function, or nil.
 * Returns its stack index (0: none). */
static int denylist_opt(lua_State *L, int idx, int arg, enum verify_mode mode)
{
    int t = slot_type(L, idx);
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TFUNCTION)
        opt_type_error_at(L, arg, idx, "denylist", "function");
    if (mode == MODE_RAW)
        luaL_argerror(L, arg, "option 'denylist' needs claims; jws_decode has none");
    return idx;
}

/* Pushes the result of a verification in `mode`. May raise (out of memory). */
static void push_decoded_value(lua_State *L, const cjwt_decoded *d, enum verify_mode mode)
{
    if (mode == MODE_RAW) {
        size_t n = 0;
        const unsigned char *bytes = cjwt_decoded_payload_bytes(d, &n);
        lua_pushlstring(L, bytes ? (const char *)bytes : "", n);
    } else if (mode == MODE_CLAIMS) {
        push_value(L, cjwt_decoded_payload(d));
    } else {
        size_t n = 0;
        const unsigned char *sig = cjwt_decoded_signature(d, &n);
        lua_createtable(L, 0, 3);
        push_value(L, cjwt_decoded_header(d));
        lua_setfield(L, -2, "header");
        push_value(L, cjwt_decoded_payload(d));
        lua_setfield(L, -2, "payload");
        lua_pushlstring(L, sig ? (const char *)sig : "", n);
        lua_setfield(L, -2, "signature");
    }
}

/* (decoded, mode) -> the result: upvalue 3 of the verifying functions, with
 * array_mt as its upvalue 1 (push_value's), run under lua_pcall. */
static int push_decoded_call(lua_State *L)
{
    const cjwt_decoded *d = (const cjwt_decoded *)lua_touserdata(L, 1);
    enum verify_mode mode = (enum verify_mode)lua_tointeger(L, 2);
    lua_settop(L, 0);
    push_decoded_value(L, d, mode);
    return 1;
}

/* The verify paths' parking place for the core's result while it is being
 * converted (upvalue 4, one per module): its __gc frees what it holds. */
typedef struct result_slot {
    cjwt_decoded *decoded;
} result_slot;

static int result_slot_gc(lua_State *L)
{
    result_slot *s = (result_slot *)lua_touserdata(L, 1);
    if (s) {
        cjwt_decoded_free(s->decoded);
        s->decoded = NULL;
    }
    return 0;
}

/* Pushes the result of a verification in `mode` and frees `d`, also when
 * the conversion raises: the verify paths need no guard userdata per call.
 * While the module's result slot is free, `d` is parked in it during the
 * conversion (a raise leaves it there, for the slot's __gc); when it is busy
 * (a call nested through a __gc or the denylist, or left by a raise) the
 * conversion runs under lua_pcall and `d` is freed before re-raising. The
 * stack is reserved. */
static int push_decoded(lua_State *L, cjwt_decoded *d, enum verify_mode mode)
{
    int status;
    result_slot *slot = (result_slot *)lua_touserdata(L, RESULT_SLOT_INDEX);
    if (slot && !slot->decoded) {
        slot->decoded = d;
        push_decoded_value(L, d, mode);
        slot->decoded = NULL;
        cjwt_decoded_free(d);
        return 1;
    }
    lua_pushvalue(L, PUSH_DECODED_INDEX);
    lua_pushlightuserdata(L, d);
    lua_pushinteger(L, (lua_Integer)mode);
    status = lua_pcall(L, 2, 1, 0);
    cjwt_decoded_free(d);
    if (status != 0)
        return lua_error(L);
    return 1;
}

/* The key argument of a verify call, checked as check_key_arg does. A key
 * object or key set is returned through *k / *s (read their pointers when
 * verifying); otherwise both stay NULL and resolve_key makes the key. One
 * metatable comparison for a key object. */
static void verify_key_arg(lua_State *L, int arg, lkey **k, lkeyset **s)
{
    void *p;
    *k = NULL;
    *s = NULL;
    if (lua_type(L, arg) == LUA_TUSERDATA && (p = lua_touserdata(L, arg)) != NULL
        && lua_getmetatable(L, arg)) {
        luaL_getmetatable(L, KEY_MT);
        if (lua_rawequal(L, -1, -2)) {
            lua_pop(L, 2);
            if (!((lkey *)p)->key)
                luaL_argerror(L, arg, "key object has been closed");
            *k = (lkey *)p;
            return;
        }
        lua_pop(L, 1);
        luaL_getmetatable(L, KEYSET_MT);
        if (lua_rawequal(L, -1, -2)) {
            lua_pop(L, 2);
            if (!((lkeyset *)p)->ks)
                luaL_argerror(L, arg, "key set has been closed");
            *s = (lkeyset *)p;
            return;
        }
        lua_pop(L, 2);
    }
    check_key_arg(L, arg, 1);            /* a string, table or nil; else raises */
}

static int verify_common(lua_State *L, enum verify_mode mode)
{
    size_t token_len;
    const char *token = check_token(L, 1, &token_len);
    int has_now = 0;
    double now = 0;
    guard g;
    cjwt_error err;
    cjwt_verify_opts vo;
    const cjwt_key *key = NULL;
    const cjwt_keyset *ks = NULL;
    cjwt_decoded *d;
    lkey *kobj;
    lkeyset *sobj;
    lrevoke rv;
    vo_slots slots;
    int fn;

    verify_key_arg(L, 2, &kobj, &sobj);
    verify_opts_collect(L, 3, &slots);
    luaL_checkstack(L, VERIFY_STACK, "cjwt: no stack space");
    fn = denylist_opt(L, slots.at[VO_DENYLIST], 3, mode);
    if (slots.at[VO_CACHE])
        luaL_argerror(L, 3, "option 'cache' is only for cjwt.verifier (a cache lives in a "
                            "compiled verifier)");
    /* No Lua call that can raise runs while g holds anything. */
    memset(&g, 0, sizeof g);
    memset(&err, 0, sizeof err);
    memset(&vo, 0, sizeof vo);

    if (read_verify_opts(L, &slots, 3, &vo, &has_now, &now, &err) != 0)
        return push_failure(L, NULL, &err);
    vo.raw_payload = (mode == MODE_RAW);
    if (fn) {
        denylist_prepare(L, fn, &rv);
        vo.revocation = denylist_hook;
        vo.revocation_ctx = &rv;
    }
    /* The call holds its own reference: a denylist function could close the
     * key object (a <close> variable elsewhere) while the core uses the key. */
    if (kobj) {
        key = g.key = cjwt_key_ref(kobj->key);
    } else if (sobj) {
        ks = g.ks = cjwt_keyset_ref(sobj->ks);
    } else {
        key = resolve_key(L, 2, &g, &err, &ks);   /* owned by g */
        if (!key && !ks && err.code != CJWT_OK)
            return push_failure(L, &g, &err);
    }
    if (ks)
        d = cjwt_verify_keyset_with(&vo, ks, token, token_len, has_now, now, &err);
    else
        d = cjwt_verify_with(&vo, key, token, token_len, has_now, now, &err);
    guard_release(&g);
    if (!d)
        return push_failure(L, NULL, &err);
    return push_decoded(L, d, mode);
}

/* decode(token, key, opts) -> claims | nil, message, code[, claim] */
static int l_decode(lua_State *L) { return verify_common(L, MODE_CLAIMS); }
/* decode_complete(token, key, opts) -> {header=, payload=, signature=} | nil, ... */
static int l_decode_complete(lua_State *L) { return verify_common(L, MODE_COMPLETE); }
/* jws_decode(token, key, opts) -> payload bytes | nil, ... (no claim checks) */
static int l_jws_decode(lua_State *L) { return verify_common(L, MODE_RAW); }

/* get_unverified_header(token) -> header table | nil, message, code */
static int l_get_unverified_header(lua_State *L)
{
    size_t len;
    const char *token = check_token(L, 1, &len);
    guard *g = guard_new(L);
    cjwt_error err;
    memset(&err, 0, sizeof err);
    g->header = cjwt_unverified_header(token, len, &err);
    if (!g->header)
        return push_failure(L, g, &err);
    push_value(L, g->header);
    guard_release(g);
    return 1;
}

/* ---- compiled verifiers ------------------------------------------------------ */
/* cjwt.verifier(opts) compiles the options once (cjwt_verifier_new), for a
 * hot path such as an nginx worker: each call then only verifies. The
 * object keeps the flavour of the module that made it: from cjwt its
 * methods raise, from cjwt.safe they return nil, message, code[, claim].
 *
 * opts.cache = N gives the verifier the core's verified-token cache (keyed
 * by the token's bytes and the key or key set object). A string key (secret
 * or PEM) is the same key object on every call while it stays in the
 * module's key cache (key_cache_get), so repeating the same string hits; a
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

static int l_verifier(lua_State *L)
{
    int fn, has_now = 0, raising = lua_toboolean(L, ERROR_MT_INDEX);
    double now = 0;
    int64_t cache = 0;
    cjwt_error err;
    cjwt_verify_opts vo;
    lverifier *v;
    vo_slots slots;

    verify_opts_collect(L, 1, &slots);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    fn = denylist_opt(L, slots.at[VO_DENYLIST], 1, MODE_CLAIMS);
    memset(&err, 0, sizeof err);
    memset(&vo, 0, sizeof vo);
    if (read_verify_opts(L, &slots, 1, &vo, &has_now, &now, &err) != 0)
        return push_failure(L, NULL, &err);
    if (slot_int(L, slots.at[VO_CACHE], 1, "cache", EXACT_INT_MAX, &cache)) {
        if ((uint64_t)cache > (uint64_t)CJWT_MAX_CACHE_SIZE)
            luaL_argerror(L, 1, lua_pushfstring(L, "option 'cache': at most %d entries",
                                                (int)CJWT_MAX_CACHE_SIZE));
        vo.cache_size = (size_t)cache;
    }
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
        vo.revocation = denylist_hook;
        vo.revocation_ctx = &v->rv;
    }
    v->v = cjwt_verifier_new(&vo, &err);     /* copies the options */
    /* internal here is settings the core refuses (a cache without the
     * signature check...): a misuse, raised as bad arguments are */
    if (!v->v && err.code == CJWT_E_INTERNAL)
        luaL_argerror(L, 1, err.message);
    if (!v->v)
        return push_failure(L, NULL, &err);
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
    const char *token = check_token(L, 2, &token_len);
    int has_now = v->has_now;
    double now = v->now;
    guard g;
    cjwt_error err;
    const cjwt_key *key = NULL;
    const cjwt_keyset *ks = NULL;
    cjwt_decoded *d;
    lkey *kobj;
    lkeyset *sobj;
    lrevoke saved, mine;

    verify_key_arg(L, 3, &kobj, &sobj);
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
        denylist_prepare(L, lua_gettop(L), &mine);
    }
    /* No Lua call that can raise runs while g holds anything. */
    memset(&g, 0, sizeof g);
    memset(&err, 0, sizeof err);
    /* The call holds its own references (see verify_common): with a cache,
     * the key is used again after the denylist has run (to remember it). */
    if (kobj) {
        key = g.key = cjwt_key_ref(kobj->key);
    } else if (sobj) {
        ks = g.ks = cjwt_keyset_ref(sobj->ks);
    } else {
        key = resolve_key(L, 3, &g, &err, &ks);   /* owned by g */
        if (!key && !ks && err.code != CJWT_OK)
            return push_failure_ex(L, &g, &err, v->raising);
    }
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
    guard_release(&g);
    if (v->denylist != LUA_NOREF)
        v->rv = saved;
    if (v->busy == 0 && v->close_pending)
        verifier_release(L, v);
    if (!d)
        return push_failure_ex(L, NULL, &err, v->raising);
    return push_decoded(L, d, mode);
}

static int verifier_decode(lua_State *L) { return verifier_call(L, MODE_CLAIMS); }
static int verifier_decode_complete(lua_State *L) { return verifier_call(L, MODE_COMPLETE); }

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
#if LUA_VERSION_NUM >= 503
        lua_pushinteger(L, (lua_Integer)vals[i]);
#else
        lua_pushnumber(L, (lua_Number)vals[i]);    /* exact up to 2^53 */
#endif
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

static int verifier_gc(lua_State *L)
{
    lverifier *v = (lverifier *)luaL_checkudata(L, 1, VERIFIER_MT);
    if (v->busy)
        v->close_pending = 1;            /* closed from inside its own call */
    else
        verifier_release(L, v);          /* the verifier and its cache */
    return 0;
}

static int verifier_tostring(lua_State *L)
{
    lverifier *v = (lverifier *)luaL_checkudata(L, 1, VERIFIER_MT);
    lua_pushstring(L, v->v ? "cjwt.verifier" : "cjwt.verifier (closed)");
    return 1;
}

/* ---- module -------------------------------------------------------------- */

/* tostring(err) -> "cjwt: <code>: <message>" */
static int error_tostring(lua_State *L)
{
    const char *code, *message;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "code");
    lua_getfield(L, 1, "message");
    code = lua_tostring(L, -2);
    message = lua_tostring(L, -1);
    lua_pushfstring(L, "cjwt: %s: %s", code ? code : "?", message ? message : "?");
    return 1;
}

static const luaL_Reg core_functions[] = {
    { "encode", l_encode },
    { "decode", l_decode },
    { "decode_complete", l_decode_complete },
    { "get_unverified_header", l_get_unverified_header },
    { "jws_encode", l_jws_encode },
    { "jws_decode", l_jws_decode },
    { "key", l_key },
    { "generate_key", l_generate_key },
    { "keyset", l_keyset },
    { "verifier", l_verifier },
    { "_key_cache_info", l_key_cache_info },
    { "_key_cache_clear", l_key_cache_clear },
    { NULL, NULL }
};

static const luaL_Reg key_methods[] = {
    { "to_jwk", key_to_jwk },
    { "to_pem", key_to_pem },
    { "thumbprint", key_thumbprint },
    { "with", key_with },
    { NULL, NULL }
};

static const luaL_Reg keyset_methods[] = {
    { "size", keyset_size },
    { "find", keyset_find },
    { "get", keyset_get },
    { "to_jwks", keyset_to_jwks },
    { NULL, NULL }
};

static const luaL_Reg verifier_methods[] = {
    { "decode", verifier_decode },
    { "decode_complete", verifier_decode_complete },
    { "cache_stats", verifier_cache_stats },
    { "cache_clear", verifier_cache_clear },
    { NULL, NULL }
};

/* Fills the metatable `name` (left on the stack): __gc (also __close on
 * 5.4), __tostring, a protected __metatable; methods get the upvalues
 * array_mt, error_mt (at -3 and -2 before the call). */
static void new_object_mt(lua_State *L, const char *name, lua_CFunction gc,
                          lua_CFunction tostring)
{
    luaL_newmetatable(L, name);
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
#if LUA_VERSION_NUM >= 504
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");      /* local k <close> = cjwt.key(...) */
#endif
    lua_pushcfunction(L, tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__metatable");
}

/* Pushes a table of `methods` closed over array_mt (at am), error_mt (at
 * em), the protected result converter (at pd), the result slot (at pd + 1)
 * and the key cache (at pd + 2). */
static void push_methods(lua_State *L, const luaL_Reg *methods, int am, int em, int pd)
{
    lua_newtable(L);
    lua_pushvalue(L, am);
    lua_pushvalue(L, em);
    lua_pushvalue(L, pd);
    lua_pushvalue(L, pd + 1);
    lua_pushvalue(L, pd + 2);
    luaL_setfuncs(L, methods, N_UPVALUES);
}

CJWT_API int luaopen_cjwt_core(lua_State *L);

CJWT_API int luaopen_cjwt_core(lua_State *L)
{
    int am, em, pd;

    luaL_newmetatable(L, GUARD_MT);
    lua_pushcfunction(L, guard_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);

    lua_newtable(L);                     /* array_mt, upvalue 1 of every function */
    am = lua_gettop(L);
    lua_newtable(L);                     /* error_mt, upvalue 2 of the raising ones */
    em = lua_gettop(L);
    lua_pushcfunction(L, error_tostring);
    lua_setfield(L, em, "__tostring");
    lua_pushvalue(L, am);                /* the verify paths' result converter, upvalue 3 */
    lua_pushcclosure(L, push_decoded_call, 1);
    pd = lua_gettop(L);
    memset(lua_newuserdata(L, sizeof(result_slot)), 0, sizeof(result_slot));
    lua_newtable(L);                     /* the result slot, upvalue 4 (at pd + 1) */
    lua_pushcfunction(L, result_slot_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    memset(lua_newuserdata(L, sizeof(key_cache)), 0, sizeof(key_cache));
    lua_newtable(L);                     /* the key cache, upvalue 5 (at pd + 2) */
    lua_pushcfunction(L, key_cache_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);

    new_object_mt(L, KEY_MT, key_gc, key_tostring);
    lua_pushvalue(L, am);
    lua_pushvalue(L, em);
    push_methods(L, key_methods, am, em, pd);
    lua_pushcclosure(L, key_index, 3);   /* fields, then methods */
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    new_object_mt(L, KEYSET_MT, keyset_gc, keyset_tostring);
    lua_pushcfunction(L, keyset_size);
    lua_setfield(L, -2, "__len");
    push_methods(L, keyset_methods, am, em, pd);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    new_object_mt(L, VERIFIER_MT, verifier_gc, verifier_tostring);
    push_methods(L, verifier_methods, am, em, pd);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    lua_newtable(L);                     /* the module: raising functions */
    lua_pushvalue(L, am);
    lua_setfield(L, -2, "array_mt");
    lua_pushvalue(L, em);
    lua_setfield(L, -2, "error_mt");
    lua_pushvalue(L, am);
    lua_pushvalue(L, em);
    lua_pushvalue(L, pd);
    lua_pushvalue(L, pd + 1);
    lua_pushvalue(L, pd + 2);
    luaL_setfuncs(L, core_functions, N_UPVALUES);

    lua_newtable(L);                     /* module.safe: same functions, returning */
    lua_pushvalue(L, am);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, pd);
    lua_pushvalue(L, pd + 1);
    lua_pushvalue(L, pd + 2);
    luaL_setfuncs(L, core_functions, N_UPVALUES);
    lua_setfield(L, -2, "safe");

    lua_pushlightuserdata(L, NULL);      /* equal to cjson.null, on purpose */
    lua_setfield(L, -2, "null");
    lua_pushlightuserdata(L, (void *)&empty_array_marker);
    lua_setfield(L, -2, "empty_array");
    lua_pushliteral(L, CJWT_VERSION);
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
