// The systolic array's energy per layer, in the style of SCALE-Sim v3 + Accelergy
// (scale-sim-v2/rundir-accelergy: create_action_count.py turns SCALE-Sim's reports into action
// counts, Accelergy prices them into energy_estimation.yaml, one entry per component, pJ).
// We count the same components from the layer's own results and price them from a hardware
// profile's per-access energies (src/profiles.ts, the node-scaled Horowitz figures) instead of
// Accelergy's CACTI/Aladdin plug-ins:
//
//   component      action count (per layer)                       pJ per action
//   mac            MACs (OH·OW·N·R·S·C)                           energyPjPerInt8Mac: SCALE-Sim's words are
//                                                                   bytes (its Accelergy architecture: intmac, datawidth 8)
//   mac (idle)     R·C·Total Cycles − MACs: MAC-cycles of PEs      idleEnginePowerFraction × the MAC's pJ (Accelergy's
//                  mapped to nothing or waiting in a fold          example counts every PE every cycle, un-gated)
//   ifmap_spad     MACs reads + IFMAP SRAM reads writes            the MAC's pJ: a register-file access costs about a MAC
//   weights_spad   MACs reads + filter SRAM reads writes             (Eyeriss's normalised energies: RF 1×, buffer 6×,
//   psum_spad      2 · MACs (a read and a write per accumulation)    DRAM 200× of a MAC; Chen et al., ISCA'16)
//   ifmap_glb      IFMAP SRAM reads                               SRAM pJ per byte at the buffer's size: log-log between the
//   weights_glb    filter SRAM reads                                profile's 32 KB (energyPjPerLocalMemoryByte) and 1 MB
//   psum_glb       OFMAP SRAM writes                                (energyPjPerSramByte) Horowitz points, clamped outside
//   ifmap_dram     DRAM IFMAP reads (DETAILED_ACCESS_REPORT.csv)   energyPjPerDramByte (the profile's LPDDR5 figure)
//   weights_dram   DRAM filter reads
//   psum_dram      DRAM OFMAP writes
//
// The array's leakage is left out (no static power: the array is not the chip).
// Average power = total pJ / (Total Cycles / the profile's clock).

import { profiles, type HardwareProfile } from '../profiles.js';
import type { ScaleSimConfig } from './config.js';
import type { ScaleSimLayerResult } from './layer.js';
import { pythonFloat } from './reports.js';

/** The pJ per action the energy report prices the array's components at. */
export interface ScaleSimEnergyTable {
  /** The profile the figures come from. */
  readonly profile: string;
  readonly clockHz: number;
  readonly macPj: number;
  readonly idleMacPj: number;
  /** A PE register (scratchpad) access. */
  readonly spadPj: number;
  /** One word (byte) read or written in each SRAM. */
  readonly ifmapGlbPj: number;
  readonly weightsGlbPj: number;
  readonly psumGlbPj: number;
  /** One word (byte) read from or written to DRAM. */
  readonly dramPj: number;
}

/** One layer's energy, pJ by Accelergy component, with its average power. */
export interface ScaleSimLayerEnergy {
  readonly layerId: number;
  readonly name: string;
  readonly macPj: number;
  readonly idleMacPj: number;
  readonly ifmapSpadPj: number;
  readonly weightsSpadPj: number;
  readonly psumSpadPj: number;
  readonly ifmapGlbPj: number;
  readonly weightsGlbPj: number;
  readonly psumGlbPj: number;
  readonly ifmapDramPj: number;
  readonly weightsDramPj: number;
  readonly psumDramPj: number;
  readonly totalPj: number;
  /** totalPj over the layer's Total Cycles at the profile's clock, in watts. */
  readonly averageWatts: number;
}

/** SRAM pJ per byte of a buffer of `kB` kilobytes: log-log between the profile's 32 KB and 1 MB figures. */
export function sramPjPerByte(profile: HardwareProfile, kB: number): number {
  const [small, large] = [Math.log(32), Math.log(1024)];
  const x = Math.min(Math.max(Math.log(Math.max(kB, 1e-9)), small), large);
  const t = (x - small) / (large - small);
  return Math.exp(Math.log(profile.energyPjPerLocalMemoryByte) * (1 - t) + Math.log(profile.energyPjPerSramByte) * t);
}

/** The per-action energies for `config`'s SRAM sizes from `profile` (see the file comment). */
export function energyTable(config: ScaleSimConfig, profile: HardwareProfile = profiles['mtia-v2']): ScaleSimEnergyTable {
  return {
    profile: profile.name,
    clockHz: profile.clockHz,
    macPj: profile.energyPjPerInt8Mac,
    idleMacPj: profile.energyPjPerInt8Mac * profile.idleEnginePowerFraction,
    spadPj: profile.energyPjPerInt8Mac,
    ifmapGlbPj: sramPjPerByte(profile, config.ifmapSramSzkB),
    weightsGlbPj: sramPjPerByte(profile, config.filterSramSzkB),
    psumGlbPj: sramPjPerByte(profile, config.ofmapSramSzkB),
    dramPj: profile.energyPjPerDramByte,
  };
}

