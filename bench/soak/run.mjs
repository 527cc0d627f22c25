// Soak: at least 1 M public-API calls over 2 devices × 4 streams each, drawn at random (seeded):
// allocations (zeros, full, tensor), adds, frees, event records and waits within and across
// devices. Every tensor's values are known on the host; a sample is read back and checked as
// it goes, every live tensor at the end. Then everything is freed and memory must be back to
// its baseline. Reports ops/s and peak RSS; exits 1 if any check failed.
//
// Usage: node bench/soak/run.mjs [--ops N] [--seed S] [--json]   (npm run bench:soak)

import { add, full, mtia, tensor, zeros } from 'mtia-sim';
import { cpuModel } from '../measure.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const OPS = arg('--ops', 1_000_000);
const SEED = arg('--seed', 11);
const jsonOnly = process.argv.includes('--json');
const MiB = 1 << 20;
/** Live tensors kept at most; past it, frees win. */
const LIVE_LIMIT = 192;
/** Calls between awaits (a sampled read-back): the host lets relays and the backlog move. */
const CHECK_EVERY = 4096;

/** mulberry32: a small seeded generator, so a failing run reproduces. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(SEED);
const below = (n) => Math.floor(random() * n);

mtia.configure({ deviceCount: 2, memoryBytes: 64 * MiB });
await mtia.init();
const streams = [0, 1].map((device) => [mtia.defaultStream(device), ...[1, 2, 3].map(() => new mtia.Stream({ device }))]);
const baseline = { allocated: [0, 1].map((d) => mtia.memoryAllocated(d)), reserved: [0, 1].map((d) => mtia.memoryReserved(d)) };

/** Live tensors: { tensor, device, numel, value } (every element equals value). */
const live = [];
const failures = [];
let ops = 0;
let iterations = 0;
let checks = 0;
/** Calls made, by kind (ops is their sum; crossDeviceWait counts the waits on the other device). */
const counts = { alloc: 0, add: 0, free: 0, record: 0, wait: 0, crossDeviceWait: 0 };

async function check(entry, where) {
  const values = await entry.tensor.toArray();
  checks++;
  const wrong = values.findIndex((v) => v !== entry.value);
  if (values.length !== entry.numel || wrong >= 0) {
    failures.push(`${where}: ${entry.tensor} expected all ${entry.value}, got ${values[wrong]} at ${wrong} (length ${values.length})`);
  }
}

const started = performance.now();
let lastReport = started;
while (ops < OPS) {
  const device = below(2);
  const stream = streams[device][below(4)];
  const kind = live.length >= LIVE_LIMIT ? 0.5 : random();
  if (kind < 0.3) {
    // Allocate: zeros, full or tensor, 1 to 4096 elements.
    const numel = 1 + below(4096);
    const value = below(9) - 4;
    const t = mtia.withStream(stream, () =>
      value === 0 && below(2) === 0
        ? zeros([numel])
        : below(4) === 0
          ? tensor(new Float32Array(numel).fill(value))
          : full([numel], value, { dtype: 'float32' }),
    );
    live.push({ tensor: t, device, numel, value: value === 0 ? 0 : value });
    counts.alloc++;
  } else if (kind < 0.6) {
    // Free a random live tensor.
    if (live.length > 0) {
      const [entry] = live.splice(below(live.length), 1);
      entry.tensor.free();
      counts.free++;
    }
  } else if (kind < 0.85) {
    // Add two live tensors of one device with the same length (or a tensor and a number).
    const candidates = live.filter((e) => e.device === device);
    if (candidates.length > 0) {
      const a = candidates[below(candidates.length)];
      const b = candidates.find((e) => e !== a && e.numel === a.numel);
      const scalar = below(5) - 2;
      const out = mtia.withStream(stream, () => add(a.tensor, b === undefined ? scalar : b.tensor));
      const value = a.value + (b === undefined ? scalar : b.value);
      if (Math.abs(value) > 1e6) out.free(); // keep values exact in float32
      else live.push({ tensor: out, device, numel: a.numel, value });
      counts.add++;
    }
  } else {
    // An event recorded on one stream and waited for on another, maybe on the other device.
    const toDevice = below(4) === 0 ? 1 - device : device;
    const waiter = streams[toDevice][below(4)];
    const event = stream.recordEvent();
    waiter.waitEvent(event);
    counts.record++;
    counts.wait++;
    if (toDevice !== device) counts.crossDeviceWait++;
  }
  ops = counts.alloc + counts.add + counts.free + counts.record + counts.wait;
  if (++iterations % CHECK_EVERY === 0) {
    if (live.length > 0) await check(live[below(live.length)], `after ${ops} ops`);
    const now = performance.now();
    if (!jsonOnly && now - lastReport > 5000) {
      lastReport = now;
      console.log(`  ${ops.toLocaleString('en-US')} ops, ${((ops / (now - started)) * 1e3).toFixed(0)} ops/s, ${live.length} live`);
    }
  }
}

for (const entry of live) await check(entry, 'at the end');
for (const entry of live) entry.tensor.free();
live.length = 0;
await Promise.all([mtia.synchronize(0), mtia.synchronize(1)]);
const seconds = (performance.now() - started) / 1e3;
const allocated = [0, 1].map((d) => mtia.memoryAllocated(d));
mtia.emptyCache();
const reserved = [0, 1].map((d) => mtia.memoryReserved(d));
if (allocated.join() !== baseline.allocated.join()) failures.push(`memoryAllocated ${allocated} != baseline ${baseline.allocated}`);
if (reserved.join() !== baseline.reserved.join()) failures.push(`memoryReserved after emptyCache ${reserved} != baseline ${baseline.reserved}`);
const ooms = [0, 1].map((d) => mtia.memoryStats(d)['num_ooms']);
if (ooms.some((n) => n !== 0)) failures.push(`out-of-memory errors: ${ooms}`);
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
await mtia.shutdown();

const result = {
  ops, seconds: Number(seconds.toFixed(2)), opsPerSecond: Math.round(ops / seconds), peakRssMiB: Math.round(peakRssMiB),
  checks, counts, seed: SEED, devices: 2, streamsPerDevice: 4, failures: failures.length,
  machine: { cpu: cpuModel(), node: process.version },
};
if (jsonOnly) console.log(JSON.stringify(result));
else {
  console.log(`soak: ${ops.toLocaleString('en-US')} ops over 2 devices × 4 streams in ${result.seconds} s: ` +
    `${result.opsPerSecond.toLocaleString('en-US')} ops/s, peak RSS ${result.peakRssMiB} MiB`);
  console.log(`  ${JSON.stringify(counts)}; ${checks} read-backs checked; memory back to baseline: ${failures.length === 0}`);
  for (const failure of failures.slice(0, 10)) console.log(`  FAILED: ${failure}`);
}
process.exitCode = failures.length === 0 ? 0 : 1;
