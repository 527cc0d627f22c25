// The elementwise ops of issue 19 through the built package: erf, abs, reciprocal, pow,
// leakyRelu, hardSigmoid, hardSwish, logicalNot, the comparisons and the logical ops, per
// dtype, against float64 references (test/support/reference.ts), with PyTorch's errors.

import { afterAll, describe, expect, test } from 'vitest';
import {
  abs, eq, erf, ge, gt, hardSigmoid, hardSwish, le, leakyRelu, logicalAnd, logicalNot, logicalOr, logicalXor, lt, mtia,
  ne, pow, reciprocal, tensor,
} from 'mtia-sim';
import type { Tensor } from 'mtia-sim';
import { erf as erfReference, randomValues, storeAs, worstError } from '../support/reference.js';

afterAll(() => mtia.shutdown());

const floatTypes = ['float32', 'float16', 'bfloat16'] as const;
/** Relative rounding error of one store in each dtype: float32 2^-24, float16 2^-11, bfloat16 2^-8. */
const unitRoundoff = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 } as const;

/** Values of `x` as they read back from the device. */
const values = async (x: Tensor) => Array.from(await x.toArray());

describe('unary activations', () => {
  test('erf in float32 is within 1e-6 relative of a float64 series, from 1e-6 to 6 and its negatives', async () => {
    const inputs = [0, 1e-6, -1e-6, 1e-3, 0.1, -0.3, 0.5, 1, -1.5, 2, 2.9, 3, -3.1, 4, 6, -Infinity, Infinity,
      ...randomValues(200, 7, -4, 4)].map(Math.fround);
    const out = await values(erf(tensor(Float32Array.from(inputs))));
    // Tolerance: 1e-6 relative (the result is stored in float32, 6e-8 of it is the rounding).
    expect(worstError(out, inputs.map(erfReference), 1e-30, 1e-6)).toBeLessThanOrEqual(1);
    expect(Number.isNaN((await values(erf(tensor([NaN]))))[0])).toBe(true);
  });

  test.each(['float16', 'bfloat16'] as const)('erf in %s is the float64 erf rounded once (within 1 unit of roundoff)', async (dtype) => {
    const inputs = [...randomValues(100, 9, -4, 4), 0, 1e-3, -0.7].map((v) => storeAs(dtype, v));
    const out = erf(tensor(inputs, { dtype }));
    expect(out.dtype).toBe(dtype);
    // Tolerance: erf in float32 (1e-6) then one rounding into dtype: 1 unit of its roundoff, plus the float32 part.
    expect(worstError(Array.from(await out.toArray()), inputs.map(erfReference), 1e-30, unitRoundoff[dtype] + 1e-6)).toBeLessThanOrEqual(1);
  });

  test.each(floatTypes)('abs, reciprocal, leakyRelu, hardSigmoid, hardSwish in %s match float64 references rounded once', async (dtype) => {
    const inputs = [...randomValues(97, 3, -5, 5), -3, 3, 0, -0.5, 1e-3].map((v) => storeAs(dtype, v));
    const x = tensor(inputs, { dtype });
    const hardSigmoidRef = (v: number) => Math.min(Math.max(v / 6 + 0.5, 0), 1);
    const cases: [Tensor, (v: number) => number][] = [
      [abs(x), Math.abs],
      [reciprocal(x), (v) => 1 / v],
      [leakyRelu(x), (v) => (v > 0 ? v : 0.01 * v)],
      [leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v)],
      [hardSigmoid(x), hardSigmoidRef],
      // alpha and beta travel as float32.
      [hardSigmoid(x, { alpha: 0.2, beta: 0.4 }), (v) => Math.min(Math.max(Math.fround(0.2) * v + Math.fround(0.4), 0), 1)],
      [hardSwish(x), (v) => v * Math.min(Math.max(v + 3, 0), 6) / 6],
    ];
    for (const [out, reference] of cases) {
      expect(out.dtype).toBe(dtype);
      // Tolerance: the float32 computation and one rounding into dtype: 2 units of dtype's roundoff.
      expect(worstError(await values(out), inputs.map(reference), 1e-30, 2 * unitRoundoff[dtype])).toBeLessThanOrEqual(1);
    }
  });

  test('integer inputs: abs keeps int32, erf and reciprocal give float32, logicalNot gives bool', async () => {
    const x = tensor([-3, 0, 7, -2147483647], { dtype: 'int32' });
    expect([abs(x).dtype, erf(x).dtype, reciprocal(x).dtype, logicalNot(x).dtype]).toEqual(['int32', 'float32', 'float32', 'bool']);
    expect(await values(abs(x))).toEqual([3, 0, 7, 2147483647]);
    expect(await values(reciprocal(x))).toEqual([-1 / 3, Infinity, 1 / 7, -1 / 2147483647].map(Math.fround));
    expect(await values(logicalNot(x))).toEqual([0, 1, 0, 0]);
    expect(await values(logicalNot(tensor([NaN, 0, -0, 2])))).toEqual([0, 1, 1, 0]);
  });

  test('NaN propagates through leakyRelu, hardSigmoid and hardSwish, as in PyTorch', async () => {
    const x = tensor([NaN]);
    for (const out of [leakyRelu(x), hardSigmoid(x), hardSwish(x), abs(x), reciprocal(x)]) expect(Number.isNaN((await values(out))[0])).toBe(true);
  });

  test('floating-only activations refuse integer tensors; misspelled options and bad slopes are refused', () => {
    const x = tensor([1, 2], { dtype: 'int32' });
    expect(() => leakyRelu(x)).toThrow(`"leaky_relu" not implemented for 'Int' (in leaky_relu)`);
    expect(() => hardSigmoid(x)).toThrow(`"hardsigmoid" not implemented for 'Int'`);
    expect(() => hardSwish(x)).toThrow(`"hardswish" not implemented for 'Int'`);
    expect(() => hardSigmoid(tensor([1]), { alpa: 0.2 } as never)).toThrow("hardSigmoid() got an unexpected keyword argument 'alpa' (did you mean 'alpha'?)");
    expect(() => leakyRelu(tensor([1]), '0.1' as never)).toThrow("leaky_relu(): argument 'negative_slope' must be Number, not '0.1'");
  });
});

