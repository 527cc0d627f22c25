// Convolutions over NCHW tensors: torch.nn.functional.conv2d and conv_transpose2d, one
// OP_CONV each (assembly/ops/conv.ts), with two mtia-sim extensions: a 4-element padding
// [top, left, bottom, right] (ONNX's asymmetric pads), and a fused activation epilogue applied
// on the device in the same kernel, as MTIA's compiler fuses a conv and its activation.

import { MtiaError, ValueError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import {
  BLOCK_K, BLOCK_M, BLOCK_N, CONV_ACTIVATION_GELU, CONV_ACTIVATION_NONE, CONV_ACTIVATION_RELU, CONV_ACTIVATION_RELU6,
  CONV_ACTIVATION_SIGMOID, CONV_ACTIVATION_SILU, CONV_COLUMN_BYTES, OP_CONV, TILE_M, TILE_N,
} from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import { addressOf, argsBlock, checkSameDevice, checkTensor } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { contiguousStrides } from './shape.js';
import type { Tensor } from './tensor.js';
import { contiguous, view } from './views.js';

/** An activation fused into a conv's epilogue (torch.nn.functional's names). */
export type ConvActivation = 'relu' | 'relu6' | 'sigmoid' | 'silu' | 'gelu';

/** Options of conv2d (torch.nn.functional.conv2d's keyword arguments, plus `activation`). */
export interface Conv2dOptions {
  /** Step of the window, one number or [h, w] (default 1). */
  stride?: number | [number, number];
  /**
   * Zeros around the input: one number, [h, w] (both sides), [top, left, bottom, right]
   * (ONNX's pads order; an mtia-sim extension), 'valid' (none) or 'same' (output as large as
   * the input; stride 1 only; an odd total puts the extra row and column at the bottom, right).
   */
  padding?: number | [number, number] | [number, number, number, number] | 'valid' | 'same';
  /** Spacing of the kernel's taps, one number or [h, w] (default 1). */
  dilation?: number | [number, number];
  /** Blocked connections: input and output channels split into this many groups (default 1). */
  groups?: number;
  /** An activation applied to the output in the same kernel (an mtia-sim extension; default none). */
  activation?: ConvActivation | null;
}

/** Options of convTranspose2d (torch.nn.functional.conv_transpose2d's keyword arguments). */
export interface ConvTranspose2dOptions {
  /** Step of the scatter, one number or [h, w] (default 1). */
  stride?: number | [number, number];
  /** dilation · (kernel − 1) − padding zeros around the input, one number or [h, w] (default 0). */
  padding?: number | [number, number];
  /** Extra rows and columns on one side of the output, one number or [h, w] (default 0). */
  outputPadding?: number | [number, number];
  /** Blocked connections (default 1). */
  groups?: number;
  /** Spacing of the kernel's taps (default 1). */
  dilation?: number | [number, number];
}

const ACTIVATIONS: Record<ConvActivation, number> = {
  relu: CONV_ACTIVATION_RELU, relu6: CONV_ACTIVATION_RELU6, sigmoid: CONV_ACTIVATION_SIGMOID,
  silu: CONV_ACTIVATION_SILU, gelu: CONV_ACTIVATION_GELU,
};

/** `value` as [h, w]: a number for both, or a pair; each an integer ≥ `least`. */
export function pairOption(op: string, name: string, value: unknown, fallback: number, least: number): [number, number] {
  const pair = value === undefined ? [fallback, fallback] : typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v))) {
    throw new TypeError(`${op}(): argument '${name}' must be an int or a tuple of 2 ints, but got: ${describeValue(value)}`);
  }
  if (pair.some((v) => v < least)) {
    const what = name === 'stride' ? 'non-positive stride is not supported' : name === 'dilation' ? 'dilation should be greater than zero'
      : name === 'kernelSize' ? 'kernel_size must be greater than zero'
        : `negative ${name === 'outputPadding' ? 'output padding' : name} is not supported`;
    throw new MtiaError(`${op}(): ${what}, but got ${name}=${describeValue(value)}`);
  }
  return pair as [number, number];
}

