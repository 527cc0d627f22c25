// The GEMM cliffs of issue 20 finding 5 ("never faster than physics, never cheaper for more
// work"): pairs of matmuls on mtia-v2 in timing-only mode where one dimension grows a little,
// each the second of two runs (operands resident in SRAM), as the issue measured them: the op's
// body (its time on the PE grid without the launch, from mtia.profiler.opStats()), with the
// tiling the model chose.
//
// Usage: node bench/timing/gemm-cliffs.mjs [--json]   (DTYPE=bfloat16 ... for another dtype;
// the figures are float16)

import { empty, matmul, mtia } from 'mtia-sim';

/** [label, [M, N, K] before, [M, N, K] after]. */
const CASES = [
  ['K 320 → 321 (M = N = 128)', [128, 128, 320], [128, 128, 321]],
  ['K 640 → 8192 (M = N = 128)', [128, 128, 640], [128, 128, 8192]],
  ['M 512 → 520 (N = K = 2048)', [512, 2048, 2048], [520, 2048, 2048]],
  ['N 4096 → 4104 (M = 128, K = 4096)', [128, 4096, 4096], [128, 4104, 4096]],
];

const jsonOnly = process.argv.includes('--json');
const DTYPE = process.env.DTYPE ?? 'float16';

/** Body µs of an M×K · K×N matmul, the second of two runs on the same operands, and its tiling. */
async function time([m, n, k]) {
  const a = empty([m, k], { dtype: DTYPE });
  const b = empty([k, n], { dtype: DTYPE });
  matmul(a, b).free(); // the second of two runs: operands resident in SRAM
  await mtia.synchronize();
  mtia.profiler.start();
  const c = matmul(a, b);
  await mtia.synchronize();
  await mtia.profiler.stop();
  const op = mtia.profiler.opStats().find((s) => s.name === 'matmul');
  for (const t of [a, b, c]) t.free();
  const micros = ((op.cycles.total - op.cycles.launch) / clockHz) * 1e6;
  return { micros, tile: op.tile, pes: op.pes, steps: op.steps, bound: op.bound };
}

mtia.configure({ timingOnly: true, deviceCount: 1, profile: 'mtia-v2' });
const clockHz = mtia.getDeviceProperties().clockHz;
const results = [];
for (const [label, before, after] of CASES) {
  const x = await time(before);
  const y = await time(after);
  results.push({ label, before: { shape: before, ...x }, after: { shape: after, ...y }, ratio: y.micros / x.micros });
}
await mtia.shutdown();

if (jsonOnly) console.log(JSON.stringify(results));
else {
  const tiling = (r) => `${r.tile.m}×${r.tile.n}×${+r.tile.k.toFixed(1)} kSplit ${r.tile.kSplit}, ${r.pes} PEs × ${r.steps} steps, ${r.bound}`;
  for (const r of results) {
    console.log(`${r.label.padEnd(36)} ${r.before.micros.toFixed(2).padStart(8)} → ${r.after.micros.toFixed(2).padStart(8)} µs  ×${r.ratio.toFixed(2)}`);
    console.log(`${''.padEnd(36)}   ${tiling(r.before)}  →  ${tiling(r.after)}`);
  }
}
