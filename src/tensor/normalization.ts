// Normalisation layers as one device op each (OP_NORM, assembly/ops/normalization.ts): batch
// norm in inference (torch.nn.functional.batch_norm with training=False), group norm
// (torch.nn.functional.group_norm) and RMS norm (torch.nn.functional.rms_norm). The device
// sees a contiguous input as [N, C, M] with C channels in G groups; non-contiguous inputs are
// copied first.

import { MtiaError, ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { NORM_BATCH, NORM_GROUP, NORM_RMS, OP_NORM } from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType, type DType } from './dtype.js';
import { addressOf, argsBlock, checkSameDevice, checkTensor } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { sameShape } from './shape.js';
import type { Tensor } from './tensor.js';
import { contiguous } from './views.js';

/** torch.finfo(torch.float32).eps: rms_norm's eps when none is given (its float32 computation's). */
export const RMS_NORM_DEFAULT_EPS = 2 ** -23;

/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Per-channel scale (C elements). */
  weight?: Tensor | null;
  /** Per-channel shift (C elements). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Only false (inference) is supported. */
  training?: boolean;
  /** Only used in training, which is not supported: passing it is an error. */
  momentum?: number;
}

/** Options of groupNorm. */
export interface GroupNormOptions {
  /** Per-channel scale (C elements). */
  weight?: Tensor | null;
  /** Per-channel shift (C elements). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Options of rmsNorm. */
export interface RmsNormOptions {
  /** Elementwise scale, shaped like normalizedShape. */
  weight?: Tensor | null;
  /** Added to the mean square (default: torch.finfo(float32).eps, 2⁻²³, the float32 computation's). */
  eps?: number;
}

/** The tensors and sizes of one OP_NORM. */
interface NormLaunch {
  op: string;
  kind: number;
  input: Tensor;
  n: number;
  c: number;
  m: number;
  groups: number;
  eps: number;
  weight?: Tensor | undefined;
  bias?: Tensor | undefined;
  mean?: Tensor | undefined;
  variance?: Tensor | undefined;
}

/** Throws unless `eps` is a finite number. */
function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps)) throw new TypeError(`${op}(): eps must be a finite number, but got: ${String(eps)}`);
  return eps;
}

/** Throws PyTorch's "not implemented for" unless `t` is floating. */
function requireFloating(kernel: string, t: Tensor): void {
  if (!isFloatingDType(t.dtype)) throw new MtiaError(`"${kernel}" not implemented for '${dtypeInfo(t.dtype).scalarType}'`);
}

/** An optional tensor option, checked. */
function optionalTensor(op: string, value: Tensor | null | undefined, name: string): Tensor | undefined {
  return value === undefined || value === null ? undefined : checkTensor(op, value, name);
}

/** Enqueues one OP_NORM; returns the output, shaped like the input. */
function launchNorm(spec: NormLaunch): Tensor {
  const { op, kind, input } = spec;
  const device = checkSameDevice(op, [input, ...[spec.weight, spec.bias, spec.mean, spec.variance].filter((t): t is Tensor => t !== undefined)]);
  const temporaries: Tensor[] = [];
  /** `t` contiguous in `dtype`: a copy when it is not already. */
  const dense = (t: Tensor, dtype: DType = t.dtype): Tensor => {
    if (t.isContiguous() && t.dtype === dtype) return t;
    const copy = dtype === t.dtype ? contiguous(t) : t.to(dtype);
    temporaries.push(copy);
    return copy;
  };
  try {
    const x = dense(input);
    // One dtype for weight and bias, one for the running statistics: float32 where a pair differs.
    const pairType = (a?: Tensor, b?: Tensor): DType => (a && b && a.dtype !== b.dtype ? 'float32' : a?.dtype ?? b?.dtype ?? 'float32');
    const affineType = pairType(spec.weight, spec.bias);
    const statsType = pairType(spec.mean, spec.variance);
    const w = spec.weight && dense(spec.weight, affineType);
    const b = spec.bias && dense(spec.bias, affineType);
    const mu = spec.mean && dense(spec.mean, statsType);
    const sigma2 = spec.variance && dense(spec.variance, statsType);
    const out = allocateTensor(device, input.shape, input.dtype);
    if (out.numel === 0) return out;
    const reads = [x, ...[w, b, mu, sigma2].filter((t): t is Tensor => t !== undefined)];
    filling([out], () =>
      argsBlock(kind)
        .dtype(1, x.dtype)
        .dtype(2, affineType)
        .dtype(3, statsType)
        .params(spec.n, spec.c, spec.m, spec.groups)
        .floatParam(4, spec.eps)
        .addressParam(5, w ? addressOf(w) : 0)
        .addressParam(7, b ? addressOf(b) : 0)
        .addressParam(9, mu ? addressOf(mu) : 0)
        .addressParam(11, sigma2 ? addressOf(sigma2) : 0)
        .enqueue(device, { op, reads, writes: [out] }, OP_NORM, input.dtype, out.storage.address, addressOf(x), 0, out.numel));
    return out;
  } finally {
    for (const t of temporaries) t.free();
  }
}

/** PyTorch's check that a per-channel tensor has C elements. */
function checkChannels(name: string, t: Tensor | undefined, channels: number): void {
  if (t !== undefined && t.numel !== channels) throw new MtiaError(`${name} should contain ${channels} elements not ${t.numel}`);
}

/**
 * Batch normalisation in inference (torch.nn.functional.batch_norm, training=False) over dim 1
 * of [N, C, *]: (x − runningMean[c]) / √(runningVar[c] + eps) · weight[c] + bias[c].
 */
