// Starting and stopping the simulated devices: torch.mtia's init / is_available /
// is_initialized, plus configure and shutdown, which PyTorch does not need.

import { hasDeviceSupport } from '../runtime/environment.js';
import { runtime, type ConfigureOptions } from '../runtime/runtime.js';

export type { ConfigureOptions } from '../runtime/runtime.js';

/**
 * Sets the device count, hardware profile and memory size. Only before initialization: after
 * the first device call it throws (await shutdown() first to start over).
 */
export function configure(options: ConfigureOptions): void {
  runtime.configure(options);
}

/**
 * Starts the devices now instead of on first use (torch.mtia.init). The returned promise
 * settles when every device worker has booted; awaiting it is optional. A failure, such as a
 * DeferredMtiaCallError of a call queued before initialization, rejects it rather than
 * throwing: an async function's errors all arrive one way.
 */
export function init(): Promise<void> {
  try {
    return runtime.init();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** True where simulated devices can run (WebAssembly threads and workers) and at least one is configured. */
export function isAvailable(): boolean {
  return hasDeviceSupport() && runtime.config.deviceCount > 0;
}

/** True once the devices have been started (torch.mtia.is_initialized). */
export function isInitialized(): boolean {
  return runtime.initialized;
}

/**
 * Terminates every device worker. Pending waits reject with DeviceLostError; tensors of the
 * old devices can no longer be used. Afterwards configure() may be called again.
 */
export function shutdown(): Promise<void> {
  return runtime.shutdown();
}
