// Fused attention on the PE grid, lowered as a flash-attention kernel (Dao et al. 2022,
// Algorithm 1) maps onto MTIA's PE (ISCA'25 §3.2: DPE, RE, SE in one pipeline):
//
//   out[B, L, Ev] = softmax(scale · Q[B, L, E] · K[B, S, E]ᵀ + mask) · V[B, S, Ev]
//
//   (batch·head b, query block of br rows) ──► one work item per PE, 8 × 8 PEs per wave
//       Q tile [br × E] loaded once, stays in local memory
//       loop over key/value blocks of bc keys:          per step and PE
//         FI in    K [bc × E], V [bc × Ev] (+ the mask tile [br × bc])
//         DPE      Sc = Q·Kᵀ (br'·bc'·E MACs) and O += P·V (br'·bc'·Ev MACs), br', bc' rounded
//                  up to the DPE's 32; plus loading the cached K and V tiles from local memory
//         RE       row max and row sum of the br × bc scores (2 passes)
//         SE       subtract the running max and exp (1 + seLutPasses passes per score; the
//                  mask add one more), rescale O by exp(m_old − m_new) (br·Ev)
//       output tile [br × Ev]: 1/l normalise (SE) and FI out once, after the last step
//
// so no L × S score matrix ever leaves a PE. Blocks: every br × bc with both multiples of 32 up
// to min(128, L or S rounded up to 32) whose tiles fit local memory (the Q tile, K and V
// double-buffered, the float32 score tile, the float32 O accumulator and the row statistics)
//
//   br·E·s + 2·bc·(E + Ev)·s + br·bc·4 + br·Ev·4 + br·8 ≤ local memory per PE
//
// is a candidate, and the lowering keeps the one whose body is shortest, as an autotuned kernel
// library would (32 × 32 when none fits: a head dim past ~1000 would stream E through the DPE
// in parts at the same rate, not modelled further). Causal attention skips the key blocks
// wholly above the diagonal: the steps per work item are the mean over query blocks of
// ⌈min(S, (q+1)·br) / bc⌉.
// SRAM carries Q and O once and K, V (and the mask) once per query block; cold operands come
// from DRAM once (memory-levels.ts).

import { DTYPE_FLOAT32 } from "../abi";
import { ENGINE_DPE } from "../layout";
import {
  issueCyclesPerInstruction, localMemoryBytes, localMemoryBytesPerCycle, peCount, reElementsPerCycle,
  seElementsPerCycle, seLutPasses,
} from "../profile";
import {
  RECORD_BODY_CYCLES, RECORD_K_SPLIT, RECORD_LOCAL_MEMORY_BYTES, RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_TILE_K,
  RECORD_TILE_M, RECORD_TILE_N, RECORD_WORK, get, set,
} from "./record";
import { readOperand, writeOperand } from "./memory-levels";
import { runPipeline, setStages } from "./pipeline";
import { DPE_TILE, GEMM_MAX_TILE, dpeMacsPerCycle } from "./gemm";

/** Custom instructions per key/value step: DMA K, DMA V, GEMM Q·Kᵀ, RE max, SE exp, RE sum, SE rescale, GEMM P·V. */
export const ATTENTION_INSTRUCTIONS_PER_STEP: f64 = 8;
/** Custom instructions per work item: DMA Q, SE normalise, DMA out, setup. */
export const ATTENTION_INSTRUCTIONS_PER_TILE: f64 = 4;

// @ts-ignore: decorator
@inline function roundUp(x: f64, to: f64): f64 {
  return Math.ceil(x / to) * to;
}

/** Local-memory bytes of a br × bc attention tile with head dims E, Ev in elements of `size` bytes. */
export function attentionTileBytes(br: f64, bc: f64, e: f64, ev: f64, size: f64): f64 {
  return br * e * size + 2 * bc * (e + ev) * size + br * bc * 4 + br * ev * 4 + br * 8;
}

/**
 * Times `batches` attentions of L queries over S keys (head dims E, Ev) in `dtype`, `causal` or
 * not, with a mask of `maskSize`-byte elements (0: none), whose operands span
 * [q, q + qBytes), ... and the output [o, o + oBytes).
 */
