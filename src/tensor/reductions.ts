// Reductions (torch.sum, mean, max, min, argmax) over some dims, with keepdim. The host moves
// the reduced dims behind the kept ones (a stride permutation, no copy) and the device reduces
// each trailing block (assembly/ops/reduce.ts). PyTorch's int64 results (integer sums,
// indices) are int32 here: mtia-sim has no int64 arithmetic (int64 inputs are refused).

import { MtiaError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import {
  OP_REDUCE, REDUCE_ARGMAX, REDUCE_MAX, REDUCE_MEAN, REDUCE_MIN, REDUCE_SUM,
} from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType, type DType } from './dtype.js';
import { addressOf, argsBlock, checkTensor, coalesce } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { contiguousStrides, wrapDim } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

/** The keepdim option of reduction `op`, checked (a misspelled option is an error). */
function keepdimOf(op: string, options: ReduceOptions | undefined): boolean {
  const keepdim = checkOptions(op, options, ['keepdim'])?.keepdim ?? false;
  if (typeof keepdim !== 'boolean') throw new TypeError(`${op}(): keepdim must be a boolean, but got: ${describeValue(keepdim)}`);
  return keepdim;
}

/** What max and min along a dim return (PyTorch's namedtuple (values, indices)); indices are int32. */
export interface ValuesIndices {
  readonly values: Tensor;
  readonly indices: Tensor;
}

/** The sorted, wrapped, distinct dims `dim` names (all dims when null or undefined). */
function reducedDims(input: Tensor, dim: number | readonly number[] | null | undefined): number[] {
  if (dim === undefined || dim === null) return input.shape.map((_, d) => d);
  const list = typeof dim === 'number' ? [dim] : [...dim];
  const wrapped = list.map((d) => wrapDim(d, input.ndim));
  for (let i = 0; i < wrapped.length; i++) {
    if (wrapped.indexOf(wrapped[i]!) !== i) throw new MtiaError(`dim ${wrapped[i]} appears multiple times in the list of dims`);
  }
  // A 0-d tensor reduces over its one implicit dim: nothing to permute.
  return wrapped.filter((d) => d < input.ndim).sort((a, b) => a - b);
}

/** Enqueues one OP_REDUCE of `input` over `dims` into a new tensor of `dtype`; `indices` receives max/min positions. */
function launchReduce(input: Tensor, dims: readonly number[], kind: number, dtype: DType, keepdim: boolean, withIndices: boolean): { out: Tensor; indices?: Tensor } {
  const device = input.storage.device;
  const kept = input.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const outShape = keepdim ? input.shape.map((size, d) => (dims.includes(d) ? 1 : size)) : kept.map((d) => input.shape[d]!);
  const out = allocateTensor(device, outShape, dtype);
  const indices = filling([out], () => (withIndices ? allocateTensor(device, outShape, 'int32') : undefined));
  filling([out, indices], () => enqueueReduce(input, dims, kind, dtype, kept, out, indices));
  return { out, indices };
}

/** The OP_REDUCE command of launchReduce, into `out` (and `indices`). */
function enqueueReduce(input: Tensor, dims: readonly number[], kind: number, dtype: DType, kept: readonly number[], out: Tensor, indices: Tensor | undefined): void {
  const device = input.storage.device;
  const outerShape = kept.map((d) => input.shape[d]!);
  const outerStrides = contiguousStrides(outerShape);
  const outer = coalesce(outerShape, [outerStrides, kept.map((d) => input.strides[d]!)]);
  const inner = coalesce(dims.map((d) => input.shape[d]!), [dims.map(() => 0), dims.map((d) => input.strides[d]!)]);
  const shape = [...outer.shape, ...inner.shape];
  const strides = [0, 1].map((k) => [...outer.strides[k]!, ...inner.strides[k]!]);
  if (indices !== undefined) strides.push([], [...outer.strides[0]!, ...inner.strides[0]!]);
  const args = argsBlock(kind).iteration(shape, strides).dtype(1, input.dtype).params(inner.shape.length);
  if (indices !== undefined) args.dtype(3, 'int32').address3(indices.storage.address);
  const op = ['sum', 'mean', 'max', 'min', 'argmax'][kind]!;
  const writes = indices === undefined ? [out] : [out, indices];
  if (out.numel > 0) args.enqueue(device, { op, reads: [input], writes }, OP_REDUCE, dtype, out.storage.address, addressOf(input), 0, out.numel);
}

