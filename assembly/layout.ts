// The device memory map: one shared WebAssembly.Memory per simulated device.
//
//   0 ┌──────────────────────────────────────────────┐ HEADER_LOCATION
//     │ header: ABI version, device index, device     │ HEADER_SIZE
//     │ state, mode, memory end, ring head and tail,  │
//     │ sleeping flag, progress mask, core owner      │
//     ├──────────────────────────────────────────────┤ PROFILE_LOCATION
//     │ hardware profile: PROFILE_FIELDS f64 numbers  │ PROFILE_SIZE
//     │ written by the host before boot (profile.ts)  │
//     ├──────────────────────────────────────────────┤ STREAMS_LOCATION
//     │ STREAM_SLOTS stream control blocks:           │ STREAMS_SIZE
//     │ done, fault, fault seq, clock, fault count,   │
//     │ dispatch time                                 │
//     ├──────────────────────────────────────────────┤ ENGINES_LOCATION
//     │ ENGINE_COUNT engines shared by all streams:   │ ENGINES_SIZE
//     │ free-at time, busy cycles (timing/engines.ts) │
//     ├──────────────────────────────────────────────┤ EVENTS_LOCATION
//     │ EVENT_SLOTS event records: time, generation   │ EVENTS_SIZE
//     ├──────────────────────────────────────────────┤ RING_LOCATION
//     │ the device's command ring: RING_COMMANDS      │ RING_SIZE
//     │ commands of COMMAND_SIZE bytes (abi.ts), each │
//     │ naming the stream it belongs to               │
//     ├──────────────────────────────────────────────┤ ARGS_LOCATION
//     │ one argument block (ops/args.ts) per ring     │ ARGS_SIZE
//     │ position: the block of the command there     │
//     ├──────────────────────────────────────────────┤ RECORDS_LOCATION
//     │ one op record (timing/record.ts) per ring     │ RECORDS_SIZE
//     │ position: how the command there spent its    │
//     │ cycles, for the profiler                      │
//     ├──────────────────────────────────────────────┤ CACHE_LOCATION
//     │ the on-chip SRAM's state and tag table:       │ CACHE_SIZE
//     │ CACHE_ENTRIES resident regions                │
//     │ (timing/sram-cache.ts)                        │
//     ├──────────────────────────────────────────────┤ CORE_DATA_LOCATION (= asc memoryBase)
//     │ the core's own static data                    │ CORE_DATA_SIZE
//     ├──────────────────────────────────────────────┤ KERNEL_THREADS_LOCATION
//     │ KERNEL_THREAD_SLOTS slots, one per host       │ KERNEL_THREADS_SIZE
//     │ thread that computes part of a matmul, and    │
//     │ the B they pack together (the firmware's,     │
//     │ workers/kernel-threads.ts; the core never     │
//     │ reads them)                                   │
//     ├──────────────────────────────────────────────┤ HEAP_LOCATION
//     │ device memory: tensors, allocated by the host │ up to HEADER_MEMORY_END
//     │ (src/runtime/heap.ts); in timing-only mode it │
//     │ is virtual: addresses without bytes behind    │
//     └──────────────────────────────────────────────┘
//
// One ring carries the commands of every stream in the order the host issued them, and the core
// executes them in that order: a valid serialisation of any correct stream program, and the
// same order on every run, so simulated times are deterministic. Streams are in-order queues
// within it, each with its own completion counter and clock.
//
// Every region is a chain LOCATION = PREV_LOCATION + PREV_SIZE. The host mirrors this file in
// src/runtime/layout.ts and test/core/layout.test.ts checks the mirror. Changing anything here
// means bumping ABI_VERSION in abi.ts.

// Header words, byte offsets from HEADER_LOCATION. All are 32-bit and accessed atomically.
// Words written by different threads sit on different 64-byte cache lines: the host writes
// RING_HEAD on every command while the worker writes RING_TAIL and PROGRESS on every drain, and
// sharing a line would make each write evict the other thread's copy.
export const HEADER_LOCATION: u32 = 0;
export const HEADER_SIZE: u32 = 256;
// Line 0: written once or on a fault.
/** ABI version the host wrote; the core refuses to boot on a mismatch. */
export const HEADER_ABI_VERSION: u32 = 0;
/** Index of this device (mtia:N). */
export const HEADER_DEVICE_INDEX: u32 = 4;
/** DeviceState: booting, running, or faulted (see HEADER_FAULT). */
export const HEADER_DEVICE_STATE: u32 = 8;
/** Status code of what faulted the device. */
export const HEADER_FAULT: u32 = 12;
/**
 * 1 in timing-only mode: commands are checked and timed but no kernel runs, and device memory
 * past the real wasm memory is virtual (tensors have no data).
 */
