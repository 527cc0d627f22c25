// torch.topk: the k largest (or smallest) elements along a dim and their indices, one OP_TOPK
// command (assembly/ops/topk.ts). Results are always sorted best first; NaN ranks above every
// number and equal values rank by lower index, as torch.topk's sorted results do. Indices are
// int32 (PyTorch: int64), as this library's argmax and max return.

import { MtiaError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import { OP_TOPK } from '../runtime/layout.js';
import { dtypeInfo } from './dtype.js';
import { addressOf, argsBlock, checkTensor } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import type { ValuesIndices } from './reductions.js';
import { rowsAlong } from './scan.js';
import { wrapDim } from './shape.js';
import type { Tensor } from './tensor.js';

/** Options of topk (torch.topk's keyword arguments). */
export interface TopkOptions {
  /** The dim to select along (default -1, the last). */
  dim?: number;
  /** The largest (default) or the smallest elements. */
  largest?: boolean;
  /** Return them sorted (default true; mtia-sim always sorts, which unsorted callers accept). */
  sorted?: boolean;
}

/** The k largest (or smallest) elements of `input` along a dim and their int32 indices (torch.topk). */
export function topk(input: Tensor, k: number, options?: TopkOptions): ValuesIndices {
  checkTensor('topk', input, 'input');
  const given = checkOptions('topk', options, ['dim', 'largest', 'sorted']);
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`topk(): argument 'k' must be int, not ${describeValue(k)}`);
  for (const name of ['largest', 'sorted'] as const) {
    const value = given?.[name];
    if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`topk(): ${name} must be a boolean, but got: ${describeValue(value)}`);
  }
  const dim = wrapDim(given?.dim ?? -1, input.ndim);
  const length = input.ndim === 0 ? 1 : input.shape[dim]!;
  if (k < 0 || k > length) throw new MtiaError('selected index k out of range');
  if (input.dtype === 'bool') throw new MtiaError(`"topk_cpu" not implemented for '${dtypeInfo(input.dtype).scalarType}'`);
  const shape = input.shape.map((size, d) => (d === dim ? k : size));
  const device = input.storage.device;
  const values = allocateTensor(device, shape, input.dtype);
  const indices = filling([values], () => allocateTensor(device, shape, 'int32'));
  if (values.numel === 0) return { values, indices };
  filling([values, indices], () => {
    const { shape: iteration, strides } = rowsAlong(input, values, dim, [indices]);
    argsBlock().iteration(iteration, [strides[0]!, strides[1]!, [], strides[2]!])
      .address3(addressOf(indices)).dtype(3, 'int32').params(k, given?.largest === false ? 0 : 1)
      .enqueue(device, { op: 'topk', reads: [input], writes: [values, indices] }, OP_TOPK, input.dtype, addressOf(values), addressOf(input), 0, values.numel);
  });
  return { values, indices };
}
