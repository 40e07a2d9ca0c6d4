/* luaopen_cjwt_core: the module tables (raising, and `safe`), the object
 * metatables and the upvalues every function shares (binding.h, "Module
 * state"). */
#include "binding.h"

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

static const luaL_Reg core_functions[] = {
    { "encode", lcjwt_encode },
    { "decode", lcjwt_decode },
    { "decode_complete", lcjwt_decode_complete },
    { "get_unverified_header", lcjwt_get_unverified_header },
    { "decode_unsecured", lcjwt_decode_unsecured },
    { "jws_encode", lcjwt_jws_encode },
    { "jws_decode", lcjwt_jws_decode },
    { "jws_decode_complete", lcjwt_jws_decode_complete },
    { "jws_encode_json", lcjwt_jws_encode_json },
    { "jwe_encrypt", lcjwt_jwe_encrypt },
    { "jwe_decrypt", lcjwt_jwe_decrypt },
    { "jwe_decrypt_complete", lcjwt_jwe_decrypt_complete },
    { "jwe_encrypt_json", lcjwt_jwe_encrypt_json },
    { "encode_encrypted", lcjwt_encode_encrypted },
    { "encode_nested", lcjwt_encode_nested },
    { "decode_encrypted", lcjwt_decode_encrypted },
    { "decode_encrypted_complete", lcjwt_decode_encrypted_complete },
    { "decode_nested", lcjwt_decode_nested },
    { "key", lcjwt_key },
    { "generate_key", lcjwt_generate_key },
    { "keyset", lcjwt_keyset },
    { "verifier", lcjwt_verifier },
    { "_key_cache_info", lcjwt_key_cache_info },
    { "_key_cache_clear", lcjwt_key_cache_clear },
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

/* Sets `functions` into the table on top of the stack, closed over
 * array_mt (at am), `em` (error_mt's index, or 0 for false: the safe
 * flavour), the protected result converter (at pd), the result slot (at
 * pd + 1), the key cache (at pd + 2), the key, key set and verifier
 * metatables (at pd + 3, pd + 4, pd + 5) and the kept strings' table (at
 * pd + 6). */
static void set_functions(lua_State *L, const luaL_Reg *functions, int am, int em, int pd)
{
    lua_pushvalue(L, am);
    if (em)
        lua_pushvalue(L, em);
    else
        lua_pushboolean(L, 0);
    lua_pushvalue(L, pd);
    lua_pushvalue(L, pd + 1);
    lua_pushvalue(L, pd + 2);
    lua_pushvalue(L, pd + 3);
    lua_pushvalue(L, pd + 4);
    lua_pushvalue(L, pd + 5);
    lua_pushvalue(L, pd + 6);
    luaL_setfuncs(L, functions, N_UPVALUES);
}

/* Pushes a table of `methods` (see set_functions). */
static void push_methods(lua_State *L, const luaL_Reg *methods, int am, int em, int pd)
{
    lua_newtable(L);
    set_functions(L, methods, am, em, pd);
}

CJWT_API int luaopen_cjwt_core(lua_State *L);

CJWT_API int luaopen_cjwt_core(lua_State *L)
{
    int am, em, pd;

    luaL_newmetatable(L, GUARD_MT);
    lua_pushcfunction(L, lcjwt_guard_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);

    lua_newtable(L);                     /* array_mt, upvalue 1 of every function */
    am = lua_gettop(L);
    lua_newtable(L);                     /* error_mt, upvalue 2 of the raising ones */
    em = lua_gettop(L);
    lua_pushcfunction(L, lcjwt_error_tostring);
    lua_setfield(L, em, "__tostring");
    lua_pushvalue(L, am);                /* the verify paths' result converter, upvalue 3 */
    lua_pushcclosure(L, lcjwt_push_decoded_call, 1);
    pd = lua_gettop(L);
    lcjwt_result_slot_push(L);           /* the result slot, upvalue 4 (at pd + 1) */
    lcjwt_key_cache_push(L);             /* the key cache, upvalue 5 (at pd + 2) */
    /* the key, key set and verifier metatables, upvalues 6, 7, 8 (at pd + 3..5):
     * made first, as their own methods close over them too */
    new_object_mt(L, KEY_MT, lcjwt_key_gc, lcjwt_key_tostring);
    new_object_mt(L, KEYSET_MT, lcjwt_keyset_gc, lcjwt_keyset_tostring);
    new_object_mt(L, VERIFIER_MT, lcjwt_verifier_gc, lcjwt_verifier_tostring);  /* pd + 5 */
    lcjwt_names_table_push(L);           /* the kept strings, upvalue 9 (at pd + 6) */

    lua_pushvalue(L, am);
    lua_pushvalue(L, em);
    push_methods(L, lcjwt_key_methods, am, em, pd);
    lua_pushcclosure(L, lcjwt_key_index, 3);   /* fields, then methods */
    lua_setfield(L, pd + 3, "__index");

    lua_pushcfunction(L, lcjwt_keyset_size);
    lua_setfield(L, pd + 4, "__len");
    push_methods(L, lcjwt_keyset_methods, am, em, pd);
    lua_setfield(L, pd + 4, "__index");

    push_methods(L, lcjwt_verifier_methods, am, em, pd);
    lua_setfield(L, pd + 5, "__index");

    lua_newtable(L);                     /* the module: raising functions */
    lua_pushvalue(L, am);
    lua_setfield(L, -2, "array_mt");
    lua_pushvalue(L, em);
    lua_setfield(L, -2, "error_mt");
    set_functions(L, core_functions, am, em, pd);

    lua_newtable(L);                     /* module.safe: same functions, returning */
    set_functions(L, core_functions, am, 0, pd);
    lua_setfield(L, -2, "safe");

    lua_pushlightuserdata(L, NULL);      /* equal to cjson.null, on purpose */
    lua_setfield(L, -2, "null");
    lua_pushlightuserdata(L, (void *)&lcjwt_empty_array_marker);
    lua_setfield(L, -2, "empty_array");
    lua_pushliteral(L, CJWT_VERSION);
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
