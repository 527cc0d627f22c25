// OP_CUMSUM: torch.cumsum along one dim, which the host makes the args' last (the row), with
// ONNX CumSum's exclusive and reverse. Operand 0 is the output (the command's dtype), operand
// 1 the input (ARGS_DTYPE). params[0] exclusive (y[i] leaves out x[i]), params[1] reverse
// (sums run from the row's end). Floating rows accumulate in f64 and store each prefix
// rounded once; integer and bool rows in wrapping int32.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeScan } from "../timing/scan";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, loadI32, storeF32, storeI32 } from "../kernels/convert";
import {
  ARGS_DTYPE, ARGS_RANK, argWord, checkCommandArgs, checkOperand, iterationCount, param, shapeAt, spanBytes,
  spanStart,
} from "./args";
import { firstRow, nextRow, rowOffset, rowStride } from "./iterate";

/** OP_CUMSUM; see the file comment. */
export function cumsum(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const inType = argWord(args, ARGS_DTYPE);
  const rank = argWord(args, ARGS_RANK);
  if (rank == 0 || dtypeBytes(inType) == 0) return STATUS_BAD_ARGS;
  const count = iterationCount(args, rank);
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  status = checkOperand(args, 1, rank, src64, inType);
  if (status != STATUS_OK) return status;
  const srcStart = spanStart;
  const srcBytes = spanBytes;
  status = checkOperand(args, 0, rank, dst64, dtype);
  if (status != STATUS_OK) return status;
  const outSize = dtypeBytes(dtype);
  const inSize = dtypeBytes(inType);
  readOperand(srcStart, srcBytes);
  writeOperand(spanStart, spanBytes);
  timeScan(<f64>count, <f64>count * <f64>inSize, <f64>count * <f64>outSize);
  const length = shapeAt(args, rank - 1);
  if (timingOnly || count == 0) return STATUS_OK;
  const exclusive = param(args, 0) != 0;
  const reverse = param(args, 1) != 0;
  const floating = isFloating(dtype);
  const inStride = <i64>rowStride(args, 1, rank) * inSize;
  const outStride = <i64>rowStride(args, 0, rank) * outSize;
  const rows = count / length;
  firstRow();
  for (let r: u64 = 0; r < rows; r++) {
    const x = <i64>src64 + rowOffset(args, 1, rank) * inSize;
    const y = <i64>dst64 + rowOffset(args, 0, rank) * outSize;
    let sumF: f64 = 0;
    let sumI: i32 = 0;
    for (let j: u32 = 0; j < length; j++) {
      const i = <i64>(reverse ? length - 1 - j : j);
      const from = <usize>(x + i * inStride);
      const to = <usize>(y + i * outStride);
      if (floating) {
        const v = <f64>loadF32(from, inType);
        if (!exclusive) sumF += v;
        storeF32(to, dtype, <f32>sumF);
        if (exclusive) sumF += v;
      } else {
        const v = loadI32(from, inType);
        if (!exclusive) sumI += v;
        storeI32(to, dtype, sumI);
        if (exclusive) sumI += v;
      }
    }
    nextRow(args, rank);
  }
  return STATUS_OK;
}
