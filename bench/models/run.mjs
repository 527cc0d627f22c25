// Models benchmark (issue 19, item 6): full inference with values of a ResNet-18-shaped CNN and
// a BERT-base-shaped encoder layer (bench/models/models.ts, built at run time with seeded
// random weights), end to end as a user sees it, against onnxruntime-web's WebAssembly backend
// in Node (SIMD), interleaved in one process:
//
//   mtia-sim   inputs uploaded (tensor(values).reshape(shape)), model.run(inputs), the output
//              read back with await toArray(), inputs and outputs freed; the model loaded once
//              (loadOnnx: weights uploaded once), the device's default kernel threads.
//   ORT        session.run(feeds) with new ort.Tensor feeds, the output's data read; the
//              session created once (graph optimisations at their default, 'all').
//
// Each round alternates the two (the first of each pair alternating too), after warm-up
// rounds; medians, and the ratio ORT time / mtia-sim time (> 1: mtia-sim is faster). The
// outputs are compared (max abs diff), and mtia-sim's simulated time of the model on the
// device's profile (mtia-v2: MTIA 2i) is read from timing events around model.run.
//
// onnxruntime-web initialises its wasm module once per process, with its thread count fixed
// then, so one process measures one ORT thread count: without --ort-threads this script runs
// itself twice, --ort-threads 1 and --ort-threads <logical processors>, and prints both.
// Its .wasm and .mjs load from node_modules/onnxruntime-web/dist (ort.env.wasm.wasmPaths);
// fetch is replaced by one that refuses, so the run proves no download happens.
//
// Usage: node bench/models/run.mjs [--json] [--ort-threads N] [--rounds N] [--model resnet18|bert]

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuModel, summarize } from '../measure.mjs';
import { loadModelBuilders } from './build-models.mjs';

