// Reductions and row ops through the reduction engine (RE) and the SIMD engine (SE):
//
//   reduce (sum, mean, max, min, argmax)   RE: one accumulate pass per input element
//   softmax, log-softmax                    RE: max, sum of exp (2 passes); SE: exp (LUT) and
//                                           the normalising pass
//   layer norm                              RE: mean, variance (2 passes); SE: normalise and
//                                           the affine pass
//
// A row op's reductions depend on each other (the sum of exp needs the max, the normalising
// pass needs both), so its passes over a row are sequential. How the kernel makes them depends
// on the row's length against local memory (rowFitsLocalMemory):
//
//   row fits     the row is read once into local memory and stays there between its passes;
//                it is written once. Rows stream like elementwise ops (streaming.ts) with
//                more work per element (timeRows).
//   row too long the row cannot stay: every pass re-reads it from SRAM (or DRAM, when the rows
//                in flight do not fit in the SRAM either: a scan longer than an LRU cache
//                misses throughout), as PyTorch's cunn_SoftMaxForward does for rows too long
//                for shared memory (aten/src/ATen/native/cuda/SoftMax.cu: a max pass, a
//                sum-of-exp pass, and an epilogue that recomputes exp and writes):
//                  softmax      max (RE) │ exp, sum (SE LUT, RE) │ exp, scale, write (SE LUT + 1)
//                  log-softmax  max (RE) │ exp, sum (SE LUT, RE) │ x − max − log sum, write (SE 1)
//                  layer norm   mean (RE) │ variance (RE) │ normalise, affine, write (SE 2)
//                Each pass is its own pipeline (a fresh DMA stream, with its latency and
//                fill); the op's time is their sum. The few bytes of partial results the PEs
//                sharing a row combine after each pass are left out.

import { ENGINE_RE, ENGINE_SE } from "../layout";
import { localMemoryBytes, peCount, reElementsPerCycle, sramBytes, seElementsPerCycle } from "../profile";
import {
  RECORD_BODY_CYCLES, RECORD_BOUND, RECORD_COMPUTE_CYCLES, RECORD_DPE_CYCLES, RECORD_DRAM_BYTES,
  RECORD_FABRIC_BUSY_CYCLES, RECORD_FABRIC_CYCLES, RECORD_ISSUE_CYCLES, RECORD_MLU_CYCLES, RECORD_PEAK_RATE,
  RECORD_PATH_CYCLES, RECORD_RE_CYCLES, RECORD_SE_CYCLES, RECORD_SRAM_BYTES, RECORD_WORK, get, set,
} from "./record";
import { sePasses } from "./elementwise";
import { timeStreaming } from "./streaming";

/** Times a reduction of `elements` inputs (`inBytes`) into outputs of `outBytes`. */
export function timeReduction(elements: f64, inBytes: f64, outBytes: f64): void {
  timeStreaming(elements, inBytes, outBytes, 0, 1, 0, ENGINE_RE, elements, reElementsPerCycle * peCount, 0);
}

/**
 * Times a row op over `elements` (`inBytes` in, `outBytes` out) whose rows stay in local memory:
 * `rePasses` RE passes and `plainPasses` plain plus `lutFunctions` LUT SE passes per element.
 */
export function timeRows(elements: f64, inBytes: f64, outBytes: f64, rePasses: f64, plainPasses: f64, lutFunctions: f64): void {
  const passes = sePasses(plainPasses, lutFunctions);
  timeStreaming(elements, inBytes, outBytes, passes, rePasses, 0, ENGINE_SE, elements * passes, seElementsPerCycle * peCount, 0);
}

/**
 * Whether a row of `rowBytes` stays in local memory between its passes when `rows` rows share
 * the grid: a row gets the local memory of the PEs it is spread over (all 64 for one row, one
 * for 64 rows or more), half of it, since the next row's tiles are double-buffered beside it.
 */
export function rowFitsLocalMemory(rows: f64, rowBytes: f64): bool {
  const pesPerRow = max(1, Math.floor(peCount / max(rows, 1)));
  return rowBytes <= (pesPerRow * localMemoryBytes) / 2;
}

/**
 * Times softmax (or log-softmax, `logarithm`) over `elements` in rows of `length`, read in
 * `inSize`-byte and written in `outSize`-byte elements; the caller has declared its operands.
 */
export function timeSoftmax(elements: f64, length: f64, inSize: f64, outSize: f64, logarithm: bool): void {
  const rows = length > 0 ? elements / length : 0;
  if (elements <= 0 || rowFitsLocalMemory(rows, length * inSize)) {
    timeRows(elements, elements * inSize, elements * outSize, 2, 1, 1);
    return;
  }
  beginPasses(elements, rows, length * inSize);
  rowPass(elements * inSize, 0, 1, 0);
  rowPass(elements * inSize, 0, 1, sePasses(0, 1));
  rowPass(elements * inSize, elements * outSize, 0, logarithm ? sePasses(1, 0) : sePasses(1, 1));
  endPasses();
}

/** Times layer norm over `elements` in rows of `length` (`inSize` bytes in, `outSize` out); operands declared. */
export function timeLayerNorm(elements: f64, length: f64, inSize: f64, outSize: f64): void {
  const rows = length > 0 ? elements / length : 0;
  if (elements <= 0 || rowFitsLocalMemory(rows, length * inSize)) {
    timeRows(elements, elements * inSize, elements * outSize, 2, 2, 0);
    return;
  }
  beginPasses(elements, rows, length * inSize);
  rowPass(elements * inSize, 0, 1, 0);
  rowPass(elements * inSize, 0, 1, 0);
  rowPass(elements * inSize, elements * outSize, 0, sePasses(2, 0));
  endPasses();
}

