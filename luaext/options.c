/* Option tables: names checked (a misspelt option raises), typed readers,
 * and the verify and sign options read into the core's option structs. */
#include <limits.h>
#include <string.h>

#include "binding.h"

static const char *const VERIFY_OPTS[] = {
    "algorithms", "audience", "issuer", "subject", "leeway", "require", "typ",
    "max_age", "now", "verify_signature", "verify_exp", "verify_nbf", "verify_iat",
    "verify_aud", "verify_iss", "verify_sub", "verify_jti", "strict_aud",
    "max_token_len", "max_depth", "denylist", "cache", "detached_payload", NULL
};
/* strlen of each VERIFY_OPTS name, in order. */
static const unsigned char VERIFY_OPT_LEN[] = {
    10, 8, 6, 7, 6, 7, 3, 7, 3, 16, 10, 10, 10, 10, 10, 10, 10, 10, 13, 9, 8, 5, 16
};
typedef char vo_len_matches[sizeof VERIFY_OPT_LEN == VO__COUNT ? 1 : -1];

static const struct { const char *name; unsigned bit; } CHECK_FLAGS[] = {
    { "verify_signature", CJWT_CHECK_SIGNATURE }, { "verify_exp", CJWT_CHECK_EXP },
    { "verify_nbf", CJWT_CHECK_NBF },             { "verify_iat", CJWT_CHECK_IAT },
    { "verify_aud", CJWT_CHECK_AUD },             { "verify_iss", CJWT_CHECK_ISS },
    { "verify_sub", CJWT_CHECK_SUB },             { "verify_jti", CJWT_CHECK_JTI },
};

/* Optional table argument: its absolute index, or 0 when nil/absent. A
 * misspelt option raises: a silently ignored "isuer" would disable a check. */
int lcjwt_opts_arg(lua_State *L, int arg, const char *const *known)
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


/* Pushes opts[name] (raw access, no metamethods) and returns its type. The
 * value stays on the stack so strings borrowed from it stay alive. */
int lcjwt_opt_push(lua_State *L, int opts, const char *name)
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

/* ---- typed readers of one option value -------------------------------------- */
/* The value is at stack index idx (0: absent, read as nil): collected by
 * verify_opts_collect, or pushed by lcjwt_opt_push. Misuse raises. */

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

/* The value just pushed by lcjwt_opt_push is not of the `expected` type. */
int lcjwt_opt_type_error(lua_State *L, int arg, const char *name, const char *expected)
{
    return opt_type_error_at(L, arg, -1, name, expected);
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
    if (t != LUA_TNUMBER || !lcjwt_number_to_int64(L, idx, 0.0, max, out))
        opt_type_error_at(L, arg, idx, name, "non-negative integer");
    return 1;
}

/* opts[name]: a string without NUL bytes, or NULL when absent. */
const char *lcjwt_opt_string(lua_State *L, int opts, int arg, const char *name)
{
    lcjwt_opt_push(L, opts, name);
    return slot_string(L, lua_gettop(L), arg, name);
}

static int opt_number(lua_State *L, int opts, int arg, const char *name, double *out)
{
    lcjwt_opt_push(L, opts, name);
    return slot_number(L, lua_gettop(L), arg, name, out);
}

/* An optional boolean argument (not an option). */
int lcjwt_opt_bool_arg(lua_State *L, int arg)
{
    if (!lua_isnoneornil(L, arg) && lua_type(L, arg) != LUA_TBOOLEAN)
        luaL_argerror(L, arg, lua_pushfstring(L, "boolean expected, got %s",
                                              luaL_typename(L, arg)));
    return lua_toboolean(L, arg);
}

/* Algorithm name -> alg; an unknown name is the caller's data, not misuse. */
int lcjwt_alg_from_lua(lua_State *L, int idx, cjwt_alg *alg, cjwt_error *err)
{
    size_t len;
    const char *name = lua_tolstring(L, idx, &len);
    *alg = cjwt_alg_from_name(name, len);
    if (*alg == CJWT_ALG__COUNT) {
        lcjwt_set_error(err, CJWT_E_UNSUPPORTED_ALG, "Algorithm not supported: \"%.64s\"", name);
        return -1;
    }
    return 0;
}

