// Timing-model speed: what it costs in wall time to simulate an op in timing-only mode, end to
// end through the public API (enqueue, ring, the worker's core: checks, lowering, SRAM model,
// scheduling, record), and how many simulated cycles that buys per wall second.
//
//   add           a 1-element float32 add: the fixed cost of an op
//   gemm 2048³    a 2048 × 2048 × 2048 bfloat16 matmul (issue 9: "well under a millisecond")
//   fc layer      the 512 × 26592 × 2048 float16 linear layer of ISCA'25 §4.2
//
// Each figure is the median of ROUNDS rounds of REPS ops enqueued back to back and awaited with
// mtia.synchronize(); warm-up rounds first (V8 tiers wasm up lazily).
//
// Usage: node bench/timing/run.mjs [--json]   (--json prints only the JSON line)

import { cpuModel, summarize } from '../measure.mjs';
import { add, empty, linear, matmul, mtia } from 'mtia-sim';

const ROUNDS = 7;
const WARMUP_ROUNDS = 2;
const REPS = 2000;

const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

mtia.configure({ timingOnly: true, deviceCount: 1 });
const clockHz = mtia.getDeviceProperties().clockHz;

/** Wall µs per op and simulated cycles per wall second for `op` (which returns a tensor to free). */
async function measure(op) {
  const wallMicros = [];
  const cyclesPerSecond = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    await mtia.synchronize();
    const start = new mtia.Event({ enableTiming: true });
    start.record();
    const began = performance.now();
    for (let i = 0; i < REPS; i++) op().free();
    const end = new mtia.Event({ enableTiming: true });
    end.record();
    await end.synchronize();
    const wall = (performance.now() - began) / 1e3;
    if (round < WARMUP_ROUNDS) continue;
    wallMicros.push((wall * 1e6) / REPS);
    cyclesPerSecond.push((start.elapsedTime(end) * 1e-3 * clockHz) / wall);
  }
  return { wallMicrosPerOp: summarize(wallMicros), simulatedCyclesPerWallSecond: summarize(cyclesPerSecond) };
}

const x = empty([1]);
const [a, b] = [empty([2048, 2048], { dtype: 'bfloat16' }), empty([2048, 2048], { dtype: 'bfloat16' })];
const [activations, weight] = [empty([512, 2048], { dtype: 'float16' }), empty([26592, 2048], { dtype: 'float16' })];
const results = {
  add: await measure(() => add(x, x)),
  gemm2048: await measure(() => matmul(a, b)),
  fcLayer: await measure(() => linear(activations, weight)),
};
await mtia.shutdown();

const machine = { cpu: cpuModel(), node: process.version };
for (const [name, r] of Object.entries(results)) {
  log(`${name.padEnd(9)} ${r.wallMicrosPerOp.median.toFixed(2).padStart(7)} µs wall per op ` +
    `(min ${r.wallMicrosPerOp.min.toFixed(2)}, max ${r.wallMicrosPerOp.max.toFixed(2)}), ` +
    `${(r.simulatedCyclesPerWallSecond.median / 1e9).toFixed(2)} G simulated cycles per wall second`);
}
log(`machine: ${machine.cpu}, Node ${machine.node}`);
console.log(JSON.stringify({ results, machine }));
