// OP_ATTENTION: fused scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention),
// out = softmax(scale · Q·Kᵀ + mask) · V, computed as a flash-attention kernel does (Dao et al.,
// "FlashAttention", NeurIPS 2022, Algorithm 1): per query row, key/value blocks of
// ATTENTION_KEY_BLOCK keys at a time with a running row maximum m and row sum l, the output
// accumulator rescaled by exp(m_old − m_new) whenever m grows; no L × S score matrix exists.
//
// The args' rank r (≤ 6) counts the (broadcast) batch dims; shape[0..r) are their sizes and
// shape[r], shape[r + 1] are L (queries) and S (keys). Operand strides, in elements:
//
//   operand 0  dst (out)  [L, Ev]     batch strides, then along L, along Ev
//   operand 1  src0 (Q)   [L, E]      batch strides, then along L, along E
//   operand 2  src1 (K)   [S, E]      batch strides, then along S, along E
//   operand 3  addr3 (V)  [S, Ev]     batch strides, then along S, along Ev
//   "operand 5" params[8..16): the mask's batch strides, then along L, along S (stride 0 broadcasts)
//
// params:
//   [0] E   [1] Ev   [2] scale (f32)   [3] flags: bit 0 causal (upper-left aligned, key j takes
//   part for query i when j ≤ i); bits 1..2 the mask's kind (ATTENTION_MASK_*); bits 8..15 the
//   additive mask's dtype
//   [4..6) mask address (u64, 0: none)   [6..8) workspace address (u64)
//
// Q, K and V share the command's (floating) dtype; the output too. The workspace (the host
// allocates attentionWorkspaceBytes) holds K and V of one batch widened to float32, the scaled
// query row, the output accumulator and a block of scores. A row whose keys are all masked out
// is 0, as PyTorch's math kernel gives (at::_safe_softmax), not NaN.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1, DTYPE_BOOL, DTYPE_FLOAT32 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { timeAttention } from "../timing/attention";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import {
  ARGS_DTYPE, ARGS_RANK, address3, argWord, checkCommandArgs, dim32, param, paramAddress, paramFloat, shapeAt, stride32,
} from "./args";
import { firstRow, nextRow, rowOffset } from "./iterate";

/** No mask. */
export const ATTENTION_MASK_NONE: u32 = 0;
/** A bool mask: true takes part, false is −∞. */
export const ATTENTION_MASK_BOOL: u32 = 1;
/** A float mask added to the scores. */
export const ATTENTION_MASK_ADD: u32 = 2;
/** Flag bit: causal (upper-left aligned triangle). */
export const ATTENTION_CAUSAL: u32 = 1;
/** Keys per block of the online softmax. */
export const ATTENTION_KEY_BLOCK: u32 = 64;
/** Largest batch rank (the mask's strides take rank + 2 of params[16..32), operand 5's words). */
export const ATTENTION_MAX_BATCH_RANK: u32 = 6;
/** Operand index whose strides strideAt() reads from params[16..32): the mask's. */
const MASK_OPERAND: u32 = 5;

/** Workspace bytes for S keys of width E and values of width Ev: Kf32, Vf32, q, acc, scores. */
export function attentionWorkspaceBytes(s: u32, e: u32, ev: u32): u64 {
  return (<u64>s * (<u64>e + ev) + <u64>e + ev + ATTENTION_KEY_BLOCK) * 4;
}

/** First byte and bytes of the span checkSpan() last checked (0 bytes: empty). */
let spanFirst: f64 = 0;
let spanLength: f64 = 0;

/**
 * Checks operand `k` (strideAt's) over the `rank` batch dims and two
 * matrix dims of `rows` × `cols` at `address`; leaves its span in spanFirst, spanLength.
 */
