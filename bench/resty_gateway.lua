-- The lua-resty-jwt side of bench/gateway.sh: the access phase an OpenResty
-- user writes with lua-resty-jwt (its README's jwt:verify with a claim spec),
-- doing what the bench's cjwt.gateway configuration does: the Bearer token
-- from Authorization, the algorithm allowlist, iss, aud, exp (5 s leeway),
-- sub required; the client's X-User-Id / X-User-Role cleared, then set from
-- sub / role; all claims in ngx.ctx; 401 otherwise.
--
--   init_by_lua:   require("resty_gateway").configure(name, alg, key_text)
--   access_by_lua: require("resty_gateway").access(name)
local jwt = require "resty.jwt"
local validators = require "resty.jwt-validators"

local _M = { configured = {} }

local ISS, AUD = "https://auth.example.com", "api.example.com"
local HEADERS = { { "sub", "X-User-Id" }, { "role", "X-User-Role" } }

function _M.configure(name, alg, key)
  validators.set_system_leeway(5)
  _M.configured[name] = {
    key = key,
    allow = { [alg] = 1 },
    spec = {
      iss = validators.equals(ISS),
      aud = validators.equals(AUD),
      exp = validators.is_not_expired(),
      sub = validators.required(),
    },
  }
end

function _M.access(name)
  local c = _M.configured[name]
  for _, h in ipairs(HEADERS) do
    ngx.req.clear_header(h[2])
  end
  local auth = ngx.var.http_authorization
  local token = auth and auth:match("^[Bb]earer%s+(%S+)%s*$")
  if not token then
    ngx.header["WWW-Authenticate"] = 'Bearer realm="api"'
    return ngx.exit(ngx.HTTP_UNAUTHORIZED)
  end
  jwt:set_alg_whitelist(c.allow)
  local obj = jwt:verify(c.key, token, c.spec)
  if not obj.verified then
    ngx.header["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return ngx.exit(ngx.HTTP_UNAUTHORIZED)
  end
  local claims = obj.payload
  for _, h in ipairs(HEADERS) do
    local v = claims[h[1]]
    if type(v) == "string" and v ~= "" then
      ngx.req.set_header(h[2], v)
    end
  end
  ngx.ctx.claims = claims
end

return _M
