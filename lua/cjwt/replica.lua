-- cjwt.replica: the gateway's live replica of the revocation denylist
-- (docs/lifecycle.md, "Replicas"), for
--   denylist = { redis = {...}, prefix = "cjwt:", replica = true, max_lag = 2,
--                dict = "cjwt_revocations" }
--
-- One follower per nginx instance keeps every live revocation in a
-- lua_shared_dict: "j:<jti>" / "f:<fid>" with the entry's own expiry (the
-- dict drops it when the token dies). Requests read the dict only: no Redis
-- round trip. The follower is a timer in whichever worker holds the lease
-- "m:leader" (its pid, renewed on every step, lifetime max_lag / 2); every
-- worker's timer checks the lease every lifetime / 4, so a dead worker's
-- lease is taken over within about 0.6 x max_lag, and a worker that exits
-- (nginx -s reload, quit) gives it up at once. The dict survives a reload,
-- so the new workers continue from the same position.
--
-- The follower loads the live keys ({prefix}revoked:*, SCAN + PTTL), then
-- follows the Redis Stream {prefix}revocations (XREAD BLOCK, max_lag / 5)
-- that cjwt.RedisStore appends to. "m:ok" is the time Redis last answered;
-- a request finding it older than max_lag is refused (503, fail closed).
-- After an error the follower reconnects; it continues from its position
-- only when the stream still holds that entry, else reloads every key.
local ngx = ngx
local type, tonumber, tostring, pairs, ipairs, error = type, tonumber, tostring, pairs, ipairs, error
local str_match, str_sub, str_gsub, format = string.match, string.sub, string.gsub, string.format
local redisconn = require "cjwt.redisconn"

local _M = {}

local followers = {}          -- dict name -> follower (configured in init_by_lua)
local started = {}            -- dict name -> true: this worker's timer runs

local function log(level, ...)
    ngx.log(level, "cjwt.replica: ", ...)
end

