// GEMM on the PE grid: C[M×N] = A[M×K] · B[K×N] (batched), lowered to tiles as MTIA's kernels
// map it (ISCA'25 §3.2, §4.2):
//
//   output C split into tm × tn tiles ──► one tile per PE, 8 × 8 PEs per wave
//                                         PE (r, c) ← tile (r, c) of the wave
//   K split into blocks of tk ──────────► each PE loops over K: A[tm×tk], B[tk×tn] per step
//   too few output tiles for the grid ──► K split over kSplit PEs per tile; their partial sums
//                                         meet over the RE reduction network (a pipelined chain)
//   B (the weights) ────────────────────► fetched once per PE column and broadcast down it
//
// Tiles are multiples of the DPE's 32-wide tiles (ISCA'25: "two 32 × 32B × 32 MAC tiles"),
// at most 128 × 128, with tk the largest multiple of 32 that fits local memory with A and B
// double-buffered beside the float32 accumulator tile:
//
//   2 · (tm·tk + tk·tn) · s + tm·tn · 4 ≤ local memory per PE
//
// Per step and PE the stages are (pipeline.ts):
//   issue  GEMM_INSTRUCTIONS_PER_STEP custom instructions (DMA A, DMA B, GEMM, RE accumulate;
//          multi-context GEMM instructions and auto-increment offsets, ISCA'25 §3.3)
//   in     (tm·tk + tk·tn) · s bytes through the PE's fabric interface; over the grid
//          A per PE and B per column from SRAM, cold operands once from DRAM
//   DPE    tm'·tn'·tk / MACs-per-cycle (tm', tn' rounded up to the DPE's 32), plus loading the
//          cached operand B[tk×tn] from local memory (the DPE caches one tensor and streams the
//          other, ISCA'25 §3.2): tk·tn·s / local-memory bytes per cycle
//   RE     tm·tn float32 partial sums accumulated per step
//   SE,out the output tile converted to the output dtype and written back, once per tile
// and the last tile's conversion, write-back and K-split reduction drain the pipeline.
//
// The systolic teaching profile (systolic.ts) keeps all of this but the DPE: the GEMM is tiled,
// moved, issued, accumulated and converted as above, and its DPE stage becomes the one systolic
// array's cycles for the whole GEMM (SCALE-Sim v2's reported compute cycles, per batch, summed),
// spread evenly over the pipeline's steps. cycles.compute and cycles.dpe are then exactly
// SCALE-Sim's number; launch, memories and the other engines stay the MTIA model around it.

import { DTYPE_FLOAT32, DTYPE_INT8 } from "../abi";
import { ENGINE_DPE } from "../layout";
import {
  dpeFp16MacsPerCycle, dpeFp32MacsPerCycle, dpeInt8MacsPerCycle, issueCyclesPerInstruction,
  localMemoryBytes, localMemoryBytesPerCycle, peCols, peCount, reElementsPerCycle,
  reductionLinkBytesPerCycle, seElementsPerCycle,
} from "../profile";
import {
  RECORD_COMPUTE_CYCLES, RECORD_DPE_CYCLES, RECORD_K_SPLIT, RECORD_LOCAL_MEMORY_BYTES, RECORD_PEAK_RATE,
  RECORD_SRAM_BYTES, RECORD_TILE_K, RECORD_TILE_M, RECORD_TILE_N, RECORD_WORK, add, set,
} from "./record";
import { readOperand, writeOperand } from "./memory-levels";
import { runPipeline, setStages } from "./pipeline";
import { hasSystolicArray, systolicMacsPerCycle, timeSystolic } from "./systolic";

/** Custom instructions a PE's RISC-V core issues per K step: DMA A, DMA B, GEMM, RE accumulate. */
export const GEMM_INSTRUCTIONS_PER_STEP: f64 = 4;
/** Custom instructions per output tile: SE convert, DMA out, tile setup. */
export const GEMM_INSTRUCTIONS_PER_TILE: f64 = 3;
/** Largest output tile side, and the DPE tile width every tile side is a multiple of. */
export const GEMM_MAX_TILE: f64 = 128;
export const DPE_TILE: f64 = 32;

/** DPE MACs per cycle per PE for a GEMM in `dtype`. */
export function dpeMacsPerCycle(dtype: u32): f64 {
  if (dtype == DTYPE_INT8) return dpeInt8MacsPerCycle;
  if (dtype == DTYPE_FLOAT32) return dpeFp32MacsPerCycle;
  return dpeFp16MacsPerCycle;
}

// @ts-ignore: decorator
@inline function roundUp(x: f64, to: f64): f64 {
  return Math.ceil(x / to) * to;
}

/**
 * Times a batched GEMM of `batches` × (M×K · K×N) in `dtype` (element size `size`, output
 * element size `outSize`), whose operands span [a, a + aBytes), [b, b + bBytes), the bias
 * [bias, bias + biasBytes) (biasBytes 0: none) and the output [c, c + cBytes).
 */
