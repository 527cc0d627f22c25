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

/** A device ran out of memory; carries the numbers PyTorch's message carries. */
export class OutOfMemoryError extends MtiaError {
  override name = 'OutOfMemoryError';
  constructor(
    /** Index of the device that ran out. */
    readonly device: number,
    /** Bytes of the allocation that failed, after rounding. */
    readonly requestedBytes: number,
    /** Device memory capacity in bytes. */
    readonly totalBytes: number,
    /** Bytes still free on the device. */
    readonly freeBytes: number,
    /** Bytes held by live allocations. */
    readonly allocatedBytes: number,
  ) {
    super(
      `MTIA out of memory. Tried to allocate ${formatBytes(requestedBytes)}. ` +
        `Device mtia:${device} has a total capacity of ${formatBytes(totalBytes)} of which ` +
        `${formatBytes(freeBytes)} is free. Of the allocated memory ${formatBytes(allocatedBytes)} ` +
        `is allocated by tensors.`,
    );
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
