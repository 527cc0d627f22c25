// The torch.mtia surface, exported from the package as the `mtia` namespace.

export { configure, init, isAvailable, isInitialized, shutdown, type ConfigureOptions } from './lifecycle.js';
export {
  currentDevice, device, DeviceContext, deviceCount, getDeviceCapability, getDeviceProperties,
  isBf16Supported, setDevice, synchronize, withDevice, type DeviceProperties,
} from './devices.js';
export {
  profiles, type CustomProfile, type HardwareProfile, type ProfileName, type SystolicArray, type SystolicDataflow,
} from '../profiles.js';
export {
  attachOutOfMemoryObserver, dumpSnapshot, emptyCache, getMemoryInfo, maxMemoryAllocated, maxMemoryReserved,
  memoryAllocated, memoryReserved, memoryStats, recordMemoryHistory, resetPeakMemoryStats, snapshot,
  type DramStats, type Frame, type HistoryEnabled, type HistoryStacks, type MemorySnapshot, type MemoryStats,
  type HistoryContext, type OutOfMemoryObserver, type RecordMemoryHistoryOptions, type SnapshotBlock, type SnapshotSegment, type TraceEntry,
} from './memory.js';
export { Stream, type StreamOptions } from './stream.js';
export { Event, type EventOptions } from './event.js';
export {
  defaultGenerators, Generator, getRngState, getRngStateAll, initialSeed, manualSeed, manualSeedAll, seed, seedAll,
  setRngState, setRngStateAll,
} from './random.js';
export { DeferredMtiaCallError } from '../errors.js';
export { currentStream, defaultStream, setStream, stream, StreamContext, withStream } from './stream-context.js';
export {
  graph, GraphContext, graphPoolHandle, isCurrentStreamCapturing, MTIAGraph, type GraphOptions, type MTIAGraphOptions,
  type PoolHandle,
} from './graph.js';
export { sanitizer, StreamRaceError, type StreamAccess } from '../runtime/stream-sanitizer.js';
export * as debug from './debug.js';
export { profiler } from '../profiler/profiler.js';
export type { OpBound, OpBytes, OpCycles, OpEngine, OpStats, OpSystolic, OpTile, OpTimeParts } from '../profiler/op-stats.js';
export type { ChromeTrace, ChromeTraceDevice, ChromeTraceEvent } from '../profiler/chrome-trace.js';
export type { OpEnergy, OpEnergyComponents, RunEnergy } from '../profiler/energy.js';
export * as scalesim from '../scalesim/index.js';
export type { ChromeTraceFile } from '../profiler/profiler.js';