let json = false;
let ortThreads;
let rounds = 7; // odd: the median is a measured sample
let only;
const WARMUP = 2;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  const value = () => {
    const v = process.argv[++i];
    if (v === undefined) throw new Error(`bench/models: ${arg} expects a value`);
    return v;
  };
  if (arg === '--json') json = true;
  else if (arg === '--ort-threads') {
    ortThreads = Number(value());
    if (!Number.isInteger(ortThreads) || ortThreads < 1 || ortThreads > 16) throw new Error(`bench/models: --ort-threads expects an integer from 1 to 16, but got ${process.argv[i]}`);
  } else if (arg === '--rounds') {
    rounds = Number(value());
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench/models: --rounds expects a positive integer, but got ${process.argv[i]}`);
  } else if (arg === '--model') {
    only = value();
    if (only !== 'resnet18' && only !== 'bert') throw new Error(`bench/models: --model expects resnet18 or bert, but got ${JSON.stringify(only)}`);
  } else throw new Error(`bench/models: unknown argument ${JSON.stringify(arg)} (expected --json, --ort-threads N, --rounds N or --model NAME)`);
}

const out = json ? () => {} : (...args) => console.log(...args);
const progress = (line) => process.stderr.write(`[models] ${line}\n`);
const require = createRequire(import.meta.url);

// ---- without --ort-threads: one child per ORT thread count -----------------------------------

if (ortThreads === undefined) {
  const counts = [1, Math.max(2, cpus().length)];
  const results = [];
  for (const n of counts) {
    const args = [process.argv[1], '--json', '--ort-threads', String(n), '--rounds', String(rounds), ...(only ? ['--model', only] : [])];
    progress(`ORT with ${n} thread${n === 1 ? '' : 's'}: node ${args.join(' ')}`);
    results.push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })));
  }
  if (json) console.log(JSON.stringify(results, null, 2));
  else for (const r of results) printRun(r);
  process.exit(0);
}

// ---- one run: onnxruntime-web with ortThreads threads, mtia-sim ------------------------------

const fetchCalls = [];
globalThis.fetch = async (url) => {
  fetchCalls.push(String(url));
  throw new Error(`bench/models: no downloads allowed (fetch ${url})`);
};

const ortDist = dirname(require.resolve('onnxruntime-web')); // …/onnxruntime-web/dist (its package.json is not exported)
const ortVersion = JSON.parse(readFileSync(join(ortDist, '..', 'package.json'), 'utf8')).version;
const ort = await import('onnxruntime-web');
ort.env.wasm.wasmPaths = pathToFileURL(ortDist + '/').href;
ort.env.wasm.numThreads = ortThreads;
ort.env.wasm.simd = true;
const { loadOnnx, mtia, tensor } = await import('mtia-sim');

const builders = await loadModelBuilders();
const chosen = [['resnet18', builders.resnet18], ['bert', builders.bertLayer]].filter(([key]) => !only || key === only);

const machine = { cpu: cpuModel(), logicalProcessors: cpus().length, node: process.version, loadBefore: loadavg().map((x) => +x.toFixed(2)) };
const report = { date: new Date().toISOString(), machine, ortVersion, ortThreads, rounds, warmup: WARMUP, models: [] };

await mtia.init?.();
report.profile = mtia.getDeviceProperties().name;

/** An ort.Tensor of a feed. */
function ortTensor(feed) {
  if (feed.dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(Array.from(feed.values), (v) => BigInt(v)), [...feed.shape]);
  return new ort.Tensor('float32', Float32Array.from(feed.values), [...feed.shape]);
}

/** An mtia-sim device tensor of a feed. */
function deviceTensor(feed) {
  const flat = feed.dtype === 'int64' ? tensor(BigInt64Array.from(Array.from(feed.values), (v) => BigInt(v))) : tensor(Float32Array.from(feed.values));
  const shaped = flat.reshape([...feed.shape]);
  flat.free();
  return shaped;
}

for (const [key, build] of chosen) {
  let t0 = performance.now();
  const model = build();
  progress(`${model.name}: built ${(model.bytes.length / 1e6).toFixed(1)} MB, ${model.nodes} nodes, ${(model.parameters / 1e6).toFixed(2)} M parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  t0 = performance.now();
  const session = await ort.InferenceSession.create(model.bytes, { executionProviders: ['wasm'] });
  const ortLoadMs = performance.now() - t0;
  t0 = performance.now();
  const mtiaModel = await loadOnnx(model.bytes);
  await mtia.synchronize();
  const mtiaLoadMs = performance.now() - t0;
  // Host copies of the feeds, made once (what a user holds before inference).
  const hostFeeds = Object.fromEntries(Object.entries(model.feeds).map(([name, feed]) => [name, { ...feed, values: feed.dtype === 'int64' ? Array.from(feed.values) : Float32Array.from(feed.values) }]));

  const runOrt = async () => {
    const feeds = Object.fromEntries(Object.entries(hostFeeds).map(([name, feed]) => [name, ortTensor(feed)]));
    const start = performance.now();
    const cpu = process.cpuUsage();
    const results = await session.run(feeds);
    const values = results[model.output].data;
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - start;
    for (const t of Object.values(results)) t.dispose?.();
    return { ms, cpuMs: (used.user + used.system) / 1000, values };
  };
  const runMtia = async () => {
    const start = performance.now();
    const inputs = Object.fromEntries(Object.entries(hostFeeds).map(([name, feed]) => [name, deviceTensor(feed)]));
    const outputs = mtiaModel.run(inputs);
    const values = await outputs[model.output].toArray();
    const ms = performance.now() - start;
    for (const t of [...Object.values(inputs), ...Object.values(outputs)]) t.free();
    return { ms, values };
  };

  // The simulated time and where it goes (one run, outside the timed rounds).
  const inputs = Object.fromEntries(Object.entries(hostFeeds).map(([name, feed]) => [name, deviceTensor(feed)]));
  await mtia.synchronize();
  mtia.profiler.start();
  const startEvent = new mtia.Event({ enableTiming: true });
  const endEvent = new mtia.Event({ enableTiming: true });
  startEvent.record();
  const outputs = mtiaModel.run(inputs);
  endEvent.record();
  await endEvent.synchronize();
  await mtia.profiler.stop();
  const simulatedMs = startEvent.elapsedTime(endEvent);
  const byOp = new Map();
  for (const op of mtia.profiler.opStats()) {
    const entry = byOp.get(op.name) ?? { op: op.name, count: 0, simulatedMs: 0 };
    entry.count++;
    entry.simulatedMs += (op.endNs - op.startNs) / 1e6;
    byOp.set(op.name, entry);
  }
  for (const t of [...Object.values(inputs), ...Object.values(outputs)]) t.free();

  const mtiaSamples = [];
  const ortSamples = [];
  const ortCpu = [];
  let maxAbsDiff = 0;
  let maxAbsRef = 0;
  for (let round = 0; round < WARMUP + rounds; round++) {
    const mtiaFirst = round % 2 === 0;
    const a = mtiaFirst ? await runMtia() : await runOrt();
    const b = mtiaFirst ? await runOrt() : await runMtia();
    const [m, o] = mtiaFirst ? [a, b] : [b, a];
    if (round === 0 || round === WARMUP + rounds - 1) {
      for (let i = 0; i < o.values.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(m.values[i] - o.values[i]));
        maxAbsRef = Math.max(maxAbsRef, Math.abs(o.values[i]));
      }
      if (m.values.length !== o.values.length) throw new Error(`bench/models: ${model.name}: ${m.values.length} output values from mtia-sim, ${o.values.length} from ORT`);
    }
    if (round >= WARMUP) {
      mtiaSamples.push(m.ms);
      ortSamples.push(o.ms);
      ortCpu.push(o.cpuMs / o.ms);
    }
    progress(`${model.name} round ${round}${round < WARMUP ? ' (warm-up)' : ''}: mtia-sim ${m.ms.toFixed(1)} ms, ORT ${o.ms.toFixed(1)} ms`);
  }
  const mtiaMs = summarize(mtiaSamples);
  const ortMs = summarize(ortSamples);
  report.models.push({
    key, name: model.name, nodes: model.nodes, parameters: model.parameters, onnxBytes: model.bytes.length,
    loadMs: { mtia: +mtiaLoadMs.toFixed(1), ort: +ortLoadMs.toFixed(1) },
    mtiaMs, ortMs, ratio: ortMs.median / mtiaMs.median,
    ortCpuPerWall: summarize(ortCpu).median,
    maxAbsDiff, maxAbsOutput: maxAbsRef,
    simulatedMs, simulatedByOp: [...byOp.values()].sort((x, y) => y.simulatedMs - x.simulatedMs),
  });
  mtiaModel.free();
  await session.release();
}
report.mtiaKernelThreads = await mtia.debug.kernelThreads(); // after the runs: helpers start on the first large matmul
report.machine.loadAfter = loadavg().map((x) => +x.toFixed(2));
report.fetchCalls = fetchCalls;
await mtia.shutdown?.();
if (json) console.log(JSON.stringify(report));
else printRun(report);
process.exit(0);

