-- Helpers shared by the busted specs: dofile("tests/lua/speclib.lua").
-- (busted's `assert` lives in each spec's environment, not here: plain
-- error() fails the calling test just as well.)
local cjwt = require "cjwt"

local S = {}

-- Calls f(...), which must fail with a cjwt error object: its code, message.
function S.code_of(f, ...)
    local ok, err = pcall(f, ...)
    if ok then
        error("expected a failure", 2)
    end
    if getmetatable(err) ~= cjwt.error_mt then
        error("not an error object: " .. tostring(err), 2)
    end
    return err.code, err.message
end

return S
