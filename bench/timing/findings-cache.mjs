// Issue 20 ("Never faster than physics, never cheaper for more work"), findings 1, 2, 7, 8 and
// 9: the SRAM cache model, rerun as the issue wrote them, in timing-only mode on mtia-v2 through
// the public API. Each line prints the op's DRAM bytes, its body time (its time less the launch)
// and, where the issue gave one, the physical floor: the DRAM bytes that must cross at the
// profile's raw 204.8 GB/s (test/support/physical-floor.ts).
//
// Usage: node bench/timing/findings-cache.mjs [path/to/dist/index.js]   (default: the package)

const mod = await import(process.argv[2] ?? 'mtia-sim');
const { add, bmm, embeddingBag, empty, linear, mtia, relu, slice, sum } = mod;

mtia.configure({ timingOnly: true, deviceCount: 1, profile: 'mtia-v2' });
const props = mtia.getDeviceProperties();
const clockHz = props.clockHz;
const dramBytesPerSecond = 204.8e9; // ISCA'25 Table 2 (the profile's raw peak)
const MiB = 2 ** 20;

/** Runs `fn` under the profiler; returns the OpStats of its ops (and what it returned). */
async function profiled(fn) {
  mtia.profiler.start();
  const value = fn();
  await mtia.synchronize();
  await mtia.profiler.stop();
  return { ops: mtia.profiler.opStats(), value };
}

/** The one op named `name` among `ops` (the last one). */
const pick = (ops, name) => ops.filter((op) => op.name === name).at(-1);
const bodyMs = (op) => ((op.cycles.total - op.cycles.launch) / clockHz) * 1e3;
const floorMs = (dramBytes) => (dramBytes / dramBytesPerSecond) * 1e3;
const mib = (bytes) => (bytes / MiB).toFixed(1);
const line = (label, op, floorBytes) => {
  const floor = floorBytes === undefined ? '' : `, floor ${floorMs(floorBytes).toFixed(3)} ms (${mib(floorBytes)} MiB): ${(bodyMs(op) / floorMs(floorBytes)).toFixed(2)}× the floor`;
  console.log(`  ${label}: DRAM ${mib(op.bytes.dram)} MiB, body ${bodyMs(op).toFixed(3)} ms, hit rate ${op.sramHitRate.toFixed(3)}${floor}`);
};

/** Pushes every byte of the SRAM out with a clean 512 MiB read (then nothing dirty is left). */
const scratch = empty([128 * MiB]);
async function flush() {
  sum(scratch).free();
  await mtia.synchronize();
}

console.log('Finding 1: outputs larger than the SRAM are written back');
{
  await flush();
  const [a, b] = [empty([128 * MiB]), empty([128 * MiB])];
  const { ops, value: c } = await profiled(() => add(a, b));
  line('add of two cold 512 MiB float32', pick(ops, 'add'), 1280 * MiB);
  const s = await profiled(() => sum(c));
  line('a later sum of its output', pick(s.ops, 'sum'));
  for (const t of [a, b, c]) t.free();
  await flush();
  const x = empty([256 * MiB]);
  const r = await profiled(() => relu(x));
  line('relu of a cold 1 GiB float32', pick(r.ops, 'relu'), (1024 + 768) * MiB);
  x.free();
  r.value.free();
  await flush();
  const [p, q] = [empty([50, 384, 1]), empty([50, 1, 29075])];
  const g = await profiled(() => bmm(p, q));
  const out = 50 * 384 * 29075 * 4;
  line('bmm float32 B=50 M=384 N=29075 K=1', pick(g.ops, 'bmm') ?? g.ops.at(-1), out - 256 * MiB + 50 * (384 + 29075) * 4);
  for (const t of [p, q, g.value]) t.free();
}

console.log('Finding 2: embeddingBag hit rates');
{
  await flush();
  const rows = 262144;
  const table = empty([rows, 64]);
  const indices = empty([rows], { dtype: 'int32' });
  const offsets = empty([rows / 64], { dtype: 'int32' });
  const tableBytes = rows * 64 * 4;
  const first = await profiled(() => embeddingBag(indices, table, offsets, { mode: 'sum' }));
  line('262 144 distinct rows of a cold 64-wide float32 table', pick(first.ops, 'embedding_bag') ?? first.ops.at(-1), tableBytes);
  const second = await profiled(() => embeddingBag(indices, table, offsets, { mode: 'sum' }));
  line('the same gather again', pick(second.ops, 'embedding_bag') ?? second.ops.at(-1));
  await flush();
  sum(table).free();
  const read = await profiled(() => embeddingBag(indices, table, offsets, { mode: 'sum' }));
  line('after a sum read the whole table', pick(read.ops, 'embedding_bag') ?? read.ops.at(-1));
  for (const t of [table, indices, offsets, first.value, second.value, read.value]) t.free();
}

