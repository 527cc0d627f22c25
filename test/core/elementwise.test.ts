// The timing of the elementwise kinds of issue 19 (assembly/ops/elementwise.ts, timed by
// assembly/timing/elementwise.ts) through the core's exports: erf's worked example of
// docs/timing-model.md restated by hand, and the invariants over random sizes (timing-only).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import { physicalFloorNs } from '../support/physical-floor.js';
import { v2 } from '../support/core-harness.js';
import { checkInvariants, pushUnary, run, timingCore } from '../support/shape-ops-commands.js';

const MiB = 2 ** 20;
const sramLatency = 40e-9 * 1.35e9; // 54 cycles
const issue = 16;

describe('elementwise kinds timing', () => {
  test('worked example: erf of 1 Mi float32 in SRAM is SRAM-bound; its SE stage is 1 + seLutPasses passes', () => {
    const h = timingCore();
    pushUnary(h, L.UNARY_ERF, MiB);
    run(h);
    pushUnary(h, L.UNARY_ERF, MiB);
    const timed = run(h);
    // 16 384 elements per PE, 8 B each. The SRAM is the slowest stage, B = 8 MiB / 2000 =
    // 4194.3 cycles in all: ⌊B / 48⌋ = 87 steps of t = 188.3 (88 would make issue the
    // slowest). Per step SE (1 + 4) · t / 32 = 29.4 under SRAM B / 87 = 48.2; FI out 4t / 64.
    const sramTotal = (8 * MiB) / 2000;
    const steps = Math.floor(sramTotal / (3 * issue));
    expect(steps).toBe(87);
    const t = 16384 / steps;
    const se = (5 * t) / 32;
    const sram = sramTotal / steps;
    expect(sram).toBeGreaterThan(Math.max(se, 3 * issue, (4 * t) / 64 + 8));
    const body = sramLatency + (3 * issue + sram + se + (4 * t) / 64) + (steps - 1) * sram;
    // The doc's short form: 54 + 48 + B + (SE 2560 + FI out 1024) / 87; 88 steps cost more.
    expect(body).toBeCloseTo(sramLatency + 48 + sramTotal + (2560 + 1024) / steps, 6);
    expect(body).toBeCloseTo(4337.5, 1);
    expect(sramLatency + (sramTotal + 2560 + 1024) / 88 + 48 * 88).toBeGreaterThan(body);
    expect(h.record(L.RECORD_STEPS)).toBe(steps);
    expect(timed.bodyCycles).toBeCloseTo(body, 6);
    expect(timed.bound).toBe(L.BOUND_SRAM);
    expect(h.record(L.RECORD_SE_CYCLES)).toBeCloseTo(steps * se, 9);
  });

  test('every new kind: never faster than the physical floor, never cheaper over more elements (timing-only)', () => {
    const kinds = [L.UNARY_ERF, L.UNARY_ABS, L.UNARY_RECIPROCAL, L.UNARY_LEAKY_RELU, L.UNARY_HARD_SIGMOID, L.UNARY_HARD_SWISH, L.UNARY_LOGICAL_NOT];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 1 << 21 }), fc.integer({ min: 1, max: 1 << 20 }), (kind, count, more) => {
        checkInvariants(count, count + more, (n) => {
          const h = timingCore();
          pushUnary(h, kind, n);
          return { timed: run(h), floorNs: physicalFloorNs(v2, { seElements: n, sramBytes: 8 * n, dramBytes: 4 * n }) };
        });
      }),
      { seed: 11, numRuns: 40 },
    );
  });
});
