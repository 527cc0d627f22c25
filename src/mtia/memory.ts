// torch.mtia's memory functions: stats, the cache, history, snapshots and the OOM observer
// (pytorch/pytorch torch/mtia/memory.py and torch/mtia/__init__.py; torch/cuda/memory.py for the
// CUDA semantics MTIA's hooks follow). Guards as in PyTorch: the stats functions return neutral
// values until the devices have started; none of them starts them, except getMemoryInfo
// (torch.cuda.mem_get_info initializes too). recordMemoryHistory before the devices start is
// kept and applied when they do, so that the order of PyTorch's memory tutorials (record
// history first, then run the model) records the run.

import { checkOptions } from '../options.js';
import type { DeviceLike } from '../device.js';
import { MtiaError, ValueError } from '../errors.js';
import { checkHistoryOptions, type HistoryContext, type HistoryEnabled, type HistoryStacks } from '../memory/memory-history.js';
import type { MemoryStats } from '../memory/memory-stats.js';
import { outOfMemoryObservers, type OutOfMemoryObserver } from '../memory/out-of-memory.js';
import { buildSnapshot, snapshotToJson, snapshotToPickle, type MemorySnapshot } from '../memory/snapshot.js';
import { isNode } from '../runtime/environment.js';
import { callerStack } from '../runtime/lazy-calls.js';
import { runtime } from '../runtime/runtime.js';
import { resolveDevice } from './devices.js';

export type { DramStats, MemoryStats } from '../memory/memory-stats.js';
export type { HistoryContext, HistoryEnabled, HistoryStacks, TraceEntry } from '../memory/memory-history.js';
export type { MemorySnapshot, SnapshotBlock, SnapshotSegment } from '../memory/snapshot.js';
export type { Frame } from '../memory/stack-frames.js';
export type { OutOfMemoryObserver } from '../memory/out-of-memory.js';

/**
 * The allocator of `device` (default: current), or undefined before initialization; the
 * argument is checked either way.
 */
function allocatorOf(device: DeviceLike | null | undefined) {
  const index = resolveDevice(device);
  if (!runtime.initialized) return undefined;
  return runtime.device(index).allocator;
}

/**
 * The caching allocator's statistics for `device` (torch.mtia.memory_stats): PyTorch's flat
 * keys (`allocated_bytes.all.current`, ...) and MTIA's nested `dram`. `{}` before the devices
 * have started.
 */
export function memoryStats(device?: DeviceLike | null): Partial<MemoryStats> {
  const allocator = allocatorOf(device);
  return allocator === undefined ? {} : allocator.stats.toDict(allocator.heap.capacityBytes);
}

/** Bytes of device memory held by tensors now (torch.mtia.memory_allocated); 0 before init. */
export function memoryAllocated(device?: DeviceLike | null): number {
  return allocatorOf(device)?.stats.allocated_bytes[0].current ?? 0;
}

/** Most bytes held by tensors since start or resetPeakMemoryStats (torch.mtia.max_memory_allocated). */
export function maxMemoryAllocated(device?: DeviceLike | null): number {
  return allocatorOf(device)?.stats.allocated_bytes[0].peak ?? 0;
}

/** Bytes reserved by the caching allocator, in use or cached (torch.cuda.memory_reserved). */
export function memoryReserved(device?: DeviceLike | null): number {
  return allocatorOf(device)?.stats.reserved_bytes[0].current ?? 0;
}

/** Most bytes reserved since start or resetPeakMemoryStats (torch.cuda.max_memory_reserved). */
export function maxMemoryReserved(device?: DeviceLike | null): number {
  return allocatorOf(device)?.stats.reserved_bytes[0].peak ?? 0;
}

/** Sets every peak statistic of `device` to its current value (torch.mtia.reset_peak_memory_stats). */
export function resetPeakMemoryStats(device?: DeviceLike | null): void {
  allocatorOf(device)?.stats.resetPeaks();
}

/** [free, total] bytes of `device`'s memory, free meaning not reserved by the allocator (torch.cuda.mem_get_info). */
export function getMemoryInfo(device?: DeviceLike | null): [number, number] {
  const { heap } = runtime.device(resolveDevice(device)).allocator;
  return [heap.freeBytes, heap.capacityBytes];
}

/**
 * Returns every cached segment that no tensor uses and no stream can still touch to the
 * device (torch.mtia.empty_cache). Blocks freed on a stream that has not yet run the work
 * queued before the free stay cached: `await mtia.synchronize()` first to release everything.
 */
export function emptyCache(): void {
  if (!runtime.initialized) return;
  for (const device of runtime.allDevices()) device.allocator.emptyCache();
}

/**
 * Options of recordMemoryHistory: torch.mtia.record_memory_history's arguments (`enabled`,
 * `stacks`, `max_entries`) and CUDA's `context`.
 */
