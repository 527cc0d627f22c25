// The simulated-time axis the timeline and the memory chart share: one TimeView (the run's
// whole span and the part in view) that both draw on, with the same left margin and plot width,
// so a time sits at the same x in both and zooming or scrolling either moves both. Wheel: zoom
// around the pointer; Shift+wheel or a sideways wheel: scroll; drag: scroll; double-click: the
// whole run again (as Perfetto's timeline, whose keys W/S and A/D do the same).

import { svgElement, svgText } from './svg.js';
import { formatNs } from './units.js';

/** A span of simulated time, ns. */
export interface TimeRange {
  readonly t0: number;
  readonly t1: number;
}

/** Width of the row labels left of the plot, px; the plot starts here in every chart. */
export const LABEL_WIDTH = 118;
/** Room right of the plot for the last tick's label, px. */
const RIGHT_MARGIN = 40;
/** The narrowest span the view zooms in to, ns. */
const MIN_SPAN_NS = 10;

/** The x geometry of a chart `width` px wide: where the plot starts and how wide it is. */
export function plotGeometry(width: number): { left: number; plotWidth: number } {
  return { left: LABEL_WIDTH, plotWidth: Math.max(1, width - LABEL_WIDTH - RIGHT_MARGIN) };
}

/** The width charts draw at in `container`: its own width, at least 640 px. */
export function chartWidth(container: HTMLElement): number {
  return Math.max(640, container.clientWidth || 960);
}

/** The part of a run's simulated time in view, shared by the charts that draw it. */
export class TimeView {
  private current: TimeRange;
  private readonly listeners = new Set<() => void>();

  /** A view of `full` (the run's first start to its last end; origin of the ticks), all of it in view. */
  constructor(readonly full: TimeRange) {
    this.current = full;
  }

  /** The part in view. */
  get range(): TimeRange {
    return this.current;
  }

  /** Shows `next`, kept within the run and no narrower than 10 ns; tells every listener. */
  show(next: TimeRange): void {
    const { t0: f0, t1: f1 } = this.full;
    const span = Math.min(f1 - f0, Math.max(MIN_SPAN_NS, next.t1 - next.t0));
    const t0 = Math.min(Math.max(f0, next.t0), f1 - span);
    if (t0 === this.current.t0 && t0 + span === this.current.t1) return;
    this.current = { t0, t1: t0 + span };
    for (const listener of this.listeners) listener();
  }

  /** Zooms by `factor` (< 1 in) around time `at`. */
  zoom(at: number, factor: number): void {
    const { t0, t1 } = this.current;
    this.show({ t0: at - (at - t0) * factor, t1: at + (t1 - at) * factor });
  }

  /** Scrolls by `ns` (positive: later). */
  scroll(ns: number): void {
    this.show({ t0: this.current.t0 + ns, t1: this.current.t1 + ns });
  }

  /** Calls `listener` after each change; returns a function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The run's span of `[startNs, endNs]` intervals, at least 1 ns wide. */
export function spanOf(intervals: Iterable<{ readonly startNs: number; readonly endNs: number }>): TimeRange {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const { startNs, endNs } of intervals) {
    t0 = Math.min(t0, startNs);
    t1 = Math.max(t1, endNs);
  }
  return { t0, t1: Math.max(t1, t0 + 1) };
}

/** Round tick spacing: 1, 2 or 5 × 10^n, giving at most about `count` ticks over `span`. */
export function tickStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
}

/**
 * Draws the time ticks of `view` into `svg`: grid lines from `top` to `bottom` and, when
 * `labelY` is given, their labels (times counted from the run's first start).
 */
export function drawTicks(svg: SVGSVGElement, view: TimeView, x: (ns: number) => number, plotWidth: number, top: number, bottom: number, labelY?: number): void {
  const { t0, t1 } = view.range;
  const origin = view.full.t0;
  const step = tickStep(t1 - t0, Math.max(2, Math.floor(plotWidth / 110)));
  for (let tick = Math.ceil((t0 - origin) / step) * step; origin + tick <= t1 + step * 1e-9; tick += step) {
    const tx = x(origin + tick);
    svgElement('line', { x1: tx, x2: tx, y1: top, y2: bottom, class: 'grid-line' }, svg);
    if (labelY !== undefined) svgText(formatNs(tick), { x: tx + 2, y: labelY, class: 'axis-label' }, svg);
  }
}

/** The x of a time in `view` for a chart of `width` px: the same in every chart of that width. */
export function timeToX(view: TimeView, width: number): (ns: number) => number {
  const { left, plotWidth } = plotGeometry(width);
  const { t0, t1 } = view.range;
  return (ns) => left + ((ns - t0) / (t1 - t0)) * plotWidth;
}

/** The time at client x `clientX` over `svg` (a chart of `width` px), or null left or right of the plot. */
export function timeAt(view: TimeView, svg: SVGSVGElement, width: number, clientX: number): number | null {
  const { left, plotWidth } = plotGeometry(width);
  const px = clientX - svg.getBoundingClientRect().left - left;
  if (px < 0 || px > plotWidth) return null;
  const { t0, t1 } = view.range;
  return t0 + (px / plotWidth) * (t1 - t0);
}

/** True for a pointer that moved this far (px) since it went down: a drag, not a click. */
const DRAG_PX = 3;

/** Wheel zoom and scroll, drag to scroll and double-click to reset `view`, on chart `svg` of `width` px. */
export function attachTimeControls(svg: SVGSVGElement, view: TimeView, width: number): void {
  const { plotWidth } = plotGeometry(width);
  svg.addEventListener('wheel', (event) => {
    const at = timeAt(view, svg, width, event.clientX);
    if (at === null) return;
    event.preventDefault();
    const { t0, t1 } = view.range;
    const sideways = event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY);
    if (sideways) view.scroll(((event.shiftKey ? event.deltaY : event.deltaX) / plotWidth) * (t1 - t0));
    else view.zoom(at, event.deltaY < 0 ? 0.8 : 1.25);
  }, { passive: false });
  svg.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || timeAt(view, svg, width, event.clientX) === null) return;
    let lastX = event.clientX;
    const startX = event.clientX;
    const move = (moved: PointerEvent) => {
      if (Math.abs(moved.clientX - startX) < DRAG_PX) return;
      document.body.classList.add('dragging-time');
      const { t0, t1 } = view.range;
      view.scroll(((lastX - moved.clientX) / plotWidth) * (t1 - t0));
      lastX = moved.clientX;
    };
    const up = (released: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      document.body.classList.remove('dragging-time');
      // A drag is not a click on the bar it ends over.
      if (Math.abs(released.clientX - startX) < DRAG_PX) return;
      const swallow = (click: MouseEvent) => click.stopPropagation();
      window.addEventListener('click', swallow, { capture: true, once: true });
      setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  });
  svg.addEventListener('dblclick', () => view.show(view.full));
}
