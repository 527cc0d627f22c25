// Device selection and queries: torch.mtia's device_count, current_device, set_device,
// device, get_device_capability, get_device_properties, is_bf16_supported, synchronize.

import { checkDeviceIndex, deviceIndex, type DeviceLike } from '../device.js';
import { MtiaError } from '../errors.js';
import { MAX_DEVICES, runtime } from '../runtime/runtime.js';
import { scopes } from '../runtime/current-scope.js';
import type { TransportKind } from '../runtime/transport.js';

/** Number of simulated devices (torch.mtia.device_count); does not start them. */
export function deviceCount(): number {
  return runtime.config.deviceCount;
}

/** Index of the current device (torch.mtia.current_device). */
export function currentDevice(): number {
  return runtime.currentDevice;
}

/**
 * Resolves an optional device argument to a checked device index, as PyTorch's
 * `_get_device_index(device, optional=True)` and the range-checked MTIA bindings do
 * (pytorch/pytorch torch/mtia/_utils.py): undefined, null, 'mtia' and -1 mean the current
 * device; other negative indices are out of c10's DeviceIndex range (here [-1, MAX_DEVICES - 1]);
 * an index the configuration has no device for is torch.cuda's "Device index out of range".
 */
export function resolveDevice(device?: DeviceLike | null): number {
  const index = deviceIndex(device, currentDevice, { optional: true });
  if (index < -1 || index >= MAX_DEVICES) {
    throw new MtiaError(`Device index ${index} is out of range for DeviceIndex [-1, ${MAX_DEVICES - 1}]`);
  }
  return index === -1 ? currentDevice() : checkDeviceIndex(index, deviceCount());
}

/**
 * Makes `device` the current device (torch.mtia.set_device). A negative index is a no-op,
 * as in PyTorch; 'mtia' without an index is an error.
 */
export function setDevice(device: DeviceLike): void {
  const index = deviceIndex(device, currentDevice);
  if (index < 0) return;
  runtime.currentDevice = checkDeviceIndex(index, deviceCount());
}

/**
 * torch.mtia.device: a context that makes a device current while it is entered. As in PyTorch,
 * constructing it only resolves the device; `enter()` (Python's `__enter__`) switches, and
 * disposing (`__exit__`) switches back, so one object can be entered again after it is
 * disposed. `mtia.device(d)` constructs and enters at once, which is what `using` needs
 * (JavaScript's `using` has no enter step). Contexts must be disposed innermost first; one
 * disposed while a context entered after it in the same scope is still open throws instead of
 * restoring (src/runtime/current-scope.ts).
 */
export class DeviceContext implements Disposable {
  /** The device this context selects, or -1 for none (null or a negative index: a no-op). */
  readonly idx: number;
  /** The device that was current when entered, restored on dispose; -1 if nothing was switched or not entered. */
  prevIdx = -1;
  private entered = false;

  constructor(device: DeviceLike | null | undefined) {
    const index = deviceIndex(device, currentDevice, { optional: true });
    this.idx = index < 0 ? -1 : checkDeviceIndex(index, deviceCount());
  }

  /** Makes the device current (PyTorch's `__enter__`); returns this context, to dispose. */
  enter(): this {
    if (this.entered) throw new MtiaError(`mtia.device(${this.idx}) is already entered; dispose it before entering it again`);
    this.prevIdx = this.idx < 0 ? -1 : currentDevice();
    if (this.idx >= 0) setDevice(this.idx);
    scopes.open(this);
    this.entered = true;
    return this;
  }

  /** Restores the previous device; does nothing if the context is not entered. */
  [Symbol.dispose](): void {
    if (!this.entered) return;
    this.entered = false;
    scopes.close(this, `mtia.device(${this.idx})`);
    if (this.prevIdx >= 0) runtime.currentDevice = this.prevIdx;
  }
}

/**
 * Makes `device` current until the returned, entered context is disposed:
 * `using _ = mtia.device(1)`. null or a negative index select nothing.
 */
export function device(device: DeviceLike | null | undefined): DeviceContext {
  return new DeviceContext(device).enter();
}

/**
 * Runs `fn` with `device` current, in a scope of its own: in Node the device stays current
 * for `fn`'s async continuations only, so concurrent scopes never see each other's device,
 * and the caller's device is unchanged afterwards (src/runtime/current-scope.ts).
 */
