// The playground page: wires the controls to script-runner.ts and draws what a run produced
// (timeline.ts, heat-map.ts from pe-grid.ts, op-explanation.ts, memory-timeline.ts). The page
// sets body[data-state] to 'ready', 'running', 'done' or 'error' (the browser test waits on it).

import { mtia } from 'mtia-sim';
import { downloadText } from './downloads.js';
import { renderHeatMap } from './heat-map.js';
import { renderMemoryTimeline } from './memory-timeline.js';
import { renderOpExplanation } from './op-explanation.js';
import { peGridOf } from './pe-grid.js';
import { profileChoices } from './profile-choices.js';
import { runScript, type RunResult } from './script-runner.js';
import { markSelected, opSummary, renderTimeline } from './timeline.js';
import { formatNs } from './units.js';
import { workloads } from './workloads.js';

/** The element with id `id`, of the type the page gives it. */
function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the playground page has no #${id}`);
  return element as T;
}

const ui = {
  profile: byId<HTMLSelectElement>('profile'),
  devices: byId<HTMLSelectElement>('devices'),
  timingOnly: byId<HTMLInputElement>('timing-only'),
  workload: byId<HTMLSelectElement>('workload'),
  code: byId<HTMLTextAreaElement>('code'),
  run: byId<HTMLButtonElement>('run'),
  status: byId<HTMLElement>('status'),
  checks: byId<HTMLUListElement>('checks'),
  printed: byId<HTMLElement>('printed'),
  timeline: byId<HTMLElement>('timeline'),
  heatMap: byId<HTMLElement>('heat-map'),
  explanation: byId<HTMLElement>('explanation'),
  memory: byId<HTMLElement>('memory'),
  opTable: byId<HTMLTableElement>('op-table'),
  downloadTrace: byId<HTMLButtonElement>('download-trace'),
  downloadSnapshot: byId<HTMLButtonElement>('download-snapshot'),
  traceNote: byId<HTMLElement>('trace-note'),
  environment: byId<HTMLElement>('environment'),
};

const MAX_DEVICES = 4;
const CUSTOM = 'custom';
let last: RunResult | undefined;

/** Adds an <option> to `select`. */
function option(select: HTMLSelectElement, value: string, text: string): void {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = text;
  select.appendChild(element);
}

function setState(state: 'ready' | 'running' | 'done' | 'error', status: string): void {
  document.body.dataset.state = state;
  ui.status.textContent = status;
}

/** Loads built-in workload `id` into the editor. */
function loadWorkload(id: string): void {
  const workload = workloads.find((w) => w.id === id);
  if (workload === undefined) return;
  ui.code.value = workload.code;
  ui.timingOnly.checked = workload.timingOnly;
}

/** Shows op `index` of the last run: selected in the timeline and table, its heat map and explanation. */
function selectOp(index: number): void {
  const op = last?.ops[index];
  if (last === undefined || op === undefined) return;
  markSelected(ui.timeline, index);
  for (const row of ui.opTable.querySelectorAll('tr.selected')) row.classList.remove('selected');
  ui.opTable.querySelector(`tr[data-op="${index}"]`)?.classList.add('selected');
  const { peNumRows, peNumCols } = last.properties;
  renderHeatMap(ui.heatMap, peGridOf(op, peNumRows, peNumCols, last.request.profile.array), `#${index} ${op.name}`);
  renderOpExplanation(ui.explanation, op, index, mtia.profiler.runEnergy(last.ops));
}

/** Fills the op table. */
function renderOpTable(result: RunResult): void {
  ui.opTable.replaceChildren();
  const head = ui.opTable.createTHead().insertRow();
  for (const title of ['#', 'op', 'device', 'stream', 'start', 'duration', 'engine', 'bound']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.appendChild(th);
  }
  const body = ui.opTable.createTBody();
  result.ops.forEach((op, index) => {
    const row = body.insertRow();
    row.dataset.op = String(index);
    row.title = opSummary(op);
    const cells: [string, boolean][] = [
      [String(index), true], [op.name, false], [`mtia:${op.device}`, false], [String(op.stream), true],
      [formatNs(op.startNs), true], [formatNs(op.endNs - op.startNs), true], [op.engine, false], [op.bound, false],
    ];
    for (const [text, number] of cells) {
      const cell = row.insertCell();
      cell.textContent = text;
      if (number) cell.className = 'number';
    }
  });
  body.addEventListener('click', (event) => {
    const row = (event.target as Element).closest('tr');
    if (row?.dataset.op !== undefined) selectOp(Number(row.dataset.op));
  });
}

