// Storage: a block of one device's memory that tensors view. Every tensor over a storage holds
// one reference; the block goes back to the device's allocator when the last is dropped. A
// tensor that is garbage-collected without free() drops its reference through a
// FinalizationRegistry, so forgotten tensors return their memory too (stream-ordered, later).

import type { SimulatedDevice } from '../runtime/simulated-device.js';

/** Drops the reference of an owner (a tensor) that was collected without dropping it itself. */
const forgottenReferences = new FinalizationRegistry<Storage>((storage) => storage.drop());

/**
 * Owners not yet registered with forgottenReferences. Registering costs about 0.2 µs, and most
 * tensors of a tight loop are freed in the task that made them, so registration waits for the
 * end of the task (a microtask), or for YOUNG_LIMIT owners; owners that dropped their reference
 * by then are never registered. The map holds the others meanwhile, so none is collected
 * unregistered.
 */
const youngOwners = new Map<object, Storage>();
const YOUNG_LIMIT = 1024;
let registrationScheduled = false;

/** Registers every young owner still holding its reference. */
function registerYoungOwners(): void {
  registrationScheduled = false;
  for (const [owner, storage] of youngOwners) forgottenReferences.register(owner, storage, owner);
  youngOwners.clear();
}

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

  /** Allocates `bytes` the host may write at once (SimulatedDevice.allocateForHost). */
  static allocateForHost(device: SimulatedDevice, bytes: number): Storage {
    return new Storage(device, device.allocateForHost(bytes, device.currentQueue), bytes);
  }

  /** True once every reference has been dropped and the block returned. */
  get released(): boolean {
    return this.references < 0;
  }

  /**
   * Adds a reference (a tensor that views this storage). With an `owner`, the reference is
   * also dropped when the owner is garbage-collected before it calls drop(owner).
   */
  retain(owner?: object): this {
    this.references++;
    if (owner !== undefined) {
      youngOwners.set(owner, this);
      if (youngOwners.size >= YOUNG_LIMIT) registerYoungOwners();
      else if (!registrationScheduled) {
        registrationScheduled = true;
        queueMicrotask(registerYoungOwners);
      }
    }
    return this;
  }

  /** Drops a reference (`owner`'s, if it retained with one); the last one returns the block, stream-ordered. */
  drop(owner?: object): void {
    if (owner !== undefined && !youngOwners.delete(owner)) forgottenReferences.unregister(owner);
    if (--this.references === 0) {
      this.references = -1;
      this.device.release(this.address);
    }
  }
}
