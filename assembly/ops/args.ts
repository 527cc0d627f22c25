// The argument block of a tensor op: shapes, strides, dtypes and op parameters that do not fit
// in a 64-byte command. The host writes it into the block of the command's ring position
// (layout.ts ARGS_LOCATION) and names its address in the command's arg0 (src/tensor/launch.ts
// mirrors this file); the block is reused when the ring position is.
//
//   word  0 ┌────────┬────────┬────────┬────────┬────────┬────────┬─────────────────┐
//           │ rank   │ kind   │ dtype1 │ dtype2 │ dtype3 │ rsvd   │ addr3 (u64)     │
//        8  ├────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┤
//           │ shape[0..8): sizes of the iteration, outermost first, u64 × 8         │
//       24  ├───────────────────────────────────────────────────────────────────────┤
//           │ strides of operand 0 (dst), in elements, i64 × 8                      │
//       40  ├───────────────────────────────────────────────────────────────────────┤
//           │ strides of operand 1 (src0)                                           │
//       56  ├───────────────────────────────────────────────────────────────────────┤
//           │ strides of operand 2 (src1)                                           │
//       72  ├───────────────────────────────────────────────────────────────────────┤
//           │ strides of operand 3 (addr3: where's condition, max/min's indices)    │
//       88  ├───────────────────────────────────────────────────────────────────────┤
//           │ params[0..37): u32 or f32 words, meaning set by each op; an address   │
//           │ or a byte size that may pass 4 GiB takes two (param64, u64)            │
//      125  ├───────────────────────────────────────────────────────────────────────┤
//           │ params[37..40): scalar operands 1..3 (JavaScript numbers), when the   │
//           │ host points an operand's address here with stride 0                    │
//      128  └───────────────────────────────────────────────────────────────────────┘
//
// Operand 0's dtype is the command's dtype; operand k's is word k+1. A stride of 0 repeats an
// element (broadcasting); only sizes and strides of dims < rank are read.
//
// Sizes and strides are 64-bit (ABI 10, issue 21 finding 5): in timing-only mode a tensor may
// have 2^32 elements or more, and the timing model computes in f64 from these words. In values
// mode every size, stride and byte count an op reaches lies in device memory, a wasm32 memory,
// so a kernel may narrow them to 32 bits once the op is checked and timed.