export const HEADER_TIMING_ONLY: u32 = 16;
/** End of device memory (f64 byte address): the real memory's end, or the virtual heap's. */
export const HEADER_MEMORY_END: u32 = 24;
// Line 1: the host's.
/** Commands the host has published into the ring (a wrapping count); the worker waits on it when idle. */
export const HEADER_RING_HEAD: u32 = 64;
// Line 2: the core's.
/** Commands the core has taken from the ring and executed (a wrapping count). */
export const HEADER_RING_TAIL: u32 = 128;
/** Bit s set when the last drain() completed commands of stream slot s. */
export const HEADER_PROGRESS: u32 = 132;
/** 1 + the event slot the drain stopped at (a wait for an event not yet recorded), or 0. */
export const HEADER_BLOCKED_EVENT: u32 = 136;
/**
 * Who runs the core now (CORE_*): two instances of the core may execute this device's commands,
 * the firmware's and the host's own for small work it waits for (src/runtime/host-core.ts), one
 * at a time; each takes the core by a compare-exchange from CORE_FREE before drain().
 */
export const HEADER_CORE_OWNER: u32 = 140;
// Line 3: the worker's, written only when it goes to sleep or wakes.
/** 1 while the worker waits on RING_HEAD, so the host notifies only when someone sleeps. */
export const HEADER_SLEEPING: u32 = 192;
/** HEADER_CORE_OWNER values: nobody, the firmware, the host. */
export const CORE_FREE: u32 = 0;
export const CORE_FIRMWARE: u32 = 1;
export const CORE_HOST: u32 = 2;

export const PROFILE_LOCATION: u32 = HEADER_LOCATION + HEADER_SIZE;
export const PROFILE_FIELDS: u32 = 48;
export const PROFILE_SIZE: u32 = PROFILE_FIELDS * 8;

// A stream control block, written by the core only.
export const STREAM_SLOTS: u32 = 32;
export const STREAM_SIZE: u32 = 64;
/** Commands of this stream completed by the device: its completion counter (wrapping). */
export const STREAM_DONE: u32 = 4;
/** Status of the latest command of this stream that failed (0 if none has). */
export const STREAM_FAULT: u32 = 8;
/** Sequence number (1-based) of that command. */
export const STREAM_FAULT_SEQ: u32 = 12;
/** Simulated time, in device cycles, at which the last completed command finished (f64). */
export const STREAM_CLOCK_CYCLES: u32 = 16;
/** Number of commands of this stream that failed; written after FAULT and FAULT_SEQ. */
export const STREAM_FAULT_COUNT: u32 = 24;
/** Simulated time (cycles, f64) the control core dispatched the stream's last job (timing/control-core.ts). */
export const STREAM_DISPATCH_CYCLES: u32 = 32;
/** Jobs of the stream's running graph launch still to start, which the control core does not charge (u32). */
export const STREAM_GRAPH_JOBS: u32 = 40;
export const STREAMS_LOCATION: u32 = PROFILE_LOCATION + PROFILE_SIZE;
export const STREAMS_SIZE: u32 = STREAM_SLOTS * STREAM_SIZE;

// The engines of a device, shared by all its streams (timing/engines.ts). A job holds the
// control core for its dispatch, then, from its start on the PE grid, each engine and memory
// level for the cycles it keeps that one busy; two jobs overlap where they use different ones.
/** The control core: dispatches every job. */
export const ENGINE_CONTROL: u32 = 0;
/** The PEs' dot-product engines (DPE): matrix multiplies. */
export const ENGINE_DPE: u32 = 1;
/** The PEs' SIMD engines (SE): elementwise ops, nonlinear functions, conversions. */
export const ENGINE_SE: u32 = 2;
/** The PEs' reduction engines (RE): accumulation, reductions, the reduction network. */
export const ENGINE_RE: u32 = 3;
/** The PEs' memory layout units (MLU): copies, transposes, concatenation. */
export const ENGINE_MLU: u32 = 4;
/** On-chip SRAM bandwidth, shared by all PEs. */
export const ENGINE_SRAM: u32 = 5;
/** LPDDR5 bandwidth, shared by all PEs. */
export const ENGINE_DRAM: u32 = 6;
/** The PCIe link, host to device. */
export const ENGINE_PCIE_H2D: u32 = 7;
/** The PCIe link, device to host. */
export const ENGINE_PCIE_D2H: u32 = 8;
/**
 * The PEs' RISC-V cores issuing custom instructions (ISCA'25 §3.2: one core per PE feeds its
 * engines): a second stream's job cannot issue while the first one's keeps the cores busy.
 */
