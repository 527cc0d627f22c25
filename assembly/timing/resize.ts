// Resize (ONNX Resize, torch interpolate) on the PE grid. Nearest is a layout op on the MLU,
// as pad (padding.ts): the input read once, the output written once, the MLU moving the
// larger. Linear blends four taps per output element on the SE, RESIZE_LINEAR_PASSES passes
// (a multiply-add per tap), the taps gathered from the input rows held in local memory.
//
//   nearest  timePadding(out elements, in, out)
//   linear   timeElementwise(out elements, in, out, 4 passes)

import { timeElementwise } from "./elementwise";
import { timePadding } from "./padding";

/** SE passes per output element of bilinear resize: one multiply-add per tap. */
export const RESIZE_LINEAR_PASSES: f64 = 4;

/** Times a resize writing `outElements` (`outBytes`) from `inBytes` of input. */
export function timeResize(outElements: f64, inBytes: f64, outBytes: f64, linear: bool): void {
  if (linear) timeElementwise(outElements, inBytes, outBytes, RESIZE_LINEAR_PASSES);
  else timePadding(outElements, inBytes, outBytes);
}