export function withDevice<T>(device: DeviceLike | null | undefined, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`withDevice(): fn must be a function, but got: ${typeof fn}`);
  const index = deviceIndex(device, currentDevice, { optional: true });
  if (index >= 0) checkDeviceIndex(index, deviceCount());
  return scopes.run(() => setDevice(index), fn);
}

/** [major, minor] of the simulated chip generation (torch.mtia.get_device_capability). */
export function getDeviceCapability(device?: DeviceLike | null): [number, number] {
  resolveDevice(device);
  const [major, minor] = runtime.config.profile.capability;
  return [major, minor];
}

/** Properties of a simulated device (torch.mtia.get_device_properties). */
export interface DeviceProperties {
  /** Display name, e.g. 'MTIA 2i (simulated)'. */
  readonly name: string;
  /** Hardware profile key, e.g. 'mtia-v2'. */
  readonly profile: string;
  readonly major: number;
  readonly minor: number;
  /**
   * Bytes the device can allocate, as PyTorch's `total_memory` (CUDA's totalGlobalMem): the
   * simulated heap, `mtia.configure`'s `memoryBytes` (256 MiB by default in compute mode, where
   * it is real memory of this machine; the profile's whole DRAM in timing-only mode). What
   * `getMemoryInfo()` reports as total and what the caching allocator can reserve.
   */
  readonly totalMemory: number;
  /**
   * The modelled hardware's DRAM capacity in bytes (an mtia-sim extension; the profile's
   * `dramBytes`: 128 GiB for MTIA 2i), which totalMemory is only a part of in compute mode.
   */
  readonly dramBytes: number;
  readonly clockHz: number;
  readonly peNumRows: number;
  readonly peNumCols: number;
  readonly peCount: number;
  readonly localMemoryBytesPerPe: number;
  readonly sramBytes: number;
  /** On-chip SRAM bandwidth at this clock (the profile's sramBytesPerCycle × clockHz). */
  readonly sramBytesPerSecond: number;
  readonly dramBytesPerSecond: number;
  readonly pcieBytesPerSecond: number;
  readonly dpeFp16MacsPerCyclePerPe: number;
  readonly dpeInt8MacsPerCyclePerPe: number;
  readonly seElementsPerCyclePerPe: number;
  /**
   * How this device's commands and data travel (an mtia-sim extension): 'shared-memory', or
   * 'postMessage' where memory cannot be shared, e.g. a page without cross-origin isolation
   * (mtia.configure's `transport`; docs/architecture.md).
   */
  readonly transport: TransportKind;
  /**
   * True when the devices run in timing-only mode (mtia.configure's `timingOnly`, an mtia-sim
   * extension): tensors carry no values, ops are timed as in compute mode.
   */
  readonly timingOnly: boolean;
}

/** The properties of `device` (default: the current device). */
export function getDeviceProperties(device?: DeviceLike | null): DeviceProperties {
  resolveDevice(device);
  const { profile: p, memoryBytes } = runtime.config;
  return {
    name: `${p.chipName} (simulated)`,
    profile: p.name,
    major: p.capability[0],
    minor: p.capability[1],
    totalMemory: memoryBytes,
    dramBytes: p.dramBytes,
    clockHz: p.clockHz,
    peNumRows: p.peRows,
    peNumCols: p.peCols,
    peCount: p.peRows * p.peCols,
    localMemoryBytesPerPe: p.localMemoryBytesPerPe,
    sramBytes: p.sramBytes,
    sramBytesPerSecond: p.sramBytesPerCycle * p.clockHz,
    dramBytesPerSecond: p.dramBytesPerSecond,
    pcieBytesPerSecond: p.pcieBytesPerSecond,
    dpeFp16MacsPerCyclePerPe: p.dpeFp16MacsPerCyclePerPe,
    dpeInt8MacsPerCyclePerPe: p.dpeInt8MacsPerCyclePerPe,
    seElementsPerCyclePerPe: p.seElementsPerCyclePerPe,
    transport: runtime.transport,
    timingOnly: runtime.config.timingOnly,
  };
}

/** True, as torch.mtia.is_bf16_supported always returns; the argument is ignored there too. */
export function isBf16Supported(_includingEmulation = true): boolean {
  return true;
}

/** Waits until all work on every stream of `device` (default: current) has completed. */
export function synchronize(device?: DeviceLike | null): Promise<void> {
  return runtime.device(resolveDevice(device)).synchronize();
}
