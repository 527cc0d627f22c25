// Peers benchmark: what a user sees end to end on mtia-sim against what a JavaScript user would
// pick instead, @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD on, one thread unless
// --tfjs-threads says more), interleaved in one process (issue 13):
//
//   matmul     float32 C = A · B at n = 512 and 1024 with A and B already on the device, then C
//              read back into a host Float32Array and freed: GFLOPS = 2n³ / seconds.
//              mtia-sim: matmul + await toArray() + free(), on the device's default kernel threads
//              (as many as the host has logical processors; the header says how many);
//              tfjs: matMul + dataSync() + dispose().
//   tiny op    a 1-element float32 add whose result is freed at once, per op, end to end with
//              the work done: mtia-sim N × add(a, b).free() then await mtia.synchronize();
//              tfjs N × tf.add(a, b).dispose(), the last result read with dataSync().
//   latency    toArray() of a 1-element tensor: the round trip to the device worker (a fence);
//              tfjs: dataSync() of a 1-element tensor.
//   read-back  toArray() of a 1, 4 and 16 MiB float32 tensor on an idle device (GB/s = bytes /
//              seconds, 1 GB = 1e9 bytes); tfjs: dataSync() of a new tensor of the same size.
//              Also toArray({ out }) into an array the caller keeps (resident pages), beside
//              tfjs's dataSync() again (tfjs has no read into an existing array).
//   upload     tensor(values) from a Float32Array, then await mtia.synchronize(); tfjs:
//              tf.tensor(values) (its upload is synchronous).
//   round trip a 1-element float32 add, then its value read back, per iteration, as a loop a
//              user writes: mtia-sim add(a, b), await c.toArray(), c.free(); tfjs tf.add(a, b),
//              dataSync(), dispose() (ROUND_TRIPS iterations a sample, after WARM_UP_CALLS).
//   uploads    until usable, 4 B … 4 MiB: K uploads a sample (K = UPLOAD_BYTES_PER_SAMPLE /
//              size, 1 … UPLOADS_PER_SAMPLE), each a tensor the next op could use: mtia-sim
//              tensor(values) then free() (stream-ordered: any later op sees the bytes) and
//              await mtia.synchronize() once at the end of the sample, so every copy has run on
//              the device; tfjs tf.tensor1d(values) then dispose() (a synchronous copy into its
//              wasm heap). GB/s = bytes / s. Before the sizes, WARM_UP_CALLS uploads of each.
//              The floor beside it: the same copy, without a library, into shared memory and
//              into plain memory (V8 copies into a SharedArrayBuffer at about half the speed).
//   idle CPU   the process's CPU time (process.cpuUsage: every thread, the device worker's
//              included) over IDLE_SECONDS with a device that has just worked and then has
//              nothing to do, as % of one core.
//   host floor what a fresh host Float32Array of that size costs to allocate and touch (fill),
//              and a copy of device memory into an array already touched: the two parts of a
//              read-back, outside the library.
//
// Each case alternates mtia-sim and tfjs samples (the first of each pair alternating too), after
// warm-up samples, and reports medians and the ratio tfjs time / mtia-sim time (> 1: mtia-sim
// is faster). tfjs's .wasm binaries load from its npm package (setWasmPaths to its dist folder);
// fetch is replaced by one that refuses, so the run proves no download happens.
//
// With --tfjs-threads N (N > 1), tfjs runs its threaded build, tfjs-backend-wasm-threaded-simd.wasm,
// with an XNNPACK pool of N threads, which tfjs 4.22.0 does not support in Node: the work-arounds
// are in tfjs-node-threads.mjs. tfjs initialises once per process, so each thread count is a run.
//
// Usage: node bench/peers/run.mjs [--json] [--tfjs-threads N]
//   (progress on stderr; --json prints one JSON object; N: tfjs's threads, 1 … 8, default 1)

import fs, { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, relative } from 'node:path';
import { cpuModel, summarize } from '../measure.mjs';
import { allowTfjsThreadsInNode, TFJS_MAX_THREADS } from './tfjs-node-threads.mjs';
import { add, matmul, mtia, rand, tensor } from 'mtia-sim';

