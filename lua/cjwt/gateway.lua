-- cjwt.gateway: JWT verification in nginx's access phase (OpenResty / Debian's
-- libnginx-mod-http-lua). See docs/openresty.md for the nginx.conf to copy.
--
--   init_by_lua_block {
--       require("cjwt.gateway").configure("api", {
--           jwks_uri = "/_cjwt_jwks", jwks_cache = "cjwt_jwks",   -- or key = / keyset =
--           algorithms = { "RS256", "ES256" }, audience = "api",
--           issuer = "https://auth.example.com", leeway = 30, require = { "exp" },
--           scopes = { "read" }, headers = { sub = "X-User-Id", scope = "X-Scopes" },
--       })
--   }
--   location /api/ { access_by_lua_block { require("cjwt.gateway").access("api") } ... }
--
-- Every decision about the token is the core's (a cjwt.verifier compiled once
-- per configuration). This module only finds the token, keeps the key set
-- fresh, checks required scopes (authorization, not token validity), maps
-- claims to upstream headers and answers 401/403 as RFC 6750 says.
local cjwt = require "cjwt"
local safe = require "cjwt.safe"

local ngx = ngx
local type, pairs, ipairs, tostring, error, setmetatable = type, pairs, ipairs, tostring, error,
    setmetatable
local concat, str_find, str_match, format = table.concat, string.find, string.match, string.format
local str_byte, str_sub = string.byte, string.sub

local _M = { _VERSION = cjwt._VERSION }
local mt = { __index = _M }

-- Fixed texts for error_description: the core's messages may quote parts of
-- the token (a kid, an alg), which must not be reflected into a header.
local DESCRIPTIONS = {
    malformed = "malformed token",
    unsupported_alg = "algorithm not allowed",
    alg_not_allowed = "algorithm not allowed",
    invalid_key = "no key to verify the token",
    bad_signature = "invalid signature",
    expired = "token expired",
    not_yet_valid = "token not yet valid",
    invalid_iat = "invalid iat claim",
    invalid_audience = "invalid audience",
    invalid_issuer = "invalid issuer",
    invalid_subject = "invalid subject",
    missing_claim = "missing claim",
    invalid_typ = "invalid token type",
    unknown_crit = "unsupported critical header",
    revoked = "token revoked",
    too_large = "token too large",
    invalid_jti = "invalid jti claim",
}

-- Options passed through to cjwt.verifier.
local VERIFY_KEYS = {
    "algorithms", "audience", "issuer", "subject", "leeway", "require", "typ", "max_age",
    "verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub",
    "verify_jti", "strict_aud", "max_token_len", "max_depth",
}
local GATEWAY_KEYS = {
    key = true, keyset = true, jwks_uri = true, jwks_cache = true, jwks_ttl = true,
    jwks_refresh_cooldown = true, jwks_max_size = true, jwks_timeout = true, scopes = true, scope_claim = true, headers = true,
    cookie = true, realm = true, denylist = true, cache = true,
}
local DENYLIST_KEYS = {
    redis = true, prefix = true, cache = true, cache_ttl = true, fail_open = true,
    replica = true, max_lag = true, dict = true,              -- cjwt.replica
    log_interval = true,                                      -- cjwt.outage
}
local REDIS_KEYS = {
    host = true, port = true, path = true, timeout = true, pool_size = true, keepalive = true,
    password = true, database = true, pool = true, sentinels = true, master_name = true,
}

local redisconn = require "cjwt.redisconn"
local outage = require "cjwt.outage"

local function positive(v, name, default)
    if v == nil then return default end
    if type(v) ~= "number" or v < 0 or v ~= v then
        error("cjwt.gateway: denylist '" .. name .. "' must be a number >= 0", 3)
    end
    return v
end

