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

    it("checks the replicated denylist's options", function()
        local function dl(d) return conf({ denylist = d }) end
        local function refused(pattern, d)
            local ok, err = pcall(gateway.new, dl(d))
            assert.is_false(ok)
            assert.matches(pattern, err)
        end
        refused("'replica' must be a boolean", { replica = "yes" })
        refused("'max_lag' and 'dict' need replica = true", { max_lag = 2 })
        refused("'max_lag' must be a number", { replica = true, max_lag = 0, dict = "spec_a" })
        refused("needs 'master_name'",
                { replica = true, dict = "spec_b", redis = { sentinels = { { port = 26379 } } } })
        refused("needs 'master_name' %(and no host, port or path%)",
                { redis = { sentinels = { { port = 26379 } }, master_name = "m", port = 6379 } })
        refused("needs 'master_name'", { redis = { sentinels = {}, master_name = "m" } })
        refused("'log_interval' must be a number", { log_interval = "10s" })
        -- Sentinel for the per-request lookup too (no replica)
        local pr = gateway.new(dl({ redis = { sentinels = { { port = 26379 } }, master_name = "m" },
                                    log_interval = 2 }))
        assert.are.equal("m", pr.denylist.master_name)
        assert.are.equal("sentinel:m:0:", pr.denylist.pool_prefix)
        assert.are.equal(2, pr.denylist.outage.interval)
        refused("unknown denylist option 'lag'", { replica = true, lag = 2 })
        local gw = gateway.new(dl({ replica = true, max_lag = 1.5, dict = "spec_c", prefix = "p:" }))
        assert.are.equal(1.5, gw.denylist.replica.max_lag)
        assert.are.equal("p:revocations", gw.denylist.replica.feed)
        -- one dict replicates one Redis and prefix
        refused("already replicates another Redis or prefix",
                { replica = true, dict = "spec_c", prefix = "q:" })
        assert.is_truthy(gateway.new(dl({ replica = true, dict = "spec_c", prefix = "p:" })))
        assert.is_truthy(gateway.new(dl({ replica = true, dict = "spec_d",
            redis = { sentinels = { { host = "127.0.0.1", port = 26379 } }, master_name = "m" } })))
    end)

    it("checks the JWKS source's options", function()
        local function jwks(extra)
            local c = { jwks_uri = "/_jwks", jwks_cache = "jwks", algorithms = { "ES256" } }
            for k, v in pairs(extra) do c[k] = v end
            return c
        end
        for _, u in ipairs({ "http://127.0.0.1:8080/jwks.json", "https://auth.example.com/jwks",
                             "unix:/run/x.sock:/jwks", "http://[::1]:80/" }) do
            assert.is_truthy(gateway.new(jwks({ jwks_uri = u })).jwks_url, u)
        end
        assert.is_nil(gateway.new(jwks({})).jwks_url)             -- an internal location
        for _, u in ipairs({ "ftp://x/jwks", "http://", "http://h:99999/", "http://h/a b" }) do
            local ok, err = pcall(gateway.new, jwks({ jwks_uri = u }))
            assert.is_false(ok, u)
            assert.matches("'jwks_uri'", err)
        end
        assert.has_error(function() gateway.new(jwks({ jwks_max_size = 0 })) end)
        assert.has_error(function() gateway.new(jwks({ jwks_timeout = "1s" })) end)
    end)
end)
