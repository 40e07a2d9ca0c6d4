-- Threat: jku, x5u, jwk and x5c headers never select or fetch a key. The URLs
-- point at a listening socket on 127.0.0.1 (LuaSocket); no connection may
-- arrive, and tokens signed by the attacker's embedded key are refused.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"
local has_socket, socket = pcall(require, "socket")

local ATT, LEGIT = T.KEYS.attacker_ec256, T.KEYS.ec256

local function headers(port)
    local base = "127.0.0.1:" .. port
    return {
        { jku = "http://" .. base .. "/jwks.json" },
        { x5u = "http://" .. base .. "/cert.pem" },
        { jku = "https://" .. base .. "/jwks.json", kid = "attacker" },
        { jwk = ATT.public_jwk },
        { x5c = ATT.x5c },
        { jku = "http://" .. base .. "/", x5u = "http://" .. base .. "/", jwk = ATT.public_jwk,
          x5c = ATT.x5c },
    }
end

describe("threat: jku/x5u/jwk/x5c headers", function()
    local server, port
    before_each(function()
        if has_socket then
            server = assert(socket.bind("127.0.0.1", 0))
            server:settimeout(0)
            port = select(2, server:getsockname())
        else
            port = 9   -- discard: nothing should try it either way
        end
    end)
    after_each(function()
        if server then
            local conn = server:accept()
            server:close()
            server = nil
            assert.is_nil(conn, "cjwt connected to a URL from a token header")
        end
    end)

    it("the attacker's key in a header is ignored", function()
        if not has_socket then
            print("LuaSocket missing: the no-connection check is skipped")
        end
        for _, h in ipairs(headers(port)) do
            local t = cjwt.encode({ sub = "u" }, ATT.private_pem, { alg = "ES256", header = h })
            T.expect_code("bad_signature", cjwt.decode, t, LEGIT.public_pem, T.opts({ "ES256" }))
            T.expect_code("bad_signature", cjwt.decode, t, LEGIT.public_jwk, T.opts({ "ES256" }))
            assert.are.equal("ES256", cjwt.get_unverified_header(t).alg)
        end
    end)

    it("the headers are inert on a genuine token", function()
        for _, h in ipairs(headers(port)) do
            local t = cjwt.encode({ sub = "u" }, LEGIT.private_pem, { alg = "ES256", header = h })
            assert.are.equal("u", cjwt.decode(t, LEGIT.public_pem, T.opts({ "ES256" })).sub)
        end
    end)

    it("with a key set, kid of the real key, attacker's signature", function()
        local ks = T.keyset({ keys = { LEGIT.public_jwk, T.KEYS.rsa.public_jwk } })
        if not ks then
            return pending("cjwt.keyset not in this build")
        end
        for _, h in ipairs(headers(port)) do
            h.kid = h.kid or LEGIT.public_jwk.kid
            local t = cjwt.encode({ sub = "u" }, ATT.private_pem, { alg = "ES256", header = h })
            local want = h.kid == "attacker" and "invalid_key" or "bad_signature"
            T.expect_code(want, cjwt.decode, t, ks, T.opts({ "ES256", "RS256" }))
        end
    end)
end)
