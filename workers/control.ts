// The DeviceControl endpoint a device serves, over its firmware. The worker entry exposes it
// through comlink; in-realm tests call it directly.

import type { DeviceControl } from '../src/runtime/protocol.js';
import type { DeviceFirmware } from './firmware.js';

/** The control endpoint of `firmware`. */
export function deviceControl(firmware: DeviceFirmware): DeviceControl {
  return {
    boot: () => ({ status: firmware.boot(), report: firmware.report() }),
    properties: () => firmware.report(),
    shutdown: () => firmware.stop(),
  };
}
