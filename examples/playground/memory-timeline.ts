// The memory timeline: each device's allocated and reserved bytes over the run, replayed from
// its memory history (mtia.recordMemoryHistory({ enabled: 'all' }) before the script,
// mtia.snapshot().device_traces after it), as pytorch.org/memory_viz replays a trace. The
// x axis is the allocator's events in order (host issue order, not simulated time: the
// allocator runs on the host when ops are issued). Reserved follows segment_alloc and
// segment_free (segment sizes, as memoryReserved() counts them); allocated follows alloc and
// free_requested with the bytes each tensor asked for (the trace's sizes; memoryAllocated()
// counts the same blocks rounded up to the allocator's block size). Other entries (free_completed,
// oom, snapshot markers) change neither and are left out.

import type { mtia } from 'mtia-sim';
import { svgElement, svgText } from './svg.js';
import { formatBytes } from './units.js';

/** One device's series: after event i, allocated[i] and reserved[i] bytes. */
export interface MemorySeries {
  readonly device: number;
  readonly allocated: Float64Array;
  readonly reserved: Float64Array;
}

/** The trace actions that change allocated or reserved bytes; the x axis counts these. */
const MEMORY_ACTIONS = new Set(['alloc', 'free_requested', 'segment_alloc', 'segment_free']);

/** Replays one device's trace entries into its series. */
export function replayTrace(device: number, trace: readonly mtia.TraceEntry[]): MemorySeries {
  const entries = trace.filter((entry) => MEMORY_ACTIONS.has(entry.action));
  const allocated = new Float64Array(entries.length + 1);
  const reserved = new Float64Array(entries.length + 1);
  let a = 0;
  let r = 0;
  entries.forEach((entry, i) => {
    const size = entry.size;
    if (entry.action === 'alloc') a += size;
    else if (entry.action === 'free_requested') a -= size;
    else if (entry.action === 'segment_alloc') r += size;
    else if (entry.action === 'segment_free') r -= size;
    allocated[i + 1] = a;
    reserved[i + 1] = r;
  });
  return { device, allocated, reserved };
}

/** Draws every device's series from `snapshot` into `container`. */
export function renderMemoryTimeline(container: HTMLElement, snapshot: mtia.MemorySnapshot): void {
  container.replaceChildren();
  const series = snapshot.device_traces.map((entries, device) => replayTrace(device, entries))
    .filter((s) => s.reserved.some((bytes) => bytes > 0));
  if (series.length === 0) {
    container.textContent = 'No allocator events were recorded.';
    return;
  }
  const width = Math.max(320, container.clientWidth || 420);
  const plotHeight = 84;
  const left = 64;
  for (const s of series) {
    const peak = Math.max(1, ...s.reserved, ...s.allocated);
    const height = plotHeight + 30;
    const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'memory-svg', role: 'img' }, container);
    svgElement('title', {}, svg).textContent = `mtia:${s.device}: allocated and reserved bytes after each allocator event`;
    const n = s.allocated.length - 1;
    const x = (i: number) => left + (i / Math.max(n, 1)) * (width - left - 8);
    const y = (bytes: number) => 16 + plotHeight - (bytes / peak) * plotHeight;
    // A step line through each event.
    const steps = (values: Float64Array) =>
      Array.from(values, (v, i) => (i === 0 ? `${x(0)},${y(v)}` : `${x(i)},${y(values[i - 1]!)} ${x(i)},${y(v)}`)).join(' ');
    svgElement('line', { x1: left, x2: width - 8, y1: y(0), y2: y(0), class: 'row-line' }, svg);
    svgElement('polyline', { points: steps(s.reserved), class: 'memory-reserved' }, svg);
    svgElement('polyline', { points: steps(s.allocated), class: 'memory-allocated' }, svg);
    svgText(`mtia:${s.device}`, { x: 4, y: 12, class: 'device-label' }, svg);
    svgText(formatBytes(peak), { x: 4, y: y(peak) + 12, class: 'axis-label' }, svg);
    svgText('0', { x: 4, y: y(0), class: 'axis-label' }, svg);
    svgText(`${n} allocator events →`, { x: left, y: height - 2, class: 'axis-label' }, svg);
  }
}
