// Node runners: the npm peers on the reference access token.
//
//   node bench/node_runner.mjs LIB SECONDS [ALG ...]
//
// LIB: jsonwebtoken, jose, fast-jwt (verifier without cache), fast-jwt-cache
// (createVerifier({cache: true}), the same token verified again and again).
// Modules come from $BENCH_NODE_MODULES (npm --prefix build/bench/node), keys
// from $BENCH_KEYS. Prints "lib node alg op ops_per_sec" lines, or
// "lib node alg op n/a reason". Keys are imported once (KeyObject/CryptoKey,
// or the verifier/signer factory for fast-jwt) outside the timed loop; verify
// checks exp, aud and iss.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'];
const ISS = 'https://auth.example.com';
const AUD = 'api.example.com';
const PAYLOAD = {
  sub: 'user-1234567', iss: ISS, aud: AUD, iat: 1700000000, exp: 4100000000,
  jti: '3f2c9a1e-5b7d-4e2f-9a61-0c8d7e6f5a4b', role: 'admin',
  permissions: ['orders:read', 'orders:write', 'payments:read'],
};
const KEYDIR = process.env.BENCH_KEYS || 'build/bench/keys';
const MODULES = path.resolve(process.env.BENCH_NODE_MODULES || 'build/bench/node/node_modules');
const FILES = { RS256: 'rs256', ES256: 'es256', EdDSA: 'eddsa' };
const require = createRequire(path.join(MODULES, 'noop.js'));

async function load(name) {
  return import(pathToFileURL(require.resolve(name)).href);
}

function keyText(alg, priv) {
  if (alg === 'HS256') return readFileSync(path.join(KEYDIR, 'hs256.key'), 'utf8').trim();
  return readFileSync(path.join(KEYDIR, FILES[alg] + (priv ? '.pem' : '.pub.pem')), 'utf8');
}

function check(claims) {
  if (!claims || claims.sub !== PAYLOAD.sub || claims.aud !== AUD || claims.iss !== ISS)
    throw new Error('verify returned unexpected claims: ' + JSON.stringify(claims));
}

// process CPU time (the default, as every runner; it includes V8's helper
// threads, e.g. concurrent GC) or BENCH_CLOCK=wall
const now = process.env.BENCH_CLOCK === 'wall'
  ? () => Number(process.hrtime.bigint()) / 1e9
  : () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// Untimed warm-up before each timed loop: V8 compiles hot code with its
// optimizing tier on a helper thread, and with the process CPU clock that
// compilation would be charged to a short loop (bench-quick's 0.05 s loops
// understated fast-jwt's cache by 2-5x without it). WARMUP_S of wall time,
// at most the timed loop's own length.
const WARMUP_S = Number(process.env.BENCH_NODE_WARMUP || 0.1);
const wall = () => Number(process.hrtime.bigint()) / 1e9;

function measureSync(fn, seconds) {
  for (let i = 0; i < 3; i++) fn();
  for (const t = wall(), w = Math.min(WARMUP_S, seconds); wall() - t < w;)
    for (let i = 0; i < 64; i++) fn();
  let n = 0, batch = 8;
  const t0 = now();
  for (;;) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    const t = now() - t0;
    if (t >= seconds) return n / t;
    if (t < seconds / 20) batch *= 2;
  }
}

async function measureAsync(fn, seconds) {
  for (let i = 0; i < 3; i++) await fn();
  for (const t = wall(), w = Math.min(WARMUP_S, seconds); wall() - t < w;)
    for (let i = 0; i < 64; i++) await fn();
  let n = 0, batch = 8;
  const t0 = now();
  for (;;) {
    for (let i = 0; i < batch; i++) await fn();
    n += batch;
    const t = now() - t0;
    if (t >= seconds) return n / t;
    if (t < seconds / 20) batch *= 2;
  }
}

function emit(lib, alg, op, v) {
  if (typeof v === 'string') console.log(`${lib} node ${alg} ${op} n/a ${v}`);
  else console.log(`${lib} node ${alg} ${op} ${v.toFixed(1)}`);
}

// setup(alg) -> { sign, verify, async }
const SETUPS = {
  async jsonwebtoken(alg) {
    const jwt = (await load('jsonwebtoken')).default;
    let sk, vk;
    if (alg === 'HS256') sk = vk = crypto.createSecretKey(Buffer.from(keyText(alg, true)));
    else { sk = crypto.createPrivateKey(keyText(alg, true)); vk = crypto.createPublicKey(keyText(alg, false)); }
    const sign = () => jwt.sign(PAYLOAD, sk, { algorithm: alg });
    const token = sign();
    const opts = { algorithms: [alg], audience: AUD, issuer: ISS };
    return { sign, verify: () => jwt.verify(token, vk, opts) };
  },

  async jose(alg) {
    const jose = await load('jose');
    let sk, vk;
    if (alg === 'HS256') {
      sk = vk = await crypto.webcrypto.subtle.importKey('raw', Buffer.from(keyText(alg, true)),
        { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    } else {
      sk = await jose.importPKCS8(keyText(alg, true), alg);
      vk = await jose.importSPKI(keyText(alg, false), alg);
    }
    const header = { alg, typ: 'JWT' };
    const sign = () => new jose.SignJWT(PAYLOAD).setProtectedHeader(header).sign(sk);
    const token = await sign();
    const opts = { algorithms: [alg], audience: AUD, issuer: ISS };
    return { async: true, sign, verify: async () => (await jose.jwtVerify(token, vk, opts)).payload };
  },

  async 'fast-jwt'(alg, cache = false) {
    const { createSigner, createVerifier } = await load('fast-jwt');
    const signer = createSigner({ key: keyText(alg, true), algorithm: alg });
    const sign = () => signer(PAYLOAD);
    const token = sign();
    const verifier = createVerifier({ key: keyText(alg, alg === 'HS256'), algorithms: [alg],
                                      allowedAud: AUD, allowedIss: ISS, cache });
    return { sign, verify: () => verifier(token) };
  },

  async 'fast-jwt-cache'(alg) {
    return SETUPS['fast-jwt'](alg, true);
  },
};

async function main() {
  const [lib, secs, ...rest] = process.argv.slice(2);
  const seconds = Number(secs);
  const algs = rest.length ? rest : ALGS;
  for (const alg of algs) {
    let s;
    try {
      s = await SETUPS[lib](alg);
      check(await s.verify());
    } catch (e) {
      const reason = `${e.name}: ${e.message}`.replace(/\s+/g, ' ').slice(0, 100);
      emit(lib, alg, 'verify', reason);
      emit(lib, alg, 'sign', reason);
      continue;
    }
    const m = s.async ? measureAsync : measureSync;
    emit(lib, alg, 'verify', await m(s.verify, seconds));
    // the cached verifier changes nothing about signing: report it once
    if (lib === 'fast-jwt-cache') emit(lib, alg, 'sign', 'same signer as fast-jwt');
    else emit(lib, alg, 'sign', await m(s.sign, seconds / 2));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
