import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DeviceHeap, HEAP_GRANULE_BYTES, roundAllocation } from '../../src/runtime/heap.js';

const BASE = 1 << 20;

/** The largest free gap between the live blocks (address → size) of a heap at BASE. */
function largestGap(live: Map<number, number>, capacity: number): number {
  let largest = 0;
  let cursor = BASE;
  for (const [address, size] of [...live].sort(([a], [b]) => a - b)) {
    largest = Math.max(largest, address - cursor);
    cursor = address + size;
  }
  return Math.max(largest, BASE + capacity - cursor);
}

describe('DeviceHeap', () => {
  test('sizes round up to 512 bytes; zero bytes still take one granule', () => {
    expect([0, 1, 511, 512, 513, 4096].map(roundAllocation)).toEqual([512, 512, 512, 512, 1024, 4096]);
  });

  test('first fit, split, and -1 when nothing is large enough', () => {
    const heap = new DeviceHeap(BASE, 4 * HEAP_GRANULE_BYTES);
    expect(heap.allocate(100)).toBe(BASE);
    expect(heap.allocate(1000)).toBe(BASE + 512);
    expect(heap.allocate(1024)).toBe(-1);
    expect(heap.allocate(512)).toBe(BASE + 1536);
    expect(heap.freeBytes).toBe(0);
  });

  test('freeing a block that is not live is a bug and throws', () => {
    const heap = new DeviceHeap(BASE, 4096);
    const a = heap.allocate(10);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(/no live block/);
  });

  test('random allocate/free sequences keep blocks disjoint, in range and fully coalesced at the end', () => {
    const capacity = 256 * HEAP_GRANULE_BYTES;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.constant(-1)), { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (requests, picks) => {
          const heap = new DeviceHeap(BASE, capacity);
          const live = new Map<number, number>();
          requests.forEach((request, step) => {
            if (request < 0 && live.size > 0) {
              const addresses = [...live.keys()];
              const address = addresses[(picks[step] ?? 0) % addresses.length]!;
              heap.free(address);
              live.delete(address);
              return;
            }
            const address = heap.allocate(Math.max(request, 0));
            if (address < 0) {
              // Refused only if no gap between live blocks is large enough.
              expect(largestGap(live, capacity)).toBeLessThan(roundAllocation(Math.max(request, 0)));
              return;
            }
            live.set(address, roundAllocation(Math.max(request, 0)));
          });
          const blocks = [...live].sort(([a], [b]) => a - b);
          blocks.forEach(([address, size], k) => {
            expect(address).toBeGreaterThanOrEqual(BASE);
            expect(address + size).toBeLessThanOrEqual(BASE + capacity);
            expect(address % HEAP_GRANULE_BYTES).toBe(0);
            expect(heap.sizeOf(address)).toBe(size);
            if (k > 0) expect(address).toBeGreaterThanOrEqual(blocks[k - 1]![0] + blocks[k - 1]![1]);
          });
          expect(heap.allocatedBytes).toBe(blocks.reduce((sum, [, size]) => sum + size, 0));
          for (const address of live.keys()) heap.free(address);
          expect(heap.allocatedBytes).toBe(0);
          expect(heap.freeRangeCount).toBe(1);
          expect(heap.allocate(capacity)).toBe(BASE);
        },
      ),
      { numRuns: 300 },
    );
  });
});
