/* cjwt.core: the Lua binding of the cjwt core, one set of sources for Lua 5.4
 * and LuaJIT 2.1 (OpenResty's branch). This is its private header; the files
 * are laid out by concern, like the core's:
 *
 *   module.c    luaopen_cjwt_core: metatables, module tables, upvalues
 *   errors.c    error objects, `nil, message, code`, the guard userdata
 *   convert.c   Lua values <-> cjwt_value
 *   options.c   option tables: names checked, typed readers, verify/sign options
 *   key.c       cjwt.key, cjwt.generate_key, key arguments, key objects
 *   keyset.c    cjwt.keyset and key set objects
 *   keycache.c  the module's core cjwt_key_cache of parsed string keys
 *   encode.c    encode, jws_encode
 *   decode.c    decode, decode_complete, jws_decode, get_unverified_header,
 *               the denylist hook, converting a verified result
 *   verifier.c  cjwt.verifier and compiled verifier objects
 *   jwe.c       jwe_encrypt, jwe_decrypt, jwe_decrypt_complete (JWE)
 *
 * Thin by contract (docs/design.md): it converts Lua values to cjwt values
 * and back and maps core errors to `nil, message, code[, claim]`. Every
 * decision about a token is the core's. lua/cjwt/init.lua turns those
 * returns into raised error objects; lua/cjwt/safe.lua passes them through.
 * Misuse (wrong argument types, unknown option names, values JSON cannot
 * hold) raises a plain error in both, as lua-cjson does.
 *
 * Memory rule: any Lua API call may long-jump (argument errors, out of
 * memory). A C object the core hands us is therefore parked in a `guard`
 * userdata, whose __gc frees it, before the next call that can raise; the
 * normal return path frees it at once. The verify paths (the hot ones) use
 * a guard on the C stack instead, and make no Lua call that can raise while
 * it holds anything; the core's result is parked in the module's result
 * slot (upvalue 4) while it is converted, or, when that is busy, converted
 * under lua_pcall (upvalue 3) and freed before re-raising. Lua -> JSON
 * conversion makes no Lua call that can raise (the stack is reserved up
 * front) and frees its partial results itself when it fails.
 *
 * Module state: the array metatable is upvalue 1 of every function, the
 * error metatable (or false for the safe flavour) upvalue 2, the verify
 * paths' protected result converter upvalue 3, their result slot upvalue 4,
 * the key cache (string key material -> parsed key) upvalue 5, the key, key
 * set and verifier metatables upvalues 6, 7 and 8 (also in the registry, as the guard
 * metatable is: luaL_checkudata finds them there), and the table of strings
 * kept between verify calls (claim names and values, the options cache's
 * anchor: lcjwt_names) upvalue 9. No C globals hold state.
 *
 * Names: what one file uses from another is declared here with the prefix
 * lcjwt_ (hidden: only luaopen_cjwt_core is exported); the rest is static.
 */
#ifndef CJWT_LUAEXT_BINDING_H
#define CJWT_LUAEXT_BINDING_H

#include <stddef.h>
#include <stdint.h>

#include "lua.h"
#include "lauxlib.h"

#include "cjwt.h"

/* ---- Lua 5.1 / LuaJIT compatibility ------------------------------------ */

#if LUA_VERSION_NUM >= 503
#define LCJWT_INTEGERS 1     /* Lua has a separate integer subtype */
#else
#define LCJWT_INTEGERS 0     /* numbers are doubles (LuaJIT, 5.1) */
#endif

#if defined(__GNUC__)
#define LCJWT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LCJWT_PRINTF(f, a)
#endif