/** The issue's targets (benchmarks, not tests). */
const TARGETS = {
  matmulRatio: 1.5, // at least, tfjs time / mtia-sim time, n = 512 and 1024
  readBack4MiBGBps: 4, // at least
  tinyOpRatio: 5, // at least, tfjs time / mtia-sim time
  tinyOpsPerSecond: 2e6, // at least, per device
  roundTripRatio: 1, // at least, tfjs time / mtia-sim time (aim: 2)
  smallUploadRatio: 1, // at least, 4 B … 64 KiB, tfjs time / mtia-sim time
  upload4MiBRatio: 1, // at least
  idleCpuPercent: 1, // below, of one core
};
const ROUND_TRIPS = 1000;
/**
 * Calls of each library's loop body before the round-trip and upload samples: V8 optimises a
 * function only after thousands of calls, so a short loop would measure its interpreter, for
 * both libraries (bench/latency/warm-up.mjs draws the curve).
 */
const WARM_UP_CALLS = 5000;
const UPLOAD_SIZES = [4, 256, 4096, 65536, 1 << 20, 4 << 20];
const UPLOADS_PER_SAMPLE = 200;
const UPLOAD_BYTES_PER_SAMPLE = 4 << 20;
const IDLE_SECONDS = 10;
const SAMPLES = 9; // odd: the median is a measured sample
const WARMUP = 2;
const TINY_OPS = 100_000;
const MIB = 1 << 20;

