// cumsum (torch.cumsum, with ONNX CumSum's exclusive and reverse) through the built package,
// per dtype and dim, on strided inputs, against cumsumReference (float64).

import { afterAll, describe, expect, test } from 'vitest';
import { cumsum, mtia, tensor } from 'mtia-sim';
import { Nd } from '../support/ndarray.js';
import { randomValues, storeAs, worstError } from '../support/reference.js';
import { cumsumReference } from '../support/shape-ops-reference.js';

afterAll(() => mtia.shutdown());

/** Relative rounding error of one store: float32 2^-24, float16 2^-11, bfloat16 2^-8. */
const unitRoundoff = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 } as const;

describe('cumsum', () => {
  test.each(['float32', 'float16', 'bfloat16'] as const)('along every dim of a transposed %s tensor, inclusive, exclusive, reversed', async (dtype) => {
    const data = randomValues(3 * 4 * 37, 21, -2, 2).map((v) => storeAs(dtype, v));
    const reference = new Nd([3, 37, 4], data);
    // The device tensor is a transposed view of a contiguous [3, 4, 37].
    const x = tensor(reference.permute([0, 2, 1]).data, { dtype }).view(3, 4, 37).transpose(1, 2);
    for (const dim of [0, 1, 2, -1]) {
      for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const out = cumsum(x, dim, { exclusive, reverse });
        const expected = cumsumReference(reference, (dim + 3) % 3, exclusive, reverse);
        expect([out.dtype, out.shape]).toEqual([dtype, [3, 37, 4]]);
        // Tolerance: each prefix is summed in f64 and rounded once into dtype; the prefix of up
        // to 37 terms in [-2, 2) may cancel, so 1 unit of roundoff relative plus of the sum of |x| (≤ 74).
        const error = worstError(await out.toArray(), expected.data, 74 * unitRoundoff[dtype], unitRoundoff[dtype]);
        expect({ dim, exclusive, reverse, error: error <= 1 }).toEqual({ dim, exclusive, reverse, error: true });
      }
    }
  });

  test('int32, int8 and bool inputs sum in wrapping int32; a 0-d tensor is its own sum', async () => {
    const x = tensor([2147483647, 1, -5, 3], { dtype: 'int32' });
    const out = cumsum(x, 0);
    expect([out.dtype, Array.from(await out.toArray())]).toEqual(['int32', [2147483647, -2147483648, 2147483643, 2147483646]]);
    expect(Array.from(await cumsum(tensor([100, 100, -7], { dtype: 'int8' }), 0).toArray())).toEqual([100, 200, 193]);
    expect(Array.from(await cumsum(tensor([true, false, true]), 0, { reverse: true }).toArray())).toEqual([2, 1, 1]);
    const scalar = cumsum(tensor(2.5), 0);
    expect([scalar.shape, Array.from(await scalar.toArray())]).toEqual([[], [2.5]]);
    expect(Array.from(await cumsum(tensor([1, NaN, 2]), 0).toArray())).toEqual([1, NaN, NaN]);
  });

  test('bad dims and options are refused', () => {
    const x = tensor([1, 2, 3]);
    expect(() => cumsum(x, 1)).toThrow('Dimension out of range (expected to be in range of [-1, 0], but got 1)');
    expect(() => cumsum(x, 0, { exclusiv: true } as never)).toThrow("cumsum() got an unexpected keyword argument 'exclusiv' (did you mean 'exclusive'?)");
    expect(() => cumsum(x, 0, { reverse: 1 } as never)).toThrow('cumsum(): reverse must be a boolean, but got: 1');
  });
});
