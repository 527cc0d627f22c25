// A clock sweep in the spirit of ISCA'25 §5.2, where MTIA 2i's clock was raised from its 1.1 GHz
// design spec to 1.35 GHz in production (after a study at 1.1, 1.25 and 1.35 GHz): the same mixed
// workload on custom profiles that change only clockHz, in timing-only mode, and the speedup
// each op class gets. Compute-bound work follows the clock; work bound by DRAM or PCIe, whose
// bandwidths are bytes per second, does not.
// `node examples/06-clock-sweep/index.mjs`

import { add, embeddingBag, empty, layerNorm, linear, matmul, mtia, randn, softmax, tensor } from 'mtia-sim';

const clocks = [1.1e9, 1.25e9, 1.35e9];

/** The workload: name → a function that runs one op and returns its output. */
function workload() {
  const x = randn([2048, 2048], { dtype: 'bfloat16' }); // produced on the device: in SRAM
  const w = randn([2048, 2048], { dtype: 'bfloat16' });
  const activations = randn([512, 2048], { dtype: 'float16' });
  const fcWeight = empty([26592, 2048], { dtype: 'float16' }); // cold in DRAM
  const big = [empty([64 * 2 ** 20]), empty([64 * 2 ** 20])]; // 256 MiB each: streams from DRAM
  const rows = randn([4096, 1024]);
  const table = empty([4_000_000, 128], { dtype: 'bfloat16' });
  const [indices, offsets] = [empty([40960], { dtype: 'int32' }), empty([2048], { dtype: 'int32' })];
  const host = new Float32Array(8 * 2 ** 20);
  return {
    'GEMM 2048³ bf16': () => matmul(x, w),
    'softmax 4096×1024': () => softmax(rows, -1),
    'layerNorm 4096×1024': () => layerNorm(rows, [1024]),
    'FC 512×26592×2048 fp16': () => linear(activations, fcWeight),
    'embeddingBag 40960 rows': () => embeddingBag(indices, table, offsets, { mode: 'sum' }),
    'add, 256 MiB operands': () => add(big[0], big[1]),
    'upload 32 MiB': () => tensor(host),
  };
}

/** Simulated µs and bound of each op of the workload at `clockHz`, each run once after a synchronize. */
async function sweep(clockHz) {
  await mtia.shutdown();
  mtia.configure({ timingOnly: true, deviceCount: 1, profile: { name: `mtia-v2@${clockHz / 1e9}GHz`, base: 'mtia-v2', clockHz } });
  const results = {};
  for (const [name, run] of Object.entries(workload())) {
    await mtia.synchronize();
    const [start, end] = [new mtia.Event({ enableTiming: true }), new mtia.Event({ enableTiming: true })];
    mtia.profiler.start();
    start.record();
    const out = run();
    end.record();
    await end.synchronize();
    await mtia.profiler.stop();
    out.free();
    const op = mtia.profiler.opStats().at(-1);
    results[name] = { us: start.elapsedTime(end) * 1e3, bound: op.bound };
  }
  return results;
}

const results = [];
for (const clockHz of clocks) results.push(await sweep(clockHz));
await mtia.shutdown();

console.log(`op (what bound it at 1.35 GHz)              ${clocks.map((c) => `${(c / 1e9).toFixed(2)} GHz`.padStart(10)).join('  ')}   speedup 1.10 → 1.35 GHz`);
for (const name of Object.keys(results[0])) {
  const times = results.map((r) => r[name].us);
  console.log(`${`${name} (${results[2][name].bound})`.padEnd(42)}  ${times.map((t) => `${t.toFixed(1)} µs`.padStart(10)).join('  ')}   ${(times[0] / times[2]).toFixed(3)}×`);
}
console.log(`\nthe clock ratio is ${(clocks[2] / clocks[0]).toFixed(3)}×: compute follows it, DRAM and PCIe bandwidth do not.`);
