// Reading an ONNX model: the protobuf bytes (decoded by @bufbuild/protobuf with the bindings
// generated from the official onnx.proto, onnx_pb.ts) become a graph of named nodes, the
// declared inputs and outputs, and the initializers, still undecoded. Tensor payloads are
// decoded on demand (decodeTensor): raw_data, the typed repeated fields, or an external data
// file (onnx.proto's TensorProto.data_location = EXTERNAL), read through `ExternalData`.

import { fromBinary } from '@bufbuild/protobuf';
import { MtiaError } from '../errors.js';
import {
  AttributeProto_AttributeType, ModelProtoSchema, TensorProto_DataLocation,
  type AttributeProto, type ModelProto, type TensorProto, type ValueInfoProto,
} from './onnx_pb.js';
import {
  bfloatToFloat, halfToFloat, hostArrayFor, hostValue, numelOf, onnxDTypeOf, onnxTypeName, type HostValue, type OnnxDType,
} from './values.js';

/** A graph input or output as the model declares it. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Its element type, or undefined where the importer has none (then `typeName` says which). */
  readonly dtype: OnnxDType | undefined;
  /** ONNX's name of the element type ('FLOAT', 'INT64', ...). */
  readonly typeName: string;
  /** Sizes, with a symbolic dim as its name ('batch') or null when unnamed; undefined when the shape is not declared. */
  readonly shape: readonly (number | string | null)[] | undefined;
}

/** One node of the graph. */
export interface OnnxNode {
  /** The node's name; `<opType>_<index>` for an unnamed node. */
  readonly name: string;
  readonly opType: string;
  /** '' for the default domain (ai.onnx). */
  readonly domain: string;
  /** Input value names ('' for an omitted optional input). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeProto>;
}

/** A model's main graph. */
export interface OnnxGraph {
  /** Opset version of the default domain. */
  readonly opset: number;
  /** Graph inputs that are not initializers, in order. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Initializers (and Constant tensors are read later), by name, undecoded. */
  readonly initializers: ReadonlyMap<string, TensorProto>;
  readonly nodes: readonly OnnxNode[];
}

/** Reads `length` bytes at `offset` of external data file `location` (relative to the model's folder). */
export type ExternalData = (location: string, offset: number, length: number | undefined) => Promise<Uint8Array>;

/** Decodes the ModelProto in `bytes`; a corrupt or truncated file is an MtiaError saying so. */
export function parseModel(bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) throw new MtiaError('loadOnnx(): the model is empty (0 bytes); expected the bytes of an .onnx file');
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw new MtiaError(`loadOnnx(): the bytes are not a valid ONNX model (a corrupt or truncated file?): ${error instanceof Error ? error.message : String(error)}`);
  }
  if (model.graph === undefined || (model.graph.node.length === 0 && model.graph.output.length === 0)) {
    throw new MtiaError('loadOnnx(): the bytes decode to no ONNX graph (a corrupt or truncated file, or not an .onnx file?)');
  }
  return model;
}

/** The declared type and shape of `info`. */
function valueInfo(info: ValueInfoProto): OnnxValueInfo {
  const type = info.type?.value;
  if (type?.case !== 'tensorType') {
    return { name: info.name ?? '', dtype: undefined, typeName: type?.case ?? 'no type', shape: undefined };
  }
  const code = type.value.elemType ?? 0;
  const shape = type.value.shape?.dim.map((dim) =>
    dim.value.case === 'dimValue' ? Number(dim.value.value) : dim.value.case === 'dimParam' ? dim.value.value : null);
  return { name: info.name ?? '', dtype: onnxDTypeOf(code), typeName: onnxTypeName(code), shape };
}

/** The main graph of `model`. */
export function readGraph(model: ModelProto): OnnxGraph {
  const graph = model.graph!;
  const opset = model.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  const initializers = new Map<string, TensorProto>();
  for (const init of graph.initializer) initializers.set(init.name ?? '', init);
  return {
    opset: opset?.version === undefined ? 1 : Number(opset.version),
    inputs: graph.input.filter((i) => !initializers.has(i.name ?? '')).map(valueInfo),
    outputs: graph.output.map(valueInfo),
    initializers,
    nodes: graph.node.map((node, index) => ({
      name: node.name || `${node.opType}_${index}`,
      opType: node.opType ?? '',
      domain: node.domain === 'ai.onnx' ? '' : node.domain ?? '',
      inputs: node.input,
      outputs: node.output,
      attributes: new Map(node.attribute.map((a) => [a.name ?? '', a])),
    })),
  };
}

