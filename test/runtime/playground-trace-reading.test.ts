// What the playground's timeline and memory chart read from a Chrome trace
// (examples/playground/trace-reading.ts), the shared time axis (time-view.ts) and where a
// script's error is (script-source.ts): pure functions, checked on small hand-written inputs.

import { describe, expect, test } from 'vitest';
import { positionInStack, excerpt } from '../../examples/playground/script-source.js';
import { TimeView, spanOf, tickStep } from '../../examples/playground/time-view.js';
import { eventFlows, memorySamples, sampleAt } from '../../examples/playground/trace-reading.js';

/** A trace as chrome-trace.ts writes one: two copies on stream 1, an event it records, a matmul on stream 2 that waits for it. */
const trace = {
  traceEvents: [
    { name: 'process_name', ph: 'M', ts: 0, pid: 1, tid: 1_000_000, args: { name: 'mtia:0 (mtia-v2)' } },
    { name: 'copy_h2d', ph: 'X', cat: 'op', ts: 0, dur: 1.382, pid: 1, tid: 1_000_002, args: { device: 'mtia:0', stream: 1, startNs: 0, endNs: 1382 } },
    { name: 'memory', ph: 'C', cat: 'memory', ts: 0, pid: 1, tid: 1_000_002, args: { allocated: 16384, reserved: 2097152 } },
    { name: 'copy_h2d', ph: 'X', cat: 'op', ts: 1.382, dur: 0.932, pid: 1, tid: 1_000_002, args: { device: 'mtia:0', stream: 1, startNs: 1382, endNs: 2314 } },
    { name: 'memory', ph: 'C', cat: 'memory', ts: 1.382, pid: 1, tid: 1_000_002, args: { allocated: 32768, reserved: 2097152 } },
    { name: 'event record', ph: 'X', cat: 'event', ts: 2.314, dur: 0, pid: 1, tid: 1_000_002, args: { device: 'mtia:0', stream: 1, startNs: 2314, endNs: 2314, flow: 1 }, bind_id: 1, flow_out: true },
    { name: 'event wait', ph: 'X', cat: 'event', ts: 0, dur: 2.314, pid: 1, tid: 1_000_003, args: { device: 'mtia:0', stream: 2, startNs: 0, endNs: 2314, flow: 1 }, bind_id: 1, flow_in: true },
    // A record nobody waits for has no bind_id (chrome-trace.ts joins only flows with both ends).
    { name: 'event record', ph: 'X', cat: 'event', ts: 2.314, dur: 0, pid: 1, tid: 1_000_002, args: { device: 'mtia:0', stream: 1, startNs: 2314, endNs: 2314, flow: 2 } },
    { name: 'matmul', ph: 'X', cat: 'op', ts: 2.314, dur: 0.98, pid: 1, tid: 1_000_003, args: { device: 'mtia:0', stream: 2, startNs: 2314, endNs: 3294 } },
    { name: 'memory', ph: 'C', cat: 'memory', ts: 2.314, pid: 1, tid: 1_000_003, args: { allocated: 81920, reserved: 2097152 } },
    // Issued later but starting earlier on its stream: samples are sorted by time.
    { name: 'copy_h2d', ph: 'X', cat: 'op', ts: 2.314, dur: 0.9, pid: 1, tid: 1_000_002, args: { device: 'mtia:0', stream: 1, startNs: 2314, endNs: 3214 } },
    { name: 'memory', ph: 'C', cat: 'memory', ts: 2.314, pid: 1, tid: 1_000_002, args: { allocated: 65536, reserved: 4194304 } },
    { name: 'copy_h2d', ph: 'X', cat: 'op', ts: 0.5, dur: 1, pid: 2, tid: 2_000_001, args: { device: 'mtia:1', stream: 0, startNs: 500, endNs: 1500 } },
    { name: 'memory', ph: 'C', cat: 'memory', ts: 0.5, pid: 2, tid: 2_000_001, args: { allocated: 512, reserved: 2097152 } },
  ],
};

