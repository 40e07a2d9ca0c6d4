-- cjwt.redisconn (the denylist's Redis connection, gateway and replica)
-- against a stand-in for resty.redis: which address it connects to, when it
-- asks the sentinels, and what it refuses. The real thing, with real
-- redis-sentinel processes and a failover: tests/nginx/test_replica_gateway.py.
local redisconn = require "cjwt.redisconn"

-- A fake resty.redis: `net` maps "host:port" to a server: { master = "h:p" }
-- for a sentinel, { role = "master" | "slave" } for a Redis; absent: down.
local function fake(net)
    local log = {}
    local R = {}
    R.__index = R
    local mod = { _VERSION = "0.27" }
    function mod.new() return setmetatable({ reused = 0 }, R) end
    function R:set_timeout(ms) self.ms = ms end
    function R:connect(host, port, opts)
        local addr = port and (host .. ":" .. port) or host
        log[#log + 1] = "connect " .. addr .. (opts and (" pool=" .. opts.pool) or "")
        self.srv = net[addr]
        if not self.srv then return nil, "connection refused" end
        if opts and net.pooled and net.pooled[opts.pool] then self.reused = 1 end
        return 1
    end
    function R:get_reused_times() return self.reused end
    function R:sentinel(cmd, name)
        log[#log + 1] = "sentinel " .. cmd .. " " .. name
        local m = self.srv.master
        if not m then return nil, "no master" end
        local h, p = m:match("^(.+):(%d+)$")
        return { h, p }
    end
    function R:role() log[#log + 1] = "role"; return { self.srv.role } end
    function R:auth(pw) log[#log + 1] = "auth " .. pw; return "OK" end
    function R:select(db) log[#log + 1] = "select " .. db; return "OK" end
    function R:close() end
    return mod, log
end

local function conf(mod, extra)
    local dl = { redis = mod, set_timeouts = false, timeout = 200, pool_size = 4,
                 sentinels = { { host = "10.0.0.1", port = 26379 }, { host = "10.0.0.2", port = 26379 } },
                 master_name = "cjwt", pool_prefix = "sentinel:cjwt:0:" }
    for k, v in pairs(extra or {}) do dl[k] = v end
    return dl
end

describe("cjwt.redisconn", function()
    it("asks each sentinel in turn and connects to the master it names", function()
        local net = { ["10.0.0.2:26379"] = { master = "10.0.0.9:6380" },
                      ["10.0.0.9:6380"] = { role = "master" } }
        local mod, log = fake(net)
        local red = assert(redisconn.connect(conf(mod), { timeout = 50 }))
        assert.are.equal(50, red.ms)
        assert.are.same({ "connect 10.0.0.1:26379", "connect 10.0.0.2:26379",
                          "sentinel get-master-addr-by-name cjwt", "connect 10.0.0.9:6380",
                          "role" }, log)
    end)

    it("refuses a master that is not (yet) one, and says when no sentinel knows it", function()
        local net = { ["10.0.0.1:26379"] = { master = "10.0.0.9:6380" },
                      ["10.0.0.9:6380"] = { role = "slave" } }
        local mod = fake(net)
        local red, err = redisconn.connect(conf(mod), {})
        assert.is_nil(red)
        assert.matches("^role: the sentinels' master is not a master", err)
        net["10.0.0.1:26379"] = nil
        red, err = redisconn.connect(conf(mod), {})
        assert.is_nil(red)
        assert.are.equal("no sentinel named the master: connection refused", err)
    end)

    it("per request: keeps the master MASTER_TTL s, pools per address, forgets it on errors", function()
        local net = { ["10.0.0.1:26379"] = { master = "10.0.0.9:6380" },
                      ["10.0.0.9:6380"] = { role = "master" }, ["10.0.0.8:6381"] = { role = "master" },
                      pooled = {} }
        local mod, log = fake(net)
        local dl = conf(mod, { password = "pw" })
        assert(redisconn.connect(dl, { pooled = true, now = 100 }))
        assert.are.same({ "connect 10.0.0.1:26379", "sentinel get-master-addr-by-name cjwt",
                          "connect 10.0.0.9:6380 pool=sentinel:cjwt:0:10.0.0.9:6380",
                          "auth pw", "role" }, log)
        -- within MASTER_TTL: no sentinel; a pooled connection is not set up again
        net.pooled["sentinel:cjwt:0:10.0.0.9:6380"] = true
        for k in pairs(log) do log[k] = nil end
        assert(redisconn.connect(dl, { pooled = true, now = 100 + redisconn.MASTER_TTL / 2 }))
        assert.are.same({ "connect 10.0.0.9:6380 pool=sentinel:cjwt:0:10.0.0.9:6380" }, log)
        -- a failover: after MASTER_TTL the sentinel names the new master, in its own pool
        net["10.0.0.1:26379"].master = "10.0.0.8:6381"
        for k in pairs(log) do log[k] = nil end
        assert(redisconn.connect(dl, { pooled = true, now = 100 + redisconn.MASTER_TTL + 0.1 }))
        assert.are.same({ "connect 10.0.0.1:26379", "sentinel get-master-addr-by-name cjwt",
                          "connect 10.0.0.8:6381 pool=sentinel:cjwt:0:10.0.0.8:6381",
                          "auth pw", "role" }, log)
        -- the master dies: the next request asks the sentinels at once, not after the TTL
        net["10.0.0.8:6381"] = nil
        local red, err = redisconn.connect(dl, { pooled = true, now = 101.2 })
        assert.is_nil(red)
        assert.are.equal("connect: connection refused", err)
        assert.is_nil(dl.master_host)
        net["10.0.0.1:26379"].master = "10.0.0.9:6380"
        for k in pairs(log) do log[k] = nil end
        assert(redisconn.connect(dl, { pooled = true, now = 101.3 }))
        assert.are.equal("connect 10.0.0.1:26379", log[1])
    end)

    it("without sentinels: the configured address, pooled with the configured options", function()
        local net = { ["127.0.0.1:6379"] = { role = "master" }, ["/run/redis.sock"] = { role = "master" } }
        local mod, log = fake(net)
        local dl = { redis = mod, timeout = 200, host = "127.0.0.1", port = 6379, database = 2,
                     connect_opts = { pool = "p", pool_size = 4 } }
        assert(redisconn.connect(dl, { pooled = true, now = 1 }))
        assert(redisconn.connect({ redis = mod, timeout = 200, path = "/run/redis.sock" }, {}))
        assert.are.same({ "connect 127.0.0.1:6379 pool=p", "select 2", "connect /run/redis.sock" }, log)
    end)
end)
