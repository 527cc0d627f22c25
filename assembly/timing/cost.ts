// Per-command cost in device cycles: the first, roofline-only timing model.
//
//   cycles = launch + max(memory time, SIMD time)
//
// launch is the control core's job launch (MTIA 2i: "<1 µs to launch a job", ISCA'25 §3.3);
// memory time is the bytes moved over the link the data crosses (DRAM for device-resident
// operands, PCIe for host copies); SIMD time is the elements over all PEs' SIMD engines.
// The tile-level model (PE pipelines, SRAM, engine contention) replaces the body of these
// functions later; their callers do not change.

import { COPY_DEVICE_TO_DEVICE } from "../abi";
import { dramBytesPerCycle, launchCycles, pcieBytesPerCycle, simdElementsPerCycle } from "../profile";

/** Cycles of a command that does no work (NOP, or a command that failed its checks). */
export function launchOnlyCycles(): f64 {
  return launchCycles;
}

/** Cycles of an elementwise op that moves `bytes` through DRAM and computes `elements` results. */
export function elementwiseCycles(bytes: f64, elements: f64): f64 {
  return launchCycles + max(bytes / dramBytesPerCycle, elements / simdElementsPerCycle);
}

/** Cycles of a copy of `bytes` along `path` (a COPY_* constant). */
export function copyCycles(bytes: f64, path: u32): f64 {
  if (path == COPY_DEVICE_TO_DEVICE) return launchCycles + (2 * bytes) / dramBytesPerCycle;
  return launchCycles + bytes / pcieBytesPerCycle;
}
