-- cjwt.outage: the error log of a denylist that cannot answer, without a
-- line per request. Under load a Redis outage (or a stale replica) would
-- otherwise write one error line per refused request: thousands a second.
--
-- Per worker, per denylist configuration:
--   * the first unanswered check logs once: "denylist unavailable, request
--     refused (fail closed): <err>" at error level (fail_open: "token
--     accepted (fail_open)" at warn level);
--   * while it lasts, at most one summary line per `interval` seconds, with
--     the number of requests refused (or accepted) since the last line;
--   * the first answered check after that logs once, at warn level, how long
--     it lasted and how many requests it refused.
-- Every request is still refused (or, with fail_open, accepted): only the
-- logging is summarised. `stats` counts them for tests and monitoring.
local ngx = ngx
local format = string.format

local _M = {}

function _M.new(interval)
    return { interval = interval, down = false, since = 0, next_log = 0,
             window = 0, total = 0, outages = 0 }
end

local function what(fail_open)
    if fail_open then
        return ngx.WARN, "token accepted (fail_open)", "accepted (fail_open)"
    end
    return ngx.ERR, "request refused (fail closed)", "refused (fail closed)"
end

-- A check the denylist could not answer (err: why).
function _M.failed(o, err, fail_open)
    local now = ngx.now()
    o.total = o.total + 1
    local level, first, counted = what(fail_open)
    if not o.down then
        o.down, o.since, o.window, o.outages = true, now, 0, o.outages + 1
        o.count = 1
        o.next_log = now + o.interval
        ngx.log(level, "cjwt.gateway: denylist unavailable, ", first, ": ", err,
                format(" (logged once; a summary every %g s until it answers)", o.interval))
        return
    end
    o.count = o.count + 1
    o.window = o.window + 1
    if now >= o.next_log then
        ngx.log(level, format("cjwt.gateway: denylist still unavailable after %.1f s: "
                              .. "%d requests %s in the last %.1f s: ",
                              now - o.since, o.window, counted, now - o.next_log + o.interval),
                err)
        o.window, o.next_log = 0, now + o.interval
    end
end

-- A check the denylist answered: the end of an outage, if there was one.
function _M.answered(o, fail_open)
    o.down = false
    local _, _, counted = what(fail_open)
    ngx.log(ngx.WARN, format("cjwt.gateway: denylist available again after %.1f s; "
                             .. "%d requests were %s meanwhile",
                             ngx.now() - o.since, o.count, counted))
end

-- { down =, total =, outages = } (this worker).
function _M.stats(o)
    return { down = o.down, total = o.total, outages = o.outages }
end

return _M
