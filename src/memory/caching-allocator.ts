// A caching allocator over one device's heap, modelled on PyTorch's CUDA caching allocator
// (c10/cuda/CUDACachingAllocator.cpp, DeviceCachingAllocator): segments are reserved from the
// device heap (our cudaMalloc) and cut into blocks; freed blocks stay cached for reuse.
// Blocks, segments and sizes are in blocks.ts, private pools in private-pools.ts, the
// statistics in memory-stats.ts.
//
// - Sizes are rounded up to 512 B. Requests up to 1 MiB use the small pool, whose segments are
//   2 MiB; larger ones the large pool (20 MiB segments below 10 MiB, else rounded to 2 MiB).
//   PyTorch's code counts exactly 1 MiB as small (`size <= kSmallSize`), and so do we.
// - Best fit: the smallest cached free block that is large enough, split when the rest is
//   worth keeping (≥ 512 B in the small pool, > 1 MiB in the large one).
// - Stream order: a freed block is cached at once, tagged with its stream and that stream's
//   last sequence number. Its own stream may reuse it at once (its later commands run after
//   the earlier ones); any other stream, or a host write into staging memory, only once that
//   stream has completed the tagged sequence number ("clean"). A block used on other streams
//   (recordStream) is "active_pending_free" until each of those streams has completed the
//   work enqueued up to the free.
// - Free neighbours merge when both are clean or both wait for the same stream: a clean block
//   never takes on a dirty neighbour's wait, so staging keeps finding clean memory while the
//   device is busy. Neighbours left apart that way are merged once clean, when a request
//   finds no cached block (coalesce).
// - When the heap cannot supply a segment, cached unused segments are released and the heap
//   is asked again (num_alloc_retries); then OutOfMemoryError, after an 'oom' trace entry and
//   the out-of-memory observers. Unlike PyTorch, whose segment sizes assume gigabytes, a
//   segment never asks for more than the device has, and as a last try a segment of exactly
//   the block's size is asked for: a simulated device may have only a few MiB.
// - Private pools (PyTorch's PrivatePool, for graphs; private-pools.ts): while a stream
//   captures, its allocations come from the pool's own segments and free lists, and its blocks
//   go back there when freed, never to the device-wide pools.

// Stats are updated in the functions that do the work; PyTorch's semantics for every key
// (c10/core/CachingDeviceAllocator.h; torch.cuda.memory_stats in torch/cuda/memory.py).

import { OutOfMemoryError } from '../errors.js';
import type { DeviceHeap } from '../runtime/heap.js';
import {
  Block, BlockPool, poolOf, roundSize, ROUND_LARGE_BYTES, Segment, segmentSizeFor, SMALL_SIZE_BYTES, MIN_BLOCK_BYTES,
  type AllocatorStream, type StreamMark,
} from './blocks.js';
import { MemoryHistory } from './memory-history.js';
import { decreaseStat, DeviceStats, increaseStat, SMALL_POOL, type Pool } from './memory-stats.js';
import { outOfMemoryObservers, type OutOfMemoryObserver } from './out-of-memory.js';
import { PrivatePools, type PoolId, type PrivatePool } from './private-pools.js';
import { NO_FRAMES, type Frame } from './stack-frames.js';

/** Merged-away Block objects an allocator keeps for reuse. */
const SPARE_BLOCKS = 16;

/** The caching allocator of one device. */
export class CachingAllocator {
  /** Every counter of memory_stats. */
  readonly stats = new DeviceStats();
  /** Trace entries and stack capture (recordMemoryHistory). */
  readonly history = new MemoryHistory();
  /** Segments by address. */
  readonly segments = new Map<number, Segment>();
  /**
   * Allocated and pending-free blocks by address. A block that becomes free leaves its key
   * behind with the value undefined, and the next block at that address takes it again: a
   * Map whose keys are deleted and re-added fills with deleted entries and rehashes, which
   * cost tiny ops about 0.1 µs per allocation and free (bench/dispatch). Vacant keys are
   * dropped once they outnumber the active blocks (pruneActive).
   */
  private active = new Map<number, Block | undefined>();
  /** Keys of `active` holding a block. */
  private activeCount = 0;
  /**
   * The block allocated last, while it is allocated and not pending, kept out of `active`
   * until the next allocation: a tiny op frees its result before it allocates again, and then
   * neither allocation nor free touches the Map (two hash updates and a lookup per op,
   * bench/dispatch). Found by address like the blocks of `active` (blockAt()).
   */
  private newest: Block | null = null;
  private readonly smallBlocks = new BlockPool();
  private readonly largeBlocks = new BlockPool();
  /** Block objects merged away by completeFree, for allocateBlock to reuse (at most SPARE_BLOCKS). */
  private readonly spareBlocks: Block[] = [];
  /** Blocks waiting for recorded streams before they are free. */
  private pendingFrees: Block[] = [];
  /** The private pools of graphs, and which capturing stream allocates from which. */
  private readonly privatePools = new PrivatePools();

