// One op explained from its record (mtia.profiler.opStats()): what bound it, where its time
// went, part by part, where it ran, its units' busy cycles, its bytes by memory level and its
// energy by component; and the energy and average power of the whole run.
//
// "Where its time went" draws OpStats.timeParts: the op's time split along its critical path by
// what it waited on (docs/timing-model.md step 3). The parts add up to the op's time, and the
// bound is the largest of them, so the headline and the longest bar always agree. The units'
// busy cycles are another quantity (they overlap: the pipeline runs its units side by side)
// and say so. Every bar's colour is in its row's swatch, and every figure that is undefined
// (the hit rate of no bytes) is a dash with the reason.

import type { mtia } from 'mtia-sim';
import { workLayout, type ArrayShape } from './pe-grid.js';
import { formatBytes, formatCount, formatNs, formatPercent, plural } from './units.js';
import { opTitle } from './timeline.js';

type Part = Exclude<keyof mtia.OpTimeParts, 'waitedFor'>;

/** The parts in the order the pipeline meets them, each with its colour and what it waited on. */
const PARTS: readonly { part: Part; label: string; colour: string; waitedOn: string }[] = [
  { part: 'launch', label: 'launch', colour: '#8d96a8', waitedOn: 'the control core launching the job' },
  { part: 'issue', label: 'instruction issue', colour: '#e6a23c', waitedOn: 'the PEs\' RISC-V cores issuing its instructions' },
  { part: 'compute', label: 'compute', colour: '#2c5aa0', waitedOn: 'its compute engines working' },
  { part: 'fabric', label: 'fabric interface', colour: '#8e6bbf', waitedOn: 'each PE\'s fabric interface moving its tiles in and out (bytes per cycle and DMA descriptors)' },
  { part: 'sram', label: 'SRAM', colour: '#2a9d8f', waitedOn: 'the on-chip SRAM: its latency and its shared bandwidth' },
  { part: 'dram', label: 'DRAM', colour: '#c0504d', waitedOn: 'the DRAM (LPDDR5): its latency and its bandwidth' },
  { part: 'pcie', label: 'PCIe link', colour: '#6b8e23', waitedOn: 'the PCIe link to the host' },
  { part: 'wait', label: 'waiting', colour: '#e08fa8', waitedOn: 'an engine another job still held' },
];

/** The part a bound names. */
const PART_OF_BOUND: Record<mtia.OpBound, Part> = {
  launch: 'launch', issue: 'issue', compute: 'compute', fabric: 'fabric', sram: 'sram', dram: 'dram', pcie: 'pcie', none: 'wait',
};

/** Names of the units (OpCycles fields) that can be compute engines, as the page writes them. */
const ENGINE_NAMES = [['dpe', 'DPE'], ['se', 'SE'], ['re', 'RE'], ['mlu', 'MLU']] as const;

/** The compute engines' names for `op`: on the systolic profile a GEMM's DPE work is the array's. */
function engineNames(op: mtia.OpStats): readonly (readonly ['dpe' | 'se' | 're' | 'mlu', string])[] {
  return op.systolic === undefined ? ENGINE_NAMES : ENGINE_NAMES.map(([key, name]) => [key, key === 'dpe' ? 'systolic array' : name] as const);
}

/** Joules as J, mJ, µJ or nJ with 3 significant digits. */
function formatJoules(joules: number): string {
  const abs = Math.abs(joules);
  if (joules === 0) return '0 J';
  if (abs >= 1) return `${joules.toPrecision(3)} J`;
  if (abs >= 1e-3) return `${(joules * 1e3).toPrecision(3)} mJ`;
  if (abs >= 1e-6) return `${(joules * 1e6).toPrecision(3)} µJ`;
  return `${(joules * 1e9).toPrecision(3)} nJ`;
}

/** A small square of `colour`: the legend of a bar's colour, in its row. */
function swatch(colour: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'swatch';
  span.style.background = colour;
  return span;
}

