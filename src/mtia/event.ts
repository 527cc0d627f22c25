// torch.Event for MTIA (torch.mtia.Event is torch.Event): a mark on a stream that carries the
// stream's simulated time when the device reaches it. Semantics, check order and texts:
// pytorch/pytorch torch/csrc/Event.cpp and c10/core/impl/InlineEvent.h.
//
// Each record takes an event slot on the device (src/runtime/event-slots.ts); the slot goes
// back once the record and the waits issued on it have completed. A wait on an event recorded
// on another device is relayed by the host: the waiting device gets a slot of its own that the
// host fills with the record's time when the recording device has reached it.

import { Device } from '../device.js';
import { MtiaError, ValueError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import type { SlotUse } from '../runtime/event-slots.js';
import { OP_ADVANCE_CLOCK, OP_RECORD_EVENT, OP_WAIT_EVENT } from '../runtime/layout.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import { eventObserver } from '../runtime/op-observer.js';
import type { StreamQueue } from '../runtime/stream-queue.js';
import { orderAfter, snapshotAt } from '../runtime/stream-sanitizer.js';
import { currentStream } from './stream-context.js';
import { Stream } from './stream.js';

/** Ids of events come from one counter from 1 (0 = never recorded). */
let nextEventId = 1;

/** Options of `new mtia.Event()`. */
export interface EventOptions {
  /** Record simulated timestamps so elapsedTime() works (default false, as in PyTorch). */
  enableTiming?: boolean;
  /** Accepted and ignored, as in PyTorch ("not supported right now and are noops"). */
  blocking?: boolean;
  /** Accepted and ignored, as in PyTorch. */
  interprocess?: boolean;
}

/** One record of an event: where it is on the device and who reads its slot. */
interface EventRecord {
  readonly simulated: SimulatedDevice;
  readonly queue: StreamQueue;
  readonly seq: number;
  /** The event slot, or -1 once spilled: the record completed and gave its slot up (EventSlots.acquire). */
  slot: number;
  /** The recorded time in cycles, kept on the host once the slot is spilled. */
  timeCycles: number;
  readonly generation: number;
  /** Waits issued on this record, which must complete before the slot is reused. */
  readonly uses: SlotUse[];
  /** Relays of this record to other devices, which read the slot when it completes. */
  readonly relays: Promise<void>[];
  /** Relays not yet settled. */
  relaysPending: number;
  /** What the stream sanitizer knows this record is ordered after (when it is enabled). */
  readonly order: ReadonlyMap<StreamQueue, number> | undefined;
}

/** Frees the slot of an event that was collected while still holding one. */
const collected = new FinalizationRegistry<EventRecord>((record) => release(record));

/** Returns a record's slot to its device once its record, waits and relays are done. */
function release(record: EventRecord): void {
  const uses: SlotUse[] = [[record.queue, record.seq], ...record.uses];
  if (record.relays.length === 0) {
    // At once, so that a loop re-recording one event without awaiting reuses the slot.
    if (record.slot >= 0) record.simulated.eventSlots.release(record.slot, uses);
    return;
  }
  void Promise.allSettled(record.relays).then(() => {
    if (record.slot >= 0) record.simulated.eventSlots.release(record.slot, uses);
  });
}

/**
 * Gives up `record`'s slot if nothing on the device still reads it (the record, its waits and
 * relays have completed), keeping the recorded time on the host; true if it did.
 */
function spill(record: EventRecord): boolean {
  if (record.slot < 0 || record.relaysPending > 0 || !record.queue.isComplete(record.seq)) return false;
  if (!record.uses.every(([queue, seq]) => queue.isComplete(seq))) return false;
  record.timeCycles = record.simulated.eventSlots.timeCycles(record.slot);
  record.slot = -1;
  return true;
}

/** The time `record` was recorded at, in cycles of its device (read after it completed). */
function recordedCycles(record: EventRecord): number {
  return record.slot < 0 ? record.timeCycles : record.simulated.eventSlots.timeCycles(record.slot);
}

/** A mark on a stream that carries simulated device time (torch.Event). */
export class Event {
  readonly enableTiming: boolean;
  readonly blocking: boolean;
  readonly interprocess: boolean;
  /** Nonzero once the event has been recorded. */
  eventId = 0;
  private current: EventRecord | undefined;

  constructor(options: EventOptions = {}) {
    checkOptions('Event', options, ['enableTiming', 'blocking', 'interprocess']);
    for (const key of ['enableTiming', 'blocking', 'interprocess'] as const) {
      const value = options[key];
      if (value !== undefined && typeof value !== 'boolean') {
        throw new TypeError(`Event(): ${key} must be a boolean, but got: ${describeValue(value)}`);
      }
    }
    this.enableTiming = options.enableTiming ?? false;
    this.blocking = options.blocking ?? false;
    this.interprocess = options.interprocess ?? false;
  }

  /** The device the event was first recorded on, or null before its first record. */
  get device(): Device | null {
    return this.current === undefined ? null : new Device('mtia', this.current.simulated.index);
  }

  /**
   * Records the event on `stream` (default: the current stream): it completes when the stream
   * has done all work submitted before it. Re-recording moves the mark.
   */
  record(stream: Stream = currentStream()): void {
    if (!(stream instanceof Stream)) throw new TypeError(`record(): stream must be an mtia.Stream, but got: ${String(stream)}`);
    const simulated = stream.simulated;
    simulated.assertAlive();
    if (stream.queue.capture !== undefined) throw capturedEvent('record');
    const previous = this.current;
    if (previous !== undefined && previous.simulated.index !== simulated.index) {
      throw new MtiaError(
        `Event device index ${previous.simulated.index} does not match recording stream's device index ${simulated.index}.`,
      );
    }
    const slot = simulated.eventSlots.acquire(stream.queue);
    const generation = simulated.eventSlots.nextGeneration();
    const seq = stream.queue.enqueue(OP_RECORD_EVENT, 0, 0, 0, 0, generation, slot, 0);
    const order = snapshotAt(stream.queue, seq);
    const record: EventRecord = {
      simulated, queue: stream.queue, seq, slot, timeCycles: 0, generation, uses: [], relays: [], relaysPending: 0, order,
    };
    simulated.eventSlots.hold(slot, () => spill(record));
    if (previous !== undefined) {
      collected.unregister(this);
      release(previous);
    }
    this.current = record;
    eventObserver?.('record', simulated, stream.queue, stream.streamId, record);
    collected.register(this, record, this);
    if (this.eventId === 0) this.eventId = nextEventId++;
  }

  /** True if never recorded, or if the work before its latest record has completed. */
  query(): boolean {
    const record = this.current;
    if (record === undefined) return true;
    record.simulated.assertAlive();
    if (record.queue.capture !== undefined) throw record.queue.capture.invalidate('Event.query()');
    record.simulated.startWork();
    return record.queue.isComplete(record.seq);
  }

  /** Resolves when the work before the latest record has completed (at once if never recorded). */
  async synchronize(): Promise<void> {
    const record = this.current;
    if (record === undefined) return;
    if (record.queue.capture !== undefined) throw record.queue.capture.invalidate('Event.synchronize()');
    await record.simulated.wait(record.queue, record.seq, 'work before this event');
    record.simulated.observe(recordedCycles(record));
  }

  /**
   * Makes all future work on `stream` (default: the current stream) wait for this event's
   * latest record; a no-op if it was never recorded. The stream may be on another device.
   */
  wait(stream: Stream = currentStream()): void {
    if (!(stream instanceof Stream)) throw new TypeError(`wait(): stream must be an mtia.Stream, but got: ${String(stream)}`);
    const record = this.current;
    if (record === undefined) return;
    stream.simulated.assertAlive();
    if (stream.queue.capture !== undefined) throw capturedEvent('wait');
    if (record.slot < 0) {
      // Spilled: the record completed and the host knows its time, so the wait only moves the
      // stream's clock there (on either device).
      stream.queue.enqueue(OP_ADVANCE_CLOCK, 0, 0, 0, 0, 0, 0, record.timeCycles);
      eventObserver?.('wait', stream.simulated, stream.queue, stream.streamId, record);
    } else if (stream.simulated === record.simulated) {
      const seq = stream.queue.enqueue(OP_WAIT_EVENT, 0, 0, 0, 0, record.generation, record.slot, 0);
      record.uses.push([stream.queue, seq]);
      eventObserver?.('wait', stream.simulated, stream.queue, stream.streamId, record);
    } else {
      record.relaysPending++;
      record.relays.push(relay(record, stream).finally(() => record.relaysPending--));
    }
    orderAfter(stream.queue, record.order);
  }

  /**
   * Milliseconds of simulated device time from this event's record to `end`'s. Both must be
   * recorded, completed (call `await end.synchronize()` first) and created with enableTiming,
   * on the same device: each device has its own clock, so an interval between two devices is
   * not defined and throws.
   */
  elapsedTime(end: Event): number {
    if (!(end instanceof Event)) throw new TypeError(`elapsedTime(): end must be an mtia.Event, but got: ${String(end)}`);
    const [a, b] = [this.current, end.current];
    if (a === undefined || b === undefined) {
      throw new ValueError('Both events must be recorded before calculating elapsed time.');
    }
    if (!this.query() || !end.query()) {
      throw new MtiaError('Both events must be completed before calculating elapsed time.');
    }
    if (!this.enableTiming || !end.enableTiming) {
      throw new ValueError("Both events must be created with argument 'enable_timing=True'.");
    }
    if (a.simulated !== b.simulated) {
      throw new MtiaError(
        `elapsedTime(): the events were recorded on different devices (mtia:${a.simulated.index} and ` +
          `mtia:${b.simulated.index}); each device keeps its own simulated clock, so the interval is not defined`,
      );
    }
    const cycles = recordedCycles(b) - recordedCycles(a);
    return (cycles / a.simulated.profile.clockHz) * 1e3;
  }

  /** @internal Gives the event's slot back now (for events the library made and dropped). */
  dispose(): void {
    if (this.current === undefined) return;
    collected.unregister(this);
    release(this.current);
    this.current = undefined;
  }

  toString(): string {
    const index = this.current?.simulated.index ?? -1;
    return `mtia.Event device_type=mtia, device_index=${index}, event_flag=${this.enableTiming ? 1 : 0}, event_id=${this.eventId}`;
  }
}

/**
 * Makes `stream` (on another device) wait for `record`: the stream waits on a slot of its own
 * device, which the host fills with the record's time once the recording device reaches it.
 * If the recording device is lost, the slot is filled anyway so the waiting device goes on.
 */
function relay(record: EventRecord, stream: Stream): Promise<void> {
  const target = stream.simulated;
  const slot = target.eventSlots.acquire(stream.queue);
  const generation = target.eventSlots.nextGeneration();
  const seq = stream.queue.enqueue(OP_WAIT_EVENT, 0, 0, 0, 0, generation, slot, 0);
  eventObserver?.('wait', target, stream.queue, stream.streamId, record);
  const fill = (timeCycles: number) => {
    target.fillEventSlot(slot, timeCycles, generation);
    target.eventSlots.release(slot, [[stream.queue, seq]]);
  };
  return record.simulated.wait(record.queue, record.seq, 'an event another device waits for').then(
    () => fill(recordedCycles(record)),
    () => fill(0),
  );
}

/**
 * mtia-sim's graphs hold tensor ops only: CUDA captures event records and waits as graph
 * nodes (a fork and join across streams), which this simulator does not model.
 */
function capturedEvent(call: 'record' | 'wait'): MtiaError {
  return new MtiaError(`Event.${call}(): mtia-sim cannot capture events into a graph; record and wait outside the capture`);
}
