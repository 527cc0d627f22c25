// OP_GATHER (assembly/ops/indexing.ts, timing/indexing.ts) through the core's exports only:
// gather values against a JS loop, int64 indices, an out-of-range index failing the op with
// STATUS_INDEX_OUT_OF_RANGE before anything is written (and the stream going on), the worked
// example of docs/timing-model.md against hand arithmetic, and the timing invariants: never
// under the physical floor (test/support/physical-floor.ts), never cheaper when the work grows.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { physicalFloorNs } from '../support/physical-floor.js';

const MiB = 1 << 20;

/** A booted core; `timingOnlyBytes` > 0 makes its memory virtual (timing-only mode). */
function core(heapBytes = 16 * MiB, timingOnlyBytes = 0): CoreHarness {
  const h = new CoreHarness(heapBytes, {}, L.ABI_VERSION, timingOnlyBytes);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** One OP_GATHER: the iteration `shape`, strides of out, input (0 along the gathered dim) and index. */
interface Gather {
  kind: number;
  dtype: number;
  indexDType: number;
  shape: number[];
  strides: [number[], number[], number[]];
  bound: number;
  dimStride: number;
  wrap?: boolean;
  dst: number;
  input: number;
  index: number;
}

/** Pushes `g` and runs it; returns the stream's failure count afterwards. */
function run(h: CoreHarness, g: Gather): number {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_RANK] = g.shape.length;
  h.u32[word + L.ARGS_KIND] = g.kind;
  h.u32[word + L.ARGS_DTYPE] = g.dtype;
  h.u32[word + L.ARGS_DTYPE + 1] = g.indexDType;
  g.shape.forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
  g.strides.forEach((list, k) => list.forEach((stride, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, stride))));
  [g.bound, g.dimStride, g.wrap ? 1 : 0].forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
  const count = g.shape.reduce((a, b) => a * b, 1);
  h.push({ opcode: L.OP_GATHER, dtype: g.dtype, dst: g.dst, src0: g.input, src1: g.index, count, arg0: args });
  h.core.drain(1);
  return h.fault().count;
}

/** index_select of `indices` rows of a rows × dim float32 table at `table` (contiguous, dim 0), as embedding lays it out. */
function embeddingLookup(h: CoreHarness, indices: number, dim: number, rows: number, indexDType = L.DTYPE_INT32): Gather {
  return {
    kind: L.GATHER_EMBEDDING, dtype: L.DTYPE_FLOAT32, indexDType, shape: [indices, dim],
    strides: [[dim, 1], [0, 1], [1, 0]], bound: rows, dimStride: dim,
    dst: h.heap(0), input: h.heap(64 * MiB), index: h.heap(32 * MiB),
  };
}

