// Tensor element types: names as in PyTorch, codes as in the core ABI (assembly/abi.ts), and
// PyTorch's type promotion (c10/core/ScalarType.h promoteTypes; at::native::result_type).

import {
  DTYPE_BFLOAT16, DTYPE_BOOL, DTYPE_FLOAT16, DTYPE_FLOAT32, DTYPE_INT32, DTYPE_INT8,
} from '../runtime/layout.js';
import { DTYPE_INT64 } from '../runtime/layout.js';

/** Element types of the tensor API. */
export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'int32' | 'bool' | 'int64';

/**
 * Host arrays that hold tensor values: Float32Array for float32, and for float16 and bfloat16
 * (their values, exactly: JavaScript has no 16-bit float array on Node 20), Int32Array,
 * Int8Array, and Uint8Array of 0/1 for bool. int64 values come in a BigInt64Array (HostArray).
 */
export type TypedArray = Float32Array | Int32Array | Int8Array | Uint8Array;

/** The host array of any dtype: a TypedArray, or a BigInt64Array (of bigints) for int64. */
export type HostArray = TypedArray | BigInt64Array;

/** The host array type of each dtype (see TypedArray). */
export interface HostArrays {
  float32: Float32Array;
  float16: Float32Array;
  bfloat16: Float32Array;
  int32: Int32Array;
  int8: Int8Array;
  bool: Uint8Array;
  int64: BigInt64Array;
}

type ArrayConstructor = Float32ArrayConstructor | Int32ArrayConstructor | Int8ArrayConstructor | Uint8ArrayConstructor | BigInt64ArrayConstructor;

/** What the host needs to know about a dtype. */
export interface DTypeInfo {
  /** Code in the core ABI. */
  readonly code: number;
  /** Bytes per element on the device. */
  readonly bytes: number;
  /** Host array type of its values (toArray, uploads). */
  readonly array: ArrayConstructor;
  /** bool < integer < floating: the categories of PyTorch's promotion rules. */
  readonly category: 0 | 1 | 2;
  /** c10::ScalarType name, as PyTorch's error messages print it ('Float', 'BFloat16', ...). */
  readonly scalarType: string;
  /** The C++ type name PyTorch's matmul dtype error prints ('float', 'c10::BFloat16', ...). */
  readonly cppType: string;
}

const dtypes: Record<DType, DTypeInfo> = {
  float32: { code: DTYPE_FLOAT32, bytes: 4, array: Float32Array, category: 2, scalarType: 'Float', cppType: 'float' },
  float16: { code: DTYPE_FLOAT16, bytes: 2, array: Float32Array, category: 2, scalarType: 'Half', cppType: 'c10::Half' },
  bfloat16: { code: DTYPE_BFLOAT16, bytes: 2, array: Float32Array, category: 2, scalarType: 'BFloat16', cppType: 'c10::BFloat16' },
  int8: { code: DTYPE_INT8, bytes: 1, array: Int8Array, category: 1, scalarType: 'Char', cppType: 'signed char' },
  int32: { code: DTYPE_INT32, bytes: 4, array: Int32Array, category: 1, scalarType: 'Int', cppType: 'int' },
  bool: { code: DTYPE_BOOL, bytes: 1, array: Uint8Array, category: 0, scalarType: 'Bool', cppType: 'bool' },
  int64: { code: DTYPE_INT64, bytes: 8, array: BigInt64Array, category: 1, scalarType: 'Long', cppType: 'int64_t' },
};

/** Every dtype name, in the order error messages list them. */
export const allDTypes: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int32', 'bool', 'int64'];

/** The dtypes by name, for dtypeInfo: a Map has no inherited keys to rule out, and every op looks names up. */
const dtypesByName = new Map<string, DTypeInfo>(Object.entries(dtypes));

/** The info of `dtype`; throws a TypeError for names that are not dtypes. */
export function dtypeInfo(dtype: unknown, argument = 'dtype'): DTypeInfo {
  const info = typeof dtype === 'string' ? dtypesByName.get(dtype) : undefined;
  if (info !== undefined) return info;
  throw new TypeError(`${argument} must be one of ${allDTypes.join(', ')}, but got: ${String(dtype)}`);
}

