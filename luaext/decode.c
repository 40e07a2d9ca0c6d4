/* Verifying: decode, decode_complete, jws_decode (options read on every
 * call), get_unverified_header, the denylist hook, and converting a verified
 * result into Lua values. The compiled verifier (verifier.c) shares the key
 * argument, the denylist and the result conversion with these. */
#include <string.h>

#include "binding.h"

/* The token argument: a string, or raises. */
static const char *check_token(lua_State *L, int arg, size_t *len)
{
    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_argerror(L, arg, lua_pushfstring(L, "token string expected, got %s",
                                              luaL_typename(L, arg)));
    return lua_tolstring(L, arg, len);
}

/* ---- the denylist: the core's revocation hook calling a Lua function ------- */
/* opts.denylist = function(claims) -> true (revoked) | false (not revoked) |
 * nil, err (unknown: the token is refused). The core calls lcjwt_denylist_hook
 * once the signature and every claim hold; the hook runs the function with
 * lua_pcall, so nothing long-jumps through the core. The function cannot
 * yield (a cosocket inside it fails, and so refuses the token): in nginx the
 * gateway looks Redis up itself after the core verified (docs/lifecycle.md). */

/* (fn, payload) -> fn(claims): runs protected; may raise (out of memory...). */
static int denylist_call(lua_State *L)
{
    const cjwt_value *payload = (const cjwt_value *)lua_touserdata(L, 2);
    lua_settop(L, 1);
    lcjwt_push_value(L, payload);
    lua_call(L, 1, 2);
    return 2;
}

int lcjwt_denylist_hook(void *ctx, const cjwt_value *payload, cjwt_error *err)
{
    lrevoke *r = (lrevoke *)ctx;
    lua_State *L = r->L;
    int top = lua_gettop(L), answer = -1;

    /* Stack space was reserved by the caller (VERIFY_STACK); nothing here
     * allocates outside lua_pcall. */
    lua_pushvalue(L, r->call);
    lua_pushvalue(L, r->fn);
    lua_pushlightuserdata(L, (void *)payload);
    if (lua_pcall(L, 2, 2, 0) != 0) {
        lcjwt_set_error(err, CJWT_E_UNAVAILABLE, "the denylist failed, the token is refused: %s",
                        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                       : luaL_typename(L, -1));
    } else if (lua_type(L, -2) == LUA_TBOOLEAN) {
        answer = lua_toboolean(L, -2);
    } else if (lua_isnil(L, -2)) {
        lcjwt_set_error(err, CJWT_E_UNAVAILABLE,
                        "the denylist could not answer, the token is refused: %s",
                        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "no reason given");
    } else {
        lcjwt_set_error(err, CJWT_E_INTERNAL,
                        "the denylist must return true, false or nil, err (got a %s); the token "
                        "is refused", luaL_typename(L, -2));
    }
    lua_settop(L, top);
    return answer;
}

/* Pushes the closure the hook calls (it needs array_mt as upvalue 1, as
 * lcjwt_push_value does) and fills *r for the function at stack index fn. */
void lcjwt_denylist_prepare(lua_State *L, int fn, lrevoke *r)
{
    lua_pushvalue(L, ARRAY_MT_INDEX);
    lua_pushcclosure(L, denylist_call, 1);
    r->L = L;
    r->call = lua_gettop(L);
    r->fn = fn;
}

/* The verify paths' parking place for the core's result while it is being
 * converted (upvalue 4, one per module): its __gc frees what it holds. It
 * also remembers the last claims object's member names and string values
 * (their strings in the module's upvalue 9) and the options cache. */
typedef struct result_slot {
    cjwt_decoded *decoded;
    lcjwt_names names;
    lcjwt_opts_cache opts;
} result_slot;

/* The module's options cache (options.c), or NULL from a function without
 * the result slot. */
lcjwt_opts_cache *lcjwt_opts_cache_get(lua_State *L)
{
    result_slot *slot = (result_slot *)lua_touserdata(L, RESULT_SLOT_INDEX);
    return slot ? &slot->opts : NULL;
}

