// Hardware profiles: the numbers of each MTIA generation the simulator's timing model uses.
// One concept for host and core: the runtime writes them into the device's profile block
// (src/runtime/profile-block.ts), the core derives per-cycle rates from them
// (assembly/profile.ts), and the torch.mtia surface reports them.
//
// Sources: ISCA25 = Coburn et al., "Meta's Second Generation AI Chip", ISCA'25,
// doi 10.1145/3695053.3731409, Table 2 and §3–§5; [D] = derived there from primary
// numbers. Numbers no source publishes are "calibrated" (set so that the published targets of
// the reference's §3 hold; docs/validation.md) or "assumed" (a documented engineering guess
// that no published target constrains); docs/timing-model.md lists them all.

import { ValueError } from './errors.js';

/** How a systolic array keeps its operands: output, weight or input stationary (docs/teaching.md). */
export type SystolicDataflow = 'os' | 'ws' | 'is';

/**
 * The systolic teaching profile's array: one rows × cols systolic array in place of the
 * dot-product engines, timed as SCALE-Sim v2 times a GEMM (assembly/timing/systolic.ts).
 */
export interface SystolicArray {
  /** MAC units down the array (SCALE-Sim's ArrayHeight). */
  readonly rows: number;
  /** MAC units across the array (SCALE-Sim's ArrayWidth). */
  readonly cols: number;
  /** SCALE-Sim's Dataflow: 'os', 'ws' or 'is'. */
  readonly dataflow: SystolicDataflow;
}

