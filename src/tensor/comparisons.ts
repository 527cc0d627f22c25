// Comparisons (torch.eq ... torch.ge) and logical ops (torch.logical_and, _or, _xor): bool
// results of two operands with broadcasting (assembly/ops/elementwise.ts, OP_BINARY). A
// comparison computes in the operands' promoted dtype, as PyTorch's TensorIterator does: a
// number operand is first rounded to it (float16 x == 0.1 compares with float16(0.1)), then
// both are compared in float32 (floating) or int32; NaN compares unequal to everything.

import {
  BINARY_EQ, BINARY_GE, BINARY_GT, BINARY_LE, BINARY_LOGICAL_AND, BINARY_LOGICAL_OR, BINARY_LOGICAL_XOR,
  BINARY_LT, BINARY_NE, OP_BINARY,
} from '../runtime/layout.js';
import { isFloatingDType, type DType } from './dtype.js';
import { allocateTensor, binaryOperands, filling, launchElementwise, type Operand, type Scalar } from './ops.js';
import type { Tensor } from './tensor.js';

/** The nearest value of `dtype` to `value` (round to nearest even; past the largest finite, ±Infinity). */
export function roundToDType(value: number, dtype: DType): number {
  if (dtype === 'float32') return Math.fround(value);
  if (dtype !== 'float16' && dtype !== 'bfloat16') return value;
  if (!Number.isFinite(value) || value === 0) return value;
  const [mantissaBits, minExponent, largest] = dtype === 'float16' ? [10, -14, 65504] : [7, -126, 3.3895313892515355e38];
  const magnitude = Math.abs(value);
  const ulp = 2 ** (Math.max(Math.floor(Math.log2(magnitude)), minExponent) - mantissaBits);
  const units = magnitude / ulp;
  let rounded = Math.round(units);
  if (rounded - units === 0.5 && rounded % 2 === 1) rounded -= 1; // ties to even
  const result = rounded * ulp;
  return Math.sign(value) * (result > largest ? Infinity : result);
}

/** Enqueues comparison or logical `kind` (op name `op`) of two operands into a new bool tensor. */
function compare(op: string, kind: number, input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  const operands = binaryOperands(op, input, other);
  const floating = isFloatingDType(operands.dtype);
  const round = (operand: Operand): Operand => ('scalar' in operand ? { scalar: roundToDType(operand.scalar, operands.dtype) } : operand);
  const out = allocateTensor(operands.device, operands.shape, 'bool');
  filling([out], () =>
    launchElementwise(op, OP_BINARY, kind, out, [round(operands.a), round(operands.b)], (args) => args.param(3, floating ? 1 : 0), floating));
  return out;
}

/** input == other, elementwise with broadcasting (torch.eq); bool. */
export function eq(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('eq', BINARY_EQ, input, other);
}

/** input != other (torch.ne); bool; NaN != anything is true. */
export function ne(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('ne', BINARY_NE, input, other);
}

/** input < other (torch.lt); bool. */
export function lt(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('lt', BINARY_LT, input, other);
}

/** input <= other (torch.le); bool. */
export function le(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('le', BINARY_LE, input, other);
}

/** input > other (torch.gt); bool. */
export function gt(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('gt', BINARY_GT, input, other);
}

/** input >= other (torch.ge); bool. */
export function ge(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('ge', BINARY_GE, input, other);
}

/** Both operands non-zero (torch.logical_and); bool. */
export function logicalAnd(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('logical_and', BINARY_LOGICAL_AND, input, other);
}

/** Either operand non-zero (torch.logical_or); bool. */
export function logicalOr(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('logical_or', BINARY_LOGICAL_OR, input, other);
}

/** Exactly one operand non-zero (torch.logical_xor); bool. */
export function logicalXor(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return compare('logical_xor', BINARY_LOGICAL_XOR, input, other);
}
