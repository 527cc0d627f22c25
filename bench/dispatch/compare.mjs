// Before/after for the dispatch benchmark's API figures: two builds of the library (two
// dist/index.js files, e.g. one built from main and one from a branch) loaded into one process,
// each with its own device worker, their reps interleaved so both see the same machine load.
// On a shared, noisy machine the ratio is the figure to read.
//
// Usage: node bench/dispatch/compare.mjs <before/dist/index.js> <after/dist/index.js> [--json]

import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { cpuModel, summarize } from '../measure.mjs';

const OPS = 100_000;
const WARMUP_REPS = 3;
const REPS = 11;

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const jsonOnly = process.argv.includes('--json');
if (args.length !== 2) {
  console.error('usage: node bench/dispatch/compare.mjs <before/dist/index.js> <after/dist/index.js> [--json]');
  process.exit(2);
}
const log = jsonOnly ? () => {} : (...line) => console.log(...line);

/** One build: its library, two 1-element tensors on its device 0, and its reps. */
async function load(path) {
  const library = await import(pathToFileURL(path).href);
  library.mtia.configure({ deviceCount: 1 });
  await library.mtia.init();
  const a = library.tensor(new Float32Array([1]));
  const b = library.tensor(new Float32Array([2]));
  await library.mtia.synchronize();
  return { path, library, a, b, enqueue: [], endToEnd: [] };
}

/** One rep of `add(a, b)` + `free()`, OPS times, then synchronize(), as bench/dispatch/run.mjs does. */
async function rep(build, keep) {
  const { library: { add, mtia }, a, b } = build;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) {
    const c = add(a, b);
    c.free();
  }
  const enqueued = performance.now();
  await mtia.synchronize();
  const done = performance.now();
  if (!keep) return;
  build.enqueue.push(((enqueued - start) * 1000) / OPS);
  build.endToEnd.push(((done - start) * 1000) / OPS);
}

const loadAverage1Min = loadavg()[0];
const builds = [await load(args[0]), await load(args[1])];
for (let r = 0; r < WARMUP_REPS + REPS; r++) for (const build of builds) await rep(build, r >= WARMUP_REPS);
for (const { library, a, b } of builds) {
  const check = library.add(a, b);
  const [value] = await check.toArray();
  if (value !== 3) throw new Error(`1 + 2 gave ${value}`);
  await library.mtia.shutdown();
}

const [before, after] = builds.map((build) => ({
  path: build.path,
  enqueueMicrosPerOp: summarize(build.enqueue),
  endToEndMicrosPerOp: summarize(build.endToEnd),
}));
const ratios = {
  enqueue: before.enqueueMicrosPerOp.median / after.enqueueMicrosPerOp.median,
  endToEnd: before.endToEndMicrosPerOp.median / after.endToEndMicrosPerOp.median,
};
log(`Dispatch before/after: add(a, b) + free() of 1-element float32 tensors, ${OPS} ops × ${REPS} reps each, interleaved`);
log(`Node ${process.version}, ${cpuModel()}, 1-min load average ${loadAverage1Min.toFixed(2)} at start`);
for (const [name, build] of [['before', before], ['after', after]]) {
  log(`${name.padEnd(6)} enqueue ${build.enqueueMicrosPerOp.median.toFixed(3)} µs/op, end to end ${build.endToEndMicrosPerOp.median.toFixed(3)} µs/op ` +
    `(${(1 / build.endToEndMicrosPerOp.median).toFixed(2)} M ops/s)  ${build.path}`);
}
log(`after is ${ratios.enqueue.toFixed(2)}× faster to enqueue and ${ratios.endToEnd.toFixed(2)}× faster end to end`);
console.log(JSON.stringify({ bench: 'dispatch-compare', machine: { node: process.version, cpuModel: cpuModel(), loadAverage1Min }, ops: OPS, reps: REPS, before, after, ratios }));