/** The numbers that describe one simulated chip. Units are in the names. */
export interface HardwareProfile {
  /** Profile key, e.g. 'mtia-v2'. */
  readonly name: string;
  /** Marketing name of the chip, e.g. 'MTIA 2i'. */
  readonly chipName: string;
  /** [major, minor] reported by getDeviceCapability. */
  readonly capability: readonly [number, number];
  /**
   * Core clock. Compute rates and on-chip bandwidths (SRAM, local memory, fabric; per cycle)
   * scale with it; off-chip bandwidths (DRAM, PCIe; per second) do not.
   */
  readonly clockHz: number;
  readonly peRows: number;
  readonly peCols: number;
  /** Dot-product engine FP16/BF16 MACs per cycle per PE. */
  readonly dpeFp16MacsPerCyclePerPe: number;
  /** Dot-product engine INT8 MACs per cycle per PE. */
  readonly dpeInt8MacsPerCyclePerPe: number;
  /** The DPE's float32 rate as a fraction of its FP16 rate. */
  readonly dpeFp32FractionOfFp16: number;
  /** SIMD engine elements per cycle per PE. */
  readonly seElementsPerCyclePerPe: number;
  /** SE passes a nonlinear function (exp, log, tanh, ...) takes per element, through its LUTs. */
  readonly seLutPasses: number;
  /** Rows the SE accumulates per instruction (an embedding bag). */
  readonly seAccumulateRows: number;
  /** Reduction engine float32 elements accumulated per cycle per PE. */
  readonly reElementsPerCyclePerPe: number;
  /** Reduction network bytes per cycle from a PE to its neighbour. */
  readonly reductionLinkBytesPerCycle: number;
  /** Memory layout unit bytes per cycle per PE. */
  readonly mluBytesPerCyclePerPe: number;
  readonly localMemoryBytesPerPe: number;
  /** Local memory bandwidth of one PE, bytes per cycle (clocked with the PE). */
  readonly localMemoryBytesPerCyclePerPe: number;
  /** Fabric interface (PE ↔ NoC DMA) bytes per cycle per PE. */
  readonly fabricBytesPerCyclePerPe: number;
  /** Fabric interface cycles per DMA descriptor (one per tile; one per row of a gather). */
  readonly dmaDescriptorCycles: number;
  readonly sramBytes: number;
  /** On-chip SRAM bandwidth, all PEs together, bytes per cycle (clocked with the PEs). */
  readonly sramBytesPerCycle: number;
  /** Latency of a DMA stream's first access to SRAM. */
  readonly sramLatencyNs: number;
  /** LPDDR5 capacity of the real part: the device memory in timing-only mode. */
  readonly dramBytes: number;
  readonly dramBytesPerSecond: number;
  /** Fraction of the peak DRAM bandwidth streaming DMA sustains (0..1]. */
  readonly dramEfficiency: number;
  /** Whether the LPDDR controller's ECC is on (it costs dramEccEfficiency of the throughput). */
  readonly dramEcc: boolean;
  /** Fraction of DRAM throughput kept with ECC on (0..1]. */
  readonly dramEccEfficiency: number;
  /** Latency of a DMA stream's first access to DRAM. */
  readonly dramLatencyNs: number;
  /**
   * Whether the runtime tells the SRAM that a freed block's data is dead (OP_DISCARD), so its
   * dirty bytes are dropped without write-back (src/runtime/simulated-device.ts deadBytes).
   */
  readonly discardFreedBlocks: boolean;
  /** Host link bandwidth, one direction. */
  readonly pcieBytesPerSecond: number;
  /** Latency from the host's submission to a job starting on an idle PE grid. */
  readonly jobLaunchNs: number;
  /** Gap between a job and the next on the PE grid when the control core prepared it ahead. */
  readonly jobReplaceNs: number;
  /** Cycles a PE's RISC-V core takes to issue one custom instruction. */
  readonly issueCyclesPerInstruction: number;
  /** Energy of one FP16/BF16 MAC (FP32 accumulate) on the DPE, picojoules (src/profiler/energy.ts). */
  readonly energyPjPerFp16Mac: number;
  /** Energy of one INT8 MAC (INT32 accumulate) on the DPE, picojoules. */
  readonly energyPjPerInt8Mac: number;
  /** Energy of one FP32 MAC on the DPE, picojoules. */
  readonly energyPjPerFp32Mac: number;
  /** Energy of one SIMD-engine element pass, picojoules. */
  readonly energyPjPerSeElement: number;
  /** Energy of one reduction-engine element (an FP32 add), picojoules. */
  readonly energyPjPerReElement: number;
  /** Energy per byte moved in a PE's local memory, picojoules. */
  readonly energyPjPerLocalMemoryByte: number;
  /** Energy per byte read or written in the on-chip SRAM, picojoules. */
  readonly energyPjPerSramByte: number;
  /** Energy per byte the NoC carries (every SRAM and DRAM byte), picojoules. */
  readonly energyPjPerNocByte: number;
  /** Energy per byte read or written in DRAM (device and interface), picojoules. */
  readonly energyPjPerDramByte: number;
  /** Energy per byte over PCIe, picojoules. */
  readonly energyPjPerPcieByte: number;
  /** Static power (leakage, clocks, idle DRAM and links): burnt whatever runs, watts. */
  readonly staticPowerWatts: number;
  /**
   * Fraction of an engine's peak dynamic power (DPE, SE, RE) it burns while a job runs and leaves
   * it idle: its un-gated clock tree and pipeline registers, 0 to 1 (src/profiler/energy.ts).
   */
  readonly idleEnginePowerFraction: number;
  /** The systolic teaching profile: GEMMs run on this array instead of the DPEs (absent: the DPEs). */
  readonly systolic?: SystolicArray;
}

/**
 * Energy scaling from Horowitz's 45 nm, 0.9 V figures to TSMC 5 nm (assumed): capacitance about
 * ×0.35 (feature size and wire pitch) and voltage (0.75 V / 0.9 V)² ≈ ×0.69, so ≈ ×0.25. Stillmaker
 * and Baas, "Scaling equations … from 180 nm to 7 nm" (Integration 58, 2017) fit such factors
 * from simulation; their table was not read here, so the factor is marked assumed.
 */