import { ARGS_BLOCK_SIZE, ARGS_LOCATION, ARGS_SIZE } from "../layout";
import { COMMAND_ARG0, COMMAND_DTYPE } from "../abi";
import { STATUS_BAD_ARGS, STATUS_BAD_DTYPE, STATUS_MISALIGNED, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { dtypeBytes } from "../kernels/dtype";
import { checkRange } from "../device-memory";

/** Largest rank of an iteration. */
export const MAX_RANK: u32 = 8;
/** Bytes of an argument block. */
export const ARGS_BYTES: u32 = ARGS_BLOCK_SIZE;
export const ARGS_RANK: u32 = 0;
export const ARGS_KIND: u32 = 1;
/** Word of operand k's dtype (k = 1..3): ARGS_DTYPE + k - 1. */
export const ARGS_DTYPE: u32 = 2;
/** Word of operand 3's address (u64, two words). */
export const ARGS_ADDRESS3: u32 = 6;
/** Word of the iteration's sizes: dim d's (u64) at ARGS_SHAPE + 2d. */
export const ARGS_SHAPE: u32 = 8;
/** Word of operand k's strides: dim d's (i64) at ARGS_STRIDES + 16k + 2d. */
export const ARGS_STRIDES: u32 = 24;
export const ARGS_PARAMS: u32 = 88;

/** u32 word `word` of the block at `args`. */
// @ts-ignore: decorator
@inline export function argWord(args: usize, word: u32): u32 {
  return load<u32>(args + (<usize>word << 2));
}

/** f32 word `word` of the block at `args`. */
// @ts-ignore: decorator
@inline export function argFloat(args: usize, word: u32): f32 {
  return load<f32>(args + (<usize>word << 2));
}

/** Size of dim `d` (u64: may pass 2^32 in timing-only mode). */
// @ts-ignore: decorator
@inline export function shapeAt(args: usize, d: u32): u64 {
  return load<u64>(args + (<usize>(ARGS_SHAPE + 2 * d) << 2));
}

/** Stride (elements) of operand `k` along dim `d` (i64: may pass 2^31 in timing-only mode). */
// @ts-ignore: decorator
@inline export function strideAt(args: usize, k: u32, d: u32): i64 {
  return load<i64>(args + (<usize>(ARGS_STRIDES + 16 * k + 2 * d) << 2));
}

/**
 * Size of dim `d` as a u32, for ops whose geometry is 32-bit (conv, pool, attention): the host
 * refuses a size of 2^32 or more for them at the call (src/tensor/launch.ts NARROW_OPCODES).
 */
// @ts-ignore: decorator
@inline export function dim32(args: usize, d: u32): u32 {
  return <u32>shapeAt(args, d);
}

/** Stride of operand `k` along dim `d` as an i32, for the ops dim32() serves (likewise refused). */
// @ts-ignore: decorator
@inline export function stride32(args: usize, k: u32, d: u32): i32 {
  return <i32>strideAt(args, k, d);
}

/** Parameter word `p`. */
// @ts-ignore: decorator
@inline export function param(args: usize, p: u32): u32 {
  return argWord(args, ARGS_PARAMS + p);
}

/** Parameters `p` and `p + 1` as a u64 device address. */
// @ts-ignore: decorator
@inline export function paramAddress(args: usize, p: u32): u64 {
  return load<u64>(args + (<usize>(ARGS_PARAMS + p) << 2));
}

/** Parameters `p` and `p + 1` as a u64 size (a byte count that may pass 4 GiB in timing-only mode). */
// @ts-ignore: decorator
@inline export function param64(args: usize, p: u32): u64 {
  return load<u64>(args + (<usize>(ARGS_PARAMS + p) << 2));
}

/** Operand 3's address. */
// @ts-ignore: decorator
@inline export function address3(args: usize): u64 {
  return load<u64>(args + (<usize>ARGS_ADDRESS3 << 2));
}

/** Parameter word `p` as f32. */
// @ts-ignore: decorator
@inline export function paramFloat(args: usize, p: u32): f32 {
  return argFloat(args, ARGS_PARAMS + p);
}

/** Checks the block at `args` itself: one of the ring's argument blocks, rank at most MAX_RANK. */
export function checkArgs(args: u32): u32 {
  if (args < ARGS_LOCATION || args >= ARGS_LOCATION + ARGS_SIZE) return STATUS_OUT_OF_BOUNDS;
  if ((args - ARGS_LOCATION) % ARGS_BLOCK_SIZE != 0) return STATUS_MISALIGNED;
  return argWord(args, ARGS_RANK) > MAX_RANK ? STATUS_BAD_ARGS : STATUS_OK;
}

/** The checks every argument-block command starts with: a known dtype, a valid block at arg0. */
export function checkCommandArgs(command: usize): u32 {
  if (dtypeBytes(load<u32>(command + COMMAND_DTYPE)) == 0) return STATUS_BAD_DTYPE;
  return checkArgs(load<u32>(command + COMMAND_ARG0));
}

/** Elements of the iteration: the product of the first `rank` sizes (u64: cannot overflow). */
export function iterationCount(args: usize, rank: u32): u64 {
  let count: u64 = 1;
  for (let d: u32 = 0; d < rank; d++) count *= shapeAt(args, d);
  return count;
}

/** First byte of the span operandSpan() last measured (f64: addresses may pass 4 GB). */
export let spanStart: f64 = 0;
/** Bytes of that span: from the lowest to the highest element the operand reaches, inclusive. */
export let spanBytes: f64 = 0;

/**
 * Measures the bytes operand `k` at `address` (of `dtype`) reaches over the first `rank`
 * dims (strides may be negative or zero) into spanStart and spanBytes; spanBytes is 0 for an
 * empty iteration, and spanStart negative if the operand reaches below address 0.
 */
export function operandSpan(args: usize, k: u32, rank: u32, address: u64, dtype: u32): void {
  const size = <i64>dtypeBytes(dtype);
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d: u32 = 0; d < rank; d++) {
    const extent = shapeAt(args, d);
    if (extent == 0) {
      spanStart = <f64>address;
      spanBytes = 0;
      return;
    }
    const reach = strideAt(args, k, d) * <i64>(extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  spanStart = <f64>(<i64>address + low * size);
  spanBytes = <f64>((high - low + 1) * size);
}

/**
 * Checks that every element operand `k` at `address` (of `dtype`) reaches over the first
 * `rank` dims lies in device memory and is aligned. Leaves its span in spanStart, spanBytes.
 */
export function checkOperand(args: usize, k: u32, rank: u32, address: u64, dtype: u32): u32 {
  const size = dtypeBytes(dtype);
  if (size == 0) return STATUS_BAD_ARGS;
  operandSpan(args, k, rank, address, dtype);
  if (spanBytes == 0) return STATUS_OK; // an empty iteration touches nothing
  if (spanStart < 0) return STATUS_OUT_OF_BOUNDS;
  // A number operand held in the argument block itself (its last words, stride 0).
  if (spanStart >= <f64>args && spanStart + spanBytes <= <f64>(args + ARGS_BYTES)) {
    return <u32>spanStart & (size - 1) ? STATUS_MISALIGNED : STATUS_OK;
  }
  return checkRange(<u64>spanStart, <u64>spanBytes, size);
}
