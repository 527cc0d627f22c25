// The device memory map: one shared WebAssembly.Memory per simulated device.
//
//   0 ┌──────────────────────────────────────────────┐ HEADER_LOCATION
//     │ header: ABI version, device index, device     │ HEADER_SIZE
//     │ state, doorbell, sleeping flag, progress mask │
//     ├──────────────────────────────────────────────┤ PROFILE_LOCATION
//     │ hardware profile: PROFILE_FIELDS f64 numbers  │ PROFILE_SIZE
//     │ written by the host before boot (profile.ts)  │
//     ├──────────────────────────────────────────────┤ STREAMS_LOCATION
//     │ STREAM_SLOTS stream control blocks:           │ STREAMS_SIZE
//     │ head, done, fault, fault seq, clock           │
//     ├──────────────────────────────────────────────┤ RINGS_LOCATION
//     │ STREAM_SLOTS command rings, RING_COMMANDS     │ RINGS_SIZE
//     │ commands of COMMAND_SIZE bytes each (abi.ts)  │
//     ├──────────────────────────────────────────────┤ CORE_DATA_LOCATION (= asc memoryBase)
//     │ the core's own static data                    │ CORE_DATA_SIZE
//     ├──────────────────────────────────────────────┤ HEAP_LOCATION
//     │ device memory: tensors and staging buffers,   │ up to the end of the memory
//     │ allocated by the host (src/runtime/heap.ts)   │
//     └──────────────────────────────────────────────┘
//
// Every region is a chain LOCATION = PREV_LOCATION + PREV_SIZE. The host mirrors this file in
// src/runtime/layout.ts and test/core/layout.test.ts checks the mirror. Changing anything here
// means bumping ABI_VERSION in abi.ts.

// Header words, byte offsets from HEADER_LOCATION. All are 32-bit and accessed atomically.
export const HEADER_LOCATION: u32 = 0;
export const HEADER_SIZE: u32 = 256;
/** ABI version the host wrote; the core refuses to boot on a mismatch. */
export const HEADER_ABI_VERSION: u32 = 0;
/** Index of this device (mtia:N). */
export const HEADER_DEVICE_INDEX: u32 = 4;
/** DeviceState: running, or faulted by a trap (see HEADER_FAULT). */
export const HEADER_DEVICE_STATE: u32 = 8;
/** Status code of the trap that faulted the device. */
export const HEADER_FAULT: u32 = 12;
/** Bumped by the host after it publishes commands; the worker waits on it when idle. */
export const HEADER_DOORBELL: u32 = 16;
/** 1 while the worker waits on the doorbell, so the host notifies only when someone sleeps. */
export const HEADER_SLEEPING: u32 = 20;
/** Bit s set when the last drain() completed commands of stream slot s. */
export const HEADER_PROGRESS: u32 = 24;

export const PROFILE_LOCATION: u32 = HEADER_LOCATION + HEADER_SIZE;
export const PROFILE_FIELDS: u32 = 32;
export const PROFILE_SIZE: u32 = PROFILE_FIELDS * 8;

// A stream control block. HEAD is written by the host only, everything else by the core only.
export const STREAM_SLOTS: u32 = 32;
export const STREAM_SIZE: u32 = 64;
/** Commands published by the host (a wrapping u32 sequence number). */
export const STREAM_HEAD: u32 = 0;
/** Commands completed by the device: the stream's completion counter. */
export const STREAM_DONE: u32 = 4;
/** First non-OK status of a command on this stream (sticky until the host clears it). */
export const STREAM_FAULT: u32 = 8;
/** Sequence number (1-based) of the command that set STREAM_FAULT. */
export const STREAM_FAULT_SEQ: u32 = 12;
/** Simulated time, in device cycles, at which the last completed command finished (f64). */
export const STREAM_CLOCK_CYCLES: u32 = 16;
export const STREAMS_LOCATION: u32 = PROFILE_LOCATION + PROFILE_SIZE;
export const STREAMS_SIZE: u32 = STREAM_SLOTS * STREAM_SIZE;

/** Commands per ring; a power of two so a sequence number maps to a slot with a mask. */
export const RING_COMMANDS: u32 = 4096;
export const COMMAND_SIZE: u32 = 64;
export const RING_SIZE: u32 = RING_COMMANDS * COMMAND_SIZE;
export const RINGS_LOCATION: u32 = STREAMS_LOCATION + STREAMS_SIZE;
export const RINGS_SIZE: u32 = STREAM_SLOTS * RING_SIZE;

/** Where asc places the core's static data (asconfig.json "memoryBase" must equal this). */
export const CORE_DATA_LOCATION: u32 = RINGS_LOCATION + RINGS_SIZE;
export const CORE_DATA_SIZE: u32 = 64 * 1024;

/** First byte of device memory the host may allocate: the end of the core's data, 64 KB aligned. */
export const HEAP_ALIGNMENT: u32 = 64 * 1024;
export const HEAP_LOCATION: u32 =
  (CORE_DATA_LOCATION + CORE_DATA_SIZE + HEAP_ALIGNMENT - 1) & ~(HEAP_ALIGNMENT - 1);

/** Address of stream slot `slot`'s control block. */
// @ts-ignore: decorator
@inline export function streamBlock(slot: u32): usize {
  return <usize>(STREAMS_LOCATION + slot * STREAM_SIZE);
}

/** Address of command `seq` (0-based) in stream slot `slot`'s ring. */
// @ts-ignore: decorator
@inline export function commandAddress(slot: u32, seq: u32): usize {
  return <usize>(RINGS_LOCATION + slot * RING_SIZE + (seq & (RING_COMMANDS - 1)) * COMMAND_SIZE);
}