/** A table row: a label (with a swatch when `colour`), a bar of `value / max`, and the figures' cells. */
function barRow(label: string, value: number, max: number, figures: readonly string[], colour?: string): HTMLTableRowElement {
  const row = document.createElement('tr');
  const name = document.createElement('th');
  if (colour !== undefined) name.appendChild(swatch(colour));
  name.append(label);
  const barCell = document.createElement('td');
  barCell.className = 'bar-cell';
  const bar = document.createElement('span');
  bar.className = 'bar';
  bar.style.width = `${max > 0 ? Math.min(100, (100 * value) / max) : 0}%`;
  if (colour !== undefined) bar.style.background = colour;
  barCell.appendChild(bar);
  row.append(name, barCell);
  for (const text of figures) {
    const figure = document.createElement('td');
    figure.className = 'figure';
    figure.textContent = text;
    row.appendChild(figure);
  }
  return row;
}

/** A titled section with a note under the title. */
function section(title: string, note: string, ...content: HTMLElement[]): HTMLElement {
  const element = document.createElement('section');
  const heading = document.createElement('h4');
  heading.textContent = title;
  const small = document.createElement('p');
  small.className = 'caption';
  small.textContent = note;
  element.append(heading, small, ...content);
  return element;
}

/** A table of bars, one row per [label, value, figures], scaled to `max` (default: the largest value). */
function barTable(rows: readonly [string, number, string[]][], max = Math.max(0, ...rows.map((r) => r[1]))): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'bars';
  for (const [label, value, figures] of rows) table.appendChild(barRow(label, value, max, figures));
  return table;
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

/** The label and meaning of part `part` of `op` (the wait names what it waited for). */
function describePart(op: mtia.OpStats, part: Part): { label: string; waitedOn: string } {
  const entry = PARTS.find((p) => p.part === part)!;
  if (part === 'compute') {
    const engines = engineNames(op).filter(([key]) => op.cycles[key] > 0).map(([, name]) => name);
    const which = engines.length > 0 ? ` (${engines.join(', ')})` : '';
    return { label: `compute${which}`, waitedOn: `its compute engines${which} working, the last tile's drain included` };
  }
  if (part === 'wait') {
    if (op.bound === 'none') return { label: 'waiting', waitedOn: 'the queue: a queue operation runs no job' };
    const what = op.timeParts.waitedFor === 'none' ? 'a shared engine' : describePart(op, PART_OF_BOUND[op.timeParts.waitedFor]).label;
    return { label: `waiting for ${what}`, waitedOn: `the ${what}, which another job still held when this op's own pipeline was done` };
  }
  return entry;
}

/** The stacked bar of the op's time parts, and their table with a total that is their sum. */
function timeParts(op: mtia.OpStats): HTMLElement {
  const parts = op.timeParts;
  const total = op.cycles.total;
  const nsPerCycle = total > 0 ? (op.endNs - op.startNs) / total : 0;
  const shown = PARTS.filter(({ part }) => parts[part] > 0);
  const stack = document.createElement('div');
  stack.className = 'time-stack';
  stack.setAttribute('role', 'img');
  for (const { part, colour } of shown) {
    const piece = document.createElement('span');
    piece.style.width = `${(100 * parts[part]) / total}%`;
    piece.style.background = colour;
    piece.title = `${describePart(op, part).label}: ${formatCount(parts[part])} cycles (${formatPercent(parts[part] / total)})`;
    stack.appendChild(piece);
  }
  const table = document.createElement('table');
  table.className = 'bars time-parts';
  const sum = shown.reduce((s, { part }) => s + parts[part], 0);
  const head = table.createTHead().insertRow();
  for (const text of ['waiting on', '', 'cycles', 'share']) {
    const th = document.createElement('th');
    th.textContent = text;
    head.appendChild(th);
  }
  for (const { part, colour } of shown) {
    const { label } = describePart(op, part);
    const row = barRow(label, parts[part], total, [formatCount(parts[part]), formatPercent(parts[part] / total)], colour);
    row.dataset.part = part;
    row.dataset.cycles = String(parts[part]);
    row.title = `${formatNs(parts[part] * nsPerCycle)} waiting on ${describePart(op, part).waitedOn}`;
    if (PART_OF_BOUND[op.bound] === part || (part === 'wait' && parts.waitedFor === op.bound && op.bound !== 'none')) row.classList.add('bound-part');
    table.appendChild(row);
  }
  const totalRow = barRow('= the op\'s time', sum, total, [formatCount(sum), formatPercent(sum / total)]);
  totalRow.title = formatNs(sum * nsPerCycle);
  totalRow.className = 'time-total sum-row';
  totalRow.dataset.cycles = String(total);
  table.appendChild(totalRow);
  const hidden = PARTS.filter(({ part }) => !(parts[part] > 0)).map(({ part }) => describePart(op, part).label);
  const note = 'Its time along its critical path, split by what it waited on: the first tile passes every stage of the PE pipeline once, ' +
    'each further tile waits on the slowest stage. The parts add up to the op\'s time; the bound is the largest.' +
    (hidden.length > 0 ? ` Zero: ${hidden.join(', ')}.` : '');
  return section('Where its time went', note, stack, table);
}