const NODE_SCALE_5NM = 0.25;
/** The same scaling to TSMC 7 nm (MTIA 1), assumed: ×0.3. */
const NODE_SCALE_7NM = 0.3;

/**
 * Power an idle engine burns while a job runs, as a fraction of its peak dynamic power
 * (docs/timing-model.md "Idle engines"), assumed: 1/3, the clock tree's share of a datapath's
 * dynamic power (a clock tree without fine-grained gating toggles whether or not the datapath
 * works; the share is often quoted at 30–40 %, no MTIA figure is published and none was read
 * here). Not tuned to the typical-power checks of `mtia-sim validate`, which it is checked by.
 */
const IDLE_ENGINE_FRACTION = 1 / 3;

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** MTIA 2i ("MTIA v2", "next-gen MTIA", "MTIA 200"). */
const mtiaV2: HardwareProfile = {
  name: 'mtia-v2',
  chipName: 'MTIA 2i',
  // PyTorch's MTIA backend reports (0, 0) "at the moment" (PR #135889); the simulator reports
  // the generation so code can tell the profiles apart.
  capability: [2, 0],
  clockHz: 1.35e9, // ISCA25 §5.2: raised in production from the 1.1 GHz design spec
  peRows: 8, // ISCA25 §3.1: 8 × 8 PE grid
  peCols: 8,
  dpeFp16MacsPerCyclePerPe: 1024, // [D] 177 TFLOPS / 64 PEs / 1.35 GHz / 2; "two 32 × 32B × 32 MAC tiles"
  dpeInt8MacsPerCyclePerPe: 2048, // [D] 354 TOPS / 64 / 1.35 GHz / 2
  dpeFp32FractionOfFp16: 0.25, // assumed: ISCA25 Table 2 lists no FP32 GEMM
  seElementsPerCyclePerPe: 32, // [D] 5.5 TOPS / 64 / 1.35 GHz / 2 ops; ISCA26: SIMD width 32
  seLutPasses: 4, // assumed: a LUT lookup plus interpolation; no rate published
  seAccumulateRows: 128, // ISCA25 §3.3: an SE accumulation instruction covers up to 128 rows
  reElementsPerCyclePerPe: 32, // assumed: the width of the DPE's 32-wide output tiles
  reductionLinkBytesPerCycle: 64, // assumed: no reduction-network bandwidth published
  mluBytesPerCyclePerPe: 64, // assumed: no MLU rate published
  localMemoryBytesPerPe: 384 * KiB, // ISCA25 Table 2
  localMemoryBytesPerCyclePerPe: 1.0e12 / 1.35e9, // [D] ISCA25 Table 2: 1 TB/s (ISCA26: R+W) at 1.35 GHz, ≈ 740.7
  fabricBytesPerCyclePerPe: 64, // assumed: NoC bandwidth unpublished; ISCA25: FI-to-NoC doubled over MTIA 1
  dmaDescriptorCycles: 8, // assumed: no DMA descriptor cost published
  sramBytes: 256 * MiB, // ISCA25 Table 2
  sramBytesPerCycle: 2000, // [D] ISCA25 Table 2: 2.7 TB/s (R+W) at 1.35 GHz
  sramLatencyNs: 40, // assumed: no SRAM latency published
  dramBytes: 128 * GiB, // ISCA25 Table 2 (64–128 GB); BLOG24/HC24: 128 GB
  dramBytesPerSecond: 204.8e9, // ISCA25 Table 2: 16 ch × 16 bit × 6.4 GT/s
  dramEfficiency: 0.97, // calibrated: ISCA25 §4.2, a 109 MB FC layer streams at ">95% of DRAM bandwidth"
  dramEcc: false, // ISCA25 §5.1: ECC was enabled in production later; the §3–§4 figures are without it
  dramEccEfficiency: 0.875, // ISCA25 §5.1: ECC costs 10–15 % of throughput; midpoint
  dramLatencyNs: 120, // assumed: typical loaded LPDDR5 latency; none published
  discardFreedBlocks: true, // assumed: ISCA25 §4.1–4.2 memory hints skip dead tensors' write-backs; the runtime knows a freed block is dead
  pcieBytesPerSecond: 32e9, // ISCA25 Table 2: 8× PCIe Gen5
  jobLaunchNs: 750, // calibrated: ISCA25 §3.3 "<1 µs to launch a job", with a tiny op's body under 1 µs in all
  jobReplaceNs: 300, // calibrated: ISCA25 §3.3 "<0.5 µs to replace a job", with a tiny op's body
  issueCyclesPerInstruction: 16, // assumed: custom-register writes per instruction; ISCA25 §3.3 names issue as small GEMMs' bottleneck
  // Energy (src/profiler/energy.ts; docs/timing-model.md "Energy"). H14 = Horowitz, "Computing's
  // energy problem", ISSCC 2014, 45 nm at 0.9 V; scaled to TSMC 5 nm by NODE_SCALE_5NM (assumed).
  energyPjPerFp16Mac: (1.1 + 0.9) * NODE_SCALE_5NM, // H14: FP16 multiply 1.1 pJ + FP32 add 0.9 pJ (FP32 accumulate), scaled: 0.5
  energyPjPerInt8Mac: (0.2 + 0.1) * NODE_SCALE_5NM, // H14: 8-bit multiply 0.2 pJ + 32-bit add 0.1 pJ, scaled: 0.075
  energyPjPerFp32Mac: (3.7 + 0.9) * NODE_SCALE_5NM, // H14: FP32 multiply 3.7 pJ + FP32 add 0.9 pJ, scaled: 1.15
  energyPjPerSeElement: (3.7 + 0.9) * NODE_SCALE_5NM, // assumed: one FP32 multiply-add per element pass (H14), scaled: 1.15
  energyPjPerReElement: 0.9 * NODE_SCALE_5NM, // H14: FP32 add 0.9 pJ, scaled: 0.225
  energyPjPerLocalMemoryByte: (20 / 8) * NODE_SCALE_5NM, // H14: 32 KB SRAM, 20 pJ per 64-bit read (local memory as 32 KB banks), scaled: 0.625
  energyPjPerSramByte: (100 / 8) * NODE_SCALE_5NM, // H14: 1 MB SRAM, 100 pJ per 64-bit read (the 256 MB SRAM as 1 MB banks), scaled: 3.125
  energyPjPerNocByte: 8 * 0.5, // assumed: 0.5 pJ/bit, about 0.1 pJ/bit/mm over ~5 mm of a ~420 mm² die (wires scale little with the node)
  energyPjPerDramByte: 8 * 4, // assumed: 4 pJ/bit for LPDDR5 device + interface, the low end of published 4–6 pJ/bit figures (not read here)
  energyPjPerPcieByte: 8 * 5, // assumed: 5 pJ/bit for a PCIe Gen5 link at both ends
  idleEnginePowerFraction: IDLE_ENGINE_FRACTION, // assumed (above)
  staticPowerWatts: 15, // assumed: leakage, clock tree, idle LPDDR5 and PCIe; about 18 % of the 85 W TDP (ISCA25), no figure published
};

