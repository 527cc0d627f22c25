// ONNX Resize (opset 13+) over H and W of a 4-d NCHW tensor, and torch.nn.functional.interpolate
// ('nearest', 'bilinear') on top of it: one OP_RESIZE command (assembly/ops/resize.ts, which
// holds the coordinate transformations). Output sizes from scales are floor(in · scale), as
// both specify; coordinates use the given scale, or out / in when sizes are given.

import { MtiaError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import {
  ARGS_PARAMS, NEAREST_CEIL, NEAREST_FLOOR, NEAREST_ROUND_PREFER_CEIL, NEAREST_ROUND_PREFER_FLOOR, OP_RESIZE, RESIZE_LINEAR,
  RESIZE_NEAREST, TRANSFORM_ALIGN_CORNERS, TRANSFORM_ASYMMETRIC, TRANSFORM_HALF_PIXEL, TRANSFORM_PYTORCH_HALF_PIXEL,
  TRANSFORM_TORCH_NEAREST,
} from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import { addressOf, argsBlock, checkTensor } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import type { Tensor } from './tensor.js';

/** Options of resize: ONNX Resize's inputs and attributes. */
export interface ResizeOptions {
  /** Output sizes: [H, W], or all four [N, C, H, W] with N and C unchanged. */
  size?: readonly number[];
  /** Scales: [H, W], or all four with N and C 1. */
  scales?: readonly number[];
  /** 'nearest' (default) or 'linear' (bilinear over H and W). */
  mode?: 'nearest' | 'linear';
  /** How an output index maps to an input coordinate (default 'half_pixel'). */
  coordinateTransformationMode?: 'half_pixel' | 'asymmetric' | 'align_corners' | 'pytorch_half_pixel';
  /** How nearest rounds that coordinate (default 'round_prefer_floor'). */
  nearestMode?: 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
}

/** Options of interpolate (torch.nn.functional.interpolate's keyword arguments). */
export interface InterpolateOptions {
  /** Output [H, W] (a number for both). */
  size?: number | readonly number[];
  /** Scale of H and W (a number for both). */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default) or 'bilinear'. */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean;
}

const transforms = {
  half_pixel: TRANSFORM_HALF_PIXEL, asymmetric: TRANSFORM_ASYMMETRIC, align_corners: TRANSFORM_ALIGN_CORNERS,
  pytorch_half_pixel: TRANSFORM_PYTORCH_HALF_PIXEL,
} as const;
const nearestModes = {
  round_prefer_floor: NEAREST_ROUND_PREFER_FLOOR, round_prefer_ceil: NEAREST_ROUND_PREFER_CEIL, floor: NEAREST_FLOOR, ceil: NEAREST_CEIL,
} as const;

/** `value` as a member of `table`'s keys, or MtiaError naming option `name` of `op`. */
function choice<T extends object>(op: string, name: string, value: unknown, table: T): keyof T {
  if (typeof value !== 'string' || !(value in table)) {
    throw new MtiaError(`${op}(): ${name} must be one of ${Object.keys(table).map((k) => `'${k}'`).join(', ')}, but got: ${describeValue(value)}`);
  }
  return value as keyof T;
}

/** `value` as [H, W]: a list of 2, or of 4 whose first two are `keep` (sizes) or 1 (scales). */
function trailingPair(op: string, name: string, value: unknown, keep: readonly number[]): [number, number] {
  const list = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number' || !Number.isFinite(v)) || (list.length !== 2 && list.length !== 4)) {
    throw new TypeError(`${op}(): ${name} must be a list of 2 (H, W) or 4 (N, C, H, W) numbers, but got: ${describeValue(value)}`);
  }
  if (list.length === 4 && (list[0] !== keep[0] || list[1] !== keep[1])) {
    throw new MtiaError(`${op}(): mtia-sim resizes only H and W of NCHW, but ${name} [${list.join(', ')}] changes N or C`);
  }
  return list.slice(-2) as [number, number];
}

/** Enqueues one OP_RESIZE of 4-d `input` into [N, C, outH, outW]. */
function launchResize(input: Tensor, outH: number, outW: number, scales: [number, number], mode: number, transform: number, nearest: number): Tensor {
  const [n, c] = input.shape as [number, number];
  const out = allocateTensor(input.storage.device, [n, c, outH, outW], input.dtype);
  if (out.numel === 0) return out;
  filling([out], () => {
    const args = argsBlock(mode).iteration(out.shape, [out.strides, input.strides, [], input.shape]).dtype(1, input.dtype);
    args.params(0, 0, 0, 0, transform, nearest);
    const doubles = new Float64Array(args.words.buffer, ARGS_PARAMS * 4, 2); // params[0..4): two f64
    doubles[0] = scales[0];
    doubles[1] = scales[1];
    args.enqueue(input.storage.device, { op: 'resize', reads: [input], writes: [out] }, OP_RESIZE, input.dtype, addressOf(out), addressOf(input), 0, out.numel);
  });
  return out;
}

