// Boot: the checks a device runs before it accepts commands; attach: the same for a second
// instance of the core on a running device.

import { ABI_VERSION, DEVICE_RUNNING } from "./abi";
import { HEADER_ABI_VERSION, HEADER_DEVICE_STATE, HEAP_LOCATION } from "./layout";
import { STATUS_ABI_MISMATCH, STATUS_BAD_PROFILE, STATUS_LAYOUT_MISMATCH, STATUS_OK } from "./status";
import { loadProfile } from "./profile";
import { loadDeviceMemory } from "./device-memory";
import { resetCache } from "./timing/sram-cache";

/** Checks the ABI version and layout, loads the profile and the memory mode, and marks the device running. */
export function boot(): u32 {
  const status = attach();
  if (status != STATUS_OK) return status;
  resetCache();
  atomic.store<u32>(HEADER_DEVICE_STATE, DEVICE_RUNNING);
  return STATUS_OK;
}

/**
 * Boot's checks and loads without its resets: makes this instance ready to run commands of a
 * device another instance booted (the host's core for small work, src/runtime/host-core.ts).
 * Every state the core keeps between commands is in device memory; the globals attach() loads
 * are the profile and the memory mode, which do not change after boot.
 */
export function attach(): u32 {
  if (atomic.load<u32>(HEADER_ABI_VERSION) != ABI_VERSION) return STATUS_ABI_MISMATCH;
  if (<u32>__heap_base > HEAP_LOCATION) return STATUS_LAYOUT_MISMATCH;
  if (!loadDeviceMemory()) return STATUS_LAYOUT_MISMATCH;
  if (!loadProfile()) return STATUS_BAD_PROFILE;
  return STATUS_OK;
}
