// Convolution and pooling on the PE grid (docs/timing-model.md "Convolution", "Pooling").
//
//   conv2d ──► implicit GEMM per group (batches = groups), timeGemm's mapping:
//                M = N·OH·OW (output pixels), N = C_out/groups, K = (C_in/groups)·kH·kW
//              the im2col matrix is never materialised: each PE's DMA gathers its A tiles
//              from the real input tensor, one strided descriptor per im2col row segment (the
//              tile's pixels of one output row for one tap (c_in, kh, kw): up to OW elements
//              at stride sW); a plain 1×1 conv (stride 1, no padding) needs none: its A is the
//              input itself (transposed), a GEMM operand as it is
//   depthwise (groups > 1, C_in/groups = 1, as groups = C_in = C_out) ──► SE streaming:
//              kH·kW multiply-add passes per output
//   conv_transpose2d ──► the GEMM of its scatter form: M = N·H·W (input pixels),
//                        N = (C_out/groups)·kH·kW, K = C_in/groups; the col2im overlap-add is
//                        one SE pass per GEMM output
//   fused activation ──► its SE passes per output element added to the epilogue
//   max pool ──► SE streaming, one pass per window element; avg pool ──► RE, one pass per window
//                element, and one SE pass (the divide) per output; the input is read once
//
// The gather's descriptors and the epilogue's SE passes are work of each PE's fabric interface
// and SE beside the GEMM's pipeline, per step and per output tile as timeGemm tiled it (the
// record's tile tm × tn × tk, steps and PEs):
//
//   gather    per step, the A tile's p = min(tm, M) pixels span (p − 1)/OW + 1 output rows (at
//             most p), one descriptor per row and tap: ((p − 1)/OW + 1) · tk · dmaDescriptorCycles
//   epilogue  per output tile, min(tm, M) · min(tn, N) · passes / SE rate; a PE finishes
//             ⌈tiles / PEs⌉ tiles
//
// Each unit is pipelined beside the others (addGemmSideWork): the body grows by one step's
// share of the added work, and is at least either unit's total busy cycles. The GEMM mapping
// search weighs every mapping with this side work (gemm.ts setGemmSideWork), so a conv's tiling
// is chosen by the conv's whole body: larger tiles gather with fewer descriptors.

import { ENGINE_RE, ENGINE_SE } from "../layout";
import { peCount, reElementsPerCycle, seElementsPerCycle } from "../profile";
import {
  BOUND_COMPUTE, BOUND_FABRIC, BOUND_ISSUE, RECORD_BODY_CYCLES, RECORD_BOUND, RECORD_FABRIC_CYCLES,
  RECORD_PATH_CYCLES, RECORD_PES, RECORD_SE_CYCLES, RECORD_STEPS, RECORD_TILE_K, RECORD_TILE_M, RECORD_TILE_N, add, get, set,
} from "./record";
import { clearGemmSideWork, gemmSideCycles, setGemmSideWork, timeGemm } from "./gemm";
import { timeStreaming } from "./streaming";

/**
 * Adds `fabricCycles` to each PE's fabric interface and `seCycles` to its SE after the GEMM
 * just timed: the body grows by one step's share of them, and to at least either unit's total
 * (then the whole body is that unit's on the record's path).
 */
export function addGemmSideWork(fabricCycles: f64, seCycles: f64): void {
  const steps = max(1, get(RECORD_STEPS));
  const fabric = get(RECORD_FABRIC_CYCLES) + fabricCycles;
  const se = get(RECORD_SE_CYCLES) + seCycles;
  let body = get(RECORD_BODY_CYCLES) + (fabricCycles + seCycles) / steps;
  add(RECORD_PATH_CYCLES + BOUND_FABRIC, fabricCycles / steps);
  add(RECORD_PATH_CYCLES + BOUND_COMPUTE, seCycles / steps);
  if (fabric > body) {
    body = fabric;
    set(RECORD_BOUND, <f64>BOUND_FABRIC);
    onlyOnPath(BOUND_FABRIC, body);
  }
  if (se > body) {
    body = se;
    set(RECORD_BOUND, <f64>BOUND_COMPUTE);
    onlyOnPath(BOUND_COMPUTE, body);
  }
  set(RECORD_FABRIC_CYCLES, fabric);
  set(RECORD_SE_CYCLES, se);
  set(RECORD_BODY_CYCLES, body);
}

/** Puts the whole body of `cycles` on the record's path at `bound`: one unit's total set it. */
function onlyOnPath(bound: u32, cycles: f64): void {
  for (let b: u32 = BOUND_ISSUE; b <= BOUND_FABRIC; b++) set(RECORD_PATH_CYCLES + b, 0);
  set(RECORD_PATH_CYCLES + bound, cycles);
}

