// Preloaded into every thread of a round-trip trace (node --import, which worker threads
// inherit): wraps Atomics.notify, wait and waitAsync so that each records a timestamp on the
// clock all threads share (process.hrtime, CLOCK_MONOTONIC), with the thread and the word index.
// The records go to $MTIA_TRACE_DIR/trace-<threadId>.json. Only bench/latency/round-trip-trace.mjs uses it.

import fs from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.MTIA_TRACE_DIR;
const events = [];
const nowNs = () => Number(process.hrtime.bigint());
/** Records `what` now; on the main thread only between the script's marks (globalThis.__traceOn). */
globalThis.__trace = (what) => {
  if (!isMainThread || globalThis.__traceOn) events.push([nowNs(), threadId, what]);
};
const { notify, wait, waitAsync } = Atomics;
Atomics.notify = function (array, index, count) {
  const woke = notify.call(Atomics, array, index, count);
  globalThis.__trace(`notify [${index}], woke ${woke}`);
  return woke;
};
Atomics.wait = function (array, index, value, timeout) {
  if (array.length === 1) return wait.call(Atomics, array, index, value, timeout); // a probe, not a wait
  globalThis.__trace(`wait [${index}] begins`);
  const result = wait.call(Atomics, array, index, value, timeout);
  globalThis.__trace(`wait [${index}] returns ${result}`);
  return result;
};
Atomics.waitAsync = function (array, index, value, timeout) {
  const result = waitAsync.call(Atomics, array, index, value, timeout);
  globalThis.__trace(`waitAsync [${index}] ${result.async ? 'sleeps' : result.value}`);
  if (result.async) {
    result.value = result.value.then((outcome) => {
      globalThis.__trace(`waitAsync [${index}] resolves ${outcome}`);
      return outcome;
    });
  }
  return result;
};
const flush = () => fs.writeFileSync(`${dir}/trace-${threadId}.json`, JSON.stringify(events.slice(-20000)));
if (dir !== undefined) {
  setInterval(flush, 200).unref();
  process.on('exit', flush);
}
