// Interop tool for the `jose` npm package: signs tokens for every JWS
// algorithm with the fixed keys in tests/interop/keys.json, or verifies them.
//   node jose_tool.mjs sign KEYS.json SUB            -> {"ALG": "token", ...}
//   node jose_tool.mjs verify KEYS.json SUB < tokens -> {"ALG": "ok" | "error: ...", ...}
// NODE_PATH is not used by ESM, so jose is imported from JOSE_DIR.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const joseDir = process.env.JOSE_DIR || "build/interop/node";
const jose = await import(pathToFileURL(join(joseDir, "node_modules", "jose", "dist", "node", "esm", "index.js")).href);

// [row, alg, key]: the "Ed448" row is EdDSA with the Ed448 key (RFC 8037).
const ALGS = [
  ["HS256", "HS256", "hmac"], ["HS384", "HS384", "hmac"], ["HS512", "HS512", "hmac"],
  ["RS256", "RS256", "rsa"], ["RS384", "RS384", "rsa"], ["RS512", "RS512", "rsa"],
  ["PS256", "PS256", "rsa"], ["PS384", "PS384", "rsa"], ["PS512", "PS512", "rsa"],
  ["ES256", "ES256", "ec256"], ["ES384", "ES384", "ec384"], ["ES512", "ES512", "ec521"],
  ["EdDSA", "EdDSA", "ed25519"], ["ES256K", "ES256K", "secp256k1"], ["Ed448", "EdDSA", "ed448"],
];

const [mode, keysPath, sub] = process.argv.slice(2);
const keys = JSON.parse(readFileSync(keysPath, "utf8")).keys;

async function key(alg, entry, priv) {
  if (alg.startsWith("HS")) return new TextEncoder().encode(entry.secret);
  return priv ? jose.importPKCS8(entry.private_pem, alg) : jose.importSPKI(entry.public_pem, alg);
}

const out = {};
if (mode === "sign") {
  for (const [row, alg, name] of ALGS) {
    try {
      out[row] = await new jose.SignJWT({ sub })
        .setProtectedHeader({ alg, typ: "JWT" })
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(await key(alg, keys[name], true));
    } catch (e) {
      out[row] = "error: " + e.message;
    }
  }
} else if (mode === "verify") {
  const tokens = JSON.parse(readFileSync(0, "utf8"));
  for (const [row, alg, name] of ALGS) {
    if (!(row in tokens)) continue;
    try {
      const { payload } = await jose.jwtVerify(tokens[row], await key(alg, keys[name], false),
                                               { algorithms: [alg], subject: sub, requiredClaims: ["exp"] });
      out[row] = payload.sub === sub ? "ok" : "error: wrong sub";
    } catch (e) {
      out[row] = "error: " + e.message;
    }
  }
} else {
  console.error("usage: node jose_tool.mjs sign|verify KEYS.json SUB");
  process.exit(2);
}
process.stdout.write(JSON.stringify(out) + "\n");