#define KEY_MT "cjwt.key"
#define GUARD_MT "cjwt.guard"
#define KEYSET_MT "cjwt.keyset"
#define VERIFIER_MT "cjwt.verifier"
#define ARRAY_MT_INDEX lua_upvalueindex(1)
#define ERROR_MT_INDEX lua_upvalueindex(2)
#define PUSH_DECODED_INDEX lua_upvalueindex(3)
#define RESULT_SLOT_INDEX lua_upvalueindex(4)
#define KEY_CACHE_INDEX lua_upvalueindex(5)
#define KEY_MT_INDEX lua_upvalueindex(6)
#define KEYSET_MT_INDEX lua_upvalueindex(7)
#define VERIFIER_MT_INDEX lua_upvalueindex(8)
#define KEPT_INDEX lua_upvalueindex(9)
#define N_UPVALUES 9

/* The function's flavour: raising (cjwt) or returning nil, message, code
 * (cjwt.safe). */
#define LCJWT_RAISING(L) lua_toboolean((L), ERROR_MT_INDEX)

/* Tables nested deeper than this are refused when encoding; it also stops
 * cyclic tables. The Lua stack for it is reserved before converting. */
#define MAX_NESTING 64
#define CONV_STACK (3 * MAX_NESTING + 8)
/* Verifying reserves only what its own calls push: converting the result
 * checks for room one nesting level at a time (lcjwt_push_value). A large
 * reservation would stay with the coroutine, and OpenResty clears a request
 * coroutine's whole stack when it is reused (lua_resetthread): 200 slots made
 * that ~3k instructions per request. */
#define VERIFY_STACK 24

/* Largest integer a double holds exactly (LuaJIT's integral numbers). */
#define EXACT_INT_MAX 9007199254740992.0

/* ---- errors.c: failures and the guard ------------------------------------ */

/* C objects owned by one call (see the memory rule above). */
typedef struct guard {
    cjwt_value *payload;     /* encode: the converted payload */
    cjwt_value *header;      /* encode: extra header; results returned as a table */
    cjwt_value *jwk;         /* a JWK table being turned into a key */
    cjwt_key *key;           /* a key made from a string or JWK argument, or a
                                reference to a key object's key for the call */
    cjwt_keyset *ks;         /* a reference to a key set object's set for the call */
    cjwt_decoded *decoded;
    char *text;              /* a token or text returned by the core */
} guard;

void lcjwt_set_error(cjwt_error *err, cjwt_code code, const char *fmt, ...)
    LCJWT_PRINTF(3, 4);
void lcjwt_guard_release(guard *g);
guard *lcjwt_guard_new(lua_State *L);
int lcjwt_guard_gc(lua_State *L);
int lcjwt_push_failure_ex(lua_State *L, guard *g, const cjwt_error *err, int raising);
int lcjwt_push_failure(lua_State *L, guard *g, const cjwt_error *err);
int lcjwt_return_value(lua_State *L, guard *g, const cjwt_error *err, int raising);
int lcjwt_return_text(lua_State *L, guard *g, size_t len, const cjwt_error *err, int raising);
int lcjwt_error_tostring(lua_State *L);

/* ---- convert.c: Lua <-> cjwt_value --------------------------------------- */

extern const char lcjwt_empty_array_marker;
int lcjwt_number_to_int64(lua_State *L, int idx, double min, double max, int64_t *out);
cjwt_value *lcjwt_table_arg_to_value(lua_State *L, int idx, int arg, const char *what);
void lcjwt_push_value(lua_State *L, const cjwt_value *v);

/* The member names of the last claims object converted (decode.c keeps one
 * per module, in its result slot), so that the next token's names, most
 * often the same, are pushed from a table of those strings rather than
 * made again. `n` names end at end[0..n) in bytes; the strings are at
 * 1..n of the table given with them (the module's upvalue 9).
 *
 * Likewise the string values of the claims (the object's members and what
 * they hold, arrays included) are kept by their position in the value's
 * item layout (cjwt_value_items): item p's string, when it has the same
 * bytes as the one kept for p, is pushed from the table (slot
 * LCJWT_KEPT_SLOT(p)) instead of made again; `iss`, `aud`, `role`, scopes
 * repeat from one token to the next. A value is compared byte for byte
 * before it is reused, so a token never gets another token's value. */
