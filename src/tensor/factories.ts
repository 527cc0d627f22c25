// Tensor factories (torch.tensor, empty, zeros, ones, full, arange, rand, randn, randint).
// Host data is written into a fresh block and charged by a stream-ordered copy (transfer.ts);
// constant fills and random numbers are computed on the device. Options are checked where
// they are passed (src/options.ts).

import { deviceIndex, checkDeviceIndex, type DeviceLike } from '../device.js';
import { MtiaError } from '../errors.js';
import { runtime } from '../runtime/runtime.js';
import { OP_FILL, OP_RANDOM, RANDOM_NORMAL, RANDOM_RANDINT, RANDOM_UNIFORM } from '../runtime/layout.js';
import { opObserver } from '../runtime/op-observer.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import { sanitizer } from '../runtime/stream-sanitizer.js';
import { dtypeInfo, dtypeOfArray, isFloatingDType, type DType } from './dtype.js';
import { generatorFor } from './generator.js';
import { argsBlock, checkAccess } from './launch.js';
import { allocateTensor, checkScalarFits, filling } from './ops.js';
import { checkOptions } from '../options.js';
import { checkShape } from './shape.js';
import type { Tensor } from './tensor.js';
import { uploadValues } from './transfer.js';

/** Options shared by the factories. */
export interface TensorOptions {
  /** Element type (default: float32, or what the data implies). */
  dtype?: DType;
  /** Device (default: the current device). */
  device?: DeviceLike;
}

/** Nested arrays of numbers, booleans or bigints, as torch.tensor takes them. */
export type NestedArray = number | boolean | bigint | readonly NestedArray[];

function resolveOptions(fn: string, options: TensorOptions | undefined, fallback: DType): { dtype: DType; device: SimulatedDevice } {
  checkOptions(fn, options, ['dtype', 'device']);
  const dtype = options?.dtype ?? fallback;
  dtypeInfo(dtype);
  const index = checkDeviceIndex(
    deviceIndex(options?.device, () => runtime.currentDevice, { optional: true }),
    runtime.config.deviceCount,
  );
  return { dtype, device: runtime.device(index) };
}

