// Normalising and embedding ops: softmax, log_softmax, layer_norm (torch.nn.functional) as
// OP_ROWS over a row dim the host chooses by strides, and embedding_bag as OP_EMBEDDING_BAG.

import { MtiaError } from '../errors.js';
import { checkOptions } from '../options.js';
import {
  BAG_MEAN, BAG_SUM, OP_EMBEDDING_BAG, OP_ROWS, ROWS_LAYER_NORM, ROWS_LOG_SOFTMAX, ROWS_SOFTMAX,
} from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import {
  addressOf, argsBlock, ArgsBlock, checkSameDevice, checkTensor, coalesce,
} from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { contiguousStrides, sameShape, wrapDim } from './shape.js';
import type { Tensor } from './tensor.js';
import { contiguous, view } from './views.js';
import { tensor as upload } from './factories.js';

/** Enqueues OP_ROWS of `kind` with `dim` of `input` as the row; the output is contiguous like input's shape. */
function launchRows(op: string, input: Tensor, dim: number, kind: number, configure?: (args: ArgsBlock) => void, extraReads: readonly Tensor[] = []): Tensor {
  const out = allocateTensor(input.storage.device, input.shape, input.dtype);
  if (out.numel > 0) filling([out], () => enqueueRows(op, input, dim, kind, out, configure, extraReads));
  return out;
}

/** The OP_ROWS command of launchRows, into `out`. */
function enqueueRows(op: string, input: Tensor, dim: number, kind: number, out: Tensor, configure: ((args: ArgsBlock) => void) | undefined, extraReads: readonly Tensor[]): void {
  const device = input.storage.device;
  if (input.ndim === 0) {
    // A 0-d tensor is one row of one element.
    argsBlock(kind).iteration([1], [[1], [1]]).dtype(1, input.dtype).floatParam(2, 0)
      .enqueue(device, { op, reads: [input], writes: [out] }, OP_ROWS, input.dtype, out.storage.address, addressOf(input), 0, 1);
    return;
  }
  const outStrides = contiguousStrides(input.shape);
  const others = input.shape.map((_, d) => d).filter((d) => d !== dim);
  const outer = coalesce(others.map((d) => input.shape[d]!), [others.map((d) => outStrides[d]!), others.map((d) => input.strides[d]!)]);
  const args = argsBlock(kind)
    .iteration([...outer.shape, input.shape[dim]!], [[...outer.strides[0]!, outStrides[dim]!], [...outer.strides[1]!, input.strides[dim]!]])
    .dtype(1, input.dtype);
  configure?.(args);
  args.enqueue(device, { op, reads: [input, ...extraReads], writes: [out] }, OP_ROWS, input.dtype, out.storage.address, addressOf(input), 0, out.numel);
}

/** Throws unless `input` is floating (PyTorch's "not implemented for" wording). */
function requireFloating(op: string, input: Tensor): void {
  if (!isFloatingDType(input.dtype)) throw new MtiaError(`"${op}" not implemented for '${dtypeInfo(input.dtype).scalarType}'`);
}

/** exp(x) / Σ exp(x) along `dim` (torch.softmax), computed stably. */
export function softmax(input: Tensor, dim: number): Tensor {
  checkTensor('softmax', input, 'input');
  requireFloating('softmax', input);
  return launchRows('softmax', input, wrapDim(dim, input.ndim), ROWS_SOFTMAX);
}

/** x - log Σ exp(x) along `dim` (torch.log_softmax). */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  checkTensor('logSoftmax', input, 'input');
  requireFloating('log_softmax', input);
  return launchRows('logSoftmax', input, wrapDim(dim, input.ndim), ROWS_LOG_SOFTMAX);
}

/** Options of layerNorm. */
export interface LayerNormOptions {
  /** Elementwise scale, shaped like normalizedShape. */
  weight?: Tensor | null;
  /** Elementwise shift, shaped like normalizedShape. */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Normalises over the trailing `normalizedShape` dims to mean 0, variance 1 (biased), then scales and shifts (torch.nn.functional.layer_norm). */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  const x = checkTensor('layerNorm', input, 'input');
  checkOptions('layerNorm', options, ['weight', 'bias', 'eps']);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const weight = options.weight ? checkTensor('layerNorm', options.weight, 'weight') : undefined;
  const bias = options.bias ? checkTensor('layerNorm', options.bias, 'bias') : undefined;
  checkSameDevice('layerNorm', [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])]);
  requireFloating('LayerNormKernelImpl', x);
  const lead = x.ndim - shape.length;
  if (shape.length === 0 || lead < 0 || !sameShape(x.shape.slice(lead), shape)) {
    throw new MtiaError(`Given normalized_shape=[${shape.join(', ')}], expected input with shape [*, ${shape.join(', ')}], but got input of size[${x.shape.join(', ')}]`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === undefined) continue;
    if (!sameShape(t.shape, shape)) {
      throw new MtiaError(`Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape [${t.shape.join(', ')}] and normalized_shape = [${shape.join(', ')}]`);
    }
    if (t.dtype !== x.dtype) throw new MtiaError(`layerNorm(): ${name} dtype ${t.dtype} does not match input dtype ${x.dtype}`);
  }
  const eps = options.eps ?? 1e-5;
  if (typeof eps !== 'number' || !Number.isFinite(eps)) throw new TypeError(`layerNorm(): eps must be a finite number, but got: ${String(eps)}`);
  const length = shape.reduce((n, s) => n * s, 1);
  // Rows are the flattened trailing dims: contiguous copies where strides do not allow that.
  const temporaries: Tensor[] = [];
  const dense = (t: Tensor) => {
    if (t.isContiguous()) return t;
    const copy = contiguous(t);
    temporaries.push(copy);
    return copy;
  };
  try {
    const xc = dense(x);
    const rows = view(xc, [x.numel / Math.max(length, 1), length]);
    temporaries.push(rows);
    const w = weight ? dense(weight) : undefined;
    const b = bias ? dense(bias) : undefined;
    const out2d = launchRows('layerNorm', rows, 1, ROWS_LAYER_NORM, (args) =>
      args.addressParam(0, w ? addressOf(w) : 0).addressParam(2, b ? addressOf(b) : 0).floatParam(4, eps), [...(w ? [w] : []), ...(b ? [b] : [])]);
    try {
      return view(out2d, x.shape);
    } finally {
      out2d.free();
    }
  } finally {
    for (const t of temporaries) t.free();
  }
}

