// Normalisation ops streamed through the grid (streaming.ts) with the passes their kernels make
// per element (ops/normalization.ts):
//
//   batch norm (inference)  SE: one fused scale-shift pass y = x·a[c] + b[c]; before it, per
//                           channel, a = w/√(var + eps), b = bias − mean·a: 3 plain passes and
//                           one LUT (rsqrt) per channel
//   group norm              RE: sum and sum of squares (2 passes); SE: one fused scale-shift pass;
//                           per (sample, group) an rsqrt (LUT) and 2 plain passes folding the
//                           statistics (with weight and bias) into each channel's a and b
//   RMS norm                SE: square (1 pass), RE: sum (1 pass), SE: scale by the row's rsqrt
//                           (1 pass) and by the weight (1 pass, when there is one); per row an
//                           rsqrt (LUT) and 2 plain passes
//
// The per-channel and per-group work is spread over the elements as extra SE passes:
//
//   SE passes per element = element passes + statistics · per-statistic passes / elements
//
// A group stays in local memory between its statistics and its normalising pass when it fits
// in half of it (double-buffered); a larger group is read twice from SRAM.

import { ENGINE_SE } from "../layout";
import { localMemoryBytes, peCount, seElementsPerCycle } from "../profile";
import { sePasses } from "./elementwise";
import { timeStreaming } from "./streaming";

/** OP_NORM kinds (ops/normalization.ts). */
const NORM_BATCH: u32 = 0;
const NORM_GROUP: u32 = 1;

/**
 * Times an OP_NORM of `kind` over `elements` (`inBytes` in, `outBytes` out) whose groups are
 * `groupBytes` of input each, with `statistics` per-channel (batch norm) or per-group
 * statistics to fold, and a weight or not.
 */
export function timeNormalization(kind: u32, elements: f64, inBytes: f64, outBytes: f64, groupBytes: f64, statistics: f64, weighted: bool): void {
  let elementPasses: f64 = 1;
  let rePasses: f64 = 0;
  let statisticPasses = sePasses(3, 1);
  if (kind == NORM_GROUP) {
    rePasses = 2;
    statisticPasses = sePasses(2, 1);
  } else if (kind != NORM_BATCH) {
    elementPasses = weighted ? 3 : 2;
    rePasses = 1;
    statisticPasses = sePasses(2, 1);
  }
  const passes = elements > 0 ? elementPasses + (statistics * statisticPasses) / elements : 0;
  const rereads = kind != NORM_BATCH && groupBytes > localMemoryBytes / 2 ? 2 : 1;
  timeStreaming(elements, inBytes * rereads, outBytes, passes, rePasses, 0, ENGINE_SE, elements * passes, seElementsPerCycle * peCount, 0);
}
