// Hardware profiles: the published numbers of each MTIA generation that the simulator uses.
// Sources are keyed as in shared/reference/mtia-hardware.md: ISCA25 = Coburn et al., "Meta's
// Second Generation AI Chip", ISCA'25, Table 2 and §3; [D] = derived there from primary numbers.
// Numbers that are not published are marked as calibrated defaults.

import { ValueError } from '../errors.js';

/** The numbers that describe one simulated chip. Units are in the names. */
export interface HardwareProfile {
  /** Profile key, e.g. 'mtia-v2'. */
  readonly name: string;
  /** Marketing name of the chip, e.g. 'MTIA 2i'. */
  readonly chipName: string;
  /** [major, minor] reported by getDeviceCapability. */
  readonly capability: readonly [number, number];
  readonly clockHz: number;
  readonly peRows: number;
  readonly peCols: number;
  /** Dot-product engine FP16/BF16 MACs per cycle per PE. */
  readonly dpeFp16MacsPerCyclePerPe: number;
  /** Dot-product engine INT8 MACs per cycle per PE. */
  readonly dpeInt8MacsPerCyclePerPe: number;
  /** SIMD engine elements per cycle per PE. */
  readonly seElementsPerCyclePerPe: number;
  readonly localMemoryBytesPerPe: number;
  readonly sramBytes: number;
  readonly sramBytesPerSecond: number;
  /** LPDDR5 capacity of the real part (the simulated capacity is configure({ memoryBytes })). */
  readonly dramBytes: number;
  readonly dramBytesPerSecond: number;
  /** Fraction of DRAM bandwidth kept after ECC (0..1]. */
  readonly dramEfficiency: number;
  /** Host link bandwidth, one direction. */
  readonly pcieBytesPerSecond: number;
  /** Control-core cost to launch one job (command). */
  readonly jobLaunchNs: number;
}

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
  dpeFp16MacsPerCyclePerPe: 1024, // [D] 177 TFLOPS / 64 PEs / 1.35 GHz / 2
  dpeInt8MacsPerCyclePerPe: 2048, // [D] 354 TOPS / 64 / 1.35 GHz / 2
  seElementsPerCyclePerPe: 32, // [D] 5.5 TOPS / 64 / 1.35 GHz / 2 ops; ISCA26: width 32
  localMemoryBytesPerPe: 384 * KiB, // ISCA25 Table 2
  sramBytes: 256 * MiB, // ISCA25 Table 2
  sramBytesPerSecond: 2.7e12, // ISCA25 Table 2 (R+W)
  dramBytes: 128 * GiB, // ISCA25 Table 2 (64–128 GB); BLOG24/HC24: 128 GB
  dramBytesPerSecond: 204.8e9, // ISCA25 Table 2: 16 ch × 16 bit × 6.4 GT/s
  dramEfficiency: 0.875, // ISCA25 §5.1: ECC costs 10–15 % of throughput; midpoint
  pcieBytesPerSecond: 32e9, // ISCA25 Table 2: 8× PCIe Gen5
  jobLaunchNs: 1000, // ISCA25 §3.3: "<1 µs to launch a job"; the bound, until calibrated
};

/** MTIA 1 ("MTIA v1", "MTIA 100"). */
const mtiaV1: HardwareProfile = {
  name: 'mtia-v1',
  chipName: 'MTIA 1',
  capability: [1, 0],
  clockHz: 0.8e9, // ISCA25 Table 2
  peRows: 8,
  peCols: 8,
  dpeFp16MacsPerCyclePerPe: 512, // [D] 51.2 TFLOPS in 1024-based units / 64 / 0.8 GHz / 2
  dpeInt8MacsPerCyclePerPe: 1024, // [D] 102.4 TOPS likewise
  seElementsPerCyclePerPe: 32, // [D] 3.2 TOPS INT8 / 64 / 0.8 GHz / 2 ops (≈31; rounded to the lane count)
  localMemoryBytesPerPe: 128 * KiB, // ISCA25 Table 2
  sramBytes: 128 * MiB, // ISCA25 Table 2
  sramBytesPerSecond: 0.8e12, // ISCA25 Table 2
  dramBytes: 64 * GiB, // ISCA25 Table 2 (32–64 GB)
  dramBytesPerSecond: 176e9, // ISCA25 Table 2
  dramEfficiency: 1, // no ECC derate published for MTIA 1
  pcieBytesPerSecond: 16e9, // ISCA25 Table 2: 8× PCIe Gen4
  jobLaunchNs: 5000, // [D] hypothesis: MTIA 2i cut launch time "by as much as 80%" (ISCA25 §3.3)
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
  const merged = { ...resolveProfile(base), ...overrides } as HardwareProfile;
  for (const [key, value] of Object.entries(merged)) {
    if (key === 'name' || key === 'chipName' || key === 'capability') continue;
    const positive = typeof value === 'number' && Number.isFinite(value) && value > 0;
    if (!positive || (key === 'dramEfficiency' && value > 1)) {
      throw new ValueError(
        `configure(): profile.${key} must be a ${key === 'dramEfficiency' ? 'number in (0, 1]' : 'positive number'}, but got: ${String(value)}`,
      );
    }
  }
  return merged;
}