/**
 * The side work setGemmSideWork() declared for the implicit GEMM of `batches` × M × N just
 * timed, added to its body (the same cycles the mapping search weighed); then cleared.
 */
function addConvSideWork(batches: f64, m: f64, n: f64): void {
  const tm = get(RECORD_TILE_M), tn = get(RECORD_TILE_N), tk = get(RECORD_TILE_K);
  const steps = get(RECORD_STEPS), pes = get(RECORD_PES);
  const fabric = tm > 0 && tn > 0 ? gemmSideCycles(batches, m, n, tm, tn, tk, steps, pes, true) : 0;
  const se = tm > 0 && tn > 0 ? gemmSideCycles(batches, m, n, tm, tn, tk, steps, pes, false) : 0;
  clearGemmSideWork();
  if (fabric > 0 || se > 0) addGemmSideWork(fabric, se);
}

/**
 * Times conv2d as an implicit GEMM (see the file comment): input [n, cIn, h, w] gathered for
 * an output of [n, cOut, oh, ow] with a kH × kW kernel in `groups` groups; operand spans as
 * timeGemm takes them; `gather` false for a plain 1×1 conv; `epiloguePasses` SE passes per
 * output of the fused activation.
 */
export function timeConvGemm(
  n: f64, cIn: f64, cOut: f64, oh: f64, ow: f64, kH: f64, kW: f64, groups: f64, gather: bool, epiloguePasses: f64,
  dtype: u32, size: f64, input: f64, inputBytes: f64, weight: f64, weightBytes: f64,
  bias: f64, biasBytes: f64, out: f64, outBytes: f64,
): void {
  const m = n * oh * ow, columns = cOut / groups;
  setGemmSideWork(ow, gather, epiloguePasses);
  timeGemm(groups, m, columns, (cIn / groups) * kH * kW, dtype, size, size,
    input, inputBytes, weight, weightBytes, bias, biasBytes, out, outBytes);
  addConvSideWork(groups, m, columns);
}

/**
 * Times conv_transpose2d of input [n, cIn, h, w] into [n, cOut, oh, ow] (kH × kW, `groups`)
 * as its scatter GEMM; its epilogue is one SE overlap-add pass per GEMM output plus
 * `epiloguePasses` (the activation).
 */
export function timeConvTransposeGemm(
  n: f64, cIn: f64, h: f64, w: f64, cOut: f64, kH: f64, kW: f64, groups: f64, epiloguePasses: f64,
  dtype: u32, size: f64, input: f64, inputBytes: f64, weight: f64, weightBytes: f64,
  bias: f64, biasBytes: f64, out: f64, outBytes: f64,
): void {
  const m = n * h * w, columns = (cOut / groups) * kH * kW;
  setGemmSideWork(w, false, 1 + epiloguePasses);
  timeGemm(groups, m, columns, cIn / groups, dtype, size, size,
    input, inputBytes, weight, weightBytes, bias, biasBytes, out, outBytes);
  addConvSideWork(groups, m, columns);
}

/**
 * Times a depthwise conv2d on the SEs: `outputs` elements, each kH·kW multiply-add passes
 * plus `epiloguePasses` (the activation), reading `inBytes` (input and weights) and writing `outBytes`.
 */
export function timeDepthwise(outputs: f64, kernelElements: f64, inBytes: f64, outBytes: f64, epiloguePasses: f64): void {
  const passes = kernelElements + epiloguePasses;
  timeStreaming(outputs, inBytes, outBytes, passes, 0, 0, ENGINE_SE, outputs * passes, seElementsPerCycle * peCount, 0);
}

/**
 * Times a pooling op of `outputs` elements over `windowElements` window elements in all,
 * reading `inBytes` once and writing `outBytes`: max on the SE (a compare per window element),
 * average on the RE (an accumulate per window element) and one SE divide per output.
 */
export function timePool(outputs: f64, windowElements: f64, inBytes: f64, outBytes: f64, average: bool): void {
  const perOutput = outputs > 0 ? windowElements / outputs : 0;
  if (average) {
    timeStreaming(outputs, inBytes, outBytes, 1, perOutput, 0, ENGINE_RE, windowElements, reElementsPerCycle * peCount, 0);
  } else {
    timeStreaming(outputs, inBytes, outBytes, perOutput, 0, 0, ENGINE_SE, windowElements, seElementsPerCycle * peCount, 0);
  }
}
