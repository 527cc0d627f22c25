// GEMM on the PE grid: C[M×N] = A[M×K] · B[K×N] (batched), lowered to tiles as MTIA's kernels
// map it (ISCA'25 §3.2, §4.2):
//
//   output C split into tm × tn tiles ──► one tile per PE (kSplit PEs per tile), 8 × 8 PEs
//                                         per wave, waves one after another
//   K split into kSplit slices ─────────► the kSplit PEs of a tile each take one slice; their
//                                         partial sums meet over the RE reduction network (a
//                                         pipelined chain)
//   a slice in stepsPerTile steps ──────► each PE loops over its slice: A[tm×tk], B[tk×tn] per step
//   B (the weights) ────────────────────► fetched once per PE column and broadcast down it
//
// The mapping is chosen, not fixed: as a compiler picks the cheapest legal mapping (MTIA's
// kernel library; LLMCompass's mapper, reference §4), chooseGemmMapping() tries every legal
//
//   tm, tn ∈ {32, 64, 96, 128} (multiples of the DPE's 32-wide tiles, ISCA'25: "two 32 × 32B
//            × 32 MAC tiles", at most 128 × 128, no wider than M and N rounded up to 32)
//   kSplit ∈ 1 .. min(PEs, K / 32)       (PEs per output tile, each a slice of K)
//   stepsPerTile: each step d passes of 32 deep, ⌈T / 2⌉ ≤ d ≤ T, where T is the deepest
//            step that fits local memory with A and B double-buffered beside the float32
//            accumulator tile: 2 · (tm·tk + tk·tn) · s + tm·tn · 4 ≤ local memory per PE.
//            Kernels keep their steps deep; with steps free the pipeline's fill (the first
//            step's stages in full) would make one pass (tk = 32) the cheapest nearly always,
//            and the 2048³ GEMM 96.1 % of peak, above the published band (docs/validation.md)
//
// and keeps the one whose body, by the pipeline's own closed form (runPipeline(), pipeline.ts),
// is least; bodies within 0.1 % of the least (GEMM_TIE_FRACTION) are a tie, broken by the fewest
// SRAM bytes, so a DRAM-bound layer does not move twice the on-chip traffic for nothing. The search is the compiler's, not the device's: it costs no simulated time, and
// its result is memoised by shape (a small table in the core's static data), so a model's
// repeated GEMMs search once. Waves follow: tiles · kSplit PEs' worth of work over 64 PEs.
//
// K is done in whole DPE passes of 32: a PE's slice is ⌈⌈K / 32⌉ / kSplit⌉ passes (the
// slowest PE's), spread evenly over its steps, so no mapping does less than the work (the old
// averaged tk = K / (kSplit · steps) ran 321 deep faster than 320). A mapping of a larger
// shape costs a smaller one no more (or one of its tiles or splits cut to fit does not), so the
// cheapest body does not fall as the GEMM grows; the one slack is a step count that K growing
// by a pass can change, which test/core/gemm-invariants.test.ts holds to at most 3 %.
//
// Per step and PE the stages are (pipeline.ts):
//   issue  GEMM_INSTRUCTIONS_PER_STEP custom instructions (DMA A, DMA B, GEMM, RE accumulate;
//          multi-context GEMM instructions and auto-increment offsets, ISCA'25 §3.3)
//   in     (tm·tk + tk·tn) · s bytes through the PE's fabric interface; over the grid
//          A per PE and B per column from SRAM, cold operands once from DRAM
//   DPE    tm·tn·tk' / MACs-per-cycle (tk' the step's depth in whole passes of 32), plus loading
//          the cached operand B[tk×tn] from local memory (the DPE caches one tensor and streams
//          the other, ISCA'25 §3.2): tk·tn·s / local-memory bytes per cycle
//   RE     tm·tn float32 partial sums accumulated per step
//   SE,out the output tile converted to the output dtype and written back, once per tile
// and the last tile's conversion, write-back and K-split reduction drain the pipeline.
//
// The systolic teaching profile (systolic.ts) keeps all of this but the DPE and the search:
// the GEMM is tiled (the largest tiles and tk, K split only to fill an under-used grid),
// moved, issued, accumulated and converted as above, and its DPE stage becomes the one systolic
// array's cycles for the whole GEMM (SCALE-Sim v2's reported compute cycles, per batch, summed),
// spread evenly over the pipeline's steps. cycles.compute and cycles.dpe are then exactly
// SCALE-Sim's number; launch, memories and the other engines stay the MTIA model around it.

