// Entry of a device worker, the same bundle in Node worker_threads and in browsers.
// It waits for the InitMessage, instantiates the core on the device memory (shared, or its
// own fed over a data port: posted-firmware.ts) and serves DeviceControl over the transferred port.

import * as Comlink from 'comlink';
import type { InitMessage } from '../src/runtime/protocol.js';
import { deviceControl } from './control.js';
import { DeviceFirmware, type CoreExports } from './firmware.js';
import { PostedFirmware } from './posted-firmware.js';

/** Resolves with the first message the parent posts (Node parentPort or the worker global). */
async function firstMessage(): Promise<InitMessage> {
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
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

const init = await firstMessage();
const firmware = init.posted !== undefined
  ? PostedFirmware.start(init.module, init.posted)
  : new DeviceFirmware(new WebAssembly.Instance(init.module, { env: { memory: init.memory! } }).exports as unknown as CoreExports, init.memory!);
/** Ends this worker as a crash would (mtia.debug.injectFault(device, 'exit')). */
function exit(): void {
  const nodeProcess = (globalThis as { process?: { exit(code: number): never } }).process;
  if (nodeProcess !== undefined) nodeProcess.exit(1); // in a worker_threads worker: ends the thread only
  else (globalThis as unknown as { close(): void }).close();
}
Comlink.expose(deviceControl(firmware, exit), init.control);
