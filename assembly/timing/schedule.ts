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
// bound it.

import {
  ENGINE_DPE, ENGINE_DRAM, ENGINE_FABRIC, ENGINE_ISSUE, ENGINE_MLU, ENGINE_PCIE_D2H, ENGINE_PCIE_H2D,
  ENGINE_RE, ENGINE_SE, ENGINE_SRAM,
} from "../layout";
import { dramBytesPerCycle, pcieBytesPerCycle, sramBytesPerCycle } from "../profile";
import {
  BOUND_COMPUTE, BOUND_DRAM, BOUND_FABRIC, BOUND_ISSUE, BOUND_LAUNCH, BOUND_PCIE, BOUND_SRAM, RECORD_BODY_CYCLES,
  RECORD_BOUND, RECORD_COMPUTE_CYCLES, RECORD_DPE_CYCLES, RECORD_DRAM_BYTES, RECORD_END_CYCLES,
  RECORD_FABRIC_BUSY_CYCLES, RECORD_ISSUE_CYCLES, RECORD_LAUNCH_CYCLES,
  RECORD_MLU_CYCLES, RECORD_OPERAND_BYTES, RECORD_OPERAND_HIT_BYTES, RECORD_PCIE_BYTES,
  RECORD_PCIE_DIRECTION, RECORD_PEAK_RATE, RECORD_RESERVED_FROM, RECORD_RESERVED_TO, RECORD_RE_CYCLES, RECORD_SE_CYCLES, RECORD_SRAM_BYTES,
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
  set(RECORD_BOUND, <f64>(launch > end - start ? BOUND_LAUNCH : latestBound));
  const operandBytes = get(RECORD_OPERAND_BYTES);
  set(RECORD_SRAM_HIT_RATE, operandBytes > 0 ? get(RECORD_OPERAND_HIT_BYTES) / operandBytes : 1);
  const peak = get(RECORD_PEAK_RATE);
  set(RECORD_UTILISATION, peak > 0 && total > 0 ? get(RECORD_WORK) / (peak * total) : 0);
  return end;
}