#define LCJWT_NAMES_MAX 24
#define LCJWT_NAMES_BYTES 256
#define LCJWT_KEPT_MAX 32            /* item positions 0..31 */
#define LCJWT_KEPT_BYTES 48          /* longer values are not kept */
#define LCJWT_ANCHOR_SLOT (LCJWT_NAMES_MAX + 1)          /* the options cache's */
#define LCJWT_KEPT_SLOT(p) (LCJWT_NAMES_MAX + 2 + (int)(p))
#define LCJWT_SLOTS (LCJWT_NAMES_MAX + 1 + LCJWT_KEPT_MAX)
typedef struct lcjwt_names {
    unsigned n;
    uint16_t end[LCJWT_NAMES_MAX];
    char bytes[LCJWT_NAMES_BYTES];
    unsigned char kept_len[LCJWT_KEPT_MAX];      /* length + 1; 0: nothing kept */
    char kept[LCJWT_KEPT_MAX][LCJWT_KEPT_BYTES];
} lcjwt_names;
void lcjwt_names_table_push(lua_State *L);
void lcjwt_push_claims(lua_State *L, const cjwt_value *v, lcjwt_names *names, int table);
void lcjwt_push_counter(lua_State *L, uint64_t n);

/* ---- options.c: option tables -------------------------------------------- */

int lcjwt_opts_arg(lua_State *L, int arg, const char *const *known);
int lcjwt_opt_push(lua_State *L, int opts, const char *name);
int lcjwt_opt_type_error(lua_State *L, int arg, const char *name, const char *expected);
const char *lcjwt_opt_string(lua_State *L, int opts, int arg, const char *name);
int lcjwt_opt_bool_arg(lua_State *L, int arg);
int lcjwt_alg_from_lua(lua_State *L, int idx, cjwt_alg *alg, cjwt_error *err);
int lcjwt_read_sign_opts(lua_State *L, int opts, int arg, int jwt, cjwt_sign_opts *so,
                         cjwt_error *err);

enum verify_mode { MODE_CLAIMS, MODE_COMPLETE, MODE_RAW };

/* The verify options, collected in one pass over the table: the stack index
 * of each known option's value (0: absent). */
enum {
    VO_ALGORITHMS, VO_AUDIENCE, VO_ISSUER, VO_SUBJECT, VO_LEEWAY, VO_REQUIRE, VO_TYP,
    VO_MAX_AGE, VO_NOW, VO_VERIFY_SIGNATURE, VO_VERIFY_EXP, VO_VERIFY_NBF, VO_VERIFY_IAT,
    VO_VERIFY_AUD, VO_VERIFY_ISS, VO_VERIFY_SUB, VO_VERIFY_JTI, VO_STRICT_AUD,
    VO_MAX_TOKEN_LEN, VO_MAX_DEPTH, VO_DENYLIST, VO_CACHE, VO_DETACHED_PAYLOAD, VO__COUNT
};

/* Small lists of strings are held here rather than in a userdata. */
#define VO_INLINE 4

typedef struct vo_slots {
    int at[VO__COUNT];                   /* stack index of each option, 0: absent */
    const char *aud[VO_INLINE], *iss[VO_INLINE], *req[VO_INLINE];
} vo_slots;

/* The options of a verify call, or of cjwt.verifier (`compiled`), read from
 * one table by lcjwt_read_verify_opts. The values stay on the Lua stack
 * (strings the core options point to are borrowed from them) until the call
 * returns. */
typedef struct lverify_opts {
    /* set by the caller */
    enum verify_mode mode;       /* what the call returns (cjwt.verifier: MODE_CLAIMS) */
    int compiled;                /* cjwt.verifier: opts.cache is allowed */
    /* read from the table */
    cjwt_verify_opts core;       /* for the core (revocation: set by the caller) */
    int has_now;                 /* opts.now */
    double now;
    int denylist;                /* stack index of opts.denylist, 0: none */
    int cached;                  /* taken from the options cache (not on the stack) */
    vo_slots slots;              /* where each option's value is on the stack */
} lverify_opts;

