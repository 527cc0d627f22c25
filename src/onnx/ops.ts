// The one table from ONNX op type to tensor functions: how each node that computes on device
// data is enqueued on the current stream, in terms of the public tensor API alone. Shape and
// constant nodes whose inputs are all on the host run in fold.ts instead. Semantics: the ONNX
// operator spec (onnx/docs/Operators.md), opsets 13 to 21; where ONNX and PyTorch agree (most
// ops) the tensor function is the PyTorch one of the same name.

import { MtiaError } from '../errors.js';
import {
  abs, add, clamp, div, erf, exp, gelu, hardSigmoid, hardSwish, leakyRelu, log, logicalNot, maximum, minimum, mul, neg, pow,
  reciprocal, relu, sigmoid, sqrt, sub, tanh, where, type Scalar,
} from '../tensor/ops.js';
import { eq, ge, gt, le, logicalAnd, logicalOr, logicalXor, lt } from '../tensor/comparisons.js';
import { pad } from '../tensor/padding.js';
import { resize } from '../tensor/resize.js';
import { cumsum } from '../tensor/scan.js';
import { topk } from '../tensor/topk.js';
import { argmax, max, mean, min, sum } from '../tensor/reductions.js';
import { linear, matmul } from '../tensor/linalg.js';
import { layerNorm, logSoftmax, softmax } from '../tensor/nn.js';
import { batchNorm, groupNorm } from '../tensor/normalization.js';
import { conv2d, convTranspose2d, type ConvActivation } from '../tensor/conv.js';
import { avgPool2d, maxPool2d } from '../tensor/pool.js';
import { cat, expand, permute, reshape, slice, split } from '../tensor/views.js';
import { gather, indexSelect } from '../tensor/indexing.js';
import { empty, tensor } from '../tensor/factories.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  axesOf, castTarget, hostOps, numbersOf, reshapeTarget, sliceRange, squeezeShape, unsqueezeShape, wrapAxis,
} from './fold.js';
import { Attributes, type OnnxNode } from './read.js';
import { deviceDTypeOf, hostValue, numelOf, type HostValue, type OnnxDType } from './values.js';

/** The device dtypes (DType) the importer may place ONNX values in. */
export const DEVICE_DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int32', 'bool', 'int64'];

/** A value on the device: its tensor, and the ONNX element type it stands for (uint8 and int16 held as int32). */
export interface DeviceValue {
  readonly kind: 'device';
  readonly tensor: Tensor;
  readonly dtype: OnnxDType;
}

/** A value of the graph: on the host (constants, shapes) or on the device. */
export type Value = HostValue | DeviceValue;

/** The device dtype of ONNX element type `dtype`; throws naming `what` where the device has none. */
export function deviceDType(dtype: OnnxDType, what: string): DType {
  const device = deviceDTypeOf(dtype, DEVICE_DTYPES);
  if (device === undefined) throw new MtiaError(`${what}: element type ${dtype} has no device dtype in mtia-sim (the device holds ${DEVICE_DTYPES.join(', ')})`);
  return device;
}

/** A host value as a new device tensor (a tensor of its shape without values when it has none: timing-only). */
export function upload(value: HostValue, what: string): Tensor {
  const dtype = deviceDType(value.dtype, what);
  const shape = [...value.shape];
  if (value.data === undefined) return empty(shape, { dtype });
  let data: Float32Array | Int32Array | Int8Array | BigInt64Array;
  if (dtype === 'int64') data = BigInt64Array.from(value.data, (v) => BigInt(v));
  else if (dtype === 'int32') {
    for (const v of value.data) {
      if (v < -(2 ** 31) || v >= 2 ** 31) throw new MtiaError(`${what}: value ${v} of ${value.dtype} does not fit the device's int32 (mtia-sim holds ${value.dtype} as int32)`);
    }
    data = Int32Array.from(value.data);
  } else if (dtype === 'int8' || dtype === 'bool') data = Int8Array.from(value.data);
  else data = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data);
  const flat = tensor(data, { dtype });
  try {
    return reshape(flat, shape);
  } finally {
    flat.free();
  }
}

/** What a device op gets: its node, attributes and inputs, and ways to read them. */
export class NodeContext {
  readonly attrs: Attributes;
  /** Tensors made for this node alone (uploaded host inputs, intermediates), freed after it. */
  readonly temporaries: Tensor[] = [];

  constructor(
    readonly node: OnnxNode, readonly opset: number, readonly inputs: readonly (Value | undefined)[],
    /** Host values uploaded once at load, by name: used instead of a fresh upload. */
    private readonly uploaded: ReadonlyMap<string, Tensor> = new Map(),
  ) {
    this.attrs = new Attributes(node);
  }

