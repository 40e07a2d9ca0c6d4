/* JWE (RFC 7516, docs/jwe.md): jwe_encrypt, jwe_decrypt, jwe_decrypt_complete
 * through the core's cjwt_jwe_encrypt / cjwt_jwe_decrypt. Conversion only:
 * every check is the core's. A decrypted result is parked in a userdata of
 * its own (freed by __gc if a Lua call raises while it is converted). */
#include <string.h>

#include "binding.h"

#define JWE_BOX_MT "cjwt.jwe_result"

#if LUA_VERSION_NUM >= 502 && !defined(lua_objlen)
#define lua_objlen(L, i) lua_rawlen((L), (i))
#endif

static const char *const ENCRYPT_OPTS[] = { "alg", "enc", "header", "zip", "p2c", NULL };
static const char *const DECRYPT_OPTS[] = { "algorithms", "encryptions", "max_plaintext",
                                            "max_p2c", "max_token_len", NULL };

typedef struct jwe_box {
    cjwt_jwe *jwe;
} jwe_box;

static int jwe_box_gc(lua_State *L)
{
    jwe_box *b = luaL_checkudata(L, 1, JWE_BOX_MT);
    cjwt_jwe_free(b->jwe);
    b->jwe = NULL;
    return 0;
}

static jwe_box *jwe_box_new(lua_State *L)
{
    jwe_box *b = lua_newuserdata(L, sizeof *b);
    b->jwe = NULL;
    if (luaL_newmetatable(L, JWE_BOX_MT)) {
        lua_pushcfunction(L, jwe_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

/* An optional positive integer option (0: absent, the core's default). */
static double opt_count(lua_State *L, int opts, const char *name, double max)
{
    double d;
    if (lcjwt_opt_push(L, opts, name) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (lua_type(L, -1) != LUA_TNUMBER)
        lcjwt_opt_type_error(L, 3, name, "number");
    d = (double)lua_tonumber(L, -1);
    if (!(d >= 1 && d <= max) || d != (double)(int64_t)d)
        luaL_argerror(L, 3, lua_pushfstring(L, "option '%s' must be a positive integer", name));
    lua_pop(L, 1);
    return d;
}

/* A list of alg or enc names -> bits; an unknown name is unsupported_alg
 * (as for the algorithms of decode). Misuse raises. */
static int name_list(lua_State *L, int opts, const char *name, int algs, uint32_t *bits,
                     cjwt_error *err)
{
    int n, bad = 0;
    *bits = 0;
    if (lcjwt_opt_push(L, opts, name) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (lua_type(L, -1) != LUA_TTABLE)
        lcjwt_opt_type_error(L, 3, name, "list of strings");
    n = (int)lua_objlen(L, -1);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s;
        unsigned v;
        lua_rawgeti(L, -1, i);
        if (lua_type(L, -1) != LUA_TSTRING)
            lcjwt_opt_type_error(L, 3, name, "list of strings");
        s = lua_tolstring(L, -1, &len);
        v = algs ? (unsigned)cjwt_jwe_alg_from_name(s, len) : (unsigned)cjwt_jwe_enc_from_name(s, len);
        if (v == (algs ? (unsigned)CJWT_JWE_ALG__COUNT : (unsigned)CJWT_ENC__COUNT)) {
            if (!bad)
                lcjwt_set_error(err, CJWT_E_UNSUPPORTED_ALG, "JWE %s not supported: \"%.64s\"",
                                algs ? "algorithm" : "encryption", s);
            bad = 1;
        } else {
            *bits |= 1u << v;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return bad ? -1 : 0;
}

/* jwe_encrypt(plaintext, key, { alg =, enc =, header =, zip = "DEF", p2c = })
 * -> token | nil, message, code */
int lcjwt_jwe_encrypt(lua_State *L)
{
    int opts;
    guard *g;
    cjwt_error err;
    cjwt_jwe_encrypt_opts eo;
    const cjwt_key *key;
    const cjwt_keyset *ks;
    size_t data_len = 0, len = 0;
    const char *data, *s;

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "string expected, got %s", luaL_typename(L, 1)));
    data = lua_tolstring(L, 1, &data_len);
    lcjwt_check_key_arg(L, 2, 0);
    opts = lcjwt_opts_arg(L, 3, ENCRYPT_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    memset(&err, 0, sizeof err);
    memset(&eo, 0, sizeof eo);
    eo.alg = CJWT_JWE_ALG__COUNT;
    eo.enc = CJWT_ENC__COUNT;
    if ((s = lcjwt_opt_string(L, opts, 3, "alg")) != NULL)
        eo.alg = cjwt_jwe_alg_from_name(s, strlen(s));
    if ((s = lcjwt_opt_string(L, opts, 3, "enc")) != NULL)
        eo.enc = cjwt_jwe_enc_from_name(s, strlen(s));
    if ((s = lcjwt_opt_string(L, opts, 3, "zip")) != NULL) {
        if (strcmp(s, "DEF") != 0)
            luaL_argerror(L, 3, "option 'zip' must be \"DEF\"");
        eo.zip = 1;
    }
    eo.p2c = (uint32_t)opt_count(L, opts, "p2c", 4294967295.0);
    g = lcjwt_guard_new(L);
    if (lcjwt_opt_push(L, opts, "header") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TTABLE)
            lcjwt_opt_type_error(L, 3, "header", "table");
        g->header = lcjwt_table_arg_to_value(L, -1, 3, "header");
        eo.header = g->header;
    }
    key = lcjwt_resolve_key(L, 2, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return lcjwt_push_failure(L, g, &err);
    g->text = cjwt_jwe_encrypt((const unsigned char *)data, data_len, key, &eo, &len, &err);
    return lcjwt_return_text(L, g, len, &err, LCJWT_RAISING(L));
}

static int decrypt_common(lua_State *L, int complete)
{
    int opts;
    guard *g;
    jwe_box *box;
    cjwt_error err;
    cjwt_jwe_decrypt_opts o;
    const cjwt_key *key;
    const cjwt_keyset *ks;
    const char *token;
    size_t token_len = 0, n = 0;
    const unsigned char *pt;

    if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "string or table expected, got %s", luaL_typename(L, 1)));
    lcjwt_check_key_arg(L, 2, 0);
    opts = lcjwt_opts_arg(L, 3, DECRYPT_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    memset(&err, 0, sizeof err);
    memset(&o, 0, sizeof o);
    o.max_plaintext = (size_t)opt_count(L, opts, "max_plaintext", EXACT_INT_MAX);
    o.max_p2c = (uint32_t)opt_count(L, opts, "max_p2c", 4294967295.0);
    o.max_token_len = (size_t)opt_count(L, opts, "max_token_len", EXACT_INT_MAX);
    box = jwe_box_new(L);
    g = lcjwt_guard_new(L);
    if (name_list(L, opts, "algorithms", 1, &o.algorithms, &err) != 0 ||
        name_list(L, opts, "encryptions", 0, &o.encryptions, &err) != 0)
        return lcjwt_push_failure(L, g, &err);
    if (lua_type(L, 1) == LUA_TTABLE) {     /* the JSON serialization as a table */
        g->jwk = lcjwt_table_arg_to_value(L, 1, 1, "JWE");
        g->text = cjwt_value_to_json(g->jwk, &token_len, &err);
        if (!g->text)
            return lcjwt_push_failure(L, g, &err);
        token = g->text;
    } else {
        token = lua_tolstring(L, 1, &token_len);
    }
    key = lcjwt_resolve_key(L, 2, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return lcjwt_push_failure(L, g, &err);
    box->jwe = cjwt_jwe_decrypt(&o, key, token, token_len, &err);
    if (!box->jwe)
        return lcjwt_push_failure(L, g, &err);
    pt = cjwt_jwe_plaintext(box->jwe, &n);
    if (complete) {
        lua_createtable(L, 0, 2);
        lcjwt_push_value(L, cjwt_jwe_header(box->jwe));
        lua_setfield(L, -2, "header");
        lua_pushlstring(L, (const char *)pt, n);
        lua_setfield(L, -2, "plaintext");
    } else {
        lua_pushlstring(L, (const char *)pt, n);
    }
    cjwt_jwe_free(box->jwe);
    box->jwe = NULL;
    lcjwt_guard_release(g);
    return 1;
}

/* jwe_decrypt(token | json_table, key, { algorithms =, encryptions =, max_plaintext =,
 * max_p2c =, max_token_len = }) -> plaintext | nil, message, code */
int lcjwt_jwe_decrypt(lua_State *L)
{
    return decrypt_common(L, 0);
}

/* the same -> { header =, plaintext = } | nil, message, code */
int lcjwt_jwe_decrypt_complete(lua_State *L)
{
    return decrypt_common(L, 1);
}
