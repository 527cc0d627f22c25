// Packed, register-tiled float32 matrix multiply (the GotoBLAS / BLIS loop nest; Goto & van de
// Geijn, "Anatomy of High-Performance Matrix Multiplication", TOMS 2008):
//
//   for each NC-wide panel of B's columns
//     for each KC-deep slice of K:      pack B[KC × NC] into 8-column strips   (Bp)
//       for each MC-tall block of A:    pack A[MC × KC] into 4-row strips      (Ap)
//         for each 4 × 8 tile of C:     C += Ap strip · Bp strip, 8 f32x4 registers
//
// Packing reads any strides and any floating dtype (float16 / bfloat16 tiles are widened to
// float32 on the fly) and pads edge strips with zeros, so the micro-kernel sees only unit-stride
// float32 and always does full 4 × 8 tiles; edge tiles are stored through a small buffer.
//
// The core is built twice from this source (asconfig.json): the release build multiplies and
// adds (plain SIMD128), the release-relaxed build uses relaxed SIMD's f32x4.relaxed_madd, and
// the host loads the relaxed one where the engine validates it (src/runtime/environment.ts).
// On AMD Zen cores (two multiply/FMA pipes and two add pipes; AMD's Software Optimization
// Guides for the 19h and 1Ah families) both builds have the same peak, 16 flops per cycle at 128
// bits; the fused one issues half the arithmetic instructions (docs/benchmarks.md: measured alike).

import { DTYPE_BFLOAT16, DTYPE_FLOAT32 } from "../abi";
import { loadF32 } from "./convert";

/** Rows of a register tile. */
export const TILE_M: u32 = 4;
/** Columns of a register tile (two f32x4). */
export const TILE_N: u32 = 8;
/** Depth of a packed K slice: Ap strips (4 × KC × 4 B = 4 KiB) stay in L1. */
export const BLOCK_K: u32 = 256;
/** Rows of a packed A block. */
export const BLOCK_M: u32 = 64;
/** Columns of a packed B panel: KC × NC × 4 B = 512 KiB, L2-sized. */
export const BLOCK_N: u32 = 512;

/** Bytes of the buffer an edge tile is computed into (matmulF32's `edge`): one full 4 × 8 tile. */
export const EDGE_TILE_BYTES: u32 = TILE_M * TILE_N * 4;

/** Rounds `n` up to a multiple of `m`. */
// @ts-ignore: decorator
@inline function roundUp(n: u32, m: u32): u32 {
  return (n + m - 1) / m * m;
}

/** Workspace bytes matmulF32 needs for an M × N × K problem (the host allocates it). */
export function matmulWorkspaceBytes(m: u32, n: u32, k: u32): u64 {
  const kc = <u64>min<u32>(BLOCK_K, max<u32>(k, 1));
  const nc = <u64>min<u32>(BLOCK_N, roundUp(max<u32>(n, 1), TILE_N));
  const mc = <u64>min<u32>(BLOCK_M, roundUp(max<u32>(m, 1), TILE_M));
  return (kc * nc + mc * kc) * 4;
}

/** Packs B[kc × nc] (element strides rowStride along k, colStride along n) into 8-column strips. */
export function packB(dst: usize, b: usize, dtype: u32, size: u32, rowStride: isize, colStride: isize, kc: u32, nc: u32): void {
  const rowBytes = rowStride * size;
  const colBytes = colStride * size;
  for (let j: u32 = 0; j < nc; j += TILE_N) {
    const width = min<u32>(TILE_N, nc - j);
    let src = b + <usize>(<isize>j * colBytes);
    if (width == TILE_N && dtype == DTYPE_FLOAT32 && colStride == 1) {
      for (let p: u32 = 0; p < kc; p++, src += rowBytes, dst += 32) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      }
      continue;
    }
    if (width == TILE_N && dtype == DTYPE_BFLOAT16 && colStride == 1) {
      // bfloat16 bits are float32's upper half: widen 4 × 16 bits to 4 × 32 and shift them up.
      for (let p: u32 = 0; p < kc; p++, src += rowBytes, dst += 32) {
        v128.store(dst, i32x4.shl(v128.load16x4_u(src), 16));
        v128.store(dst, i32x4.shl(v128.load16x4_u(src, 8), 16), 16);
      }
      continue;
    }
    for (let p: u32 = 0; p < kc; p++, src += rowBytes, dst += 32) {
      let q = src;
      let c: u32 = 0;
      for (; c < width; c++, q += colBytes) store<f32>(dst + (<usize>c << 2), loadF32(q, dtype));
      for (; c < TILE_N; c++) store<f32>(dst + (<usize>c << 2), 0);
    }
  }
}

