// JWE decryption runner for bench/jwe_bench.py: jose (node) from
// build/bench/node (bench/install-peers.sh), every case of CASES.json with an
// imported key, the same token decrypted in a loop.
//   node bench/jwe_node.mjs CASES.json [seconds]
// Prints "jose node CASE decrypt ops_per_sec". Time: process CPU time
// (process.cpuUsage) unless BENCH_CLOCK=wall.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const mods = process.env.BENCH_NODE_MODULES || "build/bench/node/node_modules";
const require = createRequire(join(mods, "noop.js"));
const jose = await import(pathToFileURL(require.resolve("jose")).href);
const [path, secs] = process.argv.slice(2);
const seconds = Number(secs || "0.5");
const wall = process.env.BENCH_CLOCK === "wall";
const clock = () => wall ? performance.now() / 1000 : (() => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; })();
const { cases } = JSON.parse(readFileSync(path, "utf8"));
for (const c of cases) {
  const key = await jose.importJWK(c.key, c.alg);
  const opts = { keyManagementAlgorithms: [c.alg], contentEncryptionAlgorithms: [c.enc] };
  const { plaintext } = await jose.compactDecrypt(c.token, key, opts);
  if (new TextDecoder().decode(plaintext) !== c.plaintext) throw new Error(c.name + ": wrong plaintext");
  let n = 0;
  const t0 = clock();
  let t = t0;
  do {
    for (let i = 0; i < 8; i++) await jose.compactDecrypt(c.token, key, opts);
    n += 8;
    t = clock();
  } while (t - t0 < seconds);
  console.log(`jose node ${c.name} decrypt ${(n / (t - t0)).toFixed(1)}`);
}
