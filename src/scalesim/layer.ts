// One SCALE-Sim layer on an R × C array, as SCALE-Sim v2 simulates it
// (scale-sim-v2 @ 22f88b1: topology_utils.py for the conv → GEMM mapping, compute/
// systolic_compute_{os,ws,is}.py for the folds, their demand matrices and SRAM counts,
// single_layer_sim.py for the report's arithmetic), computed fold by fold in closed form instead
// of building the demand matrices: the same numbers, in microseconds instead of seconds.
//
// Conv → GEMM: OH = ⌈(H − R + S) / S⌉ (SCALE-Sim rounds the output size up; PyTorch's
// ⌊(H + 2P − R) / S⌋ + 1 with P = 0 rounds down, so a layer whose stride does not divide
// H − R gets one more output row here than on hardware), window = R·S·C, MACs = OH·OW·N·window.
//
//   dataflow   S_r (rows)   S_c (columns)   T (streamed)
//   os         OH·OW        N filters       window
//   ws         window       N filters       OH·OW
//   is         window       OH·OW           N filters
//
// Folds run column-fold outer, row-fold inner; fold (fc, fr) maps r_u = min(R, S_r − fr·R) rows
// and c_u = min(C, S_c − fc·C) columns. Each fold is `foldCycles` rows of the demand matrices:
// T + R + C − 2 (os), 2R + C + T − 2 (ws, is). Reported cycles = folds · foldCycles − 1 (the
// 0-based cycle of the last OFMAP write: docs/teaching.md, "The −1") plus the memory's stall
// cycles (memory.ts: none in CALC mode unless the OFMAP buffer fills); assembly/timing/systolic.ts
// times the device's GEMMs by the same formula, and test/api/scalesim.test.ts pins the two together.
//
// SRAM accesses per fold, as the compute modules count them (the stationary operand once per
// fold, the streamed ones T per mapped row or column):
//   os: IFMAP T·r_u, filter T·c_u, OFMAP r_u·c_u + R + C   (quirk: SCALE-Sim adds R + C writes per fold)
//   ws: IFMAP T·r_u, filter r_u·c_u, OFMAP T·c_u
//   is: IFMAP r_u·c_u, filter T·r_u, OFMAP T·c_u
// The SRAM start and stop cycles are the serviced cycles of the first and last demand-matrix
// rows holding a request (+1 for reads: the read buffers' hit latency; later by any stall), and
// the DRAM columns, from memory.ts's replay of the demand rows through the double-buffered SRAMs.

import type { ScaleSimDataflow } from './config.js';
import { simulateMemory, type ScaleSimDramAccess, type ScaleSimMemoryConfig } from './memory.js';
import type { ScaleSimLayer } from './topology.js';

/** SCALE-Sim's shipped configs/scale.cfg: 64 KiB SRAMs, CALC mode (used when no memory config is given). */
const DEFAULT_MEMORY: ScaleSimMemoryConfig = { ifmapSramSzkB: 64, filterSramSzkB: 64, ofmapSramSzkB: 64, interfaceBandwidth: 'CALC', bandwidth: [] };

/** A start cycle, stop cycle and access count of one SRAM (DETAILED_ACCESS_REPORT.csv's columns). */
export interface ScaleSimSramAccess {
  readonly startCycle: number;
  readonly stopCycle: number;
  readonly accesses: number;
}

/** One layer's results: the columns of SCALE-Sim's reports. */
export interface ScaleSimLayerResult {
  /** The layer's index in the report (SCALE-Sim's LayerID). */
  readonly layerId: number;
  readonly name: string;
  /** OH, OW: the output size by SCALE-Sim's rounding-up rule. */
  readonly ofmapHeight: number;
  readonly ofmapWidth: number;
  /** Spatial rows, spatial columns and temporal depth of the mapping. */
  readonly sr: number;
  readonly sc: number;
  readonly t: number;
  /** Folds the layer runs in: ⌈S_r / R⌉ · ⌈S_c / C⌉. */
  readonly folds: number;
  /** MACs: OH·OW·N·R·S·C. */
  readonly macs: number;
  /** Total Cycles (SCALE-Sim's, with its −1). */
  readonly totalCycles: number;
  /** Stall Cycles: cycles the array waited on the memory (src/scalesim/memory.ts; 0 in CALC mode unless the OFMAP buffer fills). */
  readonly stallCycles: number;
  readonly overallUtilPercent: number;
  readonly mappingEfficiencyPercent: number;
  readonly computeUtilPercent: number;
  /** SRAM reads of IFMAP and filter, writes of OFMAP, with their first and last cycles. */
  readonly ifmapSram: ScaleSimSramAccess;
  readonly filterSram: ScaleSimSramAccess;
  readonly ofmapSram: ScaleSimSramAccess;
  /** Average SRAM words per cycle: accesses / Total Cycles. */
  readonly avgIfmapSramBw: number;
  readonly avgFilterSramBw: number;
  readonly avgOfmapSramBw: number;
  /** DRAM traffic of the double-buffered SRAMs (src/scalesim/memory.ts): first and last cycle, words. */
  readonly ifmapDram: ScaleSimDramAccess;
  readonly filterDram: ScaleSimDramAccess;
  readonly ofmapDram: ScaleSimDramAccess;
  /** Average DRAM words per cycle: words / (stop − start + 1), as single_layer_sim.py divides. */
  readonly avgIfmapDramBw: number;
  readonly avgFilterDramBw: number;
  readonly avgOfmapDramBw: number;
}

