// OP_EMBEDDING_BAG: torch.nn.functional.embedding_bag with 1-D int32 indices and offsets,
// mode sum or mean (args kind 0 / 1), include_last_offset=False. Bag b sums the weight rows
// indices[offsets[b] .. offsets[b + 1]) (the last bag runs to the end); an empty bag is zeros.
// The command's dst is the output [bags, dim] (contiguous), src0 the weight, src1 the indices.
// params: [0] num_embeddings  [1] dim  [2] number of indices  [3] bags  [4] offsets address
// [5] weight stride along rows  [6] weight stride along dim. Every index and offset is checked
// before anything is written: indices are device data the host cannot see at enqueue.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1 } from "../abi";
import { ENGINE_SIMD } from "../layout";
import { STATUS_BAD_ARGS, STATUS_BAD_OFFSETS, STATUS_INDEX_OUT_OF_RANGE, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { setCommandCost } from "../decoder";
import { elementwiseCycles } from "../timing/cost";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { ARGS_KIND, argWord, checkCommandArgs, checkRange, param } from "./args";

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
  const offsets = param(args, 4);
  const rowStride = <i32>param(args, 5);
  const colStride = <i32>param(args, 6);
  if (kind > BAG_MEAN || !isFloating(dtype) || rowStride < 0 || colStride < 0) return STATUS_BAD_ARGS;
  if (<u64>bags * dim != <u64>load<u32>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const dst = load<u32>(command + COMMAND_DST);
  const weight = load<u32>(command + COMMAND_SRC0);
  const indices = load<u32>(command + COMMAND_SRC1);
  status = checkRange(dst, <u64>bags * dim * size, size);
  if (status == STATUS_OK) status = checkRange(indices, <u64>count * 4, 4);
  if (status == STATUS_OK) status = checkRange(offsets, <u64>bags * 4, 4);
  if (status == STATUS_OK && rows > 0 && dim > 0) {
    const reach = <u64>(rows - 1) * <u64>rowStride + <u64>(dim - 1) * <u64>colStride + 1;
    status = checkRange(weight, reach * size, size);
  }
  if (status != STATUS_OK) return status;
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
  const gathered = <f64>count * <f64>dim;
  setCommandCost(elementwiseCycles((gathered + <f64>bags * dim) * <f64>size + <f64>(count + bags) * 4, gathered), ENGINE_SIMD);
  return STATUS_OK;
}
