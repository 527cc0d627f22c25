// Streaming ops on the PE grid: elementwise, reductions, rows, layout ops, fills. The elements
// are split evenly over the PEs in whole SE vectors (the busiest PE, ⌈vectors / PEs⌉ of them,
// sets the time) and each PE streams its share through local memory in double-buffered tiles:
//
//   elements ─► PEs (≤ 64, ≥ one vector each) ─► s steps of t elements per PE
//               (in + out) · t ≤ STREAMING_TILE_BYTES and ≤ local memory / 2 (double-buffered),
//               t ≥ one SE vector; s the count of least body (cheapestSteps below,
//               docs/timing-model.md "The streaming step count")
//
// per tile: issue `instructions` · issue cost, FI in t·in bytes, SE t·sePasses / SE rate,
// RE t·rePasses / RE rate, MLU t·mluBytes / MLU rate, FI out t·out bytes (pipeline.ts). All
// operand bytes stream through SRAM; the op's cold operands also come from DRAM (the caller
// declared them with memory-levels.ts before).

import {
  dmaDescriptorCycles, dramBytesPerCycle, fabricBytesPerCycle, issueCyclesPerInstruction, localMemoryBytes,
  mluBytesPerCycle, peCount, reElementsPerCycle, seElementsPerCycle, sramBytesPerCycle,
} from "../profile";
import {
  RECORD_DRAM_BYTES, RECORD_LOCAL_MEMORY_BYTES, RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_WORK, add, get, set,
} from "./record";
import { pipelineBodyCycles, runPipeline, setStages } from "./pipeline";

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
  // The busiest PE sets the time: whole SE vectors each, ⌈vectors / PEs⌉ of them.
  const perPe = Math.ceil(Math.ceil(elements / seElementsPerCycle) / pes) * seElementsPerCycle;
  const bytesPerElement = (inBytes + outBytes) / elements;
  const tileBytes = min(STREAMING_TILE_BYTES, localMemoryBytes / 2);
  const tileElements = max(1, Math.floor(tileBytes / max(bytesPerElement, 1)));
  const fewestSteps = Math.ceil(perPe / tileElements);
  // At least one SE vector per PE per step: a tile smaller than that is not a physical DMA.
  const mostSteps = max(fewestSteps, Math.floor(perPe / seElementsPerCycle));
  const steps = cheapestSteps(perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain, fewestSteps, mostSteps);
  setStreamingStages(perPe / steps, elements, inBytes, outBytes, sePasses, rePasses, mluBytes);
  runPipeline(steps, pes, drain, engine);
}

/** Sets the pipeline stages of one step of `t` elements per PE of a streaming op. */
function setStreamingStages(
  t: f64, elements: f64, inBytes: f64, outBytes: f64, sePasses: f64, rePasses: f64, mluBytes: f64,
): void {
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
}

let bestSteps: f64 = 1;
let bestBody: f64 = Infinity;

/** Evaluates the body at ⌊s⌋ and ⌈s⌉ clamped to [lo, hi]; keeps the cheapest (fewer steps on a tie). */
function tryNear(
  s: f64, lo: f64, hi: f64, perPe: f64, elements: f64, inBytes: f64, outBytes: f64, sePasses: f64,
  rePasses: f64, mluBytes: f64, drain: f64,
): void {
  if (!isFinite(s) || s <= 0) return;
  for (let k = 0; k < 2; k++) {
    const c = min(hi, max(lo, k == 0 ? Math.floor(s) : Math.ceil(s)));
    setStreamingStages(perPe / c, elements, inBytes, outBytes, sePasses, rePasses, mluBytes);
    const body = pipelineBodyCycles(c, drain);
    if (body < bestBody || (body == bestBody && c < bestSteps)) {
      bestBody = body;
      bestSteps = c;
    }
  }
}

/**
 * The step count in [lo, hi] with the smallest pipeline body (a kernel chooses its tile
 * count). Every stage is α + β/s per step (issue and a DMA descriptor are per step, the rest
 * per element), so on each interval where the fill's memory term and the slowest stage keep
 * the same argument the body is A + B/s + α·s: its integer minimum lies at ⌊·⌋/⌈·⌉ of an
 * interval end (where two stage lines cross) or of √(B/α). Those few candidates are
 * evaluated with pipelineBodyCycles(), the cost runPipeline() charges; the search costs no
 * simulated time. For a fixed s the body grows with the work and lo grows with it, so the
 * minimum never falls when the work grows. The per-step issue cost bounds the minimum well
 * inside hi (a tile of one SE vector per PE).
 */
function cheapestSteps(
  perPe: f64, elements: f64, inBytes: f64, outBytes: f64, sePasses: f64, rePasses: f64,
  mluBytes: f64, drain: f64, lo: f64, hi: f64,
): f64 {
  if (lo >= hi) return hi; // every candidate is clamped to it (a tiny op: one step)
  bestSteps = lo;
  bestBody = Infinity;
  // Per-step lines α + β/s (cycles): issue, FI in, SRAM, DRAM, compute, FI out.
  const issue = STREAMING_INSTRUCTIONS_PER_TILE * issueCyclesPerInstruction;
  const descriptor = dmaDescriptorCycles;
  const fabricIn = (perPe * inBytes) / elements / fabricBytesPerCycle;
  const sram = get(RECORD_SRAM_BYTES) / sramBytesPerCycle;
  const dram = get(RECORD_DRAM_BYTES) / dramBytesPerCycle;
  const re = (perPe * rePasses) / reElementsPerCycle;
  const se = (perPe * sePasses) / seElementsPerCycle;
  const mlu = (perPe * mluBytes) / mluBytesPerCycle;
  const fabricOut = (perPe * outBytes) / elements / fabricBytesPerCycle;
  const fillRest = re + se + mlu + fabricOut;
  tryNear(lo, lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
  tryNear(hi, lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
  // Interval ends: where a constant-per-step line (issue α = issue, FI in α = descriptor,
  // β = fabricIn) crosses another line (the others have α = 0).
  for (let j = 0; j < 7; j++) {
    const beta = j == 0 ? fabricIn : j == 1 ? sram : j == 2 ? dram : j == 3 ? re : j == 4 ? se : j == 5 ? mlu : fabricOut;
    if (issue > 0) tryNear(beta / issue, lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
    if (descriptor > 0 && beta > fabricIn) {
      tryNear((beta - fabricIn) / descriptor, lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
    }
  }
  if (issue != descriptor) {
    tryNear(fabricIn / (issue - descriptor), lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
  }
  // Stationary points √(B/α) of A + B/s + α·s: the slowest stage is issue (β 0) or FI in.
  for (let m = 0; m < 3; m++) {
    const fillBeta = (m == 0 ? fabricIn : m == 1 ? sram : dram) + fillRest;
    if (issue > 0) tryNear(Math.sqrt(fillBeta / issue), lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
    if (descriptor > 0 && fillBeta > fabricIn) {
      tryNear(Math.sqrt((fillBeta - fabricIn) / descriptor), lo, hi, perPe, elements, inBytes, outBytes, sePasses, rePasses, mluBytes, drain);
    }
  }
  return bestSteps;
}
