// The memory chart: each device's allocated and reserved bytes over the run's simulated time,
// on the timeline's time axis (the same TimeView, left margin and plot width, so it lines up
// with the timeline above it and zooms and scrolls with it). The bytes are the run's Chrome
// trace's `memory` counter (trace-reading.ts), the one Perfetto draws: the caching allocator's
// allocated_bytes and reserved_bytes (memoryAllocated(), memoryReserved()) when each op was
// issued, from the op's start until the next sample. The allocator runs on the host as ops are
// issued, so a tensor freed after its last op was issued shows as free from the next op's start.
// Hover: the time, both byte counts, and the op whose issue the sample was taken at.

import { svgElement, svgText } from './svg.js';
import { attachTimeControls, chartWidth, drawTicks, plotGeometry, timeAt, timeToX, type TimeView } from './time-view.js';
import { sampleAt, type MemorySample } from './trace-reading.js';
import { formatBytes, formatNs } from './units.js';

const PLOT_HEIGHT = 84;
const TOP = 16;
const HEIGHT = PLOT_HEIGHT + TOP + 14;

/**
 * The points of a step line through `samples` (sorted by time) of `bytes`, from the view's start
 * to `endNs` (the run's end), clipped to what is in view.
 */
export function stepPoints(
  samples: readonly MemorySample[], bytes: (s: MemorySample) => number, endNs: number,
  x: (ns: number) => number, y: (bytes: number) => number, range: { t0: number; t1: number },
): string {
  const points: string[] = [];
  const clamp = (ns: number) => Math.min(Math.max(ns, range.t0), range.t1);
  const before = sampleAt(samples, range.t0);
  let level = before === undefined ? 0 : bytes(before);
  points.push(`${x(range.t0)},${y(level)}`);
  for (const sample of samples) {
    if (sample.timeNs <= range.t0) continue;
    if (sample.timeNs > range.t1) break;
    const at = x(clamp(sample.timeNs));
    points.push(`${at},${y(level)}`);
    level = bytes(sample);
    points.push(`${at},${y(level)}`);
  }
  points.push(`${x(clamp(Math.max(endNs, range.t0)))},${y(level)}`);
  return points.join(' ');
}

/**
 * Draws each device's memory from `samples` (memorySamples() of the run's trace) into
 * `container` over `view`, and again whenever `view` changes. Returns a function that stops it.
 */
export function renderMemoryTimeline(container: HTMLElement, samples: ReadonlyMap<number, readonly MemorySample[]>, view: TimeView, note?: string): () => void {
  container.replaceChildren();
  const devices = [...samples.keys()].sort((a, b) => a - b).filter((d) => samples.get(d)!.some((s) => s.reservedBytes > 0));
  if (devices.length === 0) {
    container.textContent = note ?? 'No memory was in use while the profiler ran.';
    return () => {};
  }
  const redraw = () => {
    container.replaceChildren();
    for (const device of devices) drawDevice(container, device, samples.get(device)!, view);
  };
  redraw();
  return view.onChange(redraw);
}

/** One device's chart, with its hover readout. */
function drawDevice(container: HTMLElement, device: number, samples: readonly MemorySample[], view: TimeView): void {
  const width = chartWidth(container);
  const { left, plotWidth } = plotGeometry(width);
  const peak = Math.max(1, ...samples.map((s) => Math.max(s.reservedBytes, s.allocatedBytes)));
  const x = timeToX(view, width);
  const y = (bytes: number) => TOP + PLOT_HEIGHT - (bytes / peak) * PLOT_HEIGHT;
  const wrap = document.createElement('div');
  wrap.className = 'memory-chart';
  wrap.dataset.device = String(device);
  container.appendChild(wrap);
  const svg = svgElement('svg', { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, class: 'memory-svg', role: 'img' }, wrap);
  svgElement('title', {}, svg).textContent = `mtia:${device}: allocated and reserved bytes over simulated time, as each op was issued`;
  const clipId = `memory-plot-${device}`;
  svgElement('rect', { x: left, y: 0, width: plotWidth + 1, height: HEIGHT }, svgElement('clipPath', { id: clipId }, svgElement('defs', {}, svg)));
  drawTicks(svg, view, x, plotWidth, TOP, TOP + PLOT_HEIGHT);
  svgElement('line', { x1: left, x2: left + plotWidth, y1: y(0), y2: y(0), class: 'axis-line' }, svg);
  const plot = svgElement('g', { 'clip-path': `url(#${clipId})` }, svg);
  const endNs = view.full.t1;
  svgElement('polyline', { points: stepPoints(samples, (s) => s.reservedBytes, endNs, x, y, view.range), class: 'memory-reserved' }, plot);
  svgElement('polyline', { points: stepPoints(samples, (s) => s.allocatedBytes, endNs, x, y, view.range), class: 'memory-allocated' }, plot);
  svgText(`mtia:${device}`, { x: 4, y: 12, class: 'device-label' }, svg);
  svgText(formatBytes(peak), { x: left - 6, y: y(peak) + 4, class: 'axis-label end' }, svg);
  svgText('0 B', { x: left - 6, y: y(0) + 4, class: 'axis-label end' }, svg);
  const cursor = svgElement('line', { x1: 0, x2: 0, y1: TOP - 4, y2: TOP + PLOT_HEIGHT, class: 'memory-cursor', visibility: 'hidden' }, svg);
  const readout = document.createElement('div');
  readout.className = 'memory-readout';
  readout.hidden = true;
  wrap.appendChild(readout);

  svg.addEventListener('pointermove', (event) => {
    const at = timeAt(view, svg, width, event.clientX);
    const sample = at === null ? undefined : sampleAt(samples, at);
    if (at === null) {
      cursor.setAttribute('visibility', 'hidden');
      readout.hidden = true;
      return;
    }
    const cx = x(at);
    cursor.setAttribute('x1', String(cx));
    cursor.setAttribute('x2', String(cx));
    cursor.setAttribute('visibility', 'visible');
    readout.hidden = false;
    readout.textContent = sample === undefined
      ? `${formatNs(at - view.full.t0)}: before the first op`
      : `${formatNs(at - view.full.t0)}: ${formatBytes(sample.allocatedBytes)} allocated, ${formatBytes(sample.reservedBytes)} reserved` +
        ` — as #${sample.opIndex} ${sample.op} was issued (stream ${sample.stream}, starts at ${formatNs(sample.timeNs - view.full.t0)})`;
    readout.dataset.timeNs = String(at);
    // Beside the cursor, kept inside the chart.
    readout.style.left = `${Math.min(cx + 8, width - readout.offsetWidth - 4)}px`;
  });
  svg.addEventListener('pointerleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    readout.hidden = true;
  });
  attachTimeControls(svg, view, width);
}
