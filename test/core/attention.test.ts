// OP_ATTENTION's timing (assembly/timing/attention.ts) through the core's exports: the worked
// example of docs/timing-model.md ("Attention") against its hand arithmetic to 1e-6, and, in
// timing-only mode over random shapes (fast-check, fixed seed), the invariants every op keeps:
// never faster than its physical floor, never cheaper when its work grows.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { physicalFloorNs } from '../support/physical-floor.js';

const MiB = 1 << 20;
// MTIA 2i at 1.35 GHz, per cycle (src/profiles.ts has the sources).
const replace = 300e-9 * 1.35e9; // 405
const sramLatency = 40e-9 * 1.35e9; // 54
const sramPerCycle = 2.7e12 / 1.35e9; // 2000 B/cycle
const localMemoryPerCycle = 1.0e12 / 1.35e9; // 740.7 B/cycle per PE
const fabricPerCycle = 64;
const descriptor = 8;
const issue = 16;

type FloatType = 'float32' | 'float16' | 'bfloat16';
const CODES: Record<FloatType, number> = { float32: L.DTYPE_FLOAT32, float16: L.DTYPE_FLOAT16, bfloat16: L.DTYPE_BFLOAT16 };

/** A booted core in timing-only mode over `bytes` of virtual device memory. */
function core(bytes: number): CoreHarness {
  const h = new CoreHarness(0, {}, L.ABI_VERSION, bytes);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** The shape of one attention: batch·heads, queries, keys, head dims, dtype, causal. */
interface Shape { b: number; l: number; s: number; e: number; ev: number; dtype: FloatType; causal: boolean }

/** Pushes a contiguous [b, l, e] · [b, s, e] · [b, s, ev] attention at consecutive addresses and runs it. */
function attention(h: CoreHarness, shape: Shape): void {
  const { b, l, s, e, ev } = shape;
  const size = shape.dtype === 'float32' ? 4 : 2;
  const align = (x: number) => Math.ceil(x / 256) * 256;
  const q = h.heap(0);
  const k = q + align(b * l * e * size);
  const v = k + align(b * s * e * size);
  const o = v + align(b * s * ev * size);
  const workspace = o + align(b * l * ev * size);
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_RANK] = 1;
  for (let d = 0; d < 3; d++) h.u32[word + L.ARGS_DTYPE + d] = CODES[shape.dtype];
  [b, l, s].forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
  // Strides: batch, then the two matrix dims, for out, Q, K, V.
  [[l * ev, ev, 1], [l * e, e, 1], [s * e, e, 1], [s * ev, ev, 1]].forEach((list, k) =>
    list.forEach((stride, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, stride))));
  new BigUint64Array(h.memory.buffer, args + L.ARGS_ADDRESS3 * 4, 1)[0] = BigInt(v);
  h.u32[word + L.ARGS_PARAMS] = e;
  h.u32[word + L.ARGS_PARAMS + 1] = ev;
  h.f32[word + L.ARGS_PARAMS + 2] = 1 / Math.sqrt(e);
  h.u32[word + L.ARGS_PARAMS + 3] = shape.causal ? L.ATTENTION_CAUSAL : 0;
  new BigUint64Array(h.memory.buffer, args + (L.ARGS_PARAMS + 6) * 4, 1)[0] = BigInt(workspace);
  h.push({ opcode: L.OP_ATTENTION, dtype: CODES[shape.dtype], dst: o, src0: q, src1: k, count: b * l * ev, arg0: args });
  h.core.drain(1);
  expect(h.fault().count).toBe(0);
}

/** Bytes of device memory a shape needs (operands and workspace, with slack). */
function bytesFor({ b, l, s, e, ev }: Shape): number {
  return (b * (l * (e + ev) + s * (e + ev)) * 4 + (s * (e + ev) + e + ev + 64) * 4) + 4 * MiB;
}

/** Body of one cold attention of `shape` on a fresh core, in ns. */
function bodyNs(shape: Shape): number {
  const h = core(bytesFor(shape));
  attention(h, shape);
  return (h.record(L.RECORD_BODY_CYCLES) / v2.clockHz) * 1e9;
}

