// OP_ROWS: ops that normalise along rows: softmax, log-softmax (over one dim, which the host
// makes the row) and layer norm (over the trailing normalized_shape, flattened into one dim).
// The args' last dim is the row (length L), the dims before it count rows; operand 0 is the
// output, operand 1 the input. params:
//
//   params[0..2) weight address (u64, 0: none), L contiguous elements of the input's dtype
//   params[2..4) bias address (u64, 0: none), likewise
//   params[4] eps (f32, layer norm)
//
// Values are read as float32 and accumulated in f64; softmax subtracts the row maximum first
// (as PyTorch's kernels do) so exp never overflows.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeLayerNorm, timeSoftmax } from "../timing/reductions";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, argWord, checkCommandArgs, checkOperand, iterationCount, paramAddress,
  paramFloat, shapeAt, spanBytes, spanStart,
} from "./args";
import { firstRow, nextRow, rowOffset, rowStride } from "./iterate";

export const ROWS_SOFTMAX: u32 = 0;
export const ROWS_LOG_SOFTMAX: u32 = 1;
export const ROWS_LAYER_NORM: u32 = 2;
export const ROWS_KINDS: u32 = 3;


/** OP_ROWS; see the file comment. The args' rank counts the row dims plus one (the row itself). */
export function rows(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  const inType = argWord(args, ARGS_DTYPE);
  if (kind >= ROWS_KINDS || !isFloating(dtype) || dtypeBytes(inType) == 0) return STATUS_BAD_ARGS;
  // The row is the last dim of the iteration, so operand checks cover whole rows.
  const rank = argWord(args, ARGS_RANK);
  if (rank == 0) return STATUS_BAD_ARGS;
  const count = iterationCount(args, rank);
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const length = shapeAt(args, rank - 1);
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  const weight64 = paramAddress(args, 0);
  const bias64 = paramAddress(args, 2);
  const outSize = dtypeBytes(dtype);
  const inSize = dtypeBytes(inType);
  const vectorBytes = <u64>length * inSize;
  status = checkOperand(args, 1, rank, src64, inType);
  if (status != STATUS_OK) return status;
  const srcStart = spanStart;
  const srcBytes = spanBytes;
  status = checkOperand(args, 0, rank, dst64, dtype);
  if (status == STATUS_OK && weight64 != 0) status = checkRange(weight64, vectorBytes, inSize);
  if (status == STATUS_OK && bias64 != 0) status = checkRange(bias64, vectorBytes, inSize);
  if (status != STATUS_OK) return status;
  readOperand(srcStart, srcBytes);
  if (weight64 != 0) readOperand(<f64>weight64, <f64>vectorBytes);
  if (bias64 != 0) readOperand(<f64>bias64, <f64>vectorBytes);
  writeOperand(spanStart, spanBytes);
  const elements = <f64>count;
  // softmax: RE max and sum of exp, SE exp (LUT) and scale; log-softmax: the same with a
  // subtraction for the scale; layer norm: RE mean and variance, SE normalise and affine. A
  // row too long for local memory takes a pass over it per step (timing/reductions.ts).
  if (kind == ROWS_LAYER_NORM) timeLayerNorm(elements, <f64>length, <f64>inSize, <f64>outSize);
  else timeSoftmax(elements, <f64>length, <f64>inSize, <f64>outSize, kind == ROWS_LOG_SOFTMAX);
  if (timingOnly || length == 0 || count == 0) return STATUS_OK;
  const dst = <u32>dst64;
  const src = <u32>src64;
  const weight = <u32>weight64;
  const bias = <u32>bias64;
  const inStride = <isize>rowStride(args, 1, rank) * inSize;
  const outStride = <isize>rowStride(args, 0, rank) * outSize;
  const eps = <f64>paramFloat(args, 4);
  const rowCount = count / length;
  firstRow();
  for (let r: u64 = 0; r < rowCount; r++) {
    const x = <usize>(<i64>src + rowOffset(args, 1, rank) * inSize);
    const y = <usize>(<i64>dst + rowOffset(args, 0, rank) * outSize);
    if (kind == ROWS_LAYER_NORM) {
      let sum: f64 = 0;
      let p = x;
      for (let i: u32 = 0; i < length; i++, p += inStride) sum += <f64>loadF32(p, inType);
      const mean = sum / <f64>length;
      let squares: f64 = 0;
      p = x;
      for (let i: u32 = 0; i < length; i++, p += inStride) {
        const d = <f64>loadF32(p, inType) - mean;
        squares += d * d;
      }
      const inverse = 1 / Math.sqrt(squares / <f64>length + eps);
      p = x;
      let q = y;
      for (let i: u32 = 0; i < length; i++, p += inStride, q += outStride) {
        let v = (<f64>loadF32(p, inType) - mean) * inverse;
        if (weight != 0) v *= <f64>loadF32(<usize>weight + <usize>i * inSize, inType);
        if (bias != 0) v += <f64>loadF32(<usize>bias + <usize>i * inSize, inType);
        storeF32(q, dtype, <f32>v);
      }
    } else {
      let m: f32 = -Infinity;
      let p = x;
      for (let i: u32 = 0; i < length; i++, p += inStride) m = max<f32>(m, loadF32(p, inType));
      // A row of -inf (or one holding +inf) has no finite maximum to subtract: shift by 0.
      const shift: f32 = m == m && abs<f32>(m) != Infinity ? m : (m == m ? 0 : m);
      let sum: f64 = 0;
      p = x;
      for (let i: u32 = 0; i < length; i++, p += inStride) sum += <f64>Mathf.exp(loadF32(p, inType) - shift);
      p = x;
      let q = y;
      if (kind == ROWS_SOFTMAX) {
        const inverse = 1 / sum;
        for (let i: u32 = 0; i < length; i++, p += inStride, q += outStride) {
          storeF32(q, dtype, <f32>(<f64>Mathf.exp(loadF32(p, inType) - shift) * inverse));
        }
      } else {
        const logSum = Math.log(sum);
        for (let i: u32 = 0; i < length; i++, p += inStride, q += outStride) {
          storeF32(q, dtype, <f32>(<f64>(loadF32(p, inType) - shift) - logSum));
        }
      }
    }
    nextRow(args, rank);
  }
  return STATUS_OK;
}
