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
    cjwt_decrypted_jwt *jwt;
} jwe_box;

static int jwe_box_gc(lua_State *L)
{
    jwe_box *b = luaL_checkudata(L, 1, JWE_BOX_MT);
    cjwt_jwe_free(b->jwe);
    b->jwe = NULL;
    cjwt_decrypted_jwt_free(b->jwt);
    b->jwt = NULL;
    return 0;
}

static jwe_box *jwe_box_new(lua_State *L)
{
    jwe_box *b = lua_newuserdata(L, sizeof *b);
    b->jwe = NULL;
    b->jwt = NULL;
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

/* alg, enc, zip, p2c, header of the options table at `opts` (argument 3)
 * -> eo; returns a new guard (on the stack) holding the header. Misuse raises. */
static guard *read_encrypt_opts(lua_State *L, int opts, cjwt_jwe_encrypt_opts *eo)
{
    const char *s;
    guard *g;
    eo->alg = CJWT_JWE_ALG__COUNT;
    eo->enc = CJWT_ENC__COUNT;
    if ((s = lcjwt_opt_string(L, opts, 3, "alg")) != NULL)
        eo->alg = cjwt_jwe_alg_from_name(s, strlen(s));
    if ((s = lcjwt_opt_string(L, opts, 3, "enc")) != NULL)
        eo->enc = cjwt_jwe_enc_from_name(s, strlen(s));
    if ((s = lcjwt_opt_string(L, opts, 3, "zip")) != NULL) {
        if (strcmp(s, "DEF") != 0)
            luaL_argerror(L, 3, "option 'zip' must be \"DEF\"");
        eo->zip = 1;
    }
    eo->p2c = (uint32_t)opt_count(L, opts, "p2c", 4294967295.0);
    g = lcjwt_guard_new(L);
    if (lcjwt_opt_push(L, opts, "header") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TTABLE)
            lcjwt_opt_type_error(L, 3, "header", "table");
        g->header = lcjwt_table_arg_to_value(L, -1, 3, "header");
        eo->header = g->header;
    }
    return g;
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
    const char *data;

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "string expected, got %s", luaL_typename(L, 1)));
    data = lua_tolstring(L, 1, &data_len);
    lcjwt_check_key_arg(L, 2, 0);
    opts = lcjwt_opts_arg(L, 3, ENCRYPT_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    memset(&err, 0, sizeof err);
    memset(&eo, 0, sizeof eo);
    g = read_encrypt_opts(L, opts, &eo);
    key = lcjwt_resolve_key(L, 2, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return lcjwt_push_failure(L, g, &err);
    g->text = cjwt_jwe_encrypt((const unsigned char *)data, data_len, key, &eo, &len, &err);
    return lcjwt_return_text(L, g, len, &err, LCJWT_RAISING(L));
}

/* The token argument (1): a string, or the JSON serialization as a table,
 * turned into text held by g. NULL with *err set when that fails. */
static const char *token_text(lua_State *L, guard *g, size_t *len, cjwt_error *err)
{
    if (lua_type(L, 1) != LUA_TTABLE)
        return lua_tolstring(L, 1, len);
    g->jwk = lcjwt_table_arg_to_value(L, 1, 1, "JWE");
    g->text = cjwt_value_to_json(g->jwk, len, err);
    /* done with it: a table key is read into g->jwk next */
    cjwt_value_free(g->jwk);
    g->jwk = NULL;
    return g->text;
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
    if (!(token = token_text(L, g, &token_len, &err)))
        return lcjwt_push_failure(L, g, &err);
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

/* ---- encrypted and nested JWTs (cjwt_jwt_encrypt / cjwt_jwt_decrypt) ------ */

static const char *const JWT_ENCRYPT_OPTS[] = { "alg", "enc", "header", "zip", "p2c",
                                                "expires_in", "now", "signing_key", "algorithm",
                                                "sign_header", NULL };
static const char *const JWT_NESTED_OPTS[] = { "alg", "enc", "header", "zip", "p2c",
                                               "expires_in", "now", "algorithm", "sign_header",
                                               NULL };
/* The options of decode_encrypted that are the JWE's (the rest are decode's). */
static const char *const JWE_ONLY_OPTS[] = { "algorithms", "encryptions", "max_plaintext",
                                             "max_p2c", "verification_key",
                                             "signature_algorithms", NULL };

static int in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

/* A key resolved for the whole call with a reference of the call's own in
 * g (a denylist function could close a key object meanwhile). */
static const cjwt_key *call_key(lua_State *L, int arg, guard *g, cjwt_error *err,
                                const cjwt_keyset **ks)
{
    const cjwt_key *key = lcjwt_resolve_key(L, arg, g, err, ks);
    if (key && !g->key)
        g->key = cjwt_key_ref((cjwt_key *)key);
    if (*ks && !g->ks)
        g->ks = cjwt_keyset_ref((cjwt_keyset *)*ks);
    return key;
}

/* (claims, key at key_arg, opts at opts_arg); the signing key at sk_arg, or
 * 0: opts.signing_key, if any. */
static int jwt_encrypt_common(lua_State *L, int key_arg, int opts_arg, int sk_arg)
{
    cjwt_jwt_encrypt_opts eo;
    cjwt_error err;
    guard *g, *gs;
    const cjwt_key *key, *skey = NULL;
    const cjwt_keyset *ks = NULL;
    size_t len = 0;
    int opts, tmp;
    static const char *const sign_names[][2] = { { "algorithm", "alg" }, { "now", "now" },
                                                 { "expires_in", "expires_in" } };

    lua_settop(L, opts_arg);
    luaL_checktype(L, 1, LUA_TTABLE);
    lcjwt_check_key_arg(L, key_arg, 0);
    if (sk_arg)
        lcjwt_check_key_arg(L, sk_arg, 0);
    opts = lcjwt_opts_arg(L, opts_arg, sk_arg ? JWT_NESTED_OPTS : JWT_ENCRYPT_OPTS);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    memset(&err, 0, sizeof err);
    memset(&eo, 0, sizeof eo);
    if (!sk_arg) {
        if (lcjwt_opt_push(L, opts, "signing_key") != LUA_TNIL) {
            sk_arg = lua_gettop(L);
            lcjwt_check_key_arg(L, sk_arg, 0);
        } else {
            lua_pop(L, 1);
        }
    }
    if (!sk_arg && opts) {
        lcjwt_opt_push(L, opts, "algorithm");
        lcjwt_opt_push(L, opts, "sign_header");
        if (!lua_isnil(L, -1) || !lua_isnil(L, -2))
            luaL_argerror(L, opts_arg, "options 'algorithm' and 'sign_header' need a signing key");
        lua_pop(L, 2);
    }
    /* the signing options, read as encode reads its own (alg, now, expires_in) */
    lua_createtable(L, 0, 3);
    tmp = lua_gettop(L);
    for (size_t i = 0; i < sizeof sign_names / sizeof *sign_names; i++) {
        lcjwt_opt_push(L, opts, sign_names[i][0]);
        lua_setfield(L, tmp, sign_names[i][1]);
    }
    if (lcjwt_read_sign_opts(L, tmp, opts_arg, 1, &eo.sign, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    g = read_encrypt_opts(L, opts, &eo.jwe);
    gs = lcjwt_guard_new(L);
    if (lcjwt_opt_push(L, opts, "sign_header") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TTABLE)
            lcjwt_opt_type_error(L, opts_arg, "sign_header", "table");
        gs->header = lcjwt_table_arg_to_value(L, -1, opts_arg, "sign_header");
        eo.sign.header = gs->header;
    }
    g->payload = lcjwt_table_arg_to_value(L, 1, 1, "claims");
    key = lcjwt_resolve_key(L, key_arg, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return lcjwt_push_failure(L, g, &err);
    if (sk_arg) {
        const cjwt_keyset *sks = NULL;
        skey = lcjwt_resolve_key(L, sk_arg, gs, &err, &sks);
        if (!skey) {
            if (err.code != CJWT_OK)
                return lcjwt_push_failure(L, g, &err);
            luaL_argerror(L, sk_arg, "a signing key expected");
        }
        eo.signing_key = skey;
    }
    g->text = cjwt_jwt_encrypt(g->payload, key, &eo, &len, &err);
    lcjwt_guard_release(gs);
    return lcjwt_return_text(L, g, len, &err, LCJWT_RAISING(L));
}

/* encode_encrypted(claims, key, { alg =, enc =, header =, zip =, p2c =, expires_in =,
 * now =, signing_key =, algorithm =, sign_header = }) -> token | nil, message, code */
int lcjwt_encode_encrypted(lua_State *L)
{
    return jwt_encrypt_common(L, 2, 3, 0);
}

/* encode_nested(claims, signing_key, encryption_key, { algorithm =, alg =, enc =, ... }) */
int lcjwt_encode_nested(lua_State *L)
{
    return jwt_encrypt_common(L, 3, 4, 2);
}

/* (token, key at key_arg, opts at opts_arg); the verification key at vk_arg,
 * or 0: opts.verification_key, if any. */
static int jwt_decrypt_common(lua_State *L, int complete, int key_arg, int opts_arg, int vk_arg)
{
    lverify_opts o;
    cjwt_jwt_decrypt_opts jo;
    cjwt_error err;
    lrevoke rv;
    jwe_box *box;
    guard *g, *gv;
    const cjwt_key *key, *vkey = NULL;
    const cjwt_keyset *ks = NULL, *vks = NULL;
    const char *token;
    size_t token_len = 0;
    int orig = 0, vt;

    lua_settop(L, opts_arg);
    if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "string or table expected, got %s", luaL_typename(L, 1)));
    lcjwt_check_key_arg(L, key_arg, 0);
    if (vk_arg)
        lcjwt_check_key_arg(L, vk_arg, 1);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    memset(&err, 0, sizeof err);
    memset(&jo, 0, sizeof jo);
    /* Split the options: the JWE's stay in the caller's table (kept at
     * `orig`), decode's go to a table of their own at opts_arg (with
     * signature_algorithms as its algorithms), so decode's reader checks
     * their names and types exactly as for decode. */
    lua_newtable(L);
    vt = lua_gettop(L);
    if (!lua_isnil(L, opts_arg)) {
        luaL_checktype(L, opts_arg, LUA_TTABLE);
        lua_pushvalue(L, opts_arg);
        orig = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, orig) != 0) {
            const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
            if (name && vk_arg && strcmp(name, "verification_key") == 0)
                luaL_argerror(L, opts_arg, "unknown option 'verification_key' (decode_nested "
                                           "takes the key as its third argument)");
            if (name && strcmp(name, "signature_algorithms") == 0) {
                lua_setfield(L, vt, "algorithms");
            } else if (name && in_list(JWE_ONLY_OPTS, name)) {
                lua_pop(L, 1);
            } else {
                lua_pushvalue(L, -2);
                lua_insert(L, -2);
                lua_rawset(L, vt);
            }
        }
        if (!vk_arg) {
            if (lcjwt_opt_push(L, orig, "verification_key") != LUA_TNIL) {
                vk_arg = lua_gettop(L);
                lcjwt_check_key_arg(L, vk_arg, 1);
            } else {
                lua_pop(L, 1);
            }
        }
    }
    lua_pushvalue(L, vt);
    lua_replace(L, opts_arg);
    o.mode = MODE_CLAIMS;
    o.compiled = 0;
    if (lcjwt_read_verify_opts(L, opts_arg, &o, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    luaL_checkstack(L, CONV_STACK, "cjwt: no stack space");
    if ((o.core.verify_set & CJWT_CHECK_SIGNATURE) && !(o.core.verify & CJWT_CHECK_SIGNATURE))
        luaL_argerror(L, opts_arg, "option 'verify_signature' cannot be false: the signature "
                                   "of an encrypted JWT is always verified");
    jo.jwe.max_plaintext = (size_t)opt_count(L, orig, "max_plaintext", EXACT_INT_MAX);
    jo.jwe.max_p2c = (uint32_t)opt_count(L, orig, "max_p2c", 4294967295.0);
    jo.jwe.max_token_len = o.core.max_token_len;   /* one limit for the JWE and its JWS */
    box = jwe_box_new(L);
    g = lcjwt_guard_new(L);
    gv = lcjwt_guard_new(L);
    if (name_list(L, orig, "algorithms", 1, &jo.jwe.algorithms, &err) != 0 ||
        name_list(L, orig, "encryptions", 0, &jo.jwe.encryptions, &err) != 0)
        return lcjwt_push_failure(L, g, &err);
    if (!(token = token_text(L, g, &token_len, &err)))
        return lcjwt_push_failure(L, g, &err);
    key = call_key(L, key_arg, g, &err, &ks);
    if (!key && err.code != CJWT_OK)
        return lcjwt_push_failure(L, g, &err);
    if (vk_arg) {
        vkey = call_key(L, vk_arg, gv, &err, &vks);
        if (!vkey && !vks) {
            if (err.code != CJWT_OK)
                return lcjwt_push_failure(L, g, &err);
            luaL_argerror(L, vk_arg, "a verification key expected");
        }
    }
    if (o.denylist) {
        lcjwt_denylist_prepare(L, o.denylist, &rv);
        o.core.revocation = lcjwt_denylist_hook;
        o.core.revocation_ctx = &rv;
    }
    jo.verify = o.core;
    jo.verification_key = vkey;
    jo.verification_keyset = vks;
    box->jwt = cjwt_jwt_decrypt(&jo, key, token, token_len, o.has_now, o.now, &err);
    if (!box->jwt) {
        lcjwt_guard_release(gv);
        return lcjwt_push_failure(L, g, &err);
    }
    if (complete) {
        const cjwt_value *inner = cjwt_decrypted_jwt_header(box->jwt);
        lua_createtable(L, 0, 3);
        lcjwt_push_value(L, cjwt_decrypted_jwt_jwe_header(box->jwt));
        lua_setfield(L, -2, "header");
        lcjwt_push_value(L, cjwt_decrypted_jwt_payload(box->jwt));
        lua_setfield(L, -2, "payload");
        if (inner) {
            lcjwt_push_value(L, inner);
            lua_setfield(L, -2, "jws_header");
        }
    } else {
        lcjwt_push_value(L, cjwt_decrypted_jwt_payload(box->jwt));
    }
    cjwt_decrypted_jwt_free(box->jwt);
    box->jwt = NULL;
    lcjwt_guard_release(g);
    lcjwt_guard_release(gv);
    return 1;
}

/* decode_encrypted(token | json_table, key, { algorithms =, encryptions =,
 * verification_key =, signature_algorithms =, max_plaintext =, max_p2c =,
 * and decode's options }) -> claims | nil, message, code[, claim] */
int lcjwt_decode_encrypted(lua_State *L)
{
    return jwt_decrypt_common(L, 0, 2, 3, 0);
}

/* the same -> { header =, payload =, jws_header = } */
int lcjwt_decode_encrypted_complete(lua_State *L)
{
    return jwt_decrypt_common(L, 1, 2, 3, 0);
}

/* decode_nested(token, decryption_key, verification_key, opts) -> claims */
int lcjwt_decode_nested(lua_State *L)
{
    return jwt_decrypt_common(L, 0, 2, 4, 3);
}

/* ---- the JSON serialization on encryption --------------------------------- */

static const char *const JSON_OPTS[] = { "enc", "protected", "unprotected", "aad", "zip",
                                         "flattened", NULL };
static const char *const RECIPIENT_FIELDS[] = { "key", "alg", "header", "p2c", NULL };
#define MAX_RECIPIENTS 64

/* An optional table option -> a value held by g->header (misuse raises). */
static const cjwt_value *table_opt(lua_State *L, int opts, const char *name, guard *g)
{
    if (lcjwt_opt_push(L, opts, name) == LUA_TNIL)
        return NULL;
    if (lua_type(L, -1) != LUA_TTABLE)
        lcjwt_opt_type_error(L, 3, name, "table");
    g->header = lcjwt_table_arg_to_value(L, -1, 3, name);
    return g->header;
}

/* jwe_encrypt_json(plaintext, { { key =, alg =, header =, p2c = }, ... },
 * { enc =, protected =, unprotected =, aad =, zip = "DEF", flattened = })
 * -> the JSON serialization as a table | nil, message, code */
int lcjwt_jwe_encrypt_json(lua_State *L)
{
    int opts, n, t;
    guard *g, *gp, *gu;
    cjwt_error err;
    cjwt_jwe_json_opts jo;
    cjwt_jwe_recipient *rs;
    size_t data_len = 0, len = 0;
    const char *data, *s;

    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "string expected, got %s", luaL_typename(L, 1)));
    data = lua_tolstring(L, 1, &data_len);
    luaL_checktype(L, 2, LUA_TTABLE);
    n = (int)lua_objlen(L, 2);
    if (n < 1 || n > MAX_RECIPIENTS)
        luaL_argerror(L, 2, "a list of 1 to 64 recipients expected");
    opts = lcjwt_opts_arg(L, 3, JSON_OPTS);
    luaL_checkstack(L, CONV_STACK + 3 * MAX_RECIPIENTS, "cjwt: no stack space");
    memset(&err, 0, sizeof err);
    memset(&jo, 0, sizeof jo);
    jo.enc = CJWT_ENC__COUNT;
    if ((s = lcjwt_opt_string(L, opts, 3, "enc")) != NULL)
        jo.enc = cjwt_jwe_enc_from_name(s, strlen(s));
    if ((s = lcjwt_opt_string(L, opts, 3, "zip")) != NULL) {
        if (strcmp(s, "DEF") != 0)
            luaL_argerror(L, 3, "option 'zip' must be \"DEF\"");
        jo.zip = 1;
    }
    if ((t = lcjwt_opt_push(L, opts, "aad")) != LUA_TNIL) {
        if (t != LUA_TSTRING)
            lcjwt_opt_type_error(L, 3, "aad", "string");
        jo.aad = (const unsigned char *)lua_tolstring(L, -1, &jo.aad_len);
    }
    if ((t = lcjwt_opt_push(L, opts, "flattened")) != LUA_TNIL) {
        if (t != LUA_TBOOLEAN)
            lcjwt_opt_type_error(L, 3, "flattened", "boolean");
        jo.flattened = lua_toboolean(L, -1);
    }
    rs = lua_newuserdata(L, (size_t)n * sizeof *rs);   /* collected with the call's stack */
    memset(rs, 0, (size_t)n * sizeof *rs);
    /* every recipient checked before any key is made */
    for (int i = 1; i <= n; i++) {
        int r;
        lua_rawgeti(L, 2, i);
        r = lua_gettop(L);
        if (lua_type(L, r) != LUA_TTABLE)
            luaL_argerror(L, 2, "each recipient is a table { key =, alg =, header =, p2c = }");
        lcjwt_opts_arg(L, r, RECIPIENT_FIELDS);
        lua_getfield(L, r, "key");
        lcjwt_check_key_arg(L, lua_gettop(L), 0);
        lua_getfield(L, r, "alg");
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, 2, "a recipient's 'alg' must be a string");
        s = lua_tostring(L, -1);
        rs[i - 1].alg = cjwt_jwe_alg_from_name(s, strlen(s));
        lua_getfield(L, r, "p2c");
        if (!lua_isnil(L, -1)) {
            double d = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
            if (!(d >= 1 && d <= 4294967295.0) || d != (double)(uint32_t)d)
                luaL_argerror(L, 2, "a recipient's 'p2c' must be a positive integer");
            rs[i - 1].p2c = (uint32_t)d;
        }
        lua_getfield(L, r, "header");
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TTABLE)
            luaL_argerror(L, 2, "a recipient's 'header' must be a table");
        lua_pop(L, 4);   /* key, alg, p2c, header; the recipient table stays */
        lua_pop(L, 1);
    }
    gp = lcjwt_guard_new(L);
    jo.protected_header = table_opt(L, opts, "protected", gp);
    gu = lcjwt_guard_new(L);
    jo.unprotected = table_opt(L, opts, "unprotected", gu);
    for (int i = 1; i <= n; i++) {
        guard *gr = lcjwt_guard_new(L);       /* stays on the stack for the call */
        const cjwt_keyset *ks = NULL;
        int r;
        lua_rawgeti(L, 2, i);
        r = lua_gettop(L);
        lua_getfield(L, r, "header");
        if (!lua_isnil(L, -1)) {
            gr->header = lcjwt_table_arg_to_value(L, -1, 2, "header");
            rs[i - 1].header = gr->header;
        }
        lua_getfield(L, r, "key");
        rs[i - 1].key = call_key(L, lua_gettop(L), gr, &err, &ks);
        if (!rs[i - 1].key) {
            if (err.code == CJWT_OK)
                lcjwt_set_error(&err, CJWT_E_INVALID_KEY, "recipient %d has no key", i);
            return lcjwt_push_failure(L, gr, &err);
        }
        lua_pop(L, 3);
    }
    g = lcjwt_guard_new(L);
    g->text = cjwt_jwe_encrypt_json((const unsigned char *)data, data_len, rs, (size_t)n, &jo,
                                    &len, &err);
    if (!g->text)
        return lcjwt_push_failure(L, g, &err);
    g->jwk = cjwt_value_from_json(g->text, len, &err);
    if (!g->jwk)
        return lcjwt_push_failure(L, g, &err);
    lcjwt_push_value(L, g->jwk);
    lcjwt_guard_release(g);
    return 1;
}
