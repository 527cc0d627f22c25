// The hooks through which ops, event records and event waits are seen as they are enqueued. The
// profiler (src/profiler/) installs itself here; the runtime (host copies), the tensor ops and
// the events call them. They live in the runtime so that none of those imports the profiler,
// which sits above them all.
//
// Callers write `opObserver?.(device, queue, name, shapes, dtype)`: with no observer installed
// (the common case) that is one load and one test, and the arguments are not even evaluated.
// While a stream captures a graph, the observer also names each recorded command in its
// capture (StreamCapture.noteOp), so that the profiler can name a replay's ops.

import type { SimulatedDevice } from './simulated-device.js';
import type { CapturedOp } from './stream-capture.js';
import type { StreamQueue } from './stream-queue.js';

/**
 * Told about an op right after its one command was pushed on `queue` of `device`: the ring
 * count of the command is `device.ring.lastPushed`, its sequence number `queue.enqueued`.
 * `shapes` are the shapes of the op's tensors, inputs then outputs; `dtype` the output's.
 * While `queue` captures (queue.capture), the command was recorded, not pushed.
 */
export type OpObserver = (
  device: SimulatedDevice, queue: StreamQueue, name: string, shapes: readonly (readonly number[])[], dtype: string,
) => void;

/** The observer ops call: the profiler's, one that names captured commands, both, or undefined. */
export let opObserver: OpObserver | undefined;

/** The profiler's observer, if installed. */
let profilerObserver: OpObserver | undefined;
/** Captures under way (MTIAGraph.captureBegin .. captureEnd). */
let captures = 0;

/** Names the command just recorded in `queue`'s capture, then tells the profiler's observer. */
const namingObserver: OpObserver = (device, queue, name, shapes, dtype) => {
  queue.capture?.noteOp(name, shapes, dtype);
  profilerObserver?.(device, queue, name, shapes, dtype);
};

function compose(): void {
  opObserver = captures > 0 ? namingObserver : profilerObserver;
}

/** Installs `observer` in place of the current one (undefined: none). */
export function setOpObserver(observer: OpObserver | undefined): void {
  profilerObserver = observer;
  compose();
}

/** Counts a capture that begins (true) or ends (false): while any is under way, captured commands are named. */
export function setCapturing(begins: boolean): void {
  captures += begins ? 1 : -1;
  compose();
}

/**
 * Told about a graph replay right after its launch and its `ops.length` commands were pushed on
 * `queue` of `device` (ring counts `device.ring.lastPushed - ops.length` for the launch, then
 * one each): `ops` are the captured commands' names, shapes and dtypes (StreamCapture.ops).
 */
export type GraphObserver = (device: SimulatedDevice, queue: StreamQueue, ops: readonly (CapturedOp | undefined)[]) => void;

/** The installed graph observer, or undefined when none is. */
export let graphObserver: GraphObserver | undefined;

/** Installs `observer` in place of the current graph observer (undefined: none). */
export function setGraphObserver(observer: GraphObserver | undefined): void {
  graphObserver = observer;
}

/**
 * Told about an event record or wait right after its command was pushed on `queue` of `device`,
 * for the stream with id `streamId`: its ring count is `device.ring.lastPushed`. `record` is the
 * same object for a record and every wait on it (src/mtia/event.ts), so that an observer can
 * pair them. A wait on a record that has completed is a clock advance to the record's time.
 */
export type EventObserver = (
  kind: 'record' | 'wait', device: SimulatedDevice, queue: StreamQueue, streamId: number, record: object,
) => void;

/** The installed event observer, or undefined when none is. */
export let eventObserver: EventObserver | undefined;

/** Installs `observer` in place of the current event observer (undefined: none). */
export function setEventObserver(observer: EventObserver | undefined): void {
  eventObserver = observer;
}
