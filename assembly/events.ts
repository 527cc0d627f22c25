// Event commands: the marks streams put in the ring and wait for. They are queue operations of
// the control core, with no job to launch and no engine to hold.

import { COMMAND_ARG0, COMMAND_COUNT } from "./abi";
import { EVENT_GENERATION, EVENT_SLOTS, EVENT_TIME_CYCLES, eventRecord } from "./layout";
import { STATUS_BAD_EVENT, STATUS_OK } from "./status";

/** waitEvent() result for an event whose awaited record has not happened yet (not a failure). */
export const EVENT_PENDING: u32 = 0xffffffff;

/** The time the stream may go on from after the last waitEvent() that returned STATUS_OK. */
export let eventTime: f64 = 0;

/** Records the event of `command` at `clock`. */
export function recordEvent(command: usize, clock: f64): u32 {
  const slot = load<u32>(command + COMMAND_ARG0);
  if (slot >= EVENT_SLOTS) return STATUS_BAD_EVENT;
  const record = eventRecord(slot);
  store<f64>(record + EVENT_TIME_CYCLES, clock);
  atomic.store<u32>(record + EVENT_GENERATION, load<u32>(command + COMMAND_COUNT));
  return STATUS_OK;
}

/**
 * Checks the event `command` waits for: STATUS_OK with eventTime set if it holds the awaited
 * generation, EVENT_PENDING if not yet (a record on another device the host has not relayed).
 */
export function waitEvent(command: usize): u32 {
  const slot = load<u32>(command + COMMAND_ARG0);
  if (slot >= EVENT_SLOTS) return STATUS_BAD_EVENT;
  const record = eventRecord(slot);
  if (atomic.load<u32>(record + EVENT_GENERATION) != load<u32>(command + COMMAND_COUNT)) return EVENT_PENDING;
  eventTime = load<f64>(record + EVENT_TIME_CYCLES);
  return STATUS_OK;
}
