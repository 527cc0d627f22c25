// Tensor: a strided view (shape, strides, offset, dtype) of a block of one device's memory. Ops
// are enqueued on the device's current stream and return at once; the device computes later.
// Reading values back is the only thing that waits. Views share their Storage: each Tensor
// object holds one reference, dropped by free() (or by the garbage collector, see storage.ts).

import { checkDeviceIndex, Device, deviceIndex, type DeviceLike } from '../device.js';
import { MtiaError } from '../errors.js';
import { checkOptions } from '../options.js';
import { Stream } from '../mtia/stream.js';
import { runtime } from '../runtime/runtime.js';
import type { CpuTensor } from './cpu-tensor.js';
import { allDTypes, dtypeInfo, type DType, type HostArray, type TypedArray } from './dtype.js';
import { checkReadTarget, copyToDevice, download, readBack } from './transfer.js';
import {
  add, clamp, convert, copy_, div, exp, gelu, log, maximum, minimum, mul, neg, relu, sigmoid, silu, sqrt, sub,
  tanh, where, type Scalar,
} from './ops.js';
import { argmax, max, mean, min, sum, type ReduceOptions, type ValuesIndices } from './reductions.js';
import { bmm, matmul } from './linalg.js';
import { logSoftmax, softmax } from './nn.js';
import { contiguous, permute, reshape, slice, transpose, view } from './views.js';
import { expand, flatten, split, squeeze, unsqueeze } from './views.js';
import { gather, indexSelect, type GatherOptions } from './indexing.js';
import { contiguousStrides, wrapDim } from './shape.js';
import { REGISTERED, Storage } from './storage.js';

/**
 * Checks a view's shape, strides and offset against its storage; returns its element count.
 * Errors use the words of PyTorch's setStorage (aten/src/ATen/native/Resize.h).
 */
