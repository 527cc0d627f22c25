// The cost of a command's body in device cycles: the first, roofline-only timing model.
//
//   body cycles = max(memory time, SIMD time)
//
// memory time is the bytes moved over the link the data crosses (DRAM for device-resident
// operands, PCIe for host copies); SIMD time is the elements over all PEs' SIMD engines. Every
// job also costs a launch on the control core (MTIA 2i: "<1 µs to launch a job", ISCA'25 §3.3),
// charged by the queue (queue.ts) before the body. The tile-level model (PE pipelines, SRAM)
// replaces the bodies of these functions later; their callers do not change.

import { COPY_DEVICE_TO_DEVICE, DTYPE_FLOAT32, DTYPE_INT8 } from "../abi";
import { dramBytesPerCycle, pcieBytesPerCycle, simdElementsPerCycle } from "../profile";
import { dpeFp16MacsPerCycle, dpeInt8MacsPerCycle } from "../profile";

/** Cycles of an elementwise op that moves `bytes` through DRAM and computes `elements` results. */
export function elementwiseCycles(bytes: f64, elements: f64): f64 {
  return max(bytes / dramBytesPerCycle, elements / simdElementsPerCycle);
}

/** Cycles of a copy of `bytes` along `path` (a COPY_* constant). */
export function copyCycles(bytes: f64, path: u32): f64 {
  if (path == COPY_DEVICE_TO_DEVICE) return (2 * bytes) / dramBytesPerCycle;
  return bytes / pcieBytesPerCycle;
}

/**
 * The DPE's float32 rate as a fraction of its FP16/BF16 rate. Not published: ISCA'25 Table 2
 * lists no FP32 GEMM for either chip. Assumed to be emulated at a quarter of the FP16 rate (a
 * named parameter until calibrated), so float32 matmuls are correctly slower than bf16 ones.
 */
export const DPE_FP32_FRACTION_OF_FP16: f64 = 0.25;

/** DPE MACs per cycle over the whole PE grid for a matmul in `dtype` (a DTYPE_* code). */
export function dpeMacsPerCycle(dtype: u32): f64 {
  if (dtype == DTYPE_INT8) return dpeInt8MacsPerCycle;
  if (dtype == DTYPE_FLOAT32) return dpeFp16MacsPerCycle * DPE_FP32_FRACTION_OF_FP16;
  return dpeFp16MacsPerCycle;
}

/** Cycles of a matmul moving `bytes` through DRAM and doing `macs` multiply-adds in `dtype`. */
export function matmulCycles(bytes: f64, macs: f64, dtype: u32): f64 {
  return max(bytes / dramBytesPerCycle, macs / dpeMacsPerCycle(dtype));
}