/** MTIA 1 ("MTIA v1", "MTIA 100"). */
const mtiaV1: HardwareProfile = {
  name: 'mtia-v1',
  chipName: 'MTIA 1',
  capability: [1, 0],
  clockHz: 0.8e9, // ISCA25 Table 2
  peRows: 8,
  peCols: 8,
  dpeFp16MacsPerCyclePerPe: 512, // [D] 51.2 TFLOPS in 1024-based units / 64 / 0.8 GHz / 2; one 32 × 32 MAC tile
  dpeInt8MacsPerCyclePerPe: 1024, // [D] 102.4 TOPS likewise
  dpeFp32FractionOfFp16: 0.25, // assumed, as MTIA 2i
  seElementsPerCyclePerPe: 32, // [D] 3.2 TOPS INT8 / 64 / 0.8 GHz / 2 ops (≈31; rounded to the lane count)
  seLutPasses: 4, // assumed, as MTIA 2i
  seAccumulateRows: 32, // ISCA25 §3.3: 32 rows per SE accumulation in MTIA 1
  reElementsPerCyclePerPe: 32, // assumed, as MTIA 2i
  reductionLinkBytesPerCycle: 64, // assumed, as MTIA 2i
  mluBytesPerCyclePerPe: 64, // assumed, as MTIA 2i
  localMemoryBytesPerPe: 128 * KiB, // ISCA25 Table 2
  localMemoryBytesPerCyclePerPe: 500, // [D] ISCA25 Table 2: 0.4 TB/s at 0.8 GHz
  fabricBytesPerCyclePerPe: 32, // assumed: half MTIA 2i's (ISCA25: FI-to-NoC bandwidth doubled in 2i)
  dmaDescriptorCycles: 8, // assumed, as MTIA 2i
  sramBytes: 128 * MiB, // ISCA25 Table 2
  sramBytesPerCycle: 1000, // [D] ISCA25 Table 2: 0.8 TB/s at 0.8 GHz
  sramLatencyNs: 40, // assumed, as MTIA 2i
  dramBytes: 64 * GiB, // ISCA25 Table 2 (32–64 GB)
  dramBytesPerSecond: 176e9, // ISCA25 Table 2
  dramEfficiency: 0.97, // assumed, as MTIA 2i's calibration
  dramEcc: false, // no ECC derate published for MTIA 1
  dramEccEfficiency: 0.875, // assumed, as MTIA 2i
  dramLatencyNs: 120, // assumed, as MTIA 2i
  discardFreedBlocks: true, // assumed, as MTIA 2i
  pcieBytesPerSecond: 16e9, // ISCA25 Table 2: 8× PCIe Gen4
  jobLaunchNs: 5000, // [D] hypothesis: MTIA 2i cut launch time "by as much as 80%" (ISCA25 §3.3)
  jobReplaceNs: 2500, // assumed: half the launch, as in MTIA 2i's bounds
  issueCyclesPerInstruction: 16, // assumed, as MTIA 2i
  // Energy: H14's 45 nm figures scaled to TSMC 7 nm by NODE_SCALE_7NM (assumed), as MTIA 2i's.
  energyPjPerFp16Mac: (1.1 + 0.9) * NODE_SCALE_7NM, // H14, as MTIA 2i: 0.6
  energyPjPerInt8Mac: (0.2 + 0.1) * NODE_SCALE_7NM, // H14, as MTIA 2i: 0.09
  energyPjPerFp32Mac: (3.7 + 0.9) * NODE_SCALE_7NM, // H14, as MTIA 2i: 1.38
  energyPjPerSeElement: (3.7 + 0.9) * NODE_SCALE_7NM, // assumed, as MTIA 2i: 1.38
  energyPjPerReElement: 0.9 * NODE_SCALE_7NM, // H14, as MTIA 2i: 0.27
  energyPjPerLocalMemoryByte: (20 / 8) * NODE_SCALE_7NM, // H14, as MTIA 2i: 0.75
  energyPjPerSramByte: (100 / 8) * NODE_SCALE_7NM, // H14, as MTIA 2i (128 MB as 1 MB banks): 3.75
  energyPjPerNocByte: 8 * 0.5, // assumed, as MTIA 2i (a 2D mesh; BLOG23)
  energyPjPerDramByte: 8 * 5, // assumed: 5 pJ/bit for LPDDR5 at 5.5 GT/s, a little above MTIA 2i's
  energyPjPerPcieByte: 8 * 5, // assumed, as MTIA 2i (PCIe Gen4)
  idleEnginePowerFraction: IDLE_ENGINE_FRACTION, // assumed, as MTIA 2i
  staticPowerWatts: 6, // assumed: about 17 % of the 35 W TDP (ISCA25), as MTIA 2i's
};

