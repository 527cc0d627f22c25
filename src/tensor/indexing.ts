// The gather family: torch.gather, torch.index_select and torch.nn.functional.embedding, with
// int32 or int64 indices. Each is one OP_GATHER command (assembly/ops/indexing.ts) over the
// output's shape: the input's stride along the gathered dim is replaced by the index's value.
// Shapes, dtypes and dims are checked here, at the call; index values are device data, so an
// index out of range fails on the device (STATUS_INDEX_OUT_OF_RANGE, "index out of range in
// self") at the next wait, with the output left unwritten and the device usable.

import { MtiaError } from '../errors.js';
import { checkOptions } from '../options.js';
import { GATHER_ELEMENTS, GATHER_EMBEDDING, GATHER_INDEX_SELECT, OP_GATHER } from '../runtime/layout.js';
import { dtypeInfo } from './dtype.js';
import { addressOf, argsBlock, checkSameDevice, checkTensor, coalesce } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { contiguousStrides, wrapDim } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of gather and indexSelect. */
export interface GatherOptions {
  /**
   * Wrap negative indices in [-size, 0) to size + index, as ONNX Gather and GatherElements do
   * (default false: PyTorch rejects them, as any index outside [0, size)).
   */
  wrapNegative?: boolean;
}

/** Options of embedding (torch.nn.functional.embedding). */
export interface EmbeddingOptions {
  /** Row whose gradient PyTorch does not accumulate; checked as PyTorch does, no effect on the forward values. */
  paddingIdx?: number | null;
}

/** Throws PyTorch's dtype error unless `index` holds int32 or int64 values. */
function checkIndexDType(op: string, index: Tensor): void {
  if (index.dtype !== 'int32' && index.dtype !== 'int64') {
    throw new MtiaError(`${op}(): Expected dtype int32 or int64 for index, but got ${dtypeInfo(index.dtype).scalarType}`);
  }
}

/** The wrapNegative flag of `options`, checked. */
function wrapFlag(op: string, options: GatherOptions | undefined): number {
  const wrap = checkOptions(op, options, ['wrapNegative'])?.wrapNegative ?? false;
  if (typeof wrap !== 'boolean') throw new TypeError(`${op}(): wrapNegative must be a boolean, but got: ${typeof wrap}`);
  return wrap ? 1 : 0;
}

/**
 * Allocates `shape` of input's dtype and enqueues one OP_GATHER of `kind` over it: operand 1 is
 * `input` with `inputStrides` (0 along the gathered dim), operand 2 `index` with `indexStrides`;
 * indices choose among `bound` positions `dimStride` elements apart.
 */
function launchGather(
  op: string, kind: number, input: Tensor, index: Tensor, shape: readonly number[],
  inputStrides: readonly number[], indexStrides: readonly number[], bound: number, dimStride: number, wrap: number,
): Tensor {
  const device = checkSameDevice(op, [input, index]);
  const out = allocateTensor(device, shape, input.dtype);
  if (out.numel === 0) return out;
  const merged = coalesce(shape, [contiguousStrides(shape), inputStrides, indexStrides]);
  return filling([out], () => {
    const args = argsBlock(kind).iteration(merged.shape, merged.strides).dtype(1, input.dtype).dtype(2, index.dtype).params(bound, dimStride, wrap);
    args.enqueue(device, { op, reads: [input, index], writes: [out] }, OP_GATHER, input.dtype, out.storage.address, addressOf(input), addressOf(index), out.numel);
    return out;
  });
}

/**
 * Values of `input` along `dim` at `index` (torch.gather): out[i][j][k] = input[i][index[i][j][k]][k]
 * for dim 1. `index` has input's rank and sizes no larger than input's except along `dim`; the
 * output has index's shape and input's dtype.
 */
