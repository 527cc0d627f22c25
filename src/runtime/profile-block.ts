// The profile block the core reads at boot (assembly/profile.ts): a hardware profile as
// PROFILE_FIELDS f64 numbers, in the core's field order.

import type { HardwareProfile, SystolicDataflow } from '../profiles.js';
import * as L from './layout.js';

/** The core's DATAFLOW_* code of each systolic dataflow. */
const dataflowCodes: Readonly<Record<SystolicDataflow, number>> = {
  os: L.DATAFLOW_OS,
  ws: L.DATAFLOW_WS,
  is: L.DATAFLOW_IS,
};

/** `profile` as the f64 words of the device's profile block. */
export function profileFields(profile: HardwareProfile): Float64Array {
  const fields = new Float64Array(L.PROFILE_FIELDS);
  const p = profile;
  fields[L.PROFILE_CLOCK_HZ] = p.clockHz;
  fields[L.PROFILE_PE_ROWS] = p.peRows;
  fields[L.PROFILE_PE_COLS] = p.peCols;
  fields[L.PROFILE_DRAM_BYTES_PER_SECOND] = p.dramBytesPerSecond;
  fields[L.PROFILE_DRAM_EFFICIENCY] = p.dramEfficiency;
  fields[L.PROFILE_PCIE_BYTES_PER_SECOND] = p.pcieBytesPerSecond;
  fields[L.PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE] = p.seElementsPerCyclePerPe;
  fields[L.PROFILE_JOB_LAUNCH_NS] = p.jobLaunchNs;
  fields[L.PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE] = p.dpeFp16MacsPerCyclePerPe;
  fields[L.PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE] = p.dpeInt8MacsPerCyclePerPe;
  fields[L.PROFILE_JOB_REPLACE_NS] = p.jobReplaceNs;
  fields[L.PROFILE_DPE_FP32_FRACTION] = p.dpeFp32FractionOfFp16;
  fields[L.PROFILE_LOCAL_MEMORY_BYTES] = p.localMemoryBytesPerPe;
  fields[L.PROFILE_LOCAL_MEMORY_BYTES_PER_CYCLE_PER_PE] = p.localMemoryBytesPerCyclePerPe;
  fields[L.PROFILE_SRAM_BYTES] = p.sramBytes;
  fields[L.PROFILE_SRAM_BYTES_PER_CYCLE] = p.sramBytesPerCycle;
  fields[L.PROFILE_DRAM_ECC] = p.dramEcc ? 1 : 0;
  fields[L.PROFILE_DRAM_ECC_EFFICIENCY] = p.dramEccEfficiency;
  fields[L.PROFILE_FABRIC_BYTES_PER_CYCLE_PER_PE] = p.fabricBytesPerCyclePerPe;
  fields[L.PROFILE_SRAM_LATENCY_NS] = p.sramLatencyNs;
  fields[L.PROFILE_DRAM_LATENCY_NS] = p.dramLatencyNs;
  fields[L.PROFILE_ISSUE_CYCLES_PER_INSTRUCTION] = p.issueCyclesPerInstruction;
  fields[L.PROFILE_RE_ELEMENTS_PER_CYCLE_PER_PE] = p.reElementsPerCyclePerPe;
  fields[L.PROFILE_REDUCTION_LINK_BYTES_PER_CYCLE] = p.reductionLinkBytesPerCycle;
  fields[L.PROFILE_SE_LUT_PASSES] = p.seLutPasses;
  fields[L.PROFILE_MLU_BYTES_PER_CYCLE_PER_PE] = p.mluBytesPerCyclePerPe;
  fields[L.PROFILE_DMA_DESCRIPTOR_CYCLES] = p.dmaDescriptorCycles;
  fields[L.PROFILE_SE_ACCUMULATE_ROWS] = p.seAccumulateRows;
  // No systolic array: 0 × 0 (the DPEs run GEMMs).
  fields[L.PROFILE_SYSTOLIC_ROWS] = p.systolic?.rows ?? 0;
  fields[L.PROFILE_SYSTOLIC_COLS] = p.systolic?.cols ?? 0;
  fields[L.PROFILE_SYSTOLIC_DATAFLOW] = dataflowCodes[p.systolic?.dataflow ?? 'os'];
  return fields;
}
