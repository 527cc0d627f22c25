// OP_REDUCE: reductions over the trailing dims of a strided iteration (torch.sum, mean, max,
// min, argmax with dim and keepdim). The host permutes the reduced dims to the end, so
// dims [0, outerRank) index the output and dims [outerRank, rank) are reduced (params[0] =
// rank - outerRank). Operand 0 is the output (its inner strides are unused), operand 1 the
// input, operand 3 (optional, int32) receives max/min indices. An index is the flat row-major
// position inside the reduced block, which for one reduced dim is the index along it.
//
// Floating inputs accumulate sums in f64 (more precise than PyTorch's float32 cascade), integer
// sums wrap in int32 (PyTorch accumulates int64; mtia-sim has no int64 arithmetic).

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, DTYPE_FLOAT32, DTYPE_INT32 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { DTYPE_INT64 } from "../abi";
import { STATUS_UNSUPPORTED_DTYPE } from "../status";
import { timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeReduction } from "../timing/reductions";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, loadI32, storeF32, storeI32 } from "../kernels/convert";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, MAX_RANK, address3, argWord, checkCommandArgs, checkOperand,
  param, shapeAt, spanBytes, spanStart, strideAt,
} from "./args";

export const REDUCE_SUM: u32 = 0;
export const REDUCE_MEAN: u32 = 1;
export const REDUCE_MAX: u32 = 2;
export const REDUCE_MIN: u32 = 3;
export const REDUCE_ARGMAX: u32 = 4;
export const REDUCE_KINDS: u32 = 5;

const outerCounters = memory.data(<i32>MAX_RANK * 4);
const innerCounters = memory.data(<i32>MAX_RANK * 4);

/** Element offset of operand `k` at the counters `counters` over dims [from, to). */
function offsetAt(args: usize, counters: usize, k: u32, from: u32, to: u32): i64 {
  let offset: i64 = 0;
  for (let d = from; d < to; d++) {
    offset += <i64>load<u32>(counters + (<usize>(d - from) << 2)) * <i64>strideAt(args, k, d);
  }
  return offset;
}

/** Advances `counters` over dims [from, to) in row-major order; false after the last position. */
function advance(args: usize, counters: usize, from: u32, to: u32): bool {
  let d = <i32>to - 1;
  while (d >= <i32>from) {
    const at = counters + (<usize>(<u32>d - from) << 2);
    const next = load<u32>(at) + 1;
    if (next < shapeAt(args, <u32>d)) {
      store<u32>(at, next);
      return true;
    }
    store<u32>(at, 0);
    d--;
  }
  return false;
}

/**
 * Sum of `n` contiguous float32 values at `p`, in f64 like the strided path (so the result does
 * not depend on layout): each f32x4 load is widened to two f64x2 accumulators, then the tail.
 */
function sumContiguousF32(p: usize, n: u32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  const blocks = (<usize>n >> 2) << 4;
  let i: usize = 0;
  for (; i < blocks; i += 16) {
    const v = v128.load(p + i);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  }
  const s = f64x2.add(a0, a1);
  let total: f64 = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  const bytes = <usize>n << 2;
  for (; i < bytes; i += 4) total += <f64>load<f32>(p + i);
  return total;
}

