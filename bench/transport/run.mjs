// Transport benchmark: what the postMessage transport (for pages without cross-origin
// isolation) costs against shared memory, measured in one run with the same workloads, each
// transport in turn, through the public API with real device workers:
//
//   tiny ops    N × (add(a, b) + free()) on 1-element float32 tensors, then synchronize():
//               ops per second up to the moment synchronize() resolves, and the host's
//               enqueue cost per op (the loop alone).
//   read-back   toArray() of a float32 tensor of 4 B, 1 MiB and 16 MiB: the latency of the
//               smallest and the bandwidth of the larger (the bytes cross in a message instead
//               of being read out of shared memory).
//   upload      tensor(Float32Array) of 16 MiB, then synchronize(): host-to-device bandwidth.
//
// Usage: node bench/transport/run.mjs [--json]   (--json prints only the JSON line)

import { cpus, loadavg } from 'node:os';
import { cpuModel, summarize } from '../measure.mjs';
import { add, mtia, tensor } from 'mtia-sim';

const TINY_OPS = 100_000;
const WARMUP_REPS = 2;
const REPS = 7;
const READ_SIZES = [4, 1 << 20, 16 << 20];
const UPLOAD_BYTES = 16 << 20;

const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** Median (and range) of `reps` runs of `measure` after `warmup` unmeasured ones. */
async function repeat(measure, warmup = WARMUP_REPS, reps = REPS) {
  for (let i = 0; i < warmup; i++) await measure();
  const samples = [];
  for (let i = 0; i < reps; i++) samples.push(await measure());
  return summarize(samples);
}

/** Every figure for one transport. */
async function measureTransport(transport) {
  mtia.configure({ deviceCount: 1, memoryBytes: 256 << 20, transport });
  await mtia.init();
  if (mtia.getDeviceProperties(0).transport !== transport) throw new Error(`${transport} is not in use`);
  const a = tensor(new Float32Array([1]));
  const b = tensor(new Float32Array([2]));
  await mtia.synchronize();
  let enqueueMicros = [];
  const tinyOpsPerSecond = await repeat(async () => {
    const start = performance.now();
    for (let i = 0; i < TINY_OPS; i++) add(a, b).free();
    const enqueued = performance.now();
    await mtia.synchronize();
    enqueueMicros.push(((enqueued - start) * 1000) / TINY_OPS);
    return TINY_OPS / ((performance.now() - start) / 1000);
  });
  enqueueMicros = summarize(enqueueMicros.slice(WARMUP_REPS));
  const check = add(a, b);
  if ((await check.toArray())[0] !== 3) throw new Error(`${transport}: 1 + 2 was not 3`);
  const readBack = {};
  for (const bytes of READ_SIZES) {
    const values = Float32Array.from({ length: bytes / 4 }, (_, i) => i);
    const t = tensor(values);
    await mtia.synchronize();
    const seconds = await repeat(async () => {
      const start = performance.now();
      const read = await t.toArray();
      const elapsed = (performance.now() - start) / 1000;
      if (read[read.length - 1] !== values.length - 1) throw new Error(`${transport}: read-back of ${bytes} B is wrong`);
      return elapsed;
    });
    readBack[bytes] = { microseconds: summarize([seconds.median * 1e6]).median, bytesPerSecond: bytes / seconds.median };
    t.free();
  }
  const upload = new Float32Array(UPLOAD_BYTES / 4).fill(1);
  const uploadSeconds = await repeat(async () => {
    const start = performance.now();
    const t = tensor(upload);
    await mtia.synchronize();
    const elapsed = (performance.now() - start) / 1000;
    t.free();
    return elapsed;
  });
  await mtia.shutdown();
  return {
    tinyOpsPerSecond,
    enqueueMicrosPerOp: enqueueMicros,
    readBack,
    uploadBytesPerSecond: UPLOAD_BYTES / uploadSeconds.median,
  };
}

const loadAverage1Min = loadavg()[0];
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpuModel(), loadAverage1Min };
const shared = await measureTransport('shared-memory');
const posted = await measureTransport('postMessage');
const ratios = {
  tinyOps: shared.tinyOpsPerSecond.median / posted.tinyOpsPerSecond.median,
  readBack4B: posted.readBack[4].microseconds / shared.readBack[4].microseconds,
  readBack1MiB: shared.readBack[1 << 20].bytesPerSecond / posted.readBack[1 << 20].bytesPerSecond,
  readBack16MiB: shared.readBack[16 << 20].bytesPerSecond / posted.readBack[16 << 20].bytesPerSecond,
  upload16MiB: shared.uploadBytesPerSecond / posted.uploadBytesPerSecond,
};

const mops = (x) => `${(x / 1e6).toFixed(3)} M`;
const gbs = (x) => `${(x / 1e9).toFixed(2)} GB/s`;
log(`Node ${machine.node}, ${machine.cpus} CPUs, ${machine.cpuModel}, 1-min load average ${loadAverage1Min.toFixed(2)} at start`);
for (const [name, r] of [['shared-memory', shared], ['postMessage', posted]]) {
  log(`${name}:`);
  log(`  tiny ops: ${mops(r.tinyOpsPerSecond.median)} ops/s (range ${mops(r.tinyOpsPerSecond.min)}–${mops(r.tinyOpsPerSecond.max)}), enqueue ${r.enqueueMicrosPerOp.median.toFixed(3)} µs/op`);
  log(`  read-back 4 B: ${r.readBack[4].microseconds.toFixed(1)} µs; 1 MiB: ${gbs(r.readBack[1 << 20].bytesPerSecond)}; 16 MiB: ${gbs(r.readBack[16 << 20].bytesPerSecond)}`);
  log(`  upload 16 MiB: ${gbs(r.uploadBytesPerSecond)}`);
}
log(`shared memory over postMessage: tiny ops ×${ratios.tinyOps.toFixed(2)}, 4-B read-back latency ×${ratios.readBack4B.toFixed(2)}, ` +
  `read-back bandwidth ×${ratios.readBack1MiB.toFixed(2)} (1 MiB) ×${ratios.readBack16MiB.toFixed(2)} (16 MiB), upload ×${ratios.upload16MiB.toFixed(2)}`);
console.log(JSON.stringify({ benchmark: 'transport', date: new Date().toISOString(), machine, sharedMemory: shared, postMessage: posted, ratios }));
