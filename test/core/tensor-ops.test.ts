// Tensor-op kernels through the core's exports only: argument blocks written by hand, results
// checked against the independent reference of test/support/reference.ts; each op's record
// shows the traffic and engine the timing model charged it (the model's worked examples are in
// timing-model.test.ts).

import { beforeEach, describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { matmulReference, philox4x32, philoxWords, randomValues, toBfloat16, toFloat16, worstError } from '../support/reference.js';

let h: CoreHarness;
beforeEach(() => {
  h = new CoreHarness(16 << 20);
  expect(h.core.boot()).toBe(S.STATUS_OK);
});

interface Args {
  kind?: number;
  dtypes?: number[];
  address3?: number;
  shape?: number[];
  strides?: number[][];
  params?: number[];
  floatParams?: Record<number, number>;
}

/** Writes an argument block (assembly/ops/args.ts) into a fresh ring block; returns its address. */
function writeArgs(args: Args): number {
  const address = h.argsBlock();
  const word = address / 4;
  h.u32.fill(0, word, word + L.ARGS_BYTES / 4);
  const shape = args.shape ?? [];
  h.u32[word + L.ARGS_RANK] = shape.length;
  h.u32[word + L.ARGS_KIND] = args.kind ?? 0;
  (args.dtypes ?? []).forEach((dtype, k) => (h.u32[word + L.ARGS_DTYPE + k] = dtype));
  h.u32[word + L.ARGS_ADDRESS3] = args.address3 ?? 0;
  shape.forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
  (args.strides ?? []).forEach((strides, k) => strides.forEach((s, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, s))));
  (args.params ?? []).forEach((p, i) => (h.u32[word + L.ARGS_PARAMS + i] = p));
  for (const [i, value] of Object.entries(args.floatParams ?? {})) h.f32[word + L.ARGS_PARAMS + Number(i)] = value;
  return address;
}


describe('OP_BINARY', () => {
  test('broadcast float32 add of [3, 5] and [5] equals Math.fround(a + b); the broadcast operand is read once', () => {
    const a = randomValues(15, 1);
    const b = randomValues(5, 2);
    const [pa, pb, pc] = [h.heap(4096), h.heap(8192), h.heap(12288)];
    h.f32.set(a, pa / 4);
    h.f32.set(b, pb / 4);
    const args = writeArgs({
      kind: L.BINARY_ADD, dtypes: [L.DTYPE_FLOAT32, L.DTYPE_FLOAT32], shape: [3, 5],
      strides: [[5, 1], [5, 1], [0, 1]],
    });
    h.push({ opcode: L.OP_BINARY, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pa, src1: pb, count: 15, arg0: args });
    expect(h.core.drain(1)).toBe(1);
    expect(h.fault().count).toBe(0);
    expect(Array.from(h.f32.subarray(pc / 4, pc / 4 + 15))).toEqual(a.map((x, i) => Math.fround(Math.fround(x) + Math.fround(b[i % 5]!))));
    // 15 + 5 float32 elements read (cold: from DRAM), 15 written into SRAM; 15 results on the SE.
    expect(h.record(L.RECORD_OPERAND_BYTES)).toBe(20 * 4);
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(20 * 4);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(35 * 4);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_SE);
    expect(h.record(L.RECORD_WORK)).toBe(15);
  });

  test('a rank above 8, a count that disagrees with the shape and an operand past the heap are refused untouched', () => {
    const pc = h.heap(12288);
    h.u32[pc / 4] = 0x7eadbeef;
    const tooDeep = writeArgs({ dtypes: [0, 0], shape: new Array(9).fill(1) });
    h.push({ opcode: L.OP_BINARY, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pc, src1: pc, count: 1, arg0: tooDeep });
    const wrongCount = writeArgs({ dtypes: [0, 0], shape: [2], strides: [[1], [1], [1]] });
    h.push({ opcode: L.OP_BINARY, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pc, src1: pc, count: 3, arg0: wrongCount });
    const far = writeArgs({ dtypes: [0, 0], shape: [2], strides: [[1], [1], [1 << 30]] });
    h.push({ opcode: L.OP_BINARY, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pc, src1: pc, count: 2, arg0: far });
    h.core.drain(10);
    expect(h.fault()).toEqual({ status: S.STATUS_OUT_OF_BOUNDS, seq: 3, count: 3 });
    expect(h.u32[pc / 4]).toBe(0x7eadbeef);
  });
});

