// Where a job lands in simulated time: it starts when the control core has launched it
// (control-core.ts), runs its body (the lowering's closed form, pipeline.ts), and holds each
// engine and memory level for the cycles it keeps that one busy. Engines are shared by all
// streams of the device and serve jobs first come, first served in issue order
// (engines.ts), so two jobs on two streams overlap when they use different engines and memory
// levels (a DRAM-bound add beside an SRAM-resident GEMM) and queue when they share one (two
// DRAM-bound ops share the DRAM's bandwidth: together they take as long as in sequence).
//
// Every unit a job keeps busy is an engine here, not only the compute engines and memories:
// each PE has one RISC-V core that issues the custom instructions of whatever job runs on it,
// and one fabric interface that DMAs its tiles (ISCA'25 §3.2), so two issue-bound jobs, or two
// jobs waiting on their DMA descriptors, take as long together as in sequence. The fabric
// interface is held for its busier direction (in and out are separate channels).
//
//   end = max(start + body, max over engines e of reserve(e, start, busy_e))
//
// The record then says where the job ran, when each engine's reservation began, and what
// bound it. Its time is split along its critical path (record.ts path): the launch, the body
// as the lowering attributed it (pipeline.ts), and the wait past the body for an engine
// another job still held (`end − start − body`, charged to that engine's bound). The bound is
// the largest of these parts, so that it names where most of the time went: a small op whose
// launch outlasts each part of its body is launch-bound; one whose wait for a shared DRAM
// outlasts its own pipeline is DRAM-bound.

import {
  ENGINE_DPE, ENGINE_DRAM, ENGINE_FABRIC, ENGINE_ISSUE, ENGINE_MLU, ENGINE_PCIE_D2H, ENGINE_PCIE_H2D,
  ENGINE_RE, ENGINE_SE, ENGINE_SRAM,
} from "../layout";
import { dramBytesPerCycle, pcieBytesPerCycle, sramBytesPerCycle } from "../profile";
import {
  BOUND_COMPUTE, BOUND_DRAM, BOUND_FABRIC, BOUND_ISSUE, BOUND_LAUNCH, BOUND_NONE, BOUND_PCIE, BOUND_SRAM, RECORD_BODY_CYCLES,
  RECORD_BOUND, RECORD_COMPUTE_CYCLES, RECORD_DPE_CYCLES, RECORD_DRAM_BYTES, RECORD_END_CYCLES,
  RECORD_FABRIC_BUSY_CYCLES, RECORD_ISSUE_CYCLES, RECORD_LAUNCH_CYCLES,
  RECORD_MLU_CYCLES, RECORD_OPERAND_BYTES, RECORD_OPERAND_HIT_BYTES, RECORD_PCIE_BYTES,
  RECORD_PATH_CYCLES, RECORD_PCIE_DIRECTION, RECORD_PEAK_RATE, RECORD_RESERVED_FROM,
  RECORD_WAIT_BOUND, RECORD_RESERVED_TO, RECORD_RE_CYCLES, RECORD_SE_CYCLES, RECORD_SRAM_BYTES,
  RECORD_SRAM_HIT_RATE, RECORD_STALL_CYCLES, RECORD_START_CYCLES, RECORD_UTILISATION, RECORD_WORK,
  get, set,
} from "./record";
import { reserve } from "./engines";
import { jobStart } from "./control-core";

/** End of the engine reservation that ended last, and the bound it stands for. */
let latestEnd: f64 = 0;
let latestBound: u32 = BOUND_COMPUTE;

function hold(engine: u32, start: f64, busy: f64, bound: u32): void {
  if (busy <= 0) return;
  const end = reserve(engine, start, busy);
  set(RECORD_RESERVED_FROM + engine - ENGINE_DPE, end - busy);
  set(RECORD_RESERVED_TO + engine - ENGINE_DPE, end);
  if (end > latestEnd) {
    latestEnd = end;
    latestBound = bound;
  }
}

/**
 * The BOUND_* of the largest part of the open record's path (the wait counted as the bound it
 * waited for); a tie goes to the lowering's bound, then to the lower code.
 */
function largestPart(): u32 {
  let best = <u32>get(RECORD_BOUND);
  let most = get(RECORD_PATH_CYCLES + best);
  for (let b: u32 = BOUND_LAUNCH; b <= BOUND_FABRIC; b++) {
    const part = get(RECORD_PATH_CYCLES + b);
    if (part > most) {
      most = part;
      best = b == BOUND_NONE ? <u32>get(RECORD_WAIT_BOUND) : b;
    }
  }
  return best;
}

/** Schedules the job whose record is open, of the stream with block `stream` ready at `ready`; returns its end. */
export function scheduleJob(stream: usize, ready: f64): f64 {
  const start = jobStart(stream, ready);
  const body = get(RECORD_BODY_CYCLES);
  latestEnd = start + body;
  latestBound = <u32>get(RECORD_BOUND);
  hold(ENGINE_DPE, start, get(RECORD_DPE_CYCLES), BOUND_COMPUTE);
  hold(ENGINE_SE, start, get(RECORD_SE_CYCLES), BOUND_COMPUTE);
  hold(ENGINE_RE, start, get(RECORD_RE_CYCLES), BOUND_COMPUTE);
  hold(ENGINE_MLU, start, get(RECORD_MLU_CYCLES), BOUND_COMPUTE);
  hold(ENGINE_ISSUE, start, get(RECORD_ISSUE_CYCLES), BOUND_ISSUE);
  hold(ENGINE_FABRIC, start, get(RECORD_FABRIC_BUSY_CYCLES), BOUND_FABRIC);
  hold(ENGINE_SRAM, start, get(RECORD_SRAM_BYTES) / sramBytesPerCycle, BOUND_SRAM);
  hold(ENGINE_DRAM, start, get(RECORD_DRAM_BYTES) / dramBytesPerCycle, BOUND_DRAM);
  const direction = <u32>get(RECORD_PCIE_DIRECTION);
  if (direction == ENGINE_PCIE_H2D || direction == ENGINE_PCIE_D2H) {
    hold(direction, start, get(RECORD_PCIE_BYTES) / pcieBytesPerCycle, BOUND_PCIE);
  }
  const end = latestEnd;
  const launch = start - ready;
  const total = end - ready;
  set(RECORD_START_CYCLES, start);
  set(RECORD_END_CYCLES, end);
  set(RECORD_LAUNCH_CYCLES, launch);
  set(RECORD_STALL_CYCLES, total - launch - get(RECORD_COMPUTE_CYCLES));
  set(RECORD_PATH_CYCLES + BOUND_LAUNCH, launch);
  // (Compared with start + body, not subtracted: the sum's rounding would leave −1e-13.)
  set(RECORD_PATH_CYCLES + BOUND_NONE, end > start + body ? end - (start + body) : 0);
  set(RECORD_WAIT_BOUND, <f64>latestBound);
  set(RECORD_BOUND, <f64>largestPart());
  const operandBytes = get(RECORD_OPERAND_BYTES);
  set(RECORD_SRAM_HIT_RATE, operandBytes > 0 ? get(RECORD_OPERAND_HIT_BYTES) / operandBytes : 1);
  const peak = get(RECORD_PEAK_RATE);
  set(RECORD_UTILISATION, peak > 0 && total > 0 ? get(RECORD_WORK) / (peak * total) : 0);
  return end;
}