/** Packs A[mc × kc] (strides rowStride along m, colStride along k) into 4-row strips, k-major. */
export function packA(dst: usize, a: usize, dtype: u32, size: u32, rowStride: isize, colStride: isize, mc: u32, kc: u32): void {
  const rowBytes = rowStride * size;
  const colBytes = colStride * size;
  for (let i: u32 = 0; i < mc; i += TILE_M) {
    const height = min<u32>(TILE_M, mc - i);
    const src = a + <usize>(<isize>i * rowBytes);
    if (height == TILE_M && dtype == DTYPE_FLOAT32) {
      let q = src;
      for (let p: u32 = 0; p < kc; p++, q += colBytes, dst += 16) {
        store<f32>(dst, load<f32>(q));
        store<f32>(dst, load<f32>(q + rowBytes), 4);
        store<f32>(dst, load<f32>(q + 2 * rowBytes), 8);
        store<f32>(dst, load<f32>(q + 3 * rowBytes), 12);
      }
      continue;
    }
    if (height == TILE_M && dtype == DTYPE_BFLOAT16) {
      let q = src;
      for (let p: u32 = 0; p < kc; p++, q += colBytes, dst += 16) {
        store<u32>(dst, <u32>load<u16>(q) << 16);
        store<u32>(dst, <u32>load<u16>(q + rowBytes) << 16, 4);
        store<u32>(dst, <u32>load<u16>(q + 2 * rowBytes) << 16, 8);
        store<u32>(dst, <u32>load<u16>(q + 3 * rowBytes) << 16, 12);
      }
      continue;
    }
    let q = src;
    for (let p: u32 = 0; p < kc; p++, q += colBytes, dst += 16) {
      let r: u32 = 0;
      for (; r < height; r++) store<f32>(dst + (<usize>r << 2), loadF32(q + <usize>(<isize>r * rowBytes), dtype));
      for (; r < TILE_M; r++) store<f32>(dst + (<usize>r << 2), 0);
    }
  }
}

/**
 * c + a · b per lane: one fused multiply-add in the relaxed-SIMD build of the core (the engine
 * may or may not fuse f32x4.relaxed_madd: the result differs only in the last bit of each
 * step), a multiply and an add in the plain-SIMD build. Chosen at compile time: asconfig.json
 * builds the core twice and the host loads the build its engine validates.
 */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * C[4 × 8] (+)= Ap strip · Bp strip over kc, a full tile: `c` has row pitch `ldc` bytes;
 * `accumulate` adds to C instead of overwriting it. Eight f32x4 accumulators, two B vectors, one
 * broadcast A value and (plain build) one product: 12 of x64's 16 xmm registers, so nothing
 * spills, and each step's 8 multiply-adds are independent. Inlined into the loop nest: as a
 * called function, V8 ran the plain-SIMD loop about 15 % slower (measured while tuning; wider
 * 6 × 8 and 4 × 12 tiles, which need 16 registers or more, ran at half speed).
 */
// @ts-ignore: decorator
@inline function microKernel(kc: u32, ap: usize, bp: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p: u32 = 0; p < kc; p++, ap += 16, bp += 32) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/**
 * An edge tile: the full 4 × 8 product goes to `edge`, then its valid `rows` × `cols` part is
 * stored (or added) to C. Kept out of microKernel so the full-tile loop stays small.
 */
