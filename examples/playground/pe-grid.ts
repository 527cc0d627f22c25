// Which PEs an op kept busy, and how much: the heat map's numbers, derived from the op's
// record (mtia.profiler.opStats(); assembly/timing/record.ts, gemm.ts, streaming.ts,
// systolic.ts). The timing model does not simulate PEs one by one: it times one PE's pipeline
// and says how many PEs ran it (`pes`), how many tiles each ran (`steps`), the GEMM tiling
// (`tile`) and the op's utilisation (its compute engine's work / (peak rate of the whole grid ×
// the op's cycles)). This module spreads that utilisation over the grid the way the model
// lays the work out, and says which rule it used:
//
//   GEMM on the DPEs   C is cut into tile.m × tile.n output tiles (per batch), each tile's K
//                      into tile.kSplit parts of whole DPE passes (32), each part run in
//                      K steps of whole passes, the last one partial (the record's tile.k is
//                      their average); job j (tiles in row-major order, K parts
//                      adjacent) runs on PE j mod 64, wave ⌊j / 64⌋ (gemm.ts: "one tile per PE,
//                      8 × 8 PEs per wave"; PEs numbered row-major). A PE's value is its share of
//                      the real multiply-accumulates (edge tiles hold fewer), so
//                        value(PE) = utilisation · PEs in grid · MACs(PE) / MACs(op)
//                      and the grid's mean is exactly the op's utilisation. The layout is
//                      recomputed from the shapes and must give the record's `pes`, else the
//                      even rule below is used and the caption says so.
//   streaming ops      elements split evenly over the first `pes` PEs (streaming.ts): each of
//   (SE, RE, MLU)      them utilisation · 64 / pes, the rest 0; the mean is again utilisation.
//   systolic profile   a GEMM runs on the one R × C array in folds (systolic.ts); a unit's value
//                      is the fraction of folds in which it holds a mapped element, whose mean
//                      over the array is SCALE-Sim's Mapping Efficiency (checked against the
//                      record's figure).
//   host copies, queue operations: no PE works; all 0.

import type { mtia } from 'mtia-sim';
import { formatCount, plural } from './units.js';

type OpStats = mtia.OpStats;

/** A systolic array as the teaching profile configures it. */
export interface ArrayShape {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: 'os' | 'ws' | 'is';
}

/** The heat map of one op: a rows × cols grid of values in [0, 1] and how they were derived. */
export interface PeGridMap {
  /** Grid rows (PE rows, or the systolic array's rows). */
  readonly rows: number;
  /** Grid columns. */
  readonly cols: number;
  /** Row-major values, 0 (idle) to 1 (busy at peak rate for the whole op). */
  readonly values: Float64Array;
  /** Which rule of this module gave the values. */
  readonly rule: 'gemm-tiles' | 'even' | 'systolic-folds' | 'idle';
  /** How the work was laid out and what a value means, for the caption. */
  readonly caption: string;
  /** The figure of the record the grid's mean reproduces, for the caption. */
  readonly mean: number;
  /** What one cell is: a PE of the grid, or a MAC unit of the systolic array. */
  readonly unit: 'PE' | 'MAC unit';
  /** What a cell's value measures, for the colour legend. */
  readonly valueMeaning: string;
  /** Which figure of the record the mean is, by name (empty when no PE works). */
  readonly meanMeaning: string;
}

/** How a GEMM's jobs lie on the PE grid, recomputed from its shapes and record (see the top of this file). */
export interface GemmTiling {
  readonly batches: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Output tiles, over all batches. */
  readonly tiles: number;
  /** PEs sharing one output tile's K. */
  readonly kSplit: number;
  /** tiles · kSplit jobs, one per PE per wave. */
  readonly jobs: number;
  /** ⌈jobs / PEs in the grid⌉. */
  readonly waves: number;
  /** K steps each job runs (the record's steps = waves · stepsPerJob). */
  readonly stepsPerJob: number;
  /** K of one job (the slowest PE's share when K is split): whole DPE passes, or all of K. */
  readonly kPerJob: number;
  /** K of each step but the last, whole DPE passes. */
  readonly stepK: number;
  /** K of the last step (≤ stepK). */
  readonly lastStepK: number;
}

/** DPE pass depth: K is taken 32 at a time (assembly/timing/gemm.ts DPE_TILE). */
const DPE_PASS = 32;

/** M, N, K and the batch count of a matmul-class op, from its shapes (inputs then output). */
export function gemmDims(op: Pick<OpStats, 'shapes'>): { batches: number; m: number; n: number; k: number } | null {
  const { shapes } = op;
  if (shapes.length < 3) return null;
  const a = shapes[0]!;
  const b = shapes[1]!;
  const out = shapes[shapes.length - 1]!;
  if (a.length === 0 || b.length === 0) return null;
  const k = a[a.length - 1]!;
  const outCount = out.reduce((x, y) => x * y, 1);
  const n = b.length === 1 ? 1 : out[out.length - 1] ?? 1;
  const m = a.length === 1 ? 1 : b.length === 1 ? a[a.length - 2]! : out[out.length - 2] ?? 1;
  if (m * n === 0) return null;
  const batches = outCount / (m * n);
  return Number.isInteger(batches) && batches >= 1 ? { batches, m, n, k } : null;
}

