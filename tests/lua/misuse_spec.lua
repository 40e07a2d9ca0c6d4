-- Misuse (wrong argument types, unknown options, values JSON cannot hold)
-- raises a plain string error in BOTH cjwt and cjwt.safe, as lua-cjson does.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local S = string.rep("m", 32)
local TOKEN = cjwt.encode({ a = 1 }, S)
local ALGS = { algorithms = { "HS256" } }
local cyclic = {}
cyclic.self = cyclic
local deep = {}
do
    local t = deep
    for _ = 1, 100 do
        t.n = {}
        t = t.n
    end
end

-- { description, function name, args (packed), expected message fragment }
local ROWS = {
    { "token not a string", "decode", { 42, S, ALGS }, "token string expected" },
    { "token nil", "decode", { nil, S, ALGS }, "token string expected" },
    { "key of wrong type", "decode", { TOKEN, 42, ALGS }, "key must be" },
    { "key a function", "encode", { {}, print }, "key must be" },
    { "opts not a table", "decode", { TOKEN, S, "HS256" }, "table expected" },
    { "unknown option", "decode", { TOKEN, S, { algorithms = { "HS256" }, isuer = "x" } },
      "unknown option 'isuer'" },
    { "numeric option name", "decode", { TOKEN, S, { "HS256" } }, "option names must be strings" },
    { "algorithms a string", "decode", { TOKEN, S, { algorithms = "HS256" } }, "list of strings" },
    { "algorithms with a number", "decode", { TOKEN, S, { algorithms = { 1 } } }, "must be strings" },
    { "audience a number", "decode", { TOKEN, S, { algorithms = { "HS256" }, audience = 1 } },
      "string or list of strings" },
    { "leeway a string", "decode", { TOKEN, S, { algorithms = { "HS256" }, leeway = "30" } },
      "number expected" },
    { "verify_exp not boolean", "decode", { TOKEN, S, { algorithms = { "HS256" }, verify_exp = 0 } },
      "boolean expected" },
    { "max_token_len negative", "decode", { TOKEN, S, { algorithms = { "HS256" }, max_token_len = -1 } },
      "non-negative integer" },
    { "issuer with a NUL", "decode", { TOKEN, S, { algorithms = { "HS256" }, issuer = "a\0b" } },
      "NUL" },
    { "payload not a table", "encode", { "claims", S }, "table expected" },
    { "payload with a function", "encode", { { f = print }, S }, "function has no JSON form" },
    { "payload with invalid UTF-8", "encode", { { s = "\255" }, S }, "not valid UTF-8" },
    { "payload with invalid UTF-8 deep in a list", "encode", { { l = { "ok", { "\192" } } }, S },
      "not valid UTF-8" },
    { "member name with invalid UTF-8", "encode", { { ["\255"] = 1 }, S }, "member name" },
    { "payload with NaN", "encode", { { n = 0 / 0 }, S }, "NaN" },
    { "payload with infinity", "encode", { { n = math.huge }, S }, "NaN and infinity" },
    { "mixed table", "encode", { { 1, a = 2 }, S }, "array (keys 1..n) or an object" },
    { "sparse array", "encode", { { l = { 1, nil, 3 } }, S }, "keys 1..n" },
    { "non-string key", "encode", { { [true] = 1 }, S }, "array (keys 1..n) or an object" },
    { "cyclic table", "encode", { cyclic, S }, "nested more than 64" },
    { "too deep", "encode", { deep, S }, "nested more than 64" },
    { "a coroutine value", "encode", { { c = coroutine.create(print) }, S }, "has no JSON form" },
    { "header not a table", "encode", { {}, S, { header = "kid" } }, "table expected" },
    { "header with a function", "encode", { {}, S, { header = { kid = print } } }, "header" },
    { "bad duration", "encode", { {}, S, { expires_in = "soon" } }, "invalid duration" },
    { "fractional expires_in", "encode", { {}, S, { expires_in = 1.5 } }, "whole number" },
    { "expires_in for jws_encode", "jws_encode", { "x", S, { expires_in = 5 } }, "unknown option" },
    { "jws data not a string", "jws_encode", { {}, S }, "string expected" },
    { "key material a number", "key", { 42 }, "string or JWK table expected" },
    { "key option of wrong type", "key", { S, { allow_short_secret = "yes" } }, "boolean expected" },
    { "key format unknown", "key", { S, { format = "der" } }, "format" },
    { "JWK table with a function", "key", { { kty = "oct", k = print } }, "cannot encode JWK" },
    { "JWK table with invalid UTF-8", "decode", { TOKEN, { kty = "oct", k = "\255" }, ALGS },
      "cannot encode JWK" },
    { "header token not a string", "get_unverified_header", { {} }, "token string expected" },
}

describe("misuse raises a plain error", function()
    for _, mod in ipairs({ { "cjwt", cjwt }, { "cjwt.safe", safe } }) do
        for _, row in ipairs(ROWS) do
            it(mod[1] .. "." .. row[2] .. ": " .. row[1], function()
                local args = row[3]
                local ok, err = pcall(mod[2][row[2]], args[1], args[2], args[3])
                assert.is_false(ok)
                assert.is_string(err, "expected a plain error, got " .. tostring(err))
                assert.truthy(err:find(row[4], 1, true), "message was: " .. err)
                assert.truthy(err:find("bad argument", 1, true), "message was: " .. err)
            end)
        end
    end

    it("a payload of valid tables still encodes after all that", function()
        assert.is_string(cjwt.encode({ a = { 1, 2 } }, S))
    end)
end)
