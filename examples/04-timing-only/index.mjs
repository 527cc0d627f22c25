// Times one decoding step of a 7-billion-parameter LLM's decoder stack on a simulated MTIA 2i
// in timing-only mode: 32 layers of float16 weights (about 13 GB, far more than a browser tab or
// a CI machine could hold) have shapes, device memory and simulated time, but no data.
// `node examples/04-timing-only/index.mjs`

import { empty, linear, mtia } from 'mtia-sim';

mtia.configure({ timingOnly: true, deviceCount: 1, profile: 'mtia-v2' });

const layers = 32;
const [hidden, ffn] = [4096, 11008];
// Per layer: the attention projections q, k, v, o (4096 × 4096) and the MLP's gate, up
// (11008 × 4096) and down (4096 × 11008), as torch.nn.Linear stores them ([out, in]).
const shapes = { q: [hidden, hidden], k: [hidden, hidden], v: [hidden, hidden], o: [hidden, hidden], gate: [ffn, hidden], up: [ffn, hidden], down: [hidden, ffn] };
const weights = [];
for (let layer = 0; layer < layers; layer++) {
  weights.push(Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, empty(shape, { dtype: 'float16' })])));
  if (process.stdout.isTTY) process.stdout.write(`\rbuilding the decoder stack: layer ${layer + 1} of ${layers}`);
}
if (process.stdout.isTTY) process.stdout.write('\r');
console.log(`${layers} layers built: ${(mtia.memoryAllocated() / 1e9).toFixed(2)} GB of float16 weights on mtia:0 (timing-only: no data)`);

// One token (batch 1): every layer's seven projections, an event after each layer. Attention's
// scores over the KV cache and the elementwise ops are left out: at batch 1 the weights' DRAM
// traffic dominates.
const timed = () => new mtia.Event({ enableTiming: true });
mtia.profiler.start();
const start = timed();
start.record();
const marks = [];
let x = empty([1, hidden], { dtype: 'float16' });
for (const w of weights) {
  const attention = ['q', 'k', 'v'].map((name) => linear(x, w[name]));
  const projected = linear(attention[0], w.o);
  const gate = linear(projected, w.gate);
  const up = linear(projected, w.up);
  const next = linear(up, w.down);
  for (const t of [...attention, projected, gate, up, x]) t.free();
  x = next;
  marks.push(mtia.currentStream().recordEvent(timed()));
}
await marks.at(-1).synchronize();
await mtia.profiler.stop();

// Per layer: its time between events, and its ops (the profiler's records whose midpoint falls
// between the layer's events).
const ops = mtia.profiler.opStats();
const originNs = ops[0].startNs; // the first op was ready at the start event
const boundsNs = marks.map((mark) => originNs + start.elapsedTime(mark) * 1e6);
const perLayer = boundsNs.map((endNs, i) => {
  const layerOps = ops.filter((op) => {
    const middle = (op.startNs + op.endNs) / 2;
    return middle > (boundsNs[i - 1] ?? -Infinity) && middle <= endNs;
  });
  const bytes = (level) => layerOps.reduce((sum, op) => sum + op.bytes[level], 0) / 1e6;
  const bounds = [...new Set(layerOps.map((op) => op.bound))].join('+');
  return { ms: (endNs - (boundsNs[i - 1] ?? originNs)) / 1e6, bounds, dram: bytes('dram'), sram: bytes('sram'), local: bytes('localMemory') };
});
const total = start.elapsedTime(marks.at(-1));
console.log('\nlayer   time (ms)   bound   DRAM (MB)   SRAM (MB)   local memory (MB)');
perLayer.forEach((l, i) => console.log(
  `${String(i).padStart(5)}   ${l.ms.toFixed(3).padStart(9)}   ${l.bounds.padEnd(5)}   ${l.dram.toFixed(1).padStart(9)}   ${l.sram.toFixed(1).padStart(9)}   ${l.local.toFixed(1).padStart(17)}`));
const dram = perLayer.reduce((sum, l) => sum + l.dram, 0);
console.log(`\nper token: ${total.toFixed(3)} ms of simulated MTIA 2i time (${(1000 / total).toFixed(1)} tokens/s)`);
console.log(`sum of the layers: ${perLayer.reduce((sum, l) => sum + l.ms, 0).toFixed(3)} ms`);
console.log(`DRAM read: ${(dram / 1e3).toFixed(2)} GB, ${(dram / 1e3 / (total * 1e-3)).toFixed(1)} GB/s of the 204.8 GB/s peak`);