export function batchNorm(input: Tensor, runningMean: Tensor, runningVar: Tensor, options: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  const x = checkTensor(op, input, 'input');
  checkOptions(op, options, ['weight', 'bias', 'eps', 'training', 'momentum']);
  const mean = checkTensor(op, runningMean, 'running_mean');
  const variance = checkTensor(op, runningVar, 'running_var');
  const weight = optionalTensor(op, options.weight, 'weight');
  const bias = optionalTensor(op, options.bias, 'bias');
  if (options.training !== undefined && options.training !== false) {
    throw new MtiaError(`batchNorm(): training=${String(options.training)} is not supported by mtia-sim: only inference (training=false), which normalises with runningMean and runningVar`);
  }
  if (options.momentum !== undefined) {
    throw new MtiaError('batchNorm(): momentum is not supported by mtia-sim: it only updates the running statistics in training mode, and only inference (training=false) is supported');
  }
  const eps = checkEps(op, options.eps ?? 1e-5);
  requireFloating('batch_norm', x);
  for (const [name, t] of [['running_mean', mean], ['running_var', variance], ['weight', weight], ['bias', bias]] as const) {
    if (t !== undefined) requireFloating(`batch_norm (${name})`, t);
  }
  if (x.ndim < 2) throw new ValueError(`Expected 2D or more input (got ${x.ndim}D input): batch_norm normalises dim 1 of [N, C, *]`);
  const c = x.shape[1]!;
  checkChannels('running_mean', mean, c);
  checkChannels('running_var', variance, c);
  checkChannels('weight', weight, c);
  checkChannels('bias', bias, c);
  const n = x.shape[0]!;
  const m = c === 0 || n === 0 ? 0 : x.numel / (n * c);
  return launchNorm({ op, kind: NORM_BATCH, input: x, n, c, m, groups: Math.max(c, 1), eps, weight, bias, mean, variance });
}

/**
 * Group normalisation (torch.nn.functional.group_norm): the C channels of [N, C, *] in
 * `numGroups` groups, each (sample, group) normalised to mean 0 and variance 1 (biased), then
 * weight[c] and bias[c].
 */
export function groupNorm(input: Tensor, numGroups: number, options: GroupNormOptions = {}): Tensor {
  const op = 'groupNorm';
  const x = checkTensor(op, input, 'input');
  checkOptions(op, options, ['weight', 'bias', 'eps']);
  const weight = optionalTensor(op, options.weight, 'weight');
  const bias = optionalTensor(op, options.bias, 'bias');
  if (typeof numGroups !== 'number' || !Number.isInteger(numGroups)) {
    throw new TypeError(`groupNorm(): argument 'num_groups' must be an integer, but got: ${String(numGroups)}`);
  }
  const eps = checkEps(op, options.eps ?? 1e-5);
  if (x.ndim < 2) throw new MtiaError(`Expected at least 2 dimensions for input tensor but received ${x.ndim}`);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const m = x.shape.slice(2).reduce((p, s) => p * s, 1);
  if (numGroups <= 0) throw new MtiaError(`Expected num groups to be greater than 0, got ${numGroups}`);
  // torch.nn.functional.group_norm's _verify_batch_size, in its words.
  const size = [Math.floor((n * c) / numGroups), numGroups, ...x.shape.slice(2)];
  if (size[0]! * m === 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size [${size.join(', ')}]`);
  requireFloating('GroupNormKernelImpl', x);
  if (c % numGroups !== 0) {
    throw new MtiaError(`Expected number of channels in input to be divisible by num_groups, but got input of shape [${x.shape.join(', ')}] and num_groups=${numGroups}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === undefined) continue;
    if (t.ndim !== 1 || t.numel !== c) {
      throw new MtiaError(`Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape [${t.shape.join(', ')}] and input of shape [${x.shape.join(', ')}]`);
    }
    requireFloating(`group_norm (${name})`, t);
  }
  return launchNorm({ op, kind: NORM_GROUP, input: x, n, c, m, groups: numGroups, eps, weight, bias });
}

/**
 * RMS normalisation (torch.nn.functional.rms_norm) over the trailing `normalizedShape` dims:
 * x / √(mean(x²) + eps) · weight, computed in float32 and rounded once to the input's dtype.
 */
export function rmsNorm(input: Tensor, normalizedShape: number | readonly number[], options: RmsNormOptions = {}): Tensor {
  const op = 'rmsNorm';
  const x = checkTensor(op, input, 'input');
  checkOptions(op, options, ['weight', 'eps']);
  const weight = optionalTensor(op, options.weight, 'weight');
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (shape.some((s) => typeof s !== 'number' || !Number.isInteger(s))) {
    throw new TypeError(`rmsNorm(): normalized_shape must be an integer or an array of integers, but got: [${shape.join(', ')}]`);
  }
  const eps = checkEps(op, options.eps ?? RMS_NORM_DEFAULT_EPS);
  requireFloating('rms_norm', x);
  const lead = x.ndim - shape.length;
  if (shape.length === 0 || lead < 0 || !sameShape(x.shape.slice(lead), shape)) {
    throw new MtiaError(`Given normalized_shape=[${shape.join(', ')}], expected input with shape [*, ${shape.join(', ')}], but got input of size[${x.shape.join(', ')}]`);
  }
  if (weight !== undefined) {
    if (!sameShape(weight.shape, shape)) {
      throw new MtiaError(`Expected weight to be of same shape as normalized_shape, but got weight of shape [${weight.shape.join(', ')}] and normalized_shape = [${shape.join(', ')}]`);
    }
    requireFloating('rms_norm (weight)', weight);
  }
  const length = shape.reduce((p, s) => p * s, 1);
  const rows = length === 0 ? 0 : x.numel / length;
  return launchNorm({ op, kind: NORM_RMS, input: x, n: rows, c: length, m: 1, groups: 1, eps, weight });
}
