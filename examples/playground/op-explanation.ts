// One op explained from its record (mtia.profiler.opStats()): where it ran, what bound it and
// why, its cycles by engine, its bytes by memory level and its energy by component, drawn as
// bars scaled to the largest; and the energy and average power of the whole run.

import type { mtia } from 'mtia-sim';
import { formatBytes, formatCount, formatNs, formatPercent } from './units.js';
import { opTitle } from './timeline.js';

/** What each bound means, in one sentence (docs/timing-model.md). */
const BOUND_MEANINGS: Record<mtia.OpBound, string> = {
  launch: 'the control core\'s launch latency dominated: the op is too small to amortise it',
  issue: 'the PEs\' RISC-V cores could not issue instructions fast enough for the engines',
  compute: 'its compute engine was the slowest pipeline stage: the op ran at the engine\'s rate',
  fabric: 'each PE\'s fabric interface (its DMA bytes per cycle and per-descriptor cost) was the slowest stage',
  sram: 'moving operands through the on-chip SRAM at its shared bandwidth was the slowest stage',
  dram: 'moving its operands to or from DRAM (LPDDR5) at the DRAM bandwidth was the slowest stage',
  pcie: 'a host copy, bound by the PCIe link',
  none: 'a queue operation (event record or wait): no job ran',
};

/** Joules as J, mJ, µJ or nJ with 3 significant digits. */
function formatJoules(joules: number): string {
  const abs = Math.abs(joules);
  if (abs >= 1) return `${joules.toPrecision(3)} J`;
  if (abs >= 1e-3) return `${(joules * 1e3).toPrecision(3)} mJ`;
  if (abs >= 1e-6) return `${(joules * 1e6).toPrecision(3)} µJ`;
  return `${(joules * 1e9).toPrecision(3)} nJ`;
}

/** A table row of a label, a bar of `value / max` and the value's text. */
function barRow(label: string, value: number, max: number, text: string): HTMLTableRowElement {
  const row = document.createElement('tr');
  const name = document.createElement('th');
  name.textContent = label;
  const barCell = document.createElement('td');
  barCell.className = 'bar-cell';
  const bar = document.createElement('span');
  bar.className = 'bar';
  bar.style.width = `${max > 0 ? (100 * value) / max : 0}%`;
  barCell.appendChild(bar);
  const figure = document.createElement('td');
  figure.className = 'figure';
  figure.textContent = text;
  row.append(name, barCell, figure);
  return row;
}

/** A titled table of bars. */
function barTable(title: string, rows: readonly [string, number, string][]): HTMLElement {
  const section = document.createElement('section');
  const heading = document.createElement('h4');
  heading.textContent = title;
  const table = document.createElement('table');
  table.className = 'bars';
  const max = Math.max(0, ...rows.map((r) => r[1]));
  for (const [label, value, text] of rows) table.appendChild(barRow(label, value, max, text));
  section.append(heading, table);
  return section;
}

/** A definition list of facts. */
function facts(entries: readonly [string, string][]): HTMLDListElement {
  const list = document.createElement('dl');
  for (const [term, value] of entries) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
  return list;
}

/** Fills `container` with the explanation of op `index` of a run whose energy is `run` (mtia.profiler.runEnergy()). */
export function renderOpExplanation(container: HTMLElement, op: mtia.OpStats, index: number, run?: mtia.RunEnergy): void {
  container.replaceChildren();
  const heading = document.createElement('h3');
  heading.textContent = `#${index} ${opTitle(op)} on mtia:${op.device}, stream ${op.stream}`;
  const bound = document.createElement('p');
  bound.className = `bound bound-${op.bound}`;
  bound.textContent = `${op.bound}-bound: ${BOUND_MEANINGS[op.bound]}.`;
  const c = op.cycles;
  const e = op.energy.byComponent;
  const tile = op.tile === undefined ? [] : [['tile (m × n × k, K split)', `${op.tile.m} × ${op.tile.n} × ${+op.tile.k.toFixed(2)}, ${op.tile.kSplit}`] as [string, string]];
  const systolic = op.systolic === undefined ? [] : [[
    'systolic array (SCALE-Sim)',
    `${op.systolic.folds} folds, mapping efficiency ${op.systolic.mappingEfficiencyPercent.toFixed(1)} %, compute util ${op.systolic.computeUtilisationPercent.toFixed(1)} %, overall util ${op.systolic.overallUtilisationPercent.toFixed(1)} %`,
  ] as [string, string]];
  container.append(
    heading,
    bound,
    facts([
      ['shapes (inputs, output)', op.shapes.map((s) => `[${s.join(' × ')}]`).join(', ')],
      ['dtype', op.dtype],
      ['simulated time', `${formatNs(op.startNs)} → ${formatNs(op.endNs)} (${formatNs(op.endNs - op.startNs)})`],
      ['compute engine', op.engine.toUpperCase()],
      ['PEs × steps per PE', `${op.pes} × ${op.steps}`],
      ['utilisation', formatPercent(op.utilisation)],
      ['SRAM hit rate', `${formatPercent(op.sramHitRate)} of ${formatBytes(op.bytes.operands)} operand bytes`],
      ['energy', `${formatJoules(op.energy.joules)}, ${op.energy.averageWatts.toFixed(1)} W average (${op.energy.staticWatts} W of it static)`],
      ...(run === undefined ? [] : [['run energy', `${formatJoules(run.joules)} over ${formatNs(run.seconds * 1e9)}, ${run.averageWatts.toFixed(1)} W average`] as [string, string]]),
      ...tile,
      ...systolic,
    ]),
    barTable('Cycles (per PE for engines)', [
      ['total', c.total, formatCount(c.total)],
      ['launch', c.launch, formatCount(c.launch)],
      ['issue', c.issue, formatCount(c.issue)],
      ['compute', c.compute, formatCount(c.compute)],
      ['stall', c.stall, formatCount(c.stall)],
      ['DPE', c.dpe, formatCount(c.dpe)],
      ['SE', c.se, formatCount(c.se)],
      ['RE', c.re, formatCount(c.re)],
      ['MLU', c.mlu, formatCount(c.mlu)],
      ['fabric', c.fabric, formatCount(c.fabric)],
    ]),
    barTable('Bytes by memory level', [
      ['local memory', op.bytes.localMemory, formatBytes(op.bytes.localMemory)],
      ['SRAM', op.bytes.sram, formatBytes(op.bytes.sram)],
      ['DRAM', op.bytes.dram, formatBytes(op.bytes.dram)],
      ['PCIe', op.bytes.pcie, formatBytes(op.bytes.pcie)],
    ]),
    barTable('Energy by component', [
      ['compute', e.compute, formatJoules(e.compute)],
      ['local memory', e.localMemory, formatJoules(e.localMemory)],
      ['SRAM', e.sram, formatJoules(e.sram)],
      ['NoC', e.noc, formatJoules(e.noc)],
      ['DRAM', e.dram, formatJoules(e.dram)],
      ['PCIe', e.pcie, formatJoules(e.pcie)],
      ['static', e.static, formatJoules(e.static)],
      ['idle engines', e.idle, formatJoules(e.idle)],
    ]),
  );
}