-- The denylist configuration (see _M.new), checked at configuration time.
local function denylist_conf(d)
    if type(d) ~= "table" then
        error("cjwt.gateway: 'denylist' must be a table", 3)
    end
    for k in pairs(d) do
        if not DENYLIST_KEYS[k] then
            error("cjwt.gateway: unknown denylist option '" .. tostring(k) .. "'", 3)
        end
    end
    local r = d.redis or {}
    if type(r) ~= "table" then
        error("cjwt.gateway: denylist 'redis' must be a table", 3)
    end
    for k in pairs(r) do
        if not REDIS_KEYS[k] then
            error("cjwt.gateway: unknown denylist.redis option '" .. tostring(k) .. "'", 3)
        end
    end
    local dl = {
        -- loaded now inside nginx (a missing module fails at configuration time),
        -- at the first lookup elsewhere (the module needs ngx.socket)
        redis = ngx and redisconn.load() or nil,
        host = r.host or "127.0.0.1",
        port = positive(r.port, "redis.port", 6379),
        path = r.path,                                   -- unix socket instead of host/port
        timeout = positive(r.timeout, "redis.timeout", 200),            -- ms, each step
        pool_size = positive(r.pool_size, "redis.pool_size", 32),       -- per worker
        keepalive = positive(r.keepalive, "redis.keepalive", 60000),    -- idle ms
        password = r.password,
        database = r.database,
        prefix = d.prefix or "cjwt:",
        cache_ttl = positive(d.cache_ttl, "cache_ttl", 0),
        cache = d.cache or "cjwt_denylist",
        fail_open = d.fail_open == true,
        -- an unavailable denylist is logged once, then summarised every
        -- log_interval seconds (cjwt.outage), not once per request
        outage = outage.new(positive(d.log_interval, "log_interval", 10)),
    }
    if d.fail_open ~= nil and type(d.fail_open) ~= "boolean" then
        error("cjwt.gateway: denylist 'fail_open' must be a boolean", 3)
    end
    if type(dl.prefix) ~= "string" or type(dl.host) ~= "string" then
        error("cjwt.gateway: denylist 'prefix' and 'redis.host' must be strings", 3)
    end
    local pool = r.pool or ("cjwt:" .. (dl.path or (dl.host .. ":" .. dl.port)) ..
                            ":" .. tostring(dl.database or 0))
    dl.connect_opts = { pool = pool, pool_size = dl.pool_size }
    if d.replica ~= nil and type(d.replica) ~= "boolean" then
        error("cjwt.gateway: denylist 'replica' must be a boolean", 3)
    end
    if r.sentinels ~= nil then
        if type(r.sentinels) ~= "table" or not r.sentinels[1] or type(r.master_name) ~= "string"
                or r.path ~= nil or r.host ~= nil or r.port ~= nil then
            error("cjwt.gateway: denylist.redis 'sentinels' (a list of { host =, port = }) " ..
                  "needs 'master_name' (and no host, port or path)", 3)
        end
        dl.sentinels, dl.master_name = r.sentinels, r.master_name
        pool = "sentinel:" .. r.master_name
        -- per-request connections are pooled per master address (cjwt.redisconn)
        dl.pool_prefix = (r.pool or pool) .. ":" .. tostring(dl.database or 0) .. ":"
    end
    if d.replica then
        -- revocations pushed into a lua_shared_dict; requests read it only
        dl.where = pool
        dl.replica = require("cjwt.replica").setup(dl, d.max_lag or 2, d.dict or "cjwt_revocations")
    elseif d.max_lag ~= nil or d.dict ~= nil then
        error("cjwt.gateway: denylist 'max_lag' and 'dict' need replica = true", 3)
    end
    dl.set_timeouts = dl.redis and redisconn.has_timeouts(dl.redis)
    if dl.cache_ttl > 0 and ngx and ngx.shared and not ngx.shared[dl.cache] then
        error("cjwt.gateway: denylist cache_ttl needs 'lua_shared_dict " .. dl.cache ..
              "' (or cache = the name of one)", 3)
    end
    return dl
end

