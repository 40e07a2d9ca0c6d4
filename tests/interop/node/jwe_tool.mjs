// JWE interop tool for the `jose` npm package, driven by tests/interop/jwe_matrix.py
// with a batch of cases on stdin (JSON):
//   node jwe_tool.mjs encrypt < [{id, alg, enc, zip, key, plaintext, p2c}]
//       -> {id: token | {na: why} | {error: msg}}
//   node jwe_tool.mjs decrypt < [{id, alg, enc, key, token}]
//       -> {id: {plaintext: text} | {na: why} | {error: msg}}
// Keys are JWKs (an oct JWK is the secret, or the PBES2 password).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const joseDir = process.env.JOSE_DIR || "build/interop/node";
const jose = await import(pathToFileURL(join(joseDir, "node_modules", "jose", "dist", "node", "esm", "index.js")).href);
const NO_ZIP = "jose 5 does not implement zip (removed in v5)";

const mode = process.argv[2];
const job = JSON.parse(readFileSync(0, "utf8"));
const out = {};
for (const c of job) {
  try {
    const key = await jose.importJWK(c.key, c.alg);
    if (mode === "encrypt") {
      if (c.zip) { out[c.id] = { na: NO_ZIP }; continue; }
      const e = new jose.CompactEncrypt(new TextEncoder().encode(c.plaintext))
        .setProtectedHeader({ alg: c.alg, enc: c.enc });
      if (c.alg.startsWith("PBES2")) e.setKeyManagementParameters({ p2c: c.p2c });
      out[c.id] = await e.encrypt(key);
    } else if (mode === "decrypt") {
      const hdr = jose.decodeProtectedHeader(c.token);
      if (hdr.zip !== undefined) { out[c.id] = { na: NO_ZIP }; continue; }
      const { plaintext } = await jose.compactDecrypt(c.token, key, {
        keyManagementAlgorithms: [c.alg], contentEncryptionAlgorithms: [c.enc] });
      out[c.id] = { plaintext: new TextDecoder("utf-8", { fatal: true }).decode(plaintext) };
    } else {
      console.error("usage: node jwe_tool.mjs encrypt|decrypt < cases.json");
      process.exit(2);
    }
  } catch (e) {
    out[c.id] = { error: `${e.code || e.name}: ${e.message}` };
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
