// The hardware profile as the core sees it: PROFILE_FIELDS f64 numbers at PROFILE_LOCATION,
// written by the host from src/mtia/profiles.ts (where every number names its source).
// loadProfile() turns them into per-cycle rates once, at boot.

import { PROFILE_LOCATION } from "./layout";

/** Core clock (Hz). */
export const PROFILE_CLOCK_HZ: u32 = 0;
/** PE grid rows and columns. */
export const PROFILE_PE_ROWS: u32 = 1;
export const PROFILE_PE_COLS: u32 = 2;
/** Peak LPDDR bandwidth (bytes/s), read or write. */
export const PROFILE_DRAM_BYTES_PER_SECOND: u32 = 3;
/** Fraction of DRAM bandwidth left after ECC and refresh (0..1]. */
export const PROFILE_DRAM_EFFICIENCY: u32 = 4;
/** Host link bandwidth (bytes/s) in each direction. */
export const PROFILE_PCIE_BYTES_PER_SECOND: u32 = 5;
/** SIMD engine elements per cycle per PE. */
export const PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE: u32 = 6;
/** Control-core job launch cost (ns) per command. */
export const PROFILE_JOB_LAUNCH_NS: u32 = 7;
/** Dot-product engine FP16/BF16 MACs per cycle per PE. */
export const PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE: u32 = 8;
/** Dot-product engine INT8 MACs per cycle per PE. */
export const PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE: u32 = 9;

/** Device clock in Hz. */
export let clockHz: f64 = 1;
/** Cycles the control core spends launching one command. */
export let launchCycles: f64 = 0;
/** DRAM bytes per cycle after the efficiency derate. */
export let dramBytesPerCycle: f64 = 1;
/** PCIe bytes per cycle, one direction. */
export let pcieBytesPerCycle: f64 = 1;
/** SIMD elements per cycle over the whole PE grid. */
export let simdElementsPerCycle: f64 = 1;
/** DPE FP16/BF16 MACs per cycle over the whole PE grid. */
export let dpeFp16MacsPerCycle: f64 = 1;
/** DPE INT8 MACs per cycle over the whole PE grid. */
export let dpeInt8MacsPerCycle: f64 = 1;

/** Reads field `field` of the profile block. */
// @ts-ignore: decorator
@inline function field(field: u32): f64 {
  return load<f64>(<usize>(PROFILE_LOCATION + field * 8));
}

/** Derives the per-cycle rates from the profile block; returns false if a rate is not positive. */
export function loadProfile(): bool {
  clockHz = field(PROFILE_CLOCK_HZ);
  const peCount = field(PROFILE_PE_ROWS) * field(PROFILE_PE_COLS);
  launchCycles = field(PROFILE_JOB_LAUNCH_NS) * 1e-9 * clockHz;
  dramBytesPerCycle =
    (field(PROFILE_DRAM_BYTES_PER_SECOND) * field(PROFILE_DRAM_EFFICIENCY)) / clockHz;
  pcieBytesPerCycle = field(PROFILE_PCIE_BYTES_PER_SECOND) / clockHz;
  simdElementsPerCycle = field(PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE) * peCount;
  dpeFp16MacsPerCycle = field(PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE) * peCount;
  dpeInt8MacsPerCycle = field(PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE) * peCount;
  return clockHz > 0 && launchCycles >= 0 && dramBytesPerCycle > 0 &&
    pcieBytesPerCycle > 0 && simdElementsPerCycle > 0 && dpeFp16MacsPerCycle > 0 &&
    dpeInt8MacsPerCycle > 0;
}