export function timeGemm(
  batches: f64, m: f64, n: f64, k: f64, dtype: u32, size: f64, outSize: f64,
  a: f64, aBytes: f64, b: f64, bBytes: f64, bias: f64, biasBytes: f64, c: f64, cBytes: f64,
): void {
  readOperand(a, aBytes);
  readOperand(b, bBytes);
  readOperand(bias, biasBytes);
  writeOperand(c, cBytes);
  const rate = dpeMacsPerCycle(dtype);
  const systolic = hasSystolicArray();
  set(RECORD_WORK, batches * m * n * k);
  set(RECORD_PEAK_RATE, systolic ? systolicMacsPerCycle() : rate * peCount);
  if (batches * m * n * k == 0) {
    setStages(0, 0, 0, 0, 0, 0, 0, 0);
    runPipeline(1, 1, 0, ENGINE_DPE);
    return;
  }

  // Tile shape: tm × tn output tiles, tk deep K steps, fitting local memory.
  const tm = min(GEMM_MAX_TILE, roundUp(m, DPE_TILE));
  const tn = min(GEMM_MAX_TILE, roundUp(n, DPE_TILE));
  const accumulatorBytes = tm * tn * 4;
  const tkFit = Math.floor((localMemoryBytes - accumulatorBytes) / (2 * (tm + tn) * size) / DPE_TILE) * DPE_TILE;
  const tkMax = max(DPE_TILE, tkFit);
  const tilesM = Math.ceil(m / tm);
  const tiles = batches * tilesM * Math.ceil(n / tn);
  const kBlocks = Math.ceil(k / tkMax);
  // Too few output tiles to fill the grid: split K over PEs (at most one block each).
  const kSplit = tiles >= peCount ? 1 : min(Math.floor(peCount / tiles), kBlocks);
  const pes = min(peCount, tiles * kSplit);
  const waves = Math.ceil((tiles * kSplit) / peCount);
  const stepsPerTile = Math.ceil(kBlocks / kSplit);
  const tk = k / (kSplit * stepsPerTile); // K per step, averaged over the steps
  const steps = waves * stepsPerTile;

  // Bytes per step: each PE loads its A tile; B tiles are broadcast down PE columns, one fetch
  // feeding every PE of a column that works on a different row of tiles.
  const aTile = tm * tk * size;
  const bTile = tk * tn * size;
  const columnSharers = min(peCount / peCols, tilesM);
  const bFetches = Math.ceil(pes / columnSharers);
  const cTile = tm * tn * outSize;
  add(RECORD_SRAM_BYTES, steps * (pes * aTile + bFetches * bTile) + tiles * cTile + biasBytes);
  add(RECORD_LOCAL_MEMORY_BYTES, pes * steps * (2 * (aTile + bTile) + 2 * accumulatorBytes) + tiles * 2 * cTile);

  // The array's cycles for the whole GEMM (systolic.ts), or the DPE's per step.
  const arrayCycles = systolic ? timeSystolic(batches, m, n, k) : 0;
  const dpe = systolic
    ? arrayCycles / steps
    : roundUp(tm, DPE_TILE) * roundUp(tn, DPE_TILE) * tk / rate + bTile / localMemoryBytesPerCycle;
  const re = (tm * tn) / reElementsPerCycle;
  const convert = (tm * tn) / seElementsPerCycle;
  const issue = (GEMM_INSTRUCTIONS_PER_STEP + GEMM_INSTRUCTIONS_PER_TILE / stepsPerTile) * issueCyclesPerInstruction;
  setStages(issue, dpe, re, convert / stepsPerTile, 0, aTile + bTile, cTile / stepsPerTile, 2);
  // The last tile's conversion and write-back, and the K-split's partial sums flowing down a
  // chain of kSplit PEs (each link carries the tile's float32 partials, pipelined by vector).
  const vectorBytes = DPE_TILE * 4;
  const reduction = kSplit > 1 ? accumulatorBytes / reductionLinkBytesPerCycle + (kSplit - 1) * vectorBytes / reductionLinkBytesPerCycle : 0;
  runPipeline(steps, pes, convert + reduction, ENGINE_DPE);
  if (systolic) {
    // Exactly SCALE-Sim's number, not steps × (number / steps) rounded; the record's tile is
    // the array's fold (systolic.ts).
    set(RECORD_DPE_CYCLES, arrayCycles);
    set(RECORD_COMPUTE_CYCLES, arrayCycles);
    set(RECORD_K_SPLIT, 1);
    return;
  }
  set(RECORD_TILE_M, tm);
  set(RECORD_TILE_N, tn);
  set(RECORD_TILE_K, tk);
  set(RECORD_K_SPLIT, kSplit);
}