describe('values', () => {
  test('gather along dim 1 of a 3 × 4 float32 tensor with int64 indices equals the JS loop; index_select with int32', () => {
    const h = core();
    const input = h.heap(0);
    const values = Array.from({ length: 12 }, (_, i) => i * 1.5 - 4);
    h.f32.set(values, input / 4);
    // gather: out[i][j] = input[i][index[i][j]] for a 3 × 2 index.
    const index = [[3, 0], [1, 1], [0, 2]];
    const indexAt = h.heap(4096);
    new BigInt64Array(h.memory.buffer, indexAt, 6).set(index.flat().map(BigInt));
    const out = h.heap(8192);
    expect(run(h, {
      kind: L.GATHER_ELEMENTS, dtype: L.DTYPE_FLOAT32, indexDType: L.DTYPE_INT64, shape: [3, 2],
      strides: [[2, 1], [4, 0], [2, 1]], bound: 4, dimStride: 1, dst: out, input, index: indexAt,
    })).toBe(0);
    const expected = index.flatMap((row, i) => row.map((j) => values[i * 4 + j]!));
    expect(Array.from(h.f32.subarray(out / 4, out / 4 + 6))).toEqual(expected);
    // index_select(input, 0, [2, 0, 2]) with int32 indices: whole rows.
    h.i32.set([2, 0, 2], indexAt / 4);
    expect(run(h, {
      kind: L.GATHER_INDEX_SELECT, dtype: L.DTYPE_FLOAT32, indexDType: L.DTYPE_INT32, shape: [3, 4],
      strides: [[4, 1], [0, 1], [1, 0]], bound: 3, dimStride: 4, dst: out, input, index: indexAt,
    })).toBe(0);
    expect(Array.from(h.f32.subarray(out / 4, out / 4 + 12))).toEqual([...values.slice(8), ...values.slice(0, 4), ...values.slice(8)]);
  });

  test('an index out of range fails the op before any write; a negative one too unless wrapped; the stream goes on', () => {
    const h = core();
    const input = h.heap(0);
    h.f32.set([10, 20, 30], input / 4);
    const indexAt = h.heap(4096);
    const out = h.heap(8192);
    h.f32.fill(-7, out / 4, out / 4 + 3);
    const select = (indices: number[], wrap = false): Gather => {
      new BigInt64Array(h.memory.buffer, indexAt, indices.length).set(indices.map(BigInt));
      return {
        kind: L.GATHER_INDEX_SELECT, dtype: L.DTYPE_FLOAT32, indexDType: L.DTYPE_INT64, shape: [indices.length],
        strides: [[1], [0], [1]], bound: 3, dimStride: 1, wrap, dst: out, input, index: indexAt,
      };
    };
    expect(run(h, select([0, 1, 3]))).toBe(1);
    expect(h.fault().status).toBe(S.STATUS_INDEX_OUT_OF_RANGE);
    expect(Array.from(h.f32.subarray(out / 4, out / 4 + 3))).toEqual([-7, -7, -7]);
    expect(run(h, select([2, -1, 0]))).toBe(2);
    expect(h.fault().status).toBe(S.STATUS_INDEX_OUT_OF_RANGE);
    expect(Array.from(h.f32.subarray(out / 4, out / 4 + 3))).toEqual([-7, -7, -7]);
    expect(run(h, select([2, -1, -3], true))).toBe(2);
    expect(Array.from(h.f32.subarray(out / 4, out / 4 + 3))).toEqual([30, 30, 10]);
    expect(run(h, select([-4], true))).toBe(3);
  });

  test('bad arguments are rejected: a float index, mismatched dtypes, an unknown kind', () => {
    const h = core();
    const base = (): Gather => ({
      kind: L.GATHER_INDEX_SELECT, dtype: L.DTYPE_FLOAT32, indexDType: L.DTYPE_INT32, shape: [2],
      strides: [[1], [0], [1]], bound: 2, dimStride: 1, dst: h.heap(0), input: h.heap(64), index: h.heap(128),
    });
    expect(run(h, { ...base(), indexDType: L.DTYPE_FLOAT32 })).toBe(1);
    expect(h.fault().status).toBe(S.STATUS_BAD_ARGS);
    expect(run(h, { ...base(), kind: L.GATHER_KINDS })).toBe(2);
    expect(run(h, base())).toBe(2);
  });
});

// MTIA 2i at 1.35 GHz, per cycle (src/profiles.ts has the sources).
const dramLatency = 120e-9 * 1.35e9; // 162
const dramPerCycle = (204.8e9 * 0.97) / 1.35e9; // 147.15 B/cycle
const sramPerCycle = 2.7e12 / 1.35e9; // 2000 B/cycle
const fabricPerCycle = 64; // B/cycle per PE
const descriptor = 8; // cycles per DMA descriptor
const issue = 16; // cycles per custom instruction

