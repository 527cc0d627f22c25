// A DLRM-style recommendation model timed on a simulated MTIA 2i in timing-only mode: 26 sparse
// features, each an embedding bag over a table of 4 million rows (26 GB of bfloat16 tables, far
// more than this machine's memory), plus a bottom MLP over the dense features and a top MLP over
// their interaction. Prints the time per inference step and, per layer, the time,
// what bound it and the bytes it moved at each memory level.
// `node examples/05-dlrm/index.mjs`

import { cat, embeddingBag, empty, linear, mtia, relu } from 'mtia-sim';

mtia.configure({ timingOnly: true, deviceCount: 1, profile: 'mtia-v2' });

const batch = 2048;
const [tables, rows, dim, pooling] = [26, 4_000_000, 128, 20];
const dense = [16, 512, 256, dim]; // the bottom MLP's widths
const top = [(tables + 1) * dim, 1024, 1024, 512, 256, 1]; // the top MLP's widths

const mlp = (widths) => widths.slice(1).map((out, i) => ({
  weight: empty([out, widths[i]], { dtype: 'bfloat16' }),
  bias: empty([out], { dtype: 'bfloat16' }),
}));
const embeddings = [];
for (let t = 0; t < tables; t++) {
  embeddings.push(empty([rows, dim], { dtype: 'bfloat16' }));
  if (process.stdout.isTTY) process.stdout.write(`\rbuilding the embedding tables: ${t + 1} of ${tables}`);
}
if (process.stdout.isTTY) process.stdout.write('\r');
const [bottomMlp, topMlp] = [mlp(dense), mlp(top)];
console.log(`model built: ${(mtia.memoryAllocated() / 1e9).toFixed(2)} GB on mtia:0 (timing-only: no data)`);

// One step's inputs: dense features, and per table `pooling` indices per sample.
const denseIn = empty([batch, dense[0]], { dtype: 'bfloat16' });
const indices = embeddings.map(() => empty([batch * pooling], { dtype: 'int32' }));
const offsets = embeddings.map(() => empty([batch], { dtype: 'int32' }));

const timed = () => new mtia.Event({ enableTiming: true });
const layers = [];
/** Runs `work` as one named layer: an event after it marks its end. */
function layer(name, work) {
  const out = work();
  layers.push({ name, end: mtia.currentStream().recordEvent(timed()) });
  return out;
}
/** A linear layer, with ReLU unless it is the last. */
function dense_(x, { weight, bias }, last) {
  const y = linear(x, weight, bias);
  if (last) return y;
  const z = relu(y);
  y.free();
  return z;
}

mtia.profiler.start();
const start = timed();
start.record();
let x = denseIn;
bottomMlp.forEach((l, i) => (x = layer(`bottom MLP ${i}`, () => dense_(x, l, false))));
const pooled = embeddings.map((table, t) => layer(`embedding bag ${t}`, () =>
  embeddingBag(indices[t], table, offsets[t], { mode: 'sum' })));
let h = layer('interaction (cat)', () => cat([x, ...pooled], 1));
topMlp.forEach((l, i) => (h = layer(`top MLP ${i}`, () => dense_(h, l, i === topMlp.length - 1))));
await layers.at(-1).end.synchronize();
await mtia.profiler.stop();

// Per layer: its time between events; its ops are the profiler's records whose midpoint falls
// between the layer's events (one stream, so they follow each other).
const ops = mtia.profiler.opStats();
const originNs = ops[0].startNs;
const endsNs = layers.map((l) => originNs + start.elapsedTime(l.end) * 1e6);
console.log('\nlayer                  time (µs)   bound          DRAM (MB)   SRAM (MB)   local memory (MB)');
let sum = 0;
layers.forEach((l, i) => {
  const from = endsNs[i - 1] ?? originNs;
  const mine = ops.filter((op) => (op.startNs + op.endNs) / 2 > from && (op.startNs + op.endNs) / 2 <= endsNs[i]);
  const bytes = (level) => mine.reduce((s, op) => s + op.bytes[level], 0) / 1e6;
  const us = (endsNs[i] - from) / 1e3;
  sum += us;
  const bound = [...new Set(mine.map((op) => op.bound))].join('+');
  console.log(`${l.name.padEnd(20)}   ${us.toFixed(1).padStart(9)}   ${bound.padEnd(12)}   ${bytes('dram').toFixed(1).padStart(9)}   ${bytes('sram').toFixed(1).padStart(9)}   ${bytes('localMemory').toFixed(1).padStart(17)}`);
});
const total = start.elapsedTime(layers.at(-1).end);
console.log(`\nper step: ${total.toFixed(3)} ms of simulated MTIA 2i time for a batch of ${batch} (${(batch / total * 1e3).toFixed(0)} samples/s)`);
console.log(`sum of the layers: ${(sum / 1e3).toFixed(3)} ms`);
