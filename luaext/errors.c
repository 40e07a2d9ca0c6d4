/* Failures: `nil, message, code[, claim]` or a raised error object, and the
 * guard userdata that owns a call's C objects while Lua may raise. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "binding.h"

void lcjwt_set_error(cjwt_error *err, cjwt_code code, const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    err->claim[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ---- guard: C objects owned by one call ----------------------------------- */

void lcjwt_guard_release(guard *g)
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

int lcjwt_guard_gc(lua_State *L)
{
    lcjwt_guard_release((guard *)luaL_checkudata(L, 1, GUARD_MT));
    return 0;
}

guard *lcjwt_guard_new(lua_State *L)
{
    guard *g = (guard *)lua_newuserdata(L, sizeof *g);
    memset(g, 0, sizeof *g);
    luaL_getmetatable(L, GUARD_MT);
    lua_setmetatable(L, -2);
    return g;
}

/* ---- reporting a failure ------------------------------------------------------ */

/* Frees the call's objects, then reports the failure: `raising` raises
 * { code =, message =, claim = } with the error metatable (upvalue 2, which
 * must then be that table); otherwise returns nil, message, code[, claim]. */
int lcjwt_push_failure_ex(lua_State *L, guard *g, const cjwt_error *err, int raising)
{
    cjwt_error e = *err;
    if (g)
        lcjwt_guard_release(g);
    if (e.code == CJWT_OK || e.code >= CJWT_E__COUNT)
        lcjwt_set_error(&e, CJWT_E_INTERNAL, "cjwt core failed without reporting an error");
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

/* In the function's flavour: upvalue 2 is the error metatable (raising
 * functions) or false (cjwt.safe). */
int lcjwt_push_failure(lua_State *L, guard *g, const cjwt_error *err)
{
    return lcjwt_push_failure_ex(L, g, err, LCJWT_RAISING(L));
}

/* ---- returning what the core made ---------------------------------------------- */
/* Both take what the core returned from the guard (g->header, g->text): NULL
 * is the failure in *err; otherwise it is pushed and the guard released. */

/* The value in g->header, as a Lua table. */
int lcjwt_return_value(lua_State *L, guard *g, const cjwt_error *err, int raising)
{
    if (!g->header)
        return lcjwt_push_failure_ex(L, g, err, raising);
    lcjwt_push_value(L, g->header);
    lcjwt_guard_release(g);
    return 1;
}

/* The text in g->text (len bytes), as a Lua string. */
int lcjwt_return_text(lua_State *L, guard *g, size_t len, const cjwt_error *err, int raising)
{
    if (!g->text)
        return lcjwt_push_failure_ex(L, g, err, raising);
    lua_pushlstring(L, g->text, len);
    lcjwt_guard_release(g);
    return 1;
}

/* tostring(err) -> "cjwt: <code>: <message>" (the error metatable's). */
int lcjwt_error_tostring(lua_State *L)
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