describe('OP_FILL in every dtype', () => {
  test.each([
    [L.DTYPE_FLOAT16, 1 / 3, (a: number) => Array.from(new Uint16Array(h.memory.buffer, a, 5)), 0x3555], // 0.33325 (nearest-even)
    [L.DTYPE_BFLOAT16, 1 / 3, (a: number) => Array.from(new Uint16Array(h.memory.buffer, a, 5)), 0x3eab],
    [L.DTYPE_INT8, -3.7, (a: number) => Array.from(new Int8Array(h.memory.buffer, a, 5)), -3],
    [L.DTYPE_BOOL, 0.5, (a: number) => Array.from(new Uint8Array(h.memory.buffer, a, 5)), 1],
  ])('dtype %i: 5 elements of the converted scalar, nothing past them', (dtype, scalar, read, expected) => {
    const dst = h.heap(4096);
    h.u32.fill(0x7eadbeef, dst / 4, dst / 4 + 4);
    h.push({ opcode: L.OP_FILL, dtype, dst, count: 5, scalar });
    h.core.drain(1);
    expect(h.fault().count).toBe(0);
    expect(read(dst)).toEqual(new Array(5).fill(expected));
    const size = dtype === L.DTYPE_FLOAT16 || dtype === L.DTYPE_BFLOAT16 ? 2 : 1;
    const guardBytes = [0xef, 0xbe, 0xad, 0x7e]; // 0x7eadbeef, little-endian
    expect(h.u8[dst + 5 * size]).toBe(guardBytes[(5 * size) % 4]); // the first byte past the data is untouched
  });
});

describe('OP_REDUCE', () => {
  test('sum over the inner dim of a strided [3, 4] view (a transpose): values, and the RE reads the 12 elements', () => {
    const values = randomValues(12, 5).map(Math.fround); // stored [4, 3], read as its transpose [3, 4]
    const src = h.heap(4096);
    const dst = h.heap(8192);
    h.f32.set(values, src / 4);
    const args = writeArgs({ kind: L.REDUCE_SUM, dtypes: [L.DTYPE_FLOAT32], shape: [3, 4], strides: [[1, 0], [1, 3]], params: [1] });
    h.push({ opcode: L.OP_REDUCE, dtype: L.DTYPE_FLOAT32, dst, src0: src, count: 3, arg0: args });
    h.core.drain(1);
    expect(h.fault().count).toBe(0);
    const expected = [0, 1, 2].map((i) => Math.fround([0, 1, 2, 3].reduce((s, j) => s + values[j * 3 + i]!, 0)));
    expect(Array.from(h.f32.subarray(dst / 4, dst / 4 + 3))).toEqual(expected);
    // 12 float32 read (the view's span), 3 written; 12 accumulations on the RE.
    expect(h.record(L.RECORD_OPERAND_BYTES)).toBe(12 * 4);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(15 * 4);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_RE);
    expect(h.record(L.RECORD_WORK)).toBe(12);
  });
});

describe('OP_UNARY copy (dtype conversion)', () => {
  test('float32 → float16 and bfloat16 round to nearest-even, including ties, subnormals and overflow', () => {
    const values = [0, -0, 1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519, 65520, 1e-7, 2 ** -24, 3 * 2 ** -25, -1e9, 1 / 3, Math.PI,
      1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, 1e-40, ...randomValues(40, 3, -1e5, 1e5)];
    const n = values.length;
    const src = h.heap(4096);
    h.f32.set(values, src / 4);
    for (const [dtype, round] of [[L.DTYPE_FLOAT16, toFloat16], [L.DTYPE_BFLOAT16, toBfloat16]] as const) {
      const half = h.heap(8192);
      const back = h.heap(12288);
      const toHalf = writeArgs({ kind: L.UNARY_COPY, dtypes: [L.DTYPE_FLOAT32], shape: [n], strides: [[1], [1]] });
      const toFloat = writeArgs({ kind: L.UNARY_COPY, dtypes: [dtype], shape: [n], strides: [[1], [1]] });
      h.push({ opcode: L.OP_UNARY, dtype, dst: half, src0: src, count: n, arg0: toHalf });
      h.push({ opcode: L.OP_UNARY, dtype: L.DTYPE_FLOAT32, dst: back, src0: half, count: n, arg0: toFloat });
      h.core.drain(2);
      expect(h.fault().count).toBe(0);
      expect(Array.from(h.f32.subarray(back / 4, back / 4 + n))).toEqual(values.map((x) => round(x)));
    }
  });
});

