// The stream race detector, like PyTorch's CUDA sanitizer (torch.cuda._sanitizer, "CSAN"):
// opt-in; when enabled, every op reports which storages it reads and writes on which stream,
// and an access that may overlap an earlier access on another stream, with no event wait,
// stream wait or host synchronization ordering the two, throws a StreamRaceError at the call
// site, before anything is queued. Both accesses are named: stream, op and JavaScript stack.
//
// Happens-before is tracked with vector clocks over stream queues (the FastTrack view of CSAN's
// StreamSynchronizations): each stream knows, for every other stream, the last sequence number
// it is ordered after; an event record snapshots its stream's knowledge; a wait merges it in; a
// host wait that resolved orders everything issued afterwards after the work it waited for.

import { MtiaError } from '../errors.js';
import { captureFrames } from '../memory/stack-frames.js';
import type { Storage } from '../tensor/storage.js';
import type { SimulatedDevice } from './simulated-device.js';
import type { StreamQueue } from './stream-queue.js';

/** What a stream (or the host) knows has happened: queue → last ordered sequence number. */
type VectorClock = Map<StreamQueue, number>;

/** One access of a storage, as a StreamRaceError reports it. */
export interface StreamAccess {
  /** Index of the device (mtia:N). */
  readonly device: number;
  /** Id of the stream the access was issued on (0: the default stream). */
  readonly streamId: number;
  /** The op that made the access. */
  readonly op: string;
  readonly kind: 'reading from' | 'writing to';
  /** The JavaScript stack of the call that issued it, the library's own frames left out. */
  readonly stack: string;
}

/** An access as the detector keeps it: also the stream queue and its sequence number. */
interface Access extends StreamAccess {
  readonly queue: StreamQueue;
  readonly seq: number;
}

/** The accesses of one storage the detector still has to check later ones against. */
interface StorageAccesses {
  lastWrite: Access | undefined;
  /** Reads since the last write, one per stream. */
  reads: Map<StreamQueue, Access>;
}

let enabled = false;
const streamClocks = new WeakMap<StreamQueue, VectorClock>();
const hostClock: VectorClock = new Map();
const accesses = new WeakMap<Storage, StorageAccesses>();

/** A possible data race between two streams, found by the stream sanitizer. */
export class StreamRaceError extends MtiaError {
  override name = 'StreamRaceError';
  constructor(
    /** Device address of the storage both accesses touch. */
    readonly address: number,
    /** The access that was about to be queued. */
    readonly access: StreamAccess,
    /** The earlier access it is not ordered after. */
    readonly previous: StreamAccess,
  ) {
    super(
      `mtia sanitizer detected a possible data race on a tensor with data pointer ${address}\n` +
        `${describe('Access', access)}\n${describe('Previous access', previous)}`,
    );
  }
}

function describe(title: string, access: StreamAccess): string {
  return `${title} by stream ${access.streamId} on mtia:${access.device} during ${access.op}, ` +
    `${access.kind} the tensor\nWith stack trace:\n${access.stack}`;
}

/** The public view of an access. */
function report({ device, streamId, op, kind, stack }: Access): StreamAccess {
  return { device, streamId, op, kind, stack };
}

/** The user's part of the current JavaScript stack (the library's own frames dropped). */
function callSite(): string {
  return captureFrames().map(({ name, filename, line }) => `  at ${name} (${filename}:${line})`).join('\n');
}

function clockOf(queue: StreamQueue): VectorClock {
  let clock = streamClocks.get(queue);
  if (clock === undefined) streamClocks.set(queue, (clock = new Map()));
  return clock;
}

function merge(into: VectorClock, from: ReadonlyMap<StreamQueue, number>): void {
  for (const [queue, seq] of from) if ((into.get(queue) ?? 0) < seq) into.set(queue, seq);
}

/** True if `earlier` is ordered before work issued now on `queue`. */
function ordered(earlier: Access, queue: StreamQueue): boolean {
  return earlier.queue === queue || (clockOf(queue).get(earlier.queue) ?? 0) >= earlier.seq;
}

/** Turns the stream race detector on or off, and tells whether it is on. */
export const sanitizer = {
  /** Starts checking every op; accesses before this call are not known to it. */
  enable(): void {
    enabled = true;
  },
  /** Stops checking. */
  disable(): void {
    enabled = false;
  },
  /** True while the detector checks ops. */
  get enabled(): boolean {
    return enabled;
  },
};

/**
 * @internal Checks, then records, the accesses of an op about to be enqueued on `device`'s
 * current stream: `reads` and `writes` are the storages it reads and writes. Throws
 * StreamRaceError, before anything is queued.
 */
export function checkAccesses(op: string, device: SimulatedDevice, reads: readonly Storage[], writes: readonly Storage[]): void {
  if (!enabled) return;
  const queue = device.currentQueue;
  merge(clockOf(queue), hostClock);
  const base = { device: device.index, streamId: device.currentStreamId, op, stack: callSite(), queue, seq: queue.enqueued + 1 };
  const reading: Access = { ...base, kind: 'reading from' };
  const writing: Access = { ...base, kind: 'writing to' };
  for (const storage of reads) {
    const write = accesses.get(storage)?.lastWrite;
    if (write !== undefined && !ordered(write, queue)) throw new StreamRaceError(storage.address, report(reading), report(write));
  }
  for (const storage of writes) {
    const state = accesses.get(storage);
    if (state === undefined) continue;
    const earlier = [state.lastWrite, ...state.reads.values()].find((access) => access !== undefined && !ordered(access, queue));
    if (earlier !== undefined) throw new StreamRaceError(storage.address, report(writing), report(earlier));
  }
  for (const storage of reads) {
    let state = accesses.get(storage);
    if (state === undefined) accesses.set(storage, (state = { lastWrite: undefined, reads: new Map() }));
    state.reads.set(queue, reading);
  }
  for (const storage of writes) accesses.set(storage, { lastWrite: writing, reads: new Map() });
}

/** @internal What an event record on `queue` at `seq` carries: the stream's knowledge plus itself. */
export function snapshotAt(queue: StreamQueue, seq: number): ReadonlyMap<StreamQueue, number> | undefined {
  if (!enabled) return undefined;
  const snapshot = new Map(clockOf(queue));
  snapshot.set(queue, seq);
  return snapshot;
}

/** @internal Work issued on `queue` from now on is ordered after `snapshot` (an event wait). */
export function orderAfter(queue: StreamQueue, snapshot: ReadonlyMap<StreamQueue, number> | undefined): void {
  if (enabled && snapshot !== undefined) merge(clockOf(queue), snapshot);
}

/** @internal The host has seen `queue` complete `seq`: everything issued later is ordered after it. */
export function hostSynchronized(queue: StreamQueue, seq: number): void {
  if (enabled) merge(hostClock, snapshotAt(queue, seq)!);
}