-- The follower of a denylist configuration (gateway.lua's denylist_conf).
function _M.setup(dl, max_lag, dict)
    if type(max_lag) ~= "number" or max_lag <= 0 then
        error("cjwt.gateway: denylist 'max_lag' must be a number of seconds > 0", 4)
    end
    if type(dict) ~= "string" then
        error("cjwt.gateway: denylist 'dict' must be a lua_shared_dict name", 4)
    end
    if ngx and ngx.shared and not ngx.shared[dict] then
        error("cjwt.gateway: denylist replica needs 'lua_shared_dict " .. dict ..
              " 10m;' (or dict = the name of one)", 4)
    end
    local f = followers[dict]
    if f then
        if f.prefix ~= dl.prefix or f.where ~= dl.where then
            error("cjwt.gateway: lua_shared_dict " .. dict ..
                  " already replicates another Redis or prefix", 4)
        end
        f.max_lag = math.min(f.max_lag, max_lag)
    else
        f = {
            dl = dl, dict = dict, prefix = dl.prefix, where = dl.where, max_lag = max_lag,
            feed = dl.prefix .. "revocations",
        }
        followers[dict] = f
    end
    return f
end

-- ---- Redis ----------------------------------------------------------------------

-- A connection to the master (cjwt.redisconn: the configured address, or
-- the one the sentinels name), named for CLIENT LIST. red or nil, err.
local function connect(f, timeout_ms)
    local red, err = redisconn.connect(f.dl, { timeout = timeout_ms })
    if not red then
        return nil, err
    end
    local ok
    ok, err = red:client("setname", "cjwt-replica:" .. f.dict)  -- CLIENT LIST shows followers
    if not ok then
        red:close()
        return nil, "CLIENT SETNAME: " .. tostring(err)
    end
    return red
end

local function sid(id)
    local ms, seq = str_match(id or "", "^(%d+)%-(%d+)$")
    return tonumber(ms), tonumber(seq)
end

local function sid_less(a, b)
    local am, as = sid(a)
    local bm, bs = sid(b)
    if not am or not bm then return true end
    return am < bm or (am == bm and as < bs)
end

-- Stores one entry expiring `ttl` seconds from now (0: never), keeping a
-- later expiry that is already there. false when the dict is full.
local function put(d, key, ttl)
    local cur = d:ttl(key)
    if cur ~= nil and (cur == 0 or (ttl > 0 and cur >= ttl)) then
        return true
    end
    local ok, err = d:safe_set(key, true, ttl)
    if not ok then
        return false, err
    end
    return true
end

local function fail(f, d, msg)
    -- the replica is incomplete: refuse until a full reload succeeds (no
    -- feed position: the next sync cannot just continue)
    d:delete("m:ok")
    d:delete("m:last_id")
    if not d:get("m:full") then
        d:set("m:full", true)
        log(ngx.ERR, "lua_shared_dict ", f.dict, ": ", msg, "; requests are refused ",
            "(fail closed) until a reload succeeds (make the dict larger)")
    end
    return nil, "dict full"
end

local function apply(f, d, entries)
    local now = ngx.now()
    for _, e in ipairs(entries) do
        local id, fields = e[1], e[2]
        local kv = {}
        for i = 1, #fields, 2 do kv[fields[i]] = fields[i + 1] end
        local ms = sid(id)
        local ttl = tonumber(kv.ttl)
        local kind = kv.k == "jti" and "j:" or kv.k == "fid" and "f:" or nil
        if kind and kv.id and ms and ttl then
            local left = ms / 1000 + ttl - now        -- the stream id is Redis's clock
            if left > 0 then
                local ok, err = put(d, kind .. kv.id, left)
                if not ok then return fail(f, d, err) end
            end
        end
        d:safe_set("m:last_id", id)
    end
    return true
end

-- Continue from m:last_id when the feed still holds it, else reload every key.
local function sync(f, d, red)
    local info, err = red:xinfo("STREAM", f.feed)
    local last
    if type(info) == "table" then
        for i = 1, #info, 2 do
            if info[i] == "last-generated-id" then last = info[i + 1] end
        end
    elseif err and not tostring(err):lower():find("no such key", 1, true) then
        return nil, "XINFO: " .. tostring(err)
    end
    local mine = d:get("m:last_id")
    if mine and last and not sid_less(last, mine) then
        local r = red:xrange(f.feed, mine, mine, "COUNT", 1)
        if type(r) == "table" and #r == 1 then
            return true                               -- same history: continue
        end
    end
    local pattern = str_gsub(f.prefix, "[%*%?%[%]\\]", "\\%0") .. "revoked:*"
    local plen = #f.prefix + #"revoked:"
    local cursor, n = "0", 0
    repeat
        local res
        res, err = red:scan(cursor, "MATCH", pattern, "COUNT", 1000)
        if type(res) ~= "table" then
            return nil, "SCAN: " .. tostring(err)
        end
        cursor = res[1]
        local keys = res[2]
        if #keys > 0 then
            red:init_pipeline(#keys)
            for _, k in ipairs(keys) do red:pttl(k) end
            local ttls
            ttls, err = red:commit_pipeline()
            if not ttls then
                return nil, "PTTL: " .. tostring(err)
            end
            for i, k in ipairs(keys) do
                local pttl = tonumber(ttls[i])
                if pttl and pttl ~= -2 then
                    local rest = str_sub(k, plen + 1)
                    local kind, ident = str_match(rest, "^(%a+):(.*)$")
                    local p = kind == "jti" and "j:" or kind == "fid" and "f:" or nil
                    if p then
                        local ok, perr = put(d, p .. ident, pttl < 0 and 0 or pttl / 1000)
                        if not ok then return fail(f, d, perr) end
                        n = n + 1
                    end
                end
            end
        end
    until cursor == "0"
    d:safe_set("m:last_id", last or "0-0")
    d:incr("m:resyncs", 1, 0)
    if d:get("m:full") then
        d:delete("m:full")
        log(ngx.NOTICE, "lua_shared_dict ", f.dict, " holds every live revocation again")
    end
    log(ngx.NOTICE, "loaded ", n, " live revocations of ", f.prefix, " into ", f.dict,
        " (feed at ", last or "0-0", ")")
    return true
end

-- ---- the follower ----------------------------------------------------------------

local function lease_of(f)
    return math.max(0.2, f.max_lag / 2)
end

-- Keeps (or takes, when free) the lease; false when another worker has it.
-- (get then set is not atomic: two workers can both hold it only if the
-- holder was stalled past the lease; the older one sees that on its next
-- step and stops. Both write the same entries meanwhile.)
local function hold(d, me, lease)
    local cur = d:get("m:leader")
    if cur == me then
        d:set("m:leader", me, lease)
        return true
    end
    return cur == nil and d:add("m:leader", me, lease) or false
end

-- One connection's worth of following, while this worker holds the lease.
local function session(f, d, me)
    local lease = lease_of(f)
    local block = math.max(10, math.floor(f.max_lag / 5 * 1000))
    -- the XREAD's answer comes after `block`; a worker busy with requests may
    -- read it late, so the socket allows max_lag / 2 more (health is decided
    -- by m:ok and max_lag, not by this timeout)
    local red, err = connect(f, block + math.max(f.dl.timeout, math.floor(f.max_lag * 500)))
    if not red then
        return nil, err
    end
    local ok
    ok, err = sync(f, d, red)
    if not ok then
        red:close()
        return nil, err
    end
    ngx.update_time()
    d:safe_set("m:ok", ngx.now())
    if d:get("m:down") then
        d:delete("m:down")
        log(ngx.NOTICE, "Redis answers again: ", f.dict, " is in sync")
    end
    while not ngx.worker.exiting() do
        if not hold(d, me, lease) then
            red:close()
            return true                               -- lease lost (we were stalled)
        end
        local res
        res, err = red:xread("COUNT", 1000, "BLOCK", block, "STREAMS", f.feed,
                             d:get("m:last_id") or "0-0")
        if not res then
            red:close()
            return nil, "XREAD: " .. tostring(err)
        end
        if type(res) == "table" and res[1] then
            ok = apply(f, d, res[1][2])
            if not ok then
                red:close()
                return nil, "dict full"
            end
        end
        ngx.update_time()
        d:safe_set("m:ok", ngx.now())
    end
    red:close()
    return true
end

local loop

local function again(f, delay)
    if ngx.worker.exiting() then return end
    local ok, err = ngx.timer.at(delay, loop, f)
    if not ok then
        log(ngx.ERR, "timer not started: ", err)
    end
end

loop = function(premature, f)
    local d = ngx.shared[f.dict]
    local me = ngx.worker.pid()
    if premature or ngx.worker.exiting() then
        if d:get("m:leader") == me then d:delete("m:leader") end
        return
    end
    local lease = lease_of(f)
    if not hold(d, me, lease) then
        return again(f, lease / 4)                  -- someone else follows
    end
    local ok, err = session(f, d, me)
    if ngx.worker.exiting() then
        if d:get("m:leader") == me then d:delete("m:leader") end
        return
    end
    if not ok then
        if not d:get("m:down") then
            d:safe_set("m:down", true)
            log(ngx.ERR, "following ", f.prefix, "revocations failed: ", err,
                "; retrying (requests are refused once Redis has not answered for ",
                f.max_lag, " s)")
        end
        if not hold(d, me, lease) then              -- keep it while retrying
            return again(f, lease / 4)
        end
        f.backoff = math.min((f.backoff or 0.025) * 2, f.max_lag / 4)
        return again(f, f.backoff)
    end
    f.backoff = nil
    return again(f, 0)
end

-- Starts this worker's lease timer for every replica (init_worker_by_lua;
-- the first request of a worker does it otherwise).
function _M.init_worker()
    for name, f in pairs(followers) do
        if not started[name] then
            started[name] = true
            again(f, 0)
        end
    end
end

-- true (revoked), false, or nil, err (the replica is too old: fail closed).
function _M.check(f, jti, fid)
    local d = f.shdict
    if not d then
        d = ngx.shared[f.dict]
        f.shdict = d                              -- per worker, like `started`
        if not started[f.dict] then
            _M.init_worker()
        end
    end
    -- m:ok read once per event-loop tick (ngx.now() is the loop's cached
    -- time): under load many requests share one read
    local now = ngx.now()
    local ok_at = f.ok_at
    if f.ok_tick ~= now then
        ok_at = d:get("m:ok")
        f.ok_at, f.ok_tick = ok_at, now
    end
    if not ok_at then
        d:incr("m:unavailable", 1, 0)
        return nil, "replica " .. f.dict .. " not loaded"
    end
    local lag = now - ok_at
    if lag > f.max_lag then
        d:incr("m:unavailable", 1, 0)         -- the gateway logs a summary, not each one
        return nil, format("replica %s: no answer from Redis for %.1f s (max_lag %g s)",
                           f.dict, lag, f.max_lag)
    end
    if d:get("j:" .. jti) or (fid and d:get("f:" .. fid)) then
        return true
    end
    return false
end

-- { healthy =, lag =, leader =, last_id =, resyncs =, unavailable = } of a replica dict.
function _M.status(dict)
    local f = followers[dict]
    if not f then return nil end
    local d = ngx.shared[dict]
    local ok_at = d:get("m:ok")
    local lag = ok_at and (ngx.now() - ok_at) or nil
    return {
        healthy = lag ~= nil and lag <= f.max_lag, lag = lag, max_lag = f.max_lag,
        leader = d:get("m:leader"), last_id = d:get("m:last_id"),
        resyncs = d:get("m:resyncs") or 0,
        unavailable = d:get("m:unavailable") or 0,     -- checks answered "unavailable"
    }
end

return _M
