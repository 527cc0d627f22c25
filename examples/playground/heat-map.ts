// Draws a PeGridMap (pe-grid.ts) as a heat map: one cell per PE (or systolic MAC unit), from
// white (idle) to dark blue (busy at peak for the whole op), with the percentage in each cell
// when the grid is small enough to read, and the rule that gave the values as a caption.

import type { PeGridMap } from './pe-grid.js';
import { svgElement, svgText } from './svg.js';
import { formatPercent } from './units.js';

/** The fill colour of a value in [0, 1]: white to #08306b. */
function colour(value: number): string {
  const v = Math.min(1, Math.max(0, value));
  const mix = (from: number, to: number) => Math.round(from + (to - from) * v);
  return `rgb(${mix(247, 8)}, ${mix(251, 48)}, ${mix(255, 107)})`;
}

/** Draws `map` into `container`, titled `title`. */
export function renderHeatMap(container: HTMLElement, map: PeGridMap, title: string): void {
  container.replaceChildren();
  const cell = Math.max(4, Math.min(34, Math.floor(272 / Math.max(map.rows, map.cols))));
  const width = map.cols * cell + 2;
  const height = map.rows * cell + 2;
  const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'heat-map', role: 'img', 'data-rule': map.rule }, container);
  svgElement('title', {}, svg).textContent = title;
  const labelled = map.cols <= 8;
  for (let r = 0; r < map.rows; r++) {
    for (let c = 0; c < map.cols; c++) {
      const value = map.values[r * map.cols + c]!;
      const rect = svgElement('rect', {
        x: 1 + c * cell, y: 1 + r * cell, width: cell - (cell > 6 ? 1 : 0), height: cell - (cell > 6 ? 1 : 0),
        fill: colour(value), class: 'pe-cell', 'data-value': value,
      }, svg);
      svgElement('title', {}, rect).textContent = `(${r}, ${c}): ${formatPercent(value)}`;
      if (labelled) {
        svgText(`${Math.round(value * 100)}`, {
          x: 1 + c * cell + cell / 2, y: 1 + r * cell + cell / 2 + 4, class: value > 0.5 ? 'pe-label dark' : 'pe-label',
        }, svg);
      }
    }
  }
  const caption = document.createElement('p');
  caption.className = 'caption';
  caption.textContent = `${title}. ${map.caption} (${formatPercent(map.mean)}).`;
  container.appendChild(caption);
}
