// An op's physical floor: the least time any schedule of its work could take on the profile's
// hardware, from the work it must do and the bytes that must cross each memory level. The
// timing model's invariant tests (issue "never faster than physics") check every op's body
// against it. Computed from the profile's raw peaks (no calibrated efficiency), independently
// of the model's own lowering, so that a lowering bug cannot move the floor with it.
//
//   floor = max( MACs / (DPE MACs per cycle of the dtype · PEs · clock),
//                SE element passes / (SE elements per cycle · PEs · clock),
//                bytes through SRAM / (SRAM bytes per cycle · clock),
//                bytes through DRAM / DRAM bandwidth )

import type { HardwareProfile } from '../../src/profiles.js';

/** The work an op cannot avoid. Every field defaults to 0. */
export interface PhysicalWork {
  /** Multiply-accumulates on the dot-product engines. */
  macs?: number;
  /** The dtype the MACs run in: the DPE's rate differs for int8 and float32. */
  macDtype?: 'float32' | 'float16' | 'bfloat16' | 'int8';
  /** Element operations on the SIMD engines (one element through one SE pass). */
  seElements?: number;
  /** Bytes that must move between the SRAM and the PEs (operands read, results written). */
  sramBytes?: number;
  /** Bytes that must move to or from DRAM (cold operands read, outputs that cannot stay in SRAM written back). */
  dramBytes?: number;
}

/** DPE MACs per second over the whole grid for `dtype`. */
export function peakMacsPerSecond(profile: HardwareProfile, dtype: PhysicalWork['macDtype'] = 'float16'): number {
  const perCycle = dtype === 'int8'
    ? profile.dpeInt8MacsPerCyclePerPe
    : dtype === 'float32' ? profile.dpeFp16MacsPerCyclePerPe * profile.dpeFp32FractionOfFp16 : profile.dpeFp16MacsPerCyclePerPe;
  return perCycle * profile.peRows * profile.peCols * profile.clockHz;
}

/** The least time, in ns, in which the profile's hardware could do `work`. */
export function physicalFloorNs(profile: HardwareProfile, work: PhysicalWork): number {
  const pes = profile.peRows * profile.peCols;
  const seconds = Math.max(
    (work.macs ?? 0) / peakMacsPerSecond(profile, work.macDtype),
    (work.seElements ?? 0) / (profile.seElementsPerCyclePerPe * pes * profile.clockHz),
    (work.sramBytes ?? 0) / (profile.sramBytesPerCycle * profile.clockHz),
    (work.dramBytes ?? 0) / profile.dramBytesPerSecond,
  );
  return seconds * 1e9;
}
