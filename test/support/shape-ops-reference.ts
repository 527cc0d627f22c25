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

/** Lines of `x` along `dim`: for every index of the other dims, the flat positions along `dim`. */
function linesAlong(shape: readonly number[], dim: number): number[][] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((n, s) => n * s, 1));
  const total = shape.reduce((n, s) => n * s, 1);
  const lines: number[][] = [];
  for (let flat = 0; flat < total; flat++) {
    if (Math.floor(flat / strides[dim]!) % shape[dim]! !== 0) continue;
    lines.push(Array.from({ length: shape[dim]! }, (_, i) => flat + i * strides[dim]!));
  }
  return lines;
}

/** torch.cumsum of `x` along `dim` in float64, with ONNX CumSum's exclusive and reverse. */
export function cumsumReference(x: Nd, dim: number, exclusive = false, reverse = false): Nd {
  const out = new Array<number>(x.data.length).fill(0);
  for (const line of linesAlong(x.shape, dim)) {
    const order = reverse ? [...line].reverse() : line;
    let sum = 0;
    for (const position of order) {
      if (!exclusive) sum += x.data[position]!;
      out[position] = sum;
      if (exclusive) sum += x.data[position]!;
    }
  }
  return new Nd([...x.shape], out);
}

/**
 * torch.topk of `x` along `dim`, sorted: values and indices. NaN ranks above every number;
 * equal values by lower index.
 */
export function topkReference(x: Nd, k: number, dim: number, largest = true): { values: Nd; indices: Nd } {
  const shape = x.shape.map((s, d) => (d === dim ? k : s));
  const values = new Array<number>(shape.reduce((n, s) => n * s, 1)).fill(0);
  const indices = [...values];
  if (k === 0) return { values: new Nd(shape, values), indices: new Nd(shape, indices) };
  const outLines = linesAlong(shape, dim);
  linesAlong(x.shape, dim).forEach((line, r) => {
    const ranked = line.map((position, i) => ({ value: x.data[position]!, i }));
    ranked.sort((a, b) => {
      const [na, nb] = [Number.isNaN(a.value), Number.isNaN(b.value)];
      if (na !== nb) return (largest ? na : nb) ? -1 : 1;
      if (!na && a.value !== b.value) return largest ? b.value - a.value : a.value - b.value;
      return a.i - b.i;
    });
    outLines[r]!.forEach((position, j) => {
      values[position] = ranked[j]!.value;
      indices[position] = ranked[j]!.i;
    });
  });
  return { values: new Nd(shape, values), indices: new Nd(shape, indices) };
}
