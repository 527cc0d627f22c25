// Fault injection for tests of code that must survive a lost device (docs/reliability.md): the
// simulator's stand-in for pulling a card; and what a device's worker says of its host threads.
// PyTorch has no counterpart of either.

import { checkDeviceIndex, deviceIndex, type DeviceLike } from '../device.js';
import { ValueError } from '../errors.js';
import type { DebugFault } from '../runtime/protocol.js';
import { runtime } from '../runtime/runtime.js';
import { currentDevice, resolveDevice } from './devices.js';

export type { DebugFault } from '../runtime/protocol.js';

const faults: readonly DebugFault[] = ['trap', 'exit', 'hang'];

/**
 * Makes the worker of `device` suffer `fault`: 'trap' (its core traps at its next drain),
 * 'exit' (the worker exits, as a crash would) or 'hang' (it stops making progress and never
 * answers a control call again; found out within twice the control timeout plus one, see
 * mtia.configure's controlTimeoutMs). Every pending and later wait on that device then
 * rejects with DeviceLostError; other devices are not affected. Resolves once the worker has
 * taken the fault.
 */
export function injectFault(device: DeviceLike, fault: DebugFault): Promise<void> {
  const index = checkDeviceIndex(deviceIndex(device, currentDevice), runtime.config.deviceCount);
  if (!faults.includes(fault)) {
    throw new ValueError(`injectFault(): fault must be one of ${faults.map((f) => `'${f}'`).join(', ')}, but got: ${String(fault)}`);
  }
  return runtime.device(index).injectFault(fault);
}

/**
 * How many host threads the large float32 matmuls of `device` (default: the current device) run
 * on now: 1, its worker, plus its helper threads that have started (mtia.configure's
 * `kernelThreads`; with 'auto' they start at the device's first large matmul). Starts MTIA if
 * needed; resolves once the device has booted.
 */
export async function kernelThreads(device?: DeviceLike | null): Promise<number> {
  return (await runtime.device(resolveDevice(device)).report()).kernelThreads;
}