import { DTYPE_FLOAT32, DTYPE_INT8 } from "../abi";
import { ENGINE_DPE } from "../layout";
import {
  dmaDescriptorCycles, dpeFp16MacsPerCycle, dpeFp32MacsPerCycle, dpeInt8MacsPerCycle, issueCyclesPerInstruction,
  localMemoryBytes, localMemoryBytesPerCycle, peCols, peCount, reElementsPerCycle,
  reductionLinkBytesPerCycle, seElementsPerCycle,
} from "../profile";
import {
  RECORD_BODY_CYCLES, RECORD_COMPUTE_CYCLES, RECORD_DPE_CYCLES, RECORD_DRAM_BYTES, RECORD_FABRIC_CYCLES, RECORD_K_SPLIT,
  RECORD_LOCAL_MEMORY_BYTES, RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_TILE_K, RECORD_TILE_M,
  RECORD_SE_CYCLES, RECORD_TILE_N, RECORD_WORK, add, get, set,
} from "./record";
import { readOperand, writeOperand } from "./memory-levels";
import { runPipeline, setStages } from "./pipeline";
import { hasSystolicArray, systolicMacsPerCycle, timeSystolic } from "./systolic";

/** Custom instructions a PE's RISC-V core issues per K step: DMA A, DMA B, GEMM, RE accumulate. */
export const GEMM_INSTRUCTIONS_PER_STEP: f64 = 4;
/** Custom instructions per output tile: SE convert, DMA out, tile setup. */
export const GEMM_INSTRUCTIONS_PER_TILE: f64 = 3;
/** Largest output tile side, and the DPE tile width every tile side (and K pass) is a multiple of. */
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

/** Output tile rows of the mapping chooseGemmMapping() chose (a multiple of DPE_TILE). */
export let mappingTileM: f64 = 0;
/** Output tile columns of the chosen mapping (a multiple of DPE_TILE). */
export let mappingTileN: f64 = 0;
/** PEs sharing one output tile's K in the chosen mapping (1: no split). */
export let mappingKSplit: f64 = 0;
/** K steps each PE takes per output tile in the chosen mapping. */
export let mappingStepsPerTile: f64 = 0;

/**
 * Deepest K step, in DPE passes of 32, that fits local memory for a tm × tn tile of `size`-byte
 * operands beside its float32 accumulator (at least one pass).
 */
export function gemmMaxStepPasses(tm: f64, tn: f64, size: f64): f64 {
  return max(1, Math.floor((localMemoryBytes - tm * tn * 4) / (2 * (tm + tn) * size) / DPE_TILE));
}

/** What stageGemm() set up for runPipeline(): pipeline steps, PEs, drain cycles; the step's K. */
let stagedSteps: f64 = 0;
let stagedPes: f64 = 0;
let stagedDrain: f64 = 0;
let stagedTileK: f64 = 0;
let stagedSramBytes: f64 = 0;
let stagedLocalMemoryBytes: f64 = 0;

/**
 * Sets the pipeline's stages for the GEMM mapped as tm × tn tiles, `kSplit` PEs per tile and
 * `stepsPerTile` K steps per PE, and leaves its steps, PEs, drain and bytes in staged*.
 * `dpeTotal` > 0: the DPE stage is that many cycles over all the steps (the systolic array).
 */