/** The op to show first: the longest DPE op, else the longest op; -1 when there are none. */
function firstSelection(result: RunResult): number {
  const duration = (index: number) => result.ops[index]!.endNs - result.ops[index]!.startNs;
  const indices = result.ops.map((_, index) => index);
  const dpe = indices.filter((index) => result.ops[index]!.engine === 'dpe');
  const pool = dpe.length > 0 ? dpe : indices;
  return pool.reduce((best, index) => (best < 0 || duration(index) > duration(best) ? index : best), -1);
}

/** Draws everything of `result`. */
function show(result: RunResult): void {
  last = result;
  ui.checks.replaceChildren();
  const note = (className: string, text: string) => {
    const item = document.createElement('li');
    item.className = className;
    item.textContent = text;
    ui.checks.appendChild(item);
  };
  for (const check of result.checks) note(check.ok ? 'check ok' : 'check bad', check.summary);
  if (result.checks.length === 0) {
    note('check none', result.request.timingOnly ? 'timing-only: tensors have no values, so there is nothing to check' : 'the script checked no values');
  }
  ui.printed.textContent = result.printed.join('\n');
  renderTimeline(ui.timeline, result.ops, selectOp);
  renderMemoryTimeline(ui.memory, result.snapshot);
  renderOpTable(result);
  ui.heatMap.replaceChildren();
  ui.explanation.replaceChildren();
  const first = firstSelection(result);
  if (first >= 0) selectOp(first);
  ui.downloadSnapshot.disabled = false;
  ui.downloadTrace.disabled = result.trace.trace === null;
  ui.traceNote.textContent = result.trace.note === null ? '' : `Chrome trace unavailable: ${result.trace.note}.`;
}

async function run(): Promise<void> {
  const profile = profileChoices.find((p) => p.id === ui.profile.value) ?? profileChoices[0]!;
  ui.run.disabled = true;
  setState('running', 'Running…');
  try {
    const result = await runScript({
      profile, deviceCount: Number(ui.devices.value), timingOnly: ui.timingOnly.checked, code: ui.code.value,
    });
    show(result);
    const devices = [...new Set(result.ops.map((op) => op.device))];
    const spans = devices.map((d) => {
      const mine = result.ops.filter((op) => op.device === d);
      return `mtia:${d} ${formatNs(Math.max(...mine.map((op) => op.endNs)) - Math.min(...mine.map((op) => op.startNs)))}`;
    });
    const failed = result.checks.filter((c) => !c.ok).length;
    if (result.error !== null) {
      setState('error', `The script failed: ${result.error}`);
    } else {
      const verdict = result.checks.length === 0 ? '' : failed === 0 ? ', every check correct' : `, ${failed} check(s) MISMATCH`;
      // getDeviceProperties().transport: where the package reports how commands reach the workers.
      const { transport } = result.properties as { transport?: unknown };
      const carried = typeof transport === 'string' ? `; commands over ${transport}` : '';
      setState('done', `${result.ops.length} ops; simulated ${spans.join(', ')}; ${result.wallMs.toFixed(0)} ms on this machine${carried}${verdict}.`);
    }
  } catch (error) {
    setState('error', `The run failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    ui.run.disabled = false;
  }
}

function setUp(): void {
  for (const p of profileChoices) option(ui.profile, p.id, p.title);
  for (let n = 1; n <= MAX_DEVICES; n++) option(ui.devices, String(n), String(n));
  ui.devices.value = '2';
  for (const w of workloads) option(ui.workload, w.id, w.title);
  option(ui.workload, CUSTOM, 'Your script (edited)');
  loadWorkload(workloads[0]!.id);
  ui.workload.addEventListener('change', () => loadWorkload(ui.workload.value));
  ui.code.addEventListener('input', () => {
    ui.workload.value = CUSTOM;
  });
  ui.run.addEventListener('click', () => void run());
  ui.downloadTrace.addEventListener('click', () => {
    if (last?.trace.trace) downloadText('mtia-sim-trace.json', JSON.stringify(last.trace.trace));
  });
  ui.downloadSnapshot.addEventListener('click', () => {
    if (last) downloadText('mtia-sim-snapshot.json', last.snapshotJson);
  });
  let resizing: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      if (last === undefined) return;
      renderTimeline(ui.timeline, last.ops, selectOp); // keeps the selection
      renderMemoryTimeline(ui.memory, last.snapshot);
    }, 150);
  });
  const available = mtia.isAvailable();
  ui.environment.textContent =
    `cross-origin isolated: ${globalThis.crossOriginIsolated ? 'yes' : 'no'} · devices can run here: ${available ? 'yes' : 'no'}`;
  setState('ready', available ? 'Ready: choose a workload and press Run.' : 'This browser cannot run the simulated devices here (see above).');
}

setUp();
