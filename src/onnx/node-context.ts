// What a device op of the ONNX op table (ops.ts) works with: the graph's values (on the host or
// the device), host values uploaded as tensors, and a node's inputs and attributes with the
// checks and error messages every op shares ("<OpType> node '<name>': ...").

import { MtiaError } from '../errors.js';
import { empty, tensor } from '../tensor/factories.js';
import type { DType } from '../tensor/dtype.js';
import type { Scalar } from '../tensor/ops.js';
import { reshape } from '../tensor/views.js';
import type { Tensor } from '../tensor/tensor.js';
import { Attributes, type OnnxNode } from './read.js';
import { deviceDTypeOf, type HostValue, type OnnxDType } from './values.js';

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
