-- cjwt.redisconn: the Redis connection of the gateway's denylist, shared by
-- the per-request lookup (cjwt.gateway) and the replica's follower
-- (cjwt.replica). `dl` is gateway.lua's denylist_conf: redis (the module),
-- host/port or path, or sentinels + master_name; timeout, password, database.
--
-- With Sentinel the master is the one the sentinels name
-- (SENTINEL get-master-addr-by-name, each sentinel in turn), and a new
-- connection must answer ROLE "master": during a failover a demoted master
-- is not used. The per-request path keeps the address it was given for
-- MASTER_TTL seconds per worker (a failover is seen within that time, or at
-- once when the old master stops answering) and pools connections per
-- address.
local type, tonumber, tostring, ipairs, pcall, require, rawget, error =
    type, tonumber, tostring, ipairs, pcall, require, rawget, error

local _M = {}

_M.MASTER_TTL = 1        -- s: a worker asks the sentinels again after this long

-- resty.redis: OpenResty's name; Debian's lua-nginx-redis installs it as nginx.redis.
function _M.load()
    for _, name in ipairs({ "resty.redis", "nginx.redis" }) do
        local ok, mod = pcall(require, name)
        if ok and type(mod) == "table" and mod.new then
            return mod
        end
    end
    error("cjwt.gateway: 'denylist' needs resty.redis (Debian: lua-nginx-redis)", 3)
end

-- resty.redis >= 0.28 (OpenResty) has set_timeouts; Debian's nginx.redis 0.27
-- only set_timeout, and turns any other method name into a Redis command
-- (`red.set_timeouts` is then a function sending SET_TIMEOUTS, before the
-- connect: no timeout set, and "attempt to send data on a closed socket"
-- logged on every request). So look at the module's own table only.
function _M.has_timeouts(mod)
    local v = tonumber(rawget(mod, "_VERSION") or "")
    return v ~= nil and v >= 0.28
end

-- A new client object with `ms` for connect, send and each receive.
function _M.new(dl, ms)
    if not dl.redis then                       -- configured outside nginx
        dl.redis = _M.load()
        dl.set_timeouts = _M.has_timeouts(dl.redis)
    end
    local red, err = dl.redis:new()
    if not red then
        return nil, tostring(err)
    end
    if dl.set_timeouts then
        red:set_timeouts(ms, ms, ms)
    else
        red:set_timeout(ms)
    end
    return red
end

-- The master's host, port according to the first sentinel that knows it;
-- nil, err when none does.
function _M.sentinel_master(dl)
    local err
    for _, s in ipairs(dl.sentinels) do
        local sr
        sr, err = _M.new(dl, dl.timeout)
        if sr then
            local ok
            ok, err = sr:connect(s.host or "127.0.0.1", s.port or 26379)
            if ok then
                local addr
                addr, err = sr:sentinel("get-master-addr-by-name", dl.master_name)
                sr:close()
                if type(addr) == "table" and addr[1] then
                    return addr[1], tonumber(addr[2])
                end
                err = err or "master unknown to the sentinel"
            end
        end
    end
    return nil, "no sentinel named the master: " .. tostring(err)
end

-- Forget the worker's idea of the master (after an error on it).
function _M.forget_master(dl)
    dl.master_host, dl.master_port, dl.master_until = nil, nil, nil
end

-- A connection to the master. opts: timeout (ms, default dl.timeout),
-- pooled (true: connect through the pool, the per-request path, which
-- caches the master's address), now (ngx.now(), with pooled). red or nil,
-- err ("connect: ...", "auth: ...", "select: ...", "role: ...").
function _M.connect(dl, opts)
    local red, err = _M.new(dl, opts.timeout or dl.timeout)
    if not red then
        return nil, "new: " .. err
    end
    local ok, copts
    if dl.sentinels then
        local host, port = dl.master_host, dl.master_port
        if not (opts.pooled and host and opts.now < dl.master_until) then
            host, port = _M.sentinel_master(dl)
            if not host then
                return nil, port
            end
            if opts.pooled then
                dl.master_host, dl.master_port = host, port
                dl.master_until = opts.now + _M.MASTER_TTL
            end
        end
        if opts.pooled then
            copts = { pool = dl.pool_prefix .. host .. ":" .. port, pool_size = dl.pool_size }
        end
        ok, err = red:connect(host, port, copts)
    else
        copts = opts.pooled and dl.connect_opts or nil
        if dl.path then
            ok, err = red:connect(dl.path, copts)
        else
            ok, err = red:connect(dl.host, dl.port, copts)
        end
    end
    if not ok then
        if dl.sentinels then _M.forget_master(dl) end
        return nil, "connect: " .. tostring(err)
    end
    if opts.pooled and (red:get_reused_times() or 0) > 0 then
        return red                             -- set up when it was new
    end
    if dl.password then
        ok, err = red:auth(dl.password)
        if not ok then red:close(); return nil, "auth: " .. tostring(err) end
    end
    if dl.database then
        ok, err = red:select(dl.database)
        if not ok then red:close(); return nil, "select: " .. tostring(err) end
    end
    if dl.sentinels then
        local role = red:role()
        if type(role) ~= "table" or role[1] ~= "master" then
            red:close()
            _M.forget_master(dl)
            return nil, "role: the sentinels' master is not a master (yet)"
        end
    end
    return red
end

return _M
