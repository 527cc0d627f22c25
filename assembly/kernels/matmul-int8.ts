// int8 × int8 matrix product with int32 accumulation, scaled back to float32:
//
//   C[i][j] = f32(Σ_k A[i][k] · B[k][j]) · f32(sa[i] · sb[j])  (+ bias[j])
//
// in float32 arithmetic after the exact int32 sum (|A·B| ≤ 128² per product, so K up to
// 131071 cannot overflow). B is packed once as Bᵀ in int16 (K contiguous, padded to 8) and
// each row of A likewise, so the inner loop is SIMD i32x4.dot_i16x8_s: 8 products summed
// pairwise into four int32 lanes, four columns of B per pass over an A row.

/** Largest K whose int32 sums cannot overflow: 128 · 128 · K ≤ 2³¹ − 1. */
export const INT8_MATMUL_MAX_K: u32 = 131071;

// @ts-ignore: decorator
@inline function paddedK(k: u32): u32 {
  return (k + 7) & ~7;
}

/** Workspace bytes matmulInt8 needs: Bᵀ and one row of A, as int16, K padded to 8. */
export function matmulInt8WorkspaceBytes(n: u32, k: u32): u64 {
  return (<u64>n + 1) * <u64>paddedK(k) * 2;
}

/** The horizontal sum of an i32x4. */
// @ts-ignore: decorator
@inline function lanesSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * C[m × n] (float32, contiguous) from int8 A[m × k] (element strides aRow, aCol) and B[k × n]
 * (bRow, bCol), float32 scales sa[m] and sb[n] and an optional float32 bias[n] (0: none), all
 * contiguous; `workspace` holds matmulInt8WorkspaceBytes(n, k) bytes.
 */
export function matmulInt8(
  c: usize, a: usize, aRow: isize, aCol: isize, b: usize, bRow: isize, bCol: isize,
  m: u32, n: u32, k: u32, sa: usize, sb: usize, bias: usize, workspace: usize,
): void {
  const kp = paddedK(k);
  const rowBytes = <usize>kp << 1;
  const bt = workspace;
  const ar = workspace + <usize>n * rowBytes;
  for (let j: u32 = 0; j < n; j++) {
    const dst = bt + <usize>j * rowBytes;
    let src = b + <usize>(<isize>j * bCol);
    for (let p: u32 = 0; p < k; p++, src += bRow) store<i16>(dst + (<usize>p << 1), <i16>load<i8>(src));
    for (let p = k; p < kp; p++) store<i16>(dst + (<usize>p << 1), 0);
  }
  for (let p = k; p < kp; p++) store<i16>(ar + (<usize>p << 1), 0);
  for (let i: u32 = 0; i < m; i++) {
    let src = a + <usize>(<isize>i * aRow);
    for (let p: u32 = 0; p < k; p++, src += aCol) store<i16>(ar + (<usize>p << 1), <i16>load<i8>(src));
    const scaleA = load<f32>(sa + (<usize>i << 2));
    const out = c + (<usize>i * n << 2);
    let j: u32 = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bt + <usize>j * rowBytes;
      const b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
      let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
      for (let off: usize = 0; off < rowBytes; off += 16) {
        const x = v128.load(ar + off);
        s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x, v128.load(b0 + off)));
        s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x, v128.load(b1 + off)));
        s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x, v128.load(b2 + off)));
        s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x, v128.load(b3 + off)));
      }
      storeScaled(out, j, lanesSum(s0), scaleA, sb, bias);
      storeScaled(out, j + 1, lanesSum(s1), scaleA, sb, bias);
      storeScaled(out, j + 2, lanesSum(s2), scaleA, sb, bias);
      storeScaled(out, j + 3, lanesSum(s3), scaleA, sb, bias);
    }
    for (; j < n; j++) {
      const b0 = bt + <usize>j * rowBytes;
      let s0 = i32x4.splat(0);
      for (let off: usize = 0; off < rowBytes; off += 16) s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(ar + off), v128.load(b0 + off)));
      storeScaled(out, j, lanesSum(s0), scaleA, sb, bias);
    }
  }
}

/** out[j] = f32(sum) · f32(scaleA · sb[j]) (+ bias[j]), in float32. */
// @ts-ignore: decorator
@inline function storeScaled(out: usize, j: u32, sum: i32, scaleA: f32, sb: usize, bias: usize): void {
  const at = <usize>j << 2;
  let v = <f32>sum * (scaleA * load<f32>(sb + at));
  if (bias != 0) v += load<f32>(bias + at);
  store<f32>(out + at, v);
}
