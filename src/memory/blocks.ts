// Blocks and segments of the caching allocator (caching-allocator.ts), as PyTorch's
// DeviceCachingAllocator has them (c10/cuda/CUDACachingAllocator.cpp): segments are reserved
// from the device heap (our cudaMalloc) and cut into blocks; free blocks are kept in pools
// ordered for best fit. Sizes and segment sizes follow PyTorch's constants.
//
//   segment (one heap allocation)
//   ┌──────────────┬──────────┬──────────────────────┬──────────┐
//   │ block        │ block    │ block                │ block    │   blocks tile the segment,
//   │ allocated    │ free     │ active_pending_free  │ free     │   linked by prev/next
//   └──────────────┴──────────┴──────────────────────┴──────────┘

import type { StreamQueue } from '../runtime/stream-queue.js';
import { LARGE_POOL, SMALL_POOL, type Pool } from './memory-stats.js';
import type { PrivatePool } from './private-pools.js';
import { NO_FRAMES, type Frame } from './stack-frames.js';

/** Rounding granule and smallest block (PyTorch's kMinBlockSize). */
export const MIN_BLOCK_BYTES = 512;
/** Largest request served from the small pool (kSmallSize). */
export const SMALL_SIZE_BYTES = 1 << 20;
/** Segment size of the small pool (kSmallBuffer). */
export const SMALL_BUFFER_BYTES = 2 << 20;
/** Segment size for large requests below MIN_LARGE_ALLOC_BYTES (kLargeBuffer). */
export const LARGE_BUFFER_BYTES = 20 << 20;
/** Large requests from this size get a segment of their own size (kMinLargeAlloc). */
export const MIN_LARGE_ALLOC_BYTES = 10 << 20;
/** Rounding of large segments (kRoundLarge). */
export const ROUND_LARGE_BYTES = 2 << 20;

/** Rounds a request to the block size PyTorch would use (round_size); 0 bytes take one granule. */
export function roundSize(bytes: number): number {
  return bytes < MIN_BLOCK_BYTES ? MIN_BLOCK_BYTES : Math.ceil(bytes / MIN_BLOCK_BYTES) * MIN_BLOCK_BYTES;
}

/** The pool a rounded size belongs to (get_pool: `size <= kSmallSize` is small). */
export function poolOf(size: number): Pool {
  return size <= SMALL_SIZE_BYTES ? SMALL_POOL : LARGE_POOL;
}

/** Segment size PyTorch reserves for a rounded request (get_allocation_size). */
export function segmentSizeFor(size: number): number {
  if (size <= SMALL_SIZE_BYTES) return SMALL_BUFFER_BYTES;
  if (size < MIN_LARGE_ALLOC_BYTES) return LARGE_BUFFER_BYTES;
  return Math.ceil(size / ROUND_LARGE_BYTES) * ROUND_LARGE_BYTES;
}

/** What the allocator needs of a stream: its slot, its last sequence number, and whether one has completed. */
export type AllocatorStream = Pick<StreamQueue, 'slot' | 'enqueued' | 'isComplete'>;

/** A stream's sequence number that must complete before a block may be reused. */
export interface StreamMark {
  readonly queue: AllocatorStream;
  readonly seq: number;
}

/** One heap allocation, cut into blocks. */
export class Segment {
  /** The first block (lowest address). */
  first: Block;

  constructor(
    readonly address: number,
    readonly size: number,
    readonly pool: Pool,
    /** The stream of the allocation that reserved it. */
    readonly stream: number,
    /** The user's stack when it was reserved. */
    readonly frames: readonly Frame[],
    queue: AllocatorStream,
    /** The private pool whose blocks these are, or null for the device-wide pools. */
    readonly privatePool: PrivatePool | null = null,
  ) {
    this.first = new Block(this, address, size, queue);
  }

