// OP_RANDOM: dst[0..count) of the command's dtype from Philox4x32-10 (kernels/philox.ts). The
// host keeps each device's (seed, offset) and advances the offset per op (src/tensor/generator.ts).
// Value j of the stream at `offset` is 32-bit word (offset + j) % 4 of block (offset + j) / 4.
// params: [0] seed low, [1] seed high, [2] offset low, [3] offset high (a multiple of 4),
// [4] low, [5] high (i32, randint). Kinds and the words they use:
//
//   uniform  element i ← word i:   (w >> (32 - d)) · 2^-d, d = mantissa digits (24, 11 or 8),
//                                  so float16/bfloat16 values are exact and below 1
//   normal   elements 2p, 2p+1 ← words 2p, 2p+1 (Box–Muller, in f64):
//                                  u1 = ((w0 >> 8) + 1) · 2^-24, u2 = (w1 >> 8) · 2^-24,
//                                  r = sqrt(-2 ln u1), z = (r cos 2πu2, r sin 2πu2)
//   randint  element i ← word i:   low + w mod (high - low)

import {
  COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, DTYPE_BFLOAT16, DTYPE_FLOAT16,
} from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { writeOperand } from "../timing/memory-levels";
import { sePasses, timeElementwise } from "../timing/elementwise";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, storeF32, storeI32 } from "../kernels/convert";
import { philox, philoxOut } from "../kernels/philox";
import { ARGS_KIND, argWord, checkCommandArgs, param } from "./args";

export const RANDOM_UNIFORM: u32 = 0;
export const RANDOM_NORMAL: u32 = 1;
export const RANDOM_RANDINT: u32 = 2;
export const RANDOM_KINDS: u32 = 3;

/** SIMD element-operations the cost model charges per generated value (10 Philox rounds / 4 lanes). */
const OPS_PER_VALUE: f64 = 8;

/** Word `j` of the stream of seed (k0, k1) starting at 64-bit `offset`. */
// @ts-ignore: decorator
@inline function word(offset: u64, j: u64, k0: u32, k1: u32): u32 {
  const position = offset + j;
  if ((position & 3) == 0 || j == 0) {
    const block = position >> 2;
    philox(<u32>block, <u32>(block >> 32), 0, 0, k0, k1);
  }
  return load<u32>(philoxOut + (<usize>(position & 3) << 2));
}

/** OP_RANDOM; see the file comment. */
export function random(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  const floating = isFloating(dtype);
  if (kind >= RANDOM_KINDS || (kind != RANDOM_RANDINT && !floating)) return STATUS_BAD_ARGS;
  const low = <i32>param(args, 4);
  const range = <u32>(<i32>param(args, 5) - low);
  if (kind == RANDOM_RANDINT && range == 0) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const count64 = load<u64>(command + COMMAND_COUNT);
  status = checkRange(dst64, count64 * size, size);
  if (status != STATUS_OK) return status;
  // Philox's rounds are plain SE passes; normal values add Box-Muller's log, sqrt and sin/cos (LUTs).
  writeOperand(<f64>dst64, <f64>count64 * size);
  timeElementwise(<f64>count64, 0, <f64>count64 * size, sePasses(OPS_PER_VALUE, kind == RANDOM_NORMAL ? 2 : 0));
  if (timingOnly) return STATUS_OK;
  const dst = <u32>dst64;
  const count = <u32>count64; // in device memory: below 2^32
  const k0 = param(args, 0);
  const k1 = param(args, 1);
  const offset = (<u64>param(args, 3) << 32) | <u64>param(args, 2);
  const digits: u32 = dtype == DTYPE_FLOAT16 ? 11 : dtype == DTYPE_BFLOAT16 ? 8 : 24;
  const scale = <f32>Math.pow(2, -<f64>digits);
  const out = <usize>dst;
  if (kind == RANDOM_UNIFORM) {
    for (let i: u32 = 0; i < count; i++) {
      storeF32(out + <usize>i * size, dtype, <f32>(word(offset, i, k0, k1) >> (32 - digits)) * scale);
    }
  } else if (kind == RANDOM_NORMAL) {
    for (let i: u32 = 0; i < count; i += 2) {
      const w0 = word(offset, i, k0, k1);
      const w1 = word(offset, i + 1, k0, k1);
      const u1 = (<f64>(w0 >> 8) + 1) * 5.9604644775390625e-8;
      const u2 = <f64>(w1 >> 8) * 5.9604644775390625e-8;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      storeF32(out + <usize>i * size, dtype, <f32>(r * Math.cos(theta)));
      if (i + 1 < count) storeF32(out + <usize>(i + 1) * size, dtype, <f32>(r * Math.sin(theta)));
    }
  } else {
    for (let i: u32 = 0; i < count; i++) {
      storeI32(out + <usize>i * size, dtype, low + <i32>(word(offset, i, k0, k1) % range));
    }
  }
  return STATUS_OK;
}
