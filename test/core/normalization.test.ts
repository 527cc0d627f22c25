// OP_NORM's timing (assembly/timing/normalization.ts) through the core's exports: the worked
// example of docs/timing-model.md ("Normalization") against its hand arithmetic to 1e-6, and,
// in timing-only mode over random shapes (fast-check, fixed seed), the invariants every op
// keeps: never faster than its physical floor, never cheaper when its work grows.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { physicalFloorNs } from '../support/physical-floor.js';

const MiB = 1 << 20;
const replace = 300e-9 * 1.35e9; // 405
const sramLatency = 40e-9 * 1.35e9; // 54
const sramPerCycle = 2.7e12 / 1.35e9; // 2000 B/cycle
const fabricPerCycle = 64;
const descriptor = 8;
const issue = 16;

type FloatType = 'float32' | 'float16' | 'bfloat16';
const CODES: Record<FloatType, number> = { float32: L.DTYPE_FLOAT32, float16: L.DTYPE_FLOAT16, bfloat16: L.DTYPE_BFLOAT16 };

/** One OP_NORM: kind, [N, C, M] in G groups, dtype, a weight or not. */
interface Norm { kind: number; n: number; c: number; m: number; g: number; dtype: FloatType; weighted: boolean }

/** A booted core in timing-only mode over `bytes` of virtual device memory. */
function core(bytes: number): CoreHarness {
  const h = new CoreHarness(0, {}, L.ABI_VERSION, bytes);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** Pushes `norm` with its operands at consecutive addresses (float32 statistics and affine parameters) and runs it. */
function normalize(h: CoreHarness, norm: Norm): void {
  const size = norm.dtype === 'float32' ? 4 : 2;
  const count = norm.n * norm.c * norm.m;
  const align = (x: number) => Math.ceil(x / 256) * 256;
  const x = h.heap(0);
  const y = x + align(count * size);
  const vectors = y + align(count * size);
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_KIND] = norm.kind;
  h.u32[word + L.ARGS_DTYPE] = CODES[norm.dtype];
  h.u32[word + L.ARGS_DTYPE + 1] = L.DTYPE_FLOAT32;
  h.u32[word + L.ARGS_DTYPE + 2] = L.DTYPE_FLOAT32;
  [norm.n, norm.c, norm.m, norm.g].forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
  h.f32[word + L.ARGS_PARAMS + 4] = 1e-5;
  const address = (param: number, value: number) => {
    h.u32[word + L.ARGS_PARAMS + param] = value % 2 ** 32;
    h.u32[word + L.ARGS_PARAMS + param + 1] = Math.floor(value / 2 ** 32);
  };
  const vector = align(norm.c * 4);
  if (norm.weighted) address(5, vectors);
  if (norm.kind === L.NORM_BATCH) {
    address(9, vectors + vector);
    address(11, vectors + 2 * vector);
  }
  h.push({ opcode: L.OP_NORM, dtype: CODES[norm.dtype], dst: y, src0: x, count, arg0: args });
  h.core.drain(1);
  expect(h.fault().count).toBe(0);
}

/** Body of one cold `norm` on a fresh core, in ns. */
function bodyNs(norm: Norm): number {
  const h = core(norm.n * norm.c * norm.m * 8 + norm.c * 12 + MiB);
  normalize(h, norm);
  return (h.record(L.RECORD_BODY_CYCLES) / v2.clockHz) * 1e9;
}

