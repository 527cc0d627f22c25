// Error classes. PyTorch raises RuntimeError, ValueError and TypeError from torch.mtia; here
// RuntimeError is MtiaError, ValueError is ValueError (a subclass, so `catch MtiaError` sees
// every library error) and TypeError is JavaScript's own. Device status codes become these
// classes in one place only: src/runtime/status.ts.

/** Base class of every error the library raises about devices and tensors (PyTorch's RuntimeError). */
export class MtiaError extends Error {
  override name = 'MtiaError';
}

/** An argument had the right type but a bad value (PyTorch's ValueError). */
export class ValueError extends MtiaError {
  override name = 'ValueError';
}

/**
 * A device ran out of memory: the caching allocator released its cache, retried, and the heap
 * still could not supply the block. The message has the shape of PyTorch's
 * (c10/cuda/CUDACachingAllocator.cpp, "CUDA out of memory. Tried to allocate ...").
 */
export class OutOfMemoryError extends MtiaError {
  override name = 'OutOfMemoryError';
  constructor(
    /** Index of the device that ran out. */
    readonly device: number,
    /** Bytes of the allocation that failed, after rounding to 512 B. */
    readonly requestedBytes: number,
    /** Device memory capacity in bytes. */
    readonly totalBytes: number,
    /** Bytes the device heap still had free (not reserved by the allocator). */
    readonly freeBytes: number,
    /** Bytes in blocks allocated to tensors (memoryAllocated). */
    readonly allocatedBytes: number,
    /** Bytes reserved by the caching allocator (memoryReserved), allocated or not. */
    readonly reservedBytes: number,
  ) {
    super(
      `MTIA out of memory. Tried to allocate ${formatBytes(requestedBytes)}. ` +
        `Device mtia:${device} has a total capacity of ${formatBytes(totalBytes)} of which ` +
        `${formatBytes(freeBytes)} is free. Of the allocated memory ${formatBytes(allocatedBytes)} ` +
        `is allocated by tensors, and ${formatBytes(reservedBytes - allocatedBytes)} is reserved by ` +
        `the caching allocator but unallocated.`,
    );
  }

  /** Bytes reserved by the caching allocator but not allocated to any tensor. */
  get reservedUnallocatedBytes(): number {
    return this.reservedBytes - this.allocatedBytes;
  }
}

/** A device worker died, trapped, failed to boot or was shut down; its pending work is lost. */
export class DeviceLostError extends MtiaError {
  override name = 'DeviceLostError';
  constructor(
    /** Index of the lost device. */
    readonly device: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Formats a byte count the way PyTorch's OOM message does ("20.00 MiB"). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(2)} ${units[unit]}`;
}
