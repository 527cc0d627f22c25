// Graph replay against eager issue (issue 12, docs/graphs.md): a chain of 100 small ops
// (16-element float32 adds), issued eagerly op by op and replayed as one captured MTIAGraph.
//
//   host µs per op        wall time the host spends issuing the ops (eager: argument checks,
//                         allocation and one ring write per op; replay: one ring write of the
//                         recorded commands), not counting the wait for the device
//   simulated ns per op   device time per op, between timing events around the work: eager,
//                         each op but the first pays a job replacement; a replay, one launch
//
// Each figure is the median of ROUNDS rounds of REPS chains (or replays) issued back to back,
// then awaited with a timing event; warm-up rounds first.
//
// Usage: node bench/graphs/run.mjs [--json]   (--json prints only the JSON line)

import { cpuModel, summarize } from '../measure.mjs';
import { add, mtia, zeros } from 'mtia-sim';

const OPS = 100;
const ROUNDS = 9;
const WARMUP_ROUNDS = 3;
const REPS = 50;

const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

mtia.configure({ deviceCount: 1 });

const x = zeros([16]);
const b = zeros([16]);

/** The 100 ops: y = x + b, then y = y + b 99 times; intermediates freed as they go. */
function chain() {
  let y = add(x, b);
  for (let k = 1; k < OPS; k++) {
    const next = add(y, b);
    y.free();
    y = next;
  }
  return y;
}

/** Host µs per op and simulated ns per op of `issue` (which issues the OPS ops once). */
async function measure(issue) {
  const hostMicros = [];
  const simulatedNanos = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    await mtia.synchronize();
    const start = new mtia.Event({ enableTiming: true });
    start.record();
    const began = performance.now();
    for (let i = 0; i < REPS; i++) issue();
    const host = performance.now() - began;
    const end = new mtia.Event({ enableTiming: true });
    end.record();
    await end.synchronize();
    if (round < WARMUP_ROUNDS) continue;
    hostMicros.push((host * 1e3) / (REPS * OPS));
    simulatedNanos.push((start.elapsedTime(end) * 1e6) / (REPS * OPS));
  }
  return { hostMicrosPerOp: summarize(hostMicros), simulatedNanosPerOp: summarize(simulatedNanos) };
}

const eager = await measure(() => chain().free());
const graph = new mtia.MTIAGraph();
mtia.graph(graph, {}, chain);
const replay = await measure(() => graph.replay());
graph.reset();
await mtia.shutdown();

const results = {
  eager,
  replay,
  hostMicrosSavedPerReplay: (eager.hostMicrosPerOp.median - replay.hostMicrosPerOp.median) * OPS,
  simulatedNanosSavedPerReplay: (eager.simulatedNanosPerOp.median - replay.simulatedNanosPerOp.median) * OPS,
};
const fmt = (s, digits) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
log(`graph of ${OPS} 16-element float32 adds, ${REPS} per round, median of ${ROUNDS} rounds (min–max); ${cpuModel()}, Node ${process.version}`);
log('                 host µs per op        simulated ns per op');
log(`eager            ${fmt(eager.hostMicrosPerOp, 3).padEnd(22)}${fmt(eager.simulatedNanosPerOp, 1)}`);
log(`replay           ${fmt(replay.hostMicrosPerOp, 3).padEnd(22)}${fmt(replay.simulatedNanosPerOp, 1)}`);
log(`saved per replay: ${results.hostMicrosSavedPerReplay.toFixed(1)} µs of host time, ${results.simulatedNanosSavedPerReplay.toFixed(0)} ns of device time`);
console.log(JSON.stringify({ benchmark: 'graphs', cpu: cpuModel(), node: process.version, ...results }));