let json = false;
let tfjsThreads = 1;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--json') {
    json = true;
  } else if (arg === '--tfjs-threads' || arg.startsWith('--tfjs-threads=')) {
    const value = arg === '--tfjs-threads' ? process.argv[++i] : arg.slice('--tfjs-threads='.length);
    if (value === undefined || !/^[1-9][0-9]*$/.test(value) || Number(value) > TFJS_MAX_THREADS) {
      throw new Error(`bench/peers: --tfjs-threads expects a positive integer from 1 to ${TFJS_MAX_THREADS} (tfjs-backend-wasm's pool limit), but got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
    }
    tfjsThreads = Number(value);
  } else {
    throw new Error(`bench/peers: unknown argument ${JSON.stringify(arg)} (expected --json or --tfjs-threads N)`);
  }
}
const out = json ? () => {} : (...args) => console.log(...args);
const progress = (line) => process.stderr.write(`[peers] ${line}\n`);

// ---- tfjs-backend-wasm, loaded from node_modules only --------------------------------------

const fetchCalls = [];
globalThis.fetch = async (url) => {
  fetchCalls.push(String(url));
  throw new Error('bench/peers: no network (fetch refused)');
};
const wasmFilesRead = [];
const readFileSyncOriginal = fs.readFileSync;
fs.readFileSync = function readFileSyncRecorded(path, ...rest) {
  if (String(path).endsWith('.wasm')) wasmFilesRead.push(String(path));
  return readFileSyncOriginal.call(this, path, ...rest);
};

const require = createRequire(import.meta.url);
const tf = await import('@tensorflow/tfjs-core');
const { setWasmPaths, setThreadsCount, getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
const tfjsVersion = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'), 'utf8')).version;
const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
// One thread: the non-threaded binary (no pthread pool), SIMD on. More: the threaded binary
// with a pool of tfjsThreads threads.
const tfjsThreaded = tfjsThreads > 1;
const expectedBinary = tfjsThreaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm';
const restoreNode = tfjsThreaded ? allowTfjsThreadsInNode(tfjsThreads) : () => {};
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', tfjsThreaded);
tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
if (tfjsThreaded) setThreadsCount(tfjsThreads);
setWasmPaths(`${wasmDist}/`);
if (!(await tf.setBackend('wasm'))) throw new Error('bench/peers: the tfjs wasm backend did not initialise');
await tf.ready();
restoreNode();
fs.readFileSync = readFileSyncOriginal;
const tfjsBinary = wasmFilesRead.map((path) => basename(path));
if (tfjsBinary.length !== 1 || tfjsBinary[0] !== expectedBinary) {
  throw new Error(`bench/peers: expected tfjs to load ${expectedBinary}, but it read ${JSON.stringify(wasmFilesRead)}`);
}
if (getThreadsCount() !== tfjsThreads) {
  throw new Error(`bench/peers: asked tfjs for ${tfjsThreads} thread(s), but its pool has ${getThreadsCount()}`);
}

// ---- mtia-sim -------------------------------------------------------------------------------

mtia.configure({ deviceCount: 1, memoryBytes: 512 * MIB });
await mtia.init();

/** Milliseconds `fn` (sync or async) takes. */
async function time(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Interleaved samples of two measurements (each returns milliseconds): WARMUP pairs discarded,
 * then SAMPLES pairs, the first of each pair alternating.
 */
async function interleaved(mtiaSample, tfjsSample) {
  const m = [];
  const t = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const first = i % 2 === 0;
    const a = first ? await mtiaSample() : await tfjsSample();
    const b = first ? await tfjsSample() : await mtiaSample();
    if (i < WARMUP) continue;
    m.push(first ? a : b);
    t.push(first ? b : a);
  }
  return { mtia: summarize(m), tfjs: summarize(t) };
}

/** Values 0 … 1 from a fixed linear congruential sequence. */
function values(count, seed) {
  const v = new Float32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    v[i] = x / 2 ** 32;
  }
  return v;
}

const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? cpuModel(), cpuModel: cpuModel(), cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` },
  glibcTunables: process.env.GLIBC_TUNABLES ?? null,
  loadAverage: { start: loadavg()[0] },
  peer: { package: '@tensorflow/tfjs-backend-wasm', version: tfjsVersion, backend: tf.getBackend(), binary: tfjsBinary[0], loadedFrom: relative(process.cwd(), wasmDist), threads: getThreadsCount(), nodeThreadsWorkaround: tfjsThreaded, simd: true, fetchCalls },
  samples: SAMPLES,
  matmul: {},
  tinyOp: {},
  readBackOneElement: {},
  readBack: {},
  readBackInto: {},
  upload: {},
  hostFloor: {},
  roundTrip: {},
  uploads: {},
  idle: {},
};

// (a) matmul + read-back
for (const n of [512, 1024]) {
  progress(`matmul n = ${n} + read-back ...`);
  const reps = n === 512 ? 4 : 1;
  const a = rand([n, n]);
  const b = rand([n, n]);
  const ta = tf.randomUniform([n, n]);
  const tb = tf.randomUniform([n, n]);
  await mtia.synchronize();
  const check = new Float32Array(1);
  const r = await interleaved(
    () => time(async () => {
      for (let i = 0; i < reps; i++) {
        const c = matmul(a, b);
        const host = await c.toArray();
        c.free();
        check[0] += host[host.length - 1];
      }
    }),
    () => time(() => {
      for (let i = 0; i < reps; i++) {
        const c = tf.matMul(ta, tb);
        const host = c.dataSync();
        c.dispose();
        check[0] += host[host.length - 1];
      }
    }),
  );
  const flops = 2 * n ** 3;
  const mtiaMs = r.mtia.median / reps;
  const tfjsMs = r.tfjs.median / reps;
  results.matmul[n] = {
    mtia: { ms: mtiaMs, gflops: flops / mtiaMs / 1e6 },
    tfjs: { ms: tfjsMs, gflops: flops / tfjsMs / 1e6 },
    ratio: tfjsMs / mtiaMs,
    targetMet: tfjsMs / mtiaMs >= TARGETS.matmulRatio,
  };
  a.free();
  b.free();
  ta.dispose();
  tb.dispose();
}

// The threads mtia-sim's device computed the matmuls on (configure's kernelThreads, 'auto' by
// default: its helpers started at the first large matmul, a warm-up sample).
results.kernelThreads = await mtia.debug.kernelThreads();

// (b) tiny op
{
  progress(`tiny op: 1-element add, ${TINY_OPS} ops a sample ...`);
  const a = tensor(new Float32Array([1]));
  const b = tensor(new Float32Array([2]));
  const ta = tf.tensor1d([1]);
  const tb = tf.tensor1d([2]);
  await mtia.synchronize();
  const allocatedBefore = mtia.memoryAllocated();
  const r = await interleaved(
    () => time(async () => {
      for (let i = 0; i < TINY_OPS; i++) add(a, b).free();
      await mtia.synchronize();
    }),
    () => time(() => {
      for (let i = 0; i < TINY_OPS - 1; i++) tf.add(ta, tb).dispose();
      const last = tf.add(ta, tb);
      if (last.dataSync()[0] !== 3) throw new Error('tfjs add: wrong value');
      last.dispose();
    }),
  );
  const mtiaMicros = (r.mtia.median * 1000) / TINY_OPS;
  const tfjsMicros = (r.tfjs.median * 1000) / TINY_OPS;
  results.tinyOp = {
    ops: TINY_OPS,
    mtia: { microsPerOp: mtiaMicros, opsPerSecond: 1e6 / mtiaMicros },
    tfjs: { microsPerOp: tfjsMicros, opsPerSecond: 1e6 / tfjsMicros },
    ratio: tfjsMicros / mtiaMicros,
    targetMet: tfjsMicros / mtiaMicros >= TARGETS.tinyOpRatio && 1e6 / mtiaMicros >= TARGETS.tinyOpsPerSecond,
  };
  if (mtia.memoryAllocated() !== allocatedBefore) throw new Error('tiny op: a result was not freed');
  a.free();
  b.free();
  ta.dispose();
  tb.dispose();
}

// (c) read-back latency (one element: the round trip to the device), read-back and upload
// bandwidth, and the host's own floor
{
  progress('read-back of one element ...');
  const x = tensor(new Float32Array([5]));
  const tx = tf.tensor1d([5]);
  await mtia.synchronize();
  const r = await interleaved(
    () => time(async () => {
      if ((await x.toArray())[0] !== 5) throw new Error('read-back: wrong value');
    }),
    () => time(() => {
      if (tx.dataSync()[0] !== 5) throw new Error('tfjs read-back: wrong value');
    }),
  );
  results.readBackOneElement = { mtia: { micros: r.mtia.median * 1000 }, tfjs: { micros: r.tfjs.median * 1000 } };
  x.free();
  tx.dispose();
}
const memory = new WebAssembly.Memory({ initial: (16 * MIB) / 65536 + 1, maximum: (16 * MIB) / 65536 + 1, shared: true });
for (const mib of [1, 4, 16]) {
  progress(`read-back and upload, ${mib} MiB ...`);
  const bytes = mib * MIB;
  const count = bytes / 4;
  const host = values(count, mib);
  const x = tensor(host);
  const tx = tf.tensor1d(host);
  await mtia.synchronize();
  const back = await x.toArray();
  if (back.length !== count || back[count - 1] !== host[count - 1] || back[0] !== host[0]) throw new Error('read-back: wrong values');
  const read = await interleaved(
    () => time(() => x.toArray()),
    () => time(() => tx.dataSync()),
  );
  const kept = new Float32Array(count);
  await x.toArray({ out: kept });
  if (kept[count - 1] !== host[count - 1] || kept[0] !== host[0]) throw new Error('read-back into out: wrong values');
  const readInto = await interleaved(
    () => time(() => x.toArray({ out: kept })),
    () => time(() => tx.dataSync()),
  );
  const up = await interleaved(
    () => time(async () => {
      const y = tensor(host);
      await mtia.synchronize();
      y.free();
    }),
    () => time(() => tf.tensor1d(host).dispose()),
  );
  // The parts of a read-back outside the library: a fresh array's first touch, and a copy out of
  // shared memory into an array already touched.
  const resident = new Float32Array(count);
  const shared = new Float32Array(memory.buffer, 0, count);
  const floor = await interleaved(
    () => time(() => new Float32Array(count).fill(0)),
    () => time(() => resident.set(shared)),
  );
  const gbps = (ms) => bytes / ms / 1e6;
  results.readBack[mib] = {
    mtia: { ms: read.mtia.median, gbps: gbps(read.mtia.median) },
    tfjs: { ms: read.tfjs.median, gbps: gbps(read.tfjs.median) },
    ratio: read.tfjs.median / read.mtia.median,
    ...(mib === 4 ? { targetMet: gbps(read.mtia.median) >= TARGETS.readBack4MiBGBps } : {}),
  };
  results.readBackInto[mib] = {
    mtia: { ms: readInto.mtia.median, gbps: gbps(readInto.mtia.median) },
    tfjs: { ms: readInto.tfjs.median, gbps: gbps(readInto.tfjs.median) },
    ratio: readInto.tfjs.median / readInto.mtia.median,
    ...(mib === 4 ? { targetMet: gbps(readInto.mtia.median) >= TARGETS.readBack4MiBGBps } : {}),
  };
  results.upload[mib] = {
    mtia: { ms: up.mtia.median, gbps: gbps(up.mtia.median) },
    tfjs: { ms: up.tfjs.median, gbps: gbps(up.tfjs.median) },
    ratio: up.tfjs.median / up.mtia.median,
  };
  results.hostFloor[mib] = {
    freshArrayFill: { ms: floor.mtia.median, gbps: gbps(floor.mtia.median) },
    copyIntoResident: { ms: floor.tfjs.median, gbps: gbps(floor.tfjs.median) },
  };
  x.free();
  tx.dispose();
}

// (d) the round trip: an op and its value read back, per iteration
{
  progress(`round trip: 1-element add + read-back, ${ROUND_TRIPS} iterations a sample ...`);
  const a = tensor(new Float32Array([1]));
  const b = tensor(new Float32Array([2]));
  const ta = tf.tensor1d([1]);
  const tb = tf.tensor1d([2]);
  /** One round trip of each library, as a loop a user writes. */
  const mtiaRoundTrip = async () => {
    const c = add(a, b);
    const host = await c.toArray();
    c.free();
    if (host[0] !== 3) throw new Error('round trip: wrong value');
  };
  const tfjsRoundTrip = () => {
    const c = tf.add(ta, tb);
    const host = c.dataSync();
    c.dispose();
    if (host[0] !== 3) throw new Error('tfjs round trip: wrong value');
  };
  await mtia.synchronize();
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    await mtiaRoundTrip();
    tfjsRoundTrip();
  }
  const r = await interleaved(
    () => time(async () => {
      for (let i = 0; i < ROUND_TRIPS; i++) await mtiaRoundTrip();
    }),
    () => time(() => {
      for (let i = 0; i < ROUND_TRIPS; i++) tfjsRoundTrip();
    }),
  );
  const mtiaMicros = (r.mtia.median * 1000) / ROUND_TRIPS;
  const tfjsMicros = (r.tfjs.median * 1000) / ROUND_TRIPS;
  results.roundTrip = {
    iterations: ROUND_TRIPS,
    mtia: { micros: mtiaMicros, min: (r.mtia.min * 1000) / ROUND_TRIPS, max: (r.mtia.max * 1000) / ROUND_TRIPS },
    tfjs: { micros: tfjsMicros },
    ratio: tfjsMicros / mtiaMicros,
    targetMet: tfjsMicros / mtiaMicros >= TARGETS.roundTripRatio,
  };
  a.free();
  b.free();
  ta.dispose();
  tb.dispose();
}

