-- cjwt: JSON Web Tokens for Lua 5.4 and LuaJIT (OpenResty), on the cjwt C core.
--
-- Every function raises on failure. A token or key the core refuses raises an
-- error object: a table with `code` (stable name, see docs/design.md), `message`
-- and, for missing_claim, `claim`; its metatable is cjwt.error_mt and
-- tostring(err) gives "cjwt: <code>: <message>". Misuse (wrong argument
-- types, unknown option names, values JSON cannot hold) raises a plain string
-- error. require "cjwt.safe" for the `nil, message, code` idiom.
--
-- JSON mapping (encode): a table with keys exactly 1..n is an array; a table
-- with string keys an object; an empty table an object, unless it has the
-- metatable cjwt.array_mt (or is the value cjwt.empty_array); anything else
-- (mixed or sparse keys, functions, NaN, invalid UTF-8, nesting over 64)
-- raises. cjwt.null is JSON null (and equal to cjson.null). Decoding gives
-- arrays the metatable cjwt.array_mt, so [] survives a round trip.
local core = require "cjwt.core"

local getmetatable = getmetatable
local error_mt = core.error_mt

local _M = {
    _VERSION = core._VERSION,
    null = core.null,
    empty_array = core.empty_array,
    array_mt = core.array_mt,
    error_mt = error_mt,

    -- encode(payload, key, { alg = "HS256", header = {...}, expires_in = 900 | "15m", now = t })
    encode = core.encode,
    -- decode(token, key, { algorithms = {...}, audience =, issuer =, ... }) -> claims
    decode = core.decode,
    -- decode_complete(token, key, opts) -> { header =, payload =, signature = raw bytes }
    decode_complete = core.decode_complete,
    -- decode_unsecured(token, { audience =, issuer =, leeway =, verify_exp =, ... })
    -- -> the claims of an unsecured (alg "none") token, which NOTHING vouches for;
    -- decode never returns them (the core's cjwt_decode_unsecured)
    decode_unsecured = core.decode_unsecured,
    -- get_unverified_header(token) -> header table (NOT verified)
    get_unverified_header = core.get_unverified_header,
    -- jws_encode(bytes, key, { alg =, header =, now =, detached = }) -> token over any bytes
    jws_encode = core.jws_encode,
    --     ({ header = { b64 = false } }: RFC 7797 unencoded payload; detached = true:
    --     the payload is left out of the token, "header..signature")
    -- jws_decode(token | json_serialization_table, key, { algorithms = {...},
    --     detached_payload = bytes }) -> raw payload bytes (no claim checks)
    jws_decode = core.jws_decode,
    -- jws_decode_complete(token, key, opts) -> { payload =, header =, protected =,
    --     unprotected =, signature =, signature_index = (1-based) }: the signature
    --     that verified (JSON serialization: the first with an allowed alg and the key)
    jws_decode_complete = core.jws_decode_complete,
    -- jws_encode_json(bytes, { { key =, alg =, protected = {...}, header = {...} }, ... },
    --     { flattened =, detached = }) -> the JSON serialization (RFC 7515 7.2) as text
    jws_encode_json = core.jws_encode_json,
    -- jwe_encrypt(plaintext, key, { alg =, enc =, header =, zip = "DEF", p2c = }) -> compact JWE
    jwe_encrypt = core.jwe_encrypt,
    -- jwe_decrypt(token | json_serialization_table, key, { algorithms = {...},
    --     encryptions = {...}, max_plaintext =, max_p2c =, max_token_len = }) -> plaintext
    jwe_decrypt = core.jwe_decrypt,
    -- jwe_decrypt_complete(token, key, opts) -> { header =, plaintext = }
    jwe_decrypt_complete = core.jwe_decrypt_complete,
    -- jwe_encrypt_json(plaintext, { { key =, alg =, header =, p2c = }, ... }, { enc =,
    --     protected =, unprotected =, aad =, zip =, flattened = }) -> the JSON serialization
    jwe_encrypt_json = core.jwe_encrypt_json,
    -- encode_encrypted(claims, key, { alg =, enc =, header =, zip =, p2c =, expires_in =, now =,
    --     signing_key =, algorithm =, sign_header = }) -> an encrypted JWT (nested when
    --     signing_key is given: signed with `algorithm`, then encrypted, cty "JWT")
    encode_encrypted = core.encode_encrypted,
    -- encode_nested(claims, signing_key, encryption_key, { algorithm =, alg =, enc =, ... })
    encode_nested = core.encode_nested,
    -- decode_encrypted(token, key, { algorithms = {JWE algs}, encryptions = {...},
    --     verification_key =, signature_algorithms = {JWS algs}, and decode's options })
    -- -> claims, checked as decode checks them (docs/jwe.md)
    decode_encrypted = core.decode_encrypted,
    -- decode_encrypted_complete(token, key, opts) -> { header =, payload =, jws_header = }
    decode_encrypted_complete = core.decode_encrypted_complete,
    -- decode_nested(token, decryption_key, verification_key, opts) -> claims
    decode_nested = core.decode_nested,
    -- key(secret_or_pem | jwk_table | jwk_json,
    --     { allow_short_secret =, format = "jwk"|"secret"|"pem", password =, kid =, alg = })
    -- -> key object: fields kid, alg, kty, is_private, curve, bits; methods
    --    to_jwk(private), to_pem(private), thumbprint(), with({ kid =, alg = })
    key = core.key,
    -- generate_key(alg, { kid =, crv = }) -> a new key bound to alg (key pair or random
    -- secret); crv = "Ed448" makes an Ed448 key for EdDSA
    generate_key = core.generate_key,
    -- keyset(jwks_table | jwks_json | { key, pem, jwk, ... }, { allow_short_secret = })
    -- -> key set object: #ks, size(), find(kid), get(i), to_jwks(private);
    --    decode/decode_complete/jws_decode pick its key by the token's kid
    keyset = core.keyset,
    -- verifier(decode_opts + { cache = N }) -> options compiled once;
    -- v:decode(token, key_or_set[, now]), v:decode_complete(...); with cache = N a
    -- verified-token cache: v:cache_stats() -> { hits, misses, evictions, size,
    -- capacity } (nil without one), v:cache_clear(). A verifier from cjwt.safe
    -- returns nil, message, code.
    verifier = core.verifier,
    -- String keys (secrets, PEM, JWK text) are parsed once and kept in a
    -- 32-entry most-recently-used cache per Lua state (the core's
    -- cjwt_key_cache, as in the Python binding). _key_cache_info() -> { size, maxsize, hits, misses };
    -- _key_cache_clear() empties it and resets the counters.
    _key_cache_info = core._key_cache_info,
    _key_cache_clear = core._key_cache_clear,
}

-- True when `e` is an error object raised by this module.
function _M.is_error(e)
    return getmetatable(e) == error_mt
end

return _M
