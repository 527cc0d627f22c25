// Timing-model speed: what it costs in wall time to simulate an op in timing-only mode, end to
// end through the public API (enqueue, ring, the worker's core: checks, lowering, SRAM model,
// scheduling, record), and how many simulated cycles that buys per wall second.
//
//   add           a 1-element float32 add: the fixed cost of an op
//   gemm 2048³    a 2048 × 2048 × 2048 bfloat16 matmul (issue 9: "well under a millisecond")
//   fc layer      the 512 × 26592 × 2048 float16 linear layer of ISCA'25 §4.2
//   systolic      the GEMMs of SCALE-Sim v2's golden runs (test/core/systolic.test.ts) on the
//                 systolic teaching profile (one 32 × 32 array, OS / WS / IS; docs/teaching.md),
//                 each first checked to report SCALE-Sim v2's compute cycles, then timed next to
//                 the wall time SCALE-Sim v2 took for it in those runs (a 2-core machine like this)
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

// The golden runs' table: the GEMMs (M, N, K), SCALE-Sim v2's reported compute cycles on
// 32 × 32, and its wall time in seconds. The three small GEMMs ran as one 3-layer topology, timed together.
const SCALE_SIM = [
  { gemms: [[128, 64, 256]], dataflow: 'os', cycles: [2543], wallSeconds: 3.00 },
  { gemms: [[128, 64, 256]], dataflow: 'ws', cycles: [3551], wallSeconds: 1.83 },
  { gemms: [[128, 64, 256]], dataflow: 'is', cycles: [5055], wallSeconds: 1.65 },
  { gemms: [[25, 384, 1728]], dataflow: 'os', cycles: [21479], wallSeconds: 6.73 },
  { gemms: [[100, 50, 70], [64, 64, 64], [8, 8, 8]], dataflow: 'os', cycles: [1055, 503, 69], wallSeconds: 1.21 },
  { gemms: [[100, 50, 70], [64, 64, 64], [8, 8, 8]], dataflow: 'ws', cycles: [1163, 631, 101], wallSeconds: 1.06 },
  { gemms: [[100, 50, 70], [64, 64, 64], [8, 8, 8]], dataflow: 'is', cycles: [1727, 631, 101], wallSeconds: 0.70 },
];

const systolic = [];
for (const { gemms, dataflow, cycles, wallSeconds } of SCALE_SIM) {
  await mtia.shutdown();
  mtia.configure({ timingOnly: true, deviceCount: 1, profile: { name: 'systolic', base: 'mtia-v2', systolic: { rows: 32, cols: 32, dataflow } } });
  const operands = gemms.map(([m, n, k]) => [empty([m, k]), empty([k, n])]);
  // The numbers first: each GEMM must report SCALE-Sim's compute cycles, or the timing is moot.
  mtia.profiler.start();
  for (const [p, q] of operands) matmul(p, q).free();
  await mtia.profiler.stop();
  const reported = mtia.profiler.opStats().map((op) => op.cycles.compute);
  if (reported.join() !== cycles.join()) throw new Error(`${dataflow} ${gemms.join(' | ')}: ${reported} cycles, SCALE-Sim ${cycles}`);
  const wallMicros = [];
  for (const [p, q] of operands) wallMicros.push((await measure(() => matmul(p, q))).wallMicrosPerOp.median);
  const oursSeconds = wallMicros.reduce((sum, us) => sum + us, 0) * 1e-6;
  systolic.push({ gemms, dataflow, cycles, wallMicrosPerGemm: wallMicros, scaleSimWallSeconds: wallSeconds, speedup: wallSeconds / oursSeconds });
}
await mtia.shutdown();

log('\nsystolic 32 × 32 (SCALE-Sim v2 wall times: its golden runs @ 22f88b1)');
for (const r of systolic) {
  log(`${r.dataflow.toUpperCase()} ${r.gemms.map((g) => g.join('×')).join(' + ').padEnd(32)} ` +
    `${r.cycles.join(' + ').padStart(18)} cycles  ${r.wallMicrosPerGemm.map((us) => us.toFixed(2)).join(' + ').padStart(21)} µs wall  ` +
    `SCALE-Sim ${r.scaleSimWallSeconds.toFixed(2)} s  ${Math.round(r.speedup).toLocaleString('en-US')}× faster`);
}
log(`machine: ${machine.cpu}, Node ${machine.node}`);
console.log(JSON.stringify({ results, systolic, machine }));
