-- cjwt.fetch: one HTTP GET with nginx's cosockets, for cjwt.gateway's JWKS
-- when `jwks_uri` is a URL (http://, https:// or unix:/path.sock:/path).
--
-- Why not a subrequest (ngx.location.capture): a subrequest needs a request,
-- so the key set could only be refreshed inside a client's request, which
-- then waits for the issuer. A cosocket also works in an ngx.timer, so the
-- gateway refreshes in the background and serves the cached keys meanwhile.
-- (Debian ships no lua-resty-http; this is the small subset a JWKS needs:
-- HTTP/1.0, so no chunked encoding and no keep-alive, a size cap, timeouts.)
local ngx = ngx
local tonumber, tostring = tonumber, tostring
local str_match, str_lower, concat = string.match, string.lower, table.concat

local _M = {}

-- Parses "http://host[:port]/path", "https://..." or "unix:/x.sock:/path".
-- Returns a table, or nil and a message.
function _M.parse_url(url)
    if type(url) ~= "string" then
        return nil, "not a string"
    end
    local sock, path = str_match(url, "^unix:(/[^:]+):(/.*)$")
    if sock then
        return { unix = "unix:" .. sock, host = "localhost", path = path, scheme = "http" }
    end
    local scheme, host, port, p = str_match(url, "^(https?)://([%w%.%-]+):?(%d*)(/?.*)$")
    if not scheme then
        -- [v6]:port
        scheme, host, port, p = str_match(url, "^(https?)://%[([%x:%.]+)%]:?(%d*)(/?.*)$")
    end
    if not scheme then
        return nil, "expected http://host[:port]/path, https://... or unix:/path.sock:/path"
    end
    port = tonumber(port) or (scheme == "https" and 443 or 80)
    if port < 1 or port > 65535 then
        return nil, "bad port"
    end
    if p == "" then p = "/" end
    if str_match(p, "[%s%c]") then
        return nil, "spaces or control characters in the path"
    end
    return { scheme = scheme, host = host, port = port, path = p }
end

-- Closes sock and returns nil, msg (the failure of get).
local function fail(sock, msg)
    sock:close()
    return nil, msg
end

-- GET u (a table from parse_url). timeout: ms for connect, each send and
-- each receive; max_size: bytes of body at most. Returns status, body or
-- nil, message. Only a 200 body is read.
function _M.get(u, timeout, max_size)
    local sock = ngx.socket.tcp()
    sock:settimeouts(timeout, timeout, timeout)
    local ok, err
    if u.unix then
        ok, err = sock:connect(u.unix)
    else
        ok, err = sock:connect(u.host, u.port)
    end
    if not ok then
        return nil, "connect: " .. tostring(err)
    end
    if u.scheme == "https" then
        -- verified against lua_ssl_trusted_certificate, with SNI
        ok, err = sock:sslhandshake(nil, u.host, true)
        if not ok then
            return fail(sock, "TLS: " .. tostring(err))
        end
    end
    local default_port = (u.scheme == "https" and 443) or 80
    local host = u.host
    if u.port and u.port ~= default_port then host = host .. ":" .. u.port end
    ok, err = sock:send(concat({ "GET ", u.path, " HTTP/1.0\r\nHost: ", host,
                                 "\r\nAccept: application/json\r\nUser-Agent: cjwt.gateway\r\n\r\n" }))
    if not ok then
        return fail(sock, "send: " .. tostring(err))
    end
    local line
    line, err = sock:receive("*l")
    if not line then
        return fail(sock, "receive: " .. tostring(err))
    end
    local status = tonumber(str_match(line, "^HTTP/1%.%d (%d%d%d)"))
    if not status then
        return fail(sock, "not an HTTP response")
    end
    local length
    local n = 0
    while true do
        line, err = sock:receive("*l")
        if not line then
            return fail(sock, "receive: " .. tostring(err))
        end
        if line == "" then break end
        n = n + 1
        if n > 100 then
            return fail(sock, "too many response headers")
        end
        local name, value = str_match(line, "^([^:]+):%s*(.-)%s*$")
        if name and str_lower(name) == "content-length" then
            length = tonumber(value)
            if not length or length < 0 or length % 1 ~= 0 then
                return fail(sock, "bad Content-Length")
            end
        end
    end
    if status ~= 200 then
        sock:close()
        return status
    end
    if length and length > max_size then
        return fail(sock, "too large: Content-Length " .. length .. " > " .. max_size .. " bytes")
    end
    local body
    if length then
        body, err = sock:receive(length)
        if not body then
            return fail(sock, "receive: " .. tostring(err))
        end
    else
        -- HTTP/1.0 without Content-Length: the body ends when the server closes
        local parts, size = {}, 0
        while true do
            local chunk, e = sock:receiveany(8192)
            if not chunk then
                if e == "closed" then break end
                return fail(sock, "receive: " .. tostring(e))
            end
            size = size + #chunk
            if size > max_size then
                return fail(sock, "too large: more than " .. max_size .. " bytes")
            end
            parts[#parts + 1] = chunk
        end
        body = concat(parts)
    end
    sock:close()
    return status, body
end

return _M