  constructor(
    /** Device index, for errors and observers. */
    readonly device: number,
    /** Where segments come from. */
    readonly heap: DeviceHeap,
    private readonly observers: readonly OutOfMemoryObserver[] = outOfMemoryObservers,
    /**
     * Blocks until every stream has done the work queued so far; false where the host may not
     * block. The last resort before out-of-memory, as CUDA's cudaFree synchronizes the device.
     */
    private readonly synchronize: () => boolean = () => false,
  ) {}

  /**
   * Allocates `bytes` for use on `queue`; returns the address. `hostWrite`: the host will
   * write the block at once (staging), so only a block no stream can still touch will do.
   * Throws OutOfMemoryError.
   */
  malloc(bytes: number, queue: AllocatorStream, hostWrite = false): number {
    if (this.pendingFrees.length > 0) this.processPendingFrees();
    const size = roundSize(bytes);
    const pool = poolOf(size);
    const frames = this.history.capturesFrames ? this.history.frames() : NO_FRAMES;
    const privatePool = this.privatePools.poolOf(queue);
    const block = this.takeCachedBlock(pool, size, queue, hostWrite, privatePool)
      ?? (this.coalesce(pool, privatePool) ? this.takeCachedBlock(pool, size, queue, hostWrite, privatePool) : undefined)
      ?? this.reserveSegment(pool, size, queue, frames, privatePool);
    return this.allocateBlock(block, pool, size, bytes, queue, frames);
  }

  /** Frees the block at `address`; stream-ordered (see the file comment). */
  free(address: number): void {
    const newest = this.newest;
    const isNewest = newest !== null && newest.address === address;
    const block = isNewest ? newest : this.active.get(address);
    if (block === undefined || !block.allocated) throw new Error(`caching allocator: no allocated block at address ${address}`);
    const frames = this.history.capturesFrames ? this.history.frames() : NO_FRAMES;
    const { stats } = this;
    const pool = block.segment.pool;
    block.allocated = false;
    this.history.record('free_requested', address, block.requestedSize, block.queue.slot, frames);
    decreaseStat(stats.allocation, pool, 1);
    decreaseStat(stats.allocated_bytes, pool, block.size);
    block.freeSeq = block.queue.enqueued;
    if (block.streamUses !== null) {
      const pending = block.streamUses
        .filter((queue) => !queue.isComplete(queue.enqueued))
        .map((queue): StreamMark => ({ queue, seq: queue.enqueued }));
      block.streamUses = null;
      if (pending.length > 0) {
        if (isNewest) {
          this.newest = null;
          this.enterActive(block); // a pending block stays findable by address
        }
        block.pending = pending;
        this.pendingFrees.push(block);
        return;
      }
    }
    if (isNewest) {
      this.newest = null;
      this.completeFree(block, frames, false);
    } else {
      this.completeFree(block, frames, true);
    }
  }

  /** Marks the block at `address` as used on `queue` too, so its free waits for that stream (record_stream). */
  recordStream(address: number, queue: AllocatorStream): void {
    const block = this.blockAt(address);
    if (block === undefined || !block.allocated) throw new Error(`caching allocator: no allocated block at address ${address}`);
    if (queue === block.queue) return;
    const uses = (block.streamUses ??= []);
    if (!uses.includes(queue)) uses.push(queue);
  }

  /**
   * Makes `queue`'s allocations come from private pool `id` until endAllocateToPool (PyTorch's
   * beginAllocateToPool, at a capture's start): a new pool, or one more user of an existing one.
   */
  beginAllocateToPool(id: PoolId, queue: AllocatorStream): void {
    this.privatePools.begin(id, queue);
  }

