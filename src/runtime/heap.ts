// Device memory as the device's allocator sees it: the cudaMalloc/cudaFree of a simulated
// device. First fit over an address-ordered free list, with neighbours coalesced on free.
// Synchronous host bookkeeping over device addresses; nothing here touches device memory.
// Stream-ordered reuse (a block is free only once the work that used it is done) is the
// caller's job (SimulatedDevice.release).

/** Allocation granularity in bytes; every block is a multiple of it (PyTorch rounds to 512). */
export const HEAP_GRANULE_BYTES = 512;

/** Rounds `bytes` up to the heap granule; 0 bytes still take one granule. */
export function roundAllocation(bytes: number): number {
  return Math.max(HEAP_GRANULE_BYTES, Math.ceil(bytes / HEAP_GRANULE_BYTES) * HEAP_GRANULE_BYTES);
}

/** The free ranges and live blocks of one device's heap. */
export class DeviceHeap {
  /** Start addresses of free ranges, ascending. */
  private readonly freeStarts: number[];
  /** Sizes of the free ranges, parallel to freeStarts. */
  private readonly freeSizes: number[];
  /** Live blocks: address → rounded size. */
  private readonly blocks = new Map<number, number>();
  /** Bytes in live blocks. */
  allocatedBytes = 0;

  constructor(
    /** First heap address. */
    readonly base: number,
    /** Heap size in bytes. */
    readonly capacityBytes: number,
  ) {
    this.freeStarts = [base];
    this.freeSizes = [capacityBytes];
  }

  /** Allocates `bytes` (rounded up); returns the address, or -1 if no free range is large enough. */
  allocate(bytes: number): number {
    const size = roundAllocation(bytes);
    const { freeStarts, freeSizes } = this;
    for (let i = 0; i < freeStarts.length; i++) {
      if (freeSizes[i]! < size) continue;
      const address = freeStarts[i]!;
      if (freeSizes[i] === size) {
        freeStarts.splice(i, 1);
        freeSizes.splice(i, 1);
      } else {
        freeStarts[i] = address + size;
        freeSizes[i]! -= size;
      }
      this.blocks.set(address, size);
      this.allocatedBytes += size;
      return address;
    }
    return -1;
  }

  /** Returns the block at `address` to the free list, merging it with free neighbours. */
  free(address: number): void {
    const size = this.blocks.get(address);
    if (size === undefined) throw new Error(`heap: no live block at address ${address}`);
    this.blocks.delete(address);
    this.allocatedBytes -= size;
    const { freeStarts, freeSizes } = this;
    let lo = 0;
    let hi = freeStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (freeStarts[mid]! < address) lo = mid + 1;
      else hi = mid;
    }
    const mergesBefore = lo > 0 && freeStarts[lo - 1]! + freeSizes[lo - 1]! === address;
    const mergesAfter = lo < freeStarts.length && address + size === freeStarts[lo];
    if (mergesBefore && mergesAfter) {
      freeSizes[lo - 1]! += size + freeSizes[lo]!;
      freeStarts.splice(lo, 1);
      freeSizes.splice(lo, 1);
    } else if (mergesBefore) {
      freeSizes[lo - 1]! += size;
    } else if (mergesAfter) {
      freeStarts[lo] = address;
      freeSizes[lo]! += size;
    } else {
      freeStarts.splice(lo, 0, address);
      freeSizes.splice(lo, 0, size);
    }
  }

  /** Rounded size of the live block at `address`, or undefined. */
  sizeOf(address: number): number | undefined {
    return this.blocks.get(address);
  }

  /** Bytes not in live blocks. */
  get freeBytes(): number {
    return this.capacityBytes - this.allocatedBytes;
  }

  /** Number of free ranges (fragmentation, for tests). */
  get freeRangeCount(): number {
    return this.freeStarts.length;
  }
}
