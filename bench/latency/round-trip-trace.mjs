// Round-trip trace: where the time of `add` of one element then `await toArray()` goes, hop by
// hop. Runs that loop as a user writes it (no pause between iterations, and again with a pause
// of --gap-ms, default 5 ms, after which the device worker sleeps), in a child process with
// bench/latency/trace-hooks.mjs preloaded into every thread, which records each
// Atomics.notify / wait / waitAsync with a timestamp on the clock the threads share. Prints,
// for the iteration of median length of each loop, every event from the op's issue to the
// read-back's resolution, in microseconds since the iteration began (t0: the host; t1: the
// device worker), and the median iteration untraced for comparison (the hooks cost a few
// microseconds an event).
//
// Usage: node bench/latency/round-trip-trace.mjs [--gap-ms N] [--transport shared-memory|postMessage]
//   (MTIA_SIM_ENTRY=/path/to/dist/index.js traces another build, e.g. main's, for a before/after)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args[at + 1];
};
const gapMs = Number(option('--gap-ms', '5'));
const transport = option('--transport', 'shared-memory');
const ITERATIONS = 400;

if (process.env.MTIA_TRACE_CHILD === undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'mtia-round-trip-'));
  const hooks = fileURLToPath(new URL('./trace-hooks.mjs', import.meta.url));
  const child = spawnSync(process.execPath, ['--import', hooks, fileURLToPath(import.meta.url), ...args], {
    env: { ...process.env, MTIA_TRACE_CHILD: '1', MTIA_TRACE_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`bench/latency: the traced run failed (${child.status})`);
  const marks = JSON.parse(child.stdout);
  const events = readdirSync(dir).flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
  rmSync(dir, { recursive: true });
  events.sort((a, b) => a[0] - b[0]);
  console.log(`round-trip trace, ${new Date().toISOString()}, transport ${transport}`);
  for (const loop of marks.loops) {
    const lengths = loop.iterations.map(([start, end]) => end - start);
    const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
    const median = order[order.length >> 1];
    const [start, end] = loop.iterations[median];
    console.log(`\n${loop.name}: traced iterations, median ${(lengths[median] / 1000).toFixed(1)} µs ` +
      `(p10 ${(lengths[order[order.length / 10 | 0]] / 1000).toFixed(1)}, p90 ${(lengths[order[order.length * 0.9 | 0]] / 1000).toFixed(1)}); ` +
      `untraced: median ${loop.untracedMicros.toFixed(1)} µs. The median iteration:`);
    for (const [ns, thread, what] of events) {
      if (ns < start - 300_000 || ns > end) continue;
      console.log(`${((ns - start) / 1000).toFixed(1).padStart(8)} µs  t${thread}  ${what}`);
    }
  }
} else {
  const { add, mtia, tensor } = await import(process.env.MTIA_SIM_ENTRY ?? 'mtia-sim');
  mtia.configure({ deviceCount: 1, memoryBytes: 64 << 20, transport });
  const a = tensor(new Float32Array([1]));
  const b = tensor(new Float32Array([2]));
  await mtia.synchronize();
  const nowNs = () => Number(process.hrtime.bigint());
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  /** One iteration as a user writes it; `mark` records the host's own steps. */
  async function iteration(mark) {
    const c = add(a, b);
    mark('add() returned');
    const read = c.toArray();
    mark('toArray() returned its promise');
    const values = await read;
    mark('toArray() resolved');
    c.free();
    if (values[0] !== 3) throw new Error('round trip: wrong value');
  }
  const loops = [];
  for (const [name, gap] of [['back to back', 0], [`after a ${gapMs} ms pause`, gapMs]]) {
    const untraced = [];
    for (let i = 0; i < ITERATIONS; i++) {
      if (gap > 0) await pause(gap);
      const t = nowNs();
      await iteration(() => {});
      untraced.push(nowNs() - t);
    }
    untraced.sort((x, y) => x - y);
    const iterations = [];
    for (let i = 0; i < ITERATIONS / 4; i++) {
      if (gap > 0) await pause(gap);
      globalThis.__traceOn = true;
      const start = nowNs();
      globalThis.__trace('--- iteration begins: add(a, b)');
      await iteration(globalThis.__trace);
      iterations.push([start, nowNs()]);
      globalThis.__traceOn = false;
    }
    loops.push({ name, iterations, untracedMicros: untraced[untraced.length >> 1] / 1000 });
  }
  await pause(300); // the worker's trace file is written every 200 ms
  await mtia.shutdown();
  process.stdout.write(JSON.stringify({ loops }));
}