/** The bound's sentence: which part was largest, how large, and what that means. */
function boundSentence(op: mtia.OpStats): string {
  if (op.bound === 'none') return 'A queue operation (event record or wait): no job ran; its time is the wait.';
  const part = PART_OF_BOUND[op.bound];
  const cycles = Math.max(op.timeParts[part], op.timeParts.waitedFor === op.bound ? op.timeParts.wait : 0);
  const share = formatPercent(op.cycles.total > 0 ? cycles / op.cycles.total : 0);
  const { waitedOn } = describePart(op, part);
  const why = op.bound === 'launch' ? ': the op is too small to amortise its launch' : '';
  return `${op.bound === 'sram' || op.bound === 'dram' || op.bound === 'pcie' ? op.bound.toUpperCase() : op.bound}-bound: ` +
    `the largest part of its time, ${share}, was waiting on ${waitedOn}${why}.`;
}

/** "36.3 % of the DPEs' peak …": the utilisation and what it is a share of, or a dash with the reason. */
function utilisation(op: mtia.OpStats, array: ArrayShape | undefined): string {
  if (op.engine === 'none') return '— (no compute engine did work)';
  const of = op.engine === 'pcie'
    ? 'the PCIe link\'s bandwidth'
    : op.systolic !== undefined && array !== undefined
      ? `the ${array.rows} × ${array.cols} array's peak (one MAC per unit per cycle)`
      : `the peak rate of the ${op.engine.toUpperCase()}s of all PEs`;
  return `${formatPercent(op.utilisation)} of ${of}, over the op's whole time (launch included)`;
}

/** The SRAM hit rate of the op's operand bytes, or a dash when it read none. */
function hitRate(op: mtia.OpStats): string {
  if (op.bytes.operands > 0) {
    const rest = op.sramHitRate < 1 ? ' (the rest came from DRAM)' : '';
    return `${formatPercent(op.sramHitRate)} of its ${formatBytes(op.bytes.operands)} of operands were in SRAM${rest}`;
  }
  const why = op.name === 'copy_h2d' ? 'a host-to-device copy writes DRAM from the host' : 'it read no operand from SRAM or DRAM';
  return `— (${why})`;
}

/** SCALE-Sim's three COMPUTE_REPORT.csv columns for a GEMM on the systolic array, each with its definition. */
function systolicFacts(op: mtia.OpStats): [string, string][] {
  const s = op.systolic;
  if (s === undefined) return [];
  return [
    ['systolic array (SCALE-Sim)', `${plural(s.folds, 'fold')}; mapping efficiency ${s.mappingEfficiencyPercent.toFixed(1)} % (MAC units holding a mapped element, averaged over folds: the heat map's mean)`],
    ['SCALE-Sim compute util', `${s.computeUtilisationPercent.toFixed(1)} % (mapped units × the fold's streaming cycles / (units × the fold's cycles, fill and drain included), averaged over folds)`],
    ['SCALE-Sim overall util', `${s.overallUtilisationPercent.toFixed(1)} % (M·N·K / (units × the array's cycles): the array alone, without launch or memory)`],
  ];
}

/**
 * Fills `container` with the explanation of op `index` of a run whose energy is `run`
 * (mtia.profiler.runEnergy()), on a grid of `peRows` × `peCols` PEs or the systolic `array`.
 */