function stageGemm(
  batches: f64, m: f64, n: f64, k: f64, dtype: u32, size: f64, outSize: f64, biasBytes: f64,
  tm: f64, tn: f64, kSplit: f64, stepsPerTile: f64, dpeTotal: f64,
): void {
  const tilesM = Math.ceil(m / tm);
  const tiles = batches * tilesM * Math.ceil(n / tn);
  const pes = min(peCount, tiles * kSplit);
  const waves = Math.ceil((tiles * kSplit) / peCount);
  const steps = waves * stepsPerTile;
  // The slowest PE's slice of K, in whole DPE passes, and the bytes of K behind it.
  const passes = Math.ceil(Math.ceil(k / DPE_TILE) / kSplit);
  const dpeK = (passes * DPE_TILE) / stepsPerTile;
  const tk = min(k, passes * DPE_TILE) / stepsPerTile;

  // Bytes per step: each PE loads its A tile; B tiles are broadcast down PE columns, one fetch
  // feeding every PE of a column that works on a different row of tiles.
  const aTile = tm * tk * size;
  const bTile = tk * tn * size;
  const columnSharers = min(peCount / peCols, tilesM);
  const bFetches = Math.ceil(pes / columnSharers);
  const cTile = tm * tn * outSize;
  const accumulatorBytes = tm * tn * 4;
  stagedSramBytes = steps * (pes * aTile + bFetches * bTile) + tiles * cTile + biasBytes;
  stagedLocalMemoryBytes = pes * steps * (2 * (aTile + bTile) + 2 * accumulatorBytes) + tiles * 2 * cTile;

  const dpe = dpeTotal > 0
    ? dpeTotal / steps
    : tm * tn * dpeK / dpeMacsPerCycle(dtype) + bTile / localMemoryBytesPerCycle;
  // The RE accumulates the DPE's partial sums every step; with K split it also takes in, once
  // per tile, the neighbour's float32 partial tile over the reduction link and adds it.
  const accumulate = (tm * tn) / reElementsPerCycle;
  const partials = kSplit > 1 ? max(accumulate, accumulatorBytes / reductionLinkBytesPerCycle) : 0;
  const re = accumulate + partials / stepsPerTile;
  const convert = (tm * tn) / seElementsPerCycle;
  const issue = (GEMM_INSTRUCTIONS_PER_STEP + GEMM_INSTRUCTIONS_PER_TILE / stepsPerTile) * issueCyclesPerInstruction;
  setStages(issue, dpe, re, convert / stepsPerTile, 0, aTile + bTile, cTile / stepsPerTile, 2);
  // The last tile's conversion and write-back, and the K-split's partial sums flowing down a
  // chain of kSplit PEs (each link carries the tile's float32 partials, pipelined by vector).
  const vectorBytes = DPE_TILE * 4;
  const reduction = kSplit > 1 ? accumulatorBytes / reductionLinkBytesPerCycle + (kSplit - 1) * vectorBytes / reductionLinkBytesPerCycle : 0;
  stagedSteps = steps;
  stagedPes = pes;
  stagedDrain = convert + reduction;
  stagedTileK = tk;
}

// Side work of an implicit-GEMM conv beside its GEMM (conv.ts): the im2col gather's
// descriptors on each fabric interface and the fused epilogue's SE passes. Set by the conv
// lowering for one timeGemm() call, so that the search weighs each mapping by the conv's whole
// body (a larger tile gathers with fewer descriptors); zero for a plain GEMM.
let sideOutputWidth: f64 = 0;
let sideGather: bool = false;
let sideEpiloguePasses: f64 = 0;

/**
 * Declares the side work of the next timeGemm(): an im2col gather (`gather`) for an output
 * `outputWidth` pixels wide, and `epiloguePasses` SE passes per output; clearGemmSideWork() ends it.
 */
export function setGemmSideWork(outputWidth: f64, gather: bool, epiloguePasses: f64): void {
  sideOutputWidth = outputWidth;
  sideGather = gather;
  sideEpiloguePasses = epiloguePasses;
}

/** Ends the side work setGemmSideWork() declared: the next GEMMs have none. */
export function clearGemmSideWork(): void {
  setGemmSideWork(0, false, 0);
}

/** Output rows one gather descriptor covers at most (a tile's pixels of up to 3 output rows). */
export const GATHER_ROWS_PER_DESCRIPTOR: f64 = 3;

/**
 * The declared side work's fabric cycles (`fabric` true) or SE cycles per PE of a GEMM of
 * `batches` × M × N tiled tm × tn with K steps of `tk` over `steps` steps on `pes` PEs: per
 * step, one descriptor per output row and tap of the A tile; per output tile, its outputs'
 * epilogue passes (docs/timing-model.md "Convolution").
 */
