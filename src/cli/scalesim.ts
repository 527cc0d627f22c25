// `mtia-sim scalesim -c CONFIG -t TOPOLOGY.csv [-i gemm] [-p OUTDIR]`: SCALE-Sim v2's command
// line (scalesim/scale.py's flags), its files read and its reports written to
// OUTDIR/<run_name>/ as SCALE-Sim writes them; the work is mtia.scalesim.run (src/scalesim/).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type ScaleSimLayerEnergy, type ScaleSimLayerResult } from '../scalesim/index.js';

/** What the command did: the run's name, where the reports went, the layers' rows, its wall time. */
export interface ScaleSimCommandResult {
  readonly runName: string;
  readonly dataflow: string;
  /** InterfaceBandwidth: CALC or USER. */
  readonly mode: string;
  readonly array: string;
  readonly folder: string;
  readonly files: readonly string[];
  readonly layers: readonly ScaleSimLayerResult[];
  /** Each layer's energy (ENERGY_REPORT.csv's rows). */
  readonly energy: readonly ScaleSimLayerEnergy[];
  readonly unsupported: readonly string[];
  /** Rows SCALE-Sim reads otherwise than they look (no trailing comma), `file:line:column: text`. */
  readonly warnings: readonly string[];
  readonly milliseconds: number;
}

/** Reads `file`, naming it when it cannot be read. */
function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the ${what} '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Runs a SCALE-Sim config and topology and writes the reports under `path`/<run_name>/. */
export function runScaleSim(configFile: string, topologyFile: string, inputType: 'conv' | 'gemm', path: string): ScaleSimCommandResult {
  const start = performance.now();
  const result = run(read(configFile, 'config'), read(topologyFile, 'topology'), { inputType, configFile, topologyFile });
  const folder = join(path, result.config.runName);
  mkdirSync(folder, { recursive: true });
  const files = Object.entries(result.reports).map(([name, text]) => {
    writeFileSync(join(folder, name), text);
    return join(folder, name);
  });
  return {
    runName: result.config.runName,
    dataflow: result.config.dataflow,
    mode: result.config.interfaceBandwidth,
    array: `${result.config.arrayHeight}x${result.config.arrayWidth}`,
    folder,
    files,
    layers: result.layers,
    energy: result.energy,
    unsupported: result.config.unsupported,
    warnings: result.warnings,
    milliseconds: performance.now() - start,
  };
}

/** The console summary, per layer as SCALE-Sim prints it. */
export function formatScaleSim(result: ScaleSimCommandResult): string {
  const lines = [`${result.runName}: ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'} on a ${result.array} array, dataflow ${result.dataflow}, ${result.mode} mode`];
  for (const layer of result.layers) {
    lines.push(`  ${layer.layerId} ${layer.name}: compute cycles ${layer.totalCycles}${layer.stallCycles > 0 ? ` (${layer.stallCycles} stalled on DRAM)` : ''}, overall utilization ${layer.overallUtilPercent.toFixed(2)}%, mapping efficiency ${layer.mappingEfficiencyPercent.toFixed(2)}%`);
  }
  const total = result.layers.reduce((sum, layer) => sum + layer.totalCycles, 0);
  lines.push(`Total cycles: ${total}`);
  const picojoules = result.energy.reduce((sum, layer) => sum + layer.totalPj, 0);
  lines.push(`Energy of the array (MTIA 2i per-access energies, no DRAM): ${(picojoules * 1e-6).toFixed(3)} µJ (ENERGY_REPORT.csv, energy_estimation.yaml)`);
  if (result.unsupported.length > 0) lines.push(`Not applied (not modelled): ${result.unsupported.join(', ')}`);
  for (const warning of result.warnings) lines.push(`Warning: ${warning}`);
  lines.push(`Wrote ${result.files.join(', ')} in ${result.milliseconds.toFixed(1)} ms`);
  return lines.join('\n');
}
