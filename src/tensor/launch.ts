// Launching tensor ops: the host's mirror of the core's argument block (assembly/ops/args.ts),
// dim coalescing, and the checks every op makes on its tensor arguments before it enqueues.
//
// An op's argument block goes with its command into the command ring: into the block of the
// command's ring position (src/runtime/command-ring.ts), never into device memory.

import { MtiaError } from '../errors.js';
import {
  OP_ATTENTION, OP_CONV, OP_EMBEDDING_BAG, OP_GATHER, OP_MATMUL, OP_POOL, OP_QUANTIZED_LINEAR, OP_RANDOM, OP_RESIZE, OP_UNARY, OP_WHERE,
  UNARY_COPY,
} from '../runtime/layout.js';
import {
  ARGS_ADDRESS3, ARGS_BYTES, ARGS_DTYPE, ARGS_KIND, ARGS_PARAMS, ARGS_RANK, ARGS_SHAPE, ARGS_STRIDES,
  MAX_RANK,
} from '../runtime/layout.js';
import { opObserver } from '../runtime/op-observer.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import { checkAccesses, sanitizer } from '../runtime/stream-sanitizer.js';
import { CpuTensor } from './cpu-tensor.js';
import { dtypeInfo, type DType } from './dtype.js';
import { Tensor } from './tensor.js';

/**
 * An argument block being filled in on the host. Ops use the one scratch block argsBlock()
 * returns: an op fills and enqueues it synchronously, so no two are ever in use at once, and
 * tiny ops allocate nothing on the JavaScript heap for it.
 */
export class ArgsBlock {
  readonly words = new Uint32Array(ARGS_BYTES / 4);
  private readonly ints = new Int32Array(this.words.buffer);
  private readonly floats = new Float32Array(this.words.buffer);
  /** Bit k set when operand k (1..3) is a number held in this block (scalarOperand). */
  private inBlock = 0;
  /** The first param set that a 32-bit param word cannot hold, as an error message (checkWords). */
  private overflow: string | undefined;
  /** The first size or stride past 32 bits, which ops of NARROW_OPCODES cannot take (checkWords). */
  private wide: string | undefined;

  /** Clears the block and sets its kind. */
  reset(kind: number): this {
    this.words.fill(0);
    this.inBlock = 0;
    this.overflow = undefined;
    this.wide = undefined;
    this.words[ARGS_KIND] = kind;
    return this;
  }

  /** Sets the iteration shape and the element strides of operands 0.. (dst, src0, src1, addr3). */
  iteration(shape: readonly number[], strides: readonly (readonly number[])[]): this {
    if (shape.length > MAX_RANK) {
      throw new MtiaError(`mtia-sim ops support at most ${MAX_RANK} dims after merging contiguous ones, but got ${shape.length}`);
    }
    this.words[ARGS_RANK] = shape.length;
    // Sizes u64, strides i64 (assembly/ops/args.ts): timing-only tensors may pass 2^32 elements.
    shape.forEach((size, d) => {
      setWide(this.words, ARGS_SHAPE + 2 * d, size);
      if (size > U32_MAX && this.wide === undefined) this.wide = `a size of ${size}`;
    });
    strides.forEach((list, k) => list.forEach((stride, d) => {
      setWide(this.words, ARGS_STRIDES + 16 * k + 2 * d, stride);
      if ((stride > I32_MAX || stride < -I32_MAX - 1) && this.wide === undefined) this.wide = `an element stride of ${stride}`;
    }));
    return this;
  }

  /** Sets the dtype of operand k (1..3). */
  dtype(k: number, dtype: DType): this {
    this.words[ARGS_DTYPE + k - 1] = dtypeInfo(dtype).code;
    return this;
  }

  /** Sets the address of operand 3. */
  address3(address: number): this {
    return this.setAddress(ARGS_ADDRESS3, address);
  }

  /** Sets params `index` and `index + 1` to a device address (u64). */
  addressParam(index: number, address: number): this {
    return this.setAddress(ARGS_PARAMS + index, address);
  }

  private setAddress(word: number, address: number): this {
    this.words[word] = address % 2 ** 32;
    this.words[word + 1] = Math.floor(address / 2 ** 32);
    return this;
  }

  /** Sets params `index` and `index + 1` to a u64 size (a byte count that may pass 4 GiB in timing-only mode). */
  param64(index: number, value: number): this {
    return this.setAddress(ARGS_PARAMS + index, value);
  }

  /** Sets u32 params (negative numbers are stored as two's complement). */
  params(...values: number[]): this {
    values.forEach((value, i) => this.param(i, value));
    return this;
  }