  /** "<OpType> node '<name>'", the start of this node's error messages. */
  get what(): string {
    return `${this.node.opType} node '${this.node.name}'`;
  }

  /** True if input `i` is given. */
  has(i: number): boolean {
    return this.inputs[i] !== undefined;
  }

  /** The ONNX element type of input `i`. */
  dtype(i: number): OnnxDType {
    return this.value(i).dtype;
  }

  /** The shape of input `i`. */
  shape(i: number): readonly number[] {
    const v = this.value(i);
    return v.kind === 'host' ? v.shape : v.tensor.shape;
  }

  /** Input `i`, which must be given. */
  value(i: number): Value {
    const v = this.inputs[i];
    if (v === undefined) throw new MtiaError(`${this.what}: input ${i} is required but not given`);
    return v;
  }

  /** Input `i` as a device tensor: host values are uploaded for this node. */
  tensor(i: number): Tensor {
    const v = this.value(i);
    if (v.kind === 'device') return v.tensor;
    return this.uploaded.get(this.node.inputs[i]!) ?? this.temporary(upload(v, `${this.what} input '${this.node.inputs[i]}'`));
  }

  /** Input `i`, which must be on the host (a shape, axes, a constant). */
  host(i: number): HostValue {
    const v = this.value(i);
    if (v.kind !== 'host') {
      throw new MtiaError(`${this.what}: input '${this.node.inputs[i]}' is computed on the device, but mtia-sim needs it on the host (from constants and shapes)`);
    }
    return v;
  }

  /** Input `i` as a JavaScript number when it is a one-element host value of rank ≤ `rank`, else its tensor. */
  operand(i: number, rank: number): Tensor | Scalar {
    const v = this.value(i);
    if (v.kind === 'host' && v.data !== undefined && v.data.length === 1 && v.shape.length <= rank) {
      return v.dtype === 'bool' ? v.data[0] !== 0 : v.data[0]!;
    }
    return this.tensor(i);
  }

  /** The rank of the widest input. */
  get maxRank(): number {
    return Math.max(...this.inputs.map((v) => (v === undefined ? 0 : v.kind === 'host' ? v.shape.length : v.tensor.ndim)));
  }

  /** Notes `t` as a temporary of this node; returns it. */
  temporary(t: Tensor): Tensor {
    this.temporaries.push(t);
    return t;
  }

  /** A device output of element type `dtype`. */
  out(t: Tensor, dtype: OnnxDType): DeviceValue {
    return { kind: 'device', tensor: t, dtype };
  }
}

/** A device implementation: the node's outputs, in order. */
export type DeviceOp = (ctx: NodeContext) => Value[];

/** An elementwise unary op on floats. */
function unaryOp(fn: (t: Tensor) => Tensor): DeviceOp {
  return (ctx) => [ctx.out(fn(ctx.tensor(0)), ctx.dtype(0))];
}

/** A broadcasting binary op; one-element host operands travel as numbers. */
function binaryOp(name: string, fn: (a: Tensor | Scalar, b: Tensor | Scalar) => Tensor): DeviceOp {
  return (ctx) => {
    const dtype = ctx.dtype(0);
    if (name === 'Div' && dtype !== 'float32' && dtype !== 'float16' && dtype !== 'bfloat16') {
      throw new MtiaError(`${ctx.what}: integer division of device tensors (${dtype}) is not supported by mtia-sim`);
    }
    const rank = ctx.maxRank;
    return [ctx.out(fn(ctx.operand(0, rank), ctx.operand(1, rank)), dtype)];
  };
}

/** A broadcasting comparison or logical op: bool out. */
function comparisonOp(fn: (a: Tensor | Scalar, b: Tensor | Scalar) => Tensor): DeviceOp {
  return (ctx) => {
    const rank = ctx.maxRank;
    return [ctx.out(fn(ctx.operand(0, rank), ctx.operand(1, rank)), 'bool')];
  };
}

/** A variadic op folded left with `fn` (Max, Min, Sum). */
function variadicOp(fn: (a: Tensor, b: Tensor) => Tensor): DeviceOp {
  return (ctx) => {
    const present = ctx.inputs.map((_, i) => i).filter((i) => ctx.has(i));
    let result = alias(ctx.tensor(present[0]!));
    for (const i of present.slice(1)) {
      const next = fn(result, ctx.tensor(i));
      result.free();
      result = next;
    }
    return [ctx.out(result, ctx.dtype(present[0]!))];
  };
}

