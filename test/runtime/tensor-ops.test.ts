// The tensor library on in-realm devices: every op's values against the independent reference
// (test/support/reference.ts, ndarray.ts: plain JavaScript in float64), over random shapes, odd
// sizes, broadcasting, non-contiguous views and every dtype. Tolerances are written next to each
// check. Elementwise + - × ÷ are exact: the device computes them in float32 and float64
// arithmetic rounded once to float32 gives the same result (double rounding is innocuous for
// these ops because 53 ≥ 2 · 24 + 2).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import type { DType } from '../../src/tensor/dtype.js';
import { resultType } from '../../src/tensor/dtype.js';
import { arange, full, tensor } from '../../src/tensor/factories.js';
import { add, clamp, div, exp, gelu, log, maximum, minimum, mul, neg, relu, sigmoid, silu, sqrt, sub, tanh, where } from '../../src/tensor/ops.js';
import { argmax, max, mean, min, sum } from '../../src/tensor/reductions.js';
import { bmm, linear, matmul } from '../../src/tensor/linalg.js';
import { embeddingBag, layerNorm, logSoftmax, softmax } from '../../src/tensor/nn.js';
import { cat } from '../../src/tensor/views.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Nd, broadcast } from '../support/ndarray.js';
import { erf, matmulReference, randomValues, storeAs, worstError } from '../support/reference.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 32 << 20 }));
afterAll(() => mtia.shutdown());

const floatTypes: DType[] = ['float32', 'float16', 'bfloat16'];
const allTypes: DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int32', 'bool'];

/** Values suited to `dtype`, already representable in it. */
function valuesFor(dtype: DType, count: number, seed: number): number[] {
  if (dtype === 'bool') return randomValues(count, seed).map((x) => (x > 0 ? 1 : 0));
  if (dtype === 'int8') return randomValues(count, seed, -100, 100).map((x) => Math.trunc(x) + 0); // no -0
  if (dtype === 'int32') return randomValues(count, seed, -1e6, 1e6).map((x) => Math.trunc(x) + 0);
  return randomValues(count, seed, -4, 4).map((x) => storeAs(dtype, x));
}

/** A device tensor holding `a`'s values in `a`'s shape (any shape, empty ones included). */
function fromNd(a: Nd, dtype: DType): Tensor {
  const flat = tensor(a.data, { dtype });
  try {
    return flat.reshape(a.shape);
  } finally {
    flat.free();
  }
}

/** A device tensor and its reference, of `shape` and `dtype`; `layout` picks a non-contiguous layout of the same values. */
function operand(shape: number[], dtype: DType, seed: number, layout: 'contiguous' | 'transposed' | 'sliced'): { t: Tensor; ref: Nd } {
  const ref = new Nd(shape, valuesFor(dtype, shape.reduce((n, s) => n * s, 1), seed));
  const viewOf = (stored: Nd, makeView: (t: Tensor) => Tensor) => {
    const base = fromNd(stored, dtype);
    try {
      return makeView(base);
    } finally {
      base.free();
    }
  };
  if (layout === 'transposed' && shape.length >= 2) {
    // Store the transpose, then view it transposed back: same values, swapped strides.
    const r = shape.length;
    const order = shape.map((_, d) => (d === r - 2 ? r - 1 : d === r - 1 ? r - 2 : d));
    return { t: viewOf(ref.permute(order), (t) => t.transpose(-1, -2)), ref };
  }
  if (layout === 'sliced' && shape.length >= 1) {
    // Store a tensor twice as long in dim 0 and take every second row from row 1.
    const wide = Nd.from([shape[0]! * 2 + 1, ...shape.slice(1)], (index) => (index[0]! % 2 === 1 ? ref.get([(index[0]! - 1) / 2, ...index.slice(1)]) : 99));
    return { t: viewOf(wide, (t) => t.slice(0, 1, null, 2)), ref };
  }
  return { t: fromNd(ref, dtype), ref };
}

/** Nested arrays of an Nd (what tensor() takes). */
function nested(a: Nd): number | number[] {
  if (a.shape.length === 0) return a.data[0]!;
  const build = (dim: number, offset: number, stride: number): number[] =>
    Array.from({ length: a.shape[dim]! }, (_, i) => {
      const inner = stride / a.shape[dim]!;
      return dim === a.shape.length - 1 ? a.data[offset + i]! : (build(dim + 1, offset + i * inner, inner) as never);
    });
  return build(0, 0, a.data.length);
}

const read = async (t: Tensor) => Array.from(await t.toArray());

const shapeArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 4 });
/** A shape and a second one that broadcasts with it (dims dropped from the front or set to 1). */
const broadcastPairArb = shapeArb.chain((shape) =>
  fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length })),
).map(([shape, drop, ones]) => [shape, shape.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s))] as const);
const layoutArb = fc.constantFrom('contiguous', 'transposed', 'sliced') as fc.Arbitrary<'contiguous' | 'transposed' | 'sliced'>;

