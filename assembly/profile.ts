// The hardware profile as the core sees it: PROFILE_FIELDS f64 numbers at PROFILE_LOCATION,
// written by the host from src/profiles.ts (where every number names its source or its
// calibration). loadProfile() turns them into per-cycle rates once, at boot. Off-chip
// bandwidths (DRAM, PCIe) are bytes per second: their links run on their own clocks, so they do
// not speed up with the core clock. On-chip ones (SRAM, local memory, the fabric interface)
// are bytes per cycle: those structures are clocked with the PEs (ISCA'25 §5.2 raised the
// clock from 1.1 to 1.35 GHz, and Table 2's 2.7 TB/s SRAM is 2000 B per cycle at 1.35 GHz), so
// they speed up with it, as compute does.

import { PROFILE_LOCATION } from "./layout";

/** Core clock (Hz). */
export const PROFILE_CLOCK_HZ: u32 = 0;
/** PE grid rows and columns. */
export const PROFILE_PE_ROWS: u32 = 1;
export const PROFILE_PE_COLS: u32 = 2;
/** Peak LPDDR bandwidth (bytes/s), read or write. */
export const PROFILE_DRAM_BYTES_PER_SECOND: u32 = 3;
/** Fraction of the peak DRAM bandwidth that streaming DMA sustains (0..1]. */
export const PROFILE_DRAM_EFFICIENCY: u32 = 4;
/** Host link bandwidth (bytes/s) in each direction. */
export const PROFILE_PCIE_BYTES_PER_SECOND: u32 = 5;
/** SIMD engine elements per cycle per PE. */
export const PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE: u32 = 6;
/** Latency from dispatch to the job starting on an idle PE grid (ns). */
export const PROFILE_JOB_LAUNCH_NS: u32 = 7;
/** Dot-product engine FP16/BF16 MACs per cycle per PE. */
export const PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE: u32 = 8;
/** Dot-product engine INT8 MACs per cycle per PE. */
export const PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE: u32 = 9;
/** Gap between a job and the next on the PE grid, and the control core's time per dispatch (ns). */
export const PROFILE_JOB_REPLACE_NS: u32 = 10;
/** DPE float32 rate as a fraction of its FP16 rate. */
export const PROFILE_DPE_FP32_FRACTION: u32 = 11;
/** Local memory per PE (bytes). */
export const PROFILE_LOCAL_MEMORY_BYTES: u32 = 12;
/** Local memory bandwidth per PE (bytes per cycle: clocked with the PE). */
export const PROFILE_LOCAL_MEMORY_BYTES_PER_CYCLE_PER_PE: u32 = 13;
/** On-chip SRAM capacity (bytes). */
export const PROFILE_SRAM_BYTES: u32 = 14;
/** On-chip SRAM bandwidth (bytes per cycle: clocked with the PEs), all PEs together. */
export const PROFILE_SRAM_BYTES_PER_CYCLE: u32 = 15;
/** 1 when the LPDDR controller's ECC is on. */
export const PROFILE_DRAM_ECC: u32 = 16;
/** Fraction of DRAM throughput kept with ECC on (0..1]. */
export const PROFILE_DRAM_ECC_EFFICIENCY: u32 = 17;
/** Fabric interface (PE ↔ NoC DMA) bytes per cycle per PE. */
export const PROFILE_FABRIC_BYTES_PER_CYCLE_PER_PE: u32 = 18;
/** Latency of the first access of a DMA stream to SRAM (ns). */
export const PROFILE_SRAM_LATENCY_NS: u32 = 19;
/** Latency of the first access of a DMA stream to DRAM (ns). */
export const PROFILE_DRAM_LATENCY_NS: u32 = 20;
/** Cycles a PE's RISC-V core takes to issue one custom instruction. */
export const PROFILE_ISSUE_CYCLES_PER_INSTRUCTION: u32 = 21;
/** Reduction engine float32 elements accumulated per cycle per PE. */
export const PROFILE_RE_ELEMENTS_PER_CYCLE_PER_PE: u32 = 22;
/** Reduction network bytes per cycle from a PE to its neighbour. */
export const PROFILE_REDUCTION_LINK_BYTES_PER_CYCLE: u32 = 23;
/** SE passes a LUT nonlinearity (exp, log, tanh, ...) takes per element. */
export const PROFILE_SE_LUT_PASSES: u32 = 24;
/** Memory layout unit bytes per cycle per PE. */
export const PROFILE_MLU_BYTES_PER_CYCLE_PER_PE: u32 = 25;
/** Cycles the fabric interface spends on one DMA descriptor (an indexed gather's row). */
export const PROFILE_DMA_DESCRIPTOR_CYCLES: u32 = 26;
// Field 27 is unused: it was gatherSramHitRate, removed in issue 20 (gathers hit where the SRAM model holds the rows).
/** Rows the SE accumulates per instruction (an embedding bag's rows). */
export const PROFILE_SE_ACCUMULATE_ROWS: u32 = 28;
/**
 * The systolic teaching profile (timing/systolic.ts): rows × cols of the one systolic array
 * that replaces the dot-product engine, 0 × 0 for none (the MTIA DPE), and its dataflow
 * (DATAFLOW_OS, DATAFLOW_WS or DATAFLOW_IS).
 */