/** The dims of a TensorProto as numbers. */
export function tensorShape(proto: TensorProto): number[] {
  return proto.dims.map((d) => Number(d));
}

/** Where an externally stored tensor's bytes are: onnx.proto's external_data keys. */
function externalLocation(proto: TensorProto): { location: string; offset: number; length: number | undefined } {
  const entries = new Map(proto.externalData.map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (location === undefined || location === '') {
    throw new MtiaError(`loadOnnx(): initializer '${proto.name}' is stored externally but names no location`);
  }
  const offset = entries.has('offset') ? Number(entries.get('offset')) : 0;
  const length = entries.has('length') ? Number(entries.get('length')) : undefined;
  if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
    throw new MtiaError(`loadOnnx(): initializer '${proto.name}' has a bad external offset or length (${entries.get('offset')}, ${entries.get('length')})`);
  }
  return { location, offset, length };
}

/** True if `proto` keeps its values in an external data file. */
export function isExternal(proto: TensorProto): boolean {
  return proto.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/** Bytes per element of a raw_data payload of `dtype`. */
const RAW_BYTES: Readonly<Record<OnnxDType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, bool: 1,
};

/** Values of `dtype` from little-endian raw bytes. */
function fromRaw(bytes: Uint8Array, dtype: OnnxDType, count: number): HostValue['data'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = hostArrayFor(dtype, count);
  const size = RAW_BYTES[dtype];
  for (let i = 0, at = 0; i < count; i++, at += size) {
    switch (dtype) {
      case 'float32': out[i] = view.getFloat32(at, true); break;
      case 'float64': out[i] = view.getFloat64(at, true); break;
      case 'float16': out[i] = halfToFloat(view.getUint16(at, true)); break;
      case 'bfloat16': out[i] = bfloatToFloat(view.getUint16(at, true)); break;
      case 'int64': out[i] = Number(view.getBigInt64(at, true)); break;
      case 'int32': out[i] = view.getInt32(at, true); break;
      case 'int16': out[i] = view.getInt16(at, true); break;
      case 'int8': out[i] = view.getInt8(at); break;
      case 'uint8': out[i] = view.getUint8(at); break;
      case 'bool': out[i] = view.getUint8(at) !== 0 ? 1 : 0; break;
    }
  }
  return out;
}

/** The element type of `proto`; an MtiaError naming it for one the importer cannot hold. */
export function tensorDType(proto: TensorProto, what: string): OnnxDType {
  const code = proto.dataType ?? 0;
  const dtype = onnxDTypeOf(code);
  if (dtype === undefined) {
    throw new MtiaError(`loadOnnx(): ${what} '${proto.name}' has element type ${onnxTypeName(code)}, which mtia-sim does not import (it reads FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT8, UINT8, INT16, INT32, INT64 and BOOL)`);
  }
  return dtype;
}

/** An MtiaError for a payload that does not hold `proto`'s values. */
function badPayload(proto: TensorProto, what: string, dtype: OnnxDType, found: string): MtiaError {
  const shape = tensorShape(proto);
  return new MtiaError(`loadOnnx(): ${what} '${proto.name}' of shape [${shape.join(', ')}] (${numelOf(shape)} values of ${dtype}) holds ${found} (a corrupt or truncated file?)`);
}

/** Decodes a TensorProto held in the model itself (raw_data or the typed fields). */
export function decodeInline(proto: TensorProto, what: string): HostValue {
  const dtype = tensorDType(proto, what);
  const shape = tensorShape(proto);
  const count = numelOf(shape);
  if (isExternal(proto)) throw new MtiaError(`loadOnnx(): ${what} '${proto.name}' is stored in an external file, which only initializers may be`);
  if (proto.rawData.length > 0) {
    if (proto.rawData.length !== count * RAW_BYTES[dtype]) throw badPayload(proto, what, dtype, `${proto.rawData.length} bytes of raw_data`);
    return { kind: 'host', dtype, shape, data: fromRaw(proto.rawData, dtype, count) };
  }
  const data = hostArrayFor(dtype, count);
  let source: ArrayLike<number | bigint>;
  switch (dtype) {
    case 'float32': source = proto.floatData; break;
    case 'float64': source = proto.doubleData; break;
    case 'int64': source = proto.int64Data; break;
    default: source = proto.int32Data; break; // int32, int16, int8, uint8, bool, and 16-bit floats as their bits
  }
  if (source.length !== count) throw badPayload(proto, what, dtype, `${source.length} values`);
  for (let i = 0; i < count; i++) {
    const v = Number(source[i]!);
    data[i] = dtype === 'float16' ? halfToFloat(v) : dtype === 'bfloat16' ? bfloatToFloat(v) : dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
  }
  return { kind: 'host', dtype, shape, data };
}

