// Resize (ONNX Resize, torch interpolate) on the PE grid, the input read once and the output
// written once. Nearest is a layout op on the MLU, as pad (padding.ts). Linear blends four
// taps per output element on the SE, RESIZE_LINEAR_PASSES passes (a multiply-add per tap),
// from the input rows held in local memory; it streams (streaming.ts) as the larger of its
// input and output element counts, so a downsample spreads its reading over the PEs too:
//
//   nearest  timePadding(in, out, element bytes)
//   linear   elements = max(in elements, out elements), SE passes 4 · out elements / elements

import { ENGINE_SE } from "../layout";
import { peCount, seElementsPerCycle } from "../profile";
import { timePadding } from "./padding";
import { timeStreaming } from "./streaming";

/** SE passes per output element of bilinear resize: one multiply-add per tap. */
export const RESIZE_LINEAR_PASSES: f64 = 4;

/** Times a resize writing `outElements` (`outBytes`) from `inElements` (`inBytes`). */
export function timeResize(inElements: f64, outElements: f64, inBytes: f64, outBytes: f64, linear: bool): void {
  if (!linear) {
    timePadding(inBytes, outBytes, outElements > 0 ? outBytes / outElements : 1);
    return;
  }
  const elements = max(inElements, outElements);
  const passes = elements > 0 ? (RESIZE_LINEAR_PASSES * outElements) / elements : 0;
  timeStreaming(elements, inBytes, outBytes, passes, 0, 0, ENGINE_SE, RESIZE_LINEAR_PASSES * outElements, seElementsPerCycle * peCount, 0);
}
