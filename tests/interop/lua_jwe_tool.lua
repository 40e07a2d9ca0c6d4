-- JWE interop tool for the cjwt Lua binding (Lua 5.4 and LuaJIT), driven by
-- tests/interop/jwe_matrix.py with a batch of cases on stdin (JSON):
--   lua lua_jwe_tool.lua encrypt < [{id, alg, enc, zip, key, plaintext, p2c}]
--       -> {id: token | {na = why} | {error = msg}}
--   lua lua_jwe_tool.lua decrypt < [{id, alg, enc, key, token}]
--       -> {id: {plaintext = text} | {error = msg}}
local safe = require "cjwt.safe"
local cjson = require "cjson"

local mode = arg[1]
local job = cjson.decode(io.read("*a"))
local out = {}
for _, c in ipairs(job) do
    if mode == "encrypt" then
        if c.alg == "RSA1_5" then
            out[c.id] = { na = "cjwt never encrypts with RSA1_5 (decrypt-only)" }
        else
            local tok, msg, code = safe.jwe_encrypt(c.plaintext, c.key,
                { alg = c.alg, enc = c.enc, zip = c.zip and "DEF" or nil, p2c = c.p2c })
            out[c.id] = tok or { error = tostring(code) .. ": " .. tostring(msg) }
        end
    elseif mode == "decrypt" then
        local pt, msg, code = safe.jwe_decrypt(c.token, c.key,
            { algorithms = { c.alg }, encryptions = { c.enc } })
        out[c.id] = pt and { plaintext = pt } or { error = tostring(code) .. ": " .. tostring(msg) }
    else
        io.stderr:write("usage: lua lua_jwe_tool.lua encrypt|decrypt < cases.json\n")
        os.exit(2)
    end
end
io.write(cjson.encode(out), "\n")
