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

/** ONNX Resize's input coordinate of output index `x` (op_resize.py _interpolate_1d_with_x). */
function onnxCoordinate(mode: string, x: number, scale: number, inLength: number): number {
  const outLength = scale * inLength;
  switch (mode) {
    case 'align_corners': return outLength === 1 ? 0 : (x * (inLength - 1)) / (outLength - 1);
    case 'asymmetric': return x / scale;
    case 'pytorch_half_pixel': return outLength === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    default: return (x + 0.5) / scale - 0.5;
  }
}

/** [index, weight] taps of coordinate `x` over `length` inputs: ONNX's neighbours with edge padding. */
function taps(x: number, length: number, mode: 'nearest' | 'linear', nearestMode: string): [number, number][] {
  const clamp = (i: number) => Math.min(Math.max(i, 0), length - 1);
  const low = Math.floor(x);
  const ratio = Number.isInteger(x) ? 1 : x - low;
  // ONNX's two neighbours: [low, low + 1], or [x - 1, x] when x is an integer (ratio 1).
  const [a, b] = Number.isInteger(x) ? [x - 1, x] : [low, low + 1];
  if (mode === 'linear') return [[clamp(a), 1 - ratio], [clamp(b), ratio]];
  let pickB: boolean;
  if (Number.isInteger(x)) pickB = true;
  else if (nearestMode === 'round_prefer_floor') pickB = ratio > 0.5;
  else if (nearestMode === 'round_prefer_ceil') pickB = ratio >= 0.5;
  else pickB = nearestMode === 'ceil';
  return [[clamp(pickB ? b : a), 1]];
}

/** ONNX Resize of NCHW `x` over H and W to `outH` × `outW` at `scales` [H, W], in float64. */
export function resizeReference(
  x: Nd, outH: number, outW: number, scales: [number, number], mode: 'nearest' | 'linear', transform: string, nearestMode = 'round_prefer_floor',
): Nd {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return Nd.from([n, c, outH, outW], ([i, j, oh, ow]) => {
    let value = 0;
    for (const [ih, wh] of taps(onnxCoordinate(transform, oh!, scales[0], h), h, mode, nearestMode)) {
      for (const [iw, ww] of taps(onnxCoordinate(transform, ow!, scales[1], w), w, mode, nearestMode)) {
        if (wh * ww !== 0) value += wh * ww * x.get([i!, j!, ih, iw]);
      }
    }
    return value;
  });
}

/** torch.nn.functional.interpolate(mode='nearest') of NCHW `x`: ATen's nearest_idx with its float32 scale. */
export function interpolateNearestReference(x: Nd, outH: number, outW: number, scaleFactor?: [number, number]): Nd {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const index = (o: number, inLength: number, outLength: number, factor: number | undefined) => {
    if (outLength === inLength) return o;
    if (outLength === 2 * inLength) return o >> 1;
    const scale = Math.fround(factor === undefined ? inLength / outLength : 1 / factor);
    return Math.min(Math.floor(Math.fround(o * scale)), inLength - 1);
  };
  return Nd.from([n, c, outH, outW], ([i, j, oh, ow]) =>
    x.get([i!, j!, index(oh!, h, outH, scaleFactor?.[0]), index(ow!, w, outW, scaleFactor?.[1])]));
}

/** torch.nn.functional.interpolate(mode='bilinear') of NCHW `x` (ATen's area_pixel_compute_source_index), in float64. */
export function interpolateBilinearReference(x: Nd, outH: number, outW: number, alignCorners: boolean, scaleFactor?: [number, number]): Nd {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const source = (o: number, inLength: number, outLength: number, factor: number | undefined) => {
    if (alignCorners) return outLength > 1 ? (o * (inLength - 1)) / (outLength - 1) : 0;
    const scale = factor === undefined ? inLength / outLength : 1 / factor;
    return Math.max(scale * (o + 0.5) - 0.5, 0);
  };
  const lerpTaps = (s: number, inLength: number): [number, number, number] => {
    const i0 = Math.floor(s);
    const i1 = Math.min(i0 + 1, inLength - 1);
    return [i0, i1, s - i0];
  };
  return Nd.from([n, c, outH, outW], ([i, j, oh, ow]) => {
    const [h0, h1, ly] = lerpTaps(source(oh!, h, outH, scaleFactor?.[0]), h);
    const [w0, w1, lx] = lerpTaps(source(ow!, w, outW, scaleFactor?.[1]), w);
    const at = (a: number, b: number) => x.get([i!, j!, a, b]);
    return (1 - ly) * ((1 - lx) * at(h0, w0) + lx * at(h0, w1)) + ly * ((1 - lx) * at(h1, w0) + lx * at(h1, w1));
  });
}
