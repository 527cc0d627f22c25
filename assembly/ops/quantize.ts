// OP_QUANTIZE: int8 quantization over rows (kernels/quantize.ts). The args' last dim is the row
// (length L), the dims before it count rows; operand 0 is the output, operand 1 the input (its
// dtype in the args). The command's scalar is the scale (f64). Kinds and params:
//
//   QUANTIZE_PER_TENSOR   floating → int8     params[0] zero point (i32)
//   DEQUANTIZE_PER_TENSOR int8 → floating     params[0] zero point (i32)
//   QUANTIZE_PER_ROW      floating → int8     params[0..2) scales address (u64): one float32
//                                             per row, contiguous in row order, written;
//                                             zero point 0
//   DEQUANTIZE_PER_ROW    int8 → floating     params[0..2) scales address, read; zero point 0

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SCALAR, COMMAND_SRC0, DTYPE_INT8 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeDynamicQuantizeRows, timeQuantize } from "../timing/quantization";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating } from "../kernels/convert";
import { dequantizeRow, quantizeRow, quantizeRowDynamic } from "../kernels/quantize";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, argWord, checkCommandArgs, checkOperand, iterationCount, param, paramAddress, spanBytes, spanStart,
} from "./args";
import { firstRow, nextRow, rowAddress, rowCount, rowLength, rowStride } from "./iterate";

export const QUANTIZE_PER_TENSOR: u32 = 0;
export const DEQUANTIZE_PER_TENSOR: u32 = 1;
export const QUANTIZE_PER_ROW: u32 = 2;
export const DEQUANTIZE_PER_ROW: u32 = 3;
export const QUANTIZE_KINDS: u32 = 4;

/** OP_QUANTIZE; see the file comment. */
export function quantize(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const outType = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  const inType = argWord(args, ARGS_DTYPE);
  const rank = argWord(args, ARGS_RANK);
  if (kind >= QUANTIZE_KINDS || rank == 0 || dtypeBytes(inType) == 0) return STATUS_BAD_ARGS;
  const dequantizing = kind == DEQUANTIZE_PER_TENSOR || kind == DEQUANTIZE_PER_ROW;
  const perRow = kind == QUANTIZE_PER_ROW || kind == DEQUANTIZE_PER_ROW;
  if (dequantizing ? inType != DTYPE_INT8 || !isFloating(outType) : outType != DTYPE_INT8 || !isFloating(inType)) return STATUS_BAD_ARGS;
  const count = iterationCount(args, rank);
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const scale = load<f64>(command + COMMAND_SCALAR);
  const zeroPoint = <f64><i32>param(args, 0);
  if (!perRow && (!(scale > 0) || scale == Infinity || zeroPoint < -128 || zeroPoint > 127)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  const scales64 = paramAddress(args, 0);
  const rows = rowCount(args, rank);
  status = checkOperand(args, 1, rank, src64, inType);
  if (status != STATUS_OK) return status;
  const srcStart = spanStart, srcBytes = spanBytes;
  status = checkOperand(args, 0, rank, dst64, outType);
  if (status == STATUS_OK && perRow && count > 0) status = checkRange(scales64, rows * 4, 4);
  if (status != STATUS_OK) return status;
  readOperand(srcStart, srcBytes);
  writeOperand(spanStart, spanBytes);
  const elements = <f64>count;
  const inBytes = elements * <f64>dtypeBytes(inType);
  const outBytes = elements * <f64>dtypeBytes(outType);
  const scaleBytes = perRow && count > 0 ? <f64>rows * 4 : 0;
  if (kind == QUANTIZE_PER_ROW) {
    writeOperand(<f64>scales64, scaleBytes);
    timeDynamicQuantizeRows(elements, rows > 0 ? elements / <f64>rows : 0, <f64>dtypeBytes(inType), outBytes + scaleBytes);
  } else {
    readOperand(<f64>scales64, scaleBytes);
    timeQuantize(elements, inBytes + scaleBytes, outBytes);
  }
  if (timingOnly || count == 0) return STATUS_OK;
  const length = rowLength(args, rank);
  const inSize = dtypeBytes(inType), outSize = dtypeBytes(outType);
  const inStride = <isize>rowStride(args, 1, rank) * inSize;
  const outStride = <isize>rowStride(args, 0, rank) * outSize;
  firstRow();
  for (let r: u64 = 0; r < rows; r++) {
    const x = rowAddress(args, 1, rank, <u32>src64, inSize);
    const y = rowAddress(args, 0, rank, <u32>dst64, outSize);
    if (kind == QUANTIZE_PER_TENSOR) quantizeRow(y, outStride, x, inStride, inType, length, scale, zeroPoint);
    else if (kind == DEQUANTIZE_PER_TENSOR) dequantizeRow(y, outStride, outType, x, inStride, length, scale, zeroPoint);
    else if (kind == DEQUANTIZE_PER_ROW) dequantizeRow(y, outStride, outType, x, inStride, length, <f64>load<f32>(<usize>scales64 + (<usize>r << 2)), 0);
    else store<f32>(<usize>scales64 + (<usize>r << 2), quantizeRowDynamic(y, outStride, x, inStride, inType, length));
    nextRow(args, rank);
  }
  return STATUS_OK;
}
