// mtia.scalesim: SCALE-Sim v2's inputs in, its reports out (docs/teaching.md, "SCALE-Sim").
// parse (config.ts, topology.ts) → simulate each layer (layer.ts) → write the reports
// (reports.ts). No files here: the CLI (src/cli/scalesim.ts) reads and writes them, so this
// module runs in a browser too.

import { ValueError } from '../errors.js';
import { profiles, type HardwareProfile, type ProfileName } from '../profiles.js';
import { parseScaleSimConfig, type ScaleSimConfig } from './config.js';
import { energyEstimationYaml, energyReport, energyTable, layerEnergy, type ScaleSimEnergyTable, type ScaleSimLayerEnergy } from './energy.js';
import { simulateLayer, type ScaleSimLayerResult } from './layer.js';
import { SCALESIM_REPORTS, writeReport } from './reports.js';
import { gemmLayer, parseScaleSimTopology, type ScaleSimGemm, type ScaleSimLayer, type ScaleSimTopology } from './topology.js';

export { ScaleSimInputError } from './errors.js';
export { parseScaleSimConfig as parseConfig, type ScaleSimConfig, type ScaleSimDataflow } from './config.js';
export { parseScaleSimTopology as parseTopology, type ScaleSimGemm, type ScaleSimLayer, type ScaleSimTopology } from './topology.js';
export type { ScaleSimLayerResult, ScaleSimSramAccess } from './layer.js';
export { sramPjPerByte, type ScaleSimEnergyTable, type ScaleSimLayerEnergy } from './energy.js';
export type { ScaleSimDramAccess } from './memory.js';
export { SCALESIM_REPORTS as reports, pythonFloat, type ScaleSimColumn, type ScaleSimReport } from './reports.js';

/** What `run` takes beside the config and topology. */
export interface ScaleSimRunOptions {
  /** How to read a topology given as text: 'conv' (default) or 'gemm' (SCALE-Sim's `-i gemm`). */
  readonly inputType?: 'conv' | 'gemm';
  /** File names for errors (the CLI passes the paths). */
  readonly configFile?: string;
  readonly topologyFile?: string;
  /** The profile whose per-access energies and clock price the energy report (default 'mtia-v2'; src/scalesim/energy.ts). */
  readonly energyProfile?: ProfileName | HardwareProfile;
}

/** A run's result: its config, its layers' rows and the report files' text by name. */
export interface ScaleSimRun {
  readonly config: ScaleSimConfig;
  readonly topology: ScaleSimTopology;
  readonly layers: readonly ScaleSimLayerResult[];
  /** Each layer's energy by Accelergy component, with its average power (ENERGY_REPORT.csv's rows). */
  readonly energy: readonly ScaleSimLayerEnergy[];
  /** The pJ per action the energy rows are priced at. */
  readonly energyTable: ScaleSimEnergyTable;
  /** What the inputs say that SCALE-Sim reads otherwise (a topology row without its trailing comma), `file:line:column: text`. */
  readonly warnings: readonly string[];
  /** 'COMPUTE_REPORT.csv' etc. → CSV text in SCALE-Sim's layout; 'ENERGY_REPORT.csv' and Accelergy's 'energy_estimation.yaml' beside them. */
  readonly reports: Readonly<Record<string, string>>;
}

/** The topology from text or objects (conv layers, or GEMM rows { name, m, n, k }). */
function topologyOf(topology: string | ScaleSimTopology | readonly (ScaleSimLayer | ScaleSimGemm)[], options: ScaleSimRunOptions): ScaleSimTopology {
  if (typeof topology === 'string') return parseScaleSimTopology(topology, options.inputType ?? 'conv', options.topologyFile);
  const layers = Array.isArray(topology) ? topology : (topology as ScaleSimTopology).layers;
  return {
    name: Array.isArray(topology) ? 'topology' : (topology as ScaleSimTopology).name,
    layers: layers.map((layer: ScaleSimLayer | ScaleSimGemm) => ('m' in layer ? gemmLayer(layer) : layer)),
  };
}

/**
 * Runs a SCALE-Sim topology on a SCALE-Sim config, as SCALE-Sim v2 would (CALC or USER
 * bandwidth mode): returns each layer's report columns and the report CSVs. Config and topology
 * are text (a .cfg, a .csv) or parsed objects.
 */
export function run(
  config: string | ScaleSimConfig,
  topology: string | ScaleSimTopology | readonly (ScaleSimLayer | ScaleSimGemm)[],
  options: ScaleSimRunOptions = {},
): ScaleSimRun {
  const parsed = typeof config === 'string' ? parseScaleSimConfig(config, options.configFile) : config;
  const topo = topologyOf(topology, options);
  // A layer's results depend on its shape only (not its name), so a shape met earlier in the run
  // (ResNet-18's 3 × 3 blocks repeat up to four times) takes that layer's results, not a second simulation.
  const byShape = new Map<string, ScaleSimLayerResult>();
  const layers = topo.layers.map((layer, id) => {
    const shape = [layer.ifmapHeight, layer.ifmapWidth, layer.filterHeight, layer.filterWidth, layer.channels, layer.numFilters, layer.strideHeight, layer.strideWidth].join(',');
    const same = byShape.get(shape);
    if (same !== undefined) return { ...same, layerId: id, name: layer.name };
    const result = simulateLayer(id, layer, parsed.arrayHeight, parsed.arrayWidth, parsed.dataflow, parsed);
    byShape.set(shape, result);
    return result;
  });
  const profile = typeof options.energyProfile === 'string' ? profiles[options.energyProfile] : options.energyProfile;
  if (options.energyProfile !== undefined && profile === undefined) {
    throw new ValueError(`energyProfile: expected one of ${Object.keys(profiles).join(', ')} or a profile object, got '${String(options.energyProfile)}'`);
  }
  const table = energyTable(parsed, profile);
  const units = parsed.arrayHeight * parsed.arrayWidth;
  const energy = layers.map((layer) => layerEnergy(layer, units, table));
  const reports = {
    ...Object.fromEntries(SCALESIM_REPORTS.map((report) => [report.fileName, writeReport(report, layers)])),
    'ENERGY_REPORT.csv': energyReport(energy),
    'energy_estimation.yaml': energyEstimationYaml(energy, units),
  };
  return { config: parsed, topology: topo, layers, warnings: topo.warnings ?? [], energy, energyTable: table, reports };
}
