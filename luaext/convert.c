/* Lua values <-> cjwt_value: tables to JSON values for encoding (never
 * raises), and JSON values to Lua tables for results (may raise). */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "binding.h"
#include "cjwt_bytes.h"

/* Its address marks cjwt.empty_array (a light userdata, like lua-cjson). */
const char lcjwt_empty_array_marker = 0;

static int abs_index(lua_State *L, int idx)
{
    return (idx > 0 || idx <= LUA_REGISTRYINDEX) ? idx : lua_gettop(L) + idx + 1;
}

/* A whole number in [min, max] held by a Lua number at idx (5.4 floats with
 * an integral value count). Returns 1 and sets *out, else 0. */
int lcjwt_number_to_int64(lua_State *L, int idx, double min, double max, int64_t *out)
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
    if (!lcjwt_number_to_int64(L, idx, 1.0, EXACT_INT_MAX, &i))
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
        else if (p == &lcjwt_empty_array_marker)
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
cjwt_value *lcjwt_table_arg_to_value(lua_State *L, int idx, int arg, const char *what)
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

/* Where string values are kept between calls (lcjwt_names, binding.h), or
 * NULL: every string made. */
typedef struct kept_ctx {
    lcjwt_names *names;
    int table;                       /* stack index of the names table */
} kept_ctx;

/* Pushes item p's string: the one kept for position p when its bytes are
 * the same, else a new one, which is then kept for p (when it fits). The
 * table changes before the C side does, and rawgeti / rawseti of its
 * array part never allocate, so a raise (out of memory, only in
 * lua_pushlstring) leaves them agreeing. */
static void push_kept(lua_State *L, const kept_ctx *k, size_t p, const char *s, size_t n)
{
    lcjwt_names *nm = k->names;
    if (p < LCJWT_KEPT_MAX && n < LCJWT_KEPT_BYTES) {
        if (nm->kept_len[p] == n + 1 && cjwt_same_bytes(nm->kept[p], s, n)) {
            lua_rawgeti(L, k->table, LCJWT_KEPT_SLOT(p));
            return;
        }
        lua_pushlstring(L, s, n);
        lua_pushvalue(L, -1);
        lua_rawseti(L, k->table, LCJWT_KEPT_SLOT(p));
        memcpy(nm->kept[p], s, n);
        nm->kept_len[p] = (unsigned char)(n + 1);
        return;
    }
    lua_pushlstring(L, s, n);
}

/* items[*pos] and what it holds -> Lua, advancing *pos past them; strings
 * through k when given. */
static void push_items(lua_State *L, const cjwt_item *items, size_t *pos, const kept_ctx *k)
{
    size_t p = (*pos)++;
    const cjwt_item *it = &items[p];
    size_t i, n = it->len;
    switch (it->type) {
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
        lua_pushinteger(L, (lua_Integer)it->i);
#else
        lua_pushnumber(L, (lua_Number)it->i);
#endif
        break;
    case CJWT_TYPE_REAL:
        lua_pushnumber(L, (lua_Number)it->d);
        break;
    case CJWT_TYPE_STRING:
        if (k)
            push_kept(L, k, p, it->s, n);
        else
            lua_pushlstring(L, it->s, n);
        break;
    case CJWT_TYPE_ARRAY:
        luaL_checkstack(L, 4, "cjwt: JSON nested too deep");
        lua_createtable(L, n > INT_MAX ? INT_MAX : (int)n, 0);
        for (i = 0; i < n; i++) {
            push_items(L, items, pos, k);
            lua_rawseti(L, -2, (int)(i + 1));
        }
        /* Marked, so that an empty array encodes back as []. */
        lua_pushvalue(L, ARRAY_MT_INDEX);
        lua_setmetatable(L, -2);
        break;
    case CJWT_TYPE_OBJECT:
        luaL_checkstack(L, 4, "cjwt: JSON nested too deep");
        lua_createtable(L, 0, n > INT_MAX ? INT_MAX : (int)n);
        for (i = 0; i < n; i++) {
            const cjwt_item *m = &items[*pos];
            lua_pushlstring(L, m->name, m->name_len);
            push_items(L, items, pos, k);
            lua_rawset(L, -3);
        }
        break;
    }
}

