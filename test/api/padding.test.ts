// pad (torch.nn.functional.pad) through the built package: constant, reflect and replicate
// padding and negative-pad cropping per dtype, on strided inputs, against padReference
// (test/support/shape-ops-reference.ts); PyTorch's errors.

import { afterAll, describe, expect, test } from 'vitest';
import { mtia, pad, tensor } from 'mtia-sim';
import { Nd } from '../support/ndarray.js';
import { randomValues, storeAs } from '../support/reference.js';
import { padReference } from '../support/shape-ops-reference.js';

afterAll(() => mtia.shutdown());

describe('pad', () => {
  test.each(['float32', 'float16', 'bfloat16', 'int32', 'int8', 'bool'] as const)('constant, reflect, replicate and cropping of a transposed %s tensor equal the reference exactly', async (dtype) => {
    const shape = [2, 3, 5, 4];
    const data = randomValues(120, 11, -50, 50).map((v) => storeAs(dtype, dtype === 'int32' || dtype === 'int8' ? Math.round(v) : v));
    // The device input is the transpose of dims 2, 3 of a contiguous [2, 3, 4, 5]: strided.
    const stored = new Nd([2, 3, 5, 4], data).permute([0, 1, 3, 2]);
    const x = tensor(stored.data, { dtype }).view(2, 3, 4, 5).transpose(2, 3);
    const reference = new Nd(shape, data);
    const cases: [number[], 'constant' | 'reflect' | 'replicate', number | undefined][] = [
      [[1, 2], 'constant', 7], [[2, 0, 1, 3], 'constant', undefined], [[-1, 2, 0, -2, 1, 1], 'constant', -1],
      [[3, 2, 0, 0], 'reflect', undefined], [[1, 1, 2, 2, 1, 2], 'reflect', undefined], [[1, 3, 2, 4], 'reflect', undefined], [[2, 3, 4, 1], 'replicate', undefined],
      [[0, 0, 0, 0, 1, 1, 0, 1], 'constant', 0],
    ];
    for (const [list, mode, value] of cases) {
      if (dtype === 'bool' && mode !== 'constant') continue;
      const out = pad(x, list, { mode, ...(value === undefined ? {} : { value }) });
      const expected = padReference(reference, list, mode, storeAs(dtype, value ?? 0));
      expect([out.dtype, out.shape]).toEqual([dtype, expected.shape]);
      expect({ list, mode, values: Array.from(await out.toArray()) }).toEqual({ list, mode, values: expected.data });
    }
  });

  test('a crop to nothing gives an empty tensor; a pad of an empty tensor is the constant', async () => {
    const x = tensor([1, 2, 3]);
    expect(pad(x, [-2, -1]).shape).toEqual([0]);
    const empty = pad(tensor([], { dtype: 'float32' }), [1, 2], { value: 5 });
    expect(Array.from(await empty.toArray())).toEqual([5, 5, 5]);
  });

  test("bad pads, modes and values are refused in PyTorch's words", () => {
    const x = tensor(randomValues(12, 1)).view(1, 3, 4);
    expect(() => pad(x, [1])).toThrow('Padding length must be divisible by 2');
    expect(() => pad(x, [1, 1, 1, 1, 1, 1, 1, 1])).toThrow('Padding length should be less than or equal to two times the input dimension but got padding length 8 and input of dimension 3');
    expect(() => pad(x, [-3, -2])).toThrow('The input size 4, plus negative padding -3 and -2 resulted in a negative output size, which is invalid. Check dimension 2 of your input.');
    expect(() => pad(x, [4, 0], { mode: 'reflect' })).toThrow('Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at dimension 2 of input [1, 3, 4]');
    expect(() => pad(x, [0, 0, 1, 3], { mode: 'reflect' })).toThrow('Argument #6: Padding size should be less than the corresponding input dimension, but got: padding (1, 3) at dimension 1 of input [1, 3, 4]');
    expect(() => pad(x, [1, 1], { mode: 'replicate', value: 2 })).toThrow('Padding mode "replicate" doesn\'t take in value argument');
    expect(() => pad(x, [1, 1, 1, 1, 1, 1], { mode: 'reflect' })).toThrow('Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
    expect(() => pad(x, [1, 1], { mode: 'circular' as never })).toThrow("pad(): mode must be one of 'constant', 'reflect', 'replicate', but got: 'circular'");
    expect(() => pad(x, [1, 1], { mdoe: 'reflect' } as never)).toThrow("pad() got an unexpected keyword argument 'mdoe' (did you mean 'mode'?)");
    expect(() => pad(x, [1.5, 1])).toThrow("pad(): argument 'pad' must be a list of integers, but got: [1.5, 1]");
  });
});
