// How one device's commands, data and completions travel between the host and its firmware:
// over memory both share (shared-memory-transport.ts), or, where memory cannot be shared (a
// browser page that is not cross-origin isolated), as messages (message-transport.ts). Both give
// the host the same words to read (MemoryViews: RING_TAIL, stream blocks, event slots, op
// records) and the same operations, so everything above them behaves the same on either.

import { MtiaError } from '../errors.js';
import type { MemoryViews } from './memory-views.js';
import type { PostedMemory, TransportKind } from './protocol.js';

export type { TransportKind } from './protocol.js';

/** The transport option of mtia.configure(): a kind, or 'auto' (shared memory where it can be used). */
export type TransportOption = 'auto' | TransportKind;

/** @internal The values mtia.configure({ transport }) accepts. */
export const TRANSPORT_OPTIONS: readonly TransportOption[] = ['auto', 'shared-memory', 'postMessage'];

/**
 * @internal A typed array of the host's, of any element type: what uploads come from and
 * read-backs land in. They are copied through views of their own type: a small typed array
 * lives on V8's heap, and asking for its `buffer` (to view it as bytes) moves it off, which
 * costs far more than copying it.
 */
export type HostView = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array;

/** @internal A view of the same type as `like` over `length` elements of `buffer` from byte `offset`. */
export function viewLike<T extends HostView>(like: T, buffer: ArrayBufferLike, offset: number, length: number): T {
  return new (like.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => T)(buffer, offset, length);
}

/** @internal What Atomics.waitAsync resolves with, and what a transport wait does too. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** @internal One device's channel to its firmware. */
export interface DeviceTransport {
  readonly kind: TransportKind;
  /** The host's words of device memory: the shared memory itself, or the host's mirror of its first bytes. */
  readonly views: MemoryViews;
  /** Bytes of device memory as the firmware sees it. */
  readonly memoryBytes: number;
  /** What the connector hands the firmware. */
  readonly handoff: WebAssembly.Memory | PostedMemory;
  /** True if the host may block (Atomics.wait) until the device changes a word; false over messages. */
  readonly canBlock: boolean;
  /** Called after the command ring published commands (CommandRing.publishHook), or undefined if nothing needs doing. */
  readonly published: (() => void) | undefined;
  /**
   * Puts `data` into device memory at `address`, a block no queued command can touch
   * (SimulatedDevice.upload), no later than the next command the ring publishes.
   */
  write(address: number, data: HostView): void;
  /**
   * Reads `host.byteLength` bytes at `address` (aligned to host's elements) into `host` as they
   * are once the command with ring count `after` has run; called before that command is pushed.
   * The returned function is called once the host has seen that command complete and resolves
   * when `host` holds the bytes. `prepare`: `host` is a new array and the device is running
   * earlier work, so host-side preparation of the array now overlaps it.
   */
  readAfter(after: number, address: number, host: HostView, prepare: boolean): () => Promise<void>;
  /** Fills event slot `slot` with a record another device made, and wakes the firmware if it waits for it. */
  fillEvent(slot: number, timeCycles: number, generation: number): void;
  /**
   * Resolves once word `index` of views.i32 may no longer hold `value` (as Atomics.waitAsync:
   * 'not-equal' at once, 'ok' when woken, 'timed-out' after `timeoutMs`).
   */
  waitWord(index: number, value: number, timeoutMs: number): WaitResult | Promise<WaitResult>;
  /** Wakes every host wait on word `index`. */
  wake(index: number): void;
  /** Lets go of what the transport holds (its port); waits still pending are woken. */
  close(): void;
}

/** sharedMemoryUsable()'s answer, found once: it cannot change while the page or process lives. */
let usable: boolean | undefined;

/** @internal True where memory can be shared with workers: SharedArrayBuffer, shared wasm memory and Atomics.waitAsync. */
export function sharedMemoryUsable(): boolean {
  return (usable ??= probeSharedMemory());
}

function probeSharedMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics?.waitAsync !== 'function') return false;
  // A browser page that is not cross-origin isolated may not post shared memory to a worker.
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** @internal The transport `option` means here; throws if it asks for shared memory where there is none. */
export function resolveTransport(option: TransportOption): TransportKind {
  if (option === 'postMessage') return 'postMessage';
  if (sharedMemoryUsable()) return 'shared-memory';
  if (option === 'auto') return 'postMessage';
  throw new MtiaError(
    "mtia.configure({ transport: 'shared-memory' }) cannot be used here: it needs SharedArrayBuffer, shared " +
      "WebAssembly memory and Atomics.waitAsync, and in a browser a cross-origin isolated page; use 'auto' or 'postMessage'",
  );
}
