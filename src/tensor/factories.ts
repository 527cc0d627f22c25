// Tensor factories (torch.tensor, torch.zeros). Host data reaches the device through a
// stream-ordered copy from a staging buffer (SimulatedDevice.upload).

import { deviceIndex, checkDeviceIndex, type DeviceLike } from '../device.js';
import { MtiaError } from '../errors.js';
import { runtime } from '../runtime/runtime.js';
import { OP_FILL } from '../runtime/layout.js';
import { checkAccesses } from '../runtime/stream-sanitizer.js';
import { dtypeInfo, dtypeOfArray, type DType } from './dtype.js';
import { checkShape, numelOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** Options shared by the factories. */
export interface TensorOptions {
  /** Element type (default: float32, or the typed array's type for `tensor`). */
  dtype?: DType;
  /** Device (default: the current device). */
  device?: DeviceLike;
}

/** Nested arrays of numbers, as torch.tensor takes them. */
export type NestedArray = number | boolean | readonly NestedArray[];

function resolveOptions(options: TensorOptions | undefined, fallback: DType) {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`options must be an object like { dtype, device }, but got: ${String(options)}`);
  }
  const dtype = options?.dtype ?? fallback;
  const info = dtypeInfo(dtype);
  const index = checkDeviceIndex(
    deviceIndex(options?.device, () => runtime.currentDevice, { optional: true }),
    runtime.config.deviceCount,
  );
  return { dtype, info, device: runtime.device(index) };
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
      if (typeof value !== 'number' && typeof value !== 'boolean') {
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
 * A tensor holding a copy of `data`: a number, nested arrays of numbers, or a typed array
 * (1-D; Float32Array → float32, Int32Array → int32). Numbers default to float32.
 */
export function tensor(data: NestedArray | Float32Array | Int32Array, options?: TensorOptions): Tensor {
  let shape: number[];
  let values: ArrayLike<number>;
  let fallback: DType = 'float32';
  if (ArrayBuffer.isView(data)) {
    const arrayDType = dtypeOfArray(data);
    if (arrayDType === undefined) {
      throw new TypeError(`tensor(): data must be a Float32Array or Int32Array, but got: ${data.constructor.name}`);
    }
    fallback = arrayDType;
    shape = [(data as Float32Array | Int32Array).length];
    values = data as Float32Array | Int32Array;
  } else {
    shape = nestedShape(data);
    values = (Array.isArray(data) ? data.flat(Infinity) : [data]) as number[];
  }
  const { dtype, info, device } = resolveOptions(options, fallback);
  const host = values instanceof info.array ? values : new info.array(values);
  const bytes = host.length * info.bytes;
  const storage = Storage.allocate(device, bytes);
  checkAccesses('tensor', device, [], [storage]);
  if (bytes > 0) device.upload(device.currentQueue, storage.address, host);
  return new Tensor(storage, shape, dtype);
}

/** A tensor of `size` filled with zeros (torch.zeros). */
export function zeros(size: number | readonly number[], options?: TensorOptions): Tensor {
  const shape = checkShape(size);
  const { dtype, info, device } = resolveOptions(options, 'float32');
  const numel = numelOf(shape);
  const bytes = numel * info.bytes;
  const storage = Storage.allocate(device, bytes);
  checkAccesses('zeros', device, [], [storage]);
  if (numel > 0) device.currentQueue.enqueue(OP_FILL, info.code, storage.address, 0, 0, numel, 0, 0);
  return new Tensor(storage, shape, dtype);
}
