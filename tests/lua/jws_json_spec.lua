-- JWS JSON serialization, detached payloads and RFC 7797 ("b64": false) in Lua:
-- the shared vectors tests/vectors/jws_rfc.json (RFC 7520 section 4, RFC 7797
-- section 4, threats) as text and as tables, round trips of jws_encode /
-- jws_encode_json, the JWT refusal, and the cjwt.safe variants.
local cjson = require "cjson"
local cjwt = require "cjwt"
local safe = require "cjwt.safe"
local V = dofile("tests/lua/vectorlib.lua")

local SECRET = string.rep("s", 64)
local CASES = V.read_json("tests/vectors/jws_rfc.json").cases

local function verify(case, token)
    local opts = { algorithms = case.options.algorithms, detached_payload = case.detached }
    if case.mode == "jwt" then
        opts.detached_payload = nil
        return safe.decode(token, case.key.jwk, opts)
    end
    return safe.jws_decode_complete(token, case.key.jwk, opts)
end

describe("JWS JSON serialization and RFC 7797", function()
    it("has every RFC 7520 section 4 and RFC 7797 section 4 example", function()
        local n7520, n7797, threats = 0, 0, 0
        for _, c in ipairs(CASES) do
            if c.source:sub(1, 8) == "RFC 7520" then n7520 = n7520 + 1 end
            if c.source:sub(1, 8) == "RFC 7797" then n7797 = n7797 + 1 end
            if c.source == "threat" then threats = threats + 1 end
        end
        assert.are.equal(24, n7520)
        assert.are.equal(6, n7797)
        assert.is_true(threats > 40)
    end)

    for _, case in ipairs(CASES) do
        it("vector " .. case.name, function()
            local forms = { case.token or cjson.encode(case.jws) }
            if case.jws and not case.jws[1] then forms[2] = case.jws end   -- a table too
            for _, token in ipairs(forms) do
                local got, msg, code = verify(case, token)
                if case.expect.error then
                    assert.is_nil(got)
                    assert.are.equal(case.expect.error, code, msg)
                else
                    assert.is_table(got, msg)
                    assert.are.equal(case.expect.payload, got.payload)
                    assert.are.equal(case.expect.alg, got.header.alg)
                    assert.are.equal(case.expect.signature_index + 1, got.signature_index)
                    local raw = cjwt.jws_decode(token, case.key.jwk, {
                        algorithms = case.options.algorithms, detached_payload = case.detached })
                    assert.are.equal(got.payload, raw)
                end
            end
        end)
    end

    it("signs compact unencoded and detached payloads", function()
        local tok = cjwt.jws_encode("$02 text", SECRET, { alg = "HS256", header = { b64 = false } })
        local h = cjwt.get_unverified_header(tok)
        assert.are.equal(false, h.b64)
        assert.are.same({ "b64" }, setmetatable(h.crit, nil))
        assert.are.equal("$02 text", cjwt.jws_decode(tok, SECRET, { algorithms = { "HS256" } }))
        local _, _, code = safe.jws_encode("a.b", SECRET, { alg = "HS256", header = { b64 = false } })
        assert.are.equal("malformed", code)
        tok = cjwt.jws_encode("a.b\0\255", SECRET, { alg = "HS256", header = { b64 = false }, detached = true })
        assert.is_truthy(tok:find("..", 1, true))
        assert.are.equal("a.b\0\255", cjwt.jws_decode(tok, SECRET,
            { algorithms = { "HS256" }, detached_payload = "a.b\0\255" }))
        local _, _, c2 = safe.jws_decode(tok, SECRET, { algorithms = { "HS256" }, detached_payload = "other" })
        assert.are.equal("bad_signature", c2)
        tok = cjwt.jws_encode("bytes", SECRET, { alg = "HS256", detached = true })
        assert.are.equal("bytes", cjwt.jws_decode(tok, SECRET, { algorithms = { "HS256" }, detached_payload = "bytes" }))
    end)

    it("never lets a JWT be unencoded or detached", function()
        local _, msg, code = safe.encode({ sub = "x" }, SECRET, { alg = "HS256", header = { b64 = false } })
        assert.are.equal("malformed", code)
        assert.is_truthy(msg:find("b64", 1, true))
        local tok = cjwt.jws_encode('{"sub":"x"}', SECRET, { alg = "HS256", header = { b64 = false } })
        local _, _, c2 = safe.decode(tok, SECRET, { algorithms = { "HS256" } })
        assert.are.equal("malformed", c2)
        -- misuse: the option belongs to jws_decode
        assert.has_error(function()
            cjwt.decode(tok, SECRET, { algorithms = { "HS256" }, detached_payload = "x" })
        end)
        assert.has_error(function()
            cjwt.verifier({ algorithms = { "HS256" }, detached_payload = "x" })
        end)
        -- a b64 false header is never read as absent
        local plain = cjwt.encode({ sub = "x" }, SECRET, { alg = "HS256" })
        local p, s = plain:match("^[^.]+%.([^.]+)%.([^.]+)$")
        local fake = V.b64url('{"alg":"HS256","b64":false}') .. "." .. p .. "." .. s
        local _, _, c3 = safe.decode(fake, SECRET, { algorithms = { "HS256" } })
        assert.are.equal("malformed", c3)
    end)

    it("signs with several signers and reports which one verified", function()
        local ec = cjwt.generate_key("ES256", { kid = "ec-1" })
        local ec_pub = cjwt.key(ec:to_jwk(false))
        local text = cjwt.jws_encode_json("payload", {
            { key = SECRET, alg = "HS512", protected = { typ = "example" } },
            { key = ec, header = { ["x-note"] = "unprotected" } },
        })
        local doc = cjson.decode(text)
        assert.are.equal(2, #doc.signatures)
        local got = cjwt.jws_decode_complete(text, ec_pub, { algorithms = { "ES256" } })
        assert.are.equal(2, got.signature_index)
        assert.are.equal("ec-1", got.protected.kid)
        assert.are.equal("unprotected", got.unprotected["x-note"])
        assert.are.equal("unprotected", got.header["x-note"])
        got = cjwt.jws_decode_complete(text, SECRET, { algorithms = { "HS512" }, typ = "example" })
        assert.are.equal(1, got.signature_index)
        assert.is_nil(got.unprotected)
        local ks = cjwt.keyset({ ec_pub })
        assert.are.equal(2, cjwt.jws_decode_complete(text, ks, { algorithms = { "ES256" } }).signature_index)
        local _, _, code = safe.jws_decode(text, ec_pub, { algorithms = { "PS256" } })
        assert.are.equal("alg_not_allowed", code)
    end)

    it("signs flattened, unencoded and detached", function()
        local one = { key = SECRET, alg = "HS256", protected = { b64 = false } }
        local text = cjwt.jws_encode_json("h\195\169llo $.02", one, { flattened = true })
        local doc = cjson.decode(text)
        assert.are.equal("h\195\169llo $.02", doc.payload)
        assert.is_nil(doc.signatures)
        assert.are.equal("h\195\169llo $.02", cjwt.jws_decode(text, SECRET, { algorithms = { "HS256" } }))
        text = cjwt.jws_encode_json("\255\0", one, { flattened = true, detached = true })
        assert.is_nil(cjson.decode(text).payload)
        assert.are.equal("\255\0", cjwt.jws_decode(cjson.decode(text), SECRET,
            { algorithms = { "HS256" }, detached_payload = "\255\0" }))
        local _, _, code = safe.jws_encode_json("\255", one)
        assert.are.equal("malformed", code)
    end)

    it("refuses bad signers", function()
        for _, signer in ipairs({
            { key = SECRET, alg = "HS256", header = { alg = "HS256" } },
            { key = SECRET, alg = "HS256", header = { crit = { "x" } } },
            { key = SECRET, alg = "HS256", protected = { kid = "a" }, header = { kid = "a" } },
        }) do
            local _, _, code = safe.jws_encode_json("x", signer)
            assert.are.equal("malformed", code)
        end
        local _, _, code = safe.jws_encode_json("x", { { key = SECRET }, { key = SECRET } }, { flattened = true })
        assert.are.equal("malformed", code)
        assert.has_error(function() cjwt.jws_encode_json("x", { key = SECRET, extra = 1 }) end)
        assert.has_error(function() cjwt.jws_encode_json("x", {}) end)
        local many = {}
        for i = 1, 17 do many[i] = { key = SECRET, alg = "HS256" } end
        assert.has_error(function() cjwt.jws_encode_json("x", many) end)
        -- the raising module raises an error object with the code
        local ok, e = pcall(cjwt.jws_encode_json, "x", { key = SECRET, alg = "HS256", header = { b64 = false } })
        assert.is_false(ok)
        assert.are.equal("malformed", e.code)
    end)
end)