int lcjwt_read_verify_opts(lua_State *L, int arg, lverify_opts *o, cjwt_error *err);

/* The last options table of decode / decode_complete / jws_decode, read
 * (options.c): the same table again, with the same raw contents (every key
 * and value identical, lists item by item), gives the same options without
 * reading them again. Everything it points to is anchored by the module
 * (lcjwt_opts_cache_anchor), so no address can be reused while it is kept.
 * One per module, in the result slot (decode.c). */
#define OC_ENTRIES 12            /* members of an options table */
#define OC_LISTS 4               /* algorithms, audience, issuer, require */
#define OC_LIST_ITEMS 4
typedef struct oc_value {
    int type;                    /* LUA_T*; 0 when unused */
    int is_int;                  /* a Lua 5.4 integer */
    const void *p;               /* string, table, function: the object */
    lua_Number n;                /* number, boolean */
} oc_value;
typedef struct oc_list {
    int n;
    oc_value keys[OC_LIST_ITEMS], vals[OC_LIST_ITEMS];
} oc_list;
typedef struct lcjwt_opts_cache {
    const void *table;           /* NULL: nothing kept */
    enum verify_mode mode;
    int n, n_lists;
    oc_value keys[OC_ENTRIES], vals[OC_ENTRIES];
    signed char list_of[OC_ENTRIES];   /* index into lists, or -1 */
    oc_list lists[OC_LISTS];
    cjwt_verify_opts core;       /* its lists point at the arrays below */
    int has_now;
    double now;
    const char *aud[VO_INLINE], *iss[VO_INLINE], *req[VO_INLINE];
} lcjwt_opts_cache;
lcjwt_opts_cache *lcjwt_opts_cache_get(lua_State *L);
void lcjwt_opts_cache_anchor(lua_State *L);
void lcjwt_opts_cache_anchor_push(lua_State *L);

/* ---- key.c and keyset.c: key objects --------------------------------------- */

typedef struct lkey {
    cjwt_key *key;           /* NULL once collected or closed */
} lkey;

typedef struct lkeyset {
    cjwt_keyset *ks;         /* NULL once collected or closed */
} lkeyset;

/* Options of cjwt.key and cjwt.keyset, read (and checked) before anything is
 * allocated. */
typedef struct key_opts {
    unsigned flags;
    const char *format;          /* NULL, "jwk", "secret" or "pem" */
    const char *password;        /* PEM pass phrase (borrowed from opts) */
    size_t password_len;
    int has_kid, has_alg;        /* rebind the made key to this kid / alg */
    const char *kid;
    cjwt_alg alg;
} key_opts;

lkey *lcjwt_test_key(lua_State *L, int idx);
void lcjwt_check_key_arg(lua_State *L, int arg, int allow_set);
const cjwt_key *lcjwt_resolve_key(lua_State *L, int arg, guard *g, cjwt_error *err,
                                  const cjwt_keyset **ks);
int lcjwt_read_key_opts(lua_State *L, int opts, int arg, int material_type, key_opts *ko,
                        cjwt_error *err);
lkey *lcjwt_push_new_key(lua_State *L);
int lcjwt_make_key(lua_State *L, int idx, int arg, const key_opts *ko, cjwt_error *err);

int lcjwt_key(lua_State *L);
int lcjwt_generate_key(lua_State *L);
int lcjwt_key_index(lua_State *L);
int lcjwt_key_gc(lua_State *L);
int lcjwt_key_tostring(lua_State *L);
extern const luaL_Reg lcjwt_key_methods[];

int lcjwt_keyset(lua_State *L);
int lcjwt_keyset_size(lua_State *L);
int lcjwt_keyset_gc(lua_State *L);
int lcjwt_keyset_tostring(lua_State *L);
extern const luaL_Reg lcjwt_keyset_methods[];