/** Most jobs the GEMM rule enumerates; larger layouts use the even rule. */
const MAX_JOBS = 1 << 20;

/** The heat map of `op` on a grid of `peRows` × `peCols` PEs; `array` when the profile is systolic. */
export function peGridOf(op: OpStats, peRows: number, peCols: number, array?: ArrayShape): PeGridMap {
  if (op.systolic !== undefined && array !== undefined) {
    const map = systolicFolds(op, array);
    if (map !== null) return map;
  }
  const peCount = peRows * peCols;
  if (op.engine === 'none' || op.engine === 'pcie' || op.pes <= 0) {
    const why = op.engine === 'pcie' ? 'a host copy over PCIe' : op.pes <= 0 ? 'no job ran on the PE grid' : 'its PEs only move data (no compute engine works)';
    return {
      rows: peRows, cols: peCols, values: new Float64Array(peCount), rule: 'idle', caption: `No PE works: ${why}`, mean: 0,
      unit: 'PE', valueMeaning: 'busy at the engine\'s peak rate, % of the op\'s time', meanMeaning: '',
    };
  }
  if (op.tile !== undefined && op.engine === 'dpe') {
    const map = gemmTiles(op, peRows, peCols);
    if (map !== null) return map;
  }
  const used = Math.min(op.pes, peCount);
  const values = new Float64Array(peCount);
  values.fill((op.utilisation * peCount) / used, 0, used);
  const engine = op.engine.toUpperCase();
  const fallback = op.tile !== undefined ? ' (its tiling is not recomputed here, so shown evenly)' : '';
  return {
    rows: peRows, cols: peCols, values, rule: 'even', mean: op.utilisation, unit: 'PE',
    caption: `${workLayout(op, peRows, peCols)}${fallback}. A PE's value: its ${engine}'s work at the peak rate, as a share of the op's time`,
    valueMeaning: `${engine} busy at its peak rate, % of the op's time`,
    meanMeaning: `the op's ${engine} utilisation`,
  };
}

/** The GEMM's tiling on a grid of `peCount` PEs, or null when it does not reproduce the record's PEs and steps. */
export function gemmTiling(op: OpStats, peCount: number): GemmTiling | null {
  const dims = gemmDims(op);
  const tile = op.tile;
  if (dims === null || tile === undefined || op.systolic !== undefined || tile.m <= 0 || tile.n <= 0 || tile.kSplit < 1) return null;
  const { batches, m, n, k } = dims;
  const tiles = batches * Math.ceil(m / tile.m) * Math.ceil(n / tile.n);
  const jobs = tiles * tile.kSplit;
  const waves = Math.ceil(jobs / peCount);
  const stepsPerJob = op.steps / waves;
  if (Math.min(peCount, jobs) !== op.pes || !Number.isInteger(stepsPerJob) || stepsPerJob < 1) return null;
  // The record's tile.k is the job's K over its steps: K = min(k, passes · 32) for the slowest PE.
  const kPerJob = Math.round(tile.k * stepsPerJob);
  const stepK = DPE_PASS * Math.ceil(Math.ceil(kPerJob / DPE_PASS) / stepsPerJob);
  const lastStepK = kPerJob - (stepsPerJob - 1) * stepK;
  if (lastStepK <= 0 || lastStepK > stepK) return null;
  return { batches, m, n, k, tiles, kSplit: tile.kSplit, jobs, waves, stepsPerJob, kPerJob, stepK, lastStepK };
}

/** "K 160 in 3 steps: 2 of 64, the last 32", or "K 512 in 1 step". */
function kSteps(t: GemmTiling): string {
  if (t.stepsPerJob === 1) return `K ${formatCount(t.kPerJob)} in 1 step`;
  if (t.lastStepK === t.stepK) return `K ${formatCount(t.kPerJob)} in ${t.stepsPerJob} steps of ${formatCount(t.stepK)}`;
  return `K ${formatCount(t.kPerJob)} in ${t.stepsPerJob} steps: ${formatCount(t.stepsPerJob - 1)} of ${formatCount(t.stepK)}, the last ${formatCount(t.lastStepK)}`;
}

/**
 * Where an op ran, in one sentence: the GEMM's tiles, jobs, waves and K steps, the systolic
 * array's folds, or the PEs a streaming op split its elements over and the tiles each streamed.
 */
