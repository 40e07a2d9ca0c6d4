/* Verification settings compiled once into an immutable object: the
 * strings are copied into one allocation owned by the verifier, so the
 * caller's options can be released and threads can share the result. The
 * optional verified-token cache (cache.c) is the one mutable part, behind
 * its own mutex. */
#include "cjwt_internal.h"

#include <stdlib.h>
#include <string.h>

struct cjwt_verifier {
    cjwt_verify_opts opts;     /* pointers into `arena` */
    char *arena;
    cjwtp_cache *cache;        /* NULL: no cache */
};

static size_t list_size(const char *const *l, size_t n)
{
    size_t s = n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        s += strlen(l[i]) + 1;
    return s;
}

/* Copies n strings into the arena: the pointer array first, then the text. */
static const char *const *copy_list(const char *const *l, size_t n, char **cursor)
{
    const char **out;
    char *text;
    if (n == 0)
        return NULL;
    out = (const char **)(void *)*cursor;
    text = *cursor + n * sizeof(char *);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(l[i]) + 1;
        memcpy(text, l[i], len);
        out[i] = text;
        text += len;
    }
    *cursor = text;
    return out;
}

static const char *copy_str(const char *s, char **cursor)
{
    char *out = *cursor;
    size_t len;
    if (!s)
        return NULL;
    len = strlen(s) + 1;
    memcpy(out, s, len);
    *cursor += len;
    return out;
}

static int lists_ok(const char *const *l, size_t n)
{
    if (n && !l)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!l[i])
            return 0;
    return 1;
}

cjwt_verifier *cjwt_verifier_new(const cjwt_verify_opts *o, cjwt_error *err)
{
    cjwt_verifier *v;
    size_t size;
    char *cursor;
    cjwtp_error_clear(err);
    if (!o || !lists_ok(o->audience, o->n_audience) || !lists_ok(o->issuer, o->n_issuer) ||
        !lists_ok(o->required, o->n_required) || !(o->leeway >= 0) ||
        (o->has_max_age && !(o->max_age >= 0))) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "invalid verification options");
        return NULL;
    }
    if (o->cache_size > CJWT_MAX_CACHE_SIZE) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "cache_size %zu is over the limit (%zu)", o->cache_size,
                   CJWT_MAX_CACHE_SIZE);
        return NULL;
    }
    /* Only tokens whose signature was checked are worth remembering, and
     * only they are tied to a key object: asking for a cache otherwise is a
     * mistake worth saying, not a cache that silently never fills. */
    if (o->cache_size && !(cjwtp_effective_checks(o) & CJWT_CHECK_SIGNATURE)) {
        cjwtp_fail(err, CJWT_E_INTERNAL, "a verified-token cache needs the signature check "
                   "(a verifier that does not check signatures caches nothing)");
        return NULL;
    }
    /* pointer arrays first, so they stay aligned */
    size = list_size(o->audience, o->n_audience) + list_size(o->issuer, o->n_issuer) +
           list_size(o->required, o->n_required) + (o->subject ? strlen(o->subject) + 1 : 0) +
           (o->typ ? strlen(o->typ) + 1 : 0) + 3 * sizeof(char *);
    v = calloc(1, sizeof *v);
    if (!v || !(v->arena = malloc(size ? size : 1))) {
        free(v);
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory creating a verifier");
        return NULL;
    }
    v->opts = *o;
    if (o->cache_size && !(v->cache = cjwtp_cache_new(o->cache_size))) {
        free(v->arena);
        free(v);
        cjwtp_fail(err, CJWT_E_NO_MEMORY, "out of memory creating a verifier's cache");
        return NULL;
    }
    cursor = v->arena;
    /* Each list is pointer-aligned: lists are copied in turn and a list's
     * text is followed by the next list's pointers, so pad between them. */
    v->opts.audience = copy_list(o->audience, o->n_audience, &cursor);
    cursor += (sizeof(char *) - ((size_t)(cursor - v->arena) % sizeof(char *))) % sizeof(char *);
    v->opts.issuer = copy_list(o->issuer, o->n_issuer, &cursor);
    cursor += (sizeof(char *) - ((size_t)(cursor - v->arena) % sizeof(char *))) % sizeof(char *);
    v->opts.required = copy_list(o->required, o->n_required, &cursor);
    v->opts.subject = copy_str(o->subject, &cursor);
    v->opts.typ = copy_str(o->typ, &cursor);
    return v;
}

