// The worker protocol, shared by host and worker: types only.
//
// Data plane: commands go through the command ring in the device's shared memory
// (src/runtime/command-ring.ts → assembly/queue.ts), or, where memory cannot be shared (a page
// that is not cross-origin isolated), as HostBatch messages on a data port that the firmware
// answers with DeviceBatch messages (src/runtime/message-transport.ts, workers/posted-firmware.ts).
// Control plane: one InitMessage posted to the worker, then comlink calls on the DeviceControl
// interface over a dedicated MessageChannel port. There are no other messages.

/** How commands and device memory reach a device: shared memory, or messages (docs/architecture.md). */
export type TransportKind = 'shared-memory' | 'postMessage';

/** @internal
 * A device whose memory the host cannot share: the firmware makes the memory itself, starts it
 * from `image` (header, profile, stream, engine and event blocks as the host wrote them) and
 * exchanges batches with the host on `port`.
 */
export interface PostedMemory {
  /** WebAssembly pages of device memory (its initial and maximum size). */
  readonly pages: number;
  /** The device memory's first bytes, written by the host before boot. */
  readonly image: ArrayBuffer;
  /** The data port: HostBatch messages in, DeviceBatch messages out (transferred). */
  readonly port: MessagePort;
}

/** @internal Host bytes the firmware writes into device memory before it runs a batch's commands (an upload). */
export interface PostedWrite {
  /** Device address of the first byte. */
  readonly address: number;
  /** The bytes (their buffer is transferred). */
  readonly bytes: Uint8Array;
}

/** @internal A read-back: once the command with ring count `after` has run, the firmware posts these bytes. */
export interface PostedRead {
  /** Names the answer in DeviceBatch.reads. */
  readonly id: number;
  /** Ring count (u32) of the command after which the bytes are taken. */
  readonly after: number;
  /** Device address of the first byte. */
  readonly address: number;
  /** Number of bytes. */
  readonly bytes: number;
}

/** @internal A record another device made, relayed into one of this device's event slots (src/mtia/event.ts). */
export interface PostedEventFill {
  readonly slot: number;
  readonly timeCycles: number;
  readonly generation: number;
}

/** @internal What the host posts on the data port: everything it published since the last batch. */
export interface HostBatch {
  /** Ring count of the first command in `commands`. */
  readonly from: number;
  /** RING_HEAD after these commands (from + their number, modulo 2^32). */
  readonly head: number;
  /** The commands, packed with their argument blocks (src/runtime/command-batch.ts). */
  readonly commands: Uint32Array;
  /** Uploads, applied before the commands are published to the core. */
  readonly writes: readonly PostedWrite[];
  /** Read-backs of commands in this batch or later ones. */
  readonly reads: readonly PostedRead[];
  /** Relayed event records, applied before the commands. */
  readonly fills: readonly PostedEventFill[];
}

/** @internal What the firmware posts after each run of the core: the words and blocks the host reads. */
export interface DeviceBatch {
  /** RING_TAIL: commands the core has taken (u32). */
  readonly tail: number;
  /** HEADER_DEVICE_STATE. */
  readonly state: number;
  /** HEADER_FAULT: the status of a faulted device. */
  readonly fault: number;
  /** HEADER_BLOCKED_EVENT: 1 + the event slot the core stopped at, or 0. */
  readonly blocked: number;
  /** The stream control blocks (STREAMS_SIZE bytes). */
  readonly streams: ArrayBuffer;
  /** Event slots recorded since the last batch, and their EVENT_SIZE bytes each, in order. */
  readonly eventSlots: readonly number[];
  readonly events: ArrayBuffer;
  /** Ring count of the first op record in `records` (the RING_TAIL of the previous batch). */
  readonly recordsFrom: number;
  /** The op records of the commands run since the last batch (RECORD_SIZE bytes each). */
  readonly records: ArrayBuffer;
  /** Answers to read-backs. */
  readonly reads: readonly { readonly id: number; readonly bytes: ArrayBuffer }[];
}

/** @internal
 * A device's kernel threads (workers/kernel-threads.ts), over shared memory only: the compiled
 * kernel-thread module and how many threads may compute a matmul, the device worker included.
 */
export interface KernelThreadsInit {
  readonly module: WebAssembly.Module;
  /** A count, whose helpers start at boot, or 'auto': the host's logical processors (at most KERNEL_THREAD_SLOTS), started at the first large matmul. */
  readonly threads: number | 'auto';
}