/** `value` as [top, left, bottom, right]: a number, [h, w] or the 4 sides; integers ≥ 0. */
export function padsOption(op: string, value: unknown): [number, number, number, number] {
  if (Array.isArray(value) && value.length === 4) {
    if (!value.every((v) => Number.isInteger(v))) throw new TypeError(`${op}(): argument 'padding' must be ints, but got: ${describeValue(value)}`);
    if (value.some((v) => v < 0)) throw new MtiaError(`${op}(): negative padding is not supported, but got padding=${describeValue(value)}`);
    return value as [number, number, number, number];
  }
  const [h, w] = pairOption(op, 'padding', value, 0, 0);
  return [h, w, h, w];
}

/** Checks the tensors both convs take (PyTorch's errors); returns them, bias undefined when absent. */
function checkConvTensors(op: string, input: unknown, weight: unknown, bias: unknown): { x: Tensor; w: Tensor; b?: Tensor } {
  const x = checkTensor(op, input, 'input');
  const w = checkTensor(op, weight, 'weight');
  const b = bias === undefined || bias === null ? undefined : checkTensor(op, bias, 'bias');
  checkSameDevice(op, b === undefined ? [x, w] : [x, w, b]);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new MtiaError(`Expected 3D (unbatched) or 4D (batched) input to ${op === 'conv2d' ? 'conv2d' : 'conv_transpose2d'}, but got input of size: [${x.shape.join(', ')}]`);
  }
  if (w.ndim !== 4) {
    throw new MtiaError(`Expected 4-dimensional weight for ${x.ndim}-dimensional input [${x.shape.join(', ')}], but got ${w.ndim}-dimensional weight of size [${w.shape.join(', ')}] instead`);
  }
  for (const [name, t] of [['weight', w], ['bias', b]] as const) {
    if (t !== undefined && t.dtype !== x.dtype) {
      throw new MtiaError(`Input type (${dtypeInfo(x.dtype).cppType}) and ${name} type (${dtypeInfo(t.dtype).cppType}) should be the same`);
    }
  }
  if (!isFloatingDType(x.dtype)) throw new MtiaError(`"${op}" not implemented for '${dtypeInfo(x.dtype).scalarType}'`);
  return { x, w, b };
}

/** The groups option: a positive integer (default 1). */
function groupsOption(op: string, value: unknown): number {
  const groups = value ?? 1;
  if (!Number.isInteger(groups)) throw new TypeError(`${op}(): argument 'groups' must be int, but got: ${describeValue(value)}`);
  if ((groups as number) <= 0) throw new MtiaError('non-positive groups is not supported');
  return groups as number;
}

/** Throws PyTorch's error unless `bias` is 1-d with `channels` elements. */
function checkBias(weight: Tensor, bias: Tensor | undefined, channels: number): void {
  if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== channels)) {
    throw new MtiaError(`Given weight of size [${weight.shape.join(', ')}], expected bias to be 1-dimensional with ${channels} elements, but got bias of size [${bias.shape.join(', ')}] instead`);
  }
}

/** Workspace bytes of OP_CONV's GEMM path (mirrors convWorkspaceBytes in assembly/ops/conv.ts; a transposed conv takes OH · OW · 4). */
export function convWorkspaceBytes(cOutPerGroup: number, k: number, pixels: number, bytes: number): number {
  const roundUp = (x: number, multiple: number) => Math.ceil(x / multiple) * multiple;
  const chunk = Math.min(Math.max(pixels, 1), Math.max(1, Math.floor(CONV_COLUMN_BYTES / Math.max(1, k * bytes))));
  const kc = Math.min(BLOCK_K, Math.max(k, 1));
  const nc = Math.min(BLOCK_N, roundUp(chunk, TILE_N));
  const mc = Math.min(BLOCK_M, roundUp(Math.max(cOutPerGroup, 1), TILE_M));
  const packing = (kc * nc + mc * kc) * 4;
  return roundUp(k * chunk * bytes, 16) + roundUp(packing, 16) + (bytes === 4 ? 0 : cOutPerGroup * chunk * 4);
}

/** The geometry of one OP_CONV. */
interface ConvLaunch {
  op: string;
  x: Tensor;
  w: Tensor;
  b?: Tensor;
  outShape: [number, number, number, number];
  stride: [number, number];
  pads: [number, number];
  dilation: [number, number];
  groups: number;
  transposed: boolean;
  activation: number;
}