-- A configuration. conf:
--   key        a key: PEM string, JWK table or cjwt.key object         (one of key,
--   keyset     anything cjwt.keyset takes, or a cjwt.keyset object      keyset,
--   jwks_uri   an internal location that proxies to the issuer's JWKS   jwks_uri)
--   jwks_cache lua_shared_dict name (required with jwks_uri)
--   jwks_ttl   seconds a fetched JWKS is used before refetching (300)
--   jwks_refresh_cooldown  at most one fetch per this many seconds (30)
--   jwks_max_size  bytes: a larger JWKS is refused and logged (65536)
--   jwks_timeout   ms, with a URL jwks_uri: connect/send/receive (2000)
--              jwks_uri is an internal location (subrequest; a refetch runs
--              in the request, bounded by that location's proxy timeouts) or
--              a URL http://, https://, unix:/path.sock:/path (cosocket: a
--              set past jwks_ttl is refreshed in the background, requests
--              keep the cached keys meanwhile)
--   algorithms, audience, issuer, leeway, require, ... : as cjwt.decode
--   scopes     scopes the token must grant (403 insufficient_scope otherwise)
--   scope_claim  claim holding the scopes: "scope" (space separated) by default,
--              "scp" (list or string) is read when "scope" is absent
--   headers    claim -> upstream request header, e.g. { sub = "X-User-Id" };
--              these headers are always cleared from the client's request
--   cookie     cookie name to read the token from when there is no Authorization
--   realm      realm of WWW-Authenticate ("api")
--   denylist   revocation check in Redis, after the core verified the token
--              (docs/lifecycle.md): { redis = { host = "127.0.0.1", port = 6379,
--              path =, timeout = 200 (ms), pool_size = 32, keepalive = 60000 (ms),
--              password =, database = }, prefix = "cjwt:", cache_ttl = 0 (s),
--              cache = "cjwt_denylist" (lua_shared_dict, with cache_ttl > 0),
--              fail_open = false, log_interval = 10 (s) }; redis = { sentinels =
--              { { host =, port = }, ... }, master_name = } instead of host/port:
--              the master the sentinels name (cjwt.redisconn). Looks up {prefix}revoked:jti:{jti} and
--              {prefix}revoked:fid:{fid} (one EXISTS); revoked -> 401
--              invalid_token "token revoked"; Redis unreachable -> 503 (fail
--              closed, logged at error level), or let through with fail_open
--              (logged at warn level): logged once per outage and worker, then
--              a summary every log_interval s (cjwt.outage). Tokens must then
--              carry a string jti.
--   cache      verified-token cache of N entries per worker (0, the default:
--              none): a repeated token skips decoding and the signature; its
--              dates are checked again on every request, and the denylist
--              above still runs on every request (hit or not). A JWKS
--              refresh empties it (a new key set: nothing verified under the
--              old one is served). See docs/openresty.md.
function _M.new(conf)
    if type(conf) ~= "table" then
        error("cjwt.gateway: configuration table expected", 2)
    end
    local vopts = {}
    for k in pairs(conf) do
        local known = GATEWAY_KEYS[k]
        for _, v in ipairs(VERIFY_KEYS) do
            if v == k then
                known = true
                vopts[k] = conf[k]
            end
        end
        if not known then
            error("cjwt.gateway: unknown option '" .. tostring(k) .. "'", 2)
        end
    end
    if not conf.algorithms then
        error("cjwt.gateway: 'algorithms' is required", 2)
    end
    local denylist
    if conf.denylist ~= nil then
        denylist = denylist_conf(conf.denylist)
        -- A token without jti cannot be looked up: the core refuses it (missing_claim).
        local req = { "jti" }
        local given = conf.require
        if type(given) == "string" then given = { given } end
        for _, c in ipairs(given or {}) do
            if c ~= "jti" then req[#req + 1] = c end
        end
        vopts.require = req
    end
    local sources = (conf.key and 1 or 0) + (conf.keyset and 1 or 0) + (conf.jwks_uri and 1 or 0)
    if sources ~= 1 then
        error("cjwt.gateway: exactly one of 'key', 'keyset', 'jwks_uri' is required", 2)
    end

    local cache = conf.cache
    if cache ~= nil and (type(cache) ~= "number" or cache < 0 or cache % 1 ~= 0) then
        error("cjwt.gateway: 'cache' must be an integer >= 0 (entries per worker)", 2)
    end

    local self = setmetatable({
        verifier = cjwt.verifier(vopts),     -- raises at configuration time
        realm = conf.realm or "api",
        cookie = conf.cookie,
        scopes = conf.scopes,
        scope_claim = conf.scope_claim,
        headers = {},
        jwks_uri = conf.jwks_uri,
        jwks_ttl = conf.jwks_ttl or 300,
        cooldown = conf.jwks_refresh_cooldown or 30,
        denylist = denylist,
    }, mt)
    -- The safe flavour of the same compiled options: nil, message, code per
    -- request; the one that verifies, so the only one given the cache.
    vopts.cache = cache
    self.check = safe.verifier(vopts)

    if type(self.realm) ~= "string" or str_find(self.realm, '["\\%c]') then
        error("cjwt.gateway: 'realm' must be a string without quotes or control characters", 2)
    end
    if conf.scopes then
        if type(conf.scopes) == "string" then
            self.scopes = { conf.scopes }
        end
        for _, s in ipairs(self.scopes) do
            if type(s) ~= "string" or str_find(s, '[%s"\\%c]') then
                error("cjwt.gateway: 'scopes' must be scope tokens (no spaces or quotes)", 2)
            end
        end
    end
    local seen = {}
    for claim, header in pairs(conf.headers or {}) do
        if type(claim) ~= "string" or type(header) ~= "string" or not str_match(header, "^[%w%-_]+$") then
            error("cjwt.gateway: 'headers' maps claim names to header names", 2)
        end
        -- one claim per header: otherwise which claim the upstream sees would
        -- depend on the order pairs() happens to visit them
        local lower = header:lower()
        if seen[lower] then
            error("cjwt.gateway: 'headers' maps two claims to the header " .. header, 2)
        end
        seen[lower] = true
        self.headers[#self.headers + 1] = { claim, header }
    end

    if conf.key then
        local k = conf.key
        self.key = type(k) == "userdata" and k or cjwt.key(k)
    elseif conf.keyset then
        local ks = conf.keyset
        self.key = type(ks) == "userdata" and ks or cjwt.keyset(ks)
    else
        if type(conf.jwks_uri) ~= "string" or not conf.jwks_cache then
            error("cjwt.gateway: 'jwks_uri' needs 'jwks_cache' (a lua_shared_dict name)", 2)
        end
        self.dict_name = conf.jwks_cache
        if str_byte(conf.jwks_uri, 1) ~= 47 then              -- not "/": a URL
            local u, uerr = require("cjwt.fetch").parse_url(conf.jwks_uri)
            if not u then
                error("cjwt.gateway: 'jwks_uri' " .. uerr, 2)
            end
            self.jwks_url = u
        end
        local max, tmo = conf.jwks_max_size or 65536, conf.jwks_timeout or 2000
        if type(max) ~= "number" or max < 1 or type(tmo) ~= "number" or tmo < 1 then
            error("cjwt.gateway: 'jwks_max_size' and 'jwks_timeout' must be positive numbers", 2)
        end
        self.jwks_max, self.jwks_timeout = max, tmo
        local p = "cjwt:" .. conf.jwks_uri .. ":"
        self.k_json, self.k_ver, self.k_exp, self.k_cool = p .. "json", p .. "ver", p .. "exp", p .. "cool"
        self.ks_version = nil                -- version of self.key, per worker
    end
    -- Precomputed for the request path: the mapped headers as two arrays
    -- (claim i -> header i), and whether the client's copies of them may be
    -- replaced at the end instead of cleared first (see _M.access).
    self.h_claims, self.h_names = {}, {}
    for i, m in ipairs(self.headers) do
        self.h_claims[i], self.h_names[i] = m[1], m[2]
    end
    self.n_headers = #self.headers
    self.late_headers = not self.jwks_uri and not denylist
    return self
end

-- ---- JWKS through nginx, cached in a lua_shared_dict ------------------------

local function dict_of(self)
    local d = ngx.shared[self.dict_name]
    if not d then
        error("cjwt.gateway: lua_shared_dict '" .. self.dict_name .. "' is not declared")
    end
    return d
end

-- A new key set for this worker. Cached tokens were verified under the old
-- set object and would never be served again (the core ties each entry to
-- its key set): drop them now rather than let them age out of the LRU.
local function set_keyset(self, ks, ver)
    if self.key ~= nil and self.key ~= ks then
        self.check:cache_clear()
    end
    self.key, self.ks_version = ks, ver
end

-- The JWKS body: through the internal location (a subrequest, only inside a
-- request) or from the URL (a cosocket: also in a timer). body or nil, err.
local function get_jwks(self)
    local body, status
    if self.jwks_url then
        status, body = require("cjwt.fetch").get(self.jwks_url, self.jwks_timeout, self.jwks_max)
        if status == nil then
            return nil, body
        end
    else
        -- GET without the client's body; the internal location must not pass the
        -- client's headers on (docs/openresty.md: proxy_pass_request_headers off).
        local res = ngx.location.capture(self.jwks_uri, { method = ngx.HTTP_GET })
        if not res then
            return nil, "no response"
        end
        status, body = res.status, res.body
        if res.truncated then
            return nil, "response truncated"
        end
    end
    if status ~= 200 then
        return nil, "status " .. tostring(status)
    end
    if #body > self.jwks_max then
        return nil, "too large: " .. #body .. " > jwks_max_size " .. self.jwks_max .. " bytes"
    end
    return body
end

-- Fetches the JWKS, at most once per cooldown across all workers (`locked`:
-- the caller took the cooldown already). On success it is stored with a new
-- version; a store that fails (the lua_shared_dict too small) is a failure.
local function fetch(self, dict, locked)
    if not locked and not dict:add(self.k_cool, true, self.cooldown) then
        return false                         -- another fetch happened recently
    end
    local body, err = get_jwks(self)
    if not body then
        ngx.log(ngx.ERR, "cjwt.gateway: JWKS fetch from ", self.jwks_uri, " failed: ", err)
        return false
    end
    local ks
    ks, err = safe.keyset(body)
    if not ks then
        ngx.log(ngx.ERR, "cjwt.gateway: JWKS from ", self.jwks_uri, " refused: ", err)
        return false
    end
    local ok, forcible
    ok, err, forcible = dict:set(self.k_json, body)
    if ok then
        ok, err = dict:set(self.k_exp, ngx.now() + self.jwks_ttl)
    end
    if not ok then
        ngx.log(ngx.ERR, "cjwt.gateway: JWKS from ", self.jwks_uri, " (", #body,
                " bytes) not stored in lua_shared_dict ", self.dict_name, ": ", err,
                " (make the dict larger)")
        dict:delete(self.k_json)             -- never half a set
        return false
    end
    if forcible then
        ngx.log(ngx.WARN, "cjwt.gateway: storing the JWKS evicted other entries of lua_shared_dict ",
                self.dict_name, " (make it larger)")
    end
    local ver = dict:incr(self.k_ver, 1, 0)
    set_keyset(self, ks, ver)
    return true
end

-- ngx.timer callback: the background refresh of a set past jwks_ttl.
local function refresh_timer(premature, self)
    if premature then return end
    local ok, err = pcall(fetch, self, dict_of(self), true)
    if not ok then
        ngx.log(ngx.ERR, "cjwt.gateway: JWKS refresh from ", self.jwks_uri, " failed: ", err)
    end
end

-- The worker's key set, rebuilt when the shared copy changed; refetched
-- when missing or past its lifetime (or when `force`), subject to the cooldown.
-- With a URL jwks_uri, a set that is only past its lifetime is refreshed in
-- a timer: this request goes on with the cached keys.
local function current_keyset(self, force)
    local dict = dict_of(self)
    local exp = dict:get(self.k_exp)
    if not force and exp and ngx.now() >= exp and self.jwks_url and dict:get(self.k_json) then
        if dict:add(self.k_cool, true, self.cooldown) then
            local ok, err = ngx.timer.at(0, refresh_timer, self)
            if not ok then
                ngx.log(ngx.ERR, "cjwt.gateway: JWKS refresh not started: ", err)
            end
        end
    elseif force or not exp or ngx.now() >= exp then
        fetch(self, dict)
        if not dict:get(self.k_json) then
            -- first fetch failed, or another worker is fetching: wait a little
            for _ = 1, 20 do
                ngx.sleep(0.05)
                if dict:get(self.k_json) then break end
            end
        end
    end
    local ver = dict:get(self.k_ver)
    if ver and ver ~= self.ks_version then
        local ks = safe.keyset(dict:get(self.k_json) or "")
        if ks then
            set_keyset(self, ks, ver)
        end
    end
    return self.key
end

-- ---- the denylist in Redis ---------------------------------------------------
local replica_mod
local function replica_check(f, jti, fid)
    replica_mod = replica_mod or require("cjwt.replica")
    return replica_mod.check(f, jti, fid)
end
-- Why not the core's revocation hook (cjwt.decode's denylist option): the hook
-- is a C callback, and a cosocket cannot yield across a C call. So the core
-- verifies first (signature, typ, claims, jti present and a string), and
-- this looks the verified ids up right after, in Lua, with nginx's
-- non-blocking sockets. The ids are the claims the core returned.

-- true (revoked), false (not revoked), or nil, err (Redis could not answer).
local function redis_revoked(dl, jti, fid)
    -- the configured address, or the master the sentinels name (cjwt.redisconn)
    local red, err = redisconn.connect(dl, { pooled = true, now = ngx.now() })
    if not red then
        return nil, "redis " .. err
    end
    local n
    if fid then
        n, err = red:exists(dl.prefix .. "revoked:jti:" .. jti, dl.prefix .. "revoked:fid:" .. fid)
    else
        n, err = red:exists(dl.prefix .. "revoked:jti:" .. jti)
    end
    if type(n) ~= "number" then
        red:close()
        if dl.sentinels then redisconn.forget_master(dl) end   -- ask again next time
        return nil, "redis EXISTS: " .. tostring(err)
    end
    red:set_keepalive(dl.keepalive, dl.pool_size)
    return n > 0
end

-- The same, through the optional shared-dict cache of recent answers, or
-- from the replica (cjwt.replica) with replica = true.
local function is_revoked(dl, jti, fid)
    if dl.replica then
        return replica_check(dl.replica, jti, fid)
    end
    if dl.cache_ttl <= 0 then
        return redis_revoked(dl, jti, fid)
    end
    local dict = ngx.shared[dl.cache]
    local ck = "r:" .. #jti .. ":" .. jti .. (fid or "")     -- length-prefixed: unambiguous
    local v = dict:get(ck)
    if v ~= nil then
        return v
    end
    local revoked, err = redis_revoked(dl, jti, fid)
    if revoked ~= nil then
        dict:set(ck, revoked, dl.cache_ttl)
    end
    return revoked, err
end

-- ---- requests -------------------------------------------------------------

-- The bearer token: from Authorization (scheme case-insensitive, RFC 6750
-- 2.1), else from the configured cookie. Returns the token and whether it
-- came from Authorization, or nil and whether some credentials were present
-- but unusable ("Bearer" alone).
--
-- Plain finds and byte tests only: a Lua pattern walking a ~400-byte token
-- ("(.-)%s*$", or even "%s") cost 3-13 us per request, more than an HS256
-- verification (docs/performance.md, gateway profile). A token with
-- whitespace inside ("Bearer a b", a malformed header: 400) is not looked
-- for here: no token with whitespace verifies (the core refuses it as
-- malformed), so the caller checks it only for a refused token
-- (malformed_header below), not on every request.
local function is_space_byte(b)
    return b == 32 or (b >= 9 and b <= 13)
end

local function malformed_header(token)
    return str_find(token, " ", 1, true) or str_find(token, "\t", 1, true)
        or str_find(token, "\v", 1, true) or str_find(token, "\f", 1, true)
        or str_find(token, "\r", 1, true) or str_find(token, "\n", 1, true)
end

-- Any other form of the header than "Bearer <token>": leading spaces, the
-- scheme in other cases, several spaces or tabs after it, spaces at the end.
local function general_bearer(auth)
    -- "^%s*" then the scheme, by the anchored pattern (not compiled by LuaJIT:
    -- it runs in C from a stitched trace, ~1k instructions; only these forms)
    local _, e = str_find(auth, "^%s*[Bb][Ee][Aa][Rr][Ee][Rr]")
    if not e then
        return nil
    end
    local n = #auth
    local b = str_byte(auth, e + 1)
    if b ~= nil and not is_space_byte(b) then
        return nil                           -- "Bearerxyz": another scheme
    end
    -- skip the spaces after the scheme, trim those at the end
    local first = e + 1
    while first <= n and is_space_byte(str_byte(auth, first)) do
        first = first + 1
    end
    local last = n
    while last >= first and is_space_byte(str_byte(auth, last)) do
        last = last - 1
    end
    if last < first then
        return false                         -- "Bearer" and nothing else
    end
    return str_sub(auth, first, last)
end

local function find_token(self)
    local auth = ngx.var.http_authorization
    if auth then
        -- "Bearer <token>" / "bearer <token>", one space, nothing at the end:
        -- byte tests and no loop (the request path stays one trace)
        local b1, b2, b3, b4, b5, b6, b7, b8 = str_byte(auth, 1, 8)
        if b8 and b7 == 32 and (b1 == 66 or b1 == 98) and b2 == 101 and b3 == 97
           and b4 == 114 and b5 == 101 and b6 == 114 and not is_space_byte(b8)
           and not is_space_byte(str_byte(auth, -1)) then
            return str_sub(auth, 8), true
        end
        local t = general_bearer(auth)
        if t then
            return t, true
        elseif t == false then
            return nil, true
        end
    end
    if self.cookie then
        local c = ngx.var["cookie_" .. self.cookie]
        if c and c ~= "" then
            return c, false
        end
    end
    return nil, false
end

-- Removes the client's copies of the mapped headers.
local function clear_mapped(self)
    local names = self.h_names
    for i = 1, self.n_headers do
        ngx.req.clear_header(names[i])
    end
end

-- Ends the request with 401/403/400 and RFC 6750's WWW-Authenticate. The
-- mapped headers are cleared first: an error_page location (or a later
-- phase) never sees the client's copies.
local function challenge(self, status, err, description, scope)
    clear_mapped(self)
    local parts = { 'Bearer realm="', self.realm, '"' }
    if err then
        parts[#parts + 1] = ', error="' .. err .. '"'
        if description then
            parts[#parts + 1] = ', error_description="' .. description .. '"'
        end
        if scope then
            parts[#parts + 1] = ', scope="' .. scope .. '"'
        end
    end
    ngx.header["WWW-Authenticate"] = concat(parts)
    ngx.header["Cache-Control"] = "no-store"
    return ngx.exit(status)
end

-- The token's scopes as a set: "scope" (space separated) or "scp" (list or string).
local function granted_scopes(self, claims)
    local v
    if self.scope_claim then
        v = claims[self.scope_claim]
    else
        v = claims.scope
        if type(v) ~= "string" then v = claims.scp end
    end
    local set = {}
    if type(v) == "string" then
        -- the words of v (what gmatch("%S+") yields), by a byte loop that
        -- LuaJIT compiles rather than the pattern matcher at every position
        local n, i = #v, 1
        while i <= n do
            if is_space_byte(str_byte(v, i)) then
                i = i + 1
            else
                local j = i + 1
                while j <= n and not is_space_byte(str_byte(v, j)) do
                    j = j + 1
                end
                set[str_sub(v, i, j - 1)] = true
                i = j
            end
        end
    elseif type(v) == "table" then
        for _, s in ipairs(v) do
            if type(s) == "string" then set[s] = true end
        end
    end
    return set
end

-- Whether s has a control character (what "%c" matches: bytes 0-31 and
-- 127). A byte loop: LuaJIT compiles it, where string.find with a pattern
-- runs Lua's matcher in C once per position (~1k instructions for a short
-- claim, on every request for every mapped header).
local function has_control(s)
    for i = 1, #s do
        local b = str_byte(s, i)
        if b < 32 or b == 127 then
            return true
        end
    end
    return false
end

-- A claim value as a header value, or nil when it has no safe text form.
local function header_value(v)
    local t = type(v)
    if t == "string" then
        -- no control characters (header splitting), no empty values
        if v == "" or has_control(v) then return nil end
        return v
    elseif t == "number" then
        if v == v and v % 1 == 0 and v >= -2^53 and v <= 2^53 then
            return format("%d", v)
        end
        return tostring(v)
    elseif t == "boolean" then
        return tostring(v)
    elseif t == "table" then
        local out = {}
        for i, item in ipairs(v) do       -- a list: items joined by spaces
            local s = type(item) ~= "table" and header_value(item)
            if not s then return nil end
            out[i] = s
        end
        if #out == 0 then return nil end
        return concat(out, " ")
    end
    return nil
end

-- Verifies the request's token; on success sets the mapped headers and
-- ngx.ctx.cjwt_claims, otherwise ends the request with 400/401/403.
--
-- The client never chooses the mapped headers. With a static key and no
-- denylist (self.late_headers) nothing between the start and the end of
-- this function yields or leaves the request to another location unless it
-- refuses, so: every refusal clears them (challenge) before answering, and
-- a verified request replaces them at the end, each set (which replaces every
-- copy the client sent) or cleared (no value for it in the token). With
-- jwks_uri (a subrequest or a sleep may yield) or a denylist (Redis, 503),
-- they are cleared before anything else, as the client's copies must be
-- gone whatever happens next.
function _M.access(self)
    if type(self) == "string" then
        self = _M.configured[self] or error("cjwt.gateway: no configuration named '" .. self .. "'")
    end
    local late = self.late_headers
    if not late then
        clear_mapped(self)
    end

    local token, from_header = find_token(self)
    if not token then
        if from_header then
            return challenge(self, ngx.HTTP_BAD_REQUEST, "invalid_request",
                             "malformed Authorization header")
        end
        return challenge(self, ngx.HTTP_UNAUTHORIZED)
    end

    local key = self.key
    if self.jwks_uri then
        if from_header and malformed_header(token) then   -- before any JWKS fetch
            return challenge(self, ngx.HTTP_BAD_REQUEST, "invalid_request",
                             "malformed Authorization header")
        end
        key = current_keyset(self, false)
        if not key then
            ngx.log(ngx.ERR, "cjwt.gateway: no key set available from ", self.jwks_uri)
            return ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE)
        end
    end

    local claims, msg, code, claim = self.check:decode(token, key)
    if not claims and code == "invalid_key" and self.jwks_uri then
        -- An unknown kid may be a rotated key: refetch once (cooldown permitting).
        local header = safe.get_unverified_header(token)
        local kid = header and type(header.kid) == "string" and header.kid
        if kid and not key:find(kid) then
            local fresh = current_keyset(self, true)
            if fresh and fresh ~= key then
                claims, msg, code, claim = self.check:decode(token, fresh)
            end
        end
    end
    if not claims then
        if from_header and malformed_header(token) then
            -- "Bearer a b": the header is malformed, not the token (RFC 6750 3.1)
            return challenge(self, ngx.HTTP_BAD_REQUEST, "invalid_request",
                             "malformed Authorization header")
        end
        ngx.log(ngx.INFO, "cjwt.gateway: token refused: ", code, ": ", msg)
        local d = DESCRIPTIONS[code] or "invalid token"
        if code == "missing_claim" and claim and str_match(claim, "^[%w_%-%.:]+$") then
            d = d .. " " .. claim
        end
        return challenge(self, ngx.HTTP_UNAUTHORIZED, "invalid_token", d)
    end

    local dl = self.denylist
    if dl then
        -- jti is present (required) and a string (the core's verify_jti, unless
        -- the configuration turned that off); fid is optional.
        local jti, fid = claims.jti, claims.fid
        if fid == cjwt.null then fid = nil end
        if type(jti) ~= "string" or (fid ~= nil and type(fid) ~= "string") then
            ngx.log(ngx.INFO, "cjwt.gateway: token refused: jti/fid claim is not a string")
            return challenge(self, ngx.HTTP_UNAUTHORIZED, "invalid_token", "invalid token")
        end
        local revoked, err = is_revoked(dl, jti, fid)
        if revoked == nil then
            -- logged once per outage, then summarised (cjwt.outage): no line per request
            outage.failed(dl.outage, err, dl.fail_open)
            if not dl.fail_open then
                ngx.header["Cache-Control"] = "no-store"
                ngx.header["Retry-After"] = "1"
                return ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE)
            end
        elseif dl.outage.down then
            outage.answered(dl.outage, dl.fail_open)
        end
        if revoked then
            ngx.log(ngx.INFO, "cjwt.gateway: token refused: revoked")
            return challenge(self, ngx.HTTP_UNAUTHORIZED, "invalid_token", DESCRIPTIONS.revoked)
        end
    end

    if self.scopes then
        local granted = granted_scopes(self, claims)
        for _, s in ipairs(self.scopes) do
            if not granted[s] then
                return challenge(self, ngx.HTTP_FORBIDDEN, "insufficient_scope",
                                 "the token lacks a required scope", concat(self.scopes, " "))
            end
        end
    end

    local cl, names = self.h_claims, self.h_names
    for i = 1, self.n_headers do
        local v = header_value(claims[cl[i]])
        if v then
            ngx.req.set_header(names[i], v)      -- replaces the client's copies
        elseif late then
            ngx.req.clear_header(names[i])
        end
    end
    ngx.ctx.cjwt_claims = claims
    return claims
end

-- This worker's verified-token cache statistics of a configuration (or its
-- name): { hits =, misses =, evictions =, size =, capacity = }, or nil
-- without a cache. Each worker has its own cache.
function _M.cache_stats(self)
    if type(self) == "string" then
        self = _M.configured[self] or error("cjwt.gateway: no configuration named '" .. self .. "'")
    end
    return self.check:cache_stats()
end

-- Starts this worker's part of the denylist replicas (init_worker_by_lua;
-- otherwise a worker's first request does it). See cjwt.replica.
function _M.init_worker()
    require("cjwt.replica").init_worker()
end

-- A replica's { healthy =, lag =, max_lag =, leader =, last_id =, resyncs = }
-- by configuration (or name), nil without one.
function _M.replica_status(self)
    if type(self) == "string" then
        self = _M.configured[self] or error("cjwt.gateway: no configuration named '" .. self .. "'")
    end
    local dl = self.denylist
    return dl and dl.replica and require("cjwt.replica").status(dl.replica.dict) or nil
end

-- Named configurations, for nginx.conf: configure in init_by_lua(_block)
-- (before the workers fork), access by name in access_by_lua(_block).
_M.configured = {}

function _M.configure(name, conf)
    local gw = _M.new(conf)
    _M.configured[name] = gw
    return gw
end

return _M
