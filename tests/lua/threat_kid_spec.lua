-- Threat: kid values built for path traversal, injection, NUL or size against a
-- key set: a clean invalid_key (or malformed) with a bounded, escaped message.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

local KIDS = {
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "/dev/zero", "file:///etc/shadow",
    "' OR '1'='1", "1; DROP TABLE keys; --", '"}]}', "${jndi:ldap://127.0.0.1/x}",
    "\27[2J\27[31m", "line\nbreak\r\n", "\195\169\228\184\173", "ec256-1 ", "EC256-1", "",
    ("A"):rep(10000),
}

local function clean(m)
    return #m < 256 and not m:find("[^\32-\126]")
end

describe("threat: hostile kid", function()
    local ks = T.keyset({ keys = { T.KEYS.ec256.public_jwk, T.KEYS.rsa.public_jwk } })
    local priv = T.KEYS.ec256.private_pem

    it("unknown kids give a clean invalid_key", function()
        if not ks then return pending("cjwt.keyset not in this build") end
        for _, kid in ipairs(KIDS) do
            local t = cjwt.encode({ sub = "u" }, priv, { alg = "ES256", header = { kid = kid } })
            local err = T.expect_code("invalid_key", cjwt.decode, t, ks,
                                      T.opts({ "ES256" }, { max_token_len = 1048576 }))
            assert.is_true(clean(err.message), err.message)
        end
    end)

    it("a NUL in the kid is malformed", function()
        if not ks then return pending("cjwt.keyset not in this build") end
        local t = T.unsigned('{"alg":"ES256","kid":"ec256-1\\u0000x"}', T.CLAIMS_JSON)
        T.expect_code("malformed", cjwt.decode, t, ks, T.opts({ "ES256" }))
    end)

    it("a kid of the wrong type is malformed", function()
        if not ks then return pending("cjwt.keyset not in this build") end
        for _, kid in ipairs({ '123', '["ec256-1"]', '{"k":1}', 'true' }) do
            local t = T.unsigned('{"alg":"ES256","kid":' .. kid .. '}', T.CLAIMS_JSON)
            T.expect_code("malformed", cjwt.decode, t, ks, T.opts({ "ES256" }))
        end
    end)

    it("a kid naming a key of another type is invalid_key", function()
        if not ks then return pending("cjwt.keyset not in this build") end
        local t = cjwt.encode({ sub = "u" }, priv, { alg = "ES256", header = { kid = "rsa-1" } })
        T.expect_code("invalid_key", cjwt.decode, t, ks, T.opts({ "ES256" }))
    end)

    it("a 100 KB kid hits the default token limit", function()
        if not ks then return pending("cjwt.keyset not in this build") end
        local t = cjwt.encode({ sub = "u" }, priv, { alg = "ES256", header = { kid = ("A"):rep(100000) } })
        T.expect_code("too_large", cjwt.decode, t, ks, T.opts({ "ES256" }))
    end)

    it("the right kid verifies; a single key ignores kid", function()
        local t = cjwt.encode({ sub = "u" }, priv, { alg = "ES256", header = { kid = "ec256-1" } })
        if ks then
            assert.are.equal("u", cjwt.decode(t, ks, T.opts({ "ES256" })).sub)
        end
        for i = 1, 8 do
            local t2 = cjwt.encode({ sub = "u" }, priv, { alg = "ES256", header = { kid = KIDS[i] } })
            assert.are.equal("u", cjwt.decode(t2, T.KEYS.ec256.public_pem, T.opts({ "ES256" })).sub)
        end
    end)
end)
