// After a drain(): the host waits on the DONE word of a stream it awaits (SimulatedDevice.whenComplete)
// and on RING_TAIL while its command waits in the host-side backlog. Whoever ran the core wakes
// them: the firmware (workers/firmware.ts) or the host's own core (host-core.ts), with the
// drain's progress mask (layout.ts HEADER_PROGRESS) read while it still held the core, since the
// other may drain next and overwrite it.

import { HEADER_RING_TAIL, STREAMS_LOCATION, STREAM_DONE, STREAM_SIZE, STREAM_SLOTS } from './layout.js';

/** Wakes the waiters on the DONE word of every stream slot in `progress` (bit s: slot s), and on RING_TAIL. */
export function wakeProgressWaiters(i32: Int32Array, progress: number): void {
  for (let slot = 0; slot < STREAM_SLOTS; slot++) {
    if (progress & (1 << slot)) Atomics.notify(i32, (STREAMS_LOCATION + slot * STREAM_SIZE + STREAM_DONE) / 4);
  }
  Atomics.notify(i32, HEADER_RING_TAIL / 4);
}