function checkSpan(args: usize, k: u32, rank: u32, address: u64, size: u32, rows: u32, cols: u32): u32 {
  spanLength = 0;
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d: u32 = 0; d < rank + 2; d++) {
    const extent = d < rank ? shapeAt(args, d) : d == rank ? rows : cols;
    if (extent == 0) return STATUS_OK;
    const reach = <i64>stride32(args, k, d) * <i64>(extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const first = <i64>address + low * size;
  if (first < 0) return STATUS_OUT_OF_BOUNDS;
  spanFirst = <f64>first;
  spanLength = <f64>((high - low + 1) * size);
  return checkRange(<u64>first, <u64>(high - low + 1) * size, size);
}

/** OP_ATTENTION; see the file comment. */
export function attention(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  if (!isFloating(dtype) || rank > ATTENTION_MAX_BATCH_RANK) return STATUS_BAD_ARGS;
  if (argWord(args, ARGS_DTYPE) != dtype || argWord(args, ARGS_DTYPE + 1) != dtype || argWord(args, ARGS_DTYPE + 2) != dtype) return STATUS_BAD_ARGS;
  const l = dim32(args, rank);
  const s = dim32(args, rank + 1);
  const e = param(args, 0);
  const ev = param(args, 1);
  const scale = paramFloat(args, 2);
  const flags = param(args, 3);
  const causal = (flags & ATTENTION_CAUSAL) != 0;
  const maskKind = (flags >> 1) & 3;
  const maskType = maskKind == ATTENTION_MASK_BOOL ? DTYPE_BOOL : (flags >> 8) & 0xff;
  const mask64 = paramAddress(args, 4);
  const workspace64 = paramAddress(args, 6);
  if (maskKind > ATTENTION_MASK_ADD || (maskKind == ATTENTION_MASK_NONE) != (mask64 == 0)) return STATUS_BAD_ARGS;
  if (maskKind == ATTENTION_MASK_ADD && !isFloating(maskType)) return STATUS_BAD_ARGS;
  let batches: u64 = 1;
  for (let d: u32 = 0; d < rank; d++) batches *= shapeAt(args, d);
  if (batches * l * ev != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const q64 = load<u64>(command + COMMAND_SRC0);
  const k64 = load<u64>(command + COMMAND_SRC1);
  const v64 = address3(args);
  status = checkSpan(args, 0, rank, dst64, size, l, ev);
  if (status != STATUS_OK) return status;
  const oStart = spanFirst, oBytes = spanLength;
  status = checkSpan(args, 1, rank, q64, size, l, e);
  if (status != STATUS_OK) return status;
  const qStart = spanFirst, qBytes = spanLength;
  status = checkSpan(args, 2, rank, k64, size, s, e);
  if (status != STATUS_OK) return status;
  const kStart = spanFirst, kBytes = spanLength;
  status = checkSpan(args, 3, rank, v64, size, s, ev);
  if (status != STATUS_OK) return status;
  const vStart = spanFirst, vBytes = spanLength;
  let mStart: f64 = 0, mBytes: f64 = 0;
  const maskSize = maskKind == ATTENTION_MASK_NONE ? 0 : dtypeBytes(maskType);
  if (maskKind != ATTENTION_MASK_NONE) {
    status = checkSpan(args, MASK_OPERAND, rank, mask64, maskSize, l, s);
    if (status != STATUS_OK) return status;
    mStart = spanFirst;
    mBytes = spanLength;
  }
  const needed = attentionWorkspaceBytes(s, e, ev);
  status = checkRange(workspace64, needed, 16);
  if (status != STATUS_OK) return status;
  timeAttention(<f64>batches, l, s, e, ev, dtype, causal, maskSize, qStart, qBytes, kStart, kBytes, vStart, vBytes, mStart, mBytes, oStart, oBytes);
  if (timingOnly || batches * l * ev == 0) return STATUS_OK;

  const kf = <usize>workspace64;
  const vf = kf + (<usize>s * e << 2);
  const qRow = vf + (<usize>s * ev << 2);
  const acc = qRow + (<usize>e << 2);
  const scores = acc + (<usize>ev << 2);
  const qL = <isize>stride32(args, 1, rank) * size, qE = <isize>stride32(args, 1, rank + 1) * size;
  const kS = <isize>stride32(args, 2, rank) * size, kE = <isize>stride32(args, 2, rank + 1) * size;
  const vS = <isize>stride32(args, 3, rank) * size, vE = <isize>stride32(args, 3, rank + 1) * size;
  const oL = <isize>stride32(args, 0, rank) * size, oE = <isize>stride32(args, 0, rank + 1) * size;
  const mL = <isize>stride32(args, MASK_OPERAND, rank) * maskSize;
  const mS = <isize>stride32(args, MASK_OPERAND, rank + 1) * maskSize;
  const iterRank = rank + 1;
  let packedK: i64 = -1, packedV: i64 = -1;
  firstRow();
  for (let b: u64 = 0; b < batches; b++) {
    const out = <usize>(<i64>dst64 + rowOffset(args, 0, iterRank) * size);
    const q = <usize>(<i64>q64 + rowOffset(args, 1, iterRank) * size);
    const kAt = <i64>k64 + rowOffset(args, 2, iterRank) * size;
    const vAt = <i64>v64 + rowOffset(args, 3, iterRank) * size;
    const mask: usize = maskKind == ATTENTION_MASK_NONE ? 0 : <usize>(<i64>mask64 + rowOffset(args, MASK_OPERAND, iterRank) * maskSize);
    // Heads that share K and V (broadcast, grouped-query attention) reuse the packed copy.
    if (kAt != packedK) {
      pack(kf, <usize>kAt, dtype, kS, kE, s, e);
      packedK = kAt;
    }
    if (vAt != packedV) {
      pack(vf, <usize>vAt, dtype, vS, vE, s, ev);
      packedV = vAt;
    }
    for (let i: u32 = 0; i < l; i++) {
      let p = q + <usize>(<isize>i * qL);
      for (let c: u32 = 0; c < e; c++, p += qE) store<f32>(qRow + (<usize>c << 2), loadF32(p, dtype) * scale);
      const keys = causal ? min<u32>(s, i + 1) : s;
      const maskRow = mask + <usize>(<isize>i * mL);
      attendRow(out + <usize>(<isize>i * oL), oE, dtype, qRow, kf, vf, acc, scores, keys, e, ev, maskKind, maskRow, mS, maskType);
    }
    nextRow(args, iterRank);
  }
  return STATUS_OK;
}

/** Widens `rows` × `cols` elements at `src` (byte strides `rowStride`, `colStride`) to contiguous float32 at `dst`. */
function pack(dst: usize, src: usize, dtype: u32, rowStride: isize, colStride: isize, rows: u32, cols: u32): void {
  for (let r: u32 = 0; r < rows; r++) {
    let p = src + <usize>(<isize>r * rowStride);
    const d = dst + (<usize>r * cols << 2);
    if (dtype == DTYPE_FLOAT32 && colStride == 4) {
      memory.copy(d, p, <usize>cols << 2);
      continue;
    }
    for (let c: u32 = 0; c < cols; c++, p += colStride) store<f32>(d + (<usize>c << 2), loadF32(p, dtype));
  }
}

/** q · k over `n` floats (both contiguous float32). */
// @ts-ignore: decorator
@inline function dot(q: usize, k: usize, n: u32): f32 {
  let sum = f32x4.splat(0);
  let c: u32 = 0;
  for (; c + 4 <= n; c += 4) sum = f32x4.add(sum, f32x4.mul(v128.load(q + (<usize>c << 2)), v128.load(k + (<usize>c << 2))));
  let total = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
  for (; c < n; c++) total += load<f32>(q + (<usize>c << 2)) * load<f32>(k + (<usize>c << 2));
  return total;
}

/** q · k for the 4 consecutive keys at `k` (rows of `n` floats) into out[0..4): q is loaded once for all four. */
function dot4(q: usize, k: usize, n: u32, out: usize): void {
  const row = <usize>n << 2;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let c: u32 = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    const x = v128.load(q + at);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(k + at)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(k + row + at)));
    s2 = f32x4.add(s2, f32x4.mul(x, v128.load(k + 2 * row + at)));
    s3 = f32x4.add(s3, f32x4.mul(x, v128.load(k + 3 * row + at)));
  }
  // Lane sums of the four accumulators (a 4 × 4 transpose by shuffles, then adds).
  const t0 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
  const u = f32x4.add(t0, t1), w = f32x4.add(t2, t3);
  let sums = f32x4.add(v128.shuffle<f32>(u, w, 0, 1, 4, 5), v128.shuffle<f32>(u, w, 2, 3, 6, 7));
  for (; c < n; c++) {
    const x = load<f32>(q + (<usize>c << 2));
    const at = <usize>c << 2;
    sums = f32x4.add(sums, f32x4.mul(f32x4.splat(x), f32x4(load<f32>(k + at), load<f32>(k + row + at), load<f32>(k + 2 * row + at), load<f32>(k + 3 * row + at))));
  }
  v128.store(out, sums);
}

