// The ceiling for the matmul kernel: how many float32 GFLOPS V8 sustains on this machine with
// 128-bit WebAssembly SIMD when nothing is loaded from memory. A loop of f32x4 multiply-adds into
// independent accumulators (8, as in the 4 × 8 micro-kernel of assembly/kernels/matmul.ts, and
// 12), compiled by AssemblyScript like the core: mul + add (the plain build) and
// f32x4.relaxed_madd (the relaxed build). GFLOPS = 8 flops per f32x4 multiply-add; medians of
// ROUNDS rounds after warm-up rounds.
//
// Usage: node bench/kernels/peak.mjs [--json]

import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import asc from 'assemblyscript/asc';
import { cpuModel, summarize } from '../measure.mjs';

const ROUNDS = 7;
const WARMUP_ROUNDS = 2;
const STEPS = 20_000_000;
const UNROLL = 4;

const args = process.argv.slice(2);
const jsonOnly = args.includes('--json');
for (const arg of args) if (arg !== '--json') throw new Error(`unknown argument ${JSON.stringify(arg)}; expected --json`);
const log = jsonOnly ? () => {} : (...line) => console.log(...line);

// Node 20's V8 has relaxed SIMD behind this flag; nothing has been compiled yet.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/** AssemblyScript source of `run(steps)`: `accumulators` chains of c = c + a · b, unrolled. */
function source(accumulators, fused) {
  const names = Array.from({ length: accumulators }, (_, i) => `c${i}`);
  const step = names.map((c) => (fused ? `${c} = f32x4.relaxed_madd(a, b, ${c});` : `${c} = f32x4.add(${c}, f32x4.mul(a, b));`)).join('\n    ');
  return `export function run(steps: i32, x: f32): f32 {
  const a = f32x4.splat(x);
  let b = f32x4.splat(1 - x);
  let ${names.map((c) => `${c} = f32x4.splat(0)`).join(', ')};
  for (let i = 0; i < steps; i++) {
    ${Array(UNROLL).fill(step).join('\n    ')}
    b = f32x4.mul(b, a);
  }
  return f32x4.extract_lane(${names.reduce((s, c) => `f32x4.add(${s}, ${c})`)}, 0);
}`;
}

const results = { cpu: cpuModel(), node: process.version, date: new Date().toISOString(), loadAverage: loadavg()[0], peakGflops: {} };
log(`float32 f32x4 multiply-add peak (no memory operands) on ${results.cpu}, Node ${results.node}, load average ${results.loadAverage.toFixed(1)}`);
for (const fused of [false, true]) {
  for (const accumulators of [8, 12]) {
    const { binary, error, stderr } = await asc.compileString(source(accumulators, fused), {
      optimizeLevel: 3, runtime: 'stub', enable: fused ? ['simd', 'relaxed-simd'] : ['simd'],
    });
    if (error) throw new Error(`asc failed: ${stderr.toString()}`);
    const { instance } = await WebAssembly.instantiate(binary, { env: { abort() { throw new Error('abort'); } } });
    const samples = [];
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      const start = performance.now();
      instance.exports.run(STEPS, 0.999999);
      const seconds = (performance.now() - start) / 1e3;
      if (round >= WARMUP_ROUNDS) samples.push(STEPS * UNROLL * accumulators * 8 / seconds / 1e9);
    }
    const { median, max } = summarize(samples);
    const label = `${fused ? 'relaxed_madd' : 'mul+add'} ${accumulators} accumulators`;
    results.peakGflops[label] = { median: +median.toFixed(1), best: +max.toFixed(1) };
    log(`  ${label.padEnd(28)} ${median.toFixed(1)} GFLOPS [best ${max.toFixed(1)}]`);
  }
}
console.log(jsonOnly ? JSON.stringify(results) : `\n${JSON.stringify(results)}`);
