// The playground's built-in workloads. Each is a short script shown in the editor, so what runs
// is what the user reads and can change. A script runs as the body of an async function with
// `mtia`, every tensor function of the package (tensor, linear, matmul, ...), the host reference
// `ref` (reference.ts), `hostRandom`, `hostIntegers`, `check(label, got, expected, tolerance?)`
// (result-check.ts) and `print(...)` in scope (script-runner.ts).

/** A built-in workload. */
export interface Workload {
  /** Its key in the menu and in the page's URL hash. */
  readonly id: string;
  /** Its name in the menu. */
  readonly title: string;
  /** Whether it needs timing-only mode (tensors without data). */
  readonly timingOnly: boolean;
  /** The script. */
  readonly code: string;
}

const mlp = `// A two-layer MLP, y = relu(x·W1ᵀ + b1)·W2ᵀ + b2, in float32. Its batch is split over every
// device (data parallel): each device gets the weights and its rows of x.
const [batch, inputs, hidden, outputs] = [256, 512, 1024, 256];
const x = hostRandom([batch, inputs], 1);
const w1 = hostRandom([hidden, inputs], 2, 0.05), b1 = hostRandom([hidden], 3, 0.1);
const w2 = hostRandom([outputs, hidden], 4, 0.05), b2 = hostRandom([outputs], 5, 0.1);

const devices = mtia.deviceCount();
const first = (d) => Math.floor((d * batch) / devices); // the first row of device d
const ys = [];
for (let d = 0; d < devices; d++) {
  ys.push(mtia.withDevice(d, () => {
    const rows = first(d + 1) - first(d);
    const xd = tensor(x.subarray(first(d) * inputs, first(d + 1) * inputs)).reshape([rows, inputs]);
    const h = relu(linear(xd, tensor(w1).reshape([hidden, inputs]), tensor(b1)));
    return linear(h, tensor(w2).reshape([outputs, hidden]), tensor(b2));
  }));
}
const got = new Float32Array(batch * outputs);
for (let d = 0; d < devices; d++) got.set(await ys[d].toArray(), first(d) * outputs);

const expected = ref.linear(ref.relu(ref.linear(x, w1, b1, batch, inputs, hidden)), w2, b2, batch, hidden, outputs);
check(\`MLP output [\${batch}×\${outputs}] over \${devices} device(s)\`, got, expected);
`;

const dlrm = `// A small DLRM-style model: a bottom MLP over the dense features; per sparse feature an
// embedding bag summing 8 rows of its table per sample; both concatenated and scored by a top
// MLP with a sigmoid. (examples/05-dlrm times the full-size model in timing-only mode.)
const [batch, denseIn, tables, rows, dim, pooling] = [128, 16, 4, 2000, 32, 8];
const layer = (i, o, seed) => ({ i, o, w: hostRandom([o, i], seed, 0.3), b: hostRandom([o], seed + 1, 0.1) });
const bottom = [layer(denseIn, 64, 10), layer(64, dim, 12)];
const top = [layer((tables + 1) * dim, 64, 14), layer(64, 1, 16)];
const dense = hostRandom([batch, denseIn], 20);
const weights = Array.from({ length: tables }, (_, t) => hostRandom([rows, dim], 30 + t, 0.5));
const indices = weights.map((_, t) => hostIntegers(batch * pooling, rows, 40 + t));
const offsets = Int32Array.from({ length: batch }, (_, b) => b * pooling);

// On the device.
const mlp = (x, layers) => layers.reduce((h, l, n) => {
  const y = linear(h, tensor(l.w).reshape([l.o, l.i]), tensor(l.b));
  return n < layers.length - 1 ? relu(y) : y;
}, x);
const bottomOut = mlp(tensor(dense).reshape([batch, denseIn]), bottom);
const pooled = weights.map((w, t) =>
  embeddingBag(tensor(indices[t]), tensor(w).reshape([rows, dim]), tensor(offsets), { mode: 'sum' }));
const score = sigmoid(mlp(cat([bottomOut, ...pooled], 1), top));
const got = await score.toArray();

// The same in JavaScript.
const refMlp = (x, layers) => layers.reduce((h, l, n) => {
  const y = ref.linear(h, l.w, l.b, batch, l.i, l.o);
  return n < layers.length - 1 ? ref.relu(y) : y;
}, x);
const parts = [{ values: refMlp(dense, bottom), cols: dim },
  ...weights.map((w, t) => ({ values: ref.embeddingBagSum(w, dim, indices[t], offsets), cols: dim }))];
check('pooled embeddings, table 0', await pooled[0].toArray(), parts[1].values);
check(\`DLRM scores [\${batch}×1]\`, got, ref.sigmoid(refMlp(ref.catColumns(parts, batch), top)));
`;

