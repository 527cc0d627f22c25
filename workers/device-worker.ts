// Entry of a device worker, the same bundle in Node worker_threads and in browsers.
// It waits for the InitMessage, instantiates the core on the device memory (shared, or its
// own fed over a data port: posted-firmware.ts) and serves DeviceControl over the transferred port.
// The same bundle is a device's kernel-thread worker when its first message says so
// (kernel-threads.ts): the device worker starts those itself.

import * as Comlink from 'comlink';
import { hostProcessors, isNode, spawnWorker } from '../src/runtime/environment.js';
import { KERNEL_THREAD_SLOTS } from '../src/runtime/layout.js';
import type { InitMessage, KernelThreadMessage, KernelThreadsInit } from '../src/runtime/protocol.js';
import { deviceControl } from './control.js';
import { DeviceFirmware, type CoreExports } from './firmware.js';
import { coreImports, KernelThreads, runKernelThread } from './kernel-threads.js';
import { PostedFirmware } from './posted-firmware.js';

/** Resolves with the first message the parent posts (Node parentPort or the worker global). */
async function firstMessage(): Promise<InitMessage | KernelThreadMessage> {
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    return new Promise((resolve) => parentPort!.once('message', resolve));
  }
  return new Promise((resolve) =>
    globalThis.addEventListener('message', (event) => resolve((event as MessageEvent).data), {
      once: true,
    }),
  );
}

/**
 * The device's kernel threads over `memory` (none when the count is 1): helpers are started
 * from this bundle, given the kernel-thread module, the memory and their slot, and let the
 * worker exit without them.
 */
async function kernelThreads(init: KernelThreadsInit, memory: WebAssembly.Memory): Promise<KernelThreads | undefined> {
  const count = init.threads === 'auto' ? Math.min(KERNEL_THREAD_SLOTS, await hostProcessors()) : init.threads;
  if (count === 1) return undefined;
  const threads = new KernelThreads(init.module, memory, count, async (slot, onLost) => {
    const worker = await spawnWorker(new URL(import.meta.url), `mtia-sim kernel thread ${slot}`, onLost);
    worker.unref();
    const message: KernelThreadMessage = { kernelThread: { module: init.module, memory, slot } };
    worker.postMessage(message, []);
    return worker;
  });
  // A count given explicitly starts its helpers with the device; 'auto' at the first large matmul.
  if (init.threads !== 'auto') await threads.start();
  return threads;
}

/** Ends this worker as a crash would (mtia.debug.injectFault(device, 'exit')). */
function exit(): void {
  const nodeProcess = (globalThis as { process?: { exit(code: number): never } }).process;
  if (nodeProcess !== undefined) nodeProcess.exit(1); // in a worker_threads worker: ends the thread only
  else (globalThis as unknown as { close(): void }).close();
}

const init = await firstMessage();
if ('kernelThread' in init) {
  const { module, memory, slot } = init.kernelThread;
  runKernelThread(module, memory, slot);
  if (!isNode) (globalThis as unknown as { close(): void }).close();
} else if (init.posted !== undefined) {
  Comlink.expose(deviceControl(PostedFirmware.start(init.module, init.posted), exit), init.control);
} else {
  const memory = init.memory!;
  const threads = init.kernelThreads && await kernelThreads(init.kernelThreads, memory);
  const core = new WebAssembly.Instance(init.module, coreImports(memory, threads)).exports as unknown as CoreExports;
  Comlink.expose(deviceControl(new DeviceFirmware(core, memory, threads), exit), init.control);
}
