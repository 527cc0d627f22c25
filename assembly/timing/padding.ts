// torch.nn.functional.pad as a layout op on the MLU (ISCA'25 §3.2): the input is read once
// and the output written once, through the fabric, and the MLU moves the larger of the two:
// every output byte it writes (padding included) or, when cropping, every input byte it reads.
// The op streams (streaming.ts) as that many elements, spread over the PEs by it:
//
//   elements = max(in, out) / element bytes, MLU bytes = element bytes per element

import { ENGINE_MLU } from "../layout";
import { mluBytesPerCycle, peCount } from "../profile";
import { timeStreaming } from "./streaming";

/** Times a pad (or crop) of `elementBytes`-byte elements reading `inBytes` and writing `outBytes`. */
export function timePadding(inBytes: f64, outBytes: f64, elementBytes: f64): void {
  const moved = max(inBytes, outBytes);
  timeStreaming(moved / max(elementBytes, 1), inBytes, outBytes, 0, 0, elementBytes, ENGINE_MLU, moved, mluBytesPerCycle * peCount, 0);
}