/** Throws unless `input` is a 4-d tensor of a dtype `mode` takes. */
function checkInput(op: string, input: Tensor, linear: boolean, kernel: string): void {
  if (input.ndim !== 4) throw new MtiaError(`${op}(): mtia-sim resizes 4-d NCHW tensors, but got input of dimension ${input.ndim}`);
  if (input.shape[2] === 0 || input.shape[3] === 0) {
    throw new MtiaError(`${op}(): input [${input.shape.join(', ')}] has no element to resize along H or W`);
  }
  if (linear && !isFloatingDType(input.dtype)) throw new MtiaError(`"${kernel}" not implemented for '${dtypeInfo(input.dtype).scalarType}'`);
}

/** Output sizes and coordinate scales from `size` or `scales` (exactly one). */
function sizesAndScales(op: string, input: Tensor, size: unknown, scales: unknown, sizeName: string, scalesName: string): { out: [number, number]; scales: [number, number] } {
  const [inH, inW] = [input.shape[2]!, input.shape[3]!];
  if (size !== undefined && scales !== undefined) throw new MtiaError(`${op}(): only one of ${sizeName} or ${scalesName} should be defined`);
  if (size === undefined && scales === undefined) throw new MtiaError(`${op}(): either ${sizeName} or ${scalesName} should be defined`);
  if (size !== undefined) {
    const out = trailingPair(op, sizeName, size, input.shape);
    if (out.some((s) => !Number.isInteger(s) || s <= 0)) throw new MtiaError(`${op}(): ${sizeName} must be positive integers, but got [${out.join(', ')}]`);
    return { out, scales: [out[0] / inH, out[1] / inW] };
  }
  const given = trailingPair(op, scalesName, scales, [1, 1]);
  if (given.some((s) => !(s > 0))) throw new MtiaError(`${op}(): ${scalesName} must be positive, but got [${given.join(', ')}]`);
  const out: [number, number] = [Math.floor(inH * given[0]), Math.floor(inW * given[1])];
  if (out.some((s) => s <= 0)) throw new MtiaError(`${op}(): input [${input.shape.join(', ')}] scaled by [${given.join(', ')}] has no output element`);
  return { out, scales: given };
}

/**
 * ONNX Resize of a 4-d NCHW tensor over H and W (opset 13+): nearest or bilinear, with ONNX's
 * coordinate transformation and nearest modes; one of `size` and `scales`.
 */
export function resize(input: Tensor, options: ResizeOptions): Tensor {
  checkTensor('resize', input, 'input');
  const given = checkOptions('resize', options, ['size', 'scales', 'mode', 'coordinateTransformationMode', 'nearestMode']) ?? {};
  const mode = choice('resize', 'mode', given.mode ?? 'nearest', { nearest: RESIZE_NEAREST, linear: RESIZE_LINEAR });
  const transform = choice('resize', 'coordinateTransformationMode', given.coordinateTransformationMode ?? 'half_pixel', transforms);
  const nearest = choice('resize', 'nearestMode', given.nearestMode ?? 'round_prefer_floor', nearestModes);
  checkInput('resize', input, mode === 'linear', 'upsample_bilinear2d_out_frame');
  const { out, scales } = sizesAndScales('resize', input, given.size, given.scales, 'size', 'scales');
  return launchResize(input, out[0], out[1], scales, mode === 'linear' ? RESIZE_LINEAR : RESIZE_NEAREST, transforms[transform], nearestModes[nearest]);
}

/**
 * torch.nn.functional.interpolate of a 4-d NCHW tensor: 'nearest' (ATen's nearest_idx, in
 * float32) or 'bilinear' (align_corners false: ONNX half_pixel; true: align_corners).
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  checkTensor('interpolate', input, 'input');
  const given = checkOptions('interpolate', options, ['size', 'scaleFactor', 'mode', 'alignCorners']) ?? {};
  const mode = choice('interpolate', 'mode', given.mode ?? 'nearest', { nearest: 0, bilinear: 1 });
  const alignCorners = given.alignCorners;
  if (alignCorners !== undefined && typeof alignCorners !== 'boolean') {
    throw new TypeError(`interpolate(): alignCorners must be a boolean, but got: ${describeValue(alignCorners)}`);
  }
  if (mode === 'nearest' && alignCorners !== undefined) {
    throw new MtiaError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  checkInput('interpolate', input, mode === 'bilinear', 'upsample_bilinear2d_out_frame');
  const { out, scales } = sizesAndScales('interpolate', input, given.size, given.scaleFactor, 'size', 'scale_factor');
  const [inH, inW] = [input.shape[2]!, input.shape[3]!];
  if (mode === 'bilinear') {
    // align_corners maps by (in - 1) / (out - 1) of the integer sizes, as ATen does.
    if (alignCorners === true) return launchResize(input, out[0], out[1], [out[0] / inH, out[1] / inW], RESIZE_LINEAR, TRANSFORM_ALIGN_CORNERS, 0);
    return launchResize(input, out[0], out[1], scales, RESIZE_LINEAR, TRANSFORM_HALF_PIXEL, 0);
  }
  // ATen's nearest: floor(o · s) in float32 with s = float32(1 / scale_factor), or in / out for a size.
  const s: [number, number] = given.size !== undefined ? [Math.fround(inH / out[0]), Math.fround(inW / out[1])] : [Math.fround(1 / scales[0]), Math.fround(1 / scales[1])];
  return launchResize(input, out[0], out[1], s, RESIZE_NEAREST, TRANSFORM_TORCH_NEAREST, 0);
}
