// int8 quantization on the PE grid (ISCA'25 §3.2: the RE computes per-row min/max for dynamic
// quantization, the SE scales and converts), streamed as streaming.ts describes:
//
//   quantize / dequantize per tensor   SE: one pass (scale, round, saturate and convert)
//   dequantize per row                 SE: one pass, the row's scale read beside it
//   dynamic per-row quantization       RE: one pass (the row's min/max, hence max|x|);
//                                      SE: one pass (scale by 127 / max|x|, round, convert)
//
// A row that fits local memory stays there between its RE and SE passes (read once, written
// once), as a softmax row does; a longer row is read twice, the min/max pass and then the
// scale-and-convert pass that writes, each its own pipeline (reductions.ts, long rows). The int8 GEMM is gemm.ts at the DPE's int8 rate; its SE
// epilogue (int32 → float32 times the row and column scales, plus bias) is the GEMM's one
// output conversion pass per element.

import { timeElementwise } from "./elementwise";
import { timeStatThenMapRows } from "./reductions";

/** SE passes per element of a quantize or dequantize: one fused scale-round-convert (assumed). */
export const QUANTIZE_SE_PASSES: f64 = 1;
/** RE passes per element of dynamic quantization: the per-row min/max (ISCA'25 §3.2). */
export const DYNAMIC_QUANTIZE_RE_PASSES: f64 = 1;

/** Times a per-tensor quantize or a dequantize of `elements` (`inBytes` read, `outBytes` written). */
export function timeQuantize(elements: f64, inBytes: f64, outBytes: f64): void {
  timeElementwise(elements, inBytes, outBytes, QUANTIZE_SE_PASSES);
}

/**
 * Times a dynamic per-row quantization of `elements` in rows of `length` elements of `inSize`
 * bytes (`outBytes`: the int8 values and the scales); a row longer than local memory holds
 * takes a second read (timeStatThenMapRows).
 */
export function timeDynamicQuantizeRows(elements: f64, length: f64, inSize: f64, outBytes: f64): void {
  timeStatThenMapRows(elements, length, inSize, outBytes, DYNAMIC_QUANTIZE_RE_PASSES, QUANTIZE_SE_PASSES);
}
