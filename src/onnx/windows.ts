// The window of a 2-d Conv or pooling node (ONNX Conv-11, MaxPool-12, AveragePool-19):
// kernel, strides, dilations and the four pads, explicit or from auto_pad, in the
// [top, left, bottom, right] order conv2d and the pools take.

import { MtiaError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { NodeContext } from './node-context.js';

/** Spatial padding of a Conv or pool node: its pads, or what its auto_pad computes (ONNX Conv-11), as [top, left, bottom, right]. */
function spatialPads(ctx: NodeContext, input: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): [number, number, number, number] {
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = ctx.attrs.ints('pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4) throw new MtiaError(`${ctx.what}: pads must have 4 values for a 2-d window, but got ${pads.length}`);
    return pads as [number, number, number, number];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw new MtiaError(`${ctx.what}: auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  const [begin, end] = [0, 1].map(() => [0, 0]) as [number[], number[]];
  for (let d = 0; d < 2; d++) {
    const size = input[d]!;
    const total = Math.max((Math.ceil(size / strides[d]!) - 1) * strides[d]! + (kernel[d]! - 1) * dilations[d]! + 1 - size, 0);
    const small = Math.floor(total / 2);
    begin[d] = autoPad === 'SAME_UPPER' ? small : total - small;
    end[d] = total - begin[d]!;
  }
  return [begin[0]!, begin[1]!, end[0]!, end[1]!];
}

/** A 2-d window's attributes: kernel (from the attribute or `weightShape`), strides, dilations, pads. */
export function window2d(ctx: NodeContext, x: Tensor, kernelFallback?: readonly number[]): { kernel: [number, number]; strides: [number, number]; dilations: [number, number]; pads: [number, number, number, number] } {
  if (x.ndim !== 4) throw new MtiaError(`${ctx.what}: only 2-d windows over 4-d NCHW inputs are supported, but got an input of shape [${x.shape.join(', ')}]`);
  const kernel = (ctx.attrs.ints('kernel_shape') ?? kernelFallback) as [number, number] | undefined;
  if (kernel === undefined || kernel.length !== 2) throw new MtiaError(`${ctx.what}: kernel_shape must have 2 values`);
  const strides = (ctx.attrs.ints('strides') ?? [1, 1]) as [number, number];
  const dilations = (ctx.attrs.ints('dilations') ?? [1, 1]) as [number, number];
  return { kernel, strides, dilations, pads: spatialPads(ctx, x.shape.slice(2), kernel, strides, dilations) };
}
