// Private memory pools of the caching allocator, for graphs (PyTorch's PrivatePool and
// beginAllocateToPool / endAllocateToPool / releasePool, c10/cuda/CUDACachingAllocator.cpp):
// while a stream captures, its allocations come from the pool's own segments and free lists,
// and its blocks go back there when freed, never to the device-wide pools: a replayed graph
// writes into the same addresses, which nothing else may be given. A pool's segments stay
// reserved while any graph uses it; then empty_cache may return them like any other.
//
// A pool no graph uses any more ("dead") whose segments cannot be returned yet, because a block
// in them is still allocated, is taken over by the next capture that asks for a new pool. In
// PyTorch the last reference to a temporary frees it at once; here a temporary left to the
// garbage collector stays allocated until it is collected, and would otherwise pin a whole
// segment per graph: a loop that captures, replays and resets a new graph each step ran out of
// memory at step 127 (issue 21 finding 4). Taking it over is safe: no graph replays into a dead
// pool, and its allocated blocks stay allocated.

import type { AllocatorStream } from './blocks.js';
import { BlockPool } from './blocks.js';

/** A memory pool's id (PyTorch's MempoolId_t): (0, 0) is the device-wide pools. */
export type PoolId = readonly [number, number];

/** The free lists, use count and segment count of one private pool (PyTorch's PrivatePool). */
export class PrivatePool {
  readonly small = new BlockPool();
  readonly large = new BlockPool();
  /** Graphs that use the pool: its segments are kept while this is above 0. */
  useCount = 1;
  /** Segments reserved for the pool and not yet returned to the heap. */
  segmentCount = 0;

  /** `id`: the pool's id; a dead pool taken over gets the id of the capture that took it. */
  constructor(public id: PoolId) {}
}

/** The private pools of one device. */
export class PrivatePools {
  /** Pools some graph uses, by id ("a,b"). */
  private readonly live = new Map<string, PrivatePool>();
  /** Pools no graph uses whose segments are still reserved, oldest first. */
  private dead: PrivatePool[] = [];
  /** The private pool each capturing stream allocates from. */
  private readonly capturing = new Map<AllocatorStream, PrivatePool>();

  /**
   * Makes `queue`'s allocations come from pool `id` (beginAllocateToPool, at a capture's
   * start): one more user of a live pool, else a new pool, made of a dead pool's segments if
   * one has any left.
   */
  begin(id: PoolId, queue: AllocatorStream): void {
    const key = `${id[0]},${id[1]}`;
    let pool = this.live.get(key);
    if (pool !== undefined) {
      pool.useCount++;
    } else {
      this.dead = this.dead.filter((old) => old.segmentCount > 0);
      pool = this.dead.shift();
      if (pool === undefined) {
        pool = new PrivatePool(id);
      } else {
        pool.id = id;
        pool.useCount = 1;
      }
      this.live.set(key, pool);
    }
    this.capturing.set(queue, pool);
  }

  /** Ends `queue`'s allocations from its private pool (endAllocateToPool, at a capture's end). */
  end(queue: AllocatorStream): void {
    this.capturing.delete(queue);
  }

  /**
   * One graph less uses pool `id` (releasePool, when a graph is reset): at none, its cached
   * segments become releasable (empty_cache) and its blocks, once freed, go with them.
   */
  release(id: PoolId): void {
    const key = `${id[0]},${id[1]}`;
    const pool = this.live.get(key);
    if (pool === undefined || --pool.useCount > 0) return;
    this.live.delete(key);
    if (pool.segmentCount > 0) this.dead.push(pool);
  }

  /** The pool `queue` allocates from while it captures, or null. */
  poolOf(queue: AllocatorStream): PrivatePool | null {
    return this.capturing.size === 0 ? null : this.capturing.get(queue) ?? null;
  }

  /** Every pool whose segments may still be reserved: live, then dead. */
  all(): PrivatePool[] {
    return [...this.live.values(), ...this.dead];
  }
}
