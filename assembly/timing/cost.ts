// The cost of a command's body in device cycles: the first, roofline-only timing model.
//
//   body cycles = max(memory time, SIMD time)
//
// memory time is the bytes moved over the link the data crosses (DRAM for device-resident
// operands, PCIe for host copies); SIMD time is the elements over all PEs' SIMD engines. Every
// job also costs a launch on the control core (MTIA 2i: "<1 µs to launch a job", ISCA'25 §3.3),
// charged by the queue (queue.ts) before the body. The tile-level model (PE pipelines, SRAM)
// replaces the bodies of these functions later; their callers do not change.

import { COPY_DEVICE_TO_DEVICE } from "../abi";
import { dramBytesPerCycle, pcieBytesPerCycle, simdElementsPerCycle } from "../profile";

/** Cycles of an elementwise op that moves `bytes` through DRAM and computes `elements` results. */
export function elementwiseCycles(bytes: f64, elements: f64): f64 {
  return max(bytes / dramBytesPerCycle, elements / simdElementsPerCycle);
}

/** Cycles of a copy of `bytes` along `path` (a COPY_* constant). */
export function copyCycles(bytes: f64, path: u32): f64 {
  if (path == COPY_DEVICE_TO_DEVICE) return (2 * bytes) / dramBytesPerCycle;
  return bytes / pcieBytesPerCycle;
}
