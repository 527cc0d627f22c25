// Elementwise and activation ops, fills and random numbers on the SIMD engine (SE): one pass
// per element for arithmetic, comparisons, conversions and fills; a nonlinearity evaluated
// through the SE's lookup tables (exp, log, sqrt, tanh, sigmoid, GELU, SiLU; ISCA'25 §3.2)
// takes seLutPasses passes. Streamed through the grid as streaming.ts describes.

import { ENGINE_SE } from "../layout";
import { peCount, seElementsPerCycle, seLutPasses } from "../profile";
import { timeStreaming } from "./streaming";

/** SE passes per element of an op whose nonlinear part is `lutFunctions` LUT evaluations and the rest `plainPasses` passes. */
export function sePasses(plainPasses: f64, lutFunctions: f64): f64 {
  return plainPasses + lutFunctions * seLutPasses;
}

/** Times an SE op writing `elements` outputs (`outBytes` in all) from `inBytes` of inputs, at `passes` SE passes per element. */
export function timeElementwise(elements: f64, inBytes: f64, outBytes: f64, passes: f64): void {
  timeStreaming(elements, inBytes, outBytes, passes, 0, 0, ENGINE_SE, elements * passes, seElementsPerCycle * peCount, 0);
}
