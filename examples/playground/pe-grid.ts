// Which PEs an op kept busy, and how much: the heat map's numbers, derived from the op's
// record (mtia.profiler.opStats(); assembly/timing/record.ts, gemm.ts, streaming.ts,
// systolic.ts). The timing model does not simulate PEs one by one: it times one PE's pipeline
// and says how many PEs ran it (`pes`), how many tiles each ran (`steps`), the GEMM tiling
// (`tile`) and the op's utilisation (its compute engine's work / (peak rate of the whole grid ×
// the op's cycles)). This module spreads that utilisation over the grid the way the model
// lays the work out, and says which rule it used:
//
//   GEMM on the DPEs   C is cut into tile.m × tile.n output tiles (per batch), each tile's K
//                      into tile.kSplit equal parts (the model averages its K steps the same
//                      way: the record's tile.k); job j (tiles in row-major order, K parts
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
  /** What a value means, for the caption. */
  readonly caption: string;
  /** The figure of the record the grid's mean reproduces, for the caption. */
  readonly mean: number;
}

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
    const why = op.engine === 'pcie' ? 'a host copy over PCIe' : 'no job ran on the PE grid';
    return { rows: peRows, cols: peCols, values: new Float64Array(peCount), rule: 'idle', caption: `no PE works: ${why}`, mean: 0 };
  }
  if (op.tile !== undefined && op.engine === 'dpe') {
    const map = gemmTiles(op, peRows, peCols);
    if (map !== null) return map;
  }
  const used = Math.min(op.pes, peCount);
  const values = new Float64Array(peCount);
  values.fill((op.utilisation * peCount) / used, 0, used);
  const fallback = op.tile !== undefined ? ' (the tiling could not be recomputed from the shapes, so shown evenly)' : '';
  return {
    rows: peRows, cols: peCols, values, rule: 'even', mean: op.utilisation,
    caption: `${used} PEs share the elements evenly${fallback}: each PE's ${op.engine.toUpperCase()} busy fraction; mean = utilisation`,
  };
}

/** The GEMM rule (see the top of this file), or null when the layout does not match the record. */
function gemmTiles(op: OpStats, peRows: number, peCols: number): PeGridMap | null {
  const dims = gemmDims(op);
  const tile = op.tile!;
  if (dims === null || tile.m <= 0 || tile.n <= 0 || tile.kSplit < 1) return null;
  const { batches, m, n, k } = dims;
  const peCount = peRows * peCols;
  const tilesM = Math.ceil(m / tile.m);
  const tilesN = Math.ceil(n / tile.n);
  const tiles = batches * tilesM * tilesN;
  const jobs = tiles * tile.kSplit;
  if (Math.min(peCount, jobs) !== op.pes || jobs > MAX_JOBS) return null;
  const macs = new Float64Array(peCount);
  const kPart = k / tile.kSplit;
  for (let job = 0; job < jobs; job++) {
    const t = Math.floor(job / tile.kSplit) % (tilesM * tilesN);
    const i = Math.floor(t / tilesN);
    const j = t % tilesN;
    macs[job % peCount]! += Math.min(tile.m, m - i * tile.m) * Math.min(tile.n, n - j * tile.n) * kPart;
  }
  const total = batches * m * n * k;
  const values = macs.map((x) => (op.utilisation * peCount * x) / total);
  const waves = Math.ceil(jobs / peCount);
  return {
    rows: peRows, cols: peCols, values, rule: 'gemm-tiles', mean: op.utilisation,
    caption:
      `${tiles} output tiles of ${tile.m}×${tile.n}` + (tile.kSplit > 1 ? `, K split over ${tile.kSplit} PEs each` : '') +
      ` on ${op.pes} PEs in ${waves} wave${waves > 1 ? 's' : ''}: each PE's share of the MACs at the DPE's peak rate; mean = utilisation`,
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
    rows: array.rows, cols: array.cols, values, rule: 'systolic-folds', mean,
    caption:
      `the ${array.rows}×${array.cols} systolic array (${array.dataflow.toUpperCase()}), ${figures.folds} fold${figures.folds > 1 ? 's' : ''}: ` +
      `fraction of folds in which each MAC unit holds a mapped element; mean = SCALE-Sim's mapping efficiency`,
  };
}
