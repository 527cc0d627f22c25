// torch.cumsum as a scan on the PE grid: each PE takes a block of the rows' elements, the RE
// runs its local prefix sums (one accumulate pass per element), and the SE adds each block's
// carry-in, the total of the blocks before it along the row, to its prefixes (one pass per
// element). The carries themselves are a PE's one value per block over the reduction links:
// negligible next to the passes. Rows stream through local memory as elementwise ops do.
//
//   timeStreaming(elements, in, out, sePasses 1, rePasses 1) on the RE (streaming.ts)

import { ENGINE_RE } from "../layout";
import { peCount, reElementsPerCycle } from "../profile";
import { timeStreaming } from "./streaming";

/** Times a scan of `elements` inputs (`inBytes`) into as many outputs (`outBytes`). */
export function timeScan(elements: f64, inBytes: f64, outBytes: f64): void {
  timeStreaming(elements, inBytes, outBytes, 1, 1, 0, ENGINE_RE, elements, reElementsPerCycle * peCount, 0);
}