/** Built-in profiles by name. */
export const profiles: Readonly<Record<ProfileName, HardwareProfile>> = {
  'mtia-v1': mtiaV1,
  'mtia-v2': mtiaV2,
};

/** Names of the built-in profiles. */
export type ProfileName = 'mtia-v1' | 'mtia-v2';

/** A custom profile: a built-in one (`base`, default 'mtia-v2') with some numbers replaced. */
export type CustomProfile = Partial<Omit<HardwareProfile, 'capability'>> & {
  readonly name: string;
  readonly base?: ProfileName;
};

/** What a number field may hold: positive, non-negative, a fraction in (0, 1] or in [0, 1], a whole count. */
type Range = 'positive' | 'nonNegative' | 'fraction' | 'probability' | 'count';

const ranges: Readonly<Record<string, Range>> = {
  clockHz: 'positive', peRows: 'count', peCols: 'count',
  dpeFp16MacsPerCyclePerPe: 'positive', dpeInt8MacsPerCyclePerPe: 'positive', dpeFp32FractionOfFp16: 'fraction',
  seElementsPerCyclePerPe: 'positive', seLutPasses: 'positive', seAccumulateRows: 'count',
  reElementsPerCyclePerPe: 'positive', reductionLinkBytesPerCycle: 'positive', mluBytesPerCyclePerPe: 'positive',
  localMemoryBytesPerPe: 'positive', localMemoryBytesPerCyclePerPe: 'positive', fabricBytesPerCyclePerPe: 'positive',
  dmaDescriptorCycles: 'nonNegative', sramBytes: 'nonNegative', sramBytesPerCycle: 'positive',
  sramLatencyNs: 'nonNegative', dramBytes: 'positive', dramBytesPerSecond: 'positive', dramEfficiency: 'fraction',
  dramEccEfficiency: 'fraction', dramLatencyNs: 'nonNegative',
  pcieBytesPerSecond: 'positive', jobLaunchNs: 'nonNegative', jobReplaceNs: 'nonNegative',
  issueCyclesPerInstruction: 'nonNegative',
  energyPjPerFp16Mac: 'nonNegative', energyPjPerInt8Mac: 'nonNegative', energyPjPerFp32Mac: 'nonNegative',
  energyPjPerSeElement: 'nonNegative', energyPjPerReElement: 'nonNegative', energyPjPerLocalMemoryByte: 'nonNegative',
  energyPjPerSramByte: 'nonNegative', energyPjPerNocByte: 'nonNegative', energyPjPerDramByte: 'nonNegative',
  energyPjPerPcieByte: 'nonNegative', staticPowerWatts: 'nonNegative', idleEnginePowerFraction: 'probability',
};