describe('timing', () => {
  test('worked example: 4096 embedding rows of 64 float32 from a cold 100 000-row table are DRAM-bound', () => {
    const h = core(0, 512 * MiB);
    expect(run(h, embeddingLookup(h, 4096, 64, 100_000))).toBe(0);
    // 4096 segments of 256 B (one per index), 16 KiB of int32 indices, 1 MiB out.
    const gathered = 4096 * 256;
    const indexBytes = 4096 * 4;
    // Cold: the indices and every gathered row come from DRAM (none of the table is resident;
    // 4096 indices may name 4096 different rows: gather.ts gatherRows()).
    const dram = indexBytes + gathered;
    expect(h.record(L.RECORD_OPERAND_HIT_BYTES)).toBe(0);
    const sram = 2 * gathered + indexBytes;
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(dram);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(sram);
    // 64 PEs × 64 segments, double-buffered: two steps of 32 segments (≤ 128 per step).
    const rows = 32;
    const issueStage = 2 * issue; // indexed DMA_IN, DMA_OUT
    const fabricIn = (rows * 256 + rows * 4) / fabricPerCycle + rows * descriptor; // 386
    const fabricOut = (rows * 256) / fabricPerCycle; // 128
    const dramStage = dram / dramPerCycle / 2; // 3618.6 per step
    expect(dramStage).toBeGreaterThan(Math.max(fabricIn, sram / sramPerCycle / 2, issueStage, fabricOut));
    const body = dramLatency + (issueStage + dramStage + fabricOut) + dramStage;
    expect(body).toBeCloseTo(7559.1, 1);
    expect(h.record(L.RECORD_BODY_CYCLES)).toBeCloseTo(body, 6);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
    expect([h.record(L.RECORD_PES), h.record(L.RECORD_STEPS)]).toEqual([64, 2]);
  });

  test('int64 indices move twice the index bytes; a warm table is all SRAM hits', () => {
    const h = core(0, 512 * MiB);
    expect(run(h, embeddingLookup(h, 4096, 64, 100_000, L.DTYPE_INT64))).toBe(0);
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(4096 * 8 + 4096 * 256);
    const warm = core(0, 512 * MiB);
    // A small table the device just wrote is resident: a fill of its 64 × 64 floats first.
    warm.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: warm.heap(64 * MiB), count: 64 * 64, scalar: 1 });
    warm.core.drain(1);
    expect(run(warm, embeddingLookup(warm, 4096, 64, 64))).toBe(0);
    expect(warm.record(L.RECORD_DRAM_BYTES)).toBe(4096 * 4); // only the cold indices
  });

  /** Body (ns) and floor (ns) of one timing-only gather on a fresh core. */
  function measure(indices: number, dim: number, rows: number, perElement: boolean): { bodyNs: number; floorNs: number } {
    const h = core(0, 1024 * MiB);
    const g = embeddingLookup(h, indices, dim, rows);
    // gather-style (one index per element): the index walks the output, a descriptor per element.
    if (perElement) g.strides = [[dim, 1], [0, 1], [dim, 1]];
    expect(run(h, g)).toBe(0);
    const outBytes = indices * dim * 4;
    const indexBytes = (perElement ? indices * dim : indices) * 4;
    // The floor: the gathered bytes in and the output out through SRAM, the cold indices from DRAM.
    const floorNs = physicalFloorNs(v2, { sramBytes: 2 * outBytes + indexBytes, dramBytes: indexBytes });
    return { bodyNs: (h.record(L.RECORD_BODY_CYCLES) / v2.clockHz) * 1e9, floorNs };
  }

  test('never under the physical floor, never cheaper when the work grows (3 %)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 50_000 }), fc.boolean(),
        fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 0, max: 64 }),
        (indices, dim, rows, perElement, moreIndices, moreDim) => {
          if (perElement && indices * dim > 200_000) return;
          const small = measure(indices, dim, rows, perElement);
          expect(small.bodyNs).toBeGreaterThanOrEqual(small.floorNs);
          const grown = measure(indices + moreIndices, dim + moreDim, rows, perElement);
          expect(grown.bodyNs).toBeGreaterThanOrEqual(small.bodyNs * 0.97);
        },
      ),
      { seed: 19, numRuns: 120 },
    );
  });
});
