// Convolution and pooling on the PE grid (docs/timing-model.md "Convolution", "Pooling").
//
//   conv2d, groups < C_in ──► implicit GEMM per group (batches = groups), timeGemm's mapping:
//                               M = N·OH·OW (output pixels), N = C_out/groups,
//                               K = (C_in/groups)·kH·kW
//                             the im2col matrix is never materialised: each PE's DMA gathers
//                             its A tiles from the real input tensor, one descriptor per im2col
//                             row segment (one (n, oh, c_in, kh, kw): OW elements at stride sW),
//                             fetched once per column of output tiles (⌈(C_out/groups)/128⌉)
//   depthwise (groups = C_in = C_out) ──► SE streaming: kH·kW multiply-add passes per output
//   conv_transpose2d ──► the GEMM of its scatter form: M = N·H·W (input pixels),
//                        N = (C_out/groups)·kH·kW, K = C_in/groups; the col2im overlap-add is
//                        one SE pass per GEMM output
//   fused activation ──► its SE passes per output element added to the epilogue
//   max pool ──► SE streaming, one pass per window element; avg pool ──► RE, one pass per window
//                element, and one SE pass (the divide) per output; the input is read once
//
// The gather's descriptors and the epilogue's SE passes are work of the PEs' fabric interfaces
// and SEs beside the GEMM's pipeline (addGemmSideWork): each unit is pipelined, so the body
// grows by the last tile's share of them and is at least the busiest unit's total.

import { ENGINE_RE, ENGINE_SE } from "../layout";
import { dmaDescriptorCycles, peCount, reElementsPerCycle, seElementsPerCycle } from "../profile";
import {
  BOUND_COMPUTE, BOUND_SRAM, RECORD_BODY_CYCLES, RECORD_BOUND, RECORD_FABRIC_CYCLES, RECORD_PES, RECORD_SE_CYCLES,
  RECORD_STEPS, get, set,
} from "./record";
import { GEMM_MAX_TILE, timeGemm } from "./gemm";
import { timeStreaming } from "./streaming";

/**
 * Adds `descriptors` DMA descriptors (over all PEs) to the fabric interfaces and `sePasses`
 * element passes (over all PEs) to the SEs of the GEMM just timed: per PE the units' busy
 * cycles grow by their share; the body by the last step's share, and to at least either unit's
 * total busy cycles.
 */
export function addGemmSideWork(descriptors: f64, sePasses: f64): void {
  const pes = max(1, get(RECORD_PES));
  const steps = max(1, get(RECORD_STEPS));
  const fabric = get(RECORD_FABRIC_CYCLES) + descriptors * dmaDescriptorCycles / pes;
  const se = get(RECORD_SE_CYCLES) + sePasses / seElementsPerCycle / pes;
  const grown = get(RECORD_BODY_CYCLES) + (descriptors * dmaDescriptorCycles + sePasses / seElementsPerCycle) / pes / steps;
  let body = grown;
  if (fabric > body) {
    body = fabric;
    set(RECORD_BOUND, <f64>BOUND_SRAM);
  }
  if (se > body) {
    body = se;
    set(RECORD_BOUND, <f64>BOUND_COMPUTE);
  }
  set(RECORD_FABRIC_CYCLES, fabric);
  set(RECORD_SE_CYCLES, se);
  set(RECORD_BODY_CYCLES, body);
}

/**
 * Times conv2d as an implicit GEMM (see the file comment): input [n, cIn, h, w] gathered for
 * an output of [n, cOut, oh, ow] with a kH × kW kernel in `groups` groups; operand spans as
 * timeGemm takes them; `epiloguePasses` SE passes per output of the fused activation.
 */
export function timeConvGemm(
  n: f64, cIn: f64, cOut: f64, oh: f64, ow: f64, kH: f64, kW: f64, groups: f64, epiloguePasses: f64,
  dtype: u32, size: f64, input: f64, inputBytes: f64, weight: f64, weightBytes: f64,
  bias: f64, biasBytes: f64, out: f64, outBytes: f64,
): void {
  const cOutPerGroup = cOut / groups;
  timeGemm(groups, n * oh * ow, cOutPerGroup, (cIn / groups) * kH * kW, dtype, size, size,
    input, inputBytes, weight, weightBytes, bias, biasBytes, out, outBytes);
  const descriptors = n * oh * cIn * kH * kW * Math.ceil(cOutPerGroup / GEMM_MAX_TILE);
  addGemmSideWork(descriptors, n * cOut * oh * ow * epiloguePasses);
}

/**
 * Times conv_transpose2d of input [n, cIn, h, w] into [n, cOut, oh, ow] (kH × kW, `groups`)
 * as its scatter GEMM plus one SE overlap-add pass per GEMM output and the activation's.
 */
export function timeConvTransposeGemm(
  n: f64, cIn: f64, h: f64, w: f64, cOut: f64, oh: f64, ow: f64, kH: f64, kW: f64, groups: f64, epiloguePasses: f64,
  dtype: u32, size: f64, input: f64, inputBytes: f64, weight: f64, weightBytes: f64,
  bias: f64, biasBytes: f64, out: f64, outBytes: f64,
): void {
  const columns = (cOut / groups) * kH * kW;
  timeGemm(groups, n * h * w, columns, cIn / groups, dtype, size, size,
    input, inputBytes, weight, weightBytes, bias, biasBytes, out, outBytes);
  addGemmSideWork(0, groups * n * h * w * columns + n * cOut * oh * ow * epiloguePasses);
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