/* Values of up to this many items are converted from the C stack. */
#define ITEMS_ON_STACK 48

/* The core lays the whole tree out at once (cjwt_value_items), then the
 * Lua values are made straight from it. A larger tree's items live in a
 * userdata (a raise must not leak them), removed once converted. */
void lcjwt_push_value(lua_State *L, const cjwt_value *v)
{
    cjwt_item on_stack[ITEMS_ON_STACK], *items = on_stack;
    size_t pos = 0, n = cjwt_value_items(v, items, ITEMS_ON_STACK);
    if (n <= ITEMS_ON_STACK) {
        push_items(L, items, &pos, NULL);
        return;
    }
    if (n > (size_t)-1 / sizeof *items)
        luaL_error(L, "cjwt: value too large");
    items = (cjwt_item *)lua_newuserdata(L, n * sizeof *items);
    cjwt_value_items(v, items, n);
    push_items(L, items, &pos, NULL);
    lua_remove(L, -2);
}

/* A new table for lcjwt_names: LCJWT_NAMES_MAX slots for names, one for
 * the options cache's anchor (decode.c), LCJWT_KEPT_MAX for values, each
 * false until something is put there (its array part is made whole, so
 * storing never allocates). */
void lcjwt_names_table_push(lua_State *L)
{
    int i;
    lua_createtable(L, LCJWT_SLOTS, 0);
    for (i = 1; i <= LCJWT_SLOTS; i++) {
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i);
    }
}

/* The claims object (an object's items at items[0..]) with its member names
 * taken from `names` (strings at stack index `table`) while they match the
 * remembered ones; from the first that does not, the names are made and
 * remembered instead. Each C-side change follows the table's, so a raise
 * leaves them agreeing. */
static void push_claims_items(lua_State *L, const cjwt_item *items, size_t *pos,
                              lcjwt_names *names, int table)
{
    size_t i, n = items[(*pos)++].len;
    int same = 1;
    kept_ctx k;
    k.names = names;
    k.table = table;
    luaL_checkstack(L, 4, "cjwt: JSON nested too deep");
    lua_createtable(L, 0, n > INT_MAX ? INT_MAX : (int)n);
    for (i = 0; i < n; i++) {
        const cjwt_item *m = &items[*pos];
        size_t start = i ? names->end[i - 1] : 0;
        if (same && i < names->n && names->end[i] - start == m->name_len &&
            cjwt_same_bytes(names->bytes + start, m->name, m->name_len)) {
            lua_rawgeti(L, table, (int)(i + 1));
        } else {
            if (same) {
                same = 0;
                if (names->n > i)
                    names->n = (unsigned)i;        /* what follows is this object's */
            }
            lua_pushlstring(L, m->name, m->name_len);
            if (names->n == i && i < LCJWT_NAMES_MAX && m->name_len <= LCJWT_NAMES_BYTES - start) {
                lua_pushvalue(L, -1);
                lua_rawseti(L, table, (int)(i + 1));
                memcpy(names->bytes + start, m->name, m->name_len);
                names->end[i] = (uint16_t)(start + m->name_len);
                names->n = (unsigned)(i + 1);
            }
        }
        push_items(L, items, pos, &k);
        lua_rawset(L, -3);
    }
}

/* lcjwt_push_value for a verified payload: an object's member names through
 * `names` (see binding.h); anything else as lcjwt_push_value does. */
void lcjwt_push_claims(lua_State *L, const cjwt_value *v, lcjwt_names *names, int table)
{
    cjwt_item on_stack[ITEMS_ON_STACK];
    size_t pos = 0, n = cjwt_value_items(v, on_stack, ITEMS_ON_STACK);
    if (n > ITEMS_ON_STACK || on_stack[0].type != CJWT_TYPE_OBJECT) {
        lcjwt_push_value(L, v);
        return;
    }
    push_claims_items(L, on_stack, &pos, names, table);
}

/* A counter as a Lua integer (a number on LuaJIT: exact up to 2^53). */
void lcjwt_push_counter(lua_State *L, uint64_t n)
{
#if LUA_VERSION_NUM >= 503
    lua_pushinteger(L, (lua_Integer)n);
#else
    lua_pushnumber(L, (lua_Number)n);
#endif
}
