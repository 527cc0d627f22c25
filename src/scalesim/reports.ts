// SCALE-Sim v2's report CSVs (simulator.py, generate_reports @ 22f88b1): their headers, their
// layout ("LayerID, a, b, c,\n": values joined by ", ", a trailing comma) and Python's str() of
// each value ("100.0" for a float that is whole, shortest round-trip digits otherwise).
//
// Each report is one entry of SCALESIM_REPORTS: a file name and its columns, each a header and a
// value per layer. A report of another kind (an energy report, say) is one more entry; nothing
// else changes. The DRAM columns come from the model of SCALE-Sim's double-buffered SRAMs (memory.ts).

import type { ScaleSimLayerResult } from './layer.js';

/** A value as SCALE-Sim writes it: an int, or a float as Python's str() prints it. */
export type ScaleSimValue = { readonly int: number } | { readonly float: number };

/** One column of a report: its header as SCALE-Sim writes it and its value for a layer. */
export interface ScaleSimColumn {
  readonly header: string;
  readonly value: (layer: ScaleSimLayerResult) => ScaleSimValue;
}

/** One report file: its name and its columns after LayerID. */
export interface ScaleSimReport {
  readonly fileName: string;
  readonly columns: readonly ScaleSimColumn[];
}

/** Python's str() of a float: repr's shortest digits, '.0' on whole numbers, 'e-05' exponents. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  // Python switches to exponent notation when the decimal exponent is < −4 or ≥ 16.
  const [digits, exp] = value.toExponential().split('e') as [string, string];
  const decimalExponent = Number(exp);
  if (decimalExponent < -4 || decimalExponent >= 16 || (exponent < -4 && decimalExponent < -4)) {
    const sign = decimalExponent < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(decimalExponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}

/** A value as SCALE-Sim's report writes it. */
export function formatValue(value: ScaleSimValue): string {
  return 'int' in value ? String(value.int) : pythonFloat(value.float);
}

const int = (value: number): ScaleSimValue => ({ int: value });
const float = (value: number): ScaleSimValue => ({ float: value });

/** SCALE-Sim v2's three reports, with the columns this model computes. */
export const SCALESIM_REPORTS: readonly ScaleSimReport[] = [
  {
    fileName: 'COMPUTE_REPORT.csv',
    columns: [
      { header: 'Total Cycles', value: (l) => int(l.totalCycles) },
      { header: 'Stall Cycles', value: (l) => int(l.stallCycles) },
      { header: 'Overall Util %', value: (l) => float(l.overallUtilPercent) },
      { header: 'Mapping Efficiency %', value: (l) => float(l.mappingEfficiencyPercent) },
      { header: 'Compute Util %', value: (l) => float(l.computeUtilPercent) },
    ],
  },
  {
    fileName: 'BANDWIDTH_REPORT.csv',
    columns: [
      { header: 'Avg IFMAP SRAM BW', value: (l) => float(l.avgIfmapSramBw) },
      { header: 'Avg FILTER SRAM BW', value: (l) => float(l.avgFilterSramBw) },
      { header: 'Avg OFMAP SRAM BW', value: (l) => float(l.avgOfmapSramBw) },
      { header: 'Avg IFMAP DRAM BW', value: (l) => float(l.avgIfmapDramBw) },
      { header: 'Avg FILTER DRAM BW', value: (l) => float(l.avgFilterDramBw) },
      { header: 'Avg OFMAP DRAM BW', value: (l) => float(l.avgOfmapDramBw) },
    ],
  },
  {
    fileName: 'DETAILED_ACCESS_REPORT.csv',
    columns: [
      { header: 'SRAM IFMAP Start Cycle', value: (l) => float(l.ifmapSram.startCycle) },
      { header: 'SRAM IFMAP Stop Cycle', value: (l) => float(l.ifmapSram.stopCycle) },
      { header: 'SRAM IFMAP Reads', value: (l) => int(l.ifmapSram.accesses) },
      { header: 'SRAM Filter Start Cycle', value: (l) => float(l.filterSram.startCycle) },
      { header: 'SRAM Filter Stop Cycle', value: (l) => float(l.filterSram.stopCycle) },
      { header: 'SRAM Filter Reads', value: (l) => int(l.filterSram.accesses) },
      { header: 'SRAM OFMAP Start Cycle', value: (l) => float(l.ofmapSram.startCycle) },
      { header: 'SRAM OFMAP Stop Cycle', value: (l) => float(l.ofmapSram.stopCycle) },
      { header: 'SRAM OFMAP Writes', value: (l) => int(l.ofmapSram.accesses) },
      // The DRAM cycles are floats in SCALE-Sim's report: they come from its float trace matrices.
      { header: 'DRAM IFMAP Start Cycle', value: (l) => float(l.ifmapDram.startCycle) },
      { header: 'DRAM IFMAP Stop Cycle', value: (l) => float(l.ifmapDram.stopCycle) },
      { header: 'DRAM IFMAP Reads', value: (l) => int(l.ifmapDram.accesses) },
      { header: 'DRAM Filter Start Cycle', value: (l) => float(l.filterDram.startCycle) },
      { header: 'DRAM Filter Stop Cycle', value: (l) => float(l.filterDram.stopCycle) },
      { header: 'DRAM Filter Reads', value: (l) => int(l.filterDram.accesses) },
      { header: 'DRAM OFMAP Start Cycle', value: (l) => float(l.ofmapDram.startCycle) },
      { header: 'DRAM OFMAP Stop Cycle', value: (l) => float(l.ofmapDram.stopCycle) },
      { header: 'DRAM OFMAP Writes', value: (l) => int(l.ofmapDram.accesses) },
    ],
  },
];

/** A report's CSV text, in SCALE-Sim's layout. */
export function writeReport(report: ScaleSimReport, layers: readonly ScaleSimLayerResult[]): string {
  let text = `LayerID, ${report.columns.map((c) => c.header).join(', ')},\n`;
  for (const layer of layers) {
    text += `${layer.layerId}, ${report.columns.map((c) => formatValue(c.value(layer))).join(', ')},\n`;
  }
  return text;
}
