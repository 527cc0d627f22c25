// Error classes. PyTorch raises RuntimeError, ValueError and TypeError from torch.mtia; here
// the hierarchy is:
//
//   Error
//   ├── TypeError                 JavaScript's own: an argument of the wrong type, or an
//   │                             unknown option key (PyTorch's TypeError); names the argument
//   └── MtiaError                 PyTorch's RuntimeError: everything about devices and tensors
//       ├── ValueError            right type, bad value (PyTorch's ValueError)
//       ├── OutOfMemoryError      torch.OutOfMemoryError
//       ├── DeviceLostError       a device worker is gone (no PyTorch twin)
//       ├── DeferredMtiaCallError a call queued before initialization failed when replayed
//       └── StreamRaceError       the stream sanitizer's report (src/runtime/stream-sanitizer.ts)
//
// So `catch MtiaError` sees every error about the simulated devices; argument type errors stay
// TypeErrors, as JavaScript's own functions throw them. Device status codes become these
// classes in one place only: src/runtime/status.ts.

/** Base class of every library error except argument type errors (PyTorch's RuntimeError). */
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

/**
 * A call made before initialization (mtia.setRngState, mtia.manualSeed, ...) was queued and
 * failed when initialization replayed it (torch.mtia.DeferredMtiaCallError, a plain Exception
 * there too: a message and, as `raise ... from e` sets it, the original error as `cause`).
 */
export class DeferredMtiaCallError extends MtiaError {
  override name = 'DeferredMtiaCallError';
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
