// Layout ops on the memory layout unit (MLU, ISCA'25 §3.2: transpose, concatenate, reshape):
// contiguous() of a strided view, cat, and device-to-device copies. Every byte goes in through
// the fabric, through the MLU, and out again (streaming.ts).

import { ENGINE_MLU } from "../layout";
import { mluBytesPerCycle, peCount } from "../profile";
import { timeStreaming } from "./streaming";

/** Times a layout op moving `bytes` of `elementBytes`-byte elements. */
export function timeLayout(bytes: f64, elementBytes: f64): void {
  const elements = bytes / max(elementBytes, 1);
  timeStreaming(elements, bytes, bytes, 0, 0, elementBytes, ENGINE_MLU, bytes, mluBytesPerCycle * peCount, 0);
}