/** Enqueues OP_CONV into a new [N, C_out, OH, OW] tensor (the input 4-d). */
function launchConv(c: ConvLaunch): Tensor {
  const device = c.x.storage.device;
  const [n, cOut, oh, ow] = c.outShape;
  const [cIn, h, w] = [c.x.shape[1]!, c.x.shape[2]!, c.x.shape[3]!];
  const [kH, kW] = [c.w.shape[2]!, c.w.shape[3]!];
  const cInPerGroup = cIn / c.groups;
  const direct = c.transposed || cInPerGroup === 1;
  const out = allocateTensor(device, c.outShape, c.x.dtype);
  if (out.numel === 0) return out;
  const temporaries: Tensor[] = [];
  let workspace = 0;
  try {
    // The GEMM path reads the weight's (c, kh, kw) as one unit-stride K.
    const weight = direct || c.w.isContiguous() ? c.w : contiguous(c.w);
    if (weight !== c.w) temporaries.push(weight);
    const workspaceBytes = c.transposed ? oh * ow * 4 : direct ? 0 : convWorkspaceBytes(cOut / c.groups, cInPerGroup * kH * kW, oh * ow, dtypeInfo(c.x.dtype).bytes);
    filling([out], () => {
      if (workspaceBytes > 0) workspace = device.allocate(workspaceBytes);
      const args = argsBlock(c.activation)
        .iteration(c.outShape, [contiguousStrides(c.outShape), c.x.strides, weight.strides, [0, c.b?.strides[0] ?? 0, 0, 0]])
        .dtype(1, c.x.dtype)
        .dtype(2, weight.dtype)
        .params(cIn, h, w, kH, kW, c.stride[0], c.stride[1], c.pads[0], c.pads[1], c.dilation[0], c.dilation[1], c.groups, c.transposed ? 1 : 0)
        .addressParam(13, workspace)
        .param64(15, workspaceBytes);
      if (c.b !== undefined) args.dtype(3, c.b.dtype).address3(addressOf(c.b));
      const reads = c.b === undefined ? [c.x, weight] : [c.x, weight, c.b];
      args.enqueue(device, { op: c.op, reads, writes: [out] }, OP_CONV, c.x.dtype, out.storage.address, addressOf(c.x), addressOf(weight), out.numel);
    });
  } finally {
    if (workspace !== 0) device.release(workspace);
    for (const t of temporaries) t.free();
  }
  return out;
}

/** Runs `compute` on `x` made 4-d (an unbatched 3-d input gets a batch of 1) and gives its result the input's rank. */
export function batched(x: Tensor, compute: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim === 4) return compute(x);
  const x4 = view(x, [1, ...x.shape]);
  try {
    const out4 = compute(x4);
    try {
      return view(out4, out4.shape.slice(1));
    } finally {
      out4.free();
    }
  } finally {
    x4.free();
  }
}

