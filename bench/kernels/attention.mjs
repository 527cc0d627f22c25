// Attention and normalization kernel benchmark: wall-clock time of the device core's fused
// scaledDotProductAttention (assembly/ops/attention.ts) and of the OP_NORM layers on this
// machine, through the public API on one device, in compute mode (not simulated time).
//
//   attention  BERT-base self-attention [1, 12, 128, 64] in float32 and float16, and [1, 12, 512, 64]
//              GFLOPS = 4·B·H·L·S·E / seconds (Q·Kᵀ and P·V)
//   norms      groupNorm of [8, 256, 32, 32] in 32 groups, rmsNorm of [512, 4096]: GB/s = bytes read + written
//
// Each figure is the median of ROUNDS rounds of REPS ops after WARMUP_ROUNDS (V8 tiers wasm up lazily).
//
// Usage: node bench/kernels/attention.mjs [--json]

import { groupNorm, mtia, randn, rmsNorm, scaledDotProductAttention } from 'mtia-sim';

const ROUNDS = 5;
const WARMUP_ROUNDS = 2;
const REPS = 4;
const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** The median of `samples`. */
function median(samples) {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median seconds per op of `op()` (which returns a tensor to free). */
async function secondsPerOp(op) {
  const samples = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const start = performance.now();
    for (let rep = 0; rep < REPS; rep++) op().free();
    await mtia.synchronize();
    if (round >= WARMUP_ROUNDS) samples.push((performance.now() - start) / 1e3 / REPS);
  }
  return median(samples);
}

mtia.configure({ deviceCount: 1 });
const results = {};
for (const [l, dtype] of [[128, 'float32'], [128, 'float16'], [512, 'float32']]) {
  const shape = [1, 12, l, 64];
  const [q, k, v] = [0, 1, 2].map(() => randn(shape, { dtype }));
  const seconds = await secondsPerOp(() => scaledDotProductAttention(q, k, v));
  const name = `attention [${shape}] ${dtype}`;
  results[name] = { ms: seconds * 1e3, gflops: (4 * 12 * l * l * 64) / seconds / 1e9 };
  log(`${name}: ${(seconds * 1e3).toFixed(2)} ms, ${results[name].gflops.toFixed(2)} GFLOPS`);
  for (const t of [q, k, v]) t.free();
}
const x = randn([8, 256, 32, 32]);
const groupSeconds = await secondsPerOp(() => groupNorm(x, 32));
results['groupNorm [8,256,32,32] float32'] = { ms: groupSeconds * 1e3, gbPerSecond: (2 * x.numel * 4) / groupSeconds / 1e9 };
const rows = randn([512, 4096]);
const rmsSeconds = await secondsPerOp(() => rmsNorm(rows, [4096]));
results['rmsNorm [512,4096] float32'] = { ms: rmsSeconds * 1e3, gbPerSecond: (2 * rows.numel * 4) / rmsSeconds / 1e9 };
for (const name of ['groupNorm [8,256,32,32] float32', 'rmsNorm [512,4096] float32']) {
  log(`${name}: ${results[name].ms.toFixed(2)} ms, ${results[name].gbPerSecond.toFixed(2)} GB/s`);
}
x.free();
rows.free();
await mtia.shutdown();
if (jsonOnly) console.log(JSON.stringify(results));