/* Pops a table and keeps it as the anchor of the options cache (what the
 * cache points to), releasing the previous one. May raise (out of memory):
 * the caller marks the cache empty first. */
void lcjwt_opts_cache_anchor(lua_State *L)
{
    lua_rawseti(L, KEPT_INDEX, LCJWT_ANCHOR_SLOT);
}

/* Pushes the options cache's anchor: a call whose options came from the
 * cache keeps it on its stack while Lua code may run before the core is
 * done with them (a finalizer run by an allocation could decode with other
 * options, which replaces the anchor). */
void lcjwt_opts_cache_anchor_push(lua_State *L)
{
    lua_rawgeti(L, KEPT_INDEX, LCJWT_ANCHOR_SLOT);
}

/* Pushes the result of a verification in `mode`; slot (may be NULL): the
 * module's result slot, for the claims' names and values. The result is on
 * top; with slot, the kept strings' table is below it (the verify calls
 * return the top value only). May raise (out of memory). */
static void push_decoded_value(lua_State *L, const cjwt_decoded *d, enum verify_mode mode,
                               result_slot *slot)
{
    if (mode == MODE_RAW) {
        size_t n = 0;
        const unsigned char *bytes = cjwt_decoded_payload_bytes(d, &n);
        lua_pushlstring(L, bytes ? (const char *)bytes : "", n);
    } else if (mode == MODE_CLAIMS && slot) {
        /* the table on the stack (an absolute index is the cheapest to
         * reach), left below the result: the call returns the top value */
        lua_pushvalue(L, KEPT_INDEX);
        lcjwt_push_claims(L, cjwt_decoded_payload(d), &slot->names, lua_gettop(L));
    } else if (mode == MODE_CLAIMS) {
        lcjwt_push_value(L, cjwt_decoded_payload(d));
    } else {
        size_t n = 0;
        const unsigned char *sig = cjwt_decoded_signature(d, &n);
        lua_createtable(L, 0, 3);
        lcjwt_push_value(L, cjwt_decoded_header(d));
        lua_setfield(L, -2, "header");
        lcjwt_push_value(L, cjwt_decoded_payload(d));
        lua_setfield(L, -2, "payload");
        lua_pushlstring(L, sig ? (const char *)sig : "", n);
        lua_setfield(L, -2, "signature");
    }
}

/* (decoded, mode) -> the result: upvalue 3 of the verifying functions, with
 * array_mt as its upvalue 1 (lcjwt_push_value's), run under lua_pcall. */
int lcjwt_push_decoded_call(lua_State *L)
{
    const cjwt_decoded *d = (const cjwt_decoded *)lua_touserdata(L, 1);
    enum verify_mode mode = (enum verify_mode)lua_tointeger(L, 2);
    lua_settop(L, 0);
    push_decoded_value(L, d, mode, NULL);
    return 1;
}

static int result_slot_gc(lua_State *L)
{
    result_slot *s = (result_slot *)lua_touserdata(L, 1);
    if (s) {
        cjwt_decoded_free(s->decoded);
        s->decoded = NULL;
    }
    return 0;
}

/* Pushes the result of a verification in `mode` and frees `d`, also when
 * the conversion raises: the verify paths need no guard userdata per call.
 * While the module's result slot is free, `d` is parked in it during the
 * conversion (a raise leaves it there, for the slot's __gc); when it is busy
 * (a call nested through a __gc or the denylist, or left by a raise) the
 * conversion runs under lua_pcall and `d` is freed before re-raising. The
 * stack is reserved. Returns 1: the result is the top value (the caller
 * returns it at once; what is below it is not returned). */
