// A small ONNX model builder for tests: graph inputs, initializers with seeded random values,
// nodes with attributes, outputs; build() gives the .onnx bytes (serialised with the bindings
// generated from onnx.proto, src/onnx/onnx_pb.ts). The same bytes go to loadOnnx and to
// onnxruntime-node, the reference (ortRun).

import { create, toBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import {
  AttributeProto_AttributeType, AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema,
  OperatorSetIdProtoSchema, TensorProto_DataLocation, TensorProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema,
  TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema, type AttributeProto, type NodeProto, type TensorProto,
  type ValueInfoProto,
} from '../../src/onnx/onnx_pb.js';

/** Element types the builder writes, named as the importer names them. */
export type BuilderDType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'float64' | 'int8' | 'uint8';

const CODES: Record<BuilderDType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 };
const BYTES: Record<BuilderDType, number> = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2, float64: 8 };

/** A float attribute that happens to be an integer (1.0), which a plain number would write as INT. */
export interface FloatAttr { readonly float: number }
/** A list-of-floats attribute. */
export interface FloatsAttr { readonly floats: readonly number[] }
/** A tensor attribute. */
export interface TensorAttr { readonly tensor: { dtype: BuilderDType; shape: readonly number[]; values: ArrayLike<number> } }
/** An attribute value: integer → INT, other number → FLOAT, number[] → INTS, string → STRING. */
export type AttrValue = number | readonly number[] | string | FloatAttr | FloatsAttr | TensorAttr;

/** A float attribute (for integral values). */
export const float = (value: number): FloatAttr => ({ float: value });

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** float32 value → float16 bits (round to nearest even). */
export function floatToHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  let mantissa = x & 0x7fffff;
  if (exponent >= 31) return sign | 0x7c00 | (((x >>> 23) & 0xff) === 0xff && mantissa ? 0x200 : 0);
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  const half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? 1 : 0));
}

/** float16 bits → value. */
function halfValue(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * (bits & 0x3ff) * 2 ** -24;
  if (exponent === 31) return bits & 0x3ff ? NaN : sign * Infinity;
  return sign * (1 + (bits & 0x3ff) / 1024) * 2 ** (exponent - 15);
}

/** Little-endian raw bytes of `values` as `dtype`. */
export function rawBytes(dtype: BuilderDType, values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * BYTES[dtype]);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = i * BYTES[dtype];
    switch (dtype) {
      case 'float32': view.setFloat32(at, v, true); break;
      case 'float64': view.setFloat64(at, v, true); break;
      case 'float16': view.setUint16(at, floatToHalf(v), true); break;
      case 'int32': view.setInt32(at, v, true); break;
      case 'int64': view.setBigInt64(at, BigInt(Math.trunc(v)), true); break;
      case 'int8': view.setInt8(at, v); break;
      case 'uint8': view.setUint8(at, v); break;
      case 'bool': view.setUint8(at, v ? 1 : 0); break;
    }
  }
  return bytes;
}

/** A TensorProto of `values` in raw_data. */
export function tensorProto(name: string, dtype: BuilderDType, shape: readonly number[], values: ArrayLike<number>): TensorProto {
  return create(TensorProtoSchema, { name, dataType: CODES[dtype], dims: shape.map(BigInt), rawData: rawBytes(dtype, values) });
}

function valueInfo(name: string, dtype: BuilderDType, shape: readonly (number | string)[] | undefined): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: CODES[dtype],
          ...(shape !== undefined && {
            shape: create(TensorShapeProtoSchema, {
              dim: shape.map((d) => create(TensorShapeProto_DimensionSchema, {
                value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
              })),
            }),
          }),
        }),
      },
    }),
  });
}

function attribute(name: string, value: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(value) })
      : create(AttributeProtoSchema, { name, type: T.FLOAT, f: value });
  }
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: T.INTS, ints: (value as number[]).map(BigInt) });
  if ('float' in value) return create(AttributeProtoSchema, { name, type: T.FLOAT, f: value.float });
  if ('floats' in value) return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: [...value.floats] });
  const { dtype, shape, values } = (value as TensorAttr).tensor;
  return create(AttributeProtoSchema, { name, type: T.TENSOR, t: tensorProto('', dtype, shape, values) });
}