describe('pow', () => {
  test.each(floatTypes)('a %s tensor to a tensor exponent, broadcasting, and to a number exponent', async (dtype) => {
    const base = randomValues(12, 5, 0.1, 3).map((v) => storeAs(dtype, v));
    const exponent = [-1.5, 0, 0.5, 2].map((v) => storeAs(dtype, v));
    const out = pow(tensor(base, { dtype }).view(3, 4), tensor(exponent, { dtype }));
    expect([out.dtype, out.shape]).toEqual([dtype, [3, 4]]);
    const expected = base.map((b, i) => b ** exponent[i % 4]!);
    // Tolerance: f32 pow (≤ 1 ulp) then one rounding into dtype: 2 units of roundoff.
    expect(worstError(await values(out), expected, 1e-30, 2 * unitRoundoff[dtype])).toBeLessThanOrEqual(1);
    expect(worstError(await values(pow(tensor(base, { dtype }), 3)), base.map((b) => b ** 3), 1e-30, 2 * unitRoundoff[dtype])).toBeLessThanOrEqual(1);
    expect(worstError(await values(pow(2, tensor(exponent, { dtype }))), exponent.map((e) => 2 ** e), 1e-30, 2 * unitRoundoff[dtype])).toBeLessThanOrEqual(1);
  });

  test('int32 pow wraps and follows powi for negative tensor exponents; a float exponent promotes to float32', async () => {
    const x = tensor([2, -3, 1, -1, 5, 0], { dtype: 'int32' });
    const e = tensor([10, 3, -4, -3, -1, 0], { dtype: 'int32' });
    const out = pow(x, e);
    expect(out.dtype).toBe('int32');
    expect(await values(out)).toEqual([1024, -27, 1, -1, 0, 1]);
    expect(await values(pow(tensor([3], { dtype: 'int32' }), 21))).toEqual([Number(BigInt.asIntN(32, 3n ** 21n))]);
    const half = pow(tensor([4, 9], { dtype: 'int32' }), 0.5);
    expect([half.dtype, await values(half)]).toEqual(['float32', [2, 3]]);
    expect(() => pow(tensor([2], { dtype: 'int32' }), -2)).toThrow('Integers to negative integer powers are not allowed.');
  });
});

