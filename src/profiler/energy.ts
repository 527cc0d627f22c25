// Energy of an op, from what its record counts and the profile's per-access energies
// (src/profiles.ts, the `energyPj*` fields and staticPowerWatts; docs/timing-model.md "Energy"):
//
//   compute     = work × the engine's energy per unit of work
//                   DPE: MACs × energyPjPerInt8Mac (quantizedLinear, or an int8/uint8/int32 output),
//                        …PerFp32Mac (float32 output) or …PerFp16Mac (any other: float16, bfloat16)
//                   SE:  element passes × energyPjPerSeElement;  RE: elements × energyPjPerReElement
//                   MLU, PCIe: 0 (their work is bytes, counted below)
//   localMemory = bytes.localMemory × energyPjPerLocalMemoryByte
//   sram        = bytes.sram        × energyPjPerSramByte
//   noc         = (bytes.sram + bytes.dram) × energyPjPerNocByte   every byte to or from SRAM or
//                                                                  DRAM crosses the NoC once
//   dram        = bytes.dram        × energyPjPerDramByte
//   pcie        = bytes.pcie        × energyPjPerPcieByte
//   static      = staticPowerWatts  × (endNs − startNs)
//   idle        = idleEnginePowerFraction × Σ over DPE, SE, RE of the engine's peak dynamic power
//                   per PE × its idle PE-seconds in the op (all PEs × duration − pes × busy cycles / f):
//                   engines a job leaves idle still burn their un-gated clock tree and pipeline
//                   registers while the job runs (docs/timing-model.md "Idle engines")
//
// An op's averageWatts is its joules over its own duration, as if it had the chip to itself.
// Ops that overlap on several streams each count the static power over their own span; a run's
// energy (runEnergy) counts it once per device, over the device's span from its first op's start
// to its last op's end, so a run = Σ ops' dynamic energy + static power × the device's span
// (on one stream: Σ op energies + static power over the idle gaps between ops).

import type { HardwareProfile } from '../profiles.js';

/** An op's energy by where it went, in joules. */
export interface OpEnergyComponents {
  /** The compute engine's work: MACs on the DPE, element passes on the SE and RE. */
  readonly compute: number;
  /** Bytes moved in the PEs' local memory. */
  readonly localMemory: number;
  /** Bytes moved to or from the on-chip SRAM. */
  readonly sram: number;
  /** Bytes carried by the NoC: every SRAM and DRAM byte. */
  readonly noc: number;
  /** Bytes moved to or from LPDDR5. */
  readonly dram: number;
  /** Bytes moved over PCIe. */
  readonly pcie: number;
  /** Static (leakage and idle) power over the op's duration. */
  readonly static: number;
  /** Engines (DPE, SE, RE) left idle on the PE grid while the op runs: their un-gated clock power. */
  readonly idle: number;
}

/** An op's energy (OpStats.energy). */
export interface OpEnergy {
  /** Joules: the sum of byComponent. */
  readonly joules: number;
  /** joules / the op's duration (endNs − startNs), in watts; 0 for an op of no duration. */
  readonly averageWatts: number;
  /** The static power the op's profile burns whatever runs, in watts (what byComponent.static is of the duration). */
  readonly staticWatts: number;
  /** Where the joules went. */
  readonly byComponent: OpEnergyComponents;
}

/** @internal What the energy model reads of an op. */
export interface OpActivity {
  /** The op's name: quantizedLinear multiplies int8 operands into a float32 output. */
  readonly name: string;
  /** The op's compute engine ('dpe', 'se', 're', 'mlu', 'pcie' or 'none'). */
  readonly engine: string;
  /** Its output dtype: picks the DPE's MAC energy. */
  readonly dtype: string;
  /** Its work: MACs (DPE), element passes (SE, RE), bytes (MLU, PCIe). */
  readonly work: number;
  readonly localMemoryBytes: number;
  readonly sramBytes: number;
  readonly dramBytes: number;
  readonly pcieBytes: number;
  /** Its duration, endNs − startNs. */
  readonly durationNs: number;
  /** PEs it ran on, and its busy cycles per PE of the DPE, SE and RE (absent: no idle power counted). */
  readonly pes?: number;
  readonly dpeCycles?: number;
  readonly seCycles?: number;
  readonly reCycles?: number;
}

/** Joules per picojoule. */
const J_PER_PJ = 1e-12;

/** @internal The profile fields the model reads. */
export type EnergyProfile = Pick<
  HardwareProfile,
  | 'energyPjPerFp16Mac' | 'energyPjPerInt8Mac' | 'energyPjPerFp32Mac' | 'energyPjPerSeElement' | 'energyPjPerReElement'
  | 'energyPjPerLocalMemoryByte' | 'energyPjPerSramByte' | 'energyPjPerNocByte' | 'energyPjPerDramByte'
  | 'energyPjPerPcieByte' | 'staticPowerWatts' | 'idleEnginePowerFraction' | 'clockHz' | 'peRows' | 'peCols'
  | 'dpeFp16MacsPerCyclePerPe' | 'seElementsPerCyclePerPe' | 'reElementsPerCyclePerPe'
>;