/** Builds one ONNX model. Value names are returned by input(), initializer() and node(). */
export class OnnxBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly random: () => number;
  private count = 0;
  /** External data file contents by location, for initializers stored externally. */
  readonly externalFiles = new Map<string, number[]>();

  /** Bytes referenced so far in `options.externalWeights`. */
  private externalBytes = 0;

  /**
   * `externalWeights`: a file name; float32 initializers made without values are then only
   * referenced there (no values anywhere: for timing-only runs of large models).
   */
  constructor(readonly options: { opset?: number; seed?: number; irVersion?: number; externalWeights?: string } = {}) {
    this.random = seeded(options.seed ?? 1);
  }

  /** Uniform values in [lo, hi) from the builder's seeded generator. */
  uniform(count: number, lo = -1, hi = 1): number[] {
    return Array.from({ length: count }, () => lo + (hi - lo) * this.random());
  }

  /** A graph input. */
  input(name: string, dtype: BuilderDType, shape?: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  /** An initializer: given values, or uniform random in ±scale (integers: 0 to scale). */
  initializer(name: string, dtype: BuilderDType, shape: readonly number[], values?: ArrayLike<number>, scale = 0.5): string {
    const count = shape.reduce((n, s) => n * s, 1);
    if (values === undefined && dtype === 'float32' && this.options.externalWeights !== undefined) {
      const name_ = this.externalReference(name, shape, this.options.externalWeights, this.externalBytes);
      this.externalBytes += count * 4;
      return name_;
    }
    const data = values ?? (dtype.startsWith('float') ? this.uniform(count, -scale, scale) : this.uniform(count, 0, scale).map(Math.floor));
    this.initializers.push(tensorProto(name, dtype, shape, data));
    return name;
  }

  /** An initializer kept in external data file `location` (appended to it). */
  externalInitializer(name: string, shape: readonly number[], location: string, scale = 0.5): string {
    const count = shape.reduce((n, s) => n * s, 1);
    const values = this.uniform(count, -scale, scale);
    const file = this.externalFiles.get(location) ?? [];
    const offset = file.length;
    for (const byte of rawBytes('float32', values)) file.push(byte);
    this.externalFiles.set(location, file);
    this.initializers.push(create(TensorProtoSchema, {
      name, dataType: 1, dims: shape.map(BigInt), dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(count * 4) },
      ],
    }));
    return name;
  }

  /** A float32 initializer stored in `location` at `offset`, whose bytes the caller writes there. */
  externalReference(name: string, shape: readonly number[], location: string, offset: number): string {
    const count = shape.reduce((n, s) => n * s, 1);
    this.initializers.push(create(TensorProtoSchema, {
      name, dataType: 1, dims: shape.map(BigInt), dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(count * 4) },
      ],
    }));
    return name;
  }

  /** A node; returns its output names (`outputs` of them, named after the node unless given). */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, options: { name?: string; outputs?: number | readonly string[]; domain?: string } = {}): string[] {
    const name = options.name ?? `${opType.toLowerCase()}_${this.count++}`;
    const outputs = Array.isArray(options.outputs)
      ? [...(options.outputs as string[])]
      : Array.from({ length: (options.outputs as number | undefined) ?? 1 }, (_, i) => `${name}_out${i}`);
    this.nodes.push(create(NodeProtoSchema, {
      name, opType, input: [...inputs], output: outputs, domain: options.domain ?? '',
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    }));
    return outputs;
  }

  /** A one-output node; returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, name?: string): string {
    return this.node(opType, inputs, attrs, { ...(name !== undefined && { name }) })[0]!;
  }

  /** An int64 1-d constant initializer (shapes, axes). */
  ints(values: readonly number[], name = `ints_${this.count++}`): string {
    return this.initializer(name, 'int64', [values.length], values);
  }

  /** A 0-d float32 constant initializer. */
  scalar(value: number, name = `scalar_${this.count++}`, dtype: BuilderDType = 'float32'): string {
    return this.initializer(name, dtype, [], [value]);
  }

  /** Declares `name` a graph output. */
  output(name: string, dtype: BuilderDType = 'float32', shape?: readonly (number | string)[]): this {
    this.outputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /** The .onnx bytes. */
  build(): Uint8Array {
    const model = create(ModelProtoSchema, {
      irVersion: BigInt(this.options.irVersion ?? 8),
      producerName: 'mtia-sim test builder',
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(this.options.opset ?? 17) })],
      graph: create(GraphProtoSchema, {
        name: 'test', node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers,
      }),
    });
    return toBinary(ModelProtoSchema, model);
  }
}

/** A feed for ortRun: values with their type and shape. */
export interface Feed {
  readonly dtype: BuilderDType;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** Runs `model` in onnxruntime-node (CPU) on `feeds`; returns each output's values as numbers and its shape. */
export async function ortRun(model: Uint8Array, feeds: Readonly<Record<string, Feed>>, options: { externalData?: { path: string; data: Uint8Array }[] } = {}): Promise<Record<string, { shape: number[]; values: number[] }>> {
  const session = await ort.InferenceSession.create(model, { ...(options.externalData && { externalData: options.externalData }) });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, { dtype, shape, values }] of Object.entries(feeds)) {
      const dims = [...shape];
      switch (dtype) {
        case 'int64': inputs[name] = new ort.Tensor('int64', BigInt64Array.from(Array.from(values), (v) => BigInt(v)), dims); break;
        case 'int32': inputs[name] = new ort.Tensor('int32', Int32Array.from(values), dims); break;
        case 'bool': inputs[name] = new ort.Tensor('bool', Uint8Array.from(values), dims); break;
        case 'float16': inputs[name] = new ort.Tensor('float16', Uint16Array.from(Array.from(values), floatToHalf), dims); break;
        default: inputs[name] = new ort.Tensor('float32', Float32Array.from(values), dims); break;
      }
    }
    const results = await session.run(inputs);
    const out: Record<string, { shape: number[]; values: number[] }> = {};
    for (const [name, t] of Object.entries(results)) {
      const data = t.data as ArrayLike<number | bigint>;
      const values = t.type === 'float16' ? Array.from(data as Uint16Array, halfValue) : Array.from(data, (v) => Number(v));
      out[name] = { shape: [...t.dims], values };
    }
    return out;
  } finally {
    await session.release();
  }
}
