// OP_PAD: torch.nn.functional.pad. Each output element is an input element (or the constant):
// along every dim, output index o reads input index i = o - low; an i outside [0, size) is the
// constant (mode constant), mirrored about the edge without repeating it (reflect: -i, or
// 2 (size - 1) - i) or clamped to it (replicate). Negative low pads crop.
//
// The argument block (ops/args.ts), rank = the tensors' rank (no coalescing):
//
//   shape           the output's sizes
//   strides 0, 1    the output's and the input's strides (elements)
//   strides 2       low pad per dim (i32, negative crops)
//   strides 3       the input's sizes per dim
//   kind            PAD_CONSTANT, PAD_REFLECT, PAD_REPLICATE
//   params[0]       the constant as f32 (floating dtypes), params[1] as i32 (integer and bool)
//
// The input has the command's dtype (ARGS_DTYPE word is not read).

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timePadding } from "../timing/padding";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, storeF32, storeI32 } from "../kernels/convert";
import {
  ARGS_KIND, ARGS_RANK, MAX_RANK, argWord, checkCommandArgs, checkOperand, iterationCount, param, paramFloat,
  shapeAt, spanBytes, spanStart, strideAt,
} from "./args";

export const PAD_CONSTANT: u32 = 0;
export const PAD_REFLECT: u32 = 1;
export const PAD_REPLICATE: u32 = 2;
export const PAD_KINDS: u32 = 3;

/** Output index counters of the current element (static: the core allocates nothing). */
const counters = memory.data(<i32>MAX_RANK * 4);

/** First byte and bytes of the input span sourceSpan() last measured. */
export let sourceStart: f64 = 0;
export let sourceBytes: f64 = 0;

/**
 * Checks the input of a layout op whose sizes per dim are in operand 3's stride words and
 * strides in operand 1's: every element it reaches lies in device memory and is aligned.
 * Leaves its span in sourceStart, sourceBytes (0 bytes for an empty input).
 */
export function checkSource(args: usize, rank: u32, address: u64, size: u32): u32 {
  let low: i64 = 0;
  let high: i64 = 0;
  sourceStart = <f64>address;
  sourceBytes = 0;
  for (let d: u32 = 0; d < rank; d++) {
    const extent = <i64>strideAt(args, 3, d);
    if (extent < 0) return STATUS_BAD_ARGS;
    if (extent == 0) return STATUS_OK;
    const reach = <i64>strideAt(args, 1, d) * (extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const start = <i64>address + low * <i64>size;
  if (start < 0) return STATUS_BAD_ARGS;
  sourceStart = <f64>start;
  sourceBytes = <f64>((high - low + 1) * <i64>size);
  return checkRange(<u64>start, <u64>sourceBytes, size);
}

/** Input index for output index `o` along a dim of `size` input elements with low pad `low`; -1: the constant. */
// @ts-ignore: decorator
@inline function sourceIndex(mode: u32, o: i64, low: i64, size: i64): i64 {
  let i = o - low;
  if (i >= 0 && i < size) return i;
  if (mode == PAD_CONSTANT) return -1;
  if (mode == PAD_REPLICATE) return i < 0 ? 0 : size - 1;
  return i < 0 ? -i : 2 * (size - 1) - i;
}

/** OP_PAD; see the file comment. */
export function pad(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const mode = argWord(args, ARGS_KIND);
  const rank = argWord(args, ARGS_RANK);
  if (mode >= PAD_KINDS) return STATUS_BAD_ARGS;
  const count = iterationCount(args, rank);
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const size = dtypeBytes(dtype);
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  // Every input index the modes can produce must exist: reflect needs |pad| < size, the
  // others a non-empty input wherever an output element is not the constant.
  for (let d: u32 = 0; d < rank; d++) {
    const extent = <i64>strideAt(args, 3, d);
    const low = <i64>strideAt(args, 2, d);
    const high = <i64>shapeAt(args, d) - extent - low;
    if (mode != PAD_CONSTANT && count > 0 && extent == 0) return STATUS_BAD_ARGS;
    if (mode == PAD_REFLECT && count > 0 && (low >= extent || high >= extent)) return STATUS_BAD_ARGS;
  }
  status = checkSource(args, rank, src64, size);
  if (status != STATUS_OK) return status;
  status = checkOperand(args, 0, rank, dst64, dtype);
  if (status != STATUS_OK) return status;
  readOperand(sourceStart, sourceBytes);
  writeOperand(spanStart, spanBytes);
  timePadding(sourceBytes, <f64>count * <f64>size, <f64>size);
  if (timingOnly || count == 0) return STATUS_OK;
  const valueF = paramFloat(args, 0);
  const valueI = <i32>param(args, 1);
  const floating = isFloating(dtype);
  const dst = <usize>dst64;
  const src = <usize>src64;
  memory.fill(counters, 0, <usize>MAX_RANK * 4);
  for (let e: u64 = 0; e < count; e++) {
    let inOffset: i64 = 0;
    let outOffset: i64 = 0;
    let inside = true;
    for (let d: u32 = 0; d < rank; d++) {
      const o = <i64>load<u32>(counters + (<usize>d << 2));
      outOffset += o * <i64>strideAt(args, 0, d);
      const i = sourceIndex(mode, o, <i64>strideAt(args, 2, d), <i64>strideAt(args, 3, d));
      if (i < 0) inside = false;
      else inOffset += i * <i64>strideAt(args, 1, d);
    }
    const to = dst + <usize>(outOffset * <i64>size);
    if (!inside) {
      if (floating) storeF32(to, dtype, valueF);
      else storeI32(to, dtype, valueI);
    } else {
      const from = <usize>(<i64>src + inOffset * <i64>size);
      if (size == 4) store<u32>(to, load<u32>(from));
      else if (size == 2) store<u16>(to, load<u16>(from));
      else store<u8>(to, load<u8>(from));
    }
    for (let d = <i32>rank - 1; d >= 0; d--) {
      const at = counters + (<usize>d << 2);
      const next = load<u32>(at) + 1;
      if (next < shapeAt(args, <u32>d)) {
        store<u32>(at, next);
        break;
      }
      store<u32>(at, 0);
    }
  }
  return STATUS_OK;
}