function edgeKernel(kc: u32, ap: usize, bp: usize, c: usize, ldc: usize, rows: u32, cols: u32, accumulate: bool, edge: usize): void {
  microKernel(kc, ap, bp, edge, TILE_N * 4, false);
  for (let r: u32 = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    for (let j: u32 = 0; j < cols; j++) {
      const value = load<f32>(edge + (<usize>(r * TILE_N + j) << 2));
      const at = row + (<usize>j << 2);
      store<f32>(at, accumulate ? load<f32>(at) + value : value);
    }
  }
}

/**
 * C[mc × nc] (+)= packed A block · packed B panel over kc, every register tile of it: `c` is the
 * block's first element, with row pitch `ldc` bytes. Each tile's kc multiply-adds run in the same
 * order wherever the block lies in C, so how C is blocked changes no result bit.
 */
// @ts-ignore: decorator
@inline export function blockProduct(c: usize, ldc: usize, ap: usize, bp: usize, mc: u32, nc: u32, kc: u32, accumulate: bool, edge: usize): void {
  for (let jr: u32 = 0; jr < nc; jr += TILE_N) {
    const bStrip = bp + <usize>(jr / TILE_N) * kc * 32;
    const cols = min<u32>(TILE_N, nc - jr);
    for (let ir: u32 = 0; ir < mc; ir += TILE_M) {
      const tile = c + <usize>ir * ldc + (<usize>jr << 2);
      const aStrip = ap + <usize>(ir / TILE_M) * kc * 16;
      const rows = min<u32>(TILE_M, mc - ir);
      if (rows == TILE_M && cols == TILE_N) microKernel(kc, aStrip, bStrip, tile, ldc, accumulate);
      else edgeKernel(kc, aStrip, bStrip, tile, ldc, rows, cols, accumulate, edge);
    }
  }
}

/**
 * C[m × n] = A[m × k] · B[k × n] in float32. A and B are of floating `dtype` (element `size`
 * bytes) with any element strides; C is float32 with row pitch `ldc` elements and unit column
 * stride. `workspace` holds matmulWorkspaceBytes(m, n, k) bytes, `edge` EDGE_TILE_BYTES (16-byte
 * aligned); it writes nothing but C and these two, so it needs no static data.
 */
export function matmulF32(
  c: usize, ldc: u32, a: usize, aRow: isize, aCol: isize, b: usize, bRow: isize, bCol: isize,
  dtype: u32, size: u32, m: u32, n: u32, k: u32, workspace: usize, edge: usize,
): void {
  const ldcBytes = <usize>ldc << 2;
  if (k == 0) {
    for (let i: u32 = 0; i < m; i++) memory.fill(c + <usize>i * ldcBytes, 0, <usize>n << 2);
    return;
  }
  const kcMax = min<u32>(BLOCK_K, k);
  const ncMax = min<u32>(BLOCK_N, roundUp(n, TILE_N));
  const bp = workspace;
  const ap = workspace + <usize>kcMax * ncMax * 4;
  for (let jc: u32 = 0; jc < n; jc += BLOCK_N) {
    const nc = min<u32>(BLOCK_N, n - jc);
    for (let pc: u32 = 0; pc < k; pc += BLOCK_K) {
      const kc = min<u32>(BLOCK_K, k - pc);
      packB(bp, b + <usize>((<isize>pc * bRow + <isize>jc * bCol) * size), dtype, size, bRow, bCol, kc, nc);
      for (let ic: u32 = 0; ic < m; ic += BLOCK_M) {
        const mc = min<u32>(BLOCK_M, m - ic);
        packA(ap, a + <usize>((<isize>ic * aRow + <isize>pc * aCol) * size), dtype, size, aRow, aCol, mc, kc);
        blockProduct(c + <usize>ic * ldcBytes + (<usize>jc << 2), ldcBytes, ap, bp, mc, nc, kc, pc > 0, edge);
      }
    }
  }
}
