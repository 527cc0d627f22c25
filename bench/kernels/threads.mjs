// Kernel threads: a float32 matmul C = A · B (A and B on the device, n × n) timed on a device
// configured with 1, 2, ... kernel threads (mtia.configure's kernelThreads, up to this host's
// logical processors), from enqueue to mtia.synchronize(), without read-back. The thread counts
// take turns round by round (each round shuts MTIA down and configures the next count), so that
// every count sees the same machine; medians over the rounds, and the speed-up over one thread
// from the same rounds. GFLOPS = 2n³ / seconds.
//
// Usage: node bench/kernels/threads.mjs [--json]   (progress on stderr)

import { availableParallelism, loadavg } from 'node:os';
import { cpuModel, summarize } from '../measure.mjs';
import { matmul, mtia, rand } from 'mtia-sim';

const json = process.argv.includes('--json');
for (const arg of process.argv.slice(2)) {
  if (arg !== '--json') throw new Error(`bench/kernels/threads: unknown argument ${JSON.stringify(arg)} (expected --json or nothing)`);
}
const SIZES = [256, 512, 1024, 2048];
const ROUNDS = 7;
const counts = [...new Set([1, 2, Math.min(8, availableParallelism())])].filter((count) => count <= Math.max(2, availableParallelism()));
const progress = (line) => process.stderr.write(`[threads] ${line}\n`);

/** Milliseconds of each size's matmul (median of 3 after one warm-up) on a device with `count` kernel threads. */
async function round(count) {
  mtia.configure({ deviceCount: 1, kernelThreads: count });
  if ((await mtia.debug.kernelThreads()) !== count) throw new Error(`bench/kernels/threads: asked for ${count} kernel threads, got ${await mtia.debug.kernelThreads()}`);
  const times = {};
  for (const n of SIZES) {
    const a = rand([n, n]);
    const b = rand([n, n]);
    const samples = [];
    for (let i = 0; i < 4; i++) {
      const start = performance.now();
      const c = matmul(a, b);
      await mtia.synchronize();
      if (i > 0) samples.push(performance.now() - start);
      c.free();
    }
    times[n] = summarize(samples).median;
    a.free();
    b.free();
  }
  await mtia.shutdown();
  return times;
}

const load = loadavg()[0];
const samples = Object.fromEntries(counts.map((count) => [count, Object.fromEntries(SIZES.map((n) => [n, []]))]));
for (let r = 0; r < ROUNDS; r++) {
  progress(`round ${r + 1} of ${ROUNDS}`);
  for (const count of r % 2 ? [...counts].reverse() : counts) {
    const times = await round(count);
    for (const n of SIZES) samples[count][n].push(times[n]);
  }
}
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpuModel(), logicalProcessors: availableParallelism(), node: process.version },
  loadAverage: { start: load, end: loadavg()[0] },
  rounds: ROUNDS,
  matmul: Object.fromEntries(SIZES.map((n) => {
    const one = summarize(samples[1][n]).median;
    return [n, Object.fromEntries(counts.map((count) => {
      const ms = summarize(samples[count][n]).median;
      return [count, { ms, gflops: (2 * n ** 3) / ms / 1e6, speedup: one / ms }];
    }))];
  })),
};
if (json) {
  console.log(JSON.stringify(results));
} else {
  console.log(`kernel threads, ${results.date}; ${results.machine.cpu}, ${results.machine.logicalProcessors} logical processors, Node ${results.machine.node}`);
  console.log(`1-minute load average ${load.toFixed(2)} at the start, ${results.loadAverage.end.toFixed(2)} at the end; medians of ${ROUNDS} rounds`);
  console.log(`float32 matmul n × n × n, enqueue to synchronize, GFLOPS (speed-up over 1 thread)`);
  console.log(`n      ${counts.map((count) => `${count} thread${count > 1 ? 's' : ''}`.padStart(18)).join('')}`);
  for (const n of SIZES) {
    const row = counts.map((count) => {
      const { gflops, speedup } = results.matmul[n][count];
      return `${gflops.toFixed(1)} (×${speedup.toFixed(2)})`.padStart(18);
    });
    console.log(`${String(n).padEnd(7)}${row.join('')}`);
  }
}
