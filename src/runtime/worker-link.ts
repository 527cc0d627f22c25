// The control link to one device worker: starts it, hands it the core and the memory, and
// makes comlink calls on its DeviceControl endpoint. Every call can time out, and while any
// call or host wait is pending the worker keeps the Node process alive (ref); otherwise it
// does not (unref), so a script that used the library exits by itself.

import * as Comlink from 'comlink';
import type { DeviceControl, DeviceLink, InitMessage, KernelThreadsInit, PostedMemory } from './protocol.js';
import { spawnWorker, unrefPort, type WorkerHandle } from './environment.js';

/** The least time a boot call gets, whatever the control timeout (milliseconds). */
const BOOT_TIMEOUT_MS = 30_000;

/** A running device worker and its control endpoint. */
export class WorkerLink implements DeviceLink {
  readonly concurrent = true;
  private holds = 0;
  /** Why the worker is known to be gone (it died, or a control call went unanswered). */
  private lostReason: Error | undefined;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly worker: WorkerHandle,
    private readonly port: MessagePort,
    private readonly control: Comlink.Remote<DeviceControl>,
    /** Milliseconds a control call may take before it fails. */
    private readonly timeoutMs: number,
    private readonly onLost: (reason: Error) => void,
    readonly coreModule: WebAssembly.Module | undefined,
  ) {}

  /** Records that the worker is gone (first reason wins) and tells the device. */
  private lose(reason: Error): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.onLost(reason);
  }

  /**
   * Starts a worker from `url` and posts it the core and the device memory and kernel threads
   * (or, over postMessage, what it makes its own memory from and the data port).
   */
  static async start(
    url: URL,
    name: string,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory | PostedMemory,
    timeoutMs: number,
    onLost: (reason: Error) => void,
    kernelThreads?: KernelThreadsInit,
  ): Promise<WorkerLink> {
    let link: WorkerLink | undefined;
    let early: Error | undefined; // a worker that dies before the link exists
    const worker = await spawnWorker(url, name, (reason) => (link === undefined ? (early ??= reason) : link.lose(reason)));
    const channel = new MessageChannel();
    const posted = memory instanceof WebAssembly.Memory ? undefined : memory;
    const init: InitMessage = posted === undefined ? { module, memory: memory as WebAssembly.Memory, kernelThreads, control: channel.port2 } : { module, posted, control: channel.port2 };
    try {
      worker.postMessage(init, posted === undefined ? [channel.port2] : [channel.port2, posted.port, posted.image]);
    } catch (error) {
      // Nothing was handed over (a data port already closed, issue 21 finding 1): a worker left
      // running would keep the process alive for ever.
      channel.port1.close();
      await worker.terminate();
      throw error;
    }
    const control = Comlink.wrap<DeviceControl>(channel.port1);
    unrefPort(channel.port1);
    worker.unref();
    link = new WorkerLink(worker, channel.port1, control, timeoutMs, onLost, posted === undefined ? module : undefined);
    if (early !== undefined) link.lose(early);
    return link;
  }

  /** Keeps the process alive until the matching release(). */
  hold(): void {
    if (this.holds++ === 0) this.worker.ref();
  }

  /** Ends one hold(). */
  release(): void {
    if (--this.holds === 0) this.worker.unref();
  }

  /**
   * Calls `method` on the worker's control endpoint. Fails at once if the worker is gone; a
   * call without an answer within the link's timeout fails and marks the worker lost (a worker
   * that does not answer is as good as dead: every wait on its device then rejects).
   */
  async call<K extends keyof DeviceControl>(method: K, ...args: Parameters<DeviceControl[K]>): Promise<Awaited<ReturnType<DeviceControl[K]>>> {
    if (this.lostReason !== undefined) throw this.lostReason;
    this.hold();
    // Booting compiles and instantiates the core, which on a loaded machine takes a while.
    const timeoutMs = method === 'boot' ? Math.max(this.timeoutMs, BOOT_TIMEOUT_MS) : this.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`${method}() got no answer within ${timeoutMs} ms`);
        this.lose(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      const call = (this.control[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      return (await Promise.race([call, timeout])) as Awaited<ReturnType<DeviceControl[K]>>;
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }

  /**
   * Terminates the worker; if `graceful` and the worker is not known to be gone, asks it to
   * stop first. A dead or hung worker is terminated at once, without waiting for an answer.
   */
  close(graceful = true): Promise<void> {
    return (this.closed ??= (async () => {
      if (graceful && this.lostReason === undefined) {
        try {
          await this.call('shutdown');
        } catch {
          // A worker that cannot answer is terminated all the same.
        }
      }
      this.port.close();
      await this.worker.terminate();
    })());
  }
}