// (e) uploads until usable, 4 B … 4 MiB
{
  const small = values(64, 1);
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    tensor(small).free();
    tf.tensor1d(small).dispose();
    if (i % UPLOADS_PER_SAMPLE === 0) await mtia.synchronize();
  }
}
for (const bytes of UPLOAD_SIZES) {
  const count = bytes / 4;
  const k = Math.max(1, Math.min(UPLOADS_PER_SAMPLE, UPLOAD_BYTES_PER_SAMPLE / bytes));
  progress(`uploads of ${bytes} B, ${k} a sample ...`);
  const host = values(count, bytes);
  const check = tensor(host);
  const back = await check.toArray();
  if (back[0] !== host[0] || back[count - 1] !== host[count - 1]) throw new Error('upload: wrong values');
  check.free();
  const r = await interleaved(
    () => time(async () => {
      for (let i = 0; i < k; i++) tensor(host).free();
      await mtia.synchronize();
    }),
    () => time(() => {
      for (let i = 0; i < k; i++) tf.tensor1d(host).dispose();
    }),
  );
  // The floor of either library's upload: the same bytes copied, without a library, into
  // shared memory (V8 copies into a SharedArrayBuffer with relaxed atomic word moves) and into
  // plain memory (tfjs's wasm heap is not shared).
  const sharedTarget = new Float32Array(memory.buffer, 0, count);
  const plainTarget = new Float32Array(count).fill(0);
  const copy = await interleaved(
    () => time(() => {
      for (let i = 0; i < k; i++) sharedTarget.set(host);
    }),
    () => time(() => {
      for (let i = 0; i < k; i++) plainTarget.set(host);
    }),
  );
  const mtiaMicros = (r.mtia.median * 1000) / k;
  const tfjsMicros = (r.tfjs.median * 1000) / k;
  const ratio = tfjsMicros / mtiaMicros;
  results.uploads[bytes] = {
    perSample: k,
    mtia: { micros: mtiaMicros, gbps: bytes / mtiaMicros / 1e3 },
    tfjs: { micros: tfjsMicros, gbps: bytes / tfjsMicros / 1e3 },
    floor: { intoSharedMicros: (copy.mtia.median * 1000) / k, intoPlainMicros: (copy.tfjs.median * 1000) / k },
    ratio,
    ...(bytes <= 65536 ? { targetMet: ratio >= TARGETS.smallUploadRatio } : bytes === 4 << 20 ? { targetMet: ratio >= TARGETS.upload4MiBRatio } : {}),
  };
}