/**
 * 2-d convolution of NCHW `input` [N, C_in, H, W] (or unbatched [C_in, H, W]) with `weight`
 * [C_out, C_in/groups, kH, kW] and optional `bias` [C_out] (torch.nn.functional.conv2d), with
 * a fused `activation` (mtia-sim extension).
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const { x, w, b } = checkConvTensors('conv2d', input, weight, bias);
  checkOptions('conv2d', options, ['stride', 'padding', 'dilation', 'groups', 'activation']);
  const stride = pairOption('conv2d', 'stride', options.stride, 1, 1);
  const dilation = pairOption('conv2d', 'dilation', options.dilation, 1, 1);
  const groups = groupsOption('conv2d', options.groups);
  const activationName = options.activation ?? null;
  if (activationName !== null && !Object.hasOwn(ACTIVATIONS, activationName)) {
    throw new ValueError(`conv2d(): activation must be one of ${Object.keys(ACTIVATIONS).join(', ')} or null, but got: ${describeValue(activationName)}`);
  }
  const activation = activationName === null ? CONV_ACTIVATION_NONE : ACTIVATIONS[activationName];
  const [cOut, cInPerGroup, kH, kW] = w.shape as [number, number, number, number];
  const cIn = x.shape[x.ndim - 3]!;
  let pads: [number, number, number, number];
  if (typeof options.padding === 'string') {
    if (options.padding === 'valid') pads = [0, 0, 0, 0];
    else if (options.padding === 'same') {
      if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError("padding='same' is not supported for strided convolutions");
      const [th, tw] = [dilation[0] * (kH - 1), dilation[1] * (kW - 1)];
      pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
    } else {
      throw new ValueError(`Invalid padding string '${options.padding}', should be one of {'valid', 'same'}`);
    }
  } else {
    pads = padsOption('conv2d', options.padding);
  }
  if (cOut % groups !== 0) {
    throw new MtiaError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${w.shape.join(', ')}] instead`);
  }
  if (cInPerGroup * groups !== cIn) {
    throw new MtiaError(`Given groups=${groups}, weight of size [${w.shape.join(', ')}], expected input[${x.shape.join(', ')}] to have ${cInPerGroup * groups} channels, but got ${cIn} channels instead`);
  }
  checkBias(w, b, cOut);
  const [h, wIn] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
  const [paddedH, paddedW] = [h + pads[0] + pads[2], wIn + pads[1] + pads[3]];
  const [spanH, spanW] = [dilation[0] * (kH - 1) + 1, dilation[1] * (kW - 1) + 1];
  if (paddedH < spanH || paddedW < spanW) {
    throw new MtiaError(`Calculated padded input size per channel: (${paddedH} x ${paddedW}). Kernel size: (${spanH} x ${spanW}). Kernel size can't be greater than actual input size`);
  }
  const oh = Math.floor((paddedH - spanH) / stride[0]) + 1;
  const ow = Math.floor((paddedW - spanW) / stride[1]) + 1;
  return batched(x, (x4) => launchConv({
    op: 'conv2d', x: x4, w, b, outShape: [x4.shape[0]!, cOut, oh, ow], stride, pads: [pads[0], pads[1]], dilation,
    groups, transposed: false, activation,
  }));
}

/**
 * Transposed 2-d convolution (the gradient of conv2d with respect to its input) of `input`
 * [N, C_in, H, W] with `weight` [C_in, C_out/groups, kH, kW] (torch.nn.functional.conv_transpose2d).
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const { x, w, b } = checkConvTensors('convTranspose2d', input, weight, bias);
  checkOptions('convTranspose2d', options, ['stride', 'padding', 'outputPadding', 'groups', 'dilation']);
  const stride = pairOption('convTranspose2d', 'stride', options.stride, 1, 1);
  const padding = pairOption('convTranspose2d', 'padding', options.padding, 0, 0);
  const outputPadding = pairOption('convTranspose2d', 'outputPadding', options.outputPadding, 0, 0);
  const dilation = pairOption('convTranspose2d', 'dilation', options.dilation, 1, 1);
  const groups = groupsOption('convTranspose2d', options.groups);
  if (outputPadding.some((p, d) => p >= stride[d]! && p >= dilation[d]!)) {
    throw new MtiaError(`output padding must be smaller than either stride or dilation, but got output_padding_height: ${outputPadding[0]} output_padding_width: ${outputPadding[1]} stride_height: ${stride[0]} stride_width: ${stride[1]} dilation_height: ${dilation[0]} dilation_width: ${dilation[1]}`);
  }
  const [wIn, cOutPerGroup, kH, kW] = w.shape as [number, number, number, number];
  const cIn = x.shape[x.ndim - 3]!;
  if (wIn % groups !== 0) {
    throw new MtiaError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${w.shape.join(', ')}] instead`);
  }
  if (wIn !== cIn) {
    throw new MtiaError(`Given transposed=1, weight of size [${w.shape.join(', ')}], expected input[${x.shape.join(', ')}] to have ${wIn} channels, but got ${cIn} channels instead`);
  }
  const cOut = cOutPerGroup * groups;
  checkBias(w, b, cOut);
  const [h, wd] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
  const oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + outputPadding[0] + 1;
  const ow = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kW - 1) + outputPadding[1] + 1;
  if (oh <= 0 || ow <= 0) {
    throw new MtiaError(`Given input size per channel: (${h} x ${wd}). Calculated output size per channel: (${oh} x ${ow}). Output size is too small`);
  }
  return batched(x, (x4) => launchConv({
    op: 'convTranspose2d', x: x4, w, b, outShape: [x4.shape[0]!, cOut, oh, ow], stride, pads: padding, dilation,
    groups, transposed: true, activation: CONV_ACTIVATION_NONE,
  }));
}
