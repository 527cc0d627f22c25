// The worker protocol, shared by host and worker: types only.
//
// Data plane: commands go through the stream rings in the device's shared memory
// (src/runtime/command-queue.ts → assembly/queue.ts). Control plane: one InitMessage posted
// to the worker, then comlink calls on the DeviceControl interface over a dedicated
// MessageChannel port. There are no other messages.

/** The one message the host posts to a new device worker. */
export interface InitMessage {
  /** The compiled core, compiled once by the host and shared by every device. */
  readonly module: WebAssembly.Module;
  /** The device's memory (shared, so the host sees what the core writes). */
  readonly memory: WebAssembly.Memory;
  /** The port the worker serves DeviceControl on (transferred). */
  readonly control: MessagePort;
}

/** What a booted device reports about itself, from the core's own view. */
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
}

/** Result of DeviceControl.boot(): a core status code (0 = OK) and the device's report. */
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

/** The control endpoint a device worker serves (over comlink). */
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

/** A connection to one device's firmware: control calls, and keeping the host process alive. */
export interface DeviceLink {
  /**
   * True if the firmware runs on another thread, so the host may block until it gets somewhere
   * (Atomics.wait); false if it runs in the host's own realm.
   */
  readonly concurrent: boolean;
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

/** Starts the firmware of a device on `memory`; `onLost` is called once if it dies later. */
export type DeviceConnector = (
  memory: WebAssembly.Memory,
  name: string,
  onLost: (reason: Error) => void,
) => Promise<DeviceLink>;
