// Memory benchmark: what an allocation costs on the host, and how long a snapshot with
// 100 000 trace entries takes to build and to serialise.
//
//   allocator   malloc + free through the caching allocator alone (allocator.ts, bundled here
//               because it imports src/): one 4 KiB block on one stream; mixed sizes with 256
//               blocks live; the same with memory history on (trace entries + stack frames).
//   API         zeros([1]).free() through the public API: allocation, the tensor object, one
//               FILL command enqueued, the stream-ordered free.
//   snapshot    mtia.snapshot() with 100 000 trace entries recorded through the public API,
//               then dumpSnapshot('json') and dumpSnapshot('pickle'). PyTorch's reference:
//               711.8 ms for a snapshot with 100 k entries (PR #172672); the target is 10x faster.
//
// Usage: node bench/memory/run.mjs [--json]   (--json prints only the JSON line)

import { build } from 'esbuild';
import { summarize } from '../measure.mjs';
import { mtia, zeros } from 'mtia-sim';

const TARGETS = { snapshotMs: 71.18 }; // at most: 10x faster than PyTorch's 711.8 ms
const PYTORCH_SNAPSHOT_MS = 711.8;
const REPS = 7;
const TRACE_ENTRIES = 100_000;

const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** Runs `measure` twice to warm up, then REPS times. */
function reps(measure) {
  measure();
  measure();
  return summarize(Array.from({ length: REPS }, measure));
}

/** Milliseconds `fn` takes, and its result. */
function timed(fn) {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

async function measureAllocator() {
  const outfile = new URL('../../build/bench/memory-allocator.mjs', import.meta.url).pathname;
  await build({
    entryPoints: [new URL('./allocator.ts', import.meta.url).pathname],
    outfile, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning',
  });
  const { samePairMicros, mixedPairMicros } = await import(outfile);
  return {
    samePairMicros: reps(() => samePairMicros(1_000_000)),
    mixedPairMicros: reps(() => mixedPairMicros(200_000, 256, false)),
    mixedHistoryPairMicros: reps(() => mixedPairMicros(100_000, 256, true)),
  };
}

async function measureApi() {
  mtia.configure({ deviceCount: 1, memoryBytes: 512 << 20 });
  await mtia.init();
  const ops = 200_000;
  const apiMicros = [];
  for (let rep = 0; rep < REPS + 2; rep++) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) zeros([1]).free();
    apiMicros.push(((performance.now() - start) * 1000) / ops);
    await mtia.synchronize();
  }
  if (mtia.memoryAllocated() !== 0) throw new Error('API: memory left allocated');
  return summarize(apiMicros.slice(2));
}

async function measureSnapshot() {
  mtia.recordMemoryHistory({ enabled: 'all', maxEntries: TRACE_ENTRIES });
  const live = [];
  for (let i = 0; mtia.snapshot().device_traces[0].length < TRACE_ENTRIES; i++) {
    for (let k = 0; k < 1000; k++) {
      const t = zeros([1 + ((i * 1000 + k) * 7919) % 300_000]);
      if (k % 100 === 0) live.push(t);
      else t.free();
    }
    if (live.length > 200) live.shift().free();
    await mtia.synchronize();
  }
  const snapshot = mtia.snapshot();
  const entries = snapshot.device_traces[0].length;
  const withFrames = snapshot.device_traces[0].filter((entry) => entry.frames.length > 0).length;
  const build = reps(() => timed(() => mtia.snapshot())[0]);
  const json = reps(() => timed(() => mtia.dumpSnapshot('json'))[0]);
  const pickle = reps(() => timed(() => mtia.dumpSnapshot('pickle'))[0]);
  const jsonBytes = mtia.dumpSnapshot('json').length;
  const pickleBytes = mtia.dumpSnapshot('pickle').byteLength;
  for (const t of live) t.free();
  mtia.recordMemoryHistory({ enabled: null });
  await mtia.shutdown();
  return { entries, withFrames, segments: snapshot.segments.length, build, json, pickle, jsonBytes, pickleBytes };
}

log('memory benchmark: allocator, API, snapshot of 100 k trace entries ...');
const allocator = await measureAllocator();
const apiMicros = await measureApi();
const snapshot = await measureSnapshot();
const results = {
  node: process.version,
  allocator,
  apiZerosFreeMicros: apiMicros,
  snapshot,
  speedupOverPyTorch: PYTORCH_SNAPSHOT_MS / snapshot.build.median,
  targetMet: snapshot.build.median <= TARGETS.snapshotMs,
};
const fmt = (s, digits = 3) => `${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)})`;
log(`allocator, 4 KiB malloc + free, one stream:      ${fmt(allocator.samePairMicros)} µs`);
log(`allocator, mixed sizes, 256 live:                ${fmt(allocator.mixedPairMicros)} µs`);
log(`allocator, mixed sizes, 256 live, history 'all': ${fmt(allocator.mixedHistoryPairMicros)} µs`);
log(`API, zeros([1]).free():                          ${fmt(apiMicros)} µs`);
log(`snapshot(): ${snapshot.entries} trace entries (${snapshot.withFrames} with frames), ${snapshot.segments} segments`);
log(`  build:              ${fmt(snapshot.build, 2)} ms   (PyTorch 711.8 ms: ${results.speedupOverPyTorch.toFixed(0)}x; target ≤ ${TARGETS.snapshotMs} ms: ${results.targetMet ? 'met' : 'NOT met'})`);
log(`  dumpSnapshot json:  ${fmt(snapshot.json, 2)} ms, ${(snapshot.jsonBytes / 1e6).toFixed(1)} MB`);
log(`  dumpSnapshot pickle: ${fmt(snapshot.pickle, 2)} ms, ${(snapshot.pickleBytes / 1e6).toFixed(1)} MB`);
console.log(jsonOnly ? JSON.stringify(results) : `\n${JSON.stringify(results)}`);