describe('comparisons and logical ops', () => {
  const ops = { eq, ne, lt, le, gt, ge } as const;
  const reference = {
    eq: (a: number, b: number) => a === b, ne: (a: number, b: number) => a !== b, lt: (a: number, b: number) => a < b,
    le: (a: number, b: number) => a <= b, gt: (a: number, b: number) => a > b, ge: (a: number, b: number) => a >= b,
  } as const;

  test.each([...floatTypes, 'int32'] as const)('each comparison of %s tensors, broadcasting (3, 1) against (4), is bool and right, NaN included', async (dtype) => {
    const floating = dtype !== 'int32';
    const a = floating ? [1, NaN, -2] : [1, 7, -2];
    const b = floating ? [1, 2, NaN, -2] : [1, 2, 7, -2];
    for (const [name, op] of Object.entries(ops)) {
      const out = op(tensor(a, { dtype }).view(3, 1), tensor(b, { dtype }));
      expect([out.dtype, out.shape]).toEqual(['bool', [3, 4]]);
      const expected = a.flatMap((x) => b.map((y) => (reference[name as keyof typeof reference](x, y) ? 1 : 0)));
      expect({ name, values: await values(out) }).toEqual({ name, values: expected });
    }
  });

  test('a number operand is rounded to the promoted dtype first; an int tensor with a fractional number compares in float32', async () => {
    const tenth = tensor([0.1], { dtype: 'float16' });
    expect(await values(eq(tenth, 0.1))).toEqual([1]); // float16(0.1) == float16(0.1)
    expect(await values(eq(tensor([0.1]), 0.1))).toEqual([1]);
    expect(await values(lt(tensor([2, 3], { dtype: 'int32' }), 2.5))).toEqual([1, 0]);
    expect(await values(gt(2, tensor([1, 2, 3], { dtype: 'int32' })))).toEqual([1, 0, 0]);
    expect(await values(eq(tensor([true, false]), true))).toEqual([1, 0]);
    expect(await values(ne(tensor([16777217], { dtype: 'int32' }), tensor([16777216], { dtype: 'int32' })))).toEqual([1]);
  });

  test('logicalAnd, logicalOr, logicalXor treat non-zero (NaN included) as true', async () => {
    const a = tensor([0, 1, NaN, 0, -2]);
    const b = tensor([0, 0, 3, 5, 1], { dtype: 'int32' });
    expect(await values(logicalAnd(a, b))).toEqual([0, 0, 1, 0, 1]);
    expect(await values(logicalOr(a, b))).toEqual([0, 1, 1, 1, 1]);
    expect(await values(logicalXor(a, b))).toEqual([0, 1, 0, 1, 0]);
    expect(logicalXor(a, b).dtype).toBe('bool');
  });

  test('bad operands are refused in PyTorch\'s words', () => {
    expect(() => eq(1, 2)).toThrow('eq(): at least one argument must be a Tensor');
    expect(() => lt(tensor([1]), 'x' as never)).toThrow("lt(): argument 'other' must be a Tensor, but got: string");
    expect(() => eq(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/size of tensor a \(2\) must match the size of tensor b \(3\)/);
  });
});
