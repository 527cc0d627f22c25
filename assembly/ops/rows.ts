// OP_ROWS: ops that normalise along rows: softmax, log-softmax (over one dim, which the host
// makes the row) and layer norm (over the trailing normalized_shape, flattened into one dim).
// The args' last dim is the row (length L), the dims before it count rows; operand 0 is the
// output, operand 1 the input. params:
//
//   params[0] weight address (0: none), L contiguous elements of the input's dtype
//   params[1] bias address (0: none), likewise
//   params[2] eps (f32, layer norm)
//
// Values are read as float32 and accumulated in f64; softmax subtracts the row maximum first
// (as PyTorch's kernels do) so exp never overflows.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { ENGINE_SIMD } from "../layout";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { setCommandCost } from "../decoder";
import { elementwiseCycles } from "../timing/cost";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, argWord, checkCommandArgs, checkOperand, checkRange, iterationCount,
  param, paramFloat, shapeAt,
} from "./args";
import { firstRow, nextRow, rowOffset, rowStride } from "./iterate";

export const ROWS_SOFTMAX: u32 = 0;
export const ROWS_LOG_SOFTMAX: u32 = 1;
export const ROWS_LAYER_NORM: u32 = 2;
export const ROWS_KINDS: u32 = 3;

/** Element-operations per value the cost model charges: read, reduce, normalise, write. */
const PASSES_PER_ELEMENT: f64 = 3;

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
  if (count != <u64>load<u32>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const length = shapeAt(args, rank - 1);
  const dst = load<u32>(command + COMMAND_DST);
  const src = load<u32>(command + COMMAND_SRC0);
  const weight = param(args, 0);
  const bias = param(args, 1);
  const outSize = dtypeBytes(dtype);
  const inSize = dtypeBytes(inType);
  status = checkOperand(args, 0, rank, dst, dtype);
  if (status == STATUS_OK) status = checkOperand(args, 1, rank, src, inType);
  if (status == STATUS_OK && weight != 0) status = checkRange(weight, <u64>length * inSize, inSize);
  if (status == STATUS_OK && bias != 0) status = checkRange(bias, <u64>length * inSize, inSize);
  if (status != STATUS_OK) return status;
  if (length == 0 || count == 0) {
    setCommandCost(0, ENGINE_SIMD);
    return STATUS_OK;
  }
  const inStride = <isize>rowStride(args, 1, rank) * inSize;
  const outStride = <isize>rowStride(args, 0, rank) * outSize;
  const eps = <f64>paramFloat(args, 2);
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
  const elements = <f64>count;
  setCommandCost(elementwiseCycles(elements * <f64>(inSize + outSize), PASSES_PER_ELEMENT * elements), ENGINE_SIMD);
  return STATUS_OK;
}
