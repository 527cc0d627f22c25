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
const bytes = mtia.memoryAllocated();
console.log(`\r${layers} layers built: ${(bytes / 1e9).toFixed(2)} GB of float16 weights on mtia:0 (timing-only: no data)`);

// One token (batch 1): every layer's seven projections. Attention's score and softmax over the
// KV cache and the elementwise ops are left out: at batch 1 the weights' DRAM traffic dominates.
mtia.profiler.start();
const start = new mtia.Event({ enableTiming: true });
start.record();
let x = empty([1, hidden], { dtype: 'float16' });
for (const w of weights) {
  const attention = ['q', 'k', 'v'].map((name) => linear(x, w[name]));
  const projected = linear(attention[0], w.o);
  const gate = linear(projected, w.gate);
  const up = linear(projected, w.up);
  const next = linear(up, w.down);
  for (const t of [...attention, projected, gate, up, x]) t.free();
  x = next;
}
const end = new mtia.Event({ enableTiming: true });
end.record();
await end.synchronize();
await mtia.profiler.stop();

const ms = start.elapsedTime(end);
const stats = mtia.profiler.opStats().filter((op) => op.name === 'linear' || op.name === 'matmul');
const dram = stats.reduce((sum, op) => sum + op.bytes.dram, 0);
const bounds = {};
for (const op of stats) bounds[op.bound] = (bounds[op.bound] ?? 0) + 1;
console.log(`one token: ${ms.toFixed(2)} ms of simulated MTIA 2i time (${(1000 / ms).toFixed(1)} tokens/s)`);
console.log(`DRAM read: ${(dram / 1e9).toFixed(2)} GB, ${(dram / (ms * 1e-3) / 1e9).toFixed(1)} GB/s of the 204.8 GB/s peak`);
console.log(`what bound the ${stats.length} projections:`, bounds);
const layer0 = stats.slice(0, 7).map((op) => `${op.shapes.at(-2)?.join('×')}: ${((op.endNs - op.startNs) / 1e3).toFixed(1)} µs, ${op.bound}-bound`);
console.log('layer 0:', layer0.join('; '));
