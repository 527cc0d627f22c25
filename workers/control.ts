// The DeviceControl endpoint a device serves, over its firmware. The worker entry exposes it
// through comlink; in-realm tests call it directly.

import type { DeviceControl } from '../src/runtime/protocol.js';
import type { DeviceFirmware } from './firmware.js';

/** The control endpoint of `firmware`. */
export function deviceControl(firmware: DeviceFirmware, exit: () => void = () => {}): DeviceControl {
  let hung = false;
  /** A hung device answers nothing: every call after 'hang' stays pending (the host times out). */
  const answer = <T>(result: () => T): T => (hung ? (new Promise<never>(() => {}) as T) : result());
  return {
    boot: () => answer(() => ({ status: firmware.boot(), report: firmware.report() })),
    properties: () => answer(() => firmware.report()),
    shutdown: () => answer(() => firmware.stop()),
    debug: (fault) =>
      answer(() => {
        // The fault comes after the answer, so the host sees the injection succeed.
        if (fault === 'trap') firmware.injectTrap();
        else if (fault === 'hang') {
          hung = true;
          firmware.hang();
        } else {
          firmware.hang(); // nothing runs after the fault, as after a crash
          setTimeout(exit, 0);
        }
      }),
  };
}