console.log('Finding 7: dirtiness per byte range');
{
  await flush();
  const n = 50e6; // 200 MB of float32
  const t = empty([n]);
  sum(t).free(); // resident, clean
  const tail = (65 * MiB) / 4;
  const source = empty([tail]);
  slice(t, 0, n - tail).copy_(source); // only the last 65 MiB written
  sum(t).free(); // read all of it again
  await mtia.synchronize();
  const other = empty([75e6]); // 300 MB, cold: evicts all of t
  const e = await profiled(() => sum(other));
  const op = pick(e.ops, 'sum');
  console.log(`  evicting a 200 MB tensor whose 65 MiB tail is dirty: written back ${mib(op.bytes.dram - 300e6)} MiB (65.0 owed)`);
  for (const x of [t, source, other]) x.free();
  for (const elements of [64.26e6, 67.11e6]) {
    await flush();
    const [a, b] = [empty([elements]), empty([elements])];
    add(a, b).free();
    const w = await profiled(() => add(a, b));
    line(`warm float32 add of ${(elements / 1e6).toFixed(2)} M elements`, pick(w.ops, 'add'));
    for (const x of [a, b, w.value]) x.free();
  }
}

console.log('Finding 8: LRU');
{
  await flush();
  const x = empty([75e6]); // 300 MB
  sum(x).free();
  const again = await profiled(() => sum(x));
  line('a 300 MB tensor read twice, the second read', pick(again.ops, 'sum'));
  x.free();
  await flush();
  const ts = [0, 1, 2].map(() => empty([25e6])); // 3 × 100 MB
  for (const t of ts) sum(t).free();
  const cycled = await profiled(() => ts.map((t) => sum(t)));
  const sums = cycled.ops.filter((op) => op.name === 'sum');
  console.log(`  three 100 MB tensors cycled: hit rates ${sums.map((op) => op.sramHitRate.toFixed(3)).join(', ')} (LRU: 0)`);
  for (const t of [...ts, ...cycled.value]) t.free();
}

console.log('Finding 9: freed tensors\' dirty bytes');
{
  await flush();
  const layers = 32;
  const [hidden, ffn, tokens] = [4096, 11008, 2048];
  const shapes = { q: [hidden, hidden], k: [hidden, hidden], v: [hidden, hidden], o: [hidden, hidden], gate: [ffn, hidden], up: [ffn, hidden], down: [hidden, ffn] };
  const weights = [];
  for (let layer = 0; layer < layers; layer++) {
    weights.push(Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, empty(shape, { dtype: 'float16' })])));
  }
  const weightBytes = layers * Object.values(shapes).reduce((s, [r, c]) => s + r * c * 2, 0);
  const { ops } = await profiled(() => {
    let x = empty([tokens, hidden], { dtype: 'float16' });
    for (const w of weights) {
      const attention = ['q', 'k', 'v'].map((name) => linear(x, w[name]));
      const projected = linear(attention[0], w.o);
      const gate = linear(projected, w.gate);
      const up = linear(projected, w.up);
      const next = linear(up, w.down);
      for (const t of [...attention, projected, gate, up, x]) t.free();
      x = next;
    }
    return x;
  });
  const dram = ops.reduce((s, op) => s + op.bytes.dram, 0);
  console.log(`  2048-token Llama2-7B prefill: DRAM ${(dram / 1e9).toFixed(1)} GB for ${(weightBytes / 1e9).toFixed(1)} GB of weights`);
  const linears = ops.filter((op) => op.name === 'linear' || op.name === 'matmul');
  const q = linears[7 * 10]; // layer 10's q projection
  const mibOf = (list) => mib(list.reduce((s, op) => s + op.bytes.dram, 0));
  for (const [k, name] of ['q', 'k', 'v', 'o', 'gate', 'up', 'down'].entries()) {
    console.log(`    ${name}: ${mibOf(linears.filter((op, i) => i % 7 === k && i >= 7))} MiB over layers 1-31 (weights ${mib(31 * shapes[name][0] * shapes[name][1] * 2)} MiB)`);
  }
  console.log(`    other ops: ${[...new Set(ops.map((op) => op.name))].join(', ')}`);
  console.log(`  layer 10's q projection: DRAM ${mib(q.bytes.dram)} MiB (its weight: 32.0 MiB), bound ${q.bound}, body ${bodyMs(q).toFixed(3)} ms`);
}

await mtia.shutdown();
