// The stream and engine timeline: per device, one row per stream the run used and one per
// compute engine, every op (mtia.profiler.opStats()) a bar from its startNs to its endNs of
// simulated device time. An op appears twice: on its stream's row and on the row of its compute
// engine (OpStats.engine; host copies on a PCIe row per direction). Each device has its own
// clock; the rows share one axis from the earliest start to the latest end of the run.
// Hover a bar for its summary; click it to select it (onSelect). The mouse wheel zooms the time
// axis around the pointer; a double-click shows the whole run again.

import type { mtia } from 'mtia-sim';
import { svgElement, svgText } from './svg.js';
import { formatNs } from './units.js';

const LABEL_WIDTH = 118;
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

/** Round tick spacing: 1, 2 or 5 × 10^n, giving at most about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
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

/** Draws the timeline of `ops` into `container`; clicking a bar calls onSelect with its index in `ops`. */
export function renderTimeline(container: HTMLElement, ops: readonly mtia.OpStats[], onSelect: (index: number) => void): void {
  container.replaceChildren();
  if (ops.length === 0) {
    container.textContent = 'No ops were recorded.';
    return;
  }
  let start = Infinity;
  let end = -Infinity;
  for (const op of ops) {
    start = Math.min(start, op.startNs);
    end = Math.max(end, op.endNs);
  }
  const full = { t0: start, t1: Math.max(end, start + 1) };
  let view = full;
  const redraw = () => {
    draw(container, ops, full.t0, view, (next) => {
      // Zoom no further in than 10 ns across the plot, no further out than the whole run.
      const span = Math.min(full.t1 - full.t0, Math.max(10, next.t1 - next.t0));
      const t0 = Math.min(Math.max(full.t0, next.t0), full.t1 - span);
      view = { t0, t1: t0 + span };
      redraw();
    }, () => {
      view = full;
      redraw();
    });
  };
  redraw();
  container.onclick = (event) => {
    const index = (event.target as Element).getAttribute('data-op');
    if (index !== null) onSelect(Number(index));
  };
}

/** Draws `ops` over the simulated time `view`, ticks counted from `origin`; wheel zooms (calling zoom), double-click resets. */
function draw(
  container: HTMLElement, ops: readonly mtia.OpStats[], origin: number, view: { t0: number; t1: number },
  zoom: (next: { t0: number; t1: number }) => void, reset: () => void,
): void {
  const selected = container.dataset.selected;
  container.replaceChildren();
  const width = Math.max(640, container.clientWidth || 960);
  const plotWidth = width - LABEL_WIDTH - 40; // room for the last tick's label
  const { t0, t1 } = view;
  const span = t1 - t0;
  const x = (ns: number) => LABEL_WIDTH + ((ns - t0) / span) * plotWidth;

  // Rows: per device its streams, then the engines it used.
  const devices = [...new Set(ops.map((op) => op.device))].sort((a, b) => a - b);
  const rowY = new Map<string, number>();
  let y = AXIS_HEIGHT;
  const layout: { kind: 'device' | 'row'; label: string; y: number }[] = [];
  for (const device of devices) {
    const mine = ops.filter((op) => op.device === device);
    layout.push({ kind: 'device', label: `mtia:${device}`, y });
    y += DEVICE_HEADER;
    for (const stream of [...new Set(mine.map((op) => op.stream))].sort((a, b) => a - b)) {
      rowY.set(`${device}/stream/${stream}`, y);
      layout.push({ kind: 'row', label: stream === 0 ? 'stream 0 (default)' : `stream ${stream}`, y });
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
  svgElement('title', {}, svg).textContent = 'Stream and engine timeline of the run, simulated device time (wheel: zoom, double-click: whole run)';
  const clip = svgElement('clipPath', { id: 'timeline-plot' }, svgElement('defs', {}, svg));
  svgElement('rect', { x: LABEL_WIDTH, y: 0, width: plotWidth + 1, height }, clip);
  // Axis and grid lines.
  const step = tickStep(span, Math.max(2, Math.floor(plotWidth / 110)));
  // Ticks count from the run's first op (origin).
  for (let tick = Math.ceil((t0 - origin) / step) * step; origin + tick <= t1 + step * 1e-9; tick += step) {
    const tx = x(origin + tick);
    svgElement('line', { x1: tx, x2: tx, y1: AXIS_HEIGHT - 4, y2: height, class: 'grid-line' }, svg);
    svgText(formatNs(tick), { x: tx + 2, y: AXIS_HEIGHT - 8, class: 'axis-label' }, svg);
  }
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
  const bars = svgElement('g', { 'clip-path': 'url(#timeline-plot)' }, svg);
  ops.forEach((op, index) => {
    if (op.endNs < t0 || op.startNs > t1) return;
    const left = x(op.startNs);
    const barWidth = Math.max(1, x(op.endNs) - left);
    const engine = engineRow(op);
    const rows = [`${op.device}/stream/${op.stream}`, ...(engine === null ? [] : [`${op.device}/engine/${engine}`])];
    for (const key of rows) {
      const top = rowY.get(key);
      if (top === undefined) continue;
      const bar = svgElement('rect', {
        x: left, y: top + 3, width: barWidth, height: ROW_HEIGHT - 6,
        class: `op-bar engine-${engine ?? 'none'}`, 'data-op': index,
      }, bars);
      svgElement('title', {}, bar).textContent = opSummary(op);
    }
  });
  if (selected !== undefined) markSelected(container, Number(selected));
  svg.addEventListener('wheel', (event) => {
    const bounds = svg.getBoundingClientRect();
    const at = t0 + ((event.clientX - bounds.left - LABEL_WIDTH) / plotWidth) * span;
    if (at < t0 || at > t1) return;
    event.preventDefault();
    const factor = event.deltaY < 0 ? 0.8 : 1.25;
    zoom({ t0: at - (at - t0) * factor, t1: at + (t1 - at) * factor });
  }, { passive: false });
  svg.addEventListener('dblclick', reset);
}

/** Marks the bars of op `index` as selected (and no others). */
export function markSelected(container: HTMLElement, index: number): void {
  container.dataset.selected = String(index);
  for (const bar of container.querySelectorAll('.op-bar.selected')) bar.classList.remove('selected');
  for (const bar of container.querySelectorAll(`.op-bar[data-op="${index}"]`)) bar.classList.add('selected');
}
