// resultType in PyTorch's form, torch.result_type(tensor1, tensor2), as imported from the
// package. Expected dtypes are PyTorch's (docs: "Type promotion"; torch 2.x), with its default
// dtype float32: a number only raises the category, 0-d tensors count below dimensioned ones.

import { describe, expect, test } from 'vitest';
import { resultType, tensor } from 'mtia-sim';

describe('resultType(tensor1, tensor2)', () => {
  const int32 = tensor([1, 2], { dtype: 'int32' });
  const float16 = tensor([1, 2], { dtype: 'float16' });

  test('takes a tensor and a number, as torch.result_type(t, 2.5) does', () => {
    expect(resultType(int32, 2.5)).toBe('float32');
    expect(resultType(int32, 2)).toBe('int32');
    expect(resultType(float16, 2.5)).toBe('float16');
    expect(resultType(2.5, int32)).toBe('float32');
    expect(resultType(2, 3)).toBe('int32');
    expect(resultType(true, int32)).toBe('int32');
  });

  test('takes two tensors: a 0-d tensor only raises the category of a dimensioned one', () => {
    expect(resultType(tensor(1.5), int32)).toBe('float32');
    expect(resultType(tensor(1, { dtype: 'int32' }), tensor([1], { dtype: 'int8' }))).toBe('int8');
    expect(resultType(float16, tensor([1], { dtype: 'float32' }))).toBe('float32');
  });

  test('still takes a list of operands, which the library itself passes', () => {
    expect(resultType([int32, 2.5])).toBe('float32');
    expect(resultType([int32, float16, 1])).toBe('float16');
  });

  test('a missing or wrong operand is a TypeError naming it', () => {
    expect(() => (resultType as (a: unknown) => unknown)(int32)).toThrow(
      new TypeError("resultType(): argument 'tensor2' must be a Tensor, number or boolean, not undefined"));
    expect(() => resultType('x' as never, int32)).toThrow(
      new TypeError("resultType(): argument 'tensor1' must be a Tensor, number or boolean, not string"));
  });
});
