// Normalisation layers in float64, written from their definitions in PyTorch's documentation
// (torch.nn.BatchNorm*, GroupNorm, RMSNorm), on flat row-major arrays:
//
//   batch norm (inference)  y = (x − running_mean[c]) / √(running_var[c] + eps) · w[c] + b[c]
//   group norm              y = (x − E[x]) / √(Var[x] + eps) · w[c] + b[c], E and the biased Var
//                           over each (sample, group) of C/G channels × spatial elements
//   RMS norm                y = x / √(mean(x²) + eps) · w, over the trailing normalised elements

/** Batch norm of x [N, C, M] (flat) with per-channel statistics and optional affine parameters. */
export function batchNormReference(
  x: ArrayLike<number>, n: number, c: number, m: number, mean: ArrayLike<number>, variance: ArrayLike<number>,
  eps: number, weight?: ArrayLike<number>, bias?: ArrayLike<number>,
): number[] {
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < m; i++) {
        const value = x[(s * c + ch) * m + i]!;
        out.push(((value - mean[ch]!) / Math.sqrt(variance[ch]! + eps)) * (weight?.[ch] ?? 1) + (bias?.[ch] ?? 0));
      }
    }
  }
  return out;
}

/** Group norm of x [N, C, M] (flat) in `groups` groups. */
export function groupNormReference(
  x: ArrayLike<number>, n: number, c: number, m: number, groups: number, eps: number,
  weight?: ArrayLike<number>, bias?: ArrayLike<number>,
): number[] {
  const out = new Array<number>(n * c * m);
  const size = (c / groups) * m;
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      const first = (s * c + g * (c / groups)) * m;
      const values = Array.from({ length: size }, (_, i) => x[first + i]!);
      const mean = values.reduce((a, b) => a + b, 0) / size;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / size;
      for (let i = 0; i < size; i++) {
        const ch = g * (c / groups) + Math.floor(i / m);
        out[first + i] = ((values[i]! - mean) / Math.sqrt(variance + eps)) * (weight?.[ch] ?? 1) + (bias?.[ch] ?? 0);
      }
    }
  }
  return out;
}

/** RMS norm of x (flat) over rows of `length` trailing elements. */
export function rmsNormReference(x: ArrayLike<number>, length: number, eps: number, weight?: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / length; r++) {
    let squares = 0;
    for (let i = 0; i < length; i++) squares += x[r * length + i]! ** 2;
    const inverse = 1 / Math.sqrt(squares / length + eps);
    for (let i = 0; i < length; i++) out.push(x[r * length + i]! * inverse * (weight?.[i] ?? 1));
  }
  return out;
}
