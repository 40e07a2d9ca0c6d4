/* JWS JSON serialization, detached payloads and RFC 7797 "b64". The first
 * input byte picks a mode:
 *   0: byte 1 picks the key (0 HMAC, 1 EC, 2 a key set of both), bit 0x80 a
 *      detached payload ("payload"); the rest is a JWS (compact or JSON
 *      text), verified with every algorithm allowed. A success must name an
 *      allowed algorithm, a signature index in range and an object header.
 *   1: byte 1 holds flags (0x01 flattened, 0x02 detached, 0x04 two
 *      signers: HMAC and EC); the rest is "protected JSON\nunprotected
 *      JSON\npayload": signed with cjwt_jws_json_encode, which may refuse
 *      the headers; what it signs must verify with the same key and
 *      payload, unless the protected header marks an unknown extension
 *      critical or names a kid the key does not have. */
#include "fuzz_common.h"

static cjwt_key *hk, *ek, *ek_pub;
static cjwt_keyset *ks;
static const unsigned char SECRET[64] = "fuzz secret of sixty-four bytes for HS256, HS384 and HS512 ...";

static void init(void)
{
    cjwt_value *j;
    char *t;
    cjwt_key *both[2];
    hk = cjwt_key_from_secret(SECRET, sizeof SECRET, 0, NULL);
    ek = fuzz_pem_key(FUZZ_EC_PRIVATE_PEM);
    j = cjwt_key_to_jwk(ek, 0, NULL);
    t = cjwt_value_to_json(j, NULL, NULL);
    ek_pub = cjwt_key_from_jwk_json(t, strlen(t), 0, NULL);
    cjwt_free(t);
    cjwt_value_free(j);
    FUZZ_ASSERT(hk && ek && ek_pub);
    both[0] = cjwt_key_with(ek_pub, "ec", CJWT_ALG__COUNT, NULL);
    both[1] = cjwt_key_with(ek_pub, "ec2", CJWT_ALG_ES256, NULL);
    ks = cjwt_keyset_new(both, 2, NULL);
    FUZZ_ASSERT(ks);
    cjwt_key_free(both[0]);
    cjwt_key_free(both[1]);
}

static uint32_t all_algs(void)
{
    uint32_t bits = 0;
    for (int a = 0; a < CJWT_ALG__COUNT; a++)
        bits |= CJWT_ALG_BIT(a);
    return bits;
}

static void check(cjwt_decoded *d, const cjwt_verify_opts *o, const cjwt_error *err)
{
    if (d) {
        FUZZ_ASSERT(o->algorithms & CJWT_ALG_BIT(cjwt_decoded_alg(d)));
        FUZZ_ASSERT(cjwt_decoded_alg(d) != CJWT_ALG_NONE);
        FUZZ_ASSERT(cjwt_decoded_signature_index(d) < CJWT_JWS_MAX_SIGNATURES);
        FUZZ_ASSERT(cjwt_value_type(cjwt_decoded_header(d)) == CJWT_TYPE_OBJECT);
        cjwt_decoded_free(d);
    } else {
        fuzz_check_error(err);
    }
}

static cjwt_value *parse(const uint8_t *p, size_t n)
{
    if (n == 0)
        return NULL;
    return cjwt_value_from_json((const char *)p, n, NULL);
}

static void sign_and_verify(uint8_t flags, const uint8_t *data, size_t size)
{
    const uint8_t *nl1 = memchr(data, '\n', size), *nl2;
    const uint8_t *payload;
    size_t pn;
    cjwt_value *prot, *unprot;
    cjwt_jws_signer s[2];
    cjwt_jws_json_opts jo;
    cjwt_verify_opts o;
    cjwt_error err;
    cjwt_decoded *d;
    const cjwt_value *crit, *kid;
    char *text;
    size_t len;
    if (!nl1)
        return;
    nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - data));
    if (!nl2)
        return;
    payload = nl2 + 1;
    pn = size - (size_t)(payload - data);
    prot = parse(data, (size_t)(nl1 - data));
    unprot = parse(nl1 + 1, (size_t)(nl2 - nl1 - 1));
    s[0].key = hk;
    s[0].alg = CJWT_ALG_HS256;
    s[0].protected_header = prot;
    s[0].header = unprot;
    s[1].key = ek;
    s[1].alg = CJWT_ALG_ES256;
    s[1].protected_header = prot;
    s[1].header = NULL;
    memset(&jo, 0, sizeof jo);
    jo.signers = s;
    jo.n_signers = (flags & 0x04) && !(flags & 0x01) ? 2 : 1;
    jo.flattened = flags & 0x01;
    jo.detached = (flags & 0x02) != 0;
    text = cjwt_jws_json_encode(payload, pn, &jo, &len, &err);
    if (!text) {
        fuzz_check_error(&err);
        goto out;
    }
    memset(&o, 0, sizeof o);
    o.algorithms = CJWT_ALG_BIT(CJWT_ALG_HS256) | CJWT_ALG_BIT(CJWT_ALG_ES256);
    o.max_token_len = len + 1;
    crit = prot ? cjwt_value_object_get(prot, "crit") : NULL;
    kid = prot ? cjwt_value_object_get(prot, "kid") : NULL;
    if (!kid && unprot)
        kid = cjwt_value_object_get(unprot, "kid");
    d = cjwt_jws_verify(&o, hk, NULL, text, len, jo.detached ? payload : NULL, jo.detached ? pn : 0, &err);
    if (!d) {
        /* signed by cjwt, refused by cjwt: only for an extension it cannot
         * honour, or a header too deep for the verifier's limit */
        if (!(crit || err.code == CJWT_E_TOO_LARGE))
            fprintf(stderr, "refused: %s\n%.*s\n", err.message, (int)len, text);
        FUZZ_ASSERT(crit || err.code == CJWT_E_TOO_LARGE);
        (void)kid;
    } else {
        size_t n;
        const unsigned char *p = cjwt_decoded_payload_bytes(d, &n);
        FUZZ_ASSERT(n == pn && (pn == 0 || memcmp(p, payload, pn) == 0));
        FUZZ_ASSERT(cjwt_decoded_signature_index(d) == 0);
        cjwt_decoded_free(d);
    }
    if (jo.n_signers == 2) {
        d = cjwt_jws_verify(&o, ek_pub, NULL, text, len, jo.detached ? payload : NULL, jo.detached ? pn : 0, &err);
        if (d)
            FUZZ_ASSERT(cjwt_decoded_signature_index(d) == 1);
        else
            fuzz_check_error(&err);
        cjwt_decoded_free(d);
    }
    cjwt_free(text);
out:
    cjwt_value_free(prot);
    cjwt_value_free(unprot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    cjwt_verify_opts o;
    cjwt_error err;
    cjwt_decoded *d;
    if (!ready) {
        init();
        ready = 1;
    }
    if (size < 2)
        return 0;
    if (data[0] == 1) {
        sign_and_verify(data[1], data + 2, size - 2);
        return 0;
    }
    memset(&o, 0, sizeof o);
    o.algorithms = all_algs();
    {
        int which = (data[1] & 0x7f) % 3;
        const unsigned char *det = (data[1] & 0x80) ? (const unsigned char *)"payload" : NULL;
        d = cjwt_jws_verify(&o, which == 0 ? hk : which == 1 ? ek_pub : NULL, which == 2 ? ks : NULL,
                            (const char *)data + 2, size - 2, det, det ? 7 : 0, &err);
        check(d, &o, &err);
    }
    return 0;
}