export const PROFILE_SYSTOLIC_ROWS: u32 = 29;
export const PROFILE_SYSTOLIC_COLS: u32 = 30;
export const PROFILE_SYSTOLIC_DATAFLOW: u32 = 31;

/** Output stationary: each PE keeps one output element while A and B stream past it. */
export const DATAFLOW_OS: u32 = 0;
/** Weight stationary: each PE keeps one element of B while A streams through. */
export const DATAFLOW_WS: u32 = 1;
/** Input stationary: each PE keeps one element of A while B streams through. */
export const DATAFLOW_IS: u32 = 2;

/** Device clock in Hz. */
export let clockHz: f64 = 1;
/** PEs in the grid. */
export let peCount: f64 = 1;
/** PE grid columns (weights are broadcast along a column). */
export let peCols: f64 = 1;
/** Cycles from dispatch to the start of a job on an idle grid. */
export let launchCycles: f64 = 0;
/** Cycles between two jobs on the grid; also the control core's cycles per dispatch. */
export let replaceCycles: f64 = 0;
/** DRAM bytes per cycle sustained (efficiency and ECC applied). */
export let dramBytesPerCycle: f64 = 1;
/** SRAM bytes per cycle, all PEs together. */
export let sramBytesPerCycle: f64 = 1;
/** SRAM capacity in bytes. */
export let sramBytes: f64 = 0;
/** PCIe bytes per cycle, one direction. */
export let pcieBytesPerCycle: f64 = 1;
/** Per-PE rates, per cycle. */
export let seElementsPerCycle: f64 = 1;
export let dpeFp16MacsPerCycle: f64 = 1;
export let dpeInt8MacsPerCycle: f64 = 1;
export let dpeFp32MacsPerCycle: f64 = 1;
export let reElementsPerCycle: f64 = 1;
export let mluBytesPerCycle: f64 = 1;
export let localMemoryBytesPerCycle: f64 = 1;
export let fabricBytesPerCycle: f64 = 1;
/** Local memory per PE in bytes. */
export let localMemoryBytes: f64 = 0;
/** Reduction network bytes per cycle per hop. */
export let reductionLinkBytesPerCycle: f64 = 1;
export let sramLatencyCycles: f64 = 0;
export let dramLatencyCycles: f64 = 0;
export let issueCyclesPerInstruction: f64 = 0;
export let seLutPasses: f64 = 1;
export let dmaDescriptorCycles: f64 = 0;
export let seAccumulateRows: f64 = 1;
/** The systolic array's rows and columns (0: no array, the GEMMs run on the DPEs) and dataflow. */
export let systolicRows: f64 = 0;
export let systolicCols: f64 = 0;
export let systolicDataflow: u32 = DATAFLOW_OS;

/** Reads field `field` of the profile block. */
// @ts-ignore: decorator
@inline function field(field: u32): f64 {
  return load<f64>(<usize>(PROFILE_LOCATION + field * 8));
}

