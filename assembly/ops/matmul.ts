// OP_MATMUL: batched, strided dst = src0 @ src1 (+ bias) in float32 accumulation (torch.matmul,
// bmm, linear). The args' shape is the (broadcast) batch, its strides those of operands 0 (dst,
// contiguous matrices), 1 (A) and 2 (B) per batch dim. params:
//
//   [0] M   [1] N   [2] K   [3] A stride along m   [4] A stride along k
//   [5] B stride along k    [6] B stride along n   [7] bias address (0: none)
//   [8] bias stride along n [9] workspace address  [10] workspace bytes
//
// A, B, bias and dst share one floating dtype; a float16 / bfloat16 product accumulates in a
// float32 buffer in the workspace and is rounded once at the end.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1, DTYPE_FLOAT32 } from "../abi";
import { ENGINE_DPE } from "../layout";
import { STATUS_BAD_ARGS, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { setCommandCost } from "../decoder";
import { matmulCycles } from "../timing/cost";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { matmulF32, matmulWorkspaceBytes } from "../kernels/matmul";
import {
  ARGS_DTYPE, ARGS_RANK, argWord, checkCommandArgs, checkRange, iterationCount, param, shapeAt, strideAt,
} from "./args";
import { firstRow, nextRow, rowOffset } from "./iterate";

/**
 * Checks operand `k` over the batch dims (all `rank` of them) plus two matrix dims of
 * `rows` × `cols` with strides `rowStride`, `colStride`.
 */
function checkMatrix(args: usize, k: u32, rank: u32, address: u32, size: u32, rows: u32, rowStride: i32, cols: u32, colStride: i32): u32 {
  if (rows == 0 || cols == 0) return STATUS_OK;
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d: u32 = 0; d <= rank + 1; d++) {
    const extent = d < rank ? shapeAt(args, d) : d == rank ? rows : cols;
    const stride = d < rank ? strideAt(args, k, d) : d == rank ? rowStride : colStride;
    if (extent == 0) return STATUS_OK;
    const reach = <i64>stride * <i64>(extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const first = <i64>address + low * size;
  if (first < 0) return STATUS_OUT_OF_BOUNDS;
  return checkRange(<u64>first, <u64>(high - low + 1) * size, size);
}

/** OP_MATMUL; see the file comment. The args' rank is the batch rank (≤ MAX_RANK - 1). */
export function matmul(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  const m = param(args, 0);
  const n = param(args, 1);
  const k = param(args, 2);
  if (!isFloating(dtype) || argWord(args, ARGS_DTYPE) != dtype || argWord(args, ARGS_DTYPE + 1) != dtype) return STATUS_BAD_ARGS;
  const batches = iterationCount(args, rank);
  if (batches * m * n != <u64>load<u32>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const workspace = param(args, 9);
  const needed = matmulWorkspaceBytes(m, n, k) + (dtype == DTYPE_FLOAT32 ? 0 : <u64>m * n * 4);
  if (<u64>param(args, 10) < needed) return STATUS_BAD_ARGS;
  const dst = load<u32>(command + COMMAND_DST);
  const a = load<u32>(command + COMMAND_SRC0);
  const b = load<u32>(command + COMMAND_SRC1);
  const aRow = <i32>param(args, 3), aCol = <i32>param(args, 4);
  const bRow = <i32>param(args, 5), bCol = <i32>param(args, 6);
  const bias = param(args, 7);
  const biasStride = <i32>param(args, 8);
  status = checkMatrix(args, 0, rank, dst, size, m, <i32>n, n, 1);
  if (status == STATUS_OK) status = checkMatrix(args, 1, rank, a, size, m, aRow, k, aCol);
  if (status == STATUS_OK) status = checkMatrix(args, 2, rank, b, size, k, bRow, n, bCol);
  if (status == STATUS_OK) status = checkRange(workspace, needed, 16);
  if (status == STATUS_OK && bias != 0) status = checkMatrix(args, 3, 0, bias, size, 1, 0, n, biasStride);
  if (status != STATUS_OK) return status;

  const halfOut = dtype != DTYPE_FLOAT32;
  const accumulator = halfOut ? <usize>workspace + <usize>matmulWorkspaceBytes(m, n, k) : 0;
  firstRow();
  // The batch dims are iterated as rows of a rank + 1 iteration whose last dim is never stepped.
  const iterRank = rank + 1;
  for (let t: u64 = 0; t < batches; t++) {
    const out = <usize>(<i64>dst + rowOffset(args, 0, iterRank) * size);
    const aBase = <usize>(<i64>a + rowOffset(args, 1, iterRank) * size);
    const bBase = <usize>(<i64>b + rowOffset(args, 2, iterRank) * size);
    const c = halfOut ? accumulator : out;
    matmulF32(c, n, aBase, aRow, aCol, bBase, bRow, bCol, dtype, size, m, n, k, workspace);
    if (halfOut || bias != 0) {
      for (let i: u32 = 0; i < m; i++) {
        const cRow = c + (<usize>i * n << 2);
        const outRow = out + <usize>i * n * size;
        for (let j: u32 = 0; j < n; j++) {
          let v = load<f32>(cRow + (<usize>j << 2));
          if (bias != 0) v += loadF32(<usize>(<i64>bias + <i64>j * biasStride * size), dtype);
          storeF32(outRow + <usize>j * size, dtype, v);
        }
      }
    }
    nextRow(args, iterRank);
  }
  const bytes = <f64>batches * (<f64>m * <f64>k + <f64>k * <f64>n + <f64>m * <f64>n) * <f64>size;
  setCommandCost(matmulCycles(bytes, <f64>batches * <f64>m * <f64>n * <f64>k, dtype), ENGINE_DPE);
  return STATUS_OK;
}
