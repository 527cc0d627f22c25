// Issue 20 ("Never faster than physics, never cheaper for more work"), findings 3, 4, 6 and 10,
// rerun as the issue measured them: the built package in timing-only mode on mtia-v2.
//
//   3   one 1 GiB float32 row through softmax and layerNorm, against its two-pass floor (the
//       row read twice from DRAM, since it fits neither local memory nor the SRAM: 2 · 1 GiB at
//       the raw 204.8 GB/s)
//   4   two fabric-bound gathers (embeddingBag of 32-wide float32 rows from a resident table)
//       and two issue-bound adds (a custom profile whose RISC-V issue is slow) on two streams:
//       the pair's makespan over the two run one after the other
//   6   an SRAM-bound add, softmax and layerNorm (operands resident) at 1.1 and 1.35 GHz: the
//       time's change, with and without the launch (750 ns, not clocked); a clocked SRAM makes
//       the body's the clock ratio, 1.35 / 1.1 − 1 = +22.7 %, but for its SRAM latency (40 ns)
//   10  the gather's bound, and the share of the SRAM's bandwidth it used
//
// Usage: npm run build && node bench/timing/findings-engines.mjs [--json]

import { add, embeddingBag, empty, layerNorm, mtia, softmax, zeros } from 'mtia-sim';

const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** Runs `body` on a fresh timing-only device with `profile`; returns what it returns. */
async function onDevice(profile, body) {
  mtia.configure({ timingOnly: true, deviceCount: 1, profile });
  try {
    return await body();
  } finally {
    await mtia.shutdown();
  }
}

/** The OpStats of the ops `enqueue` issues, once they have run. */
async function profiled(enqueue) {
  await mtia.synchronize();
  mtia.profiler.start();
  enqueue();
  await mtia.synchronize();
  await mtia.profiler.stop();
  return mtia.profiler.opStats();
}

const spanNs = (ops) => Math.max(...ops.map((op) => op.endNs)) - Math.min(...ops.map((op) => op.startNs));
const durationNs = (op) => op.endNs - op.startNs;

/** Two runs of `make(i)` (i = 0, 1) one after the other, then together on two streams: the ratio. */
async function pairOnTwoStreams(make) {
  const alone = [];
  for (const i of [0, 1]) alone.push(durationNs((await profiled(() => make(i)))[0]));
  const streams = [new mtia.Stream(), new mtia.Stream()];
  const together = await profiled(() => {
    for (const i of [0, 1]) mtia.withStream(streams[i], () => make(i));
  });
  const sequentialNs = alone[0] + alone[1];
  return { aloneNs: alone, togetherNs: spanNs(together), ratio: spanNs(together) / sequentialNs, bounds: together.map((op) => op.bound) };
}

const GiB = 2 ** 30;
const results = {};

// Finding 3: a 1 GiB row.
results.longRow = await onDevice('mtia-v2', async () => {
  const p = mtia.getDeviceProperties();
  const floorNs = ((2 * GiB) / p.dramBytesPerSecond) * 1e9;
  const out = {};
  for (const [name, op] of [['softmax', (x) => softmax(x, -1)], ['layerNorm', (x) => layerNorm(x, [2 ** 28])]]) {
    const x = empty([1, 2 ** 28]);
    const [stats] = await profiled(() => op(x));
    out[name] = { ms: durationNs(stats) / 1e6, twoPassFloorMs: floorNs / 1e6, ratio: durationNs(stats) / floorNs, bound: stats.bound };
  }
  return out;
});

// Finding 4 and 10: gathers from a resident table; adds with a slow issue.
const gatherInputs = () => {
  const table = zeros([1024, 32]);
  const indices = empty([1 << 20], { dtype: 'int32' });
  const offsets = empty([1024], { dtype: 'int32' });
  return { table, indices, offsets };
};
results.gathers = await onDevice('mtia-v2', async () => {
  const inputs = [gatherInputs(), gatherInputs()];
  const gather = (i) => embeddingBag(inputs[i].indices, inputs[i].table, inputs[i].offsets, { mode: 'sum' });
  const pair = await pairOnTwoStreams(gather);
  const [stats] = await profiled(() => gather(0));
  const sramShare = stats.bytes.sram / (durationNs(stats) * 1e-9) / mtia.getDeviceProperties().sramBytesPerSecond;
  return { ...pair, bound: stats.bound, sramShareOfBandwidth: sramShare };
});
results.issueBoundAdds = await onDevice({ name: 'slow-issue', base: 'mtia-v2', issueCyclesPerInstruction: 4000 }, async () => {
  const operands = [[empty([1 << 20]), empty([1 << 20])], [empty([1 << 20]), empty([1 << 20])]];
  const addPair = (i) => add(operands[i][0], operands[i][1]);
  await profiled(() => { addPair(0); addPair(1); }); // the operands are resident from here on
  return pairOnTwoStreams(addPair);
});

// Finding 6: SRAM-bound ops at two clocks.
async function atClock(clockHz) {
  return onDevice({ name: `clock-${clockHz}`, base: 'mtia-v2', clockHz }, async () => {
    const x = empty([1 << 20]);
    const y = empty([1 << 20]);
    const rows = empty([1024, 1024]);
    const ops = { add: () => add(x, y), softmax: () => softmax(rows, -1), layerNorm: () => layerNorm(rows, [1024]) };
    const out = {};
    for (const [name, op] of Object.entries(ops)) {
      await profiled(op); // warm: operands resident
      const [stats] = await profiled(op);
      const bodyNs = ((stats.cycles.total - stats.cycles.launch) / clockHz) * 1e9;
      out[name] = { ns: durationNs(stats), bodyNs, bound: stats.bound };
    }
    return out;
  });
}
const slow = await atClock(1.1e9);
const fast = await atClock(1.35e9);
results.clockSweep = Object.fromEntries(Object.keys(slow).map((name) => [name, {
  ns1100MHz: slow[name].ns, ns1350MHz: fast[name].ns, bound: fast[name].bound,
  speedupPercent: (slow[name].ns / fast[name].ns - 1) * 100,
  bodySpeedupPercent: (slow[name].bodyNs / fast[name].bodyNs - 1) * 100,
}]));

if (jsonOnly) {
  console.log(JSON.stringify(results));
} else {
  for (const [name, r] of Object.entries(results.longRow)) {
    log(`3   1 GiB row ${name.padEnd(9)} ${r.ms.toFixed(2)} ms, two-pass floor ${r.twoPassFloorMs.toFixed(2)} ms: ${r.ratio.toFixed(3)} × (${r.bound})`);
  }
  log(`4   two gathers on two streams: ${results.gathers.ratio.toFixed(3)} × sequential (${results.gathers.bounds.join(', ')})`);
  log(`4   two issue-bound adds on two streams: ${results.issueBoundAdds.ratio.toFixed(3)} × sequential (${results.issueBoundAdds.bounds.join(', ')})`);
  for (const [name, r] of Object.entries(results.clockSweep)) {
    log(`6   ${name.padEnd(9)} 1.1 → 1.35 GHz: ${r.speedupPercent.toFixed(1)} % faster, ${r.bodySpeedupPercent.toFixed(1)} % without the launch (${r.bound})`);
  }
  log(`10  gather bound '${results.gathers.bound}', using ${results.gathers.sramShareOfBandwidth.toFixed(2)} of the SRAM bandwidth`);
}