  /** Ends `queue`'s allocations from its private pool (endAllocateToPool, at a capture's end). */
  endAllocateToPool(queue: AllocatorStream): void {
    this.privatePools.end(queue);
  }

  /**
   * One graph less uses private pool `id` (releasePool, when a graph is reset): at none, its
   * cached segments become releasable (empty_cache) and its blocks, once freed, go with them.
   */
  releasePool(id: PoolId): void {
    this.privatePools.release(id);
  }

  /** Releases every cached segment no block uses and no stream can still touch (empty_cache). */
  emptyCache(): void {
    if (this.pendingFrees.length > 0) this.processPendingFrees();
    this.releaseCachedSegments();
  }

  /** Frees the pending blocks whose recorded streams have passed them. */
  processPendingFrees(): void {
    const waiting: Block[] = [];
    for (const block of this.pendingFrees) {
      if (block.pending!.every(({ queue, seq }) => queue.isComplete(seq))) {
        block.pending = null;
        this.completeFree(block, NO_FRAMES, true);
      } else {
        waiting.push(block);
      }
    }
    this.pendingFrees = waiting;
  }

  /** The allocated or pending block at `address`, if any. */
  blockAt(address: number): Block | undefined {
    const newest = this.newest;
    return newest !== null && newest.address === address ? newest : this.active.get(address);
  }

  /** The cached free blocks of both pools (for tests and snapshots). */
  cachedBlocks(): Block[] {
    const pools = this.privatePools.all().flatMap((pool) => [...pool.small.blocks, ...pool.large.blocks]);
    return [...this.smallBlocks.blocks, ...this.largeBlocks.blocks, ...pools];
  }

  /** Best fit among the cached blocks `queue` may use; removed from the pool, or undefined. */
  private takeCachedBlock(pool: Pool, size: number, queue: AllocatorStream, hostWrite: boolean, privatePool: PrivatePool | null): Block | undefined {
    const free = this.freeBlocks(pool, privatePool);
    const { blocks } = free;
    for (let i = free.lowerBound(size, 0); i < blocks.length; i++) {
      const block = blocks[i]!;
      if ((block.queue === queue && !hostWrite) || block.isClean) {
        this.poolRemove(block, i);
        return block;
      }
    }
    return undefined;
  }

  /**
   * Reserves a new segment for a `size`-byte block; returns its one (free) block. On failure
   * it releases the cache and retries, then tries a segment of exactly `size`, then raises.
   */
  private reserveSegment(pool: Pool, size: number, queue: AllocatorStream, frames: readonly Frame[], privatePool: PrivatePool | null): Block {
    const { heap, stats } = this;
    // PyTorch's segment sizes assume gigabytes; a simulated device may have a few MiB.
    let segmentSize = segmentSizeFor(size);
    if (segmentSize > heap.capacityBytes) segmentSize = Math.ceil(size / ROUND_LARGE_BYTES) * ROUND_LARGE_BYTES;
    let address = heap.allocate(segmentSize);
    if (address < 0) {
      stats.num_alloc_retries++;
      this.releaseCachedSegments();
      address = heap.allocate(segmentSize);
      // Waiting for queued work cannot make room for more than the whole device holds.
      if (address < 0 && size <= heap.capacityBytes && this.synchronize()) {
        // Cached blocks freed while their streams still had work queued are now clean.
        stats.num_sync_all_streams++;
        if (this.pendingFrees.length > 0) this.processPendingFrees();
        this.releaseCachedSegments();
        address = heap.allocate(segmentSize);
      }
      if (address < 0 && segmentSize > size) address = heap.allocate((segmentSize = size));
      if (address < 0) this.outOfMemory(size, queue, frames);
    }
    stats.num_device_alloc++;
    increaseStat(stats.segment, pool, 1);
    increaseStat(stats.reserved_bytes, pool, segmentSize);
    const segment = new Segment(address, segmentSize, pool, queue.slot, frames, queue, privatePool);
    if (privatePool !== null) privatePool.segmentCount++;
    this.segments.set(address, segment);
    this.history.record('segment_alloc', address, segmentSize, queue.slot, frames);
    return segment.first;
  }

