// The command decoder: checks one job's operands, runs its kernel (not in timing-only mode)
// and times its body with the timing model (timing/), which fills the open op record; the queue
// schedules it (queue.ts). Every check happens before any write, so a rejected command leaves
// device memory untouched and costs only its launch.
//
// A new op adds a case below and a function that checks, computes and times it.

import {
  COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_OPCODE, COMMAND_SCALAR,
  COMMAND_SRC0, COMMAND_SRC1, COPY_DEVICE_TO_DEVICE, COPY_DEVICE_TO_HOST, COPY_HOST_TO_DEVICE,
  DTYPE_FLOAT32, DTYPE_INT32, OP_ADD, OP_COPY, OP_FILL, OP_NOP,
} from "./abi";
import {
  STATUS_BAD_COPY_PATH, STATUS_BAD_DTYPE, STATUS_BAD_OPCODE, STATUS_OK, STATUS_UNSUPPORTED_DTYPE,
} from "./status";
import { checkRange, timingOnly } from "./device-memory";
import { readOperand, writeOperand } from "./timing/memory-levels";
import { timeElementwise } from "./timing/elementwise";
import { timeLayout } from "./timing/layout-ops";
import { timeDeviceToHost, timeHostToDevice } from "./timing/transfers";
import { dtypeBytes } from "./kernels/dtype";
import { addFloat32, addInt32 } from "./kernels/elementwise";
import {
  OP_BINARY, OP_EMBEDDING_BAG, OP_MATMUL, OP_QUANTIZE, OP_QUANTIZED_LINEAR, OP_RANDOM, OP_REDUCE, OP_ROWS, OP_UNARY, OP_WHERE,
} from "./abi";
import { binary, full, unary, where } from "./ops/elementwise";
import { reduce } from "./ops/reduce";
import { matmul } from "./ops/matmul";
import { rows } from "./ops/rows";
import { embeddingBag } from "./ops/embedding";
import { random } from "./ops/random";
import { quantize } from "./ops/quantize";
import { quantizedLinear } from "./ops/quantized-linear";
import { OP_CUMSUM, OP_PAD, OP_RESIZE, OP_TOPK } from "./abi";
import { resize } from "./ops/resize";
import { pad } from "./ops/padding";
import { cumsum } from "./ops/scan";
import { topk } from "./ops/topk";
import { OP_GATHER } from "./abi";
import { gather } from "./ops/indexing";
import { OP_ATTENTION, OP_NORM } from "./abi";
import { normalization } from "./ops/normalization";
import { attention } from "./ops/attention";
import { OP_CONV, OP_POOL } from "./abi";
import { conv } from "./ops/conv";
import { pool } from "./ops/pool";

/** Executes the job at `command` and times it into the open op record; returns its status. */
export function execute(command: usize): u32 {
  const opcode = load<u32>(command + COMMAND_OPCODE);
  switch (opcode) {
    case OP_NOP:
      return STATUS_OK;
    case OP_FILL:
      return full(command);
    case OP_COPY:
      return copy(command);
    case OP_ADD:
      return add(command);
    case OP_UNARY: return unary(command);
    case OP_BINARY: return binary(command);
    case OP_WHERE: return where(command);
    case OP_REDUCE: return reduce(command);
    case OP_MATMUL: return matmul(command);
    case OP_ROWS: return rows(command);
    case OP_EMBEDDING_BAG: return embeddingBag(command);
    case OP_RANDOM: return random(command);
    case OP_QUANTIZE: return quantize(command);
    case OP_QUANTIZED_LINEAR: return quantizedLinear(command);
    case OP_PAD: return pad(command);
    case OP_RESIZE: return resize(command);
    case OP_CUMSUM: return cumsum(command);
    case OP_TOPK: return topk(command);
    case OP_GATHER: return gather(command);
    case OP_NORM: return normalization(command);
    case OP_ATTENTION: return attention(command);
    case OP_CONV: return conv(command);
    case OP_POOL: return pool(command);
    default:
      return STATUS_BAD_OPCODE;
  }
}

function copy(command: usize): u32 {
  const path = load<u32>(command + COMMAND_ARG0);
  if (path > COPY_DEVICE_TO_DEVICE) return STATUS_BAD_COPY_PATH;
  const dst = load<u64>(command + COMMAND_DST);
  const src = load<u64>(command + COMMAND_SRC0);
  const bytes = load<u64>(command + COMMAND_COUNT);
  let status = checkRange(dst, bytes, 1);
  if (status == STATUS_OK) status = checkRange(src, bytes, 1);
  if (status != STATUS_OK) return status;
  // A real copy lies in device memory (a wasm32 memory): its bytes fit a usize.
  // The host writes an upload's bytes straight into their block and reads a download's straight
  // out of it (src/runtime/simulated-device.ts), so it names one block as both dst and src: the
  // device part is the DMA over PCIe. A copy within device memory runs on the MLU.
  if (path == COPY_HOST_TO_DEVICE) {
    if (!timingOnly && dst != src) memory.copy(<usize>dst, <usize>src, <usize>bytes);
    timeHostToDevice(<f64>dst, <f64>bytes);
  } else if (path == COPY_DEVICE_TO_HOST) {
    if (!timingOnly && dst != src) memory.copy(<usize>dst, <usize>src, <usize>bytes);
    timeDeviceToHost(<f64>src, <f64>bytes);
  } else {
    if (!timingOnly) memory.copy(<usize>dst, <usize>src, <usize>bytes);
    readOperand(<f64>src, <f64>bytes);
    writeOperand(<f64>dst, <f64>bytes);
    timeLayout(<f64>bytes, 1);
  }
  return STATUS_OK;
}

function add(command: usize): u32 {
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  if (size == 0) return STATUS_BAD_DTYPE;
  if (dtype != DTYPE_FLOAT32 && dtype != DTYPE_INT32) return STATUS_UNSUPPORTED_DTYPE;
  const dst = load<u64>(command + COMMAND_DST);
  const a = load<u64>(command + COMMAND_SRC0);
  const b = load<u64>(command + COMMAND_SRC1);
  const count = load<u64>(command + COMMAND_COUNT);
  const bytes = count * size;
  let status = checkRange(dst, bytes, size);
  if (status == STATUS_OK) status = checkRange(a, bytes, size);
  if (status == STATUS_OK) status = checkRange(b, bytes, size);
  if (status != STATUS_OK) return status;
  if (!timingOnly) {
    if (dtype == DTYPE_FLOAT32) addFloat32(<usize>dst, <usize>a, <usize>b, <u32>count);
    else addInt32(<usize>dst, <usize>a, <usize>b, <u32>count);
  }
  readOperand(<f64>a, <f64>bytes);
  readOperand(<f64>b, <f64>bytes);
  writeOperand(<f64>dst, <f64>bytes);
  timeElementwise(<f64>count, 2 * <f64>bytes, <f64>bytes, 1);
  return STATUS_OK;
}
