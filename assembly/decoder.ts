// The command decoder: checks one job's operands, runs its kernel and prices its body: the
// cycles and the engine it holds (the queue adds the launch, queue.ts). Every check happens
// before any write, so a rejected command leaves device memory untouched.
//
// A new op adds a case below and a function that sets commandCycles and commandEngine.

import {
  COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_OPCODE, COMMAND_SCALAR,
  COMMAND_SRC0, COMMAND_SRC1, COPY_DEVICE_TO_DEVICE, COPY_DEVICE_TO_HOST, COPY_HOST_TO_DEVICE,
  DTYPE_FLOAT32, DTYPE_INT32, OP_ADD, OP_COPY, OP_FILL, OP_NOP,
} from "./abi";
import {
  ENGINE_DMA, ENGINE_NONE, ENGINE_PCIE_D2H, ENGINE_PCIE_H2D, ENGINE_SIMD, HEAP_LOCATION,
} from "./layout";
import {
  STATUS_BAD_COPY_PATH, STATUS_BAD_DTYPE, STATUS_BAD_OPCODE, STATUS_MISALIGNED, STATUS_OK,
  STATUS_OUT_OF_BOUNDS, STATUS_UNSUPPORTED_DTYPE,
} from "./status";
import { copyCycles, elementwiseCycles } from "./timing/cost";
import { dtypeBytes } from "./kernels/dtype";
import { addFloat32, addInt32 } from "./kernels/elementwise";
import {
  OP_BINARY, OP_EMBEDDING_BAG, OP_MATMUL, OP_RANDOM, OP_REDUCE, OP_ROWS, OP_UNARY, OP_WHERE,
} from "./abi";
import { binary, full, unary, where } from "./ops/elementwise";
import { reduce } from "./ops/reduce";
import { matmul } from "./ops/matmul";
import { rows } from "./ops/rows";
import { embeddingBag } from "./ops/embedding";
import { random } from "./ops/random";

/** Cycles of the body of the command execute() last ran (0 if it was rejected). */
export let commandCycles: f64 = 0;
/** Engine that body holds (ENGINE_NONE if it holds none). */
export let commandEngine: u32 = ENGINE_NONE;

/** Sets the body cost of the command being executed: for op modules outside this file. */
export function setCommandCost(cycles: f64, engine: u32): void {
  commandCycles = cycles;
  commandEngine = engine;
}

/** STATUS_OK if [address, address + bytes) lies in the heap and address is `align`-aligned. */
function checkRange(address: u32, bytes: u64, align: u32): u32 {
  const end = <u64>address + bytes;
  if (address < HEAP_LOCATION || end > (<u64>memory.size() << 16)) return STATUS_OUT_OF_BOUNDS;
  if (address & (align - 1)) return STATUS_MISALIGNED;
  return STATUS_OK;
}

/** Executes the job at `command`; returns its status and sets commandCycles and commandEngine. */
export function execute(command: usize): u32 {
  commandCycles = 0;
  commandEngine = ENGINE_NONE;
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
    default:
      return STATUS_BAD_OPCODE;
  }
}

function copy(command: usize): u32 {
  const path = load<u32>(command + COMMAND_ARG0);
  if (path > COPY_DEVICE_TO_DEVICE) return STATUS_BAD_COPY_PATH;
  const dst = load<u32>(command + COMMAND_DST);
  const src = load<u32>(command + COMMAND_SRC0);
  const bytes = load<u32>(command + COMMAND_COUNT);
  let status = checkRange(dst, bytes, 1);
  if (status == STATUS_OK) status = checkRange(src, bytes, 1);
  if (status != STATUS_OK) return status;
  memory.copy(dst, src, bytes);
  commandCycles = copyCycles(<f64>bytes, path);
  commandEngine = path == COPY_HOST_TO_DEVICE ? ENGINE_PCIE_H2D : path == COPY_DEVICE_TO_HOST ? ENGINE_PCIE_D2H : ENGINE_DMA;
  return STATUS_OK;
}

function add(command: usize): u32 {
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  if (size == 0) return STATUS_BAD_DTYPE;
  if (dtype != DTYPE_FLOAT32 && dtype != DTYPE_INT32) return STATUS_UNSUPPORTED_DTYPE;
  const dst = load<u32>(command + COMMAND_DST);
  const a = load<u32>(command + COMMAND_SRC0);
  const b = load<u32>(command + COMMAND_SRC1);
  const count = load<u32>(command + COMMAND_COUNT);
  const bytes = <u64>count * size;
  let status = checkRange(dst, bytes, size);
  if (status == STATUS_OK) status = checkRange(a, bytes, size);
  if (status == STATUS_OK) status = checkRange(b, bytes, size);
  if (status != STATUS_OK) return status;
  if (dtype == DTYPE_FLOAT32) addFloat32(dst, a, b, count);
  else addInt32(dst, a, b, count);
  commandCycles = elementwiseCycles(3 * <f64>bytes, <f64>count);
  commandEngine = ENGINE_SIMD;
  return STATUS_OK;
}
