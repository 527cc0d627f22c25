// torch.cumsum along one dim (with ONNX CumSum's exclusive and reverse), one OP_CUMSUM command
// (assembly/ops/scan.ts). The host moves the scanned dim behind the others (a stride
// permutation, no copy), as reductions.ts does, so the device scans rows.

import { checkOptions, describeValue } from '../options.js';
import { OP_CUMSUM } from '../runtime/layout.js';
import { isFloatingDType, type DType } from './dtype.js';
import { addressOf, argsBlock, checkTensor, coalesce } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { wrapDim } from './shape.js';
import type { Tensor } from './tensor.js';

/** Options of cumsum: ONNX CumSum's attributes, an mtia-sim extension to torch.cumsum. */
export interface CumsumOptions {
  /** Leave each element out of its own sum: y[i] = x[0] + … + x[i-1] (default false). */
  exclusive?: boolean;
  /** Sum from the end of the dim backwards (default false). */
  reverse?: boolean;
}

/**
 * The iteration of a row op along `dim` of `input` writing `out` (same sizes but along `dim`):
 * the other dims first (coalesced), then `dim`; strides of out, input and then `extra`
 * tensors of out's layout.
 */
export function rowsAlong(input: Tensor, out: Tensor, dim: number, extra: readonly Tensor[] = []): { shape: number[]; strides: number[][] } {
  const tensors = [out, input, ...extra];
  if (input.ndim === 0) return { shape: [1], strides: tensors.map(() => [1]) };
  const kept = input.shape.map((_, d) => d).filter((d) => d !== dim);
  const outer = coalesce(kept.map((d) => input.shape[d]!), tensors.map((t) => kept.map((d) => t.strides[d]!)));
  const ones = outer.shape.length === 1 && outer.shape[0] === 0 ? [] : outer.shape;
  return {
    shape: [...ones, input.shape[dim]!],
    strides: tensors.map((t, k) => [...(ones.length === 0 ? [] : outer.strides[k]!), t.strides[dim]!]),
  };
}

/** Running sums along `dim` (torch.cumsum); integer and bool inputs sum in int32 (PyTorch: int64). */
export function cumsum(input: Tensor, dim: number, options?: CumsumOptions): Tensor {
  checkTensor('cumsum', input, 'input');
  const given = checkOptions('cumsum', options, ['exclusive', 'reverse']);
  for (const name of ['exclusive', 'reverse'] as const) {
    const value = given?.[name];
    if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`cumsum(): ${name} must be a boolean, but got: ${describeValue(value)}`);
  }
  const d = wrapDim(dim, input.ndim);
  const dtype: DType = isFloatingDType(input.dtype) ? input.dtype : 'int32';
  const out = allocateTensor(input.storage.device, input.shape, dtype);
  if (out.numel === 0) return out;
  filling([out], () => {
    const { shape, strides } = rowsAlong(input, out, d);
    argsBlock().iteration(shape, strides).dtype(1, input.dtype)
      .params(given?.exclusive === true ? 1 : 0, given?.reverse === true ? 1 : 0)
      .enqueue(input.storage.device, { op: 'cumsum', reads: [input], writes: [out] }, OP_CUMSUM, dtype, addressOf(out), addressOf(input), 0, out.numel);
  });
  return out;
}