/** Options of embeddingBag. */
export interface EmbeddingBagOptions {
  /** 'sum' or 'mean' (PyTorch's default). */
  mode?: 'sum' | 'mean';
}

/**
 * Sums or averages bags of weight rows (torch.nn.functional.embedding_bag): 1-d int32 `input`
 * with 1-d int32 `offsets` (bag b starts at offsets[b]), or 2-d `input` of fixed-size bags and
 * no offsets. Indices out of range fail on the device (they are device data) and are reported
 * at the next wait.
 */
export function embeddingBag(input: Tensor, weight: Tensor, offsets?: Tensor | null, options: EmbeddingBagOptions = {}): Tensor {
  const indices = checkTensor('embeddingBag', input, 'input');
  checkOptions('embeddingBag', options, ['mode']);
  const table = checkTensor('embeddingBag', weight, 'weight');
  const bagStarts = offsets ? checkTensor('embeddingBag', offsets, 'offsets') : undefined;
  const device = checkSameDevice('embeddingBag', bagStarts ? [indices, table, bagStarts] : [indices, table]);
  const mode = options.mode ?? 'mean';
  if (mode !== 'sum' && mode !== 'mean') throw new MtiaError(`mode has to be one of sum, mean or max (max is not supported by mtia-sim), but got: ${String(mode)}`);
  for (const [name, t, position] of [['indices', indices, 1], ['offsets', bagStarts, 3]] as const) {
    if (t !== undefined && t.dtype !== 'int32') {
      throw new MtiaError(`Expected tensor for argument #${position} '${name}' to have one of the following scalar types: Int; but got ${dtypeInfo(t.dtype).scalarType} instead (while checking arguments for embedding_bag)`);
    }
  }
  if (table.ndim !== 2) throw new MtiaError(`embedding_bag(): weight has to be a 2D Tensor, but got Tensor of dimension ${table.ndim}`);
  requireFloating('embedding_bag', table);
  const temporaries: Tensor[] = [];
  try {
    let flat = indices;
    let starts = bagStarts;
    if (indices.ndim === 2) {
      if (bagStarts !== undefined) throw new MtiaError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.');
      const [bags, length] = [indices.shape[0]!, indices.shape[1]!];
      const dense = contiguous(indices);
      temporaries.push(dense);
      flat = view(dense, [indices.numel]);
      temporaries.push(flat);
      starts = upload(Int32Array.from({ length: bags }, (_, b) => b * length), { device: device.index });
      temporaries.push(starts);
    } else if (indices.ndim === 1) {
      if (starts === undefined) throw new MtiaError('offsets has to be a 1D Tensor but got null');
      if (starts.ndim !== 1) throw new MtiaError(`offsets has to be a 1D Tensor, but got Tensor of dimension ${starts.ndim}`);
    } else {
      throw new MtiaError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${indices.ndim}`);
    }
    if (!flat.isContiguous()) {
      flat = contiguous(flat);
      temporaries.push(flat);
    }
    if (!starts!.isContiguous()) {
      starts = contiguous(starts!);
      temporaries.push(starts);
    }
    const bags = starts!.numel;
    const dim = table.shape[1]!;
    const out = allocateTensor(device, [bags, dim], table.dtype);
    if (out.numel === 0) return out;
    const args = argsBlock(mode === 'sum' ? BAG_SUM : BAG_MEAN)
      .params(table.shape[0]!, dim, flat.numel, bags)
      .addressParam(4, addressOf(starts!))
      .param(6, table.strides[0]!)
      .param(7, table.strides[1]!);
    filling([out], () => args.enqueue(device, { op: 'embeddingBag', reads: [table, flat, starts!], writes: [out] }, OP_EMBEDDING_BAG, table.dtype, out.storage.address, addressOf(table), addressOf(flat), out.numel));
    return out;
  } finally {
    for (const t of temporaries) t.free();
  }
}