/** OP_REDUCE; see the file comment. */
export function reduce(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  const innerRank = param(args, 0);
  const kind = argWord(args, ARGS_KIND);
  if (innerRank > rank || kind >= REDUCE_KINDS) return STATUS_BAD_ARGS;
  const outerRank = rank - innerRank;
  let outerCount: u64 = 1;
  for (let d: u32 = 0; d < outerRank; d++) outerCount *= shapeAt(args, d);
  let innerCount: u64 = 1;
  for (let d = outerRank; d < rank; d++) innerCount *= shapeAt(args, d);
  if (outerCount != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  if (innerCount == 0 && kind >= REDUCE_MAX) return STATUS_BAD_ARGS; // max of nothing
  const inType = argWord(args, ARGS_DTYPE);
  if (dtype == DTYPE_INT64 || inType == DTYPE_INT64) return STATUS_UNSUPPORTED_DTYPE; // no int64 arithmetic
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  const indices64 = address3(args);
  const withIndices = indices64 != 0 && (kind == REDUCE_MAX || kind == REDUCE_MIN);
  status = checkOperand(args, 0, outerRank, dst64, dtype);
  if (status != STATUS_OK) return status;
  writeOperand(spanStart, spanBytes);
  if (withIndices) {
    status = checkOperand(args, 3, outerRank, indices64, DTYPE_INT32);
    if (status != STATUS_OK) return status;
    writeOperand(spanStart, spanBytes);
  }
  status = checkOperand(args, 1, rank, src64, inType);
  if (status != STATUS_OK) return status;
  readOperand(spanStart, spanBytes);
  const inElements = <f64>outerCount * <f64>innerCount;
  timeReduction(inElements, inElements * <f64>dtypeBytes(inType), <f64>outerCount * <f64>dtypeBytes(dtype));
  if (timingOnly) return STATUS_OK;
  const dst = <u32>dst64;
  const src = <u32>src64;
  const indices = <u32>indices64;

  const outSize = dtypeBytes(dtype);
  const inSize = dtypeBytes(inType);
  const floating = isFloating(inType);
  const rowLength: u32 = innerRank == 0 ? 1 : <u32>shapeAt(args, rank - 1); // values mode: below 2^32
  const rowStride: isize = innerRank == 0 ? 0 : <isize>strideAt(args, 1, rank - 1) * inSize;
  const contiguousF32 = inType == DTYPE_FLOAT32 && rowStride == 4;
  const rows = innerCount == 0 ? 0 : innerCount / rowLength;
  const rowDims = innerRank == 0 ? rank : rank - 1;
  memory.fill(outerCounters, 0, <usize>MAX_RANK * 4);
  for (let o: u64 = 0; o < outerCount; o++) {
    const base = <i64>src + offsetAt(args, outerCounters, 1, 0, outerRank) * inSize;
    let sum: f64 = 0;
    let isum: i32 = 0;
    let best: f32 = 0;
    let ibest: i32 = 0;
    let bestIndex: i32 = -1;
    let position: i32 = 0;
    memory.fill(innerCounters, 0, <usize>MAX_RANK * 4);
    for (let r: u64 = 0; r < rows; r++) {
      let p = <usize>(base + offsetAt(args, innerCounters, 1, outerRank, rowDims) * inSize);
      if (kind <= REDUCE_MEAN) {
        if (contiguousF32) sum += sumContiguousF32(p, rowLength);
        else if (floating) for (let i: u32 = 0; i < rowLength; i++, p += rowStride) sum += <f64>loadF32(p, inType);
        else for (let i: u32 = 0; i < rowLength; i++, p += rowStride) isum += loadI32(p, inType);
      } else {
        const wantMax = kind != REDUCE_MIN;
        for (let i: u32 = 0; i < rowLength; i++, p += rowStride, position++) {
          if (floating) {
            // The first NaN wins and stays (torch.max propagates NaN); otherwise the first extreme.
            const v = loadF32(p, inType);
            if (bestIndex < 0 || (best == best && (v != v || (wantMax ? v > best : v < best)))) {
              best = v;
              bestIndex = position;
            }
          } else {
            const v = loadI32(p, inType);
            if (bestIndex < 0 || (wantMax ? v > ibest : v < ibest)) {
              ibest = v;
              bestIndex = position;
            }
          }
        }
      }
      advance(args, innerCounters, outerRank, rowDims);
    }
    const out = <usize>(<i64>dst + offsetAt(args, outerCounters, 0, 0, outerRank) * outSize);
    if (kind == REDUCE_SUM) {
      if (floating) storeF32(out, dtype, <f32>sum);
      else storeI32(out, dtype, isum);
    } else if (kind == REDUCE_MEAN) {
      storeF32(out, dtype, <f32>(sum / <f64>innerCount));
    } else if (kind == REDUCE_ARGMAX) {
      storeI32(out, dtype, bestIndex);
    } else {
      if (floating) storeF32(out, dtype, best);
      else storeI32(out, dtype, ibest);
      if (withIndices) {
        store<i32>(<usize>(<i64>indices + offsetAt(args, outerCounters, 3, 0, outerRank) * 4), bestIndex);
      }
    }
    advance(args, outerCounters, 0, outerRank);
  }
  return STATUS_OK;
}