int lcjwt_push_decoded(lua_State *L, cjwt_decoded *d, enum verify_mode mode)
{
    int status;
    result_slot *slot = (result_slot *)lua_touserdata(L, RESULT_SLOT_INDEX);
    if (slot && !slot->decoded) {
        slot->decoded = d;
        push_decoded_value(L, d, mode, slot);
        slot->decoded = NULL;
        cjwt_decoded_free(d);
        return 1;
    }
    lua_pushvalue(L, PUSH_DECODED_INDEX);
    lua_pushlightuserdata(L, d);
    lua_pushinteger(L, (lua_Integer)mode);
    status = lua_pcall(L, 2, 1, 0);
    cjwt_decoded_free(d);
    if (status != 0)
        return lua_error(L);
    return 1;
}

/* The key argument of a verify call, checked as lcjwt_check_key_arg does. A
 * key object or key set is returned through *k / *s (read their pointers
 * when verifying); otherwise both stay NULL and lcjwt_resolve_key makes the
 * key. The metatable is compared with the module's own (upvalues), without
 * a registry lookup. */
static void verify_key_arg(lua_State *L, int arg, lkey **k, lkeyset **s)
{
    void *p;
    *k = NULL;
    *s = NULL;
    if (lua_type(L, arg) == LUA_TUSERDATA && (p = lua_touserdata(L, arg)) != NULL
        && lua_getmetatable(L, arg)) {
        int is_key = lua_rawequal(L, -1, KEY_MT_INDEX);
        int is_set = !is_key && lua_rawequal(L, -1, KEYSET_MT_INDEX);
        lua_pop(L, 1);
        if (is_key && !(*k = (lkey *)p)->key)
            luaL_argerror(L, arg, "key object has been closed");
        if (is_set && !(*s = (lkeyset *)p)->ks)
            luaL_argerror(L, arg, "key set has been closed");
        if (is_key || is_set)
            return;
    }
    lcjwt_check_key_arg(L, arg, 1);      /* a string, table or nil; else raises */
}

/* Starts the verify call *c: the token at token_arg and the key argument
 * at key_arg checked (misuse raises); nothing owned yet. */
void lcjwt_verify_call_args(lua_State *L, lverify_call *c, int token_arg, int key_arg)
{
    c->token = check_token(L, token_arg, &c->token_len);
    c->key_arg = key_arg;
    verify_key_arg(L, key_arg, &c->kobj, &c->sobj);
    c->key = NULL;
    c->ks = NULL;
    memset(&c->g, 0, sizeof c->g);
    c->err.code = CJWT_OK;               /* what cjwtp_error_clear sets: no 320-byte memset */
    c->err.message[0] = c->err.claim[0] = '\0';
}

/* Sets c->key or c->ks, each with a reference of the call's own held in
 * c->g: a denylist function could close the key object (a <close> variable
 * elsewhere) while the core uses the key, and with a verifier's cache the
 * key is used again after the denylist has run (to remember the token).
 * Returns 0, or -1 with c->err set when a string or table key is refused. */
int lcjwt_verify_call_keys(lua_State *L, lverify_call *c)
{
    if (c->kobj) {
        c->key = c->g.key = cjwt_key_ref(c->kobj->key);
    } else if (c->sobj) {
        c->ks = c->g.ks = cjwt_keyset_ref(c->sobj->ks);
    } else {
        c->key = lcjwt_resolve_key(L, c->key_arg, &c->g, &c->err, &c->ks);  /* owned by g */
        if (!c->key && !c->ks && c->err.code != CJWT_OK)
            return -1;
    }
    return 0;
}

