// torch.device for the simulator, and the normalisation every `device` argument goes
// through (pytorch/pytorch torch/mtia/_utils.py _get_device_index).

import { MtiaError, ValueError } from './errors.js';
import { describeValue } from './options.js';

/** Device types torch.device knows, in PyTorch's order (its parse error lists them). */
const torchDeviceTypes = [
  'cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga', 'maia',
  'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'mtia', 'privateuseone',
];

/** A device: a type ('mtia', 'cpu', ...) and an optional index (torch.device). */
export class Device {
  constructor(
    readonly type: string,
    /** Device index, or null when the string named no index ('mtia'). */
    readonly index: number | null = null,
  ) {
    if (typeof type !== 'string' || !torchDeviceTypes.includes(type)) {
      throw new MtiaError(`Expected one of ${torchDeviceTypes.join(', ')} device type, but got: ${String(type)}`);
    }
    if (index !== null && (!Number.isInteger(index) || index < 0)) {
      throw new MtiaError(`Device index must not be negative and must be an integer, but got: ${String(index)}`);
    }
  }

  /** Parses a device string ('mtia:1', 'mtia', 'cpu') as torch.device(str) does. */
  static parse(spec: string): Device {
    const match = /^([a-zA-Z_]+)(?::(0|[1-9]\d*))?$/.exec(spec);
    if (match === null) throw new MtiaError(`Invalid device string: '${spec}'`);
    const type = match[1]!;
    if (!torchDeviceTypes.includes(type)) {
      throw new MtiaError(
        `Expected one of ${torchDeviceTypes.join(', ')} device type at start of device string: ${spec}`,
      );
    }
    return new Device(type, match[2] === undefined ? null : Number(match[2]));
  }

  /** 'mtia:1', 'mtia' or 'cpu', as torch.device prints. */
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  /** True if both name the same type and index. */
  equals(other: Device): boolean {
    return this.type === other.type && this.index === other.index;
  }
}

/** Anything that names a device: an index, a device string, a Device, or a device context. */
export type DeviceLike = number | string | Device | { readonly idx: number };

/**
 * The device index `device` names (PyTorch's _get_device_index). `undefined`/`null` means the
 * current device when `optional`; a cpu device is -1 when `allowCpu`. Integers pass unchecked.
 */
export function deviceIndex(
  device: DeviceLike | null | undefined,
  current: () => number,
  { optional = false, allowCpu = false } = {},
): number {
  if (device === undefined || device === null) {
    if (optional) return current();
    throw new ValueError(`Expected a torch.device with a specified index or an integer, but got: ${String(device)}`);
  }
  if (typeof device === 'number') {
    if (!Number.isInteger(device)) throw new TypeError(`device must be an integer index, but got: ${device}`);
    return device;
  }
  if (typeof device === 'object' && !(device instanceof Device) && typeof device.idx === 'number') {
    return device.idx;
  }
  const parsed = typeof device === 'string' ? Device.parse(device) : device;
  if (!(parsed instanceof Device)) {
    throw new TypeError(`device must be a number, a device string, a Device or a device context, but got: ${describeValue(device)}`);
  }
  if (parsed.type === 'cpu') {
    if (!allowCpu) throw new ValueError(`Expected a non cpu device, but got: ${parsed}`);
    return -1;
  }
  if (parsed.type !== 'mtia') throw new ValueError(`Expected a mtia or cpu device, but got: ${parsed}`);
  if (parsed.index !== null) return parsed.index;
  if (optional) return current();
  throw new ValueError(`Expected a torch.device with a specified index or an integer, but got: ${parsed}`);
}

/** Throws unless 0 <= index < deviceCount (CUDA's "Device index out of range" check). */
export function checkDeviceIndex(index: number, deviceCount: number): number {
  if (index < 0 || index >= deviceCount) {
    throw new MtiaError(
      `Device index out of range: ${index} (mtia-sim has ${deviceCount} device${deviceCount === 1 ? '' : 's'}: ` +
        `mtia:0 to mtia:${deviceCount - 1}; set the count with mtia.configure({ deviceCount }))`,
    );
  }
  return index;
}