const attention = `// One self-attention block over a sequence of 128 tokens, 4 heads of 64:
// q, k, v = x·Wqᵀ, x·Wkᵀ, x·Wvᵀ; per head softmax(q·kᵀ / √64)·v; out = x + heads·Woᵀ.
const [seq, heads, dHead] = [128, 4, 64];
const d = heads * dHead;
const x = hostRandom([seq, d], 1);
const [wq, wk, wv, wo] = [2, 3, 4, 5].map((seed) => hostRandom([d, d], seed, 0.06));

// On the device: heads as a batch dimension, [heads, seq, dHead].
const xt = tensor(x).reshape([seq, d]);
const splitHeads = (t) => t.reshape([seq, heads, dHead]).permute([1, 0, 2]).contiguous();
const [q, k, v] = [wq, wk, wv].map((w) => splitHeads(linear(xt, tensor(w).reshape([d, d]))));
const scores = mul(bmm(q, k.transpose(1, 2)), 1 / Math.sqrt(dHead));
const context = bmm(softmax(scores, -1), v).permute([1, 0, 2]).contiguous().reshape([seq, d]);
const out = add(xt, linear(context, tensor(wo).reshape([d, d])));
const got = await out.toArray();

// The same in JavaScript, head by head.
const [rq, rk, rv] = [wq, wk, wv].map((w) => ref.linear(x, w, null, seq, d, d));
const head = (m, h) => Float32Array.from({ length: seq * dHead }, (_, i) => m[Math.floor(i / dHead) * d + h * dHead + (i % dHead)]);
const joined = new Float32Array(seq * d);
for (let h = 0; h < heads; h++) {
  const s = ref.scale(ref.matmul(head(rq, h), ref.transpose(head(rk, h), seq, dHead), seq, dHead, seq), 1 / Math.sqrt(dHead));
  const c = ref.matmul(ref.softmaxRows(s, seq, seq), head(rv, h), seq, seq, dHead);
  for (let i = 0; i < seq * dHead; i++) joined[Math.floor(i / dHead) * d + h * dHead + (i % dHead)] = c[i];
}
check(\`attention output [\${seq}×\${d}]\`, got, ref.add(x, ref.linear(joined, wo, null, seq, d, d)));
`;

const overlap = `// Copy/compute overlap with two streams: a copy stream uploads chunk i + 1 over PCIe while a
// compute stream multiplies chunk i on the DPEs. An event recorded after each upload orders its
// matmul after it; nothing else is ordered, so the timeline shows the two streams overlapping.
const [chunks, rows, k, n] = [6, 256, 1024, 512];
const w = hostRandom([k, n], 60, 0.03);
const xs = Array.from({ length: chunks }, (_, i) => hostRandom([rows, k], 70 + i));
const copies = new mtia.Stream();
const compute = new mtia.Stream();

const wDevice = mtia.withStream(copies, () => tensor(w).reshape([k, n]));
const ys = [];
for (let i = 0; i < chunks; i++) {
  const x = mtia.withStream(copies, () => tensor(xs[i]).reshape([rows, k]));
  compute.waitEvent(copies.recordEvent()); // chunk i (and w) are on the device
  ys.push(mtia.withStream(compute, () => matmul(x, wDevice)));
}
mtia.currentStream().waitStream(compute); // read the results after the compute stream
for (let i = 0; i < chunks; i++) {
  check(\`chunk \${i}: [\${rows}×\${n}]\`, await ys[i].toArray(), ref.matmul(xs[i], w, rows, k, n));
}
`;

const decoder = `// One decoding step (batch 1) of a 7-billion-parameter LLM's 32-layer decoder stack in float16,
// in timing-only mode: 13 GB of weights have shapes, device memory and simulated time but no
// data, so there are no values to check. (examples/04-timing-only prints it per layer.)
const [layers, hidden, ffn] = [32, 4096, 11008];
const shapes = { q: [hidden, hidden], k: [hidden, hidden], v: [hidden, hidden], o: [hidden, hidden],
  gate: [ffn, hidden], up: [ffn, hidden], down: [hidden, ffn] };
const weights = Array.from({ length: layers }, () =>
  Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, empty(shape, { dtype: 'float16' })])));
print(\`\${layers} layers: \${(mtia.memoryAllocated() / 1e9).toFixed(2)} GB of float16 weights on mtia:0\`);

const start = new mtia.Event({ enableTiming: true });
start.record();
let x = empty([1, hidden], { dtype: 'float16' });
for (const w of weights) {
  const [q, k, v] = ['q', 'k', 'v'].map((name) => linear(x, w[name]));
  const projected = linear(q, w.o);
  const gate = linear(projected, w.gate);
  const up = linear(projected, w.up);
  const next = linear(up, w.down);
  for (const t of [q, k, v, projected, gate, up, x]) t.free();
  x = next;
}
const end = mtia.currentStream().recordEvent(new mtia.Event({ enableTiming: true }));
await end.synchronize();
const ms = start.elapsedTime(end);
print(\`one token: \${ms.toFixed(3)} ms of simulated time (\${(1000 / ms).toFixed(1)} tokens/s)\`);
`;

/** The built-in workloads, in menu order. */
export const workloads: readonly Workload[] = [
  { id: 'mlp', title: 'MLP (data parallel over the devices)', timingOnly: false, code: mlp },
  { id: 'dlrm', title: 'DLRM-style: embedding bags + MLPs', timingOnly: false, code: dlrm },
  { id: 'attention', title: 'Attention block (4 heads)', timingOnly: false, code: attention },
  { id: 'overlap', title: 'Two streams: copy/compute overlap', timingOnly: false, code: overlap },
  { id: 'decoder', title: '7B decoder stack, timing-only', timingOnly: true, code: decoder },
];