export function gemmSideCycles(batches: f64, m: f64, n: f64, tm: f64, tn: f64, tk: f64, steps: f64, pes: f64, fabric: bool): f64 {
  const pixels = min(tm, m), channels = min(tn, n);
  if (fabric) {
    if (!sideGather) return 0;
    const rows = min(min(pixels, (pixels - 1) / max(sideOutputWidth, 1) + 1), GATHER_ROWS_PER_DESCRIPTOR);
    return max(1, steps) * rows * tk * dmaDescriptorCycles;
  }
  const tiles = batches * Math.ceil(m / tm) * Math.ceil(n / tn);
  return Math.ceil(tiles / max(1, min(pes, tiles))) * pixels * channels * sideEpiloguePasses / seElementsPerCycle;
}

/**
 * The body with `fabric` and `se` side cycles per PE added to the pipeline just run: one
 * step's share of them more, and at least either unit's total (conv.ts addGemmSideWork).
 */
export function bodyWithSideWork(body: f64, steps: f64, fabric: f64, se: f64): f64 {
  let total = body + (fabric + se) / max(1, steps);
  total = max(total, get(RECORD_FABRIC_CYCLES) + fabric);
  return max(total, get(RECORD_SE_CYCLES) + se);
}

/** Body cycles of the staged mapping by the pipeline's closed form, with `sramBase` bytes already on the record, and the declared side work. */
function stagedBody(batches: f64, m: f64, n: f64, tm: f64, tn: f64, sramBase: f64): f64 {
  set(RECORD_SRAM_BYTES, sramBase + stagedSramBytes);
  runPipeline(stagedSteps, stagedPes, stagedDrain, ENGINE_DPE);
  const body = get(RECORD_BODY_CYCLES);
  if (!sideGather && sideEpiloguePasses == 0) return body;
  const fabric = gemmSideCycles(batches, m, n, tm, tn, stagedTileK, stagedSteps, stagedPes, true);
  const se = gemmSideCycles(batches, m, n, tm, tn, stagedTileK, stagedSteps, stagedPes, false);
  return bodyWithSideWork(body, stagedSteps, fabric, se);
}

// The memo: MEMO_ENTRIES direct-mapped entries of MEMO_WORDS f64: the key (the shape, dtype,
// bias, the DRAM and SRAM bytes its operands already put on the record: cold and warm
// operands may map differently, and the declared side work), then the mapping: 8.5 KiB of the
// core's static data.
const MEMO_ENTRIES: u32 = 64;
const MEMO_KEY_WORDS: u32 = 13;
const MEMO_WORDS: u32 = MEMO_KEY_WORDS + 4;
const memo = memory.data(<i32>(MEMO_ENTRIES * MEMO_WORDS * 8), 8);
const memoKey = memory.data(<i32>(MEMO_KEY_WORDS * 8), 8);

/** Entry of the memo the key in memoKey hashes to. */
function memoEntry(): usize {
  let hash: u64 = 14695981039346656037;
  for (let i: u32 = 0; i < MEMO_KEY_WORDS; i++) {
    hash = (hash ^ load<u64>(memoKey + (<usize>i << 3))) * 1099511628211;
  }
  return memo + <usize>((<u32>(hash >> 32) % MEMO_ENTRIES) * MEMO_WORDS * 8);
}

/** True when `entry` holds the key in memoKey (a mapping's tm is never 0). */
function memoHit(entry: usize): bool {
  if (load<f64>(entry + (<usize>MEMO_KEY_WORDS << 3)) == 0) return false;
  for (let i: u32 = 0; i < MEMO_KEY_WORDS; i++) {
    if (load<u64>(entry + (<usize>i << 3)) != load<u64>(memoKey + (<usize>i << 3))) return false;
  }
  return true;
}

/**
 * Bodies within this fraction of the least are a tie, broken by the fewest SRAM bytes: a
 * compiler would not move twice the traffic for 0.1 % (a DRAM-bound FC layer's mappings all
 * wait on the same weight stream).
 */
export const GEMM_TIE_FRACTION: f64 = 0.001;

/** The search's state: the least body found, the tie limit, the fewest bytes within it. */
let searchBestBody: f64 = Infinity;
let searchLimit: f64 = Infinity;
let searchBestBytes: f64 = Infinity;

/**
 * One sweep over the legal mappings (see the file comment). `byBytes` false: keeps the least
 * body in searchBestBody and its mapping in mapping*; true: among bodies ≤ searchLimit keeps
 * the mapping of fewest staged SRAM bytes (the first in sweep order on a tie).
 */
