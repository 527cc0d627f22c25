// NumPy's .npy format (numpy.lib.format, versions 1.0 to 3.0): the arrays `mtia-sim run` reads
// as inputs and writes as outputs. A magic string, a version, a header that is a Python dict
// literal ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }) padded with spaces to a
// multiple of 64 bytes, then the values in C order. Five element types: float32, float16, int32,
// int64 and bool; any other is refused by name.

/** The element types mtia-sim reads and writes in .npy files. */
export type NpyDType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool';

/** An array of a .npy file: float16 values held as float32 (exactly), int64 as BigInt64Array, bool as 0/1. */
export interface NpyArray {
  readonly dtype: NpyDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's descr of each type (little-endian; bool has no byte order). */
const DESCRS: Readonly<Record<NpyDType, string>> = { float32: '<f4', float16: '<f2', int32: '<i4', int64: '<i8', bool: '|b1' };
const ITEM_BYTES: Readonly<Record<NpyDType, number>> = { float32: 4, float16: 2, int32: 4, int64: 8, bool: 1 };

/** numpy names of descrs mtia-sim does not read, for the error message. */
const OTHER_TYPES: Readonly<Record<string, string>> = {
  f8: 'float64', f16: 'float128', i1: 'int8', i2: 'int16', u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64', c8: 'complex64', c16: 'complex128',
};

/** A malformed or unsupported .npy file. */
export class NpyError extends Error {
  override name = 'NpyError';
}

/** float16 bits → value. */
function halfToFloat(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * (bits & 0x3ff) * 2 ** -24;
  if (exponent === 31) return bits & 0x3ff ? NaN : sign * Infinity;
  return sign * (1 + (bits & 0x3ff) / 1024) * 2 ** (exponent - 15);
}

/** float32 value → float16 bits, rounded to nearest even. */
function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const rawExponent = (x >>> 23) & 0xff;
  const exponent = rawExponent - 127 + 15;
  let mantissa = x & 0x7fffff;
  if (rawExponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 31) return sign | 0x7c00;
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

/** Parses the header dict; returns descr, fortran_order and shape. */
function parseHeader(header: string, what: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`${what}: the .npy header is malformed (expected descr, fortran_order and shape): ${header.trim()}`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN));
  if (shape.some((s) => !Number.isSafeInteger(s))) throw new NpyError(`${what}: the .npy shape (${shapeText}) is not a tuple of sizes`);
  return { descr, fortran: fortran === 'True', shape };
}

/** The element type of `descr` and whether its bytes are little-endian; refuses other types by name. */
function dtypeOf(descr: string, what: string): { dtype: NpyDType; little: boolean } {
  const order = descr[0];
  const code = descr.slice(1);
  const little = order !== '>';
  const found = (Object.keys(DESCRS) as NpyDType[]).find((d) => DESCRS[d].slice(1) === code);
  if (found === undefined || !['<', '>', '|', '='].includes(order ?? '')) {
    const name = OTHER_TYPES[code] ?? descr;
    throw new NpyError(`${what}: .npy element type ${name} ('${descr}') is not supported; mtia-sim reads float32, float16, int32, int64 and bool (convert with numpy's astype)`);
  }
  return { dtype: found, little };
}

/** Reads a .npy file's bytes (`what` names it in errors). */
export function readNpy(bytes: Uint8Array, what = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(`${what}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw new NpyError(`${what}: .npy version ${major}.${bytes[7]} is not supported (1.0 to 3.0 are)`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyError(`${what}: truncated .npy header (${bytes.length} bytes, header ends at ${dataStart})`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortran, shape } = parseHeader(header, what);
  if (fortran) throw new NpyError(`${what}: Fortran-ordered .npy arrays are not supported (save with numpy.ascontiguousarray)`);
  const { dtype, little } = dtypeOf(descr, what);
  const count = shape.reduce((n, s) => n * s, 1);
  const size = ITEM_BYTES[dtype];
  if (bytes.length - dataStart !== count * size) {
    throw new NpyError(`${what}: a ${dtype} array of shape (${shape.join(', ')}) needs ${count * size} bytes of data, but the file has ${bytes.length - dataStart} (truncated?)`);
  }
  const at = (i: number) => dataStart + i * size;
  let data: NpyArray['data'];
  switch (dtype) {
    case 'float32': data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(at(i), little)); break;
    case 'float16': data = Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(at(i), little))); break;
    case 'int32': data = Int32Array.from({ length: count }, (_, i) => view.getInt32(at(i), little)); break;
    case 'int64': data = BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(at(i), little)); break;
    case 'bool': data = Uint8Array.from({ length: count }, (_, i) => (bytes[at(i)] !== 0 ? 1 : 0)); break;
  }
  return { dtype, shape, data };
}

/** The bytes of a .npy file (version 1.0, little-endian, C order) holding `array`. */
export function writeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  const count = shape.reduce((n, s) => n * s, 1);
  if (!(dtype in DESCRS)) throw new NpyError(`writeNpy: element type ${String(dtype)} is not supported (float32, float16, int32, int64, bool)`);
  if (data.length !== count) throw new NpyError(`writeNpy: shape (${shape.join(', ')}) has ${count} elements but the data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCRS[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Padded with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const size = ITEM_BYTES[dtype];
  const bytes = new Uint8Array(10 + header.length + count * size);
  bytes.set(MAGIC);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < count; i++) {
    const at = start + i * size;
    switch (dtype) {
      case 'float32': view.setFloat32(at, Number(data[i]), true); break;
      case 'float16': view.setUint16(at, floatToHalf(Number(data[i])), true); break;
      case 'int32': view.setInt32(at, Number(data[i]), true); break;
      case 'int64': view.setBigInt64(at, BigInt(data[i]!), true); break;
      case 'bool': bytes[at] = data[i] ? 1 : 0; break;
    }
  }
  return bytes;
}
