// `mtia-sim info`: the properties of every simulated device (mtia.getDeviceProperties).

import { mtia } from '../index.js';

/** Every device's properties, in index order. */
export function deviceInfo(): mtia.DeviceProperties[] {
  return Array.from({ length: mtia.deviceCount() }, (_, index) => mtia.getDeviceProperties(index));
}

/** The properties as text, one block per device. */
export function formatInfo(devices: readonly mtia.DeviceProperties[]): string {
  return devices
    .map((properties, index) => {
      const fields = Object.entries(properties).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      return [`mtia:${index}`, ...fields].join('\n');
    })
    .join('\n\n');
}