/**
 * Times a row op of one statistics pass then one mapping pass that writes (dynamic per-row
 * quantization: the row's min/max on the RE, then scale, round and convert on the SE) over
 * `elements` in rows of `length` (`inSize` bytes each; `outBytes` written in all): one read
 * when a row fits local memory, else the statistics pass and a second pass that re-reads the
 * row and writes, each its own pipeline (see the file comment).
 */
export function timeStatThenMapRows(elements: f64, length: f64, inSize: f64, outBytes: f64, rePasses: f64, mapSePasses: f64): void {
  const rows = length > 0 ? elements / length : 0;
  if (elements <= 0 || rowFitsLocalMemory(rows, length * inSize)) {
    timeRows(elements, elements * inSize, outBytes, rePasses, mapSePasses, 0);
    return;
  }
  beginPasses(elements, rows, length * inSize);
  rowPass(elements * inSize, 0, rePasses, 0);
  rowPass(elements * inSize, outBytes, 0, sePasses(mapSePasses, 0));
  endPasses();
}

// The passes of a row op whose rows do not fit in local memory, summed into the record.
let passElements: f64 = 0;
/** DRAM bytes of the pass to come: the declared operands' for the first, re-reads after. */
let passDramBytes: f64 = 0;
/** DRAM bytes a re-read of all the rows costs (0 when the rows in flight stay in SRAM). */
let rereadDramBytes: f64 = 0;
let sumBody: f64 = 0;
let sumIssue: f64 = 0;
let sumDpe: f64 = 0;
let sumRe: f64 = 0;
let sumSe: f64 = 0;
let sumMlu: f64 = 0;
let sumFabric: f64 = 0;
let sumFabricBusy: f64 = 0;
let sumCompute: f64 = 0;
let sumSram: f64 = 0;
let sumDram: f64 = 0;
let sumWork: f64 = 0;
/** The passes' record paths (record.ts), summed field by field: 8 f64. */
const sumPath = memory.data(64, 8);
let longestBody: f64 = -1;
let longestBound: f64 = 0;

/** Starts timing `elements` in `rows` rows of `rowBytes` pass by pass. */
function beginPasses(elements: f64, rows: f64, rowBytes: f64): void {
  passElements = elements;
  passDramBytes = get(RECORD_DRAM_BYTES);
  const inFlightBytes = min(rows, peCount) * rowBytes;
  rereadDramBytes = inFlightBytes > sramBytes ? rows * rowBytes : 0;
  sumBody = sumIssue = sumDpe = sumRe = sumSe = sumMlu = sumFabric = sumFabricBusy = sumCompute = 0;
  sumSram = sumDram = sumWork = 0;
  memory.fill(sumPath, 0, 64);
  longestBody = -1;
  longestBound = 0;
}

/** One pass over every row: reads `readBytes`, writes `writeBytes`, with per element `rePasses` RE and `sePassCount` SE passes. */
function rowPass(readBytes: f64, writeBytes: f64, rePasses: f64, sePassCount: f64): void {
  set(RECORD_SRAM_BYTES, 0);
  set(RECORD_DRAM_BYTES, passDramBytes);
  const work = passElements * sePassCount;
  timeStreaming(passElements, readBytes, writeBytes, sePassCount, rePasses, 0, ENGINE_SE, work, seElementsPerCycle * peCount, 0);
  const body = get(RECORD_BODY_CYCLES);
  sumBody += body;
  sumIssue += get(RECORD_ISSUE_CYCLES);
  sumDpe += get(RECORD_DPE_CYCLES);
  sumRe += get(RECORD_RE_CYCLES);
  sumSe += get(RECORD_SE_CYCLES);
  sumMlu += get(RECORD_MLU_CYCLES);
  sumFabric += get(RECORD_FABRIC_CYCLES);
  sumFabricBusy += get(RECORD_FABRIC_BUSY_CYCLES);
  sumCompute += get(RECORD_COMPUTE_CYCLES);
  sumSram += get(RECORD_SRAM_BYTES);
  sumDram += passDramBytes;
  sumWork += work;
  for (let b: u32 = 0; b < 8; b++) {
    const at = sumPath + (<usize>b << 3);
    store<f64>(at, load<f64>(at) + get(RECORD_PATH_CYCLES + b));
  }
  if (body > longestBody) {
    longestBody = body;
    longestBound = get(RECORD_BOUND);
  }
  passDramBytes = rereadDramBytes;
}

/** Writes the passes' sums to the record; the bound is the longest pass's. */
function endPasses(): void {
  set(RECORD_BODY_CYCLES, sumBody);
  set(RECORD_BOUND, longestBound);
  for (let b: u32 = 0; b < 8; b++) set(RECORD_PATH_CYCLES + b, load<f64>(sumPath + (<usize>b << 3)));
  set(RECORD_ISSUE_CYCLES, sumIssue);
  set(RECORD_DPE_CYCLES, sumDpe);
  set(RECORD_RE_CYCLES, sumRe);
  set(RECORD_SE_CYCLES, sumSe);
  set(RECORD_MLU_CYCLES, sumMlu);
  set(RECORD_FABRIC_CYCLES, sumFabric);
  set(RECORD_FABRIC_BUSY_CYCLES, sumFabricBusy);
  set(RECORD_COMPUTE_CYCLES, sumCompute);
  set(RECORD_SRAM_BYTES, sumSram);
  set(RECORD_DRAM_BYTES, sumDram);
  set(RECORD_WORK, sumWork);
  set(RECORD_PEAK_RATE, seElementsPerCycle * peCount);
}
