// Values of an imported ONNX graph on the host: constants, initializers and what the importer
// computes from shapes (Shape, Gather, Concat, Range, ... chains), each with its ONNX element
// type. ONNX element types are named like the tensor dtypes; int64 and float64 are held as
// JavaScript numbers (exact below 2^53, which covers every shape and index), and 16-bit floats
// as their float32 values (as toArray() returns them).

import { MtiaError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';

/** An ONNX element type the importer reads (TensorProto.DataType, named as dtypes are). */
export type OnnxDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool';

/** ONNX TensorProto.DataType codes by name, for the types the importer reads (onnx.proto). */
const CODES: Readonly<Record<OnnxDType, number>> = {
  float32: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, bfloat16: 16,
};

/** ONNX's name of every DataType code, for error messages (onnx.proto TensorProto.DataType). */
const ONNX_NAMES = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE',
  'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16', 'FLOAT8E4M3FN', 'FLOAT8E4M3FNUZ', 'FLOAT8E5M2',
  'FLOAT8E5M2FNUZ', 'UINT4', 'INT4', 'FLOAT4E2M1', 'FLOAT8E8M0', 'UINT2', 'INT2',
];

/** The element type of ONNX DataType `code`, or undefined for one the importer does not read. */
export function onnxDTypeOf(code: number): OnnxDType | undefined {
  return (Object.keys(CODES) as OnnxDType[]).find((name) => CODES[name] === code);
}

/** The DataType code of `dtype`. */
export function onnxCode(dtype: OnnxDType): number {
  return CODES[dtype];
}

/** ONNX's name of DataType `code` ('FLOAT', 'INT64', ...). */
export function onnxTypeName(code: number): string {
  return ONNX_NAMES[code] ?? `data type ${code}`;
}

/** Host arrays of values by element type: floats and 64-bit integers as numbers, bool as 0/1. */
export type HostData = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array | Int16Array;

/** A value the importer holds on the host. `data` is undefined for a weight read without its values (timing-only). */
export interface HostValue {
  readonly kind: 'host';
  readonly dtype: OnnxDType;
  readonly shape: readonly number[];
  readonly data: HostData | undefined;
}

/** Elements of `shape`. */
export function numelOf(shape: readonly number[]): number {
  return shape.reduce((n, size) => n * size, 1);
}

/** The host array type that holds `dtype`'s values. */
export function hostArrayFor(dtype: OnnxDType, length: number): HostData {
  switch (dtype) {
    case 'float32': case 'float16': case 'bfloat16': return new Float32Array(length);
    case 'float64': case 'int64': return new Float64Array(length);
    case 'int32': return new Int32Array(length);
    case 'int16': return new Int16Array(length);
    case 'int8': return new Int8Array(length);
    case 'uint8': case 'bool': return new Uint8Array(length);
  }
}

/** A host value of `dtype` and `shape` holding `values` (converted to its host array). */
export function hostValue(dtype: OnnxDType, shape: readonly number[], values: ArrayLike<number>): HostValue {
  const data = hostArrayFor(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) data[i] = values[i] ? 1 : 0;
  else if (dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8' || dtype === 'uint8') {
    for (let i = 0; i < values.length; i++) data[i] = Math.trunc(values[i]!);
  } else data.set(values);
  if (values.length !== numelOf(shape)) {
    throw new MtiaError(`internal: ${values.length} values for shape [${shape.join(', ')}]`);
  }
  return { kind: 'host', dtype, shape: [...shape], data };
}

/** The values of `value`; throws, naming `what`, for a weight held without them. */
export function valuesOf(value: HostValue, what: string): HostData {
  if (value.data === undefined) throw new MtiaError(`${what}: its values were not read (a weight in timing-only mode) but are needed on the host`);
  return value.data;
}

/** True for the floating element types. */
export function isFloating(dtype: OnnxDType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

/**
 * The device dtype that holds an ONNX element type, or undefined where the device has none:
 * uint8 and int16 are held as int32; float64 has no device type (MTIA computes in 32 bits and
 * narrower).
 */
export function deviceDTypeOf(dtype: OnnxDType, deviceDTypes: readonly string[]): DType | undefined {
  if (deviceDTypes.includes(dtype)) return dtype as DType;
  if (dtype === 'uint8' || dtype === 'int16') return 'int32';
  return undefined;
}

/** half-precision bits → float32 value (IEEE 754 binary16). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 bits → float32 value (the high half of a float32). */
export function bfloatToFloat(bits: number): number {
  const word = new Uint32Array([bits << 16]);
  return new Float32Array(word.buffer)[0]!;
}