export function renderOpExplanation(
  container: HTMLElement, op: mtia.OpStats, index: number, run?: mtia.RunEnergy, peRows = 8, peCols = 8, array?: ArrayShape,
): void {
  container.replaceChildren();
  const heading = document.createElement('h3');
  heading.textContent = `#${index} ${opTitle(op)} on mtia:${op.device}, stream ${op.stream}`;
  const bound = document.createElement('p');
  bound.className = `bound bound-${op.bound}`;
  bound.textContent = boundSentence(op);
  const c = op.cycles;
  const e = op.energy.byComponent;
  const busy: [string, number, string[]][] = [
    ...engineNames(op).map(([key, name]) => [name, c[key], [`${formatCount(c[key])} cycles`]] as [string, number, string[]]),
    ['RISC-V issue', c.issue, [`${formatCount(c.issue)} cycles`]],
    ['fabric (in + out)', c.fabric, [`${formatCount(c.fabric)} cycles`]],
  ];
  const energyRows: [string, number, string[]][] = [
    ['compute', e.compute, [formatJoules(e.compute)]],
    ['local memory', e.localMemory, [formatJoules(e.localMemory)]],
    ['SRAM', e.sram, [formatJoules(e.sram)]],
    ['NoC', e.noc, [formatJoules(e.noc)]],
    ['DRAM', e.dram, [formatJoules(e.dram)]],
    ['PCIe', e.pcie, [formatJoules(e.pcie)]],
    ['static', e.static, [formatJoules(e.static)]],
    ['idle engines', e.idle, [formatJoules(e.idle)]],
  ];
  const energyTable = barTable(energyRows, op.energy.joules);
  const energyTotal = barRow('= the op\'s energy', op.energy.joules, op.energy.joules, [formatJoules(op.energy.joules)]);
  energyTotal.className = 'sum-row';
  energyTable.appendChild(energyTotal);
  container.append(
    heading,
    bound,
    timeParts(op),
    facts([
      op.engine === 'pcie'
        ? ['bytes copied', `${formatBytes(op.bytes.pcie)} (${formatCount(op.bytes.pcie)} B)`]
        : ['shapes (inputs, output)', op.shapes.map((s) => `[${s.join(' × ')}]`).join(', ')],
      ['dtype', op.dtype],
      ['simulated time', `${formatNs(op.startNs)} → ${formatNs(op.endNs)} (${formatNs(op.endNs - op.startNs)}, ${formatCount(c.total)} cycles)`],
      ['compute engine', op.engine === 'none' ? '—' : op.systolic !== undefined ? 'the systolic array (in place of the DPEs)' : op.engine.toUpperCase()],
      ['ran on', workLayout(op, peRows, peCols, array)],
      ['utilisation', utilisation(op, array)],
      ['SRAM hit rate', hitRate(op)],
      ['energy', `${formatJoules(op.energy.joules)}, ${op.energy.averageWatts.toFixed(1)} W average (${op.energy.staticWatts} W of it static)`],
      ...(run === undefined ? [] : [['run energy', `${formatJoules(run.joules)} over ${formatNs(run.seconds * 1e9)}, ${run.averageWatts.toFixed(1)} W average`] as [string, string]]),
      ...systolicFacts(op),
    ]),
    busy.some((row) => row[1] > 0)
      ? section('Busy cycles per PE, by unit', 'Each unit\'s own busy cycles, as a bar of the op\'s time. The pipeline runs the units side by side, so these overlap and do not add up.' +
        (op.systolic === undefined ? '' : ' The systolic array is one unit for the chip: its cycles are SCALE-Sim\'s.'),
        barTable(busy, c.total))
      : section('Busy cycles per PE, by unit', 'None: no unit of a PE worked on this op.'),
    section('Bytes by memory level', 'Counted at each level they crossed: a byte read from DRAM also passes the SRAM and local memory, so these do not add up.',
      barTable([
        ['local memory', op.bytes.localMemory, [formatBytes(op.bytes.localMemory)]],
        ['SRAM', op.bytes.sram, [formatBytes(op.bytes.sram)]],
        ['DRAM', op.bytes.dram, [formatBytes(op.bytes.dram)]],
        ['PCIe', op.bytes.pcie, [formatBytes(op.bytes.pcie)]],
      ])),
    section('Energy by component', 'From the profile\'s energy per access (docs/timing-model.md "Energy"); these add up to the op\'s energy.', energyTable),
  );
}