function searchMappings(
  batches: f64, m: f64, n: f64, k: f64, dtype: u32, size: f64, outSize: f64, biasBytes: f64, sramBase: f64, byBytes: bool,
): void {
  const kPasses = Math.ceil(k / DPE_TILE);
  const tmMax = min(GEMM_MAX_TILE, roundUp(m, DPE_TILE));
  const tnMax = min(GEMM_MAX_TILE, roundUp(n, DPE_TILE));
  const splitMax = min(peCount, kPasses);
  const rate = dpeMacsPerCycle(dtype);
  // Largest tiles first: they are usually cheapest, and a good first bound prunes the rest.
  for (let tm = tmMax; tm >= DPE_TILE; tm -= DPE_TILE) {
    for (let tn = tnMax; tn >= DPE_TILE; tn -= DPE_TILE) {
      const stepPasses = gemmMaxStepPasses(tm, tn, size);
      const tiles = batches * Math.ceil(m / tm) * Math.ceil(n / tn);
      let lastPasses: f64 = 0;
      for (let kSplit: f64 = 1; kSplit <= splitMax; kSplit++) {
        // A larger split with the same slice only adds PEs and reduction: never cheaper.
        const passes = Math.ceil(kPasses / kSplit);
        if (passes == lastPasses) continue;
        lastPasses = passes;
        // The body is at least the busiest PE's DPE cycles, whatever the steps: skip the split
        // when that alone is no better (the search's result is the same, only faster).
        const dpeBound = Math.ceil((tiles * kSplit) / peCount) * tm * tn * passes * DPE_TILE / rate;
        if (byBytes ? dpeBound > searchLimit : dpeBound >= searchBestBody) continue;
        // Each deepest step that fits, from one pass to stepPasses: its number of steps.
        let lastSteps: f64 = 0;
        for (let deepest = stepPasses; deepest >= max(1, Math.ceil(stepPasses / 2)); deepest--) {
          const steps = Math.ceil(passes / deepest);
          if (steps == lastSteps) continue;
          lastSteps = steps;
          stageGemm(batches, m, n, k, dtype, size, outSize, biasBytes, tm, tn, kSplit, steps, 0);
          const body = stagedBody(batches, m, n, tm, tn, sramBase);
          const better = byBytes
            ? body <= searchLimit && stagedSramBytes < searchBestBytes
            : body < searchBestBody;
          if (better) {
            if (byBytes) searchBestBytes = stagedSramBytes;
            else searchBestBody = body;
            mappingTileM = tm;
            mappingTileN = tn;
            mappingKSplit = kSplit;
            mappingStepsPerTile = steps;
          }
        }
      }
    }
  }
}

/**
 * Chooses the cheapest legal mapping of the GEMM (see the file comment) into mapping*, given
 * the SRAM and DRAM bytes already on the record (its operands' reads: cold or warm). Writes
 * trial figures to the record; the caller stages and runs the chosen mapping after it.
 */