describe('elementwise binary ops with broadcasting and type promotion', () => {
  const ops = [
    { name: 'add', run: add, f32: (x: number, y: number) => x + y, i32: (x: number, y: number) => (x + y) | 0 },
    { name: 'sub', run: sub, f32: (x: number, y: number) => x - y, i32: (x: number, y: number) => (x - y) | 0 },
    { name: 'mul', run: mul, f32: (x: number, y: number) => x * y, i32: (x: number, y: number) => Math.imul(x, y) },
    { name: 'maximum', run: maximum, f32: (x: number, y: number) => Math.max(x, y), i32: (x: number, y: number) => Math.max(x, y) },
    { name: 'minimum', run: minimum, f32: (x: number, y: number) => Math.min(x, y), i32: (x: number, y: number) => Math.min(x, y) },
  ] as const;

  test.each(ops)('$name: exact against float32 / int32 arithmetic on random shapes, layouts and dtypes', async ({ name, run, f32, i32 }) => {
    await fc.assert(
      fc.asyncProperty(broadcastPairArb, fc.constantFrom(...allTypes), fc.constantFrom(...allTypes), layoutArb, layoutArb, fc.boolean(), fc.integer(),
        async ([sa, sb], ta, tb, la, lb, swap, seed) => {
          if (name === 'sub' && (ta === 'bool' || tb === 'bool')) return;
          const [shapeA, shapeB] = swap ? [sb, sa] : [sa, sb];
          const a = operand([...shapeA], ta, seed, la);
          const b = operand([...shapeB], tb, seed + 1, lb);
          const out = run(a.t, b.t);
          const dtype = resultType([a.t, b.t]);
          expect(out.dtype).toBe(dtype);
          const floating = dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16';
          const expected = broadcast(a.ref, b.ref, (x, y) => storeAs(dtype, floating ? Math.fround(f32(x, y)) : i32(x, y)));
          expect(out.shape).toEqual(expected.shape);
          expect(await read(out)).toEqual(expected.data); // tolerance: exact
          for (const t of [a.t, b.t, out]) t.free();
        }),
      { numRuns: 40 },
    );
  });

  test('bfloat16 rows (the eight-lane SIMD path and its tail): exact against rounding Math.fround(x op y), NaN and ties included', async () => {
    const x = [...valuesFor('bfloat16', 35, 3), NaN, 1 + 2 ** -7];
    const y = [...valuesFor('bfloat16', 35, 4), 1, 2 ** -8];
    const a = tensor(x, { dtype: 'bfloat16' });
    const b = tensor(y, { dtype: 'bfloat16' });
    const three = tensor(3, { dtype: 'bfloat16' });
    const cases = [[add(a, b), (p: number, q: number) => p + q], [mul(a, b), (p: number, q: number) => p * q], [div(a, b), (p: number, q: number) => p / q]] as const;
    for (const [out, f] of cases) expect(await read(out)).toEqual(x.map((p, i) => storeAs('bfloat16', Math.fround(f(p, y[i]!))))); // exact
    expect(await read(sub(a, three))).toEqual(x.map((p) => storeAs('bfloat16', Math.fround(p - 3))));
  });

  test('div is true division: integers give float32; exact against Math.fround(x / y)', async () => {
    const a = tensor(new Int32Array([7, -7, 1, 0]));
    const b = tensor(new Int32Array([2, 2, 3, 0]));
    const q = div(a, b);
    expect(q.dtype).toBe('float32');
    expect(await read(q)).toEqual([3.5, -3.5, Math.fround(1 / 3), NaN]);
    const h = div(tensor([1, 2, 3], { dtype: 'bfloat16' }), 3);
    expect(h.dtype).toBe('bfloat16');
    expect(await read(h)).toEqual([1, 2, 3].map((x) => storeAs('bfloat16', Math.fround(x / 3))));
  });

  test('numbers are wrapped scalars: they raise the category but not the width (torch.result_type)', async () => {
    const i8 = tensor(new Int8Array([1, 2, 3]));
    expect(add(i8, 100).dtype).toBe('int8');
    expect(await read(add(i8, 126))).toEqual([127, -128, -127]); // int8 wraps
    expect(add(i8, 0.5).dtype).toBe('float32');
    const h = tensor([1, 2], { dtype: 'float16' });
    expect(mul(h, 2.5).dtype).toBe('float16');
    expect(add(h, tensor(1, { dtype: 'float32' })).dtype).toBe('float16'); // a 0-d tensor does not widen
    expect(add(h, tensor([1, 1], { dtype: 'bfloat16' })).dtype).toBe('float32');
    expect(await read(add(tensor([true, false]), true))).toEqual([1, 1]);
    expect(await read(sub(tensor([5, 6]), tensor([1, 2]), { alpha: 2 }))).toEqual([3, 2]);
    expect(await read(add(3, tensor(new Int32Array([1]))))).toEqual([4]);
  });

  test('alpha scales the other tensor on the device (float and int); numbers that overflow the dtype are refused', async () => {
    const x = tensor([1.5, -2, 4]);
    const y = tensor([0.25, 3, -1]);
    expect(await read(add(x, y, { alpha: 3 }))).toEqual([2.25, 7, 1]);
    expect(await read(sub(x, y, { alpha: -0.5 }))).toEqual([1.625, -0.5, 3.5]);
    const i = tensor(new Int32Array([10, 20]));
    expect(await read(sub(i, tensor(new Int8Array([1, 2])), { alpha: 7 }))).toEqual([3, 6]);
    expect(() => add(i, i, { alpha: 0.5 })).toThrow('For integral input tensors, argument alpha must not be a floating point number.');
    expect(() => add(tensor(new Int8Array([1])), 300)).toThrow('value cannot be converted to type int8_t without overflow');
    expect(() => mul(tensor([1], { dtype: 'float16' }), 1e6)).toThrow('value cannot be converted to type c10::Half without overflow');
  });

  test('where broadcasts condition and operands and promotes', async () => {
    const cond = tensor([[true], [false]]);
    const out = where(cond, tensor([1, 2, 3]), tensor(new Int32Array([7, 8, 9])));
    expect([out.shape, out.dtype]).toEqual([[2, 3], 'float32']);
    expect(await read(out)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(await read(tensor([1, -1, 2]).where(tensor([true, false, true]), 0))).toEqual([1, 0, 2]);
    const both = where(tensor([[true, false]]), 7, -7);
    expect([both.dtype, both.shape, await read(both)]).toEqual(['int32', [1, 2], [7, -7]]);
  });
});

describe('elementwise unary ops', () => {
  // Tolerances: float32 results are within a few ulp of the float64 definition (Mathf, and an
  // erf good to 1.2e-7); 16-bit results add one rounding of 2^-11 (float16) or 2^-8 (bfloat16).
  const tolerance: Record<string, number> = { float32: 2e-6, float16: 2 ** -10, bfloat16: 2 ** -7 };
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const ops = [
    { name: 'exp', run: exp, f: Math.exp, domain: [-4, 4] },
    { name: 'log', run: log, f: Math.log, domain: [0.01, 50] },
    { name: 'sqrt', run: sqrt, f: Math.sqrt, domain: [0, 50] },
    { name: 'tanh', run: tanh, f: Math.tanh, domain: [-5, 5] },
    { name: 'sigmoid', run: sigmoid, f: sig, domain: [-10, 10] },
    { name: 'silu', run: silu, f: (x: number) => x * sig(x), domain: [-10, 10] },
    { name: 'gelu', run: gelu, f: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)), domain: [-6, 6] },
    { name: 'relu', run: relu, f: (x: number) => Math.max(x, 0), domain: [-5, 5] },
    { name: 'neg', run: neg, f: (x: number) => -x, domain: [-5, 5] },
  ] as const;

  test.each(ops)('$name on every floating dtype, contiguous and transposed, odd sizes', async ({ run, f, domain }) => {
    for (const dtype of floatTypes) {
      for (const shape of [[1], [7], [5, 9], [3, 4, 5]]) {
        const values = randomValues(shape.reduce((n, s) => n * s, 1), shape.length + 11, domain[0], domain[1]).map((x) => storeAs(dtype, x));
        const ref = new Nd(shape, values);
        const t = tensor(nested(ref), { dtype });
        const views = shape.length >= 2 ? [t, t.transpose(0, 1)] : [t];
        for (const v of views) {
          const expected = v === t ? ref : ref.permute([1, 0, ...shape.slice(2).map((_, i) => i + 2)]);
          const out = run(v);
          expect(out.dtype).toBe(dtype);
          expect(worstError(await read(out), expected.data.map(f), tolerance[dtype]!, tolerance[dtype]!)).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  test('integer inputs: exp/log/sqrt give float32; neg/relu/clamp stay integer', async () => {
    const ints = tensor(new Int32Array([-3, 0, 4, 9]));
    expect([exp(ints).dtype, log(ints).dtype, sqrt(ints).dtype]).toEqual(['float32', 'float32', 'float32']);
    expect(await read(sqrt(ints))).toEqual([NaN, 0, 2, 3]);
    expect(await read(neg(ints))).toEqual([3, 0, -4, -9]);
    expect(await read(relu(ints))).toEqual([0, 0, 4, 9]);
    expect(await read(clamp(ints, -1, 5))).toEqual([-1, 0, 4, 5]);
    expect(clamp(ints, 0.5).dtype).toBe('float32');
    expect(await read(clamp(tensor([-2, NaN, 7]), null, 3))).toEqual([-2, NaN, 3]);
  });

  test('conversions between every pair of dtypes equal casting the reference values', async () => {
    const source = [-130.7, -2.5, -1, -0.25, 0, 0.5, 1, 3.999, 70000, 1e-5];
    for (const from of allTypes) {
      const values = source.map((x) => storeAs(from, x));
      const t = tensor(values, { dtype: from });
      expect(await read(t)).toEqual(values);
      for (const to of allTypes) {
        const converted = t.to(to);
        expect(converted.dtype).toBe(to);
        expect(await read(converted)).toEqual(values.map((x) => storeAs(to, x)));
      }
    }
  });
});

describe('views', () => {
  test('view, transpose, permute and slice share storage and enqueue nothing; values follow the reference', async () => {
    const ref = Nd.from([4, 5, 6], ([i, j, k]) => i! * 100 + j! * 10 + k!);
    const t = tensor(nested(ref));
    const queue = runtime.device(0).currentQueue;
    const before = queue.enqueued;
    const v = t.view(20, 6);
    const p = t.permute(2, 0, 1);
    const s = t.slice(1, 1, -1, 2);
    const s2 = t.slice(2, -4);
    const tt = t.transpose(0, 2);
    expect(queue.enqueued).toBe(before);
    for (const x of [v, p, s, s2, tt]) expect(x.storage).toBe(t.storage);
    expect([v.shape, p.shape, s.shape, s2.shape]).toEqual([[20, 6], [6, 4, 5], [4, 2, 6], [4, 5, 4]]);
    expect(p.isContiguous()).toBe(false);
    expect(await read(p)).toEqual(ref.permute([2, 0, 1]).data);
    expect(await read(s)).toEqual(ref.slice(1, 1, 4, 2).data);
    expect(await read(s2)).toEqual(ref.slice(2, 2, 6, 1).data);
    expect(await read(tt)).toEqual(ref.permute([2, 1, 0]).data);
    // A slice of a permuted view: strides compose.
    expect(await read(p.slice(0, 1, 5, 3))).toEqual(ref.permute([2, 0, 1]).slice(0, 1, 5, 3).data);
  });

  test('reshape views when strides allow (PyTorch computeStride) and copies when not; contiguous copies only non-contiguous tensors', async () => {
    const t = arange(24, { dtype: 'float32' }).view(2, 3, 4);
    expect(t.reshape(6, -1).storage).toBe(t.storage);
    expect(t.permute(2, 0, 1).reshape(4, 6).storage).toBe(t.storage); // dims 0 and 1 still adjacent: a view
    expect(t.permute(1, 0, 2).reshape(3, 8).storage).not.toBe(t.storage); // 2 and 4 not adjacent any more: a copy
    const swapped = t.transpose(1, 2);
    const reshaped = swapped.reshape(2, 12);
    expect(reshaped.storage).not.toBe(t.storage);
    expect(await read(reshaped)).toEqual(Nd.from([2, 3, 4], ([i, j, k]) => i! * 12 + j! * 4 + k!).permute([0, 2, 1]).data);
    expect(t.contiguous().storage).toBe(t.storage);
    expect(swapped.contiguous().storage).not.toBe(t.storage);
    expect(() => swapped.view(24)).toThrow(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
    expect(() => t.view(5, -1)).toThrow("shape '[5, -1]' is invalid for input of size 24");
    expect(() => t.view(-1, -1)).toThrow('only one dimension can be inferred');
    expect(() => t.transpose(0, 3)).toThrow('Dimension out of range (expected to be in range of [-3, 2], but got 3)');
  });

  test('copy_ writes through a strided view, broadcasting and converting the source', async () => {
    const target = full([3, 4], 0, { dtype: 'bfloat16' });
    const column = target.slice(1, 1, 4, 2); // [3, 2], stride 2 along dim 1
    expect(column.copy_(tensor(new Int32Array([7, -9])))).toBe(column);
    expect(await read(target)).toEqual([0, 7, 0, -9, 0, 7, 0, -9, 0, 7, 0, -9]);
    expect(() => column.copy_(tensor([1, 2, 3]))).toThrow('The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1');
    expect(() => tensor([1]).copy_(tensor([1, 2]))).toThrow("output with shape [1] doesn't match the broadcast shape [2]");
  });

  test('cat joins along a dim with promotion, from non-contiguous inputs', async () => {
    const a = new Nd([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = new Nd([3, 2], [7, 8, 9, 10, 11, 12]);
    const ta = tensor(nested(a));
    const tb = tensor(nested(b), { dtype: 'int32' }).transpose(0, 1); // [2, 3], strided
    const joined = cat([ta, tb], 1);
    expect([joined.shape, joined.dtype]).toEqual([[2, 6], 'float32']);
    expect(await read(joined)).toEqual([1, 2, 3, 7, 9, 11, 4, 5, 6, 8, 10, 12]);
    expect(await read(cat([ta, ta], 0))).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expect(() => cat([ta, tensor([[1, 2]])], 0)).toThrow('Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.');
  });
});

describe('reductions', () => {
  test('sum, mean, max, min, argmax over random dims and keepdim, on non-contiguous views, every dtype', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }), fc.constantFrom(...allTypes), layoutArb, fc.integer(), fc.boolean(), fc.integer(),
        async (shape, dtype, layout, dimSeed, keepdim, seed) => {
          const { t, ref } = operand(shape, dtype, seed, layout);
          const dims = shape.map((_, d) => d).filter((d) => ((dimSeed >>> d) & 1) === 1);
          const reduceDims = dims.length === 0 ? shape.map((_, d) => d) : dims;
          const floating = floatTypes.includes(dtype);
          const s = sum(t, dims.length === 0 ? null : dims, { keepdim });
          const sumRef = ref.reduce(reduceDims, keepdim, (v) => v.reduce((x, y) => x + y, 0));
          const absRef = ref.reduce(reduceDims, keepdim, (v) => v.reduce((x, y) => x + Math.abs(y), 0));
          expect(s.shape).toEqual(dims.length === 0 && !keepdim ? [] : sumRef.shape);
          const got = await read(s);
          if (floating) {
            // Sums accumulate in float64 and round once to the dtype: one rounding of the result.
            const rel = dtype === 'float32' ? 2 ** -23 : dtype === 'float16' ? 2 ** -10 : 2 ** -7;
            got.forEach((g, i) => expect(Math.abs(g - sumRef.data[i]!)).toBeLessThanOrEqual(rel * absRef.data[i]! + 1e-6));
            const m = await read(mean(t, dims.length === 0 ? null : dims, { keepdim }));
            const counts = ref.reduce(reduceDims, keepdim, (v) => v.length);
            m.forEach((g, i) => expect(Math.abs(g - sumRef.data[i]! / counts.data[i]!)).toBeLessThanOrEqual((rel * absRef.data[i]!) / counts.data[i]! + 1e-6));
          } else {
            expect(got).toEqual(sumRef.data); // integer sums are exact (small values: no wrap)
          }
          const d = reduceDims[0]!;
          const mx = max(t, d, { keepdim });
          const mn = min(t, d, { keepdim });
          const argmaxIndex = (v: number[]) => v.indexOf(Math.max(...v));
          expect(await read(mx.values)).toEqual(ref.reduce([d], keepdim, (v) => Math.max(...v)).data); // exact
          expect(await read(mx.indices)).toEqual(ref.reduce([d], keepdim, argmaxIndex).data);
          expect(await read(mn.values)).toEqual(ref.reduce([d], keepdim, (v) => Math.min(...v)).data);
          expect(await read(mn.indices)).toEqual(ref.reduce([d], keepdim, (v) => v.indexOf(Math.min(...v))).data);
          expect(await read(argmax(t, d, { keepdim }))).toEqual(ref.reduce([d], keepdim, argmaxIndex).data);
          expect(await read(argmax(t))).toEqual([argmaxIndex(ref.data)]);
          expect(await read(max(t))).toEqual([Math.max(...ref.data)]);
          for (const x of [t, s, mx.values, mx.indices, mn.values, mn.indices]) x.free();
        }),
      { numRuns: 40 },
    );
  });

  test('NaN propagates through max and argmax points at the first NaN; sum of an empty dim is 0', async () => {
    const t = tensor([[1, NaN, 3], [4, 5, 6]]);
    expect(await read(max(t))).toEqual([NaN]);
    expect(await read(argmax(t, 1))).toEqual([1, 2]);
    expect(await read(sum(full([3, 0], 1, { dtype: 'float32' }), 1))).toEqual([0, 0, 0]);
  });
});

describe('matmul, bmm, linear', () => {
  // float32: k products of values in [-1, 1) accumulate in float32: error ~ k · 2^-24 · |terms|.
  // 16-bit: inputs are exact in the dtype; the one rounding at the end is worth 2^-11 / 2^-8.
  const rtol: Record<string, number> = { float32: 1e-5, float16: 2 ** -10, bfloat16: 2 ** -7 };

  test('random batched shapes with broadcasting, 1-d operands and transposed views, every floating dtype', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 0, max: 37 }),
        fc.constantFrom<number[][]>([[], []], [[3], []], [[], [2]], [[2, 1], [3]], [[1], [4]]), fc.constantFrom(...floatTypes), fc.boolean(), fc.integer(),
        async (m, n, k, [batchA, batchB], dtype, transposeB, seed) => {
          const a = operand([...batchA!, m, k], dtype, seed, 'contiguous');
          const b = operand([...batchB!, k, n], dtype, seed + 1, transposeB ? 'transposed' : 'contiguous');
          const out = matmul(a.t, b.t);
          const batch = broadcast(new Nd(batchA!, new Array(batchA!.reduce((x, y) => x * y, 1)).fill(0)), new Nd(batchB!, new Array(batchB!.reduce((x, y) => x * y, 1)).fill(0)), () => 0).shape;
          expect(out.shape).toEqual([...batch, m, n]);
          const got = await read(out);
          const expected: number[] = [];
          const bound: number[] = [];
          const nb = batch.reduce((x, y) => x * y, 1);
          for (let i = 0; i < nb; i++) {
            const index: number[] = [];
            let rest = i;
            for (let d = batch.length - 1; d >= 0; d--) { index.unshift(rest % batch[d]!); rest = Math.floor(rest / batch[d]!); }
            const pick = (ref: Nd, bshape: number[], rows: number, cols: number) => {
              const bi = index.slice(batch.length - bshape.length).map((x, d) => (bshape[d] === 1 ? 0 : x));
              return Nd.from([rows, cols], ([r, c]) => ref.get([...bi, r!, c!])).data;
            };
            const av = pick(a.ref, batchA!, m, k);
            const bv = pick(b.ref, batchB!, k, n);
            expected.push(...matmulReference(av, bv, m, n, k));
            bound.push(...matmulReference(av.map(Math.abs), bv.map(Math.abs), m, n, k));
          }
          got.forEach((g, i) => expect(Math.abs(g - expected[i]!)).toBeLessThanOrEqual(rtol[dtype]! * bound[i]! + 1e-6));
          for (const x of [a.t, b.t, out]) x.free();
        }),
      { numRuns: 30 },
    );
  });

  test('1-d rules: vector·vector is 0-d, matrix·vector drops the dim; bmm; linear adds the bias', async () => {
    const v = tensor([1, 2, 3]);
    const mtx = tensor([[1, 0, 2], [0, 1, 0]]);
    expect([matmul(v, v).shape, await read(matmul(v, v))]).toEqual([[], [14]]);
    expect(await read(matmul(mtx, v))).toEqual([7, 2]);
    expect(await read(matmul(tensor([1, 1]), mtx))).toEqual([1, 1, 2]);
    const batch = tensor([[[1, 2], [3, 4]], [[0, 1], [1, 0]]]);
    expect(await read(bmm(batch, batch))).toEqual([7, 10, 15, 22, 1, 0, 0, 1]);
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const w = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]);
    const y = linear(x, w, tensor([0.5, 0, 0, -1]));
    expect([y.shape, await read(y)]).toEqual([[2, 4], [1.5, 2, 3, 5, 4.5, 5, 6, 14]]);
    expect(await read(linear(x, w))).toEqual([1, 2, 3, 6, 4, 5, 6, 15]);
  });

  test("errors in PyTorch's words, before anything is queued", () => {
    const queue = runtime.device(0).currentQueue;
    const a = tensor(new Float32Array(6)).view(2, 3);
    const b = tensor(new Float32Array(20)).view(4, 5);
    const weight = tensor(new Float32Array(20)).view(5, 4);
    const [half, ints, scalar] = [a.to('bfloat16'), a.to('int32'), tensor(1)];
    const before = queue.enqueued;
    expect(() => matmul(a, b)).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
    expect(() => linear(a, weight)).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
    expect(() => matmul(a, half)).toThrow('expected mat1 and mat2 to have the same dtype, but got: float != c10::BFloat16');
    expect(() => matmul(ints, ints)).toThrow(`"addmm" not implemented for 'Int'`);
    expect(() => bmm(a, a)).toThrow('batch1 must be a 3D tensor');
    expect(() => matmul(scalar, a)).toThrow('both arguments to matmul need to be at least 1D, but they are 0D and 2D');
    expect(queue.enqueued).toBe(before);
  });
});

