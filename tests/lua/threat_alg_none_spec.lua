-- Threat: alg "none" in any case spelling never verifies, not even asked for by name.
local T = dofile("tests/lua/threatlib.lua")
local cjwt = require "cjwt"

describe("threat: alg none", function()
    local unsigned = T.unsigned('{"alg":"none","typ":"JWT"}', T.CLAIMS_JSON, "")

    it("is not allowed even with every real algorithm allowed", function()
        T.expect_code("alg_not_allowed", cjwt.decode, unsigned, T.SECRET, T.opts(T.ALL))
        T.expect_code("alg_not_allowed", cjwt.decode, unsigned, T.KEYS.rsa.public_pem, T.opts(T.ALL))
        T.expect_code("alg_not_allowed", cjwt.decode, unsigned, T.KEYS.ec256.public_jwk, T.opts(T.ALL))
    end)

    it("is not allowed with a signature appended", function()
        local t = T.unsigned('{"alg":"none"}', T.CLAIMS_JSON)
        T.expect_code("alg_not_allowed", cjwt.decode, t, T.SECRET, T.opts(T.ALL))
    end)

    it("other spellings are unknown algorithms", function()
        for _, s in ipairs({ "None", "NONE", "nOnE", "NoNe", "none ", " none" }) do
            local t = T.unsigned('{"alg":"' .. s .. '"}', T.CLAIMS_JSON, "")
            local all = { "none" }
            for _, a in ipairs(T.ALL) do all[#all + 1] = a end
            T.expect_code("unsupported_alg", cjwt.decode, t, T.SECRET, T.opts(all))
            T.expect_code("unsupported_alg", cjwt.decode, t, T.SECRET, T.opts({ s }))
        end
    end)

    it("is refused even asked for by name, signed or not (DESIGN.md)", function()
        local t = T.unsigned('{"alg":"none"}', T.CLAIMS_JSON)
        T.expect_code("alg_not_allowed", cjwt.decode, t, nil, T.opts({ "none" }))
        T.expect_code("alg_not_allowed", cjwt.decode, unsigned, nil, T.opts({ "none" }))
        local all = { "none" }
        for _, a in ipairs(T.ALL) do all[#all + 1] = a end
        T.expect_code("alg_not_allowed", cjwt.decode, unsigned, T.SECRET, T.opts(all))
    end)
end)