/** acc[0..n) *= alpha (contiguous float32). */
function scale(acc: usize, alpha: f32, n: u32): void {
  const a = f32x4.splat(alpha);
  let c: u32 = 0;
  for (; c + 4 <= n; c += 4) v128.store(acc + (<usize>c << 2), f32x4.mul(v128.load(acc + (<usize>c << 2)), a));
  for (; c < n; c++) store<f32>(acc + (<usize>c << 2), load<f32>(acc + (<usize>c << 2)) * alpha);
}

/** acc[0..n) += Σ p[j] · v[j] over the `count` (≤ 4) consecutive value rows at `v` (rows of `n` floats). */
function accumulate(acc: usize, p: usize, v: usize, n: u32, count: u32): void {
  const row = <usize>n << 2;
  const p0 = load<f32>(p), p1 = count > 1 ? load<f32>(p, 4) : 0, p2 = count > 2 ? load<f32>(p, 8) : 0, p3 = count > 3 ? load<f32>(p, 12) : 0;
  const w0 = f32x4.splat(p0), w1 = f32x4.splat(p1), w2 = f32x4.splat(p2), w3 = f32x4.splat(p3);
  let c: u32 = 0;
  if (count == 4) {
    for (; c + 4 <= n; c += 4) {
      const at = <usize>c << 2;
      let sum = f32x4.add(v128.load(acc + at), f32x4.mul(v128.load(v + at), w0));
      sum = f32x4.add(sum, f32x4.mul(v128.load(v + row + at), w1));
      sum = f32x4.add(sum, f32x4.mul(v128.load(v + 2 * row + at), w2));
      v128.store(acc + at, f32x4.add(sum, f32x4.mul(v128.load(v + 3 * row + at), w3)));
    }
  }
  for (; c < n; c++) {
    const at = <usize>c << 2;
    let sum = load<f32>(acc + at) + load<f32>(v + at) * p0;
    if (count > 1) sum += load<f32>(v + row + at) * p1;
    if (count > 2) sum += load<f32>(v + 2 * row + at) * p2;
    if (count > 3) sum += load<f32>(v + 3 * row + at) * p3;
    store<f32>(acc + at, sum);
  }
}