/** Derives the per-cycle rates from the profile block; returns false if a number is out of range. */
export function loadProfile(): bool {
  clockHz = field(PROFILE_CLOCK_HZ);
  peCols = field(PROFILE_PE_COLS);
  peCount = field(PROFILE_PE_ROWS) * peCols;
  const cyclesPerNs = clockHz * 1e-9;
  launchCycles = field(PROFILE_JOB_LAUNCH_NS) * cyclesPerNs;
  replaceCycles = field(PROFILE_JOB_REPLACE_NS) * cyclesPerNs;
  const ecc = field(PROFILE_DRAM_ECC) != 0 ? field(PROFILE_DRAM_ECC_EFFICIENCY) : 1;
  dramBytesPerCycle = (field(PROFILE_DRAM_BYTES_PER_SECOND) * field(PROFILE_DRAM_EFFICIENCY) * ecc) / clockHz;
  sramBytesPerCycle = field(PROFILE_SRAM_BYTES_PER_CYCLE);
  sramBytes = field(PROFILE_SRAM_BYTES);
  pcieBytesPerCycle = field(PROFILE_PCIE_BYTES_PER_SECOND) / clockHz;
  seElementsPerCycle = field(PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE);
  dpeFp16MacsPerCycle = field(PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE);
  dpeInt8MacsPerCycle = field(PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE);
  dpeFp32MacsPerCycle = dpeFp16MacsPerCycle * field(PROFILE_DPE_FP32_FRACTION);
  localMemoryBytes = field(PROFILE_LOCAL_MEMORY_BYTES);
  localMemoryBytesPerCycle = field(PROFILE_LOCAL_MEMORY_BYTES_PER_CYCLE_PER_PE);
  fabricBytesPerCycle = field(PROFILE_FABRIC_BYTES_PER_CYCLE_PER_PE);
  sramLatencyCycles = field(PROFILE_SRAM_LATENCY_NS) * cyclesPerNs;
  dramLatencyCycles = field(PROFILE_DRAM_LATENCY_NS) * cyclesPerNs;
  issueCyclesPerInstruction = field(PROFILE_ISSUE_CYCLES_PER_INSTRUCTION);
  reElementsPerCycle = field(PROFILE_RE_ELEMENTS_PER_CYCLE_PER_PE);
  reductionLinkBytesPerCycle = field(PROFILE_REDUCTION_LINK_BYTES_PER_CYCLE);
  seLutPasses = field(PROFILE_SE_LUT_PASSES);
  mluBytesPerCycle = field(PROFILE_MLU_BYTES_PER_CYCLE_PER_PE);
  dmaDescriptorCycles = field(PROFILE_DMA_DESCRIPTOR_CYCLES);
  seAccumulateRows = field(PROFILE_SE_ACCUMULATE_ROWS);
  systolicRows = field(PROFILE_SYSTOLIC_ROWS);
  systolicCols = field(PROFILE_SYSTOLIC_COLS);
  const dataflow = field(PROFILE_SYSTOLIC_DATAFLOW);
  systolicDataflow = <u32>dataflow;
  // A systolic array has whole, positive rows and columns, or is absent (both 0).
  const systolicValid = systolicRows == Math.floor(systolicRows) && systolicCols == Math.floor(systolicCols) &&
    (systolicRows == 0) == (systolicCols == 0) && systolicRows >= 0 && systolicCols >= 0 &&
    (dataflow == <f64>DATAFLOW_OS || dataflow == <f64>DATAFLOW_WS || dataflow == <f64>DATAFLOW_IS);
  // Rates must be positive; latencies and per-instruction costs may be 0; fractions in [0, 1].
  return clockHz > 0 && peCount >= 1 && launchCycles >= 0 && replaceCycles >= 0 &&
    dramBytesPerCycle > 0 && sramBytesPerCycle > 0 && sramBytes >= 0 && pcieBytesPerCycle > 0 &&
    seElementsPerCycle > 0 && dpeFp16MacsPerCycle > 0 && dpeInt8MacsPerCycle > 0 && dpeFp32MacsPerCycle > 0 &&
    localMemoryBytes > 0 && localMemoryBytesPerCycle > 0 && fabricBytesPerCycle > 0 &&
    sramLatencyCycles >= 0 && dramLatencyCycles >= 0 && issueCyclesPerInstruction >= 0 &&
    reElementsPerCycle > 0 && reductionLinkBytesPerCycle > 0 && seLutPasses > 0 &&
    mluBytesPerCycle > 0 && dmaDescriptorCycles >= 0 && seAccumulateRows >= 1 &&
    systolicValid;
}