export const ENGINE_ISSUE: u32 = 9;
/**
 * The PEs' fabric interfaces (FI, ISCA'25 §3.2): the DMA between local memory and the NoC,
 * its bytes and its descriptors; one per PE, so two streams' DMAs take turns on it.
 */
export const ENGINE_FABRIC: u32 = 10;
export const ENGINE_COUNT: u32 = 11;
/** Engine of a command whose body needs none. */
export const ENGINE_NONE: u32 = ENGINE_COUNT;
export const ENGINE_SIZE: u32 = 16;
/** Simulated time (cycles, f64) from which the engine is free. */
export const ENGINE_FREE_CYCLES: u32 = 0;
/** Cycles the engine has been busy since boot (f64). */
export const ENGINE_BUSY_CYCLES: u32 = 8;
export const ENGINES_LOCATION: u32 = STREAMS_LOCATION + STREAMS_SIZE;
export const ENGINES_SIZE: u32 = 16 * ENGINE_SIZE;

// Event records. An event recorded on a stream takes the stream's clock at that point; a wait
// on it moves the waiting stream's clock to at least that time.
export const EVENT_SLOTS: u32 = 4096;
export const EVENT_SIZE: u32 = 16;
/** Simulated time (cycles, f64) of the event's latest record. */
export const EVENT_TIME_CYCLES: u32 = 0;
/** Generation of the latest record (the host numbers them; 0 = never recorded). */
export const EVENT_GENERATION: u32 = 8;
export const EVENTS_LOCATION: u32 = ENGINES_LOCATION + ENGINES_SIZE;
export const EVENTS_SIZE: u32 = EVENT_SLOTS * EVENT_SIZE;

/** Commands in the ring; a power of two so a count maps to a position with a mask. */
export const RING_COMMANDS: u32 = 16384;
export const COMMAND_SIZE: u32 = 64;
export const RING_LOCATION: u32 = EVENTS_LOCATION + EVENTS_SIZE;
export const RING_SIZE: u32 = RING_COMMANDS * COMMAND_SIZE;

// Argument blocks (ops/args.ts), one per ring position: the command at ring count c finds its
// block at argsBlock(c). The host writes a block when it writes the command into the ring, so a
// block is free exactly when its ring slot is, and argument blocks never take device memory.
export const ARGS_BLOCK_SIZE: u32 = 512;
export const ARGS_LOCATION: u32 = RING_LOCATION + RING_SIZE;
export const ARGS_SIZE: u32 = RING_COMMANDS * ARGS_BLOCK_SIZE;

// Op records (timing/record.ts), one per ring position: the core writes the record of the
// command at ring count c when it runs it; the host's profiler reads it before the ring
// position is used again (src/runtime/command-ring.ts).
export const RECORD_SIZE: u32 = 520;
export const RECORDS_LOCATION: u32 = ARGS_LOCATION + ARGS_SIZE;
export const RECORDS_SIZE: u32 = RING_COMMANDS * RECORD_SIZE;

// The on-chip SRAM as a last-level cache: its state, then a table of resident address regions
// (timing/sram-cache.ts). The state is here, not in the core's globals, because a wasm global
// belongs to one instance and two instances run the device's commands (HEADER_CORE_OWNER).
export const CACHE_STATE_SIZE: u32 = 64;
/** Entries in the table (u32). */
export const CACHE_COUNT: u32 = 0;
/** Bytes resident (f64). */
export const CACHE_RESIDENT_BYTES: u32 = 8;
/** Access counter (f64): an entry's last use, for LRU. */
export const CACHE_TICK: u32 = 16;
export const CACHE_ENTRIES: u32 = 1024;
export const CACHE_ENTRY_SIZE: u32 = 32;
export const CACHE_LOCATION: u32 = RECORDS_LOCATION + RECORDS_SIZE;
export const CACHE_SIZE: u32 = CACHE_STATE_SIZE + CACHE_ENTRIES * CACHE_ENTRY_SIZE;

