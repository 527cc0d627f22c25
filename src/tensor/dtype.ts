// Tensor element types: names as in PyTorch, codes as in the core ABI (assembly/abi.ts).

import { ValueError } from '../errors.js';
import { DTYPE_FLOAT32, DTYPE_INT32 } from '../runtime/layout.js';

/** Element types of the tensor API. */
export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'int32' | 'bool';

/** Host arrays that hold tensor data. */
export type TypedArray = Float32Array | Int32Array;

/** What the host needs to know about a dtype. */
export interface DTypeInfo {
  /** Code in the core ABI. */
  readonly code: number;
  readonly bytes: number;
  /** Host array type that holds its values. */
  readonly array: Float32ArrayConstructor | Int32ArrayConstructor;
}

/** The dtypes that have device kernels so far. */
const dtypes: Partial<Record<DType, DTypeInfo>> = {
  float32: { code: DTYPE_FLOAT32, bytes: 4, array: Float32Array },
  int32: { code: DTYPE_INT32, bytes: 4, array: Int32Array },
};

const allDTypes: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int32', 'bool'];

/** The info of `dtype`; throws for names that are not dtypes or have no kernels yet. */
export function dtypeInfo(dtype: unknown, argument = 'dtype'): DTypeInfo {
  const info = typeof dtype === 'string' ? dtypes[dtype as DType] : undefined;
  if (info !== undefined) return info;
  if (allDTypes.includes(dtype as DType)) {
    throw new ValueError(
      `${argument} '${dtype}' has no device kernels yet in mtia-sim; supported: ${Object.keys(dtypes).join(', ')}`,
    );
  }
  throw new TypeError(`${argument} must be one of ${allDTypes.join(', ')}, but got: ${String(dtype)}`);
}

/** The dtype of values held in `array`. */
export function dtypeOfArray(array: ArrayBufferView): DType | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Int32Array) return 'int32';
  return undefined;
}
