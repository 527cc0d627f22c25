// The op record's time parts (assembly/timing/record.ts `path`, written by pipeline.ts and
// schedule.ts) through the core's exports: the erf worked example of test/core/elementwise.test.ts
// split by hand along its critical path, and over random unary ops (timing-only, fast-check,
// fixed seed) the parts add up to the op's time and the bound is the largest part.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import type { CoreHarness } from '../support/core-harness.js';
import { pushUnary, run, timingCore } from '../support/shape-ops-commands.js';

const MiB = 2 ** 20;
const sramLatency = 40e-9 * 1.35e9; // 54 cycles
const issue = 16;

/** The last op's parts by BOUND_* code, its total (end − start + launch) and its bound. */
function parts(h: CoreHarness): { path: number[]; total: number; bound: number; waitBound: number } {
  const path = Array.from({ length: 8 }, (_, b) => h.record(L.RECORD_PATH_CYCLES + b));
  const total = h.record(L.RECORD_END_CYCLES) - h.record(L.RECORD_START_CYCLES) + h.record(L.RECORD_LAUNCH_CYCLES);
  return { path, total, bound: h.record(L.RECORD_BOUND), waitBound: h.record(L.RECORD_WAIT_BOUND) };
}

describe('an op\'s time parts', () => {
  test('worked example: erf of 1 Mi float32 in SRAM, 87 steps: the SRAM stage owns the fill\'s read, the latency and 86 repeats', () => {
    const h = timingCore();
    pushUnary(h, L.UNARY_ERF, MiB);
    run(h);
    pushUnary(h, L.UNARY_ERF, MiB);
    run(h);
    // Per step (elementwise.test.ts): ⌊(8 MiB / 2000) / 48⌋ = 87 steps of t = 16 384 / 87;
    // issue 3 · 16, SRAM 8 MiB / 2000 / 87 = 48.2 (the in-stage), SE 5 · t / 32 = 29.4, FI out
    // 4 · t / 64 = 11.8. The first tile passes every stage; the 86 others wait on the slowest, the SRAM.
    const steps = 87;
    const t = 16384 / steps;
    const sram = (8 * MiB) / 2000 / steps;
    expect(h.record(L.RECORD_STEPS)).toBe(steps);
    const { path, total, bound } = parts(h);
    expect(path[L.BOUND_ISSUE]).toBeCloseTo(3 * issue, 9);
    expect(path[L.BOUND_COMPUTE]).toBeCloseTo((5 * t) / 32, 9);
    expect(path[L.BOUND_FABRIC]).toBeCloseTo((4 * t) / 64, 9);
    expect(path[L.BOUND_SRAM]).toBeCloseTo(sramLatency + steps * sram, 6);
    expect(path[L.BOUND_DRAM]).toBe(0);
    expect(path[L.BOUND_PCIE]).toBe(0);
    expect(path[L.BOUND_NONE]).toBe(0); // nothing else ran: no wait
    expect(path[L.BOUND_LAUNCH]).toBe(h.record(L.RECORD_LAUNCH_CYCLES));
    const body = path.slice(1).reduce((s, p) => s + p, 0) - path[L.BOUND_NONE]!;
    expect(body).toBeCloseTo(h.record(L.RECORD_BODY_CYCLES), 6);
    expect(Math.abs(path.reduce((s, p) => s + p, 0) - total)).toBeLessThanOrEqual(total * 1e-12);
    expect(bound).toBe(L.BOUND_SRAM);
  });

  test('random unary ops, cold or warm: the parts add up to the time and the bound is the largest part (seed 23)', () => {
    const kinds = [L.UNARY_EXP, L.UNARY_ERF, L.UNARY_RELU, L.UNARY_COPY];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 1 << 24 }), fc.boolean(), (kind, count, warm) => {
        const h = timingCore();
        pushUnary(h, kind, count);
        run(h);
        if (warm) {
          pushUnary(h, kind, count);
          run(h);
        }
        const { path, total, bound, waitBound } = parts(h);
        for (const p of path) expect(p).toBeGreaterThanOrEqual(0);
        expect(Math.abs(path.reduce((s, p) => s + p, 0) - total)).toBeLessThanOrEqual(total * 1e-9);
        const largest = Math.max(...path);
        const boundPart = Math.max(path[bound]!, waitBound === bound ? path[L.BOUND_NONE]! : 0);
        expect(boundPart).toBe(largest);
      }),
      { seed: 23, numRuns: 40 },
    );
  });
});