describe('OP_NORM timing', () => {
  test('worked example: group norm of [8, 256, 32, 32] float16 in 32 groups, in SRAM, is SRAM-bound', () => {
    const h = core(64 * MiB);
    const norm: Norm = { kind: L.NORM_GROUP, n: 8, c: 256, m: 1024, g: 32, dtype: 'float16', weighted: false };
    normalize(h, norm);
    const first = h.clockCycles();
    normalize(h, norm);
    // 2 Mi elements: 64 PEs × 32 768, 4 B in + out each. The SRAM (in and out, 8 MiB) is the
    // slowest stage, B = 8 MiB / 2000 = 4194.3 cycles in all: ⌊B / 48⌋ = 87 steps of t = 376.6.
    const elements = 8 * 256 * 1024;
    const sramTotal = (2 * elements * 2) / sramPerCycle;
    const steps = Math.floor(sramTotal / 48), t = 32768 / steps;
    expect(steps).toBe(87);
    // Per element 1 SE pass (x·a + b), and per (sample, group) 2 plain + 1 LUT (4 passes).
    const passes = 1 + (8 * 32 * (2 + 4)) / elements; // 1.000732421875
    const issueStage = 3 * issue; // 48
    const re = (t * 2) / 32; // 23.5: sum and sum of squares
    const se = (t * passes) / 32; // 11.8
    const fabricIn = (t * 2) / fabricPerCycle + descriptor; // 19.8
    const fabricOut = (t * 2) / fabricPerCycle; // 11.8
    const sram = sramTotal / steps; // 48.2
    expect(sram).toBeGreaterThan(Math.max(re, se, fabricIn, fabricOut, issueStage));
    const body = sramLatency + (issueStage + sram + re + se + fabricOut) + (steps - 1) * sram;
    // The doc's short form: 54 + 48 + B + (RE 2048 + SE 1024.75 + FI out 1024) / 87.
    expect(body).toBeCloseTo(sramLatency + 48 + sramTotal + (2048 + 32768 * passes / 32 + 1024) / steps, 6);
    expect(body).toBeCloseTo(4343.3931, 4);
    expect(h.record(L.RECORD_BODY_CYCLES) / body).toBeCloseTo(1, 6);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_SRAM);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_SE);
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(0);
    expect([h.record(L.RECORD_PES), h.record(L.RECORD_STEPS)]).toEqual([64, steps]);
    expect((h.clockCycles() - first) / (replace + body)).toBeCloseTo(1, 6);
  });

  test('a group larger than half of local memory is read twice: once for its statistics, once to normalise', () => {
    const fits: Norm = { kind: L.NORM_GROUP, n: 2, c: 4, m: 24 * 1024, g: 2, dtype: 'float32', weighted: false }; // 192 KiB groups
    const h = core(16 * MiB);
    normalize(h, fits);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(2 * 4 * 24 * 1024 * 4 * 2);
    const twice = core(16 * MiB);
    normalize(twice, { ...fits, m: fits.m + 1 });
    expect(twice.record(L.RECORD_SRAM_BYTES)).toBe(2 * 4 * (24 * 1024 + 1) * 4 * 3);
  });

  test('never faster than the physical floor, never cheaper with more samples, channels or elements per channel', () => {
    const norms = fc.record({
      kind: fc.constantFrom(L.NORM_BATCH, L.NORM_GROUP, L.NORM_RMS), n: fc.integer({ min: 1, max: 64 }),
      groups: fc.integer({ min: 1, max: 32 }), perGroup: fc.integer({ min: 1, max: 16 }), m: fc.integer({ min: 1, max: 4096 }),
      dtype: fc.constantFrom<FloatType>('float32', 'float16', 'bfloat16'), weighted: fc.boolean(),
    });
    const growth = fc.record({ n: fc.nat(16), perGroup: fc.nat(8), m: fc.nat(2048) });
    fc.assert(
      fc.property(norms, growth, ({ groups, perGroup, ...rest }, grow) => {
        const norm: Norm = { ...rest, g: groups, c: groups * perGroup };
        const size = norm.dtype === 'float32' ? 4 : 2;
        const elements = norm.n * norm.c * norm.m;
        const ns = bodyNs(norm);
        const floor = physicalFloorNs(v2, { seElements: elements, sramBytes: 2 * elements * size, dramBytes: elements * size });
        expect(ns).toBeGreaterThanOrEqual(floor);
        for (const grown of [{ ...norm, n: norm.n + grow.n }, { ...norm, c: groups * (perGroup + grow.perGroup) }, { ...norm, m: norm.m + grow.m }]) {
          expect(bodyNs(grown)).toBeGreaterThanOrEqual(ns);
        }
      }),
      { seed: 28, numRuns: 60 },
    );
  });
});
