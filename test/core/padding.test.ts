// pad's timing (assembly/timing/padding.ts) through the core's exports: the worked example of
// docs/timing-model.md restated by hand, and the invariants over random shapes (timing-only).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { physicalFloorNs } from '../support/physical-floor.js';
import { v2 } from '../support/core-harness.js';
import { checkInvariants, pushPad, run, timingCore } from '../support/shape-ops-commands.js';

const MiB = 2 ** 20;
const dramLatency = 120e-9 * 1.35e9; // 162 cycles
const dramPerCycle = (204.8e9 * 0.97) / 1.35e9; // 147.15 B
const issue = 16;

describe('pad timing', () => {
  test('worked example: a cold 1024 × 1024 float32 padded to 1024 × 2048 is DRAM-bound, 593 steps', () => {
    const h = timingCore();
    pushPad(h, [1024, 1024], [0, 1024]);
    const timed = run(h);
    // 2 Mi output elements over 64 PEs = 32 768 each; 6 B per element (4 MiB in + 8 MiB out).
    // The slowest stage is DRAM (the cold input, once), B = 4 MiB / 147.15 = 28 503.1 cycles
    // in all: ⌊B / 48⌋ = 593 steps of t = 55.3 (at most 32 768 / 32 = 1024). The MLU moves
    // max(in, out) = 4 B per output element: 4t / 64 per step; FI out 4t / 64; FI in 2t / 64 + 8.
    const dramTotal = (4 * MiB) / dramPerCycle;
    const steps = Math.floor(dramTotal / (3 * issue));
    expect(steps).toBe(593);
    const t = 32768 / steps;
    const mlu = (4 * t) / 64;
    const fabricOut = (4 * t) / 64;
    const dram = dramTotal / steps;
    const sram = (12 * MiB) / 2000 / steps;
    expect(dram).toBeGreaterThan(Math.max(sram, mlu, fabricOut, (2 * t) / 64 + 8, 3 * issue));
    const body = dramLatency + (3 * issue + dram + mlu + fabricOut) + (steps - 1) * dram;
    // The doc's short form: 162 + 48 + B + (MLU 2048 + FI out 2048) / 593; 594 steps cost more.
    expect(body).toBeCloseTo(dramLatency + 48 + dramTotal + 4096 / steps, 6);
    expect(body).toBeCloseTo(28720.0, 1);
    expect(dramLatency + (dramTotal + 4096) / 594 + 48 * 594).toBeGreaterThan(body);
    expect(h.record(L.RECORD_STEPS)).toBe(steps);
    expect(timed.bodyCycles).toBeCloseTo(body, 6);
    expect(timed.bound).toBe(L.BOUND_DRAM);
    expect([timed.dramBytes, timed.sramBytes]).toEqual([4 * MiB, 12 * MiB]);
  });

  test('the core refuses what the host would: a reflect pad not below the size, an unknown mode, a wrong count', () => {
    const h = timingCore();
    pushPad(h, [4, 4], [4, 0], L.PAD_REFLECT);
    h.core.drain(1);
    expect(h.fault(0)).toMatchObject({ status: S.STATUS_BAD_ARGS, count: 1 });
    pushPad(h, [4, 4], [1, 1], L.PAD_KINDS);
    h.core.drain(1);
    expect(h.fault(0)).toMatchObject({ status: S.STATUS_BAD_ARGS, count: 2 });
    pushPad(h, [4, 4], [3, 0], L.PAD_REFLECT);
    h.core.drain(1);
    expect(h.fault(0).count).toBe(2);
  });

  test('never faster than the physical floor, never cheaper with more padding (random shapes, timing-only)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: -2, max: 40 }), { minLength: 2, maxLength: 2 }), fc.integer({ min: 1, max: 200 }),
        (shape, [low, high], more) => {
          const last = shape[shape.length - 1]!;
          const pad = [Math.max(low!, -Math.floor(last / 2)), high!];
          checkInvariants([...pad], [pad[0]!, pad[1]! + more], (list) => {
            const h = timingCore();
            const outElements = pushPad(h, shape, list);
            const inBytes = shape.reduce((n, s) => n * s, 4);
            const timed = run(h);
            return { timed, floorNs: physicalFloorNs(v2, { sramBytes: inBytes + 4 * outElements, dramBytes: inBytes }) };
          });
        },
      ),
      { seed: 19, numRuns: 40 },
    );
  });
});