// (f) an idle device's CPU: it has just worked, then nothing for IDLE_SECONDS
{
  progress(`idle device: CPU time over ${IDLE_SECONDS} s ...`);
  const x = tensor(new Float32Array([1]));
  await x.toArray();
  x.free();
  const before = process.cpuUsage();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const used = process.cpuUsage(before);
  const seconds = (performance.now() - start) / 1000;
  const percent = ((used.user + used.system) / 1e6 / seconds) * 100;
  results.idle = { seconds, cpuMs: (used.user + used.system) / 1000, percentOfOneCore: percent, targetMet: percent < TARGETS.idleCpuPercent };
}

await mtia.shutdown();
results.loadAverage.end = loadavg()[0];
progress('done');

// ---- report ---------------------------------------------------------------------------------

if (json) {
  console.log(JSON.stringify(results));
} else {
  const f = (x, d = 2) => x.toFixed(d);
  const mark = (met) => (met ? 'met' : 'NOT met');
  const m = results.machine;
  out(`peers benchmark, ${results.date}`);
  out(`machine: ${m.cpu}${m.cpuModel === m.cpu ? '' : ` (${m.cpuModel})`}, ${m.cores} cores, Node ${m.node}, ${m.platform}${results.glibcTunables ? `, GLIBC_TUNABLES=${results.glibcTunables}` : ''}`);
  const p = results.peer;
  const threads = p.threads === 1 ? '1 thread' : `${p.threads} threads (XNNPACK pool; started in Node by bench/peers/tfjs-node-threads.mjs)`;
  out(`peer: ${p.package} ${p.version}, ${p.binary} from ${p.loadedFrom}, ${threads}, SIMD; fetch calls: ${fetchCalls.length}`);
  out(`mtia-sim: ${results.kernelThreads} kernel thread${results.kernelThreads === 1 ? '' : 's'} per device (mtia.configure's kernelThreads: 'auto')`);
  out(`1-minute load average: ${f(results.loadAverage.start)} at the start, ${f(results.loadAverage.end)} at the end (other processes share the cores)`);
  out(`medians of ${SAMPLES} interleaved samples; ratio = tfjs time / mtia-sim time (> 1: mtia-sim faster)\n`);
  out('case                                    mtia-sim          tfjs-wasm         ratio   target');
  for (const n of [512, 1024]) {
    const r = results.matmul[n];
    out(`matmul n=${String(n).padEnd(4)} + read-back, GFLOPS      ${f(r.mtia.gflops, 1).padStart(6)} (${f(r.mtia.ms)} ms)  ${f(r.tfjs.gflops, 1).padStart(6)} (${f(r.tfjs.ms)} ms)  ×${f(r.ratio)}   ≥ ×${TARGETS.matmulRatio}: ${mark(r.targetMet)}`);
  }
  const t = results.tinyOp;
  out(`1-element add + free, µs/op            ${f(t.mtia.microsPerOp, 3).padStart(7)} (${f(t.mtia.opsPerSecond / 1e6)} M/s)  ${f(t.tfjs.microsPerOp, 3).padStart(7)} (${f(t.tfjs.opsPerSecond / 1e6)} M/s)  ×${f(t.ratio)}   ≥ ×${TARGETS.tinyOpRatio} and ≥ 2 M/s: ${mark(t.targetMet)}`);
  const one = results.readBackOneElement;
  out(`read-back of 1 element, µs              ${f(one.mtia.micros, 1).padStart(6)}            ${f(one.tfjs.micros, 1).padStart(6)}`);
  for (const mib of [1, 4, 16]) {
    const r = results.readBack[mib];
    out(`read-back ${String(mib).padStart(2)} MiB, GB/s                 ${f(r.mtia.gbps).padStart(6)} (${f(r.mtia.ms)} ms)  ${f(r.tfjs.gbps).padStart(6)} (${f(r.tfjs.ms)} ms)  ×${f(r.ratio)}${mib === 4 ? `   ≥ ${TARGETS.readBack4MiBGBps} GB/s: ${mark(r.targetMet)}` : ''}`);
  }
  for (const mib of [1, 4, 16]) {
    const r = results.readBackInto[mib];
    out(`read-back ${String(mib).padStart(2)} MiB into out, GB/s        ${f(r.mtia.gbps).padStart(6)} (${f(r.mtia.ms)} ms)  ${f(r.tfjs.gbps).padStart(6)} (${f(r.tfjs.ms)} ms)  ×${f(r.ratio)}${mib === 4 ? `   ≥ ${TARGETS.readBack4MiBGBps} GB/s: ${mark(r.targetMet)}` : ''}`);
  }
  for (const mib of [1, 4, 16]) {
    const r = results.upload[mib];
    out(`upload    ${String(mib).padStart(2)} MiB, GB/s                 ${f(r.mtia.gbps).padStart(6)} (${f(r.mtia.ms)} ms)  ${f(r.tfjs.gbps).padStart(6)} (${f(r.tfjs.ms)} ms)  ×${f(r.ratio)}`);
  }
  const rt = results.roundTrip;
  out(`round trip: 1-element add + read-back, µs   ${f(rt.mtia.micros, 1).padStart(6)}            ${f(rt.tfjs.micros, 1).padStart(6)}            ×${f(rt.ratio)}   ≥ ×${TARGETS.roundTripRatio}: ${mark(rt.targetMet)}`);
  for (const bytes of UPLOAD_SIZES) {
    const r = results.uploads[bytes];
    const size = bytes >= 1 << 20 ? `${bytes >> 20} MiB` : bytes >= 1024 ? `${bytes >> 10} KiB` : `${bytes} B`;
    const target = r.targetMet === undefined ? '' : `   ≥ ×1: ${mark(r.targetMet)}`;
    out(`upload ${size.padStart(6)} until usable, µs (GB/s) ${f(r.mtia.micros, 2).padStart(8)} (${f(r.mtia.gbps)})  ${f(r.tfjs.micros, 2).padStart(8)} (${f(r.tfjs.gbps)})  ×${f(r.ratio)}${target}`);
  }
  const idle = results.idle;
  out(`idle device, CPU over ${f(idle.seconds, 1)} s: ${f(idle.cpuMs, 1)} ms = ${f(idle.percentOfOneCore, 3)} % of a core (whole process)   < ${TARGETS.idleCpuPercent} %: ${mark(idle.targetMet)}`);
  out('\nhost floor (no library): fresh Float32Array + fill(0) | copy from shared memory into a touched array');
  for (const mib of [1, 4, 16]) {
    const r = results.hostFloor[mib];
    out(`          ${String(mib).padStart(2)} MiB, GB/s                 ${f(r.freshArrayFill.gbps).padStart(6)} (${f(r.freshArrayFill.ms)} ms)  ${f(r.copyIntoResident.gbps).padStart(6)} (${f(r.copyIntoResident.ms)} ms)`);
  }
  out('\nupload floor (no library): copy into shared memory | into plain memory, µs (GB/s)');
  for (const bytes of UPLOAD_SIZES) {
    const r = results.uploads[bytes].floor;
    const size = bytes >= 1 << 20 ? `${bytes >> 20} MiB` : bytes >= 1024 ? `${bytes >> 10} KiB` : `${bytes} B`;
    out(`       ${size.padStart(6)}                          ${f(r.intoSharedMicros, 2).padStart(8)} (${f(bytes / r.intoSharedMicros / 1e3)})  ${f(r.intoPlainMicros, 2).padStart(8)} (${f(bytes / r.intoPlainMicros / 1e3)})`);
  }
  out(`\n${JSON.stringify(results)}`);
}
