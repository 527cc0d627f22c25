// Moving tensor values between the host and devices, all stream-ordered: uploads write into a
// fresh block and a copy command charges them (SimulatedDevice.upload); read-backs read the
// tensor's own block once its stream has passed a charging copy (SimulatedDevice.download),
// so neither needs device memory beyond the tensor.
// float16/bfloat16 cross as float32 and are converted on the device, so the rounding lives in
// one place (the core's kernels/convert.ts).

import { checkDeviceIndex } from '../device.js';
import { describeValue } from '../options.js';
import { runtime } from '../runtime/runtime.js';
import { CpuTensor } from './cpu-tensor.js';
import { dtypeInfo, isFloatingDType, type DType, type DTypeInfo, type HostArray } from './dtype.js';
import { addressOf, checkAccess } from './launch.js';
import { allocateTensor, copyContiguous, copyInto, filling } from './ops.js';
import { contiguousStrides, numelOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** `values` in a new array of type `array` (numbers into a BigInt64Array truncate toward zero; bigints into number arrays wrap as their dtype). */
function hostArray(array: DTypeInfo['array'], values: ArrayLike<number> | BigInt64Array): HostArray {
  if (array === BigInt64Array) return BigInt64Array.from(values as ArrayLike<number>, (v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v))));
  if (values instanceof BigInt64Array) return (array as Float32ArrayConstructor).from(values, Number) as HostArray;
  return new (array as Float32ArrayConstructor)(values);
}

/** The dtype values of `dtype` cross the host boundary in (16-bit floats as float32). */
function hostDType(dtype: DType): DType {
  return dtypeInfo(dtype).bytes === 2 && isFloatingDType(dtype) ? 'float32' : dtype;
}

/** A new tensor on device `index` holding `values` (already in `dtype`'s host array type, or numbers). */
export function uploadValues(values: ArrayLike<number> | BigInt64Array, shape: readonly number[], dtype: DType, index: number): Tensor {
  const device = runtime.device(checkDeviceIndex(index, runtime.config.deviceCount));
  const carrier = hostDType(dtype);
  const info = dtypeInfo(carrier);
  const host = values instanceof info.array ? values : hostArray(info.array, values);
  if (carrier === dtype) {
    // The storage is made for exactly this contiguous view: its element count needs no check.
    const numel = numelOf(shape);
    const out = new Tensor(Storage.allocateForHost(device, numel * info.bytes), shape, dtype, contiguousStrides(shape), 0, numel);
    filling([out], () => {
      checkAccess(device, { op: 'tensor', reads: [], writes: [out] });
      if (host.byteLength > 0) device.upload(device.currentQueue, out.storage.address, host);
    });
    return out;
  }
  const staged = uploadValues(host, shape, carrier, index);
  try {
    const out = allocateTensor(device, shape, dtype);
    filling([out], () => copyInto(out, staged));
    return out;
  } finally {
    staged.free();
  }
}

/**
 * Checks `out` of toArray({ out }) for `tensor`: the host array type of its dtype (HostArray),
 * with one element per tensor element. Called where toArray is, so a wrong array throws there.
 */
export function checkReadTarget(tensor: Tensor, out: unknown): HostArray {
  const expected = dtypeInfo(hostDType(tensor.dtype)).array;
  const wanted = `a ${expected.name} of ${tensor.numel} elements (the host array of a ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}])`;
  if (!(out instanceof expected)) {
    throw new TypeError(`toArray(): argument 'out' must be ${wanted}, but got ${describeValue(out)}`);
  }
  if (out.length !== tensor.numel) {
    throw new RangeError(`toArray(): argument 'out' must be ${wanted}, but got a ${expected.name} of ${out.length} elements`);
  }
  return out;
}

/**
 * The values of `tensor`, row-major, as its dtype's host array: `out` when given (checked by
 * checkReadTarget; the copy goes straight into it), else a new one; waits for the copy.
 */
export async function readBack(tensor: Tensor, out?: HostArray): Promise<HostArray> {
  tensor.checkUsable('toArray');
  const device = tensor.storage.device;
  const carrier = hostDType(tensor.dtype);
  const direct = carrier === tensor.dtype && tensor.isContiguous();
  const source = direct ? tensor : copyContiguous(tensor, carrier);
  // The read takes the bytes from the block itself after the fence: hold a reference so that
  // a free() meanwhile cannot hand the block to later work before the bytes are taken.
  const storage = source.storage.retain();
  try {
    checkAccess(device, { op: 'toArray', reads: [source], writes: [] });
    const host = out ?? new (dtypeInfo(carrier).array)(source.numel);
    await device.download(device.currentQueue, addressOf(source), host, out === undefined);
    return host;
  } finally {
    storage.drop();
    if (!direct) source.free();
  }
}

/** A host copy of `tensor` (Tensor.cpu()). */
export async function download(tensor: Tensor): Promise<CpuTensor> {
  const shape = [...tensor.shape];
  const dtype = tensor.dtype;
  return new CpuTensor(shape, dtype, await readBack(tensor));
}

/** A copy of `tensor` on device `index`: a new view when it is already there, else download then upload. */
export async function copyToDevice(tensor: Tensor, index: number): Promise<Tensor> {
  checkDeviceIndex(index, runtime.config.deviceCount);
  if (tensor.storage.device.index === index) {
    return new Tensor(tensor.storage, tensor.shape, tensor.dtype, tensor.strides, tensor.offset);
  }
  const values = await readBack(tensor);
  return uploadValues(values, tensor.shape, tensor.dtype, index);
}
