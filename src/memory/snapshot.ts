// Memory snapshots in PyTorch's shape (torch.cuda.memory._snapshot; pytorch/pytorch
// torch/cuda/memory.py and THCPModule_memorySnapshot in torch/csrc/cuda/Module.cpp): every
// device's segments with their blocks in address order, and each device's trace. Written as JSON
// or as a protocol-4 pickle (pickle.ts); pytorch.org/memory_viz opens the pickle only.

import type { CachingAllocator } from './caching-allocator.js';
import type { TraceEntry } from './memory-history.js';
import { pickleTuple, toPickle } from './pickle.js';
import { SMALL_POOL } from './memory-stats.js';
import { NO_FRAMES, settledFrames, type Frame } from './stack-frames.js';

/** A block of a snapshot segment. */
export interface SnapshotBlock {
  /** Segment address plus the sizes of the blocks before it. */
  readonly address: number;
  /** Bytes (rounded). */
  readonly size: number;
  /** Bytes the caller asked for; 0 for inactive blocks. */
  readonly requested_size: number;
  readonly state: 'active_allocated' | 'active_pending_free' | 'inactive';
  /** Stack of the allocation, if history was on; [] otherwise. */
  readonly frames: readonly Frame[];
}

/** A segment of a snapshot: one reservation from a device heap. */
export interface SnapshotSegment {
  readonly device: number;
  readonly address: number;
  readonly total_size: number;
  /** Bytes in allocated blocks. */
  readonly allocated_size: number;
  /** Bytes in allocated or pending-free blocks. */
  readonly active_size: number;
  /** Bytes requested by the callers of its active blocks. */
  readonly requested_size: number;
  /** Stream (slot) of the allocation that reserved it. */
  readonly stream: number;
  readonly segment_type: 'small' | 'large';
  /** Owning pool; (0, 0) is the default pool. A tuple in the pickle. */
  readonly segment_pool_id: readonly [number, number];
  readonly is_expandable: boolean;
  readonly frames: readonly Frame[];
  /** Contiguous blocks in address order; their sizes sum to total_size. */
  readonly blocks: readonly SnapshotBlock[];
}

/** What snapshot() returns: PyTorch's snapshot dict. */
export interface MemorySnapshot {
  /** Segments of every device, by device then address. */
  readonly segments: SnapshotSegment[];
  /** device_traces[i]: device i's trace entries, oldest first. */
  readonly device_traces: TraceEntry[][];
  /** The allocator's settings ("Allocator Settings" tab of the viewer). */
  readonly allocator_settings: Record<string, unknown>;
  /** User annotations (none are recorded yet). */
  readonly external_annotations: unknown[];
}

/** One device's segments in snapshot form, by address. */
function segmentsOf(allocator: CachingAllocator): SnapshotSegment[] {
  const segments = [...allocator.segments.values()].sort((a, b) => a.address - b.address);
  return segments.map((segment) => {
    const blocks: SnapshotBlock[] = [];
    let allocated = 0;
    let active = 0;
    let requested = 0;
    for (const block of segment.blocks()) {
      const state = block.state;
      if (state !== 'inactive') {
        active += block.size;
        requested += block.requestedSize;
        if (state === 'active_allocated') allocated += block.size;
      }
      blocks.push({ address: block.address, size: block.size, requested_size: block.requestedSize, state, frames: settledFrames(block.frames) });
    }
    return {
      device: allocator.device,
      address: segment.address,
      total_size: segment.size,
      allocated_size: allocated,
      active_size: active,
      requested_size: requested,
      stream: segment.stream,
      segment_type: segment.pool === SMALL_POOL ? 'small' : 'large',
      segment_pool_id: pickleTuple(...(segment.privatePool?.id ?? ([0, 0] as const))),
      is_expandable: false,
      frames: settledFrames(segment.frames),
      blocks,
    };
  });
}

/** @internal
 * The snapshot of `allocators` (index = device index). Each device with history 'all' gets a
 * 'snapshot' entry marking when it was taken (size: its active bytes), as PyTorch records.
 */
export function buildSnapshot(allocators: readonly CachingAllocator[]): MemorySnapshot {
  const segments: SnapshotSegment[] = [];
  const device_traces: TraceEntry[][] = [];
  let maxEntries = 0;
  let overflowed = false;
  for (const allocator of allocators) {
    const { history } = allocator;
    if (history.enabled === 'all') {
      history.record('snapshot', 0, allocator.stats.active_bytes[0].current, 0, NO_FRAMES);
    }
    segments.push(...segmentsOf(allocator));
    // Frames captured while a source map was loading are mapped now that it may have loaded.
    device_traces.push(history.entries().map((entry) => {
      const frames = settledFrames(entry.frames);
      return frames === entry.frames ? entry : { ...entry, frames };
    }));
    maxEntries = Math.max(maxEntries, history.maxEntries);
    overflowed ||= history.overflowed;
  }
  return {
    segments,
    device_traces,
    allocator_settings: {
      PYTORCH_MTIA_ALLOC_CONF: '',
      expandable_segments: false,
      garbage_collection_threshold: 0,
      max_split_size: -1,
      trace_alloc_max_entries: maxEntries,
      trace_alloc_overflowed: overflowed,
    },
    external_annotations: [],
  };
}

/** @internal The snapshot as JSON text (the newest viewer tries JSON first). */
export function snapshotToJson(snapshot: MemorySnapshot): string {
  return JSON.stringify(snapshot);
}

/** @internal The snapshot as a protocol-4 pickle (what torch.cuda.memory._dump_snapshot writes). */
export function snapshotToPickle(snapshot: MemorySnapshot): Uint8Array {
  return toPickle(snapshot);
}