void cjwt_verifier_free(cjwt_verifier *v)
{
    if (!v)
        return;
    cjwtp_cache_free(v->cache);
    free(v->arena);
    free(v);
}

int cjwt_verifier_cache_stats(const cjwt_verifier *v, cjwt_cache_stats *out)
{
    if (!out)
        return v && v->cache ? 1 : 0;
    memset(out, 0, sizeof *out);
    if (!v || !v->cache)
        return 0;
    cjwtp_cache_stats(v->cache, out);
    return 1;
}

void cjwt_verifier_cache_clear(const cjwt_verifier *v)
{
    if (v && v->cache)
        cjwtp_cache_clear(v->cache);
}

/* A verification through the cache: a hit re-applies the time rules and the
 * revocation hook (the only parts of the answer that can change for the same
 * bytes, verifier and key object); a miss runs the pipeline and remembers
 * the result. */
static cjwt_decoded *verify_cached(const cjwt_verifier *v, const void *keyobj, int is_set,
                                   const char *token, size_t len, int has_now, double now,
                                   cjwt_error *err)
{
    const cjwt_verify_opts *o = &v->opts;
    size_t max_len = o->max_token_len ? o->max_token_len : CJWT_DEFAULT_MAX_TOKEN_LEN;
    cjwtp_times times;
    cjwt_decoded *d;
    uint64_t hash;

    if (!token || len > max_len)   /* the pipeline says why */
        return cjwtp_verify_impl(o, is_set ? NULL : keyobj, is_set ? keyobj : NULL, token, len,
                                 NULL, 0, has_now, now, NULL, err);
    hash = cjwtp_cache_hash(v->cache, token, len);
    d = cjwtp_cache_get(v->cache, hash, keyobj, token, len, &times);
    if (d) {
        cjwtp_error_clear(err);
        if (o->raw_payload)
            return d;
        if (cjwtp_resolve_now(has_now, &now, err) != CJWT_OK)
            goto fail;
        if (cjwtp_check_times(o, &times, now, err) != CJWT_OK) {
            cjwtp_cache_drop(v->cache, hash, token, len, d);
            goto fail;
        }
        if (o->revocation && cjwtp_check_revocation(o, cjwt_decoded_payload(d), err) != CJWT_OK)
            goto fail;
        return d;
    }
    d = cjwtp_verify_impl(o, is_set ? NULL : keyobj, is_set ? keyobj : NULL, token, len, NULL, 0,
                          has_now, now, &times, err);
    if (d)
        cjwtp_cache_put(v->cache, hash, keyobj, is_set, token, len, d, &times);
    return d;
fail:
    cjwt_decoded_free(d);
    return NULL;
}

cjwt_decoded *cjwt_verify(const cjwt_verifier *v, const cjwt_key *key, const char *token,
                          size_t len, int has_now, double now, cjwt_error *err)
{
    if (!v) {
        cjwtp_error_clear(err);
        cjwtp_fail(err, CJWT_E_INTERNAL, "no verifier given");
        return NULL;
    }
    if (v->cache && key)
        return verify_cached(v, key, 0, token, len, has_now, now, err);
    return cjwt_verify_with(&v->opts, key, token, len, has_now, now, err);
}

cjwt_decoded *cjwt_verify_keyset(const cjwt_verifier *v, const cjwt_keyset *ks, const char *token,
                                 size_t len, int has_now, double now, cjwt_error *err)
{
    if (!v) {
        cjwtp_error_clear(err);
        cjwtp_fail(err, CJWT_E_INTERNAL, "no verifier given");
        return NULL;
    }
    if (v->cache && ks)
        return verify_cached(v, ks, 1, token, len, has_now, now, err);
    return cjwt_verify_keyset_with(&v->opts, ks, token, len, has_now, now, err);
}
