// The DeviceControl endpoint a device serves, over its firmware. The worker entry exposes it
// through comlink; in-realm tests call it directly.

import type { DeviceControl } from '../src/runtime/protocol.js';
import type { DeviceFirmware } from './firmware.js';

/** What the control endpoint needs of a firmware: the shared-memory one (firmware.ts) or the postMessage one (posted-firmware.ts). */
export type Firmware = Pick<DeviceFirmware, 'boot' | 'report' | 'stop' | 'injectTrap' | 'hang'>;

/** The control endpoint of `firmware`. */
export function deviceControl(firmware: Firmware, exit: () => void = () => {}): DeviceControl {
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
