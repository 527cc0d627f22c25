// The event slots of one device (assembly/layout.ts EVENT_*): where the core writes the time
// of an event record and where waits look for it. A slot serves one record; it goes back to
// the pool once the record and every wait that reads it have completed, so a program may
// record and wait on events in a loop without running out.

import { MtiaError } from '../errors.js';
import { EVENT_SLOTS, EVENTS_LOCATION, EVENT_SIZE, EVENT_TIME_CYCLES } from './layout.js';
import type { MemoryViews } from './memory-views.js';
import type { StreamQueue } from './stream-queue.js';

/** A command that must complete before a slot can be reused: a stream and a sequence number. */
export type SlotUse = readonly [queue: StreamQueue, seq: number];

/** The pool of one device's event slots. */
export class EventSlots {
  /** Slots never used or fully released, as a stack. */
  private readonly free: number[] = [];
  /** Released slots still waiting for their last uses to complete. */
  private pending: { slot: number; uses: readonly SlotUse[] }[] = [];
  private generation = 0;
  /**
   * Slots held by event records, with a function that gives the slot up if the record no
   * longer needs it (its record and waits have completed, so the host can keep its time).
   */
  private readonly held = new Map<number, () => boolean>();

  constructor(private readonly views: MemoryViews) {
    for (let slot = EVENT_SLOTS - 1; slot >= 0; slot--) this.free.push(slot);
  }

  /**
   * A slot for a new record. When none is free, completed records give theirs up (spill) first:
   * dropped events are only collected when the garbage collector gets to them, which a loop
   * that records events without awaiting may outrun. Throws if every slot is still in use.
   */
  acquire(): number {
    if (this.free.length === 0) this.reclaim();
    if (this.free.length === 0) this.spill();
    const slot = this.free.pop();
    if (slot === undefined) {
      throw new MtiaError(
        `MTIA error: all ${EVENT_SLOTS} event slots of the device are held by recorded events; ` +
          'let go of events you no longer need (they are reclaimed when collected)',
      );
    }
    return slot;
  }

  /** A fresh generation number for a record (never 0, which means "never recorded"). */
  nextGeneration(): number {
    this.generation = (this.generation % 0xffffffff) + 1;
    return this.generation;
  }

  /** Returns `slot` to the pool once every command in `uses` has completed. */
  release(slot: number, uses: readonly SlotUse[]): void {
    this.held.delete(slot);
    this.pending.push({ slot, uses });
  }

  /** Notes that an event record holds `slot`; `spill` gives it up if it can (see acquire). */
  hold(slot: number, spill: () => boolean): void {
    this.held.set(slot, spill);
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
