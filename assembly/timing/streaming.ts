// Streaming ops on the PE grid: elementwise, reductions, rows, layout ops, fills. The elements
// are split evenly over the PEs (whole SE vectors each) and each PE streams its share through
// local memory in double-buffered tiles:
//
//   elements ─► PEs (≤ 64, ≥ one vector each) ─► tiles of t elements per PE
//               (in + out) · t ≤ STREAMING_TILE_BYTES, and ≤ local memory / 2 (double-buffered)
//
// per tile: issue `instructions` · issue cost, FI in t·in bytes, SE t·sePasses / SE rate,
// RE t·rePasses / RE rate, MLU t·mluBytes / MLU rate, FI out t·out bytes (pipeline.ts). All
// operand bytes stream through SRAM; the op's cold operands also come from DRAM (the caller
// declared them with memory-levels.ts before).

import {
  issueCyclesPerInstruction, localMemoryBytes, mluBytesPerCycle, peCount, reElementsPerCycle,
  seElementsPerCycle,
} from "../profile";
import {
  RECORD_LOCAL_MEMORY_BYTES, RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_WORK, add, set,
} from "./record";
import { runPipeline, setStages } from "./pipeline";

/** Custom instructions per tile of a streaming op: DMA in, the unit's op, DMA out. */
export const STREAMING_INSTRUCTIONS_PER_TILE: f64 = 3;
/**
 * Bytes (in + out) of one tile: the kernels stream in tiles this size so that the pipeline
 * fills after a small fraction of the op (a lowering choice of the simulated kernel library).
 */
export const STREAMING_TILE_BYTES: f64 = 32768;

/**
 * Times a streaming op over `elements` that reads `inBytes` and writes `outBytes` in all, with
 * per element `sePasses` SE passes, `rePasses` RE passes and `mluBytes` bytes through the MLU;
 * `engine` is its compute engine, `work` and `peakRate` its work and the engine's peak per
 * cycle over the grid (for utilisation); `drain` cycles follow the last tile.
 */
export function timeStreaming(
  elements: f64, inBytes: f64, outBytes: f64, sePasses: f64, rePasses: f64, mluBytes: f64,
  engine: u32, work: f64, peakRate: f64, drain: f64,
): void {
  set(RECORD_WORK, work);
  set(RECORD_PEAK_RATE, peakRate);
  add(RECORD_SRAM_BYTES, inBytes + outBytes);
  add(RECORD_LOCAL_MEMORY_BYTES, 2 * (inBytes + outBytes));
  if (elements <= 0) {
    setStages(0, 0, 0, 0, 0, 0, 0, 0);
    runPipeline(1, 1, drain, engine);
    return;
  }
  const pes = min(peCount, Math.ceil(elements / seElementsPerCycle));
  const perPe = elements / pes;
  const bytesPerElement = (inBytes + outBytes) / elements;
  const tileBytes = min(STREAMING_TILE_BYTES, localMemoryBytes / 2);
  const tileElements = max(1, Math.floor(tileBytes / max(bytesPerElement, 1)));
  const steps = Math.ceil(perPe / tileElements);
  const t = perPe / steps;
  setStages(
    STREAMING_INSTRUCTIONS_PER_TILE * issueCyclesPerInstruction,
    0,
    (t * rePasses) / reElementsPerCycle,
    (t * sePasses) / seElementsPerCycle,
    (t * mluBytes) / mluBytesPerCycle,
    (t * inBytes) / elements,
    (t * outBytes) / elements,
    1,
  );
  runPipeline(steps, pes, drain, engine);
}