export interface RecordMemoryHistoryOptions {
  /** 'all' (default): trace events and stacks; 'state': stacks of live blocks only; null: stop and clear. */
  enabled?: HistoryEnabled;
  /**
   * When stacks are kept (torch.cuda.memory._record_memory_history's `context`; MTIA's has
   * none): 'all' (default) on allocations and frees, 'alloc' on allocations, 'state' for live
   * blocks only, null never.
   */
  context?: HistoryContext;
  /**
   * 'python' (default), 'cpp' or 'all': JavaScript frames stand for Python's, and there are no
   * others, so all three record the same JavaScript stack.
   */
  stacks?: HistoryStacks;
  /** Most trace entries kept per device, newest win; 0 (default) keeps all. */
  maxEntries?: number;
}

/**
 * Starts, changes or stops recording allocation history on every device
 * (torch.mtia.record_memory_history). Called before the devices have started, it does not
 * start them: the setting is queued and applied when they start, before their first
 * allocation (as PyTorch's memory tutorials call it before any CUDA work). Bad arguments
 * throw at the call either way.
 */
export function recordMemoryHistory(options: RecordMemoryHistoryOptions = {}): void {
  checkOptions('recordMemoryHistory', options, ['enabled', 'context', 'stacks', 'maxEntries']);
  const { enabled = 'all', context = 'all', stacks = 'python', maxEntries = 0 } = options;
  checkHistoryOptions(enabled, context, stacks, maxEntries);
  const apply = () => {
    for (const device of runtime.allDevices()) device.allocator.history.configure(enabled, maxEntries, context);
  };
  if (runtime.initialized) apply();
  else runtime.lazyCalls.add('call', apply, callerStack(recordMemoryHistory));
}

/**
 * The memory state of every device in PyTorch's snapshot format (torch.mtia.snapshot):
 * `segments` with their blocks and `device_traces` (one list per device). Before the devices
 * have started, both are empty.
 */
export function snapshot(): MemorySnapshot {
  return buildSnapshot(runtime.initialized ? runtime.allDevices().map((device) => device.allocator) : []);
}

/** Writes `data` to `path` (Node only). */
async function writeFile(path: string, data: string | Uint8Array): Promise<void> {
  if (!isNode) {
    throw new MtiaError(
      "dumpSnapshot(path) writes files and needs Node.js; in a browser use dumpSnapshot('json') or dumpSnapshot('pickle') and offer the result as a download",
    );
  }
  const { writeFile: write } = await import('node:fs/promises');
  await write(path, data);
}

/** A snapshot as JSON text. */
export function dumpSnapshot(format: 'json'): string;
/** A snapshot as protocol-4 pickle bytes. */
export function dumpSnapshot(format: 'pickle'): Uint8Array;
/**
 * Writes a snapshot to `path` (default 'dump_snapshot.pickle', as torch.cuda.memory._dump_snapshot):
 * JSON if the name ends in .json, else a protocol-4 pickle. Drop a pickle on pytorch.org/memory_viz
 * (its MemoryViz.js only unpickles: a .json file fails there with `UNKNOWN OPCODE: 123`).
 */
export function dumpSnapshot(path?: string): Promise<void>;
export function dumpSnapshot(target = 'dump_snapshot.pickle'): string | Uint8Array | Promise<void> {
  if (typeof target !== 'string') {
    throw new TypeError(`dumpSnapshot(): expected a path, 'json' or 'pickle', but got: ${String(target)}`);
  }
  // PyTorch's _dump_snapshot(filename) takes any name as a file name; here 'json' and 'pickle'
  // name formats, so another spelling of them is taken for a slip rather than written as a file.
  const format = target.trim().toLowerCase();
  if ((format === 'json' || format === 'pickle') && target !== format) {
    throw new ValueError(
      `dumpSnapshot(): '${target}' is not a format: the formats are 'json' and 'pickle', in lower case; ` +
        `to write a file of that name, pass a path such as './${target.trim()}'`,
    );
  }
  if (target.trim() === '') throw new ValueError("dumpSnapshot(): the path is empty; pass a file name, 'json' or 'pickle'");
  const taken = snapshot();
  if (target === 'json') return snapshotToJson(taken);
  if (target === 'pickle') return snapshotToPickle(taken);
  return writeFile(target, target.toLowerCase().endsWith('.json') ? snapshotToJson(taken) : snapshotToPickle(taken));
}

/**
 * Registers `observer` to be called as `(device, alloc, total, free)` when an allocation fails
 * for good, after the 'oom' trace entry and before OutOfMemoryError is thrown
 * (torch.mtia.attach_out_of_memory_observer). It may call snapshot(). Observers accumulate;
 * they may be attached before the devices start.
 */
export function attachOutOfMemoryObserver(observer: OutOfMemoryObserver): void {
  if (typeof observer !== 'function') {
    throw new TypeError(`attachOutOfMemoryObserver(): observer must be a function, but got: ${String(observer)}`);
  }
  outOfMemoryObservers.push(observer);
}
