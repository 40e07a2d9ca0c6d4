/* cjwt_testhelper: what the busted suite needs and plain Lua cannot make.
 * Built by `make test-lua` into build/<lua>/ (never installed); a spec that
 * needs it is pending without it (the installed rock's run, test-luarocks).
 *
 *   address_of(v) -> a light userdata at lua_topointer(v): the address the
 *                    options cache (luaext/options.c) keeps for a string */
#include "lua.h"
#include "lauxlib.h"

static int address_of(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_pushlightuserdata(L, (void *)lua_topointer(L, 1));
    return 1;
}

int luaopen_cjwt_testhelper(lua_State *L);
int luaopen_cjwt_testhelper(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, address_of);
    lua_setfield(L, -2, "address_of");
    return 1;
}
