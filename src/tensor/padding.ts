// torch.nn.functional.pad: constant, reflect and replicate padding (and cropping, with
// negative pads) of the trailing dims, one OP_PAD command (assembly/ops/padding.ts). The
// checks and their messages are PyTorch's (aten/src/ATen/native/PadNd.cpp, ReflectionPad.cpp).

import { MtiaError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import { OP_PAD, PAD_CONSTANT, PAD_REFLECT, PAD_REPLICATE } from '../runtime/layout.js';
import { isFloatingDType } from './dtype.js';
import { addressOf, argsBlock, checkTensor } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import type { Tensor } from './tensor.js';

/** Options of pad (torch.nn.functional.pad's mode and value). */
export interface PadOptions {
  /** 'constant' (default), 'reflect' (mirror without the edge) or 'replicate' (repeat the edge). */
  mode?: 'constant' | 'reflect' | 'replicate';
  /** The fill of mode 'constant' (default 0). */
  value?: number;
}

const modes = { constant: PAD_CONSTANT, reflect: PAD_REFLECT, replicate: PAD_REPLICATE } as const;

/** The pad list, checked: integers, an even count, at most two per dim of `input`. */
function checkPad(input: Tensor, pad: unknown): number[] {
  if (!Array.isArray(pad) || pad.some((p) => typeof p !== 'number' || !Number.isInteger(p))) {
    throw new TypeError(`pad(): argument 'pad' must be a list of integers, but got: ${describeValue(pad)}`);
  }
  if (pad.length % 2 !== 0) throw new MtiaError('Padding length must be divisible by 2');
  if (pad.length > input.ndim * 2) {
    throw new MtiaError(
      `Padding length should be less than or equal to two times the input dimension but got padding length ${pad.length} and input of dimension ${input.ndim}`,
    );
  }
  return pad as number[];
}

/** [low, high] pads of every dim of `input` from torch's list (pairs from the last dim backwards). */
function padsPerDim(input: Tensor, pad: readonly number[]): [number, number][] {
  return input.shape.map((_, d) => {
    const k = input.ndim - 1 - d;
    return 2 * k < pad.length ? [pad[2 * k]!, pad[2 * k + 1]!] : [0, 0];
  });
}

/** Throws PyTorch's errors for a reflect or replicate pad that its kernels do not take. */
function checkNonConstant(input: Tensor, mode: 'reflect' | 'replicate', pad: readonly number[]): void {
  const pairs = pad.length / 2;
  if (pairs < 1 || pairs > 3 || (input.ndim !== pairs + 1 && input.ndim !== pairs + 2)) {
    throw new MtiaError('Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
  }
  for (let k = 0; k < pairs; k++) {
    const dim = input.ndim - 1 - k;
    const size = input.shape[dim]!;
    const [low, high] = [pad[2 * k]!, pad[2 * k + 1]!];
    if (mode === 'reflect' && (low >= size || high >= size)) {
      throw new MtiaError(
        `Argument #${4 + 2 * k}: Padding size should be less than the corresponding input dimension, but got: padding (${low}, ${high}) at dimension ${dim} of input [${input.shape.join(', ')}]`,
      );
    }
    if (size + low + high < 1 || size === 0) {
      throw new MtiaError(`pad(): input of size ${size} at dimension ${dim} padded by (${low}, ${high}) leaves no element to ${mode}`);
    }
  }
}

/**
 * Pads (or, with negative pads, crops) the trailing dims of `input` (torch.nn.functional.pad):
 * `pad` holds (low, high) pairs from the last dim backwards; mode 'constant' fills with
 * `value`, 'reflect' mirrors about the edge, 'replicate' repeats it.
 */
export function pad(input: Tensor, pad: readonly number[], options?: PadOptions): Tensor {
  checkTensor('pad', input, 'input');
  const given = checkOptions('pad', options, ['mode', 'value']);
  const modeName = given?.mode ?? 'constant';
  if (typeof modeName !== 'string' || !(modeName in modes)) {
    throw new MtiaError(`pad(): mode must be one of 'constant', 'reflect', 'replicate', but got: ${describeValue(modeName)}`);
  }
  const value = given?.value;
  if (value !== undefined && typeof value !== 'number') throw new TypeError(`pad(): argument 'value' must be a number, but got: ${describeValue(value)}`);
  const list = checkPad(input, pad);
  const pads = padsPerDim(input, list);
  if (modeName === 'constant') {
    pads.forEach(([low, high], d) => {
      if (input.shape[d]! + low + high < 0) {
        throw new MtiaError(
          `The input size ${input.shape[d]}, plus negative padding ${low} and ${high} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`,
        );
      }
    });
  } else {
    if (value !== undefined && value !== 0) throw new MtiaError(`Padding mode "${modeName}" doesn't take in value argument`);
    checkNonConstant(input, modeName as 'reflect' | 'replicate', list);
  }
  const shape = input.shape.map((size, d) => size + pads[d]![0] + pads[d]![1]);
  const out = allocateTensor(input.storage.device, shape, input.dtype);
  if (out.numel === 0) return out;
  const fill = value ?? 0;
  filling([out], () => {
    const args = argsBlock(modes[modeName as keyof typeof modes])
      .iteration(shape, [out.strides, input.strides, pads.map(([low]) => low), input.shape])
      .dtype(1, input.dtype);
    if (isFloatingDType(input.dtype)) args.floatParam(0, fill);
    else args.param(1, input.dtype === 'bool' ? Number(fill !== 0) : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc(fill))));
    args.enqueue(input.storage.device, { op: 'pad', reads: [input], writes: [out] }, OP_PAD, input.dtype, addressOf(out), addressOf(input), 0, out.numel);
  });
  return out;
}
