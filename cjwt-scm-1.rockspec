-- luarocks make cjwt-scm-1.rockspec   (Debian: libssl-dev, libjansson-dev)
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
   JSMN = {
      header = "jsmn.h",   -- header-only tokenizer (Debian libjsmn-dev)
   },
}
build = {
   type = "builtin",
   modules = {
      ["cjwt.core"] = {
         sources = {
            "csrc/alg.c",
            "csrc/b64url.c",
            "csrc/cache.c",
            "csrc/claims.c",
            "csrc/error.c",
            "csrc/json.c",
            "csrc/json_read.c",
            "csrc/jws.c",
            "csrc/key.c",
            "csrc/key_jwk.c",
            "csrc/key_pkey.c",
            "csrc/keyset.c",
            "csrc/verifier.c",
            "lua/cjwt_core.c",
         },
         defines = { "_POSIX_C_SOURCE=200809L" },
         incdirs = { "csrc", "$(OPENSSL_INCDIR)", "$(JANSSON_INCDIR)", "$(JSMN_INCDIR)" },
         libdirs = { "$(OPENSSL_LIBDIR)", "$(JANSSON_LIBDIR)" },
         libraries = { "crypto", "jansson", "m" },
      },
      cjwt = "lua/cjwt/init.lua",
      ["cjwt.safe"] = "lua/cjwt/safe.lua",
      ["cjwt.gateway"] = "lua/cjwt/gateway.lua",
      ["cjwt.fetch"] = "lua/cjwt/fetch.lua",
      ["cjwt.ratelimit"] = "lua/cjwt/ratelimit.lua",
      ["cjwt.replica"] = "lua/cjwt/replica.lua",
   },
}