/** The boolean fields. */
const flags: Readonly<Record<string, true>> = { dramEcc: true, discardFreedBlocks: true };

/**
 * Fields an older version had, and what replaced them: the on-chip bandwidths became per cycle
 * (they follow clockHz; docs/timing-model.md).
 */
const renamed: Readonly<Record<string, string>> = {
  sramBytesPerSecond: 'sramBytesPerCycle (the SRAM is clocked with the PEs: 2.7 TB/s at 1.35 GHz is 2000)',
  localMemoryBytesPerSecondPerPe: 'localMemoryBytesPerCyclePerPe (local memory is clocked with the PE: 1 TB/s at 1.35 GHz is 740.7)',
};

/** Fields an older version had that nothing replaces, and why they went. */
const removed: Readonly<Record<string, string>> = {
  gatherSramHitRate: 'it was removed in issue 20: gathers (embeddingBag, gather, indexSelect, embedding) now hit where the SRAM model holds the table\'s rows',
};

const expected: Readonly<Record<Range, string>> = {
  positive: 'a positive number',
  nonNegative: 'a number ≥ 0',
  fraction: 'a number in (0, 1]',
  probability: 'a number in [0, 1]',
  count: 'a positive integer',
};

function inRange(value: unknown, range: Range): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  switch (range) {
    case 'positive': return value > 0;
    case 'nonNegative': return value >= 0;
    case 'fraction': return value > 0 && value <= 1;
    case 'probability': return value >= 0 && value <= 1;
    case 'count': return Number.isInteger(value) && value > 0;
  }
}

