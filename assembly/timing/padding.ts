// torch.nn.functional.pad as a layout op on the MLU (ISCA'25 §3.2): the input is read once
// and the output written once, through the fabric, and the MLU moves the larger of the two:
// every output byte it writes (padding included) or, when cropping, every input byte it reads.
//
//   elements = output elements, mluBytes = max(in, out) / elements per element (streaming.ts)

import { ENGINE_MLU } from "../layout";
import { mluBytesPerCycle, peCount } from "../profile";
import { timeStreaming } from "./streaming";

/** Times a pad writing `outElements` (`outBytes`) from an input of `inBytes`. */
export function timePadding(outElements: f64, inBytes: f64, outBytes: f64): void {
  const moved = max(inBytes, outBytes);
  const perElement = outElements > 0 ? moved / outElements : 0;
  timeStreaming(outElements, inBytes, outBytes, 0, 0, perElement, ENGINE_MLU, moved, mluBytesPerCycle * peCount, 0);
}
