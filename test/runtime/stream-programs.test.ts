// Random programs over three streams, with events and waits, against a serial reference:
// results equal, timestamps monotone along each stream, and elapsedTime never negative between
// events the program orders. Plus the overlap the streams exist for: a copy on one stream and
// compute on another take less simulated time than both on one stream.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { randn, tensor } from '../../src/tensor/factories.js';
import { add } from '../../src/tensor/ops.js';
import { matmul } from '../../src/tensor/linalg.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 1, memoryBytes: 64 << 20 }));
afterAll(() => mtia.shutdown());

const SIZE = 64;
const SLOTS = 4;

type Step =
  | { kind: 'add'; stream: number; dst: number; a: number; b: number }
  | { kind: 'record'; stream: number; event: number }
  | { kind: 'wait'; stream: number; event: number }
  | { kind: 'waitStream'; stream: number; other: number };

const stream = fc.integer({ min: 0, max: 2 });
const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const event = fc.integer({ min: 0, max: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('add' as const), stream, dst: slot, a: slot, b: slot }), weight: 4 },
  fc.record({ kind: fc.constant('record' as const), stream, event }),
  fc.record({ kind: fc.constant('wait' as const), stream, event }),
  fc.record({ kind: fc.constant('waitStream' as const), stream, other: stream }),
);

/** The program's results computed in plain JavaScript, in program order (float32 adds). */
function reference(initial: Float32Array[], steps: readonly Step[]): Float32Array[] {
  const values = initial.map((v) => v.slice());
  for (const s of steps) {
    if (s.kind !== 'add') continue;
    const [a, b] = [values[s.a]!, values[s.b]!];
    values[s.dst] = a.map((x, i) => Math.fround(x + b[i]!));
  }
  return values;
}

describe('random stream programs', () => {
  test('match the serial reference; clocks are monotone; ordered intervals are never negative', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), async (steps, seed) => {
        const streams = [mtia.defaultStream(), new mtia.Stream(), new mtia.Stream()];
        const initial = Array.from({ length: SLOTS }, (_, k) => Float32Array.from({ length: SIZE }, (_, i) => ((seed * (k + 1) + i) % 17) - 8));
        const slots: Tensor[] = initial.map((values) => tensor(values));
        const made = [...slots];
        const events: (mtia.Event | undefined)[] = [];
        // After every step, a timed mark on the step's stream; plus the marks each wait implies.
        const marks: mtia.Event[][] = streams.map(() => []);
        const ordered: [mtia.Event, mtia.Event][] = [];
        await mtia.synchronize();
        for (const s of steps) {
          const on = streams[s.stream]!;
          if (s.kind === 'add') mtia.withStream(on, () => made.push((slots[s.dst] = add(slots[s.a]!, slots[s.b]!))));
          if (s.kind === 'record') events[s.event] = on.recordEvent(new mtia.Event({ enableTiming: true }));
          if (s.kind === 'wait' && events[s.event] !== undefined) on.waitEvent(events[s.event]!);
          if (s.kind === 'waitStream') on.waitStream(streams[s.other]!);
          const mark = on.recordEvent(new mtia.Event({ enableTiming: true }));
          if (s.kind === 'wait' && events[s.event] !== undefined) ordered.push([events[s.event]!, mark]);
          marks[s.stream]!.push(mark);
        }
        await mtia.synchronize();
        const expected = reference(initial, steps);
        for (let k = 0; k < SLOTS; k++) expect(Array.from(await slots[k]!.toArray())).toEqual(Array.from(expected[k]!));
        for (const along of marks) {
          for (let k = 1; k < along.length; k++) expect(along[k - 1]!.elapsedTime(along[k]!)).toBeGreaterThanOrEqual(0);
        }
        for (const [before, after] of ordered) expect(before.elapsedTime(after)).toBeGreaterThanOrEqual(0);
        for (const t of made) t.free();
      }),
      { numRuns: 60 },
    );
  });
});

describe('overlap', () => {
  const n = 1 << 20;
  const timed = () => new mtia.Event({ enableTiming: true });

  /** Simulated ms from a common start until a 4 MiB upload on one stream and a 512³ matmul on the other are done. */
  async function copyAndMatmul(copyStream: mtia.Stream | null, computeStream: mtia.Stream | null): Promise<number> {
    using a = randn([512, 512]);
    using b = randn([512, 512]);
    await mtia.synchronize();
    const start = timed();
    start.record();
    const streams = [copyStream, computeStream].filter((s): s is mtia.Stream => s !== null);
    for (const s of streams) s.waitEvent(start);
    const made = [];
    if (copyStream !== null) made.push(mtia.withStream(copyStream, () => tensor(new Float32Array(n).fill(2))));
    if (computeStream !== null) made.push(mtia.withStream(computeStream, () => matmul(a, b)));
    const ends = streams.map((s) => s.recordEvent(timed()));
    await mtia.synchronize();
    for (const t of made) t.free();
    return Math.max(...ends.map((end) => start.elapsedTime(end)));
  }

  test('a host-to-device copy and a matmul on two streams take less simulated time than on one', async () => {
    const [a, b] = [new mtia.Stream(), new mtia.Stream()];
    const copy = await copyAndMatmul(a, null);
    const compute = await copyAndMatmul(null, b);
    const together = await copyAndMatmul(a, a);
    const apart = await copyAndMatmul(a, b);
    // MTIA 2i: a job queued behind another starts 0.3 µs after it instead of 0.75 µs after submission.
    const replacementSavesMs = (0.75 - 0.3) * 1e-3;
    expect(copy).toBeGreaterThan(0.1);
    // 512³ float32 MACs at 256 per cycle on each of 64 PEs: at least 8192 cycles, 6.07 µs.
    expect(compute).toBeGreaterThan(0.006);
    // One stream: one after the other, the second a replacement. Two streams: the copy (PCIe
    // into DRAM) and the matmul (DPE, its operands resident in SRAM) share no engine: they overlap.
    expect(together).toBeCloseTo(copy + compute - replacementSavesMs, 9);
    expect(apart).toBeCloseTo(Math.max(copy, compute), 9);
    expect(apart).toBeLessThan(together);
  });
});
