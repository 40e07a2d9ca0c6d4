-- cjwt.outage (the gateway's denylist outage log) with a stand-in for ngx:
-- one line when an outage starts, at most one summary per interval, one
-- line when it ends, whatever the number of requests. The same in a real
-- nginx: tests/nginx/test_faults_gateway.py. Lua 5.4 and LuaJIT.
describe("cjwt.outage", function()
    local outage, lines, clock
    local saved_ngx

    setup(function()
        saved_ngx = _G.ngx
        clock = 1000
        lines = {}
        _G.ngx = {
            ERR = 4, WARN = 5,
            now = function() return clock end,
            log = function(level, ...) lines[#lines + 1] = { level, table.concat({ ... }) } end,
        }
        package.loaded["cjwt.outage"] = nil
        outage = require "cjwt.outage"
    end)

    teardown(function()
        _G.ngx = saved_ngx
        package.loaded["cjwt.outage"] = nil
    end)

    before_each(function() lines = {} end)

    it("logs an outage once, a summary per interval and its end once", function()
        local o = outage.new(10)
        for _ = 1, 1000 do                     -- 1000 refusals within 5 s: one line
            outage.failed(o, "redis connect: connection refused", false)
            clock = clock + 0.005
        end
        assert.are.equal(1, #lines)
        assert.are.equal(4, lines[1][1])
        assert.matches("denylist unavailable, request refused %(fail closed%): redis connect: "
                       .. "connection refused %(logged once; a summary every 10 s", lines[1][2])
        for _ = 1, 1200 do                     -- 12 s more: one summary (at 10 s)
            outage.failed(o, "redis connect: connection refused", false)
            clock = clock + 0.01
        end
        assert.are.equal(2, #lines)
        assert.are.equal(4, lines[2][1])
        -- the 1500 after the first line (floating-point steps: give or take one)
        local n = tonumber(lines[2][2]:match("after 10%.0 s: (%d+) requests refused "
                                             .. "%(fail closed%) in the last 10%.0 s: redis connect"))
        assert.is_true(n >= 1499 and n <= 1501, lines[2][2])
        assert.is_true(outage.stats(o).down)
        outage.answered(o, false)
        assert.are.equal(3, #lines)
        assert.are.equal(5, lines[3][1])
        assert.matches("denylist available again after 17%.0 s; 2200 requests were refused "
                       .. "%(fail closed%) meanwhile", lines[3][2])
        local st = outage.stats(o)
        assert.is_false(st.down)
        assert.are.equal(2200, st.total)
        assert.are.equal(1, st.outages)
        -- the next outage is logged again, with its own counts
        outage.failed(o, "redis EXISTS: timeout", false)
        outage.answered(o, false)
        assert.are.equal(5, #lines)
        assert.matches("request refused %(fail closed%): redis EXISTS: timeout", lines[4][2])
        assert.matches("; 1 requests were refused", lines[5][2])
        assert.are.equal(2, outage.stats(o).outages)
    end)

    it("logs fail_open at warn level", function()
        local o = outage.new(1)
        for _ = 1, 30 do
            outage.failed(o, "replica stale", true)
            clock = clock + 0.1
        end
        assert.are.equal(3, #lines)            -- start, then at 1 s and 2 s
        for _, l in ipairs(lines) do assert.are.equal(5, l[1]) end
        assert.matches("token accepted %(fail_open%): replica stale", lines[1][2])
        assert.matches("requests accepted %(fail_open%) in the last", lines[2][2])
    end)
end)
