// The command queue: drain() executes published commands in ring order (the order the host
// issued them, across all streams) and publishes, per stream, the completion counter and the
// simulated clock.
//
// Simulated time: a job starts when the control core has launched it behind its stream's
// previous job, runs its body and holds the engines it uses (timing/schedule.ts); its stream's
// clock becomes its end, and its op record (timing/record.ts) at the same ring position says
// how it spent the cycles. Event records, waits and clock advances are queue operations: a
// record stores the stream's clock, a wait moves it to the event's time, an advance to a given
// time (and marks the host's submission there, timing/control-core.ts), a graph launch to the
// end of the control core's one launch for the graph's jobs that follow; a discard (a freed
// block's dead data leaving the SRAM) takes no time. Every command gets an op record; a queue
// operation's has only its start and end.
//
// The host owns RING_HEAD; the core owns RING_TAIL and every stream block (layout.ts). A
// stream's CLOCK is written before its DONE, so a host that sees DONE >= n also sees the clock
// of its command n.

import {
  COMMAND_ARG0, COMMAND_COUNT, COMMAND_OPCODE, COMMAND_SCALAR, COMMAND_STREAM, DEVICE_FAULTED,
  OP_ADVANCE_CLOCK, OP_GRAPH_LAUNCH, OP_RECORD_EVENT, OP_WAIT_EVENT,
} from "./abi";
import { COMMAND_DST, OP_DISCARD } from "./abi";
import { discardOperand } from "./timing/memory-levels";
import {
  HEADER_BLOCKED_EVENT, HEADER_DEVICE_STATE, HEADER_FAULT,
  HEADER_PROGRESS, HEADER_RING_HEAD, HEADER_RING_TAIL, STREAM_CLOCK_CYCLES, STREAM_DONE,
  STREAM_FAULT, STREAM_FAULT_COUNT, STREAM_FAULT_SEQ, STREAM_SLOTS, commandAddress, recordAddress,
  streamBlock,
} from "./layout";
import { STATUS_BAD_STREAM, STATUS_OK } from "./status";
import { execute } from "./decoder";
import { EVENT_PENDING, eventTime, recordEvent, waitEvent } from "./events";
import { BOUND_NONE, RECORD_END_CYCLES, RECORD_PATH_CYCLES, RECORD_START_CYCLES, openRecord, set } from "./timing/record";
import { scheduleJob } from "./timing/schedule";
import { graphLaunch, submittedAt } from "./timing/control-core";

/**
 * Executes up to `budget` published commands; returns how many ran. Sets bit s of the
 * header's progress word for every stream slot s that completed commands. Stops early at a
 * wait for an event not yet recorded (HEADER_BLOCKED_EVENT names it). A command naming a
 * stream that does not exist faults the device and stops it.
 */
export function drain(budget: u32): u32 {
  const head = atomic.load<u32>(HEADER_RING_HEAD);
  let tail = atomic.load<u32>(HEADER_RING_TAIL);
  let executed: u32 = 0;
  let progress: u32 = 0;
  let blocked: u32 = 0;
  while (tail != head && executed < budget) {
    const command = commandAddress(tail);
    const slot = load<u32>(command + COMMAND_STREAM);
    if (slot >= STREAM_SLOTS) {
      atomic.store<u32>(HEADER_FAULT, STATUS_BAD_STREAM);
      atomic.store<u32>(HEADER_DEVICE_STATE, DEVICE_FAULTED);
      break;
    }
    const block = streamBlock(slot);
    const clock = load<f64>(block + STREAM_CLOCK_CYCLES);
    const opcode = load<u32>(command + COMMAND_OPCODE);
    let status: u32;
    let end = clock;
    let isJob = false;
    openRecord(recordAddress(tail));
    if (opcode == OP_RECORD_EVENT) {
      status = recordEvent(command, clock);
    } else if (opcode == OP_WAIT_EVENT) {
      status = waitEvent(command);
      if (status == EVENT_PENDING) {
        blocked = load<u32>(command + COMMAND_ARG0) + 1;
        break;
      }
      if (status == STATUS_OK) end = max(clock, eventTime);
    } else if (opcode == OP_ADVANCE_CLOCK) {
      status = STATUS_OK;
      end = max(clock, load<f64>(command + COMMAND_SCALAR));
      submittedAt(block, end);
    } else if (opcode == OP_GRAPH_LAUNCH) {
      status = STATUS_OK;
      end = graphLaunch(block, clock, load<u32>(command + COMMAND_COUNT));
    } else if (opcode == OP_DISCARD) {
      status = STATUS_OK;
      discardOperand(<f64>load<u64>(command + COMMAND_DST), load<f64>(command + COMMAND_SCALAR));
    } else {
      isJob = true;
      status = execute(command);
      end = scheduleJob(block, clock);
    }
    if (!isJob) {
      // A queue operation: its record says only where it took the stream's clock from and
      // to, so that the profiler can draw event records and waits.
      set(RECORD_START_CYCLES, clock);
      set(RECORD_END_CYCLES, end);
      set(RECORD_PATH_CYCLES + BOUND_NONE, end - clock);
    }
    const done = load<u32>(block + STREAM_DONE) + 1;
    store<f64>(block + STREAM_CLOCK_CYCLES, end);
    if (status != STATUS_OK) {
      store<u32>(block + STREAM_FAULT, status);
      store<u32>(block + STREAM_FAULT_SEQ, done);
      atomic.store<u32>(block + STREAM_FAULT_COUNT, load<u32>(block + STREAM_FAULT_COUNT) + 1);
    }
    atomic.store<u32>(block + STREAM_DONE, done);
    progress |= 1 << slot;
    tail++;
    executed++;
  }
  atomic.store<u32>(HEADER_BLOCKED_EVENT, blocked);
  atomic.store<u32>(HEADER_RING_TAIL, tail);
  atomic.store<u32>(HEADER_PROGRESS, progress);
  return executed;
}
