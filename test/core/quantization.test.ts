// int8 quantization kernels through the core's exports only (OP_QUANTIZE, OP_QUANTIZED_LINEAR):
// argument blocks written by hand, results checked against test/support/quantization-reference.ts,
// and the records showing the engines and the DPE rate the timing model charged.

import { beforeEach, describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import {
  dequantizeReference, dynamicQuantizeReference, quantizeReference, quantizedLinearReference, roundHalfEven,
} from '../support/quantization-reference.js';
import { randomValues, toFloat16 } from '../support/reference.js';

let h: CoreHarness;
beforeEach(() => {
  h = new CoreHarness(16 << 20);
  expect(h.core.boot()).toBe(S.STATUS_OK);
});

/** Writes a one-operand-pair argument block over `shape` (strides [dst, src]) with `params`. */
function writeArgs(kind: number, inType: number, shape: number[], strides: number[][], params: number[] = [], address3 = 0): number {
  const address = h.argsBlock();
  const word = address / 4;
  h.u32[word + L.ARGS_RANK] = shape.length;
  h.u32[word + L.ARGS_KIND] = kind;
  h.u32[word + L.ARGS_DTYPE] = inType;
  h.u32[word + L.ARGS_DTYPE + 1] = inType;
  new BigUint64Array(h.memory.buffer, address + L.ARGS_ADDRESS3 * 4, 1)[0] = BigInt(address3);
  shape.forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
  strides.forEach((list, k) => list.forEach((s, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, s))));
  params.forEach((p, i) => (h.u32[word + L.ARGS_PARAMS + i] = p));
  return address;
}

/** Runs the last pushed command; expects it to succeed. */
function run(): void {
  expect(h.core.drain(1)).toBe(1);
  expect(h.fault().count).toBe(0);
}

const int8At = (address: number, count: number) => Array.from(new Int8Array(h.memory.buffer, address, count));

describe('OP_QUANTIZE per tensor', () => {
  test('round half to even, the zero point, clamping to [-128, 127] and NaN to the zero point', () => {
    // x / 0.5 lands on the halves -5.5, -4.5, ..., 4.5 and far outside the range.
    const x = [-2.75, -2.25, -0.25, 0.25, 0.75, 1.25, 2.25, 100, -100, 63.5, -64.25, NaN, 0];
    const [scale, zeroPoint] = [0.5, 3];
    const [px, pq] = [h.heap(0), h.heap(4096)];
    h.f32.set(x, px / 4);
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_INT8, dst: pq, src0: px, count: x.length, scalar: scale, arg0: writeArgs(L.QUANTIZE_PER_TENSOR, L.DTYPE_FLOAT32, [x.length], [[1], [1]], [zeroPoint]) });
    run();
    expect(int8At(pq, x.length)).toEqual(x.map((v) => quantizeReference(v, scale, zeroPoint)));
    // Spelled out: -5.5 → -6 (even) + 3, -4.5 → -4 + 3, -0.5 → -0 + 3, 0.5 → 0 + 3, 1.5 → 2 + 3,
    // 2.5 → 2 + 3, 4.5 → 4 + 3; 200 + 3 and -200 + 3 clamp; 127 + 3 clamps; -128.5 → -128 + 3.
    expect(int8At(pq, x.length)).toEqual([-3, -1, 3, 3, 5, 5, 7, 127, -128, 127, -125, 3, 3]);
    expect(roundHalfEven(-5.5)).toBe(-6);
  });

  test('float16 input through a strided view (every other element), and dequantize back to float32', () => {
    const values = randomValues(64, 5, -3, 3).map(toFloat16);
    const [px, pq, py] = [h.heap(0), h.heap(4096), h.heap(8192)];
    // Put the float16 bits in place through an OP_UNARY copy (float32 → float16, tested elsewhere).
    h.f32.set(values, h.heap(12288) / 4);
    const copy = h.argsBlock();
    h.u32[copy / 4 + L.ARGS_RANK] = 1;
    h.u32[copy / 4 + L.ARGS_KIND] = L.UNARY_COPY;
    h.u32[copy / 4 + L.ARGS_DTYPE] = L.DTYPE_FLOAT32;
    h.setWide(copy / 4 + L.ARGS_SHAPE, 64);
    h.setWide(copy / 4 + L.ARGS_STRIDES, 1);
    h.setWide(copy / 4 + L.ARGS_STRIDES + 16, 1);
    h.push({ opcode: L.OP_UNARY, dtype: L.DTYPE_FLOAT16, dst: px, src0: h.heap(12288), count: 64, arg0: copy });
    run();
    const [scale, zeroPoint] = [0.05, -7];
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_INT8, dst: pq, src0: px, count: 32, scalar: scale, arg0: writeArgs(L.QUANTIZE_PER_TENSOR, L.DTYPE_FLOAT16, [32], [[1], [2]], [zeroPoint]) });
    run();
    const expected = values.filter((_, i) => i % 2 === 0).map((v) => quantizeReference(v, scale, zeroPoint));
    expect(int8At(pq, 32)).toEqual(expected);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_SE);
    expect(h.record(L.RECORD_WORK)).toBe(32); // one SE pass per element
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_FLOAT32, dst: py, src0: pq, count: 32, scalar: scale, arg0: writeArgs(L.DEQUANTIZE_PER_TENSOR, L.DTYPE_INT8, [32], [[1], [1]], [zeroPoint]) });
    run();
    expect(Array.from(h.f32.subarray(py / 4, py / 4 + 32))).toEqual(expected.map((q) => dequantizeReference(q, scale, zeroPoint)));
  });

  test('a scale ≤ 0, an infinite scale, a zero point outside int8 and a float output are refused untouched', () => {
    const [px, pq] = [h.heap(0), h.heap(4096)];
    h.u32[pq / 4] = 0x7eadbeef;
    const bad: [number, number, number][] = [[0, 0, L.DTYPE_INT8], [Infinity, 0, L.DTYPE_INT8], [1, 128, L.DTYPE_INT8], [1, 0, L.DTYPE_FLOAT32]];
    for (const [scale, zeroPoint, dtype] of bad) {
      h.push({ opcode: L.OP_QUANTIZE, dtype, dst: pq, src0: px, count: 4, scalar: scale, arg0: writeArgs(L.QUANTIZE_PER_TENSOR, L.DTYPE_FLOAT32, [4], [[1], [1]], [zeroPoint]) });
      h.core.drain(1);
    }
    // Every one faults (the stream's fault record keeps the last: its status, sequence number, count).
    expect(h.fault()).toEqual({ status: S.STATUS_BAD_ARGS, seq: 4, count: 4 });
    expect(h.u32[pq / 4]).toBe(0x7eadbeef);
  });
});

