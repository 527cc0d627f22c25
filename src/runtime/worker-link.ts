// The control link to one device worker: starts it, hands it the core and the memory, and
// makes comlink calls on its DeviceControl endpoint. Every call can time out, and while any
// call or host wait is pending the worker keeps the Node process alive (ref); otherwise it
// does not (unref), so a script that used the library exits by itself.

import * as Comlink from 'comlink';
import type { DeviceControl, DeviceLink, InitMessage } from './protocol.js';
import { spawnWorker, unrefPort, type WorkerHandle } from './environment.js';

/** A running device worker and its control endpoint. */
export class WorkerLink implements DeviceLink {
  readonly concurrent = true;
  private holds = 0;

  private constructor(
    private readonly worker: WorkerHandle,
    private readonly port: MessagePort,
    private readonly control: Comlink.Remote<DeviceControl>,
    /** Milliseconds a control call may take before it fails. */
    private readonly timeoutMs: number,
  ) {}

  /** Starts a worker from `url` and posts it the core and the device memory. */
  static async start(
    url: URL,
    name: string,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    timeoutMs: number,
    onLost: (reason: Error) => void,
  ): Promise<WorkerLink> {
    const worker = await spawnWorker(url, name, onLost);
    const channel = new MessageChannel();
    const init: InitMessage = { module, memory, control: channel.port2 };
    worker.postMessage(init, [channel.port2]);
    const control = Comlink.wrap<DeviceControl>(channel.port1);
    unrefPort(channel.port1);
    worker.unref();
    return new WorkerLink(worker, channel.port1, control, timeoutMs);
  }

  /** Keeps the process alive until the matching release(). */
  hold(): void {
    if (this.holds++ === 0) this.worker.ref();
  }

  /** Ends one hold(). */
  release(): void {
    if (--this.holds === 0) this.worker.unref();
  }

  /** Calls `method` on the worker's control endpoint, failing after the link's timeout. */
  async call<K extends keyof DeviceControl>(method: K): Promise<Awaited<ReturnType<DeviceControl[K]>>> {
    this.hold();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${method}() got no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      const call = (this.control[method] as () => Promise<unknown>)();
      return (await Promise.race([call, timeout])) as Awaited<ReturnType<DeviceControl[K]>>;
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }

  /** Asks the worker to stop (best effort), then terminates it. */
  async close(): Promise<void> {
    try {
      await this.call('shutdown');
    } catch {
      // A worker that cannot answer is terminated all the same.
    }
    this.port.close();
    await this.worker.terminate();
  }
}