  /** Its blocks in address order. */
  *blocks(): IterableIterator<Block> {
    for (let block: Block | null = this.first; block !== null; block = block.next) yield block;
  }
}

/** A slice of a segment: allocated, pending free, or free (cached). */
export class Block {
  prev: Block | null = null;
  next: Block | null = null;
  /** Handed to a caller and not yet freed. */
  allocated = false;
  /** In its pool's free list. */
  inPool = false;
  /** Bytes the caller asked for (allocated or pending blocks). */
  requestedSize = 0;
  /** Stack of the allocation (allocated or pending blocks). */
  frames: readonly Frame[] = NO_FRAMES;
  /** Allocated: the block's stream. Free: the stream whose work must be done before another stream reuses it. */
  queue: AllocatorStream;
  /** Free: `queue`'s last sequence number when the block was freed. */
  freeSeq = 0;
  /** Other streams the block was used on (recordStream). */
  streamUses: AllocatorStream[] | null = null;
  /** Pending free: marks that must complete before the block is free. */
  pending: StreamMark[] | null = null;

  constructor(
    /** The segment it is part of (reassigned only when the allocator reuses the object, recycle()). */
    public segment: Segment,
    /** Device address. */
    public address: number,
    /** Bytes (a multiple of 512). */
    public size: number,
    queue: AllocatorStream,
  ) {
    this.queue = queue;
  }

  /**
   * Makes this object, a block that was merged into a neighbour and is no longer part of any
   * segment, a new free block as the constructor would: tiny ops split and merge a block on
   * every allocation and free, and reusing the objects spares the garbage collector.
   */
  recycle(segment: Segment, address: number, size: number, queue: AllocatorStream): this {
    this.segment = segment;
    this.address = address;
    this.size = size;
    this.queue = queue;
    this.prev = this.next = null;
    this.allocated = this.inPool = false;
    this.requestedSize = this.freeSeq = 0;
    this.frames = NO_FRAMES;
    this.streamUses = null;
    this.pending = null;
    return this;
  }

  /** Part of a segment with more than one block (PyTorch's is_split). */
  get isSplit(): boolean {
    return this.prev !== null || this.next !== null;
  }

  /** Free and no stream work can still touch it: any stream and the host may reuse it. */
  get isClean(): boolean {
    return this.queue.isComplete(this.freeSeq);
  }

  /** Its snapshot state. */
  get state(): 'active_allocated' | 'active_pending_free' | 'inactive' {
    return this.allocated ? 'active_allocated' : this.pending !== null ? 'active_pending_free' : 'inactive';
  }
}

/** Free blocks of one pool ordered by (size, address), for best fit. */
export class BlockPool {
  readonly blocks: Block[] = [];

  /** Index of the first block ordered at or after (size, address). */
  lowerBound(size: number, address: number): number {
    const { blocks } = this;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = blocks[mid]!;
      if (b.size < size || (b.size === size && b.address < address)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds a free block at its place in the order. Insertion and removal move the later blocks
   * by hand: splice() would allocate an array of the removed blocks on every call, and tiny ops
   * remove and insert blocks on every allocation and free (bench/dispatch).
   */
  insert(block: Block): void {
    const { blocks } = this;
    const index = this.lowerBound(block.size, block.address);
    let i = blocks.length;
    blocks.push(block);
    for (; i > index; i--) blocks[i] = blocks[i - 1]!;
    blocks[index] = block;
  }

  /** Removes a block that is in this pool (found by its size and address). */
  remove(block: Block): void {
    const index = this.lowerBound(block.size, block.address);
    if (this.blocks[index] !== block) throw new Error(`caching allocator: block ${block.address} is not in its pool`);
    this.removeAt(index);
  }

  /** Removes the block at `index` of the order. */
  removeAt(index: number): void {
    const { blocks } = this;
    const last = blocks.length - 1;
    for (let i = index; i < last; i++) blocks[i] = blocks[i + 1]!;
    blocks.pop();
  }
}