/** True for float32, float16 and bfloat16. */
export function isFloatingDType(dtype: DType): boolean {
  return dtypes[dtype].category === 2;
}

/** The dtype of values held in a typed array, or undefined for arrays that hold none. */
export function dtypeOfArray(array: ArrayBufferView): DType | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Int8Array) return 'int8';
  if (array instanceof BigInt64Array) return 'int64';
  return undefined;
}

/**
 * torch.promote_types for the seven dtypes: the smallest dtype both convert to safely. Mixed
 * float16 and bfloat16 meet at float32; an integer meets a float at the float; int64 meets
 * int8 and int32 at int64.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = dtypes[a].category;
  const cb = dtypes[b].category;
  if (ca !== cb) return ca > cb ? a : b;
  if (ca === 2) return a === 'float32' || b === 'float32' || a !== b ? 'float32' : a;
  return a === 'int64' || b === 'int64' ? 'int64' : 'int32'; // int8 with int32
}

/** An operand of a promoting op: a tensor's dtype and rank, or a JavaScript number or boolean. */
export type PromotionOperand = { readonly dtype: DType; readonly ndim: number } | number | boolean;

/** True for what resultType takes: a tensor (its dtype and ndim), a number or a boolean. */
function isPromotionOperand(value: unknown): value is PromotionOperand {
  if (typeof value === 'number' || typeof value === 'boolean') return true;
  return typeof value === 'object' && value !== null && typeof (value as { dtype?: unknown }).dtype === 'string'
    && typeof (value as { ndim?: unknown }).ndim === 'number';
}

/** How a bad resultType argument reads in its error. */
function describeOperand(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** at::native::combine_categories: a lower-priority result only counts if it is of a higher category. */
function combineCategories(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (isFloatingDType(higher)) return higher;
  if (higher === 'bool' || isFloatingDType(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * torch.result_type: dimensioned tensors decide first, then 0-d tensors, then JavaScript
 * numbers (a number only raises the category: int32 + 2.5 is float32, float16 + 2.5 stays
 * float16). Integer numbers count as int32 and others as float32 (PyTorch: int64, default dtype).
 */
export function resultType(tensor1: PromotionOperand, tensor2: PromotionOperand): DType;
/** The same over any number of operands (the library's ops call it so). */
export function resultType(operands: readonly PromotionOperand[]): DType;
export function resultType(first: PromotionOperand | readonly PromotionOperand[], second?: PromotionOperand): DType {
  const operands = Array.isArray(first) ? first as readonly PromotionOperand[] : [first as PromotionOperand, second!];
  if (!Array.isArray(first)) {
    // PyTorch's form, torch.result_type(tensor1, tensor2): exactly two tensors or numbers.
    for (const [name, operand] of [['tensor1', first], ['tensor2', second]] as const) {
      if (!isPromotionOperand(operand)) {
        throw new TypeError(`resultType(): argument '${name}' must be a Tensor, number or boolean, not ${describeOperand(operand)}`);
      }
    }
  }
  let dimensioned: DType | undefined;
  let zeroDim: DType | undefined;
  let wrapped: DType | undefined;
  const merge = (state: DType | undefined, dtype: DType) => (state === undefined ? dtype : promoteTypes(state, dtype));
  for (const operand of operands) {
    if (typeof operand === 'boolean') wrapped = merge(wrapped, 'bool');
    else if (typeof operand === 'number') wrapped = merge(wrapped, Number.isInteger(operand) ? 'int32' : 'float32');
    else if (operand.ndim > 0) dimensioned = merge(dimensioned, operand.dtype);
    else zeroDim = merge(zeroDim, operand.dtype);
  }
  return combineCategories(dimensioned, combineCategories(zeroDim, wrapped)) ?? 'float32';
}

/** A JavaScript number or boolean operand (PyTorch's "wrapped number"). */
export type Scalar = number | boolean;
