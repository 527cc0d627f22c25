// topk's timing (assembly/timing/topk.ts) through the core's exports: the worked example of
// docs/timing-model.md restated by hand, and the invariants over random shapes (timing-only).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { physicalFloorNs } from '../support/physical-floor.js';
import { v2 } from '../support/core-harness.js';
import { checkInvariants, pushTopk, run, timingCore } from '../support/shape-ops-commands.js';

const MiB = 2 ** 20;
const sramLatency = 40e-9 * 1.35e9; // 54 cycles
const issue = 16;

describe('topk timing', () => {
  test('worked example: top 256 of 64 rows of 4096 float32 in SRAM is SE-bound, 25 steps', () => {
    const h = timingCore();
    pushTopk(h, 64, 4096, 256);
    run(h); // the first run brings the input into SRAM
    pushTopk(h, 64, 4096, 256);
    const timed = run(h);
    // One row per PE: 4096 elements (4.5 B per element: one 32 KiB tile would hold the row).
    // s = ceil(log2(257)) = 9 SE passes per insertion, and the row's heap sort adds k · s:
    // 9 · (1 + 256 / 4096) = 9.5625 passes per element. RE 1 pass. The SE is the slowest
    // stage, B = 4096 · 9.5625 / 32 = 1224 cycles in all: ⌊B / 48⌋ = 25 steps of t = 163.84.
    const seTotal = (4096 * 9.5625) / 32; // 1224
    const steps = Math.floor(seTotal / (3 * issue));
    expect(steps).toBe(25);
    const t = 4096 / steps;
    const se = (t * 9.5625) / 32; // 48.96
    const re = t / 32; // 5.12
    const sramTotal = (1 * MiB + 64 * 256 * 8) / 2000; // input once, values and int32 indices out
    const sram = sramTotal / steps;
    const fabricIn = (4 * t) / 64 + 8;
    const fabricOut = (256 * 8) / 64 / steps;
    expect(se).toBeGreaterThan(Math.max(sram, fabricIn, re, fabricOut, 3 * issue));
    const body = sramLatency + 3 * issue + Math.max(sram, fabricIn) + re + se + fabricOut + (steps - 1) * se;
    // The doc's short form: 54 + 48 + B + (SRAM 589.8 + RE 128 + FI out 32) / 25; 26 steps (issue the slowest) cost more.
    expect(body).toBeCloseTo(sramLatency + 48 + seTotal + (sramTotal + 128 + 32) / steps, 6);
    expect(body).toBeCloseTo(1356.0, 1);
    expect(sramLatency + (seTotal + sramTotal + 128 + 32) / 26 + 48 * 26).toBeGreaterThan(body);
    expect(h.record(L.RECORD_STEPS)).toBe(steps);
    expect(timed.bodyCycles).toBeCloseTo(body, 6);
    expect(timed.bound).toBe(L.BOUND_COMPUTE);
  });

  test('issue 20: the top 8 of [3624, 147] float32 costs no less than of [3387, 137] (16.3 % less with fixed tiles)', () => {
    // Warm (the second of two runs), as `npm run validate` ("no op cheaper for more work") found it.
    const warmBody = (rows: number, length: number) => {
      const h = timingCore();
      pushTopk(h, rows, length, 8);
      run(h);
      pushTopk(h, rows, length, 8);
      return run(h).bodyCycles;
    };
    expect(warmBody(3624, 147)).toBeGreaterThanOrEqual(warmBody(3387, 137));
  });

  test('the core refuses a k larger than the row', () => {
    const h = timingCore();
    pushTopk(h, 4, 8, 9);
    h.core.drain(1);
    expect(h.fault(0)).toMatchObject({ status: S.STATUS_BAD_ARGS, count: 1 });
  });

  test('never faster than the physical floor, never cheaper with a larger k or longer rows (random shapes, timing-only)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(),
        (rows, length, fraction, growK) => {
          const k = Math.max(1, Math.floor(fraction * length));
          const grown: [number, number, number] = growK ? [rows, length, Math.min(length, 2 * k)] : [rows, 2 * length, k];
          checkInvariants<[number, number, number]>([rows, length, k], grown, ([r, l, kk]) => {
            const h = timingCore();
            pushTopk(h, r, l, kk);
            const inBytes = r * l * 4;
            return { timed: run(h), floorNs: physicalFloorNs(v2, { seElements: r * l, sramBytes: inBytes + r * kk * 8, dramBytes: inBytes }) };
          });
        }),
      { seed: 34, numRuns: 40 },
    );
  });
});