/** Where asc places the core's static data (asconfig.json "memoryBase" must equal this). */
export const CORE_DATA_LOCATION: u32 = CACHE_LOCATION + CACHE_SIZE;
export const CORE_DATA_SIZE: u32 = 64 * 1024;

// The kernel threads' slots: the device worker (slot 0) and its helper threads (workers/
// kernel-threads.ts) compute a large float32 matmul together with the kernel-thread module
// (kernel-thread.ts, kernels/matmul-shared.ts), each thread in its own slot: a state word
// (KERNEL_THREAD_STATE, one of the THREAD_* states), the edge-tile buffer and the A-block buffer
// (KERNEL_THREAD_WORKSPACE). Slot 0 also holds the job: its arguments (u32 words from
// KERNEL_THREAD_ARGS: matmulF32Shared's first 13, then the thread count) and the threads' sync
// block (KERNEL_THREAD_SYNC). After the slots, the packed B the threads share (KERNEL_PANEL,
// SHARED_PANEL_BYTES). Untouched pages cost no host memory.
export const KERNEL_THREAD_SLOTS: u32 = 8;
export const KERNEL_THREAD_SLOT_SIZE: u32 = 64 * 1024;
export const KERNEL_THREAD_STATE: u32 = 0;
export const KERNEL_THREAD_ARGS: u32 = 4;
export const KERNEL_THREAD_SYNC: u32 = 64;
export const KERNEL_THREAD_EDGE: u32 = 128;
export const KERNEL_THREAD_WORKSPACE: u32 = 256;
export const KERNEL_THREADS_LOCATION: u32 = CORE_DATA_LOCATION + CORE_DATA_SIZE;
export const KERNEL_PANEL_LOCATION: u32 = KERNEL_THREADS_LOCATION + KERNEL_THREAD_SLOTS * KERNEL_THREAD_SLOT_SIZE;
export const KERNEL_PANEL_SIZE: u32 = 16 << 20;
export const KERNEL_THREADS_SIZE: u32 = KERNEL_THREAD_SLOTS * KERNEL_THREAD_SLOT_SIZE + KERNEL_PANEL_SIZE;
/** Kernel-thread states (the KERNEL_THREAD_STATE word): not started, idle, running a share, done, failed, told to exit. */
export const THREAD_ABSENT: u32 = 0;
export const THREAD_IDLE: u32 = 1;
export const THREAD_RUN: u32 = 2;
export const THREAD_DONE: u32 = 3;
export const THREAD_FAILED: u32 = 4;
export const THREAD_EXIT: u32 = 5;

/** First byte of device memory the host may allocate: after the kernel threads' slots, 64 KB aligned. */
export const HEAP_ALIGNMENT: u32 = 64 * 1024;
export const HEAP_LOCATION: u32 =
  (KERNEL_THREADS_LOCATION + KERNEL_THREADS_SIZE + HEAP_ALIGNMENT - 1) & ~(HEAP_ALIGNMENT - 1);

/** Address of stream slot `slot`'s control block. */
// @ts-ignore: decorator
@inline export function streamBlock(slot: u32): usize {
  return <usize>(STREAMS_LOCATION + slot * STREAM_SIZE);
}

/** Address of engine `engine`'s block. */
// @ts-ignore: decorator
@inline export function engineBlock(engine: u32): usize {
  return <usize>(ENGINES_LOCATION + engine * ENGINE_SIZE);
}

/** Address of event slot `slot`'s record. */
// @ts-ignore: decorator
@inline export function eventRecord(slot: u32): usize {
  return <usize>(EVENTS_LOCATION + slot * EVENT_SIZE);
}

/** Address of the command with ring count `count` (0-based). */
// @ts-ignore: decorator
@inline export function commandAddress(count: u32): usize {
  return <usize>(RING_LOCATION + (count & (RING_COMMANDS - 1)) * COMMAND_SIZE);
}

/** Address of the op record of the command with ring count `count`. */
// @ts-ignore: decorator
@inline export function recordAddress(count: u32): usize {
  return <usize>(RECORDS_LOCATION + (count & (RING_COMMANDS - 1)) * RECORD_SIZE);
}

/** Address of cache entry `entry`. */
// @ts-ignore: decorator
@inline export function cacheEntry(entry: u32): usize {
  return <usize>(CACHE_LOCATION + CACHE_STATE_SIZE + entry * CACHE_ENTRY_SIZE);
}