describe('OP_ATTENTION timing', () => {
  test('worked example: BERT-base attention [12 heads, 512, 64] in float16, operands in SRAM, is SE-bound by the exp', () => {
    const h = core(64 * MiB);
    const shape: Shape = { b: 12, l: 512, s: 512, e: 64, ev: 64, dtype: 'float16', causal: false };
    attention(h, shape);
    const first = h.clockCycles();
    attention(h, shape);
    // The shortest of the 16 candidate blockings is 64 × 64 (128 × 128: 16 137.28 cycles, one wave
    // of 48 PEs with 4 long steps). 12 heads × 8 query blocks = 96 work items: 2 waves of 64 PEs,
    // 8 key/value steps each, 16 steps in all.
    const steps = 16;
    const qTile = 64 * 64 * 2, oTile = qTile, kvTile = 64 * 128 * 2;
    const sramBytes = 96 * (qTile + oTile + 8 * kvTile); // 14 155 776
    const issueStage = (8 + 4 / 8) * issue; // 136
    const sram = sramBytes / sramPerCycle / steps; // 442.368
    const fabricIn = (kvTile + qTile / 8) / fabricPerCycle + 2 * descriptor; // 288
    const dpe = (64 * 64 * 128) / 1024 + kvTile / localMemoryPerCycle; // 512 + 22.1184
    const re = (2 * 64 * 64) / 32; // 256: row max and row sum
    const se = (64 * 64 * (1 + 4) + 64 * 64) / 32; // 768: subtract, exp (4 LUT passes), rescale O
    const fabricOut = oTile / 8 / fabricPerCycle; // 16
    const normalise = (2 * 64 * 64) / 32; // 256
    expect(se).toBeGreaterThan(Math.max(dpe, re, sram, fabricIn, issueStage, fabricOut));
    const body = sramLatency + (issueStage + sram + dpe + re + se + fabricOut) + (steps - 1) * se + normalise;
    expect(body).toBeCloseTo(13982.4864, 3);
    expect(h.record(L.RECORD_BODY_CYCLES) / body).toBeCloseTo(1, 6);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(sramBytes);
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(0);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_COMPUTE);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_DPE);
    expect([h.record(L.RECORD_PES), h.record(L.RECORD_STEPS), h.record(L.RECORD_TILE_M), h.record(L.RECORD_TILE_N)]).toEqual([64, 16, 64, 64]);
    const macs = 12 * 512 * 512 * 128;
    expect(h.record(L.RECORD_WORK)).toBe(macs);
    expect((h.clockCycles() - first) / (replace + body)).toBeCloseTo(1, 6);
    // The DPE runs at 43 % of its peak: the softmax's exp on the SE sets the pace.
    expect(h.record(L.RECORD_UTILISATION)).toBeCloseTo(macs / (65536 * (replace + body)), 9);
    expect(h.record(L.RECORD_UTILISATION)).toBeCloseTo(0.427, 3);
  });

  test('causal attention skips the key blocks above the diagonal and the MACs there', () => {
    const shape: Shape = { b: 12, l: 512, s: 512, e: 64, ev: 64, dtype: 'float16', causal: true };
    const h = core(64 * MiB);
    attention(h, shape);
    const [br, bc] = [h.record(L.RECORD_TILE_M), h.record(L.RECORD_TILE_N)];
    const blocks = 512 / br;
    let steps = 0;
    let columns = 0;
    for (let q = 0; q < blocks; q++) {
      const reach = Math.min(512, (q + 1) * br);
      steps += Math.ceil(reach / bc);
      columns += br * reach;
    }
    const waves = Math.ceil((12 * blocks) / 64);
    expect(h.record(L.RECORD_STEPS)).toBe((waves * steps) / blocks);
    expect(h.record(L.RECORD_WORK)).toBe(12 * columns * 128);
    // With Q, K and V in SRAM (the second run), the causal attention does 5/8 of the work.
    const warm = (causal: boolean) => {
      const w = core(64 * MiB);
      attention(w, { ...shape, causal });
      attention(w, { ...shape, causal });
      return w.record(L.RECORD_BODY_CYCLES);
    };
    expect(warm(true) / warm(false)).toBeLessThan(0.75);
  });

  test('never faster than the physical floor, never cheaper with more queries, keys, head dims or heads', () => {
    const dtypes = fc.constantFrom<FloatType>('float32', 'float16', 'bfloat16');
    const shapes = fc.record({
      b: fc.integer({ min: 1, max: 96 }), l: fc.integer({ min: 1, max: 1024 }), s: fc.integer({ min: 1, max: 1024 }),
      e: fc.integer({ min: 1, max: 256 }), ev: fc.integer({ min: 1, max: 256 }), dtype: dtypes, causal: fc.constant(false),
    });
    const growth = fc.record({ b: fc.nat(40), l: fc.nat(400), s: fc.nat(400), e: fc.nat(100) });
    fc.assert(
      fc.property(shapes, growth, (shape, grow) => {
        const size = shape.dtype === 'float32' ? 4 : 2;
        const { b, l, s, e, ev } = shape;
        const ns = bodyNs(shape);
        const floor = physicalFloorNs(v2, {
          macs: b * l * s * (e + ev), macDtype: shape.dtype, seElements: b * l * s,
          sramBytes: b * (l * (e + ev) + s * (e + ev)) * size, dramBytes: b * (l * e + s * (e + ev)) * size,
        });
        expect(ns).toBeGreaterThanOrEqual(floor);
        for (const grown of [{ ...shape, l: l + grow.l }, { ...shape, s: s + grow.s }, { ...shape, e: e + grow.e }, { ...shape, b: b + grow.b }]) {
          expect(bodyNs(grown)).toBeGreaterThanOrEqual(ns * 0.97);
        }
      }),
      { seed: 29, numRuns: 60 },
    );
  });
});
