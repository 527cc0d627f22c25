// Checks of a memory snapshot that pytorch.org/memory_viz relies on: segments tiled by
// contiguous blocks, and a trace that, replayed backwards from the final state (as the viewer's
// "Allocator State History" does, torch/utils/viz/MemoryViz.js), ends at an empty allocator.

import type { MemorySnapshot } from '../../src/memory/snapshot.js';

/** Problems with the segments of `snapshot` (empty when it is well formed). */
export function segmentProblems(snapshot: MemorySnapshot): string[] {
  const problems: string[] = [];
  for (const segment of snapshot.segments) {
    let address = segment.address;
    let allocated = 0;
    let active = 0;
    let requested = 0;
    for (const block of segment.blocks) {
      if (block.address !== address) problems.push(`block at ${block.address} should start at ${address}`);
      if (block.size <= 0 || block.size % 512 !== 0) problems.push(`block at ${block.address} has size ${block.size}`);
      if (block.state !== 'inactive') {
        active += block.size;
        requested += block.requested_size;
        if (block.requested_size > block.size) problems.push(`block at ${block.address} requested more than its size`);
      }
      if (block.state === 'active_allocated') allocated += block.size;
      address += block.size;
    }
    if (address !== segment.address + segment.total_size) {
      problems.push(`segment at ${segment.address}: blocks sum to ${address - segment.address}, not ${segment.total_size}`);
    }
    if (segment.allocated_size !== allocated || segment.active_size !== active || segment.requested_size !== requested) {
      problems.push(`segment at ${segment.address}: sizes do not match its blocks`);
    }
  }
  return problems;
}

/**
 * Replays `device_traces[device]` backwards from the snapshot's state; returns the problems
 * found (an event the state contradicts, or anything left at the start).
 */
export function replayProblems(snapshot: MemorySnapshot, device: number): string[] {
  const problems: string[] = [];
  const segments = new Map<number, number>();
  const blocks = new Map<number, { size: number; pending: boolean }>();
  for (const segment of snapshot.segments) {
    if (segment.device !== device) continue;
    segments.set(segment.address, segment.total_size);
    for (const block of segment.blocks) {
      if (block.state === 'inactive') continue;
      blocks.set(block.address, { size: block.requested_size, pending: block.state === 'active_pending_free' });
    }
  }
  const trace = snapshot.device_traces[device] ?? [];
  for (let i = trace.length - 1; i >= 0; i--) {
    const { action, addr, size } = trace[i]!;
    const block = addr === undefined ? undefined : blocks.get(addr);
    const where = `entry ${i} (${action} at ${addr})`;
    switch (action) {
      case 'alloc':
        if (block === undefined || block.pending || block.size !== size) problems.push(`${where}: no such allocated block`);
        blocks.delete(addr!);
        break;
      case 'free_requested':
        if (block === undefined || !block.pending) problems.push(`${where}: no such pending block`);
        else block.pending = false;
        break;
      case 'free_completed':
        if (block !== undefined) problems.push(`${where}: the block is still active`);
        blocks.set(addr!, { size, pending: true });
        break;
      case 'segment_alloc':
        if (segments.get(addr!) !== size) problems.push(`${where}: no such segment`);
        for (const blockAddress of blocks.keys()) {
          if (blockAddress >= addr! && blockAddress < addr! + size) problems.push(`${where}: the segment still has blocks`);
        }
        segments.delete(addr!);
        break;
      case 'segment_free':
        if (segments.has(addr!)) problems.push(`${where}: the segment exists`);
        segments.set(addr!, size);
        break;
      case 'oom':
      case 'snapshot':
        break;
    }
  }
  if (segments.size > 0) problems.push(`${segments.size} segments left at the start of the trace`);
  if (blocks.size > 0) problems.push(`${blocks.size} blocks left at the start of the trace`);
  return problems;
}