export function workLayout(op: OpStats, peRows: number, peCols: number, array?: ArrayShape): string {
  const peCount = peRows * peCols;
  if (op.systolic !== undefined && array !== undefined) {
    return `GEMM on the ${array.rows} × ${array.cols} systolic array (${array.dataflow.toUpperCase()}) in ${plural(op.systolic.folds, 'fold')}, one after another`;
  }
  if (op.engine === 'pcie') return 'the PCIe link: no PE works';
  if (op.engine === 'none' && op.pes <= 0) return 'no job ran on the PE grid';
  if (op.engine === 'dpe') {
    const t = gemmTiling(op, peCount);
    if (t !== null) {
      const split = t.kSplit > 1 ? `, each tile's K split over ${plural(t.kSplit, 'PE')}` : '';
      const jobs = t.kSplit > 1 ? `: ${plural(t.jobs, 'job')}` : '';
      return `${plural(t.tiles, 'output tile')} of ${op.tile!.m} × ${op.tile!.n}${split}${jobs} on ${plural(op.pes, 'PE')} in ${plural(t.waves, 'wave')}; ` +
        `each job ${kSteps(t)}, so each PE runs ${plural(op.steps, 'step')}`;
    }
  }
  const unit = op.engine === 'none' ? 'its' : `its ${op.engine.toUpperCase()}'s`;
  return `${plural(op.pes, 'PE')} share the work evenly, each running ${unit} share in ${plural(op.steps, 'pipeline step')}`;
}

/** The GEMM rule (see the top of this file), or null when the layout does not match the record. */
function gemmTiles(op: OpStats, peRows: number, peCols: number): PeGridMap | null {
  const peCount = peRows * peCols;
  const t = gemmTiling(op, peCount);
  if (t === null || t.jobs > MAX_JOBS) return null;
  const tile = op.tile!;
  const { m, n, k } = t;
  const tilesM = Math.ceil(m / tile.m);
  const tilesN = Math.ceil(n / tile.n);
  const macs = new Float64Array(peCount);
  const kPart = k / tile.kSplit;
  for (let job = 0; job < t.jobs; job++) {
    const at = Math.floor(job / tile.kSplit) % (tilesM * tilesN);
    const i = Math.floor(at / tilesN);
    const j = at % tilesN;
    macs[job % peCount]! += Math.min(tile.m, m - i * tile.m) * Math.min(tile.n, n - j * tile.n) * kPart;
  }
  const total = t.batches * m * n * k;
  const values = macs.map((x) => (op.utilisation * peCount * x) / total);
  return {
    rows: peRows, cols: peCols, values, rule: 'gemm-tiles', mean: op.utilisation, unit: 'PE',
    caption: `${workLayout(op, peRows, peCols)}. A PE's value: its share of the MACs at the DPE's peak rate, as a share of the op's time`,
    valueMeaning: 'DPE busy at its peak rate, % of the op\'s time',
    meanMeaning: 'the op\'s DPE utilisation',
  };
}

/** The systolic rule (see the top of this file), or null when it does not reproduce the record. */
function systolicFolds(op: OpStats, array: ArrayShape): PeGridMap | null {
  const dims = gemmDims(op);
  const figures = op.systolic!;
  if (dims === null) return null;
  const { batches, m, n, k } = dims;
  const [sr, sc] = array.dataflow === 'os' ? [m, n] : array.dataflow === 'ws' ? [k, n] : [k, m];
  const foldsR = Math.ceil(sr / array.rows);
  const foldsC = Math.ceil(sc / array.cols);
  if (foldsR * foldsC * batches !== figures.folds) return null;
  // Unit (r, c) holds a mapped element in fold (fr, fc) when fr·R + r < S_r and fc·C + c < S_c.
  const usedFolds = (index: number, extent: number, size: number) => (index < extent ? Math.ceil((extent - index) / size) : 0);
  const values = new Float64Array(array.rows * array.cols);
  let sum = 0;
  for (let r = 0; r < array.rows; r++) {
    for (let c = 0; c < array.cols; c++) {
      const value = (usedFolds(r, sr, array.rows) * usedFolds(c, sc, array.cols)) / (foldsR * foldsC);
      values[r * array.cols + c] = value;
      sum += value;
    }
  }
  const mean = sum / values.length;
  if (Math.abs(mean * 100 - figures.mappingEfficiencyPercent) > 1e-6) return null;
  return {
    rows: array.rows, cols: array.cols, values, rule: 'systolic-folds', mean, unit: 'MAC unit',
    caption:
      `The ${array.rows} × ${array.cols} systolic array (${array.dataflow.toUpperCase()}) in ${plural(figures.folds, 'fold')}. ` +
      'A MAC unit\'s value: the share of folds in which it holds a mapped element (where the work is, not how long it took)',
    valueMeaning: 'folds in which the unit holds a mapped element, %',
    meanMeaning: 'SCALE-Sim\'s Mapping Efficiency',
  };
}
