// The systolic teaching profile: the dot-product engine replaced by one R × C systolic array
// (profile `systolic: { rows, cols, dataflow }`), timed exactly as SCALE-Sim v2 times a GEMM
// (scalesim-project/scale-sim-v2 @ 22f88b1, scalesim/compute/systolic_compute_{os,ws,is}.py,
// single_layer_sim.py; docs/teaching.md).
//
// C[M×N] = A[M×K] · B[K×N] as SCALE-Sim's GEMM mode maps it (topology_utils.load_arrays_gemm:
// M output rows, N output columns, K the reduction). The array has R rows and C columns of MAC
// units; a dataflow keeps one operand in place and maps two of M, N, K onto the array
// (S_r rows × S_c columns), streaming the third (T, the temporal depth) through it:
//
//         OS (output stationary)      WS (weight stationary)      IS (input stationary)
//         PE(r,c) holds C[r][c]       PE(r,c) holds B[r][c]       PE(r,c) holds A[c][r]
//         S_r = M, S_c = N, T = K     S_r = K, S_c = N, T = M     S_r = K, S_c = M, T = N
//
//               B ↓ ↓ ↓ ↓                   B ↓ ↓ ↓ ↓ (loaded once)     A ↓ ↓ ↓ ↓ (loaded once)
//            A → ┌─┬─┬─┬─┐               A → ┌─┬─┬─┬─┐                B → ┌─┬─┬─┬─┐
//            A → ├─┼─┼─┼─┤               A → ├─┼─┼─┼─┤                B → ├─┼─┼─┼─┤
//            A → ├─┼─┼─┼─┤               A → ├─┼─┼─┼─┤                B → ├─┼─┼─┼─┤
//            A → └─┴─┴─┴─┘               A → └─┴─┴─┴─┘                B → └─┴─┴─┴─┘
//               C drains down               partial sums flow down      partial sums flow down
//                                           C out at the bottom         C out at the bottom
//
// A mapping larger than the array runs in folds of R × C, each padded to the full array
// (partial folds pay the full fill and drain), one after another:
//
//   folds = ⌈S_r / R⌉ · ⌈S_c / C⌉
//   OS: cycles per fold = T + R + C − 2        (skew in, K MACs, drain through the bottom edge)
//   WS, IS: cycles per fold = 2R + C + T − 2   (R to preload the stationary operand, then as OS)
//   reported = folds · cycles per fold − 1
//
// The "−1": in CALC mode SCALE-Sim reports the 0-based cycle index of the last output write
// (memory/double_buffered_scratchpad_mem.py, total_cycles = int(ofmap_serviced_cycles[-1][0])),
// one less than the cycles the folds span; USER-bandwidth mode adds the 1 back (SCALE-Sim#125).
// We report SCALE-Sim's number, −1 included, as the array's busy cycles.
//
// The three percentages are SCALE-Sim's COMPUTE_REPORT.csv columns (single_layer_sim.py,
// calc_report_data), in percent as it writes them:
//   Mapping Efficiency % = mean over folds of used MACs / (R·C)          = S_r·S_c / (R·C·folds)
//   Compute Util %       = mean over folds of used MACs · T / (R·C · its cycles)
//   Overall Util %       = M·N·K / (reported · R·C)
// where Compute Util's per-fold cycles are those SCALE-Sim computes from the demand matrix
// that carries the metric: T + R + C − 2 for OS, but 2R + 2C + T − 3 for WS and IS (their
// stationary operand's demand matrix is not skewed, so `rows + cols − 1` counts C − 1 extra).
// We reproduce that as written, so every number equals the tool's.

import { DATAFLOW_IS, DATAFLOW_OS, DATAFLOW_WS, systolicCols, systolicDataflow, systolicRows } from "../profile";
import {
  RECORD_SYSTOLIC_COMPUTE_UTILISATION, RECORD_SYSTOLIC_FOLDS, RECORD_SYSTOLIC_MAPPING_EFFICIENCY,
  RECORD_SYSTOLIC_OVERALL_UTILISATION, RECORD_TILE_K, RECORD_TILE_M, RECORD_TILE_N, set,
} from "./record";

/** Whether the profile replaces the DPEs by a systolic array. */
// @ts-ignore: decorator
@inline export function hasSystolicArray(): bool {
  return systolicRows > 0;
}

/** MACs the array does per cycle at best: one per unit. */
// @ts-ignore: decorator
@inline export function systolicMacsPerCycle(): f64 {
  return systolicRows * systolicCols;
}

/**
 * Times `batches` GEMMs of M×K · K×N on the array, each as one SCALE-Sim layer: writes the
 * folds, mapping efficiency, compute and overall utilisation and the fold's extent in M, N, K
 * (the record's tile) to the record; returns SCALE-Sim's reported compute cycles summed over
 * the batches (each with its "−1"). M·N·K must be > 0.
 */
export function timeSystolic(batches: f64, m: f64, n: f64, k: f64): f64 {
  const r = systolicRows;
  const c = systolicCols;
  const dataflow = systolicDataflow;
  // Spatial rows × columns and temporal depth of the mapping.
  let sr = m, sc = n, t = k;
  if (dataflow == DATAFLOW_WS) {
    sr = k; sc = n; t = m;
  } else if (dataflow == DATAFLOW_IS) {
    sr = k; sc = m; t = n;
  }
  const folds = Math.ceil(sr / r) * Math.ceil(sc / c);
  const foldCycles = dataflow == DATAFLOW_OS ? t + r + c - 2 : 2 * r + c + t - 2;
  const reported = folds * foldCycles - 1;
  const utilFoldCycles = dataflow == DATAFLOW_OS ? foldCycles : 2 * r + 2 * c + t - 3;
  const macs = r * c;
  set(RECORD_SYSTOLIC_FOLDS, batches * folds);
  set(RECORD_SYSTOLIC_MAPPING_EFFICIENCY, (sr * sc * 100) / (macs * folds));
  set(RECORD_SYSTOLIC_COMPUTE_UTILISATION, (sr * sc * t * 100) / (macs * utilFoldCycles * folds));
  set(RECORD_SYSTOLIC_OVERALL_UTILISATION, (m * n * k * 100) / (reported * macs));
  // One fold's share of the GEMM, as M × N outputs and K depth.
  const foldR = min(sr, r);
  const foldC = min(sc, c);
  set(RECORD_TILE_M, dataflow == DATAFLOW_OS ? foldR : dataflow == DATAFLOW_WS ? m : foldC);
  set(RECORD_TILE_N, dataflow == DATAFLOW_IS ? n : foldC);
  set(RECORD_TILE_K, dataflow == DATAFLOW_OS ? k : foldR);
  return batches * reported;
}