/** The axes of a Reduce* node and its keepdims; `inputSince`: the opset whose axes are an input. */
function reduceAxes(ctx: NodeContext, inputSince: number): { axes: number[] | undefined; keepdim: boolean } {
  const hostInputs = ctx.inputs.map((v) => (v?.kind === 'host' ? v : undefined));
  if (ctx.opset >= inputSince && ctx.has(1)) ctx.host(1);
  let axes = axesOf(ctx.node, ctx.opset, inputSince, hostInputs, 1);
  const rank = ctx.shape(0).length;
  if (axes !== undefined && axes.length === 0) axes = undefined;
  if (axes === undefined && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return { axes: [], keepdim: true };
  return { axes: axes?.map((a) => wrapAxis(ctx.node, a, rank)), keepdim: ctx.attrs.int('keepdims', 1) === 1 };
}

/** ReduceMax/ReduceMin: one dim at a time, kept, then the kept dims dropped if asked. */
function reduceExtremum(fn: typeof max): DeviceOp {
  return (ctx) => {
    const { axes, keepdim } = reduceAxes(ctx, 18);
    const x = ctx.tensor(0);
    if (axes !== undefined && axes.length === 0) return [ctx.out(reshape(x, x.shape), ctx.dtype(0))];
    const dims = axes ?? x.shape.map((_, d) => d);
    let result = x;
    for (const d of dims) {
      const { values, indices } = fn(result, d, { keepdim: true });
      indices.free();
      if (result !== x) result.free();
      result = values;
    }
    const shape = keepdim ? result.shape : x.shape.filter((_, d) => !dims.includes(d));
    const out = reshape(result, shape);
    if (result !== x) result.free();
    return [ctx.out(out, ctx.dtype(0))];
  };
}

/** ReduceSum/ReduceMean. */
function reduceLinear(fn: typeof sum, inputSince: number): DeviceOp {
  return (ctx) => {
    const { axes, keepdim } = reduceAxes(ctx, inputSince);
    const x = ctx.tensor(0);
    if (axes !== undefined && axes.length === 0) return [ctx.out(reshape(x, x.shape), ctx.dtype(0))];
    return [ctx.out(fn(x, axes ?? null, { keepdim }), ctx.dtype(0))];
  };
}

/** Softmax/LogSoftmax (axis −1 by default from opset 13). */
function softmaxOp(fn: typeof softmax): DeviceOp {
  return (ctx) => {
    const x = ctx.tensor(0);
    const axis = ctx.attrs.int('axis', ctx.opset >= 13 ? -1 : 1);
    if (ctx.opset < 13 && wrapAxis(ctx.node, axis, x.ndim) !== x.ndim - 1) {
      throw new MtiaError(`${ctx.what}: opset ${ctx.opset} Softmax over the flattened dims from axis ${axis} is not supported (only the last axis, or opset 13 and later)`);
    }
    return [ctx.out(fn(x, axis), ctx.dtype(0))];
  };
}

/** A view of `t` in its own shape: a new Tensor object, so that each graph value owns one. */
function alias(t: Tensor): Tensor {
  return reshape(t, t.shape);
}

/** GELU's tanh form, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (ONNX Gelu-20, approximate='tanh'). */
function geluTanh(ctx: NodeContext, x: Tensor): Tensor {
  const cube = ctx.temporary(mul(ctx.temporary(mul(x, x)), x));
  const inner = ctx.temporary(mul(ctx.temporary(add(x, ctx.temporary(mul(cube, 0.044715)))), Math.sqrt(2 / Math.PI)));
  const gate = ctx.temporary(add(ctx.temporary(tanh(inner)), 1));
  return mul(ctx.temporary(mul(x, gate)), 0.5);
}

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
function window2d(ctx: NodeContext, x: Tensor, kernelFallback?: readonly number[]): { kernel: [number, number]; strides: [number, number]; dilations: [number, number]; pads: [number, number, number, number] } {
  if (x.ndim !== 4) throw new MtiaError(`${ctx.what}: only 2-d windows over 4-d NCHW inputs are supported, but got an input of shape [${x.shape.join(', ')}]`);
  const kernel = (ctx.attrs.ints('kernel_shape') ?? kernelFallback) as [number, number] | undefined;
  if (kernel === undefined || kernel.length !== 2) throw new MtiaError(`${ctx.what}: kernel_shape must have 2 values`);
  const strides = (ctx.attrs.ints('strides') ?? [1, 1]) as [number, number];
  const dilations = (ctx.attrs.ints('dilations') ?? [1, 1]) as [number, number];
  return { kernel, strides, dilations, pads: spatialPads(ctx, x.shape.slice(2), kernel, strides, dilations) };
}

/** Conv (2-d, NCHW), with `activation` fused into its kernel. */
function convOp(activation?: ConvActivation): DeviceOp {
  return (ctx) => {
    const x = ctx.tensor(0);
    const w = ctx.tensor(1);
    const { strides, dilations, pads } = window2d(ctx, x, w.shape.slice(2));
    const bias = ctx.has(2) ? ctx.tensor(2) : undefined;
    return [ctx.out(conv2d(x, w, bias, { stride: strides, padding: pads, dilation: dilations, groups: ctx.attrs.int('group', 1), ...(activation && { activation }) }), ctx.dtype(0))];
  };
}


/** The device implementations, by ONNX op type. */
export const deviceOps: Readonly<Record<string, DeviceOp>> = {
  Identity: (ctx) => [ctx.out(alias(ctx.tensor(0)), ctx.dtype(0))],
  Dropout: (ctx) => {
    if (ctx.node.outputs[1]) throw new MtiaError(`${ctx.what}: the mask output is not supported (inference only)`);
    return [ctx.out(alias(ctx.tensor(0)), ctx.dtype(0))];
  },
  Add: binaryOp('Add', add),
  Sub: binaryOp('Sub', sub),
  Mul: binaryOp('Mul', mul),
  Div: binaryOp('Div', div),
  Max: variadicOp(maximum),
  Min: variadicOp(minimum),
  Sum: variadicOp((a, b) => add(a, b)),
  Relu: unaryOp(relu),
  Sigmoid: unaryOp(sigmoid),
  Tanh: unaryOp(tanh),
  Exp: unaryOp(exp),
  Log: unaryOp(log),
  Sqrt: unaryOp(sqrt),
  Neg: unaryOp(neg),
  Reciprocal: unaryOp(reciprocal),
  Abs: unaryOp(abs),
  Erf: unaryOp(erf),
  Not: (ctx) => [ctx.out(logicalNot(ctx.tensor(0)), 'bool')],
  LeakyRelu: (ctx) => [ctx.out(leakyRelu(ctx.tensor(0), ctx.attrs.float('alpha', 0.01)), ctx.dtype(0))],
  HardSigmoid: (ctx) => [ctx.out(hardSigmoid(ctx.tensor(0), { alpha: ctx.attrs.float('alpha', 0.2), beta: ctx.attrs.float('beta', 0.5) }), ctx.dtype(0))],
  HardSwish: unaryOp(hardSwish),
  Equal: comparisonOp(eq),
  Less: comparisonOp(lt),
  LessOrEqual: comparisonOp(le),
  Greater: comparisonOp(gt),
  GreaterOrEqual: comparisonOp(ge),
  And: comparisonOp(logicalAnd),
  Or: comparisonOp(logicalOr),
  Xor: comparisonOp(logicalXor),
  Gelu: (ctx) => {
    const approximate = ctx.attrs.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') throw new MtiaError(`${ctx.what}: approximate must be 'none' or 'tanh', but got '${approximate}'`);
    const x = ctx.tensor(0);
    return [ctx.out(approximate === 'none' ? gelu(x) : geluTanh(ctx, x), ctx.dtype(0))];
  },
  Pow: binaryOp('Pow', pow),
  Clip: (ctx) => {
    const x = ctx.tensor(0);
    const bound = (i: number, attr: string): number | Tensor | undefined => {
      if (ctx.opset < 11) return ctx.attrs.has(attr) ? ctx.attrs.float(attr, 0) : undefined;
      if (!ctx.has(i)) return undefined;
      const v = ctx.value(i);
      return v.kind === 'host' && v.data !== undefined ? v.data[0]! : ctx.tensor(i);
    };
    const lo = bound(1, 'min');
    const hi = bound(2, 'max');
    if (lo === undefined && hi === undefined) return [ctx.out(alias(x), ctx.dtype(0))];
    if (typeof lo !== 'object' && typeof hi !== 'object') return [ctx.out(clamp(x, lo ?? null, hi ?? null), ctx.dtype(0))];
    let result = x;
    if (lo !== undefined) result = typeof lo === 'number' ? clamp(result, lo, null) : maximum(result, lo);
    if (hi !== undefined) {
      const next = typeof hi === 'number' ? clamp(result, null, hi) : minimum(result, hi);
      if (result !== x) result.free();
      result = next;
    }
    return [ctx.out(result, ctx.dtype(0))];
  },
  Where: (ctx) => {
    const rank = ctx.maxRank;
    const condition = ctx.tensor(0);
    if (condition.dtype !== 'bool') throw new MtiaError(`${ctx.what}: the condition must be bool, but got ${ctx.dtype(0)}`);
    return [ctx.out(where(condition, ctx.operand(1, rank), ctx.operand(2, rank)), ctx.dtype(1))];
  },
  Cast: (ctx) => {
    const to = castTarget(ctx.node);
    const x = ctx.tensor(0);
    const target = deviceDType(to, ctx.what);
    return [ctx.out(target === x.dtype ? alias(x) : x.to(target), to)];
  },
  MatMul: (ctx) => [ctx.out(matmul(ctx.tensor(0), ctx.tensor(1)), ctx.dtype(0))],
  Gemm: (ctx) => {
    const alpha = ctx.attrs.float('alpha', 1);
    const beta = ctx.attrs.float('beta', 1);
    let a = ctx.tensor(0);
    let b = ctx.tensor(1);
    if (ctx.attrs.int('transA', 0) === 1) a = ctx.temporary(permute(a, [1, 0]));
    const c = ctx.has(2) ? ctx.tensor(2) : undefined;
    if (ctx.attrs.int('transB', 0) === 1 && alpha === 1 && beta === 1 && (c === undefined || c.ndim <= 1)) {
      return [ctx.out(linear(a, b, c), ctx.dtype(0))]; // Gemm as PyTorch exports nn.Linear: one op
    }
    if (ctx.attrs.int('transB', 0) === 1) b = ctx.temporary(permute(b, [1, 0]));
    let y = matmul(a, b);
    if (alpha !== 1) y = mul(ctx.temporary(y), alpha);
    if (c !== undefined && beta !== 0) y = add(ctx.temporary(y), beta === 1 ? c : ctx.temporary(mul(c, beta)));
    return [ctx.out(y, ctx.dtype(0))];
  },
  Softmax: softmaxOp(softmax),
  LogSoftmax: softmaxOp(logSoftmax),
  LayerNormalization: (ctx) => {
    if (ctx.node.outputs.slice(1).some((o) => o !== '')) throw new MtiaError(`${ctx.what}: the Mean and InvStdDev outputs are not supported (inference only)`);
    const x = ctx.tensor(0);
    const axis = wrapAxis(ctx.node, ctx.attrs.int('axis', -1), x.ndim);
    const normalized = x.shape.slice(axis);
    const fit = (i: number) => {
      if (!ctx.has(i)) return undefined;
      const t = ctx.tensor(i);
      if (numelOf(t.shape) !== numelOf(normalized)) {
        throw new MtiaError(`${ctx.what}: input '${ctx.node.inputs[i]}' of shape [${t.shape.join(', ')}] does not match the normalized shape [${normalized.join(', ')}]`);
      }
      return ctx.temporary(reshape(t, normalized));
    };
    const weight = fit(1);
    const bias = fit(2);
    return [ctx.out(layerNorm(x, normalized, { weight, bias, eps: ctx.attrs.float('epsilon', 1e-5) }), ctx.dtype(0))];
  },
  BatchNormalization: (ctx) => {
    // Inference (ONNX BatchNormalization-15, training_mode 0): one batchNorm with the running statistics.
    if (ctx.attrs.int('training_mode', 0) !== 0) throw new MtiaError(`${ctx.what}: training_mode 1 is not supported (inference only)`);
    if (ctx.node.outputs.slice(1).some((o) => o !== '')) throw new MtiaError(`${ctx.what}: the running mean and variance outputs are not supported (inference only)`);
    const [x, weight, bias, runMean, runVar] = [0, 1, 2, 3, 4].map((i) => ctx.tensor(i)) as [Tensor, Tensor, Tensor, Tensor, Tensor];
    return [ctx.out(batchNorm(x, runMean, runVar, { weight, bias, eps: ctx.attrs.float('epsilon', 1e-5) }), ctx.dtype(0))];
  },
  GroupNormalization: (ctx) => {
    const x = ctx.tensor(0);
    const groups = ctx.attrs.int('num_groups', 0);
    const channels = x.shape[1] ?? 0;
    // Opset 18 gives scale and bias per group, opset 21 per channel (as torch's group_norm).
    const perChannel = (i: number): Tensor => {
      if (ctx.opset >= 21) return ctx.tensor(i);
      const values = numbersOf(ctx.host(i), ctx.what);
      if (values.length !== groups || groups <= 0 || channels % groups !== 0) {
        throw new MtiaError(`${ctx.what}: input '${ctx.node.inputs[i]}' has ${values.length} values for ${groups} groups of ${channels} channels`);
      }
      const repeated = Array.from({ length: channels }, (_, c) => values[Math.floor(c / (channels / groups))]!);
      return ctx.temporary(upload(hostValue(ctx.dtype(0), [channels], repeated), ctx.what));
    };
    return [ctx.out(groupNorm(x, groups, { weight: perChannel(1), bias: perChannel(2), eps: ctx.attrs.float('epsilon', 1e-5) }), ctx.dtype(0))];
  },
  Conv: convOp(),
  ConvTranspose: (ctx) => {
    const x = ctx.tensor(0);
    const w = ctx.tensor(1);
    if (ctx.attrs.has('output_shape')) throw new MtiaError(`${ctx.what}: the output_shape attribute is not supported (give pads and output_padding)`);
    const { strides, dilations, pads } = window2d(ctx, x, w.shape.slice(2));
    if (pads[0] !== pads[2] || pads[1] !== pads[3]) throw new MtiaError(`${ctx.what}: asymmetric pads [${pads.join(', ')}] are not supported`);
    const outputPadding = (ctx.attrs.ints('output_padding') ?? [0, 0]) as [number, number];
    const bias = ctx.has(2) ? ctx.tensor(2) : undefined;
    return [ctx.out(convTranspose2d(x, w, bias, { stride: strides, padding: [pads[0], pads[1]], outputPadding, groups: ctx.attrs.int('group', 1), dilation: dilations }), ctx.dtype(0))];
  },
  MaxPool: (ctx) => {
    if (ctx.node.outputs[1]) throw new MtiaError(`${ctx.what}: the Indices output is not supported`);
    const x = ctx.tensor(0);
    const { kernel, strides, dilations, pads } = window2d(ctx, x);
    return [ctx.out(maxPool2d(x, kernel, { stride: strides, padding: pads, dilation: dilations, ceilMode: ctx.attrs.int('ceil_mode', 0) === 1 }), ctx.dtype(0))];
  },
  AveragePool: (ctx) => {
    const x = ctx.tensor(0);
    const { kernel, strides, dilations, pads } = window2d(ctx, x);
    if (dilations.some((d) => d !== 1)) throw new MtiaError(`${ctx.what}: dilations are not supported`);
    return [ctx.out(avgPool2d(x, kernel, { stride: strides, padding: pads, ceilMode: ctx.attrs.int('ceil_mode', 0) === 1, countIncludePad: ctx.attrs.int('count_include_pad', 0) === 1 }), ctx.dtype(0))];
  },
  GlobalAveragePool: (ctx) => {
    const x = ctx.tensor(0);
    return [ctx.out(mean(x, x.shape.slice(2).map((_, d) => d + 2), { keepdim: true }), ctx.dtype(0))];
  },
  ReduceSum: reduceLinear(sum, 13),
  ReduceMean: reduceLinear(mean, 18),
  ReduceMax: reduceExtremum(max as typeof max),
  ReduceMin: reduceExtremum(min as typeof max),
  ArgMax: (ctx) => {
    if (ctx.attrs.int('select_last_index', 0) !== 0) throw new MtiaError(`${ctx.what}: select_last_index 1 is not supported`);
    const x = ctx.tensor(0);
    return [ctx.out(argmax(x, wrapAxis(ctx.node, ctx.attrs.int('axis', 0), x.ndim), { keepdim: ctx.attrs.int('keepdims', 1) === 1 }), 'int64')];
  },
  Reshape: (ctx) => {
    const x = ctx.tensor(0);
    const target = reshapeTarget(ctx.node, x.shape, numbersOf(ctx.host(1), ctx.what), ctx.attrs.int('allowzero', 0) === 1);
    return [ctx.out(reshape(x, target), ctx.dtype(0))];
  },
  Flatten: (ctx) => {
    const x = ctx.tensor(0);
    const axis = ctx.attrs.int('axis', 1);
    const a = axis < 0 ? axis + x.ndim : axis;
    return [ctx.out(reshape(x, [numelOf(x.shape.slice(0, a)), numelOf(x.shape.slice(a))]), ctx.dtype(0))];
  },
  Unsqueeze: (ctx) => {
    const axes = ctx.opset >= 13 ? numbersOf(ctx.host(1), ctx.what) : ctx.attrs.ints('axes') ?? [];
    const x = ctx.tensor(0);
    return [ctx.out(reshape(x, unsqueezeShape(ctx.node, x.shape, axes)), ctx.dtype(0))];
  },
  Squeeze: (ctx) => {
    const axes = ctx.opset >= 13 ? (ctx.has(1) ? numbersOf(ctx.host(1), ctx.what) : undefined) : ctx.attrs.ints('axes');
    const x = ctx.tensor(0);
    return [ctx.out(reshape(x, squeezeShape(ctx.node, x.shape, axes)), ctx.dtype(0))];
  },
  Transpose: (ctx) => {
    const x = ctx.tensor(0);
    const perm = ctx.attrs.ints('perm') ?? x.shape.map((_, d) => x.ndim - 1 - d);
    return [ctx.out(permute(x, perm), ctx.dtype(0))];
  },
  Concat: (ctx) => {
    const present = ctx.inputs.map((_, i) => i).filter((i) => ctx.has(i));
    const parts = present.map((i) => ctx.tensor(i));
    const axis = wrapAxis(ctx.node, ctx.attrs.int('axis', 0), parts[0]!.ndim);
    return [ctx.out(cat(parts, axis), ctx.dtype(present[0]!))];
  },
  Slice: (ctx) => {
    const x = ctx.tensor(0);
    const starts = numbersOf(ctx.host(1), ctx.what);
    const ends = numbersOf(ctx.host(2), ctx.what);
    const axes = ctx.has(3) ? numbersOf(ctx.host(3), ctx.what).map((a) => wrapAxis(ctx.node, a, x.ndim)) : starts.map((_, i) => i);
    const steps = ctx.has(4) ? numbersOf(ctx.host(4), ctx.what) : starts.map(() => 1);
    let result = alias(x);
    axes.forEach((axis, i) => {
      const r = sliceRange(x.shape[axis]!, starts[i]!, ends[i]!, steps[i]!);
      if (r.step < 0) throw new MtiaError(`${ctx.what}: negative steps are not supported on the device (axis ${axis}, step ${r.step})`);
      const next = slice(result, axis, r.start, r.count > 0 ? r.start + (r.count - 1) * r.step + 1 : r.start, r.step);
      result.free();
      result = next;
    });
    return [ctx.out(result, ctx.dtype(0))];
  },
  Gather: (ctx) => {
    const data = ctx.tensor(0);
    const axis = wrapAxis(ctx.node, ctx.attrs.int('axis', 0), data.ndim);
    const indices = ctx.value(1);
    const size = data.shape[axis]!;
    const indexShape = indices.kind === 'host' ? indices.shape : indices.tensor.shape;
    const outShape = [...data.shape.slice(0, axis), ...indexShape, ...data.shape.slice(axis + 1)];
    if (indices.kind === 'host' && indices.data?.length === 1) {
      // One index known on the host (a token's position, a head): a view of that slice.
      const i = indices.data[0]!;
      if (i < -size || i >= size) throw new MtiaError(`${ctx.what}: index ${i} is out of bounds for axis ${axis} of size ${size}`);
      const row = ctx.temporary(slice(data, axis, i < 0 ? i + size : i, (i < 0 ? i + size : i) + 1));
      return [ctx.out(reshape(row, outShape), ctx.dtype(0))];
    }
    // Indices on the device (input_ids), or several from the host: one index_select.
    const index = ctx.tensor(1);
    const flat = ctx.temporary(reshape(index, [index.numel]));
    const picked = ctx.temporary(indexSelect(data, axis, flat, { wrapNegative: true }));
    return [ctx.out(reshape(picked, outShape), ctx.dtype(0))];
  },
  GatherElements: (ctx) => {
    const data = ctx.tensor(0);
    const axis = wrapAxis(ctx.node, ctx.attrs.int('axis', 0), data.ndim);
    return [ctx.out(gather(data, axis, ctx.tensor(1), { wrapNegative: true }), ctx.dtype(0))];
  },
  Expand: (ctx) => {
    const x = ctx.tensor(0);
    const requested = numbersOf(ctx.host(1), ctx.what);
    const rank = Math.max(requested.length, x.ndim);
    const target = Array.from({ length: rank }, (_, d) => {
      const r = requested[d - (rank - requested.length)] ?? 1;
      const s = x.shape[d - (rank - x.ndim)] ?? 1;
      return s === 1 ? r : s;
    });
    return [ctx.out(expand(x, target), ctx.dtype(0))];
  },
  Split: (ctx) => {
    const x = ctx.tensor(0);
    const axis = wrapAxis(ctx.node, ctx.attrs.int('axis', 0), x.ndim);
    const count = ctx.node.outputs.length;
    let sizes: number[];
    if (ctx.has(1)) sizes = numbersOf(ctx.host(1), ctx.what);
    else {
      // Equal parts (opset 18's num_outputs: the last one smaller when the size does not divide).
      const size = x.shape[axis]!;
      const part = Math.ceil(size / count);
      sizes = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(part, size - i * part)));
    }
    if (sizes.length !== count) throw new MtiaError(`${ctx.what}: split has ${sizes.length} sizes for ${count} outputs`);
    return split(x, sizes, axis).map((part) => ctx.out(part, ctx.dtype(0)));
  },
  Pad: (ctx) => {
    const x = ctx.tensor(0);
    const mode = ctx.attrs.string('mode', 'constant');
    const modes: Record<string, 'constant' | 'reflect' | 'replicate'> = { constant: 'constant', reflect: 'reflect', edge: 'replicate' };
    if (modes[mode] === undefined) throw new MtiaError(`${ctx.what}: mode '${mode}' is not supported (constant, reflect, edge)`);
    const pads = numbersOf(ctx.host(1), ctx.what);
    const axes = ctx.has(3) ? numbersOf(ctx.host(3), ctx.what).map((a) => wrapAxis(ctx.node, a, x.ndim)) : x.shape.map((_, d) => d);
    if (pads.length !== 2 * axes.length) throw new MtiaError(`${ctx.what}: pads has ${pads.length} values for ${axes.length} axes (expected ${2 * axes.length})`);
    // ONNX: all begins then all ends, by axis; torch: (begin, end) pairs from the last dim backwards.
    const perDim = x.shape.map(() => [0, 0]);
    axes.forEach((axis, i) => (perDim[axis] = [pads[i]!, pads[i + axes.length]!]));
    const first = perDim.findIndex(([lo, hi]) => lo !== 0 || hi !== 0);
    if (first === -1) return [ctx.out(alias(x), ctx.dtype(0))];
    const list = perDim.slice(first).reverse().flat();
    const value = ctx.has(2) ? numbersOf(ctx.host(2), ctx.what)[0] ?? 0 : 0;
    return [ctx.out(pad(x, list, { mode: modes[mode]!, ...(mode === 'constant' && { value }) }), ctx.dtype(0))];
  },
  Resize: (ctx) => {
    const mode = ctx.attrs.string('mode', 'nearest');
    const transform = ctx.attrs.string('coordinate_transformation_mode', 'half_pixel');
    if (mode !== 'nearest' && mode !== 'linear') throw new MtiaError(`${ctx.what}: mode '${mode}' is not supported (nearest, linear)`);
    const transforms = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel'];
    if (!transforms.includes(transform)) throw new MtiaError(`${ctx.what}: coordinate_transformation_mode '${transform}' is not supported (${transforms.join(', ')})`);
    if (ctx.attrs.has('axes') || ctx.attrs.int('antialias', 0) !== 0) throw new MtiaError(`${ctx.what}: the axes and antialias attributes are not supported`);
    const x = ctx.tensor(0);
    const given = (i: number) => (ctx.has(i) ? numbersOf(ctx.host(i), ctx.what) : []);
    const sizes = given(3);
    const scales = given(2);
    return [ctx.out(resize(x, {
      ...(sizes.length > 0 ? { size: sizes } : { scales }),
      mode,
      coordinateTransformationMode: transform as 'half_pixel',
      nearestMode: ctx.attrs.string('nearest_mode', 'round_prefer_floor') as 'floor',
    }), ctx.dtype(0))];
  },
  CumSum: (ctx) => {
    const x = ctx.tensor(0);
    const axis = wrapAxis(ctx.node, numbersOf(ctx.host(1), ctx.what)[0]!, x.ndim);
    return [ctx.out(cumsum(x, axis, { exclusive: ctx.attrs.int('exclusive', 0) === 1, reverse: ctx.attrs.int('reverse', 0) === 1 }), ctx.dtype(0))];
  },
  TopK: (ctx) => {
    const x = ctx.tensor(0);
    const k = numbersOf(ctx.host(1), ctx.what)[0]!;
    const { values, indices } = topk(x, k, {
      dim: wrapAxis(ctx.node, ctx.attrs.int('axis', -1), x.ndim), largest: ctx.attrs.int('largest', 1) === 1, sorted: ctx.attrs.int('sorted', 1) === 1,
    });
    return [ctx.out(values, ctx.dtype(0)), ctx.out(indices, 'int64')];
  },
  Trilu: (ctx) => {
    const x = ctx.tensor(0);
    const [rows, cols] = x.shape.slice(-2) as [number, number];
    const ones = hostValue('bool', [rows, cols], new Array<number>(rows * cols).fill(1));
    const inputs = [ones, ctx.has(1) ? ctx.host(1) : undefined];
    const mask = hostOps.Trilu!(ctx.node, ctx.opset, inputs)[0]!;
    const zero = x.dtype === 'bool' ? false : 0;
    return [ctx.out(where(ctx.temporary(upload(mask, ctx.what)), x, zero), ctx.dtype(0))];
  },
};

/** The input positions of each op that must be on the host (shapes, axes, exponents): checked when the model loads. */
export const hostInputs: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Slice: [1, 2, 3, 4], Unsqueeze: [1], Squeeze: [1], Expand: [1], Trilu: [1], Pad: [1, 2, 3], Resize: [1, 2, 3],
  CumSum: [1], TopK: [1], Split: [1],
  ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1],
};

/** The fused groups' implementations, by fusion kind (fusion.ts); each gets the context of the group's first node. */
export const fusedOps: Readonly<Record<string, DeviceOp>> = {
  /** Div(x, √2) → Erf → Add(1) → Mul(x) → Mul(0.5): x is the Div's first input. */
  gelu: (ctx) => [ctx.out(gelu(ctx.tensor(0)), ctx.dtype(0))],
  /** Conv → an activation (fusion.ts): conv2d with `activation`, in one kernel. */
  'conv+relu': convOp('relu'),
  'conv+relu6': convOp('relu6'),
  'conv+sigmoid': convOp('sigmoid'),
  'conv+gelu': convOp('gelu'),
};