/** One layer's energy on an `units`-MAC array priced by `table`. */
export function layerEnergy(layer: ScaleSimLayerResult, units: number, table: ScaleSimEnergyTable): ScaleSimLayerEnergy {
  const macs = layer.macs;
  const parts = {
    macPj: macs * table.macPj,
    idleMacPj: Math.max(0, units * layer.totalCycles - macs) * table.idleMacPj,
    ifmapSpadPj: (macs + layer.ifmapSram.accesses) * table.spadPj,
    weightsSpadPj: (macs + layer.filterSram.accesses) * table.spadPj,
    psumSpadPj: 2 * macs * table.spadPj,
    ifmapGlbPj: layer.ifmapSram.accesses * table.ifmapGlbPj,
    weightsGlbPj: layer.filterSram.accesses * table.weightsGlbPj,
    psumGlbPj: layer.ofmapSram.accesses * table.psumGlbPj,
    ifmapDramPj: layer.ifmapDram.accesses * table.dramPj,
    weightsDramPj: layer.filterDram.accesses * table.dramPj,
    psumDramPj: layer.ofmapDram.accesses * table.dramPj,
  };
  const totalPj = Object.values(parts).reduce((a, b) => a + b, 0);
  const seconds = layer.totalCycles / table.clockHz;
  return { layerId: layer.layerId, name: layer.name, ...parts, totalPj, averageWatts: seconds > 0 ? (totalPj * 1e-12) / seconds : 0 };
}

/** ENERGY_REPORT.csv's columns after LayerID: Accelergy's component names, in pJ. */
const COLUMNS: readonly [string, (e: ScaleSimLayerEnergy) => number][] = [
  ['mac (pJ)', (e) => e.macPj],
  ['mac idle (pJ)', (e) => e.idleMacPj],
  ['ifmap_spad (pJ)', (e) => e.ifmapSpadPj],
  ['weights_spad (pJ)', (e) => e.weightsSpadPj],
  ['psum_spad (pJ)', (e) => e.psumSpadPj],
  ['ifmap_glb (pJ)', (e) => e.ifmapGlbPj],
  ['weights_glb (pJ)', (e) => e.weightsGlbPj],
  ['psum_glb (pJ)', (e) => e.psumGlbPj],
  ['ifmap_dram (pJ)', (e) => e.ifmapDramPj],
  ['weights_dram (pJ)', (e) => e.weightsDramPj],
  ['psum_dram (pJ)', (e) => e.psumDramPj],
  ['Total Energy (pJ)', (e) => e.totalPj],
  ['Avg Power (W)', (e) => e.averageWatts],
];

/** ENERGY_REPORT.csv: one row per layer in SCALE-Sim's report layout ("LayerID, a, b,\n"). */
export function energyReport(rows: readonly ScaleSimLayerEnergy[]): string {
  let text = `LayerID, ${COLUMNS.map(([header]) => header).join(', ')},\n`;
  for (const row of rows) text += `${row.layerId}, ${COLUMNS.map(([, value]) => pythonFloat(value(row))).join(', ')},\n`;
  return text;
}

/**
 * energy_estimation.yaml as Accelergy writes it (energy_estimation: components: name, energy in
 * pJ; version 0.3), summed over the layers, with the array's PEs as one entry
 * (`systolic_array.PE[0..N].mac`) where Accelergy lists each.
 */
export function energyEstimationYaml(rows: readonly ScaleSimLayerEnergy[], units: number): string {
  const sum = (f: (e: ScaleSimLayerEnergy) => number) => rows.reduce((s, e) => s + f(e), 0);
  const pe = `systolic_array.PE[0..${units - 1}]`;
  const components: [string, number][] = [
    ['DRAM.ifmap', sum((e) => e.ifmapDramPj)],
    ['DRAM.weights', sum((e) => e.weightsDramPj)],
    ['DRAM.psum', sum((e) => e.psumDramPj)],
    ['systolic_array.ifmap_glb', sum((e) => e.ifmapGlbPj)],
    ['systolic_array.weights_glb', sum((e) => e.weightsGlbPj)],
    ['systolic_array.psum_glb', sum((e) => e.psumGlbPj)],
    [`${pe}.ifmap_spad`, sum((e) => e.ifmapSpadPj)],
    [`${pe}.weights_spad`, sum((e) => e.weightsSpadPj)],
    [`${pe}.psum_spad`, sum((e) => e.psumSpadPj)],
    [`${pe}.mac`, sum((e) => e.macPj + e.idleMacPj)],
  ];
  return ['energy_estimation:', '  components:', ...components.flatMap(([name, pj]) => [`  - energy: ${pythonFloat(pj)}`, `    name: ${name}`]), '  version: 0.3', ''].join('\n');
}