  /** Records the failure, tells the observers, and throws OutOfMemoryError (CUDA's malloc OOM path). */
  private outOfMemory(size: number, queue: AllocatorStream, frames: readonly Frame[]): never {
    const { heap, stats } = this;
    const free = heap.freeBytes;
    const total = heap.capacityBytes;
    // The numbers of the failure, before observers run (one may free memory).
    const allocated = stats.allocated_bytes[0].current;
    const reserved = stats.reserved_bytes[0].current;
    this.history.record('oom', free, size, queue.slot, frames);
    stats.num_ooms++;
    for (const observer of [...this.observers]) observer(this.device, size, total, free);
    throw new OutOfMemoryError(this.device, size, total, free, allocated, reserved);
  }

  /** Splits `block` if worth it and hands its first `size` bytes to the caller (alloc_found_block). */
  private allocateBlock(block: Block, pool: Pool, size: number, requested: number, queue: AllocatorStream, frames: readonly Frame[]): number {
    const remaining = block.size - size;
    if (pool === SMALL_POOL ? remaining >= MIN_BLOCK_BYTES : remaining > SMALL_SIZE_BYTES) {
      const spare = this.spareBlocks.pop();
      const rest = spare === undefined
        ? new Block(block.segment, block.address + size, remaining, block.queue)
        : spare.recycle(block.segment, block.address + size, remaining, block.queue);
      rest.freeSeq = block.freeSeq;
      rest.prev = block;
      rest.next = block.next;
      if (block.next !== null) block.next.prev = rest;
      block.next = rest;
      block.size = size;
      this.poolInsert(rest);
    }
    block.allocated = true;
    block.requestedSize = requested;
    block.queue = queue;
    block.frames = frames;
    if (this.newest !== null) this.enterActive(this.newest);
    this.newest = block;
    const { stats } = this;
    increaseStat(stats.allocation, pool, 1);
    increaseStat(stats.allocated_bytes, pool, block.size);
    increaseStat(stats.active, pool, 1);
    increaseStat(stats.active_bytes, pool, block.size);
    increaseStat(stats.requested_bytes, pool, requested);
    this.history.record('alloc', block.address, requested, queue.slot, frames);
    return block.address;
  }

  /** Puts an allocated block into `active`. */
  private enterActive(block: Block): void {
    this.active.set(block.address, block);
    this.activeCount++;
  }

  /**
   * Returns a freed block to its pool, merged with free neighbours where streams allow
   * (free_block); `inActive`: the block is in `active` (it was not the newest).
   */
  private completeFree(block: Block, frames: readonly Frame[], inActive: boolean): void {
    const pool = block.segment.pool;
    const { stats } = this;
    this.history.record('free_completed', block.address, block.requestedSize, block.queue.slot, frames);
    if (inActive) {
      this.active.set(block.address, undefined);
      if (--this.activeCount * 2 + 1024 < this.active.size) this.pruneActive();
    }
    decreaseStat(stats.active, pool, 1);
    decreaseStat(stats.active_bytes, pool, block.size);
    decreaseStat(stats.requested_bytes, pool, block.requestedSize);
    block.requestedSize = 0;
    block.frames = NO_FRAMES;
    const prev = block.prev;
    if (prev !== null && prev.inPool && this.mergeable(prev, block)) {
      this.poolRemove(prev);
      this.adoptTag(block, prev);
      block.address = prev.address;
      block.size += prev.size;
      block.prev = prev.prev;
      if (prev.prev !== null) prev.prev.next = block;
      if (block.segment.first === prev) block.segment.first = block;
      this.spare(prev);
    }
    const next = block.next;
    if (next !== null && next.inPool && this.mergeable(block, next)) {
      this.poolRemove(next);
      this.adoptTag(block, next);
      block.size += next.size;
      block.next = next.next;
      if (next.next !== null) next.next.prev = block;
      this.spare(next);
    }
    this.poolInsert(block);
  }

  /** Drops the vacant keys of `active`. */
  private pruneActive(): void {
    const active = new Map<number, Block | undefined>();
    for (const [address, block] of this.active) if (block !== undefined) active.set(address, block);
    this.active = active;
  }

  /** Keeps a block object merged away, unless SPARE_BLOCKS are kept already. */
  private spare(block: Block): void {
    if (this.spareBlocks.length < SPARE_BLOCKS) this.spareBlocks.push(block);
  }

