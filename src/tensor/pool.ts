// Pooling over NCHW tensors: torch.nn.functional.max_pool2d, avg_pool2d and
// adaptive_avg_pool2d, one OP_POOL each (assembly/ops/pool.ts). A 4-element padding
// [top, left, bottom, right] (ONNX's asymmetric pads) is an mtia-sim extension.

import { MtiaError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import { OP_POOL, POOL_ADAPTIVE_AVG, POOL_AVG, POOL_MAX } from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import { addressOf, argsBlock, checkTensor } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { contiguousStrides } from './shape.js';
import type { Tensor } from './tensor.js';
import { batched, padsOption, pairOption } from './conv.js';

/** Options of maxPool2d (torch.nn.functional.max_pool2d's keyword arguments). */
export interface MaxPool2dOptions {
  /** Step of the window (default: the kernel size). */
  stride?: number | [number, number];
  /** Implicit −∞ around the input: a number, [h, w] or [top, left, bottom, right] (mtia-sim extension); at most half the window. */
  padding?: number | [number, number] | [number, number, number, number];
  /** Spacing of the window's taps (default 1). */
  dilation?: number | [number, number];
  /** Round the output size up: a last window may start in the bottom or right padding (default false). */
  ceilMode?: boolean;
}

/** Options of avgPool2d (torch.nn.functional.avg_pool2d's keyword arguments). */
export interface AvgPool2dOptions {
  /** Step of the window (default: the kernel size). */
  stride?: number | [number, number];
  /** Implicit zeros around the input: a number, [h, w] or [top, left, bottom, right] (mtia-sim extension); at most half the window. */
  padding?: number | [number, number] | [number, number, number, number];
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count the padding's zeros in the divisor (default true). */
  countIncludePad?: boolean;
}

/** Output size of a pooling window along one dim (PyTorch's pooling_output_shape_pad_lr). */
function pooledSize(size: number, kernel: number, before: number, after: number, stride: number, dilation: number, ceil: boolean): number {
  let out = Math.floor((size + before + after - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + before) out--;
  return out;
}

/** The 3-d or 4-d floating input of pooling op `op`. */
function checkPoolInput(op: string, input: unknown, torchName: string): Tensor {
  const x = checkTensor(op, input, 'input');
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new MtiaError(`${torchName}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: [${x.shape.join(', ')}]`);
  }
  if (!isFloatingDType(x.dtype)) throw new MtiaError(`"${torchName}" not implemented for '${dtypeInfo(x.dtype).scalarType}'`);
  return x;
}

/** A boolean option, checked. */
function booleanOption(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${op}(): argument '${name}' must be bool, but got: ${describeValue(value)}`);
  return value;
}

/** The geometry of one OP_POOL. */
interface PoolLaunch {
  op: string;
  kind: number;
  x: Tensor;
  outH: number;
  outW: number;
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  dilation: [number, number];
  countIncludePad: boolean;
}

/** Enqueues OP_POOL of the 4-d `x` into a new [N, C, OH, OW] tensor. */
function launchPool(p: PoolLaunch): Tensor {
  const device = p.x.storage.device;
  const [n, c, h, w] = p.x.shape as [number, number, number, number];
  const shape = [n, c, p.outH, p.outW];
  const out = allocateTensor(device, shape, p.x.dtype);
  if (out.numel === 0) return out;
  filling([out], () => argsBlock(p.kind)
    .iteration(shape, [contiguousStrides(shape), p.x.strides])
    .dtype(1, p.x.dtype)
    .params(h, w, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], ...p.pads, p.dilation[0], p.dilation[1], p.countIncludePad ? 1 : 0)
    .enqueue(device, { op: p.op, reads: [p.x], writes: [out] }, OP_POOL, p.x.dtype, out.storage.address, addressOf(p.x), 0, out.numel));
  return out;
}

/** Kernel, stride, padding and output size of a max or average pool, checked as PyTorch does. */
function windowGeometry(op: string, torchName: string, x: Tensor, kernelSize: unknown, options: MaxPool2dOptions, maxPool: boolean) {
  const kernel = pairOption(op, 'kernelSize', kernelSize, 1, 1);
  const stride = options.stride === undefined ? kernel : pairOption(op, 'stride', options.stride, 1, 1);
  const pads = padsOption(op, options.padding);
  const dilation = maxPool ? pairOption(op, 'dilation', options.dilation, 1, 1) : [1, 1] as [number, number];
  const ceil = booleanOption(op, 'ceilMode', options.ceilMode, false);
  for (let side = 0; side < 4; side++) {
    const d = side % 2;
    const effective = dilation[d]! * (kernel[d]! - 1) + 1;
    if (pads[side]! * 2 > (maxPool ? effective : kernel[d]!)) {
      throw new MtiaError(maxPool
        ? `pad should be at most half of effective kernel size, but got pad=${pads[side]}, kernel_size=${kernel[d]} and dilation=${dilation[d]}`
        : `pad should be at most half of kernel size, but got pad=${pads[side]} and kernel_size=${kernel[d]}`);
    }
  }
  const [c, h, w] = x.shape.slice(-3) as [number, number, number];
  const outH = pooledSize(h, kernel[0], pads[0], pads[2], stride[0], dilation[0], ceil);
  const outW = pooledSize(w, kernel[1], pads[1], pads[3], stride[1], dilation[1], ceil);
  if (outH < 1 || outW < 1) {
    throw new MtiaError(`${torchName}(): Given input size: (${c}x${h}x${w}). Calculated output size: (${c}x${outH}x${outW}). Output size is too small`);
  }
  return { kernel, stride, pads, dilation, outH, outW };
}

/** Largest element of each window of NCHW `input` (torch.nn.functional.max_pool2d); NaN propagates. */
export function maxPool2d(input: Tensor, kernelSize: number | [number, number], options: MaxPool2dOptions = {}): Tensor {
  const x = checkPoolInput('maxPool2d', input, 'max_pool2d');
  checkOptions('maxPool2d', options, ['stride', 'padding', 'dilation', 'ceilMode']);
  const g = windowGeometry('maxPool2d', 'max_pool2d', x, kernelSize, options, true);
  return batched(x, (x4) => launchPool({ op: 'maxPool2d', kind: POOL_MAX, x: x4, ...g, countIncludePad: false }));
}

/** Mean of each window of NCHW `input` (torch.nn.functional.avg_pool2d). */
export function avgPool2d(input: Tensor, kernelSize: number | [number, number], options: AvgPool2dOptions = {}): Tensor {
  const x = checkPoolInput('avgPool2d', input, 'avg_pool2d');
  checkOptions('avgPool2d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  const g = windowGeometry('avgPool2d', 'avg_pool2d', x, kernelSize, options, false);
  const countIncludePad = booleanOption('avgPool2d', 'countIncludePad', options.countIncludePad, true);
  return batched(x, (x4) => launchPool({ op: 'avgPool2d', kind: POOL_AVG, x: x4, ...g, countIncludePad }));
}

/**
 * Mean over outputSize windows that cover NCHW `input` (torch.nn.functional.adaptive_avg_pool2d):
 * window i spans [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉). adaptiveAvgPool2d(x, 1) is global average pooling.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | [number, number]): Tensor {
  const x = checkTensor('adaptiveAvgPool2d', input, 'input');
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new MtiaError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [${x.shape.join(', ')}]`);
  }
  if (!isFloatingDType(x.dtype)) throw new MtiaError(`"adaptive_avg_pool2d" not implemented for '${dtypeInfo(x.dtype).scalarType}'`);
  const [outH, outW] = pairOption('adaptiveAvgPool2d', 'outputSize', outputSize, 1, 0);
  for (const d of [x.ndim - 2, x.ndim - 1]) {
    if (x.shape[d] === 0) {
      throw new MtiaError(`adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${x.shape.join(', ')}] with dimension ${d} being empty`);
    }
  }
  return batched(x, (x4) => launchPool({
    op: 'adaptiveAvgPool2d', kind: POOL_ADAPTIVE_AVG, x: x4, outH, outW, kernel: [0, 0], stride: [0, 0], pads: [0, 0, 0, 0],
    dilation: [0, 0], countIncludePad: false,
  }));
}