describe('OP_MATMUL', () => {
  /** Runs one matmul of A (m × k, row-major) and B given as B^T (n × k) via strides. */
  function runMatmul(dtype: number, m: number, n: number, k: number, a: number[], bT: number[]): number {
    const size = dtype === L.DTYPE_FLOAT32 ? 4 : 2;
    const [pa, pb, pc] = [h.heap(1 << 20), h.heap(5 << 20), h.heap(9 << 20)];
    const write = (address: number, values: number[]) => {
      if (size === 4) h.f32.set(values, address / 4);
      else {
        // Put float32 values, then convert on the device (checked above) to the 16-bit dtype.
        h.f32.set(values, h.heap(13 << 20) / 4);
        const args = writeArgs({ kind: L.UNARY_COPY, dtypes: [L.DTYPE_FLOAT32], shape: [values.length], strides: [[1], [1]] });
        h.push({ opcode: L.OP_UNARY, dtype, dst: address, src0: h.heap(13 << 20), count: values.length, arg0: args });
        h.core.drain(1);
      }
    };
    write(pa, a);
    write(pb, bT);
    const workspace = h.heap(14 << 20);
    const args = writeArgs({
      dtypes: [dtype, dtype], shape: [],
      params: [m, n, k, k, 1, 1, k, 0, 0, 0, workspace, 0, 2 << 20],
    });
    h.push({ opcode: L.OP_MATMUL, dtype, dst: pc, src0: pa, src1: pb, count: m * n, arg0: args });
    expect(h.core.drain(1)).toBe(1);
    expect(h.fault().count).toBe(0);
    return pc;
  }

  test.each([[1, 1, 1], [3, 5, 7], [4, 8, 256], [13, 17, 300], [65, 9, 513], [70, 530, 20]])(
    'float32 %i × %i × %i with a transposed B equals the float64 product (atol 1e-5 · k)',
    (m, n, k) => {
      const a = randomValues(m * k, m + 1).map(Math.fround);
      const bT = randomValues(n * k, n + 2).map(Math.fround);
      const b = Array.from({ length: k * n }, (_, i) => bT[(i % n) * k + Math.floor(i / n)]!);
      const pc = runMatmul(L.DTYPE_FLOAT32, m, n, k, a, bT);
      const expected = matmulReference(a, b, m, n, k);
      // float32 accumulation of k products of values in [-1, 1): error grows like k · 2^-24.
      expect(worstError(h.f32.subarray(pc / 4, pc / 4 + m * n), expected, 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
    },
  );

  test('bfloat16 33 × 20 × 45: inputs rounded, float32 accumulation, one rounding at the end', () => {
    const [m, n, k] = [33, 20, 45];
    const a = randomValues(m * k, 7).map(toBfloat16);
    const bT = randomValues(n * k, 8).map(toBfloat16);
    const b = Array.from({ length: k * n }, (_, i) => bT[(i % n) * k + Math.floor(i / n)]!);
    const pc = runMatmul(L.DTYPE_BFLOAT16, m, n, k, a, bT);
    const out = Array.from(new Uint16Array(h.memory.buffer, pc, m * n), (bits) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!);
    // The final rounding to bfloat16 is worth 2^-8 relative; accumulation error is far smaller.
    expect(worstError(out, matmulReference(a, b, m, n, k), 1e-4 * k, 2 ** -8)).toBeLessThanOrEqual(1);
  });

  test('its record: the DPE at float32 rate (a quarter of FP16), the cheapest tiling, operands read once', () => {
    const [m, n, k] = [64, 64, 64];
    runMatmul(L.DTYPE_FLOAT32, m, n, k, randomValues(m * k, 1), randomValues(n * k, 2));
    // MTIA 2i: 1024 FP16 MACs/cycle/PE × 64 PEs ([D] 177 TFLOPS / 64 / 1.35 GHz / 2); FP32 assumed 1/4.
    expect(h.record(L.RECORD_PEAK_RATE)).toBe(1024 * 64 * 0.25);
    expect(h.record(L.RECORD_ENGINE)).toBe(L.ENGINE_DPE);
    expect(h.record(L.RECORD_WORK)).toBe(m * n * k);
    // The cheapest mapping (gemm.ts): 4 output tiles of 32 × 32, K split over 2 PEs of one
    // 32-deep pass each: 8 PEs, one step, rather than one 64 × 64 tile on one PE.
    expect([h.record(L.RECORD_TILE_M), h.record(L.RECORD_TILE_N), h.record(L.RECORD_TILE_K), h.record(L.RECORD_K_SPLIT)]).toEqual([32, 32, 32, 2]);
    expect([h.record(L.RECORD_PES), h.record(L.RECORD_STEPS)]).toEqual([8, 1]);
    expect(h.record(L.RECORD_OPERAND_BYTES)).toBe((m * k + k * n) * 4);
  });

  test('a workspace smaller than the blocking needs is refused', () => {
    const pc = h.heap(9 << 20);
    const args = writeArgs({ dtypes: [0, 0], params: [8, 8, 8, 8, 1, 8, 1, 0, 0, 0, h.heap(14 << 20), 0, 64] });
    h.push({ opcode: L.OP_MATMUL, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pc, src1: pc, count: 64, arg0: args });
    h.core.drain(1);
    expect(h.fault().status).toBe(S.STATUS_BAD_ARGS);
  });
});

describe('OP_RANDOM (Philox4x32-10)', () => {
  test("the reference Philox matches Random123's known answer", () => {
    expect(philoxWordsHex([0, 0, 0, 0], [0, 0])).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(philoxWordsHex([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))
      .toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
  });

  test('randint words equal the reference stream at seed and offset (block boundary not aligned to the op)', () => {
    const dst = h.heap(4096);
    const seed = 0x123456789abcdefn;
    const offset = 8n;
    const args = writeArgs({ kind: L.RANDOM_RANDINT, params: [0x89abcdef, 0x01234567, 8, 0, 0, 0x7fffffff] });
    h.push({ opcode: L.OP_RANDOM, dtype: L.DTYPE_INT32, dst, count: 11, arg0: args });
    h.core.drain(1);
    expect(h.fault().count).toBe(0);
    const words = philoxWords(seed, offset, 11);
    expect(Array.from(h.i32.subarray(dst / 4, dst / 4 + 11))).toEqual(words.map((w) => w % 0x7fffffff));
  });

  test('uniform float32 and normal follow the documented transforms of the stream', () => {
    const dst = h.heap(4096);
    const args = writeArgs({ kind: L.RANDOM_UNIFORM, params: [42, 0, 0, 0] });
    h.push({ opcode: L.OP_RANDOM, dtype: L.DTYPE_FLOAT32, dst, count: 9, arg0: args });
    const normal = h.heap(8192);
    const nargs = writeArgs({ kind: L.RANDOM_NORMAL, params: [42, 0, 12, 0] });
    h.push({ opcode: L.OP_RANDOM, dtype: L.DTYPE_FLOAT32, dst: normal, count: 5, arg0: nargs });
    h.core.drain(2);
    expect(h.fault().count).toBe(0);
    const words = philoxWords(42n, 0n, 18);
    expect(Array.from(h.f32.subarray(dst / 4, dst / 4 + 9))).toEqual(words.slice(0, 9).map((w) => (w >>> 8) * 2 ** -24));
    const expected: number[] = [];
    for (let p = 0; p < 3; p++) {
      const u1 = ((words[12 + 2 * p]! >>> 8) + 1) * 2 ** -24;
      const u2 = (words[12 + 2 * p + 1]! >>> 8) * 2 ** -24;
      const r = Math.sqrt(-2 * Math.log(u1));
      expected.push(r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2));
    }
    expect(worstError(h.f32.subarray(normal / 4, normal / 4 + 5), expected.slice(0, 5), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
  });
});

/** The reference Philox block as 8-digit hex words, as Random123's kat_vectors lists them. */
function philoxWordsHex(counter: number[], key: number[]): string[] {
  return philox4x32(counter, key).map((w) => w.toString(16).padStart(8, '0'));
}
