// Kernel benchmark across builds of the core: float32 and bfloat16 matmul GFLOPS (2n³ / s) at
// n = 256, 512, 1024 for dist/core.wasm (plain SIMD), dist/core-relaxed.wasm (relaxed-SIMD fused
// multiply-adds) and, with --baseline FILE, another build of the core (say one built from an
// earlier commit), interleaved in one process (core-builds.ts). Medians of ROUNDS rounds after
// warm-up rounds, ratios to the first build, and [best]: the fastest round. Node 20's V8 has relaxed SIMD behind --experimental-wasm-relaxed-simd: the
// script sets that flag before compiling anything, so the relaxed build runs on Node 20 too.
//
// Usage: node bench/kernels/builds.mjs [--baseline FILE] [--json]   (npm run bench:kernels:builds)

import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { cpuModel } from '../measure.mjs';

const ROUNDS = 7;
const WARMUP_ROUNDS = 2;

const args = process.argv.slice(2);
const jsonOnly = args.includes('--json');
const log = jsonOnly ? () => {} : (...line) => console.log(...line);
const baselineAt = args.indexOf('--baseline');
const known = new Set(['--json', '--baseline']);
for (const [i, arg] of args.entries()) {
  if (!known.has(arg) && !(baselineAt >= 0 && i === baselineAt + 1)) throw new Error(`unknown argument ${JSON.stringify(arg)}; expected --baseline FILE or --json`);
}
if (baselineAt >= 0 && args[baselineAt + 1] === undefined) throw new Error('--baseline expects a core.wasm file');

// V8 reads the flag when it validates or compiles a module; nothing has been compiled yet.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const outfile = new URL('../../build/bench/core-builds.mjs', import.meta.url).pathname;
await build({
  entryPoints: [new URL('./core-builds.ts', import.meta.url).pathname],
  outfile, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning',
});
const { hasRelaxedSimd, measureBuilds } = await import(pathToFileURL(outfile).href);

const dist = new URL('../../dist/', import.meta.url);
const builds = [];
if (baselineAt >= 0) builds.push({ label: 'baseline', url: pathToFileURL(resolve(args[baselineAt + 1])) });
builds.push({ label: 'simd', url: new URL('core.wasm', dist) });
if (hasRelaxedSimd()) builds.push({ label: 'relaxed', url: new URL('core-relaxed.wasm', dist) });

const results = { cpu: cpuModel(), node: process.version, date: new Date().toISOString(), loadAverage: loadavg()[0], builds: builds.map((b) => b.label), matmulGflops: {} };
log(`matmul GFLOPS per core build on ${results.cpu}, Node ${results.node}, one device worker per build, load average ${results.loadAverage.toFixed(1)}`);
if (!hasRelaxedSimd()) log('  (this engine has no relaxed SIMD: core-relaxed.wasm not measured)');
results.matmulGflops = await measureBuilds(builds, ['float32', 'bfloat16'], [256, 512, 1024], ROUNDS, WARMUP_ROUNDS,
  (n) => (n >= 1024 ? 2 : n >= 512 ? 8 : 32), log);
console.log(jsonOnly ? JSON.stringify(results) : `\n${JSON.stringify(results)}`);