describe('OP_QUANTIZE per row (dynamic)', () => {
  test('symmetric per-row scales max|x| / 127 and values in [-127, 127]; a row of zeros gets scale 1', () => {
    const [rows, cols] = [5, 37];
    const x = randomValues(rows * cols, 11, -4, 4).map(Math.fround);
    for (let c = 0; c < cols; c++) x[3 * cols + c] = 0;
    x[2 * cols + 7] = -9.5; // the row's extreme is negative: it becomes -127
    const [px, pq, ps] = [h.heap(0), h.heap(4096), h.heap(8192)];
    h.f32.set(x, px / 4);
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_INT8, dst: pq, src0: px, count: rows * cols, arg0: writeArgs(L.QUANTIZE_PER_ROW, L.DTYPE_FLOAT32, [rows, cols], [[cols, 1], [cols, 1]], [ps, 0]) });
    run();
    const expected = dynamicQuantizeReference(x, rows, cols);
    expect(Array.from(h.f32.subarray(ps / 4, ps / 4 + rows))).toEqual(expected.scales);
    expect(int8At(pq, rows * cols)).toEqual(expected.values);
    expect(h.f32[ps / 4 + 3]).toBe(1);
    expect(int8At(pq + 2 * cols + 7, 1)).toEqual([-127]);
    // The record: the RE's min/max pass and the SE's scale-and-round pass, both per element.
    expect(h.record(L.RECORD_RE_CYCLES)).toBeGreaterThan(0);
    expect(h.record(L.RECORD_SE_CYCLES)).toBeCloseTo(h.record(L.RECORD_RE_CYCLES), 9);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(rows * cols * (4 + 1) + rows * 4);
  });

  test('a row longer than local memory is read twice: the min/max pass, then the pass that scales and writes (timing-only)', () => {
    // One float32 row of 8 Mi (32 MiB) against 64 PEs × 384 KiB / 2 = 12 MiB of local memory
    // for it (reductions.ts rowFitsLocalMemory): two pipelines, each reading the row; the input
    // is cold, so the first pass reads it from DRAM and the second finds it in the SRAM.
    const timing = new CoreHarness(0, {}, L.ABI_VERSION, 1 << 30);
    expect(timing.core.boot()).toBe(S.STATUS_OK);
    h = timing;
    const cols = 8 << 20;
    const [px, pq, ps] = [h.heap(0), h.heap(64 << 20), h.heap(128 << 20)];
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_INT8, dst: pq, src0: px, count: cols, arg0: writeArgs(L.QUANTIZE_PER_ROW, L.DTYPE_FLOAT32, [1, cols], [[cols, 1], [cols, 1]], [ps, 0]) });
    run();
    const rowBytes = 4 * cols;
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(2 * rowBytes + cols + 4);
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(rowBytes);
    // Floor: the first pass's 32 MiB from DRAM at 204.8 GB/s (its SRAM traffic beside it), then
    // the second's 40 MiB through the SRAM at 2.7 TB/s: the second pass cannot start before the
    // first's min/max is known. One pass (the old model) would be 163.8 µs; this is 179.4 µs.
    const floorNs = (rowBytes / 204.8e9 + (rowBytes + cols) / 2.7e12) * 1e9;
    expect(floorNs).toBeCloseTo(179_374.5, 0);
    expect((h.record(L.RECORD_BODY_CYCLES) / v2.clockHz) * 1e9).toBeGreaterThan(floorNs);
  });

  test('DEQUANTIZE_PER_ROW: values · the row\'s scale in float32, the scales read (one SE pass per element)', () => {
    const [rows, cols] = [3, 11];
    const q = Array.from({ length: rows * cols }, (_, i) => ((i * 37) % 255) - 127);
    const scales = [0.5, 0.013, 3].map(Math.fround);
    const [pq, ps, py] = [h.heap(0), h.heap(4096), h.heap(8192)];
    new Int8Array(h.memory.buffer, pq, q.length).set(q);
    h.f32.set(scales, ps / 4);
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_FLOAT32, dst: py, src0: pq, count: rows * cols, arg0: writeArgs(L.DEQUANTIZE_PER_ROW, L.DTYPE_INT8, [rows, cols], [[cols, 1], [cols, 1]], [ps, 0]) });
    run();
    expect(Array.from(h.f32.subarray(py / 4, py / 4 + rows * cols))).toEqual(q.map((v, i) => dequantizeReference(v, scales[Math.floor(i / cols)]!, 0)));
    expect(h.record(L.RECORD_OPERAND_BYTES)).toBe(rows * cols + rows * 4);
    expect(h.record(L.RECORD_WORK)).toBe(rows * cols);
    expect(h.record(L.RECORD_RE_CYCLES)).toBe(0);
  });

  test('a transposed input: rows are read with the input strides, scales in row order', () => {
    const [rows, cols] = [6, 10];
    const stored = randomValues(rows * cols, 12).map(Math.fround); // stored [cols, rows]
    const x = Array.from({ length: rows * cols }, (_, i) => stored[(i % cols) * rows + Math.floor(i / cols)]!);
    const [px, pq, ps] = [h.heap(0), h.heap(4096), h.heap(8192)];
    h.f32.set(stored, px / 4);
    h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_INT8, dst: pq, src0: px, count: rows * cols, arg0: writeArgs(L.QUANTIZE_PER_ROW, L.DTYPE_FLOAT32, [rows, cols], [[cols, 1], [1, rows]], [ps, 0]) });
    run();
    const expected = dynamicQuantizeReference(x, rows, cols);
    expect(int8At(pq, rows * cols)).toEqual(expected.values);
    expect(Array.from(h.f32.subarray(ps / 4, ps / 4 + rows))).toEqual(expected.scales);
  });
});

