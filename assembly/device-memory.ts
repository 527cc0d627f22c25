// Device memory as the core checks it: where it ends and whether it has bytes behind it.
// In compute mode device memory is the real wasm memory from HEAP_LOCATION on; in timing-only
// mode (HEADER_TIMING_ONLY) it reaches HEADER_MEMORY_END, far past the real memory, and holds
// no data: ops check their operands against it and are timed, but no kernel runs.

import { HEADER_MEMORY_END, HEADER_TIMING_ONLY, HEAP_LOCATION } from "./layout";
import { STATUS_MISALIGNED, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "./status";

/** True in timing-only mode: commands are checked and timed, kernels do not run. */
export let timingOnly: bool = false;
/** First byte past device memory. */
export let memoryEnd: u64 = 0;

/** Reads the mode and the memory's end from the header; false if they do not fit the real memory. */
export function loadDeviceMemory(): bool {
  timingOnly = atomic.load<u32>(HEADER_TIMING_ONLY) != 0;
  const end = load<f64>(HEADER_MEMORY_END);
  const real = <u64>memory.size() << 16;
  memoryEnd = end > 0 ? <u64>end : real;
  return memoryEnd >= <u64>HEAP_LOCATION && (timingOnly || memoryEnd <= real);
}

/** STATUS_OK if [address, address + bytes) lies in device memory and address is `align`-aligned. */
export function checkRange(address: u64, bytes: u64, align: u32): u32 {
  const end = address + bytes;
  if (address < <u64>HEAP_LOCATION || end > memoryEnd || end < address) return STATUS_OUT_OF_BOUNDS;
  if (<u32>address & (align - 1)) return STATUS_MISALIGNED;
  return STATUS_OK;
}