/* ---- keycache.c: string key material -> parsed key ------------------------ */

void lcjwt_key_cache_push(lua_State *L);
cjwt_key *lcjwt_key_cache_get(lua_State *L, const char *s, size_t len, cjwt_error *err);
int lcjwt_key_cache_info(lua_State *L);
int lcjwt_key_cache_clear(lua_State *L);

/* ---- encode.c ----------------------------------------------------------------- */

int lcjwt_encode(lua_State *L);
int lcjwt_jws_encode(lua_State *L);

/* ---- jwe.c: JWE (docs/jwe.md) ------------------------------------------------- */

int lcjwt_jwe_encrypt(lua_State *L);
int lcjwt_jwe_decrypt(lua_State *L);
int lcjwt_jwe_decrypt_complete(lua_State *L);
int lcjwt_jwe_encrypt_json(lua_State *L);
int lcjwt_encode_encrypted(lua_State *L);
int lcjwt_encode_nested(lua_State *L);
int lcjwt_decode_encrypted(lua_State *L);
int lcjwt_decode_encrypted_complete(lua_State *L);
int lcjwt_decode_nested(lua_State *L);

/* ---- decode.c: the verify paths ---------------------------------------------- */

/* The denylist hook's context: the Lua state and the stack indexes of the
 * closure it calls and of the user's function. */
typedef struct lrevoke {
    lua_State *L;
    int call;                /* stack index of the denylist_call closure */
    int fn;                  /* stack index of the user's function */
} lrevoke;

/* One verify call (cjwt.decode..., v:decode...): its arguments, the key or
 * key set the core verifies with, and what it owns. Lives on the C stack;
 * no Lua call that can raise runs while `g` holds anything. */
typedef struct lverify_call {
    const char *token;
    size_t token_len;
    int key_arg;                 /* stack index of the key argument */
    lkey *kobj;                  /* the key argument, when a key object */
    lkeyset *sobj;               /* the key argument, when a key set object */
    const cjwt_key *key;         /* what the core verifies with: a key, */
    const cjwt_keyset *ks;       /* or a key set */
    guard g;                     /* the call's own references */
    cjwt_error err;
} lverify_call;

int lcjwt_denylist_hook(void *ctx, const cjwt_value *payload, cjwt_error *err);
void lcjwt_denylist_prepare(lua_State *L, int fn, lrevoke *r);
void lcjwt_verify_call_args(lua_State *L, lverify_call *c, int token_arg, int key_arg);
int lcjwt_verify_call_keys(lua_State *L, lverify_call *c);
int lcjwt_push_decoded(lua_State *L, cjwt_decoded *d, enum verify_mode mode);
void lcjwt_result_slot_push(lua_State *L);
int lcjwt_push_decoded_call(lua_State *L);

int lcjwt_decode(lua_State *L);
int lcjwt_decode_unsecured(lua_State *L);
int lcjwt_decode_complete(lua_State *L);
int lcjwt_jws_decode(lua_State *L);

/* ---- jws_json.c: JWS JSON serialization, detached payloads (RFC 7797) ---------- */

/* 1 when jws_decode's arguments need cjwt_jws_verify (a table or JSON text,
 * a detached payload). */
int lcjwt_jws_needs_json(lua_State *L);
int lcjwt_jws_verify(lua_State *L, int complete);
int lcjwt_jws_decode_complete(lua_State *L);
int lcjwt_jws_encode_json(lua_State *L);
int lcjwt_get_unverified_header(lua_State *L);

/* ---- verifier.c ----------------------------------------------------------------- */

int lcjwt_verifier(lua_State *L);
int lcjwt_verifier_gc(lua_State *L);
int lcjwt_verifier_tostring(lua_State *L);
extern const luaL_Reg lcjwt_verifier_methods[];

#endif
