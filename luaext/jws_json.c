/* The JWS JSON serialization (jws_encode_json), and the JWS verifications
 * that go through cjwt_jws_verify: a JSON-serialized JWS (text or table), a
 * detached payload (jws_decode's detached_payload option), and
 * jws_decode_complete. Conversion only: every rule is the core's. */
#include <string.h>

#include "binding.h"

#if LUA_VERSION_NUM >= 502 && !defined(lua_objlen)
#define lua_objlen(L, i) lua_rawlen((L), (i))
#endif

static const char *const JSON_ENCODE_OPTS[] = { "flattened", "detached", NULL };
static const char *const SIGNER_FIELDS[] = { "key", "alg", "protected", "header", NULL };

int lcjwt_jws_needs_json(lua_State *L)
{
    int t = lua_type(L, 1);
    if (t == LUA_TTABLE)
        return 1;
    if (t == LUA_TSTRING) {
        size_t n, i = 0;
        const char *s = lua_tolstring(L, 1, &n);
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (i < n && s[i] == '{')
            return 1;
    }
    if (lua_type(L, 3) == LUA_TTABLE) {
        int has;
        lua_getfield(L, 3, "detached_payload");
        has = !lua_isnil(L, -1);
        lua_pop(L, 1);
        return has;
    }
    return 0;
}

static void push_header_or_nil(lua_State *L, const cjwt_value *v, const char *field)
{
    if (v)
        lcjwt_push_value(L, v);
    else
        lua_pushnil(L);
    lua_setfield(L, -2, field);
}

/* jws_decode (complete = 0) and jws_decode_complete (1). */
int lcjwt_jws_verify(lua_State *L, int complete)
{
    lverify_call c;
    lverify_opts o;
    guard *res;
    const char *det = NULL;
    size_t detn = 0, n = 0, sig_len = 0;
    const unsigned char *bytes, *sig;
    cjwt_decoded *d;

    if (lua_type(L, 1) == LUA_TTABLE) {   /* the JSON serialization as a table: as text */
        cjwt_error err;
        size_t len = 0;
        guard *g;
        luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
        g = lcjwt_guard_new(L);
        memset(&err, 0, sizeof err);
        g->jwk = lcjwt_table_arg_to_value(L, 1, 1, "JWS");
        g->text = cjwt_value_to_json(g->jwk, &len, &err);
        if (!g->text)
            return lcjwt_push_failure(L, g, &err);
        lua_pushlstring(L, g->text, len);
        lua_replace(L, 1);
        lcjwt_guard_release(g);
        lua_pop(L, 1);
    }
    lcjwt_verify_call_args(L, &c, 1, 2);
    o.mode = MODE_RAW;
    o.compiled = 0;
    if (lcjwt_read_verify_opts(L, 3, &o, &c.err) != 0)
        return lcjwt_push_failure(L, NULL, &c.err);
    if (o.slots.at[VO_DETACHED_PAYLOAD] && lua_type(L, o.slots.at[VO_DETACHED_PAYLOAD]) == LUA_TSTRING)
        det = lua_tolstring(L, o.slots.at[VO_DETACHED_PAYLOAD], &detn);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    res = lcjwt_guard_new(L);            /* holds the result while it is converted */
    if (lcjwt_verify_call_keys(L, &c) != 0)
        return lcjwt_push_failure(L, &c.g, &c.err);
    d = cjwt_jws_verify(&o.core, c.key, c.ks, c.token, c.token_len, (const unsigned char *)det,
                        detn, &c.err);
    lcjwt_guard_release(&c.g);
    if (!d)
        return lcjwt_push_failure(L, res, &c.err);
    res->decoded = d;
    bytes = cjwt_decoded_payload_bytes(d, &n);
    if (!complete) {
        lua_pushlstring(L, (const char *)bytes, n);
    } else {
        sig = cjwt_decoded_signature(d, &sig_len);
        lua_createtable(L, 0, 6);
        lua_pushlstring(L, (const char *)bytes, n);
        lua_setfield(L, -2, "payload");
        lcjwt_push_value(L, cjwt_decoded_header(d));
        lua_setfield(L, -2, "header");
        push_header_or_nil(L, cjwt_decoded_protected_header(d), "protected");
        push_header_or_nil(L, cjwt_decoded_unprotected_header(d), "unprotected");
        lua_pushlstring(L, (const char *)sig, sig_len);
        lua_setfield(L, -2, "signature");
        /* 1-based, as Lua counts */
        lua_pushnumber(L, (lua_Number)cjwt_decoded_signature_index(d) + 1);
        lua_setfield(L, -2, "signature_index");
    }
    lcjwt_guard_release(res);
    return 1;
}

/* jws_decode_complete(token | json_table, key, opts) -> { payload =, header =,
 * protected =, unprotected =, signature =, signature_index = } | nil, message, code */
int lcjwt_jws_decode_complete(lua_State *L)
{
    return lcjwt_jws_verify(L, 1);
}

