// The caching allocator alone, without devices: what malloc + free cost on the host, bundled
// by run.mjs because it imports src/. Streams are stand-ins whose work is always complete,
// except where a measure says otherwise.

import type { AllocatorStream } from '../../src/memory/blocks.js';
import { CachingAllocator } from '../../src/memory/caching-allocator.js';
import { DeviceHeap } from '../../src/runtime/heap.js';

/** A stream whose work is all done. */
const idle: AllocatorStream = { slot: 0, enqueued: 0, isComplete: () => true };

/** A deterministic pseudo-random sequence (LCG, Numerical Recipes constants). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Request sizes: 90 % small (1 B – 64 KiB), 10 % large (1 – 8 MiB). */
function sizes(count: number): Float64Array {
  const next = lcg(42);
  return Float64Array.from({ length: count }, () =>
    next() < 0.9 ? 1 + Math.floor(next() * 65536) : (1 << 20) + Math.floor(next() * (7 << 20)));
}

/** Microseconds per malloc + free of one 4 KiB block on one stream (the hot path of a tiny op). */
export function samePairMicros(pairs: number): number {
  const allocator = new CachingAllocator(0, new DeviceHeap(1 << 16, 256 << 20), []);
  const start = performance.now();
  for (let i = 0; i < pairs; i++) allocator.free(allocator.malloc(4096, idle));
  return ((performance.now() - start) * 1000) / pairs;
}

/**
 * Microseconds per malloc + free with mixed sizes and `live` blocks outstanding (a ring: each
 * step frees the oldest), so best fit, splitting and merging all work; `history` records
 * trace entries with stack frames.
 */
export function mixedPairMicros(pairs: number, live: number, history: boolean): number {
  const allocator = new CachingAllocator(0, new DeviceHeap(1 << 16, 2 ** 31), []);
  if (history) allocator.history.configure('all', 100_000);
  const requests = sizes(pairs);
  const ring = new Float64Array(live).fill(-1);
  const start = performance.now();
  for (let i = 0; i < pairs; i++) {
    const slot = i % live;
    if (ring[slot]! >= 0) allocator.free(ring[slot]!);
    ring[slot] = allocator.malloc(requests[i]!, idle);
  }
  const micros = ((performance.now() - start) * 1000) / pairs;
  for (const address of ring) if (address >= 0) allocator.free(address);
  if (allocator.stats.allocated_bytes[0].current !== 0) throw new Error('mixed workload: memory left allocated');
  return micros;
}
