// Small work on the host (src/runtime/host-core.ts), measured: what a command costs the core
// when the host runs it, and the round trip of bench/peers (a 1-element add, its value read back,
// the result freed) with the host running small work and without (mtia.configure's
// hostRunsSmallWork), in one process, the two configurations alternating.
//
//   per command   N commands of one kind issued, then `await mtia.synchronize()`, which the host
//                 runs itself (N ≤ 256 small commands): the synchronize's time / the commands the
//                 host ran (SimulatedDevice.commandsRunOnHost, an internal counter).
//   round trip    µs per iteration, after WARM_UP iterations of each configuration (V8 needs
//                 thousands to optimise the path: bench/latency/warm-up.mjs).
//
// Usage: node bench/latency/host-core.mjs

import { add, mtia, tensor } from 'mtia-sim';

const N = 200;
const SAMPLES = 21; // odd: the median is a measured sample
const WARM_UP = 5000;
const ROUND_TRIPS = 1000;

const median = (values) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1];
/** The internal device of tensor `t` (its counter of commands run on the host). */
const deviceOf = (t) => t.storage.device;

console.log(`small work on the host, ${new Date().toISOString()}`);
await mtia.init(); // the host runs small work once the devices have booted

// (a) what a command costs the host's core
{
  const a = tensor(new Float32Array([1]));
  const b = tensor(new Float32Array([2]));
  const values = new Float32Array(1024);
  const device = deviceOf(a);
  await mtia.synchronize();
  const kinds = [
    ['1-element add (and its free)', () => add(a, b).free()],
    ['4 KiB upload (a host-to-device copy, and its free)', () => tensor(values).free()],
  ];
  for (const [name, issue] of kinds) {
    const perCommand = [];
    for (let sample = 0; sample < 300 + SAMPLES; sample++) {
      for (let i = 0; i < N; i++) issue();
      const ran = device.commandsRunOnHost;
      const start = performance.now();
      await mtia.synchronize();
      const micros = (performance.now() - start) * 1000;
      const commands = device.commandsRunOnHost - ran;
      if (commands < N) throw new Error(`bench/latency: the host ran ${commands} of ${N} commands`);
      if (sample >= 300) perCommand.push(micros / commands);
    }
    console.log(`  ${name}: ${median(perCommand).toFixed(3)} µs a command on the host's core (median of ${SAMPLES} synchronizes after ${N})`);
  }
  a.free();
  b.free();
}

// (b) the round trip, with and without small work on the host
async function roundTrips(hostRunsSmallWork, iterations) {
  await mtia.shutdown();
  mtia.configure({ hostRunsSmallWork });
  await mtia.init();
  const a = tensor(new Float32Array([1]));
  const b = tensor(new Float32Array([2]));
  await mtia.synchronize();
  for (let i = 0; i < WARM_UP; i++) {
    const c = add(a, b);
    await c.toArray();
    c.free();
  }
  const perIteration = [];
  for (let sample = 0; sample < iterations; sample++) {
    const start = performance.now();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const c = add(a, b);
      const [value] = await c.toArray();
      c.free();
      if (value !== 3) throw new Error('bench/latency: wrong value');
    }
    perIteration.push(((performance.now() - start) * 1000) / ROUND_TRIPS);
  }
  return perIteration;
}
const on = [];
const off = [];
for (let round = 0; round < 3; round++) {
  on.push(...(await roundTrips(true, 5)));
  off.push(...(await roundTrips(false, 5)));
}
console.log(`  round trip, µs per iteration (median of ${on.length} samples of ${ROUND_TRIPS}, configurations alternating):`);
console.log(`    the host runs small work: ${median(on).toFixed(2)}`);
console.log(`    the worker runs all:      ${median(off).toFixed(2)}  (×${(median(off) / median(on)).toFixed(1)})`);
await mtia.shutdown();
