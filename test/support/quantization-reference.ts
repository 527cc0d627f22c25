// Independent reference for int8 quantization, written from PyTorch's definitions
// (torch.quantize_per_tensor: q = clamp(round(x / scale) + zero_point, qmin, qmax) with round
// half to even; dequantize: (q − zero_point) · scale) and the project's stated choices for
// dynamic quantization (docs/api.md: symmetric per row, scale = max|row| / 127, 1 for a row of
// zeros) and the int8 linear (exact integer sums, then float32 scaling). Plain JavaScript in
// float64, Math.fround where float32 storage is the point; never derived from the kernels.

/** Rounds to the nearest integer, ties to the even one (IEEE roundTiesToEven). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** torch.quantize_per_tensor of one value into [low, high]; NaN gives the zero point. */
export function quantizeReference(x: number, scale: number, zeroPoint: number, low = -128, high = 127): number {
  if (Number.isNaN(x)) return zeroPoint;
  const q = roundHalfEven(x / scale) + zeroPoint;
  return Math.min(high, Math.max(low, Number.isNaN(q) ? zeroPoint : q));
}

/** torch.dequantize of one value, rounded to float32. */
export function dequantizeReference(q: number, scale: number, zeroPoint: number): number {
  return Math.fround((q - zeroPoint) * scale);
}

/** Symmetric per-row quantization of a rows × cols row-major array: int8 values and float32 scales. */
export function dynamicQuantizeReference(x: ArrayLike<number>, rows: number, cols: number): { values: number[]; scales: number[] } {
  const values: number[] = [];
  const scales: number[] = [];
  for (let r = 0; r < rows; r++) {
    let largest = 0;
    for (let c = 0; c < cols; c++) largest = Math.max(largest, Math.abs(x[r * cols + c]!));
    const scale = largest === 0 ? 1 : Math.fround(largest / 127);
    scales.push(scale);
    for (let c = 0; c < cols; c++) values.push(quantizeReference(x[r * cols + c]!, scale, 0, -127, 127));
  }
  return { values, scales };
}

/**
 * The int8 linear layer: out[i][j] = f32(Σ_k xq[i][k] · wq[j][k]) · f32(sx[i] · sw[j]) (+ bias[j])
 * in float32, xq [m × k] and wq [n × k] row-major (the weight as PyTorch stores it).
 */
export function quantizedLinearReference(
  xq: ArrayLike<number>, sx: ArrayLike<number>, wq: ArrayLike<number>, sw: ArrayLike<number>,
  m: number, n: number, k: number, bias?: ArrayLike<number>,
): { sums: number[]; out: number[] } {
  const sums: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += xq[i * k + p]! * wq[j * k + p]!;
      sums.push(sum);
      let v = Math.fround(Math.fround(sum) * Math.fround(sx[i]! * sw[j]!));
      if (bias !== undefined) v = Math.fround(v + bias[j]!);
      out.push(v);
    }
  }
  return { sums, out };
}