export function timeAttention(
  batches: f64, l: f64, s: f64, e: f64, ev: f64, dtype: u32, causal: bool, maskSize: f64,
  q: f64, qBytes: f64, k: f64, kBytes: f64, v: f64, vBytes: f64, mask: f64, maskBytes: f64, o: f64, oBytes: f64,
): void {
  readOperand(q, qBytes);
  readOperand(k, kBytes);
  readOperand(v, vBytes);
  readOperand(mask, maskBytes);
  writeOperand(o, oBytes);
  const rate = dpeMacsPerCycle(dtype);
  const size: f64 = dtype == DTYPE_FLOAT32 ? 4 : 2;
  set(RECORD_PEAK_RATE, rate * peCount);
  if (batches * l * s * (e + ev) == 0) {
    set(RECORD_WORK, 0);
    setStages(0, 0, 0, 0, 0, 0, 0, 0);
    runPipeline(1, 1, 0, ENGINE_DPE);
    return;
  }

  // Every block shape the DPE allows (multiples of 32 up to 128) that fits local memory is a
  // candidate; the kernel library runs the one with the shortest body. Larger query blocks
  // re-read K and V less; smaller ones spread few queries over more PEs and fill the pipeline
  // sooner; a key block that divides S wastes no DPE columns on padding.
  const sramBase = get(RECORD_SRAM_BYTES);
  const localBase = get(RECORD_LOCAL_MEMORY_BYTES);
  const largestRows = min(GEMM_MAX_TILE, roundUp(l, DPE_TILE));
  const largestKeys = min(GEMM_MAX_TILE, roundUp(s, DPE_TILE));
  let bestRows = DPE_TILE;
  let bestKeys = DPE_TILE;
  let bestBody = Infinity;
  for (let br = largestRows; br >= DPE_TILE; br -= DPE_TILE) {
    for (let bc = largestKeys; bc >= DPE_TILE; bc -= DPE_TILE) {
      if (attentionTileBytes(br, bc, e, ev, size) > localMemoryBytes) continue;
      const body = lowerAttention(br, bc, batches, l, s, e, ev, rate, size, causal, maskSize, sramBase, localBase);
      if (body < bestBody) {
        bestBody = body;
        bestRows = br;
        bestKeys = bc;
      }
    }
  }
  // (No candidate fits when a head dim passes ~1000: 32 × 32 then, E streamed in parts.)
  lowerAttention(bestRows, bestKeys, batches, l, s, e, ev, rate, size, causal, maskSize, sramBase, localBase);
  set(RECORD_K_SPLIT, 1);
}

/**
 * Lowers the attention onto `br` × `bc` blocks (queries × keys): sets the record's bytes,
 * stages, work and tile, runs the pipeline and returns the body. SRAM and local-memory bytes
 * are set on top of `sramBase` and `localBase`.
 */
function lowerAttention(
  br: f64, bc: f64, batches: f64, l: f64, s: f64, e: f64, ev: f64, rate: f64, size: f64, causal: bool, maskSize: f64,
  sramBase: f64, localBase: f64,
): f64 {
  const queryBlocks = Math.ceil(l / br);
  // Key blocks per query block, and the key columns they cover (the MACs actually done).
  let blockSteps: f64 = 0;
  let keyColumns: f64 = 0;
  for (let qb: f64 = 0; qb < queryBlocks; qb++) {
    const rows = min(br, l - qb * br);
    const reach = causal ? min(s, (qb + 1) * br) : s;
    blockSteps += Math.ceil(reach / bc);
    keyColumns += rows * reach;
  }
  const stepsPerTile = blockSteps / queryBlocks;
  const tiles = batches * queryBlocks;
  const pes = min(peCount, tiles);
  const waves = Math.ceil(tiles / peCount);
  const steps = waves * stepsPerTile;
  set(RECORD_WORK, batches * keyColumns * (e + ev));

  // Bytes: Q and O once per work item, K and V (and the mask tile) once per step.
  const qTile = br * e * size;
  const oTile = br * ev * size;
  const kvTile = bc * (e + ev) * size;
  const maskTile = br * bc * maskSize;
  set(RECORD_SRAM_BYTES, sramBase + tiles * (qTile + oTile + stepsPerTile * (kvTile + maskTile)));
  set(RECORD_LOCAL_MEMORY_BYTES, localBase + tiles * (2 * qTile + 2 * oTile + stepsPerTile * (2 * kvTile + 2 * maskTile + 4 * br * bc * 4)));

  // Per step and PE.
  const brDpe = roundUp(br, DPE_TILE);
  const bcDpe = roundUp(bc, DPE_TILE);
  const dpe = (brDpe * bcDpe * e + brDpe * bcDpe * ev) / rate + kvTile / localMemoryBytesPerCycle;
  const re = (2 * br * bc) / reElementsPerCycle;
  const scorePasses = 1 + seLutPasses + (maskSize > 0 ? 1 : 0);
  const se = (br * bc * scorePasses + br * ev) / seElementsPerCycle;
  const issue = (ATTENTION_INSTRUCTIONS_PER_STEP + ATTENTION_INSTRUCTIONS_PER_TILE / stepsPerTile) * issueCyclesPerInstruction;
  const inBytes = kvTile + maskTile + qTile / stepsPerTile;
  setStages(issue, dpe, re, se, 0, inBytes, oTile / stepsPerTile, maskSize > 0 ? 3 : 2);
  // The last tile's normalisation by 1/l and conversion to the output dtype.
  const normalise = (2 * br * ev) / seElementsPerCycle;
  runPipeline(steps, pes, normalise, ENGINE_DPE);
  set(RECORD_TILE_M, br);
  set(RECORD_TILE_N, bc);
  set(RECORD_TILE_K, e);
  return get(RECORD_BODY_CYCLES);
}
