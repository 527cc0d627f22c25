// Float64 references for pad, resize, cumsum and topk, written from PyTorch's and ONNX's
// definitions (torch.nn.functional.pad, onnx/reference/ops/op_resize.py, torch.cumsum,
// torch.topk) over the row-major arrays of ndarray.ts, independently of the device kernels.

import { Nd } from './ndarray.js';

/** torch.nn.functional.pad of `x` by torch's pad list (pairs from the last dim backwards). */
export function padReference(x: Nd, pad: readonly number[], mode: 'constant' | 'reflect' | 'replicate', value = 0): Nd {
  const rank = x.shape.length;
  const low = x.shape.map((_, d) => pad[2 * (rank - 1 - d)] ?? 0);
  const high = x.shape.map((_, d) => pad[2 * (rank - 1 - d) + 1] ?? 0);
  const shape = x.shape.map((s, d) => s + low[d]! + high[d]!);
  return Nd.from(shape, (index) => {
    const source: number[] = [];
    for (let d = 0; d < rank; d++) {
      const n = x.shape[d]!;
      let i = index[d]! - low[d]!;
      if (i < 0 || i >= n) {
        if (mode === 'constant') return value;
        if (mode === 'replicate') i = i < 0 ? 0 : n - 1;
        else i = i < 0 ? -i : 2 * (n - 1) - i;
      }
      source.push(i);
    }
    return x.get(source);
  });
}
