// Reductions and row ops through the reduction engine (RE) and the SIMD engine (SE):
//
//   reduce (sum, mean, max, min, argmax)   RE: one accumulate pass per input element
//   softmax, log-softmax                    RE: max, sum of exp (2 passes); SE: exp (LUT) and
//                                           the normalising pass
//   layer norm                              RE: mean, variance (2 passes); SE: normalise and
//                                           the affine pass
//
// A row stays in local memory between its passes (it is read once and written once), so
// rows stream like elementwise ops (streaming.ts) with more work per element.

import { ENGINE_RE, ENGINE_SE } from "../layout";
import { peCount, reElementsPerCycle, seElementsPerCycle } from "../profile";
import { sePasses } from "./elementwise";
import { timeStreaming } from "./streaming";

/** Times a reduction of `elements` inputs (`inBytes`) into outputs of `outBytes`. */
export function timeReduction(elements: f64, inBytes: f64, outBytes: f64): void {
  timeStreaming(elements, inBytes, outBytes, 0, 1, 0, ENGINE_RE, elements, reElementsPerCycle * peCount, 0);
}

/**
 * Times a row op over `elements` (`inBytes` in, `outBytes` out): `rePasses` RE passes and
 * `plainPasses` plain plus `lutFunctions` LUT SE passes per element.
 */
export function timeRows(elements: f64, inBytes: f64, outBytes: f64, rePasses: f64, plainPasses: f64, lutFunctions: f64): void {
  const passes = sePasses(plainPasses, lutFunctions);
  timeStreaming(elements, inBytes, outBytes, passes, rePasses, 0, ENGINE_SE, elements * passes, seElementsPerCycle * peCount, 0);
}