  /**
   * Makes operand k (1..3) a number held in this block (word SCALAR_WORDS[k - 1]), as float32
   * for floating results or int32 otherwise: PyTorch's "wrapped numbers", which enter the
   * computation without being rounded to the tensor's dtype first, and queue no fill.
   */
  scalarOperand(k: number, value: number, floating: boolean): this {
    const word = SCALAR_WORDS[k - 1]!;
    if (floating) this.floats[word] = value;
    else this.ints[word] = value;
    this.inBlock |= 1 << k;
    return this.dtype(k, floating ? 'float32' : 'int32');
  }

  /** Sets param `index` to a u32 (negative numbers as two's complement). */
  param(index: number, value: number): this {
    this.ints[ARGS_PARAMS + index] = value;
    if ((value > U32_MAX || value < -I32_MAX - 1) && this.overflow === undefined) this.overflow = `a parameter of ${value}`;
    return this;
  }

  /** Sets param `index` to a float32. */
  floatParam(index: number, value: number): this {
    this.floats[ARGS_PARAMS + index] = value;
    return this;
  }

  /**
   * Enqueues the command on the device's current stream with this block as its argument
   * block (arg0); returns its sequence number. `access` names the op and the tensors it reads
   * and writes, for the stream sanitizer and the profiler (src/runtime/op-observer.ts).
   */
  enqueue(device: SimulatedDevice, access: Access, opcode: number, dtype: DType, dst: number, src0: number, src1: number, count: number, scalar = 0): number {
    checkInt64(access, opcode, this.words[ARGS_KIND]!, dtype);
    checkWords(access.op, NARROW_OPCODES.has(opcode) ? this.overflow ?? this.wide : this.overflow);
    checkAccess(device, access);
    const queue = device.currentQueue;
    queue.prepare();
    const address = device.ring.nextArgsAddress();
    const inBlock = this.inBlock;
    const at = (k: number, fallback: number) => ((inBlock >> k) & 1 ? address + SCALAR_WORDS[k - 1]! * 4 : fallback);
    if ((inBlock >> 3) & 1) this.address3(at(3, 0));
    const seq = queue.enqueue(opcode, dtypeInfo(dtype).code, dst, at(1, src0), at(2, src1), count, 0, scalar, this.words, workOf(opcode, access));
    opObserver?.(device, queue, access.op, [...access.reads, ...access.writes].map((t) => t.shape), access.writes[0]?.dtype ?? dtype);
    return seq;
  }
}

/**
 * Ops that do more than touch each element of their operands a few times: a matrix product's
 * K, a window's area, a bag's rows. Their work is not judged (CommandRing.push: never small).
 */
const COMPUTE_OPCODES: ReadonlySet<number> = new Set([OP_MATMUL, OP_QUANTIZED_LINEAR, OP_CONV, OP_POOL, OP_ATTENTION, OP_EMBEDDING_BAG]);

/** The elements an op touches, about: those of the tensors it reads and writes; Infinity for COMPUTE_OPCODES. */
function workOf(opcode: number, access: Access): number {
  if (COMPUTE_OPCODES.has(opcode)) return Infinity;
  let work = 0;
  for (const tensor of access.reads) work += tensor.numel;
  for (const tensor of access.writes) work += tensor.numel;
  return work;
}

/** Largest value of a u32 word (an op's params). */
const U32_MAX = 2 ** 32 - 1;
/** Largest value of an i32 word (a stride as NARROW_OPCODES' kernels read it). */
const I32_MAX = 2 ** 31 - 1;

/**
 * Ops whose core reads their geometry as 32-bit numbers (ops/args.ts dim32, stride32): conv and
 * pool (NCHW dims and strides), attention (L, S and the strides along them), resize (the input's
 * H and W). Every other op reads the block's 64-bit sizes and strides (issue 21 finding 5).
 */
const NARROW_OPCODES: ReadonlySet<number> = new Set([OP_CONV, OP_POOL, OP_ATTENTION, OP_RESIZE]);

/** Writes `value` (an integer, possibly negative) as a 64-bit two's-complement number at `words[at]`, low word first. */
function setWide(words: Uint32Array, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 32);
  words[at] = value - high * 2 ** 32;
  words[at + 1] = high; // ToUint32: a negative high word is stored as two's complement
}

/**
 * Throws at the call when an op's argument block holds a number its words cannot (`overflow`,
 * found as it was written): a parameter past a u32 word (a matrix dim, a channel count, a
 * table's rows: each op's own params stay 32-bit), or, for the few ops whose kernels read
 * their geometry in 32 bits (NARROW_OPCODES), a size of 2^32 or a stride past 2^31. Counts,
 * sizes and strides are otherwise 64-bit, so the core never sees a number modulo 2^32.
 */
