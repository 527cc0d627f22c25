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
  test('worked example: a cold 1024 × 1024 float32 cumsum along rows is DRAM-bound, 4 steps', () => {
    const h = timingCore();
    pushCumsum(h, 1024, 1024);
    const timed = run(h);
    // 1 Mi elements over 64 PEs = 16 384 each; 8 B per element, tiles of 4096 → 4 steps.
    // Per step: RE prefix t / 32 = 128, SE carry t / 32 = 128, FI in 4t / 64 + 8 = 264, FI out 256.
    const t = 4096;
    const dram = (4 * MiB) / dramPerCycle / 4;
    expect(dram).toBeGreaterThan(Math.max((8 * MiB) / 2000 / 4, 264, 256, 128));
    const body = dramLatency + (3 * issue + dram + t / 32 + t / 32 + (4 * t) / 64) + 3 * dram;
    expect(body).toBeCloseTo(29225.1, 1);
    expect(timed.bodyCycles).toBeCloseTo(body, 6);
    expect(timed.bound).toBe(L.BOUND_DRAM);
    expect(h.record(L.RECORD_RE_CYCLES)).toBeCloseTo(4 * 128, 9);
    expect(h.record(L.RECORD_SE_CYCLES)).toBeCloseTo(4 * 128, 9);
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
