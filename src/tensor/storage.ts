// Storage: a block of one device's memory that tensors view. Every tensor over a storage holds
// one reference; the block goes back to the device's allocator when the last is dropped.

import type { SimulatedDevice } from '../runtime/simulated-device.js';

/** A block of device memory shared by the tensors that view it. */
export class Storage {
  private references = 0;

  private constructor(
    readonly device: SimulatedDevice,
    /** Byte address in device memory. */
    readonly address: number,
    readonly bytes: number,
  ) {}

  /** Allocates `bytes` on `device` for its current stream; throws OutOfMemoryError. */
  static allocate(device: SimulatedDevice, bytes: number): Storage {
    return new Storage(device, device.allocate(bytes), bytes);
  }

  /** True once every reference has been dropped and the block returned. */
  get released(): boolean {
    return this.references < 0;
  }

  /** Adds a reference (a tensor that views this storage). */
  retain(): this {
    this.references++;
    return this;
  }

  /** Drops a reference; the last one returns the block, stream-ordered. */
  drop(): void {
    if (--this.references === 0) {
      this.references = -1;
      this.device.release(this.address);
    }
  }
}
