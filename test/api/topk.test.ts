// topk (torch.topk) through the built package: largest and smallest, every dim, strided
// inputs, per dtype, ties and NaN ordered as torch's sorted results, against topkReference.

import { afterAll, describe, expect, test } from 'vitest';
import { mtia, tensor, topk } from 'mtia-sim';
import { Nd } from '../support/ndarray.js';
import { randomValues, storeAs } from '../support/reference.js';
import { topkReference } from '../support/shape-ops-reference.js';

afterAll(() => mtia.shutdown());

describe('topk', () => {
  test.each(['float32', 'float16', 'bfloat16', 'int32', 'int8'] as const)('the k largest and smallest along every dim of a transposed %s tensor, with ties', async (dtype) => {
    // Values on a coarse grid so that ties are common.
    const data = randomValues(5 * 6 * 23, 31, -8, 8).map((v) => storeAs(dtype, Math.round(v * 2) / 2));
    const reference = new Nd([5, 23, 6], data);
    const x = tensor(reference.permute([0, 2, 1]).data, { dtype }).view(5, 6, 23).transpose(1, 2);
    for (const [dim, k] of [[-1, 3], [1, 23], [1, 7], [0, 1], [0, 5], [2, 0]] as const) {
      for (const largest of [true, false]) {
        const { values, indices } = topk(x, k, { dim, largest });
        const expected = topkReference(reference, k, (dim + 3) % 3, largest);
        expect([values.dtype, indices.dtype, values.shape, indices.shape]).toEqual([dtype, 'int32', expected.values.shape, expected.values.shape]);
        expect({ dim, k, largest, values: Array.from(await values.toArray()), indices: Array.from(await indices.toArray()) })
          .toEqual({ dim, k, largest, values: expected.values.data, indices: expected.indices.data });
      }
    }
  });

  test('NaN ranks above every number: first among the largest, last among the smallest', async () => {
    const x = tensor([1, NaN, 3, -Infinity, NaN, 3]);
    const top = topk(x, 4);
    expect([Array.from(await top.values.toArray()), Array.from(await top.indices.toArray())]).toEqual([[NaN, NaN, 3, 3], [1, 4, 2, 5]]);
    const bottom = topk(x, 5, { largest: false });
    expect([Array.from(await bottom.values.toArray()), Array.from(await bottom.indices.toArray())]).toEqual([[-Infinity, 1, 3, 3, NaN], [3, 0, 2, 5, 1]]);
  });

  test("k out of range, bool inputs and misspelled options are refused in PyTorch's words", () => {
    const x = tensor([1, 2, 3]);
    expect(() => topk(x, 4)).toThrow('selected index k out of range');
    expect(() => topk(x, -1)).toThrow('selected index k out of range');
    expect(() => topk(tensor([true]), 1)).toThrow(`"topk_cpu" not implemented for 'Bool'`);
    expect(() => topk(x, 1, { larget: false } as never)).toThrow("topk() got an unexpected keyword argument 'larget' (did you mean 'largest'?)");
    expect(() => topk(x, 1.5)).toThrow("topk(): argument 'k' must be int, not 1.5");
  });
});
