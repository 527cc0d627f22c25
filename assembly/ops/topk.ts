// OP_TOPK: torch.topk along one dim, which the host makes the args' last (the row, length L).
// Operand 0 is the values output and operand 3 (addr3, int32) the indices output; both walk
// the row dim with their own strides but only params[0] = k positions of it. Operand 1 is the
// input, of the command's dtype. params[1]: 1 for the largest, 0 for the smallest.
//
// Order, as torch.topk's sorted results: NaN ranks above every number (first for the
// largest, last for the smallest); equal values rank by lower index first. Each row keeps
// its best k in the outputs as a binary heap with the worst at the root (L · log k), then
// heap-sorts them best first (k · log k); values are copied bit for bit.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeTopk } from "../timing/topk";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, loadI32 } from "../kernels/convert";
import {
  ARGS_RANK, address3, argWord, checkCommandArgs, checkOperand, iterationCount, param, shapeAt, spanBytes,
  spanStart, strideAt,
} from "./args";
import { firstRow, nextRow, rowOffset, rowStride } from "./iterate";

/** First byte and bytes of the output span outputSpan() last measured. */
let outStart: f64 = 0;
let outBytes: f64 = 0;

/** Span of output operand `k` (element `size` bytes) over the row dims and `kept` positions of the last. */
function outputSpan(args: usize, k: u32, rank: u32, address: u64, size: u32, kept: u32): u32 {
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d: u32 = 0; d < rank; d++) {
    const extent = d + 1 == rank ? kept : shapeAt(args, d);
    const reach = <i64>strideAt(args, k, d) * (<i64>extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const start = <i64>address + low * <i64>size;
  if (start < 0) return STATUS_BAD_ARGS;
  outStart = <f64>start;
  outBytes = <f64>((high - low + 1) * <i64>size);
  return checkRange(<u64>start, <u64>outBytes, size);
}

// The row being selected: its values' dtype and output strides (bytes), for the heap helpers.
let valueType: u32 = 0;
let valueSize: usize = 0;
let floatingValues = false;
let largest = true;
let valuesAt: usize = 0;
let valuesStride: isize = 0;
let indicesAt: usize = 0;
let indicesStride: isize = 0;

/** The value at heap position `p`, as f64 (exact for every dtype). */
// @ts-ignore: decorator
@inline function keyAt(p: u32): f64 {
  const address = valuesAt + <usize>(<isize>p * valuesStride);
  return floatingValues ? <f64>loadF32(address, valueType) : <f64>loadI32(address, valueType);
}

/** Index at heap position `p`. */
// @ts-ignore: decorator
@inline function indexAt(p: u32): i32 {
  return load<i32>(indicesAt + <usize>(<isize>p * indicesStride));
}

/** Whether (va, ia) ranks before (vb, ib) in the output order (see the file comment). */
// @ts-ignore: decorator
@inline function ranksBefore(va: f64, ia: i32, vb: f64, ib: i32): bool {
  const nanA = va != va;
  const nanB = vb != vb;
  if (nanA || nanB) {
    if (nanA && nanB) return ia < ib;
    return largest ? nanA : nanB;
  }
  if (va != vb) return largest ? va > vb : va < vb;
  return ia < ib;
}

/** Whether heap position `a` ranks after `b` (the heap keeps the worst at its root). */
// @ts-ignore: decorator
@inline function worse(a: u32, b: u32): bool {
  return ranksBefore(keyAt(b), indexAt(b), keyAt(a), indexAt(a));
}

/** Swaps heap positions `a` and `b` (value bits and index). */
function swap(a: u32, b: u32): void {
  const va = valuesAt + <usize>(<isize>a * valuesStride);
  const vb = valuesAt + <usize>(<isize>b * valuesStride);
  if (valueSize == 4) { const t = load<u32>(va); store<u32>(va, load<u32>(vb)); store<u32>(vb, t); }
  else if (valueSize == 2) { const t = load<u16>(va); store<u16>(va, load<u16>(vb)); store<u16>(vb, t); }
  else { const t = load<u8>(va); store<u8>(va, load<u8>(vb)); store<u8>(vb, t); }
  const ia = indicesAt + <usize>(<isize>a * indicesStride);
  const ib = indicesAt + <usize>(<isize>b * indicesStride);
  const t = load<i32>(ia);
  store<i32>(ia, load<i32>(ib));
  store<i32>(ib, t);
}

/** Moves position `p` down the heap of `n` until both children rank before it. */
function siftDown(p: u32, n: u32): void {
  for (;;) {
    const left: u32 = 2 * p + 1;
    if (left >= n) return;
    let child = left;
    if (left + 1 < n && worse(left + 1, left)) child = left + 1;
    if (!worse(child, p)) return;
    swap(p, child);
    p = child;
  }
}

/** Moves position `p` up the heap while it ranks after its parent. */
function siftUp(p: u32): void {
  while (p > 0) {
    const parent = (p - 1) >> 1;
    if (!worse(p, parent)) return;
    swap(p, parent);
    p = parent;
  }
}

/** Writes input element `from` (index `i`) into heap position `p`. */
function put(p: u32, from: usize, i: i32): void {
  const to = valuesAt + <usize>(<isize>p * valuesStride);
  if (valueSize == 4) store<u32>(to, load<u32>(from));
  else if (valueSize == 2) store<u16>(to, load<u16>(from));
  else store<u8>(to, load<u8>(from));
  store<i32>(indicesAt + <usize>(<isize>p * indicesStride), i);
}

/** OP_TOPK; see the file comment. */
export function topk(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  if (rank == 0) return STATUS_BAD_ARGS;
  const length = shapeAt(args, rank - 1);
  const k = param(args, 0);
  if (k > length) return STATUS_BAD_ARGS;
  const elements = iterationCount(args, rank);
  const rows = length == 0 ? 0 : elements / length;
  if (rows * <u64>k != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const size = dtypeBytes(dtype);
  const src64 = load<u64>(command + COMMAND_SRC0);
  const dst64 = load<u64>(command + COMMAND_DST);
  const idx64 = address3(args);
  status = checkOperand(args, 1, rank, src64, dtype);
  if (status != STATUS_OK) return status;
  const srcStart = spanStart;
  const srcBytes = spanBytes;
  if (rows * <u64>k == 0) {
    readOperand(srcStart, srcBytes);
    timeTopk(<f64>elements, <f64>rows, <f64>k, srcBytes, 0);
    return STATUS_OK;
  }
  status = outputSpan(args, 3, rank, idx64, 4, k);
  if (status != STATUS_OK) return status;
  const idxStart = outStart;
  const idxBytes = outBytes;
  status = outputSpan(args, 0, rank, dst64, size, k);
  if (status != STATUS_OK) return status;
  readOperand(srcStart, srcBytes);
  writeOperand(outStart, outBytes);
  writeOperand(idxStart, idxBytes);
  timeTopk(<f64>elements, <f64>rows, <f64>k, <f64>elements * <f64>size, <f64>(rows * <u64>k) * <f64>(size + 4));
  if (timingOnly) return STATUS_OK;
  valueType = dtype;
  valueSize = size;
  floatingValues = isFloating(dtype);
  largest = param(args, 1) != 0;
  const inStride = <isize>rowStride(args, 1, rank) * size;
  valuesStride = <isize>rowStride(args, 0, rank) * size;
  indicesStride = <isize>rowStride(args, 3, rank) * 4;
  firstRow();
  for (let r: u64 = 0; r < rows; r++) {
    const x = <usize>(<i64>src64 + rowOffset(args, 1, rank) * size);
    valuesAt = <usize>(<i64>dst64 + rowOffset(args, 0, rank) * size);
    indicesAt = <usize>(<i64>idx64 + rowOffset(args, 3, rank) * 4);
    for (let i: u32 = 0; i < length; i++) {
      const from = x + <usize>(<isize>i * inStride);
      if (i < k) {
        put(i, from, <i32>i);
        siftUp(i);
        continue;
      }
      const v = floatingValues ? <f64>loadF32(from, dtype) : <f64>loadI32(from, dtype);
      if (!ranksBefore(v, <i32>i, keyAt(0), indexAt(0))) continue;
      put(0, from, <i32>i);
      siftDown(0, k);
    }
    for (let end = k - 1; end > 0; end--) {
      swap(0, end);
      siftDown(0, end);
    }
    nextRow(args, rank);
  }
  return STATUS_OK;
}
