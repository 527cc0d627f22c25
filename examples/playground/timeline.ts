// The stream and engine timeline: per device, one row per stream the run used and one per
// compute engine, every op (mtia.profiler.opStats()) a bar from its startNs to its endNs of
// simulated device time. An op appears twice: on its stream's row and on the row of its compute
// engine (OpStats.engine; host copies on a PCIe row per direction). Each device has its own
// clock; the rows share one axis from the earliest start to the latest end of the run.
// Event records and waits (the trace's flows, trace-reading.ts) are drawn as Perfetto draws
// them: an arrow from each record to each wait for it, and the wait itself as a thin line on the
// waiting stream's row from when the wait was enqueued to when the record let it go.
// Hover a bar for its summary; click it to select it (onSelect). The time axis is a TimeView
// (time-view.ts) shared with the memory chart: wheel zooms, Shift+wheel or a drag scrolls, a
// double-click shows the whole run again.

import type { mtia } from 'mtia-sim';
import { svgElement, svgText } from './svg.js';
import { attachTimeControls, chartWidth, drawTicks, plotGeometry, timeToX, type TimeView } from './time-view.js';
import type { EventFlow, EventMark } from './trace-reading.js';
import { formatNs } from './units.js';

const ROW_HEIGHT = 18;
const DEVICE_HEADER = 20;
const AXIS_HEIGHT = 22;

/** Engine rows in display order, with their labels. */
const ENGINE_ROWS: readonly { key: string; label: string }[] = [
  { key: 'dpe', label: 'DPE (dot product)' },
  { key: 'se', label: 'SE (SIMD)' },
  { key: 're', label: 'RE (reduction)' },
  { key: 'mlu', label: 'MLU (layout)' },
  { key: 'pcie-h2d', label: 'PCIe host→dev' },
  { key: 'pcie-d2h', label: 'PCIe dev→host' },
];

/** The engine row of `op`, or null for queue operations. */
function engineRow(op: mtia.OpStats): string | null {
  if (op.engine === 'none') return null;
  if (op.engine === 'pcie') return op.name === 'copy_d2h' ? 'pcie-d2h' : 'pcie-h2d';
  return op.engine;
}

/** An op's name, after its label when it has one (an ONNX node's name, a recordFunction scope): 'layer1/MatMul (matmul)'. */
export function opTitle(op: mtia.OpStats): string {
  return op.label === undefined ? op.name : `${op.label} (${op.name})`;
}

/** The one-line summary of an op shown on hover. */
export function opSummary(op: mtia.OpStats): string {
  const shapes = op.shapes.map((s) => `[${s.join('×')}]`).join(' ');
  return `${opTitle(op)} ${shapes} ${op.dtype} on mtia:${op.device} stream ${op.stream}: ${formatNs(op.endNs - op.startNs)}, ${op.bound}-bound`;
}

/** What the timeline draws besides the ops. */
export interface TimelineExtras {
  /** The time axis, shared with the memory chart. */
  readonly view: TimeView;
  /** Event records and their waits (eventFlows() of the run's trace). */
  readonly flows: readonly EventFlow[];
}

/**
 * Draws the timeline of `ops` into `container`, and again whenever `view` changes; clicking a
 * bar calls onSelect with its index in `ops`. Returns a function that stops the redrawing.
 */
export function renderTimeline(
  container: HTMLElement, ops: readonly mtia.OpStats[], onSelect: (index: number) => void, { view, flows }: TimelineExtras,
): () => void {
  container.replaceChildren();
  container.onclick = null;
  if (ops.length === 0) {
    container.textContent = 'No ops were recorded.';
    return () => {};
  }
  const redraw = () => draw(container, ops, flows, view);
  redraw();
  container.onclick = (event) => {
    const index = (event.target as Element).getAttribute('data-op');
    if (index !== null) onSelect(Number(index));
  };
  return view.onChange(redraw);
}

/** The label of a stream's row. */
function streamLabel(stream: number): string {
  return stream === 0 ? 'stream 0 (default)' : `stream ${stream}`;
}

