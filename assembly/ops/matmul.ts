// OP_MATMUL: batched, strided dst = src0 @ src1 (+ bias) in float32 accumulation (torch.matmul,
// bmm, linear). The args' shape is the (broadcast) batch, its strides those of operands 0 (dst,
// contiguous matrices), 1 (A) and 2 (B) per batch dim. params:
//
//   [0] M   [1] N   [2] K   [3] A stride along m   [4] A stride along k
//   [5] B stride along k    [6] B stride along n   [7..9) bias address (u64, 0: none)
//   [9] bias stride along n [10..12) workspace address (u64)  [12..14) workspace bytes (u64)
//
// A, B, bias and dst share one floating dtype; a float16 / bfloat16 product accumulates in a
// float32 buffer in the workspace and is rounded once at the end.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1, DTYPE_FLOAT32 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { timeGemm } from "../timing/gemm";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { EDGE_TILE_BYTES, matmulF32, matmulWorkspaceBytes } from "../kernels/matmul";
import { SHARED_BLOCK_M, SHARED_MAX_K } from "../kernels/matmul-shared";
import {
  ARGS_DTYPE, ARGS_RANK, argWord, checkCommandArgs, iterationCount, param, param64, paramAddress, shapeAt, strideAt,
} from "./args";
import { firstRow, nextRow, rowOffset } from "./iterate";

/** The edge-tile buffer of matmulF32 when the core runs it itself. */
const edgeTile = memory.data(<i32>EDGE_TILE_BYTES, 16);

/**
 * Smallest product (M · N · K multiply-adds) offered to the kernel threads: 4 Mi MACs, about
 * 0.2 ms on one core, so that waking a helper thread (tens of microseconds on a VM) pays off.
 * A must also have two of the threads' row blocks at least, and K fit their packed-B buffer.
 */
const THREADED_MIN_MACS: u64 = 1 << 22;

/** True when the threads may share an M × N × K product (see THREADED_MIN_MACS). */
// @ts-ignore: decorator
@inline export function worthSharing(m: u32, n: u32, k: u32): bool {
  return <u64>m * n * k >= THREADED_MIN_MACS && m >= 2 * SHARED_BLOCK_M && k <= SHARED_MAX_K;
}

/**
 * Runs matmulF32's product on the firmware's kernel threads together (workers/kernel-threads.ts,
 * kernels/matmul-shared.ts: same result bits); returns false, having done nothing, when there
 * are none to run it on. Same arguments as matmulF32 without the workspace and edge buffer.
 */
// @ts-ignore: decorator
@external("threads", "matmul")
export declare function matmulOnThreads(
  c: usize, ldc: u32, a: usize, aRow: isize, aCol: isize, b: usize, bRow: isize, bCol: isize,
  dtype: u32, size: u32, m: u32, n: u32, k: u32,
): bool;

/** First byte and bytes of the span checkMatrix() last checked (0 bytes: empty). */
let matrixStart: f64 = 0;
let matrixBytes: f64 = 0;

/**
 * Checks operand `k` over the batch dims (all `rank` of them) plus two matrix dims of
 * `rows` × `cols` with strides `rowStride`, `colStride`; leaves its span in matrixStart and
 * matrixBytes.
 */
function checkMatrix(args: usize, k: u32, rank: u32, address: u64, size: u32, rows: u32, rowStride: i32, cols: u32, colStride: i32): u32 {
  matrixBytes = 0;
  if (rows == 0 || cols == 0) return STATUS_OK;
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d: u32 = 0; d <= rank + 1; d++) {
    const extent = d < rank ? shapeAt(args, d) : d == rank ? rows : cols;
    const stride = d < rank ? strideAt(args, k, d) : d == rank ? rowStride : colStride;
    if (extent == 0) {
      matrixBytes = 0;
      return STATUS_OK;
    }
    const reach = <i64>stride * <i64>(extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const first = <i64>address + low * size;
  if (first < 0) return STATUS_OUT_OF_BOUNDS;
  matrixStart = <f64>first;
  matrixBytes = <f64>((high - low + 1) * size);
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
  if (batches * m * n != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const workspace64 = paramAddress(args, 10);
  const needed = matmulWorkspaceBytes(m, n, k) + (dtype == DTYPE_FLOAT32 ? 0 : <u64>m * n * 4);
  if (param64(args, 12) < needed) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const a64 = load<u64>(command + COMMAND_SRC0);
  const b64 = load<u64>(command + COMMAND_SRC1);
  const aRow = <i32>param(args, 3), aCol = <i32>param(args, 4);
  const bRow = <i32>param(args, 5), bCol = <i32>param(args, 6);
  const bias64 = paramAddress(args, 7);
  const biasStride = <i32>param(args, 9);
  status = checkMatrix(args, 0, rank, dst64, size, m, <i32>n, n, 1);
  if (status != STATUS_OK) return status;
  const cStart = matrixStart, cBytes = matrixBytes;
  status = checkMatrix(args, 1, rank, a64, size, m, aRow, k, aCol);
  if (status != STATUS_OK) return status;
  const aStart = matrixStart, aBytes = matrixBytes;
  status = checkMatrix(args, 2, rank, b64, size, k, bRow, n, bCol);
  if (status != STATUS_OK) return status;
  const bStart = matrixStart, bBytes = matrixBytes;
  status = checkRange(workspace64, needed, 16);
  if (status == STATUS_OK && bias64 != 0) status = checkMatrix(args, 3, 0, bias64, size, 1, 0, n, biasStride);
  if (status != STATUS_OK) return status;
  // The workspace is the functional kernel's packing buffer, not MTIA's: the model does not time it.
  timeGemm(<f64>batches, m, n, k, dtype, size, size, aStart, aBytes, bStart, bBytes,
    bias64 != 0 ? matrixStart : 0, bias64 != 0 ? matrixBytes : 0, cStart, cBytes);
  if (timingOnly) return STATUS_OK;
  const dst = <u32>dst64, a = <u32>a64, b = <u32>b64, bias = <u32>bias64, workspace = <u32>workspace64;

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
    if (!worthSharing(m, n, k) || !matmulOnThreads(c, n, aBase, aRow, aCol, bBase, bRow, bCol, dtype, size, m, n, k)) {
      matmulF32(c, n, aBase, aRow, aCol, bBase, bRow, bCol, dtype, size, m, n, k, workspace, edgeTile);
    }
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
  return STATUS_OK;
}