export function chooseGemmMapping(batches: f64, m: f64, n: f64, k: f64, dtype: u32, size: f64, outSize: f64, biasBytes: f64): void {
  const sramBase = get(RECORD_SRAM_BYTES);
  store<f64>(memoKey, batches);
  store<f64>(memoKey + 8, m);
  store<f64>(memoKey + 16, n);
  store<f64>(memoKey + 24, k);
  store<f64>(memoKey + 32, <f64>dtype);
  store<f64>(memoKey + 40, size);
  store<f64>(memoKey + 48, outSize);
  store<f64>(memoKey + 56, biasBytes);
  store<f64>(memoKey + 64, get(RECORD_DRAM_BYTES));
  store<f64>(memoKey + 72, sramBase);
  store<f64>(memoKey + 80, sideOutputWidth);
  store<f64>(memoKey + 88, sideGather ? 1 : 0);
  store<f64>(memoKey + 96, sideEpiloguePasses);
  const entry = memoEntry();
  if (memoHit(entry)) {
    mappingTileM = load<f64>(entry + (<usize>MEMO_KEY_WORDS << 3));
    mappingTileN = load<f64>(entry + (<usize>(MEMO_KEY_WORDS + 1) << 3));
    mappingKSplit = load<f64>(entry + (<usize>(MEMO_KEY_WORDS + 2) << 3));
    mappingStepsPerTile = load<f64>(entry + (<usize>(MEMO_KEY_WORDS + 3) << 3));
    return;
  }
  // Two sweeps: the least body, then among the mappings within GEMM_TIE_FRACTION of it the one
  // moving the fewest SRAM bytes (the DRAM bytes are the operands', the same for every mapping).
  searchBestBody = Infinity;
  searchMappings(batches, m, n, k, dtype, size, outSize, biasBytes, sramBase, false);
  searchLimit = searchBestBody * (1 + GEMM_TIE_FRACTION);
  searchBestBytes = Infinity;
  searchMappings(batches, m, n, k, dtype, size, outSize, biasBytes, sramBase, true);
  for (let i: u32 = 0; i < MEMO_KEY_WORDS; i++) store<u64>(entry + (<usize>i << 3), load<u64>(memoKey + (<usize>i << 3)));
  store<f64>(entry + (<usize>MEMO_KEY_WORDS << 3), mappingTileM);
  store<f64>(entry + (<usize>(MEMO_KEY_WORDS + 1) << 3), mappingTileN);
  store<f64>(entry + (<usize>(MEMO_KEY_WORDS + 2) << 3), mappingKSplit);
  store<f64>(entry + (<usize>(MEMO_KEY_WORDS + 3) << 3), mappingStepsPerTile);
  set(RECORD_SRAM_BYTES, sramBase);
}

/**
 * The systolic profile's fixed mapping into mapping*: the largest tiles and K steps, K split
 * only over the PEs the output tiles leave idle.
 */
function defaultGemmMapping(batches: f64, m: f64, n: f64, k: f64, size: f64): void {
  const tm = min(GEMM_MAX_TILE, roundUp(m, DPE_TILE));
  const tn = min(GEMM_MAX_TILE, roundUp(n, DPE_TILE));
  const stepPasses = gemmMaxStepPasses(tm, tn, size);
  const tiles = batches * Math.ceil(m / tm) * Math.ceil(n / tn);
  const kPasses = Math.ceil(k / DPE_TILE);
  const kSplit = tiles >= peCount ? 1 : min(Math.floor(peCount / tiles), Math.ceil(kPasses / stepPasses));
  mappingTileM = tm;
  mappingTileN = tn;
  mappingKSplit = kSplit;
  mappingStepsPerTile = Math.ceil(Math.ceil(kPasses / kSplit) / stepPasses);
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
  const systolic = hasSystolicArray();
  set(RECORD_WORK, batches * m * n * k);
  set(RECORD_PEAK_RATE, systolic ? systolicMacsPerCycle() : dpeMacsPerCycle(dtype) * peCount);
  if (batches * m * n * k == 0) {
    setStages(0, 0, 0, 0, 0, 0, 0, 0);
    runPipeline(1, 1, 0, ENGINE_DPE);
    return;
  }
  if (systolic) defaultGemmMapping(batches, m, n, k, size);
  else chooseGemmMapping(batches, m, n, k, dtype, size, outSize, biasBytes);

  // The array's cycles for the whole GEMM (systolic.ts), or the DPE's per step.
  const arrayCycles = systolic ? timeSystolic(batches, m, n, k) : 0;
  stageGemm(batches, m, n, k, dtype, size, outSize, biasBytes, mappingTileM, mappingTileN, mappingKSplit, mappingStepsPerTile, arrayCycles);
  add(RECORD_SRAM_BYTES, stagedSramBytes);
  add(RECORD_LOCAL_MEMORY_BYTES, stagedLocalMemoryBytes);
  runPipeline(stagedSteps, stagedPes, stagedDrain, ENGINE_DPE);
  if (systolic) {
    // Exactly SCALE-Sim's number, not steps × (number / steps) rounded; the record's tile is
    // the array's fold (systolic.ts).
    set(RECORD_DPE_CYCLES, arrayCycles);
    set(RECORD_COMPUTE_CYCLES, arrayCycles);
    set(RECORD_K_SPLIT, 1);
    return;
  }
  set(RECORD_TILE_M, mappingTileM);
  set(RECORD_TILE_N, mappingTileN);
  set(RECORD_TILE_K, stagedTileK);
  set(RECORD_K_SPLIT, mappingKSplit);
}
