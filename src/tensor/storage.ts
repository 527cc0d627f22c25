// Storage: a block of one device's memory that tensors view. Every tensor over a storage holds
// one reference; the block goes back to the device's allocator when the last is dropped. A
// tensor that is garbage-collected without free() drops its reference through a
// FinalizationRegistry, so forgotten tensors return their memory too (stream-ordered, later).

import type { SimulatedDevice } from '../runtime/simulated-device.js';
import type { StreamQueue } from '../runtime/stream-queue.js';

/** Drops the reference of an owner (a tensor) that was collected without dropping it itself. */
const forgottenReferences = new FinalizationRegistry<Storage>((storage) => storage.drop());

/**
 * An object that holds a reference to a storage and may be garbage-collected without dropping
 * it (a tensor). `ownerSlot` is Storage's bookkeeping: its place among the young owners, or
 * REGISTERED once it is registered with forgottenReferences.
 */
export interface StorageOwner {
  ownerSlot: number;
}

/** StorageOwner.ownerSlot of an owner registered with forgottenReferences (or never retained). */
export const REGISTERED = -1;

/**
 * Owners not yet registered with forgottenReferences, and their storages. Registering costs
 * about 0.2 µs, unregistering about as much, and most tensors of a loop are freed in the task
 * that made them, so registration waits for the next task (a timer: an interactive loop's
 * awaits on read-backs the host answers itself end no task, src/runtime/host-core.ts), or for
 * YOUNG_LIMIT owners; owners that dropped their reference by then are never registered. The
 * arrays hold the others meanwhile, so none is collected unregistered. An owner knows its
 * slot, so dropping a young owner clears its slot without a lookup or an unregistration
 * (docs/benchmarks.md, Dispatch).
 */
const YOUNG_LIMIT = 1024;
const youngOwners: (StorageOwner | undefined)[] = new Array(YOUNG_LIMIT).fill(undefined);
const youngStorages: (Storage | undefined)[] = new Array(YOUNG_LIMIT).fill(undefined);
let youngCount = 0;
let registrationScheduled = false;

/** Registers every young owner still holding its reference. */
function registerYoungOwners(): void {
  registrationScheduled = false;
  for (let slot = 0; slot < youngCount; slot++) {
    const owner = youngOwners[slot];
    if (owner === undefined) continue;
    forgottenReferences.register(owner, youngStorages[slot]!, owner);
    owner.ownerSlot = REGISTERED;
    youngOwners[slot] = youngStorages[slot] = undefined;
  }
  youngCount = 0;
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

  /** Allocates `bytes` on `device` for `queue` (its current stream by default); throws OutOfMemoryError. */
  static allocate(device: SimulatedDevice, bytes: number, queue = device.currentQueue): Storage {
    return new Storage(device, device.allocate(bytes, queue), bytes);
  }

  /**
   * allocate() for a caller that has just checked that `device` is alive (Tensor.checkUsable),
   * which allocate() would check again.
   */
  static allocateOnLiveDevice(device: SimulatedDevice, bytes: number, queue: StreamQueue): Storage {
    return new Storage(device, device.allocator.malloc(bytes, queue), bytes);
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
   * also dropped when the owner is garbage-collected before it calls drop(owner); an owner
   * retains one storage, once.
   */
  retain(owner?: StorageOwner): this {
    this.references++;
    if (owner !== undefined) {
      if (youngCount === YOUNG_LIMIT) registerYoungOwners();
      owner.ownerSlot = youngCount;
      youngOwners[youngCount] = owner;
      youngStorages[youngCount++] = this;
      if (!registrationScheduled) {
        registrationScheduled = true;
        setTimeout(registerYoungOwners, 0);
      }
    }
    return this;
  }

  /** Drops a reference (`owner`'s, if it retained with one); the last one returns the block, stream-ordered. */
  drop(owner?: StorageOwner): void {
    if (owner !== undefined) {
      const slot = owner.ownerSlot;
      if (slot === REGISTERED) forgottenReferences.unregister(owner);
      else youngOwners[slot] = youngStorages[slot] = undefined;
      owner.ownerSlot = REGISTERED;
    }
    if (--this.references === 0) {
      this.references = -1;
      this.device.release(this.address);
    }
  }
}