describe('softmax, logSoftmax, layerNorm, embeddingBag', () => {
  const softmaxRef = (v: number[]) => {
    const m = Math.max(...v);
    const e = v.map((x) => Math.exp(x - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((x) => x / s);
  };

  test('softmax and logSoftmax along every dim of a non-contiguous tensor, every floating dtype', async () => {
    // float32 tolerance 1e-6 (exp in float32, sums in float64); 16-bit: one output rounding.
    const tol: Record<string, number> = { float32: 1e-6, float16: 2 ** -10, bfloat16: 2 ** -7 };
    for (const dtype of floatTypes) {
      const { t, ref } = operand([3, 5, 4], dtype, 5, 'transposed');
      for (const dim of [0, 1, -1]) {
        const d = dim < 0 ? dim + 3 : dim;
        const expected = Nd.from(ref.shape, (index) => {
          const row = Array.from({ length: ref.shape[d]! }, (_, i) => ref.get(index.map((x, k) => (k === d ? i : x))));
          return softmaxRef(row)[index[d]!]!;
        });
        expect(worstError(await read(softmax(t, dim)), expected.data, tol[dtype]!, tol[dtype]!)).toBeLessThanOrEqual(1);
        expect(worstError(await read(logSoftmax(t, dim)), expected.data.map(Math.log), tol[dtype]! * 4, tol[dtype]!)).toBeLessThanOrEqual(1);
      }
    }
    expect(await read(softmax(tensor([1000, 1000]), 0))).toEqual([0.5, 0.5]); // max subtracted: no overflow
  });

  test('layerNorm over trailing dims with weight and bias, against the float64 definition', async () => {
    const { t, ref } = operand([4, 3, 5], 'float32', 9, 'sliced');
    const weight = new Nd([3, 5], randomValues(15, 1).map(Math.fround));
    const bias = new Nd([3, 5], randomValues(15, 2).map(Math.fround));
    const out = layerNorm(t, [3, 5], { weight: tensor(nested(weight)), bias: tensor(nested(bias)), eps: 1e-5 });
    const expected: number[] = [];
    for (let r = 0; r < 4; r++) {
      const row = ref.data.slice(r * 15, r * 15 + 15);
      const mu = row.reduce((x, y) => x + y, 0) / 15;
      const variance = row.reduce((x, y) => x + (y - mu) ** 2, 0) / 15;
      row.forEach((x, i) => expected.push(((x - mu) / Math.sqrt(variance + 1e-5)) * weight.data[i]! + bias.data[i]!));
    }
    expect(out.shape).toEqual([4, 3, 5]);
    expect(worstError(await read(out), expected, 1e-5, 1e-5)).toBeLessThanOrEqual(1); // float32 output rounding
    // bfloat16: the same definition on the bfloat16 values, one output rounding (2^-8 relative).
    const half = t.to('bfloat16');
    const halfRef = ref.data.map((x) => storeAs('bfloat16', x));
    const halfExpected: number[] = [];
    for (let r = 0; r < 4; r++) {
      const row = halfRef.slice(r * 15, r * 15 + 15);
      const mu = row.reduce((x, y) => x + y, 0) / 15;
      const variance = row.reduce((x, y) => x + (y - mu) ** 2, 0) / 15;
      row.forEach((x) => halfExpected.push((x - mu) / Math.sqrt(variance + 1e-5)));
    }
    expect(worstError(await read(layerNorm(half, [3, 5])), halfExpected, 2 ** -8, 2 ** -8)).toBeLessThanOrEqual(1);
    expect(() => layerNorm(t, [5, 3])).toThrow('Given normalized_shape=[5, 3], expected input with shape [*, 5, 3], but got input of size[4, 3, 5]');
  });

  test('embeddingBag sum and mean with offsets (empty bag included), 2-d input, and a strided weight', async () => {
    const weight = Nd.from([6, 4], ([i, j]) => i! * 10 + j! + 0.5);
    const w = tensor(nested(weight.permute([1, 0]))).transpose(0, 1); // strided [6, 4]
    const indices = tensor(new Int32Array([5, 0, 0, 3, 2]));
    const offsets = tensor(new Int32Array([0, 2, 2, 4]));
    const row = (i: number) => weight.data.slice(i * 4, i * 4 + 4);
    const sumRows = (rows: number[]) => [0, 1, 2, 3].map((j) => rows.reduce((s, i) => s + row(i)[j]!, 0));
    const bags = [[5, 0], [], [0, 3], [2]];
    expect(await read(embeddingBag(indices, w, offsets, { mode: 'sum' }))).toEqual(bags.flatMap(sumRows));
    expect(await read(embeddingBag(indices, w, offsets))).toEqual(bags.flatMap((b) => sumRows(b).map((x) => (b.length ? Math.fround(x / b.length) : 0))));
    const fixed = tensor(new Int32Array([1, 2, 3, 4])).view(2, 2);
    expect(await read(embeddingBag(fixed, w, null, { mode: 'sum' }))).toEqual([...sumRows([1, 2]), ...sumRows([3, 4])]);
  });

  test('an index out of range fails on the device, reported at the next wait, and writes nothing', async () => {
    const w = tensor([[1, 2], [3, 4]]);
    const out = embeddingBag(tensor(new Int32Array([0, 2])), w, tensor(new Int32Array([0])), { mode: 'sum' });
    await expect(out.toArray()).rejects.toThrow('index out of range in self');
    const bad = embeddingBag(tensor(new Int32Array([0, 1])), w, tensor(new Int32Array([1])), { mode: 'sum' });
    await expect(bad.toArray()).rejects.toThrow('embedding bag offsets must start at 0');
    expect(await read(w)).toEqual([1, 2, 3, 4]);
  });
});

describe("errors in PyTorch's words, each checked before anything is queued", () => {
  test('broadcasting, devices, refused dtype combinations, freed tensors', () => {
    const queue = runtime.device(0).currentQueue;
    const a = tensor([1, 2, 3]);
    const other = tensor([1, 2, 3], { device: 1 });
    const flags = tensor([true, false, true]);
    const ints = tensor(new Int32Array(3));
    const freed = tensor([1]);
    freed.free();
    const before = queue.enqueued;
    expect(() => add(a, tensor([1, 2, 3, 4]).view(4))).toThrow('The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0');
    expect(() => mul(a, other)).toThrow('Expected all tensors to be on the same device, but found at least two devices, mtia:0 and mtia:1!');
    expect(() => matmul(a, other)).toThrow('Expected all tensors to be on the same device, but found at least two devices, mtia:0 and mtia:1!');
    expect(() => sub(flags, flags)).toThrow('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
    expect(() => sub(a, flags)).toThrow('Subtraction, the `-` operator, with a bool tensor is not supported.');
    expect(() => neg(flags)).toThrow('Negation, the `-` operator, on a bool tensor is not supported.');
    expect(() => mean(ints)).toThrow('mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Int');
    expect(() => softmax(ints, 0)).toThrow(`"softmax" not implemented for 'Int'`);
    expect(() => where(a, a, a)).toThrow('where expected condition to be a boolean tensor, but got a tensor with dtype Float');
    expect(() => add(freed, a)).toThrow('add: the tensor was freed (free() or using) and cannot be used any more');
    expect(() => max(tensor([]).view(0))).toThrow("max(): Expected reduction dim to be specified for input.numel() == 0.");
    expect(() => sum(a, [0, 0])).toThrow('dim 0 appears multiple times in the list of dims');
    expect(queue.enqueued).toBe(before + 1); // tensor([]) only enqueues... nothing; the 4-element upload is 1
  });

  test('cpu tensors cannot mix with device tensors', async () => {
    const a = tensor([1, 2]);
    const host = await a.cpu();
    expect(String(host.device)).toBe('cpu');
    expect(() => add(a, host as never)).toThrow('Expected all tensors to be on the same device, but found at least two devices, mtia:0 and cpu!');
  });
});

describe("add's same-layout path (two contiguous tensors of one shape and dtype)", () => {
  test('values, 0-d tensors, int32 wrap-around and a fresh shape, as the general path gives them', async () => {
    const x = tensor([[1.5, -2.25, 3], [4, 5e30, -6]]);
    const y = tensor([[0.25, 2.25, -1], [1e-8, 5e30, 0.5]]);
    const out = add(x, y);
    expect([out.shape, out.dtype, out.strides]).toEqual([[2, 3], 'float32', [3, 1]]);
    expect(out.shape).not.toBe(x.shape);
    const reference = [1.75, 0, 2, Math.fround(4 + 1e-8), Math.fround(Math.fround(5e30) * 2), -5.5];
    expect(Array.from(await out.toArray())).toEqual(reference);
    // The same sums through the general path: a transposed (non-contiguous) view of each.
    const viaViews = add(x.transpose(0, 1), y.transpose(0, 1));
    expect(Array.from(await viaViews.transpose(0, 1).contiguous().toArray())).toEqual(reference);
    const ints = add(tensor(new Int32Array([2 ** 31 - 1, -5])), tensor(new Int32Array([1, 7])));
    expect([ints.dtype, Array.from(await ints.toArray())]).toEqual(['int32', [-(2 ** 31), 2]]);
    const scalar = add(tensor(2.5), tensor(1));
    expect([scalar.shape, Array.from(await scalar.toArray())]).toEqual([[], [3.5]]);
  });

  test('other devices, freed tensors and other dtypes get the general path and its errors', async () => {
    const a = tensor([1, 2, 3]);
    const other = tensor([1, 2, 3], { device: 1 });
    const freed = tensor([4, 5, 6]);
    freed.free();
    expect(() => add(a, other)).toThrow('Expected all tensors to be on the same device, but found at least two devices, mtia:0 and mtia:1!');
    expect(() => add(a, freed)).toThrow('add: the tensor was freed (free() or using) and cannot be used any more');
    expect(() => add(freed, a)).toThrow('add: the tensor was freed (free() or using) and cannot be used any more');
    const mixed = add(a, tensor(new Int32Array([1, 1, 1])));
    expect([mixed.dtype, Array.from(await mixed.toArray())]).toEqual(['float32', [2, 3, 4]]);
  });
});

describe('stream sanitizer', () => {
  test('tensor ops report their reads and writes: an unordered read on another stream throws before queueing', async () => {
    const a = tensor([1, 2, 3]);
    await mtia.synchronize();
    mtia.sanitizer.enable();
    try {
      const side = new mtia.Stream();
      const b = mtia.withStream(side, () => mul(a, 2));
      const queue = runtime.device(0).currentQueue;
      const before = queue.enqueued;
      expect(() => add(b, 1)).toThrow(mtia.StreamRaceError);
      expect(() => matmul(b.view(1, 3), b.view(3, 1))).toThrow('during matmul, reading from the tensor');
      expect(queue.enqueued).toBe(before);
      mtia.currentStream().waitStream(side);
      expect(await read(add(b, 1))).toEqual([3, 5, 7]);
    } finally {
      mtia.sanitizer.disable();
    }
  });
});

describe('device memory', () => {
  test('ops return every argument block, workspace and temporary: allocated bytes go back to the baseline', async () => {
    const allocator = runtime.device(0).allocator;
    await mtia.synchronize(0);
    const baseline = allocator.stats.allocated_bytes[0].current;
    {
      using x = fromNd(new Nd([10, 30], new Array(300).fill(1)), 'float32');
      using w = fromNd(new Nd([20, 30], new Array(600).fill(0.5)), 'float32');
      using y = linear(x, w);
      using shifted = add(y, 2.5);
      using half = shifted.to('bfloat16');
      using z = softmax(half, -1);
      using zt = z.transpose(0, 1);
      using s = sum(zt, 0);
      using part = s.slice(0, 2, 5);
      using picked = cat([s, part]);
      expect((await picked.toArray()).length).toBe(13);
    }
    await mtia.synchronize(0);
    expect(allocator.stats.allocated_bytes[0].current).toBe(baseline);
  });
});

describe('found in review', () => {
  test('float32 sums accumulate in f64 whatever the layout: [1e8, 1 × 8000] sums to 100008000', async () => {
    const values = new Float32Array(8001).fill(1);
    values[0] = 1e8;
    const t = tensor(values);
    const strided = t.slice(0, 0, 8001, 1);
    const wide = tensor(new Float32Array(2 * 8001)).slice(0, 0, 2 * 8001, 2); // a non-contiguous view
    wide.copy_(t);
    expect(Array.from(await sum(t).toArray())).toEqual([100008000]);
    expect(Array.from(await sum(strided).toArray())).toEqual([100008000]);
    expect(Array.from(await sum(wide).toArray())).toEqual([100008000]);
    expect(Array.from(await mean(t).toArray())[0]).toBeCloseTo(100008000 / 8001, 2);
  });

  test('layerNorm uses eps: [1, 2, 3] with eps = 1 is ±sqrt(3/5), and a constant row with eps = 0 is NaN', async () => {
    const out = await layerNorm(tensor([[1, 2, 3]]), [3], { eps: 1 }).toArray();
    const expected = [-Math.sqrt(0.6), 0, Math.sqrt(0.6)];
    out.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6)); // float32: 6 decimals
    const constant = await layerNorm(tensor([[5, 5, 5]]), [3], { eps: 0 }).toArray();
    expect(Array.from(constant).every(Number.isNaN)).toBe(true);
  });

  test('an op rejected after its output was allocated (9 dims that cannot be merged) leaves memory as it was', async () => {
    const shape = [2, 2, 2, 2, 2, 2, 2, 2, 2];
    const x = full(shape, 1, { dtype: 'float32' }).permute([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    await mtia.synchronize();
    const before = mtia.memoryAllocated();
    for (const op of [() => exp(x), () => add(x, x), () => sum(x, 0), () => softmax(x, 0), () => max(x, 0)]) {
      expect(op).toThrow('mtia-sim ops support at most 8 dims after merging contiguous ones, but got 9');
      await mtia.synchronize();
      expect(mtia.memoryAllocated()).toBe(before);
    }
  });
});

describe('fill values the dtype cannot hold', () => {
  test("full refuses them in PyTorch's words; in range they fill", async () => {
    expect(() => full([2], 1000, { dtype: 'int8' })).toThrow('value cannot be converted to type int8_t without overflow');
    expect(() => full([2], 70000, { dtype: 'float16' })).toThrow('value cannot be converted to type c10::Half without overflow');
    expect(Array.from(await full([2], -128, { dtype: 'int8' }).toArray())).toEqual([-128, -128]);
  });
});

describe('dims out of range', () => {
  test("size() and transpose() check their dims in PyTorch's words, 0-d tensors included", () => {
    const t = full([2, 3], 1, { dtype: 'float32' });
    expect([t.size(-1), t.size(0)]).toEqual([3, 2]);
    expect(() => t.size(5)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 5)');
    const scalar = tensor(1);
    expect(scalar.transpose(0, -1).shape).toEqual([]);
    expect(() => scalar.transpose(0, 5)).toThrow('Dimension out of range (expected to be in range of [-1, 0], but got 5)');
  });
});

describe('argument checks found in review', () => {
  test('a fractional alpha with integer operands is refused even when other is a number', () => {
    const ints = tensor(new Int32Array([1, 2]));
    expect(() => add(ints, 3, { alpha: 0.5 })).toThrow('For integral input tensors, argument alpha must not be a floating point number.');
    expect(() => sub(ints, 3, { alpha: 0.5 })).toThrow('For integral input tensors, argument alpha must not be a floating point number.');
  });

  test('mixing a cpu tensor with a tensor on mtia:1 names mtia:1', async () => {
    const onOne = tensor([1, 2], { device: 1 });
    const host = await onOne.cpu();
    expect(() => add(onOne, host as never)).toThrow('Expected all tensors to be on the same device, but found at least two devices, mtia:1 and cpu!');
  });
});
