// OP_QUANTIZED_LINEAR: dst[M × N] (float32, contiguous) = int8 A[M × K] · int8 B[K × N] summed
// in int32, times the float32 row scales of A and column scales of B, plus an optional float32
// bias (kernels/matmul-int8.ts): a dynamically quantized linear layer with B = weightᵀ read in
// place. The args' rank is 0 (no batch); params:
//
//   [0] M   [1] N   [2] K   [3] A stride along m   [4] A stride along k
//   [5] B stride along k    [6] B stride along n
//   [7..9) A's scales (u64, M contiguous float32)   [9..11) B's scales (u64, N float32)
//   [11..13) workspace address (u64, matmulInt8WorkspaceBytes)
//   operand 3 (args address3): the bias, N contiguous float32, 0 for none
//
// The command's dtype is float32 (the output); the args' dtypes 1 and 2 are int8.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1, DTYPE_FLOAT32, DTYPE_INT8 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand } from "../timing/memory-levels";
import { RECORD_SRAM_BYTES, add } from "../timing/record";
import { timeGemm } from "../timing/gemm";
import { INT8_MATMUL_MAX_K, matmulInt8, matmulInt8WorkspaceBytes } from "../kernels/matmul-int8";
import { ARGS_DTYPE, ARGS_RANK, address3, argWord, checkCommandArgs, param, paramAddress } from "./args";

/** First byte and bytes of the span checkMatrix() last checked. */
let matrixStart: f64 = 0;
let matrixBytes: f64 = 0;

/** Checks a rows × cols matrix of `size`-byte elements at `address` with the given element strides. */
function checkMatrix(address: u64, size: u32, rows: u32, rowStride: i32, cols: u32, colStride: i32): u32 {
  let low: i64 = 0;
  let high: i64 = 0;
  const rowReach = <i64>rowStride * <i64>(rows - 1);
  const colReach = <i64>colStride * <i64>(cols - 1);
  if (rowReach < 0) low += rowReach; else high += rowReach;
  if (colReach < 0) low += colReach; else high += colReach;
  const first = <i64>address + low * size;
  if (first < 0) return STATUS_BAD_ARGS;
  matrixStart = <f64>first;
  matrixBytes = <f64>((high - low + 1) * size);
  return checkRange(<u64>first, <u64>(high - low + 1) * size, size);
}

/** OP_QUANTIZED_LINEAR; see the file comment. */
export function quantizedLinear(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const m = param(args, 0), n = param(args, 1), k = param(args, 2);
  if (load<u32>(command + COMMAND_DTYPE) != DTYPE_FLOAT32 || argWord(args, ARGS_RANK) != 0) return STATUS_BAD_ARGS;
  if (argWord(args, ARGS_DTYPE) != DTYPE_INT8 || argWord(args, ARGS_DTYPE + 1) != DTYPE_INT8) return STATUS_BAD_ARGS;
  if (<u64>m * n != load<u64>(command + COMMAND_COUNT) || k > INT8_MATMUL_MAX_K) return STATUS_BAD_ARGS;
  if (m == 0 || n == 0) return STATUS_BAD_ARGS; // the host enqueues nothing for an empty output
  const dst64 = load<u64>(command + COMMAND_DST);
  const a64 = load<u64>(command + COMMAND_SRC0);
  const b64 = load<u64>(command + COMMAND_SRC1);
  const aRow = <i32>param(args, 3), aCol = <i32>param(args, 4);
  const bRow = <i32>param(args, 5), bCol = <i32>param(args, 6);
  const sa64 = paramAddress(args, 7), sb64 = paramAddress(args, 9), workspace64 = paramAddress(args, 11);
  const bias64 = address3(args);
  status = checkMatrix(dst64, 4, m, <i32>n, n, 1);
  if (status != STATUS_OK) return status;
  const cStart = matrixStart, cBytes = matrixBytes;
  let aStart: f64 = 0, aBytes: f64 = 0, bStart: f64 = 0, bBytes: f64 = 0;
  if (k > 0) {
    status = checkMatrix(a64, 1, m, aRow, k, aCol);
    if (status != STATUS_OK) return status;
    aStart = matrixStart; aBytes = matrixBytes;
    status = checkMatrix(b64, 1, k, bRow, n, bCol);
    if (status != STATUS_OK) return status;
    bStart = matrixStart; bBytes = matrixBytes;
  }
  status = checkRange(sa64, <u64>m * 4, 4);
  if (status == STATUS_OK) status = checkRange(sb64, <u64>n * 4, 4);
  if (status == STATUS_OK) status = checkRange(workspace64, matmulInt8WorkspaceBytes(n, k), 16);
  if (status == STATUS_OK && bias64 != 0) status = checkRange(bias64, <u64>n * 4, 4);
  if (status != STATUS_OK) return status;
  // The scales are read beside the operands (from SRAM, cold ones from DRAM); the workspace is
  // the functional kernel's packing buffer, not MTIA's, and is not timed.
  readOperand(<f64>sa64, <f64>m * 4);
  readOperand(<f64>sb64, <f64>n * 4);
  add(RECORD_SRAM_BYTES, <f64>(m + n) * 4);
  timeGemm(1, m, n, k, DTYPE_INT8, 1, 4, aStart, aBytes, bStart, bBytes,
    bias64 != 0 ? <f64>bias64 : 0, bias64 != 0 ? <f64>n * 4 : 0, cStart, cBytes);
  if (timingOnly) return STATUS_OK;
  matmulInt8(<usize>dst64, <usize>a64, aRow, aCol, <usize>b64, bRow, bCol, m, n, k, <usize>sa64, <usize>sb64, <usize>bias64, <usize>workspace64);
  return STATUS_OK;
}
