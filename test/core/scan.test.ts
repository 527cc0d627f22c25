// cumsum's timing (assembly/timing/scan.ts) through the core's exports: the worked example of
// docs/timing-model.md restated by hand, and the invariants over random shapes (timing-only).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import { physicalFloorNs } from '../support/physical-floor.js';
import { v2 } from '../support/core-harness.js';
import { checkInvariants, pushCumsum, run, timingCore } from '../support/shape-ops-commands.js';

const MiB = 2 ** 20;
const dramLatency = 120e-9 * 1.35e9; // 162 cycles
const dramPerCycle = (204.8e9 * 0.97) / 1.35e9; // 147.15 B
const issue = 16;

describe('cumsum timing', () => {
  test('worked example: a cold 1024 × 1024 float32 cumsum along rows is DRAM-bound, 512 steps', () => {
    const h = timingCore();
    pushCumsum(h, 1024, 1024);
    const timed = run(h);
    // 1 Mi elements over 64 PEs = 16 384 each; 8 B per element. The slowest stage is DRAM (the
    // cold input), B = 4 MiB / 147.15 = 28 503.1 cycles in all: B / 48 = 593.8 is more than the
    // most steps, 16 384 / 32 = 512 (one SE vector per PE per step): 512 steps of t = 32.
    // Per step: RE prefix t / 32 = 1, SE carry t / 32 = 1, FI in 4t / 64 + 8 = 10, FI out 2.
    const dramTotal = (4 * MiB) / dramPerCycle;
    expect(dramTotal / (3 * issue)).toBeGreaterThan(512);
    const steps = 512, t = 32;
    const dram = dramTotal / steps;
    expect(dram).toBeGreaterThan(Math.max((8 * MiB) / 2000 / steps, 10, 3 * issue, 2, 1));
    const body = dramLatency + (3 * issue + dram + t / 32 + t / 32 + (4 * t) / 64) + (steps - 1) * dram;
    // The doc's short form: 162 + 48 + B + (RE 512 + SE 512 + FI out 1024) / 512.
    expect(body).toBeCloseTo(dramLatency + 48 + dramTotal + 2048 / steps, 6);
    expect(body).toBeCloseTo(28717.1, 1);
    expect(h.record(L.RECORD_STEPS)).toBe(steps);
    expect(timed.bodyCycles).toBeCloseTo(body, 6);
    expect(timed.bound).toBe(L.BOUND_DRAM);
    expect(h.record(L.RECORD_RE_CYCLES)).toBeCloseTo(512, 9);
    expect(h.record(L.RECORD_SE_CYCLES)).toBeCloseTo(512, 9);
  });

  test('never faster than the physical floor, never cheaper with longer or more rows (random shapes, timing-only)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 3 }), fc.boolean(),
        (rows, length, factor, longer) => {
          const grown: [number, number] = longer ? [rows, length * (factor + 1)] : [rows * (factor + 1), length];
          checkInvariants<[number, number]>([rows, length], grown, ([r, l]) => {
            const h = timingCore();
            pushCumsum(h, r, l);
            const bytes = r * l * 4;
            return { timed: run(h), floorNs: physicalFloorNs(v2, { seElements: r * l, sramBytes: 2 * bytes, dramBytes: bytes }) };
          });
        }),
      { seed: 33, numRuns: 40 },
    );
  });
});
