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
  test('worked example: top 256 of 64 rows of 4096 float32 in SRAM is SE-bound, one step', () => {
    const h = timingCore();
    pushTopk(h, 64, 4096, 256);
    run(h); // the first run brings the input into SRAM
    pushTopk(h, 64, 4096, 256);
    const timed = run(h);
    // One row per PE: t = 4096 elements, one step (4.5 B per element fits a 32 KiB tile).
    // s = ceil(log2(257)) = 9 SE passes per insertion, and the row's heap sort adds k · s:
    // 9 · (1 + 256 / 4096) = 9.5625 passes per element. RE 1 pass.
    const t = 4096;
    const se = (t * 9.5625) / 32; // 1224
    const re = t / 32; // 128
    const sram = (1 * MiB + 64 * 256 * 8) / 2000; // input once, values and int32 indices out
    const fabricIn = (4 * t) / 64 + 8;
    const fabricOut = (256 * 8) / 64;
    expect(se).toBeGreaterThan(Math.max(sram, fabricIn, re, fabricOut));
    const body = sramLatency + 3 * issue + sram + re + se + fabricOut;
    expect(body).toBeCloseTo(2075.8, 1);
    expect(timed.bodyCycles).toBeCloseTo(body, 6);
    expect(timed.bound).toBe(L.BOUND_COMPUTE);
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