/** @internal An engine's peak dynamic power on one PE, in watts: its peak work per cycle × pJ per unit × clock. */
export function enginePeakWattsPerPe(profile: EnergyProfile): { dpe: number; se: number; re: number } {
  const wattsPerPjPerCycle = profile.clockHz * J_PER_PJ;
  return {
    dpe: profile.dpeFp16MacsPerCyclePerPe * profile.energyPjPerFp16Mac * wattsPerPjPerCycle,
    se: profile.seElementsPerCyclePerPe * profile.energyPjPerSeElement * wattsPerPjPerCycle,
    re: profile.reElementsPerCyclePerPe * profile.energyPjPerReElement * wattsPerPjPerCycle,
  };
}

/** Joules the engines `activity` left idle burn (the `idle` component; see the file comment). */
function idleJoules(profile: EnergyProfile, activity: OpActivity): number {
  if (profile.idleEnginePowerFraction === 0 || activity.pes === undefined) return 0;
  const pes = profile.peRows * profile.peCols;
  const seconds = activity.durationNs * 1e-9;
  const peak = enginePeakWattsPerPe(profile);
  const idlePeSeconds = (busyCycles = 0) => Math.max(0, pes * seconds - (activity.pes! * busyCycles) / profile.clockHz);
  return profile.idleEnginePowerFraction *
    (peak.dpe * idlePeSeconds(activity.dpeCycles) + peak.se * idlePeSeconds(activity.seCycles) + peak.re * idlePeSeconds(activity.reCycles));
}

/** pJ per unit of work of op `name` on `engine` with output `dtype`. */
function computePj(profile: EnergyProfile, name: string, engine: string, dtype: string): number {
  switch (engine) {
    case 'dpe':
      if (name === 'quantizedLinear' || dtype === 'int8' || dtype === 'uint8' || dtype === 'int32') return profile.energyPjPerInt8Mac;
      if (dtype === 'float32') return profile.energyPjPerFp32Mac;
      return profile.energyPjPerFp16Mac;
    case 'se': return profile.energyPjPerSeElement;
    case 're': return profile.energyPjPerReElement;
    default: return 0;
  }
}

/** @internal The energy of an op that did `activity` on a chip described by `profile`. */
export function opEnergy(profile: EnergyProfile, activity: OpActivity): OpEnergy {
  const byComponent: OpEnergyComponents = {
    compute: activity.work * computePj(profile, activity.name, activity.engine, activity.dtype) * J_PER_PJ,
    localMemory: activity.localMemoryBytes * profile.energyPjPerLocalMemoryByte * J_PER_PJ,
    sram: activity.sramBytes * profile.energyPjPerSramByte * J_PER_PJ,
    noc: (activity.sramBytes + activity.dramBytes) * profile.energyPjPerNocByte * J_PER_PJ,
    dram: activity.dramBytes * profile.energyPjPerDramByte * J_PER_PJ,
    pcie: activity.pcieBytes * profile.energyPjPerPcieByte * J_PER_PJ,
    static: profile.staticPowerWatts * activity.durationNs * 1e-9,
    idle: idleJoules(profile, activity),
  };
  const joules = byComponent.compute + byComponent.localMemory + byComponent.sram + byComponent.noc +
    byComponent.dram + byComponent.pcie + byComponent.static + byComponent.idle;
  return {
    joules,
    averageWatts: activity.durationNs > 0 ? joules / (activity.durationNs * 1e-9) : 0,
    staticWatts: profile.staticPowerWatts,
    byComponent,
  };
}

/** @internal What runEnergy reads of an op: its device, span and energy (an OpStats has them). */
export interface EnergyOfOp {
  readonly device: number;
  readonly startNs: number;
  readonly endNs: number;
  readonly energy: OpEnergy;
}

/** A run's energy (mtia.profiler.runEnergy()). */
export interface RunEnergy {
  /** Joules of every device: Σ ops' dynamic joules + each device's static power × its span. */
  readonly joules: number;
  /** The longest device span (first op's start to last op's end), in seconds of simulated time. */
  readonly seconds: number;
  /** joules / seconds: the power of all the devices together, in watts; 0 for an empty run. */
  readonly averageWatts: number;
}

/** @internal
 * The energy of a run of `ops` (opStats()): per device, the ops' dynamic energy plus the static
 * power once over the device's span, so overlapping ops do not count the static power twice and
 * the idle gaps between ops do count it.
 */
export function runEnergy(ops: readonly EnergyOfOp[]): RunEnergy {
  const spans = new Map<number, { fromNs: number; toNs: number; staticWatts: number }>();
  let joules = 0;
  for (const op of ops) {
    joules += op.energy.joules - op.energy.byComponent.static;
    const span = spans.get(op.device);
    if (span === undefined) {
      spans.set(op.device, { fromNs: op.startNs, toNs: op.endNs, staticWatts: op.energy.staticWatts });
    } else {
      span.fromNs = Math.min(span.fromNs, op.startNs);
      span.toNs = Math.max(span.toNs, op.endNs);
    }
  }
  let seconds = 0;
  for (const { fromNs, toNs, staticWatts } of spans.values()) {
    const spanSeconds = (toNs - fromNs) * 1e-9;
    joules += staticWatts * spanSeconds;
    seconds = Math.max(seconds, spanSeconds);
  }
  return { joules, seconds, averageWatts: seconds > 0 ? joules / seconds : 0 };
}