describe('OP_QUANTIZED_LINEAR', () => {
  /** Runs out = xq · wqᵀ · sx · sw (+ bias) with xq [m × k], wq [n × k] row-major. */
  function runLinear(m: number, n: number, k: number, xq: number[], wq: number[], sx: number[], sw: number[], bias?: number[]): number {
    const [pa, pb, pc, psa, psb, pbias, workspace] = [0, 1, 2, 3, 4, 5, 6].map((i) => h.heap(i << 21)) as [number, number, number, number, number, number, number];
    new Int8Array(h.memory.buffer, pa, m * k).set(xq);
    new Int8Array(h.memory.buffer, pb, n * k).set(wq);
    h.f32.set(sx, psa / 4);
    h.f32.set(sw, psb / 4);
    if (bias) h.f32.set(bias, pbias / 4);
    const args = writeArgs(0, L.DTYPE_INT8, [], [], [m, n, k, k, 1, 1, k, psa, 0, psb, 0, workspace, 0], bias ? pbias : 0);
    h.push({ opcode: L.OP_QUANTIZED_LINEAR, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pa, src1: pb, count: m * n, arg0: args });
    run();
    return pc;
  }
  const ints = (count: number, seed: number, low = -128, high = 128) => randomValues(count, seed, low, high).map(Math.floor);

  test.each([[1, 1, 1], [3, 5, 7], [4, 9, 16], [13, 17, 300], [7, 3, 1000]])(
    '%i × %i × %i: int32 sums exact, scaled back in float32 exactly as the reference', (m, n, k) => {
      const xq = ints(m * k, m + 3);
      const wq = ints(n * k, n + 4);
      const sx = randomValues(m, 5, 0.001, 0.1).map(Math.fround);
      const sw = randomValues(n, 6, 0.001, 0.1).map(Math.fround);
      const bias = randomValues(n, 7).map(Math.fround);
      const pc = runLinear(m, n, k, xq, wq, sx, sw, bias);
      expect(Array.from(h.f32.subarray(pc / 4, pc / 4 + m * n))).toEqual(quantizedLinearReference(xq, sx, wq, sw, m, n, k, bias).out);
    },
  );

  test('extreme values: K = 4096 of -128 · -128 sums to 67 108 864 exactly (past float32 integers: one rounding)', () => {
    const k = 4096;
    const pc = runLinear(1, 2, k, new Array(k).fill(-128), [...new Array(k).fill(-128), ...new Array(k).fill(127)], [1], [1, 1]);
    expect(Array.from(h.f32.subarray(pc / 4, pc / 4 + 2))).toEqual([128 * 128 * k, -128 * 127 * k]);
  });

  test('its record: the DPE at the int8 rate (2048 MACs/cycle/PE), 1-byte operands give a deeper tk', () => {
    const [m, n, k] = [256, 256, 2048];
    runLinear(m, n, k, ints(m * k, 1), ints(n * k, 2), new Array(m).fill(0.01), new Array(n).fill(0.01));
    // MTIA 2i: [D] 354 TOPS / 64 PEs / 1.35 GHz / 2 = 2048 int8 MACs per cycle per PE.
    expect(h.record(L.RECORD_PEAK_RATE)).toBe(v2.dpeInt8MacsPerCyclePerPe * 64);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_DPE);
    // The cheapest mapping (gemm.ts, chosen by the pipeline's cost): its K step fits local
    // memory with 1-byte operands, 2 · (tm + tn) · tk · 1 B + tm · tn · 4 B ≤ 384 KiB, it fills
    // the grid, and its K slices and steps cover K.
    const [tm, tn, tk, kSplit] = [L.RECORD_TILE_M, L.RECORD_TILE_N, L.RECORD_TILE_K, L.RECORD_K_SPLIT].map((f) => h.record(f)) as [number, number, number, number];
    expect(2 * (tm + tn) * tk + tm * tn * 4).toBeLessThanOrEqual(384 * 1024);
    expect(tk * kSplit * (h.record(L.RECORD_STEPS) / Math.ceil((256 / tm) * (256 / tn) * kSplit / 64))).toBeGreaterThanOrEqual(k);
    expect(h.record(L.RECORD_PES)).toBe(64);
    // Operands (cold: from DRAM): 256 · 2048 int8 twice, the scales, the float32 output written.
    expect(h.record(L.RECORD_OPERAND_BYTES)).toBe(2 * 256 * 2048 + 2 * 256 * 4);
  });

  test('K past the int32-safe bound, a float16 output and unaligned scales are refused', () => {
    const pc = h.heap(1 << 21);
    h.u32[pc / 4] = 0x7eadbeef;
    h.push({ opcode: L.OP_QUANTIZED_LINEAR, dtype: L.DTYPE_FLOAT32, dst: pc, src0: h.heap(0), src1: h.heap(0), count: 1, arg0: writeArgs(0, L.DTYPE_INT8, [], [], [1, 1, L.INT8_MATMUL_MAX_K + 1, 1, 1, 1, 1, h.heap(0), 0, h.heap(0), 0, h.heap(0), 0]) });
    h.push({ opcode: L.OP_QUANTIZED_LINEAR, dtype: L.DTYPE_FLOAT16, dst: pc, src0: h.heap(0), src1: h.heap(0), count: 1, arg0: writeArgs(0, L.DTYPE_INT8, [], [], [1, 1, 1, 1, 1, 1, 1, h.heap(0), 0, h.heap(0), 0, h.heap(0), 0]) });
    h.push({ opcode: L.OP_QUANTIZED_LINEAR, dtype: L.DTYPE_FLOAT32, dst: pc, src0: h.heap(0), src1: h.heap(0), count: 1, arg0: writeArgs(0, L.DTYPE_INT8, [], [], [1, 1, 1, 1, 1, 1, 1, h.heap(2), 0, h.heap(0), 0, h.heap(0), 0]) });
    h.core.drain(10);
    expect(h.fault()).toEqual({ status: S.STATUS_MISALIGNED, seq: 3, count: 3 });
    expect(h.u32[pc / 4]).toBe(0x7eadbeef);
  });
});
