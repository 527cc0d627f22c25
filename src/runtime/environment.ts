// What differs between Node and browsers: how the core's bytes are loaded and how a worker
// is started, kept alive and stopped. Everything else is shared.

import { unshareMemoryImport } from './unshared-core.js';

/** True under Node.js (worker_threads), false in browsers. */
export const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Where the built assets live, next to this bundle (dist/). */
export const assetUrls = {
  core: new URL('./core.wasm', import.meta.url),
  worker: new URL('./device-worker.js', import.meta.url),
};

/**
 * True where devices can run: WebAssembly, workers and MessageChannel exist. Shared memory is
 * not needed: without it the postMessage transport carries the queues (transport.ts).
 */
export function hasDeviceSupport(): boolean {
  if (typeof WebAssembly !== 'object' || typeof MessageChannel !== 'function') return false;
  return isNode || typeof Worker === 'function';
}

/**
 * Compiles the core. Node reads the file; browsers stream it (Node's fetch cannot read file:).
 * With `shared` false, the copy whose memory import is not shared (unshared-core.ts).
 */
export async function compileCore(url: URL = assetUrls.core, shared = true): Promise<WebAssembly.Module> {
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(url);
    return WebAssembly.compile(shared ? bytes : unshareMemoryImport(bytes));
  }
  if (shared) return WebAssembly.compileStreaming(fetch(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.href}: HTTP status ${response.status}`);
  return WebAssembly.compile(unshareMemoryImport(await response.arrayBuffer()));
}

/** A started worker, with the lifetime controls the host needs. */
export interface WorkerHandle {
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Keep the host process alive while this worker runs (no-op in browsers). */
  ref(): void;
  /** Let the host process exit even though this worker runs (no-op in browsers). */
  unref(): void;
  terminate(): Promise<void>;
}

/** Starts a module worker from `url`; `onLost` is called once if it dies or fails to load. */
export async function spawnWorker(
  url: URL,
  name: string,
  onLost: (reason: Error) => void,
): Promise<WorkerHandle> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(url, { name });
    let exiting = false;
    worker.on('error', (error) => onLost(error));
    worker.on('exit', (code) => {
      if (!exiting) onLost(new Error(`worker exited with code ${code}`));
    });
    return {
      postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: async () => {
        exiting = true;
        await worker.terminate();
      },
    };
  }
  const worker = new Worker(url, { type: 'module', name });
  worker.addEventListener('error', (event) => onLost(new Error(event.message || 'worker failed to load')));
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    ref: () => {},
    unref: () => {},
    terminate: async () => worker.terminate(),
  };
}

/** Lets a port stop keeping the Node process alive (MessagePort.unref exists only in Node). */
export function unrefPort(port: MessagePort): void {
  (port as MessagePort & { unref?: () => void }).unref?.();
}