static int verify_common(lua_State *L, enum verify_mode mode)
{
    lverify_call c;
    lverify_opts o;
    lrevoke rv;
    cjwt_decoded *d;

    lcjwt_verify_call_args(L, &c, 1, 2);
    o.mode = mode;
    o.compiled = 0;
    if (lcjwt_read_verify_opts(L, 3, &o, &c.err) != 0)
        return lcjwt_push_failure(L, NULL, &c.err);
    /* A key object or set runs no Lua before the core is done; a string or
     * JWK key may (allocation, finalizers): then what the cached options
     * point to is held by this call too. */
    if (o.cached && !c.kobj && !c.sobj)
        lcjwt_opts_cache_anchor_push(L);
    if (o.denylist) {
        lcjwt_denylist_prepare(L, o.denylist, &rv);
        o.core.revocation = lcjwt_denylist_hook;
        o.core.revocation_ctx = &rv;
    }
    if (lcjwt_verify_call_keys(L, &c) != 0)
        return lcjwt_push_failure(L, &c.g, &c.err);
    if (c.ks)
        d = cjwt_verify_keyset_with(&o.core, c.ks, c.token, c.token_len, o.has_now, o.now,
                                    &c.err);
    else
        d = cjwt_verify_with(&o.core, c.key, c.token, c.token_len, o.has_now, o.now, &c.err);
    lcjwt_guard_release(&c.g);
    if (!d)
        return lcjwt_push_failure(L, NULL, &c.err);
    return lcjwt_push_decoded(L, d, mode);
}

/* decode(token, key, opts) -> claims | nil, message, code[, claim] */
int lcjwt_decode(lua_State *L)
{
    return verify_common(L, MODE_CLAIMS);
}
/* decode_complete(token, key, opts) -> {header=, payload=, signature=} | nil, ... */
int lcjwt_decode_complete(lua_State *L)
{
    return verify_common(L, MODE_COMPLETE);
}
/* jws_decode(token, key, opts) -> payload bytes | nil, ... (no claim checks);
 * the JSON serialization and detached payloads go through jws_json.c */
int lcjwt_jws_decode(lua_State *L)
{
    if (lcjwt_jws_needs_json(L))
        return lcjwt_jws_verify(L, 0);
    return verify_common(L, MODE_RAW);
}

/* decode_unsecured(token, opts) -> claims | nil, message, code[, claim]: the
 * core's cjwt_decode_unsecured (alg "none" only, no key). decode's options,
 * but none about a signature: those are unknown here, as a misspelt one. */
int lcjwt_decode_unsecured(lua_State *L)
{
    static const char *const signature_opts[] = {
        "algorithms", "verify_signature", "denylist", "cache", NULL
    };
    lverify_opts o;
    cjwt_error err;
    cjwt_decoded *d;
    size_t len;
    const char *token = check_token(L, 1, &len);
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        for (int i = 0; signature_opts[i]; i++) {
            lua_getfield(L, 2, signature_opts[i]);
            if (!lua_isnil(L, -1))
                luaL_argerror(L, 2, lua_pushfstring(L, "unknown option '%s' (an unsecured token "
                                                    "has no signature)", signature_opts[i]));
            lua_pop(L, 1);
        }
    }
    err.code = CJWT_OK;
    err.message[0] = err.claim[0] = '\0';
    o.mode = MODE_CLAIMS;
    o.compiled = 0;
    if (lcjwt_read_verify_opts(L, 2, &o, &err) != 0)
        return lcjwt_push_failure(L, NULL, &err);
    d = cjwt_decode_unsecured(&o.core, token, len, o.has_now, o.now, &err);
    if (!d)
        return lcjwt_push_failure(L, NULL, &err);
    return lcjwt_push_decoded(L, d, MODE_CLAIMS);
}

/* get_unverified_header(token) -> header table | nil, message, code */
int lcjwt_get_unverified_header(lua_State *L)
{
    size_t len;
    const char *token = check_token(L, 1, &len);
    guard *g = lcjwt_guard_new(L);
    cjwt_error err;
    memset(&err, 0, sizeof err);
    g->header = cjwt_unverified_header(token, len, &err);
    return lcjwt_return_value(L, g, &err, LCJWT_RAISING(L));
}

/* Pushes a new, empty result slot (the module's upvalue 4). */
void lcjwt_result_slot_push(lua_State *L)
{
    memset(lua_newuserdata(L, sizeof(result_slot)), 0, sizeof(result_slot));
    lua_newtable(L);
    lua_pushcfunction(L, result_slot_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
}
