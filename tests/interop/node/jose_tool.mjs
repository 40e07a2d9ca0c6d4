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

const ALGS = [
  ["HS256", "hmac"], ["HS384", "hmac"], ["HS512", "hmac"],
  ["RS256", "rsa"], ["RS384", "rsa"], ["RS512", "rsa"],
  ["PS256", "rsa"], ["PS384", "rsa"], ["PS512", "rsa"],
  ["ES256", "ec256"], ["ES384", "ec384"], ["ES512", "ec521"],
  ["EdDSA", "ed25519"],
];

const [mode, keysPath, sub] = process.argv.slice(2);
const keys = JSON.parse(readFileSync(keysPath, "utf8")).keys;

async function key(alg, entry, priv) {
  if (alg.startsWith("HS")) return new TextEncoder().encode(entry.secret);
  return priv ? jose.importPKCS8(entry.private_pem, alg) : jose.importSPKI(entry.public_pem, alg);
}

const out = {};
if (mode === "sign") {
  for (const [alg, name] of ALGS) {
    try {
      out[alg] = await new jose.SignJWT({ sub })
        .setProtectedHeader({ alg, typ: "JWT" })
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(await key(alg, keys[name], true));
    } catch (e) {
      out[alg] = "error: " + e.message;
    }
  }
} else if (mode === "verify") {
  const tokens = JSON.parse(readFileSync(0, "utf8"));
  for (const [alg, name] of ALGS) {
    if (!(alg in tokens)) continue;
    try {
      const { payload } = await jose.jwtVerify(tokens[alg], await key(alg, keys[name], false),
                                               { algorithms: [alg], subject: sub, requiredClaims: ["exp"] });
      out[alg] = payload.sub === sub ? "ok" : "error: wrong sub";
    } catch (e) {
      out[alg] = "error: " + e.message;
    }
  }
} else {
  console.error("usage: node jose_tool.mjs sign|verify KEYS.json SUB");
  process.exit(2);
}
process.stdout.write(JSON.stringify(out) + "\n");