/** The shape of nested arrays; throws PyTorch's error for ragged ones. */
function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  for (let level: NestedArray = data; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const check = (value: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') {
        throw new TypeError(`tensor(): expected a number at dim ${dim}, but got: ${JSON.stringify(value)}`);
      }
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) {
      const got = Array.isArray(value) ? value.length : typeof value;
      throw new MtiaError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${got})`);
    }
    for (const item of value) check(item, dim + 1);
  };
  check(data, 0);
  return shape;
}

/**
 * The range of each integral dtype and its name in PyTorch's overflow error (c10's
 * checked_convert, as torch.tensor's store_scalar raises it: `torch.tensor([300],
 * dtype=torch.int8)` is "value cannot be converted to type int8_t without overflow").
 */
const INTEGRAL_RANGES: Partial<Record<DType, readonly [min: number, max: number, name: string]>> = {
  int8: [-128, 127, 'int8_t'],
  int32: [-(2 ** 31), 2 ** 31 - 1, 'int'],
  int64: [-(2 ** 63), 2 ** 63, 'int64_t'], // max exclusive: 2^63 − 1 is not a double
};

/** Throws PyTorch's overflow error when `value` (truncated toward zero) does not fit integral `dtype`. */
function checkIntegral(value: number, dtype: DType): void {
  const range = INTEGRAL_RANGES[dtype];
  if (range === undefined || Number.isNaN(value)) return;
  const [min, max, name] = range;
  const n = Math.trunc(value);
  if (n < min || (dtype === 'int64' ? n >= max : n > max)) throw new MtiaError(`value cannot be converted to type ${name} without overflow`);
}

/**
 * Values converted for `dtype`'s host array: bool is value != 0 (0.5 is true), integral values
 * truncate toward zero (as PyTorch casts) and must fit the dtype (PyTorch's overflow error, never
 * a wrapped value). For int64 a bigint is taken exactly, wrapping past 64 bits; a number is taken
 * as the double it is: past 2^53 not every integer is one (2 ** 53 + 1 is 2 ** 53), so pass
 * bigints for exact values there.
 */
function hostValues(values: ArrayLike<number | boolean | bigint>, dtype: DType): ArrayLike<number> | BigInt64Array {
  if (dtype === 'int64') {
    return BigInt64Array.from(values as ArrayLike<number>, (v: number | boolean | bigint) => {
      if (typeof v === 'bigint') return v;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new MtiaError(`tensor(): cannot convert ${n} to int64`);
      checkIntegral(n, dtype);
      return BigInt(Math.trunc(n));
    });
  }
  if (dtype === 'bool') return Uint8Array.from(values as ArrayLike<number>, (v) => (Number(v) !== 0 ? 1 : 0));
  if (INTEGRAL_RANGES[dtype] !== undefined) {
    return Array.from(values as ArrayLike<number>, (v) => {
      const n = Number(v);
      checkIntegral(n, dtype);
      return n;
    });
  }
  return Array.from(values as ArrayLike<number>, Number);
}

/**
 * A tensor holding a copy of `data`: a number, a boolean, a bigint, nested arrays of them, or a
 * 1-d typed array (Float32Array → float32, Int32Array → int32, Int8Array → int8, BigInt64Array
 * → int64). Booleans default to bool, bigints to int64, other numbers to float32 (PyTorch:
 * integers give int64; pass `{ dtype: 'int64' }`).
 */
export function tensor(data: NestedArray | Float32Array | Int32Array | Int8Array | BigInt64Array, options?: TensorOptions): Tensor {
  let shape: number[];
  let values: ArrayLike<number | boolean | bigint>;
  let fallback: DType = 'float32';
  if (ArrayBuffer.isView(data)) {
    const arrayDType = dtypeOfArray(data);
    if (arrayDType === undefined) {
      throw new TypeError(`tensor(): data must be a Float32Array, Int32Array, Int8Array or BigInt64Array, but got: ${data.constructor.name}`);
    }
    fallback = arrayDType;
    shape = [(data as Float32Array).length];
    values = data as Float32Array;
  } else {
    shape = nestedShape(data);
    const flat = (Array.isArray(data) ? data.flat(Infinity) : [data]) as (number | boolean | bigint)[];
    if (flat.length > 0 && flat.every((v) => typeof v === 'boolean')) fallback = 'bool';
    else if (flat.some((v) => typeof v === 'bigint')) fallback = 'int64';
    values = flat;
  }
  const { dtype, device } = resolveOptions('tensor', options, fallback);
  const host = ArrayBuffer.isView(values) && dtypeOfArray(values as ArrayBufferView) === dtype ? (values as ArrayLike<number> | BigInt64Array) : hostValues(values, dtype);
  return uploadValues(host, shape, dtype, device.index);
}

/** An uninitialised tensor of `size` (torch.empty): its values are whatever the memory held. */
export function empty(size: number | readonly number[], options?: TensorOptions): Tensor {
  const shape = checkShape(size);
  const { dtype, device } = resolveOptions('empty', options, 'float32');
  return allocateTensor(device, shape, dtype);
}

/** A tensor of `size` filled with `fillValue` (torch.full); the dtype follows the value (bool, int32, float32) unless given. */
export function full(size: number | readonly number[], fillValue: number | boolean, options?: TensorOptions): Tensor {
  const shape = checkShape(size);
  if (typeof fillValue !== 'number' && typeof fillValue !== 'boolean') {
    throw new TypeError(`full(): fill_value must be a number or boolean, but got: ${typeof fillValue}`);
  }
  const fallback: DType = typeof fillValue === 'boolean' ? 'bool' : Number.isInteger(fillValue) ? 'int32' : 'float32';
  return filled('full', shape, Number(fillValue), options, fallback);
}

/** Largest finite float32 and bfloat16 values and their names in PyTorch's overflow error (float16's is checkScalarFits'). */
const FILL_FLOAT_MAX: Partial<Record<DType, readonly [number, string]>> = {
  float32: [3.4028234663852886e38, 'float'],
  bfloat16: [3.3895313892515355e38, 'c10::BFloat16'],
};

/** A new tensor of `shape` filled with `value` on the device, reported to the sanitizer as `op`. */
function filled(op: string, shape: number[], value: number, options: TensorOptions | undefined, fallback: DType): Tensor {
  const { dtype, device } = resolveOptions(op, options, fallback);
  checkScalarFits(value, dtype); // fill_ refuses values the dtype cannot hold, as PyTorch does
  // ... float and bfloat16 too: fill_'s Scalar::to<float> is a checked conversion (a finite
  // value past the largest one is "value cannot be converted to type float without overflow").
  const floatMax = FILL_FLOAT_MAX[dtype];
  if (floatMax !== undefined && Number.isFinite(value) && Math.abs(value) > floatMax[0]) {
    throw new MtiaError(`value cannot be converted to type ${floatMax[1]} without overflow`);
  }
  const out = allocateTensor(device, shape, dtype);
  if (out.numel > 0) {
    if (sanitizer.enabled) filling([out], () => checkAccess(device, { op, reads: [], writes: [out] }));
    device.currentQueue.enqueue(OP_FILL, dtypeInfo(dtype).code, out.storage.address, 0, 0, out.numel, 0, value);
    opObserver?.(device, device.currentQueue, 'fill', [shape], dtype);
  }
  return out;
}

/** A tensor of `size` filled with zeros (torch.zeros); float32 unless given. */
export function zeros(size: number | readonly number[], options?: TensorOptions): Tensor {
  return filled('zeros', checkShape(size), 0, options, 'float32');
}

/** A tensor of `size` filled with ones (torch.ones); float32 unless given. */
export function ones(size: number | readonly number[], options?: TensorOptions): Tensor {
  return filled('ones', checkShape(size), 1, options, 'float32');
}

/**
 * Values start, start + step, ... below end (torch.arange): arange(end), arange(start, end) or
 * arange(start, end, step), options last. All-integer arguments give int32, or int64 when a
 * value leaves int32's range (PyTorch: always int64; pass `{ dtype: 'int64' }`); values that do
 * not fit a dtype given are PyTorch's overflow error, never wrapped.
 */
export function arange(...args: (number | TensorOptions | undefined)[]): Tensor {
  const options = typeof args[args.length - 1] === 'object' ? (args.pop() as TensorOptions) : undefined;
  const numbers = args.filter((a) => a !== undefined) as number[];
  if (numbers.length < 1 || numbers.length > 3 || numbers.some((n) => typeof n !== 'number' || !Number.isFinite(n))) {
    throw new TypeError(`arange(): expected (end), (start, end) or (start, end, step) finite numbers, but got: (${args.join(', ')})`);
  }
  const [start, end, step] = numbers.length === 1 ? [0, numbers[0]!, 1] : [numbers[0]!, numbers[1]!, numbers[2] ?? 1];
  if (step === 0) throw new MtiaError('step must be nonzero');
  if ((step > 0 && end < start) || (step < 0 && end > start)) throw new MtiaError('upper bound and larger bound inconsistent with step sign');
  const count = Math.ceil((end - start) / step);
  // All-integer arguments give int32, or int64 when a value leaves int32 (PyTorch: always int64).
  const last = start + (count - 1) * step;
  const int32 = INTEGRAL_RANGES.int32!;
  const fitsInt32 = count === 0 || (Math.min(start, last) >= int32[0] && Math.max(start, last) <= int32[1]);
  const fallback: DType = numbers.every(Number.isInteger) ? (fitsInt32 ? 'int32' : 'int64') : 'float32';
  const { dtype, device } = resolveOptions('arange', options, fallback);
  if (count * dtypeInfo(dtype).bytes > device.memoryBytes) {
    // More than the device holds: the allocator raises PyTorch's out-of-memory error (and
    // counts it) before the host tries to build the values.
    allocateTensor(device, [count], dtype).free();
  }
  return uploadValues(hostValues(Array.from({ length: count }, (_, i) => start + i * step), dtype), [count], dtype, device.index);
}

/** Enqueues one OP_RANDOM of `kind` filling a new tensor; advances the device's generator by `values`. */
function randomTensor(shape: number[], dtype: DType, device: SimulatedDevice, kind: number, values: (numel: number) => number, low = 0, high = 0): Tensor {
  const out = allocateTensor(device, shape, dtype);
  if (out.numel === 0) return out;
  const generator = generatorFor(device);
  const offset = generator.reserve(values(out.numel));
  const word = (x: bigint) => Number(BigInt.asUintN(32, x));
  const args = argsBlock(kind).params(word(generator.seed), word(generator.seed >> 32n), word(offset), word(offset >> 32n), low, high);
  const op = kind === RANDOM_NORMAL ? 'randn' : kind === RANDOM_RANDINT ? 'randint' : 'rand';
  filling([out], () => args.enqueue(device, { op, reads: [], writes: [out] }, OP_RANDOM, dtype, out.storage.address, 0, 0, out.numel));
  return out;
}

/** Uniform random numbers in [0, 1) (torch.rand); floating dtypes only. */
export function rand(size: number | readonly number[], options?: TensorOptions): Tensor {
  const shape = checkShape(size);
  const { dtype, device } = resolveOptions('rand', options, 'float32');
  if (!isFloatingDType(dtype)) throw new MtiaError(`"check_uniform_bounds" not implemented for '${dtypeInfo(dtype).scalarType}'`);
  return randomTensor(shape, dtype, device, RANDOM_UNIFORM, (n) => n);
}

/** Standard normal random numbers (torch.randn, Box–Muller); floating dtypes only. */
export function randn(size: number | readonly number[], options?: TensorOptions): Tensor {
  const shape = checkShape(size);
  const { dtype, device } = resolveOptions('randn', options, 'float32');
  if (!isFloatingDType(dtype)) throw new MtiaError(`"normal_kernel" not implemented for '${dtypeInfo(dtype).scalarType}'`);
  return randomTensor(shape, dtype, device, RANDOM_NORMAL, (n) => 2 * Math.ceil(n / 2));
}

/**
 * Random integers in [low, high) (torch.randint): randint(high, size, options) or
 * randint(low, high, size, options); int32 unless given (PyTorch: int64).
 */
export function randint(...args: (number | readonly number[] | TensorOptions | undefined)[]): Tensor {
  const options = args.length > 0 && typeof args[args.length - 1] === 'object' && !Array.isArray(args[args.length - 1]) ? (args.pop() as TensorOptions) : undefined;
  const size = args.pop();
  const [low, high] = args.length === 1 ? [0, args[0] as number] : [args[0] as number, args[1] as number];
  if (args.length < 1 || args.length > 2 || !Number.isInteger(low) || !Number.isInteger(high)) {
    throw new TypeError('randint(): expected (high, size) or (low, high, size) with integer bounds');
  }
  if (low >= high) throw new MtiaError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const shape = checkShape(size);
  const { dtype, device } = resolveOptions('randint', options, 'int32');
  checkRandomBounds(low, high - 1, dtype);
  if (low < -(2 ** 31) || high > 2 ** 31 - 1) throw new MtiaError(`randint(): bounds must fit in int32, but got [${low}, ${high})`);
  return randomTensor(shape, dtype, device, RANDOM_RANDINT, (n) => n, low, high);
}

/**
 * The bounds each dtype's random_(from, to) accepts and PyTorch's name of the dtype in its
 * error (aten/src/ATen/native/DistributionTemplates.h check_from_to_in_range, which prints
 * the dtype's TypeMeta name): the dtype's lowest and largest values.
 */
const RANDOM_BOUNDS: Record<DType, readonly [min: number, max: number, name: string]> = {
  float32: [-3.4028234663852886e38, 3.4028234663852886e38, 'float'],
  float16: [-65504, 65504, 'c10::Half'],
  bfloat16: [-3.3895313892515355e38, 3.3895313892515355e38, 'c10::BFloat16'],
  int8: [-128, 127, 'signed char'],
  int32: [-(2 ** 31), 2 ** 31 - 1, 'int'],
  int64: [-(2 ** 63), 2 ** 63, 'long int'],
  bool: [0, 1, 'bool'],
};

/** Throws PyTorch's "from is out of bounds for ..." / "to - 1 is out of bounds for ..." unless [from, toInclusive] fits `dtype`. */
function checkRandomBounds(from: number, toInclusive: number, dtype: DType): void {
  const [min, max, name] = RANDOM_BOUNDS[dtype];
  if (from < min || from > max) throw new MtiaError(`from is out of bounds for ${name}`);
  if (toInclusive < min || toInclusive > max) throw new MtiaError(`to - 1 is out of bounds for ${name}`);
}
