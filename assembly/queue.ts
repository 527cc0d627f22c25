// The stream queues: drain() runs published commands of every stream ring in order and
// publishes each stream's completion counter and simulated clock.
//
// Per stream the host owns HEAD and the core owns DONE, FAULT, FAULT_SEQ and CLOCK (layout.ts).
// Commands in [DONE, HEAD) are pending. The core writes CLOCK before DONE, so a host that sees
// DONE >= n also sees the clock of command n.

import {
  HEADER_PROGRESS, STREAM_CLOCK_CYCLES, STREAM_DONE, STREAM_FAULT, STREAM_FAULT_SEQ, STREAM_HEAD,
  STREAM_SLOTS, commandAddress, streamBlock,
} from "./layout";
import { STATUS_OK } from "./status";
import { commandCycles, execute } from "./decoder";

/**
 * Executes up to `budget` pending commands, stream slot by stream slot; returns how many ran.
 * Sets bit s of the header's progress word for every slot s that completed commands.
 */
export function drain(budget: u32): u32 {
  let executed: u32 = 0;
  let progress: u32 = 0;
  for (let slot: u32 = 0; slot < STREAM_SLOTS && executed < budget; slot++) {
    const block = streamBlock(slot);
    const head = atomic.load<u32>(block + STREAM_HEAD);
    let done = atomic.load<u32>(block + STREAM_DONE);
    if (done == head) continue;
    let clock = load<f64>(block + STREAM_CLOCK_CYCLES);
    while (done != head && executed < budget) {
      const status = execute(commandAddress(slot, done));
      clock += commandCycles;
      done++;
      executed++;
      if (status != STATUS_OK && load<u32>(block + STREAM_FAULT) == STATUS_OK) {
        store<u32>(block + STREAM_FAULT_SEQ, done);
        store<u32>(block + STREAM_FAULT, status);
      }
    }
    store<f64>(block + STREAM_CLOCK_CYCLES, clock);
    atomic.store<u32>(block + STREAM_DONE, done);
    progress |= 1 << slot;
  }
  atomic.store<u32>(HEADER_PROGRESS, progress);
  return executed;
}