/**
 * Decodes a TensorProto (an initializer, a Constant's value), reading an external one through
 * `external`. With `withValues` false the values are not read (a weight in timing-only mode):
 * only its type and shape.
 */
export async function decodeTensor(proto: TensorProto, what: string, external: ExternalData | undefined, withValues = true): Promise<HostValue> {
  const dtype = tensorDType(proto, what);
  const shape = tensorShape(proto);
  const count = numelOf(shape);
  if (!withValues) return { kind: 'host', dtype, shape, data: undefined };
  if (!isExternal(proto)) return decodeInline(proto, what);
  const { location, offset, length } = externalLocation(proto);
  if (external === undefined) {
    throw new MtiaError(`loadOnnx(): ${what} '${proto.name}' is stored in the external file '${location}': load the model from a path (Node) or pass the file's bytes in options.externalData`);
  }
  const bytes = await external(location, offset, length ?? count * RAW_BYTES[dtype]);
  if (bytes.length !== count * RAW_BYTES[dtype]) throw badPayload(proto, what, dtype, `${bytes.length} bytes in '${location}' at offset ${offset}`);
  return { kind: 'host', dtype, shape, data: fromRaw(bytes, dtype, count) };
}

/** Attribute readers for one node: each takes the attribute's name and a default. */
export class Attributes {
  constructor(private readonly node: OnnxNode) {}

  /** Attribute `name` if the node sets it; an MtiaError if it has another type than `type`. */
  private get(name: string, type: AttributeProto_AttributeType): AttributeProto | undefined {
    const attribute = this.node.attributes.get(name);
    if (attribute === undefined) return undefined;
    if (attribute.type !== undefined && attribute.type !== type && attribute.type !== AttributeProto_AttributeType.UNDEFINED) {
      throw new MtiaError(`${this.node.opType} node '${this.node.name}': attribute '${name}' has type ${AttributeProto_AttributeType[attribute.type]}, expected ${AttributeProto_AttributeType[type]}`);
    }
    return attribute;
  }

  /** True if the node sets attribute `name`. */
  has(name: string): boolean {
    return this.node.attributes.has(name);
  }

  /** INT attribute `name`, or `fallback` when absent. */
  int(name: string, fallback: number): number {
    const a = this.get(name, AttributeProto_AttributeType.INT);
    return a?.i === undefined ? fallback : Number(a.i);
  }

  /** FLOAT attribute `name`, or `fallback` when absent. */
  float(name: string, fallback: number): number {
    const a = this.get(name, AttributeProto_AttributeType.FLOAT);
    return a?.f === undefined ? fallback : a.f;
  }

  /** STRING attribute `name` decoded as UTF-8, or `fallback` when absent. */
  string(name: string, fallback: string): string {
    const a = this.get(name, AttributeProto_AttributeType.STRING);
    return a?.s === undefined ? fallback : new TextDecoder().decode(a.s);
  }

  /** INTS attribute `name`, or undefined when absent. */
  ints(name: string): number[] | undefined {
    const a = this.get(name, AttributeProto_AttributeType.INTS);
    return a === undefined ? undefined : a.ints.map((i) => Number(i));
  }

  /** FLOATS attribute `name`, or undefined when absent. */
  floats(name: string): number[] | undefined {
    const a = this.get(name, AttributeProto_AttributeType.FLOATS);
    return a === undefined ? undefined : [...a.floats];
  }

  /** TENSOR attribute `name` (undecoded), or undefined when absent. */
  tensor(name: string): TensorProto | undefined {
    return this.get(name, AttributeProto_AttributeType.TENSOR)?.t;
  }
}

/** A Constant node's value (its value, value_float(s) or value_int(s) attribute). */
export function constantValue(node: OnnxNode): HostValue {
  const attrs = new Attributes(node);
  const proto = attrs.tensor('value');
  if (proto !== undefined) return decodeInline(proto, `Constant node '${node.name}' value`);
  if (attrs.has('value_float')) return hostValue('float32', [], [attrs.float('value_float', 0)]);
  if (attrs.has('value_int')) return hostValue('int64', [], [attrs.int('value_int', 0)]);
  const floats = attrs.floats('value_floats');
  if (floats !== undefined) return hostValue('float32', [floats.length], floats);
  const ints = attrs.ints('value_ints');
  if (ints !== undefined) return hostValue('int64', [ints.length], ints);
  throw new MtiaError(`Constant node '${node.name}': only tensor, float and int values are supported (not strings or sparse tensors)`);
}