/** Throws PyTorch's error for max/min/argmax of an empty extent. */
function checkNonEmpty(op: string, input: Tensor, dim: number | undefined): void {
  if (dim === undefined) {
    if (input.numel === 0) {
      throw new MtiaError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    }
  } else if (input.ndim > 0 && input.shape[dim] === 0) {
    throw new MtiaError(`${op}(): Expected reduction dim ${dim} to have non-zero size.`);
  }
}

/** Sum over `dim` (all dims by default) (torch.sum); integer and bool inputs sum to int32. */
export function sum(input: Tensor, dim?: number | readonly number[] | null, options?: ReduceOptions): Tensor {
  checkTensor('sum', input, 'input');
  const dtype = isFloatingDType(input.dtype) ? input.dtype : 'int32';
  return launchReduce(input, reducedDims(input, dim), REDUCE_SUM, dtype, keepdimOf('sum', options), false).out;
}

/** Mean over `dim` (all dims by default) (torch.mean); floating dtypes only, as in PyTorch. */
export function mean(input: Tensor, dim?: number | readonly number[] | null, options?: ReduceOptions): Tensor {
  checkTensor('mean', input, 'input');
  if (!isFloatingDType(input.dtype)) {
    throw new MtiaError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${dtypeInfo(input.dtype).scalarType}`,
    );
  }
  return launchReduce(input, reducedDims(input, dim), REDUCE_MEAN, input.dtype, keepdimOf('mean', options), false).out;
}

/** max/min: the extreme element, or { values, indices } along `dim`. */
function extreme(op: string, kind: number, input: Tensor, dim: number | undefined, options?: ReduceOptions): Tensor | ValuesIndices {
  checkTensor(op, input, 'input');
  if (dim === undefined) {
    checkNonEmpty(op, input, undefined);
    return launchReduce(input, reducedDims(input, null), kind, input.dtype, false, false).out;
  }
  const d = wrapDim(dim, input.ndim);
  checkNonEmpty(op, input, d);
  const { out, indices } = launchReduce(input, reducedDims(input, d), kind, input.dtype, keepdimOf(op, options), true);
  return { values: out, indices: indices! };
}

/** Largest element (torch.max(input)), NaN-propagating. */
export function max(input: Tensor): Tensor;
/** Largest elements along `dim` and their first indices (torch.max(input, dim, keepdim)). */
export function max(input: Tensor, dim: number, options?: ReduceOptions): ValuesIndices;
export function max(input: Tensor, dim?: number, options?: ReduceOptions): Tensor | ValuesIndices {
  return extreme('max', REDUCE_MAX, input, dim, options);
}

/** Smallest element (torch.min(input)), NaN-propagating. */
export function min(input: Tensor): Tensor;
/** Smallest elements along `dim` and their first indices (torch.min(input, dim, keepdim)). */
export function min(input: Tensor, dim: number, options?: ReduceOptions): ValuesIndices;
export function min(input: Tensor, dim?: number, options?: ReduceOptions): Tensor | ValuesIndices {
  return extreme('min', REDUCE_MIN, input, dim, options);
}

/** Index of the first largest element: flat (row-major) without `dim`, else along it (torch.argmax); int32. */
export function argmax(input: Tensor, dim?: number | null, options?: ReduceOptions): Tensor {
  checkTensor('argmax', input, 'input');
  if (dim === undefined || dim === null) {
    checkNonEmpty('argmax', input, undefined);
    return launchReduce(input, reducedDims(input, null), REDUCE_ARGMAX, 'int32', keepdimOf('argmax', options), false).out;
  }
  const d = wrapDim(dim, input.ndim);
  checkNonEmpty('argmax', input, d);
  return launchReduce(input, reducedDims(input, d), REDUCE_ARGMAX, 'int32', keepdimOf('argmax', options), false).out;
}