  /** Two free neighbours may become one block: both clean, or both waiting for the same stream. */
  private mergeable(a: Block, b: Block): boolean {
    const queue = a.queue;
    if (queue !== b.queue) return a.isClean && b.isClean;
    // One stream passes the earlier mark first: both marks are passed, or neither, unless the
    // stream is between them. Asking for the earlier one first reads the stream's completion
    // counter (a cache line the device writes) once in the common cases, not twice.
    const early = Math.min(a.freeSeq, b.freeSeq);
    return !queue.isComplete(early) || queue.isComplete(Math.max(a.freeSeq, b.freeSeq));
  }

  /** Gives `block` the later of its own and `other`'s marks on their common stream before they merge. */
  private adoptTag(block: Block, other: Block): void {
    if (other.queue === block.queue) block.freeSeq = Math.max(block.freeSeq, other.freeSeq);
  }

  /**
   * Merges runs of neighbouring cached blocks of `pool` that have all become clean since they
   * were freed; true if any merged.
   */
  private coalesce(pool: Pool, privatePool: PrivatePool | null): boolean {
    let merged = false;
    for (const segment of this.segments.values()) {
      if (segment.pool !== pool || segment.privatePool !== privatePool) continue;
      for (let block: Block | null = segment.first; block !== null; block = block.next) {
        const next = block.next;
        if (!block.inPool || next === null || !next.inPool || !block.isClean || !next.isClean) continue;
        this.poolRemove(block);
        while (block.next !== null && block.next.inPool && block.next.isClean) {
          const absorbed: Block = block.next;
          this.poolRemove(absorbed);
          block.size += absorbed.size;
          block.next = absorbed.next;
          if (absorbed.next !== null) absorbed.next.prev = block;
        }
        this.poolInsert(block);
        merged = true;
      }
    }
    return merged;
  }

  /** Returns to the heap every segment whose blocks are all cached and clean (release_cached_blocks). */
  private releaseCachedSegments(): void {
    const { stats, heap } = this;
    let frames: readonly Frame[] | undefined;
    for (const segment of [...this.segments.values()]) {
      if (segment.privatePool !== null && segment.privatePool.useCount > 0) continue; // a graph's
      let releasable = true;
      for (const block of segment.blocks()) {
        if (!block.inPool || !block.isClean) {
          releasable = false;
          break;
        }
      }
      if (!releasable) continue;
      for (const block of segment.blocks()) this.poolRemove(block);
      heap.free(segment.address);
      this.segments.delete(segment.address);
      if (segment.privatePool !== null) segment.privatePool.segmentCount--;
      stats.num_device_free++;
      decreaseStat(stats.segment, segment.pool, 1);
      decreaseStat(stats.reserved_bytes, segment.pool, segment.size);
      frames ??= this.history.capturesFrames ? this.history.frames() : NO_FRAMES;
      this.history.record('segment_free', segment.address, segment.size, segment.stream, frames);
    }
  }

  /** The free list of `pool`, in `privatePool` if not null. */
  private freeBlocks(pool: Pool, privatePool: PrivatePool | null): BlockPool {
    if (privatePool !== null) return pool === SMALL_POOL ? privatePool.small : privatePool.large;
    return pool === SMALL_POOL ? this.smallBlocks : this.largeBlocks;
  }

  /** Caches a free block; a part of a split segment counts as inactive_split. */
  private poolInsert(block: Block): void {
    const pool = block.segment.pool;
    this.freeBlocks(pool, block.segment.privatePool).insert(block);
    block.inPool = true;
    if (block.isSplit) {
      increaseStat(this.stats.inactive_split, pool, 1);
      increaseStat(this.stats.inactive_split_bytes, pool, block.size);
    }
  }

  /** Takes a block out of its pool (at `index` if known), undoing its inactive_split count. */
  private poolRemove(block: Block, index?: number): void {
    const pool = block.segment.pool;
    const free = this.freeBlocks(pool, block.segment.privatePool);
    if (index !== undefined) free.removeAt(index);
    else free.remove(block);
    block.inPool = false;
    if (block.isSplit) {
      decreaseStat(this.stats.inactive_split, pool, 1);
      decreaseStat(this.stats.inactive_split_bytes, pool, block.size);
    }
  }
}
