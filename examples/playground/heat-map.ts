// Draws a PeGridMap (pe-grid.ts) as a heat map: one cell per PE (or systolic MAC unit), its
// percentage written in the cell when the grid is small enough to read (in its tooltip always),
// coloured on a fixed 0–100 % scale with a legend under the grid, and the rule that gave the
// values as a caption.
//
// The scale is viridis (van der Walt and Smith, matplotlib's default; perceptually uniform and
// readable with colour-vision deficiencies), run from light to dark so that busier is darker: a
// PE at 20 % is a clear yellow-green, not the near-white a linear white-to-blue ramp gave it.
// Exactly 0 (idle) has its own colour, outside the scale, so an idle PE never looks like a
// barely busy one.

import type { PeGridMap } from './pe-grid.js';
import { svgElement, svgText } from './svg.js';
import { formatCellPercent, formatCount, formatPercent, plural } from './units.js';

/** Viridis sampled at 0, 1/8, …, 1 (matplotlib's colormap), dark purple to yellow. */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37],
];

/** The colour of an idle (exactly 0) cell: outside the scale. */
export const IDLE_COLOUR = '#eef0f4';

/** The fill colour of a value in (0, 1]: viridis from yellow (low) to dark purple (1); IDLE_COLOUR for 0. */
export function heatColour(value: number): string {
  if (!(value > 0)) return IDLE_COLOUR;
  const x = (1 - Math.min(1, value)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  const mix = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** Whether text on a cell of `value` should be white (the scale's dark half). */
function darkCell(value: number): boolean {
  return value > 0.45;
}

/** The legend: idle's swatch, then the 0–100 % scale with ticks and a marker at `mean`. */
function legend(map: PeGridMap, parent: HTMLElement): void {
  const width = 300;
  const barX = 58;
  const barWidth = width - barX - 14;
  const svg = svgElement('svg', { width, height: 44, viewBox: `0 0 ${width} 44`, class: 'heat-legend', role: 'img' }, parent);
  svgElement('title', {}, svg).textContent = `Colour scale: ${map.valueMeaning}`;
  svgElement('rect', { x: 1, y: 12, width: 14, height: 12, fill: IDLE_COLOUR, stroke: '#c4c9d4' }, svg);
  svgText('idle', { x: 19, y: 22, class: 'legend-label' }, svg);
  const defs = svgElement('defs', {}, svg);
  const gradient = svgElement('linearGradient', { id: 'heat-scale', x1: 0, x2: 1, y1: 0, y2: 0 }, defs);
  for (let i = 0; i <= 20; i++) {
    const v = i / 20;
    svgElement('stop', { offset: `${100 * v}%`, 'stop-color': heatColour(Math.max(v, 1e-9)) }, gradient);
  }
  svgElement('rect', { x: barX, y: 12, width: barWidth, height: 12, fill: 'url(#heat-scale)', stroke: '#c4c9d4' }, svg);
  for (const tick of [0, 25, 50, 75, 100]) {
    const x = barX + (barWidth * tick) / 100;
    svgElement('line', { x1: x, x2: x, y1: 24, y2: 28, stroke: '#4a5264' }, svg);
    svgText(`${tick} %`, { x, y: 39, class: 'legend-label tick' }, svg);
  }
  if (map.meanMeaning !== '') {
    const x = barX + barWidth * Math.min(1, Math.max(0, map.mean));
    svgElement('path', { d: `M ${x - 4} 3 L ${x + 4} 3 L ${x} 11 Z`, fill: '#1d2330', class: 'mean-marker' }, svg);
  }
}

/** Draws `map` into `container`, titled `title`. */
export function renderHeatMap(container: HTMLElement, map: PeGridMap, title: string): void {
  container.replaceChildren();
  const labelled = map.cols <= 8;
  const cell = labelled ? 40 : Math.max(4, Math.min(34, Math.floor(300 / Math.max(map.rows, map.cols))));
  const width = map.cols * cell + 2;
  const height = map.rows * cell + 2;
  const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'heat-map', role: 'img', 'data-rule': map.rule }, container);
  svgElement('title', {}, svg).textContent = title;
  for (let r = 0; r < map.rows; r++) {
    for (let c = 0; c < map.cols; c++) {
      const value = map.values[r * map.cols + c]!;
      const gap = cell > 6 ? 1 : 0;
      const rect = svgElement('rect', {
        x: 1 + c * cell, y: 1 + r * cell, width: cell - gap, height: cell - gap,
        fill: heatColour(value), class: 'pe-cell', 'data-value': value,
      }, svg);
      svgElement('title', {}, rect).textContent = `${map.unit} (${r}, ${c}): ${formatPercent(value)}`;
      if (labelled) {
        svgText(formatCellPercent(value), {
          x: 1 + c * cell + cell / 2, y: 1 + r * cell + cell / 2 + 3.5, class: darkCell(value) ? 'pe-label dark' : 'pe-label',
        }, svg);
      }
    }
  }
  const key = document.createElement('div');
  key.className = 'heat-key';
  legend(map, key);
  const keyText = document.createElement('span');
  keyText.className = 'caption';
  keyText.textContent = map.meanMeaning === ''
    ? `Colour: ${map.valueMeaning}.`
    : `Colour: ${map.valueMeaning}. ▼ the mean over the ${plural(map.rows * map.cols, map.unit)}: ${formatPercent(map.mean)}, ${map.meanMeaning}.`;
  key.appendChild(keyText);
  container.appendChild(key);
  const caption = document.createElement('p');
  caption.className = 'caption';
  caption.textContent = `${title}: ${map.caption}.`;
  container.appendChild(caption);
  if (!labelled) {
    const hint = document.createElement('p');
    hint.className = 'caption';
    hint.textContent = `${formatCount(map.rows)} × ${formatCount(map.cols)} cells: hover one for its value.`;
    container.appendChild(hint);
  }
}