describe('reading the run\'s Chrome trace', () => {
  test('eventFlows: each record joined to its waits, with their devices, streams and simulated times', () => {
    expect(eventFlows(trace)).toEqual([{
      flow: 1,
      record: { device: 0, stream: 1, startNs: 2314, endNs: 2314 },
      waits: [{ device: 0, stream: 2, startNs: 0, endNs: 2314 }],
    }]);
    expect(eventFlows(trace.traceEvents)).toHaveLength(1); // the array form of the format
    expect(eventFlows({})).toEqual([]);
    expect(eventFlows(null)).toEqual([]);
  });

  test('memorySamples: per device, at each op\'s start, sorted by time then issue order, naming the op', () => {
    const samples = memorySamples(trace);
    expect([...samples.keys()].sort()).toEqual([0, 1]);
    expect(samples.get(0)!.map((s) => [s.timeNs, s.allocatedBytes, s.reservedBytes, s.op, s.opIndex, s.stream])).toEqual([
      [0, 16384, 2097152, 'copy_h2d', 0, 1],
      [1382, 32768, 2097152, 'copy_h2d', 1, 1],
      [2314, 81920, 2097152, 'matmul', 2, 2],
      [2314, 65536, 4194304, 'copy_h2d', 3, 1],
    ]);
    expect(samples.get(1)!.map((s) => [s.timeNs, s.allocatedBytes, s.opIndex])).toEqual([[500, 512, 4]]);
  });

  test('sampleAt: the state from a sample until the next; the last issued of equal times wins; none before the first', () => {
    const samples = memorySamples(trace).get(0)!;
    expect(sampleAt(samples, -1)).toBeUndefined();
    expect(sampleAt(samples, 0)!.allocatedBytes).toBe(16384);
    expect(sampleAt(samples, 1381.9)!.allocatedBytes).toBe(16384);
    expect(sampleAt(samples, 1382)!.allocatedBytes).toBe(32768);
    expect(sampleAt(samples, 2314)!.reservedBytes).toBe(4194304);
    expect(sampleAt(samples, 1e9)!.op).toBe('copy_h2d');
  });
});

describe('the shared time axis', () => {
  test('spanOf covers every interval; zoom keeps the point under the pointer; scroll and zoom stay inside the run', () => {
    const view = new TimeView(spanOf([{ startNs: 100, endNs: 300 }, { startNs: 200, endNs: 1100 }]));
    expect(view.full).toEqual({ t0: 100, t1: 1100 });
    let changes = 0;
    const stop = view.onChange(() => changes++);
    view.zoom(600, 0.5);
    expect(view.range).toEqual({ t0: 350, t1: 850 });
    view.scroll(1000);
    expect(view.range).toEqual({ t0: 600, t1: 1100 });
    view.scroll(-10_000);
    expect(view.range).toEqual({ t0: 100, t1: 600 });
    view.zoom(100, 1e-6);
    expect(view.range.t1 - view.range.t0).toBe(10); // no narrower than 10 ns
    view.zoom(500, 1e6);
    expect(view.range).toEqual(view.full);
    expect(changes).toBe(5);
    stop();
    view.scroll(-1);
    view.zoom(500, 0.5);
    expect(changes).toBe(5);
    expect(spanOf([{ startNs: 5, endNs: 5 }])).toEqual({ t0: 5, t1: 6 });
  });

  test('tickStep: 1, 2 or 5 × 10^n, at most about the count asked for', () => {
    expect(tickStep(1000, 10)).toBe(100);
    expect(tickStep(1000, 4)).toBe(500);
    expect(tickStep(376_000, 8)).toBe(50_000);
    expect(tickStep(7, 3)).toBe(5);
  });
});

describe('where a script\'s error is', () => {
  test('positionInStack: the first frame in the script, less the function header\'s lines; none outside it', () => {
    const stack = 'MtiaError: mat1 and mat2 shapes cannot be multiplied\n    at matmul (http://127.0.0.1/playground.js:123:45)\n    at eval (your-script.js:5:13)\n    at eval (your-script.js:9:1)';
    expect(positionInStack(stack, 2, 10)).toEqual({ line: 3, column: 13 });
    expect(positionInStack(stack, 2, 2)).toBeNull();
    expect(positionInStack('Error\n    at f (other.js:3:1)', 2, 10)).toBeNull();
    // Firefox's and Safari's frame form.
    expect(positionInStack('f@your-script.js:4:7\n', 2, 10)).toEqual({ line: 2, column: 7 });
  });

  test('excerpt: the line with a caret under the column', () => {
    expect(excerpt('let a = 1;\nconst x = ;', { line: 2, column: 11 })).toBe('2 | const x = ;\n              ^');
  });
});