/* ---- verify options: one pass over the table ------------------------------- */
/* The verify paths read their options in a single lua_next pass: each known
 * name's value is pushed and its stack index kept in a slot (the stack keeps
 * borrowed strings alive), then the slots are checked in a fixed order, so
 * the errors are those of reading each option by name. */

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
 * as lcjwt_opts_arg does). Leaves the values on the stack. */
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

/* Fills o->core, o->has_now, o->now from the collected options. Misuse raises; an
 * unknown algorithm name returns -1 with *err set. */
static int read_verify_slots(lua_State *L, int arg, lverify_opts *o, cjwt_error *err)
{
    vo_slots *s = &o->slots;
    cjwt_verify_opts *vo = &o->core;
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
            lcjwt_set_error(err, CJWT_E_UNSUPPORTED_ALG, "Algorithm not supported: \"%.64s\"",
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
    o->has_now = slot_number(L, s->at[VO_NOW], arg, "now", &o->now);
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

/* opts.cache (at stack index idx, 0: absent) of cjwt.verifier: the number of
 * verified tokens to keep. Returns 1 and sets *out when given. */
static int cache_opt(lua_State *L, int idx, int arg, size_t *out)
{
    int64_t cache = 0;
    if (!slot_int(L, idx, arg, "cache", EXACT_INT_MAX, &cache))
        return 0;
    if ((uint64_t)cache > (uint64_t)CJWT_MAX_CACHE_SIZE)
        luaL_argerror(L, arg, lua_pushfstring(L, "option 'cache': at most %d entries",
                                              (int)CJWT_MAX_CACHE_SIZE));
    *out = (size_t)cache;
    return 1;
}

/* ---- the options cache (binding.h, lcjwt_opts_cache) ------------------------ */
/* A value's identity: objects by address (kept alive by the anchor, so an
 * address is never another object's), numbers and booleans by value. Other
 * kinds (userdata...) and strings without an address (an old LuaJIT's
 * lua_topointer) are not kept: 0. */
static int oc_read(lua_State *L, int idx, oc_value *v)
{
    v->type = lua_type(L, idx);
    v->is_int = 0;
    v->p = NULL;
    v->n = 0;
    switch (v->type) {
    case LUA_TSTRING:
    case LUA_TTABLE:
    case LUA_TFUNCTION:
        v->p = lua_topointer(L, idx);
        return v->p != NULL;
    case LUA_TNUMBER:
#if LCJWT_INTEGERS
        v->is_int = lua_isinteger(L, idx);
#endif
        v->n = lua_tonumber(L, idx);
        return v->n == v->n;                 /* not NaN */
    case LUA_TBOOLEAN:
        v->n = lua_toboolean(L, idx);
        return 1;
    default:
        return 0;
    }
}

/* Whether the value at idx is the one oc_read kept in *v (the same checks,
 * with as few calls as the kind needs). Inlined: it runs twice per entry of
 * every options table compared. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int oc_same(lua_State *L, int idx, const oc_value *v)
{
    if (lua_type(L, idx) != v->type)
        return 0;
    switch (v->type) {
    case LUA_TSTRING:
    case LUA_TTABLE:
    case LUA_TFUNCTION:
        return lua_topointer(L, idx) == v->p;
    case LUA_TNUMBER:
#if LCJWT_INTEGERS
        if (lua_isinteger(L, idx) != v->is_int)
            return 0;
#endif
        return lua_tonumber(L, idx) == v->n;
    case LUA_TBOOLEAN:
        return lua_toboolean(L, idx) == (int)v->n;
    default:
        return 0;
    }
}

/* Whether the table at idx holds exactly the n entries keys/vals, in
 * lua_next's order; with oc, the options table: each list-valued entry's
 * list is compared too. */
static int oc_entries_same(lua_State *L, int idx, const oc_value *keys, const oc_value *vals,
                           int n, const lcjwt_opts_cache *oc)
{
    int i = 0, same = 1;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        const oc_list *l = oc && i < n && oc->list_of[i] >= 0 ? &oc->lists[(int)oc->list_of[i]]
                                                              : NULL;
        /* keys by type and identity, as values: a light userdata key has
         * the address of whatever it likes, a kept name's among them */
        same = i < n && oc_same(L, -2, &keys[i]) && oc_same(L, -1, &vals[i]) &&
               (!l || oc_entries_same(L, lua_gettop(L), l->keys, l->vals, l->n, NULL));
        lua_pop(L, 1);
        if (!same) {
            lua_pop(L, 1);
            return 0;
        }
        i++;
    }
    return i == n;
}

/* Whether the options table at arg is the one kept, unchanged. */
static int oc_hit(lua_State *L, int arg, const lcjwt_opts_cache *oc, enum verify_mode mode)
{
    if (!oc->table || oc->mode != mode || lua_topointer(L, arg) != oc->table)
        return 0;
    luaL_checkstack(L, 6, "cjwt: no stack space");
    return oc_entries_same(L, arg, oc->keys, oc->vals, oc->n, oc);
}

/* Keeps the options just read from the table at arg (no denylist, lists
 * inline), with an anchor holding every object they came from. Anything
 * that does not fit leaves the cache empty. May raise (out of memory), with
 * the cache empty. */
static void oc_store(lua_State *L, int arg, lcjwt_opts_cache *oc, const lverify_opts *o)
{
    int i = 0, anchor;
    oc->table = NULL;
    if (o->denylist || (o->core.audience && o->core.audience != o->slots.aud) ||
        (o->core.issuer && o->core.issuer != o->slots.iss) ||
        (o->core.required && o->core.required != o->slots.req))
        return;
    luaL_checkstack(L, 8, "cjwt: no stack space");
    lua_createtable(L, 4 * OC_ENTRIES, 0);           /* the anchor */
    anchor = lua_gettop(L);
    lua_pushvalue(L, arg);
    lua_rawseti(L, anchor, 1);
    oc->n_lists = 0;
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        int k = 2 * i + 2, ok = i < OC_ENTRIES && oc_read(L, -2, &oc->keys[i]) &&
                                oc_read(L, -1, &oc->vals[i]);
        oc->list_of[i] = -1;
        if (ok && oc->vals[i].type == LUA_TTABLE) {
            int t = lua_gettop(L), j = 0;
            oc_list *l = &oc->lists[oc->n_lists];
            ok = oc->n_lists < OC_LISTS;
            lua_pushnil(L);
            while (ok && lua_next(L, t) != 0) {
                ok = j < OC_LIST_ITEMS && oc_read(L, -2, &l->keys[j]) &&
                     oc_read(L, -1, &l->vals[j]) && l->vals[j].type == LUA_TSTRING;
                if (ok) {                                /* the item: anchored */
                    lua_rawseti(L, anchor, 4 * OC_ENTRIES + 1 + oc->n_lists * OC_LIST_ITEMS + j);
                    j++;
                } else {
                    lua_pop(L, 2);
                }
            }
            l->n = j;
            if (ok)
                oc->list_of[i] = (signed char)oc->n_lists++;
        }
        if (!ok) {
            lua_pop(L, 3);                               /* value, key, anchor */
            return;
        }
        lua_rawseti(L, anchor, k + 1);                   /* the value */
        lua_pushvalue(L, -1);
        lua_rawseti(L, anchor, k);                       /* the key */
        i++;
    }
    lcjwt_opts_cache_anchor(L);                           /* pops the anchor */
    oc->n = i;
    oc->mode = o->mode;
    oc->core = o->core;
    oc->has_now = o->has_now;
    oc->now = o->now;
    memcpy(oc->aud, o->slots.aud, sizeof oc->aud);
    memcpy(oc->iss, o->slots.iss, sizeof oc->iss);
    memcpy(oc->req, o->slots.req, sizeof oc->req);
    if (oc->core.audience)
        oc->core.audience = oc->aud;
    if (oc->core.issuer)
        oc->core.issuer = oc->iss;
    if (oc->core.required)
        oc->core.required = oc->req;
    oc->table = lua_topointer(L, arg);
}

