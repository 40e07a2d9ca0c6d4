-- cjwt.ratelimit: the user name of a login request as an nginx variable, so
-- that nginx's own limit_req can limit password guessing per user as well as
-- per client address (docs/openresty.md, "Rate-limiting /auth/login").
--
--   limit_req_zone $binary_remote_addr zone=login_addr:10m rate=10r/m;
--   limit_req_zone $cjwt_login_user    zone=login_user:10m rate=5r/m;
--   location = /auth/login {
--       set $cjwt_login_user "";
--       rewrite_by_lua_block { require("cjwt.ratelimit").login_user("cjwt_login_user") }
--       limit_req zone=login_addr burst=10 nodelay;
--       limit_req zone=login_user burst=5 nodelay;
--       ...
--   }
--
-- rewrite_by_lua runs before limit_req (preaccess phase). The variable gets
-- the MD5 of the lower-cased user name (fixed size in the zone, whatever the
-- client sends), or stays empty (not counted per user; the address limit
-- still applies) when the body has no user name or was buffered to a file.
local ngx = ngx
local type, str_lower, str_match = type, string.lower, string.match

local _M = {}

local cjson_ok, cjson = pcall(require, "cjson.safe")

-- The user name of a JSON ({"username": ...}) or form (username=...) body.
local function user_of(body, field)
    local ctype = ngx.var.content_type or ""
    if str_match(str_lower(ctype), "^application/x%-www%-form%-urlencoded") then
        local args = ngx.decode_args(body, 20)
        local v = args and args[field]
        return type(v) == "string" and v or nil
    end
    if cjson_ok then
        local t = cjson.decode(body)
        local v = type(t) == "table" and t[field]
        return type(v) == "string" and v or nil
    end
    return nil
end

-- Sets ngx.var[var] from the request body's `field` ("username").
function _M.login_user(var, field)
    field = field or "username"
    ngx.var[var] = ""
    if ngx.req.get_method() ~= "POST" then
        return
    end
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    if not body or #body > 65536 then
        return
    end
    local user = user_of(body, field)
    if user and user ~= "" then
        ngx.var[var] = ngx.md5(str_lower(user))
    end
end

return _M