export function checkWords(op: string, overflow: string | undefined): void {
  if (overflow === undefined) return;
  throw new MtiaError(`${op}: ${overflow} does not fit the simulated core's 32-bit word for it (at most ${U32_MAX} elements per dim, strides within ±2^31); split the op`);
}

const scratch = new ArgsBlock();

/** The scratch argument block, cleared, for an op of `kind` (see ArgsBlock). */
export function argsBlock(kind = 0): ArgsBlock {
  return scratch.reset(kind);
}

/** Words of the argument block that hold scalar operands 1..3 (the last three params). */
const SCALAR_WORDS = [ARGS_BYTES / 4 - 3, ARGS_BYTES / 4 - 2, ARGS_BYTES / 4 - 1];

/**
 * Throws PyTorch's `"<op>" not implemented for 'Long'` when an op that has no int64 kernel
 * (everything but copies, where, randint's int32 draws widened, and the gathers, whose int64
 * operands are indices) is given an int64 tensor: mtia-sim stores, converts and indexes with
 * int64 but has no int64 arithmetic.
 */
function checkInt64(access: Access, opcode: number, kind: number, dtype: DType): void {
  if (opcode === OP_GATHER || opcode === OP_WHERE || opcode === OP_RANDOM || (opcode === OP_UNARY && kind === UNARY_COPY)) return;
  if (dtype === 'int64' || access.reads.some((t) => t.dtype === 'int64') || access.writes.some((t) => t.dtype === 'int64')) {
    throw new MtiaError(`"${access.op}" not implemented for 'Long'`);
  }
}

/** What an op reads and writes, as the stream sanitizer sees it. */
export interface Access {
  readonly op: string;
  readonly reads: readonly Tensor[];
  readonly writes: readonly Tensor[];
}

/**
 * Reports `access` to the stream sanitizer (src/runtime/stream-sanitizer.ts; nothing happens
 * unless it is enabled). Call it right before enqueueing the op's one command on the device's
 * current stream: it throws StreamRaceError at the call site, before anything is queued.
 */
export function checkAccess(device: SimulatedDevice, access: Access): void {
  if (!sanitizer.enabled) return; // the common case: no arrays to build
  checkAccesses(access.op, device, access.reads.map((t) => t.storage), access.writes.map((t) => t.storage));
}

/**
 * Drops size-1 dims and merges neighbouring dims that every operand walks contiguously
 * (stride[d] = stride[d + 1] · size[d + 1]), so kernels see few, long rows. Row-major order of
 * the iteration is unchanged.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  if (shape.some((size) => size === 0)) return { shape: [0], strides: strides.map(() => [1]) };
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((list, k) => outStrides[k]![last] === list[d]! * size)) {
      outShape[last]! *= size;
      strides.forEach((list, k) => (outStrides[k]![last] = list[d]!));
    } else {
      outShape.push(size);
      strides.forEach((list, k) => outStrides[k]!.push(list[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}


/** Strides that broadcast `tensor` to `shape` (0 along new or expanded dims). */
export function broadcastStrides(tensor: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - tensor.ndim;
  return shape.map((size, d) => {
    if (d < lead) return 0;
    return tensor.shape[d - lead] === 1 && size !== 1 ? 0 : tensor.strides[d - lead]!;
  });
}

/** Byte address of `tensor`'s first element. */
export function addressOf(tensor: Tensor): number {
  const { offset } = tensor;
  return offset === 0 ? tensor.storage.address : tensor.storage.address + offset * dtypeInfo(tensor.dtype).bytes;
}

/** Throws unless `value` is a usable device tensor; cpu tensors get PyTorch's device error. */
export function checkTensor(op: string, value: unknown, argument: string, device?: SimulatedDevice): Tensor {
  if (value instanceof CpuTensor) {
    const other = device === undefined ? 'mtia:0' : `mtia:${device.index}`;
    throw new MtiaError(`Expected all tensors to be on the same device, but found at least two devices, ${other} and cpu! (in ${op})`);
  }
  if (!(value instanceof Tensor)) {
    throw new TypeError(`${op}(): argument '${argument}' must be a Tensor, but got: ${value === null ? 'null' : typeof value}`);
  }
  value.checkUsable(op);
  return value;
}

/** Throws PyTorch's error unless every tensor is on the same device; returns that device. */
export function checkSameDevice(op: string, tensors: readonly Tensor[]): SimulatedDevice {
  const first = tensors[0]!.storage.device;
  for (const tensor of tensors) {
    if (tensor.storage.device !== first) {
      throw new MtiaError(
        `Expected all tensors to be on the same device, but found at least two devices, ` +
          `mtia:${first.index} and mtia:${tensor.storage.device.index}! (in ${op})`,
      );
    }
  }
  return first;
}

