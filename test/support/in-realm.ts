// Devices whose firmware runs in the test's own realm: the real core and the real command
// loop, without worker threads, for the runtime test tier. Over the postMessage transport the
// two ends talk over a real MessageChannel in this realm.

import { readFileSync } from 'node:fs';
import type { DeviceConnector, DeviceLink } from '../../src/runtime/protocol.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { unshareMemoryImport } from '../../src/runtime/unshared-core.js';
import { deviceControl } from '../../workers/control.js';
import { DeviceFirmware, type CoreExports } from '../../workers/firmware.js';
import { coreImports } from '../../workers/kernel-threads.js';
import { PostedFirmware } from '../../workers/posted-firmware.js';

const coreBytes = readFileSync(new URL('../../dist/core.wasm', import.meta.url));
/** The built core, its plain-SIMD build (npm run build makes it). */
export const coreModule = new WebAssembly.Module(coreBytes);
/** The built core with its memory import unshared, for the postMessage transport. */
export const unsharedCoreModule = new WebAssembly.Module(unshareMemoryImport(coreBytes));

/** Bytes of the built core's relaxed-SIMD build (compile them where the engine has relaxed SIMD). */
export const relaxedCoreBytes = readFileSync(new URL('../../dist/core-relaxed.wasm', import.meta.url));

/** Instantiates the core (`module`, by default the plain-SIMD build) on `memory`. */
export function instantiateCore(memory: WebAssembly.Memory, module: WebAssembly.Module = coreModule): WebAssembly.Instance {
  return new WebAssembly.Instance(module, coreImports(memory));
}

/** A connector that runs each device's firmware in this realm. */
export const inRealmConnector: DeviceConnector = async (memory) => {
  const firmware = memory instanceof WebAssembly.Memory
    ? new DeviceFirmware(instantiateCore(memory).exports as unknown as CoreExports, memory)
    : PostedFirmware.start(unsharedCoreModule, memory);
  const control = deviceControl(firmware);
  const link: DeviceLink = {
    concurrent: false,
    hold() {},
    release() {},
    call: async (method, ...args) => (control[method] as (...a: unknown[]) => unknown)(...args) as never,
    close: async () => control.shutdown(),
  };
  return link;
};

/** Makes `runtime` start its devices in this realm (call before it initializes). */
export function runInRealm(runtime: Runtime): void {
  runtime.connector = () => inRealmConnector;
}
