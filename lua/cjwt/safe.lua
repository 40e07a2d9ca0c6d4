-- cjwt.safe: the functions of cjwt, returning `nil, message, code[, claim]`
-- on failure instead of raising (the OpenResty idiom). Misuse (wrong
-- argument types, unknown option names, values JSON cannot hold) still
-- raises, as documented for cjson.safe's argument checks. Methods of key and
-- key-set objects raise in both modules (they fail only on misuse); a
-- verifier made by safe.verifier returns nil, message, code from its methods.
local core = require "cjwt.core"
local safe = core.safe

return {
    _VERSION = core._VERSION,
    null = core.null,
    empty_array = core.empty_array,
    array_mt = core.array_mt,

    encode = safe.encode,
    decode = safe.decode,
    decode_complete = safe.decode_complete,
    get_unverified_header = safe.get_unverified_header,
    decode_unsecured = safe.decode_unsecured,
    jws_encode = safe.jws_encode,
    jws_decode = safe.jws_decode,
    jws_decode_complete = safe.jws_decode_complete,
    jws_encode_json = safe.jws_encode_json,
    jwe_encrypt = safe.jwe_encrypt,
    jwe_decrypt = safe.jwe_decrypt,
    jwe_decrypt_complete = safe.jwe_decrypt_complete,
    jwe_encrypt_json = safe.jwe_encrypt_json,
    encode_encrypted = safe.encode_encrypted,
    encode_nested = safe.encode_nested,
    decode_encrypted = safe.decode_encrypted,
    decode_encrypted_complete = safe.decode_encrypted_complete,
    decode_nested = safe.decode_nested,
    key = safe.key,
    generate_key = safe.generate_key,
    keyset = safe.keyset,
    verifier = safe.verifier,
    -- the same key cache as cjwt's (one per Lua state)
    _key_cache_info = safe._key_cache_info,
    _key_cache_clear = safe._key_cache_clear,
}