/* The verify options table at `arg` (nil or absent: defaults) into *o, whose
 * mode and compiled the caller set. Reserves the Lua stack the call needs.
 * Misuse raises; an unknown algorithm name returns -1 with *err set. The
 * verify calls (not compiled) keep the last table read (see oc_store). */
int lcjwt_read_verify_opts(lua_State *L, int arg, lverify_opts *o, cjwt_error *err)
{
    lcjwt_opts_cache *oc = NULL;
    if (!o->compiled && lua_type(L, arg) == LUA_TTABLE && (oc = lcjwt_opts_cache_get(L)) != NULL &&
        oc_hit(L, arg, oc, o->mode)) {
        luaL_checkstack(L, VERIFY_STACK, "cjwt: no stack space");
        o->denylist = 0;
        o->cached = 1;
        o->core = oc->core;
        o->has_now = oc->has_now;
        o->now = oc->now;
        /* the call's own copies of the lists: a nested call may store others */
        memcpy(o->slots.aud, oc->aud, sizeof oc->aud);
        memcpy(o->slots.iss, oc->iss, sizeof oc->iss);
        memcpy(o->slots.req, oc->req, sizeof oc->req);
        if (o->core.audience)
            o->core.audience = o->slots.aud;
        if (o->core.issuer)
            o->core.issuer = o->slots.iss;
        if (o->core.required)
            o->core.required = o->slots.req;
        return 0;
    }
    o->cached = 0;
    verify_opts_collect(L, arg, &o->slots);
    /* A verify call reserves only what its own calls push (VERIFY_STACK);
     * a verifier is made once, and may convert tables. */
    luaL_checkstack(L, o->compiled ? CONV_STACK : VERIFY_STACK, "cjwt: no stack space");
    o->denylist = denylist_opt(L, o->slots.at[VO_DENYLIST], arg, o->mode);
    if (o->slots.at[VO_DETACHED_PAYLOAD]) {
        int t = slot_type(L, o->slots.at[VO_DETACHED_PAYLOAD]);
        if (t != LUA_TNIL && o->mode != MODE_RAW)
            luaL_argerror(L, arg, "option 'detached_payload' is for jws_decode: a JWT never has "
                                  "a detached or unencoded payload (RFC 7797 7)");
        if (t != LUA_TNIL && t != LUA_TSTRING)
            opt_type_error_at(L, arg, o->slots.at[VO_DETACHED_PAYLOAD], "detached_payload",
                              "string");
    }
    if (!o->compiled && o->slots.at[VO_CACHE])
        luaL_argerror(L, arg, "option 'cache' is only for cjwt.verifier (a cache lives in a "
                              "compiled verifier)");
    memset(&o->core, 0, sizeof o->core);
    o->has_now = 0;
    o->now = 0;
    if (read_verify_slots(L, arg, o, err) != 0)
        return -1;
    o->core.raw_payload = (o->mode == MODE_RAW);
    if (o->compiled)
        cache_opt(L, o->slots.at[VO_CACHE], arg, &o->core.cache_size);
    else if (oc)
        oc_store(L, arg, oc, o);
    return 0;
}

/* ---- sign options ------------------------------------------------------------ */

/* alg (default HS256), now, and for JWTs expires_in (seconds or "15m"). */
int lcjwt_read_sign_opts(lua_State *L, int opts, int arg, int jwt, cjwt_sign_opts *so,
                         cjwt_error *err)
{
    int t = lcjwt_opt_push(L, opts, "alg");
    if (t == LUA_TNIL) {
        so->alg = CJWT_ALG_HS256;
    } else {
        if (t != LUA_TSTRING)
            lcjwt_opt_type_error(L, arg, "alg", "string");
        if (lcjwt_alg_from_lua(L, -1, &so->alg, err) != 0)
            return -1;
    }
    so->has_now = opt_number(L, opts, arg, "now", &so->now);
    if (!jwt)
        return 0;
    t = lcjwt_opt_push(L, opts, "expires_in");
    if (t == LUA_TNUMBER) {
        if (!lcjwt_number_to_int64(L, -1, -EXACT_INT_MAX, EXACT_INT_MAX, &so->expires_in))
            lcjwt_opt_type_error(L, arg, "expires_in", "whole number of seconds");
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
        lcjwt_opt_type_error(L, arg, "expires_in", "number or duration string");
    }
    return 0;
}
