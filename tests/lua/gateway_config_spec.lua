-- cjwt.gateway's configuration checks, outside nginx (its requests are tested
-- in a real nginx: tests/nginx). Runs on Lua 5.4 and LuaJIT (make test-lua).
local cjwt = require "cjwt"
local gateway = require "cjwt.gateway"

describe("cjwt.gateway configuration", function()
    local K = cjwt.generate_key("ES256")

    local function conf(extra)
        local c = { key = K, algorithms = { "ES256" } }
        for k, v in pairs(extra) do c[k] = v end
        return c
    end

    it("maps claims to headers, one claim per header", function()
        local gw = gateway.new(conf({ headers = { sub = "X-User-Id", scope = "X-Scopes" } }))
        assert.are.equal(2, #gw.headers)
        -- two claims for one header (names compare case-insensitively, as HTTP's do):
        -- which one would the upstream see? Refused when configured.
        local ok, err = pcall(gateway.new, conf({ headers = { sub = "X-User", email = "x-user" } }))
        assert.is_false(ok)
        assert.matches("maps two claims to the header", err)
    end)

    it("refuses header names that are not tokens and non-string mappings", function()
        for _, h in ipairs({ { sub = "X User" }, { sub = "X:User" }, { sub = 5 }, { [1] = "X-A" } }) do
            local ok, err = pcall(gateway.new, conf({ headers = h }))
            assert.is_false(ok)
            assert.matches("'headers' maps claim names to header names", err)
        end
    end)

    it("refuses a realm or scopes that would break the challenge header", function()
        assert.has_error(function() gateway.new(conf({ realm = 'a"b' })) end)
        assert.has_error(function() gateway.new(conf({ scopes = { "read write" } })) end)
        assert.is_truthy(gateway.new(conf({ realm = "api", scopes = "read" })))
    end)
end)
