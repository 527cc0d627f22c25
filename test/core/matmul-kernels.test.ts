// OP_MATMUL's functional kernel in both builds of the core: dist/core.wasm (plain SIMD: a multiply
// and an add per step) and dist/core-relaxed.wasm (f32x4.relaxed_madd, which the engine may or
// may not fuse). Each case runs through the core's exports with hand-written argument blocks
// and is checked against the float64 product of test/support/reference.ts. Shapes are chosen to
// cross the kernel's blocking: edge tiles (m % 4, n % 8), several K slices (k > 256) and several
// B panels (n > 512), strided and broadcast operands, 16-bit dtypes, a bias.
//
// Tolerance, for both builds: each output is a float32 dot product of k terms in [-1, 1); an
// unfused step rounds twice (product, sum) and a fused one once, so both obey the same bound,
// |error| ≤ γ(k)·Σ|a·b| (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). The
// tests allow atol 1e-6·k + rtol 1e-5, the bound's typical (random-walk) size with a wide margin;
// the two builds may differ in the last bits, never by more than that.

import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { hasRelaxedSimd } from '../../src/runtime/environment.js';
import { CoreHarness } from '../support/core-harness.js';
import { coreModule, relaxedCoreBytes } from '../support/in-realm.js';
import { matmulReference, randomValues, toBfloat16, toFloat16, worstError } from '../support/reference.js';

// Node 20's V8 has relaxed SIMD behind this flag (Node 22 and Chromium 114 ship it on). V8 reads
// it when a module is validated or compiled, so setting it before compiling the relaxed build
// is enough; it affects only this test file's process.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/** The builds under test; the relaxed one only where the engine validates relaxed SIMD. */
const builds: [string, WebAssembly.Module][] = [['plain SIMD', coreModule]];
if (hasRelaxedSimd()) builds.push(['relaxed SIMD', new WebAssembly.Module(relaxedCoreBytes)]);

const MiB = 1 << 20;
/** Heap offsets of the operands, the result, the workspace and a float32 staging area. */
const [A_AT, B_AT, C_AT, WORKSPACE_AT, STAGING_AT] = [1 * MiB, 9 * MiB, 17 * MiB, 25 * MiB, 29 * MiB];
const WORKSPACE_BYTES = 4 * MiB;

/** Element bytes of a floating dtype. */
const sizeOf = (dtype: number) => (dtype === L.DTYPE_FLOAT32 ? 4 : 2);

/** A booted core of `module` on a 32 MiB heap. */
function boot(module: WebAssembly.Module): CoreHarness {
  const h = new CoreHarness(32 * MiB, {}, L.ABI_VERSION, 0, module);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** Writes float32 `values` at `address` in `dtype`, converting 16-bit dtypes on the device (OP_UNARY copy). */
function write(h: CoreHarness, dtype: number, address: number, values: number[]): void {
  if (dtype === L.DTYPE_FLOAT32) {
    h.f32.set(values, address / 4);
    return;
  }
  h.f32.set(values, h.heap(STAGING_AT) / 4);
  const args = h.argsBlock();
  h.u32[(args / 4) + L.ARGS_RANK] = 1;
  h.u32[(args / 4) + L.ARGS_KIND] = L.UNARY_COPY;
  h.u32[(args / 4) + L.ARGS_DTYPE] = L.DTYPE_FLOAT32;
  h.setWide((args / 4) + L.ARGS_SHAPE, values.length);
  h.setWide((args / 4) + L.ARGS_STRIDES, 1);
  h.setWide((args / 4) + L.ARGS_STRIDES + 16, 1);
  h.push({ opcode: L.OP_UNARY, dtype, dst: address, src0: h.heap(STAGING_AT), count: values.length, arg0: args });
  expect(h.core.drain(1)).toBe(1);
}

/** Reads `count` elements of `dtype` at `address` as numbers. */
function read(h: CoreHarness, dtype: number, address: number, count: number): number[] {
  if (dtype === L.DTYPE_FLOAT32) return Array.from(h.f32.subarray(address / 4, address / 4 + count));
  const bits = new Uint16Array(h.memory.buffer, address, count);
  if (dtype === L.DTYPE_BFLOAT16) return Array.from(bits, (b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]!);
  return Array.from(bits, (b) => {
    const exponent = (b >> 10) & 0x1f;
    const magnitude = exponent === 0 ? (b & 0x3ff) * 2 ** -24 : exponent === 31 ? ((b & 0x3ff) ? NaN : Infinity) : (1 + (b & 0x3ff) / 1024) * 2 ** (exponent - 15);
    return b & 0x8000 ? -magnitude : magnitude;
  });
}

/** An OP_MATMUL: operand element strides, an optional batch (shape + per-operand batch strides) and bias. */
interface Matmul {
  dtype: number;
  m: number;
  n: number;
  k: number;
  a: [row: number, col: number];
  b: [row: number, col: number];
  batch?: { shape: number[]; strides: [dst: number[], a: number[], b: number[]] };
  bias?: { address: number; stride: number };
}

/** Pushes and runs `op` (operands already at A_AT, B_AT; result at C_AT); expects no fault. */
function run(h: CoreHarness, op: Matmul): void {
  const args = h.argsBlock();
  const word = args / 4;
  const shape = op.batch?.shape ?? [];
  h.u32[word + L.ARGS_RANK] = shape.length;
  h.u32[word + L.ARGS_DTYPE] = op.dtype;
  h.u32[word + L.ARGS_DTYPE + 1] = op.dtype;
  shape.forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
  op.batch?.strides.forEach((strides, k) => strides.forEach((s, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, s))));
  const params = [op.m, op.n, op.k, op.a[0], op.a[1], op.b[0], op.b[1], op.bias?.address ?? 0, 0, op.bias?.stride ?? 0,
    h.heap(WORKSPACE_AT), 0, WORKSPACE_BYTES];
  params.forEach((p, i) => (h.i32[word + L.ARGS_PARAMS + i] = p));
  const batches = shape.reduce((x, y) => x * y, 1);
  h.push({ opcode: L.OP_MATMUL, dtype: op.dtype, dst: h.heap(C_AT), src0: h.heap(A_AT), src1: h.heap(B_AT), count: batches * op.m * op.n, arg0: args });
  expect(h.core.drain(1)).toBe(1);
  expect(h.fault().count).toBe(0);
}

