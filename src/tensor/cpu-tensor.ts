// CpuTensor: values on the host, what Tensor.cpu() and to('cpu') return (torch's cpu tensors).
// Deliberately small and honest: a shape, a dtype and a row-major typed array of the values
// (float16/bfloat16 values held exactly in a Float32Array). It computes nothing; move it to a
// device with to(device) to compute.

import { Device, deviceIndex, type DeviceLike } from '../device.js';
import { MtiaError } from '../errors.js';
import { runtime } from '../runtime/runtime.js';
import type { DType, HostArray, TypedArray } from './dtype.js';
import type { Tensor } from './tensor.js';
import { uploadValues } from './transfer.js';

/** A tensor's values on the host. */
export class CpuTensor {
  /** Number of elements. */
  readonly numel: number;

  /** @internal Made by Tensor.cpu(). */
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** @internal The values, row-major. */
    readonly data: HostArray,
  ) {
    this.numel = shape.reduce((n, size) => n * size, 1);
    if (!ArrayBuffer.isView(data) || (data as TypedArray).length !== this.numel) {
      throw new MtiaError(`CpuTensor(): a tensor of shape [${shape.join(', ')}] needs ${this.numel} values, but got: ${ArrayBuffer.isView(data) ? (data as TypedArray).length : String(data)}`);
    }
  }

  /** Always cpu. */
  get device(): Device {
    return new Device('cpu');
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** A copy of the values as a flat row-major typed array (async, like Tensor.toArray; a BigInt64Array for int64). */
  toArray(): Promise<TypedArray>;
  toArray<A extends HostArray>(): Promise<A>;
  async toArray(): Promise<HostArray> {
    return this.data.slice();
  }

  /** A copy on device `device` (stream-ordered upload on its current stream). */
  to(device: DeviceLike): Tensor {
    const index = deviceIndex(device, () => runtime.currentDevice);
    return uploadValues(this.data, this.shape, this.dtype, index);
  }

  toString(): string {
    return `tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=cpu)`;
  }
}
