// JWS JSON serialization, detached and RFC 7797 payloads with the `jose` npm
// package, for tests/interop/jws_json.py. Reads one JSON object on stdin:
//   {"secret", "ec_pub", "ec_priv", "general", "flattened_b64_false", "detached", "payload",
//    "compact_payload"} (the detached compact JWS signs compact_payload: jose reads it
//   attached, so it has no ".")
// (JWSs made by cjwt), verifies each with jose, signs jose's own and prints
//   {"verified": {name: "ok" | "error: ..."}, "signed": {name: jws}}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const joseDir = process.env.JOSE_DIR || "build/interop/node";
const jose = await import(pathToFileURL(join(joseDir, "node_modules", "jose", "dist", "node", "esm", "index.js")).href);
const inp = JSON.parse(readFileSync(0, "utf8"));
const enc = new TextEncoder(), dec = new TextDecoder();
const secret = enc.encode(inp.secret);
const ecPub = await jose.importJWK(inp.ec_pub, "ES256");
const ecPriv = await jose.importJWK(inp.ec_priv, "ES256");
const verified = {};

async function check(name, fn, want = inp.payload) {
  try {
    const got = dec.decode((await fn()).payload);
    verified[name] = got === want ? "ok" : "error: payload " + JSON.stringify(got);
  } catch (e) {
    verified[name] = "error: " + e.message;
  }
}
await check("general_hs256", () => jose.generalVerify(JSON.parse(inp.general), secret));
await check("general_es256", () => jose.generalVerify(JSON.parse(inp.general), ecPub));
await check("flattened_b64_false",
            () => jose.flattenedVerify(JSON.parse(inp.flattened_b64_false), secret, { crit: { b64: true } }));
const [h, , s] = inp.detached.split(".");
await check("compact_detached_b64_false",
            () => jose.compactVerify(`${h}.${inp.compact_payload}.${s}`, secret, { crit: { b64: true } }),
            inp.compact_payload);

const signed = {};
const g = new jose.GeneralSign(enc.encode(inp.payload));
g.addSignature(secret).setProtectedHeader({ alg: "HS256" }).setUnprotectedHeader({ kid: "hmac" });
g.addSignature(ecPriv).setProtectedHeader({ alg: "ES256", kid: "ec-1" });
signed.general = JSON.stringify(await g.sign());
signed.flattened_b64_false_detached = JSON.stringify(
  await new jose.FlattenedSign(enc.encode(inp.payload))
    .setProtectedHeader({ alg: "HS256", b64: false, crit: ["b64"] }).sign(secret));
console.log(JSON.stringify({ verified, signed }));
