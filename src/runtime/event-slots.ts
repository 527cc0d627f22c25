// The event slots of one device (assembly/layout.ts EVENT_*): where the core writes the time
// of an event record and where waits look for it. A slot serves one record; it goes back to
// the pool once the record and every wait that reads it have completed, so a program may
// record and wait on events in a loop without running out.
//
// The slots are split in two (issue 21 finding 2): the library's own waits (fences: toArray(),
// synchronize(), Stream.synchronize()) take theirs from FENCE_SLOTS of their own, so they
// never use up what the program's events need, and when all of those are taken a wait waits
// for one instead of failing. Event records take the rest; when none is free they take back a
// slot whose last readers are all on the recording stream (which runs the new record after
// them), spill completed records, block until the device has moved where the host may block,
// and only then (over postMessage, with every slot held by a record the device has not yet
// reached) throw.

import { MtiaError } from '../errors.js';
import { EVENT_SLOTS, EVENTS_LOCATION, EVENT_SIZE, EVENT_TIME_CYCLES } from './layout.js';
import type { MemoryViews } from './memory-views.js';
import type { StreamQueue } from './stream-queue.js';

/** Slots kept for the library's own waits (SimulatedDevice.fence), the last of the device's slots. */
export const FENCE_SLOTS = 256;
/** Slots event records (and relays of waits across devices) may take: the first of the device's slots. */
export const RECORD_SLOTS = EVENT_SLOTS - FENCE_SLOTS;

/** A command that must complete before a slot can be reused: a stream and a sequence number. */
export type SlotUse = readonly [queue: Pick<StreamQueue, 'isComplete'>, seq: number];

/** A released slot still waiting for its last uses to complete. */
interface PendingSlot {
  readonly slot: number;
  readonly uses: readonly SlotUse[];
}

/** The pool of one device's event slots. */
export class EventSlots {
  /** Record slots never used or fully released, as a stack. */
  private readonly free: number[] = [];
  /** Fence slots free, as a stack. */
  private readonly freeFences: number[] = [];
  /** Fences waiting for a fence slot, first come first served. */
  private fenceWaiters: ((slot: number) => void)[] = [];
  /** Released record slots still waiting for their last uses to complete. */
  private pending: PendingSlot[] = [];
  private generation = 0;
  /**
   * Slots held by event records, with a function that gives the slot up if the record no
   * longer needs it (its record and waits have completed, so the host can keep its time).
   */
  private readonly held = new Map<number, () => boolean>();

  constructor(
    private readonly views: MemoryViews,
    /**
     * Blocks the host until the device has done the work queued so far; false where it may not
     * block (SimulatedDevice.blockUntilIdle). The last resort of acquire().
     */
    private readonly blockUntilIdle: () => boolean = () => false,
  ) {
    for (let slot = RECORD_SLOTS - 1; slot >= 0; slot--) this.free.push(slot);
    for (let slot = EVENT_SLOTS - 1; slot >= RECORD_SLOTS; slot--) this.freeFences.push(slot);
  }

  /**
   * A slot for a new record on `queue` (see the file comment for the order of the tries).
   * Dropped events are only collected when the garbage collector gets to them, which a loop
   * that records events without awaiting may outrun. Throws only if every record slot is held
   * by a record the device has not reached and the host cannot wait for it here.
   */
  acquire(queue: StreamQueue): number {
    if (this.free.length === 0) this.reclaim();
    if (this.free.length === 0) this.reuseOn(queue);
    if (this.free.length === 0) this.spill();
    if (this.free.length === 0 && this.blockUntilIdle()) {
      this.reclaim();
      this.spill();
    }
    const slot = this.free.pop();
    if (slot === undefined) {
      throw new MtiaError(
        `MTIA error: all ${RECORD_SLOTS} event slots of the device are held by recorded events the device has not reached ` +
          'yet, and over the postMessage transport the host cannot wait for it inside record(); await an event or ' +
          'stream synchronize() now and then, or let go of events you no longer need',
      );
    }
    return slot;
  }

  /** A slot for one of the library's own waits: at once if one is free, else when a wait gives one back. */
  acquireFence(): number | Promise<number> {
    const slot = this.freeFences.pop();
    if (slot !== undefined) return slot;
    return new Promise((resolve) => this.fenceWaiters.push(resolve));
  }

  /** Gives back a fence slot once its record has completed (the fence awaited it). */
  releaseFence(slot: number): void {
    const waiter = this.fenceWaiters.shift();
    if (waiter !== undefined) waiter(slot);
    else this.freeFences.push(slot);
  }

  /** A fresh generation number for a record (never 0, which means "never recorded"). */
  nextGeneration(): number {
    this.generation = (this.generation % 0xffffffff) + 1;
    return this.generation;
  }

  /** Returns record slot `slot` to the pool once every command in `uses` has completed. */
  release(slot: number, uses: readonly SlotUse[]): void {
    this.held.delete(slot);
    this.pending.push({ slot, uses });
  }

  /** Notes that an event record holds `slot`; `spill` gives it up if it can (see acquire). */
  hold(slot: number, spill: () => boolean): void {
    this.held.set(slot, spill);
  }

  /** Record slots free now (for tests). */
  get freeCount(): number {
    return this.free.length;
  }

  /** Takes back the slots of every record that can give its slot up. */
  private spill(): void {
    for (const [slot, spill] of this.held) {
      if (spill()) {
        this.held.delete(slot);
        this.free.push(slot);
      }
    }
  }

  /**
   * Takes back one released slot whose remaining uses are all on `queue`: a new record on
   * `queue` runs after them (a stream runs in order), so it cannot overwrite the slot before
   * they have read it. A loop that re-records one event keeps reusing its slots this way,
   * however far the device lags behind.
   */
  private reuseOn(queue: StreamQueue): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      if (pending[i]!.uses.every(([use]) => use === queue)) {
        this.free.push(pending[i]!.slot);
        pending.splice(i, 1);
        return;
      }
    }
  }

  /** The time the core wrote into `slot` (read after its record completed), in cycles. */
  timeCycles(slot: number): number {
    return this.views.f64[(EVENTS_LOCATION + slot * EVENT_SIZE + EVENT_TIME_CYCLES) / 8]!;
  }

  /** Moves slots whose uses have all completed back to the free stack. */
  private reclaim(): void {
    this.pending = this.pending.filter(({ slot, uses }) => {
      const done = uses.every(([queue, seq]) => queue.isComplete(seq));
      if (done) this.free.push(slot);
      return !done;
    });
  }
}