/** Draws `ops` and `flows` over the part of simulated time `view` shows. */
function draw(container: HTMLElement, ops: readonly mtia.OpStats[], flows: readonly EventFlow[], view: TimeView): void {
  const selected = container.dataset.selected;
  container.replaceChildren();
  const width = chartWidth(container);
  const { left, plotWidth } = plotGeometry(width);
  const { t0, t1 } = view.range;
  const x = timeToX(view, width);

  // Rows: per device its streams (those of ops and of event marks), then the engines it used.
  const marks = flows.flatMap((f) => [f.record, ...f.waits]);
  const devices = [...new Set([...ops.map((op) => op.device), ...marks.map((m) => m.device)])].sort((a, b) => a - b);
  const rowY = new Map<string, number>();
  let y = AXIS_HEIGHT;
  const layout: { kind: 'device' | 'row'; label: string; y: number }[] = [];
  for (const device of devices) {
    const mine = ops.filter((op) => op.device === device);
    layout.push({ kind: 'device', label: `mtia:${device}`, y });
    y += DEVICE_HEADER;
    const streams = new Set([...mine.map((op) => op.stream), ...marks.filter((m) => m.device === device).map((m) => m.stream)]);
    for (const stream of [...streams].sort((a, b) => a - b)) {
      rowY.set(`${device}/stream/${stream}`, y);
      layout.push({ kind: 'row', label: streamLabel(stream), y });
      y += ROW_HEIGHT;
    }
    const used = new Set(mine.map(engineRow));
    for (const { key, label } of ENGINE_ROWS) {
      if (!used.has(key)) continue;
      rowY.set(`${device}/engine/${key}`, y);
      layout.push({ kind: 'row', label, y });
      y += ROW_HEIGHT;
    }
  }
  const height = y + 4;

  const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'timeline-svg', role: 'img' }, container);
  svgElement('title', {}, svg).textContent = 'Stream and engine timeline of the run, simulated device time (wheel: zoom, Shift+wheel or drag: scroll, double-click: whole run)';
  const defs = svgElement('defs', {}, svg);
  const clip = svgElement('clipPath', { id: 'timeline-plot' }, defs);
  svgElement('rect', { x: left, y: 0, width: plotWidth + 1, height }, clip);
  const arrowHead = svgElement('marker', { id: 'flow-arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  svgElement('path', { d: 'M0,0 L8,4 L0,8 z', class: 'flow-head' }, arrowHead);
  drawTicks(svg, view, x, plotWidth, AXIS_HEIGHT - 4, height, AXIS_HEIGHT - 8);
  for (const row of layout) {
    if (row.kind === 'device') {
      svgElement('rect', { x: 0, y: row.y + 2, width, height: DEVICE_HEADER - 4, class: 'device-band' }, svg);
      svgText(row.label, { x: 4, y: row.y + DEVICE_HEADER / 2 + 4, class: 'device-label' }, svg);
    } else {
      svgElement('line', { x1: 0, x2: width, y1: row.y + ROW_HEIGHT, y2: row.y + ROW_HEIGHT, class: 'row-line' }, svg);
      svgText(row.label, { x: 10, y: row.y + ROW_HEIGHT / 2 + 4, class: 'row-label' }, svg);
    }
  }
  // Bars, clipped to the plot.
  const plot = svgElement('g', { 'clip-path': 'url(#timeline-plot)' }, svg);
  ops.forEach((op, index) => {
    if (op.endNs < t0 || op.startNs > t1) return;
    const barLeft = x(op.startNs);
    const barWidth = Math.max(1, x(op.endNs) - barLeft);
    const engine = engineRow(op);
    const rows = [`${op.device}/stream/${op.stream}`, ...(engine === null ? [] : [`${op.device}/engine/${engine}`])];
    for (const key of rows) {
      const top = rowY.get(key);
      if (top === undefined) continue;
      const bar = svgElement('rect', {
        x: barLeft, y: top + 3, width: barWidth, height: ROW_HEIGHT - 6,
        class: `op-bar engine-${engine ?? 'none'}`, 'data-op': index,
      }, plot);
      svgElement('title', {}, bar).textContent = opSummary(op);
    }
  });
  drawFlows(plot, flows, rowY, x);
  if (selected !== undefined) markSelected(container, Number(selected));
  attachTimeControls(svg, view, width);
}

/** The middle of mark `m`'s stream row, or undefined if it has none. */
function rowMiddle(rowY: ReadonlyMap<string, number>, m: EventMark): number | undefined {
  const top = rowY.get(`${m.device}/stream/${m.stream}`);
  return top === undefined ? undefined : top + ROW_HEIGHT / 2;
}

/**
 * Each wait as a thin line on its stream's row (enqueued → released) and an arrow from its
 * record (when the record completed) to its release, as Perfetto joins flow events.
 */
function drawFlows(plot: SVGGElement, flows: readonly EventFlow[], rowY: ReadonlyMap<string, number>, x: (ns: number) => number): void {
  for (const { flow, record, waits } of flows) {
    const fromY = rowMiddle(rowY, record);
    if (fromY === undefined) continue;
    const fromX = x(record.endNs);
    const tick = svgElement('line', { x1: fromX, x2: fromX, y1: fromY - 6, y2: fromY + 6, class: 'event-record', 'data-flow': flow }, plot);
    svgElement('title', {}, tick).textContent = `event record on mtia:${record.device} stream ${record.stream} at ${formatNs(record.endNs)}`;
    for (const wait of waits) {
      const toY = rowMiddle(rowY, wait);
      if (toY === undefined) continue;
      const toX = x(wait.endNs);
      if (wait.endNs > wait.startNs) {
        const span = svgElement('line', { x1: x(wait.startNs), x2: toX, y1: toY, y2: toY, class: 'event-wait' }, plot);
        svgElement('title', {}, span).textContent = `stream ${wait.stream} waits for the event recorded on stream ${record.stream}: ${formatNs(wait.endNs - wait.startNs)}`;
      }
      // A curve leaving the record's row and arriving on the wait's row, horizontally at both ends.
      const bend = Math.max(12, Math.abs(toX - fromX) / 2);
      const arrow = svgElement('path', {
        d: `M${fromX},${fromY} C${fromX + bend},${fromY} ${toX - bend},${toY} ${toX},${toY}`,
        class: 'flow-arrow', 'marker-end': 'url(#flow-arrow)', 'data-flow': flow,
      }, plot);
      svgElement('title', {}, arrow).textContent =
        `event recorded on mtia:${record.device} stream ${record.stream} at ${formatNs(record.endNs)} → waited for on stream ${wait.stream}, released at ${formatNs(wait.endNs)}`;
    }
  }
}

/** Marks the bars of op `index` as selected (and no others). */
export function markSelected(container: HTMLElement, index: number): void {
  container.dataset.selected = String(index);
  for (const bar of container.querySelectorAll('.op-bar.selected')) bar.classList.remove('selected');
  for (const bar of container.querySelectorAll(`.op-bar[data-op="${index}"]`)) bar.classList.add('selected');
}
