// torch.topk as a row op (reductions.ts timeRows): per input element one RE pass (compared
// with the row's current k-th best, the heap's root) and s = ceil(log2(k + 1)) SE
// compare-exchange passes of the insertion into the row's heap of k; per row, a heap sort of
// its k results, k · s more passes. The SE passes are spread over the input elements:
//
//   rePasses = 1, sePasses = s · (1 + k · rows / elements)   (timeRows, plain passes)

import { timeRows } from "./reductions";

/** SE compare-exchange passes of one insertion into a heap of `k`: ceil(log2(k + 1)). */
export function topkSelectPasses(k: f64): f64 {
  return Math.ceil(Math.log2(k + 1));
}

/** Times the top `k` of each of `rows` rows of `elements` inputs in all (`inBytes`), writing `outBytes` (values and indices). */
export function timeTopk(elements: f64, rows: f64, k: f64, inBytes: f64, outBytes: f64): void {
  const s = topkSelectPasses(k);
  const passes = elements > 0 ? s * (1 + (k * rows) / elements) : 0;
  timeRows(elements, inBytes, outBytes, 1, passes, 0);
}