/* One signer table at stack index `t` into s, its key and headers held by g. */
static int read_signer(lua_State *L, int t, int arg, guard *g, cjwt_jws_signer *s, cjwt_error *err)
{
    const cjwt_keyset *ks = NULL;
    int key_idx;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        const char *const *f;
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, arg, "signer fields must be strings");
        for (f = SIGNER_FIELDS; *f && strcmp(*f, lua_tostring(L, -1)) != 0; f++)
            ;
        if (!*f)
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown signer field '%s'",
                                                  lua_tostring(L, -1)));
    }
    lua_getfield(L, t, "key");
    key_idx = lua_gettop(L);
    lcjwt_check_key_arg(L, key_idx, 0);
    lua_getfield(L, t, "protected");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TTABLE)
            luaL_argerror(L, arg, "signer field 'protected' must be a table");
        g->header = lcjwt_table_arg_to_value(L, lua_gettop(L), arg, "protected");
    }
    lua_getfield(L, t, "header");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TTABLE)
            luaL_argerror(L, arg, "signer field 'header' must be a table");
        g->payload = lcjwt_table_arg_to_value(L, lua_gettop(L), arg, "header");
    }
    lua_pop(L, 2);
    s->key = lcjwt_resolve_key(L, key_idx, g, err, &ks);
    if (!s->key && err->code != CJWT_OK)
        return -1;
    s->protected_header = g->header;
    s->header = g->payload;
    lua_getfield(L, t, "alg");
    if (lua_isnil(L, -1)) {
        s->alg = s->key ? cjwt_key_default_alg(s->key) : CJWT_ALG__COUNT;
    } else {
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, arg, "signer field 'alg' must be a string");
        if (lcjwt_alg_from_lua(L, -1, &s->alg, err) != 0)
            return -1;
    }
    lua_pop(L, 2);   /* alg, key */
    return 0;
}

/* jws_encode_json(data, signer | { signer, ... }, { flattened =, detached = })
 * where signer = { key =, alg =, protected = {...}, header = {...} }
 * -> JSON text | nil, message, code */
int lcjwt_jws_encode_json(lua_State *L)
{
    cjwt_jws_signer signers[CJWT_JWS_MAX_SIGNATURES];
    cjwt_jws_json_opts jo;
    cjwt_error err;
    const char *data;
    size_t data_len = 0, len = 0, n;
    int opts, single, t;
    guard *out, *held[CJWT_JWS_MAX_SIGNATURES];

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "string expected, got %s", luaL_typename(L, 1)));
    data = lua_tolstring(L, 1, &data_len);
    luaL_checktype(L, 2, LUA_TTABLE);
    opts = lcjwt_opts_arg(L, 3, JSON_ENCODE_OPTS);
    memset(&jo, 0, sizeof jo);
    memset(&err, 0, sizeof err);
    if ((t = lcjwt_opt_push(L, opts, "flattened")) != LUA_TNIL && t != LUA_TBOOLEAN)
        lcjwt_opt_type_error(L, 3, "flattened", "boolean");
    jo.flattened = lua_toboolean(L, -1);
    if ((t = lcjwt_opt_push(L, opts, "detached")) != LUA_TNIL && t != LUA_TBOOLEAN)
        lcjwt_opt_type_error(L, 3, "detached", "boolean");
    jo.detached = lua_toboolean(L, -1);
    lua_pop(L, 2);
    lua_getfield(L, 2, "key");
    single = !lua_isnil(L, -1);          /* one signer given as is */
    lua_pop(L, 1);
    n = single ? 1 : (size_t)lua_objlen(L, 2);
    if (n == 0)
        luaL_argerror(L, 2, "at least one signer expected");
    if (n > CJWT_JWS_MAX_SIGNATURES)
        luaL_argerror(L, 2, "at most 16 signers");
    luaL_checkstack(L, CONV_STACK + 2 * CJWT_JWS_MAX_SIGNATURES, "cjwt: no stack space");
    for (size_t i = 0; i < n; i++) {
        guard *g;
        int st;
        if (single) {
            lua_pushvalue(L, 2);
        } else {
            lua_rawgeti(L, 2, (int)i + 1);
            if (lua_type(L, -1) != LUA_TTABLE)
                luaL_argerror(L, 2, "each signer must be a table");
        }
        st = lua_gettop(L);
        g = held[i] = lcjwt_guard_new(L);   /* stays on the stack until the call returns */
        if (read_signer(L, st, 2, g, &signers[i], &err) != 0)
            return lcjwt_push_failure(L, g, &err);
    }
    jo.signers = signers;
    jo.n_signers = n;
    out = lcjwt_guard_new(L);
    out->text = cjwt_jws_json_encode((const unsigned char *)data, data_len, &jo, &len, &err);
    for (size_t i = 0; i < n; i++)
        lcjwt_guard_release(held[i]);
    return lcjwt_return_text(L, out, len, &err, LCJWT_RAISING(L));
}