/** Words per cycle over an operand's DRAM span (single_layer_sim.py's avg_*_dram_bw). */
function dramBandwidth(access: ScaleSimDramAccess): number {
  return access.accesses / (access.stopCycle - access.startCycle + 1);
}

/** S_r, S_c, T of a layer in a dataflow, and its output size (topology_utils.py). */
export function layerMapping(layer: ScaleSimLayer, dataflow: ScaleSimDataflow): { ofmapHeight: number; ofmapWidth: number; sr: number; sc: number; t: number; macs: number } {
  const ofmapHeight = Math.ceil((layer.ifmapHeight - layer.filterHeight + layer.strideHeight) / layer.strideHeight);
  const ofmapWidth = Math.ceil((layer.ifmapWidth - layer.filterWidth + layer.strideWidth) / layer.strideWidth);
  const pixels = ofmapHeight * ofmapWidth;
  const window = layer.filterHeight * layer.filterWidth * layer.channels;
  const filters = layer.numFilters;
  const macs = pixels * filters * window;
  if (dataflow === 'os') return { ofmapHeight, ofmapWidth, sr: pixels, sc: filters, t: window, macs };
  if (dataflow === 'ws') return { ofmapHeight, ofmapWidth, sr: window, sc: filters, t: pixels, macs };
  return { ofmapHeight, ofmapWidth, sr: window, sc: pixels, t: filters, macs };
}

/**
 * Simulates one layer on an R × C array (see the file comment); `memory` gives the SRAM sizes and
 * the bandwidth mode for the DRAM columns and stalls (SCALE-Sim's default 64 KiB CALC when absent).
 */
export function simulateLayer(
  layerId: number, layer: ScaleSimLayer, rows: number, cols: number, dataflow: ScaleSimDataflow,
  memory: ScaleSimMemoryConfig = DEFAULT_MEMORY,
): ScaleSimLayerResult {
  const { ofmapHeight, ofmapWidth, sr, sc, t, macs } = layerMapping(layer, dataflow);
  const rowFolds = Math.ceil(sr / rows);
  const colFolds = Math.ceil(sc / cols);
  const folds = rowFolds * colFolds;
  const foldCycles = dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
  // Compute Util's per-fold cycles come from the metric's demand matrix: for ws/is it is not
  // skewed, so `rows + cols − 1` of it counts C − 1 cycles more than the fold takes.
  const utilCycles = dataflow === 'os' ? foldCycles : 2 * rows + 2 * cols + t - 3;
  const units = rows * cols;
  let mappingSum = 0;
  let utilSum = 0;
  let ifmapReads = 0, filterReads = 0, ofmapWrites = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    const cu = Math.min(cols, sc - fc * cols);
    for (let fr = 0; fr < rowFolds; fr++) {
      const ru = Math.min(rows, sr - fr * rows);
      const used = ru * cu;
      // Summed in SCALE-Sim's order, so the float means are bit for bit its own.
      mappingSum += used / units;
      utilSum += (used * t) / (units * utilCycles);
      if (dataflow === 'os') {
        ifmapReads += t * ru; filterReads += t * cu; ofmapWrites += used + rows + cols;
      } else if (dataflow === 'ws') {
        ifmapReads += t * ru; filterReads += used; ofmapWrites += t * cu;
      } else {
        ifmapReads += used; filterReads += t * ru; ofmapWrites += t * cu;
      }
    }
  }
  const dram = simulateMemory(layer, dataflow, rows, cols, memory);
  // folds · foldCycles − 1 when nothing stalls; the memory model adds its stalls.
  const totalCycles = dram.totalCycles;
  const sram = (span: { startCycle: number; stopCycle: number }, accesses: number): ScaleSimSramAccess => ({ ...span, accesses });
  return {
    layerId, name: layer.name, ofmapHeight, ofmapWidth, sr, sc, t, folds, macs,
    totalCycles,
    stallCycles: dram.stallCycles,
    overallUtilPercent: (macs * 100) / (totalCycles * units),
    mappingEfficiencyPercent: (mappingSum / folds) * 100,
    computeUtilPercent: (utilSum / folds) * 100,
    ifmapSram: sram(dram.ifmapSram, ifmapReads),
    filterSram: sram(dram.filterSram, filterReads),
    ofmapSram: sram(dram.ofmapSram, ofmapWrites),
    avgIfmapSramBw: ifmapReads / totalCycles,
    avgFilterSramBw: filterReads / totalCycles,
    avgOfmapSramBw: ofmapWrites / totalCycles,
    ifmapDram: dram.ifmapDram,
    filterDram: dram.filterDram,
    ofmapDram: dram.ofmapDram,
    avgIfmapDramBw: dramBandwidth(dram.ifmapDram),
    avgFilterDramBw: dramBandwidth(dram.filterDram),
    avgOfmapDramBw: dramBandwidth(dram.ofmapDram),
  };
}
