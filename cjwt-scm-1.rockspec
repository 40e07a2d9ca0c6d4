-- The development rockspec (the main branch). For Lua 5.4:
--   luarocks --lua-version 5.4 make cjwt-scm-1.rockspec
-- For LuaJIT / OpenResty (the Lua 5.1 ABI; a bare `luarocks make` on
-- Debian 12 also targets 5.1, but with Lua 5.1's headers):
--   luarocks --lua-version 5.1 make cjwt-scm-1.rockspec LUA_INCDIR=/usr/include/luajit-2.1
-- Debian packages: libssl-dev libjansson-dev zlib1g-dev (README.md, "LuaRocks").
rockspec_format = "3.0"
package = "cjwt"
version = "scm-1"
source = {
   url = "git+https://github.com/cjwt/cjwt.git",
   branch = "main",
}
description = {
   summary = "JSON Web Tokens (JWS) on one C core: strict, fast, safe defaults",
   detailed = [[
cjwt signs and verifies JWTs and raw JWS with OpenSSL libcrypto and jansson.
The Lua module works on Lua 5.4 and LuaJIT 2.1 (OpenResty). require "cjwt"
raises error objects with stable codes; require "cjwt.safe" returns
nil, message, code.
]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.1",
}
external_dependencies = {
   OPENSSL = {
      header = "openssl/evp.h",
      library = "crypto",
   },
   JANSSON = {
      header = "jansson.h",
      library = "jansson",
   },
   ZLIB = {
      header = "zlib.h",     -- JWE "zip": "DEF"
      library = "z",
   },
}
build = {
   -- The Makefile's `rock` target builds cjwt.core from csrc/*.c and
   -- luaext/*.c into build/rock/ with -fvisibility=hidden and a version
   -- script (only luaopen_cjwt_core exported); `rock-install` installs it
   -- and the Lua files of lua/cjwt/ (nothing else goes under share/lua).
   type = "make",
   build_target = "rock",
   build_variables = {
      CC = "$(CC)",
      CFLAGS = "$(CFLAGS)",
      LIBFLAG = "$(LIBFLAG)",
      LUA_INCDIR = "$(LUA_INCDIR)",
      OPENSSL_INCDIR = "$(OPENSSL_INCDIR)",
      OPENSSL_LIBDIR = "$(OPENSSL_LIBDIR)",
      JANSSON_INCDIR = "$(JANSSON_INCDIR)",
      JANSSON_LIBDIR = "$(JANSSON_LIBDIR)",
      ZLIB_INCDIR = "$(ZLIB_INCDIR)",
      ZLIB_LIBDIR = "$(ZLIB_LIBDIR)",
   },
   install_target = "rock-install",
   install_variables = {
      INST_LIBDIR = "$(LIBDIR)",
      INST_LUADIR = "$(LUADIR)",
   },
   copy_directories = {},
}
