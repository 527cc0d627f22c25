// Kernel benchmark: how fast the device core's kernels really compute on this machine, through
// the public API on one device (wall-clock time, not simulated time). Its matmuls run on the
// device's default kernel threads (as many as the host has logical processors, from the first
// large matmul on, a warm-up round); bench/kernels/threads.mjs compares thread counts.
//
//   matmul       C = A · B for n × n float32 and bfloat16 operands (n = 256, 512, 1024):
//                GFLOPS = 2n³ / seconds. bfloat16 tiles are widened to float32 while packing.
//   elementwise  add and relu over 4 Mi float32 elements, add over bfloat16, and a full sum:
//                GB/s = bytes read + written / seconds.
//
// Each figure is the median of ROUNDS rounds; a round enqueues REPS ops (freeing each result
// at once, stream-ordered) and waits for the device with mtia.synchronize(). Warm-up rounds run
// first, because V8 tiers wasm up lazily (TOOLCHAIN.md). Per-op launch and ring costs are
// included; they are microseconds against milliseconds of kernel time.
//
// Usage: node bench/kernels/run.mjs [--json]   (--json prints only the JSON line)

import { cpuModel } from '../measure.mjs';
import { add, matmul, mtia, rand, relu, sum } from 'mtia-sim';

/** float32 matmul at n = 512 must reach this on one device (issue 3). */
const TARGET_FP32_GFLOPS_512 = 30;
const ROUNDS = 5;
const WARMUP_ROUNDS = 2;
const ELEMENTWISE_COUNT = 4 << 20;

const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** The median of `samples`. */
function median(samples) {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median seconds per op of `op()` (which returns a tensor to free), REPS ops per round. */
async function secondsPerOp(op, reps) {
  const samples = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    await mtia.synchronize();
    const start = performance.now();
    for (let i = 0; i < reps; i++) op().free();
    await mtia.synchronize();
    if (round >= WARMUP_ROUNDS) samples.push((performance.now() - start) / 1e3 / reps);
  }
  return median(samples);
}

mtia.configure({ deviceCount: 1, memoryBytes: 512 << 20 });
await mtia.init();

const results = { cpu: cpuModel(), node: process.version, matmulGflops: {}, elementwiseGBps: {} };
log(`kernel benchmark on ${results.cpu}, Node ${results.node}, one device worker`);
log('\nmatmul (n × n · n × n), GFLOPS = 2n³ / s');
for (const dtype of ['float32', 'bfloat16']) {
  for (const n of [256, 512, 1024]) {
    const a = rand([n, n], { dtype });
    const b = rand([n, n], { dtype });
    const reps = n >= 1024 ? 2 : n >= 512 ? 8 : 32;
    const seconds = await secondsPerOp(() => matmul(a, b), reps);
    const gflops = (2 * n ** 3) / seconds / 1e9;
    results.matmulGflops[`${dtype}_${n}`] = Number(gflops.toFixed(1));
    log(`  ${dtype.padEnd(8)} n=${String(n).padEnd(4)} ${(seconds * 1e3).toFixed(2).padStart(8)} ms  ${gflops.toFixed(1).padStart(6)} GFLOPS`);
    a.free();
    b.free();
  }
}

log(`\nelementwise over ${ELEMENTWISE_COUNT / (1 << 20)} Mi elements, GB/s = (bytes read + written) / s`);
const x = rand([ELEMENTWISE_COUNT]);
const y = rand([ELEMENTWISE_COUNT]);
const xh = rand([ELEMENTWISE_COUNT], { dtype: 'bfloat16' });
const yh = rand([ELEMENTWISE_COUNT], { dtype: 'bfloat16' });
const cases = [
  ['add_float32', () => add(x, y), 12],
  ['relu_float32', () => relu(x), 8],
  ['add_bfloat16', () => add(xh, yh), 6],
  ['sum_float32', () => sum(x), 4],
];
for (const [name, op, bytesPerElement] of cases) {
  const seconds = await secondsPerOp(op, 8);
  const gbps = (bytesPerElement * ELEMENTWISE_COUNT) / seconds / 1e9;
  results.elementwiseGBps[name] = Number(gbps.toFixed(1));
  log(`  ${name.padEnd(13)} ${(seconds * 1e3).toFixed(2).padStart(8)} ms  ${gbps.toFixed(1).padStart(6)} GB/s`);
}

const fp32At512 = results.matmulGflops.float32_512;
results.target = { fp32Gflops512: TARGET_FP32_GFLOPS_512, met: fp32At512 >= TARGET_FP32_GFLOPS_512 };
log(`\nfloat32 matmul at n = 512: ${fp32At512} GFLOPS (target ≥ ${TARGET_FP32_GFLOPS_512}: ${results.target.met ? 'met' : 'NOT met'})`);
console.log(jsonOnly ? JSON.stringify(results) : `\n${JSON.stringify(results)}`);
await mtia.shutdown();