/**
 * One query row (the scaled query at `qRow`) against the first `keys` keys, in blocks of
 * ATTENTION_KEY_BLOCK with the online softmax; writes the Ev outputs at `out` (byte stride `oE`).
 */
function attendRow(
  out: usize, oE: isize, dtype: u32, qRow: usize, kf: usize, vf: usize, acc: usize, scores: usize, keys: u32,
  e: u32, ev: u32, maskKind: u32, maskRow: usize, mS: isize, maskType: u32,
): void {
  memory.fill(acc, 0, <usize>ev << 2);
  let m: f32 = -Infinity;
  let sum: f32 = 0;
  for (let j0: u32 = 0; j0 < keys; j0 += ATTENTION_KEY_BLOCK) {
    const count = min<u32>(ATTENTION_KEY_BLOCK, keys - j0);
    let j: u32 = 0;
    for (; j + 4 <= count; j += 4) dot4(qRow, kf + (<usize>(j0 + j) * e << 2), e, scores + (<usize>j << 2));
    for (; j < count; j++) store<f32>(scores + (<usize>j << 2), dot(qRow, kf + (<usize>(j0 + j) * e << 2), e));
    let blockMax: f32 = -Infinity;
    for (j = 0; j < count; j++) {
      const at = scores + (<usize>j << 2);
      let score = load<f32>(at);
      if (maskKind == ATTENTION_MASK_BOOL) {
        if (load<u8>(maskRow + <usize>(<isize>(j0 + j) * mS)) == 0) score = -Infinity;
      } else if (maskKind == ATTENTION_MASK_ADD) {
        score += loadF32(maskRow + <usize>(<isize>(j0 + j) * mS), maskType);
      }
      store<f32>(at, score);
      blockMax = max<f32>(blockMax, score);
    }
    if (blockMax == -Infinity) continue; // every key of the block masked out: nothing to add
    const mNew = max<f32>(m, blockMax);
    if (m != -Infinity && m != mNew) {
      const alpha = Mathf.exp(m - mNew);
      sum *= alpha;
      scale(acc, alpha, ev);
    }
    for (j = 0; j < count; j++) {
      const at = scores + (<usize>j << 2);
      const p = Mathf.exp(load<f32>(at) - mNew);
      store<f32>(at, p);
      sum += p;
    }
    for (j = 0; j < count; j += 4) accumulate(acc, scores + (<usize>j << 2), vf + (<usize>(j0 + j) * ev << 2), ev, min<u32>(4, count - j));
    m = mNew;
  }
  // All keys masked out (or none): PyTorch's _safe_softmax gives a zero row.
  const inverse: f32 = sum > 0 ? 1 / sum : 0;
  let o = out;
  for (let c: u32 = 0; c < ev; c++, o += oE) {
    storeF32(o, dtype, sum > 0 ? load<f32>(acc + (<usize>c << 2)) * inverse : (sum == sum ? 0 : sum));
  }
}
