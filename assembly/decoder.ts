// The command decoder: checks one command's operands, runs its kernel and prices it.
// Every check happens before any write, so a rejected command leaves device memory untouched.

import {
  COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_OPCODE, COMMAND_SCALAR,
  COMMAND_SRC0, COMMAND_SRC1, COPY_DEVICE_TO_DEVICE, DTYPE_FLOAT32, DTYPE_INT32, OP_ADD, OP_COPY,
  OP_FILL, OP_NOP,
} from "./abi";
import { HEAP_LOCATION } from "./layout";
import {
  STATUS_BAD_COPY_PATH, STATUS_BAD_DTYPE, STATUS_BAD_OPCODE, STATUS_MISALIGNED, STATUS_OK,
  STATUS_OUT_OF_BOUNDS, STATUS_UNSUPPORTED_DTYPE,
} from "./status";
import { copyCycles, elementwiseCycles, launchOnlyCycles } from "./timing/cost";
import { dtypeBytes } from "./kernels/dtype";
import { fillFloat32, fillInt32 } from "./kernels/fill";
import { addFloat32, addInt32 } from "./kernels/elementwise";

/** Simulated cycles of the command execute() last ran (launch only if it was rejected). */
export let commandCycles: f64 = 0;

/** STATUS_OK if [address, address + bytes) lies in the heap and address is `align`-aligned. */
function checkRange(address: u32, bytes: u64, align: u32): u32 {
  const end = <u64>address + bytes;
  if (address < HEAP_LOCATION || end > (<u64>memory.size() << 16)) return STATUS_OUT_OF_BOUNDS;
  if (address & (align - 1)) return STATUS_MISALIGNED;
  return STATUS_OK;
}

/** Executes the command at `command`; returns its status and sets commandCycles. */
export function execute(command: usize): u32 {
  commandCycles = launchOnlyCycles();
  const opcode = load<u32>(command + COMMAND_OPCODE);
  switch (opcode) {
    case OP_NOP:
      return STATUS_OK;
    case OP_FILL:
      return fill(command);
    case OP_COPY:
      return copy(command);
    case OP_ADD:
      return add(command);
    default:
      return STATUS_BAD_OPCODE;
  }
}

function fill(command: usize): u32 {
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  if (size == 0) return STATUS_BAD_DTYPE;
  if (dtype != DTYPE_FLOAT32 && dtype != DTYPE_INT32) return STATUS_UNSUPPORTED_DTYPE;
  const dst = load<u32>(command + COMMAND_DST);
  const count = load<u32>(command + COMMAND_COUNT);
  const bytes = <u64>count * size;
  const status = checkRange(dst, bytes, size);
  if (status != STATUS_OK) return status;
  const value = load<f64>(command + COMMAND_SCALAR);
  if (dtype == DTYPE_FLOAT32) fillFloat32(dst, count, <f32>value);
  else fillInt32(dst, count, <i32>value);
  commandCycles = elementwiseCycles(<f64>bytes, <f64>count);
  return STATUS_OK;
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
  return STATUS_OK;
}