export function gather(input: Tensor, dim: number, index: Tensor, options?: GatherOptions): Tensor {
  checkTensor('gather', input, 'input');
  checkTensor('gather', index, 'index', input.storage.device);
  const wrap = wrapFlag('gather', options);
  checkIndexDType('gather', index);
  const rank = input.ndim;
  const d = wrapDim(dim, Math.max(rank, 1));
  if (index.ndim !== rank && !(Math.max(rank, 1) === 1 && Math.max(index.ndim, 1) === 1)) {
    throw new MtiaError('Index tensor must have the same number of dimensions as input tensor');
  }
  const inShape = rank === 0 ? [1] : input.shape;
  const inStrides = rank === 0 ? [0] : input.strides;
  const idxShape = index.ndim === 0 ? [1] : index.shape;
  const idxStrides = index.ndim === 0 ? [0] : index.strides;
  idxShape.forEach((size, k) => {
    if (k !== d && size > inShape[k]!) {
      throw new MtiaError(`Size does not match at dimension ${k} expected index [${index.shape.join(', ')}] to be smaller than self [${input.shape.join(', ')}] apart from dimension ${d}`);
    }
  });
  const out = launchGather('gather', GATHER_ELEMENTS, input, index, idxShape, inStrides.map((s, k) => (k === d ? 0 : s)), idxStrides, inShape[d]!, inStrides[d]!, wrap);
  if (index.ndim === 0) return reshapeOut(out, []);
  return out;
}

/** `out` (contiguous, owned) as a tensor of `shape` with the same elements. */
function reshapeOut(out: Tensor, shape: readonly number[]): Tensor {
  try {
    return new Tensor(out.storage, shape, out.dtype);
  } finally {
    out.free();
  }
}

/**
 * The entries of `input` at `index` along `dim` (torch.index_select): index is 1-D (or 0-d);
 * the output is input's shape with index.numel entries along `dim`.
 */
export function indexSelect(input: Tensor, dim: number, index: Tensor, options?: GatherOptions): Tensor {
  checkTensor('indexSelect', input, 'input');
  checkTensor('indexSelect', index, 'index', input.storage.device);
  const wrap = wrapFlag('indexSelect', options);
  checkIndexDType('index_select', index);
  if (index.ndim > 1) throw new MtiaError('index_select(): Index is supposed to be a vector');
  const rank = input.ndim;
  const d = wrapDim(dim, Math.max(rank, 1));
  const inShape = rank === 0 ? [1] : input.shape;
  const inStrides = rank === 0 ? [0] : input.strides;
  const shape = inShape.map((size, k) => (k === d ? index.numel : size));
  const indexStrides = shape.map((_, k) => (k === d && index.ndim === 1 ? index.strides[0]! : 0));
  const out = launchGather('indexSelect', GATHER_INDEX_SELECT, input, index, shape, inStrides.map((s, k) => (k === d ? 0 : s)), indexStrides, inShape[d]!, inStrides[d]!, wrap);
  return rank === 0 ? reshapeOut(out, []) : out;
}

/**
 * Rows of `weight` at `input`'s indices (torch.nn.functional.embedding): the output is
 * input.shape + [weight.shape[1]] in weight's dtype. `paddingIdx` only matters to gradients,
 * which mtia-sim does not compute: it is checked, as PyTorch does, and changes no value.
 */
export function embedding(input: Tensor, weight: Tensor, options?: EmbeddingOptions): Tensor {
  checkTensor('embedding', input, 'input');
  checkTensor('embedding', weight, 'weight', input.storage.device);
  const paddingIdx = checkOptions('embedding', options, ['paddingIdx'])?.paddingIdx;
  if (input.dtype !== 'int32' && input.dtype !== 'int64') {
    throw new MtiaError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${dtypeInfo(input.dtype).scalarType} instead (while checking arguments for embedding)`);
  }
  if (weight.ndim !== 2) throw new MtiaError("'weight' must be 2-D");
  const [rows, dim] = [weight.shape[0]!, weight.shape[1]!];
  if (paddingIdx !== undefined && paddingIdx !== null) {
    if (!Number.isInteger(paddingIdx)) throw new TypeError(`embedding(): paddingIdx must be an integer, but got: ${String(paddingIdx)}`);
    if (paddingIdx > 0 && paddingIdx >= rows) throw new MtiaError('Padding_idx must be within num_embeddings');
    if (paddingIdx < 0 && paddingIdx < -rows) throw new MtiaError('Padding_idx must be within num_embeddings');
  }
  const shape = [...input.shape, dim];
  const weightStrides = [...input.shape.map(() => 0), weight.strides[1]!];
  const indexStrides = [...input.strides, 0];
  return launchGather('embedding', GATHER_EMBEDDING, weight, input, shape, weightStrides, indexStrides, rows, weight.strides[0]!, 0);
}
