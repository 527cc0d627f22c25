// Tensor: a shape and dtype over a block of one device's memory. Ops are enqueued on the
// device's stream and return at once; the device computes later. Reading values back is the
// only thing that waits.

import { Device } from '../device.js';
import { MtiaError } from '../errors.js';
import { dtypeInfo, type DType, type TypedArray } from './dtype.js';
import { checkAccesses } from '../runtime/stream-sanitizer.js';
import { add } from './ops.js';
import type { Storage } from './storage.js';

/** A multi-dimensional array on a simulated MTIA device. */
export class Tensor implements Disposable {
  /** Number of elements. */
  readonly numel: number;
  private freed = false;

  /** @internal Tensors are made by factories and ops, not by `new`. */
  constructor(
    /** @internal */ readonly storage: Storage,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {
    this.numel = shape.reduce((n, size) => n * size, 1);
    storage.retain();
  }

  /** The device the tensor lives on. */
  get device(): Device {
    return new Device('mtia', this.storage.device.index);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** this + other, elementwise (torch.add). */
  add(other: Tensor): Tensor {
    return add(this, other);
  }

  /** Copies the values to the host, after every op enqueued before this call, as a flat typed array. */
  async toArray(): Promise<TypedArray> {
    const storage = this.checkUsable('toArray');
    const { device, address, bytes } = storage;
    checkAccesses('toArray', device, [storage], []);
    const data = await device.download(device.currentQueue, address, this.numel === 0 ? 0 : bytes);
    return new (dtypeInfo(this.dtype).array)(data, 0, this.numel);
  }

  /**
   * Drops the tensor's hold on its device memory, which is returned once no tensor views it
   * and the work already enqueued on it is done (stream-ordered). Using the tensor afterwards
   * throws; freeing twice does nothing.
   */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.storage.drop();
  }

  /** free(), for `using t = ...`. */
  [Symbol.dispose](): void {
    this.free();
  }

  /** @internal Throws unless the tensor can be used in `op`; returns its storage. */
  checkUsable(op: string): Storage {
    const storage = this.storage;
    if (this.freed) {
      throw new MtiaError(`${op}: the tensor was freed (free() or using) and cannot be used any more`);
    }
    storage.device.assertAlive();
    return storage;
  }

  toString(): string {
    return `tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}