const dataflows: readonly SystolicDataflow[] = ['os', 'ws', 'is'];

/** Checks a custom profile's `systolic` option and returns it as a fresh, frozen object. */
function checkSystolic(value: unknown): SystolicArray {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`configure(): profile.systolic must be an object { rows, cols, dataflow }, but got: ${String(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'rows' && key !== 'cols' && key !== 'dataflow') {
      throw new TypeError(`configure(): profile.systolic has no field '${key}'; the fields are rows, cols, dataflow`);
    }
  }
  const { rows, cols, dataflow } = value as Record<string, unknown>;
  for (const [name, count] of [['rows', rows], ['cols', cols]] as const) {
    if (!inRange(count, 'count')) {
      throw new ValueError(`configure(): profile.systolic.${name} must be ${expected.count}, but got: ${String(count)}`);
    }
  }
  if (!dataflows.includes(dataflow as SystolicDataflow)) {
    throw new ValueError(
      `configure(): profile.systolic.dataflow must be one of ${dataflows.map((d) => `'${d}'`).join(', ')}, but got: ${String(dataflow)}`,
    );
  }
  return Object.freeze({ rows: rows as number, cols: cols as number, dataflow: dataflow as SystolicDataflow });
}

/** Resolves a profile option to a complete, checked profile. */
export function resolveProfile(option: ProfileName | CustomProfile): HardwareProfile {
  if (typeof option === 'string') {
    const profile = profiles[option as ProfileName];
    if (profile === undefined) {
      throw new ValueError(
        `configure(): profile must be one of ${Object.keys(profiles).map((p) => `'${p}'`).join(', ')} ` +
          `or a custom profile object, but got: '${option}'`,
      );
    }
    return profile;
  }
  if (typeof option !== 'object' || option === null || typeof option.name !== 'string') {
    throw new TypeError(`configure(): profile must be a profile name or an object with a name, but got: ${String(option)}`);
  }
  const { base = 'mtia-v2', ...overrides } = option;
  for (const key of Object.keys(overrides)) {
    if (key in renamed) {
      throw new TypeError(`configure(): profile.${key} is no longer a field; use ${renamed[key]}`);
    }
    if (key in removed) {
      throw new TypeError(`configure(): profile.${key} is no longer a field; ${removed[key]}`);
    }
    if (key !== 'name' && key !== 'chipName' && !(key in flags) && key !== 'systolic' && !(key in ranges)) {
      throw new TypeError(`configure(): profile has no field '${key}'; the fields are name, base, chipName, ${Object.keys(flags).join(', ')}, systolic, ${Object.keys(ranges).join(', ')}`);
    }
  }
  const merged = { ...resolveProfile(base), ...overrides } as HardwareProfile;
  if ('systolic' in overrides && overrides.systolic !== undefined) {
    (merged as { systolic?: SystolicArray }).systolic = checkSystolic(overrides.systolic);
  }
  for (const [key, range] of Object.entries(ranges)) {
    const value = (merged as unknown as Record<string, unknown>)[key];
    if (!inRange(value, range)) {
      throw new ValueError(`configure(): profile.${key} must be ${expected[range]}, but got: ${String(value)}`);
    }
  }
  for (const key of Object.keys(flags)) {
    const value = (merged as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'boolean') throw new TypeError(`configure(): profile.${key} must be a boolean, but got: ${String(value)}`);
  }
  if (typeof merged.chipName !== 'string') {
    throw new TypeError(`configure(): profile.chipName must be a string, but got: ${String(merged.chipName)}`);
  }
  return merged;
}