function checkView(storage: Storage, shape: readonly number[], dtype: DType, strides: readonly number[], offset: number): number {
  const itemBytes = dtypeInfo(dtype).bytes;
  if (!Array.isArray(shape) || !Array.isArray(strides) || shape.length !== strides.length) {
    throw new TypeError(`Tensor(): shape and strides must be arrays of the same length, but got: ${String(shape)} and ${String(strides)}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new MtiaError(`Tensor(): storage offset must be a non-negative integer, but got: ${offset}`);
  }
  let numel = 1;
  let last = offset;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    const stride = strides[d]!;
    if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(stride) || stride < 0) {
      throw new MtiaError(`Tensor(): sizes and strides must be non-negative integers, but got sizes [${shape.join(', ')}] and strides [${strides.join(', ')}]`);
    }
    numel *= size;
    last += (size - 1) * stride;
  }
  if (numel > 0 && (last + 1) * itemBytes > storage.bytes) {
    throw new MtiaError(
      `setStorage: sizes [${shape.join(', ')}], strides [${strides.join(', ')}], storage offset ${offset}, and itemsize ${itemBytes} ` +
        `requiring a storage size of ${(last + 1) * itemBytes} are out of bounds for storage of size ${storage.bytes}`,
    );
  }
  return numel;
}

/** True if `spec` parses as a torch.device string (of any type). */
function isDeviceString(spec: string): boolean {
  try {
    Device.parse(spec);
    return true;
  } catch {
    return false;
  }
}

/** A multi-dimensional array on a simulated MTIA device. */
export class Tensor implements Disposable {
  /** Number of elements. */
  readonly numel: number;
  private freed = false;
  /** @internal Storage's bookkeeping of this tensor's reference (StorageOwner). */
  ownerSlot = REGISTERED;

  /**
   * @internal Tensors are made by factories, ops and views, not by `new`. The view is checked
   * against its storage: every element it can reach must lie inside it (as PyTorch's
   * setStorage checks as_strided), so no view reads or writes past the end of its block.
   */
  constructor(
    /** @internal */ readonly storage: Storage,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Element strides per dim (row-major contiguous by default). */
    readonly strides: readonly number[] = contiguousStrides(shape),
    /** Offset of the first element in the storage, in elements. */
    readonly offset = 0,
    /**
     * @internal The element count, from a caller that made `storage` for exactly this
     * contiguous view (an op's fresh result): the checks are skipped, which spares tiny ops
     * their cost (bench/dispatch). -1: check.
     */
    numel = -1,
  ) {
    if (numel < 0) {
      if (!(storage instanceof Storage)) throw new TypeError(`Tensor(): storage must be a Storage, but got: ${String(storage)}`);
      numel = checkView(storage, shape, dtype, strides, offset);
    }
    this.numel = numel;
    storage.retain(this); // also dropped if this tensor is collected without free()
  }

  /** The device the tensor lives on. */
  get device(): Device {
    return new Device('mtia', this.storage.device.index);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Size of dim `dim` (torch.Tensor.size(dim)), or the whole shape. */
  size(dim?: number): number | readonly number[] {
    return dim === undefined ? this.shape : this.shape[wrapDim(dim, this.ndim)] ?? 1;
  }

  /** True if the elements are laid out row-major without gaps (torch.Tensor.is_contiguous). */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.ndim - 1; d >= 0; d--) {
      if (this.shape[d] === 1) continue;
      if (this.strides[d] !== expected) return this.numel === 0;
      expected *= this.shape[d]!;
    }
    return true;
  }

  /** this + alpha · other, with broadcasting and type promotion (torch.add). */
  add(other: Tensor | Scalar, options?: { alpha?: number }): Tensor { return add(this, other, options); }
  /** this - alpha · other (torch.sub). */
  sub(other: Tensor | Scalar, options?: { alpha?: number }): Tensor { return sub(this, other, options); }
  /** this · other (torch.mul). */
  mul(other: Tensor | Scalar): Tensor { return mul(this, other); }
  /** this / other, true division (torch.div). */
  div(other: Tensor | Scalar): Tensor { return div(this, other); }
  /** Elementwise maximum (torch.maximum). */
  maximum(other: Tensor): Tensor { return maximum(this, other); }
  /** Elementwise minimum (torch.minimum). */
  minimum(other: Tensor): Tensor { return minimum(this, other); }
  /** -this (torch.neg). */
  neg(): Tensor { return neg(this); }
  /** e^this (torch.exp). */
  exp(): Tensor { return exp(this); }
  /** Natural logarithm (torch.log). */
  log(): Tensor { return log(this); }
  /** Square root (torch.sqrt). */
  sqrt(): Tensor { return sqrt(this); }
  /** max(this, 0) (torch.relu). */
  relu(): Tensor { return relu(this); }
  /** GELU, exact erf form (torch.nn.functional.gelu). */
  gelu(): Tensor { return gelu(this); }
  /** this · sigmoid(this) (torch.nn.functional.silu). */
  silu(): Tensor { return silu(this); }
  /** 1 / (1 + e^-this) (torch.sigmoid). */
  sigmoid(): Tensor { return sigmoid(this); }
  /** Hyperbolic tangent (torch.tanh). */
  tanh(): Tensor { return tanh(this); }
  /** Clamps into [min, max]; either bound may be omitted (torch.clamp). */
  clamp(minimum?: number | null, maximum?: number | null): Tensor { return clamp(this, minimum, maximum); }
  /** condition ? this : other (torch.Tensor.where). */
  where(condition: Tensor, other: Tensor | Scalar): Tensor { return where(condition, this, other); }
  /** Matrix product with broadcasting batch dims (torch.matmul). */
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  /** Batched matrix product of two 3-d tensors (torch.bmm). */
  bmm(other: Tensor): Tensor { return bmm(this, other); }
  /** Sum over `dim` (all dims by default) (torch.sum). */
  sum(dim?: number | readonly number[] | null, options?: ReduceOptions): Tensor { return sum(this, dim, options); }
  /** Mean over `dim` (torch.mean); floating dtypes only. */
  mean(dim?: number | readonly number[] | null, options?: ReduceOptions): Tensor { return mean(this, dim, options); }
  /** Largest element, or { values, indices } along `dim` (torch.max). */
  max(): Tensor;
  max(dim: number, options?: ReduceOptions): ValuesIndices;
  max(dim?: number, options?: ReduceOptions): Tensor | ValuesIndices { return dim === undefined ? max(this) : max(this, dim, options); }
  /** Smallest element, or { values, indices } along `dim` (torch.min). */
  min(): Tensor;
  min(dim: number, options?: ReduceOptions): ValuesIndices;
  min(dim?: number, options?: ReduceOptions): Tensor | ValuesIndices { return dim === undefined ? min(this) : min(this, dim, options); }
  /** Index of the first largest element, flat or along `dim` (torch.argmax); int32. */
  argmax(dim?: number | null, options?: ReduceOptions): Tensor { return argmax(this, dim, options); }
  /** Softmax along `dim` (torch.softmax). */
  softmax(dim: number): Tensor { return softmax(this, dim); }
  /** Log-softmax along `dim` (torch.log_softmax). */
  logSoftmax(dim: number): Tensor { return logSoftmax(this, dim); }
  /** Same data in a new shape; a view when the strides allow, else a copy (torch.reshape). */
  reshape(...shape: readonly number[] | [readonly number[]]): Tensor { return reshape(this, shape.flat()); }
  /** Same data in a new shape; never copies, throws when the strides do not allow it (torch.Tensor.view). */
  view(...shape: readonly number[] | [readonly number[]]): Tensor { return view(this, shape.flat()); }
  /** View with dims `dim0` and `dim1` swapped (torch.transpose). */
  transpose(dim0: number, dim1: number): Tensor { return transpose(this, dim0, dim1); }
  /** View with dims reordered (torch.permute). */
  permute(...dims: readonly number[] | [readonly number[]]): Tensor { return permute(this, dims.flat()); }
  /** View of [start, end) with `step` along `dim` (Python's t[start:end:step] on that dim). */
  slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor { return slice(this, dim, start, end, step); }
  /** Copies `source` into this tensor in place, broadcasting and converting (torch.Tensor.copy_); returns this. */
  copy_(source: Tensor): Tensor { return copy_(this, source); }
  /** A contiguous tensor with the same values: a view if already contiguous, else a copy. */
  contiguous(): Tensor { return contiguous(this); }
  /** Views of chunks along `dim` (torch.Tensor.split). */
  split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[] { return split(this, splitSizeOrSections, dim); }
  /** View broadcast to `sizes`, -1 keeping a dim (torch.Tensor.expand). */
  expand(...sizes: readonly number[] | [readonly number[]]): Tensor { return expand(this, sizes.flat()); }
  /** View without size-1 dims, all or those of `dim` (torch.Tensor.squeeze). */
  squeeze(dim?: number | readonly number[]): Tensor { return squeeze(this, dim); }
  /** View with a size-1 dim inserted at `dim` (torch.Tensor.unsqueeze). */
  unsqueeze(dim: number): Tensor { return unsqueeze(this, dim); }
  /** Dims startDim..endDim merged into one (torch.Tensor.flatten). */
  flatten(startDim?: number, endDim?: number): Tensor { return flatten(this, startDim, endDim); }
  /** Values along `dim` at `index` (torch.Tensor.gather). */
  gather(dim: number, index: Tensor, options?: GatherOptions): Tensor { return gather(this, dim, index, options); }
  /** Entries at `index` along `dim` (torch.Tensor.index_select). */
  indexSelect(dim: number, index: Tensor, options?: GatherOptions): Tensor { return indexSelect(this, dim, index, options); }

  /**
   * to(dtype): a converted copy (a new view if the dtype is the same), enqueued at once.
   * to(device): a copy on another device (or 'cpu'), after a stream-ordered download: async.
   */
  to(dtype: DType): Tensor;
  to(device: DeviceLike | 'cpu'): Promise<Tensor | CpuTensor>;
  to(target: DType | DeviceLike | 'cpu'): Tensor | Promise<Tensor | CpuTensor> {
    if (typeof target === 'string' && (allDTypes as readonly string[]).includes(target)) {
      return convert(this, target as DType);
    }
    this.checkUsable('to');
    if (typeof target === 'string' && !isDeviceString(target)) {
      throw new TypeError(`to(): expected a dtype (${allDTypes.join(', ')}) or a device ('cpu', 'mtia' or 'mtia:N'), but got: '${target}'`);
    }
    const index = deviceIndex(target as DeviceLike, () => runtime.currentDevice, { allowCpu: true });
    if (index === -1) return this.cpu();
    checkDeviceIndex(index, runtime.config.deviceCount); // at the call, not in the promise
    return copyToDevice(this, index);
  }

  /** A host copy of the values (torch.Tensor.cpu), after every op enqueued before this call. */
  cpu(): Promise<CpuTensor> {
    return download(this);
  }

  /**
   * Copies the values to the host, after every op enqueued before this call, as a flat
   * row-major typed array (see TypedArray: float16 and bfloat16 come back as Float32Array; an
   * int64 tensor's as a BigInt64Array of bigints: name it in the type argument,
   * `toArray<BigInt64Array>()`, as the default type is the number arrays of the other dtypes).
   * With `out`, an array of that type and the tensor's numel, the values are copied into it
   * (resident memory: no new pages to fault in) and it is what the promise resolves with; do
   * not read it before then.
   */
  toArray(options?: { out?: TypedArray }): Promise<TypedArray>;
  toArray<A extends HostArray>(options?: { out?: A }): Promise<A>;
  toArray(options?: { out?: HostArray }): Promise<HostArray> {
    const { out } = checkOptions('toArray', options, ['out']) ?? {};
    return readBack(this, out === undefined ? undefined : checkReadTarget(this, out));
  }

  /**
   * Drops the tensor's hold on its device memory, which is returned once no tensor views it
   * and the work already enqueued on it is done (stream-ordered). Using the tensor afterwards
   * throws; freeing twice does nothing.
   */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.storage.drop(this);
  }

  /**
   * Marks the tensor's memory as in use by `stream` too (torch.Tensor.record_stream): when it
   * is freed, the caching allocator reuses it only after the work queued on `stream` by then is
   * done, not just the work on the stream it was allocated on.
   */
  recordStream(stream: Stream): void {
    if (!(stream instanceof Stream)) throw new TypeError(`recordStream(): stream must be an mtia.Stream, but got: ${String(stream)}`);
    const storage = this.checkUsable('recordStream');
    if (stream.simulated !== storage.device) {
      throw new MtiaError(`recordStream(): the stream is on mtia:${stream.deviceIndex} but the tensor is on mtia:${storage.device.index}`);
    }
    storage.device.recordStream(storage.address, stream.queue);
  }

  /** free(), for `using t = ...`. */
  [Symbol.dispose](): void {
    this.free();
  }

  /**
   * @internal checkUsable(op) of this tensor, then of `other`, a tensor on the same device,
   * whose liveness this one's check has just covered: the device is checked once (tiny ops,
   * bench/dispatch).
   */
  checkUsableWith(op: string, other: Tensor): void {
    this.checkUsable(op);
    if (other.freed) other.checkUsable(op);
  }

  /** @internal Throws unless the tensor can be used in `op`; returns its storage. */
  checkUsable(op: string): Storage {
    const storage = this.storage;
    if (this.freed) {
      throw new MtiaError(`${op}: the tensor was freed (free() or using) and cannot be used any more`);
    }
    storage.device.assertAlive();
    return storage;
  }

  /** @internal Bytes per element. */
  get elementBytes(): number {
    return dtypeInfo(this.dtype).bytes;
  }

  toString(): string {
    return `tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}