/** @internal The first message of a kernel thread's worker (the same bundle as the device worker). */
export interface KernelThreadMessage {
  readonly kernelThread: {
    readonly module: WebAssembly.Module;
    readonly memory: WebAssembly.Memory;
    /** Its slot in the device memory's KERNEL_THREADS region (1 and up). */
    readonly slot: number;
  };
}

/** @internal The one message the host posts to a new device worker. */
export interface InitMessage {
  /** The compiled core, compiled once by the host and shared by every device. */
  readonly module: WebAssembly.Module;
  /** Kernel threads, over shared memory; absent: the device worker computes alone. */
  readonly kernelThreads?: KernelThreadsInit;
  /** The device's memory (shared, so the host sees what the core writes), over shared memory. */
  readonly memory?: WebAssembly.Memory;
  /** Over postMessage: what the worker makes its own memory from, and the data port. */
  readonly posted?: PostedMemory;
  /** The port the worker serves DeviceControl on (transferred). */
  readonly control: MessagePort;
}

/** @internal What a booted device reports about itself, from the core's own view. */
export interface DeviceReport {
  /** ABI version the core was built for. */
  readonly abiVersion: number;
  /** Device index the core read from the header. */
  readonly deviceIndex: number;
  /** Size of the device memory as the core sees it (bytes). */
  readonly memoryBytes: number;
  /** First heap address (bytes). */
  readonly heapLocation: number;
  /** Commands executed since boot. */
  readonly commandsExecuted: number;
  /** Host threads the device's large matmuls run on now: 1 (its worker) plus its helper threads that have started (workers/kernel-threads.ts). */
  readonly kernelThreads: number;
}

/** @internal Result of DeviceControl.boot(): a core status code (0 = OK) and the device's report. */
export interface BootResult {
  readonly status: number;
  readonly report: DeviceReport;
}

/**
 * A fault mtia.debug.injectFault() makes a device worker suffer (docs/reliability.md):
 * - 'trap': its core's next drain traps (a WebAssembly.RuntimeError, handled as a real trap);
 * - 'exit': the worker exits, as a crashed worker would;
 * - 'hang': the worker stops: its command loop makes no more progress and no control call
 *   is answered any more, as a firmware stuck in a loop.
 */
export type DebugFault = 'trap' | 'exit' | 'hang';

/** @internal The control endpoint a device worker serves (over comlink). */
export interface DeviceControl {
  /** Instantiates the core on the device memory, checks it and starts the command loop. */
  boot(): BootResult;
  /** The device's current report. */
  properties(): DeviceReport;
  /** Stops the command loop after the current batch; the host terminates the worker next. */
  shutdown(): Promise<void>;
  /** Answers, then makes the device suffer `fault` (fault injection for tests). */
  debug(fault: DebugFault): void;
}

/** @internal A connection to one device's firmware: control calls, and keeping the host process alive. */
export interface DeviceLink {
  /**
   * True if the firmware runs on another thread, so the host may block until it gets somewhere
   * (Atomics.wait); false if it runs in the host's own realm.
   */
  readonly concurrent: boolean;
  /**
   * The core module the firmware runs on the device's shared memory, on another thread: the
   * host may run a second instance of it for small work (host-core.ts). Absent over messages.
   */
  readonly coreModule?: WebAssembly.Module;
  /** Keeps the host process alive until the matching release() (Node; no-op elsewhere). */
  hold(): void;
  /** Ends one hold(). */
  release(): void;
  /** Calls `method` on the device's control endpoint. */
  call<K extends keyof DeviceControl>(method: K, ...args: Parameters<DeviceControl[K]>): Promise<Awaited<ReturnType<DeviceControl[K]>>>;
  /**
   * Stops the firmware and frees what runs it; with `graceful` false (a lost device), without
   * asking the firmware first, so a dead or hung worker costs no control timeout.
   */
  close(graceful?: boolean): Promise<void>;
}

/** @internal
 * Starts the firmware of a device on `memory` (shared), or on a memory of its own fed over a
 * data port (PostedMemory); `onLost` is called once if it dies later.
 */
export type DeviceConnector = (
  memory: WebAssembly.Memory | PostedMemory,
  name: string,
  onLost: (reason: Error) => void,
) => Promise<DeviceLink>;
