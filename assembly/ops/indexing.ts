// OP_GATHER: torch.gather, torch.index_select and torch.nn.functional.embedding, one kernel.
// The host lays each out as one strided iteration over the output's shape (ops/args.ts):
//
//   out[i] = input[i with dim `d` replaced by index[i]]        (operand 0: out, 1: input, 2: index)
//
// operand 1's stride along the gathered dim is 0 (the index supplies it: params[1]), and
// operand 2's strides walk the index: gather's index has the output's shape; index_select's
// (and embedding's, over the weight's dim 0) is 1-D along the gathered dim, stride 0 elsewhere.
// params: [0] input size along the gathered dim  [1] input stride along it (elements, ≥ 0)
// [2] 1 to wrap negative indices in [-size, 0) (ONNX Gather), 0 to reject them (PyTorch).
// The index dtype (operand 2) is int32 or int64; input and output share the command's dtype.
// Every index is checked before anything is written: indices are device data the host cannot
// see at enqueue, and one out of range fails the op with STATUS_INDEX_OUT_OF_RANGE and leaves
// the output untouched. In timing-only mode there are no indices to check: the op is only timed.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1, DTYPE_INT32, DTYPE_INT64 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_INDEX_OUT_OF_RANGE, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeIndexing } from "../timing/indexing";
import { dtypeBytes } from "../kernels/dtype";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, argWord, checkCommandArgs, checkOperand, iterationCount, operandSpan, param,
  spanBytes, spanStart,
} from "./args";
import { firstRow, nextRow, rowAddress, rowCount, rowLength, rowStride } from "./iterate";

/** torch.gather: the index has the output's shape. */
export const GATHER_ELEMENTS: u32 = 0;
/** torch.index_select: a 1-D index along the gathered dim. */
export const GATHER_INDEX_SELECT: u32 = 1;
/** torch.nn.functional.embedding: index_select of the weight's rows at the flattened indices. */
export const GATHER_EMBEDDING: u32 = 2;
export const GATHER_KINDS: u32 = 3;

/** The index at `address` of `indexType` (int32 or int64), negatives wrapped if `wrap`; -1 when out of [0, size). */
// @ts-ignore: decorator
@inline function indexAt(address: usize, indexType: u32, size: u32, wrap: bool): i64 {
  let index: i64 = indexType == DTYPE_INT64 ? load<i64>(address) : <i64>load<i32>(address);
  if (wrap && index < 0) index += <i64>size;
  return index >= 0 && index < <i64>size ? index : -1;
}

/** Copies one element of `size` bytes. */
// @ts-ignore: decorator
@inline function copyElement(dst: usize, src: usize, size: u32): void {
  if (size == 4) store<u32>(dst, load<u32>(src));
  else if (size == 8) store<u64>(dst, load<u64>(src));
  else if (size == 2) store<u16>(dst, load<u16>(src));
  else store<u8>(dst, load<u8>(src));
}

/** OP_GATHER; see the file comment. */
export function gather(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  const kind = argWord(args, ARGS_KIND);
  const indexType = argWord(args, ARGS_DTYPE + 1);
  const bound = param(args, 0);
  const dimStride = <i32>param(args, 1);
  const flags = param(args, 2);
  if (kind >= GATHER_KINDS || argWord(args, ARGS_DTYPE) != dtype || dimStride < 0 || flags > 1) return STATUS_BAD_ARGS;
  if (indexType != DTYPE_INT32 && indexType != DTYPE_INT64) return STATUS_BAD_ARGS;
  const count = iterationCount(args, rank);
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const input64 = load<u64>(command + COMMAND_SRC0);
  const index64 = load<u64>(command + COMMAND_SRC1);
  status = checkOperand(args, 0, rank, dst64, dtype);
  if (status == STATUS_OK) status = checkOperand(args, 2, rank, index64, indexType);
  if (status != STATUS_OK) return status;
  // The input's span: the iteration's reach plus the whole gathered dim.
  operandSpan(args, 1, rank, input64, dtype);
  const inputStart = spanStart;
  const inputBytes = spanBytes > 0 && bound > 0 ? spanBytes + <f64>(bound - 1) * <f64>dimStride * <f64>size : 0;
  if (inputBytes > 0) {
    if (inputStart < 0) return STATUS_BAD_ARGS;
    status = checkRange(<u64>inputStart, <u64>inputBytes, size);
    if (status != STATUS_OK) return status;
  }
  if (count == 0) return STATUS_OK;
  const wrap = flags == 1;
  const indexSize = dtypeBytes(indexType);
  const n = rowLength(args, rank);
  const rows = rowCount(args, rank);
  const dStride = <isize>rowStride(args, 0, rank) * size;
  const sStride = <isize>rowStride(args, 1, rank) * size;
  const xStride = <isize>rowStride(args, 2, rank) * indexSize;
  // A row whose index does not move and whose input and output are contiguous is one segment.
  const segmentRows = xStride == 0 && dStride == <isize>size && sStride == <isize>size;
  if (!timingOnly) {
    const dst = <u32>dst64, input = <u32>input64, indices = <u32>index64;
    firstRow();
    for (let r: u64 = 0; r < rows; r++) {
      let x = rowAddress(args, 2, rank, indices, indexSize);
      const checked: u32 = xStride == 0 ? 1 : n;
      for (let i: u32 = 0; i < checked; i++, x += xStride) {
        if (indexAt(x, indexType, bound, wrap) < 0) return STATUS_INDEX_OUT_OF_RANGE;
      }
      nextRow(args, rank);
    }
    const step = <usize>dimStride * size;
    firstRow();
    for (let r: u64 = 0; r < rows; r++) {
      let d = rowAddress(args, 0, rank, dst, size);
      let s = rowAddress(args, 1, rank, input, size);
      let x = rowAddress(args, 2, rank, indices, indexSize);
      if (segmentRows) {
        memory.copy(d, s + <usize>indexAt(x, indexType, bound, wrap) * step, <usize>n * size);
      } else {
        for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride, x += xStride) {
          copyElement(d, s + <usize>indexAt(x, indexType, bound, wrap) * step, size);
        }
      }
      nextRow(args, rank);
    }
  }
  timeGatherCommand(command, segmentRows ? <f64>rows : <f64>count, inputStart, inputBytes);
  return STATUS_OK;
}

/** Times a checked gather of `segments` row segments from the input span [inputStart, + inputBytes). */
function timeGatherCommand(command: usize, segments: f64, inputStart: f64, inputBytes: f64): void {
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const indexType = argWord(args, ARGS_DTYPE + 1);
  operandSpan(args, 2, rank, load<u64>(command + COMMAND_SRC1), indexType);
  const indexBytes = spanBytes;
  readOperand(spanStart, spanBytes);
  operandSpan(args, 0, rank, load<u64>(command + COMMAND_DST), dtype);
  writeOperand(spanStart, spanBytes);
  const outBytes = <f64>load<u64>(command + COMMAND_COUNT) * <f64>dtypeBytes(dtype);
  timeIndexing(segments, outBytes / segments, indexBytes, inputStart, inputBytes);
}
