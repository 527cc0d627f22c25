// OP_EMBEDDING_BAG: torch.nn.functional.embedding_bag with 1-D int32 indices and offsets,
// mode sum or mean (args kind 0 / 1), include_last_offset=False. Bag b sums the weight rows
// indices[offsets[b] .. offsets[b + 1]) (the last bag runs to the end); an empty bag is zeros.
// The command's dst is the output [bags, dim] (contiguous), src0 the weight, src1 the indices.
// params: [0] num_embeddings  [1] dim  [2] number of indices  [3] bags  [4..6) offsets address
// (u64)  [6] weight stride along rows  [7] weight stride along dim. Every index and offset is
// checked before anything is written: indices are device data the host cannot see at enqueue.
// In timing-only mode there are no indices to check: the op is only timed.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_BAD_OFFSETS, STATUS_INDEX_OUT_OF_RANGE, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeGather } from "../timing/gather";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { ARGS_KIND, argWord, checkCommandArgs, param, paramAddress } from "./args";

export const BAG_SUM: u32 = 0;
export const BAG_MEAN: u32 = 1;

/** OP_EMBEDDING_BAG; see the file comment. */
export function embeddingBag(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  const rows = param(args, 0);
  const dim = param(args, 1);
  const count = param(args, 2);
  const bags = param(args, 3);
  const offsets64 = paramAddress(args, 4);
  const rowStride = <i32>param(args, 6);
  const colStride = <i32>param(args, 7);
  if (kind > BAG_MEAN || !isFloating(dtype) || rowStride < 0 || colStride < 0) return STATUS_BAD_ARGS;
  if (<u64>bags * dim != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const weight64 = load<u64>(command + COMMAND_SRC0);
  const indices64 = load<u64>(command + COMMAND_SRC1);
  const outBytes = <u64>bags * dim * size;
  const tableBytes = rows > 0 && dim > 0 ? (<u64>(rows - 1) * <u64>rowStride + <u64>(dim - 1) * <u64>colStride + 1) * size : 0;
  status = checkRange(dst64, outBytes, size);
  if (status == STATUS_OK) status = checkRange(indices64, <u64>count * 4, 4);
  if (status == STATUS_OK) status = checkRange(offsets64, <u64>bags * 4, 4);
  if (status == STATUS_OK && tableBytes > 0) status = checkRange(weight64, tableBytes, size);
  if (status != STATUS_OK) return status;
  if (timingOnly) {
    timeBags(command, tableBytes);
    return STATUS_OK;
  }
  const dst = <u32>dst64, weight = <u32>weight64, indices = <u32>indices64, offsets = <u32>offsets64;
  for (let i: u32 = 0; i < count; i++) {
    if (load<u32>(<usize>indices + (<usize>i << 2)) >= rows) return STATUS_INDEX_OUT_OF_RANGE;
  }
  let previous: i32 = 0;
  for (let b: u32 = 0; b < bags; b++) {
    const start = load<i32>(<usize>offsets + (<usize>b << 2));
    if ((b == 0 && start != 0) || start < previous || <u32>start > count) return STATUS_BAD_OFFSETS;
    previous = start;
  }
  if (rows == 0 && count > 0) return STATUS_OUT_OF_BOUNDS;
  for (let b: u32 = 0; b < bags; b++) {
    const start = load<u32>(<usize>offsets + (<usize>b << 2));
    const end = b + 1 < bags ? load<u32>(<usize>offsets + (<usize>(b + 1) << 2)) : count;
    const out = <usize>dst + <usize>b * dim * size;
    for (let d: u32 = 0; d < dim; d++) {
      let sum: f64 = 0;
      for (let i = start; i < end; i++) {
        const row = load<u32>(<usize>indices + (<usize>i << 2));
        sum += <f64>loadF32(<usize>weight + (<usize>row * rowStride + <usize>d * colStride) * size, dtype);
      }
      if (kind == BAG_MEAN && end > start) sum /= <f64>(end - start);
      storeF32(out + <usize>d * size, dtype, <f32>sum);
    }
  }
  timeBags(command, tableBytes);
  return STATUS_OK;
}

/** Times a checked embedding-bag command whose table spans `tableBytes`. */
function timeBags(command: usize, tableBytes: u64): void {
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const count = <f64>param(args, 2);
  const bags = <f64>param(args, 3);
  const dim = <f64>param(args, 1);
  const size = <f64>dtypeBytes(load<u32>(command + COMMAND_DTYPE));
  readOperand(<f64>load<u64>(command + COMMAND_SRC1), count * 4);
  readOperand(<f64>paramAddress(args, 4), bags * 4);
  writeOperand(<f64>load<u64>(command + COMMAND_DST), bags * dim * size);
  timeGather(count, dim, size, bags, <f64>load<u64>(command + COMMAND_SRC0), <f64>tableBytes, <f64>param(args, 0));
}