/** One run's report as text. */
function printRun(r) {
  console.log(`\nbench/models ${r.date}: ${r.machine.cpu}, ${r.machine.logicalProcessors} logical processors, Node ${r.machine.node}, load ${r.machine.loadBefore.join(' ')} → ${r.machine.loadAfter.join(' ')}`);
  console.log(`onnxruntime-web ${r.ortVersion} (wasm, SIMD, ${r.ortThreads} thread${r.ortThreads === 1 ? '' : 's'}) vs mtia-sim (${r.profile}, ${r.mtiaKernelThreads} kernel threads); ${r.rounds} rounds after ${r.warmup} warm-up; fetch calls: ${r.fetchCalls.length}`);
  console.log('| model | mtia-sim ms (min–max) | ORT ms (min–max) | ORT / mtia-sim | ORT CPU/wall | max abs diff (max abs output) | simulated ms on device |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of r.models) {
    const f = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
    console.log(`| ${m.name} | ${f(m.mtiaMs)} | ${f(m.ortMs)} | ${m.ratio.toFixed(2)} | ${m.ortCpuPerWall.toFixed(2)} | ${m.maxAbsDiff.toExponential(1)} (${m.maxAbsOutput.toFixed(2)}) | ${m.simulatedMs.toFixed(3)} |`);
  }
  for (const m of r.models) console.log(`${m.name}: simulated time by op: ${m.simulatedByOp.slice(0, 6).map((o) => `${o.op} ×${o.count} ${o.simulatedMs.toFixed(3)} ms`).join(', ')}`);
}