/** Lays out the logical m × k matrix `a` (row-major) with element strides `strides`. */
function stored(values: number[], rows: number, cols: number, [row, col]: [number, number]): number[] {
  const out = new Array<number>(Math.max(...[row * (rows - 1) + col * (cols - 1) + 1, 0])).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * row + j * col] = values[i * cols + j]!;
  return out;
}

/** The relative rounding of a dtype's final store (float32 accumulation is rounded once to it). */
const outputRtol = (dtype: number) => (dtype === L.DTYPE_FLOAT32 ? 1e-5 : dtype === L.DTYPE_BFLOAT16 ? 2 ** -8 : 2 ** -11);
/** Rounds a float32 value to what `dtype` stores. */
const roundTo = (dtype: number) => (dtype === L.DTYPE_FLOAT32 ? Math.fround : dtype === L.DTYPE_BFLOAT16 ? toBfloat16 : toFloat16);

test('this engine runs the relaxed-SIMD build (Node 20 with the flag set above, Node 22+, Chromium)', () => {
  expect(hasRelaxedSimd()).toBe(true);
  expect(builds.map(([name]) => name)).toEqual(['plain SIMD', 'relaxed SIMD']);
});

describe.each(builds)('%s build', (_, module) => {
  test.each([
    // m, n, k, A strides, B strides (row-major [k, 1] / [n, 1]; transposed [1, m] / [1, k])
    [1, 1, 1, 'A', 'B'], [3, 5, 7, 'A', 'Bt'], [4, 8, 256, 'A', 'B'], [13, 17, 300, 'At', 'B'], [65, 9, 513, 'A', 'Bt'],
    [70, 530, 20, 'A', 'B'], [64, 64, 64, 'At', 'Bt'], [33, 1030, 70, 'A', 'B'], [128, 128, 600, 'A', 'B'],
  ] as const)('float32 %i × %i × %i (%s, %s) equals the float64 product within the bound', (m, n, k, aLayout, bLayout) => {
    const h = boot(module);
    const a = randomValues(m * k, m + 1).map(Math.fround);
    const b = randomValues(k * n, n + 2).map(Math.fround);
    const aStrides: [number, number] = aLayout === 'A' ? [k, 1] : [1, m];
    const bStrides: [number, number] = bLayout === 'B' ? [n, 1] : [1, k];
    write(h, L.DTYPE_FLOAT32, h.heap(A_AT), stored(a, m, k, aStrides));
    write(h, L.DTYPE_FLOAT32, h.heap(B_AT), stored(b, k, n, bStrides));
    run(h, { dtype: L.DTYPE_FLOAT32, m, n, k, a: aStrides, b: bStrides });
    expect(worstError(read(h, L.DTYPE_FLOAT32, h.heap(C_AT), m * n), matmulReference(a, b, m, n, k), 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
  });

  test.each([
    ['bfloat16', 'B', L.DTYPE_BFLOAT16], ['bfloat16', 'Bt', L.DTYPE_BFLOAT16], ['float16', 'B', L.DTYPE_FLOAT16],
  ] as const)('%s 37 × 50 × 300 (A, %s): inputs rounded, float32 accumulation, one rounding at the end', (_, bLayout, dtype) => {
    const [m, n, k] = [37, 50, 300];
    const h = boot(module);
    const a = randomValues(m * k, 7).map(roundTo(dtype));
    const b = randomValues(k * n, 8).map(roundTo(dtype));
    const bStrides: [number, number] = bLayout === 'B' ? [n, 1] : [1, k];
    write(h, dtype, h.heap(A_AT), a);
    write(h, dtype, h.heap(B_AT), stored(b, k, n, bStrides));
    run(h, { dtype, m, n, k, a: [k, 1], b: bStrides });
    expect(worstError(read(h, dtype, h.heap(C_AT), m * n), matmulReference(a, b, m, n, k), 1e-6 * k, outputRtol(dtype))).toBeLessThanOrEqual(1);
  });

  test('a batch of 3 with A strided per batch, B broadcast (stride 0) and a bias: each batch is its own product', () => {
    const [batches, m, n, k] = [3, 21, 19, 260];
    const h = boot(module);
    const a = randomValues(batches * m * k, 11).map(Math.fround);
    const b = randomValues(k * n, 12).map(Math.fround);
    const bias = randomValues(n, 13).map(Math.fround);
    write(h, L.DTYPE_FLOAT32, h.heap(A_AT), a);
    write(h, L.DTYPE_FLOAT32, h.heap(B_AT), b);
    const biasAt = h.heap(STAGING_AT + MiB);
    write(h, L.DTYPE_FLOAT32, biasAt, bias);
    run(h, {
      dtype: L.DTYPE_FLOAT32, m, n, k, a: [k, 1], b: [n, 1],
      batch: { shape: [batches], strides: [[m * n], [m * k], [0]] },
      bias: { address: biasAt, stride: 1 },
    });
    const out = read(h, L.DTYPE_FLOAT32, h.heap(C_AT), batches * m * n);
    for (let t = 0; t < batches; t++) {
      const expected = Array.from(matmulReference(a.slice(t * m * k, (t + 1) * m * k), b, m, n, k), (v, i) => v + bias[i % n]!);
      expect(worstError(out.slice(t * m * n, (t + 1) * m * n), expected, 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
    }
  });

  test('k = 0 writes zeros', () => {
    const h = boot(module);
    h.f32.fill(7, h.heap(C_AT) / 4, h.heap(C_AT) / 4 + 15);
    run(h, { dtype: L.DTYPE_FLOAT32, m: 3, n: 5, k: 0, a: [0, 1], b: [5, 1] });
    expect(read(h, L.DTYPE_FLOAT32, h.heap(C_AT), 15)).toEqual(new Array(15).fill(0));
  });
});

describe('the two builds', () => {
  test('a 1 × 1 × 2 product whose steps differ when fused: plain SIMD rounds twice, relaxed SIMD either way', () => {
    // -1·1 + (1 + 2^-12)²: the square is 1 + 2^-11 + 2^-24, whose last bit float32 rounding drops
    // (a tie, to even). Unfused: -1 + (1 + 2^-11) = 2^-11; fused: 2^-11 + 2^-24, exact.
    const x = 1 + 2 ** -12;
    const [unfused, fused] = [2 ** -11, 2 ** -11 + 2 ** -24];
    const results = builds.map(([, module]) => {
      const h = boot(module);
      write(h, L.DTYPE_FLOAT32, h.heap(A_AT), [-1, x]);
      write(h, L.DTYPE_FLOAT32, h.heap(B_AT), [1, x]);
      run(h, { dtype: L.DTYPE_FLOAT32, m: 1, n: 1, k: 2, a: [2, 1], b: [1, 1] });
      return read(h, L.DTYPE_FLOAT32, h.heap(C_AT), 1)[0]!;
    });
    expect(results[0]).toBe(unfused);
    expect([unfused, fused]).toContain(results[1]);
  });

  test('agree on a 96 × 200 × 700 product within the tolerance, and in simulated time exactly', () => {
    const [m, n, k] = [96, 200, 700];
    const a = randomValues(m * k, 21).map(Math.fround);
    const b = randomValues(k * n, 22).map(Math.fround);
    const [plain, relaxed] = builds.map(([, module]) => {
      const h = boot(module);
      write(h, L.DTYPE_FLOAT32, h.heap(A_AT), a);
      write(h, L.DTYPE_FLOAT32, h.heap(B_AT), b);
      run(h, { dtype: L.DTYPE_FLOAT32, m, n, k, a: [k, 1], b: [n, 1] });
      return { c: read(h, L.DTYPE_FLOAT32, h.heap(C_AT), m * n), cycles: h.clockCycles(), record: Array.from({ length: L.RECORD_SIZE / 8 }, (_, field) => h.record(field)) };
    });
    expect(worstError(relaxed!.c, plain!.c, 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
    expect(plain!.cycles).toBeGreaterThan(0);
    expect(relaxed!.cycles).toBe(plain!.cycles);
    expect(relaxed!.record).toEqual(plain!.record);
  });
});
