// Memory history of one device: the trace entries of torch.cuda.memory._record_memory_history
// (pytorch/pytorch torch/cuda/memory.py; TraceEntry of c10/cuda/CUDACachingAllocator.h) in a ring
// buffer, and whether allocations carry stack frames. The caching allocator calls record() where it
// does the work.

import { MtiaError } from '../errors.js';
import { captureFrames, NO_FRAMES, type Frame } from './stack-frames.js';

/** What recordMemoryHistory keeps: 'all' = events and stacks; 'state' = stacks of live blocks only; null = nothing. */
export type HistoryEnabled = 'all' | 'state' | null;
/**
 * Which frames are recorded: 'python' (PyTorch: Python frames), 'cpp' (C++ frames) or 'all'
 * (both). JavaScript frames stand for the Python ones and there are no others, so all three
 * record the same JavaScript stack.
 */
export type HistoryStacks = 'python' | 'cpp' | 'all';
/**
 * When stacks are kept (CUDA's `context`): 'state' for live blocks only, 'alloc' also on
 * allocation events, 'all' also on free events, null never.
 */
export type HistoryContext = 'state' | 'alloc' | 'all' | null;

/** Trace actions that free, which carry frames only with context 'all'. */
const freeActions: ReadonlySet<TraceAction> = new Set(['free_requested', 'free_completed', 'segment_free']);

/** The trace actions the simulator records (a subset of PyTorch's: no expandable segments). */
export type TraceAction = 'alloc' | 'free_requested' | 'free_completed' | 'segment_alloc' | 'segment_free' | 'oom' | 'snapshot';

/** One entry of `device_traces[device]`, in PyTorch's shape. */
export interface TraceEntry {
  readonly action: TraceAction;
  /** Block or segment address; absent for 'oom'. */
  readonly addr?: number;
  /** For 'oom' only: bytes the device heap still had free. */
  readonly device_free?: number;
  /** Bytes: the block or segment size; for 'oom' the allocation that failed. */
  readonly size: number;
  /** The stream (its slot on the device). */
  readonly stream: number;
  /** Wall-clock time in microseconds since the Unix epoch. */
  readonly time_us: number;
  /** The user's stack when the entry was recorded (innermost first); [] if not captured. */
  readonly frames: readonly Frame[];
}

/** @internal Wall-clock microseconds, as an integer (PyTorch's time_us). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** @internal Checks recordMemoryHistory's arguments; PyTorch's texts (torch/csrc/cuda/memory_snapshot.cpp). */
export function checkHistoryOptions(enabled: unknown, context: unknown, stacks: unknown, maxEntries: unknown): void {
  if (enabled !== null && enabled !== 'all' && enabled !== 'state') {
    throw new MtiaError("expected state to be 'state', 'all', or None");
  }
  if (context !== null && context !== 'state' && context !== 'alloc' && context !== 'all') {
    throw new MtiaError("expected context to be 'state', 'alloc', 'all', or None");
  }
  // CUDA's text lists 'python' and 'all'; MTIA's documents 'python' and 'cpp' and its profiler passes 'all'.
  if (stacks !== 'python' && stacks !== 'cpp' && stacks !== 'all') {
    throw new MtiaError("expected stacks to be 'python', 'cpp', or 'all'");
  }
  if (typeof maxEntries !== 'number' || !Number.isSafeInteger(maxEntries) || maxEntries < 0) {
    throw new MtiaError(`maxEntries must be a non-negative integer (0 for no limit), but got: ${String(maxEntries)}`);
  }
}

/** @internal The history of one device's allocator. */
export class MemoryHistory {
  /** 'all', 'state' or null (off). */
  enabled: HistoryEnabled = null;
  /** When stacks are kept ('all' by default, as CUDA's context). */
  context: HistoryContext = 'all';
  /** Most entries kept; 0 keeps every entry. */
  maxEntries = 0;
  /** Entries; once `maxEntries` is reached, a ring whose oldest entry is at `next`. */
  private ring: TraceEntry[] = [];
  private next = 0;
  /** True once an entry has been overwritten (the viewer's trace_alloc_overflowed). */
  overflowed = false;

  /** True when allocations should capture stacks (history is on and its context keeps any). */
  get capturesFrames(): boolean {
    return this.enabled !== null && this.context !== null;
  }

  /**
   * Starts, changes or stops recording. null stops and clears the history; changing the
   * setting while enabled keeps it (PyTorch PR #120436). 'state' records no events.
   */
  configure(enabled: HistoryEnabled, maxEntries: number, context: HistoryContext = 'all'): void {
    if (enabled === null) {
      this.ring = [];
      this.next = 0;
      this.overflowed = false;
    } else if (maxEntries !== this.maxEntries) {
      const entries = this.entries();
      this.ring = maxEntries > 0 && entries.length > maxEntries ? entries.slice(entries.length - maxEntries) : entries;
      this.next = 0;
      this.overflowed ||= entries.length > this.ring.length;
    }
    this.enabled = enabled;
    this.context = context;
    this.maxEntries = maxEntries;
  }

  /** The caller's stack, if any history is on. */
  frames(): readonly Frame[] {
    return this.capturesFrames ? captureFrames() : NO_FRAMES;
  }

  /** Appends a trace entry (only with enabled: 'all'); `addr` is device_free for 'oom'. */
  record(action: TraceAction, addr: number, size: number, stream: number, blockFrames: readonly Frame[]): void {
    if (this.enabled !== 'all') return;
    const { context } = this;
    const frames = context === 'all' || (context === 'alloc' && !freeActions.has(action)) ? blockFrames : NO_FRAMES;
    const time_us = nowMicros();
    const entry: TraceEntry = action === 'oom'
      ? { action, device_free: addr, size, stream, time_us, frames }
      : { action, addr, size, stream, time_us, frames };
    const { ring, maxEntries } = this;
    if (maxEntries === 0 || ring.length < maxEntries) {
      ring.push(entry);
    } else {
      ring[this.next] = entry;
      this.next = (this.next + 1) % maxEntries;
      this.overflowed = true;
    }
  }

  /** The entries, oldest first. */
  entries(): TraceEntry[] {
    const { ring, next } = this;
    return next === 0 ? ring.slice() : ring.slice(next).concat(ring.slice(0, next));
  }
}
