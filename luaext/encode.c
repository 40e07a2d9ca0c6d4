/* Signing: encode (a claims table into a JWT) and jws_encode (bytes into a
 * JWS), each -> token | nil, message, code. */
#include <string.h>

#include "binding.h"

static const char *const ENCODE_OPTS[] = { "alg", "header", "expires_in", "now", NULL };
static const char *const JWS_ENCODE_OPTS[] = { "alg", "header", "now", "detached", NULL };

/* encode(payload_table, key, opts) when jwt, else jws_encode(data_string,
 * key, opts). Arguments are checked before anything is allocated. */
static int encode_common(lua_State *L, int jwt)
{
    int opts;
    guard *g;
    cjwt_error err;
    cjwt_sign_opts so;
    const cjwt_key *key;
    const cjwt_keyset *ks;
    size_t data_len = 0, len = 0;
    const char *data = NULL;

    if (jwt) {
        luaL_checktype(L, 1, LUA_TTABLE);
    } else {
        if (lua_type(L, 1) != LUA_TSTRING)
            luaL_argerror(L, 1, lua_pushfstring(L, "string expected, got %s",
                                                luaL_typename(L, 1)));
        data = lua_tolstring(L, 1, &data_len);
    }
    lcjwt_check_key_arg(L, 2, 0);
    opts = lcjwt_opts_arg(L, 3, jwt ? ENCODE_OPTS : JWS_ENCODE_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    g = lcjwt_guard_new(L);
    memset(&err, 0, sizeof err);
    memset(&so, 0, sizeof so);

    if (lcjwt_read_sign_opts(L, opts, 3, jwt, &so, &err) != 0)
        return lcjwt_push_failure(L, g, &err);
    if (!jwt && lcjwt_opt_push(L, opts, "detached") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TBOOLEAN)
            lcjwt_opt_type_error(L, 3, "detached", "boolean");
        so.detached = lua_toboolean(L, -1);
    }
    if (lcjwt_opt_push(L, opts, "header") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TTABLE)
            lcjwt_opt_type_error(L, 3, "header", "table");
        g->header = lcjwt_table_arg_to_value(L, -1, 3, "header");
        so.header = g->header;
    }
    if (jwt)
        g->payload = lcjwt_table_arg_to_value(L, 1, 1, "payload");
    key = lcjwt_resolve_key(L, 2, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return lcjwt_push_failure(L, g, &err);
    if (jwt)
        g->text = cjwt_encode(g->payload, key, &so, &len, &err);
    else
        g->text = cjwt_jws_encode((const unsigned char *)data, data_len, key, &so, &len, &err);
    return lcjwt_return_text(L, g, len, &err, LCJWT_RAISING(L));
}

/* encode(payload_table, key, opts) -> token | nil, message, code */
int lcjwt_encode(lua_State *L)
{
    return encode_common(L, 1);
}

/* jws_encode(data_string, key, opts) -> token | nil, message, code */
int lcjwt_jws_encode(lua_State *L)
{
    return encode_common(L, 0);
}
